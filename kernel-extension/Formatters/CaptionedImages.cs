using System.Globalization;
using Microsoft.DotNet.Interactive.Formatting;

namespace Torchlet.Interactive;

/// <summary>Pictures with words: a batch of images laid out in rows, each with a caption under it (or none), enlarged.</summary>
public static class Images
{
    /// <summary>At most this many images are drawn (the first ones), so a big batch stays a small picture.</summary>
    public const int MaxImages = 64;

    /// <summary>
    /// A batch of images (N×C×H×W with C = 1 or 3, or N×H×W; uint8, or floating) with one caption per image, e.g.
    /// <c>Images.Grid(wrong, captions: wrongLabels.Select(i => $"{classes[i]}"))</c> for misclassified test images.
    /// Floating images with values outside [0, 1] (a normalised batch) are drawn scaled from the batch's [min, max],
    /// as <c>make_grid(normalize=True)</c> does; <paramref name="scale"/> enlarges each pixel (28×28 → 56×56 at 2).
    /// </summary>
    public static CaptionedImages Grid(Tensor images, IEnumerable<string> captions, int nrow = 8, int scale = 2)
    {
        ArgumentNullException.ThrowIfNull(captions);
        return Make(images, captions, nrow, scale);
    }

    /// <summary>
    /// A batch of images without captions, each pixel enlarged <paramref name="scale"/> times (a notebook's default view of a
    /// batch draws it at its own size): <c>Images.Grid(fake[..16])</c>.
    /// </summary>
    public static CaptionedImages Grid(Tensor images, int nrow = 8, int scale = 2)
    {
        ArgumentNullException.ThrowIfNull(images);
        return Make(images, Enumerable.Repeat("", images.dim() >= 3 ? (int)images.shape[0] : 0), nrow, scale);
    }

    static CaptionedImages Make(Tensor images, IEnumerable<string> captions, int nrow, int scale)
    {
        ArgumentNullException.ThrowIfNull(images);
        var s = images.shape;
        bool batch = s.Length == 4 && (s[1] == 1 || s[1] == 3);
        if (!batch && s.Length != 3)
            throw new ArgumentException($"Images.Grid: expected a batch of images N×C×H×W (C = 1 or 3) or N×H×W, got shape {Html.ShapeText(s)}", nameof(images));
        if (images.dtype == ScalarType.Bool)
            throw new ArgumentException("Images.Grid: expected a numeric image tensor, got torch.bool", nameof(images));
        if (nrow < 1) throw new ArgumentOutOfRangeException(nameof(nrow), nrow, "Images.Grid: expected at least one image per row");
        if (scale < 1 || scale > 16) throw new ArgumentOutOfRangeException(nameof(scale), scale, "Images.Grid: expected a scale from 1 to 16");
        var list = captions.ToList();
        if (list.Count != s[0])
            throw new ArgumentException($"Images.Grid: {s[0]} image{(s[0] == 1 ? "" : "s")} but {list.Count} caption{(list.Count == 1 ? "" : "s")}: give one caption per image", nameof(captions));
        return new CaptionedImages(images, list, nrow, scale);
    }
}

/// <summary>
/// What <c>Images.Grid</c> shows: in HTML, the images in rows of <see cref="Nrow"/> with their captions; in
/// plain text, the captions.
/// </summary>
public sealed class CaptionedImages
{
    internal CaptionedImages(Tensor images, IReadOnlyList<string> captions, int nrow, int scale)
    {
        Images = images;
        Captions = captions;
        Nrow = nrow;
        Scale = scale;
    }

    public Tensor Images { get; }
    public IReadOnlyList<string> Captions { get; }
    public int Nrow { get; }
    public int Scale { get; }

    long Count => Images.shape[0];
    long Shown => Math.Min(Count, Interactive.Images.MaxImages);

    public override string ToString()
    {
        var shown = Captions.Take((int)Shown).Where(c => c.Length > 0).ToList();   // empty captions (no words under an image) are left out
        return $"{Count} image{(Count == 1 ? "" : "s")} of {Html.ShapeText(Images.shape[1..])}" + (shown.Count == 0 ? "" : ": " + string.Join(" · ", shown)) +
               (Shown < Count && shown.Count > 0 ? $" · … ({Count - Shown} more)" : "");
    }

    internal HtmlTag ToHtml(Func<Tensor, byte[]>? png = null)
    {
        var encode = png ?? ImageRendering.PngEncoder;
        var figures = new List<HtmlTag>();
        string? note = null;
        if (Count > 0)
        {
            Tensor x;
            using (torch.no_grad())
            {
                x = Images.detach().narrow(0, 0, Shown);
                if (x.dim() == 3) x = x.unsqueeze(1);
                x = x.dtype == ScalarType.Byte ? x.to(ScalarType.Float32).div(255.0) : x.to(ScalarType.Float32);
                double min = x.min().item<float>(), max = x.max().item<float>();
                if (!double.IsFinite(min) || !double.IsFinite(max))
                    throw new ArgumentException("Images.Grid: the images contain NaN or infinite values");
                if (min < 0 || max > 1)
                {
                    x = max > min ? (x - min) / (max - min) : torch.zeros_like(x);
                    note = $"values in [{Num(min)}, {Num(max)}] shown as black to white";
                }
            }
            long h = x.shape[2], w = x.shape[3];
            for (long i = 0; i < Shown; i++)
            {
                byte[] bytes;
                using (torch.no_grad()) bytes = encode(x[i]);
                var img = new HtmlTag("img") { IsSelfClosing = true };
                img.HtmlAttributes["src"] = "data:image/png;base64," + Convert.ToBase64String(bytes);
                img.HtmlAttributes["width"] = (w * Scale).ToString(CultureInfo.InvariantCulture);
                img.HtmlAttributes["height"] = (h * Scale).ToString(CultureInfo.InvariantCulture);
                img.HtmlAttributes["style"] = "image-rendering:pixelated;display:block;margin:0 auto";
                img.HtmlAttributes["alt"] = Captions[(int)i];
                var caption = Captions[(int)i];
                figures.Add(Html.Tag("figure", Html.Style("margin:0;text-align:center;max-width:" + Math.Max(w * Scale, 96) + "px"),
                    img, caption.Length == 0 ? null : Html.Tag("figcaption", Html.Style("font-size:11px;line-height:1.2;word-wrap:break-word"), caption)));
            }
        }
        var hdr = $"{Count} image{(Count == 1 ? "" : "s")} of {Html.ShapeText(Images.shape[1..])}" +
                  (Shown < Count ? $", the first {Shown} shown" : "") + (note is null ? "" : " · " + note);
        return Html.Box(Html.Tag("div", Html.Class("hdr"), hdr),
            Html.Tag("div", Html.Style($"display:grid;grid-template-columns:repeat({Math.Min(Nrow, Math.Max(1, Shown))}, max-content);gap:{(Captions.Any(c => c.Length > 0) ? "8px 10px" : "4px")};align-items:start"), figures));
    }

    static string Num(double x) => x.ToString("G4", CultureInfo.InvariantCulture);
}
