using System.Text.Json;
using Torchlet;
using Torchlet.Modules;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests.NN;

/// <summary>The Conv/ConvTranspose modules against PyTorch: factories, repr, parameters, forward/backward, default init, errors.</summary>
public partial class ConvTests
{
    public static IEnumerable<object[]> ReprCases() => Kind("repr");
    public static IEnumerable<object[]> InitCases() => Kind("init");

    /// <summary>Builds the case's module through the factory overload a user would pick (ints, tuples, or Padding by name).</summary>
    internal static ConvNd Build(JsonElement c, ScalarType? dtype = null)
    {
        var cls = c.GetProperty("cls").GetString()!;
        int nsp = Nsp(cls);
        var (inC, outC, kernel, kw, pos) = Ctor(c);
        var args = c.GetProperty("args").EnumerateArray().ToArray();
        // Tuple overloads when any size was given as a tuple, as a C# caller must.
        bool tuples = args[2].ValueKind == JsonValueKind.Array
            || pos.Count > 0 && args.Skip(3).Any(a => a.ValueKind == JsonValueKind.Array)
            || new[] { "stride", "padding", "dilation", "output_padding" }.Any(k => kw.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.Array);
        var s = Opt(kw, pos, "stride", nsp, 1);
        var d = Ints(kw, "dilation", nsp, 1);
        long groups = kw.TryGetProperty("groups", out var gj) ? gj.GetInt64() : 1;
        bool bias = !kw.TryGetProperty("bias", out var bj) || bj.GetBoolean();
        var mode = Mode(kw);
        (long, long) T2(long[] v) => (v[0], v[1]);
        (long, long, long) T3(long[] v) => (v[0], v[1], v[2]);
        if (cls.StartsWith("ConvTranspose"))
        {
            var p = Opt(kw, pos, "padding", nsp, 0);
            var op = Opt(kw, pos, "output_padding", nsp, 0);
            return (nsp, tuples) switch
            {
                (1, _) => nn.ConvTranspose1d(inC, outC, kernel[0], s[0], p[0], op[0], groups, bias, d[0], dtype: dtype),
                (2, false) => nn.ConvTranspose2d(inC, outC, kernel[0], s[0], p[0], op[0], groups, bias, d[0], dtype: dtype),
                (2, true) => nn.ConvTranspose2d(inC, outC, T2(kernel), T2(s), T2(p), T2(op), groups, bias, T2(d), dtype: dtype),
                (3, false) => nn.ConvTranspose3d(inC, outC, kernel[0], s[0], p[0], op[0], groups, bias, d[0], dtype: dtype),
                _ => nn.ConvTranspose3d(inC, outC, T3(kernel), T3(s), T3(p), T3(op), groups, bias, T3(d), dtype: dtype),
            };
        }
        if (kw.TryGetProperty("padding", out var pj) && pj.ValueKind == JsonValueKind.String)
        {
            var named = pj.GetString() == "same" ? Padding.Same : Padding.Valid;
            return (nsp, tuples) switch
            {
                (1, _) => nn.Conv1d(inC, outC, kernel[0], named, s[0], d[0], groups, bias, mode, dtype),
                (2, false) => nn.Conv2d(inC, outC, kernel[0], named, s[0], d[0], groups, bias, mode, dtype),
                (2, true) => nn.Conv2d(inC, outC, T2(kernel), named, T2(s), T2(d), groups, bias, mode, dtype),
                (3, false) => nn.Conv3d(inC, outC, kernel[0], named, s[0], d[0], groups, bias, mode, dtype),
                _ => nn.Conv3d(inC, outC, T3(kernel), named, T3(s), T3(d), groups, bias, mode, dtype),
            };
        }
        var pad = Opt(kw, pos, "padding", nsp, 0);
        return (nsp, tuples) switch
        {
            (1, _) => nn.Conv1d(inC, outC, kernel[0], s[0], pad[0], d[0], groups, bias, mode, dtype),
            (2, false) => nn.Conv2d(inC, outC, kernel[0], s[0], pad[0], d[0], groups, bias, mode, dtype),
            (2, true) => nn.Conv2d(inC, outC, T2(kernel), T2(s), T2(pad), T2(d), groups, bias, mode, dtype),
            (3, false) => nn.Conv3d(inC, outC, kernel[0], s[0], pad[0], d[0], groups, bias, mode, dtype),
            _ => nn.Conv3d(inC, outC, T3(kernel), T3(s), T3(pad), T3(d), groups, bias, mode, dtype),
        };
    }

    [Theory]
    [MemberData(nameof(ModuleCases))]
    public void Module_matches_pytorch(string name)
    {
        var c = Fixtures.Case(File, name);
        var dtype = Fixtures.DType(c.GetProperty("dtype").GetString()!);
        var m = Build(c, dtype);
        Assert.Equal(c.GetProperty("repr").GetString(), m.ToString());
        var sd = new Dictionary<string, Tensor> { ["weight"] = Fixtures.T(c.GetProperty("weight")) };
        if (c.GetProperty("bias").ValueKind != JsonValueKind.Null) sd["bias"] = Fixtures.T(c.GetProperty("bias"));
        m.load_state_dict(sd);
        Assert.Equal(sd.Keys, m.named_parameters().Select(p => p.name));

        var x = Fixtures.T(c.GetProperty("input"), requiresGrad: true);
        var os = c.GetProperty("output_size");
        var y = os.ValueKind == JsonValueKind.Array
            ? ((ConvTransposeNd)m).forward(x, os.EnumerateArray().Select(e => e.GetInt64()).ToArray())
            : m.call(x);
        var (atol, rtol) = Tol(dtype);
        Fixtures.AssertClose(c.GetProperty("output"), y, atol, rtol, $"{name} output");
        Assert.Equal(c.GetProperty("grad_fn").GetString(), y.grad_fn?.name());
        y.backward(Fixtures.T(c.GetProperty("grad")));
        Fixtures.AssertClose(c.GetProperty("grad_input"), x.grad!, atol, rtol, $"{name} grad_input");
        Fixtures.AssertClose(c.GetProperty("grad_weight"), m.weight.grad!, atol, rtol, $"{name} grad_weight");
        if (m.bias is not null) Fixtures.AssertClose(c.GetProperty("grad_bias"), m.bias.grad!, atol, rtol, $"{name} grad_bias");
    }

    [Theory]
    [MemberData(nameof(ReprCases))]
    public void Repr_matches_pytorch(string name)
    {
        var c = Fixtures.Case(File, name);
        Assert.Equal(c.GetProperty("repr").GetString(), Build(c).ToString());
    }

    /// <summary>After manual_seed(s) a layer's initial parameters are PyTorch's, bit for bit.</summary>
    [Theory]
    [MemberData(nameof(InitCases))]
    public void Default_init_matches_pytorch(string name)
    {
        var c = Fixtures.Case(File, name);
        torch.manual_seed(c.GetProperty("seed").GetInt64());
        var m = Build(c);
        Assert.Equal(Fixtures.Values(c.GetProperty("weight")).Select(v => (float)v), m.weight.ToArray<float>());
        Assert.Equal(Fixtures.ShapeOf(c.GetProperty("weight")), m.weight.shape);
        if (c.GetProperty("bias").ValueKind == JsonValueKind.Null) Assert.Null(m.bias);
        else Assert.Equal(Fixtures.Values(c.GetProperty("bias")).Select(v => (float)v), m.bias!.ToArray<float>());
        Assert.True(m.weight.requires_grad);
    }

    [Fact]
    public void Properties_have_pytorch_names_and_values()
    {
        var m = nn.Conv2d(3, 6, (3, 2), stride: (2, 1), padding: (1, 0), groups: 3, bias: false);
        Assert.Equal(3, m.in_channels);
        Assert.Equal(6, m.out_channels);
        Assert.Equal([3L, 2], m.kernel_size);
        Assert.Equal([2L, 1], m.stride);
        Assert.Equal([1L, 0], m.padding);
        Assert.Equal([1L, 1], m.dilation);
        Assert.Equal(3, m.groups);
        Assert.False(m.transposed);
        Assert.Null(m.bias);
        Assert.Null(m.named_padding);
        Assert.Equal(PaddingModes.Zeros, m.padding_mode);
        Assert.Equal([6L, 1, 3, 2], m.weight.shape);
        var t = nn.ConvTranspose2d(4, 6, 3, groups: 2);
        Assert.True(t.transposed);
        Assert.Equal([4L, 3, 3, 3], t.weight.shape);
        Assert.Equal([6L], t.bias!.shape);
        var same = nn.Conv1d(2, 2, 4, Padding.Same);
        Assert.Equal(Padding.Same, same.named_padding);
        Assert.Equal([1L], same.padding);
    }

    [Fact]
    public void Float64_module_and_to_double()
    {
        var m = nn.Conv2d(2, 3, 3, dtype: ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, m.weight.dtype);
        Assert.Equal(ScalarType.Float64, m.bias!.dtype);
        var f = nn.Conv2d(2, 3, 3);
        f.@double();
        Assert.Equal(ScalarType.Float64, f.forward(torch.randn([1, 2, 4, 4], dtype: ScalarType.Float64)).dtype);
    }

    [Fact]
    public void Gradcheck_modules_with_padding_modes()
    {
        foreach (var mode in new[] { PaddingModes.Reflect, PaddingModes.Replicate, PaddingModes.Circular })
        {
            var m = nn.Conv2d(2, 2, 3, padding: 1, padding_mode: mode, dtype: ScalarType.Float64);
            var x = GradCheck.Input([1, 2, 3, 4], 40);
            // The module's own parameters are leaves: gradcheck perturbs them in place.
            GradCheck.Check(t => m.forward(t[0]), [x, m.weight, m.bias!], what: mode.ToString());
        }
    }

    [Fact]
    public void Gradcheck_conv_transpose_with_output_size()
    {
        var m = nn.ConvTranspose1d(2, 2, 3, stride: 3, dtype: ScalarType.Float64);
        var x = GradCheck.Input([1, 2, 3], 42);
        GradCheck.Check(t => m.forward(t[0], [11]), [x], what: "output_size");
        Assert.Equal([1L, 2, 11], m.forward(x, [1, 2, 11]).shape);
        // Unbatched: output_size may also carry the channel dim.
        Assert.Equal([2L, 10], m.forward(GradCheck.Input([2, 3], 43), [2, 10]).shape);
        var e = Assert.Throws<ArgumentException>(() => m.forward(GradCheck.Input([2, 3], 43), [1, 2, 10]));
        Assert.Contains("ConvTranspose1D: for 2D input, output_size must have 1 or 2 elements (got 3)", e.Message);
    }

    // ---------------------------------------------------------------- errors

    [Fact]
    public void Errors_name_the_layer_and_show_the_formula()
    {
        var conv = nn.Conv2d(1, 64, 3);
        var e = Assert.Throws<ArgumentException>(() => conv.forward(torch.randn(1, 1, 2, 2)));
        Assert.StartsWith("Conv2d(1, 64, kernel_size=(3, 3), stride=(1, 1)): input of spatial size (2, 2) is too small: " +
            "output height = floor((H + 2*padding - dilation*(kernel_size-1) - 1)/stride) + 1 = floor((2 + 2*0 - 1*(3-1) - 1)/1) + 1 = 0", e.Message);
        Assert.Contains("output width = floor((W + 2*padding - dilation*(kernel_size-1) - 1)/stride) + 1 = floor((2 + 2*0 - 1*(3-1) - 1)/1) + 1 = 0", e.Message);

        e = Assert.Throws<ArgumentException>(() => conv.forward(torch.randn(64, 3, 32, 32)));
        Assert.StartsWith("Conv2d(1, 64, kernel_size=(3, 3), stride=(1, 1)): ", e.Message);
        Assert.Contains(PyMessage("err_channels"), e.Message);

        e = Assert.Throws<ArgumentException>(() => conv.forward(torch.randn(32, 32)));
        Assert.StartsWith("Conv2d(1, 64, kernel_size=(3, 3), stride=(1, 1)): ", e.Message);
        Assert.Contains(PyMessage("err_2d_input"), e.Message);
        e = Assert.Throws<ArgumentException>(() => conv.forward(torch.randn([1, 1, 1, 32, 32])));
        Assert.Contains(PyMessage("err_5d_input"), e.Message);

        // Unbatched C×H×W input is accepted (PyTorch ≥ 1.11), and the layer still works after the errors.
        Assert.Equal([64L, 3, 3], conv.forward(torch.randn(1, 5, 5)).shape);
        Assert.Equal([2L, 64, 3, 3], conv.forward(torch.randn(2, 1, 5, 5)).shape);

        // Strided, padded, dilated: the numbers of this layer.
        var c1 = nn.Conv1d(2, 4, 5, stride: 2, padding: 1, dilation: 2);
        e = Assert.Throws<ArgumentException>(() => c1.forward(torch.randn(1, 2, 6)));
        Assert.Equal("Conv1d(2, 4, kernel_size=(5,), stride=(2,), padding=(1,), dilation=(2,)): input of spatial size (6,) is too small: " +
            "output length = floor((L + 2*padding - dilation*(kernel_size-1) - 1)/stride) + 1 = floor((6 + 2*1 - 2*(5-1) - 1)/2) + 1 = 0", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.Conv1d(2, 4, 3).forward(torch.randn(5)));
        Assert.Contains(PyMessage("err_conv1d_1d_input"), e.Message);

        // A padding mode pads first (F.pad's error), named by the layer.
        var refl = nn.Conv2d(2, 4, 3, padding: 2, padding_mode: PaddingModes.Reflect);
        e = Assert.Throws<ArgumentException>(() => refl.forward(torch.randn(1, 2, 2, 2)));
        Assert.StartsWith("Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 1), padding=(2, 2), padding_mode=reflect): ", e.Message);
        Assert.Contains(PyMessage("err_reflect_too_big"), e.Message);
    }

    [Fact]
    public void Transposed_errors_name_the_layer()
    {
        var t = nn.ConvTranspose2d(4, 6, 3, stride: 2);
        var e = Assert.Throws<ArgumentException>(() => t.forward(torch.randn(1, 4, 3, 3), [9, 9]));
        Assert.StartsWith("ConvTranspose2d(4, 6, kernel_size=(3, 3), stride=(2, 2)): ", e.Message);
        Assert.Contains(PyMessage("err_output_size_range"), e.Message);
        e = Assert.Throws<ArgumentException>(() => t.forward(torch.randn(1, 4, 3, 3), [1, 8, 8]));
        Assert.Contains(PyMessage("err_output_size_len"), e.Message);
        e = Assert.Throws<ArgumentException>(() => t.forward(torch.randn(1, 5, 3, 3)));
        Assert.Contains(PyMessage("err_transpose_channels"), e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.ConvTranspose2d(4, 6, 3, stride: 2, output_padding: 2).forward(torch.randn(1, 4, 3, 3)));
        Assert.StartsWith("ConvTranspose2d(4, 6, kernel_size=(3, 3), stride=(2, 2), output_padding=(2, 2)): ", e.Message);
        Assert.Contains(PyMessage("err_output_padding"), e.Message);
        var small = nn.ConvTranspose2d(4, 6, 3, padding: 3);
        e = Assert.Throws<ArgumentException>(() => small.forward(torch.randn(1, 4, 3, 3)));
        Assert.Equal("ConvTranspose2d(4, 6, kernel_size=(3, 3), stride=(1, 1), padding=(3, 3)): input of spatial size (3, 3) is too small: " +
            "output height = (H - 1)*stride - 2*padding + dilation*(kernel_size-1) + output_padding + 1 = (3 - 1)*1 - 2*3 + 1*(3-1) + 0 + 1 = -1; " +
            "output width = (W - 1)*stride - 2*padding + dilation*(kernel_size-1) + output_padding + 1 = (3 - 1)*1 - 2*3 + 1*(3-1) + 0 + 1 = -1", e.Message);
        Assert.Equal([1L, 6, 8, 8], t.forward(torch.randn(1, 4, 3, 3), [8, 8]).shape);
    }

    [Fact]
    public void Construction_errors_match_pytorch()
    {
        var e = Assert.Throws<ArgumentException>(() => nn.Conv2d(3, 64, 3, groups: 2));
        Assert.Contains(PyMessage("err_groups_in"), e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.Conv2d(4, 6, 3, groups: 4));
        Assert.Contains(PyMessage("err_groups_out"), e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.Conv2d(4, 6, 3, groups: 0));
        Assert.Contains(PyMessage("err_groups_zero"), e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.Conv2d(4, 6, 3, Padding.Same, stride: 2));
        Assert.Contains(PyMessage("err_same_strided"), e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.ConvTranspose2d(4, 6, 3, padding_mode: PaddingModes.Reflect));
        Assert.Contains(PyMessage("err_transpose_mode"), e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.Conv2d(4, 6, 3, padding_mode: PaddingModes.Constant));
        Assert.Contains("padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got padding_mode='constant'", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.Conv2d(4, 6, 0));
        Assert.Contains("kernel_size must be positive", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.Conv2d(4, 6, 3, dtype: ScalarType.Int64));
        Assert.Contains("floating point", e.Message);
    }

    [Fact]
    public void Notes_layers_in_a_sequential()
    {
        // The notes' CNN feature extractor: shapes and printing inside a container.
        var net = nn.Sequential(nn.Conv2d(1, 64, kernel_size: 3, padding: 1), nn.Conv2d(64, 128, kernel_size: 3, padding: 1));
        Assert.Equal("Sequential(\n  (0): Conv2d(1, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n  (1): Conv2d(64, 128, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n)", net.ToString());
        var y = net.forward(torch.randn(2, 1, 28, 28));
        Assert.Equal([2L, 128, 28, 28], y.shape);
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias"], net.named_parameters().Select(p => p.name));
        // The DCGAN generator's first layer: a 1×1 latent to 4×4.
        var g = nn.ConvTranspose2d(64, 256, 4, 1, 0, bias: false);
        Assert.Equal([3L, 256, 4, 4], g.forward(torch.randn(3, 64, 1, 1)).shape);
    }
}
