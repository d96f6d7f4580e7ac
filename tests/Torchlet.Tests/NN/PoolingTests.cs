using System.Text.Json;
using Torchlet;
using Xunit;
using static Torchlet.torch;
using F = Torchlet.torch.nn.functional;
using Torchlet.Modules;

namespace Torchlet.Tests;

/// <summary>
/// Pooling against PyTorch (fixtures/nn_pool.json from gen_nn_pool.py): outputs, indices, grad_fn
/// names and input gradients for every option; float64 gradchecks (and double-backward checks);
/// PyTorch's error messages; the SIMD 2×2 path against the generic kernel.
/// </summary>
[Collection(GlobalStateCollection.Name)]   // draws from the default generator (manual_seed, randn, default init)
public class PoolingTests
{
    const string File = "nn_pool";

    public static IEnumerable<object[]> FunctionalCases =>
        Fixtures.Load(File).Where(c => c.TryGetProperty("fn", out var f) && !char.IsUpper(f.GetString()![0]))
            .Select(c => new object[] { c.GetProperty("name").GetString()! });

    // ---------------------------------------------------------------- fixture argument readers

    internal static bool Has(JsonElement a, string k) => a.TryGetProperty(k, out var v) && v.ValueKind != JsonValueKind.Null;
    internal static long[]? LA(JsonElement a, string k) =>
        !Has(a, k) ? null : a.GetProperty(k) is { ValueKind: JsonValueKind.Array } v ? v.EnumerateArray().Select(e => e.GetInt64()).ToArray() : [a.GetProperty(k).GetInt64()];
    internal static long? L(JsonElement a, string k) => Has(a, k) ? a.GetProperty(k).GetInt64() : null;
    internal static bool B(JsonElement a, string k, bool dflt = false) => Has(a, k) ? a.GetProperty(k).GetBoolean() : dflt;
    internal static double D(JsonElement a, string k) => a.GetProperty(k).GetDouble();
    internal static long?[] Sizes(JsonElement a, string k) =>
        a.GetProperty(k) is { ValueKind: JsonValueKind.Array } v
            ? v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? (long?)null : e.GetInt64()).ToArray()
            : [a.GetProperty(k).GetInt64()];

    static (Tensor output, Tensor? indices) Call(JsonElement c, Tensor x)
    {
        var a = c.GetProperty("args");
        Tensor Idx() => Fixtures.T(c.GetProperty("unpool_indices"));
        return c.GetProperty("fn").GetString() switch
        {
            "max_pool1d" => F.max_pool1d_with_indices(x, L(a, "kernel_size")!.Value, L(a, "stride"), L(a, "padding") ?? 0, L(a, "dilation") ?? 1, B(a, "ceil_mode")),
            "max_pool2d" => F.max_pool2d_with_indices(x, LA(a, "kernel_size")!, LA(a, "stride"), LA(a, "padding"), LA(a, "dilation"), B(a, "ceil_mode")),
            "max_pool3d" => F.max_pool3d_with_indices(x, LA(a, "kernel_size")!, LA(a, "stride"), LA(a, "padding"), LA(a, "dilation"), B(a, "ceil_mode")),
            "avg_pool1d" => (F.avg_pool1d(x, L(a, "kernel_size")!.Value, L(a, "stride"), L(a, "padding") ?? 0, B(a, "ceil_mode"), B(a, "count_include_pad", true)), null),
            "avg_pool2d" => (F.avg_pool2d(x, LA(a, "kernel_size")!, LA(a, "stride"), LA(a, "padding"), B(a, "ceil_mode"), B(a, "count_include_pad", true), L(a, "divisor_override")), null),
            "avg_pool3d" => (F.avg_pool3d(x, LA(a, "kernel_size")!, LA(a, "stride"), LA(a, "padding"), B(a, "ceil_mode"), B(a, "count_include_pad", true), L(a, "divisor_override")), null),
            "lp_pool1d" => (F.lp_pool1d(x, D(a, "norm_type"), L(a, "kernel_size")!.Value, L(a, "stride"), B(a, "ceil_mode")), null),
            "lp_pool2d" => (F.lp_pool2d(x, D(a, "norm_type"), LA(a, "kernel_size")!, LA(a, "stride"), B(a, "ceil_mode")), null),
            "adaptive_avg_pool1d" => (F.adaptive_avg_pool1d(x, L(a, "output_size")!.Value), null),
            "adaptive_avg_pool2d" => (Sizes(a, "output_size") is var s && s.Length == 2 ? F.adaptive_avg_pool2d(x, (s[0], s[1])) : F.adaptive_avg_pool2d(x, s[0]!.Value), null),
            "adaptive_avg_pool3d" => (Sizes(a, "output_size") is var s && s.Length == 3 ? F.adaptive_avg_pool3d(x, (s[0], s[1], s[2])) : F.adaptive_avg_pool3d(x, s[0]!.Value), null),
            "adaptive_max_pool1d" => F.adaptive_max_pool1d_with_indices(x, L(a, "output_size")!.Value),
            "adaptive_max_pool2d" => Sizes(a, "output_size") is var s && s.Length == 2 && s.All(v => v is not null)
                ? F.adaptive_max_pool2d_with_indices(x, s.Select(v => v!.Value).ToArray())
                : s.Length == 1 ? F.adaptive_max_pool2d_with_indices(x, s[0]!.Value) : F.adaptive_max_pool2d_with_indices(x, (s[0], s[1])),
            "adaptive_max_pool3d" => Sizes(a, "output_size") is var s && s.Length == 3
                ? F.adaptive_max_pool3d_with_indices(x, (s[0], s[1], s[2])) : F.adaptive_max_pool3d_with_indices(x, s[0]!.Value),
            "max_unpool1d" => (F.max_unpool1d(x, Idx(), L(a, "kernel_size")!.Value, L(a, "stride"), L(a, "padding") ?? 0, LA(a, "output_size")), null),
            "max_unpool2d" => (F.max_unpool2d(x, Idx(), LA(a, "kernel_size")!, LA(a, "stride"), LA(a, "padding"), LA(a, "output_size")), null),
            "max_unpool3d" => (F.max_unpool3d(x, Idx(), LA(a, "kernel_size")!, LA(a, "stride"), LA(a, "padding"), LA(a, "output_size")), null),
            var f => throw new ArgumentException(f),
        };
    }

    /// <summary>Output, indices, grad_fn and input gradient of a fixture case against PyTorch's.</summary>
    internal static void CheckCase(JsonElement c, Func<Tensor, (Tensor, Tensor?)> call, string name)
    {
        var x = Fixtures.T(c.GetProperty("x"), requiresGrad: true);
        var (y, idx) = call(x);
        Fixtures.AssertClose(c.GetProperty("out"), y, 1e-5, 1e-5, name + " output");
        if (c.TryGetProperty("indices", out var ij) && ij.ValueKind != JsonValueKind.Null)
        {
            Assert.NotNull(idx);
            Fixtures.AssertClose(ij, idx!, 0, 0, name + " indices");
        }
        Assert.Equal(c.GetProperty("grad_fn").GetString(), y.grad_fn?.name());
        y.backward(Fixtures.T(c.GetProperty("g")));
        Fixtures.AssertClose(c.GetProperty("gx"), x.grad!, 1e-5, 1e-5, name + " input grad");
    }

    [Theory]
    [MemberData(nameof(FunctionalCases))]
    public void Functional_matches_pytorch(string name)
    {
        var c = Fixtures.Case(File, name);
        CheckCase(c, x => Call(c, x), name);
    }

    // ---------------------------------------------------------------- random configurations

    public static IEnumerable<object[]> SweepCases => Fixtures.Names("nn_pool_sweep");

    /// <summary>
    /// Random kernel/stride/padding/dilation/ceil/count_include_pad/divisor and adaptive sizes, and
    /// random interpolate modes and sizes (fixtures/nn_pool_sweep.json): the same values, indices and
    /// gradients as PyTorch, or, where PyTorch rejects the configuration, an error with its message.
    /// </summary>
    [Theory]
    [MemberData(nameof(SweepCases))]
    public void Random_configuration_matches_pytorch(string name)
    {
        var c = Fixtures.Case("nn_pool_sweep", name);
        Func<Tensor, (Tensor, Tensor?)> call = c.GetProperty("fn").GetString() == "interpolate"
            ? x => (UpsampleTests.Call(c.GetProperty("args"), x), null)
            : x => Call(c, x);
        if (c.TryGetProperty("error", out var err))
        {
            var e = Assert.Throws<ArgumentException>(() => call(Fixtures.T(c.GetProperty("x"))));
            Assert.Contains(err.GetString()!, e.Message);
            return;
        }
        CheckCase(c, call, name);
    }

    // ---------------------------------------------------------------- modules

    public static IEnumerable<object[]> ModuleCases =>
        Fixtures.Load(File).Where(c => c.TryGetProperty("module", out _))
            .Select(c => new object[] { c.GetProperty("name").GetString()! });

    static bool IsArr(JsonElement a, string k) => Has(a, k) && a.GetProperty(k).ValueKind == JsonValueKind.Array;

    /// <summary>Builds a module through the factory overload matching the fixture's argument forms (int or tuple).</summary>
    static nn.Module Build(string module, JsonElement a)
    {
        bool t = IsArr(a, "kernel_size");
        long K() => L(a, "kernel_size")!.Value;
        long[] KA() => LA(a, "kernel_size")!;
        return module switch
        {
            "MaxPool1d" => nn.MaxPool1d(K(), L(a, "stride"), L(a, "padding") ?? 0, L(a, "dilation") ?? 1, B(a, "return_indices"), B(a, "ceil_mode")),
            "MaxPool2d" => t ? nn.MaxPool2d(KA(), LA(a, "stride"), LA(a, "padding"), LA(a, "dilation"), B(a, "return_indices"), B(a, "ceil_mode"))
                             : nn.MaxPool2d(K(), L(a, "stride"), L(a, "padding") ?? 0, L(a, "dilation") ?? 1, B(a, "return_indices"), B(a, "ceil_mode")),
            "MaxPool3d" => t ? nn.MaxPool3d(KA(), LA(a, "stride"), LA(a, "padding"), LA(a, "dilation"), B(a, "return_indices"), B(a, "ceil_mode"))
                             : nn.MaxPool3d(K(), L(a, "stride"), L(a, "padding") ?? 0, L(a, "dilation") ?? 1, B(a, "return_indices"), B(a, "ceil_mode")),
            "AvgPool1d" => nn.AvgPool1d(K(), L(a, "stride"), L(a, "padding") ?? 0, B(a, "ceil_mode"), B(a, "count_include_pad", true)),
            "AvgPool2d" => t ? nn.AvgPool2d(KA(), LA(a, "stride"), LA(a, "padding"), B(a, "ceil_mode"), B(a, "count_include_pad", true), L(a, "divisor_override"))
                             : nn.AvgPool2d(K(), L(a, "stride"), L(a, "padding") ?? 0, B(a, "ceil_mode"), B(a, "count_include_pad", true), L(a, "divisor_override")),
            "AvgPool3d" => t ? nn.AvgPool3d(KA(), LA(a, "stride"), LA(a, "padding"), B(a, "ceil_mode"), B(a, "count_include_pad", true), L(a, "divisor_override"))
                             : nn.AvgPool3d(K(), L(a, "stride"), L(a, "padding") ?? 0, B(a, "ceil_mode"), B(a, "count_include_pad", true), L(a, "divisor_override")),
            "LPPool1d" => nn.LPPool1d(D(a, "norm_type"), K(), L(a, "stride"), B(a, "ceil_mode")),
            // PyTorch's LPPool2d(1.5, (2, 2), stride=1): a tuple kernel with an int stride
            "LPPool2d" => t ? nn.LPPool2d(D(a, "norm_type"), KA(), LA(a, "stride"), B(a, "ceil_mode")) : nn.LPPool2d(D(a, "norm_type"), K(), L(a, "stride"), B(a, "ceil_mode")),
            "AdaptiveAvgPool1d" => nn.AdaptiveAvgPool1d(L(a, "output_size")!.Value),
            "AdaptiveAvgPool2d" => IsArr(a, "output_size") ? nn.AdaptiveAvgPool2d((Sizes(a, "output_size")[0], Sizes(a, "output_size")[1])) : nn.AdaptiveAvgPool2d(L(a, "output_size")!.Value),
            "AdaptiveAvgPool3d" => IsArr(a, "output_size") ? nn.AdaptiveAvgPool3d(LA(a, "output_size")!) : nn.AdaptiveAvgPool3d(L(a, "output_size")!.Value),
            "AdaptiveMaxPool1d" => nn.AdaptiveMaxPool1d(L(a, "output_size")!.Value, B(a, "return_indices")),
            "AdaptiveMaxPool2d" => IsArr(a, "output_size") ? nn.AdaptiveMaxPool2d((Sizes(a, "output_size")[0], Sizes(a, "output_size")[1]), B(a, "return_indices")) : nn.AdaptiveMaxPool2d(L(a, "output_size")!.Value, B(a, "return_indices")),
            "AdaptiveMaxPool3d" => IsArr(a, "output_size") ? nn.AdaptiveMaxPool3d(LA(a, "output_size")!, B(a, "return_indices")) : nn.AdaptiveMaxPool3d(L(a, "output_size")!.Value, B(a, "return_indices")),
            "MaxUnpool1d" => nn.MaxUnpool1d(K()),
            "MaxUnpool2d" => nn.MaxUnpool2d(K()),
            "MaxUnpool3d" => nn.MaxUnpool3d(K()),
            var m => throw new ArgumentException(m),
        };
    }

    [Theory]
    [MemberData(nameof(ModuleCases))]
    public void Module_matches_pytorch(string name)
    {
        var c = Fixtures.Case(File, name);
        var m = Build(c.GetProperty("module").GetString()!, c.GetProperty("ctor"));
        Assert.Equal(c.GetProperty("repr").GetString(), m.ToString());
        CheckCase(c, x => m switch
        {
            MaxPoolNd p when p.return_indices => p.forward_with_indices(x),
            AdaptiveMaxPoolNd p when p.return_indices => p.forward_with_indices(x),
            MaxUnpoolNd u => (u.forward(x, Fixtures.T(c.GetProperty("unpool_indices"))), null),
            nn.Module<Tensor, Tensor> f => (f.forward(x), null),
            _ => throw new ArgumentException(name),
        }, name);
    }

    [Fact]
    public void Reprs_match_pytorch()
    {
        var r = Fixtures.Case(File, "reprs").GetProperty("reprs");
        string R(string k) => r.GetProperty(k).GetString()!;
        Assert.Equal(R("MaxPool2d(2)"), nn.MaxPool2d(2).ToString());
        Assert.Equal(R("MaxPool1d(3)"), nn.MaxPool1d(3).ToString());
        Assert.Equal(R("MaxPool3d((1,2,2), stride=(1,2,2))"), nn.MaxPool3d((1, 2, 2), stride: (1, 2, 2)).ToString());
        Assert.Equal(R("AvgPool1d(3)"), nn.AvgPool1d(3).ToString());
        Assert.Equal(R("AvgPool2d(2)"), nn.AvgPool2d(2).ToString());
        Assert.Equal(R("AvgPool3d(2)"), nn.AvgPool3d(2).ToString());
        Assert.Equal(R("LPPool1d(2.0, 3)"), nn.LPPool1d(2.0, 3).ToString());
        Assert.Equal(R("LPPool2d(2, 3, 1)"), nn.LPPool2d(2, 3, 1).ToString());
        Assert.Equal(R("MaxUnpool2d((2,3), stride=1, padding=(1,0))"), nn.MaxUnpool2d((2, 3), stride: (1, 1), padding: (1, 0)).ToString());
        Assert.Equal(R("MaxUnpool3d(2, 1)"), nn.MaxUnpool3d(2, 1).ToString());
        Assert.Equal(R("AdaptiveAvgPool2d((None, 7))"), nn.AdaptiveAvgPool2d((null, 7)).ToString());
        Assert.Equal(R("AdaptiveMaxPool2d(3)"), nn.AdaptiveMaxPool2d(3).ToString());
        Assert.Equal(R("Upsample(scale_factor=(2.0, 3.0))"), nn.Upsample(scale_factor: new[] { 2.0, 3.0 }).ToString());
        Assert.Equal(R("UpsamplingBilinear2d(scale_factor=0.5)"), nn.UpsamplingBilinear2d(scale_factor: 0.5).ToString());
    }

    [Fact]
    public void Module_properties_and_Sequential_printing()
    {
        // The notes' CNN: torch.nn.MaxPool2d(stride=2, kernel_size=2)
        Assert.Equal("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)", nn.MaxPool2d(stride: 2, kernel_size: 2).ToString());
        var p = nn.MaxPool2d(3, stride: 2, padding: 1);
        Assert.Equal(new long[] { 3 }, p.kernel_size);
        Assert.Equal(new long[] { 2 }, p.stride);
        Assert.Equal(new long[] { 2, 2 }, nn.MaxPool2d((2, 2)).stride);
        Assert.Empty(p.parameters());
        var net = nn.Sequential(nn.MaxPool2d(2), nn.AdaptiveAvgPool2d((null, 3)), nn.Upsample(scale_factor: 2.0));
        Assert.Equal("Sequential(\n  (0): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n" +
                     "  (1): AdaptiveAvgPool2d(output_size=(None, 3))\n  (2): Upsample(scale_factor=2.0, mode=nearest)\n)", net.ToString());
        Assert.Equal(new long[] { 2, 3, 6, 6 }, net.forward(randn(2, 3, 7, 8)).shape);
    }

    [Fact]
    public void Module_errors_name_the_layer_and_the_layer_stays_usable()
    {
        var pool = nn.MaxPool2d(5);
        var e = Assert.Throws<ArgumentException>(() => pool.forward(randn(1, 2, 3, 3)));
        Assert.StartsWith("MaxPool2d(kernel_size=5, stride=5, padding=0, dilation=1, ceil_mode=False): Given input size: (2x3x3). Calculated output size: (2x0x0). Output size is too small", e.Message);
        Assert.Contains("H_out = floor((H_in + 2*padding - dilation*(kernel_size-1) - 1)/stride) + 1 = floor((3 + 2*0 - 1*(5-1) - 1)/5) + 1 = 0", e.Message);
        Assert.Equal(new long[] { 1, 2, 2, 2 }, pool.forward(randn(1, 2, 10, 10)).shape);

        e = Assert.Throws<ArgumentException>(() => nn.MaxPool2d(2).forward(randn(5, 5)));
        Assert.StartsWith("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False): non-empty 3D or 4D (batch mode) tensor expected for input; got input of shape [5, 5]", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.MaxPool2d(4, padding: 3).forward(randn(1, 1, 8, 8)));
        Assert.StartsWith("MaxPool2d(kernel_size=4, stride=4, padding=3, dilation=1, ceil_mode=False): pad should be at most half of kernel size, but got pad=3 and kernel_size=4", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.AvgPool1d(3).forward(randn(1, 2)));
        Assert.StartsWith("AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,)): Given input size: (1x1x2)", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.AvgPool3d(2).forward(randn(2, 3, 4)));
        Assert.StartsWith("AvgPool3d(kernel_size=2, stride=2, padding=0): non-empty 4D or 5D (batch mode) tensor expected for input", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.AdaptiveAvgPool2d(3).forward(randn(5)));
        Assert.StartsWith("AdaptiveAvgPool2d(output_size=3): adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [5]", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.AdaptiveMaxPool3d(2).forward(randn(2, 2)));
        Assert.StartsWith("AdaptiveMaxPool3d(output_size=2): adaptive_max_pool3d(): Expected 4D or 5D tensor", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.LPPool2d(2.0, 4).forward(randn(1, 3, 3)));
        Assert.StartsWith("LPPool2d(norm_type=2.0, kernel_size=4, stride=None, ceil_mode=False): Given input size: (1x3x3)", e.Message);
        var unpool = nn.MaxUnpool2d(2);
        var (o, i) = nn.MaxPool2d(2, return_indices: true).forward_with_indices(randn(1, 1, 4, 4));
        e = Assert.Throws<ArgumentException>(() => unpool.forward(o, i, [9, 9]));
        Assert.StartsWith("MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)): invalid output_size \"(9, 9)\" (dim 0 must be between 2 and 6)", e.Message);
        Assert.Equal(new long[] { 1, 1, 4, 4 }, unpool.forward(o, i).shape);
        Assert.Equal(new long[] { 1, 1, 5, 5 }, unpool.forward(o, i, [5, 5]).shape);
    }

    // ---------------------------------------------------------------- the SIMD 2×2 path

    [Fact]
    public void MaxPool2x2_fast_path_matches_generic_kernel_with_ties_nan_and_threads()
    {
        manual_seed(3);
        var x = randn(4, 16, 28, 30).mul(4).round();   // many ties
        var xs = x.data<float>().ToArray();
        xs[5] = float.NaN; xs[1000] = float.NaN; xs[1001] = float.NaN; xs[7000] = float.NegativeInfinity;
        x = tensor(xs, x.shape).requires_grad_(true);
        var (y, i) = F.max_pool2d_with_indices(x, 2);                   // float32 2×2: the vector kernel
        var (y64, i64) = F.max_pool2d_with_indices(x.detach().to(float64), 2);   // float64: the generic kernel
        Assert.Equal(new long[] { 4, 16, 14, 15 }, y.shape);
        Assert.Equal(i64.data<long>().ToArray(), i.data<long>().ToArray());
        var a = y.data<float>().ToArray(); var b = y64.data<double>().ToArray();
        for (int k = 0; k < a.Length; k++)
            Assert.True(a[k].Equals((float)b[k]), $"element {k}: {a[k]} vs {b[k]}");
        y.sum().backward();
        var gx = x.grad!.data<float>().ToArray();
        Assert.Equal(y.numel(), (long)gx.Sum());

        // Inference (no graph, no indices asked for) skips the indices: same values.
        using (no_grad())
        {
            Assert.Equal(a, F.max_pool2d(x, 2).data<float>().ToArray());
            Assert.Equal(a, nn.MaxPool2d(2).forward(x).data<float>().ToArray());
            Assert.Equal(F.max_pool2d(x, 3, 2, 1).data<float>().ToArray(), F.max_pool2d_with_indices(x, 3, 2, 1).output.data<float>().ToArray());
            Assert.Equal(F.adaptive_max_pool2d(x, 5).data<float>().ToArray(), F.adaptive_max_pool2d_with_indices(x, 5).output.data<float>().ToArray());
            Assert.Equal(F.max_pool1d(x[0], 3).data<float>().ToArray(), F.max_pool1d_with_indices(x[0], 3).output.data<float>().ToArray());
        }
    }

    [Fact]
    public void MaxPool_of_a_non_contiguous_input()
    {
        manual_seed(4);
        var x = randn(2, 6, 3, 8).permute(0, 2, 1, 3);   // [2, 3, 6, 8], strided
        var y = F.max_pool2d(x, 2);
        var r = F.max_pool2d(x.contiguous(), 2);
        Assert.Equal(r.data<float>().ToArray(), y.data<float>().ToArray());
    }

    // ---------------------------------------------------------------- gradchecks (float64)

    static Tensor In(long[] shape, int seed) => GradCheck.Input(shape, seed, -2, 2);

    [Fact]
    public void Gradcheck_max_pool()
    {
        GradCheck.Check(t => F.max_pool1d(t[0], 3, 2, 1, 1, true), [In([2, 2, 8], 1)], what: "max_pool1d");
        GradCheck.Check(t => F.max_pool2d(t[0], [2, 3], [1, 2], [1, 1], [1, 1]), [In([1, 2, 5, 6], 2)], what: "max_pool2d");
        GradCheck.Check(t => F.max_pool2d(t[0], 3, 2, 1, 2, true), [In([1, 1, 7, 7], 3)], what: "max_pool2d dilated ceil");
        GradCheck.Check(t => F.max_pool2d(t[0], 2), [In([2, 4, 6], 4)], what: "max_pool2d unbatched");
        GradCheck.Check(t => F.max_pool3d(t[0], [2, 2, 3], [1, 2, 1], [1, 0, 1], [1, 1, 1], true), [In([1, 1, 3, 4, 5], 5)], what: "max_pool3d");
    }

    [Fact]
    public void Gradcheck_avg_and_lp_pool()
    {
        GradCheck.Check(t => F.avg_pool1d(t[0], 3, 2, 1, true, false), [In([2, 2, 8], 6)], what: "avg_pool1d");
        GradCheck.Check(t => F.avg_pool2d(t[0], [3, 2], [2, 1], [1, 1], true, false), [In([1, 2, 5, 6], 7)], what: "avg_pool2d");
        GradCheck.Check(t => F.avg_pool2d(t[0], 2, 1, 1, divisor_override: 3), [In([1, 1, 4, 4], 8)], what: "avg_pool2d divisor");
        GradCheck.Check(t => F.avg_pool3d(t[0], 2, 1, 1, false, false), [In([1, 1, 3, 3, 4], 9)], what: "avg_pool3d");
        GradCheck.Check(t => F.lp_pool1d(t[0], 2.0, 3, 2), [In([1, 2, 7], 10)], what: "lp_pool1d");
        GradCheck.Check(t => F.lp_pool2d(t[0], 3.0, [2, 2], [1, 2], true), [GradCheck.Input([1, 1, 4, 5], 11, 0.5, 2)], what: "lp_pool2d");
    }

    [Fact]
    public void Gradcheck_adaptive_pool()
    {
        GradCheck.Check(t => F.adaptive_avg_pool1d(t[0], 4), [In([2, 2, 7], 12)], what: "adaptive_avg_pool1d");
        GradCheck.Check(t => F.adaptive_avg_pool2d(t[0], (3, null)), [In([1, 2, 5, 4], 13)], what: "adaptive_avg_pool2d");
        GradCheck.Check(t => F.adaptive_avg_pool2d(t[0], 1), [In([2, 2, 3, 3], 13)], what: "adaptive_avg_pool2d 1x1");
        GradCheck.Check(t => F.adaptive_avg_pool3d(t[0], [2, 3, 2]), [In([1, 1, 3, 4, 5], 14)], what: "adaptive_avg_pool3d");
        GradCheck.Check(t => F.adaptive_max_pool1d(t[0], 3), [In([2, 2, 7], 15)], what: "adaptive_max_pool1d");
        GradCheck.Check(t => F.adaptive_max_pool2d(t[0], [3, 2]), [In([1, 2, 5, 4], 16)], what: "adaptive_max_pool2d");
        GradCheck.Check(t => F.adaptive_max_pool3d(t[0], 2), [In([1, 1, 3, 4, 5], 17)], what: "adaptive_max_pool3d");
    }

    [Fact]
    public void Gradcheck_max_unpool()
    {
        var (_, i1) = F.max_pool1d_with_indices(In([1, 2, 8], 18), 2);
        GradCheck.Check(t => F.max_unpool1d(t[0], i1, 2), [In([1, 2, 4], 19)], what: "max_unpool1d");
        // Non-overlapping windows: overlapping ones can repeat an index, which unpooling writes once.
        var (_, i2) = F.max_pool2d_with_indices(In([1, 2, 5, 5], 20), 2);
        GradCheck.Check(t => F.max_unpool2d(t[0], i2, 2, output_size: [5, 5]), [In([1, 2, 2, 2], 21)], what: "max_unpool2d");
        var (_, i3) = F.max_pool3d_with_indices(In([1, 1, 4, 4, 4], 22), 2);
        GradCheck.Check(t => F.max_unpool3d(t[0], i3, 2), [In([1, 1, 2, 2, 2], 23)], what: "max_unpool3d");
    }

    /// <summary>The backward ops are differentiable (PyTorch's *BackwardBackward0 nodes): gradcheck the input gradient as a function of the upstream gradient.</summary>
    [Fact]
    public void Double_backward()
    {
        void Check(Func<Tensor, Tensor> f, long[] shape, int seed, string expectedNode, string what)
        {
            var x = In(shape, seed);
            var g = GradCheck.Input(f(x).shape, seed + 100);
            var gx = autograd.grad([f(x)], [x], [g], create_graph: true)[0]!;
            Assert.Equal(expectedNode, gx.grad_fn?.name());
            // GradCheck evaluates under no_grad for the finite differences: the inner backward needs a graph.
            GradCheck.Check(t => { using (enable_grad()) return autograd.grad([f(t[0])], [t[0]], [t[1]], create_graph: true)[0]!; }, [x, g], what: what);
        }
        Check(x => F.max_pool2d(x, 2), [1, 2, 4, 4], 30, "MaxPool2DWithIndicesBackwardBackward0", "max_pool2d");
        Check(x => F.avg_pool2d(x, 3, 2, 1), [1, 2, 5, 5], 31, "AvgPool2DBackwardBackward0", "avg_pool2d");
        Check(x => F.adaptive_avg_pool2d(x, 3), [1, 2, 5, 4], 32, "AdaptiveAvgPool2DBackwardBackward0", "adaptive_avg_pool2d");
        Check(x => F.adaptive_max_pool2d(x, 2), [1, 2, 5, 4], 33, "AdaptiveMaxPool2DBackwardBackward0", "adaptive_max_pool2d");
        Check(x => F.max_pool3d(x, 2), [1, 1, 4, 4, 4], 34, "MaxPool3DWithIndicesBackwardBackward0", "max_pool3d");
    }

    [Fact]
    public void Modifying_the_input_in_place_after_max_pool_is_reported_at_backward()
    {
        var x = randn(1, 1, 4, 4, requires_grad: true);
        var h = x.mul(1);
        var y = F.max_pool2d(h, 2);
        h.add_(1);
        var e = Assert.Throws<InvalidOperationException>(() => y.sum().backward());
        Assert.Contains("modified by an inplace operation", e.Message);
    }

    [Fact]
    public void Top_level_torch_forms()
    {
        manual_seed(5);
        var x = randn(2, 3, 8);
        Assert.Equal(F.max_pool1d(x, 2).data<float>().ToArray(), torch.max_pool1d(x, 2).data<float>().ToArray());
        Assert.Equal(F.avg_pool1d(x, 3, 1).data<float>().ToArray(), torch.avg_pool1d(x, 3, 1).data<float>().ToArray());
        Assert.Equal(F.adaptive_avg_pool1d(x, 3).data<float>().ToArray(), torch.adaptive_avg_pool1d(x, 3).data<float>().ToArray());
        var (o, i) = torch.adaptive_max_pool1d(x, 3);
        Assert.Equal(F.adaptive_max_pool1d(x, 3).data<float>().ToArray(), o.data<float>().ToArray());
        Assert.Equal(new long[] { 2, 3, 3 }, i.shape);
        var x4 = randn(1, 2, 6, 6);
        Assert.Equal(F.max_pool2d(x4, 3, 1, 1).data<float>().ToArray(), torch.max_pool2d(x4, 3, 1, 1).data<float>().ToArray());
        Assert.Equal(F.max_pool2d(x4, (3, 3), (1, 1), (1, 1)).data<float>().ToArray(), torch.max_pool2d(x4, [3L, 3], [1L, 1], [1L, 1]).data<float>().ToArray());
        var x5 = randn(1, 1, 4, 4, 4);
        Assert.Equal(F.max_pool3d(x5, 2).data<float>().ToArray(), torch.max_pool3d(x5, 2).data<float>().ToArray());
        Assert.Equal(F.avg_pool2d(x4, (2, 3)).shape, new long[] { 1, 2, 3, 2 });
        Assert.Equal(F.avg_pool3d(x5, (1, 2, 2)).shape, new long[] { 1, 1, 4, 2, 2 });
        Assert.Equal(F.max_pool3d(x5, (1, 2, 2)).shape, new long[] { 1, 1, 4, 2, 2 });
        Assert.Equal(F.lp_pool2d(x4, 2.0, (2, 2)).shape, new long[] { 1, 2, 3, 3 });
    }

    [Fact]
    public void Empty_batch_is_allowed()
    {
        var y = F.max_pool2d(zeros(0, 3, 4, 4), 2);
        Assert.Equal(new long[] { 0, 3, 2, 2 }, y.shape);
        Assert.Equal(new long[] { 0, 3, 2, 2 }, F.avg_pool2d(zeros(0, 3, 4, 4), 2).shape);
    }

    // ---------------------------------------------------------------- errors (PyTorch's messages)

    static void Err(Action a, params string[] parts)
    {
        var e = Assert.Throws<ArgumentException>(a);
        foreach (var p in parts) Assert.Contains(p, e.Message);
    }

    [Fact]
    public void Errors()
    {
        var x = randn(1, 2, 5, 5);
        Err(() => F.max_pool2d(x, 6), "Given input size: (2x5x5). Calculated output size: (2x0x0). Output size is too small",
            "H_out = floor((H_in + 2*padding - dilation*(kernel_size-1) - 1)/stride) + 1 = floor((5 + 2*0 - 1*(6-1) - 1)/6) + 1 = 0");
        Err(() => F.max_pool2d(x, 2, padding: 2), "pad should be at most half of kernel size, but got pad=2 and kernel_size=2");
        Err(() => F.max_pool2d(x, 0), "stride should not be zero");
        Err(() => F.max_pool2d(x, 2, stride: 0), "stride should not be zero");
        Err(() => F.max_pool2d(x, 2, dilation: 0), "dilation should be greater than zero");
        Err(() => F.max_pool2d(x, 2, padding: -1), "pad must be non-negative, but got pad: -1");
        Err(() => F.max_pool2d(randn(5, 5), 2), "non-empty 3D or 4D (batch mode) tensor expected for input", "[5, 5]");
        Err(() => F.max_pool2d(x, [2L, 2, 2]), "max_pool2d: kernel_size must either be a single int, or a tuple of two ints");
        Err(() => F.max_pool1d(randn(5), 2), "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:[5]");
        Err(() => F.max_pool1d(randn(1, 2, 3), 4), "Given input size: (2x1x3). Calculated output size: (2x1x0). Output size is too small");
        Err(() => F.max_pool3d(randn(2, 2, 2), 2), "non-empty 4D or 5D (batch mode) tensor expected for input");
        Err(() => F.max_pool3d(randn(1, 1, 2, 2, 2), 3), "Given input size: (1x2x2x2). Calculated output size: (1x0x0x0). Output size is too small");
        Err(() => F.max_pool2d(ones(new long[] { 1, 1, 4, 4 }, dtype: int64), 2), "max_pool2d", "int64");
        Err(() => F.max_pool2d(zeros(1, 1, 0, 4), 2), "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:[1, 1, 0, 4]");
        Err(() => F.avg_pool2d(x, 6), "Given input size: (2x5x5). Calculated output size: (2x0x0). Output size is too small");
        Err(() => F.avg_pool2d(x, 2, padding: 2), "pad should be at most half of kernel size, but got pad=2 and kernel_size=2");
        Err(() => F.avg_pool2d(x, 2, divisor_override: 0), "divisor must be not zero");
        Err(() => F.avg_pool1d(randn(1, 2, 3), 4), "Given input size: (2x1x3). Calculated output size: (2x1x0). Output size is too small");
        Err(() => F.avg_pool1d(randn(5), 2), "Expected 2 to 3 dimensions, but got 1-dimensional tensor for argument #1 'self' (while checking arguments for avg_pool1d)");
        Err(() => F.avg_pool3d(randn(1, 1, 2, 2, 2), 3), "input image (T: 2 H: 2 W: 2) smaller than kernel size (kT: 3 kH: 3 kW: 3)");
        // avg_pool3d (only) wants whole kernels inside the input even when padding would make room.
        Err(() => F.avg_pool3d(randn(1, 1, 3, 6, 6), [4L, 4, 4], padding: [2L, 2, 2]), "input image (T: 3 H: 6 W: 6) smaller than kernel size (kT: 4 kH: 4 kW: 4)");
        Err(() => F.avg_pool3d(randn(2, 2), 1), "non-empty 4D or 5D (batch mode) tensor expected for input");
        Err(() => F.lp_pool2d(x, 2.0, 6), "Given input size: (2x5x5). Calculated output size: (2x0x0). Output size is too small");
        Err(() => F.adaptive_avg_pool2d(randn(5), 2), "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [5]");
        Err(() => F.adaptive_avg_pool2d(randn(1, 2, 0, 3), 2), "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes [1, 2, 0, 3] with dimension 2 being empty");
        Err(() => F.adaptive_max_pool2d(randn(5), 2), "adaptive_max_pool2d(): Expected 3D or 4D tensor, but got");
        Err(() => F.adaptive_avg_pool1d(randn(5), 2), "Expected 2 to 3 dimensions, but got 1-dimensional tensor for argument #1 'self' (while checking arguments for adaptive_avg_pool1d)");
        Err(() => F.adaptive_max_pool1d(randn(5), 2), "Expected 2 to 3 dimensions, but got 1-dimensional tensor for argument #1 'self' (while checking arguments for adaptive_max_pool1d)");
        Err(() => F.adaptive_avg_pool3d(randn(5, 2), 2), "adaptive_avg_pool3d(): Expected 4D or 5D tensor, but got [5, 2]");
        Err(() => F.adaptive_max_pool3d(randn(5, 2), 2), "adaptive_max_pool3d(): Expected 4D or 5D tensor, but got");
        Err(() => F.adaptive_avg_pool2d(x, [2L, 2, 2]), "adaptive_avg_pool2d: output_size must be 2");
        Err(() => F.adaptive_max_pool2d(x, [2L, 2, 2]), "adaptive_max_pool2d: output_size must be 2");
        Err(() => F.adaptive_avg_pool2d(x, -1), "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0");

        var (o, i) = F.max_pool2d_with_indices(x, 2);
        Err(() => F.max_unpool2d(o, i.to(float32), 2), "elements in indices should be type int64 but got: Float");
        Err(() => F.max_unpool2d(o, i[.., .., .., ..1], 2), "Expected shape of indices to be same as that of the input tensor ([1, 2, 2, 2]) but got indices tensor with shape: [1, 2, 2, 1]");
        Err(() => F.max_unpool2d(o, i, 2, output_size: [9, 9]), "invalid output_size \"(9, 9)\" (dim 0 must be between 2 and 6)");
        Err(() => F.max_unpool2d(o, i, 2, output_size: [1, 2, 3]), "output_size should be a sequence containing 2 or 4 elements, but it has a length of '3'");
        Err(() => F.max_unpool2d(o[0, 0], i[0, 0], 2), "Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with 2 dimensions");
        // Index 16 of a 5×5 input does not fit the default 4×4 output (PyTorch's error too).
        var (o5, i5) = F.max_pool2d_with_indices(tensor(Enumerable.Range(0, 25).Select(v => (float)v).ToArray()).reshape(1, 1, 5, 5), 2);
        Err(() => F.max_unpool2d(o5, i5, 2), "Found an invalid max index: 16 (output volumes are of size 4x4");
    }

    // ---------------------------------------------------------------- regressions found by the fuzz test

    [Fact]
    public void Adaptive_pooling_refuses_an_output_beyond_an_array_before_allocating()
    {
        // The window tables (one entry per output position) were allocated first: OutOfMemoryException.
        var x = randn(2, 3, 4);
        Assert.Contains("output_size 2147483647", Assert.Throws<ArgumentException>(() => F.adaptive_avg_pool1d(x, int.MaxValue)).Message);
        Assert.Throws<ArgumentException>(() => F.adaptive_max_pool3d_with_indices(randn(2, 1, 3, 3), (0, 1, int.MaxValue)));
    }

    [Fact]
    public void A_huge_kernel_is_output_size_too_small_not_a_wrapped_size()
    {
        // (in + 2p - d(k-1) - 1)/s + 1 was about -2^31.5 for k = 2^31 - 1, d = 4: cast to int it became a large
        // positive size, and the case ran out of memory building window tables.
        var e = Assert.Throws<ArgumentException>(() => F.max_pool3d(randn(2, 3, 3, 3), int.MaxValue, 3, 0, 4, ceil_mode: true));
        Assert.Contains("Output size is too small", e.Message);
    }

    [Fact]
    public void A_dilated_window_wholly_in_the_padding_gets_no_gradient()
    {
        // Length 1, kernel 2, padding 1, dilation 2: the window reads positions -1 and 1, both outside.
        // PyTorch returns -inf with index 1 (past the input) and scatters its gradient into the next plane;
        // here the scatter indexed past the array (IndexOutOfRangeException). The -inf does not depend on x.
        var x = tensor(new[] { 1.0, -2.0, 3.0, 4.0 }, new long[] { 2, 2, 1 }, dtype: float64, requires_grad: true);
        var (o, i) = F.max_pool1d_with_indices(x, 2, 1, 1, 2, ceil_mode: true);
        Assert.All(o.data<double>().ToArray(), v => Assert.Equal(double.NegativeInfinity, v));
        Assert.All(i.data<long>().ToArray(), v => Assert.Equal(1L, v));   // PyTorch's index
        o.sum().backward();
        Assert.All(x.grad!.data<double>().ToArray(), v => Assert.Equal(0.0, v));
    }
}
