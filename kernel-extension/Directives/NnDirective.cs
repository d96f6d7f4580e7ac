using System.Reflection;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using Microsoft.DotNet.Interactive.Formatting;

namespace Torchlet.Interactive.Directives;

/// <summary>A failure of a <c>#!nn</c> subcommand: its message is shown in the cell, which fails.</summary>
public sealed class NnCommandException(string message) : Exception(message);

/// <summary>
/// Base of every <c>#!nn</c> subcommand's bound parameters. Values arrive as text (the directive parser writes
/// unquoted values as JSON strings) and are parsed by the subcommand itself, so every error message is ours.
/// </summary>
public abstract class NnCommand : KernelDirectiveCommand
{
    /// <summary><c>--help</c> (declared on <c>#!nn</c> itself, so every subcommand accepts it).</summary>
    public bool Help { get; set; }
}

/// <summary>What a subcommand's handler gets: the notebook's C# variables and the raw directive text.</summary>
public sealed class NnContext
{
    readonly Kernel _root;
    internal NnContext(Kernel root, string directiveText) { _root = root; DirectiveText = directiveText; }

    /// <summary>The directive line as written in the cell (e.g. <c>#!nn grid x --nrow 4</c>).</summary>
    public string DirectiveText { get; }

    /// <summary>The notebook's C# kernel, or null (exercise checkers read variables of every type through it).</summary>
    internal CSharpKernel? CSharpKernel => FindCSharp(_root);

    /// <summary>A variable of the C# kernel, of type <typeparamref name="T"/>; a clear error otherwise.</summary>
    public T Get<T>(string? name, string what, string argument) where T : class
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new NnCommandException($"expected {argument}: the name of {what} variable, got nothing");
        var csharp = FindCSharp(_root)
                     ?? throw new NnCommandException("no C# kernel found: #!nn reads variables from the C# kernel");
        if (!csharp.TryGetValue<object>(name, out var value))
            throw new NnCommandException($"unknown variable '{name}': no C# variable of that name has been defined (run the cell that defines it first)");
        if (value is T t) return t;
        throw new NnCommandException(
            $"'{name}' is {(value is null ? "null" : "a " + TypeName(value.GetType()))}; expected {what}");
    }

    static CSharpKernel? FindCSharp(Kernel k) => k switch
    {
        CSharpKernel cs => cs,
        CompositeKernel c => c.FindKernelByName("csharp") as CSharpKernel ?? c.ChildKernels.OfType<CSharpKernel>().FirstOrDefault(),
        _ => null,
    };

    internal static string TypeName(Type t) =>
        t == typeof(Tensor) ? "Tensor"
        : typeof(torch.nn.Module).IsAssignableFrom(t) ? t.Name + " (nn.Module)"
        : t.IsGenericType ? t.Name[..t.Name.IndexOf('`')] + "<" + string.Join(", ", t.GetGenericArguments().Select(TypeName)) + ">"
        : t.Name;
}

/// <summary>One <c>#!nn</c> subcommand: name, help text, parameters and handler.</summary>
public sealed class NnSubcommand
{
    public string Name { get; }
    public string Description { get; }
    public IReadOnlyList<string> Examples { get; }
    public IReadOnlyList<NnParameter> Parameters { get; }
    internal Action<Kernel, KernelActionDirective> Register { get; }

    NnSubcommand(string name, string description, string[] examples, NnParameter[] parameters, Action<Kernel, KernelActionDirective> register)
    {
        Name = name; Description = description; Examples = examples; Parameters = parameters; Register = register;
    }

    /// <summary>
    /// A subcommand whose parameters bind to <typeparamref name="TCommand"/>'s properties (<c>--nrow</c> → <c>Nrow</c>,
    /// the implicit one by its own property name). <paramref name="run"/> returns what to show: an object with a
    /// registered formatter, or null for nothing; it throws <see cref="NnCommandException"/> to fail the cell.
    /// </summary>
    public static NnSubcommand Create<TCommand>(string name, string description, string[] examples,
        NnParameter[] parameters, Func<TCommand, NnContext, object?> run) where TCommand : NnCommand
    {
        NnSubcommand? self = null;
        self = new NnSubcommand(name, description, examples, parameters, (root, directive) =>
            root.AddDirective<TCommand>(directive, (cmd, ctx) =>
            {
                NnDirective.Invoke(self!, cmd, ctx, raw => run(cmd, new NnContext(root, raw)));
                return Task.CompletedTask;
            }));
        return self;
    }
}

/// <summary>A parameter of a subcommand: <c>--name</c>, or the implicit (positional) one when <see cref="Implicit"/>.</summary>
public sealed record NnParameter(string Name, string Description, bool Implicit = false, bool Flag = false, bool Required = false);

/// <summary>The <c>#!nn</c> magic command: one directive on the root kernel, one subcommand per entry of <see cref="Subcommands"/>.</summary>
public static class NnDirective
{
    public const string Name = "#!nn";

    /// <summary>The subcommands, in the order <c>#!nn help</c> lists them. Add an entry before <see cref="Register"/> runs to add one.</summary>
    public static List<NnSubcommand> Subcommands { get; } = [.. NnCommands.All(), .. Exercises.ExerciseCommands.All()];

    /// <summary>Registers <c>#!nn</c> on the root kernel (idempotent per kernel).</summary>
    public static void Register(Kernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        var root = kernel.RootKernel;
        if (root.KernelInfo.SupportedDirectives.Any(d => d.Name == Name)) return;
        var top = new KernelActionDirective(Name)
        {
            Description = "Torchlet helpers: " + string.Join(", ", Subcommands.Select(s => s.Name)) + ". #!nn help lists them.",
        };
        top.Parameters.Add(new KernelDirectiveParameter("--help", "Show help") { Flag = true });
        var subs = new List<(NnSubcommand, KernelActionDirective)>();
        foreach (var s in Subcommands)
        {
            var d = new KernelActionDirective(s.Name) { Description = s.Description };
            foreach (var p in s.Parameters)
                d.Parameters.Add(new KernelDirectiveParameter(p.Implicit ? p.Name : "--" + p.Name, p.Description)
                {
                    AllowImplicitName = p.Implicit,
                    Flag = p.Flag,
                });
            top.Subcommands.Add(d);
            subs.Add((s, d));
        }
        root.AddDirective<HelpCommand>(top, (cmd, ctx) =>
        {
            var raw = RawText(cmd, null);
            var tokens = Tokens(raw).Skip(1).ToList();
            if (tokens.FirstOrDefault(w => w.StartsWith("--", StringComparison.Ordinal) && w != "--help") is { } bad)
            {
                ctx.Fail(cmd, message: $"#!nn: unknown option {bad}; #!nn takes --help or a subcommand: " + string.Join(", ", Subcommands.Select(s => s.Name)));
                return Task.CompletedTask;
            }
            var words = tokens.Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToList();
            if (words.Count > 0 && words[0] != "help")
            {
                var near = Subcommands.Select(s => s.Name).Where(n => Close(n, words[0])).ToList();
                ctx.Fail(cmd, message: $"#!nn: unknown subcommand '{words[0]}'" +
                    (near.Count > 0 ? $" (did you mean {string.Join(" or ", near)}?)" : "") +
                    "; subcommands: " + string.Join(", ", Subcommands.Select(s => s.Name)) + ". #!nn help lists them with examples.");
                return Task.CompletedTask;
            }
            Show(ctx, HelpHtml());
            return Task.CompletedTask;
        });
        foreach (var (s, d) in subs) s.Register(root, d);
    }

    /// <summary>The bound command of <c>#!nn</c> alone, <c>#!nn --help</c> and <c>#!nn help</c>.</summary>
    public sealed class HelpCommand : NnCommand;

    internal static void Invoke(NnSubcommand sub, NnCommand cmd, KernelInvocationContext ctx, Func<string, object?> run)
    {
        var raw = RawText(cmd, sub.Name);
        try
        {
            if (cmd.Help) { Show(ctx, SubcommandHelp(sub)); return; }
            CheckArguments(sub, raw);
            var result = run(raw);
            if (result is not null) Show(ctx, result);
        }
        catch (NnCommandException e) { ctx.Fail(cmd, message: $"#!nn {sub.Name}: {e.Message}"); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Engine errors (bad shapes, a failed forward pass) carry their own explanation.
            ctx.Fail(cmd, message: $"#!nn {sub.Name}: {e.Message}");
        }
    }

    static void Show(KernelInvocationContext ctx, object value)
    {
        if (value is HtmlTag tag) ctx.DisplayAs(tag.ToString(), HtmlFormatter.MimeType);
        else ctx.Display(value, HtmlFormatter.MimeType, PlainTextFormatter.MimeType);
    }

    /// <summary>
    /// The parser silently drops options it does not know, so the directive line is checked here: every
    /// <c>--option</c> must be one of the subcommand's, and at most one positional value is allowed.
    /// </summary>
    internal static void CheckArguments(NnSubcommand sub, string raw)
    {
        var tokens = Tokens(raw);
        // tokens[0] = "#!nn", tokens[1] = the subcommand.
        int i = 2, positional = 0;
        var known = sub.Parameters.Where(p => !p.Implicit).ToDictionary(p => "--" + p.Name);
        while (i < tokens.Count)
        {
            var t = tokens[i++];
            if (t.StartsWith("--", StringComparison.Ordinal))
            {
                if (t == "--help") continue;
                if (!known.TryGetValue(t, out var p))
                    throw new NnCommandException($"unknown option {t}; " + (known.Count == 0
                        ? "this subcommand takes no options"
                        : "options: " + string.Join(", ", known.Keys)) + $". #!nn {sub.Name} --help shows them.");
                if (!p.Flag)
                {
                    if (i >= tokens.Count || tokens[i].StartsWith("--", StringComparison.Ordinal))
                        throw new NnCommandException($"option {t} needs a value");
                    i++;
                }
                continue;
            }
            positional++;
            if (positional > (sub.Parameters.Any(p => p.Implicit) ? 1 : 0))
                throw new NnCommandException($"unexpected argument '{t}'" +
                    (sub.Parameters.FirstOrDefault(p => p.Implicit) is { } imp ? $" (only one {imp.Name} is taken)" : " (this subcommand takes no positional value)"));
        }
    }

    /// <summary>Whitespace-separated words of the directive line; double quotes group.</summary>
    internal static List<string> Tokens(string line)
    {
        var list = new List<string>();
        var cur = new System.Text.StringBuilder();
        bool quoted = false, any = false;
        foreach (var ch in line)
        {
            if (ch == '"') { quoted = !quoted; any = true; continue; }
            if (char.IsWhiteSpace(ch) && !quoted)
            {
                if (any) { list.Add(cur.ToString()); cur.Clear(); any = false; }
                continue;
            }
            cur.Append(ch); any = true;
        }
        if (any) list.Add(cur.ToString());
        return list;
    }

    static readonly PropertyInfo? DirectiveNodeProperty =
        typeof(KernelDirectiveCommand).GetProperty("DirectiveNode", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);

    /// <summary>
    /// The directive line of this command: the parsed node's text when the kernel exposes it, else the first
    /// <c>#!nn &lt;subcommand&gt;</c> line of the submitted cell.
    /// </summary>
    internal static string RawText(KernelCommand cmd, string? sub)
    {
        if (DirectiveNodeProperty?.GetValue(cmd) is { } node && node.GetType().GetProperty("Text")?.GetValue(node) is string text && text.Length > 0)
            return text.Split('\n')[0].Trim();
        for (var c = cmd.Parent; c is not null; c = c.Parent)
            if (c is SubmitCode submit)
            {
                foreach (var line in submit.Code.Split('\n'))
                {
                    var words = Tokens(line);
                    if (words.Count > 0 && words[0] == Name && (sub is null ? words.Count < 2 || !Subcommands.Any(s => s.Name == words[1]) : words.Count > 1 && words[1] == sub))
                        return line.Trim();
                }
            }
        return sub is null ? Name : Name + " " + sub;
    }

    static bool Close(string a, string b)
    {
        if (a.StartsWith(b, StringComparison.OrdinalIgnoreCase) || b.StartsWith(a, StringComparison.OrdinalIgnoreCase)) return true;
        // Levenshtein distance ≤ 2.
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1));
        return d[a.Length, b.Length] <= 2;
    }

    internal static HtmlTag HelpHtml()
    {
        var rows = new List<object> { Html.Tag("tr", Html.Tag("th", Html.Class("name"), "Subcommand"), Html.Tag("th", Html.Class("name"), "What it does"), Html.Tag("th", Html.Class("name"), "Example")) };
        foreach (var s in Subcommands)
            rows.Add(Html.Tag("tr",
                Html.Tag("td", Html.Class("name"), Html.Tag("b", s.Name)),
                Html.Tag("td", Html.Style("text-align:left;white-space:normal;min-width:24em"), s.Description),
                Html.Tag("td", Html.Class("name"), Html.Tag("code", string.Join("\n", s.Examples)))));
        return Html.Box(
            Html.Tag("div", Html.Class("hdr"), Html.Tag("b", "#!nn"), " — Torchlet's magic command. Variables are the C# kernel's; options are checked. ",
                Html.Tag("code", "#!nn <subcommand> --help"), " shows a subcommand's options."),
            Html.Tag("table", rows));
    }

    internal static HtmlTag SubcommandHelp(NnSubcommand s)
    {
        var rows = new List<object> { Html.Tag("tr", Html.Tag("th", Html.Class("name"), "Parameter"), Html.Tag("th", Html.Class("name"), "Meaning")) };
        foreach (var p in s.Parameters)
            rows.Add(Html.Tag("tr",
                Html.Tag("td", Html.Class("name"), p.Implicit ? "<" + p.Name + ">" : "--" + p.Name),
                Html.Tag("td", Html.Style("text-align:left;white-space:normal"), p.Description)));
        return Html.Box(
            Html.Tag("div", Html.Class("hdr"), Html.Tag("b", "#!nn " + s.Name), " — " + s.Description),
            s.Parameters.Count > 0 ? Html.Tag("table", rows) : null,
            Html.Tag("div", Html.Class("note"), "Example: ", Html.Tag("code", string.Join("  ·  ", s.Examples))));
    }
}
