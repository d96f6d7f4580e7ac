using System.Text.Json;
using Torchlet;
using Xunit;
using static Torchlet.torch;
using F = Torchlet.torch.nn.functional;

namespace Torchlet.Tests;

/// <summary>
/// Pooling against PyTorch (fixtures/nn_pool.json from gen_nn_pool.py): outputs, indices, grad_fn
/// names and input gradients for every option; float64 gradchecks (and double-backward checks);
/// PyTorch's error messages; the SIMD 2×2 path against the generic kernel.
/// </summary>
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
            "adaptive_max_pool3d" => F.adaptive_max_pool3d_with_indices(x, Sizes(a, "output_size").Select(v => v!.Value).ToArray()),
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
        Err(() => F.max_pool2d(zeros(1, 1, 0, 4), 2), "Output size is too small");
        Err(() => F.avg_pool2d(x, 6), "Given input size: (2x5x5). Calculated output size: (2x0x0). Output size is too small");
        Err(() => F.avg_pool2d(x, 2, padding: 2), "pad should be at most half of kernel size, but got pad=2 and kernel_size=2");
        Err(() => F.avg_pool2d(x, 2, divisor_override: 0), "divisor must be not zero");
        Err(() => F.avg_pool1d(randn(1, 2, 3), 4), "Given input size: (2x1x3). Calculated output size: (2x1x0). Output size is too small");
        Err(() => F.avg_pool1d(randn(5), 2), "Expected 2 to 3 dimensions, but got 1-dimensional tensor for argument #1 'self' (while checking arguments for avg_pool1d)");
        Err(() => F.avg_pool3d(randn(1, 1, 2, 2, 2), 3), "Output size is too small");
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
}
