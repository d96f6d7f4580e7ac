using System.Text.Json;
using Torchlet;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests;

/// <summary>matmul, mm, bmm, mv, dot, outer, addmm, baddbmm against PyTorch (fixtures/matmul.json) and gradcheck.</summary>
public class MatmulTests
{
    // ---------------------------------------------------------------- fixture cases

    public static IEnumerable<object[]> OpCases() =>
        Fixtures.Load("matmul").Where(c => c.TryGetProperty("op", out _)).Select(c => new object[] { c.GetProperty("name").GetString()! });

    /// <summary>gen_matmul.py's det(): exactly reproducible inputs, so the fixtures need not store them.</summary>
    static Tensor Det(long[] shape, int seed, ScalarType dtype)
    {
        long n = 1; foreach (var s in shape) n *= s;
        var v = new double[n];
        for (long i = 0; i < n; i++)
            v[i] = dtype switch
            {
                ScalarType.Float32 or ScalarType.Float64 => ((i * 37 + seed * 101) % 199) / 99.0 - 1.0,
                ScalarType.Byte => (i * 7 + seed) % 23,
                _ => (i * 7 + seed) % 11 - 5,
            };
        return tensor(v, shape, dtype: ScalarType.Float64).to(dtype);
    }

    static Tensor ApplyViews(Tensor t, JsonElement views)
    {
        foreach (var v in views.EnumerateArray())
        {
            if (v.ValueKind == JsonValueKind.String) { Assert.Equal("T", v.GetString()); t = t.transpose(-1, -2); continue; }
            var a = v.EnumerateArray().ToArray();
            var args = a.Skip(1).Select(x => x.GetInt64()).ToArray();
            t = a[0].GetString() switch
            {
                "narrow" => t.narrow(args[0], args[1], args[2]),
                "select" => t.select(args[0], args[1]),
                "expand" => t.expand(args),
                var op => throw new ArgumentException(op),
            };
        }
        return t;
    }

    static Tensor RunOp(string op, Tensor[] x, JsonElement kwargs)
    {
        Scalar? K(string name) => kwargs.TryGetProperty(name, out var v)
            ? (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) && !v.GetRawText().Contains('.') ? l : v.GetDouble())
            : null;
        return op switch
        {
            "matmul" => matmul(x[0], x[1]),
            "mm" => mm(x[0], x[1]),
            "bmm" => bmm(x[0], x[1]),
            "mv" => mv(x[0], x[1]),
            "dot" => dot(x[0], x[1]),
            "outer" => outer(x[0], x[1]),
            "addmm" => addmm(x[0], x[1], x[2], K("beta"), K("alpha")),
            "baddbmm" => baddbmm(x[0], x[1], x[2], K("beta"), K("alpha")),
            _ => throw new ArgumentException(op),
        };
    }

    /// <summary>Compares with a packed fixture tensor: every value, or every step-th value plus the weighted checksums.</summary>
    static void AssertPacked(JsonElement expected, Tensor actual, double atol, double rtol, string what)
    {
        var dt = Fixtures.DType(expected.GetProperty("dtype").GetString()!);
        Assert.True(dt == actual.dtype, $"{what}: dtype {actual.dtype} but PyTorch gives {dt}");
        var shape = Fixtures.ShapeOf(expected);
        Assert.True(shape.SequenceEqual(actual.shape), $"{what}: shape [{string.Join(", ", actual.shape)}] but PyTorch gives [{string.Join(", ", shape)}]");
        var data = Fixtures.Values(expected);
        if (!expected.TryGetProperty("step", out var stepJ)) { Fixtures.AssertClose(shape, data, actual, atol, rtol, what); return; }
        int step = stepJ.GetInt32();
        var got = actual.ToArray<double>();
        for (int i = 0; i < data.Length; i++)
        {
            double e = data[i], a = got[i * step];
            Assert.True(Math.Abs(a - e) <= atol + rtol * Math.Abs(e), $"{what}: element {i * step} is {a}, PyTorch gives {e}");
        }
        var checks = expected.GetProperty("checks").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        for (int s = 0; s < checks.Length; s++)
        {
            var w = Det(shape, 11 + s, ScalarType.Float64).ToArray<double>();
            double sum = 0, mag = 0;
            for (int i = 0; i < got.Length; i++) { sum += w[i] * got[i]; mag += Math.Abs(w[i] * got[i]); }
            // Rounding differences add up over the elements: allow atol·√n plus rtol of the magnitude.
            double tol = atol * Math.Sqrt(got.Length) + rtol * mag * 0.1;
            Assert.True(Math.Abs(sum - checks[s]) <= tol, $"{what}: checksum {s} is {sum}, PyTorch gives {checks[s]} (tolerance {tol})");
        }
    }

    [Theory]
    [MemberData(nameof(OpCases))]
    public void Matches_pytorch(string name)
    {
        var c = Fixtures.Case("matmul", name);
        var dt = Fixtures.DType(c.GetProperty("dtype").GetString()!);
        var inputs = c.GetProperty("inputs").EnumerateArray().ToArray();
        var bases = new Tensor[inputs.Length];
        var args = new Tensor[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            bases[i] = Det(inputs[i].GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray(), i + 1, dt);
            if (inputs[i].GetProperty("requires_grad").GetBoolean()) bases[i].requires_grad_(true);
            args[i] = ApplyViews(bases[i], inputs[i].GetProperty("views"));
        }
        var (atol, rtol) = dt == ScalarType.Float64 ? (1e-10, 1e-10) : (1e-4, 1e-5);
        var outp = RunOp(c.GetProperty("op").GetString()!, args, c.GetProperty("kwargs"));
        AssertPacked(c.GetProperty("out"), outp, atol, rtol, $"{name} output");
        if (!c.TryGetProperty("grad_fn", out var gf)) { Assert.Null(outp.grad_fn); return; }
        Assert.Equal(gf.GetString(), outp.grad_fn!.name());
        outp.backward(Det(outp.shape, 7, outp.dtype));
        var grads = c.GetProperty("grads").EnumerateArray().ToArray();
        for (int i = 0; i < bases.Length; i++)
        {
            if (grads[i].ValueKind == JsonValueKind.Null) { Assert.Null(bases[i].grad); continue; }
            Assert.NotNull(bases[i].grad);
            AssertPacked(grads[i], bases[i].grad!, atol, rtol, $"{name} grad of input {i}");
        }
    }

    [Fact]
    public void Outer_promotes_mixed_dtypes_like_pytorch()
    {
        var c = Fixtures.Case("matmul", "outer_int64_float32");
        var a = Fixtures.T(c.GetProperty("a"));
        var b = Fixtures.T(c.GetProperty("b"), requiresGrad: true);
        var o = outer(a, b);
        Fixtures.AssertClose(c.GetProperty("out"), o, what: "outer");
        Assert.Equal(c.GetProperty("grad_fn").GetString(), o.grad_fn!.name());
        o.backward(Det(o.shape, 7, o.dtype));
        Fixtures.AssertClose(c.GetProperty("grad_b"), b.grad!, what: "grad b");
    }

    // ---------------------------------------------------------------- gradcheck (float64)

    static readonly (long[] a, long[] b)[] RankCombos =
    [
        ([3], [3]), ([4, 3], [3]), ([3], [3, 4]), ([4, 3], [3, 2]),
        ([2, 2, 3], [3]), ([3], [2, 3, 2]), ([2, 2, 3], [3, 2]), ([2, 3], [2, 3, 2]),
        ([2, 2, 3], [2, 3, 2]), ([2, 2, 3], [1, 3, 2]), ([2, 1, 2, 3], [2, 3, 2]), ([1, 2, 3], [2, 1, 3, 2]),
    ];

    public static IEnumerable<object[]> RankComboIndices() => Enumerable.Range(0, RankCombos.Length).Select(i => new object[] { i });

    [Theory]
    [MemberData(nameof(RankComboIndices))]
    public void Gradcheck_matmul_every_rank_combination(int i)
    {
        var (sa, sb) = RankCombos[i];
        GradCheck.Check(x => x[0].matmul(x[1]), [GradCheck.Input(sa, 1), GradCheck.Input(sb, 2)], what: $"matmul {string.Join("x", sa)} @ {string.Join("x", sb)}");
    }

    [Fact]
    public void Gradcheck_matmul_with_transposed_operands()
    {
        // The 3-D·2-D case with a transposed 3-D operand does not fold (bmm path); 2-D·3-D folds with a transpose.
        GradCheck.Check(x => x[0].transpose(1, 2).matmul(x[1]), [GradCheck.Input([2, 3, 2], 1), GradCheck.Input([3, 2], 2)], what: "matmul bmm path");
        GradCheck.Check(x => x[0].t().matmul(x[1].transpose(1, 2)), [GradCheck.Input([3, 2], 1), GradCheck.Input([2, 2, 3], 2)], what: "matmul 2x3 transposed");
    }

    [Fact]
    public void Gradcheck_mm_bmm_mv_dot_outer()
    {
        GradCheck.Check(x => x[0].mm(x[1]), [GradCheck.Input([3, 4], 1), GradCheck.Input([4, 2], 2)], what: "mm");
        GradCheck.Check(x => x[0].t().mm(x[1].t()), [GradCheck.Input([4, 3], 1), GradCheck.Input([2, 4], 2)], what: "mm transposed");
        GradCheck.Check(x => x[0].bmm(x[1]), [GradCheck.Input([2, 3, 2], 1), GradCheck.Input([2, 2, 3], 2)], what: "bmm");
        GradCheck.Check(x => x[0].mv(x[1]), [GradCheck.Input([3, 4], 1), GradCheck.Input([4], 2)], what: "mv");
        GradCheck.Check(x => x[0].dot(x[1]), [GradCheck.Input([5], 1), GradCheck.Input([5], 2)], what: "dot");
        GradCheck.Check(x => x[0].outer(x[1]), [GradCheck.Input([3], 1), GradCheck.Input([4], 2)], what: "outer");
    }

    [Fact]
    public void Gradcheck_addmm_and_baddbmm()
    {
        GradCheck.Check(x => addmm(x[0], x[1], x[2]), [GradCheck.Input([3, 2], 1), GradCheck.Input([3, 4], 2), GradCheck.Input([4, 2], 3)], what: "addmm");
        GradCheck.Check(x => addmm(x[0], x[1], x[2], beta: 0.5, alpha: -2.0), [GradCheck.Input([2], 1), GradCheck.Input([3, 4], 2), GradCheck.Input([4, 2], 3)], what: "addmm broadcast");
        GradCheck.Check(x => baddbmm(x[0], x[1], x[2], beta: 2.0, alpha: 0.5), [GradCheck.Input([2, 1, 3], 1), GradCheck.Input([2, 2, 4], 2), GradCheck.Input([2, 4, 3], 3)], what: "baddbmm");
    }

    [Fact]
    public void Gradcheck_sizes_that_use_the_blocked_kernel()
    {
        // 20·20·20 multiply-adds is past the direct path, so the packed micro-kernel and its edge tiles run.
        GradCheck.Check(x => x[0].mm(x[1]).sum(dim: 0), [GradCheck.Input([20, 20], 1), GradCheck.Input([20, 3], 2)], what: "mm blocked");
        GradCheck.Check(x => x[0].mm(x[1]).sum(dim: 1), [GradCheck.Input([3, 20], 1), GradCheck.Input([20, 20], 2)], what: "mm blocked wide");
    }

    // ---------------------------------------------------------------- errors

    static T Throws<T>(Func<object> f) where T : Exception => Assert.Throws<T>(() => { f(); });

    [Fact]
    public void Shape_mismatches_name_both_shapes()
    {
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)", Throws<ArgumentException>(() => mm(ones(2, 3), ones(4, 5))).Message);
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x4)", Throws<ArgumentException>(() => addmm(ones(2, 4), ones(2, 3), ones(4, 4))).Message);
        Assert.Contains("Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [2, 5]", Throws<ArgumentException>(() => bmm(ones(2, 3, 4), ones(2, 5, 6))).Message);
        Assert.Contains("Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [3, 4]", Throws<ArgumentException>(() => bmm(ones(2, 3, 4), ones(3, 4, 6))).Message);
        Assert.Contains("size mismatch, got input (2), mat (2x3), vec (4)", Throws<ArgumentException>(() => mv(ones(2, 3), ones(4))).Message);
        Assert.Contains("inconsistent tensor size, expected tensor [2] and src [3]", Throws<ArgumentException>(() => dot(ones(2), ones(3))).Message);

        var e = Throws<ArgumentException>(() => matmul(ones(5, 2, 3), ones(4, 3)));
        Assert.Contains("[5, 2, 3]", e.Message); Assert.Contains("[4, 3]", e.Message);
        e = Throws<ArgumentException>(() => matmul(ones(5, 2, 3), ones(4)));
        Assert.Contains("[5, 2, 3]", e.Message); Assert.Contains("[4]", e.Message);
        e = Throws<ArgumentException>(() => matmul(ones(5, 2, 3), ones(4, 3, 4)));
        Assert.Contains("The size of tensor a (5) must match the size of tensor b (4) at non-singleton dimension 0", e.Message);
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied (1x3 and 4x5)", Throws<ArgumentException>(() => matmul(ones(3), ones(4, 5))).Message);
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)", Throws<ArgumentException>(() => matmul(ones(2, 3), ones(4, 5))).Message);
        Assert.Contains("cannot be broadcast", Throws<ArgumentException>(() => addmm(ones(3, 4), ones(2, 3), ones(3, 4))).Message);
        // As in PyTorch, a shape mismatch is reported before a dtype mismatch.
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)", Throws<ArgumentException>(() => mm(ones(2, 3), ones(4, 5).@double())).Message);
        Assert.Contains("size mismatch, got input (2), mat (2x3), vec (4)", Throws<ArgumentException>(() => mv(ones(2, 3), ones(4).@double())).Message);
    }

    [Fact]
    public void Ranks_are_checked()
    {
        Assert.Contains("both arguments to matmul need to be at least 1D, but they are 0D and 1D", Throws<ArgumentException>(() => matmul(tensor(1.0), ones(3))).Message);
        Assert.Contains("both arguments to matmul need to be at least 1D, but they are 1D and 0D", Throws<ArgumentException>(() => matmul(ones(3), tensor(1.0))).Message);
        Assert.Contains("self must be a matrix", Throws<ArgumentException>(() => mm(ones(3), ones(3, 5))).Message);
        Assert.Contains("mat2 must be a matrix", Throws<ArgumentException>(() => mm(ones(2, 3), ones(3))).Message);
        Assert.Contains("batch1 must be a 3D tensor", Throws<ArgumentException>(() => bmm(ones(3, 4), ones(3, 4, 6))).Message);
        Assert.Contains("vector + matrix @ vector expected, got 1, 2, 2", Throws<ArgumentException>(() => mv(ones(2, 3), ones(3, 1))).Message);
        Assert.Contains("1D tensors expected, but got 2D and 1D tensors", Throws<ArgumentException>(() => dot(ones(2, 1), ones(2))).Message);
        Assert.Contains("outer: Expected 1-D argument vec2, but got 2-D", Throws<ArgumentException>(() => outer(ones(2), ones(2, 1))).Message);
        Assert.Contains("outer: Expected 1-D argument self, but got 0-D", Throws<ArgumentException>(() => outer(tensor(1.0), ones(2))).Message);
    }

    [Fact]
    public void Operands_must_share_a_dtype()
    {
        Assert.Contains("expected scalar type Float but found Double", Throws<ArgumentException>(() => mm(ones(2, 3), ones(3, 5).@double())).Message);
        Assert.Contains("expected scalar type Double but found Float", Throws<ArgumentException>(() => mm(ones(2, 3).@double(), ones(3, 5))).Message);
        Assert.Contains("expected scalar type Float but found Double", Throws<ArgumentException>(() => matmul(ones(2, 3), ones(3).@double())).Message);
        Assert.Contains("expected scalar type Float but found Double", Throws<ArgumentException>(() => matmul(ones(5, 2, 3), ones(5, 3, 4).@double())).Message);
        Assert.Contains("expected scalar type Long but found Int", Throws<ArgumentException>(() => matmul(ones(2, 3).@long(), ones(3, 2).@int())).Message);
        Assert.Contains("dot : expected both vectors to have same dtype, but found Float and Double", Throws<ArgumentException>(() => dot(ones(2), ones(2).@double())).Message);
        Assert.Contains("self and mat2 must have the same dtype", Throws<ArgumentException>(() => addmm(ones(2, 4).@double(), ones(2, 3), ones(3, 4))).Message);
        Assert.Contains("not implemented for 'Bool'", Throws<ArgumentException>(() => mm(ones(2, 3).@bool(), ones(3, 2).@bool())).Message);
        Assert.Contains("not implemented for 'Bool'", Throws<ArgumentException>(() => dot(ones(2).@bool(), ones(2).@bool())).Message);
    }

    [Fact]
    public void Saved_operand_changed_in_place_is_rejected_at_backward()
    {
        var a = ones(3, 4);
        var b = ones([4, 2], requires_grad: true);
        var c = a.mm(b);
        a.add_(1);
        var e = Assert.Throws<InvalidOperationException>(() => c.sum().backward());
        Assert.Contains("modified by an inplace operation", e.Message);
    }

    // ---------------------------------------------------------------- semantics

    [Fact]
    public void Addmm_with_beta_zero_ignores_nan_input()
    {
        var input = full([2, 2], double.NaN);
        var r = addmm(input, ones(2, 3), ones(3, 2), beta: 0);
        Assert.Equal(new float[] { 3, 3, 3, 3 }, r.ToArray<float>());
    }

    [Fact]
    public void Empty_products_give_zeros_or_empty_results()
    {
        // Sizes as arrays: a literal 0 argument would convert to the dtype enum.
        Assert.Equal(new float[6], mm(ones([2L, 0]), ones([0L, 3])).ToArray<float>());
        Assert.Equal(new long[] { 0, 2 }, mm(ones([0L, 3]), ones(3, 2)).shape);
        Assert.Equal(new long[] { 3, 2, 3 }, matmul(ones([3L, 2, 0]), ones([0L, 3])).shape);
        Assert.Equal(0f, dot(ones(0), ones(0)).item<float>());
    }

    [Fact]
    public void Results_are_identical_with_one_and_two_threads()
    {
        int saved = get_num_threads();
        try
        {
            // Blocked (split over N and over M), batched, and both matrix-vector layouts, all past the parallel threshold.
            (long[] a, long[] b, bool transposeA)[] cases =
            [
                ([300, 257], [257, 301], false), ([300, 257], [257, 301], true), ([1000, 40], [40, 70], false),
                ([40, 530], [530, 1000], true), ([6, 65, 70], [6, 70, 66], false), ([2000, 1100], [1100], false), ([2000, 1100], [1100], true),
            ];
            foreach (var dt in new[] { ScalarType.Float32, ScalarType.Float64 })
                foreach (var (sa, sb, ta) in cases)
                {
                    var a = Det(sa, 1, dt); var b = Det(sb, 2, dt);
                    // A column-major copy of a, so that the packing reads a transposed layout.
                    if (ta) a = a.transpose(-1, -2).contiguous().transpose(-1, -2);
                    set_num_threads(1);
                    var one = a.matmul(b).to(ScalarType.Float64).ToArray<double>();
                    set_num_threads(2);
                    var two = a.matmul(b).to(ScalarType.Float64).ToArray<double>();
                    Assert.True(one.SequenceEqual(two), $"{dt} {string.Join("x", sa)}{(ta ? " (column-major)" : "")} @ {string.Join("x", sb)} differs between 1 and 2 threads");
                }
        }
        finally { set_num_threads(saved); }
    }

    [Fact]
    public void Grad_fn_names_match_pytorch_for_the_folded_paths()
    {
        var x = ones([2, 3], requires_grad: true);
        var y = ones([5, 3, 4], requires_grad: true);
        var r = x.matmul(y);
        Assert.Equal("CloneBackward0", r.grad_fn!.name());
        Assert.Equal("TransposeBackward0", r.grad_fn.next_functions[0]!.name());
        Assert.Equal("UnsafeViewBackward0", r.grad_fn.next_functions[0]!.next_functions[0]!.name());
        Assert.Equal("MmBackward0", r.grad_fn.next_functions[0]!.next_functions[0]!.next_functions[0]!.name());
        Assert.Equal("SqueezeBackward3", ones([3], requires_grad: true).matmul(y.select(0, 0)).grad_fn!.name());
        Assert.Equal("AddmmBackward0", addmm(ones([4], requires_grad: true), x, ones(3, 4)).grad_fn!.name());
        Assert.Null(ones(2, 3).mm(ones(3, 2)).grad_fn);
        // Batched operands that need no broadcasting stay leaves.
        var p = ones([2, 2, 3], requires_grad: true);
        var q = ones([2, 3, 2], requires_grad: true);
        Assert.Equal("UnsafeViewBackward0", p.matmul(q).grad_fn!.name());
        Assert.True(p.is_leaf && q.is_leaf);
        using (no_grad()) Assert.Null(x.mm(ones(3, 2)).grad_fn);
    }
}
