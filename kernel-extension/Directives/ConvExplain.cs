using System.Globalization;
using Microsoft.DotNet.Interactive.Formatting;
using Torchlet.Modules;

namespace Torchlet.Interactive.Directives;

/// <summary>
/// The output-size formulas of the notes (§2.7), per spatial dimension:
/// Conv: ⌊(in + 2p − d(k−1) − 1)/s⌋ + 1; ConvTranspose: (in−1)s − 2p + d(k−1) + output_padding + 1;
/// pooling as Conv (stride defaults to the kernel size), with ceil_mode rounding up as PyTorch does.
/// </summary>
internal static class ConvExplain
{
    internal sealed record Dim(long In, long K, long S, long P, long D, long OutPad, long Out, string Formula);
    internal sealed record Result(string Kind, Dim[] Dims);

    public static Result Compute(string? input, string? kernel, string? stride, string? padding, string? dilation,
        string? outputPadding, bool transpose, bool pool, bool ceilMode)
    {
        if (input is null) throw new NnCommandException("expected --in, the input size per spatial dimension (e.g. --in 28,28)");
        if (kernel is null) throw new NnCommandException("expected --kernel, the kernel size (e.g. --kernel 3 or --kernel 3,5)");
        if (transpose && pool) throw new NnCommandException("--transpose and --pool cannot be combined");
        if (ceilMode && !pool) throw new NnCommandException("--ceil-mode applies to pooling only (add --pool)");
        if (outputPadding is not null && !transpose) throw new NnCommandException("--output-padding applies to a transposed convolution only (add --transpose)");
        var ins = DirectiveArgs.Ints(input, "--in", 1, "50,100");
        int n = ins.Length;
        var k = PerDim(kernel, "--kernel", 1, n, null);
        var s = PerDim(stride, "--stride", 1, n, pool ? k : [.. Enumerable.Repeat(1L, n)]);
        var p = PerDim(padding, "--padding", 0, n, new long[n]);
        var d = PerDim(dilation, "--dilation", 1, n, [.. Enumerable.Repeat(1L, n)]);
        var op = PerDim(outputPadding, "--output-padding", 0, n, new long[n]);
        string kind = transpose ? "ConvTranspose" : pool ? (ceilMode ? "Pooling (ceil_mode=True)" : "Pooling") : "Conv";
        var dims = new Dim[n];
        for (int i = 0; i < n; i++)
        {
            string at = n == 1 ? "" : $" in dimension {i}";
            long eff = d[i] * (k[i] - 1) + 1;    // the dilated kernel's extent
            if (transpose)
            {
                if (op[i] >= Math.Max(s[i], d[i]))
                    throw new NnCommandException($"output padding must be smaller than either stride or dilation{at}: got output_padding={op[i]}, stride={s[i]}, dilation={d[i]}");
                long o = OutputSize.ConvTranspose(ins[i], k[i], s[i], p[i], d[i], op[i]);
                long grow = o + 2 * p[i];   // what the layer produces before the padding is taken off
                var f = $"({ins[i]}−1)·{s[i]} − 2·{p[i]} + {d[i]}·({k[i]}−1) + {op[i]} + 1 = {o}";
                if (o <= 0)
                    throw new NnCommandException($"non-positive output size {o}{at}: the padding 2p = {2 * p[i]} removes at least everything (in−1)s + d(k−1) + output_padding + 1 = {grow} produces; reduce --padding below {(grow + 1) / 2} ({f})");
                dims[i] = new(ins[i], k[i], s[i], p[i], d[i], op[i], o, f);
                continue;
            }
            if (pool && 2 * p[i] > eff)
                throw new NnCommandException($"pad should be at most half of effective kernel size{at}, but got pad={p[i]}, kernel_size={k[i]} and dilation={d[i]} (effective kernel size {eff})");
            long span = ins[i] + 2 * p[i] - eff;    // room left for the kernel to move
            if (span < 0)
                throw new NnCommandException($"non-positive output size{at}: the dilated kernel d(k−1)+1 = {d[i]}·({k[i]}−1)+1 = {eff} is larger than the padded input in+2p = {ins[i]}+2·{p[i]} = {ins[i] + 2 * p[i]}; " +
                    "use a smaller kernel or dilation, or more padding");
            long outV;
            string formula;
            if (pool && ceilMode)
            {
                outV = OutputSize.Pool(ins[i], k[i], s[i], p[i], d[i], ceil_mode: true);
                // PyTorch: the last window must start inside the input or the left padding.
                bool dropped = OutputSize.CeilDropsLastWindow(ins[i], k[i], s[i], p[i], d[i]);
                formula = $"⌈({ins[i]} + 2·{p[i]} − {d[i]}·({k[i]}−1) − 1)/{s[i]}⌉ + 1 = ⌈{span}/{s[i]}⌉ + 1 = {(dropped ? outV + 1 : outV)}";
                if (dropped)
                    formula += $", minus 1 because the last window would start at {outV * s[i]} ≥ in + p = {ins[i] + p[i]} (outside the input) → {outV}";
            }
            else
            {
                outV = pool ? OutputSize.Pool(ins[i], k[i], s[i], p[i], d[i]) : OutputSize.Conv(ins[i], k[i], s[i], p[i], d[i]);
                formula = $"⌊({ins[i]} + 2·{p[i]} − {d[i]}·({k[i]}−1) − 1)/{s[i]}⌋ + 1 = ⌊{span}/{s[i]}⌋ + 1 = {outV}";
            }
            dims[i] = new(ins[i], k[i], s[i], p[i], d[i], 0, outV, formula);
        }
        return new Result(kind, dims);
    }

    static long[] PerDim(string? text, string option, long min, int n, long[]? dflt)
    {
        if (text is null) return dflt!;
        var v = DirectiveArgs.Ints(text, option, min, min == 0 ? "0 or 1,2" : "3 or 3,5");
        if (v.Length == 1) return [.. Enumerable.Repeat(v[0], n)];
        if (v.Length != n)
            throw new NnCommandException($"{option}: expected 1 or {n} values (one per dimension of --in), got {v.Length} ('{text}')");
        return v;
    }

    public static HtmlTag Render(Result r)
    {
        bool tr = r.Kind == "ConvTranspose";
        string general = tr
            ? "out = (in − 1)·s − 2p + d·(k − 1) + output_padding + 1"
            : r.Kind.Contains("ceil") ? "out = ⌈(in + 2p − d·(k − 1) − 1) / s⌉ + 1 (the last window must start inside the input or left padding)"
            : "out = ⌊(in + 2p − d·(k − 1) − 1) / s⌋ + 1";
        var head = new List<object> { Th("dim"), Th("in"), Th("kernel k"), Th("stride s"), Th("padding p"), Th("dilation d") };
        if (tr) head.Add(Th("output_padding"));
        head.AddRange([Html.Tag("th", Html.Class("name"), "formula with the numbers"), Th("out")]);
        var rows = new List<object> { Html.Tag("tr", head) };
        for (int i = 0; i < r.Dims.Length; i++)
        {
            var d = r.Dims[i];
            var tds = new List<object> { Td(i), Td(d.In), Td(d.K), Td(d.S), Td(d.P), Td(d.D) };
            if (tr) tds.Add(Td(d.OutPad));
            tds.AddRange([Html.Tag("td", Html.Class("name"), d.Formula), Html.Tag("td", Html.Tag("b", d.Out.ToString(CultureInfo.InvariantCulture)))]);
            rows.Add(Html.Tag("tr", tds));
        }
        var shape = string.Join(" × ", r.Dims.Select(d => d.In)) + " → " + string.Join(" × ", r.Dims.Select(d => d.Out));
        return Html.Box(
            Html.Tag("div", Html.Class("hdr"), Html.Tag("b", r.Kind), ": " + general),
            Html.Tag("table", rows),
            Html.Tag("div", Html.Class("note"), "Output size: " + shape));
    }

    static HtmlTag Th(string s) => Html.Tag("th", s);
    static HtmlTag Td(long v) => Html.Tag("td", v.ToString(CultureInfo.InvariantCulture));
}
