using System.Globalization;
using System.Runtime;
using Microsoft.DotNet.Interactive.Formatting;
using Module = Torchlet.torch.nn.Module;

namespace Torchlet.Interactive.Directives;

/// <summary>The built-in <c>#!nn</c> subcommands and their bound parameters.</summary>
internal static class NnCommands
{
    public sealed class SummaryCommand : NnCommand { public string? Module { get; set; } public string? Input { get; set; } }
    public sealed class ShowCommand : NnCommand { public string? Tensor { get; set; } public string? As { get; set; } }
    public sealed class GridCommand : NnCommand { public string? Tensor { get; set; } public string? Nrow { get; set; } public string? Padding { get; set; } public bool Normalize { get; set; } }
    public sealed class GraphCommand : NnCommand { public string? Tensor { get; set; } }
    public sealed class ConvCommand : NnCommand
    {
        public string? In { get; set; }
        public string? Kernel { get; set; }
        public string? Stride { get; set; }
        public string? Padding { get; set; }
        public string? Dilation { get; set; }
        public string? OutputPadding { get; set; }
        public bool Transpose { get; set; }
        public bool Pool { get; set; }
        public bool CeilMode { get; set; }
    }
    public sealed class SeedCommand : NnCommand { public string? Seed { get; set; } }
    public sealed class ThreadsCommand : NnCommand { public string? Threads { get; set; } }
    public sealed class InfoCommand : NnCommand;
    public sealed class ActivationsCommand : NnCommand { public string? Names { get; set; } }
    public sealed class CurvesCommand : NnCommand { public string? History { get; set; } public string? Metric { get; set; } public string? High { get; set; } }

    public static IEnumerable<NnSubcommand> All() =>
    [
        NnSubcommand.Create<SummaryCommand>("summary",
            "Layer tree, parameter counts and memory of a module; with --input, each layer's output shape from one forward pass on zeros (an LSTM's, GRU's or RNN's initial state left out; tuple outputs show each shape)",
            ["#!nn summary net --input 64,1,28,28", "#!nn summary lstm --input 10,3,1"],
            [new("module", "the nn.Module variable", Implicit: true), new("input", "input shape, comma-separated (e.g. 64,1,28,28)")],
            (c, ctx) =>
            {
                var m = ctx.Get<Module>(c.Module, "an nn.Module", "<module>");
                return c.Input is null ? Summary.Of(m) : Summary.Of(m, DirectiveArgs.Shape(c.Input, "--input"));
            }),
        NnSubcommand.Create<ShowCommand>("show",
            "A tensor as a table, heatmap, image, image grid or histogram of its values",
            ["#!nn show x --as heatmap", "#!nn show w --as hist"],
            [new("tensor", "the Tensor variable", Implicit: true), new("as", "table | heatmap | image | grid | hist (default: automatic)")],
            (c, ctx) =>
            {
                var t = ctx.Get<Tensor>(c.Tensor, "a Tensor", "<tensor>");
                return (c.As ?? "auto") switch
                {
                    "auto" => new TensorView(t),
                    "table" => t.AsTable(),
                    "heatmap" => t.AsHeatmap(),
                    "image" => t.AsImage(),
                    "grid" => ImageGrid.Render(t, 8, 2, normalize: false),
                    "hist" => Histogram.Render(t),
                    var other => throw new NnCommandException($"--as: expected one of table, heatmap, image, grid, hist; got '{other}'"),
                };
            }),
        NnSubcommand.Create<GridCommand>("grid",
            "A batch of images (N×C×H×W or N×H×W) laid out by torchvision.utils.make_grid, as one inline PNG",
            ["#!nn grid images --nrow 8 --normalize"],
            [new("tensor", "the Tensor variable (N×C×H×W with C = 1 or 3, or N×H×W)", Implicit: true),
             new("nrow", "images per row (default 8)"), new("padding", "pixels between images (default 2)"),
             new("normalize", "shift and scale the values to [0, 1] (by their min and max)", Flag: true)],
            (c, ctx) =>
            {
                var t = ctx.Get<Tensor>(c.Tensor, "a Tensor", "<tensor>");
                long nrow = c.Nrow is null ? 8 : DirectiveArgs.Int(c.Nrow, "--nrow", min: 1);
                long padding = c.Padding is null ? 2 : DirectiveArgs.Int(c.Padding, "--padding", min: 0);
                return ImageGrid.Render(t, nrow, padding, c.Normalize);
            }),
        NnSubcommand.Create<GraphCommand>("graph",
            "The autograd graph behind a tensor (grad_fn nodes, leaves with their shapes) as an inline SVG",
            ["#!nn graph loss"],
            [new("tensor", "the Tensor variable", Implicit: true)],
            (c, ctx) => AutogradGraph.Render(ctx.Get<Tensor>(c.Tensor, "a Tensor", "<tensor>"), c.Tensor!)),
        NnSubcommand.Create<ConvCommand>("conv",
            "Output size of a convolution, transposed convolution or pooling, per dimension, with the numbers filled in",
            ["#!nn conv --in 50,100 --kernel 3,5 --stride 2,1 --padding 4,2 --dilation 3,1", "#!nn conv --in 28,28 --kernel 2 --pool"],
            [new("in", "input size per spatial dimension (e.g. 28,28)"), new("kernel", "kernel size (one value for every dimension, or one per dimension)"),
             new("stride", "stride (default 1; pooling: the kernel size)"), new("padding", "zero padding on each side (default 0)"),
             new("dilation", "dilation (default 1)"), new("output-padding", "extra size on one side of a transposed convolution's output (default 0)"),
             new("transpose", "ConvTranspose", Flag: true), new("pool", "max/avg pooling", Flag: true),
             new("ceil-mode", "pooling with ceil_mode=True", Flag: true)],
            (c, _) => ConvExplain.Render(ConvExplain.Compute(c.In, c.Kernel, c.Stride, c.Padding, c.Dilation, c.OutputPadding, c.Transpose, c.Pool, c.CeilMode))),
        NnSubcommand.Create<SeedCommand>("seed",
            "torch.manual_seed(n): reseeds the default generator",
            ["#!nn seed 42"],
            [new("seed", "the seed (an integer)", Implicit: true)],
            (c, _) =>
            {
                long n = DirectiveArgs.Int(c.Seed ?? throw new NnCommandException("expected a seed, e.g. #!nn seed 42"), "<seed>", min: long.MinValue);
                torch.manual_seed(n);
                return Note($"torch.manual_seed({n.ToString(CultureInfo.InvariantCulture)})");
            }),
        NnSubcommand.Create<ThreadsCommand>("threads",
            "torch.set_num_threads(n): threads of the engine's intra-op pool",
            ["#!nn threads 4"],
            [new("threads", "number of threads (at least 1)", Implicit: true)],
            (c, _) =>
            {
                int n = (int)DirectiveArgs.Int(c.Threads ?? throw new NnCommandException("expected a number of threads, e.g. #!nn threads 4"), "<threads>", min: 1, max: 1024);
                torch.set_num_threads(n);
                return Note($"torch.set_num_threads({n}) · threads now {torch.get_num_threads()}");
            }),
        NnSubcommand.Create<ActivationsCommand>("activations",
            "Gallery of the notes' activation functions (grouped as the notes group them) with their derivatives",
            ["#!nn activations", "#!nn activations ReLU,ELU,GELU"],
            [new("names", "activation names, comma-separated (default: all)", Implicit: true)],
            (c, _) => Charts.Activations(c.Names is null ? [] : c.Names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))),
        NnSubcommand.Create<CurvesCommand>("curves",
            "Learning and validation curves of a TrainingHistory (or a Live.Training view), with the notes' under-/over-fitting verdict",
            ["#!nn curves history", "#!nn curves live --metric accuracy"],
            [new("history", "the TrainingHistory or Live.Training variable", Implicit: true), new("metric", "the metric to judge (default: loss)"),
             new("high", "a loss above which training counts as high (underfitting), e.g. 0.3")],
            (c, ctx) =>
            {
                var metric = c.Metric ?? "loss";
                double? high = c.High is null ? null
                    : double.TryParse(c.High, NumberStyles.Float, CultureInfo.InvariantCulture, out var h) ? h
                    : throw new NnCommandException($"--high: expected a number, got '{c.High}'");
                return ctx.Get<object>(c.History, "a TrainingHistory or Live.Training", "<history>") switch
                {
                    TrainingHistory th => Charts.Curves(th, metric, high),
                    LiveTraining live => Charts.Curves(live, metric, high),
                    var other => throw new NnCommandException($"'{c.History}' is a {other.GetType().Name}; expected a TrainingHistory or a Live.Training view"),
                };
            }),
        NnSubcommand.Create<InfoCommand>("info",
            "Engine version, SIMD width, threads, managed memory in use",
            ["#!nn info"],
            [],
            (_, _) => Info()),
    ];

    static HtmlTag Note(string text) => Html.Box(Html.Tag("div", text));

    internal static HtmlTag Info()
    {
        var gc = GC.GetGCMemoryInfo();
        var rows = new (string, string)[]
        {
            ("Torchlet", TorchletExtension.EngineVersion()),
            ("SIMD", TorchletExtension.SimdWidth()),
            ("Threads", torch.get_num_threads().ToString(CultureInfo.InvariantCulture) + $" (of {Environment.ProcessorCount} logical processors)"),
            ("Managed memory in use", Html.Bytes(GC.GetTotalMemory(false))),
            // GetGCMemoryInfo describes the last collection: all zeros until one has run.
            ("GC heap after last collection", gc.Index == 0 ? "— (no collection yet)" : Html.Bytes(gc.HeapSizeBytes) + $" (committed {Html.Bytes(gc.TotalCommittedBytes)})"),
            ("Allocated since start", Html.Bytes(GC.GetTotalAllocatedBytes())),
            ("Process working set", Html.Bytes(Environment.WorkingSet)),
            ("GC mode", GCSettings.IsServerGC ? "server" : "workstation"),
            (".NET", Environment.Version.ToString()),
            ("Grad mode", torch.is_grad_enabled() ? "enabled" : "disabled"),
        };
        return Html.Box(Html.Tag("table", rows.Select(r =>
            Html.Tag("tr", Html.Tag("th", Html.Class("name"), r.Item1), Html.Tag("td", Html.Class("name"), r.Item2)))));
    }
}

/// <summary>Parsing of the text values of directive options, with messages that name the option.</summary>
internal static class DirectiveArgs
{
    public static long Int(string text, string option, long min = 0, long max = long.MaxValue)
    {
        if (!long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
            throw new NnCommandException($"{option}: expected an integer, got '{text}'");
        if (v < min || v > max)
            throw new NnCommandException($"{option}: expected an integer " + (max == long.MaxValue ? $"≥ {min}" : $"in [{min}, {max}]") + $", got {v}");
        return v;
    }

    /// <summary>Comma-separated integers ≥ <paramref name="min"/>, e.g. <c>64,1,28,28</c>.</summary>
    public static long[] Ints(string text, string option, long min, string example)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var result = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result[i]))
                throw new NnCommandException($"{option}: expected comma-separated integers such as {example}, got '{text}' ('{parts[i]}' is not an integer)");
            if (result[i] < min)
                throw new NnCommandException($"{option}: expected comma-separated integers ≥ {min} such as {example}, got '{text}' ({result[i]} at position {i})");
        }
        return result;
    }

    public static long[] Shape(string text, string option) => Ints(text, option, 0, "64,1,28,28");
}
