using System.IO.Compression;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Events;

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

    // ------------------------------------------------------------------ plotly.js embedded (charts drawn offline)

    static byte[] Gunzip(byte[] packed)
    {
        using var gz = new GZipStream(new MemoryStream(packed), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>What must not appear in a chart or the loader: anything that fetches from the network.</summary>
    static void AssertOffline(string html)
    {
        foreach (var bad in new[] { "http://", "https://", "cdn.", "<script src", "require(", "requirejs" })
            Assert.False(html.Contains(bad, StringComparison.OrdinalIgnoreCase), $"found '{bad}' in: {html[..Math.Min(html.Length, 400)]}");
    }

    [Fact]
    public void Loader_carries_Plotly_NETs_plotly_js_gzipped_and_unpacks_it_in_the_page()
    {
        var html = PlotlyEmbed.LoaderHtml();
        var b64 = Regex.Match(html, "var b64 = \"([A-Za-z0-9+/=]+)\";").Groups[1].Value;
        var script = Gunzip(Convert.FromBase64String(b64));
        Assert.Equal(PlotlyEmbed.Source(), script);
        var text = System.Text.Encoding.UTF8.GetString(script);
        Assert.StartsWith("/**\n* plotly.js v2.28.0", text);
        Assert.Equal("2.28.0", PlotlyEmbed.Version);
        Assert.InRange(script.Length, 3_000_000, 4_000_000);
        // Packed: well under the 3 MB that a server counting every output byte (1 MB/s over 3 s) lets through.
        Assert.Equal(b64.Length, PlotlyEmbed.EmbeddedChars);
        Assert.InRange(html.Length, 1_000_000, 1_600_000);
        Assert.Contains("new DecompressionStream('gzip')", html);
        Assert.Contains("(function (define, module, exports, require) {\\n' + code", html);   // hides require.js from plotly.js's UMD header
        Assert.Contains("if (s.started) {", html);                                            // a second copy on the page does not load it again
        AssertOffline(html);
    }

    [Fact]
    public void Charts_wait_for_the_embedded_plotly_and_draw_only_if_still_on_the_page()
    {
        var html = Plot.Html(Plot.Figure([Plot.Line([0.0, 1.0], [1.0, 2.0], "a")], new Dictionary<string, object>()));
        var fn = Regex.Match(html, "var (renderPlotly_[0-9a-f]+) = function").Groups[1].Value;
        Assert.NotEmpty(fn);
        var id = Regex.Match(html, "^<div><div id=\"([^\"]+)\">").Groups[1].Value;
        Assert.NotEmpty(id);
        // Plotly.NET's immediate call is gone: the one call left waits for the shared promise and for the div.
        Assert.Equal(1, Count(html, fn + "()"));
        Assert.Contains("s.ready.then(function () { var el = document.getElementById(id); if (!el) return; ", html);
        Assert.Contains("var id = '" + id + "';", html);
        Assert.Contains("if (w.Plotly && typeof w.Plotly.react === 'function') s.resolve(w.Plotly);", html);   // Plotly already there: at once
        Assert.Contains("Plotly.newPlot('" + id + "', data, layout, config);", html);
        Assert.EndsWith("</script></div>", html);
        AssertOffline(html);
    }

    [Fact]
    public async Task Every_chart_output_is_offline_and_waits_for_the_loader()
    {
        var outputs = new List<string>
        {
            (await _nb.SubmitAsync("Charts.Activations(\"ReLU\")")).Returned(),
            (await _nb.SubmitAsync("var hh = new TrainingHistory(); for (int e = 0; e < 4; e++) hh.Add(e, 1.0 / (e + 1), 1.1 / (e + 1)); Charts.Curves(hh)")).Returned(),
            (await _nb.SubmitAsync("hh")).Returned(),
            // Plotly.NET's own chart type, through the formatter the extension registers for it.
            Microsoft.DotNet.Interactive.Formatting.Formatter.ToDisplayString(
                Plot.Figure([Plot.Line([0.0, 1.0], [2.0, 3.0], "t")], new Dictionary<string, object>()), "text/html"),
        };
        var live = await _nb.SubmitAsync("var lv = Live.Training(\"loss\"); lv.Report(0, 0, 1.0); lv.Dispose();");
        outputs.AddRange(live.Events.OfType<DisplayEvent>().Select(e => e.FormattedValues.Single(v => v.MimeType == "text/html").Value));
        Assert.True(outputs.Count >= 5, $"{outputs.Count} outputs");
        foreach (var html in outputs)
        {
            AssertOffline(html);
            Assert.Equal(Count(html, "Plotly.newPlot("), Count(html, "s.ready.then("));
            Assert.True(Count(html, "Plotly.newPlot(") >= 1, html[..200]);
        }
    }

    [Fact]
    public async Task Loading_the_extension_in_a_cell_embeds_plotly_once_per_notebook()
    {
        const string load = "await new Torchlet.Interactive.TorchletExtension().OnLoadAsync(Microsoft.DotNet.Interactive.KernelInvocationContext.Current.HandlingKernel.RootKernel);";
        var first = await _nb.SubmitAsync(load);
        first.AssertSucceeded();
        var shown = first.Events.OfType<DisplayedValueProduced>().Select(e => e.FormattedValues.Single(v => v.MimeType == "text/html").Value).ToList();
        Assert.Equal(2, shown.Count);
        Assert.Contains("Torchlet " + TorchletExtension.EngineVersion(), shown[0]);            // the banner, then
        Assert.Contains("class=\"torchlet-plotly-loader\"", shown[1]);                       // plotly.js, an output of its own
        Assert.DoesNotContain("torchlet-plotly-loader", shown[0]);
        Assert.Contains("new DecompressionStream('gzip')", shown[1]);

        var again = await _nb.SubmitAsync(load);
        var shownAgain = again.Events.OfType<DisplayedValueProduced>().Select(e => e.FormattedValues.Single(v => v.MimeType == "text/html").Value).ToList();
        Assert.Single(shownAgain);
        Assert.Contains("Torchlet " + TorchletExtension.EngineVersion(), shownAgain[0]);

        // Embedding it again by hand, after its output was cleared: PlotlyEmbed.Loader() as a cell's value.
        var manual = (await _nb.SubmitAsync("Torchlet.Interactive.PlotlyEmbed.Loader()")).Returned();
        Assert.Contains("new DecompressionStream('gzip')", manual);
    }

    // ------------------------------------------------------------------ activations

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
    public async Task Coinciding_activations_stay_visible_each_line_narrower_than_the_one_under_it()
    {
        var html = (await _nb.SubmitAsync("Charts.Activations(\"ReLU\", \"LeakyReLU\", \"ELU\")")).Returned();
        // ReLU is drawn first and widest, so where LeakyReLU and ELU lie on it (x > 0) its colour still shows around them.
        Assert.Contains("\"name\":\"ReLU\",\"mode\":\"lines\",\"line\":{\"color\":\"#1f77b4\",\"width\":6.0}", html);
        Assert.Contains("\"name\":\"LeakyReLU\",\"mode\":\"lines\",\"line\":{\"color\":\"#ff7f0e\",\"width\":4.0}", html);
        Assert.Contains("\"name\":\"ELU\",\"mode\":\"lines\",\"line\":{\"color\":\"#2ca02c\",\"width\":2.0}", html);
        Assert.Contains("\"name\":\"ReLU′\",\"mode\":\"lines\",\"line\":{\"color\":\"#1f77b4\",\"dash\":\"dash\",\"width\":6.0}", html);
        Assert.True(Regex.Match(html, "\"name\":\"ReLU\"").Index < Regex.Match(html, "\"name\":\"LeakyReLU\"").Index, "ReLU must be drawn first (underneath)");
        // Lines that no later line lies on keep the base width.
        double[] a = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], b = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19], c = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9.5];
        Assert.Equal([2.0, 2.0], Charts.LineWidths([a, b], [a, b]));
        // Lines on later ones (here in both panels; then only in the derivative panel): wider underneath, step by step.
        Assert.Equal([6.0, 4.0, 2.0], Charts.LineWidths([a, a, c], [b, b, b]));
        Assert.Equal([4.0, 2.0], Charts.LineWidths([a, b], [c, c]));
        // Capped: twelve identical lines.
        var w = Charts.LineWidths(Enumerable.Repeat(a, 12).ToArray(), Enumerable.Repeat(b, 12).ToArray());
        Assert.Equal(Charts.MaxLineWidth, w[0]);
        Assert.Equal(2.0, w[^1]);
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
        Assert.StartsWith("Underfitting: both curves converged to a high loss: training 0.9195 (mean of the last 2 epochs; still 92 % of the first epoch's 1, ≥ 50 %), " +
                          "flat (changed 0.1 % < 5 % over the last 2 epochs), validation 0.9495 (mean of the last 2 epochs) close to it.", v.Text);
        Assert.Contains("increase model complexity", v.Text);
    }

    [Fact]
    public void Verdict_overfitting_from_the_epoch_where_validation_turns_up()
    {
        var v = FitRules.Judge(History([1.0, 0.6, 0.4, 0.3, 0.2, 0.12, 0.08], [1.05, 0.7, 0.55, 0.5, 0.56, 0.65, 0.8]));
        Assert.Equal(Fit.Overfitting, v.Case);
        Assert.Equal(4, v.FromEpoch);
        Assert.StartsWith("Overfitting from epoch 4: training loss kept falling (0.3 → 0.08) while validation loss rose from its minimum 0.5 at epoch 4 to 0.8 at epoch 7 (60 % above it, ≥ 10 %).", v.Text);
        Assert.Contains("reduce model complexity or enlarge the training set", v.Text);
    }

    [Fact]
    public void Verdict_overfitting_when_the_gap_is_large()
    {
        var v = FitRules.Judge(History([1.0, 0.5, 0.2, 0.1, 0.1], [1.0, 0.6, 0.4, 0.35, 0.35]));
        Assert.Equal(Fit.Overfitting, v.Case);
        Assert.Null(v.FromEpoch);
        Assert.StartsWith("Overfitting: validation loss 0.35 is 3.5× the training loss 0.1 at the end (mean of the last 2 epochs each; ≥ 2×).", v.Text);
    }

    [Fact]
    public void Verdict_good_fit_when_both_are_low_and_close()
    {
        var v = FitRules.Judge(History([2.3, 0.9, 0.5, 0.35, 0.33, 0.32], [2.3, 0.95, 0.55, 0.42, 0.40, 0.40]));
        Assert.Equal(Fit.GoodFit, v.Case);
        Assert.StartsWith("Good fit: training loss fell from 2.3 to 0.325 (mean of the last 2 epochs) and validation loss 0.4 (mean of the last 2 epochs) stays close to it (1.231× < 2×)", v.Text);
    }

    [Fact]
    public void Verdict_not_converged_and_inconclusive_cases()
    {
        var notConverged = FitRules.Judge(History([1.0, 0.9, 0.8, 0.7], [1.0, 0.9, 0.8, 0.7]));
        Assert.Equal(Fit.NotConverged, notConverged.Case);
        Assert.Equal("Not converged yet: training loss 0.75 (mean of the last 2 epochs) is still high (still 75 % of the first epoch's 1, ≥ 50 %) " +
                     "but still falling (22.2 % over the last 2 epochs, ≥ 5 %); train longer before judging.", notConverged.Text);
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
    public async Task Losses_draw_on_a_log_axis_and_validation_in_its_own_colour()
    {
        var html = (await _nb.SubmitAsync(
            "var h = new TrainingHistory();\n" +
            "for (int e = 0; e < 100; e++) { h.Add(e, 1.0 / (e + 1), 1.1 / (e + 1)); h.Add(e, 0.5 + e / 250.0, 0.5 + e / 300.0, \"accuracy\"); }\n" +
            "Charts.Curves(h)")).Returned();
        var loss = html[..html.IndexOf("\"name\":\"accuracy\"", StringComparison.Ordinal)];
        var accuracy = html[html.IndexOf("\"name\":\"accuracy\"", StringComparison.Ordinal)..];
        Assert.Contains("\"name\":\"loss\",\"mode\":\"lines\",\"line\":{\"color\":\"#1f77b4\"}", loss);
        Assert.Contains("\"name\":\"val_loss\",\"mode\":\"lines\",\"line\":{\"color\":\"#ff7f0e\",\"dash\":\"dash\"}", loss);
        Assert.Contains("\"yaxis\":{\"title\":{\"text\":\"loss\"},\"type\":\"log\"}", loss);
        Assert.Contains("\"title\":{\"text\":\"loss (log scale)\"}", loss);
        Assert.Contains("\"name\":\"val_accuracy\",\"mode\":\"lines\",\"line\":{\"color\":\"#ff7f0e\",\"dash\":\"dash\"}", accuracy);
        Assert.DoesNotContain("\"type\":\"log\"", accuracy);
        // A loss that reaches 0 (or below) cannot go on a log axis: linear.
        Assert.False(Charts.LogAxis("loss", [1.0, 0.5, 0.0]));
        Assert.True(Charts.LogAxis("val_loss", [1.0, 0.5, double.NaN]));
        Assert.False(Charts.LogAxis("accuracy", [0.5, 0.9]));
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
