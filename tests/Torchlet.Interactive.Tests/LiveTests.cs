using System.Diagnostics;
using Microsoft.DotNet.Interactive.Events;
using Xunit.Abstractions;

namespace Torchlet.Interactive.Tests;

// Not in parallel with other classes: one test replaces the clock every new live view reads (Live.Clock), and
// the cost measurements are steadier alone.
[CollectionDefinition(nameof(LiveTests), DisableParallelization = true)]
public sealed class LiveTestsCollection;

[Collection(nameof(LiveTests))]
public sealed class LiveTests(ITestOutputHelper output) : IAsyncLifetime
{
    NotebookKernel _nb = null!;

    public async Task InitializeAsync() => _nb = await NotebookKernel.StartAsync();
    public Task DisposeAsync() { _nb.Dispose(); return Task.CompletedTask; }

    static string Html(DisplayEvent e) => e.FormattedValues.Single(v => v.MimeType == "text/html").Value;

    [Fact]
    public async Task Live_view_is_displayed_then_updated_in_place_and_ends_with_the_final_state()
    {
        var cell = await _nb.SubmitAsync(
            "var live = Live.Training(\"loss\", \"accuracy\");\n" +
            "live.Interval = TimeSpan.Zero; live.Epochs = 2; live.BatchesPerEpoch = 3;\n" +
            "for (int e = 0; e < 2; e++) for (int b = 0; b < 3; b++) live.Report(e, b, 1.0 / (1 + 3 * e + b), 0.1 * (3 * e + b));\n" +
            "live.Dispose();");
        cell.AssertSucceeded();
        var shown = cell.Events.OfType<DisplayEvent>().Where(e => e is DisplayedValueProduced or DisplayedValueUpdated).ToList();
        Assert.IsType<DisplayedValueProduced>(shown[0]);
        Assert.All(shown.Skip(1), e => Assert.IsType<DisplayedValueUpdated>(e));
        Assert.Equal(6, shown.Count); // Interval zero: every report draws; the final state was already drawn
        Assert.All(shown, e => Assert.Equal(shown[0].ValueId, e.ValueId));
        var first = Html(shown[0]);
        Assert.Contains("Plotly.newPlot", first);
        Assert.Contains("epoch 1/2 · batch 1/3 · 1 step · loss 1 · accuracy 0", first);   // counted from 1: Report(0, 0, ...)
        Assert.Contains("<progress value=\"0.1667\" max=\"1\"", first);
        var last = Html(shown[^1]);
        Assert.Contains("epoch 2/2 · batch 3/3 · 6 steps · loss 0.1667 · accuracy 0.5", last);
        Assert.Contains("<progress value=\"1\" max=\"1\"", last);
        Assert.Contains("\"name\":\"loss\"", last);
        Assert.Contains("\"name\":\"accuracy\"", last);
        Assert.Contains("\"x\":[1.0,2.0,3.0,4.0,5.0,6.0]", last);
    }

    // Two clocks: the machine's (Stopwatch.GetTimestamp, which on Linux counts from boot), and one that starts
    // at 0 as on a machine booted a moment ago, where a first draw waiting for the timestamp to exceed the
    // interval (one hour here) would never come.
    [Theory]
    [InlineData("var live = Live.Training(\"loss\");\nlive.Epochs = 5; live.BatchesPerEpoch = 1000;\n", "", false)]  // the last report draws
    [InlineData("var live = Live.Training(\"loss\");\n", "live.Dispose();\n", false)]
    [InlineData("var live = Live.Training(\"loss\");\n", "live.Complete();\n", false)]
    [InlineData("var live = Live.Training(\"loss\");\nlive.Epochs = 5; live.BatchesPerEpoch = 1000;\n", "", true)]
    [InlineData("var live = Live.Training(\"loss\");\n", "live.Dispose();\n", true)]
    [InlineData("var live = Live.Training(\"loss\");\n", "live.Complete();\n", true)]
    public async Task Throttling_bounds_the_updates_and_the_final_state_is_drawn(string create, string end, bool freshlyBooted)
    {
        long ticks = 0;
        if (freshlyBooted) Live.Clock = () => Interlocked.Increment(ref ticks);   // 1, 2, 3, ... ticks since "boot"
        CellResult cell;
        try
        {
            cell = await _nb.SubmitAsync(
                create + "live.Interval = TimeSpan.FromHours(1);\n" +
                "for (int i = 0; i < 5000; i++) {\n  live.Report(i / 1000, i % 1000, 1.0 / (i + 1));\n" +
                "  if (i < 4999 && live.Draws != 1) throw new Exception($\"expected only the first report to draw, drew {live.Draws} at {i}\");\n}\n" + end);
        }
        finally { Live.Clock = Stopwatch.GetTimestamp; }
        if (freshlyBooted) Assert.True(ticks is > 0 and < 10_000, $"the view read the test's clock {ticks} times");
        cell.AssertSucceeded();
        var shown = cell.Events.OfType<DisplayEvent>().Where(e => e is DisplayedValueProduced or DisplayedValueUpdated).ToList();
        Assert.Equal(2, shown.Count);
        Assert.IsType<DisplayedValueProduced>(shown[0]);
        Assert.IsType<DisplayedValueUpdated>(shown[1]);
        var final = Html(shown[1]);
        Assert.Contains(create.Contains("BatchesPerEpoch") ? "epoch 5/5 · batch 1000/1000 · 5000 steps" : "epoch 5 · batch 1000 · 5000 steps", final);
        Assert.Contains("5000 steps · loss 0.0002", final);
        Assert.Contains("Plotly.newPlot", final);
        Assert.Contains("\"x\":[1.0,4.0,7.0,", final);    // thinned to at most MaxDrawnPoints (stride 3), last point kept
        Assert.Contains("4999.0,5000.0]", final);
    }

    [Fact]
    public async Task A_long_run_keeps_every_point_of_a_sparse_validation_series()
    {
        // 3 epochs of 1000 batches: the loss on every batch (thinned), the validation loss once per epoch (all kept).
        var cell = await _nb.SubmitAsync(
            "var live = Live.Training(\"loss\", \"val_loss\");\nlive.Interval = TimeSpan.FromHours(1);\n" +
            "for (int i = 0; i < 3000; i++) live.Report(i / 1000, i % 1000, 1.0 / (i + 1), i % 1000 == 999 ? 2.0 / (i + 1) : double.NaN);\n" +
            "live.Complete();");
        cell.AssertSucceeded();
        var last = Html(cell.Events.OfType<DisplayEvent>().Where(e => e is DisplayedValueProduced or DisplayedValueUpdated).Last());
        Assert.Contains("\"x\":[1000.0,2000.0,3000.0],\"y\":[0.002,0.001,0.0006666666666666666],\"name\":\"val_loss\"", last);
        Assert.Contains("\"x\":[1.0,3.0,5.0,", last);   // the loss: 3000 points, every 2nd drawn
    }

    [Fact]
    public async Task One_batch_epochs_show_no_batch_counter_and_losses_draw_on_a_log_axis()
    {
        var cell = await _nb.SubmitAsync(
            "var live = Live.Training(\"loss\", \"val_loss\");\nlive.Interval = TimeSpan.Zero; live.Epochs = 200; live.BatchesPerEpoch = 1;\n" +
            "for (int e = 0; e < 200; e++) live.Report(e, 0, 1.0 / (e + 1), 1.2 / (e + 1));");
        cell.AssertSucceeded();
        var shown = cell.Events.OfType<DisplayEvent>().Where(e => e is DisplayedValueProduced or DisplayedValueUpdated).ToList();
        var first = Html(shown[0]);
        Assert.Contains("epoch 1/200 · 1 step · loss 1 · val_loss 1.2", first);
        var last = Html(shown[^1]);
        Assert.Contains("epoch 200/200 · 200 steps · loss 0.005 · val_loss 0.006", last);
        Assert.DoesNotContain("batch", last);
        Assert.Contains("\"yaxis\":{\"title\":{\"text\":\"log scale\"},\"type\":\"log\"}", last);
        // Distinct colours for the two series.
        Assert.Contains("\"name\":\"loss\",\"mode\":\"lines\",\"line\":{\"color\":\"#1f77b4\"}", last);
        Assert.Contains("\"name\":\"val_loss\",\"mode\":\"lines\",\"line\":{\"color\":\"#ff7f0e\",\"dash\":\"dash\"}", last);

        // A metric that is not a loss keeps a linear axis.
        var mixed = await _nb.SubmitAsync("var m = Live.Training(\"loss\", \"accuracy\");\nm.Report(0, 0, 1.0, 0.5);\nm.Dispose();");
        var html = Html(mixed.Events.OfType<DisplayEvent>().First(e => e is DisplayedValueProduced));
        Assert.DoesNotContain("\"type\":\"log\"", html);
    }

    [Fact]
    public async Task Default_throttle_draws_at_most_every_250_ms()
    {
        var cell = await _nb.SubmitAsync(
            "var live = Live.Training(\"loss\");\nvar sw = System.Diagnostics.Stopwatch.StartNew();\n" +
            "int i = 0; while (sw.ElapsedMilliseconds < 600) live.Report(0, i, 1.0 / ++i);\nlive.Dispose();\n" +
            "(live.Draws, live.Steps)");
        cell.AssertSucceeded();
        var draws = cell.Events.OfType<DisplayEvent>().Count(e => e is DisplayedValueProduced or DisplayedValueUpdated);
        Assert.InRange(draws, 2, 5);                   // t=0, ~250, ~500 ms, and the final state
    }

    [Fact]
    public async Task Bad_report_fails_the_cell_clearly_and_the_next_cell_runs()
    {
        var cell = await _nb.SubmitAsync("var live = Live.Training(\"loss\", \"accuracy\");\nlive.Report(0, 0, 1.0);");
        Assert.Contains("expected 2 value(s) for (loss, accuracy), got 1", cell.Failure!.Message);
        Assert.Contains("series name 'loss' given twice", (await _nb.SubmitAsync("Live.Training(\"loss\", \"loss\")")).Failure!.Message);
        (await _nb.SubmitAsync("var ok = 1 + 2;")).AssertSucceeded();
    }

    [Fact]
    public void Outside_a_notebook_it_only_records_the_history()
    {
        using var live = Live.Training("loss", "val_loss");
        live.Report(0, 0, 2.0, double.NaN);
        live.Report(0, 1, 1.0, double.NaN);
        live.Report(0, 2, 0.0, 1.5);
        live.Report(1, 0, 0.5, 0.75);
        Assert.Equal(0, live.Draws);
        var h = live.History;
        Assert.Equal([(0, 1.0), (1, 0.5)], h.Series("loss"));
        Assert.Equal([(0, 1.5), (1, 0.75)], h.Series("val_loss"));
        Assert.Equal(Fit.Inconclusive, Charts.Curves(live).Verdict.Case); // two epochs: too few to judge
    }

    [Theory]
    [InlineData(250, "default 250 ms throttle, draws included")]
    [InlineData(3_600_000, "no draw during the loop")]
    public async Task Report_costs_well_under_a_microsecond_when_throttled(int intervalMs, string what)
    {
        var cell = await _nb.SubmitAsync(
            $"var live = Live.Training(\"loss\", \"accuracy\");\nlive.Interval = TimeSpan.FromMilliseconds({intervalMs});\nvar v = new double[2];\n" +
            "for (int i = 0; i < 1000; i++) { v[0] = 1.0 / (i + 1); live.Report(0, i, v); }\n" +
            "var sw = System.Diagnostics.Stopwatch.StartNew();\n" +
            "for (int i = 0; i < 100_000; i++) { v[0] = 1.0 / (i + 1); live.Report(i / 1000, i % 1000, v); }\n" +
            "sw.Stop(); var draws = live.Draws; live.Dispose();\n" +
            "var cost = $\"{sw.Elapsed.TotalMilliseconds * 1e6 / 100_000:F1} ns/report over 100k reports, {draws - 1} draws in the loop\";\n" +
            "System.IO.File.WriteAllText(System.IO.Path.Combine(System.IO.Path.GetTempPath(), \"torchlet-live-cost-" + intervalMs + ".txt\"), cost);");
        cell.AssertSucceeded();
        var text = File.ReadAllText(Path.Combine(Path.GetTempPath(), $"torchlet-live-cost-{intervalMs}.txt"));
        output.WriteLine(what + ": " + text);
        double ns = double.Parse(text.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        // A training step of the notes' small CNN takes milliseconds; 1% of 1 ms is 10 µs.
        Assert.True(ns < 2000, text);
    }
}
