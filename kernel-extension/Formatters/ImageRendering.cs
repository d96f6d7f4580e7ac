using Microsoft.DotNet.Interactive.Formatting;

namespace Torchlet.Interactive;

/// <summary>
/// Inline images: an image-shaped tensor (H×W, 1×H×W or 3×H×W, floating in [0, 1] or uint8) becomes
/// <c>&lt;img src="data:image/png;base64,..."&gt;</c>, encoded by the engine's <c>torchvision.utils.to_png</c>.
/// </summary>
internal static class ImageRendering
{
    /// <summary>The PNG encoder (a seam: tests pass their own to <see cref="TensorHtml.Render"/>).</summary>
    public static Func<Tensor, byte[]> PngEncoder { get; set; } = torchvision.utils.to_png;

    /// <summary>H×W, 1×H×W or 3×H×W (each side at least 2), uint8 or floating with every value in [0, 1].</summary>
    public static bool IsImageLike(Tensor t, TensorHtml.Stats stats)
    {
        var s = t.shape;
        bool shape = s.Length switch
        {
            2 => s[0] >= 2 && s[1] >= 2,
            3 => (s[0] == 1 || s[0] == 3) && s[1] >= 2 && s[2] >= 2,
            _ => false,
        };
        if (!shape) return false;
        if (t.dtype == ScalarType.Byte) return true;
        return t.is_floating_point() && stats.Min is >= 0.0 && stats.Max is <= 1.0;
    }

    /// <summary>
    /// Whether the automatic view draws an image-like tensor as a picture rather than numbers: channel-first
    /// images and uint8 matrices of at least 8×8, and floating matrices too big for a whole table (so that a
    /// small matrix of probabilities still shows its values).
    /// </summary>
    public static bool PreferImage(Tensor t, TensorHtml.Stats stats)
    {
        if (!IsImageLike(t, stats)) return false;
        var s = t.shape;
        long h = s[^2], w = s[^1];
        if (s.Length == 3 || t.dtype == ScalarType.Byte) return h >= 8 && w >= 8;
        return h > TensorView.MaxCells || w > TensorView.MaxCells;
    }

    /// <summary>At most this many images of a batch are drawn in its grid, so a big batch stays a small picture.</summary>
    public const int MaxGridImages = 64;

    /// <summary>
    /// A batch of images: N×C×H×W with C = 1 or 3, each side at least 8, uint8 or floating with finite values. A floating
    /// batch outside [0, 1] (a normalised one, as a DataLoader with Normalize gives) is drawn scaled to [0, 1].
    /// </summary>
    public static bool IsImageBatch(Tensor t, TensorHtml.Stats stats)
    {
        var s = t.shape;
        if (s.Length != 4 || s[0] < 1 || (s[1] != 1 && s[1] != 3) || s[2] < 8 || s[3] < 8) return false;
        if (t.dtype == ScalarType.Byte) return true;
        return t.is_floating_point() && stats.Min is double min && stats.Max is double max && double.IsFinite(min) && double.IsFinite(max);
    }

    /// <summary>
    /// The batch (its first <see cref="MaxGridImages"/> images) laid out by <c>torchvision.utils.make_grid</c>, 8 to a row;
    /// values outside [0, 1] are scaled from the batch's [min, max] as <c>make_grid(normalize=True)</c> does, and the note says so.
    /// </summary>
    public static HtmlTag RenderBatch(Tensor t, Func<Tensor, byte[]> encode, TensorHtml.Stats stats)
    {
        long n = t.shape[0], shown = Math.Min(n, MaxGridImages);
        bool scale = t.dtype != ScalarType.Byte && (stats.Min < 0 || stats.Max > 1);
        Tensor grid;
        using (torch.no_grad())
        {
            var x = t.detach().narrow(0, 0, shown);
            x = x.dtype == ScalarType.Byte ? x.to(ScalarType.Float32).div(255.0) : x;
            grid = scale
                ? torchvision.utils.make_grid(x, nrow: 8, padding: 2, normalize: true, value_range: (stats.Min!.Value, stats.Max!.Value))
                : torchvision.utils.make_grid(x, nrow: 8, padding: 2);
        }
        var call = scale ? "make_grid(nrow=8, padding=2, normalize=True)" : "make_grid(nrow=8, padding=2)";
        var note = $"{n} image{(n == 1 ? "" : "s")}" + (shown < n ? $", the first {shown} shown" : "") + $" · torchvision.utils.{call}" +
                   (scale ? $" · values in [{TensorHtml.Num(stats.Min!.Value)}, {TensorHtml.Num(stats.Max!.Value)}] shown as black to white" : "");
        return Html.Tag("div", Html.Tag("div", Html.Class("note"), note), Render(grid, encode));
    }

    /// <summary>Small images are shown enlarged by a whole factor up to this, so every pixel stays a crisp square.</summary>
    public const int MaxScale = 4;

    /// <summary>An enlarged image's longer side stays within this many CSS pixels.</summary>
    public const int ScaledSidePx = 512;

    /// <summary>
    /// The whole factor a <paramref name="h"/>×<paramref name="w"/> image is shown enlarged by: as large as keeps the
    /// longer side within <see cref="ScaledSidePx"/>, at most <see cref="MaxScale"/>, at least 1 (a 28×28 digit 4×, a
    /// grid of 8 of them 2×, a 600×400 picture 1×).
    /// </summary>
    public static int DisplayScale(long h, long w) =>
        (int)Math.Clamp(ScaledSidePx / Math.Max(1, Math.Max(h, w)), 1, MaxScale);

    /// <summary>
    /// An <c>&lt;img&gt;</c> with the PNG inline as a data URI. The PNG keeps the image's true size (its width and
    /// height attributes say so); CSS shows small images enlarged by <see cref="DisplayScale"/> with
    /// <c>image-rendering: pixelated</c>, so the pixels stay sharp squares instead of a blur. Where styles are
    /// stripped, the image shows at its true size.
    /// </summary>
    public static HtmlTag Render(Tensor t, Func<Tensor, byte[]> encode)
    {
        byte[] png;
        using (torch.no_grad()) png = encode(t.detach());
        var s = t.shape;
        long h = s[^2], w = s[^1];
        int scale = DisplayScale(h, w);
        var img = new HtmlTag("img") { IsSelfClosing = true };
        img.HtmlAttributes["src"] = "data:image/png;base64," + Convert.ToBase64String(png);
        img.HtmlAttributes["width"] = w.ToString(System.Globalization.CultureInfo.InvariantCulture);
        img.HtmlAttributes["height"] = h.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Enlarged: a fixed CSS size (not limited by the page's max-width:100%, which would squash it); at true size
        // the page's own rules apply.
        img.HtmlAttributes["style"] = scale > 1
            ? $"width:{w * scale}px;height:{h * scale}px;max-width:none;image-rendering:pixelated"
            : "image-rendering:pixelated";
        img.HtmlAttributes["alt"] = "tensor image " + Html.ShapeText(s);
        return img;
    }
}
