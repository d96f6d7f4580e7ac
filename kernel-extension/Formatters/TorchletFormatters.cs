using Microsoft.DotNet.Interactive.Formatting;
using static Torchlet.torch.nn;

namespace Torchlet.Interactive;

/// <summary>Registers the text/html and text/plain formatters of Torchlet's types.</summary>
public static class TorchletFormatters
{
    public static void Register()
    {
        // text/plain is PyTorch's own printing throughout.
        Formatter.Register<Tensor>((t, w) => w.Write(t.ToString()), PlainTextFormatter.MimeType);
        Formatter.Register<Tensor>((t, w) => Safe(w, t, () => TensorHtml.Render(new TensorView(t))), HtmlFormatter.MimeType);
        Formatter.Register<TensorView>((v, w) => w.Write(v.Tensor.ToString()), PlainTextFormatter.MimeType);
        Formatter.Register<TensorView>((v, w) => Safe(w, v.Tensor, () => TensorHtml.Render(v)), HtmlFormatter.MimeType);
        Formatter.Register<Module>((m, w) => w.Write(m.ToString()), PlainTextFormatter.MimeType);
        Formatter.Register<Module>((m, w) => Safe(w, m, () => SummaryText.Html(Summary.Of(m))), HtmlFormatter.MimeType);
        Formatter.Register<ModuleSummary>((s, w) => w.Write(SummaryText.Render(s)), PlainTextFormatter.MimeType);
        Formatter.Register<ModuleSummary>((s, w) => Safe(w, s.Module, () => SummaryText.Html(s)), HtmlFormatter.MimeType);
        // A dtype shows as PyTorch prints it (torch.float32), as tensor headers and errors already do; a Size as
        // torch.Size([2, 3]) rather than as a list of its dims (it is enumerable).
        Formatter.Register<ScalarType>((t, w) => w.Write(t.TorchName()), PlainTextFormatter.MimeType);
        Formatter.Register<ScalarType>((t, w) => Html.Tag("code", t.TorchName()).WriteTo(new FormatContext(w)), HtmlFormatter.MimeType);
        Formatter.Register<Size>((s, w) => w.Write(s.ToString()), PlainTextFormatter.MimeType);
        Formatter.Register<Size>((s, w) => Html.Tag("code", s.ToString()).WriteTo(new FormatContext(w)), HtmlFormatter.MimeType);
        // Datasets, loaders and samplers are enumerable: as a cell's value the notebook would run through their items
        // (megabytes of tensors, a loader's first batches). They show their description instead, as torchvision
        // prints a dataset; transforms show torchvision's repr.
        var described = new[] { typeof(Data.Dataset), typeof(Data.IterableDataset<>), typeof(Data.DataLoader<,>), typeof(Data.Sampler),
                                typeof(Data.BatchSampler), typeof(Vision.ITransform) };
        foreach (var t in described)
        {
            Formatter.Register(t, (o, w) => w.Write(o.ToString()), PlainTextFormatter.MimeType);
            Formatter.Register(t, (o, w) => Safe(w, o, () => Html.Box(Html.Tag("pre", o.ToString() ?? ""))), HtmlFormatter.MimeType);
        }
        Formatter.Register<CaptionedImages>((g, w) => w.Write(g.ToString()), PlainTextFormatter.MimeType);
        Formatter.Register<CaptionedImages>((g, w) => Safe(w, g, () => g.ToHtml()), HtmlFormatter.MimeType);
        // Both forms go into the notebook, so viewers without HTML (and diffs) still show PyTorch's text.
        foreach (var t in new[] { typeof(Tensor), typeof(TensorView), typeof(Module), typeof(ModuleSummary), typeof(ScalarType), typeof(Size), typeof(CaptionedImages) }.Concat(described))
            Formatter.SetPreferredMimeTypesFor(t, HtmlFormatter.MimeType, PlainTextFormatter.MimeType);
    }

    // A view that cannot be drawn still shows the value as PyTorch prints it, with the reason, instead of
    // leaving the cell's output empty.
    static void Safe(TextWriter w, object value, Func<HtmlTag> render)
    {
        HtmlTag tag;
        try { tag = render(); }
        catch (Exception e)
        {
            tag = Html.Box(
                Html.Tag("div", Html.Class("note"), $"Torchlet could not draw this {value.GetType().Name}: {e.GetType().Name}: {e.Message}"),
                Html.Tag("pre", value.ToString()));
        }
        tag.WriteTo(new FormatContext(w));
    }
}
