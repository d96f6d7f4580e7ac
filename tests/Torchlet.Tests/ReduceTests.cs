using System.Text.Json;
using Torchlet;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests;

/// <summary>
/// Reductions against PyTorch (fixtures/reduce.json from gen_reduce.py): values, dtypes, grad_fn
/// names and input gradients; float64 gradchecks; error messages; and the layout paths of the
/// kernels (leading dims, NCHW, long rows, threads) against a naive double-precision reference.
/// </summary>
public class ReduceTests
{
    public static IEnumerable<object[]> Cases => Fixtures.Names("reduce");

    // ---------------------------------------------------------------- PyTorch fixtures

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch(string name)
    {
        var c = Fixtures.Case("reduce", name);
        var xj = c.GetProperty("x");
        if (xj.TryGetProperty("ref", out var r)) xj = Fixtures.Case("reduce", r.GetString()!).GetProperty("x");
        bool hasGrad = c.TryGetProperty("grad", out var gradJ);
        var bas = Fixtures.T(xj, requiresGrad: hasGrad);
        var x = ApplyView(bas, c.GetProperty("view"));
        var outs = Run(c.GetProperty("op").GetString()!, x, c.GetProperty("args"));

        var expected = c.GetProperty("out").EnumerateArray().ToArray();
        Assert.Equal(expected.Length, outs.Length);
        for (int i = 0; i < outs.Length; i++)
        {
            var (atol, rtol) = Tolerance(outs[i].dtype);
            Fixtures.AssertClose(expected[i], outs[i], atol, rtol, $"{name} output {i}");
        }

        var gradFn = c.GetProperty("grad_fn");
        if (gradFn.ValueKind == JsonValueKind.String) Assert.Equal(gradFn.GetString(), outs[0].grad_fn?.name());
        else Assert.Null(outs[0].grad_fn);

        if (!hasGrad) return;
        outs[0].backward(Fixtures.T(c.GetProperty("g")));
        if (gradJ.ValueKind == JsonValueKind.Null) { Assert.Null(bas.grad); return; }
        Assert.NotNull(bas.grad);
        var (ga, gr) = Tolerance(bas.dtype);
        Fixtures.AssertClose(gradJ, bas.grad!, ga * 10, gr * 10, $"{name} grad");
    }

    static (double atol, double rtol) Tolerance(ScalarType t) => t switch
    {
        ScalarType.Float32 => (2e-6, 2e-5),
        ScalarType.Float64 => (1e-12, 1e-10),
        _ => (0, 0),
    };

    static Tensor ApplyView(Tensor x, JsonElement view)
    {
        if (view.ValueKind == JsonValueKind.Null) return x;
        if (view.TryGetProperty("permute", out var p)) return x.permute(p.EnumerateArray().Select(e => e.GetInt64()).ToArray());
        var st = view.GetProperty("step").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        return x.Slice(st[0], 0, (int)x.shape[st[0]], st[1]);
    }

    static Tensor[] Run(string op, Tensor x, JsonElement a)
    {
        long? dim = null; long[]? dims = null;
        if (a.TryGetProperty("dim", out var d))
        {
            if (d.ValueKind == JsonValueKind.Number) dim = d.GetInt64();
            else if (d.ValueKind == JsonValueKind.Array) dims = d.EnumerateArray().Select(e => e.GetInt64()).ToArray();
        }
        bool keep = a.TryGetProperty("keepdim", out var k) && k.GetBoolean();
        ScalarType? dtype = a.TryGetProperty("dtype", out var dt) ? Fixtures.DType(dt.GetString()!) : null;
        bool? unbiased = a.TryGetProperty("unbiased", out var u) ? u.GetBoolean() : null;
        long? correction = a.TryGetProperty("correction", out var co) ? co.GetInt64() : null;
        double p = 2; string? pName = null;
        if (a.TryGetProperty("p", out var pj))
        {
            if (pj.ValueKind == JsonValueKind.Number) p = pj.GetDouble();
            else if (pj.GetString() is "inf") p = double.PositiveInfinity;
            else if (pj.GetString() is "-inf") p = double.NegativeInfinity;
            else pName = pj.GetString();
        }
        bool none = dim is null && dims is null;
        long one = dim ?? 0;

        switch (op)
        {
            case "sum": return [none ? x.sum(dtype) : dims is null ? x.sum(one, keep, dtype) : x.sum(dims, keep, dtype)];
            case "mean": return [none ? x.mean(dtype) : dims is null ? x.mean(one, keep, dtype) : x.mean(dims, keep, dtype)];
            case "var": return [none ? x.var(unbiased ?? true) : dims is null ? x.var(one, unbiased, keep, correction) : x.var(dims, unbiased, keep, correction)];
            case "std": return [none ? x.std(unbiased ?? true) : dims is null ? x.std(one, unbiased, keep, correction) : x.std(dims, unbiased, keep, correction)];
            case "var_mean":
            {
                var (v, m) = none ? x.var_mean(unbiased ?? true) : dims is null ? x.var_mean(one, unbiased, keep, correction) : x.var_mean(dims, unbiased, keep, correction);
                return [v, m];
            }
            case "std_mean":
            {
                var (s, m) = none ? torch.std_mean(x, unbiased ?? true) : dims is null ? torch.std_mean(x, one, unbiased, keep, correction) : torch.std_mean(x, dims, unbiased, keep, correction);
                return [s, m];
            }
            case "max" or "min":
            {
                bool isMax = op == "max";
                if (none) return [isMax ? x.max() : torch.min(x)];
                var (values, indices) = isMax ? x.max(one, keep) : torch.min(x, one, keep);
                return [values, indices];
            }
            case "amax": return [none ? x.amax() : dims is null ? x.amax(one, keep) : x.amax(dims, keep)];
            case "amin": return [none ? torch.amin(x) : dims is null ? torch.amin(x, one, keep) : torch.amin(x, dims, keep)];
            case "argmax": return [x.argmax(dim, keep)];
            case "argmin": return [torch.argmin(x, dim, keep)];
            case "prod": return [none ? x.prod(dtype) : x.prod(one, keep, dtype)];
            case "norm":
                if (pName is not null) return [x.norm(pName, dims ?? (dim is { } dd ? [dd] : null), keep)];
                return [none ? x.norm(p) : dims is null ? x.norm(one, keep, p) : torch.norm(x, dims, keep, p)];
            case "vector_norm": return [torch.linalg.vector_norm(x, p, dims ?? (dim is { } vd ? [vd] : null), keep)];
            case "logsumexp": return [dims is null ? x.logsumexp(one, keep) : torch.logsumexp(x, dims, keep)];
            case "cumsum": return [x.cumsum(one, dtype)];
            case "cumprod": return [torch.cumprod(x, one, dtype)];
            case "all": return [none ? x.all() : x.all(one, keep)];
            case "any": return [none ? torch.any(x) : torch.any(x, one, keep)];
            case "count_nonzero": return [none ? x.count_nonzero() : dims is null ? x.count_nonzero(one) : torch.count_nonzero(x, dims)];
        }
        throw new ArgumentException($"unknown op {op}");
    }

    // ---------------------------------------------------------------- float64 gradchecks

    static readonly Dictionary<string, (Func<Tensor, Tensor> f, long[] shape, double lo, double hi)> s_grad = new()
    {
        ["sum_all"] = (x => x.sum(), [3, 4], -1, 1),
        ["sum_dims_keep"] = (x => x.sum([0, 2], keepdim: true), [2, 3, 4], -1, 1),
        ["sum_dtype"] = (x => x.sum(1, dtype: ScalarType.Float64), [3, 4], -1, 1),
        ["mean_dim"] = (x => x.mean(1), [3, 4], -1, 1),
        ["mean_nchw"] = (x => x.mean([0, 2, 3]), [2, 3, 2, 2], -1, 1),
        ["mean_transposed"] = (x => x.t().mean(0), [3, 4], -1, 1),
        ["var_all"] = (x => x.var(), [3, 4], -1, 1),
        ["var_dim_keep"] = (x => x.var(1, keepdim: true), [3, 4], -1, 1),
        ["var_dims_correction0"] = (x => x.var([0, 2], correction: 0), [2, 3, 4], -1, 1),
        ["var_biased"] = (x => x.var(false), [5], -1, 1),
        ["std_all"] = (x => x.std(), [3, 4], -1, 1),
        ["std_dim"] = (x => x.std(0, unbiased: false), [3, 4], -1, 1),
        ["std_permuted"] = (x => x.permute(2, 0, 1).std([1, 2]), [2, 3, 4], -1, 1),
        ["var_mean"] = (x => { var (v, m) = x.var_mean(1); return v.add(m.mul(3)); }, [3, 4], -1, 1),
        ["std_mean"] = (x => { var (s, m) = x.std_mean([0, 1], keepdim: true); return s.mul(m); }, [3, 4, 2], -1, 1),
        ["max_all"] = (x => x.max(), [3, 4], -1, 1),
        ["min_all"] = (x => x.min(), [3, 4], -1, 1),
        ["max_dim"] = (x => x.max(1).values, [3, 4], -1, 1),
        ["min_dim_keep"] = (x => x.min(0, keepdim: true).values, [3, 4, 2], -1, 1),
        ["max_dim_permuted"] = (x => x.permute(1, 0).max(0).values, [3, 4], -1, 1),
        ["amax_dims"] = (x => x.amax([0, 2]), [2, 3, 4], -1, 1),
        ["amin_dim_keep"] = (x => x.amin(1, keepdim: true), [3, 4], -1, 1),
        ["prod_all"] = (x => x.prod(), [2, 3], 0.5, 1.5),
        ["prod_dim"] = (x => x.prod(1), [3, 4], -1.5, 1.5),
        ["prod_dim_keep"] = (x => x.prod(0, keepdim: true), [3, 2, 2], 0.5, 1.5),
        ["norm_2_all"] = (x => x.norm(), [3, 4], -1, 1),
        ["norm_2_dim"] = (x => x.norm(1), [3, 4], -1, 1),
        ["norm_1_dims"] = (x => x.norm([0, 2], keepdim: true, p: 1), [2, 3, 4], -1, 1),
        ["norm_inf"] = (x => x.norm(1, p: double.PositiveInfinity), [3, 4], -1, 1),
        ["norm_ninf"] = (x => x.norm(double.NegativeInfinity), [3, 4], -1, 1),
        ["norm_3"] = (x => x.norm(0, p: 3), [3, 4], -1, 1),
        ["norm_1p5"] = (x => x.norm(1.5), [3, 4], -1, 1),
        ["norm_0p5"] = (x => x.norm(1, p: 0.5), [3, 4], 0.2, 1),
        ["norm_neg1"] = (x => x.norm(-1.0), [3, 4], 0.2, 1),
        ["norm_fro_2dims"] = (x => x.norm("fro", [0, 2]), [2, 3, 4], -1, 1),
        ["vector_norm_3"] = (x => torch.linalg.vector_norm(x, 3, [1]), [3, 4], -1, 1),
        ["logsumexp_dim"] = (x => x.logsumexp(1), [3, 4], -3, 3),
        ["logsumexp_dims_keep"] = (x => x.logsumexp([0, 2], keepdim: true), [2, 3, 4], -3, 3),
        ["cumsum_dim0"] = (x => x.cumsum(0), [3, 4], -1, 1),
        ["cumsum_dim_last_permuted"] = (x => x.permute(1, 0).cumsum(-1), [3, 4], -1, 1),
        ["cumprod_dim1"] = (x => x.cumprod(1), [3, 4], 0.5, 1.5),
        ["cumprod_dim0"] = (x => x.cumprod(0), [4, 3], -1.5, 1.5),
    };

    public static IEnumerable<object[]> GradNames => s_grad.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(GradNames))]
    public void Gradcheck_float64(string name)
    {
        var (f, shape, lo, hi) = s_grad[name];
        var x = GradCheck.Input(shape, name.GetHashCode() & 0xffff, lo, hi);
        GradCheck.Check(ts => f(ts[0]), [x], what: name);
    }

    /// <summary>prod and cumprod stay exact with one or two zeros in a slice (PyTorch's prod_backward cases).</summary>
    [Theory]
    [InlineData(new[] { 1 }, "prod_all")]
    [InlineData(new[] { 1, 4 }, "prod_all")]
    [InlineData(new[] { 2 }, "prod_dim")]
    [InlineData(new[] { 0, 1, 6 }, "prod_dim")]
    [InlineData(new[] { 5 }, "cumprod_dim1")]
    [InlineData(new[] { 1, 3 }, "cumprod_dim1")]
    [InlineData(new[] { 4, 7 }, "cumprod_dim0")]
    public void Gradcheck_with_zeros(int[] zeros, string name)
    {
        var (f, shape, lo, hi) = s_grad[name];
        var x = GradCheck.Input(shape, 7, lo, hi);
        foreach (var z in zeros) x.Buffer<double>()[z] = 0;
        GradCheck.Check(ts => f(ts[0]), [x], what: name + " with zeros");
    }

    [Fact]
    public void Norm_2_gradient_at_zero_is_zero()
    {
        var x = zeros(new long[] { 2, 3 }, requires_grad: true);
        x.norm().backward();
        Assert.All(x.grad!.ToArray<float>(), v => Assert.Equal(0f, v));
        var y = tensor(new[,] { { 0.0, 0.0 }, { 3.0, 4.0 } }, requires_grad: true);
        y.norm(1).sum().backward();
        Assert.Equal(new[] { 0f, 0f, 0.6f, 0.8f }, y.grad!.ToArray<float>());
    }

    [Fact]
    public void Saved_inputs_and_results_reject_in_place_changes()
    {
        var x = tensor(new[] { 1.0, 3.0, 2.0 }, requires_grad: true);
        var v = x.mul(1).var();
        var y = x.mul(1);
        var s = y.std();
        y.add_(1);
        Assert.Contains("modified by an inplace operation", Assert.Throws<InvalidOperationException>(() => s.backward()).Message);
        var m = x.amax();
        m.add_(1);
        Assert.Contains("modified by an inplace operation", Assert.Throws<InvalidOperationException>(() => m.backward()).Message);
        v.backward();
        Assert.Equal(new[] { -1f, 1f, 0f }, x.grad!.ToArray<float>());
    }

    [Fact]
    public void Sum_of_non_contiguous_grad_flows_back_to_the_base()
    {
        var b = tensor(new[,] { { 1.0, 2.0, 3.0 }, { 4.0, 5.0, 6.0 } }, requires_grad: true);
        var r = b.t().sum(0);                 // row sums of b, read through a transposed view
        Assert.Equal(new[] { 6f, 15f }, r.ToArray<float>());
        r.backward(tensor(new[] { 1.0, 10.0 }));
        Assert.Equal(new[] { 1f, 1f, 1f, 10f, 10f, 10f }, b.grad!.ToArray<float>());
        Assert.Equal("SumBackward1", r.grad_fn!.name());
    }

    // ---------------------------------------------------------------- dtypes and API shape

    [Fact]
    public void Result_dtypes_follow_pytorch()
    {
        var i = tensor(new long[] { 0, 1, 2, 3, 4, 5 }).reshape(2, 3);
        Assert.Equal(ScalarType.Int64, i.sum().dtype);
        Assert.Equal(ScalarType.Int64, i.@int().sum(0).dtype);
        Assert.Equal(ScalarType.Int64, i.@byte().prod().dtype);
        Assert.Equal(ScalarType.Int64, i.gt(2).sum().dtype);
        Assert.Equal(3L, i.gt(2).sum().item<long>());
        Assert.Equal(ScalarType.Float64, i.mean(ScalarType.Float64).dtype);
        Assert.Equal(2.5, i.mean(ScalarType.Float64).item<double>());
        Assert.Equal(ScalarType.Int64, i.argmax().dtype);
        Assert.Equal(ScalarType.Int64, i.max(1).indices.dtype);
        Assert.Equal(ScalarType.Bool, i.all().dtype);
        Assert.Equal(ScalarType.Byte, i.@byte().any(0).dtype);
        Assert.Equal(ScalarType.Int64, i.count_nonzero().dtype);
        Assert.Equal(ScalarType.Float32, i.logsumexp(0).dtype);
        Assert.Equal(ScalarType.Int64, i.gt(2).cumsum(1).dtype);
    }

    [Fact]
    public void Tuples_have_pytorch_names_and_functional_forms_match_methods()
    {
        var x = tensor(new[,] { { 1.0, 5.0, 5.0 }, { 7.0, 2.0, 7.0 } });
        var m = x.max(1);
        Assert.Equal(new[] { 5f, 7f }, m.values.ToArray<float>());
        Assert.Equal(new[] { 1L, 0L }, m.indices.ToArray<long>());
        var (values, indices) = torch.max(x, 0, keepdim: true);
        Assert.Equal(new long[] { 1, 3 }, values.shape);
        Assert.Equal(new[] { 1L, 0L, 1L }, indices.ToArray<long>());
        var vm = torch.var_mean(x, 1);
        Assert.True(vm.var.allclose_ref(x.var(1)) && vm.mean.allclose_ref(x.mean(1)));
        var sm = x.std_mean(correction: 0);
        Assert.True(sm.std.allclose_ref(x.std(false)) && sm.mean.allclose_ref(x.mean()));
        Assert.True(torch.max(x, x.mul(0).add(4)).allclose_ref(x.maximum(full([2L, 3L], 4.0))));
        Assert.True(x.min(x.mul(0).add(4)).allclose_ref(x.minimum(full([2L, 3L], 4.0))));
        Assert.True(torch.sum(x, new long[] { 0 }, dtype: ScalarType.Float64).allclose_ref(x.sum(0).to(ScalarType.Float64)));
        Assert.True(torch.mean(x, ScalarType.Float64).allclose_ref(x.mean().to(ScalarType.Float64)));
        Assert.True(torch.norm(x, "fro").allclose_ref(x.norm()));
        Assert.True(torch.var(x, false).allclose_ref(x.var(correction: 0)));
        Assert.True(torch.std(x, 0, correction: 0).allclose_ref(x.std(0, unbiased: false)));
        Assert.Equal(3L, torch.argmax(x).item<long>());
        Assert.True(torch.prod(x, 1).allclose_ref(tensor(new[] { 25.0, 98.0 })));
        Assert.True(torch.cumsum(x, 1).select(0, 1).allclose_ref(tensor(new[] { 7.0, 9.0, 16.0 })));
        Assert.True(torch.all(x.gt(0)).item<bool>() && !torch.all(x.gt(1), 1).select(0, 0).item<bool>());
    }

    [Fact]
    public void Named_arguments_read_like_pytorch()
    {
        var x = tensor(new[,] { { 1.0, -2.0, 3.0 }, { 4.0, 5.0, -6.0 } });
        Assert.Equal(new long[] { 2, 1 }, x.sum(dim: 1, keepdim: true).shape);
        Assert.Equal(new long[] { 1, 3 }, x.mean(dim: new long[] { 0 }, keepdim: true).shape);
        Assert.Equal(new long[] { 3 }, x.std(dim: 0, unbiased: false).shape);
        Assert.Equal(new long[] { 2 }, x.max(dim: 1).values.shape);
        Assert.Equal(new long[] { 2 }, x.argmax(dim: 1).shape);
        Assert.Equal(new long[] { 3 }, x.norm(dim: 0, p: 1).shape);
        Assert.Equal(new long[] { 2, 1 }, x.logsumexp(dim: -1, keepdim: true).shape);
        Assert.Equal(new long[] { 3 }, x.prod(dim: 0).shape);
        Assert.Equal(new long[] { 2, 3 }, x.cumsum(dim: 1).shape);
        Assert.Equal(new long[] { 3 }, x.all(dim: 0).shape);
        // The literal 0 is a dim, not the uint8 dtype (0 converts to any enum in C#).
        Assert.Equal(new[] { 5f, 3f, -3f }, x.sum(0).ToArray<float>());
        Assert.Equal(new[] { 2.5f, 1.5f, -1.5f }, x.mean(0).ToArray<float>());
        Assert.Equal(new[] { 4f, -10f, -18f }, x.prod(0).ToArray<float>());
        Assert.Equal(new[] { 5f, 3f, -3f }, torch.sum(x, 0).ToArray<float>());
    }

    [Fact]
    public void Zero_dim_inputs_reduce_over_dim_0()
    {
        var s = tensor(4.0);
        Assert.Equal(Array.Empty<long>(), s.sum(0).shape);
        Assert.Equal(Array.Empty<long>(), s.sum(-1, keepdim: true).shape);
        var (v, i) = s.max(0);
        Assert.Equal(4f, v.item<float>());
        Assert.Equal(0L, i.item<long>());
        Assert.Equal(4f, s.cumsum(0).item<float>());
        Assert.True(float.IsNaN(s.var().item<float>()));
    }

    // ---------------------------------------------------------------- errors

    [Fact]
    public void Bad_dims_are_reported_like_pytorch()
    {
        var x = zeros(2, 3);
        var e = Assert.Throws<IndexOutOfRangeException>(() => x.sum(2));
        Assert.Contains("Dimension out of range (expected to be in range of [-2, 1], but got 2)", e.Message);
        Assert.Contains("Dimension out of range (expected to be in range of [-2, 1], but got -3)", Assert.Throws<IndexOutOfRangeException>(() => x.amax(new long[] { -3 })).Message);
        Assert.Contains("Dimension out of range (expected to be in range of [-2, 1], but got 5)", Assert.Throws<IndexOutOfRangeException>(() => x.cumsum(5)).Message);
        Assert.Contains("Dimension out of range (expected to be in range of [-1, 0], but got 1)", Assert.Throws<IndexOutOfRangeException>(() => tensor(5.0).sum(1)).Message);
        Assert.Contains("dim 0 appears multiple times in the list of dims", Assert.Throws<ArgumentException>(() => x.sum(new long[] { 0, -2 })).Message);
        Assert.Contains("dim 1 appears multiple times in the list of dims", Assert.Throws<ArgumentException>(() => x.count_nonzero(new long[] { 1, 1 })).Message);
    }

    [Fact]
    public void Empty_max_and_argmax_are_rejected_like_pytorch()
    {
        var e = Assert.Throws<ArgumentException>(() => zeros(0).max());
        Assert.Equal("max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.", e.Message);
        Assert.StartsWith("min(): Expected reduction dim to be specified", Assert.Throws<ArgumentException>(() => zeros(0, 2).min()).Message);
        Assert.StartsWith("amax(): Expected reduction dim to be specified", Assert.Throws<ArgumentException>(() => zeros(0).amax()).Message);
        Assert.Equal("argmax(): Expected reduction dim to be specified for input.numel() == 0.", Assert.Throws<IndexOutOfRangeException>(() => zeros(0).argmax()).Message);
        Assert.Equal("max(): Expected reduction dim 0 to have non-zero size.", Assert.Throws<IndexOutOfRangeException>(() => zeros(0, 3).max(0)).Message);
        Assert.Equal("argmin(): Expected reduction dim 0 to have non-zero size.", Assert.Throws<IndexOutOfRangeException>(() => zeros(0, 3).argmin(0)).Message);
        Assert.Equal("amin(): Expected reduction dim 0 to have non-zero size.", Assert.Throws<IndexOutOfRangeException>(() => zeros(0, 3).amin(0)).Message);
        Assert.Equal(new long[] { 0 }, zeros(0, 3).max(1).values.shape);
    }

    [Fact]
    public void Dtype_errors_match_pytorch()
    {
        var i = tensor(new long[] { 0, 1, 2, 3, 4, 5 }).reshape(2, 3);
        Assert.Equal("mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long",
            Assert.Throws<ArgumentException>(() => i.mean()).Message);
        Assert.Contains("Got: Bool", Assert.Throws<ArgumentException>(() => i.gt(1).mean(0)).Message);
        Assert.Contains("std and var only support floating point and complex dtypes", Assert.Throws<ArgumentException>(() => i.var()).Message);
        Assert.Contains("std and var only support floating point and complex dtypes", Assert.Throws<ArgumentException>(() => i.std(0)).Message);
        Assert.Equal("norm(): input dtype should be either floating point or complex. Got Long instead.", Assert.Throws<ArgumentException>(() => i.norm()).Message);
        Assert.Contains("Got Long instead", Assert.Throws<ArgumentException>(() => i.norm("fro", new long[] { 0, 1 })).Message);
        Assert.Equal("linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long", Assert.Throws<ArgumentException>(() => torch.linalg.vector_norm(i)).Message);
        Assert.Equal("\"argmax_cpu\" not implemented for 'Bool'", Assert.Throws<ArgumentException>(() => i.gt(1).argmax()).Message);
    }

    [Fact]
    public void Argument_errors_say_what_was_expected()
    {
        var x = zeros(2, 3, 4);
        Assert.Equal("only valid string values are 'fro' and 'nuc', found abc", Assert.Throws<ArgumentException>(() => x.norm("abc")).Message);
        Assert.Equal("Expected at most 2 dimensions, but got 3 dimensions instead.", Assert.Throws<ArgumentException>(() => x.norm("fro", new long[] { 0, 1, 2 })).Message);
        Assert.Equal("Expected dims to be different, got [0, -3] instead", Assert.Throws<ArgumentException>(() => x.norm("fro", new long[] { 0, -3 })).Message);
        Assert.Contains("nuclear norm", Assert.Throws<ArgumentException>(() => x.norm("nuc")).Message);
        var e = Assert.Throws<ArgumentException>(() => x.var(0, unbiased: true, correction: 0));
        Assert.Contains("either unbiased (True) or correction (0), not both", e.Message);
    }

    // ---------------------------------------------------------------- kernel layouts vs a naive reference

    /// <summary>Reduces with a plain loop in double: the reference for the kernel paths.</summary>
    static double[] Naive(double[] data, long[] shape, int[] dims, Func<IEnumerable<double>, double> f)
    {
        int nd = shape.Length;
        var outShape = Enumerable.Range(0, nd).Where(i => !dims.Contains(i)).Select(i => shape[i]).ToArray();
        int nOut = (int)outShape.Aggregate(1L, (a, b) => a * b);
        var groups = Enumerable.Range(0, nOut).Select(_ => new List<double>()).ToArray();
        var idx = new long[nd];
        for (int flat = 0; flat < data.Length; flat++)
        {
            long rem = flat;
            for (int dd = nd - 1; dd >= 0; dd--) { idx[dd] = rem % shape[dd]; rem /= shape[dd]; }
            long o = 0;
            for (int dd = 0; dd < nd; dd++) if (!dims.Contains(dd)) o = o * shape[dd] + idx[dd];
            groups[o].Add(data[flat]);
        }
        return groups.Select(f).ToArray();
    }

    static double[] RandomData(int n, int seed, double scale = 1, double shift = 0)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => shift + scale * (rng.NextDouble() * 2 - 1)).ToArray();
    }

    public static IEnumerable<object[]> Layouts => new[]
    {
        new object[] { new long[] { 3, 70_000 }, new[] { 1 } },        // long rows: segmented
        new object[] { new long[] { 100_000, 3 }, new[] { 0 } },       // narrow leading reduction: chunks along A
        new object[] { new long[] { 300, 5_000 }, new[] { 0 } },       // wide leading reduction: column blocks, cascade
        new object[] { new long[] { 16, 8, 32, 32 }, new[] { 0, 2, 3 } }, // BatchNorm statistics
        new object[] { new long[] { 2, 40_000, 3 }, new[] { 0, 2 } },  // not prefix/suffix: moved-last copy
        new object[] { new long[] { 70, 2, 600 }, new[] { 0, 2 } },    // mixed R K R, split along A
        new object[] { new long[] { 999, 40 }, new[] { 0 } },          // pairwise row blocks: odd halves, a lone last row
        new object[] { new long[] { 7, 5 }, new[] { 0 } },
        new object[] { new long[] { 5, 7 }, new[] { 0, 1 } },
        new object[] { new long[] { 1, 9, 1 }, new[] { 0, 2 } },       // only size-1 dims reduced
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Kernel_layouts_match_naive_reference(long[] shape, int[] dims)
    {
        int n = (int)shape.Aggregate(1L, (a, b) => a * b);
        var data = RandomData(n, n, 2, 0.5);
        var x = tensor(data, shape, dtype: ScalarType.Float64);
        var ld = dims.Select(d => (long)d).ToArray();
        void Check(Tensor got, double[] want, string what, double rtol = 1e-11, double atol = 1e-11)
        {
            var g = got.ToArray<double>();
            Assert.Equal(want.Length, g.Length);
            for (int i = 0; i < g.Length; i++)
                Assert.True(Math.Abs(g[i] - want[i]) <= atol + rtol * Math.Abs(want[i]) || double.IsNaN(g[i]) && double.IsNaN(want[i]), $"{what}[{i}]: {g[i]} vs {want[i]}");
        }
        Check(x.sum(ld), Naive(data, shape, dims, v => v.Sum()), "sum");
        Check(x.mean(ld), Naive(data, shape, dims, v => v.Average()), "mean");
        Check(x.amax(ld), Naive(data, shape, dims, v => v.Max()), "amax");
        Check(x.amin(ld), Naive(data, shape, dims, v => v.Min()), "amin");
        Check(x.var(ld), Naive(data, shape, dims, v => { var a = v.ToArray(); double m = a.Average(); return a.Sum(t => (t - m) * (t - m)) / (a.Length - 1); }), "var", 1e-9);
        Check(x.norm(ld), Naive(data, shape, dims, v => Math.Sqrt(v.Sum(t => t * t))), "norm", 1e-10);
        Check(x.logsumexp(ld), Naive(data, shape, dims, v => { var a = v.ToArray(); double m = a.Max(); return m + Math.Log(a.Sum(t => Math.Exp(t - m))); }), "logsumexp", 1e-10);
        var sx = tensor(data.Select(v => 1 + v * 1e-3).ToArray(), shape, dtype: ScalarType.Float64);
        Check(sx.prod(ld.Length == 1 ? ld[0] : 0).reshape(-1), Naive(sx.ToArray<double>(), shape, [ld.Length == 1 ? dims[0] : 0], v => v.Aggregate(1.0, (a, b) => a * b)), "prod", 1e-10);
        // float32 and int64 go through the same plans.
        var xf = x.@float();
        Check(xf.sum(ld).@double(), Naive(xf.ToArray<double>(), shape, dims, v => v.Sum()), "sum f32", 1e-5, 1e-5);
        var xi = x.mul(1000).@long();
        Check(xi.sum(ld).@double(), Naive(xi.ToArray<double>(), shape, dims, v => v.Sum()), "sum i64", 0);
        Check(xi.amax(ld).@double(), Naive(xi.ToArray<double>(), shape, dims, v => v.Max()), "amax i64", 0);
    }

    [Theory]
    [InlineData(new long[] { 50_000 }, 0)]
    [InlineData(new long[] { 1_000, 300 }, 0)]
    [InlineData(new long[] { 3, 2_500, 2 }, 1)]
    [InlineData(new long[] { 300, 1_000 }, 1)]
    public void Arg_reductions_match_naive_reference(long[] shape, int dim)
    {
        int n = (int)shape.Aggregate(1L, (a, b) => a * b);
        // Few distinct values: lots of ties, which must resolve to the first occurrence.
        var data = RandomData(n, 3).Select(v => Math.Round(v * 20)).ToArray();
        var x = tensor(data, shape, dtype: ScalarType.Float32);
        int[] dims = [dim];
        var firstMax = Naive(data, shape, dims, v => { var a = v.ToArray(); return Array.IndexOf(a, a.Max()); });
        var firstMin = Naive(data, shape, dims, v => { var a = v.ToArray(); return Array.IndexOf(a, a.Min()); });
        Assert.Equal(firstMax, x.argmax(dim).ToArray<long>().Select(v => (double)v).ToArray());
        Assert.Equal(firstMin, x.min(dim).indices.ToArray<long>().Select(v => (double)v).ToArray());
        Assert.Equal(Naive(data, shape, dims, v => v.Max()), x.max(dim).values.ToArray<double>());
    }

    [Theory]
    [InlineData(new long[] { 3, 5_000 }, 0)]
    [InlineData(new long[] { 3, 5_000 }, 1)]
    [InlineData(new long[] { 40, 30, 20 }, 1)]
    public void Cumsum_matches_naive_reference(long[] shape, int dim)
    {
        int n = (int)shape.Aggregate(1L, (a, b) => a * b);
        var data = RandomData(n, 5);
        var x = tensor(data, shape, dtype: ScalarType.Float64);
        var got = x.transpose(dim, -1).contiguous().cumsum(-1).ToArray<double>();
        var want = x.cumsum(dim).transpose(dim, -1).contiguous().ToArray<double>();
        int k = (int)shape[dim];
        var rows = x.transpose(dim, -1).contiguous().ToArray<double>();
        for (int r = 0; r < rows.Length / k; r++)
        {
            double acc = 0;
            for (int j = 0; j < k; j++)
            {
                acc += rows[r * k + j];
                Assert.True(Math.Abs(want[r * k + j] - acc) <= 1e-9 * (1 + Math.Abs(acc)));
                Assert.True(Math.Abs(got[r * k + j] - acc) <= 1e-9 * (1 + Math.Abs(acc)));
            }
        }
    }

    [Fact]
    public void Float32_sum_and_var_stay_accurate_on_long_inputs()
    {
        // 2M values in [0, 1): naive float accumulation would be off by ~1e-3 relative.
        var data = RandomData(2_000_000, 11, 0.5, 0.5);
        double exact = data.Select(v => (double)(float)v).Sum();
        var x = tensor(data, new long[] { data.Length });
        Assert.True(Math.Abs(x.sum().item<float>() - exact) / exact < 1e-6, $"sum {x.sum().item<float>()} vs {exact}");
        Assert.True(Math.Abs(x.reshape(2_000, 1_000).sum(0).sum().item<float>() - exact) / exact < 1e-6, "sum over leading dim");
        // Variance around a large mean: the two-pass algorithm keeps it accurate.
        var shifted = tensor(data.Select(v => 1000 + v).ToArray(), new long[] { data.Length });
        var f = shifted.ToArray<float>().Select(v => (double)v).ToArray();
        double m = f.Average(), v = f.Sum(t => (t - m) * (t - m)) / (f.Length - 1);
        Assert.True(Math.Abs(shifted.var().item<float>() - v) / v < 1e-4, $"var {shifted.var().item<float>()} vs {v}");
        Assert.True(Math.Abs(shifted.reshape(1_000, 2_000).var(0).mean().item<float>() - v) / v < 1e-2, "var over leading dim");
    }

    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        var x = tensor(RandomData(600_000, 13), new long[] { 300, 2_000 });
        int before = get_num_threads();
        try
        {
            set_num_threads(1);
            var one = new[] { x.sum(), x.sum(0), x.var(1), x.norm(), x.logsumexp(0) }.Select(t => t.ToArray<float>()).ToArray();
            set_num_threads(Math.Max(2, before));
            var many = new[] { x.sum(), x.sum(0), x.var(1), x.norm(), x.logsumexp(0) }.Select(t => t.ToArray<float>()).ToArray();
            for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], many[i]);
        }
        finally { set_num_threads(before); }
    }

    [Fact]
    public void Leading_and_nchw_reductions_use_no_transposed_copy()
    {
        // The plan for a contiguous tensor whose reduced dims are a prefix/suffix reads it in place.
        var bn = zeros(8, 4, 5, 5);
        var (src, a, c, b) = bn.ReducePlan([0, 2, 3]);
        Assert.Same(bn, src);
        Assert.Equal((8, 4, 25), (a, c, b));
        var lead = zeros(10, 3);
        var p = lead.ReducePlan([0]);
        Assert.Same(lead, p.src);
        Assert.Equal((10, 3, 1), (p.A, p.C, p.B));
    }

    [Fact]
    public void A_dim_past_int_is_an_index_error_not_an_overflow_or_a_wrapped_dim()
    {
        // Dims were narrowed to int first: checked casts threw OverflowException (sum, softmax, argmax,
        // cumsum), unchecked ones wrapped 2^32 to dim 0 (transpose(2^32, 0) was a silent no-op).
        var x = arange(6.0).reshape(2, 3);
        foreach (long d in new[] { 1L << 31, 1L << 32, -(1L << 40), long.MaxValue, long.MinValue })
        {
            var e = Assert.Throws<IndexOutOfRangeException>(() => x.sum(d));
            Assert.Equal($"Dimension out of range (expected to be in range of [-2, 1], but got {d}) for argument 'dim'", e.Message);
            Assert.Throws<IndexOutOfRangeException>(() => x.softmax(d));
            Assert.Throws<IndexOutOfRangeException>(() => x.argmax(d));
            Assert.Throws<IndexOutOfRangeException>(() => x.cumsum(d));
            Assert.Throws<IndexOutOfRangeException>(() => x.logsumexp(d));
            Assert.Throws<IndexOutOfRangeException>(() => x.transpose(d, 0));
            Assert.Throws<IndexOutOfRangeException>(() => x.unsqueeze(d));
            Assert.Throws<IndexOutOfRangeException>(() => cat(new[] { x, x }, d));
        }
    }
}

internal static class ReduceTestExtensions
{
    /// <summary>Same shape and values within 1e-6 (a local helper; the engine's allclose may differ).</summary>
    public static bool allclose_ref(this Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        var x = a.ToArray<double>(); var y = b.ToArray<double>();
        return x.Zip(y).All(t => Math.Abs(t.First - t.Second) <= 1e-6 * (1 + Math.Abs(t.Second)));
    }

}
