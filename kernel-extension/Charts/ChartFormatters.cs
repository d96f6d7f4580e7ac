using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;

namespace Torchlet.Interactive;

/// <summary>
/// text/html and text/plain for the chart types, and for Plotly.NET's GenericChart (as Plotly.NET.Interactive does, but
/// drawing with the embedded plotly.js instead of a CDN's).
/// </summary>
internal static class ChartFormatters
{
    public static void Register()
    {
        Formatter.Register<GenericChart>((c, w) => w.Write(Plot.Html(c)), HtmlFormatter.MimeType);
        Formatter.Register<ActivationGallery>((g, w) => w.Write(Html(g)), HtmlFormatter.MimeType);
        Formatter.Register<ActivationGallery>((g, w) => w.Write(g.ToString()), PlainTextFormatter.MimeType);
        Formatter.Register<CurvesView>((v, w) => w.Write(Html(v)), HtmlFormatter.MimeType);
        Formatter.Register<CurvesView>((v, w) => w.Write(v.Verdict.Text), PlainTextFormatter.MimeType);
        Formatter.Register<TrainingHistory>((h, w) => w.Write(Html(h)), HtmlFormatter.MimeType);
        Formatter.Register<TrainingHistory>((h, w) => w.Write(h.ToString()), PlainTextFormatter.MimeType);
        Formatter.Register<LiveFrame>((f, w) => w.Write(f.Html), HtmlFormatter.MimeType);
        Formatter.Register<LiveFrame>((f, w) => w.Write(f.Text), PlainTextFormatter.MimeType);
        Formatter.Register<PlotlyLoader>((_, w) => w.Write(PlotlyEmbed.LoaderHtml()), HtmlFormatter.MimeType);
        Formatter.Register<PlotlyLoader>((l, w) => w.Write(l.ToString()), PlainTextFormatter.MimeType);
        foreach (var t in new[] { typeof(ActivationGallery), typeof(CurvesView), typeof(TrainingHistory), typeof(LiveFrame), typeof(PlotlyLoader) })
            Formatter.SetPreferredMimeTypesFor(t, HtmlFormatter.MimeType, PlainTextFormatter.MimeType);
    }

    static string Render(HtmlTag tag)
    {
        using var sw = new StringWriter();
        tag.WriteTo(new FormatContext(sw));
        return sw.ToString();
    }

    public static string Html(ActivationGallery g) => Render(Interactive.Html.Box(
        Interactive.Html.Tag("div", Interactive.Html.Class("hdr"), "Activation functions (solid) and their derivatives (dashed), computed by the engine's autograd"),
        g.Figures.Select(f => (object?)new Interactive.Html.Raw(Plot.Html(f.Chart))).ToList()));

    public static string Html(CurvesView v) => Render(Interactive.Html.Box(
        Interactive.Html.Tag("div", Interactive.Html.Class("hdr"), Interactive.Html.Tag("b", v.Verdict.Case.ToString()), " · ", v.Verdict.Text),
        v.Figures.Select(f => (object?)new Interactive.Html.Raw(Plot.Html(f.Chart))).ToList(),
        NotesTable()));

    /// <summary>A history as a cell's value: its curves, with the verdict when a loss and its validation exist.</summary>
    public static string Html(TrainingHistory h)
    {
        if (h.Names.Count == 0)
            return Render(Interactive.Html.Box(Interactive.Html.Tag("div", Interactive.Html.Class("note"), "TrainingHistory: nothing recorded yet")));
        var verdict = h.Contains("loss") && h.Contains("val_loss") ? FitRules.Judge(h) : null;
        return Render(Interactive.Html.Box(
            verdict is null ? null : Interactive.Html.Tag("div", Interactive.Html.Class("hdr"), Interactive.Html.Tag("b", verdict.Case.ToString()), " · ", verdict.Text),
            Charts.CurveFigures(h).Select(f => (object?)new Interactive.Html.Raw(Plot.Html(f.Chart))).ToList()));
    }

    static HtmlTag NotesTable()
    {
        HtmlTag Row(string a, string b, string c) =>
            Interactive.Html.Tag("tr", Interactive.Html.Tag("td", Interactive.Html.Class("name"), a), Interactive.Html.Tag("td", Interactive.Html.Class("name"), b), Interactive.Html.Tag("td", Interactive.Html.Class("name"), c));
        return Interactive.Html.Tag("details",
            Interactive.Html.Tag("summary", "The notes' table"),
            Interactive.Html.Tag("table",
                Interactive.Html.Tag("tr", Interactive.Html.Tag("th", ""), Interactive.Html.Tag("th", "Underfitting"), Interactive.Html.Tag("th", "Overfitting")),
                Row("Main source of generalisation error", "bias", "variance"),
                Row("Model complexity", "too low", "too high"),
                Row("Learning and validation curves", "converge to a large error", "large gap between the two curves"),
                Row("Remedy", "increase model complexity", "reduce model complexity or enlarge the training set")));
    }
}
