using Plotly.NET;
using F = Torchlet.torch.nn.functional;

namespace Torchlet.Interactive;

/// <summary>Plotly charts for notebooks: the notes' activation functions and learning/validation curves.</summary>
public static class Charts
{
    /// <summary>
    /// Hooks the FSharp.Core resolve fix (see <see cref="PlotlyLoad"/>) and registers the chart formatters.
    /// Called once by <see cref="TorchletExtension"/> at load.
    /// </summary>
    public static void Register()
    {
        PlotlyLoad.Install();
        ChartFormatters.Register();
    }

    // ---- activations -------------------------------------------------------------------------------------

    /// <summary>The notes' groups of element-wise activations (notes §"torch.nn子包与损失类"): S-shaped
    /// (saturating), one-sided and shrinkage. CELU, GELU, SiLU and Mish are one-sided too and are added there.</summary>
    public static readonly IReadOnlyList<(string Group, string[] Names)> ActivationGroups =
    [
        ("Saturating (S-shaped)", ["Sigmoid", "Softsign", "Tanh", "Hardtanh", "ReLU6"]),
        ("One-sided (ReLU family)", ["ReLU", "LeakyReLU", "PReLU", "RReLU", "Threshold", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Softplus", "LogSigmoid"]),
        ("Shrinkage", ["Hardshrink", "Softshrink", "Tanhshrink"]),
    ];

    /// <summary>Every activation name <see cref="Activations"/> accepts, in the notes' order.</summary>
    public static IReadOnlyList<string> ActivationNames => ActivationGroups.SelectMany(g => g.Names).ToList();

    /// <summary>The x range of the gallery: PyTorch's docs plot activations on about this interval.</summary>
    public const double XMin = -5, XMax = 5;
    public const int Points = 201;

    // Each activation with the module defaults PyTorch uses (PReLU's weight is its initial 0.25; RReLU is
    // drawn in eval mode, where it is a leaky ReLU of slope (lower + upper) / 2; Threshold(1.0, 0.0)).
    static Tensor Apply(string name, Tensor x) => name switch
    {
        "Sigmoid" => F.sigmoid(x),
        "Softsign" => F.softsign(x),
        "Tanh" => F.tanh(x),
        "Hardtanh" => F.hardtanh(x),
        "ReLU6" => F.relu6(x),
        "ReLU" => F.relu(x),
        "LeakyReLU" => F.leaky_relu(x),
        "PReLU" => F.prelu(x, torch.full([1], 0.25, torch.float64)),
        "RReLU" => F.rrelu(x, training: false),
        "Threshold" => F.threshold(x, 1.0, 0.0),
        "ELU" => F.elu(x),
        "SELU" => F.selu(x),
        "CELU" => F.celu(x),
        "GELU" => F.gelu(x),
        "SiLU" => F.silu(x),
        "Mish" => F.mish(x),
        "Softplus" => F.softplus(x),
        "LogSigmoid" => F.logsigmoid(x),
        "Hardshrink" => F.hardshrink(x),
        "Softshrink" => F.softshrink(x),
        "Tanhshrink" => F.tanhshrink(x),
        _ => throw new InvalidOperationException(name),
    };

    /// <summary>
    /// The activation <paramref name="name"/> and its derivative on <see cref="XMin"/>..<see cref="XMax"/>,
    /// computed by the engine: the function on a float64 linspace that requires grad, the derivative by
    /// backward of the sum (element-wise, so x.grad[i] = f'(x[i]); at kinks it is PyTorch's choice).
    /// </summary>
    public static (double[] X, double[] Y, double[] DyDx) Activation(string name)
    {
        var canonical = Canonical(name);
        var x = torch.linspace(XMin, XMax, Points, torch.float64, requires_grad: true);
        var y = Apply(canonical, x);
        y.sum().backward();
        return (x.detach().ToArray<double>(), y.detach().ToArray<double>(), x.grad!.ToArray<double>());
    }

    /// <summary>
    /// A gallery of the notes' activation functions with their derivatives, one Plotly figure per group of
    /// the notes (function left, derivative right, same colour). No names: all of them; otherwise only the
    /// named ones (case-insensitive; the notes' "Hardshrinkage" spellings work too), still grouped.
    /// </summary>
    public static ActivationGallery Activations(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var wanted = names.Length == 0 ? ActivationNames.ToHashSet() : names.Select(Canonical).ToHashSet();
        var figures = new List<(string Group, string[] Names, GenericChart Chart)>();
        foreach (var (group, members) in ActivationGroups)
        {
            var chosen = members.Where(wanted.Contains).ToArray();
            if (chosen.Length == 0) continue;
            var traces = new List<Trace>();
            var curves = chosen.Select(Activation).ToArray();
            var widths = LineWidths(curves.Select(c => c.Y).ToArray(), curves.Select(c => c.DyDx).ToArray());
            for (int i = 0; i < chosen.Length; i++)
            {
                var (x, y, d) = curves[i];
                var color = Plot.Palette[i % Plot.Palette.Length];
                traces.Add(Plot.Line(x, y, chosen[i], color, legendGroup: chosen[i], width: widths[i]));
                traces.Add(Plot.Line(x, d, chosen[i] + "′", color, dashed: true, xaxis: "x2", yaxis: "y2", legendGroup: chosen[i], showLegend: false, width: widths[i]));
            }
            var layout = new Dictionary<string, object>
            {
                ["title"] = new Dictionary<string, object> { ["text"] = group },
                ["xaxis"] = Plot.Axis("x", new[] { 0.0, 0.46 }),
                ["yaxis"] = Plot.Axis("f(x)"),
                ["xaxis2"] = Plot.Axis("x", new[] { 0.54, 1.0 }, anchor: "y2"),
                ["yaxis2"] = Plot.Axis("f′(x) (dashed)", anchor: "x2"),
                ["height"] = 380,
            };
            figures.Add((group, chosen, Plot.Figure(traces, layout)));
        }
        return new ActivationGallery(figures);
    }

    /// <summary>The width of a line that no later line lies on, and how much wider each line under another one is drawn.</summary>
    public const double BaseLineWidth = 2, LineWidthStep = 2, MaxLineWidth = 10;

    /// <summary>
    /// Line widths for functions drawn in this order, with their derivatives (function i and its derivative share a
    /// width). A line that a later one lies on over part of the range — within 1% of the panel's height at
    /// <see cref="MinCoincidentFraction"/> of the points or more (ReLU under LeakyReLU and ELU for x &gt; 0, in the
    /// function or the derivative panel) — is drawn <see cref="LineWidthStep"/> wider than the widest of those, so it
    /// shows as a coloured edge around them instead of disappearing. Other lines keep <see cref="BaseLineWidth"/>.
    /// </summary>
    internal static double[] LineWidths(double[][] f, double[][] df)
    {
        int n = f.Length;
        var widths = new double[n];
        double fTol = Tolerance(f), dTol = Tolerance(df);
        for (int i = n - 1; i >= 0; i--)
        {
            widths[i] = BaseLineWidth;
            for (int j = i + 1; j < n; j++)
                if (Coincide(f[i], f[j], fTol) || Coincide(df[i], df[j], dTol))
                    widths[i] = Math.Min(MaxLineWidth, Math.Max(widths[i], widths[j] + LineWidthStep));
        }
        return widths;
    }

    /// <summary>Two lines coincide when they are this close at this fraction of the points or more.</summary>
    public const double MinCoincidentFraction = 0.05;

    static double Tolerance(double[][] panel)
    {
        var all = panel.SelectMany(v => v).Where(double.IsFinite).ToArray();
        return all.Length == 0 ? 0 : Math.Max(1e-12, 0.01 * (all.Max() - all.Min()));
    }

    static bool Coincide(double[] a, double[] b, double tolerance)
    {
        int close = 0;
        for (int k = 0; k < a.Length; k++) if (Math.Abs(a[k] - b[k]) <= tolerance) close++;
        return close >= MinCoincidentFraction * a.Length;
    }

    static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Hardshrinkage"] = "Hardshrink", ["Softshrinkage"] = "Softshrink", ["Tanhshrinkage"] = "Tanhshrink",
    };

    static string Canonical(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var hit = ActivationNames.FirstOrDefault(n => string.Equals(n, name.Trim(), StringComparison.OrdinalIgnoreCase));
        if (hit is not null) return hit;
        if (Aliases.TryGetValue(name.Trim(), out var alias)) return alias;
        throw new ArgumentException(
            $"Charts.Activations: unknown activation '{name}'; valid names: {string.Join(", ", ActivationNames)}", nameof(name));
    }

    // ---- learning and validation curves ------------------------------------------------------------------

    /// <summary>
    /// Learning and validation curves of every metric in <paramref name="history"/> (one figure per metric:
    /// training solid, validation dashed), with the notes' under-/over-fitting table applied to
    /// <paramref name="metric"/> (a loss: lower is better) — see <see cref="FitRules"/> for the thresholds.
    /// <paramref name="highLoss"/>, if given, is the loss at or above which a converged training loss counts as
    /// high; otherwise "high" means still at least half of the first epoch's loss.
    /// </summary>
    public static CurvesView Curves(TrainingHistory history, string metric = "loss", double? highLoss = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Names.Count == 0)
            throw new ArgumentException("Charts.Curves: the history is empty; record values with history.Record(epoch, name, value) or history.Add(epoch, train, validation)", nameof(history));
        return new CurvesView(history, CurveFigures(history), FitRules.Judge(history, metric, highLoss));
    }

    /// <summary>The curves of a live view's per-epoch history (see <see cref="LiveTraining.History"/>).</summary>
    public static CurvesView Curves(LiveTraining live, string metric = "loss", double? highLoss = null)
    {
        ArgumentNullException.ThrowIfNull(live);
        return Curves(live.History, metric, highLoss);
    }

    /// <summary>Colours of a training curve and its validation curve (every figure alike).</summary>
    internal static readonly (string Train, string Validation) CurveColors = (Plot.Palette[0], Plot.Palette[1]);

    /// <summary>
    /// Whether a metric is drawn on a log axis: a loss (its name contains "loss") whose values are all positive. A loss
    /// typically falls by orders of magnitude, and on a linear axis everything after the first epochs is a flat line.
    /// </summary>
    internal static bool LogAxis(string metric, IEnumerable<double> values) =>
        metric.Contains("loss", StringComparison.OrdinalIgnoreCase) && values.Where(v => !double.IsNaN(v)).All(v => v > 0);

    internal static List<(string Metric, GenericChart Chart)> CurveFigures(TrainingHistory history)
    {
        var figures = new List<(string, GenericChart)>();
        foreach (var m in history.Metrics)
        {
            var traces = new List<Trace>();
            var values = new List<double>();
            foreach (var (series, validation) in new[] { (m, false), (TrainingHistory.ValidationPrefix + m, true) })
            {
                if (!history.Contains(series)) continue;
                var pts = history.Series(series);
                values.AddRange(pts.Select(p => p.Value));
                // Training solid, validation dashed and in another colour: the two stay apart where they overlap.
                traces.Add(Plot.Line(pts.Select(p => (double)p.Epoch), pts.Select(p => p.Value), series,
                    validation ? CurveColors.Validation : CurveColors.Train, dashed: validation));
            }
            bool log = LogAxis(m, values);
            var layout = new Dictionary<string, object>
            {
                ["title"] = new Dictionary<string, object> { ["text"] = m + (log ? " (log scale)" : "") },
                ["xaxis"] = Plot.Axis("epoch"),
                ["yaxis"] = Plot.Axis(m, log: log),
                ["height"] = 320,
            };
            figures.Add((m, Plot.Figure(traces, layout)));
        }
        return figures;
    }
}

/// <summary>The activation gallery: one Plotly figure per group of the notes.</summary>
public sealed class ActivationGallery(IReadOnlyList<(string Group, string[] Names, GenericChart Chart)> figures)
{
    public IReadOnlyList<(string Group, string[] Names, GenericChart Chart)> Figures { get; } = figures;

    public override string ToString() =>
        "Activations: " + string.Join("; ", Figures.Select(f => f.Group + ": " + string.Join(", ", f.Names)));
}

/// <summary>Learning/validation curves with the fit verdict.</summary>
public sealed class CurvesView(TrainingHistory history, IReadOnlyList<(string Metric, GenericChart Chart)> figures, FitVerdict verdict)
{
    public TrainingHistory History { get; } = history;
    public IReadOnlyList<(string Metric, GenericChart Chart)> Figures { get; } = figures;
    public FitVerdict Verdict { get; } = verdict;
    public override string ToString() => Verdict.Text;
}
