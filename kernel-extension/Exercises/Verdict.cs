using System.Text;
using Microsoft.DotNet.Interactive.Formatting;

namespace Torchlet.Interactive.Exercises;

/// <summary>The outcome of a check.</summary>
public enum VerdictKind
{
    /// <summary>Every expectation held.</summary>
    Correct,
    /// <summary>The learner's answer is there but something is wrong (or the learner's code failed).</summary>
    NotYet,
    /// <summary>None of the variables the checker looked for is defined yet: nothing to judge (not an attempt).</summary>
    Missing,
}

/// <summary>One line of a verdict: something right (✓), wrong (✗), or a remark.</summary>
public sealed record VerdictLine(VerdictLineKind Kind, string Text);

public enum VerdictLineKind { Right, Wrong, Note }

/// <summary>
/// What <c>#!nn check ID</c> says: correct, not yet (with the precise reasons) or nothing to check yet.
/// Ordinary output, never a failed cell.
/// </summary>
public sealed record Verdict(Exercise Exercise, VerdictKind Kind, IReadOnlyList<VerdictLine> Lines)
{
    /// <summary>The things found wrong, in the order the checker found them.</summary>
    public IEnumerable<string> Wrong => Lines.Where(l => l.Kind == VerdictLineKind.Wrong).Select(l => l.Text);

    /// <summary>The things found right.</summary>
    public IEnumerable<string> Right => Lines.Where(l => l.Kind == VerdictLineKind.Right).Select(l => l.Text);

    /// <summary>"correct", "not yet: …" (the first problem) or "nothing named `y` yet — …".</summary>
    public string Summary => Kind switch
    {
        VerdictKind.Correct => "correct",
        VerdictKind.NotYet => "not yet: " + (Wrong.FirstOrDefault() ?? "?"),
        _ => Wrong.FirstOrDefault() ?? "nothing to check yet",
    };

    /// <summary>text/plain: the summary line, then every line of the check (when there is more than the summary).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(Mark).Append(' ').Append(Exercise.Id).Append(' ').Append(Exercise.Title).Append(" — ").Append(Summary);
        if (ShowLines)
            foreach (var l in Lines)
                sb.Append('\n').Append("  ").Append(Symbol(l.Kind)).Append(' ').Append(l.Text);
        return sb.ToString();
    }

    string Mark => Kind switch { VerdictKind.Correct => "✓", VerdictKind.NotYet => "✗", _ => "·" };

    static string Symbol(VerdictLineKind k) => k switch { VerdictLineKind.Right => "✓", VerdictLineKind.Wrong => "✗", _ => "·" };

    // A lone line that the summary already says is not repeated.
    bool ShowLines => Lines.Count > 1 || (Lines.Count == 1 && Kind == VerdictKind.Correct);

    internal HtmlTag ToHtml() => Html.Box(Panel());

    /// <summary>The verdict's coloured panel, without the outer box (views put notes beside it).</summary>
    internal HtmlTag Panel()
    {
        var (color, background) = Kind switch
        {
            VerdictKind.Correct => ("#2e7d32", "#f1f8f1"),
            VerdictKind.NotYet => ("#a15c00", "#fff8ec"),
            _ => ("#555", "#f6f6f6"),
        };
        var head = Kind switch
        {
            VerdictKind.Correct => (object)Html.Tag("b", Html.Style($"color:{color}"), "✓ correct"),
            VerdictKind.NotYet => new object[] { Html.Tag("b", Html.Style($"color:{color}"), "not yet: "), Markup.Inline(Wrong.FirstOrDefault() ?? "") },
            _ => Markup.Inline(Summary),
        };
        return Html.Tag("div", Html.Style($"border-left:4px solid {color};background:{background};padding:4px 8px;white-space:normal"),
            Html.Tag("div", head, Html.Tag("span", Html.Class("note"), $"  ·  {Exercise.Id} {Exercise.Title}")),
            ShowLines ? Html.Tag("ul", Html.Style("list-style:none;margin:4px 0 0 0;padding-left:0.5em"),
                Lines.Select(l => Html.Tag("li", Html.Style("color:" + (l.Kind switch
                {
                    VerdictLineKind.Right => "#2e7d32",
                    VerdictLineKind.Wrong => "#a15c00",
                    _ => "#555",
                })), Symbol(l.Kind) + " ", Markup.Inline(l.Text)))) : null);
    }
}

/// <summary>Plain text with <c>`code`</c> spans, as exercises write it.</summary>
internal static class Markup
{
    static readonly (string, string)[] CodeStyle = Html.Style("background:rgba(127,127,127,.15);padding:0 2px;border-radius:2px");

    /// <summary>HTML children: the text with each <c>`…`</c> span as a <c>&lt;code&gt;</c> element.</summary>
    public static object[] Inline(string text)
    {
        var parts = text.Split('`');
        var children = new object[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            children[i] = i % 2 == 1 && i < parts.Length - 1 ? Html.Tag("code", CodeStyle, parts[i]) : (i % 2 == 1 ? "`" + parts[i] : parts[i]);
        return children;
    }
}
