using System.Globalization;
using Microsoft.DotNet.Interactive.Formatting;

namespace Torchlet.Interactive.Directives;

/// <summary>A batch of images as one inline PNG, laid out by the engine's <c>torchvision.utils.make_grid</c>.</summary>
internal static class ImageGrid
{
    public static HtmlTag Render(Tensor t, long nrow, long padding, bool normalize)
    {
        var s = t.shape;
        bool batch = s.Length == 4 && (s[1] == 1 || s[1] == 3);
        bool gray = s.Length == 3;
        if (!batch && !gray)
            throw new NnCommandException($"expected a batch of images N×C×H×W (C = 1 or 3) or N×H×W, got shape {Html.ShapeText(s)}");
        if (s[0] == 0) throw new NnCommandException($"expected at least one image, got shape {Html.ShapeText(s)}");
        if (t.dtype == ScalarType.Bool) throw new NnCommandException("expected a numeric image tensor, got torch.bool");
        Tensor grid;
        double? min = null, max = null;
        using (torch.no_grad())
        {
            var x = t.detach();
            if (gray) x = x.unsqueeze(1);
            // uint8 images are read as [0, 255]; everything else is drawn as [0, 1] (clipped) unless normalised.
            x = x.dtype == ScalarType.Byte ? x.to(ScalarType.Float32).div(255.0) : x.is_floating_point() ? x : x.to(ScalarType.Float32);
            if (!normalize && x.numel() > 0)
            {
                min = x.min().to(ScalarType.Float64).item<double>();
                max = x.max().to(ScalarType.Float64).item<double>();
            }
            grid = torchvision.utils.make_grid(x, nrow: nrow, padding: padding, normalize: normalize);
        }
        long n = s[0], rows = (n + nrow - 1) / nrow, cols = Math.Min(n, nrow);
        var hdr = $"{n} image{(n == 1 ? "" : "s")} of {Html.ShapeText(s[1..])} · {rows}×{cols} grid (nrow {nrow}, padding {padding}" +
                  (normalize ? ", normalized" : "") + $") → image {Html.ShapeText(grid.shape)}";
        var note = min is double a && max is double b && (a < 0 || b > 1)
            ? Html.Tag("div", Html.Class("note"), $"values in [{Num(a)}, {Num(b)}] are clipped to [0, 1]; --normalize rescales them")
            : null;
        return Html.Box(Html.Tag("div", Html.Class("hdr"), hdr), note, ImageRendering.Render(grid, ImageRendering.PngEncoder));
    }

    static string Num(double x) => x.ToString("G4", CultureInfo.InvariantCulture);
}
