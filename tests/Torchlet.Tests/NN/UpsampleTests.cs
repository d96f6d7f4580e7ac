using System.Text.Json;
using Torchlet;
using Xunit;
using static Torchlet.torch;
using F = Torchlet.torch.nn.functional;
using Torchlet.Modules;

namespace Torchlet.Tests;

/// <summary>
/// functional.interpolate against PyTorch (fixtures/nn_upsample.json from gen_nn_pool.py) in every
/// mode (nearest, nearest-exact, linear, bilinear, bicubic, trilinear, area) with sizes, scale
/// factors, align_corners and recompute_scale_factor; float64 gradchecks; PyTorch's errors.
/// </summary>
[Collection(GlobalStateCollection.Name)]   // draws from the default generator (manual_seed, randn, default init)
public class UpsampleTests
{
    const string File = "nn_upsample";

    public static IEnumerable<object[]> FunctionalCases =>
        Fixtures.Load(File).Where(c => c.GetProperty("fn").GetString() == "interpolate")
            .Select(c => new object[] { c.GetProperty("name").GetString()! });

    internal static Tensor Call(JsonElement a, Tensor x)
    {
        long[]? size = PoolingTests.LA(a, "size");
        double[]? scale = !PoolingTests.Has(a, "scale_factor") ? null
            : a.GetProperty("scale_factor") is { ValueKind: JsonValueKind.Array } s ? s.EnumerateArray().Select(e => e.GetDouble()).ToArray()
            : [a.GetProperty("scale_factor").GetDouble()];
        bool? ac = PoolingTests.Has(a, "align_corners") ? a.GetProperty("align_corners").GetBoolean() : null;
        bool? rsf = PoolingTests.Has(a, "recompute_scale_factor") ? a.GetProperty("recompute_scale_factor").GetBoolean() : null;
        return F.interpolate(x, a.GetProperty("mode").GetString()!, size, scale, ac, rsf);
    }

    [Theory]
    [MemberData(nameof(FunctionalCases))]
    public void Interpolate_matches_pytorch(string name)
    {
        var c = Fixtures.Case(File, name);
        PoolingTests.CheckCase(c, x => (Call(c.GetProperty("args"), x), null), name);
    }

    public static IEnumerable<object[]> ModuleCases =>
        Fixtures.Load(File).Where(c => c.TryGetProperty("module", out _))
            .Select(c => new object[] { c.GetProperty("name").GetString()! });

    static UpsampleMode Mode(JsonElement a) => PoolingTests.Has(a, "mode") ? a.GetProperty("mode").GetString() switch
    {
        "nearest" => UpsampleMode.Nearest, "linear" => UpsampleMode.Linear, "bilinear" => UpsampleMode.Bilinear,
        "bicubic" => UpsampleMode.Bicubic, "trilinear" => UpsampleMode.Trilinear, var m => throw new ArgumentException(m),
    } : UpsampleMode.Nearest;

    [Theory]
    [MemberData(nameof(ModuleCases))]
    public void Module_matches_pytorch(string name)
    {
        var c = Fixtures.Case(File, name);
        var a = c.GetProperty("ctor");
        bool? ac = PoolingTests.Has(a, "align_corners") ? a.GetProperty("align_corners").GetBoolean() : null;
        bool sizeArr = PoolingTests.Has(a, "size") && a.GetProperty("size").ValueKind == JsonValueKind.Array;
        bool scaleArr = PoolingTests.Has(a, "scale_factor") && a.GetProperty("scale_factor").ValueKind == JsonValueKind.Array;
        double? scale = PoolingTests.Has(a, "scale_factor") && !scaleArr ? a.GetProperty("scale_factor").GetDouble() : null;
        double[]? scales = scaleArr ? a.GetProperty("scale_factor").EnumerateArray().Select(e => e.GetDouble()).ToArray() : null;
        Upsample m = c.GetProperty("module").GetString() switch
        {
            "Upsample" when sizeArr => nn.Upsample(PoolingTests.LA(a, "size"), null, Mode(a), ac),
            "Upsample" when scaleArr => nn.Upsample(size: null, scale_factor: scales, mode: Mode(a), align_corners: ac),
            "Upsample" => nn.Upsample(PoolingTests.L(a, "size"), scale, Mode(a), ac),
            "UpsamplingNearest2d" => nn.UpsamplingNearest2d(PoolingTests.L(a, "size"), scale),
            "UpsamplingBilinear2d" => nn.UpsamplingBilinear2d(PoolingTests.L(a, "size"), scale),
            var n => throw new ArgumentException(n),
        };
        Assert.Equal(c.GetProperty("repr").GetString(), m.ToString());
        PoolingTests.CheckCase(c, x => (m.forward(x), null), name);
    }

    [Fact]
    public void Module_errors_name_the_layer_and_the_layer_stays_usable()
    {
        var up = nn.Upsample(scale_factor: 2.0, mode: UpsampleMode.Bilinear);
        var e = Assert.Throws<ArgumentException>(() => up.forward(randn(1, 2, 5)));
        Assert.Equal("Upsample(scale_factor=2.0, mode=bilinear): Got 3D input, but bilinear mode needs 4D input", e.Message);
        Assert.Equal(new long[] { 1, 2, 6, 6 }, up.forward(randn(1, 2, 3, 3)).shape);
        e = Assert.Throws<ArgumentException>(() => nn.Upsample(scale_factor: 2.0, align_corners: true).forward(randn(1, 2, 3, 3)));
        Assert.StartsWith("Upsample(scale_factor=2.0, mode=nearest): align_corners option can only be set", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.Upsample(scale_factor: (double?)null).forward(randn(1, 2, 3, 3)));
        Assert.Equal("Upsample(size=None, mode=nearest): either size or scale_factor should be defined", e.Message);
        var m = nn.Upsample(size: new long[] { 4, 4, 4 });
        Assert.Equal(new long[] { 4, 4, 4 }, m.size);
        Assert.Null(m.scale_factor);
    }

    [Fact]
    public void Enum_and_string_modes_agree()
    {
        manual_seed(1);
        var x = randn(1, 2, 3, 4);
        var a = F.interpolate(x, scale_factor: [2.0], mode: InterpolationMode.Bilinear, align_corners: true);
        var b = F.interpolate(x, mode: "bilinear", scale_factor: [2.0], align_corners: true);
        Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());
        Assert.Equal(new long[] { 1, 2, 6, 8 }, a.shape);
        var n = F.interpolate(x, size: [5, 5]);
        Assert.Equal(new long[] { 1, 2, 5, 5 }, n.shape);
        Assert.Equal(F.upsample_bilinear(x, scale_factor: [2.0]).data<float>().ToArray(), a.data<float>().ToArray());
        Assert.Equal(F.upsample_nearest(x, size: [5, 5]).data<float>().ToArray(), n.data<float>().ToArray());
        Assert.Equal(F.upsample(x, size: [5, 5], mode: UpsampleMode.Nearest).data<float>().ToArray(), n.data<float>().ToArray());
    }

    [Fact]
    public void Upsample_backward_records_no_graph_as_in_pytorch()
    {
        var x = randn(1, 1, 3, 3, requires_grad: true);
        var y = F.interpolate(x, "bilinear", scale_factor: [2.0]);
        var gx = autograd.grad([y], [x], [ones_like(y)], create_graph: true)[0]!;
        Assert.Null(gx.grad_fn);
        Assert.False(gx.requires_grad);
    }

    [Fact]
    public void Large_input_splits_over_threads_and_matches_a_small_reference()
    {
        manual_seed(2);
        var x = randn(8, 32, 16, 16);
        var y = F.interpolate(x, "bicubic", scale_factor: [2.0]);
        for (int p = 0; p < 3; p++)
        {
            var one = F.interpolate(x[p..(p + 1)], "bicubic", scale_factor: [2.0]);
            Assert.Equal(one.data<float>().ToArray(), y[p..(p + 1)].data<float>().ToArray());
        }
    }

    /// <summary>
    /// With a scale factor, PyTorch 1.13's nearest forward maps even a same-size or doubled output
    /// through 1/scale (values below printed by PyTorch). Its backward then takes a shortcut
    /// (identity, o >> 1) that does not match that forward; here the gradient is the forward's own
    /// adjoint, which the gradcheck confirms.
    /// </summary>
    [Fact]
    public void Nearest_with_a_scale_factor_maps_through_the_scale_even_at_same_or_double_size()
    {
        var x = arange(5.0).reshape(1, 1, 5);
        Assert.Equal(new float[] { 0, 0, 1, 2, 3 }, F.interpolate(x, scale_factor: [1.09]).data<float>().ToArray());
        Assert.Equal(new float[] { 0, 0, 0, 1, 1, 2, 2, 3, 3, 4 }, F.interpolate(x, scale_factor: [2.1]).data<float>().ToArray());
        Assert.Equal(new float[] { 0, 0, 1, 1, 2, 2, 3, 3, 4, 4 }, F.interpolate(x, size: [10]).data<float>().ToArray());
        GradCheck.Check(t => F.interpolate(t[0], "nearest", scale_factor: [1.09]), [GradCheck.Input([1, 1, 5], 40)], what: "nearest 1.09");
        GradCheck.Check(t => F.interpolate(t[0], "nearest", scale_factor: [2.1]), [GradCheck.Input([1, 1, 5], 41)], what: "nearest 2.1");
    }

    // ---------------------------------------------------------------- gradchecks (float64)

    [Fact]
    public void Gradcheck_every_mode()
    {
        Tensor In(long[] s, int seed) => GradCheck.Input(s, seed);
        GradCheck.Check(t => F.interpolate(t[0], "nearest", scale_factor: [1.7]), [In([1, 2, 4], 1)], what: "nearest1d");
        GradCheck.Check(t => F.interpolate(t[0], "nearest", size: [5, 3]), [In([1, 2, 3, 4], 2)], what: "nearest2d");
        GradCheck.Check(t => F.interpolate(t[0], "nearest", scale_factor: [2.0]), [In([1, 1, 2, 2, 3], 3)], what: "nearest3d");
        GradCheck.Check(t => F.interpolate(t[0], "nearest-exact", size: [5, 3]), [In([1, 2, 3, 4], 4)], what: "nearest-exact2d");
        GradCheck.Check(t => F.interpolate(t[0], "linear", size: [7], align_corners: true), [In([2, 2, 4], 5)], what: "linear");
        GradCheck.Check(t => F.interpolate(t[0], "linear", scale_factor: [0.6]), [In([2, 2, 7], 6)], what: "linear down");
        GradCheck.Check(t => F.interpolate(t[0], "bilinear", scale_factor: [1.5, 2.0]), [In([1, 2, 3, 3], 7)], what: "bilinear");
        GradCheck.Check(t => F.interpolate(t[0], "bilinear", size: [5, 2], align_corners: true), [In([1, 1, 3, 4], 8)], what: "bilinear ac");
        GradCheck.Check(t => F.interpolate(t[0], "bicubic", size: [5, 6]), [In([1, 1, 4, 3], 9)], what: "bicubic");
        GradCheck.Check(t => F.interpolate(t[0], "bicubic", scale_factor: [2.0], align_corners: true), [In([1, 1, 3, 3], 10)], what: "bicubic ac");
        GradCheck.Check(t => F.interpolate(t[0], "trilinear", size: [3, 4, 3]), [In([1, 1, 2, 3, 2], 11)], what: "trilinear");
        GradCheck.Check(t => F.interpolate(t[0], "area", size: [2, 3]), [In([1, 1, 5, 5], 12)], what: "area");
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
        Err(() => F.interpolate(x, "nearest", scale_factor: [2.0], align_corners: true),
            "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear");
        Err(() => F.interpolate(x), "either size or scale_factor should be defined");
        Err(() => F.interpolate(x, size: [3], scale_factor: [2.0]), "only one of size or scale_factor should be defined");
        Err(() => F.interpolate(x, size: [3, 3, 3]),
            "Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of [5, 5] and output size of (3, 3, 3).");
        Err(() => F.interpolate(x, scale_factor: [2.0, 2.0, 2.0]),
            "Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of [5, 5] and scale_factor of shape (2.0, 2.0, 2.0).");
        Err(() => F.interpolate(x, size: [3], recompute_scale_factor: true), "recompute_scale_factor is not meaningful with an explicit size.");
        Err(() => F.interpolate(randn(5), size: [3]),
            "Input Error: Only 3D, 4D and 5D input Tensors supported (got 1D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got nearest)");
        Err(() => F.interpolate(randn(1, 2, 6), "bilinear", scale_factor: [2.0]), "Got 3D input, but bilinear mode needs 4D input");
        Err(() => F.interpolate(x, "linear", scale_factor: [2.0]), "Got 4D input, but linear mode needs 3D input");
        Err(() => F.interpolate(x, "trilinear", scale_factor: [2.0]), "Got 4D input, but trilinear mode needs 5D input");
        Err(() => F.interpolate(randn(1, 2, 2, 2, 2), "bilinear", scale_factor: [2.0]), "Got 5D input, but bilinear mode needs 4D input");
        Err(() => F.interpolate(randn(1, 2, 6), "bicubic", scale_factor: [2.0]),
            "Input Error: Only 3D, 4D and 5D input Tensors supported (got 3D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got bicubic)");
        Err(() => F.interpolate(x, "foo", size: [3]), "unknown mode 'foo'");
        Err(() => F.interpolate(x, scale_factor: [0.1]), "Input and output sizes should be greater than 0, but got input (H: 5, W: 5) output (H: 0, W: 0)");
        Err(() => F.interpolate(ones(new long[] { 1, 1, 2, 2 }, dtype: int64), size: [4, 4]), "upsample_nearest2d", "int64");
    }

    [Fact]
    public void Interpolate_refuses_an_output_beyond_an_array_before_allocating()
    {
        // Found by the fuzz test: the interpolation tables (one entry per output position) ran out of memory first.
        var x = randn(1, 1, 4);
        Assert.Contains("2147483647", Assert.Throws<ArgumentException>(() => F.interpolate(x, size: [int.MaxValue])).Message);
        Assert.Throws<ArgumentException>(() => F.upsample_nearest(x, scale_factor: [1e30]));
    }
}
