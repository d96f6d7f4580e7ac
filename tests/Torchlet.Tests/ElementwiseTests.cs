using System.Text.Json;
using Torchlet;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests;

/// <summary>
/// Elementwise ops against PyTorch 1.13 (fixtures/elementwise*.json, written by gen_elementwise.py):
/// values and dtypes for every dtype pair, tensor-number ops, unary ops, NaN/inf, gradients and
/// grad_fn names, in-place ops (values, version, rebased history), where, and error messages.
/// </summary>
public class ElementwiseTests
{
    // ---------------------------------------------------------------- shared helpers

    internal static Tensor Input(string file, string table, string dt, bool zeroDim)
    {
        var t = Fixtures.T(Fixtures.Case(file, "_inputs").GetProperty(table).GetProperty(dt));
        return zeroDim ? t.reshape(-1).select(0, 2).clone() : t;
    }

    internal static Scalar ScalarOf(JsonElement s)
    {
        var v = s.GetProperty("v");
        return s.GetProperty("kind").GetString() switch
        {
            "int" => v.GetInt64(),
            "float" => v.GetDouble(),
            _ => v.GetBoolean(),
        };
    }

    /// <summary>Exact for integers and bool; a few float ulps for floats (PyTorch's SLEEF vs .NET math).</summary>
    internal static void AssertMatches(JsonElement expected, Tensor actual, string what, double f32rtol = 2e-6, double f64rtol = 1e-13)
    {
        var dt = Fixtures.DType(expected.GetProperty("dtype").GetString()!);
        double rtol = dt == ScalarType.Float32 ? f32rtol : dt == ScalarType.Float64 ? f64rtol : 0;
        // No absolute slack: tiny results (tanh(1e-10), expm1(1e-10)) must be right relative to their size.
        double atol = dt == ScalarType.Float32 ? 1e-38 : dt == ScalarType.Float64 ? 1e-300 : 0;
        Fixtures.AssertClose(expected, actual, atol, rtol, what);
    }

    internal static Tensor Upstream(Tensor like, string file)
    {
        var up = Fixtures.Case(file, "_inputs").GetProperty("upstream").EnumerateArray().Select(x => x.GetDouble()).Take((int)like.numel()).ToArray();
        return tensor(up, like.shape, dtype: like.dtype);
    }

    /// <summary>Asserts <paramref name="f"/> throws and the message contains PyTorch's.</summary>
    internal static void AssertThrowsLike(string pytorchMessage, Action f, string what)
    {
        var e = Record.Exception(f);
        Assert.True(e is not null, $"{what}: expected an error like PyTorch's \"{pytorchMessage}\", but nothing was thrown");
        Assert.True(e!.Message.Contains(pytorchMessage), $"{what}: message \"{e.Message}\" does not contain PyTorch's \"{pytorchMessage}\"");
    }

    static IEnumerable<object[]> Where(string file, Func<JsonElement, bool> pred) =>
        Fixtures.Load(file).Where(pred).Select(c => new object[] { c.GetProperty("name").GetString()! });

    // ---------------------------------------------------------------- tensor ∘ tensor, every dtype pair

    internal static readonly Dictionary<string, Func<Tensor, Tensor, Tensor>> Binary = new()
    {
        ["add"] = (a, b) => a + b,
        ["sub"] = (a, b) => a - b,
        ["mul"] = (a, b) => a * b,
        ["div"] = (a, b) => a / b,
        ["remainder"] = (a, b) => a % b,
        ["pow"] = (a, b) => a.pow(b),
        ["maximum"] = torch.maximum,
        ["minimum"] = torch.minimum,
        ["add_alpha2"] = (a, b) => torch.add(a, b, alpha: 2),
        ["add_alpha1.5"] = (a, b) => a.add(b, alpha: 1.5),
        ["sub_alpha2"] = (a, b) => torch.sub(a, b, alpha: 2),
        ["eq"] = (a, b) => a.eq(b),
        ["ne"] = (a, b) => a.ne(b),
        ["lt"] = (a, b) => a.lt(b),
        ["le"] = (a, b) => a.le(b),
        ["gt"] = (a, b) => a.gt(b),
        ["ge"] = (a, b) => a.ge(b),
        ["logical_and"] = (a, b) => a.logical_and(b),
        ["logical_or"] = (a, b) => logical_or(a, b),
        ["logical_xor"] = (a, b) => a.logical_xor(b),
        ["bitwise_and"] = (a, b) => a & b,
        ["bitwise_or"] = (a, b) => a | b,
        ["bitwise_xor"] = (a, b) => a ^ b,
    };

    public static IEnumerable<object[]> BinaryCases() => Where("elementwise", c => c.TryGetProperty("db", out _));

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void Binary_op_matches_pytorch_for_every_dtype_pair(string name)
    {
        var c = Fixtures.Case("elementwise", name);
        var op = Binary[c.GetProperty("op").GetString()!];
        var a = Input("elementwise", "A", c.GetProperty("da").GetString()!, c.GetProperty("za").GetBoolean());
        var b = Input("elementwise", "B", c.GetProperty("db").GetString()!, c.GetProperty("zb").GetBoolean());
        if (c.TryGetProperty("error", out var err)) { AssertThrowsLike(err.GetString()!, () => op(a, b), name); return; }
        bool grads = c.TryGetProperty("grad_fn", out var gradFn);
        if (grads) { a.requires_grad = true; b.requires_grad = true; }
        var r = op(a, b);
        AssertMatches(c.GetProperty("out"), r, name, f32rtol: 1e-6);
        if (!grads) return;
        Assert.Equal(gradFn.GetString(), r.grad_fn!.name());
        r.backward(Upstream(r, "elementwise"));
        AssertMatches(c.GetProperty("grad_a"), a.grad!, name + " grad a", f32rtol: 1e-6);
        // A float64 gradient built from float32 intermediates (pow's log(a)) carries their rounding.
        double f64 = a.dtype == float32 || b.dtype == float32 ? 1e-6 : 1e-12;
        AssertMatches(c.GetProperty("grad_b"), b.grad!, name + " grad b", f32rtol: 1e-6, f64rtol: f64);
    }

    // ---------------------------------------------------------------- tensor ∘ number and number ∘ tensor

    static readonly Dictionary<string, Func<Tensor, Scalar, Tensor>> WithScalar = new()
    {
        ["add"] = (t, s) => t + s,
        ["sub"] = (t, s) => t - s,
        ["mul"] = (t, s) => t * s,
        ["div"] = (t, s) => t / s,
        ["remainder"] = (t, s) => t % s,
        ["pow"] = (t, s) => t.pow(s),
        ["radd"] = (t, s) => s + t,
        ["rsub"] = (t, s) => s - t,
        ["rmul"] = (t, s) => s * t,
        ["rdiv"] = (t, s) => s / t,
        ["rpow"] = (t, s) => torch.pow(s, t),
        ["eq"] = (t, s) => t.eq(s),
        ["lt"] = (t, s) => t.lt(s),
        ["ge"] = (t, s) => ge(t, s),
        ["add_alpha3"] = (t, s) => torch.add(t, s, alpha: 3),
        ["bitwise_and"] = (t, s) => t & s,
    };

    public static IEnumerable<object[]> ScalarCases() => Where("elementwise_scalar", c => c.TryGetProperty("s", out _));

    [Theory]
    [MemberData(nameof(ScalarCases))]
    public void Tensor_and_number_ops_match_pytorch(string name)
    {
        var c = Fixtures.Case("elementwise_scalar", name);
        var op = WithScalar[c.GetProperty("op").GetString()!];
        var t = Input("elementwise_scalar", "A", c.GetProperty("da").GetString()!, c.GetProperty("za").GetBoolean());
        var s = ScalarOf(c.GetProperty("s"));
        if (c.TryGetProperty("error", out var err)) { AssertThrowsLike(err.GetString()!, () => op(t, s), name); return; }
        bool grads = c.TryGetProperty("grad_fn", out var gradFn);
        if (grads) t.requires_grad = true;
        var r = op(t, s);
        AssertMatches(c.GetProperty("out"), r, name, f32rtol: 1e-6);
        if (!grads) return;
        Assert.Equal(gradFn.GetString(), r.grad_fn!.name());
        r.backward(Upstream(r, "elementwise_scalar"));
        AssertMatches(c.GetProperty("grad_a"), t.grad!, name + " grad", f32rtol: 1e-6, f64rtol: 1e-12);
    }

    // ---------------------------------------------------------------- unary ops, NaN and inf

    static readonly Dictionary<string, Func<Tensor, Tensor>> UnaryOps = new()
    {
        ["neg"] = x => -x, ["exp"] = x => x.exp(), ["log"] = x => x.log(), ["log2"] = x => log2(x), ["log10"] = x => x.log10(),
        ["log1p"] = x => x.log1p(), ["expm1"] = x => expm1(x), ["sqrt"] = x => x.sqrt(), ["rsqrt"] = x => rsqrt(x),
        ["reciprocal"] = x => x.reciprocal(), ["sin"] = x => x.sin(), ["cos"] = x => cos(x), ["tan"] = x => x.tan(),
        ["tanh"] = x => tanh(x), ["sinh"] = x => x.sinh(), ["cosh"] = x => x.cosh(), ["sigmoid"] = x => sigmoid(x),
        ["abs"] = x => x.abs(), ["sign"] = x => sign(x), ["floor"] = x => x.floor(), ["ceil"] = x => ceil(x),
        ["trunc"] = x => x.trunc(), ["round"] = x => round(x), ["relu"] = x => relu(x), ["square"] = x => x.square(),
        ["clamp_min"] = x => x.clamp(min: 0.5), ["clamp_max"] = x => x.clamp(max: 1), ["clamp_both"] = x => clamp(x, -1, 2),
        ["clamp_int"] = x => x.clamp(0, 3), ["clamp_inverted"] = x => x.clamp(2, -1),
        ["clamp_min_fn"] = x => clamp_min(x, 0.5), ["clamp_max_fn"] = x => x.clamp_max(1),
        // torch.bitwise_not; Python's ~x (a different error for floating tensors) is checked in ComparisonOperatorTests.
        ["logical_not"] = x => logical_not(x), ["bitwise_not"] = x => x.bitwise_not(),
    };

    public static IEnumerable<object[]> UnaryCases() => Fixtures.Names("elementwise_unary");

    [Theory]
    [MemberData(nameof(UnaryCases))]
    public void Unary_op_matches_pytorch(string name)
    {
        var c = Fixtures.Case("elementwise_unary", name);
        var opName = c.GetProperty("op").GetString()!;
        var x = Fixtures.T(c.GetProperty("a"));
        Func<Tensor, Tensor> op = c.TryGetProperty("b", out var bj)
            ? t => Binary[opName](t, Fixtures.T(bj))
            : UnaryOps[opName];
        if (c.TryGetProperty("error", out var err)) { AssertThrowsLike(err.GetString()!, () => op(x), name); return; }
        bool grads = c.TryGetProperty("grad_fn", out var gradFn);
        if (grads) x.requires_grad = true;
        var r = op(x);
        AssertMatches(c.GetProperty("out"), r, name, f32rtol: 1e-6, f64rtol: 1e-14);
        if (!grads) return;
        Assert.Equal(gradFn.GetString(), r.grad_fn!.name());
        var g = tensor(new[] { 0.5, -1.0, 2.0, 1.5, -0.25, 3.0 }, r.shape, dtype: r.dtype);
        r.backward(g);
        // 1 - tanh² and friends magnify a 1-ulp difference in the forward value.
        AssertMatches(c.GetProperty("grad_a"), x.grad!, name + " grad", f32rtol: 1e-6, f64rtol: 1e-12);
    }

    [Fact]
    public void Log1p_and_expm1_keep_the_digits_of_tiny_inputs()
    {
        // log(1 + x) and exp(x) - 1 would give 0 here.
        var x = tensor(new[] { 1e-10, -3e-12, 1e-30 }, dtype: float64);
        var l = x.log1p().data<double>().ToArray();
        var e = x.expm1().data<double>().ToArray();
        Assert.Equal(1e-10 - 5e-21, l[0], 1e-25);
        Assert.Equal(1e-30, l[2], 1e-40);
        Assert.Equal(1e-10 + 5e-21, e[0], 1e-25);
        Assert.Equal(-3e-12 + 4.5e-24, e[1], 1e-26);
        Assert.Equal(1e-10f, tensor(new[] { 1e-10 }).log1p().item<float>());
    }

    // ---------------------------------------------------------------- errors

    static readonly Dictionary<string, Action> ErrorCalls = new()
    {
        ["broadcast_add"] = () => _ = ones(2, 3) + ones(4),
        ["broadcast_mul_3d"] = () => _ = ones(2, 3, 4) * ones(3, 3, 1),
        ["sub_bool_bool"] = () => _ = tensor(new[] { true }) - tensor(new[] { false }),
        ["sub_bool_int"] = () => _ = tensor(new[] { true }) - tensor(new[] { 1L }),
        ["rsub_int_bool"] = () => _ = 1 - tensor(new[] { true }),
        ["neg_bool"] = () => _ = -tensor(new[] { true }),
        ["pow_int_negative"] = () => _ = tensor(new[] { 1L, 2L }).pow(-1),
        ["pow_bool_bool"] = () => _ = tensor(new[] { true }).pow(tensor(new[] { true })),
        ["remainder_int_zero"] = () => _ = tensor(new[] { 5L }) % 0,
        ["remainder_bool"] = () => _ = tensor(new[] { true }) % tensor(new[] { true }),
        ["alpha_float_int"] = () => _ = torch.add(tensor(new[] { 1L }), tensor(new[] { 2L }), alpha: 1.5),
        ["alpha_bool_float"] = () => _ = torch.add(tensor(new[] { 1.0 }), tensor(new[] { 2.0 }), alpha: true),
        ["requires_grad_int"] = () => tensor(new[] { 1L, 2L }).requires_grad_(),
        ["abs_bool"] = () => _ = tensor(new[] { true }).abs(),
        ["floor_bool"] = () => _ = floor(tensor(new[] { true })),
        ["relu_bool"] = () => _ = relu(tensor(new[] { true })),
        ["clamp_none"] = () => _ = tensor(new[] { 1.0 }).clamp(),
        ["clamp_overflow"] = () => _ = tensor(new byte[] { 1 }).clamp(max: 300),
        ["bitwise_float"] = () => _ = tensor(new[] { 1.0 }) & tensor(new[] { 1.0 }),
        ["bitwise_not_float"] = () => _ = bitwise_not(tensor(new[] { 1.0 })),
        ["where_cond_float"] = () => _ = torch.where(tensor(new[] { 1.0 }), ones(1), ones(1)),
        ["inplace_int_float"] = () => tensor(new[] { 1L, 2L }).add_(1.5),
        ["inplace_div_int"] = () => tensor(new[] { 1L, 2L }).div_(2),
        ["inplace_exp_int"] = () => tensor(new[] { 1L, 2L }).exp_(),
        ["inplace_bool_int"] = () => tensor(new[] { true }).add_(5),
        ["inplace_broadcast"] = () => zeros(3).add_(ones(2, 3)),
        ["inplace_leaf"] = () => ones(new long[] { 2 }, requires_grad: true).add_(1),
        ["inplace_leaf_view"] = () => ones(new long[] { 2 }, requires_grad: true).narrow(0, 0, 1).add_(1),
        ["inplace_expanded"] = () => zeros(1).expand(3).add_(1),
        ["fill_overflow"] = () => tensor(new byte[] { 1, 2 }).fill_(300),
        ["copy_broadcast"] = () => zeros(3).copy_(ones(1, 3)),
        ["copy_mismatch"] = () => zeros(3).copy_(ones(2)),
        ["inplace_nograd_view"] = () =>
        {
            var x = ones(new long[] { 2 }, requires_grad: true);
            Tensor v;
            using (no_grad()) v = x.narrow(0, 0, 1);
            v.add_(1);
        },
    };

    public static IEnumerable<object[]> ErrorCases() => Where("elementwise", c => c.GetProperty("name").GetString()!.StartsWith("error:"));

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void Errors_carry_pytorchs_message(string name)
    {
        var c = Fixtures.Case("elementwise", name);
        AssertThrowsLike(c.GetProperty("error").GetString()!, ErrorCalls[name["error:".Length..]], name);
    }

    [Fact]
    public void Broadcast_error_names_both_shapes_and_the_op()
    {
        var e = Assert.Throws<ArgumentException>(() => ones(2, 3).add(ones(4)));
        Assert.Contains("add", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4]", e.Message);
    }

    [Fact]
    public void Failed_inplace_ops_leave_the_tensor_unchanged()
    {
        var x = tensor(new[] { 1L, 2L, 3L });
        int v = x._storage.Version;
        Assert.ThrowsAny<Exception>(() => x.add_(1.5));
        Assert.ThrowsAny<Exception>(() => x.div_(tensor(new[] { 2L, 2L, 2L })));
        Assert.ThrowsAny<Exception>(() => x.add_(ones(2, 3, dtype: int64)));
        Assert.ThrowsAny<Exception>(() => x.remainder_(0));
        Assert.ThrowsAny<Exception>(() => x.pow_(-1));
        Assert.Equal(new long[] { 1, 2, 3 }, x.data<long>().ToArray());
        Assert.Equal(v, x._storage.Version);

        var w = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        Assert.ThrowsAny<Exception>(() => w.mul_(3));
        Assert.ThrowsAny<Exception>(() => w.zero_());
        Assert.ThrowsAny<Exception>(() => w.copy_(zeros(2)));
        Assert.Equal(new[] { 1f, 2f }, w.data<float>().ToArray());
        Assert.True(w.is_leaf);

        // A view that was made a leaf itself is still a leaf.
        var vl = zeros(3, 2).t().requires_grad_();
        Assert.Throws<InvalidOperationException>(() => vl.add_(1));
        using (no_grad()) vl.add_(1);
        Assert.Equal(6f, vl.sum().item<float>());

        var f = tensor(new[] { 1.0, 2.0, 3.0 });
        Assert.ThrowsAny<Exception>(() => f.narrow(0, 0, 2).copy_(ones(3)));
        Assert.ThrowsAny<Exception>(() => f.unsqueeze(0).expand(2, 3).mul_(2));
        Assert.Equal(new[] { 1f, 2f, 3f }, f.data<float>().ToArray());
    }

    // ---------------------------------------------------------------- in-place ops

    static readonly Dictionary<string, Action<Tensor, Tensor>> InplaceCode = new()
    {
        ["y.mul_(z)"] = (y, z) => y.mul_(z), ["y.sin_()"] = (y, z) => y.sin_(), ["y.div_(z)"] = (y, z) => y.div_(z),
        ["y.pow_(2)"] = (y, z) => y.pow_(2), ["y.pow_(z)"] = (y, z) => y.pow_(z), ["y.clamp_(0, 3)"] = (y, z) => y.clamp_(0, 3),
        ["y.relu_()"] = (y, z) => y.relu_(), ["y.sigmoid_()"] = (y, z) => y.sigmoid_(), ["y.abs_()"] = (y, z) => y.abs_(),
        ["y.sqrt_()"] = (y, z) => y.sqrt_(), ["y.add_(z, alpha=2)"] = (y, z) => y.add_(z, alpha: 2), ["y.add_(1)"] = (y, z) => y.add_(1),
        ["y.sub_(z)"] = (y, z) => y.sub_(z), ["y.sub_(z, alpha=0.5)"] = (y, z) => y.sub_(z, alpha: 0.5),
        ["y.mul_(2)"] = (y, z) => y.mul_(2), ["y.div_(2)"] = (y, z) => y.div_(2), ["y.log_()"] = (y, z) => y.log_(),
        ["y.tanh_()"] = (y, z) => y.tanh_(), ["y.exp_()"] = (y, z) => y.exp_(), ["y.neg_()"] = (y, z) => y.neg_(),
        ["y.round_()"] = (y, z) => y.round_(), ["y.remainder_(z)"] = (y, z) => y.remainder_(z), ["y.remainder_(2)"] = (y, z) => y.remainder_(2),
        ["y.copy_(z)"] = (y, z) => y.copy_(z), ["y.fill_(1)"] = (y, z) => y.fill_(1), ["y.zero_()"] = (y, z) => y.zero_(),
        ["y.floor_()"] = (y, z) => y.floor_(), ["y.reciprocal_()"] = (y, z) => y.reciprocal_(), ["y.rsqrt_()"] = (y, z) => y.rsqrt_(),
        ["y.square_()"] = (y, z) => y.square_(), ["y.sign_()"] = (y, z) => y.sign_(), ["y.ceil_()"] = (y, z) => y.ceil_(),
        ["y.trunc_()"] = (y, z) => y.trunc_(), ["y.log1p_()"] = (y, z) => y.log1p_(), ["y.expm1_()"] = (y, z) => y.expm1_(),
        ["y.cos_()"] = (y, z) => y.cos_(), ["y.sinh_()"] = (y, z) => y.sinh_(), ["y.cosh_()"] = (y, z) => y.cosh_(),
        ["y.tan_()"] = (y, z) => y.tan_(), ["y.log2_()"] = (y, z) => y.log2_(), ["y.log10_()"] = (y, z) => y.log10_(),
        ["y.clamp_min_(3)"] = (y, z) => y.clamp_min_(3), ["y.clamp_max_(3)"] = (y, z) => y.clamp_max_(3),
        ["y[1:].mul_(z[1:])"] = (y, z) => y.narrow(0, 1, 2).mul_(z.narrow(0, 1, 2)),
        ["y[0].fill_(0)"] = (y, z) => y.select(0, 0).fill_(0),
        ["y[0:2].add_(z[0:2])"] = (y, z) => y.narrow(0, 0, 2).add_(z.narrow(0, 0, 2)),
        ["y.view(3, 1).t().mul_(2)"] = (y, z) => y.view(3, 1).t().mul_(2),
        ["y.narrow(0, 1, 2).exp_()"] = (y, z) => y.narrow(0, 1, 2).exp_(),
    };

    public static IEnumerable<object[]> InplaceCases() => Where("elementwise", c => c.TryGetProperty("code", out _) && c.GetProperty("name").GetString()!.StartsWith("inplace:"));

    [Theory]
    [MemberData(nameof(InplaceCases))]
    public void Inplace_op_rebases_history_like_pytorch(string name)
    {
        var c = Fixtures.Case("elementwise", name);
        var x = tensor(new[] { 1.0, 2, 3 }, dtype: float64, requires_grad: true);
        var z = tensor(new[] { 2.0, 3, 4 }, dtype: float64, requires_grad: true);
        var y = x * 2;
        int v0 = y._storage.Version;
        InplaceCode[c.GetProperty("code").GetString()!](y, z);
        AssertMatches(c.GetProperty("y"), y, name);
        Assert.Equal(c.GetProperty("grad_fn").GetString(), y.grad_fn!.name());
        Assert.True(y._storage.Version > v0, $"{name}: version counter not bumped");
        y.backward(tensor(new[] { 0.5, -1.0, 2.0 }, dtype: float64));
        AssertMatches(c.GetProperty("grad_x"), x.grad!, name + " grad x", f64rtol: 1e-12);
        if (c.GetProperty("grad_z").ValueKind == JsonValueKind.Null) Assert.Null(z.grad);
        else AssertMatches(c.GetProperty("grad_z"), z.grad!, name + " grad z", f64rtol: 1e-12);
    }

    [Fact]
    public void Inplace_history_links_straight_to_the_old_history()
    {
        // y = x * 2; y.add_(1): AddBackward0 whose first input is the MulBackward0, as PyTorch prints it.
        var x = tensor(new[] { 1.0, 2, 3 }, requires_grad: true);
        var w = tensor(new[] { 1.0, 1, 1 }, requires_grad: true);
        var y = x * 2;
        var mulNode = y.grad_fn;
        y.add_(1);
        Assert.Equal("AddBackward0", y.grad_fn!.name());
        Assert.Same(mulNode, y.grad_fn.next_functions[0]);
        y.mul_(w);
        Assert.Equal("MulBackward0", y.grad_fn!.name());
        Assert.Equal("AddBackward0", y.grad_fn.next_functions[0]!.name());
        Assert.False(y.is_leaf);
        y.sum().backward();
        Assert.Equal(new[] { 2f, 2, 2 }, x.grad!.data<float>().ToArray());
        Assert.Equal(new[] { 3f, 5, 7 }, w.grad!.data<float>().ToArray());

        // A leaf without requires_grad becomes part of the graph when a grad tensor is written into it.
        var z = zeros(3);
        z.add_(x);
        Assert.True(z.requires_grad);
        Assert.Equal("AddBackward0", z.grad_fn!.name());
    }

    [Fact]
    public void Inplace_change_through_one_view_updates_the_history_of_other_views()
    {
        var c = Fixtures.Case("elementwise", "inplace:other_view");
        var x = tensor(new[] { 1.0, 2, 3 }, dtype: float64, requires_grad: true);
        var y = x * 1;
        var a = y.narrow(0, 0, 2);
        var b = y.narrow(0, 1, 2);
        a.mul_(2);
        b.sum().backward();
        Assert.Equal(c.GetProperty("a_fn").GetString(), a.grad_fn!.name());
        Assert.Equal(c.GetProperty("b_fn").GetString(), b.grad_fn!.name());
        Assert.Equal(c.GetProperty("y_fn").GetString(), y.grad_fn!.name());
        AssertMatches(c.GetProperty("grad_x"), x.grad!, "grad x");
    }

    [Fact]
    public void Inplace_write_of_a_grad_tensor_into_a_view_makes_the_base_require_grad()
    {
        var c = Fixtures.Case("elementwise", "inplace:nograd_base");
        var w = tensor(new[] { 5.0 }, dtype: float64, requires_grad: true);
        var baseT = zeros(new long[] { 3 }, dtype: float64);
        var v = baseT.narrow(0, 1, 1);
        v.add_(w);
        Assert.True(baseT.requires_grad);
        Assert.Equal(c.GetProperty("base_fn").GetString(), baseT.grad_fn!.name());
        Assert.Equal(c.GetProperty("v_fn").GetString(), v.grad_fn!.name());
        AssertMatches(c.GetProperty("base"), baseT, "base");
        (baseT * tensor(new[] { 1.0, 2, 3 }, dtype: float64)).sum().backward();
        AssertMatches(c.GetProperty("grad_w"), w.grad!, "grad w");
    }

    static readonly Dictionary<string, Func<Tensor, Tensor, Tensor, Tensor, Tensor>> InplaceValueCode = new()
    {
        ["t.add_(2)"] = (t, f, u, b) => t.add_(2),
        ["t.mul_(3)"] = (t, f, u, b) => t.mul_(3),
        ["t.sub_(torch.tensor([1, 1, 1], dtype=torch.int64))"] = (t, f, u, b) => t.sub_(tensor(new[] { 1L, 1, 1 })),
        ["t.add_(torch.tensor([1.5, 2.5, 3.5]).to(torch.int32))"] = (t, f, u, b) => t.add_(tensor(new[] { 1.5, 2.5, 3.5 }).to(int32)),
        ["f.add_(torch.tensor([1, 2, 3]))"] = (t, f, u, b) => f.add_(tensor(new[] { 1L, 2, 3 })),
        ["f.mul_(torch.tensor([0.1, 0.2, 0.3], dtype=torch.float64))"] = (t, f, u, b) => f.mul_(tensor(new[] { 0.1, 0.2, 0.3 }, dtype: float64)),
        ["f.div_(3)"] = (t, f, u, b) => f.div_(3),
        ["f.pow_(2)"] = (t, f, u, b) => f.pow_(2),
        ["u.add_(250)"] = (t, f, u, b) => u.add_(250),
        ["u.mul_(-1)"] = (t, f, u, b) => u.mul_(-1),
        ["t.fill_(2.7)"] = (t, f, u, b) => t.fill_(2.7),
        ["t.copy_(torch.tensor([1.7, -2.2, 3.9]))"] = (t, f, u, b) => t.copy_(tensor(new[] { 1.7, -2.2, 3.9 })),
        ["b.mul_(torch.tensor([True, False, True]))"] = (t, f, u, b) => b.mul_(tensor(new[] { true, false, true })),
        ["f.clamp_(0, 2)"] = (t, f, u, b) => f.clamp_(0, 2),
        ["t.clamp_(-1, 0)"] = (t, f, u, b) => t.clamp_(-1, 0),
        ["t.remainder_(2)"] = (t, f, u, b) => t.remainder_(2),
        ["t.neg_()"] = (t, f, u, b) => t.neg_(),
        ["t.abs_()"] = (t, f, u, b) => t.abs_(),
        ["f.floor_()"] = (t, f, u, b) => f.floor_(),
    };

    public static IEnumerable<object[]> InplaceValueCases() => Where("elementwise", c => c.GetProperty("name").GetString()!.StartsWith("inplace_values:"));

    [Theory]
    [MemberData(nameof(InplaceValueCases))]
    public void Inplace_op_computes_in_the_promoted_dtype_and_writes_back_in_its_own(string name)
    {
        var c = Fixtures.Case("elementwise", name);
        var t = tensor(new[] { 1, -2, 3 }, dtype: int32);
        var f = tensor(new[] { 1.5, -2.25, 3.0 });
        var u = tensor(new byte[] { 1, 2, 250 });
        var b = tensor(new[] { true, true, false });
        var r = InplaceValueCode[c.GetProperty("code").GetString()!](t, f, u, b);
        AssertMatches(c.GetProperty("out"), r, name);
        Assert.Same(r, name.Split(':')[1][0] switch { 't' => t, 'f' => f, 'u' => u, _ => b });
    }

    [Fact]
    public void Inplace_ops_bump_the_version_and_saved_tensors_notice()
    {
        var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        var y = x.exp();
        int v = y._storage.Version;
        y.add_(1);
        Assert.Equal(v + 1, y._storage.Version);
        // ExpBackward0 saved y: the in-place change must make backward fail, as in PyTorch.
        var e = Assert.Throws<InvalidOperationException>(() => y.sum().backward());
        Assert.Contains("modified by an inplace operation", e.Message);

        // Without grad the fast paths still count versions (optimizers rely on it).
        var p = ones(3);
        using (no_grad()) { p.add_(ones(3)); p.mul_(2); p.sub_(ones(3), alpha: 0.5); p.div_(2); }
        Assert.Equal(4, p._storage.Version);
        Assert.Equal(new[] { 1.75f, 1.75f, 1.75f }, p.data<float>().ToArray());
    }

    [Fact]
    public void Inplace_fast_paths_match_the_general_path()
    {
        var rnd = new Random(3);
        foreach (var dt in new[] { float32, float64 })
        {
            var a = tensor(Enumerable.Range(0, 50).Select(_ => rnd.NextDouble() * 4 - 2).ToArray(), dtype: dt);
            var b = tensor(Enumerable.Range(0, 50).Select(_ => rnd.NextDouble() * 4 + 0.5).ToArray(), dtype: dt);
            var s = tensor(1.25, dtype: dt);
            Assert.True(a.clone().add_(b).equal(a + b));
            Assert.True(a.clone().add_(b, alpha: -0.3).equal(torch.add(a, b, alpha: -0.3)));
            Assert.True(a.clone().sub_(b, alpha: 2).equal(torch.sub(a, b, alpha: 2)));
            Assert.True(a.clone().mul_(b).equal(a * b));
            Assert.True(a.clone().div_(b).equal(a / b));
            Assert.True(a.clone().mul_(s).equal(a * s));
            Assert.True(a.clone().div_(0.7).equal(a / 0.7));
            Assert.True(a.clone().sub_(0.7).equal(a - 0.7));
            // Partly overlapping operands take the copying path: b is read before it is written.
            var buf = a.clone();
            buf.narrow(0, 1, 49).add_(buf.narrow(0, 0, 49));
            Assert.True(buf.narrow(0, 1, 49).equal(a.narrow(0, 1, 49) + a.narrow(0, 0, 49)));
        }
    }

    // ---------------------------------------------------------------- where

    public static IEnumerable<object[]> WhereCases() => Where("elementwise", c => c.GetProperty("name").GetString()!.StartsWith("where|"));

    [Theory]
    [MemberData(nameof(WhereCases))]
    public void Where_promotes_like_pytorch(string name)
    {
        var c = Fixtures.Case("elementwise", name);
        var cond = Fixtures.T(c.GetProperty("cond"));
        var x = Fixtures.T(c.GetProperty("x"));
        var y = Fixtures.T(c.GetProperty("y"));
        if (c.TryGetProperty("error", out var err)) { AssertThrowsLike(err.GetString()!, () => torch.where(cond, x, y), name); return; }
        AssertMatches(c.GetProperty("out"), torch.where(cond, x, y), name);
    }

    [Fact]
    public void Where_with_numbers_matches_pytorch()
    {
        foreach (var c in Fixtures.Load("elementwise").Where(c => c.GetProperty("name").GetString()!.StartsWith("where_s")))
        {
            var name = c.GetProperty("name").GetString()!;
            var cond = Fixtures.T(c.GetProperty("cond"));
            if (c.TryGetProperty("x", out var xj))
            {
                var x = Fixtures.T(xj);
                var s = ScalarOf(c.GetProperty("s"));
                AssertMatches(c.GetProperty("out"), torch.where(cond, x, s), name);
                AssertMatches(c.GetProperty("out_r"), torch.where(cond, s, x), name + " reversed");
            }
            else AssertMatches(c.GetProperty("out"), torch.where(cond, ScalarOf(c.GetProperty("s1")), ScalarOf(c.GetProperty("s2"))), name);
        }
    }

    [Fact]
    public void Where_gradient_goes_to_the_chosen_side_summed_to_its_shape()
    {
        var c = Fixtures.Case("elementwise", "where_grad");
        var cond = Fixtures.T(c.GetProperty("cond"));
        var x = Fixtures.T(c.GetProperty("x"), requiresGrad: true);
        var y = Fixtures.T(c.GetProperty("y"), requiresGrad: true);
        var r = torch.where(cond, x, y);
        AssertMatches(c.GetProperty("out"), r, "out");
        Assert.Equal(c.GetProperty("grad_fn").GetString(), r.grad_fn!.name());
        r.backward(tensor(new[] { 1.0, 2, 3, 4 }, new long[] { 2, 2 }, dtype: float64));
        AssertMatches(c.GetProperty("grad_x"), x.grad!, "grad x");
        AssertMatches(c.GetProperty("grad_y"), y.grad!, "grad y");
    }

    // ---------------------------------------------------------------- gradcheck (float64, finite differences)

    static Tensor In(long[] shape, int seed, double lo = -1, double hi = 1) => GradCheck.Input(shape, seed, lo, hi);

    public static IEnumerable<object[]> GradcheckUnary() => new (string, double, double)[]
    {
        ("neg", -2, 2), ("exp", -2, 2), ("log", 0.2, 3), ("log2", 0.2, 3), ("log10", 0.2, 3), ("log1p", -0.5, 3),
        ("expm1", -2, 2), ("sqrt", 0.2, 3), ("rsqrt", 0.2, 3), ("reciprocal", 0.3, 3), ("sin", -3, 3), ("cos", -3, 3),
        ("tan", -1.2, 1.2), ("tanh", -2, 2), ("sinh", -2, 2), ("cosh", -2, 2), ("sigmoid", -4, 4), ("abs", 0.1, 2),
        ("relu", 0.1, 2), ("square", -2, 2), ("clamp_both", -0.9, 1.9), ("clamp_min", 0.6, 2), ("clamp_max", -2, 0.9),
        ("clamp_min_fn", 0.6, 2), ("clamp_max_fn", -2, 0.9),
    }.Select(t => new object[] { t.Item1, t.Item2, t.Item3 });

    [Theory]
    [MemberData(nameof(GradcheckUnary))]
    public void Gradcheck_unary(string op, double lo, double hi)
    {
        var f = UnaryOps[op];
        GradCheck.Check(ts => f(ts[0]), [In([2, 3], op.GetHashCode() & 0xffff, lo, hi)], what: op);
        // Negative side for the ops with a kink at 0, and piecewise-constant ops (zero gradient).
        if (op is "abs" or "relu") GradCheck.Check(ts => f(ts[0]), [In([5], 11, -2, -0.1)], what: op + " negative");
    }

    [Theory]
    [InlineData("floor")]
    [InlineData("ceil")]
    [InlineData("trunc")]
    [InlineData("round")]
    [InlineData("sign")]
    public void Gradcheck_piecewise_constant_ops_have_zero_gradient(string op) =>
        GradCheck.Check(ts => UnaryOps[op](ts[0]), [In([4], 5, 0.1, 0.4)], what: op);

    public static IEnumerable<object[]> GradcheckBinary() => new[]
    {
        "add", "sub", "mul", "div", "remainder", "pow", "maximum", "minimum", "add_alpha2", "add_alpha1.5", "sub_alpha2",
    }.Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(GradcheckBinary))]
    public void Gradcheck_binary_with_broadcasting(string op)
    {
        var f = Binary[op];
        bool pos = op is "pow" or "div" or "remainder";
        // remainder: b in [2, 3] and a in (0.1, 1.9) keep a/b away from the integer jumps.
        Tensor A(long[] s, int seed) => op == "remainder" ? In(s, seed, 0.1, 1.9) : In(s, seed, pos ? 0.5 : -1, pos ? 2 : 1);
        Tensor B(long[] s, int seed) => op == "remainder" ? In(s, seed, 2, 3) : In(s, seed, pos ? 0.5 : -1, pos ? 2 : 1);
        GradCheck.Check(ts => f(ts[0], ts[1]), [A([2, 3], 1), B([2, 3], 2)], what: op);
        GradCheck.Check(ts => f(ts[0], ts[1]), [A([3, 1], 3), B([1, 4], 4)], what: op + " [3,1]x[1,4]");
        GradCheck.Check(ts => f(ts[0], ts[1]), [A([2, 1, 3], 5), B([3], 6)], what: op + " leading dims");
        GradCheck.Check(ts => f(ts[0], ts[1]), [A([], 7), B([2, 2], 8)], what: op + " 0-dim");
    }

    [Fact]
    public void Gradcheck_number_ops_and_where()
    {
        GradCheck.Check(ts => 2.5 / ts[0], [In([3], 1, 0.5, 2)], what: "rdiv");
        GradCheck.Check(ts => 3 - ts[0], [In([3], 2)], what: "rsub");
        GradCheck.Check(ts => torch.pow(1.7, ts[0]), [In([3], 3)], what: "rpow");
        GradCheck.Check(ts => ts[0].pow(2.5), [In([3], 4, 0.5, 2)], what: "pow scalar");
        GradCheck.Check(ts => ts[0].pow(-1.5), [In([3], 4, 0.5, 2)], what: "pow negative scalar");
        GradCheck.Check(ts => ts[0] % 0.7, [In([3], 5, 0.1, 0.6)], what: "remainder scalar");
        GradCheck.Check(ts => torch.add(ts[0], 2, alpha: 3), [In([3], 6)], what: "add scalar alpha");
        var cond = tensor(new[] { true, false, true, false, false, true }, new long[] { 2, 3 });
        GradCheck.Check(ts => torch.where(cond, ts[0], ts[1]), [In([2, 3], 7), In([3], 8)], what: "where");
        GradCheck.Check(ts => torch.where(cond, ts[0], 0.5), [In([2, 3], 9)], what: "where scalar");
    }

    [Fact]
    public void Gradcheck_inplace_ops_through_views()
    {
        GradCheck.Check(ts =>
        {
            var y = ts[0] * 1;
            y.narrow(1, 1, 2).mul_(ts[1]);
            y.select(0, 0).exp_();
            return y;
        }, [In([2, 3], 1), In([2, 2], 2)], what: "view in-place chain");
        GradCheck.Check(ts =>
        {
            var y = ts[0].clone();
            var t = y.t();
            t.add_(ts[1], alpha: 2);
            return y.sin() + t.sum();
        }, [In([2, 3], 3), In([3, 1], 4)], what: "transposed view add_");
    }

    [Fact]
    public void Gradcheck_copy_and_fill_through_views()
    {
        GradCheck.Check(ts =>
        {
            var y = ts[0] * 2;
            y.narrow(0, 0, 1).copy_(ts[1]);   // broadcast [3] into a [1, 3] row
            y.select(1, 2).fill_(0.5);
            return y.exp();
        }, [In([2, 3], 1), In([3], 2)], what: "copy_ and fill_");
    }

    [Fact]
    public void Large_tensors_split_over_threads_give_the_same_values()
    {
        // Above the serial threshold: span, scalar, broadcast-row and map kernels take their parallel paths.
        var rng = new Random(8);
        var av = Enumerable.Range(0, 300 * 257).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
        var bv = Enumerable.Range(0, 257).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
        var a = tensor(av, new long[] { 300, 257 }, dtype: float64);
        var b = tensor(bv, dtype: float64);
        var full = a.contiguous() + a;
        var bcast = a + b;
        var scaled = a * 3.5;
        var tanh = a.tanh();
        var cmp = a.gt(b);
        var tr = a.t().contiguous();
        var fv = full.data<double>().ToArray(); var bc = bcast.data<double>().ToArray(); var sv = scaled.data<double>().ToArray();
        var tv = tanh.data<double>().ToArray(); var cv = cmp.data<bool>().ToArray(); var trv = tr.data<double>().ToArray();
        for (int i = 0; i < 300; i++)
            for (int j = 0; j < 257; j++)
            {
                int k = i * 257 + j;
                Assert.Equal(av[k] + av[k], fv[k]);
                Assert.Equal(av[k] + bv[j], bc[k]);
                Assert.Equal(av[k] * 3.5, sv[k]);
                Assert.Equal(Math.Tanh(av[k]), tv[k], 1e-15);
                Assert.Equal(av[k] > bv[j], cv[k]);
                Assert.Equal(av[k], trv[j * 300 + i]);
            }
    }

    // ---------------------------------------------------------------- C# operators and misc

    [Fact]
    public void Operators_follow_pytorch()
    {
        var a = tensor(new[] { 1L, 2L, 6L });
        var b = tensor(new[] { 3L, 1L, 4L });
        Assert.Equal(new long[] { 1, 0, 4 }, (a & b).data<long>().ToArray());
        Assert.Equal(new long[] { 3, 3, 6 }, (a | b).data<long>().ToArray());
        Assert.Equal(new long[] { 2, 3, 2 }, (a ^ b).data<long>().ToArray());
        Assert.Equal(new long[] { -2, -3, -7 }, (~a).data<long>().ToArray());
        Assert.Equal(new long[] { 1, 0, 0 }, (a & 1).data<long>().ToArray());
        var m = tensor(new[] { true, false, true });
        var n = tensor(new[] { true, true, false });
        Assert.Equal(new[] { true, false, false }, (m & n).data<bool>().ToArray());
        Assert.Equal(new[] { true, true, true }, (m | n).data<bool>().ToArray());
        Assert.Equal(new[] { false, true, true }, (m ^ n).data<bool>().ToArray());
        Assert.Equal(new[] { false, true, false }, (~m).data<bool>().ToArray());
        Assert.Equal(new[] { false, true, false }, (!m).data<bool>().ToArray());
        Assert.Equal(new[] { false, false, true }, (!(a - 6)).data<bool>().ToArray());
        Assert.Equal(new long[] { 1, 2, 0 }, (a % 3).data<long>().ToArray());
        Assert.Equal(new long[] { -2, -1, 0 }, (a % -3).data<long>().ToArray());
        Assert.Equal(new long[] { -1, -2, -6 }, (-a).data<long>().ToArray());
        Assert.Equal(new long[] { 2, 1, -3 }, (3 - a).data<long>().ToArray());
        Assert.Equal(ScalarType.Float32, (1 / a).dtype);
        Assert.Equal(ScalarType.Int64, (2 * a).dtype);
        Assert.Equal(ScalarType.Float32, (a * 2.0).dtype);
    }

    [Fact]
    public void Small_tensor_arithmetic_shares_the_input_shape_and_allocates_little()
    {
        var a = tensor(new[] { 1.0, 2.0 });
        var b = tensor(new[] { 3.0, 4.0 });
        for (int i = 0; i < 100; i++) _ = a + b;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) _ = a + b;
        long perOp = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;
        // tensor object + storage object + 2-float array; no closures, no shape/stride copies.
        Assert.True(perOp <= 200, $"a + b on 2 elements allocated {perOp} bytes per call");
        Assert.Same(a._shape, (a + b)._shape);
    }

    // ---------------------------------------------------------------- regressions found by the fuzz test

    [Fact]
    public void Sigmoid_of_an_empty_tensor_is_an_empty_tensor()
    {
        // TensorPrimitives.Sigmoid refuses empty spans: it raised "Input span arguments must not be empty"
        // where PyTorch returns tensor([]).
        foreach (var t in new[] { zeros(0), zeros(2, 0, 3), zeros(new long[] { 0 }, dtype: int64) })
        {
            var y = t.sigmoid();
            Assert.Equal(t.shape, y.shape);
            Assert.Equal(ScalarType.Float32, y.dtype);
        }
        Assert.Equal(0, zeros(0, 2).sigmoid_().numel());
        var e = zeros(new long[] { 0, 2 }, requires_grad: true);
        sigmoid(e).sum().backward();
        Assert.Equal(new long[] { 0, 2 }, e.grad!.shape);
    }

    [Fact]
    public void Integer_remainder_by_minus_one_is_zero_even_of_the_smallest_value()
    {
        // long.MinValue % -1 overflows in .NET: remainder raised OverflowException (PyTorch 1.13 traps with SIGFPE).
        Assert.Equal(new long[] { 0, 0, 0 }, (tensor(new[] { long.MinValue, 5, -7 }) % -1).data<long>().ToArray());
        Assert.Equal(new[] { 0, 0 }, tensor(new[] { int.MinValue, 5 }, dtype: int32).remainder(tensor(new[] { -1, -1 }, dtype: int32)).data<int>().ToArray());
        Assert.Equal(new long[] { 0 }, tensor(new[] { long.MinValue }).remainder_(-1).data<long>().ToArray());
        Assert.Equal(-0.5f, (tensor(new[] { 0.5 }) % -1).item<float>());   // floats keep their fractional remainder
        Assert.Equal(new byte[] { 0, 1 }, tensor(new byte[] { 255, 1 }).remainder(255).data<byte>().ToArray());
    }
}
