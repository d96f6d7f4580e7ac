using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Events;
using SkiaSharp;

namespace Torchlet.Interactive.Tests;

[Collection(GlobalStateCollection.Name)]
public sealed class DirectiveTests : IAsyncLifetime
{
    NotebookKernel _nb = null!;

    public async Task InitializeAsync() => _nb = await NotebookKernel.StartAsync();
    public Task DisposeAsync() { _nb.Dispose(); return Task.CompletedTask; }

    static int Count(string html, string pattern) => Regex.Matches(html, pattern).Count;

    /// <summary>The text/html of everything the cell displayed, in order.</summary>
    async Task<string> Shown(string code)
    {
        var cell = await _nb.SubmitAsync(code);
        cell.AssertSucceeded();
        var html = string.Concat(cell.Events.OfType<DisplayedValueProduced>()
            .SelectMany(e => e.FormattedValues).Where(v => v.MimeType == "text/html").Select(v => v.Value));
        Assert.False(string.IsNullOrEmpty(html), "the cell displayed no HTML; events: " + string.Join(", ", cell.Events.Select(e => e.GetType().Name)));
        return html;
    }

    /// <summary>Submits a cell that must fail, returns its message, and checks that the next cell still runs.</summary>
    async Task<string> Fails(string code)
    {
        var cell = await _nb.SubmitAsync(code);
        var failure = cell.Failure ?? throw new Xunit.Sdk.XunitException("the cell did not fail; events: " + string.Join(", ", cell.Events.Select(e => e.GetType().Name)));
        var next = await _nb.SubmitAsync("var afterFailure = 40 + 2; afterFailure");
        Assert.Contains("42", next.Returned());
        return failure.Message;
    }

    // ------------------------------------------------------------------ help

    [Theory]
    [InlineData("#!nn")]
    [InlineData("#!nn --help")]
    [InlineData("#!nn help")]
    public async Task Help_lists_every_subcommand_with_an_example(string code)
    {
        var html = await Shown(code);
        foreach (var s in new[] { "summary", "show", "grid", "graph", "conv", "activations", "curves", "seed", "threads", "info" })
            Assert.Contains($"<b>{s}</b>", html);
        Assert.Contains("#!nn summary net --input 64,1,28,28", html);
        Assert.Contains("#!nn conv --in 50,100", html);
    }

    [Fact]
    public async Task Subcommand_help_lists_its_options()
    {
        var html = await Shown("#!nn grid --help");
        Assert.Contains("#!nn grid", html);
        Assert.Contains("--nrow", html);
        Assert.Contains("--normalize", html);
        Assert.Contains("&lt;tensor&gt;", html);
    }

    [Fact]
    public async Task Unknown_subcommand_fails_with_a_suggestion()
    {
        var msg = await Fails("#!nn sumary net");
        Assert.Contains("unknown subcommand 'sumary'", msg);
        Assert.Contains("did you mean summary", msg);
    }

    [Fact]
    public async Task Unknown_option_of_bare_nn_fails()
    {
        // The parser itself rejects unknown options of #!nn (it ignores those of subcommands, which are checked here).
        var msg = await Fails("#!nn --bogus");
        Assert.Contains("Unrecognized parameter", msg);
        Assert.Contains("--bogus", msg);
    }

    [Fact]
    public async Task Options_are_checked_per_directive_line_of_a_cell()
    {
        // The second line's option is checked against the second line, not the first #!nn conv of the cell.
        var second = await Fails("#!nn conv --in 8 --kernel 3\n#!nn conv --in 8 --kernel 3 --bogus 1");
        Assert.Contains("unknown option --bogus", second);
        var cell = await _nb.SubmitAsync("#!nn conv --in 8 --kernel 3\n#!nn conv --in 9 --kernel 3");
        cell.AssertSucceeded();
        var html = string.Concat(cell.Events.OfType<DisplayedValueProduced>().SelectMany(e => e.FormattedValues).Select(v => v.Value));
        Assert.Contains("Output size: 8 → 6", html);
        Assert.Contains("Output size: 9 → 7", html);
    }

    // ------------------------------------------------------------------ summary

    const string Cnn =
        "var net = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 13 * 13, 10));\n" +
        "var x = torch.ones(3);";

    [Fact]
    public async Task Summary_with_input_shows_output_shapes_and_counts()
    {
        (await _nb.SubmitAsync(Cnn)).AssertSucceeded();
        var html = await Shown("#!nn summary net --input 2,1,28,28");
        Assert.Contains("<th>Output shape</th>", html);
        Assert.Contains("<td>[2, 8, 26, 26]</td>", html);
        Assert.Contains("<td>[2, 8, 13, 13]</td>", html);
        Assert.Contains("<td>[2, 1352]</td>", html);
        Assert.Contains("<td>[2, 10]</td>", html);
        Assert.Contains("<td>13,610</td>", html);
        Assert.Contains("Input: [2, 1, 28, 28]", html);
    }

    [Fact]
    public async Task Summary_without_input_and_followed_by_code_in_the_same_cell()
    {
        var cell = await _nb.SubmitAsync("#!nn summary net\n" + Cnn.Replace("var net", "var other") + "\n1 + 2");
        // The directive runs first, before the cell's code defines anything.
        Assert.Contains("unknown variable 'net'", cell.Failure?.Message);
        (await _nb.SubmitAsync(Cnn)).AssertSucceeded();
        var both = await _nb.SubmitAsync("#!nn summary net\nvar three = 1 + 2; three");
        both.AssertSucceeded();
        var html = string.Concat(both.Events.OfType<DisplayedValueProduced>().SelectMany(e => e.FormattedValues).Select(v => v.Value));
        Assert.Contains("<td>80</td>", html);
        Assert.DoesNotContain("Output shape", html);
        Assert.Contains("3", both.Returned());
    }

    [Fact]
    public async Task Summary_runs_an_LSTM_and_shows_each_of_its_outputs()
    {
        (await _nb.SubmitAsync("var lstm = nn.LSTM(1, 5);")).AssertSucceeded();
        var html = await Shown("#!nn summary lstm --input 10,3,1");
        Assert.Contains("<td>([10, 3, 5], [1, 3, 5], [1, 3, 5])</td>", html);
        Assert.Contains("LSTM.forward(x, null)", html);
        Assert.Contains("Input: [10, 3, 1]", html);
        var loss = await Fails("#!nn summary mse --input 3\n");
        Assert.Contains("unknown variable 'mse'", loss);
        (await _nb.SubmitAsync("var mse = nn.MSELoss();")).AssertSucceeded();
        var message = await Fails("#!nn summary mse --input 3");
        Assert.StartsWith("#!nn summary: Summary.Of: MSELoss's forward takes 2 inputs (Tensor input, Tensor target)", message);
    }

    [Fact]
    public async Task Grid_of_small_images_is_shown_enlarged_with_crisp_pixels()
    {
        (await _nb.SubmitAsync("var digits = torch.rand(16, 1, 28, 28);")).AssertSucceeded();
        var html = await Shown("#!nn grid digits --nrow 8");
        // make_grid: 8 columns of 28 + 2 padding (+2) = 242 wide, 2 rows = 62 high; the PNG stays that size, CSS shows it 2×.
        Assert.Contains("width=\"242\" height=\"62\" style=\"width:484px;height:124px;max-width:none;image-rendering:pixelated\"", html);
        Assert.Equal(4, ImageRendering.DisplayScale(28, 28));
        Assert.Equal(4, ImageRendering.DisplayScale(1, 1));
        Assert.Equal(2, ImageRendering.DisplayScale(62, 242));
        Assert.Equal(1, ImageRendering.DisplayScale(400, 600));
        Assert.Equal(1, ImageRendering.DisplayScale(2000, 10));
    }

    [Fact]
    public async Task Summary_errors()
    {
        (await _nb.SubmitAsync(Cnn)).AssertSucceeded();
        Assert.Contains("unknown variable 'nope'", await Fails("#!nn summary nope --input 1,1,28,28"));
        Assert.Contains("'x' is a Tensor; expected an nn.Module", await Fails("#!nn summary x"));
        var shape = await Fails("#!nn summary net --input 64,x,28");
        Assert.Contains("--input: expected comma-separated integers", shape);
        Assert.Contains("'x' is not an integer", shape);
        Assert.Contains("(-1 at position 0)", await Fails("#!nn summary net --input -1,1,28,28"));
        var unknown = await Fails("#!nn summary net --inptu 1,1,28,28");
        Assert.Contains("unknown option --inptu", unknown);
        Assert.Contains("options: --input", unknown);
        Assert.Contains("expected <module>", await Fails("#!nn summary --input 1,1,28,28"));
        var forward = await Fails("#!nn summary net --input 2,3,28,28");
        Assert.Contains("forward pass", forward);
        Assert.Contains("[2, 3, 28, 28]", forward);
        Assert.Contains("unexpected argument 'extra'", await Fails("#!nn summary net extra"));
    }

    // ------------------------------------------------------------------ show

    [Fact]
    public async Task Show_as_table_heatmap_image_and_auto()
    {
        (await _nb.SubmitAsync("var m = torch.tensor(new float[,] { { -1, 0, 2 }, { 0.5f, 1, 3 } }); var img = torch.rand(3, 16, 16);")).AssertSucceeded();
        var table = await Shown("#!nn show m --as table");
        Assert.Contains("Tensor [2, 3]", table);
        Assert.Equal(6, Count(table, "<td[ >]"));
        Assert.Contains("<td>3.0000</td>", table);
        Assert.DoesNotContain("background-color", table);
        var heat = await Shown("#!nn show m --as heatmap");
        Assert.Equal(6, Count(heat, "background-color"));
        var image = await Shown("#!nn show img --as image");
        Assert.Contains("data:image/png;base64,", image);
        Assert.Contains("alt=\"tensor image [3, 16, 16]\"", image);
        var auto = await Shown("#!nn show m");
        Assert.Equal(6, Count(auto, "<td[ >]"));
        var notImage = await Shown("#!nn show m --as image");
        Assert.Contains("not image-shaped", notImage);
    }

    [Fact]
    public async Task Show_as_hist_bins_the_values()
    {
        (await _nb.SubmitAsync("var v = torch.arange(100.0); var k = torch.tensor(new long[] { 1, 1, 2, 5 });")).AssertSucceeded();
        var html = await Shown("#!nn show v --as hist");
        Assert.Contains("Histogram of 100 values of Tensor [100] torch.float32", html);
        Assert.Contains("10 bins over [0, 99]", html);   // √100 bins
        Assert.Equal(10, Count(html, "class=\"bin\""));
        Assert.Equal(9, Count(html, "\\): 10</title>"));
        Assert.Contains("[89.1, 99]: 10</title>", html);   // the last bin includes the maximum
        // Integers: one bin per value in [min, max].
        var ints = await Shown("#!nn show k --as hist");
        Assert.Contains("5 bins over [1, 6]", ints);
        Assert.Contains("[1, 2): 2</title>", ints);
        Assert.Contains("[3, 4): 0</title>", ints);
        Assert.Contains("[5, 6): 1</title>", ints);
    }

    [Fact]
    public void Histogram_bins_are_bounded_and_count_every_finite_value()
    {
        var t = torch.cat(new[] { torch.tensor(new[] { float.NaN }), torch.randn(99_999) }, 0);
        var (counts, min, max, nonFinite, perInteger) = Directives.Histogram.Bins(t);
        Assert.False(perInteger);
        Assert.Equal(Directives.Histogram.MaxBins, counts.Length);
        Assert.Equal(99_999, counts.Sum());
        Assert.Equal(1, nonFinite);
        Assert.True(min < max);
    }

    [Fact]
    public async Task Show_as_grid_and_errors()
    {
        (await _nb.SubmitAsync("var batch = torch.rand(5, 1, 8, 8); var m2 = torch.ones(2, 3);")).AssertSucceeded();
        var grid = await Shown("#!nn show batch --as grid");
        Assert.Contains("5 images of [1, 8, 8]", grid);
        Assert.Contains("data:image/png;base64,", grid);
        var bad = await Fails("#!nn show m2 --as pie");
        Assert.Contains("--as: expected one of table, heatmap, image, grid, hist; got 'pie'", bad);
        (await _nb.SubmitAsync(Cnn)).AssertSucceeded();
        Assert.Contains("'net' is a Sequential (nn.Module); expected a Tensor", await Fails("#!nn show net"));
        Assert.Contains("unexpected argument 'm2'", await Fails("#!nn show batch m2"));
        Assert.Contains("unknown option --nrow", await Fails("#!nn show batch --nrow 3"));
    }

    // ------------------------------------------------------------------ grid

    static (int w, int h) PngSize(string html)
    {
        var b64 = Regex.Match(html, "data:image/png;base64,([A-Za-z0-9+/=]+)").Groups[1].Value;
        using var bmp = SKBitmap.Decode(Convert.FromBase64String(b64));
        return (bmp.Width, bmp.Height);
    }

    [Fact]
    public async Task Grid_lays_out_a_batch_with_nrow_and_padding()
    {
        (await _nb.SubmitAsync("var imgs = torch.rand(10, 1, 8, 8); var gray = torch.rand(6, 8, 8).mul(4).sub(2);")).AssertSucceeded();
        var html = await Shown("#!nn grid imgs --nrow 4");
        Assert.Contains("10 images of [1, 8, 8] · 3×4 grid (nrow 4, padding 2) → image [3, 32, 42]", html);
        Assert.Equal((42, 32), PngSize(html));
        var dflt = await Shown("#!nn grid imgs");
        Assert.Contains("2×8 grid (nrow 8, padding 2) → image [3, 22, 82]", dflt);
        Assert.Equal((82, 22), PngSize(dflt));
        var padded = await Shown("#!nn grid imgs --nrow 5 --padding 0");
        Assert.Equal((40, 16), PngSize(padded));
        // N×H×W is a batch of gray images; values outside [0, 1] are clipped unless normalised.
        var clipped = await Shown("#!nn grid gray --nrow 3");
        Assert.Contains("6 images of [8, 8]", clipped);
        Assert.Contains("are clipped to [0, 1]", clipped);
        var normalized = await Shown("#!nn grid gray --nrow 3 --normalize");
        Assert.Contains("normalized", normalized);
        Assert.DoesNotContain("clipped", normalized);
        Assert.Equal((32, 22), PngSize(normalized));
    }

    [Fact]
    public async Task Grid_reads_uint8_images_as_0_to_255()
    {
        (await _nb.SubmitAsync("var u8 = torch.ones(2, 1, 4, 4).mul(200).to(torch.uint8);")).AssertSucceeded();
        var html = await Shown("#!nn grid u8");
        var b64 = Regex.Match(html, "data:image/png;base64,([A-Za-z0-9+/=]+)").Groups[1].Value;
        using var bmp = SKBitmap.Decode(Convert.FromBase64String(b64));
        Assert.Equal((14, 8), (bmp.Width, bmp.Height));
        Assert.Equal(new SKColor(200, 200, 200), bmp.GetPixel(3, 3));   // inside the first image
        Assert.Equal(new SKColor(0, 0, 0), bmp.GetPixel(0, 0));         // padding
        Assert.DoesNotContain("clipped", html);
    }

    [Fact]
    public async Task Grid_errors()
    {
        (await _nb.SubmitAsync("var five = torch.ones(2, 5, 4, 4); var ok = torch.rand(2, 3, 4, 4); var notTensor = 3;")).AssertSucceeded();
        Assert.Contains("expected a batch of images N×C×H×W (C = 1 or 3) or N×H×W, got shape [2, 5, 4, 4]", await Fails("#!nn grid five"));
        Assert.Contains("--nrow: expected an integer ≥ 1, got 0", await Fails("#!nn grid ok --nrow 0"));
        Assert.Contains("--nrow: expected an integer, got 'two'", await Fails("#!nn grid ok --nrow two"));
        Assert.Contains("'notTensor' is a Int32; expected a Tensor", await Fails("#!nn grid notTensor"));
        Assert.Contains("unknown option --ncol", await Fails("#!nn grid ok --ncol 2"));
    }

    // ------------------------------------------------------------------ graph

    [Fact]
    public async Task Graph_draws_grad_fn_nodes_leaves_and_the_tensor()
    {
        (await _nb.SubmitAsync("var w = torch.ones(3, requires_grad: true); var y = (w * 2).sum(); var sq = (w * w).sum();")).AssertSucceeded();
        var html = await Shown("#!nn graph y");
        Assert.Contains("<svg", html);
        Assert.Contains("y: Tensor [] torch.float32 · grad_fn=&lt;SumBackward0&gt;", html);
        Assert.Contains(">SumBackward0</text>", html);
        Assert.Contains(">MulBackward0</text>", html);
        Assert.Contains(">AccumulateGrad</text>", html);
        Assert.Contains(">[3]</text>", html);      // the leaf's shape
        Assert.Contains(">[]</text>", html);       // the tensor's shape
        Assert.Equal(2, Count(html, "class=\"node op\""));
        Assert.Equal(1, Count(html, "class=\"node leaf\""));
        Assert.Equal(1, Count(html, "class=\"node tensor\""));
        Assert.Equal(3, Count(html, "marker-end="));
        Assert.Contains("3 nodes shown", html);
        // w used twice by one op: one arrow marked ×2.
        var twice = await Shown("#!nn graph sq");
        Assert.Contains(">×2</text>", twice);
        Assert.Equal(3, Count(twice, "marker-end="));
    }

    [Fact]
    public async Task Graph_of_a_network_loss_marks_parameters()
    {
        (await _nb.SubmitAsync("torch.manual_seed(0); var mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3));\n" +
                               "var loss = nn.functional.mse_loss(mlp.call(torch.randn(5, 4)), torch.randn(5, 3));")).AssertSucceeded();
        var html = await Shown("#!nn graph loss");
        Assert.Contains("grad_fn=&lt;MseLossBackward0&gt;", html);
        Assert.Equal(2, Count(html, ">AddmmBackward0</text>"));
        Assert.Contains(">ReluBackward0</text>", html);
        foreach (var shape in new[] { "[8, 4]", "[8]", "[3, 8]", "[3]" })
            Assert.Contains($">Parameter {shape}</text>", html);
        Assert.Equal(4, Count(html, "class=\"node leaf\""));
    }

    [Fact]
    public void Graph_layers_are_longest_paths_from_the_tensor()
    {
        var w = torch.ones(2, requires_grad: true);
        var y = (w * 2 + w).sum();      // w feeds MulBackward0 (row 3) and AddBackward0 (row 2)
        var g = Directives.AutogradGraph.Build(y);
        Assert.Equal(["SumBackward0", "AddBackward0", "MulBackward0", "AccumulateGrad"], g.Labels);
        Assert.Equal(4, g.Shown);
        // Rows from the top: AccumulateGrad, Mul, Add, Sum, tensor — the leaf sits above its highest consumer.
        var ys = Regex.Matches(g.Svg, "<g class=\"node (\\w+)\"><rect x=\"[\\d.]+\" y=\"([\\d.]+)\"")
            .Select(m => (kind: m.Groups[1].Value, y: double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(5, ys.Select(v => v.y).Distinct().Count());
        Assert.Equal(ys.Min(v => v.y), ys.Single(v => v.kind == "leaf").y);
        Assert.Equal(ys.Max(v => v.y), ys.Single(v => v.kind == "tensor").y);
    }

    [Fact]
    public async Task Huge_graph_draws_a_bounded_number_of_nodes()
    {
        (await _nb.SubmitAsync("var z = torch.ones(2, requires_grad: true); var acc = z; for (int i = 0; i < 300; i++) acc = acc + 1;")).AssertSucceeded();
        var html = await Shown("#!nn graph acc");
        Assert.Equal(Directives.AutogradGraph.MaxNodes, Count(html, "class=\"node op\""));
        // 300 AddBackward0 + 1 AccumulateGrad, 120 drawn.
        Assert.Contains("… 181 more nodes not drawn", html);
    }

    [Fact]
    public async Task Graph_of_tensors_without_history_and_errors()
    {
        (await _nb.SubmitAsync("var plain = torch.ones(2); var leaf = torch.ones(2, requires_grad: true);")).AssertSucceeded();
        Assert.Contains("plain is no autograd graph", (await Shown("#!nn graph plain")).Replace("has no", "is no"));
        Assert.Contains("a leaf that requires grad", await Shown("#!nn graph leaf"));
        Assert.Contains("unknown variable 'missing'", await Fails("#!nn graph missing"));
        Assert.Contains("unknown option --depth", await Fails("#!nn graph leaf --depth 3"));
    }

    // ------------------------------------------------------------------ conv

    [Fact]
    public async Task Conv_fills_the_formula_in_per_dimension()
    {
        var html = await Shown("#!nn conv --in 50,100 --kernel 3,5 --stride 2,1 --padding 4,2 --dilation 3,1");
        Assert.Contains("<b>Conv</b>", html);
        Assert.Contains("⌊(50 + 2·4 − 3·(3−1) − 1)/2⌋ + 1 = ⌊51/2⌋ + 1 = 26", html);
        Assert.Contains("⌊(100 + 2·2 − 1·(5−1) − 1)/1⌋ + 1 = ⌊99/1⌋ + 1 = 100", html);
        Assert.Contains("Output size: 50 × 100 → 26 × 100", html);
        // One value stands for every dimension.
        Assert.Contains("Output size: 28 × 28 → 26 × 26", await Shown("#!nn conv --in 28,28 --kernel 3"));
    }

    [Fact]
    public async Task Conv_transpose_and_pooling()
    {
        var tr = await Shown("#!nn conv --in 7 --kernel 4 --stride 2 --padding 1 --transpose");
        Assert.Contains("<b>ConvTranspose</b>", tr);
        Assert.Contains("(7−1)·2 − 2·1 + 1·(4−1) + 0 + 1 = 14", tr);
        var op = await Shown("#!nn conv --in 7 --kernel 3 --stride 2 --padding 1 --output-padding 1 --transpose");
        Assert.Contains("(7−1)·2 − 2·1 + 1·(3−1) + 1 + 1 = 14", op);
        // Pooling: the stride defaults to the kernel size.
        Assert.Contains("Output size: 28 × 28 → 14 × 14", await Shown("#!nn conv --in 28,28 --kernel 2 --pool"));
        Assert.Contains("Output size: 5 → 2", await Shown("#!nn conv --in 5 --kernel 2 --pool"));
        Assert.Contains("Output size: 5 → 3", await Shown("#!nn conv --in 5 --kernel 2 --pool --ceil-mode"));
        // ceil_mode's last window may not start in the right padding (PyTorch: MaxPool1d(2, 2, padding=1, ceil_mode=True) on 5 → 3).
        var last = await Shown("#!nn conv --in 5 --kernel 2 --padding 1 --pool --ceil-mode");
        Assert.Contains("minus 1", last);
        Assert.Contains("Output size: 5 → 3", last);
    }

    [Fact]
    public async Task Conv_errors_name_the_term_that_is_too_small()
    {
        var small = await Fails("#!nn conv --in 3,10 --kernel 5");
        Assert.Contains("in dimension 0", small);
        Assert.Contains("the dilated kernel d(k−1)+1 = 1·(5−1)+1 = 5 is larger than the padded input in+2p = 3+2·0 = 3", small);
        var dil = await Fails("#!nn conv --in 10 --kernel 3 --dilation 5");
        Assert.Contains("= 11 is larger than the padded input", dil);
        var tr = await Fails("#!nn conv --in 1 --kernel 1 --padding 1 --transpose");
        Assert.Contains("non-positive output size -1", tr);
        Assert.Contains("the padding 2p = 2", tr);
        Assert.Contains("output padding must be smaller than either stride or dilation", await Fails("#!nn conv --in 7 --kernel 3 --output-padding 1 --transpose"));
        Assert.Contains("pad should be at most half of effective kernel size", await Fails("#!nn conv --in 8 --kernel 2 --padding 2 --pool"));
        Assert.Contains("--kernel: expected 1 or 2 values", await Fails("#!nn conv --in 8,8 --kernel 3,3,3"));
        Assert.Contains("'x' is not an integer", await Fails("#!nn conv --in 50,x --kernel 3"));
        Assert.Contains("--stride: expected comma-separated integers ≥ 1", await Fails("#!nn conv --in 8 --kernel 3 --stride 0"));
        Assert.Contains("expected --kernel", await Fails("#!nn conv --in 8"));
        Assert.Contains("--ceil-mode applies to pooling only", await Fails("#!nn conv --in 8 --kernel 2 --ceil-mode"));
        Assert.Contains("--output-padding applies to a transposed convolution only", await Fails("#!nn conv --in 8 --kernel 2 --output-padding 1"));
        Assert.Contains("unknown option --strides", await Fails("#!nn conv --in 8 --kernel 2 --strides 2"));
    }

    // ------------------------------------------------------------------ seed, threads, info

    [Fact]
    public async Task Seed_reseeds_the_default_generator()
    {
        var cell = await _nb.SubmitAsync("#!nn seed 7\nvar a = torch.rand(3);\ntorch.manual_seed(7);\nvar b = torch.rand(3);\ntorch.equal(a, b)");
        Assert.Contains("True", cell.Returned());
        Assert.Contains("torch.manual_seed(7)", string.Concat(cell.Events.OfType<DisplayedValueProduced>().SelectMany(e => e.FormattedValues).Select(v => v.Value)));
        Assert.Contains("<seed>: expected an integer, got 'abc'", await Fails("#!nn seed abc"));
        Assert.Contains("expected a seed", await Fails("#!nn seed"));
    }

    [Fact]
    public async Task Threads_sets_the_pool_size_and_info_reports_it()
    {
        int before = torch.get_num_threads();
        try
        {
            Assert.Contains("threads now 1", await Shown("#!nn threads 1"));
            Assert.Equal(1, torch.get_num_threads());
            var info = await Shown("#!nn info");
            Assert.Contains("<td class=\"name\">1 (of ", info);
            Assert.Contains("Torchlet", info);
            Assert.Contains("SIMD", info);
            Assert.Contains(TorchletExtension.SimdWidth(), info);
            Assert.Matches("Managed memory in use</th><td class=\"name\">[\\d.]+ (B|KiB|MiB|GiB)</td>", info);
            Assert.Contains("<threads>: expected an integer in [1, 1024], got 0", await Fails("#!nn threads 0"));
            Assert.Equal(1, torch.get_num_threads());
            Assert.Contains("this subcommand takes no options", await Fails("#!nn info --verbose"));
        }
        finally { torch.set_num_threads(before); }
    }

    // ------------------------------------------------------------------ activations, curves (Plotly charts)

    [Fact]
    public async Task Activations_draws_the_named_functions_and_rejects_unknown_names()
    {
        var html = await Shown("#!nn activations ReLU,ELU");
        Assert.Contains("Plotly.newPlot", html);
        Assert.Contains("ReLU", html);
        Assert.Contains("ELU", html);
        Assert.DoesNotContain("Tanhshrink", html);
        var all = await Shown("#!nn activations");
        Assert.Contains("Tanhshrink", all);
        var message = await Fails("#!nn activations Swish");
        Assert.Contains("unknown activation 'Swish'", message);
    }

    [Fact]
    public async Task Curves_judges_a_history_and_rejects_other_values()
    {
        var define = await _nb.SubmitAsync("""
            var history = new TrainingHistory();
            for (int e = 0; e < 12; e++) history.Add(e, train: 1.0 / (e + 1), validation: e < 5 ? 1.0 / (e + 1) : 0.2 + 0.05 * (e - 5));
            var notAHistory = 3;
            """);
        define.AssertSucceeded();
        var html = await Shown("#!nn curves history");
        Assert.Contains("Plotly.newPlot", html);
        Assert.Contains("<b>Overfitting</b> · Overfitting from epoch 4", html);
        // The gap rule and the others quote means of the last epochs: the text says so. Fractions are percentages.
        var tr = await _nb.SubmitAsync("""
            var flat = new TrainingHistory();
            for (int e = 0; e < 10; e++) flat.Add(e, train: 2.0 - 0.2 * Math.Min(e, 4) - 0.001 * e, validation: 2.1 - 0.2 * Math.Min(e, 4));
            """);
        tr.AssertSucceeded();
        var under = await Shown("#!nn curves flat");
        Assert.Contains("<b>Underfitting</b> · Underfitting: both curves converged to a high loss: training 1.192 (mean of the last 2 epochs; still 59.6 % of the first epoch&#39;s 2, ≥ 50 %)", under);
        Assert.Contains("--high: expected a number", await Fails("#!nn curves history --high abc"));
        Assert.Contains("expected a TrainingHistory", await Fails("#!nn curves notAHistory"));
        Assert.Contains("nope", await Fails("#!nn curves nope"));
    }
}
