using System.Text;
using Microsoft.DotNet.Interactive.Formatting;

namespace Torchlet.Interactive;

/// <summary>
/// Small builders over the Formatting package's <see cref="HtmlTag"/>. Children are strings (HTML-encoded
/// here: HtmlTag writes string content as-is), other tags, or sequences of either; nulls are skipped.
/// Nothing here touches Microsoft.AspNetCore.Html types (see the facts file: that assembly's version here
/// cannot be loaded by every client).
/// </summary>
internal static class Html
{
    public static HtmlTag Tag(string name, params object?[] children) =>
        new(name, ctx => WriteChildren(ctx, children));

    public static HtmlTag Tag(string name, (string name, string value)[] attributes, params object?[] children)
    {
        var tag = Tag(name, children);
        foreach (var (n, v) in attributes) tag.HtmlAttributes[n] = v;
        return tag;
    }

    /// <summary>Markup that is already HTML (e.g. a data URI image built here), written unencoded.</summary>
    public sealed record Raw(string Markup);

    public static (string, string)[] Style(string css) => [("style", css)];

    public static (string, string)[] Class(string cls, string? css = null) =>
        css is null ? [("class", cls)] : [("class", cls), ("style", css)];

    static void WriteChildren(FormatContext ctx, IEnumerable<object?> children)
    {
        foreach (var child in children)
        {
            switch (child)
            {
                case null: break;
                case string s: ctx.Writer.Write(Encode(s)); break;
                case Raw r: ctx.Writer.Write(r.Markup); break;
                case HtmlTag t: t.WriteTo(ctx); break;
                case IEnumerable<object?> many: WriteChildren(ctx, many); break;
                default: ctx.Writer.Write(Encode(child.ToString() ?? "")); break;
            }
        }
    }

    /// <summary>Escapes the five HTML-special characters only (WebUtility would also turn "·" into "&amp;#183;").</summary>
    public static string Encode(string s)
    {
        if (s.AsSpan().IndexOfAny("&<>\"'") < 0) return s;
        var sb = new StringBuilder(s.Length + 16);
        foreach (var ch in s)
            sb.Append(ch switch { '&' => "&amp;", '<' => "&lt;", '>' => "&gt;", '"' => "&quot;", '\'' => "&#39;", _ => ch.ToString() });
        return sb.ToString();
    }

    /// <summary>The shape as PyTorch's <c>torch.Size([2, 3])</c> lists it: <c>[2, 3]</c>.</summary>
    public static string ShapeText(long[] shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>The dtype as PyTorch prints it (the engine's own helper is internal).</summary>
    public static string DType(ScalarType t) => t switch
    {
        ScalarType.Byte => "torch.uint8",
        ScalarType.Int32 => "torch.int32",
        ScalarType.Int64 => "torch.int64",
        ScalarType.Float32 => "torch.float32",
        ScalarType.Float64 => "torch.float64",
        ScalarType.Bool => "torch.bool",
        _ => "torch." + t.ToString().ToLowerInvariant(),
    };

    /// <summary>Bytes in binary units, as torchinfo-style summaries show sizes.</summary>
    public static string Bytes(long n) => n switch
    {
        < 1024 => $"{n} B",
        < 1024 * 1024 => $"{n / 1024.0:0.##} KiB",
        < 1024L * 1024 * 1024 => $"{n / (1024.0 * 1024):0.##} MiB",
        _ => $"{n / (1024.0 * 1024 * 1024):0.##} GiB",
    };

    /// <summary>Shared CSS of every Torchlet view, scoped by the <c>torchlet</c> class.</summary>
    public const string Css =
        ".torchlet{font-family:var(--jp-code-font-family,monospace);font-size:12px;overflow-x:auto}" +
        ".torchlet .hdr{margin:2px 0 4px 0;color:#555}" +
        ".torchlet table{border-collapse:collapse;margin:0}" +
        ".torchlet td,.torchlet th{border:1px solid #ddd;padding:1px 6px;text-align:right;white-space:nowrap}" +
        ".torchlet th{background:#f4f4f4;color:#666;font-weight:normal}" +
        ".torchlet td.name,.torchlet th.name{text-align:left;white-space:pre}" +
        ".torchlet tr.total td{font-weight:bold;border-top:2px solid #999}" +
        ".torchlet .note{color:#777;font-size:11px}";

    /// <summary>The outer box of a view: its scoped style sheet, then the content.</summary>
    public static HtmlTag Box(params object?[] children) =>
        Tag("div", Class("torchlet"), Tag("style", new Raw(Css)), children);
}
