using System.Text.RegularExpressions;

namespace Torchlet.Interactive.Tests;

public sealed class ChartTests : IAsyncLifetime
{
    NotebookKernel _nb = null!;

    public async Task InitializeAsync() => _nb = await NotebookKernel.StartAsync();
    public Task DisposeAsync() { _nb.Dispose(); return Task.CompletedTask; }

    static int Count(string s, string what) => Regex.Matches(s, Regex.Escape(what)).Count;

    [Fact]
    public void FSharp_core_requests_of_another_version_get_the_loaded_one()
    {
        var loaded = typeof(Microsoft.FSharp.Core.FSharpOption<int>).Assembly;
        var asked = new System.Reflection.AssemblyName("FSharp.Core, Version=99.1.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a");
        Assert.Same(loaded, PlotlyLoad.ResolveFSharpCore(System.Runtime.Loader.AssemblyLoadContext.Default, asked));
        Assert.Null(PlotlyLoad.ResolveFSharpCore(System.Runtime.Loader.AssemblyLoadContext.Default, new System.Reflection.AssemblyName("Other.Lib, Version=1.0.0.0")));
    }

    [Fact]
    public void Activation_derivatives_come_from_autograd()
    {
        var (x, y, d) = Charts.Activation("Sigmoid");
        Assert.Equal(Charts.Points, x.Length);
        Assert.Equal(-5.0, x[0], 12);
        Assert.Equal(5.0, x[^1], 12);
        for (int i = 0; i < x.Length; i++)
        {
            double s = 1 / (1 + Math.Exp(-x[i]));
            Assert.Equal(s, y[i], 12);
            Assert.Equal(s * (1 - s), d[i], 12);
        }
        (x, y, d) = Charts.Activation("tanh");
        for (int i = 0; i < x.Length; i++) Assert.Equal(1 - Math.Tanh(x[i]) * Math.Tanh(x[i]), d[i], 12);
        (x, _, d) = Charts.Activation("LeakyReLU");
        for (int i = 0; i < x.Length; i++) Assert.Equal(x[i] > 0 ? 1.0 : 0.01, d[i], 12);
        (x, y, d) = Charts.Activation("Hardshrinkage"); // the notes' spelling
        for (int i = 0; i < x.Length; i++)
        {
            bool pass = Math.Abs(x[i]) > 0.5;
            Assert.Equal(pass ? x[i] : 0, y[i], 12);
            Assert.Equal(pass ? 1.0 : 0.0, d[i], 12);
        }
        (x, _, d) = Charts.Activation("ReLU6");
        for (int i = 0; i < x.Length; i++) if (Math.Abs(x[i]) > 1e-9) Assert.Equal(x[i] > 0 && x[i] < 6 ? 1.0 : 0.0, d[i], 12);
    }

    [Fact]
    public async Task Activation_gallery_has_one_figure_per_notes_group_with_functions_and_derivatives()
    {
        var html = (await _nb.SubmitAsync("Charts.Activations()")).Returned();
        Assert.Equal(3, Count(html, "Plotly.newPlot"));
        Assert.Contains("Saturating (S-shaped)", html);
        Assert.Contains("One-sided (ReLU family)", html);
        Assert.Contains("Shrinkage", html);
        foreach (var n in Charts.ActivationNames)
        {
            Assert.Contains($"\"name\":\"{n}\"", html);
            Assert.Contains($"\"name\":\"{n}′\"", html);
        }
        Assert.Equal(2 * Charts.ActivationNames.Count, Count(html, "\"type\":\"scatter\""));
    }

    [Fact]
    public async Task Activation_gallery_of_named_functions_keeps_the_groups()
    {
        var cell = await _nb.SubmitAsync("Charts.Activations(\"relu\", \"Tanh\", \"SiLU\")");
        var html = cell.Returned();
        Assert.Equal(2, Count(html, "Plotly.newPlot"));
        Assert.Contains("\"name\":\"ReLU\"", html);
        Assert.Contains("\"name\":\"SiLU′\"", html);
        Assert.DoesNotContain("\"name\":\"Sigmoid\"", html);
        Assert.DoesNotContain("Shrinkage", html);
        Assert.Equal("Activations: Saturating (S-shaped): Tanh; One-sided (ReLU family): ReLU, SiLU", cell.Returned("text/plain"));
    }

    [Fact]
    public async Task Unknown_activation_fails_the_cell_with_the_valid_names_and_the_next_cell_runs()
    {
        var cell = await _nb.SubmitAsync("Charts.Activations(\"Swish\")");
        Assert.NotNull(cell.Failure);
        Assert.Contains("unknown activation 'Swish'", cell.Failure!.Message);
        Assert.Contains("valid names: Sigmoid, Softsign, Tanh, Hardtanh, ReLU6, ReLU,", cell.Failure.Message);
        Assert.Contains("Tanhshrink", cell.Failure.Message);
        (await _nb.SubmitAsync("var ok = 1 + 2;")).AssertSucceeded();
    }

    static TrainingHistory History(double[] train, double[] val)
    {
        var h = new TrainingHistory();
        for (int e = 0; e < train.Length; e++) h.Add(e + 1, train[e], val[e]);
        return h;
    }

    [Fact]
    public void Verdict_underfitting_when_both_curves_flatten_high()
    {
        var v = FitRules.Judge(History([1.00, 0.95, 0.93, 0.92, 0.92, 0.919], [1.02, 0.98, 0.96, 0.95, 0.95, 0.949]));
        Assert.Equal(Fit.Underfitting, v.Case);
        Assert.Null(v.FromEpoch);
        Assert.StartsWith("Underfitting: both curves converged to a high loss", v.Text);
        Assert.Contains("increase model complexity", v.Text);
    }

    [Fact]
    public void Verdict_overfitting_from_the_epoch_where_validation_turns_up()
    {
        var v = FitRules.Judge(History([1.0, 0.6, 0.4, 0.3, 0.2, 0.12, 0.08], [1.05, 0.7, 0.55, 0.5, 0.56, 0.65, 0.8]));
        Assert.Equal(Fit.Overfitting, v.Case);
        Assert.Equal(4, v.FromEpoch);
        Assert.StartsWith("Overfitting from epoch 4: training loss kept falling (0.3 → 0.08) while validation loss rose from its minimum 0.5 at epoch 4 to 0.8", v.Text);
        Assert.Contains("reduce model complexity or enlarge the training set", v.Text);
    }

    [Fact]
    public void Verdict_overfitting_when_the_gap_is_large()
    {
        var v = FitRules.Judge(History([1.0, 0.5, 0.2, 0.1, 0.1], [1.0, 0.6, 0.4, 0.35, 0.35]));
        Assert.Equal(Fit.Overfitting, v.Case);
        Assert.Null(v.FromEpoch);
        Assert.StartsWith("Overfitting: validation loss (0.35) is 3.5× the training loss (0.1)", v.Text);
    }

    [Fact]
    public void Verdict_good_fit_when_both_are_low_and_close()
    {
        var v = FitRules.Judge(History([2.3, 0.9, 0.5, 0.35, 0.33, 0.32], [2.3, 0.95, 0.55, 0.42, 0.40, 0.40]));
        Assert.Equal(Fit.GoodFit, v.Case);
        Assert.StartsWith("Good fit: training loss fell to 0.325 (from 2.3) and validation loss 0.4 stays close to it", v.Text);
    }

    [Fact]
    public void Verdict_not_converged_and_inconclusive_cases()
    {
        Assert.Equal(Fit.NotConverged, FitRules.Judge(History([1.0, 0.9, 0.8, 0.7], [1.0, 0.9, 0.8, 0.7])).Case);
        // An explicit "high" threshold overrides the relative rule.
        Assert.Equal(Fit.Underfitting, FitRules.Judge(History([0.5, 0.41, 0.4, 0.4], [0.5, 0.42, 0.41, 0.41]), highLoss: 0.3).Case);
        var noVal = new TrainingHistory().Add(1, 1.0).Add(2, 0.5).Add(3, 0.3);
        Assert.Equal(Fit.Inconclusive, FitRules.Judge(noVal).Case);
        Assert.Contains("no validation series 'val_loss'", FitRules.Judge(noVal).Text);
        Assert.Contains("at least 3 are needed", FitRules.Judge(History([1, 0.5], [1, 0.6])).Text);
    }

    [Fact]
    public async Task Curves_cell_shows_each_metric_with_the_verdict()
    {
        var html = (await _nb.SubmitAsync(
            "var h = new TrainingHistory();\n" +
            "double[] tl = {1.0, 0.6, 0.4, 0.3, 0.2, 0.12, 0.08}, vl = {1.05, 0.7, 0.55, 0.5, 0.56, 0.65, 0.8};\n" +
            "for (int e = 0; e < tl.Length; e++) { h.Add(e + 1, tl[e], vl[e]); h.Add(e + 1, 0.5 + 0.06 * e, 0.5 + 0.03 * e, \"accuracy\"); }\n" +
            "Charts.Curves(h)")).Returned();
        Assert.Equal(2, Count(html, "Plotly.newPlot"));
        Assert.Contains("<b>Overfitting</b> · Overfitting from epoch 4", html);
        foreach (var n in new[] { "loss", "val_loss", "accuracy", "val_accuracy" }) Assert.Contains($"\"name\":\"{n}\"", html);
        Assert.Contains("\"x\":[1.0,2.0,3.0,4.0,5.0,6.0,7.0],\"y\":[1.05,0.7,0.55,0.5,0.56,0.65,0.8]", html);
        Assert.Contains("The notes&#39; table", html);
        Assert.Contains("converge to a large error", html);
    }

    [Fact]
    public async Task History_as_a_cell_value_shows_plotly_line_charts()
    {
        var cell = await _nb.SubmitAsync(
            "var h = new TrainingHistory();\nh.Record(0, \"loss\", 2.5).Record(1, \"loss\", 1.25).Record(1, \"val_loss\", 1.5);\nh");
        var html = cell.Returned();
        Assert.Equal(1, Count(html, "Plotly.newPlot"));
        Assert.Contains("\"x\":[0.0,1.0],\"y\":[2.5,1.25]", html);
        Assert.Contains("\"name\":\"val_loss\"", html);
        Assert.Contains("\"mode\":\"lines\"", html);
        Assert.Equal("TrainingHistory(loss: 2 epochs, last 1.25, val_loss: 1 epochs, last 1.5)", cell.Returned("text/plain"));
    }

    [Fact]
    public async Task Bad_history_input_fails_clearly()
    {
        var cell = await _nb.SubmitAsync("new TrainingHistory().Record(-1, \"loss\", 1.0)");
        Assert.Contains("expected an epoch >= 0, got -1 for series 'loss'", cell.Failure!.Message);
        cell = await _nb.SubmitAsync("Charts.Curves(new TrainingHistory())");
        Assert.Contains("the history is empty", cell.Failure!.Message);
        var e = Assert.Throws<KeyNotFoundException>(() => new TrainingHistory().Add(0, 1.0).Series("acc"));
        Assert.Contains("no series 'acc'; recorded: loss", e.Message);
    }
}

public sealed class PlotsTests : IAsyncLifetime
{
    NotebookKernel _nb = null!;
    public async Task InitializeAsync() => _nb = await NotebookKernel.StartAsync();
    public Task DisposeAsync() { _nb.Dispose(); return Task.CompletedTask; }

    [Fact]
    public async Task Lines_draw_one_trace_per_series_with_log_axis_and_markers_when_asked()
    {
        var html = (await _nb.SubmitAsync("""
            var steps = Plots.Steps(4);
            Plots.Lines(new[] { ("SGD", steps, new[] { 4.0, 2, 1, 0.5 }), ("Adam", steps, new[] { 4.0, 1, 0.25, 0.1 }) },
                        title: "loss", xTitle: "step", yTitle: "loss", markers: true, logY: true)
            """)).Returned();
        Assert.Contains("Plotly.newPlot", html);
        Assert.Contains("\"name\":\"SGD\"", html);
        Assert.Contains("\"name\":\"Adam\"", html);
        Assert.Contains("\"mode\":\"lines+markers\"", html);
        Assert.Contains("\"type\":\"log\"", html);
        var bad = await _nb.SubmitAsync("Plots.Lines((\"a\", new[] { 1.0, 2 }, new[] { 1.0 }))");
        Assert.Contains("needs x and y of one length, got 2 and 1", bad.Failure!.Message);
        Assert.Equal(new[] { 0.0, 1, 2 }, Plots.Values(torch.arange(3)));
    }
}
