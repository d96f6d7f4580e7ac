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

    /// <summary>An <c>&lt;img&gt;</c> with the PNG inline as a data URI.</summary>
    public static HtmlTag Render(Tensor t, Func<Tensor, byte[]> encode)
    {
        byte[] png;
        using (torch.no_grad()) png = encode(t.detach());
        var s = t.shape;
        long h = s[^2], w = s[^1];
        // Small images are scaled up (pixelated) so that a 28×28 digit is visible.
        long scale = Math.Max(1, 256 / Math.Max(h, w));
        var img = new HtmlTag("img") { IsSelfClosing = true };
        img.HtmlAttributes["src"] = "data:image/png;base64," + Convert.ToBase64String(png);
        img.HtmlAttributes["width"] = (w * scale).ToString();
        img.HtmlAttributes["height"] = (h * scale).ToString();
        img.HtmlAttributes["style"] = "image-rendering:pixelated";
        img.HtmlAttributes["alt"] = "tensor image " + Html.ShapeText(s);
        return img;
    }
}
