using System.Globalization;
using System.Text;
using Microsoft.DotNet.Interactive.Formatting;

namespace Torchlet.Interactive.Directives;

/// <summary>A histogram of a tensor's values as inline SVG: a bounded number of equal-width bins over [min, max].</summary>
internal static class Histogram
{
    public const int MaxBins = 50;

    /// <summary>Bin counts over [min, max]; the last bin includes max. NaN and infinities are counted apart.</summary>
    internal static (long[] Counts, double Min, double Max, long NonFinite, bool PerInteger) Bins(Tensor t)
    {
        if (t.dtype == ScalarType.Bool) throw new NnCommandException("a histogram needs numeric values, got torch.bool");
        if (t.numel() == 0) throw new NnCommandException($"a histogram needs at least one value, got an empty tensor of shape {Html.ShapeText(t.shape)}");
        double[] v;
        using (torch.no_grad()) v = t.detach().to(ScalarType.Float64).contiguous().ToArray<double>();
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        long nonFinite = 0;
        foreach (var x in v)
        {
            if (!double.IsFinite(x)) { nonFinite++; continue; }
            if (x < min) min = x;
            if (x > max) max = x;
        }
        if (nonFinite == v.Length) return ([], double.NaN, double.NaN, nonFinite, false);
        // Integer values with a small range get one bin per integer.
        bool ints = !t.is_floating_point() && max - min + 1 <= MaxBins;
        int bins = ints ? (int)(max - min + 1) : max == min ? 1 : (int)Math.Min(MaxBins, Math.Max(1, Math.Ceiling(Math.Sqrt(v.Length - nonFinite))));
        if (ints) max += 1;   // bin k = [min + k, min + k + 1)
        var counts = new long[bins];
        double w = (max - min) / bins;
        foreach (var x in v)
        {
            if (!double.IsFinite(x)) continue;
            int k = w == 0 ? 0 : (int)((x - min) / w);
            counts[Math.Clamp(k, 0, bins - 1)]++;
        }
        return (counts, min, max, nonFinite, ints);
    }

    public static HtmlTag Render(Tensor t)
    {
        var (counts, min, max, nonFinite, ints) = Bins(t);
        long n = t.numel();
        var hdr = $"Histogram of {n.ToString("N0", CultureInfo.InvariantCulture)} values of Tensor {Html.ShapeText(t.shape)} {Html.DType(t.dtype)}" +
                  (counts.Length > 0 ? $" · {counts.Length} bins over [{Num(min)}, {Num(max)}]" : "");
        var note = nonFinite > 0 ? Html.Tag("div", Html.Class("note"), $"{nonFinite} NaN/inf values are not binned") : null;
        if (counts.Length == 0) return Html.Box(Html.Tag("div", Html.Class("hdr"), hdr), note);

        const int W = 480, H = 160, L = 50, B = 20, T = 8;
        long top = counts.Max();
        double bw = (double)W / counts.Length;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W + L + 10}\" height=\"{H + B + T}\" font-family=\"monospace\" font-size=\"10\">");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{L}\" y1=\"{T + H}\" x2=\"{L + W}\" y2=\"{T + H}\" stroke=\"#999\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{L - 4}\" y=\"{T + 8}\" text-anchor=\"end\">{top}</text><text x=\"{L - 4}\" y=\"{T + H}\" text-anchor=\"end\">0</text>");
        double step = (max - min) / counts.Length;
        for (int k = 0; k < counts.Length; k++)
        {
            double h = top == 0 ? 0 : (double)counts[k] / top * H;
            double lo = min + k * step, hi = lo + step;
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect class=\"bin\" x=\"{L + k * bw:0.##}\" y=\"{T + H - h:0.##}\" width=\"{Math.Max(bw - 1, 1):0.##}\" height=\"{h:0.##}\" fill=\"#4c78a8\"><title>[{Num(lo)}, {Num(hi)}{(k == counts.Length - 1 && !ints ? "]" : ")")}: {counts[k]}</title></rect>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{L}\" y=\"{T + H + 14}\">{Html.Encode(Num(min))}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{L + W}\" y=\"{T + H + 14}\" text-anchor=\"end\">{Html.Encode(Num(max))}</text>");
        svg.Append("</svg>");
        return Html.Box(Html.Tag("div", Html.Class("hdr"), hdr), note, new Html.Raw(svg.ToString()));
    }

    static string Num(double x) => x.ToString("G4", CultureInfo.InvariantCulture);
}
