using Microsoft.DotNet.Interactive.Formatting;
using static Torchlet.torch.nn;

namespace Torchlet.Interactive.Formatters;

/// <summary>Registers the text/html and text/plain formatters of Torchlet's types.</summary>
public static class TorchletFormatters
{
    public static void Register()
    {
        // text/plain is PyTorch's own printing throughout.
        Formatter.Register<Tensor>((t, w) => w.Write(t.ToString()), PlainTextFormatter.MimeType);
        Formatter.Register<Tensor>((t, w) => TensorHtml.Render(new TensorView(t)).WriteTo(new FormatContext(w)), HtmlFormatter.MimeType);
        Formatter.Register<TensorView>((v, w) => w.Write(v.Tensor.ToString()), PlainTextFormatter.MimeType);
        Formatter.Register<TensorView>((v, w) => TensorHtml.Render(v).WriteTo(new FormatContext(w)), HtmlFormatter.MimeType);
        Formatter.Register<Module>((m, w) => w.Write(m.ToString()), PlainTextFormatter.MimeType);
        Formatter.Register<Module>((m, w) => SummaryText.Html(Summary.Of(m)).WriteTo(new FormatContext(w)), HtmlFormatter.MimeType);
        Formatter.Register<ModuleSummary>((s, w) => w.Write(SummaryText.Render(s)), PlainTextFormatter.MimeType);
        Formatter.Register<ModuleSummary>((s, w) => SummaryText.Html(s).WriteTo(new FormatContext(w)), HtmlFormatter.MimeType);
        // Both forms go into the notebook, so viewers without HTML (and diffs) still show PyTorch's text.
        foreach (var t in new[] { typeof(Tensor), typeof(TensorView), typeof(Module), typeof(ModuleSummary) })
            Formatter.SetPreferredMimeTypesFor(t, HtmlFormatter.MimeType, PlainTextFormatter.MimeType);
    }
}
