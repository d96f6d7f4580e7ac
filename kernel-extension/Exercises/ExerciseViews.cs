using System.Text;
using Microsoft.DotNet.Interactive.Formatting;

namespace Torchlet.Interactive.Exercises;

/// <summary>What an exercise subcommand shows: HTML, and the same in text/plain for clients and diffs without HTML.</summary>
internal sealed record ExerciseView(HtmlTag Html, string Text)
{
    public override string ToString() => Text;
}

/// <summary>Registers the text/html and text/plain formatters of the exercise views.</summary>
internal static class ExerciseFormatters
{
    public static void Register()
    {
        Formatter.Register<ExerciseView>((v, w) => v.Html.WriteTo(new FormatContext(w)), HtmlFormatter.MimeType);
        Formatter.Register<ExerciseView>((v, w) => w.Write(v.Text), PlainTextFormatter.MimeType);
        Formatter.Register<Verdict>((v, w) => v.ToHtml().WriteTo(new FormatContext(w)), HtmlFormatter.MimeType);
        Formatter.Register<Verdict>((v, w) => w.Write(v.ToString()), PlainTextFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(ExerciseView), HtmlFormatter.MimeType, PlainTextFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(Verdict), HtmlFormatter.MimeType, PlainTextFormatter.MimeType);
    }
}

/// <summary>The views of <c>#!nn exercise</c>, <c>check</c>, <c>hint</c> and <c>solution</c>.</summary>
internal static class ExerciseViews
{
    const string Green = "#2e7d32", Amber = "#a15c00", Grey = "#555";

    static string Name(Exercise e) => $"{e.Id} {e.Title}";

    /// <summary>Notes about the progress file, under the view.</summary>
    static ExerciseView WithNotes(object?[] html, StringBuilder text, IReadOnlyList<string> notes)
    {
        foreach (var n in notes) text.Append("\nNote: ").Append(n);
        return new ExerciseView(
            Html.Box(html, notes.Select(n => Html.Tag("div", Html.Class("note", "white-space:normal"), "Note: ", Markup.Inline(n)))),
            text.ToString());
    }

    static HtmlTag Panel(string color, params object?[] children) =>
        Html.Tag("div", Html.Style($"border-left:4px solid {color};padding:4px 8px;white-space:normal"), children);

    public static ExerciseView Verdict(Verdict v, IReadOnlyList<string> notes)
    {
        // The verdict's panel and the notes share one box.
        return WithNotes([v.Panel()], new StringBuilder(v.ToString()), notes);
    }

    public static ExerciseView List(IReadOnlyList<Exercise> exercises, ProgressData progress, string path, IReadOnlyList<string> notes)
    {
        var header = Html.Tag("tr", new[] { "Id", "Exercise", "Notebook", "Status", "Hints" }.Select(h => Html.Tag("th", Html.Class("name"), h)));
        var rows = new List<object> { header };
        var text = new StringBuilder();
        int idW = Math.Max(2, exercises.Select(e => e.Id.Length).DefaultIfEmpty(2).Max());
        int titleW = Math.Max(8, exercises.Select(e => e.Title.Length).DefaultIfEmpty(8).Max());
        int nbW = Math.Max(8, exercises.Select(e => e.Notebook.Length).DefaultIfEmpty(8).Max());
        text.Append("Id".PadRight(idW)).Append("  ").Append("Exercise".PadRight(titleW)).Append("  ").Append("Notebook".PadRight(nbW))
            .Append("  Status                   Hints");
        foreach (var e in exercises)
        {
            var p = progress.Of(e.Id);
            var (status, color) = Status(p);
            var hints = e.Hints.Count == 0 ? "—" : $"{Math.Min(p.HintsShown, e.Hints.Count)}/{e.Hints.Count}";
            rows.Add(Html.Tag("tr",
                Html.Tag("td", Html.Class("name"), e.Id),
                Html.Tag("td", Html.Class("name"), e.Title),
                Html.Tag("td", Html.Class("name"), e.Notebook),
                Html.Tag("td", Html.Class("name", "color:" + color), status),
                Html.Tag("td", hints)));
            text.Append('\n').Append(e.Id.PadRight(idW)).Append("  ").Append(e.Title.PadRight(titleW)).Append("  ")
                .Append(e.Notebook.PadRight(nbW)).Append("  ").Append(status.PadRight(23)).Append("  ").Append(hints);
        }
        int done = exercises.Count(e => progress.Of(e.Id).Solved);
        var summary = $"{done} of {exercises.Count} done · progress kept in {path}";
        text.Append('\n').Append(summary);
        return WithNotes([
            Html.Tag("div", Html.Class("hdr"), Html.Tag("b", "Exercises"), " — ", Html.Tag("code", "#!nn exercise ID"), " shows one, ",
                Html.Tag("code", "#!nn check ID"), " checks your answer, ", Html.Tag("code", "#!nn hint ID"), " gives the next hint"),
            Html.Tag("table", rows),
            Html.Tag("div", Html.Class("note"), summary)], text, notes);
    }

    static (string text, string color) Status(ExerciseProgress p) =>
        p.Solved ? ("✓ done" + (p.SolutionShown ? " (solution seen)" : ""), Green)
        : p.Attempts > 0 ? ($"attempted ({p.Attempts} check{(p.Attempts == 1 ? "" : "s")})", Amber)
        : ("not started", Grey);

    public static ExerciseView Statement(Exercise e, ExerciseProgress p, IReadOnlyList<string> notes)
    {
        var (status, color) = Status(p);
        var how = $"Write your answer in the next cell, then run `#!nn check {e.Id}`." +
                  (e.Hints.Count > 0 ? $" `#!nn hint {e.Id}` gives a hint ({e.Hints.Count} in all)." : "");
        var text = new StringBuilder($"Exercise {Name(e)} ({e.Notebook}) — {status}\n{e.Statement}\n{how}");
        return WithNotes([
            Panel("#1565c0",
                Html.Tag("div", Html.Tag("b", "Exercise " + Name(e)), Html.Tag("span", Html.Class("note", "color:" + color), "  ·  " + status)),
                Html.Tag("p", Html.Style("margin:4px 0"), Markup.Inline(e.Statement)),
                Html.Tag("div", Html.Class("note"), Markup.Inline(how)))], text, notes);
    }

    /// <summary>Hint <paramref name="shown"/> (1-based) of the exercise's, with the earlier ones under it.</summary>
    public static ExerciseView Hint(Exercise e, int shown, IReadOnlyList<string> notes)
    {
        if (e.Hints.Count == 0)
        {
            var none = $"Exercise {Name(e)} has no hints. After a first `#!nn check {e.Id}`, `#!nn solution {e.Id}` shows a reference solution.";
            return WithNotes([Panel(Grey, Markup.Inline(none))], new StringBuilder(none), notes);
        }
        var text = new StringBuilder();
        object?[] head;
        if (shown > e.Hints.Count)
        {
            var all = $"No more hints for {Name(e)}: all {e.Hints.Count} are below. After a first `#!nn check {e.Id}`, `#!nn solution {e.Id}` shows a reference solution.";
            text.Append(all);
            head = [Html.Tag("div", Markup.Inline(all))];
        }
        else
        {
            text.Append($"Hint {shown} of {e.Hints.Count} for {Name(e)}: {e.Hints[shown - 1]}");
            head = [Html.Tag("div", Html.Tag("b", $"Hint {shown} of {e.Hints.Count}"), Html.Tag("span", Html.Class("note"), "  ·  " + Name(e))),
                    Html.Tag("p", Html.Style("margin:4px 0"), Markup.Inline(e.Hints[shown - 1]))];
        }
        int earlier = Math.Min(shown - 1, e.Hints.Count);
        var earlierHtml = new List<object>();
        for (int i = 0; i < earlier; i++)
        {
            text.Append($"\n  hint {i + 1}: {e.Hints[i]}");
            earlierHtml.Add(Html.Tag("li", $"hint {i + 1}: ", Markup.Inline(e.Hints[i])));
        }
        return WithNotes([Panel("#1565c0", head,
            earlier > 0 ? Html.Tag("ul", Html.Class("note", "margin:2px 0;padding-left:1.2em;white-space:normal"), earlierHtml) : null)], text, notes);
    }

    public static ExerciseView Solution(Exercise e, IReadOnlyList<string> notes)
    {
        var text = new StringBuilder($"Reference solution of {Name(e)} (one way among several):\n{e.Solution}");
        return WithNotes([Panel(Green,
            Html.Tag("div", Html.Tag("b", "Reference solution"), Html.Tag("span", Html.Class("note"), "  ·  " + Name(e) + " · one way among several")),
            Html.Tag("pre", Html.Style("margin:4px 0;white-space:pre"), Html.Tag("code", e.Solution)))], text, notes);
    }

    public static ExerciseView SolutionLocked(Exercise e, ExerciseProgress p, IReadOnlyList<string> notes)
    {
        var hint = e.Hints.Count == 0 ? ""
            : p.HintsShown < e.Hints.Count ? $" Stuck? `#!nn hint {e.Id}` gives hint {p.HintsShown + 1} of {e.Hints.Count}."
            : "";
        var message = $"The solution of {Name(e)} opens after a first attempt: write your answer in the cell above and run `#!nn check {e.Id}`.{hint}";
        return WithNotes([Panel(Grey, Markup.Inline(message))], new StringBuilder(message), notes);
    }
}
