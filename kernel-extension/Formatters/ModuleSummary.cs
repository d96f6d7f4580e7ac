using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.DotNet.Interactive.Formatting;
using static Torchlet.torch.nn;
using I = Torchlet.Interactive.Html;
using Module = Torchlet.torch.nn.Module;

namespace Torchlet.Interactive;

/// <summary>
/// One row of a <see cref="ModuleSummary"/>: a module in <c>named_modules()</c> order, with its own parameters
/// (<see cref="Params"/>, ...) and those of its whole subtree (<see cref="SubtreeParams"/>, ...; a parameter shared
/// by two sub-modules counts once).
/// </summary>
public sealed record LayerRow(
    string Name, int Depth, string Type,
    long Params, long TrainableParams, long ParamBytes,
    IReadOnlyList<string>? OutputShapes)
{
    public long SubtreeParams { get; init; }
    public long SubtreeTrainableParams { get; init; }
    public long SubtreeParamBytes { get; init; }

    /// <summary>
    /// A container row: no parameters of its own but sub-modules with some (a Sequential, a network class). Its
    /// parameter cells show its sub-modules' total, in brackets, instead of a misleading 0.
    /// </summary>
    public bool ShowsSubtree => Params == 0 && SubtreeParams > 0;
}

/// <summary>
/// A torchinfo-like summary of a module: the layer tree, each layer's own parameter counts and memory,
/// totals, and (when a sample input shape is given) each layer's output shape from one forward pass.
/// </summary>
public sealed class ModuleSummary
{
    public Module Module { get; }
    public long[]? InputShape { get; }
    public IReadOnlyList<LayerRow> Rows { get; }
    public long TotalParams { get; }
    public long TrainableParams { get; }
    public long ParamBytes { get; }
    public long BufferBytes { get; }

    /// <summary>Whether a forward pass ran; layers it did not see through <c>call</c> have no output shape.</summary>
    public bool RanForward => InputShape is not null;

    /// <summary>How the forward pass called the module, when it left out an optional argument (an RNN's state).</summary>
    public string? ForwardNote { get; }

    internal ModuleSummary(Module module, long[]? inputShape, IReadOnlyList<LayerRow> rows, string? forwardNote = null)
    {
        Module = module;
        InputShape = inputShape;
        Rows = rows;
        ForwardNote = forwardNote;
        // Totals walk parameters() once, so a parameter shared by two layers counts once (as torchinfo).
        foreach (var p in module.parameters())
        {
            TotalParams += p.numel();
            if (p.requires_grad) TrainableParams += p.numel();
            ParamBytes += p.numel() * p.element_size();
        }
        foreach (var b in module.buffers()) BufferBytes += b.numel() * b.element_size();
    }

    public override string ToString() => SummaryText.Render(this);
}

/// <summary><c>Summary.Of(net)</c> or <c>Summary.Of(net, 64, 1, 28, 28)</c> as a cell's last value.</summary>
public static class Summary
{
    /// <summary>The layer tree with parameter counts and memory, no forward pass.</summary>
    public static ModuleSummary Of(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return new ModuleSummary(module, null, Rows(module, null));
    }

    /// <summary>
    /// Also runs one forward pass on zeros of <paramref name="inputShape"/> (the dtype of the module's first
    /// parameter, float32 if none) in eval mode under no_grad, recording each layer's output shape with forward
    /// hooks (a tuple output, such as an LSTM's (output, h_n, c_n), shows each tensor's shape). The module's forward
    /// takes one tensor, or a tensor and an optional second argument that is left out (null), as an LSTM's, GRU's or
    /// RNN's initial state. The module's training flags are restored afterwards and its state is not changed.
    /// Built-in layers run hooks on every forward; a user's own module runs them in <c>call(x)</c> only, so a custom
    /// sub-module that a custom <c>forward</c> runs with <c>.forward(x)</c> shows no shape.
    /// </summary>
    public static ModuleSummary Of(Module module, params long[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Length == 0 || inputShape.Any(d => d < 0))
            throw new ArgumentException($"Summary.Of: expected an input shape of non-negative sizes such as (64, 1, 28, 28), got {Html.ShapeText(inputShape)}", nameof(inputShape));
        var forward = ForwardCall(module, out var cannot)
            ?? throw new ArgumentException($"Summary.Of: {cannot} Summary.Of(module) without an input shape gives the layer and parameter table.", nameof(module));

        var outputs = new Dictionary<Module, List<string>>(ReferenceEqualityComparer.Instance);
        var handles = new List<RemovableHandle>();
        var modes = module.named_modules().Select(x => (x.module, x.module.training)).ToList();
        try
        {
            foreach (var (_, m) in module.named_modules())
                if (Hook(m, result => (outputs.TryGetValue(m, out var l) ? l : outputs[m] = []).Add(ShapeOf(result))) is { } h)
                    handles.Add(h);
            module.eval();
            var dtype = module.parameters().FirstOrDefault()?.dtype ?? ScalarType.Float32;
            using (torch.no_grad())
            {
                var x = torch.zeros(inputShape, dtype);
                try { forward.Call.Invoke(module, forward.Arity == 1 ? [x] : [x, null]); }
                catch (TargetInvocationException e) when (e.InnerException is { } inner)
                {
                    throw new InvalidOperationException(
                        $"Summary.Of: the forward pass of {module.GetName()} on zeros of shape {Html.ShapeText(inputShape)} ({I.DType(dtype)}) failed: {inner.Message}", inner);
                }
            }
        }
        finally
        {
            foreach (var h in handles) h.remove();
            // train() also sets every descendant; in pre-order each module's own call comes last for it.
            foreach (var (m, training) in modes) m.train(training);
        }
        return new ModuleSummary(module, inputShape, Rows(module, outputs), forward.Note);
    }

    /// <summary>How the summary's forward pass calls a module: <c>call(x)</c>, or <c>call(x, null)</c>.</summary>
    sealed record ForwardPlan(MethodInfo Call, int Arity, string? Note);

    /// <summary>
    /// <c>call(x)</c> of a <c>Module&lt;Tensor, TResult&gt;</c>; <c>call(x, null)</c> of a
    /// <c>Module&lt;Tensor, T2, TResult&gt;</c> whose second argument may be null (a nullable value type such as an
    /// LSTM's <c>(Tensor, Tensor)?</c> state, a reference annotated nullable, or a parameter whose default is null);
    /// otherwise null, with <paramref name="cannot"/> saying in plain words what the module's forward needs.
    /// </summary>
    static ForwardPlan? ForwardCall(Module m, out string cannot)
    {
        cannot = "";
        var t = m.GetType();
        if (ModuleBase(t, typeof(Module<,>)) is { } b1 && b1.GetGenericArguments()[0] == typeof(Tensor))
            return new(b1.GetMethod("call", [typeof(Tensor)])!, 1, null);
        if (ModuleBase(t, typeof(Module<,,>)) is { } b2 && b2.GetGenericArguments() is [var t1, var t2, _] && t1 == typeof(Tensor))
        {
            var fwd = ForwardMethod(t, 2);
            var p = fwd?.GetParameters()[1];
            if (MayBeNull(t2, p))
            {
                bool recurrent = IsRecurrent(t);
                return new(b2.GetMethod("call", [t1, t2])!, 2,
                    $"The forward pass called {m.GetName()}.forward(x, null): its second argument" + (p?.Name is { Length: > 0 } n ? $" {n}" : "") +
                    $" ({TypeText(t2)}) may be left out" + (recurrent ? " (the initial state: zeros)" : "") + ", and was.");
            }
        }
        cannot = Needs(m);
        return null;
    }

    static bool MayBeNull(Type t, ParameterInfo? p)
    {
        if (Nullable.GetUnderlyingType(t) is not null) return true;
        if (t.IsValueType || p is null) return false;
        if (p.HasDefaultValue && p.DefaultValue is null) return true;
        return new NullabilityInfoContext().Create(p).ReadState == NullabilityState.Nullable;
    }

    /// <summary>
    /// The most derived <c>forward</c> taking <paramref name="arity"/> arguments, or a built-in layer's protected
    /// <c>Forward</c> (whose parameters have the meaningful names: input, target; input, h0_c0).
    /// </summary>
    static MethodInfo? ForwardMethod(Type t, int arity)
    {
        const BindingFlags declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        for (var b = t; b is not null; b = b.BaseType)
            if (b.GetMethods(declared).FirstOrDefault(x => x.Name is "forward" or "Forward" && x.GetParameters().Length == arity) is { } f)
                return f;
        return null;
    }

    static bool IsRecurrent(Type t)
    {
        for (var b = t; b is not null; b = b.BaseType)
            if (b.Name.StartsWith("RNNBase`", StringComparison.Ordinal) || b.Name.StartsWith("RNNCellBase`", StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>What a module's forward takes, in plain words, for a module the summary cannot run.</summary>
    static string Needs(Module m)
    {
        var name = m.GetName();
        const string what = "a summary's forward pass gives a module one tensor of zeros of the input shape (and leaves out a second argument only when it may be null, as an RNN's initial state).";
        Type[]? args = null;
        foreach (var g in new[] { typeof(Module<,>), typeof(Module<,,>), typeof(Module<,,,>) })
            if (ModuleBase(m.GetType(), g) is { } b) args = b.GetGenericArguments();
        if (args is null)
            return $"{name} has no forward of its own (a container such as ModuleList or ModuleDict is not called, its members are); {what}";
        var inputs = args[..^1];
        var fwd = ForwardMethod(m.GetType(), inputs.Length);
        var list = fwd is null
            ? string.Join(", ", inputs.Select(TypeText))
            : string.Join(", ", fwd.GetParameters().Select(p => TypeText(p.ParameterType) + " " + p.Name));
        if (inputs[0] != typeof(Tensor))
            return $"{name}'s forward takes ({list}), which begins with a {TypeText(inputs[0])}, not a Tensor; {what}";
        return $"{name}'s forward takes {inputs.Length} inputs ({list})" +
               (inputs.Length == 2 ? ", and its second one may not be null; " : "; ") + what;
    }

    /// <summary>A type as C# writes it: Tensor, (Tensor, Tensor)?, List&lt;Tensor&gt;.</summary>
    internal static string TypeText(Type t)
    {
        if (Nullable.GetUnderlyingType(t) is { } u) return TypeText(u) + "?";
        if (t.IsGenericType && t.FullName?.StartsWith("System.ValueTuple`", StringComparison.Ordinal) == true)
            return "(" + string.Join(", ", t.GetGenericArguments().Select(TypeText)) + ")";
        if (t.IsGenericType) return t.Name[..t.Name.IndexOf('`')] + "<" + string.Join(", ", t.GetGenericArguments().Select(TypeText)) + ">";
        return t.Name;
    }

    static List<LayerRow> Rows(Module root, Dictionary<Module, List<string>>? outputs)
    {
        var rows = new List<LayerRow>();
        foreach (var (name, m) in root.named_modules())
        {
            long n = 0, trainable = 0, bytes = 0;
            foreach (var (_, p) in m.named_parameters(recurse: false))
            {
                n += p.numel();
                if (p.requires_grad) trainable += p.numel();
                bytes += p.numel() * p.element_size();
            }
            long sn = 0, strainable = 0, sbytes = 0;
            foreach (var p in m.parameters())
            {
                sn += p.numel();
                if (p.requires_grad) strainable += p.numel();
                sbytes += p.numel() * p.element_size();
            }
            int depth = name.Length == 0 ? 0 : name.Count(ch => ch == '.') + 1;
            IReadOnlyList<string>? shapes = outputs is null ? null : outputs.TryGetValue(m, out var l) ? l : [];
            rows.Add(new LayerRow(name, depth, m.GetName(), n, trainable, bytes, shapes)
            {
                SubtreeParams = sn, SubtreeTrainableParams = strainable, SubtreeParamBytes = sbytes,
            });
        }
        return rows;
    }

    // ------------------------------------------------------------ hooks on whatever Module<...> a layer is

    static Type? ModuleBase(Type? t, Type generic)
    {
        for (; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition() == generic) return t;
        return null;
    }

    static RemovableHandle? Hook(Module m, Action<object?> record)
    {
        var t = m.GetType();
        if (ModuleBase(t, typeof(Module<,>)) is { } b1)
            return (RemovableHandle)Hook1Method.MakeGenericMethod(b1.GetGenericArguments()).Invoke(null, [m, record])!;
        if (ModuleBase(t, typeof(Module<,,>)) is { } b2)
            return (RemovableHandle)Hook2Method.MakeGenericMethod(b2.GetGenericArguments()).Invoke(null, [m, record])!;
        return null;   // Module<T1,T2,T3,TResult> has no hooks
    }

    static readonly MethodInfo Hook1Method = typeof(Summary).GetMethod(nameof(Hook1), BindingFlags.NonPublic | BindingFlags.Static)!;
    static readonly MethodInfo Hook2Method = typeof(Summary).GetMethod(nameof(Hook2), BindingFlags.NonPublic | BindingFlags.Static)!;

    static RemovableHandle Hook1<T, TR>(Module<T, TR> m, Action<object?> record) => m.register_forward_hook((_, _, r) => record(r));
    static RemovableHandle Hook2<T1, T2, TR>(Module<T1, T2, TR> m, Action<object?> record) => m.register_forward_hook((_, _, _, r) => record(r));

    /// <summary>A tensor's shape; a tuple's tensors' shapes in parentheses (LSTM's (output, h_n, c_n)).</summary>
    internal static string ShapeOf(object? result) => result switch
    {
        Tensor t => Html.ShapeText(t.shape),
        ITuple tuple => "(" + string.Join(", ", Enumerable.Range(0, tuple.Length).Select(i => ShapeOf(tuple[i]))) + ")",
        null => "None",
        _ => result.GetType().Name,
    };
}

/// <summary>HTML and text of a <see cref="ModuleSummary"/>.</summary>
internal static class SummaryText
{
    static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    // A container row's parameter cells: its sub-modules' total in brackets (its own count, 0, would read as "no
    // parameters"); every other row: its own.
    static string ParamsCell(LayerRow r) => r.ShowsSubtree ? "(" + Count(r.SubtreeParams) + ")" : Count(r.Params);
    static string TrainableCell(LayerRow r) => r.ShowsSubtree ? "(" + Count(r.SubtreeTrainableParams) + ")" : Count(r.TrainableParams);
    static string BytesCell(LayerRow r) => r.ShowsSubtree ? "(" + I.Bytes(r.SubtreeParamBytes) + ")" : I.Bytes(r.ParamBytes);

    const string SubtreeNote = "(n): a container's sub-modules together; each parameter counts once, in its own layer's row and in Total.";

    static string Shapes(LayerRow r) =>
        r.OutputShapes is not { Count: > 0 } s ? "—"
        : s.Distinct().Count() == 1 ? s[0] + (s.Count > 1 ? $" ×{s.Count}" : "")
        : string.Join(", ", s);

    static string Label(LayerRow r) => r.Name.Length == 0 ? r.Type : r.Name[(r.Name.LastIndexOf('.') + 1)..];

    static string Parent(string name) => name.LastIndexOf('.') is var i and >= 0 ? name[..i] : "";

    /// <summary>torchinfo-style tree prefixes ("│ ├─", "└─") for rows in named_modules (pre-)order.</summary>
    internal static string[] TreePrefixes(IReadOnlyList<LayerRow> rows)
    {
        var last = new Dictionary<string, bool>();
        for (int i = 0; i < rows.Count; i++)
        {
            var p = Parent(rows[i].Name);
            bool isLast = true;
            for (int j = i + 1; j < rows.Count && isLast; j++)
                if (rows[j].Depth == rows[i].Depth && Parent(rows[j].Name) == p) isLast = false;
            last[rows[i].Name] = isLast;
        }
        return rows.Select(r =>
        {
            if (r.Depth == 0) return "";
            var sb = new StringBuilder();
            var segments = r.Name.Split('.');
            for (int k = 1; k < r.Depth; k++)
                sb.Append(last[string.Join('.', segments.Take(k))] ? "  " : "│ ");
            return sb.Append(last[r.Name] ? "└─" : "├─").ToString();
        }).ToArray();
    }

    public static HtmlTag Html(ModuleSummary s)
    {
        bool fwd = s.RanForward;
        var head = new List<object> { I.Tag("th", I.Class("name"), "Layer"), I.Tag("th", I.Class("name"), "Type") };
        if (fwd) head.Add(I.Tag("th", "Output shape"));
        head.AddRange([I.Tag("th", "Params"), I.Tag("th", "Trainable"), I.Tag("th", "Param memory")]);
        var rows = new List<object> { I.Tag("tr", head) };
        var tree = TreePrefixes(s.Rows);
        for (int i = 0; i < s.Rows.Count; i++)
        {
            var r = s.Rows[i];
            var tds = new List<object>
            {
                I.Tag("td", I.Class("name"), tree[i] + Label(r)),
                I.Tag("td", I.Class("name"), r.Type),
            };
            if (fwd) tds.Add(I.Tag("td", Shapes(r)));
            if (r.ShowsSubtree)
            {
                var sub = I.Class("sub", "color:#888");
                tds.AddRange([I.Tag("td", sub, ParamsCell(r)), I.Tag("td", sub, TrainableCell(r)), I.Tag("td", sub, BytesCell(r))]);
            }
            else tds.AddRange([I.Tag("td", Count(r.Params)), I.Tag("td", Count(r.TrainableParams)), I.Tag("td", I.Bytes(r.ParamBytes))]);
            rows.Add(I.Tag("tr", tds));
        }
        var total = new List<object> { I.Tag("td", I.Class("name"), "Total"), I.Tag("td", "") };
        if (fwd) total.Add(I.Tag("td", ""));
        total.AddRange([I.Tag("td", Count(s.TotalParams)), I.Tag("td", Count(s.TrainableParams)), I.Tag("td", I.Bytes(s.ParamBytes))]);
        rows.Add(I.Tag("tr", I.Class("total"), total));

        var notes = new List<object>
        {
            I.Tag("div", I.Class("note"),
                $"Trainable params: {Count(s.TrainableParams)} · Non-trainable params: {Count(s.TotalParams - s.TrainableParams)} · " +
                $"Params size: {I.Bytes(s.ParamBytes)} · Buffers size: {I.Bytes(s.BufferBytes)}" +
                (fwd ? $" · Input: {I.ShapeText(s.InputShape!)}" : "")),
        };
        if (s.Rows.Any(r => r.ShowsSubtree))
            notes.Add(I.Tag("div", I.Class("note"), SubtreeNote));
        if (s.ForwardNote is { } fn)
            notes.Add(I.Tag("div", I.Class("note"), fn + " A tuple output shows each tensor's shape, in order."));
        if (fwd && s.Rows.Any(r => r.OutputShapes is { Count: 0 }))
            notes.Add(I.Tag("div", I.Class("note"),
                "— : no output recorded. Output shapes come from forward hooks: built-in layers run them on every " +
                "forward, your own modules only in call(x); a custom module that another custom forward runs as " +
                "module.forward(x) is not seen (call it with module.call(x))."));
        return I.Box(
            I.Tag("table", rows),
            notes,
            I.Tag("details", I.Tag("summary", "print(net)"), I.Tag("pre", s.Module.ToString())));
    }

    /// <summary>A fixed-width table in the spirit of torchinfo's text output.</summary>
    public static string Render(ModuleSummary s)
    {
        bool fwd = s.RanForward;
        var header = new List<string> { "Layer (type)" };
        if (fwd) header.Add("Output shape");
        header.AddRange(["Params", "Trainable"]);
        var tree = TreePrefixes(s.Rows);
        var lines = s.Rows.Select((r, i) =>
        {
            var l = new List<string> { tree[i] + (r.Name.Length == 0 ? r.Type : Label(r) + " (" + r.Type + ")") };
            if (fwd) l.Add(Shapes(r));
            l.AddRange([ParamsCell(r), TrainableCell(r)]);
            return l;
        }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, lines.Select(l => l[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        string Line(IList<string> cells) =>
            string.Join("  ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd();
        int width = widths.Sum() + 2 * (widths.Length - 1);
        var sb = new StringBuilder();
        sb.AppendLine(new string('=', width)).AppendLine(Line(header)).AppendLine(new string('=', width));
        foreach (var l in lines) sb.AppendLine(Line(l));
        sb.AppendLine(new string('=', width));
        sb.AppendLine($"Total params: {Count(s.TotalParams)}");
        sb.AppendLine($"Trainable params: {Count(s.TrainableParams)}");
        sb.AppendLine($"Non-trainable params: {Count(s.TotalParams - s.TrainableParams)}");
        sb.AppendLine($"Params size: {I.Bytes(s.ParamBytes)}");
        sb.Append($"Buffers size: {I.Bytes(s.BufferBytes)}");
        if (s.Rows.Any(r => r.ShowsSubtree)) sb.Append('\n').Append(SubtreeNote);
        if (s.ForwardNote is { } fn) sb.Append('\n').Append(fn);
        return sb.ToString();
    }
}
