using System.Globalization;
using Microsoft.DotNet.Interactive.Formatting;

namespace Torchlet.Interactive;

/// <summary>How a tensor is drawn in HTML.</summary>
public enum TensorDisplay
{
    /// <summary>An image for image-shaped tensors big enough to be pictures (see ImageRendering.PreferImage), else a table (1-D/2-D) or PyTorch's text.</summary>
    Auto,
    /// <summary>A table of values (1-D and 2-D), summarised past <see cref="TensorView.MaxCells"/> per side.</summary>
    Table,
    /// <summary>A table coloured by value (diverging around 0 when the values have both signs).</summary>
    Heatmap,
    /// <summary>An inline PNG (image-shaped tensors only).</summary>
    Image,
}

/// <summary>A tensor with a chosen display; the <see cref="Tensor"/> formatter shows <c>new TensorView(t)</c>.</summary>
public sealed class TensorView
{
    /// <summary>At most this many rows and columns are rendered; longer dims show their edges around "…".</summary>
    public const int MaxCells = 20;

    public Tensor Tensor { get; }
    public TensorDisplay Display { get; }

    public TensorView(Tensor tensor, TensorDisplay display = TensorDisplay.Auto)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        Tensor = tensor;
        Display = display;
    }

    public override string ToString() => Tensor.ToString();
}

/// <summary>Views of a tensor for a notebook cell: <c>x.AsHeatmap()</c> as a cell's last value.</summary>
public static class TensorViewExtensions
{
    public static TensorView AsTable(this Tensor t) => new(t, TensorDisplay.Table);
    public static TensorView AsHeatmap(this Tensor t) => new(t, TensorDisplay.Heatmap);
    public static TensorView AsImage(this Tensor t) => new(t, TensorDisplay.Image);
}

/// <summary>Builds the HTML of a <see cref="TensorView"/>: header, then an image, a table or PyTorch's text.</summary>
internal static class TensorHtml
{
    /// <summary>Summary numbers of the whole tensor (null where they do not apply).</summary>
    internal sealed record Stats(double? Min, double? Max, double? Mean);

    /// <param name="view">The tensor and how to show it (heatmap, image or table).</param>
    /// <param name="png">The PNG encoder to use; <see cref="ImageRendering.PngEncoder"/> when null.</param>
    public static HtmlTag Render(TensorView view, Func<Tensor, byte[]>? png = null)
    {
        var t = view.Tensor;
        var stats = ComputeStats(t);
        return Html.Box(Header(t, stats), Body(t, view.Display, stats, png ?? ImageRendering.PngEncoder));
    }

    internal static Stats ComputeStats(Tensor t)
    {
        if (t.numel() == 0 || t.dtype == ScalarType.Bool) return new(null, null, null);
        using var _ = torch.no_grad();
        var d = t.detach();
        double min = d.min().to(ScalarType.Float64).item<double>();
        double max = d.max().to(ScalarType.Float64).item<double>();
        double? mean = t.is_floating_point() ? d.mean(ScalarType.Float64).item<double>() : null;
        return new(min, max, mean);
    }

    static HtmlTag Header(Tensor t, Stats s)
    {
        var parts = new List<string>
        {
            (t is Parameter ? "Parameter" : "Tensor") + " " + Html.ShapeText(t.shape),
            Html.DType(t.dtype),
        };
        if (t.grad_fn is { } fn) parts.Add($"grad_fn=<{fn.name()}>");
        else if (t.requires_grad) parts.Add("requires_grad=True");
        if (s.Min is double mn && s.Max is double mx)
        {
            var stat = $"min {Num(mn)} · max {Num(mx)}";
            if (s.Mean is double mean) stat += $" · mean {Num(mean)}";
            parts.Add(stat);
        }
        return Html.Tag("div", Html.Class("hdr"), string.Join(" · ", parts));
    }

    static object Body(Tensor t, TensorDisplay display, Stats s, Func<Tensor, byte[]> png)
    {
        if (display == TensorDisplay.Image || (display == TensorDisplay.Auto && ImageRendering.PreferImage(t, s)))
        {
            if (!ImageRendering.IsImageLike(t, s))
                return Note($"not image-shaped: an image is H×W, 1×H×W or 3×H×W with values in [0, 1] (floating) or uint8; got shape {Html.ShapeText(t.shape)}, dtype {Html.DType(t.dtype)}" +
                            (s.Min is double a && s.Max is double b ? $", values in [{Num(a)}, {Num(b)}]" : ""));
            return ImageRendering.Render(t, png);
        }
        if (display == TensorDisplay.Auto && ImageRendering.IsImageBatch(t, s))
            return ImageRendering.RenderBatch(t, png, s);
        if (t.dim() is 1 or 2 && t.numel() > 0)
            return Table(t, display == TensorDisplay.Heatmap, s);
        if (display is TensorDisplay.Table or TensorDisplay.Heatmap)
            return Html.Tag("div",
                Note($"a table needs a 1-D or 2-D tensor; got {t.dim()}-D {Html.ShapeText(t.shape)}"),
                Html.Tag("pre", t.ToString()));
        return Html.Tag("pre", t.ToString());
    }

    static HtmlTag Note(string text) => Html.Tag("div", Html.Class("note"), text);

    /// <summary>Shown indices of a dim of length <paramref name="n"/>: all, or the edges with -1 marking "…".</summary>
    internal static int[] ShownIndices(long n)
    {
        if (n <= TensorView.MaxCells) return Enumerable.Range(0, (int)n).ToArray();
        int e = TensorView.MaxCells / 2;
        return [.. Enumerable.Range(0, e), -1, .. Enumerable.Range((int)(n - e), e)];
    }

    // The shown part of a dim as views: the whole dim, or its two edges.
    static Tensor[] Parts(Tensor t, int dim, long n)
    {
        if (n <= TensorView.MaxCells) return [t];
        int e = TensorView.MaxCells / 2;
        return [t.narrow(dim, 0, e), t.narrow(dim, n - e, e)];
    }

    // Corner blocks are cut as views first, so only the shown elements are ever copied: a huge tensor
    // costs as much as its summary.
    static Tensor Gather(Tensor m, long rows, long cols) =>
        torch.cat(Parts(m, 0, rows).Select(r => torch.cat(Parts(r, 1, cols), 1)).ToList(), 0);

    static HtmlTag Table(Tensor t, bool heat, Stats s)
    {
        using var _ = torch.no_grad();
        var m = t.detach();
        if (m.dim() == 1) m = m.reshape(1, m.shape[0]);
        long rows = m.shape[0], cols = m.shape[1];
        var shown = Gather(m, rows, cols);
        var cells = CellText(shown, out var values);
        var ri = t.dim() == 1 ? [0] : ShownIndices(rows);
        var ci = ShownIndices(cols);
        int shownCols = (int)shown.shape[1];
        var head = new List<object> { Html.Tag("th", "") };
        foreach (var c in ci) head.Add(Html.Tag("th", c < 0 ? "…" : c.ToString(CultureInfo.InvariantCulture)));
        var body = new List<object> { Html.Tag("tr", head) };
        int r = 0;
        foreach (var rowIndex in ri)
        {
            var tds = new List<object> { Html.Tag("th", rowIndex < 0 ? "…" : t.dim() == 1 ? "" : rowIndex.ToString(CultureInfo.InvariantCulture)) };
            int c = 0;
            foreach (var colIndex in ci)
            {
                if (rowIndex < 0 || colIndex < 0) { tds.Add(Html.Tag("td", "…")); continue; }
                int k = r * shownCols + c;
                var style = heat && values is not null ? Heat(values[k], s) : null;
                tds.Add(style is null ? Html.Tag("td", cells[k]) : Html.Tag("td", Html.Style(style), cells[k]));
                c++;
            }
            if (rowIndex >= 0) r++;
            body.Add(Html.Tag("tr", tds));
        }
        return Html.Tag("table", body);
    }

    /// <summary>Cell strings of a small tensor, PyTorch's way; numeric values come back for the heatmap.</summary>
    static string[] CellText(Tensor shown, out double[]? values)
    {
        values = null;
        if (shown.dtype == ScalarType.Bool)
            return shown.ToArray<bool>().Select(b => b ? "True" : "False").ToArray();
        if (!shown.is_floating_point())
        {
            var longs = shown.ToArray<long>();
            values = longs.Select(v => (double)v).ToArray();
            return longs.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray();
        }
        values = shown.ToArray<double>();
        return FloatCells(values);
    }

    /// <summary>
    /// PyTorch's _Formatter for floating values at the default precision 4: integer-valued → "3.",
    /// a wide range (max/min &gt; 1000, max &gt; 1e8, min &lt; 1e-4) → "1.2346e+05", else "0.1235".
    /// </summary>
    internal static string[] FloatCells(double[] v)
    {
        var finite = v.Where(double.IsFinite).Select(Math.Abs).Where(x => x != 0).ToArray();
        bool intMode = v.Where(double.IsFinite).All(x => x == Math.Ceiling(x));
        bool sci = false;
        if (finite.Length > 0)
        {
            double mx = finite.Max(), mn = finite.Min();
            sci = intMode ? mx / mn > 1000 || mx > 1e8 : mx / mn > 1000 || mx > 1e8 || mn < 1e-4;
        }
        return v.Select(x => Float(x, intMode, sci)).ToArray();
    }

    static string Float(double x, bool intMode, bool sci)
    {
        if (double.IsNaN(x)) return "nan";
        if (double.IsInfinity(x)) return x > 0 ? "inf" : "-inf";
        if (sci) return x.ToString("0.0000e+00", CultureInfo.InvariantCulture);
        if (intMode) return x.ToString("0", CultureInfo.InvariantCulture) + ".";
        return x.ToString("0.0000", CultureInfo.InvariantCulture);
    }

    /// <summary>A number in a header: up to 6 significant digits.</summary>
    internal static string Num(double x) =>
        double.IsNaN(x) ? "nan" : double.IsInfinity(x) ? (x > 0 ? "inf" : "-inf") : x.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>Background for a heatmap cell: blue–white–red around 0 if the values have both signs, else white→blue.</summary>
    internal static string? Heat(double v, Stats s)
    {
        if (s.Min is not double mn || s.Max is not double mx || !double.IsFinite(v) || !double.IsFinite(mn) || !double.IsFinite(mx)) return null;
        (int r, int g, int b) rgb;
        if (mn < 0 && mx > 0)
        {
            double a = v >= 0 ? v / mx : v / -mn;                  // −1 … 1
            rgb = a >= 0 ? Mix((255, 255, 255), (178, 24, 43), a) : Mix((255, 255, 255), (33, 102, 172), -a);
        }
        else
        {
            double a = mx > mn ? (v - mn) / (mx - mn) : 0;
            rgb = Mix((247, 251, 255), (8, 48, 107), a);
        }
        double lum = 0.299 * rgb.r + 0.587 * rgb.g + 0.114 * rgb.b;
        return $"background-color:rgb({rgb.r},{rgb.g},{rgb.b});color:{(lum < 140 ? "#fff" : "#000")}";
    }

    static (int, int, int) Mix((int r, int g, int b) from, (int r, int g, int b) to, double a)
    {
        a = Math.Clamp(a, 0, 1);
        return ((int)Math.Round(from.r + (to.r - from.r) * a), (int)Math.Round(from.g + (to.g - from.g) * a), (int)Math.Round(from.b + (to.b - from.b) * a));
    }
}
