using System.Text.Json;
using Torchlet;
using Xunit;
using static Torchlet.torch;
using F = Torchlet.torch.nn.functional;

namespace Torchlet.Tests.NN;

/// <summary>
/// Convolutions against PyTorch (fixtures/nn_conv.json from gen_nn_conv.py): the functional forms
/// and the modules with every option (stride, padding incl. same/valid, dilation, groups, bias,
/// padding modes, output_padding, output_size, 1d/2d/3d, unbatched), input/weight/bias gradients,
/// second-order gradients, repr, default init, errors; float64 gradchecks; a naive reference for
/// the kernel's layout paths (threads, batch, strides, 1×1).
/// </summary>
[Collection(GlobalStateCollection.Name)]   // draws from the default generator (manual_seed, randn, default init)
public partial class ConvTests
{
    const string File = "nn_conv";

    public static IEnumerable<object[]> ModuleCases() => Kind("module");
    public static IEnumerable<object[]> DoubleCases() => Kind("double");

    static IEnumerable<object[]> Kind(string kind) =>
        Fixtures.Load(File).Where(c => c.GetProperty("kind").GetString() == kind).Select(c => new object[] { c.GetProperty("name").GetString()! });

    // ---------------------------------------------------------------- fixture arguments

    /// <summary>A constructor argument (int or list) as one value per spatial dim.</summary>
    internal static long[] Ints(JsonElement kwargs, string key, int nsp, long dflt)
    {
        if (!kwargs.TryGetProperty(key, out var v)) return Enumerable.Repeat(dflt, nsp).ToArray();
        if (v.ValueKind == JsonValueKind.Number) return Enumerable.Repeat(v.GetInt64(), nsp).ToArray();
        return v.EnumerateArray().Select(e => e.GetInt64()).ToArray();
    }

    internal static int Nsp(string cls) => cls[^2] - '0';

    /// <summary>Positional args of the fixture: in, out, kernel_size, then (stride, padding[, output_padding]) when given.</summary>
    internal static (long inC, long outC, long[] kernel, JsonElement kw, Dictionary<string, long[]> positional) Ctor(JsonElement c)
    {
        var cls = c.GetProperty("cls").GetString()!;
        int nsp = Nsp(cls);
        var args = c.GetProperty("args").EnumerateArray().ToArray();
        long[] K(JsonElement e) => e.ValueKind == JsonValueKind.Number ? Enumerable.Repeat(e.GetInt64(), nsp).ToArray() : e.EnumerateArray().Select(x => x.GetInt64()).ToArray();
        var pos = new Dictionary<string, long[]>();
        string[] names = ["stride", "padding", "output_padding"];
        for (int i = 3; i < args.Length; i++) pos[names[i - 3]] = K(args[i]);
        return (args[0].GetInt64(), args[1].GetInt64(), K(args[2]), c.GetProperty("kwargs"), pos);
    }

    internal static long[] Opt(JsonElement kw, Dictionary<string, long[]> pos, string key, int nsp, long dflt) =>
        pos.TryGetValue(key, out var v) ? v : Ints(kw, key, nsp, dflt);

    internal static PaddingModes Mode(JsonElement kw) => kw.TryGetProperty("padding_mode", out var m)
        ? m.GetString() switch { "reflect" => PaddingModes.Reflect, "replicate" => PaddingModes.Replicate, "circular" => PaddingModes.Circular, _ => PaddingModes.Zeros }
        : PaddingModes.Zeros;

    static (double atol, double rtol) Tol(ScalarType dt) => dt == ScalarType.Float64 ? (1e-10, 1e-9) : (2e-5, 1e-4);

    // ---------------------------------------------------------------- functional forms

    /// <summary>The module case computed through the functional forms (F.pad first for non-zero padding modes, as PyTorch's modules do).</summary>
    static Tensor Functional(JsonElement c, Tensor x, Tensor w, Tensor? b)
    {
        var cls = c.GetProperty("cls").GetString()!;
        int nsp = Nsp(cls);
        var (_, _, kernel, kw, pos) = Ctor(c);
        var stride = Opt(kw, pos, "stride", nsp, 1);
        var dilation = Ints(kw, "dilation", nsp, 1);
        long groups = kw.TryGetProperty("groups", out var gj) ? gj.GetInt64() : 1;
        if (cls.StartsWith("ConvTranspose"))
        {
            var padding = Opt(kw, pos, "padding", nsp, 0);
            var outPad = Opt(kw, pos, "output_padding", nsp, 0);
            if (c.GetProperty("output_size").ValueKind == JsonValueKind.Array)
            {
                var os = c.GetProperty("output_size").EnumerateArray().Select(e => e.GetInt64()).ToArray()[^nsp..];
                for (int i = 0; i < nsp; i++)
                {
                    long inSize = x.shape[x.dim() - nsp + i];
                    long min = (inSize - 1) * stride[i] - 2 * padding[i] + dilation[i] * (kernel[i] - 1) + 1;
                    outPad[i] = os[i] - min;
                }
            }
            return nsp switch
            {
                1 => F.conv_transpose1d(x, w, b, stride, padding, outPad, groups, dilation),
                2 => F.conv_transpose2d(x, w, b, stride, padding, outPad, groups, dilation),
                _ => F.conv_transpose3d(x, w, b, stride, padding, outPad, groups, dilation),
            };
        }
        var mode = Mode(kw);
        var pj = kw.TryGetProperty("padding", out var pv) ? pv : default;
        if (pj.ValueKind == JsonValueKind.String)
        {
            var named = pj.GetString() == "same" ? Padding.Same : Padding.Valid;
            if (mode != PaddingModes.Zeros && named == Padding.Same)
            {
                // The module pads by d·(k−1) split with the extra after, then convolves unpadded.
                var pad = new List<long>();
                for (int i = nsp - 1; i >= 0; i--) { long t = dilation[i] * (kernel[i] - 1); pad.Add(t / 2); pad.Add(t - t / 2); }
                x = F.pad(x, pad.ToArray(), mode);
                named = Padding.Valid;
            }
            return nsp switch
            {
                1 => F.conv1d(x, w, b, stride, named, dilation, groups),
                2 => F.conv2d(x, w, b, stride, named, dilation, groups),
                _ => F.conv3d(x, w, b, stride, named, dilation, groups),
            };
        }
        var p = Opt(kw, pos, "padding", nsp, 0);
        if (mode != PaddingModes.Zeros)
        {
            var pad = new List<long>();
            for (int i = nsp - 1; i >= 0; i--) { pad.Add(p[i]); pad.Add(p[i]); }
            x = F.pad(x, pad.ToArray(), mode);
            p = new long[nsp];
        }
        return nsp switch
        {
            1 => F.conv1d(x, w, b, stride, p, dilation, groups),
            2 => F.conv2d(x, w, b, stride, p, dilation, groups),
            _ => F.conv3d(x, w, b, stride, p, dilation, groups),
        };
    }

    [Theory]
    [MemberData(nameof(ModuleCases))]
    public void Functional_matches_pytorch(string name)
    {
        var c = Fixtures.Case(File, name);
        var x = Fixtures.T(c.GetProperty("input"), requiresGrad: true);
        var w = Fixtures.T(c.GetProperty("weight"), requiresGrad: true);
        var b = c.GetProperty("bias").ValueKind == JsonValueKind.Null ? null : Fixtures.T(c.GetProperty("bias"), requiresGrad: true);
        var y = Functional(c, x, w, b);
        var (atol, rtol) = Tol(y.dtype);
        Fixtures.AssertClose(c.GetProperty("output"), y, atol, rtol, $"{name} output");
        if (Mode(c.GetProperty("kwargs")) == PaddingModes.Zeros)
            Assert.Equal(c.GetProperty("grad_fn").GetString(), y.grad_fn?.name());
        y.backward(Fixtures.T(c.GetProperty("grad")));
        Fixtures.AssertClose(c.GetProperty("grad_input"), x.grad!, atol, rtol, $"{name} grad_input");
        Fixtures.AssertClose(c.GetProperty("grad_weight"), w.grad!, atol, rtol, $"{name} grad_weight");
        if (b is not null) Fixtures.AssertClose(c.GetProperty("grad_bias"), b.grad!, atol, rtol, $"{name} grad_bias");
    }

    [Fact]
    public void Torch_level_forms_equal_functional()
    {
        var x = GradCheck.Input([2, 2, 5, 5], 1);
        var w = GradCheck.Input([3, 2, 3, 3], 2);
        var b = GradCheck.Input([3], 3);
        Fixtures.AssertClose(F.conv2d(x, w, b, [2], [1]).shape, F.conv2d(x, w, b, [2], [1]).ToArray<double>(), torch.conv2d(x, w, b, [2], [1]));
        var x1 = GradCheck.Input([2, 2, 5], 4);
        var w1 = GradCheck.Input([3, 2, 3], 5);
        Fixtures.AssertClose(F.conv1d(x1, w1).shape, F.conv1d(x1, w1).ToArray<double>(), torch.conv1d(x1, w1));
        var wt = GradCheck.Input([2, 3, 3, 3], 6);
        var t = F.conv_transpose2d(x, wt, null, [2], [1], [1]);
        Assert.Equal([2L, 3, 10, 10], t.shape);
        Fixtures.AssertClose(t.shape, t.ToArray<double>(), torch.conv_transpose2d(x, wt, null, [2], [1], [1]));
    }

    // ---------------------------------------------------------------- second order

    [Theory]
    [MemberData(nameof(DoubleCases))]
    public void Second_order_gradients_match_pytorch(string name)
    {
        var c = Fixtures.Case(File, name);
        var x = Fixtures.T(c.GetProperty("x"), requiresGrad: true);
        var w = Fixtures.T(c.GetProperty("w"), requiresGrad: true);
        var b = Fixtures.T(c.GetProperty("b"), requiresGrad: true);
        var g = Fixtures.T(c.GetProperty("g"), requiresGrad: true);
        var kw = c.GetProperty("kwargs");
        long[]? L(string k) => kw.TryGetProperty(k, out var v) ? [v.GetInt64()] : null;
        long groups = kw.TryGetProperty("groups", out var gj) ? gj.GetInt64() : 1;
        var y = c.GetProperty("fn").GetString() switch
        {
            "conv2d" => F.conv2d(x, w, b, L("stride"), L("padding"), L("dilation"), groups),
            "conv1d" => F.conv1d(x, w, b, L("stride"), L("padding"), L("dilation"), groups),
            "conv_transpose2d" => F.conv_transpose2d(x, w, b, L("stride"), L("padding"), L("output_padding"), groups, L("dilation")),
            var f => throw new ArgumentException(f),
        };
        var grads = torch.autograd.grad([y], [x, w, b], [g], create_graph: true);
        Fixtures.AssertClose(c.GetProperty("gx"), grads[0]!, 1e-9, 1e-8, "gx");
        Fixtures.AssertClose(c.GetProperty("gw"), grads[1]!, 1e-9, 1e-8, "gw");
        Fixtures.AssertClose(c.GetProperty("gb"), grads[2]!, 1e-9, 1e-8, "gb");
        var s = grads[0]!.pow(2).sum() + grads[1]!.pow(2).sum() + (grads[0]!.sum() * grads[2]!).sum();
        s.backward();
        Fixtures.AssertClose(c.GetProperty("w_grad"), w.grad!, 1e-8, 1e-8, "w.grad");
        Fixtures.AssertClose(c.GetProperty("g_grad"), g.grad!, 1e-8, 1e-8, "g.grad");
        if (c.GetProperty("x_grad").ValueKind != JsonValueKind.Null)
            Fixtures.AssertClose(c.GetProperty("x_grad"), x.grad!, 1e-8, 1e-8, "x.grad");
        else Assert.Null(x.grad);
    }

    // ---------------------------------------------------------------- float64 gradchecks

    [Fact]
    public void Gradcheck_conv1d_stride_padding_dilation_groups()
    {
        var x = GradCheck.Input([2, 4, 7], 1);
        var w = GradCheck.Input([4, 2, 3], 2);
        var b = GradCheck.Input([4], 3);
        GradCheck.Check(t => F.conv1d(t[0], t[1], t[2], [2], [2], [2], 2), [x, w, b], what: "conv1d");
    }

    [Fact]
    public void Gradcheck_conv2d_same_even_kernel_and_unbatched()
    {
        var x = GradCheck.Input([2, 4, 5], 4);
        var w = GradCheck.Input([3, 2, 2, 3], 5);
        var b = GradCheck.Input([3], 6);
        GradCheck.Check(t => F.conv2d(t[0], t[1], t[2], null, Padding.Same), [x, w, b], what: "conv2d same");
    }

    [Fact]
    public void Gradcheck_conv2d_strided_depthwise()
    {
        var x = GradCheck.Input([2, 3, 5, 6], 7);
        var w = GradCheck.Input([3, 1, 3, 2], 8);
        GradCheck.Check(t => F.conv2d(t[0], t[1], null, [2, 1], [1, 0], [1, 2], 3), [x, w], what: "conv2d depthwise");
    }

    [Fact]
    public void Gradcheck_conv2d_pointwise()
    {
        var x = GradCheck.Input([2, 3, 3, 3], 9);
        var w = GradCheck.Input([2, 3, 1, 1], 10);
        var b = GradCheck.Input([2], 11);
        GradCheck.Check(t => F.conv2d(t[0], t[1], t[2]), [x, w, b], what: "conv2d 1x1");
    }

    [Fact]
    public void Gradcheck_conv3d()
    {
        var x = GradCheck.Input([1, 2, 3, 4, 3], 12);
        var w = GradCheck.Input([2, 1, 2, 2, 2], 13);
        var b = GradCheck.Input([2], 14);
        GradCheck.Check(t => F.conv3d(t[0], t[1], t[2], [1, 2, 1], [1, 0, 1], null, 2), [x, w, b], what: "conv3d");
    }

    [Fact]
    public void Gradcheck_conv_transpose1d_and_2d()
    {
        var x = GradCheck.Input([2, 4, 3], 15);
        var w = GradCheck.Input([4, 1, 3], 16);
        var b = GradCheck.Input([2], 17);
        GradCheck.Check(t => F.conv_transpose1d(t[0], t[1], t[2], [2], [1], [1], 2, [2]), [x, w, b], what: "conv_transpose1d");
        var x2 = GradCheck.Input([1, 2, 3, 2], 18);
        var w2 = GradCheck.Input([2, 2, 3, 2], 19);
        var b2 = GradCheck.Input([2], 20);
        GradCheck.Check(t => F.conv_transpose2d(t[0], t[1], t[2], [2, 1], [1, 0], [1, 0]), [x2, w2, b2], what: "conv_transpose2d");
    }

    [Fact]
    public void Gradcheck_conv_transpose3d_unbatched()
    {
        var x = GradCheck.Input([2, 2, 2, 2], 21);
        var w = GradCheck.Input([2, 2, 2, 2, 2], 22);
        GradCheck.Check(t => F.conv_transpose3d(t[0], t[1], null, [2]), [x, w], what: "conv_transpose3d");
    }

    [Fact]
    public void Gradcheck_second_order_conv2d()
    {
        // Differentiating the gradients themselves (create_graph): every input of the backward.
        var x = GradCheck.Input([1, 2, 4, 4], 23);
        var w = GradCheck.Input([2, 2, 2, 2], 24);
        var g = GradCheck.Input([1, 2, 2, 2], 25);
        GradCheck.Check(t =>
        {
            // The numerical pass runs under no_grad; the inner gradient needs a graph either way.
            using var _ = torch.enable_grad();
            var y = F.conv2d(t[0], t[1], null, [2]);
            var gr = torch.autograd.grad([y], [t[0], t[1]], [t[2]], create_graph: true);
            return torch.cat([gr[0]!.reshape(-1), gr[1]!.reshape(-1)]);
        }, [x, w, g], what: "conv2d double backward");
    }

    // ---------------------------------------------------------------- integer convolution

    [Fact]
    public void Int64_convolution_matches_pytorch()
    {
        var c = Fixtures.Case(File, "int64_conv2d");
        var x = Fixtures.T(c.GetProperty("x"));
        var w = Fixtures.T(c.GetProperty("w"));
        var b = Fixtures.T(c.GetProperty("b"));
        Fixtures.AssertClose(c.GetProperty("out"), F.conv2d(x, w, b, null, [1]), 0, 0, "int conv2d");
        var xt = x[.., .., ..2, ..2].contiguous();
        var wt = w.transpose(0, 1).contiguous()[..2];
        Fixtures.AssertClose(c.GetProperty("out_t"), F.conv_transpose2d(xt, wt, null, [2]), 0, 0, "int conv_transpose2d");
    }

    // ---------------------------------------------------------------- kernel paths against a naive reference

    /// <summary>Direct 2-d convolution in double: out[n, o, y, x] = b[o] + Σ w[o, c, i, j]·in[n, g·Cg + c, y·s − p + i·d, x·s − p + j·d].</summary>
    static double[] NaiveConv2d(double[] x, int n, int c, int h, int wd, double[] w, int o, int kh, int kw, double[]? b, int s, int p, int d, int groups, out int oh, out int ow)
    {
        oh = (h + 2 * p - d * (kh - 1) - 1) / s + 1;
        ow = (wd + 2 * p - d * (kw - 1) - 1) / s + 1;
        int cg = c / groups, og = o / groups;
        var r = new double[n * o * oh * ow];
        for (int ni = 0; ni < n; ni++)
            for (int oi = 0; oi < o; oi++)
                for (int yi = 0; yi < oh; yi++)
                    for (int xi = 0; xi < ow; xi++)
                    {
                        double acc = b?[oi] ?? 0;
                        int gi = oi / og;
                        for (int ci = 0; ci < cg; ci++)
                            for (int i = 0; i < kh; i++)
                                for (int j = 0; j < kw; j++)
                                {
                                    int iy = yi * s - p + i * d, ix = xi * s - p + j * d;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                                    acc += w[((oi * cg + ci) * kh + i) * kw + j] * x[((ni * c + gi * cg + ci) * h + iy) * wd + ix];
                                }
                        r[((ni * o + oi) * oh + yi) * ow + xi] = acc;
                    }
        return r;
    }

    [Theory]
    [InlineData(1, 3, 8, 20, 20, 3, 1, 1, 1, 1)]   // one sample: threaded GEMMs
    [InlineData(7, 4, 6, 9, 11, 3, 2, 1, 1, 2)]    // odd batch over threads, groups
    [InlineData(3, 5, 4, 40, 37, 4, 2, 1, 1, 1)]   // stride 2: the vector gather
    [InlineData(4, 6, 6, 7, 7, 1, 1, 0, 1, 3)]     // 1×1 pointwise path with groups
    [InlineData(2, 2, 3, 12, 12, 3, 1, 2, 2, 1)]   // dilation with padding
    [InlineData(2, 64, 32, 8, 8, 3, 1, 1, 1, 1)]   // many channels: several GEMM blocks
    [InlineData(37, 16, 3, 4, 4, 4, 1, 0, 1, 1)]   // 1×1 outputs: samples grouped side by side in one GEMM
    [InlineData(21, 8, 6, 8, 8, 4, 2, 1, 1, 2)]    // 4×4 outputs, groups: grouped samples per group
    public void Conv2d_float32_matches_naive_reference(int n, int c, int o, int h, int wd, int k, int s, int p, int d, int groups)
    {
        var x = torch.randn([n, c, h, wd], generator: new torch.Generator(1));
        var w = torch.randn([o, c / groups, k, k], generator: new torch.Generator(2));
        var b = torch.randn([o], generator: new torch.Generator(3));
        var y = F.conv2d(x, w, b, [s], [p], [d], groups);
        var expected = NaiveConv2d(x.ToArray<double>(), n, c, h, wd, w.ToArray<double>(), o, k, k, b.ToArray<double>(), s, p, d, groups, out int oh, out int ow);
        Fixtures.AssertClose([n, o, oh, ow], expected, y, 1e-4, 1e-4, "conv2d");
        // Thread count never changes the result.
        int threads = torch.get_num_threads();
        try
        {
            torch.set_num_threads(1);
            var y1 = F.conv2d(x, w, b, [s], [p], [d], groups);
            Assert.Equal(y.ToArray<float>(), y1.ToArray<float>());
        }
        finally { torch.set_num_threads(threads); }
    }

    /// <summary>
    /// conv_transpose is the adjoint of conv: ⟨conv_transpose(y, W), x⟩ = ⟨y, conv(x, W)⟩, on batches
    /// large enough for the grouped-sample path (DCGAN-like 1×1, 4×4 and 8×8 maps).
    /// </summary>
    [Theory]
    [InlineData(64, 16, 32, 4, 1, 0, 4)]   // g1-like: 1×1 latent → 4×4
    [InlineData(48, 16, 8, 4, 2, 1, 4)]    // g2-like: 4×4 → 8×8
    [InlineData(33, 8, 4, 4, 2, 1, 8)]     // g3-like: 8×8 → 16×16
    public void Conv_transpose_is_the_adjoint_of_conv(int n, int cin, int cout, int k, int s, int p, int small)
    {
        var w = torch.randn([cin, cout, k, k], dtype: ScalarType.Float64, generator: new torch.Generator(8));
        var y = torch.randn([n, cin, small, small], dtype: ScalarType.Float64, generator: new torch.Generator(9));
        var up = F.conv_transpose2d(y, w, null, [s], [p]);
        var x = torch.randn(up.shape, dtype: ScalarType.Float64, generator: new torch.Generator(10));
        var down = F.conv2d(x, w, null, [s], [p]);
        Assert.Equal(y.shape, down.shape);
        double lhs = (up * x).sum().item<double>(), rhs = (y * down).sum().item<double>();
        Assert.True(Math.Abs(lhs - rhs) <= 1e-9 * Math.Abs(lhs), $"<convT(y), x> = {lhs}, <y, conv(x)> = {rhs}");
        // And float32 agrees with float64.
        var up32 = F.conv_transpose2d(y.@float(), w.@float(), null, [s], [p]);
        Fixtures.AssertClose(up.shape, up.ToArray<double>(), up32, 1e-4, 1e-4, "float32 conv_transpose2d");
    }

    [Fact]
    public void Gradients_do_not_depend_on_thread_count()
    {
        var x = torch.randn([9, 3, 10, 10], generator: new torch.Generator(4)).requires_grad_(true);
        var w = torch.randn([5, 3, 3, 3], generator: new torch.Generator(5)).requires_grad_(true);
        var b = torch.randn([5], generator: new torch.Generator(6)).requires_grad_(true);
        var g = torch.randn([9, 5, 5, 5], generator: new torch.Generator(7));
        (float[] gx, float[] gw, float[] gb) Run()
        {
            x.grad = null; w.grad = null; b.grad = null;
            F.conv2d(x, w, b, [2], [1]).backward(g);
            return (x.grad!.ToArray<float>(), w.grad!.ToArray<float>(), b.grad!.ToArray<float>());
        }
        var many = Run();
        int threads = torch.get_num_threads();
        try
        {
            torch.set_num_threads(1);
            var one = Run();
            Assert.Equal(many.gx, one.gx);
            Assert.Equal(many.gw, one.gw);
            Assert.Equal(many.gb, one.gb);
        }
        finally { torch.set_num_threads(threads); }
    }

    [Fact]
    public void Non_contiguous_inputs_and_weights()
    {
        var xb = GradCheck.Input([2, 5, 3, 6], 30);
        var x = xb.permute(0, 3, 2, 1);            // [2, 6, 3, 5], not contiguous
        var w = GradCheck.Input([6, 3, 2, 2], 31).transpose(0, 1);   // [3, 6, 2, 2], not contiguous
        var y = F.conv2d(x, w.transpose(1, 2).contiguous().transpose(1, 2), null, null, [1]);
        var y2 = F.conv2d(x.contiguous(), w.contiguous(), null, null, [1]);
        Fixtures.AssertClose(y2.shape, y2.ToArray<double>(), y, 1e-12, 1e-12, "non-contiguous");
    }

    [Fact]
    public void Empty_batch_and_grad_fn()
    {
        var x = torch.zeros([0, 2, 5, 5], requires_grad: true);
        var w = torch.ones([3, 2, 3, 3], requires_grad: true);
        var b = torch.ones([3], requires_grad: true);
        var y = F.conv2d(x, w, b);
        Assert.Equal([0L, 3, 3, 3], y.shape);
        Assert.Equal("ConvolutionBackward0", y.grad_fn!.name());
        y.sum().backward();
        Assert.Equal(new float[18 * 3], w.grad!.ToArray<float>());
        Assert.Equal(new float[3], b.grad!.ToArray<float>());
    }

    [Fact]
    public void Saved_weight_changed_in_place_is_an_error()
    {
        var x = torch.randn([1, 1, 4, 4], requires_grad: true);
        var w = torch.randn([2, 1, 3, 3], requires_grad: true);
        var y = F.conv2d(x, w);
        using (torch.no_grad()) w.add_(1);
        var e = Assert.Throws<InvalidOperationException>(() => y.sum().backward());
        Assert.Contains("modified by an inplace operation", e.Message);
    }

    // ---------------------------------------------------------------- functional errors

    static string PyMessage(string name) => Fixtures.Case(File, name).GetProperty("message").GetString()!;

    [Fact]
    public void Functional_errors_match_pytorch()
    {
        var e = Assert.Throws<ArgumentException>(() => F.conv2d(torch.randn(1, 4, 5, 5), torch.randn(6, 4, 3, 3), null, [2], Padding.Same));
        Assert.Contains(PyMessage("err_f_same_strided"), e.Message);
        e = Assert.Throws<ArgumentException>(() => F.conv2d(torch.randn(1, 4, 5, 5), torch.randn(6, 2, 3, 3), groups: 3));
        Assert.Contains(PyMessage("err_f_groups_channels"), e.Message);
        e = Assert.Throws<ArgumentException>(() => F.conv2d(torch.randn(1, 4, 5, 5), torch.randn(6, 2, 3, 3), torch.randn(5), groups: 2));
        Assert.Contains(PyMessage("err_f_bias"), e.Message);
        e = Assert.Throws<ArgumentException>(() => F.conv1d(torch.randn(1, 4, 5), torch.randn(6, 4, 3), stride: [1, 1]));
        Assert.Contains(PyMessage("err_f_stride_len"), e.Message);
        e = Assert.Throws<ArgumentException>(() => F.conv2d(torch.randn(1, 4, 5, 5), torch.randn(6, 4, 3, 3), stride: [0]));
        Assert.Contains(PyMessage("err_f_stride_zero"), e.Message);
        e = Assert.Throws<ArgumentException>(() => F.conv2d(torch.randn(1, 4, 5, 5), torch.randn(6, 4, 3, 3), padding: [-1]));
        Assert.Contains(PyMessage("err_f_padding_neg"), e.Message);
        e = Assert.Throws<ArgumentException>(() => F.conv2d(torch.randn(1, 4, 5, 5), torch.randn(6, 4, 3, 3), dilation: [0]));
        Assert.Contains(PyMessage("err_f_dilation_zero"), e.Message);
        e = Assert.Throws<ArgumentException>(() => F.conv2d(torch.randn(1, 4, 5, 5).@double(), torch.randn(6, 4, 3, 3)));
        Assert.Contains(PyMessage("err_f_dtype"), e.Message);
        e = Assert.Throws<ArgumentException>(() => F.conv2d(torch.randn(1, 1, 2, 2), torch.randn(6, 1, 3, 3)));
        Assert.Contains(PyMessage("err_f_too_small"), e.Message);
        Assert.Contains("output height = floor((H + 2*padding - dilation*(kernel_size-1) - 1)/stride) + 1 = floor((2 + 2*0 - 1*(3-1) - 1)/1) + 1 = 0", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.conv2d(torch.randn(1, 4, 5, 5), torch.randn(2, 4, 3, 3), groups: 3));
        Assert.Contains(PyMessage("err_f_weight_groups"), e.Message);
        e = Assert.Throws<ArgumentException>(() => F.conv2d(torch.randn(32, 32), torch.randn(64, 1, 3, 3)));
        Assert.Contains(PyMessage("err_2d_input"), e.Message);
        e = Assert.Throws<ArgumentException>(() => F.conv1d(torch.randn(5), torch.randn(4, 2, 3)));
        Assert.Contains(PyMessage("err_conv1d_1d_input"), e.Message);
        // A weight of the wrong rank: PyTorch fails on the stride length; we name the ranks.
        e = Assert.Throws<ArgumentException>(() => F.conv2d(torch.randn(1, 4, 5, 5), torch.randn(6, 4, 3)));
        Assert.Contains("Expected 3-dimensional input for 3-dimensional weight [6, 4, 3], but got 4-dimensional input of size [1, 4, 5, 5] instead", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.conv_transpose2d(torch.randn(1, 5, 3, 3), torch.randn(4, 6, 3, 3), stride: [2]));
        Assert.Contains(PyMessage("err_transpose_channels"), e.Message);
        e = Assert.Throws<ArgumentException>(() => F.conv_transpose2d(torch.randn(1, 4, 3, 3), torch.randn(4, 6, 3, 3), padding: [3]));
        Assert.Contains(PyMessage("err_transpose_too_small"), e.Message);
        Assert.Contains("output height = (H - 1)*stride - 2*padding + dilation*(kernel_size-1) + output_padding + 1 = (3 - 1)*1 - 2*3 + 1*(3-1) + 0 + 1 = -1", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.conv_transpose2d(torch.randn(1, 4, 3, 3), torch.randn(4, 6, 3, 3), stride: [2], output_padding: [2]));
        Assert.Contains(PyMessage("err_output_padding"), e.Message);
    }

    // ---------------------------------------------------------------- regressions found by the fuzz test

    [Fact]
    public void Conv_arguments_past_int_are_an_ArgumentException_naming_them()
    {
        // stride, padding, dilation and groups went through checked int casts: OverflowException.
        var x = randn(1, 2, 5); var w = randn(3, 2, 2);
        Assert.Equal("stride=-9223372036854775808 is out of the range Torchlet supports for it (-2147483648 to 2147483647)",
            Assert.Throws<ArgumentException>(() => F.conv1d(x, w, stride: [long.MinValue])).Message);
        Assert.Contains("dilation=1099511627776", Assert.Throws<ArgumentException>(() => F.conv1d(x, w, dilation: [1L << 40])).Message);
        Assert.Contains("groups=-1099511627776", Assert.Throws<ArgumentException>(() => F.conv1d(x, w, null, null, Padding.Valid, null, -(1L << 40))).Message);
        Assert.Contains("padding=2147483648", Assert.Throws<ArgumentException>(() => F.conv_transpose1d(x, randn(2, 3, 2), padding: [1L << 31])).Message);
        Assert.Contains("dilation=4294967297", Assert.Throws<ArgumentException>(() => nn.Conv3d(3, 8, (3, 3, 1), dilation: (4294967297, 1, 1))).Message);
        Assert.Contains("padding=9223372036854775807", Assert.Throws<ArgumentException>(() => nn.Conv2d(2, 2, 3, padding: long.MaxValue)).Message);
        // padding near 2^31 overflowed the output size computed in int.
        Assert.Contains("more than the 2147483591 a .NET array can hold", Assert.Throws<ArgumentException>(() => F.conv1d(x, w, padding: [int.MaxValue])).Message);
    }
}
