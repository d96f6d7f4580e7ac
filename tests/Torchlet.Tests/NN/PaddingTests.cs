using System.Text.Json;
using Torchlet;
using Xunit;
using static Torchlet.torch;
using F = Torchlet.torch.nn.functional;

namespace Torchlet.Tests.NN;

/// <summary>
/// F.pad in every mode and the padding modules against PyTorch (fixtures/nn_padding.json from
/// gen_nn_padding.py): values (int64 and bool too), grad_fn names, input gradients, repr, errors;
/// float64 gradchecks, including second order.
/// </summary>
public partial class PaddingTests
{
    const string File = "nn_padding";

    public static IEnumerable<object[]> PadCases() => Kind("pad");

    static IEnumerable<object[]> Kind(string kind) =>
        Fixtures.Load(File).Where(c => c.GetProperty("kind").GetString() == kind).Select(c => new object[] { c.GetProperty("name").GetString()! });

    static string PyMessage(string name) => Fixtures.Case(File, name).GetProperty("message").GetString()!;

    /// <summary>Output, grad_fn and (for floats) the input gradient of <paramref name="f"/> against the case.</summary>
    internal static void Check(JsonElement c, Func<Tensor, Tensor> f, string name)
    {
        bool floating = c.TryGetProperty("grad", out var gj);
        var x = Fixtures.T(c.GetProperty("input"), requiresGrad: floating);
        var y = f(x);
        Fixtures.AssertClose(c.GetProperty("output"), y, 0, 1e-6, $"{name} output");   // float32 values are stored with 7 digits
        var fn = c.GetProperty("grad_fn");
        Assert.Equal(fn.ValueKind == JsonValueKind.Null ? null : fn.GetString(), y.grad_fn?.name());
        if (!floating) return;
        y.backward(Fixtures.T(gj));
        Fixtures.AssertClose(c.GetProperty("grad_input"), x.grad!, 1e-6, 1e-6, $"{name} grad_input");
    }

    [Theory]
    [MemberData(nameof(PadCases))]
    public void Pad_matches_pytorch(string name)
    {
        var c = Fixtures.Case(File, name);
        var pad = c.GetProperty("pad").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var mode = c.GetProperty("mode").GetString()!;
        double? value = c.GetProperty("value").ValueKind == JsonValueKind.Null ? null : c.GetProperty("value").GetDouble();
        Check(c, x => F.pad(x, pad, mode, value), name);
        // The enum overload is the same function.
        var m = mode switch { "reflect" => PaddingModes.Reflect, "replicate" => PaddingModes.Replicate, "circular" => PaddingModes.Circular, _ => PaddingModes.Constant };
        Check(c, x => F.pad(x, pad, m, value), name + " (enum)");
    }

    [Fact]
    public void Constant_pad_nd_is_f_pad_constant()
    {
        var x = torch.arange(6).view(2, 3);
        var y = torch.constant_pad_nd(x, [1, 0, 0, 1], 9);
        Assert.Equal(new long[] { 9, 0, 1, 2, 9, 3, 4, 5, 9, 9, 9, 9 }, y.ToArray<long>());
    }

    // ---------------------------------------------------------------- gradchecks

    [Theory]
    [InlineData("constant")]
    [InlineData("reflect")]
    [InlineData("replicate")]
    [InlineData("circular")]
    public void Gradcheck_each_mode(string mode)
    {
        var x1 = GradCheck.Input([1, 2, 4], 1);
        GradCheck.Check(t => F.pad(t[0], [2, 1], mode), [x1], what: mode + " 1d");
        var x2 = GradCheck.Input([1, 1, 3, 4], 2);
        GradCheck.Check(t => F.pad(t[0], [1, 2, -1, 2], mode), [x2], what: mode + " 2d");
        var x3 = GradCheck.Input([1, 1, 2, 3, 3], 3);
        GradCheck.Check(t => F.pad(t[0], [1, 1, 0, 2, 1, 0], mode), [x3], what: mode + " 3d");
    }

    [Theory]
    [InlineData("constant")]
    [InlineData("reflect")]
    [InlineData("replicate")]
    [InlineData("circular")]
    public void Gradcheck_second_order(string mode)
    {
        // The backward of each pad is itself differentiable (PyTorch's ...BackwardBackward0).
        var x = GradCheck.Input([1, 2, 4], 4);
        var g = GradCheck.Input([1, 2, 7], 5);
        GradCheck.Check(t =>
        {
            using var _ = torch.enable_grad();
            var y = F.pad(t[0] * t[0], [2, 1], mode);
            return torch.autograd.grad([y], [t[0]], [t[1]], create_graph: true)[0]!;
        }, [x, g], what: mode + " double backward");
    }

    [Fact]
    public void Second_order_grad_fn_names()
    {
        var x = torch.randn([1, 1, 3, 4], requires_grad: true);
        var g = torch.randn([1, 1, 5, 6], requires_grad: true);
        Assert.Equal("ReflectionPad2DBackwardBackward0", torch.autograd.grad([F.pad(x, [1, 1, 1, 1], "reflect")], [x], [g], create_graph: true)[0]!.grad_fn!.name());
        Assert.Equal("ReplicationPad2DBackwardBackward0", torch.autograd.grad([F.pad(x, [1, 1, 1, 1], "replicate")], [x], [g], create_graph: true)[0]!.grad_fn!.name());
        Assert.Equal("ConstantPadNdBackward0", torch.autograd.grad([F.pad(x, [1, 1, 1, 1])], [x], [g], create_graph: true)[0]!.grad_fn!.name());
    }

    // ---------------------------------------------------------------- errors

    [Fact]
    public void Pad_errors_match_pytorch()
    {
        void Is(string name, Action a)
        {
            var e = Assert.Throws<ArgumentException>(a);
            Assert.Contains(PyMessage(name), e.Message);
        }
        var notes = torch.arange(12).view(1, 1, 3, 4);
        Is("notes_replication_int64", () => F.pad(notes, [1, 1, 1, 1], "replicate"));
        Is("notes_reflection_int64", () => F.pad(notes, [1, 1, 1, 1], "reflect"));
        Is("reflect_too_big_2d", () => F.pad(torch.randn(1, 1, 3, 4), [4, 0, 0, 0], "reflect"));
        Is("reflect_too_big_h", () => F.pad(torch.randn(1, 1, 3, 4), [1, 1, 3, 0], "reflect"));
        Is("reflect_too_big_1d", () => F.pad(torch.randn(1, 3, 4), [4, 1], "reflect"));
        Is("reflect_too_big_3d_depth", () => F.pad(torch.randn([1, 1, 2, 3, 4]), [1, 1, 1, 1, 2, 1], "reflect"));
        Is("odd_length", () => F.pad(torch.randn(1, 1, 3, 4), [1, 1, 1], "reflect"));
        Is("too_long", () => F.pad(torch.randn(1, 4), [1, 1, 1, 1, 1, 1]));
        Is("wrong_rank", () => F.pad(torch.randn(1, 1, 3, 4), [1, 1], "reflect"));
        Is("value_with_reflect", () => F.pad(torch.randn(1, 2, 4), [1, 1], "reflect", 2.0));
        Is("circular_unbatched", () => F.pad(torch.randn(2, 3, 4), [1, 1, 1, 1], "circular"));
        Is("circular_wrap", () => F.pad(torch.randn([1, 1, 3]), [4, 0], "circular"));
        Is("reflect_empty_channel", () => F.pad(torch.randn(1, 0, 4), [1, 1], "reflect"));
        Is("replicate_empty_width", () => F.pad(torch.randn([2, 3, 0]), [1, 1], "replicate"));
        Is("replicate_too_small", () => F.pad(torch.randn(1, 3, 4), [-2, -2], "replicate"));
        Is("const_narrow", () => F.pad(torch.randn(1, 4), [-3, -2]));
        Is("const_negative_size", () => F.pad(torch.randn(1, 4), [-2, -2, 1, 1]));
        Is("reflect_int32", () => F.pad(torch.ones([1, 2, 4], dtype: ScalarType.Int32), [1, 1], "reflect"));
        Is("replicate_3d_int64", () => F.pad(torch.ones([1, 1, 2, 2, 4], dtype: ScalarType.Int64), [1, 1, 1, 1, 1, 1], "replicate"));
        Is("mode_unknown", () => F.pad(torch.randn(1, 2, 4), [1, 1], "foo"));
    }

    // ---------------------------------------------------------------- regressions found by the fuzz test

    [Fact]
    public void Pads_past_what_a_dim_holds_are_an_ArgumentException_naming_them()
    {
        var x = zeros(1, 2, 3);
        // Pads went through a checked int cast (OverflowException) and sizes were summed in int.
        Assert.Contains("padding value 1099511627776", Assert.Throws<ArgumentException>(() => F.pad(x, [1L << 40, 0])).Message);
        Assert.Contains("padding value -9223372036854775808", Assert.Throws<ArgumentException>(() => constant_pad_nd(x, [long.MinValue, 1])).Message);
        Assert.Contains("padding value 2147483647", Assert.Throws<ArgumentException>(() => F.pad(x, [int.MaxValue, 2])).Message);
        Assert.Contains("would hold 4000000003 elements", Assert.Throws<ArgumentException>(() => F.pad(x, [2_000_000_000, 2_000_000_000])).Message);
        // Replicate: the output size is checked before the index maps (one int per output position) are made.
        Assert.Contains("would hold 4000000003 elements", Assert.Throws<ArgumentException>(() => F.pad(x, [2_000_000_000, 2_000_000_000], PaddingModes.Replicate)).Message);
    }

    [Fact]
    public void Circular_padding_after_a_crop_wraps_what_is_left_and_refuses_to_wrap_nothing()
    {
        var x = arange(5.0).reshape(1, 1, 5);
        // PyTorch's values; a pad longer than what the crop leaves wraps again (it read outside the map).
        Assert.Equal(new[] { 3f, 4, 0, 1, 2, 3, 4, 0 }, F.pad(x, [2, 1], "circular").data<float>().ToArray());
        Assert.Equal(new[] { 2f, 3, 4, 2, 3, 4 }, F.pad(x, [-2, 3], "circular").data<float>().ToArray());
        Assert.Equal(new[] { 0f, 1, 0, 1 }, F.pad(x, [2, -3], "circular").data<float>().ToArray());
        // A crop of the whole dim leaves nothing to wrap: IndexOutOfRangeException here, uninitialised memory in PyTorch 1.13.
        var e = Assert.Throws<ArgumentException>(() => F.pad(zeros(4, 3, 2), [-3, 2], "circular"));
        Assert.StartsWith("Padding value causes wrapping around more than once.", e.Message);
    }
}
