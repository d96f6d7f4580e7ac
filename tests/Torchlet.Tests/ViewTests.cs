using Torchlet;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests;

/// <summary>
/// Views (notes §2.2: they share storage, no copy). PyTorch's values, strides, offsets,
/// contiguity, storage sharing, grad_fn names, gradients and errors (fixtures/views.json), plus
/// seeded random view chains checked against an index-arithmetic reference and writes through views.
/// </summary>
public class ViewTests
{
    /// <summary>The chain interpreter of gen_views.py: "op:args;op:args".</summary>
    static Tensor Apply(Tensor x, string chain)
    {
        foreach (var step in chain.Split(';'))
        {
            var parts = step.Split(':');
            var a = parts.Length > 1 && parts[1].Length > 0 ? parts[1].Split(',').Select(long.Parse).ToArray() : [];
            x = parts[0] switch
            {
                "view" => x.view(a),
                "reshape" => x.reshape(a),
                "squeeze_all" => x.squeeze(),
                "squeeze" => x.squeeze(a[0]),
                "unsqueeze" => x.unsqueeze(a[0]),
                "flatten" => a.Length == 0 ? x.flatten() : a.Length == 1 ? x.flatten(a[0]) : x.flatten(a[0], a[1]),
                "unflatten" => x.unflatten(a[0], a[1..]),
                "permute" => x.permute(a),
                "transpose" => x.transpose(a[0], a[1]),
                "t" => x.t(),
                "T" => x.T,
                "mT" => x.mT,
                "expand" => x.expand(a),
                "expand_as" => x.expand_as(empty(a)),
                "narrow" => x.narrow(a[0], a[1], a[2]),
                "select" => x.select(a[0], a[1]),
                "contiguous" => x.contiguous(),
                "clone" => x.clone(),
                "to32" => x.to(float32),
                "to64" => x.to(float64),
                "detach" => x.detach(),
                _ => throw new ArgumentException(step),
            };
        }
        return x;
    }

    // Where PyTorch's text is an accident of its implementation, ours says what is wrong instead.
    static readonly Dictionary<string, string> OwnMessages = new()
    {
        ["[3, 1]|expand:3,-2"] = "negative dimension -2",
    };

    public static IEnumerable<object[]> Cases() => Fixtures.Names("views");

    [Theory]
    [MemberData(nameof(Cases))]
    public void View_op_matches_pytorch(string name)
    {
        var c = Fixtures.Case("views", name);
        var shape = c.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        long n = shape.Aggregate(1L, (p, s) => p * s);
        var x = arange(1, n + 1, dtype: float64).reshape(shape).detach().requires_grad_();
        var chain = c.GetProperty("chain").GetString()!;
        if (c.TryGetProperty("error", out var err))
        {
            ElementwiseTests.AssertThrowsLike(OwnMessages.GetValueOrDefault(name, err.GetString()!), () => Apply(x, chain), name);
            return;
        }
        var y = Apply(x, chain);
        ElementwiseTests.AssertMatches(c.GetProperty("out"), y, name);
        bool shares = c.GetProperty("shares").GetBoolean();
        Assert.True(shares == ReferenceEquals(y._storage, x._storage), $"{name}: shares storage {!shares}, PyTorch {shares}");
        // Strides and offset are a view's identity; copies (clone, to) may choose their own layout.
        if (shares)
        {
            Assert.Equal(c.GetProperty("stride").EnumerateArray().Select(v => v.GetInt64()), y.stride());
            Assert.Equal(c.GetProperty("offset").GetInt64(), y.storage_offset());
            Assert.Equal(c.GetProperty("contiguous").GetBoolean(), y.is_contiguous());
        }
        var fn = c.GetProperty("grad_fn");
        Assert.Equal(fn.ValueKind == System.Text.Json.JsonValueKind.Null ? null : fn.GetString(), y.grad_fn?.name());
        if (c.TryGetProperty("grad", out var grad))
        {
            var g = arange(0, y.numel(), dtype: y.dtype).reshape(y.shape) * 0.5 - 1;
            y.backward(g);
            ElementwiseTests.AssertMatches(grad, x.grad!, name + " grad");
        }
    }

    [Fact]
    public void Gradcheck_view_ops()
    {
        var chains = new[]
        {
            "view:6,4", "reshape:4,6", "transpose:0,2;reshape:-1", "squeeze_all", "unsqueeze:1", "flatten:1",
            "unflatten:2,2,2", "permute:2,0,1", "transpose:1,2", "T", "mT", "expand:2,2,3,4", "narrow:2,1,2", "select:1,-1",
            "contiguous", "clone", "permute:1,2,0;narrow:1,1,2;unsqueeze:0;expand:2,3,2,2",
        };
        foreach (var ch in chains)
            GradCheck.Check(ts => Apply(ts[0], ch) * 1.5, [GradCheck.Input([2, 3, 4], ch.Length)], what: ch);
        GradCheck.Check(ts => ts[0].t().view(3, 2) * 1.5, [GradCheck.Input([2, 3], 1)], what: "t;view");
        GradCheck.Check(ts => ts[0].squeeze().to(float64) * 1.5, [GradCheck.Input([1, 3, 1], 2)], what: "squeeze");
    }

    // ---------------------------------------------------------------- storage sharing and writes through views

    [Fact]
    public void Views_share_storage_and_writes_land_in_the_base()
    {
        var x = arange(12.0).reshape(3, 4);
        x.view(-1).narrow(0, 1, 2).fill_(7);
        Assert.Equal(new[] { 0f, 7, 7, 3 }, x.select(0, 0).data<float>().ToArray());
        x.t().select(0, 3).mul_(-1);                        // column 3
        Assert.Equal(new[] { -3f, -7, -11 }, x.narrow(1, 3, 1).reshape(-1).data<float>().ToArray());
        x.unsqueeze(0).permute(2, 1, 0).squeeze(2).select(1, 2).add_(100); // row 2
        Assert.Equal(new[] { 108f, 109, 110, 89 }, x.select(0, 2).data<float>().ToArray());
        x.narrow(0, 1, 1).copy_(tensor(new[] { 1.0, 2, 3, 4 }));
        Assert.Equal(new[] { 1f, 2, 3, 4 }, x.select(0, 1).data<float>().ToArray());

        var d = x.detach();
        Assert.Same(x._storage, d._storage);
        d.zero_();
        Assert.Equal(0f, x.sum().item<float>());

        var r = x.reshape(12);
        Assert.Same(x._storage, r._storage);                 // reshape of a contiguous tensor is a view
        var rt = x.t().reshape(12);
        Assert.NotSame(x._storage, rt._storage);             // ... of a transposed one, a copy
        Assert.Same(x, x.contiguous());                      // no copy when already contiguous
        Assert.NotSame(x._storage, x.t().contiguous()._storage);
        Assert.NotSame(x._storage, x.clone()._storage);
        Assert.Same(x, x.to(float32));
        Assert.NotSame(x._storage, x.to(float32, copy: true)._storage);
    }

    [Fact]
    public void Expand_uses_stride_zero_and_refuses_writes()
    {
        var c = tensor(new[] { 1.0, 2, 3 }).view(3, 1);
        var e = c.expand(3, 4);
        Assert.Equal(new long[] { 1, 0 }, e.stride());
        Assert.Same(c._storage, e._storage);
        var ex = Assert.Throws<InvalidOperationException>(() => e.add_(1));
        Assert.Contains("more than one element of the written-to tensor refers to a single memory location", ex.Message);
        Assert.Equal(new long[] { 2, 3, 4 }, c.expand_as(zeros(2, 3, 4)).shape);
        var bad = Assert.Throws<ArgumentException>(() => c.expand(4, 4));
        Assert.Contains("The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 0", bad.Message);
    }

    [Fact]
    public void View_error_points_to_reshape()
    {
        var e = Assert.Throws<InvalidOperationException>(() => arange(6.0).view(2, 3).t().view(6));
        Assert.StartsWith("view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.", e.Message);
    }

    [Fact]
    public void T_on_other_than_two_dims_warns_once()
    {
        var err = Console.Error;
        var sw = new StringWriter();
        Console.SetError(sw);
        try
        {
            _ = arange(24.0).view(2, 3, 4).T;
            _ = arange(24.0).view(2, 3, 4).T;
        }
        finally { Console.SetError(err); }
        // Warnings are once per process: another test may have printed it already.
        Assert.True(System.Text.RegularExpressions.Regex.Matches(sw.ToString(), "x.T").Count <= 1);
    }

    // ---------------------------------------------------------------- random view chains vs index arithmetic

    /// <summary>The reference: a view is (shape, strides, offset) into the base's flat buffer, tracked by hand.</summary>
    sealed record Geo(long[] Shape, long[] Strides, long Offset);

    static IEnumerable<long[]> Indices(long[] shape)
    {
        long n = shape.Aggregate(1L, (p, s) => p * s);
        for (long f = 0; f < n; f++)
        {
            var idx = new long[shape.Length];
            for (int d = shape.Length - 1, r = (int)f; d >= 0; d--) { idx[d] = r % shape[d]; r /= (int)shape[d]; }
            yield return idx;
        }
    }

    static long Position(Geo g, long[] idx)
    {
        long p = g.Offset;
        for (int d = 0; d < idx.Length; d++) p += idx[d] * g.Strides[d];
        return p;
    }

    /// <summary>Applies one random view step to both the tensor and the reference geometry.</summary>
    static (Tensor, Geo, bool expanded) Step(Tensor t, Geo g, Random rng, bool allowExpand)
    {
        int nd = g.Shape.Length;
        switch (rng.Next(6))
        {
            case 0 when nd >= 1:
            {
                var p = Enumerable.Range(0, nd).OrderBy(_ => rng.Next()).ToArray();
                return (t.permute(p.Select(i => (long)i).ToArray()), new Geo(p.Select(i => g.Shape[i]).ToArray(), p.Select(i => g.Strides[i]).ToArray(), g.Offset), false);
            }
            case 1 when nd >= 2:
            {
                int a = rng.Next(nd), b = rng.Next(nd);
                var sh = (long[])g.Shape.Clone(); var st = (long[])g.Strides.Clone();
                (sh[a], sh[b]) = (sh[b], sh[a]); (st[a], st[b]) = (st[b], st[a]);
                return (t.transpose(a - (rng.Next(2) == 0 ? 0 : nd), b), new Geo(sh, st, g.Offset), false);
            }
            case 2 when nd >= 1:
            {
                int d = rng.Next(nd);
                long size = g.Shape[d];
                long start = rng.Next((int)size + 1), len = rng.Next((int)(size - start) + 1);
                var sh = (long[])g.Shape.Clone(); sh[d] = len;
                return (t.narrow(d, start, len), new Geo(sh, g.Strides, g.Offset + start * g.Strides[d]), false);
            }
            case 3 when nd >= 1 && g.Shape.Any(s => s > 0):
            {
                int d = rng.Next(nd);
                if (g.Shape[d] == 0) return (t, g, false);
                long i = rng.Next((int)g.Shape[d]);
                return (t.select(d, i - (rng.Next(2) == 0 ? 0 : g.Shape[d])),
                    new Geo(g.Shape.Where((_, k) => k != d).ToArray(), g.Strides.Where((_, k) => k != d).ToArray(), g.Offset + i * g.Strides[d]), false);
            }
            case 4 when nd < 5:
            {
                int d = rng.Next(nd + 1);
                var sh = g.Shape.ToList(); sh.Insert(d, 1);
                var st = g.Strides.ToList(); st.Insert(d, 7); // any stride works for a size-1 dim
                return (t.unsqueeze(d), new Geo(sh.ToArray(), st.ToArray(), g.Offset), false);
            }
            case 5 when allowExpand && nd < 5:
            {
                // Expand size-1 dims and maybe add a leading one.
                var target = g.Shape.Select(s => s == 1 ? (long)rng.Next(1, 4) : s).ToList();
                var st = g.Strides.Select((s, k) => g.Shape[k] == 1 ? 0L : s).ToList();
                if (rng.Next(2) == 0) { target.Insert(0, rng.Next(1, 3)); st.Insert(0, 0); }
                return (t.expand(target.ToArray()), new Geo(target.ToArray(), st.ToArray(), g.Offset), true);
            }
            default:
                return (t, g, false);
        }
    }

    [Fact]
    public void Random_view_chains_read_the_right_elements()
    {
        var rng = new Random(99);
        for (int trial = 0; trial < 400; trial++)
        {
            var shape = Enumerable.Range(0, rng.Next(1, 5)).Select(_ => (long)rng.Next(1, 5)).ToArray();
            long n = shape.Aggregate(1L, (p, s) => p * s);
            var baseVals = Enumerable.Range(0, (int)n).Select(i => (double)i * 1.5 - 3).ToArray();
            var x = tensor(baseVals, shape, dtype: float64);
            var strides = new long[shape.Length];
            for (int d = shape.Length - 1, acc = 1; d >= 0; d--) { strides[d] = acc; acc *= (int)shape[d]; }
            Tensor v = x; var g = new Geo(shape, strides, 0);
            var chain = new List<string>();
            for (int s = rng.Next(1, 7); s > 0; s--)
            {
                var before = g;
                (v, g, _) = Step(v, g, rng, allowExpand: true);
                chain.Add(Shape(before.Shape) + "->" + Shape(g.Shape));
            }
            Assert.True(g.Shape.SequenceEqual(v.shape), $"trial {trial}: shape {Shape(v.shape)} vs reference {Shape(g.Shape)} after {string.Join(" ", chain)}");
            Assert.Same(x._storage, v._storage);
            var expected = Indices(g.Shape).Select(idx => baseVals[Position(g, idx)]).ToArray();
            Assert.Equal(expected, v.data<double>().ToArray());
            Assert.Equal(expected, v.contiguous().data<double>().ToArray());
            Assert.Equal(expected, v.clone().data<double>().ToArray());
            Assert.Equal(expected.Select(e => (float)e).ToArray(), v.to(float32).data<float>().ToArray());
            Assert.Equal(expected.Select(e => e * 2).ToArray(), (v * 2).data<double>().ToArray());
            Assert.Equal(expected, v.reshape(-1).data<double>().ToArray());
        }
    }

    [Fact]
    public void Random_writes_through_views_land_in_the_base()
    {
        var rng = new Random(5);
        for (int trial = 0; trial < 300; trial++)
        {
            var shape = Enumerable.Range(0, rng.Next(1, 5)).Select(_ => (long)rng.Next(1, 5)).ToArray();
            long n = shape.Aggregate(1L, (p, s) => p * s);
            var reference = Enumerable.Range(0, (int)n).Select(i => (double)i).ToArray();
            var x = tensor(reference, shape, dtype: float64);
            var strides = new long[shape.Length];
            for (int d = shape.Length - 1, acc = 1; d >= 0; d--) { strides[d] = acc; acc *= (int)shape[d]; }
            Tensor v = x; var g = new Geo(shape, strides, 0);
            for (int s = rng.Next(1, 6); s > 0; s--) (v, g, _) = Step(v, g, rng, allowExpand: false);
            var positions = Indices(g.Shape).Select(idx => Position(g, idx)).ToArray();
            switch (trial % 4)
            {
                case 0:
                    v.fill_(-1);
                    foreach (var p in positions) reference[p] = -1;
                    break;
                case 1:
                    v.mul_(3).add_(1);
                    foreach (var p in positions) reference[p] = reference[p] * 3 + 1;
                    break;
                case 2:
                    var src = arange(0, v.numel(), dtype: float64).reshape(v.shape) + 1000;
                    v.copy_(src);
                    var sv = src.data<double>().ToArray();
                    for (int k = 0; k < positions.Length; k++) reference[positions[k]] = sv[k];
                    break;
                default:
                    v.neg_();
                    foreach (var p in positions) reference[p] = -reference[p];
                    break;
            }
            Assert.Equal(reference, x.data<double>().ToArray());
        }
    }

    static string Shape(long[] s) => "[" + string.Join(",", s) + "]";

    // ---------------------------------------------------------------- regressions found by the fuzz test

    [Fact]
    public void A_0_dim_tensor_has_no_dim_for_size_stride_roll_or_unflatten()
    {
        // size(0), stride(-1), roll(1, 0) and unflatten(0, ...) of a 0-dim tensor indexed its empty shape
        // array (IndexOutOfRangeException with the runtime's message); PyTorch's IndexError instead.
        var s = tensor(2.0);
        foreach (var (f, dim) in new (Action, int)[] { (() => s.size(0), 0), (() => s.stride(-1), -1), (() => s.roll(1, 0), 0), (() => s.unflatten(0, 1), 0) })
            Assert.Equal($"Dimension specified as {dim} but tensor has no dimensions", Assert.Throws<IndexOutOfRangeException>(f).Message);
        Assert.Equal(2.0f, s.roll(1).item<float>());   // no dims: the flattened roll, as in PyTorch
    }

    [Fact]
    public void Flatten_of_a_0_dim_tensor_checks_its_dims()
    {
        // Any start_dim and end_dim were accepted (flatten(5, 7) returned tensor([2.])); PyTorch allows [-1, 0].
        var s = tensor(2.0);
        var e = Assert.Throws<IndexOutOfRangeException>(() => s.flatten(5, 7));
        Assert.StartsWith("Dimension out of range (expected to be in range of [-1, 0], but got 5)", e.Message);
        Assert.Throws<IndexOutOfRangeException>(() => s.flatten(1L << 32, 0));
        Assert.Equal(new long[] { 1 }, s.flatten(-1, 0).shape);
    }

    [Fact]
    public void Expand_and_view_refuse_sizes_past_int_instead_of_wrapping_them()
    {
        // (int)2^32 is 0: expand(2^32, 3) was an empty view and zeros(0).view(2^32, 0) a [0, 0] one;
        // (int)2^31 is negative: expand(2^31, 3) made a view of negative size.
        var x = zeros(3);
        Assert.Contains("4294967296", Assert.Throws<ArgumentException>(() => x.expand(1L << 32, 3)).Message);
        Assert.Contains("2147483648", Assert.Throws<ArgumentException>(() => x.expand(1L << 31, 3)).Message);
        Assert.Contains("4294967296", Assert.Throws<ArgumentException>(() => zeros(0).view(1L << 32, 0)).Message);
        Assert.Contains("4294967296", Assert.Throws<ArgumentException>(() => zeros(0).reshape(0, 1L << 32)).Message);
    }

    [Fact]
    public void A_huge_expanded_view_counts_its_elements_and_refuses_a_copy_naming_its_size()
    {
        var big = zeros(1).expand(1L << 20, 1L << 20);
        Assert.Equal(1L << 40, big.numel());   // numel() threw: it counted in int
        foreach (var f in new Func<Tensor>[] { () => big.contiguous(), () => big.clone(), () => big.reshape(-1), () => big + 1 })
            Assert.Contains("has 1099511627776 elements, more than the 2147483591 a .NET array can hold", Assert.Throws<ArgumentException>(f).Message);
        // 2^64 elements: the count wrapped to 0 and contiguous() returned an empty tensor.
        var huge = zeros(1).expand(65536, 65536, 65536, 65536);
        Assert.StartsWith("numel: integer multiplication overflow", Assert.Throws<ArgumentException>(() => huge.numel()).Message);
        Assert.StartsWith("numel: integer multiplication overflow", Assert.Throws<ArgumentException>(() => huge.contiguous()).Message);
        Assert.Equal(0, zeros(1).expand(0, 1L << 30, 1L << 30).numel());
    }
}
