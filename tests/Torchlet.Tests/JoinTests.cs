using Torchlet;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests;

/// <summary>cat/stack/split/repeat/gather/scatter/index_select/masked_*/flip/roll against PyTorch (fixtures/join.json).</summary>
public class JoinTests
{
    static Tensor L(params long[] v) => tensor(v);

    // The same calls as gen_join.py.
    static readonly Dictionary<string, Func<Tensor[], Tensor[]>> Ops = new()
    {
        ["cat_dim0"] = t => [cat([t[0], t[1]], 0)],
        ["cat_dim1"] = t => [cat([t[0], t[1]], 1)],
        ["cat_neg_dim_repeated"] = t => [cat([t[0], t[1], t[0]], -1)],
        ["cat_3d_mid"] = t => [cat([t[0], t[1]], 1)],
        ["cat_noncontiguous"] = t => [cat([t[0].t()[..2], t[1]], 1)],
        ["cat_promote_int_float"] = t => [cat([t[0], t[1][.., ..2]], 0)],
        ["cat_promote_bool_double"] = t => [cat([t[0], t[1]])],
        ["cat_legacy_empty"] = t => [cat([t[0], t[1]], 0)],
        ["cat_single"] = t => [cat([t[0]], 0)],
        ["concat_alias"] = t => [concat([t[0], t[1]], 1)],
        ["stack_0"] = t => [stack([t[0], t[1]], 0)],
        ["stack_1"] = t => [stack([t[0], t[1]], 1)],
        ["stack_last"] = t => [stack([t[0], t[1], t[0]], -1)],
        ["stack_promote"] = t => [stack([t[0], t[1]])],
        ["stack_scalars"] = t => [stack([t[0], t[1]])],
        ["hstack_1d"] = t => [hstack([t[0], t[1]])],
        ["hstack_2d"] = t => [hstack([t[0], t[1]])],
        ["hstack_0d"] = t => [hstack([t[0], t[1]])],
        ["vstack_1d"] = t => [vstack([t[0], t[1]])],
        ["vstack_2d"] = t => [vstack([t[0], t[1]])],
        ["vstack_mixed"] = t => [vstack([t[0], t[1]])],
        ["split_int"] = t => t[0].split(2, 0),
        ["split_int_dim1"] = t => t[0].split(3, 1),
        ["split_sizes"] = t => t[0].split([1, 4], 0),
        ["split_sizes_with_zero"] = t => t[0].split([2, 0, 3]),
        ["split_larger_than_dim"] = t => t[0].split(10, 1),
        ["chunk_3"] = t => t[0].chunk(3, 0),
        ["chunk_more_than_size"] = t => t[0].chunk(6, 1),
        ["chunk_neg_dim"] = t => t[0].chunk(2, -1),
        ["unbind_0"] = t => t[0].unbind(0),
        ["unbind_1"] = t => t[0].unbind(1),
        ["split_partial_use"] = t => [t[0].split(2, 0)[1]],
        ["repeat_same_rank"] = t => [t[0].repeat(2, 3)],
        ["repeat_more_dims"] = t => [t[0].repeat(2, 1, 2)],
        ["repeat_1d"] = t => [t[0].repeat(3)],
        ["repeat_ones"] = t => [t[0].repeat(1, 1)],
        ["repeat_noncontiguous"] = t => [t[0].t().repeat(1, 2)],
        ["repeat_int"] = t => [t[0].repeat(2, 1)],
        ["tile_fewer"] = t => [t[0].tile(2)],
        ["tile_more"] = t => [tile(t[0], 2, 1, 2)],
        ["gather_dim0"] = t => [t[0].gather(0, t[1])],
        ["gather_dim1_longer"] = t => [t[0].gather(1, t[1])],
        ["gather_smaller"] = t => [gather(t[0], 0, t[1])],
        ["gather_3d"] = t => [t[0].gather(2, t[1])],
        ["gather_noncontiguous"] = t => [t[0].t().gather(1, t[1])],
        ["scatter_src"] = t => [t[0].scatter(0, t[1], t[2])],
        ["scatter_scalar"] = t => [t[0].scatter(1, t[1], 2.5)],
        ["scatter_src_larger"] = t => [scatter(t[0], 0, t[1], t[2])],
        ["scatter_add"] = t => [t[0].scatter_add(0, t[1], t[2])],
        ["scatter_add_dim1_dup"] = t => [scatter_add(t[0], 1, t[1], t[2])],
        ["scatter_inplace"] = t => [(t[0] * 1).scatter_(0, t[1], t[2])],
        ["scatter_inplace_scalar"] = t => [(t[0] * 1).scatter_(1, t[1], -1.0)],
        ["scatter_add_inplace"] = t => [(t[0] * 1).scatter_add_(0, t[1], t[2])],
        ["scatter_int"] = t => [t[0].scatter(0, t[1], 7)],
        ["index_select_0"] = t => [t[0].index_select(0, t[1])],
        ["index_select_1"] = t => [index_select(t[0], 1, t[1])],
        ["index_select_int32"] = t => [t[0].index_select(0, t[1])],
        ["index_select_0d_index"] = t => [t[0].index_select(0, t[1])],
        ["index_select_3d_mid"] = t => [t[0].index_select(1, t[1])],
        ["index_select_noncontiguous"] = t => [t[0].t().index_select(0, t[1])],
        ["index_select_empty"] = t => [t[0].index_select(0, t[1])],
        ["index_add"] = t => [t[0].index_add(0, t[1], t[2])],
        ["index_add_alpha_dim1"] = t => [t[0].index_add(1, t[1], t[2], alpha: 2)],
        ["index_add_inplace"] = t => [(t[0] * 1).index_add_(0, t[1], t[2])],
        ["index_fill"] = t => [t[0].index_fill(1, t[1], -1.0)],
        ["index_fill_inplace"] = t => [(t[0] * 1).index_fill_(0, t[1], 3.0)],
        ["masked_fill_scalar"] = t => [t[0].masked_fill(t[1], 0.5)],
        ["masked_fill_broadcast_mask"] = t => [t[0].masked_fill(t[1], -2.0)],
        ["masked_fill_tensor_value"] = t => [t[0].masked_fill(t[1], t[2])],
        ["masked_fill_broadcast_self"] = t => [masked_fill(t[0], t[1], 1.0)],
        ["masked_fill_int"] = t => [t[0].masked_fill(t[1], 2.7)],
        ["masked_fill_inplace"] = t => [(t[0] * 1).masked_fill_(t[1], 0.0)],
        ["masked_select"] = t => [t[0].masked_select(t[1])],
        ["masked_select_broadcast"] = t => [masked_select(t[0], t[1])],
        ["masked_select_int"] = t => [t[0].masked_select(t[1])],
        ["flip_0"] = t => [t[0].flip(0)],
        ["flip_01"] = t => [flip(t[0], 0, 1)],
        ["flip_neg"] = t => [t[0].flip(-1)],
        ["flip_noncontiguous"] = t => [t[0].t().flip(1)],
        ["flip_none"] = t => [t[0].flip()],
        ["roll_flat"] = t => [t[0].roll(3)],
        ["roll_dim"] = t => [t[0].roll(1, 0)],
        ["roll_neg"] = t => [roll(t[0], -1, 1)],
        ["roll_multi"] = t => [t[0].roll([1, -6], [0, 1])],
        ["nonzero"] = t => [t[0].gt(0).nonzero()],
        ["nonzero_int"] = t => [nonzero(t[0])],
        ["nonzero_3d"] = t => [t[0].nonzero()],
    };

    public static IEnumerable<object[]> Cases() => Ops.Keys.Select(k => new object[] { k });

    [Fact]
    public void Every_fixture_case_has_a_csharp_twin()
    {
        var names = Fixtures.Load("join").Select(c => c.GetProperty("name").GetString()!).Where(n => n != "errors");
        Assert.Equal(names.OrderBy(n => n), Ops.Keys.OrderBy(n => n));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch(string name) => OpCase.Run("join", name, Ops[name]);

    // ---------------------------------------------------------------- errors

    static readonly Tensor Y = arange(12.0).reshape(3, 4);
    static readonly Tensor Z22 = zeros(2, 2), Z33 = zeros(3, 3);

    static readonly Dictionary<string, (Action run, Type type)> Errors = new()
    {
        ["cat_empty"] = (() => cat([]), typeof(ArgumentException)),
        ["cat_mismatch"] = (() => cat([Z22, Z33], 1), typeof(ArgumentException)),
        ["cat_mismatch0"] = (() => cat([Z22, Z33], 0), typeof(ArgumentException)),
        ["cat_ndim"] = (() => cat([Z22, zeros(2, 2, 2)]), typeof(ArgumentException)),
        ["cat_0d"] = (() => cat([tensor(1.0), tensor(2.0)]), typeof(ArgumentException)),
        ["cat_dim"] = (() => cat([Z22, Z22], 2), typeof(IndexOutOfRangeException)),
        ["stack_empty"] = (() => stack([]), typeof(ArgumentException)),
        ["stack_unequal"] = (() => stack([zeros(2, 3), zeros(2, 4)]), typeof(ArgumentException)),
        ["stack_dim"] = (() => stack([zeros(2, 3), zeros(2, 3)], 4), typeof(IndexOutOfRangeException)),
        ["gather_dtype"] = (() => Y.gather(0, tensor(new[] { 0 }, dtype: int32).reshape(1, 1)), typeof(ArgumentException)),
        ["gather_ndim"] = (() => Y.gather(0, L(0)), typeof(ArgumentException)),
        ["gather_size"] = (() => Y.gather(0, zeros(new long[] { 2, 5 }, dtype: int64)), typeof(ArgumentException)),
        ["gather_oob"] = (() => Y.gather(0, L(5).reshape(1, 1)), typeof(IndexOutOfRangeException)),
        ["gather_neg"] = (() => Y.gather(0, L(-1).reshape(1, 1)), typeof(IndexOutOfRangeException)),
        ["scatter_dtype"] = (() => Y.scatter(0, L(0).reshape(1, 1), ones(new long[] { 1, 1 }, dtype: float64)), typeof(ArgumentException)),
        ["scatter_index_dtype"] = (() => Y.scatter(0, tensor(new[] { 0 }, dtype: int32).reshape(1, 1), 1.0), typeof(ArgumentException)),
        ["scatter_oob"] = (() => Y.scatter(0, L(7).reshape(1, 1), 1.0), typeof(IndexOutOfRangeException)),
        ["scatter_size_src"] = (() => Y.scatter(0, zeros(new long[] { 2, 2 }, dtype: int64), ones(1, 1)), typeof(ArgumentException)),
        ["scatter_size_self"] = (() => Y.scatter(0, zeros(new long[] { 2, 5 }, dtype: int64), ones(3, 5)), typeof(ArgumentException)),
        ["scatter_add_dtype"] = (() => Y.scatter_add(0, L(0).reshape(1, 1), ones(new long[] { 1, 1 }, dtype: float64)), typeof(ArgumentException)),
        ["index_select_oob"] = (() => Y.index_select(0, L(3)), typeof(IndexOutOfRangeException)),
        ["index_select_neg"] = (() => Y.index_select(0, L(-1)), typeof(IndexOutOfRangeException)),
        ["index_select_dtype"] = (() => Y.index_select(0, tensor(new[] { 1.0 })), typeof(ArgumentException)),
        ["index_select_2d"] = (() => Y.index_select(0, L(1).reshape(1, 1)), typeof(IndexOutOfRangeException)),
        ["index_add_dtype"] = (() => Y.index_add(0, L(0), ones(new long[] { 1, 4 }, dtype: float64)), typeof(ArgumentException)),
        ["index_fill_dtype"] = (() => Y.index_fill(0, tensor(new[] { 1.0 }), 2.0), typeof(ArgumentException)),
        ["index_fill_oob"] = (() => Y.index_fill(0, L(3), 2.0), typeof(IndexOutOfRangeException)),
        ["masked_fill_shape"] = (() => Y.masked_fill(ones(new long[] { 3 }, dtype: @bool), 1.0), typeof(ArgumentException)),
        ["masked_fill_inplace_broadcast"] = (() => Y.clone().masked_fill_(ones(new long[] { 2, 3, 4 }, dtype: @bool), 1.0), typeof(ArgumentException)),
        ["masked_fill_value_dim"] = (() => Y.masked_fill(Y.gt(1), ones(2)), typeof(ArgumentException)),
        ["masked_select_dtype"] = (() => Y.masked_select(ones(3, 4)), typeof(ArgumentException)),
        ["masked_select_shape"] = (() => Y.masked_select(ones(new long[] { 3 }, dtype: @bool)), typeof(ArgumentException)),
        ["split_zero"] = (() => Y.split(0), typeof(ArgumentException)),
        ["split_sizes_sum"] = (() => Y.split([1, 1]), typeof(ArgumentException)),
        ["chunk_zero"] = (() => Y.chunk(0), typeof(ArgumentException)),
        ["chunk_negative"] = (() => Y.chunk(-1), typeof(ArgumentException)),
        ["repeat_few"] = (() => Y.repeat(2), typeof(ArgumentException)),
        ["repeat_negative"] = (() => Y.repeat(2, -1), typeof(ArgumentException)),
        ["flip_duplicate"] = (() => Y.flip(0, 0), typeof(ArgumentException)),
        ["flip_dim"] = (() => Y.flip(2), typeof(IndexOutOfRangeException)),
        ["roll_mismatch"] = (() => Y.roll([1, 2], [0]), typeof(ArgumentException)),
        ["unbind_0d"] = (() => tensor(1.0).unbind(), typeof(IndexOutOfRangeException)),
    };

    public static IEnumerable<object[]> ErrorCases() => Errors.Keys.Select(k => new object[] { k });

    [Fact]
    public void Every_error_case_is_checked()
    {
        var names = Fixtures.Case("join", "errors").GetProperty("errors").EnumerateObject().Select(p => p.Name);
        Assert.Equal(names.OrderBy(n => n), Errors.Keys.OrderBy(n => n));
    }

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void Errors_carry_pytorchs_message(string name)
    {
        var (run, type) = Errors[name];
        var e = Assert.Throws(type, run);
        Assert.Contains(OpCase.Error("join", name), e.Message);
    }

    [Fact]
    public void Masks_must_be_bool_and_failed_inplace_ops_change_nothing()
    {
        // PyTorch 1.13 silently ignores a float mask in masked_fill; here it is an error, as in later PyTorch.
        var e = Assert.Throws<ArgumentException>(() => Y.masked_fill(ones(3, 4), 1.0));
        Assert.Contains("masked_fill_ only supports boolean masks", e.Message);
        var x = zeros(3, 4);
        Assert.Throws<IndexOutOfRangeException>(() => x.scatter_(0, L(0, 9).reshape(1, 2), 1.0));
        Assert.Throws<IndexOutOfRangeException>(() => x.index_fill_(1, L(1, 4), 1.0));
        Assert.Throws<IndexOutOfRangeException>(() => x.index_add_(0, L(0, 3), ones(2, 4)));
        Assert.Throws<ArgumentException>(() => x.masked_fill_(ones(new long[] { 2, 3, 4 }, dtype: @bool), 1.0));
        Assert.Equal(0f, x.abs().sum().item<float>());
        Assert.Equal(0, x._storage.Version);
        var leaf = zeros(new long[] { 3 }, requires_grad: true);
        var e2 = Assert.Throws<InvalidOperationException>(() => leaf.masked_fill_(L(1, 0, 1).@bool(), 2.0));
        Assert.Contains("a leaf Variable that requires grad is being used in an in-place operation", e2.Message);
    }

    // ---------------------------------------------------------------- views and autograd plumbing

    [Fact]
    public void Split_chunk_and_unbind_return_views()
    {
        var x = arange(20.0).reshape(5, 4);
        var parts = x.split(2, 0);
        Assert.All(parts, p => Assert.Same(x._storage, p._storage));
        parts[1].fill_(-1);
        Assert.Equal(-1f, x[3, 3].item<float>());
        var cols = x.unbind(1);
        cols[2][0] = 42;
        Assert.Equal(42f, x[0, 2].item<float>());
        var ch = x.chunk(2, 1);
        Assert.Same(x._storage, ch[1]._storage);
        Assert.Equal(new long[] { 5, 2 }, ch[1].shape);
    }

    [Fact]
    public void Split_gradients_survive_retained_and_repeated_backward_passes()
    {
        var leaf = GradCheck.Input([6, 2], 3);
        var parts = leaf.split(2, 0);
        var loss = parts[0].sum() * 1 + parts[2].mul(parts[2]).sum();
        loss.backward(retain_graph: true);
        var first = leaf.grad!.clone();
        loss.backward();
        Assert.True(leaf.grad!.allclose_like(first.mul(2)));
        // Rows of the unused middle part get zero.
        Assert.Equal(0.0, leaf.grad![2..4].abs().sum().item<double>());
        // A part used twice accumulates.
        leaf.grad = null;
        var u = leaf.unbind(0);
        (u[1] + u[1] * 2).sum().backward();
        Assert.Equal(new double[] { 0, 0, 3, 3 }, leaf.grad!.data<double>().ToArray()[..4]);
    }

    [Fact]
    public void Unbind_over_a_long_sequence_has_one_collector()
    {
        var seq = GradCheck.Input([200, 3], 5);
        var steps = seq.unbind(0);
        Tensor acc = steps[0];
        for (int i = 1; i < steps.Length; i++) acc = acc + steps[i] * (i % 3);
        acc.sum().backward();
        var g = seq.grad!.data<double>().ToArray();
        for (int i = 0; i < 200; i++) Assert.Equal(i == 0 ? 1 : i % 3, g[i * 3]);
        Assert.Equal("UnbindBackward0", steps[7].grad_fn!.name());
    }

    [Fact]
    public void Cat_of_many_tensors_and_stack_of_unbind_round_trip()
    {
        var x = GradCheck.Input([7, 3, 2], 9);
        var back = stack(x.unbind(1), 1);
        Assert.True(back.equal(x));
        var parts = Enumerable.Range(0, 7).Select(i => x[i]).ToArray();
        Assert.True(cat(parts, 0).equal(x.reshape(21, 2)));
    }

    // ---------------------------------------------------------------- gradcheck (float64)

    static readonly Dictionary<string, (Func<Tensor[], Tensor> f, long[][] shapes)> Grad = new()
    {
        ["cat"] = (t => cat([t[0], t[1], t[0]], 1), [[2, 3], [2, 2]]),
        ["stack"] = (t => stack([t[0], t[1].exp()], 2), [[2, 3], [2, 3]]),
        ["hstack"] = (t => hstack([t[0], t[1]]), [[3], [2]]),
        ["vstack"] = (t => vstack([t[0], t[1]]), [[2, 3], [3]]),
        ["split"] = (t => { var p = t[0].split(2, 0); return cat([p[2] * 3, p[0], p[1].exp()], 0); }, [[5, 2]]),
        ["split_sizes"] = (t => { var p = t[0].split([1, 3], 1); return p[1].sum(1) * p[0].squeeze(1); }, [[3, 4]]),
        ["chunk"] = (t => { var p = t[0].chunk(3, 1); return p[0] * p[1] + p[2]; }, [[2, 6]]),
        ["unbind"] = (t => { var u = t[0].unbind(0); return u[2] * u[0] - u[1]; }, [[3, 4]]),
        ["repeat"] = (t => t[0].repeat(2, 1, 3), [[2, 2]]),
        ["tile"] = (t => t[0].tile(2), [[3]]),
        ["gather"] = (t => t[0].gather(1, tensor(new long[,] { { 2, 2, 0 }, { 1, 0, 1 } })), [[2, 3]]),
        ["scatter"] = (t => t[0].scatter(0, tensor(new long[,] { { 0, 2, 1 } }), t[1]), [[3, 3], [2, 3]]),
        ["scatter_scalar"] = (t => t[0].scatter(1, tensor(new long[,] { { 0 }, { 2 } }), 5.0), [[2, 3]]),
        ["scatter_add"] = (t => t[0].scatter_add(1, tensor(new long[,] { { 0, 0, 2 }, { 1, 1, 1 } }), t[1]), [[2, 3], [2, 3]]),
        ["scatter_inplace"] = (t => (t[0] * 1).scatter_(0, tensor(new long[,] { { 2, 0 } }), t[1]), [[3, 2], [1, 2]]),
        ["index_select"] = (t => t[0].index_select(1, L(2, 0, 2)), [[2, 3]]),
        ["index_add"] = (t => t[0].index_add(0, L(1, 1, 0), t[1], alpha: -2), [[2, 3], [3, 3]]),
        ["index_fill"] = (t => t[0].index_fill(1, L(1), 0.5), [[2, 3]]),
        ["masked_fill"] = (t => t[0].masked_fill(tensor(new[] { true, false, true }), 1.0), [[2, 3]]),
        ["masked_fill_value"] = (t => t[0].masked_fill(tensor(new[] { true, false, true }), t[1].sum()), [[2, 3], [2]]),
        ["masked_select"] = (t => t[0].masked_select(tensor(new[] { false, true, true })), [[2, 3]]),
        ["flip"] = (t => t[0].flip(0, 2), [[2, 2, 3]]),
        ["roll"] = (t => t[0].roll([1, -1], [0, 1]), [[3, 3]]),
        ["roll_flat"] = (t => t[0].roll(2), [[2, 3]]),
        ["index_put"] = (t => t[0].index_put([L(0, 0)], t[1], accumulate: true), [[2, 3], [3]]),
        ["scatter_add_inplace"] = (t => (t[0] * 1).scatter_add_(0, tensor(new long[,] { { 1, 1 } }), t[1]), [[2, 2], [1, 2]]),
        ["index_add_inplace"] = (t => (t[0] * 1).index_add_(1, L(0, 0), t[1]), [[2, 3], [2, 2]]),
        ["index_fill_inplace"] = (t => (t[0] * 1).index_fill_(0, L(1), -1.0), [[2, 3]]),
        ["masked_fill_inplace"] = (t => (t[0] * 1).masked_fill_(tensor(new[] { false, true, true }), 2.0), [[2, 3]]),
        ["fliplr_flipud"] = (t => t[0].fliplr().flipud(), [[2, 3]]),
    };

    public static IEnumerable<object[]> GradCases() => Grad.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(GradCases))]
    public void Passes_gradcheck(string name)
    {
        var (f, shapes) = Grad[name];
        GradCheck.Check(f, shapes.Select((s, i) => GradCheck.Input(s, 100 + i)).ToArray(), what: name);
    }

    // ---------------------------------------------------------------- random shapes against reference loops

    [Fact]
    public void Random_cat_then_split_round_trips()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 100; trial++)
        {
            int nd = rng.Next(1, 4), dim = rng.Next(nd);
            var baseShape = Enumerable.Range(0, nd).Select(_ => (long)rng.Next(1, 4)).ToArray();
            int k = rng.Next(1, 5);
            var sizes = Enumerable.Range(0, k).Select(_ => (long)rng.Next(0, 4)).ToArray();
            var parts = sizes.Select((s, i) =>
            {
                var sh = (long[])baseShape.Clone(); sh[dim] = s;
                var t = GradCheck.Input(sh, trial * 10 + i).detach();
                // sometimes a non-contiguous or differently typed part
                return rng.Next(4) == 0 && nd > 1 ? t.transpose(0, nd - 1).contiguous().transpose(0, nd - 1) : t;
            }).ToArray();
            var c = cat(parts, dim - nd);
            Assert.Equal(sizes.Sum(), c.shape[dim]);
            var back = c.split(sizes, dim);
            for (int i = 0; i < k; i++) Assert.True(back[i].equal(parts[i]), $"trial {trial}: part {i}");
            // stack/unbind
            var sameShape = Enumerable.Range(0, k).Select(i => GradCheck.Input(baseShape, 1000 + trial * 10 + i).detach()).ToArray();
            int sd = rng.Next(nd + 1);
            var st = stack(sameShape, sd);
            var un = st.unbind(sd);
            for (int i = 0; i < k; i++) Assert.True(un[i].equal(sameShape[i]));
        }
    }

    [Fact]
    public void Random_gather_scatter_index_select_repeat_flip_roll_match_loops()
    {
        var rng = new Random(11);
        for (int trial = 0; trial < 60; trial++)
        {
            int r = rng.Next(1, 6), c = rng.Next(1, 6);
            var x = GradCheck.Input([r, c], trial).detach();
            var xv = x.data<double>().ToArray();
            double X(int i, int j) => xv[i * c + j];

            // gather along dim 1 and dim 0
            int gc = rng.Next(0, 7);
            var idx1 = Enumerable.Range(0, r * gc).Select(_ => (long)rng.Next(c)).ToArray();
            var g1 = x.gather(1, tensor(idx1, [r, gc])).data<double>().ToArray();
            for (int i = 0; i < r; i++) for (int j = 0; j < gc; j++) Assert.Equal(X(i, (int)idx1[i * gc + j]), g1[i * gc + j]);

            // scatter_add along dim 0 with a random source
            int sr = rng.Next(1, 5);
            var idx0 = Enumerable.Range(0, sr * c).Select(_ => (long)rng.Next(r)).ToArray();
            var src = GradCheck.Input([sr, c], 500 + trial).detach();
            var sv = src.data<double>().ToArray();
            var sa = x.scatter_add(0, tensor(idx0, [sr, c]), src).data<double>().ToArray();
            var want = (double[])xv.Clone();
            for (int i = 0; i < sr; i++) for (int j = 0; j < c; j++) want[idx0[i * c + j] * c + j] += sv[i * c + j];
            for (int i = 0; i < want.Length; i++) Assert.Equal(want[i], sa[i], 12);

            // index_select along dim 1, on a transposed (strided) view too
            var pick = Enumerable.Range(0, rng.Next(0, 5)).Select(_ => (long)rng.Next(c)).ToArray();
            var isel = x.index_select(1, tensor(pick)).data<double>().ToArray();
            for (int i = 0; i < r; i++) for (int j = 0; j < pick.Length; j++) Assert.Equal(X(i, (int)pick[j]), isel[i * pick.Length + j]);
            var iselT = x.t().index_select(0, tensor(pick)).data<double>().ToArray();
            for (int j = 0; j < pick.Length; j++) for (int i = 0; i < r; i++) Assert.Equal(X(i, (int)pick[j]), iselT[j * r + i]);

            // repeat
            int ra = rng.Next(1, 3), rb = rng.Next(1, 3);
            var rep = x.repeat(ra, rb).data<double>().ToArray();
            for (int i = 0; i < r * ra; i++) for (int j = 0; j < c * rb; j++) Assert.Equal(X(i % r, j % c), rep[i * c * rb + j]);

            // flip and roll
            var fl = x.flip(0, 1).data<double>().ToArray();
            for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) Assert.Equal(X(r - 1 - i, c - 1 - j), fl[i * c + j]);
            int s0 = rng.Next(-7, 8), s1 = rng.Next(-7, 8);
            var ro = x.roll([s0, s1], [0, 1]).data<double>().ToArray();
            for (int i = 0; i < r; i++) for (int j = 0; j < c; j++)
                Assert.Equal(X((((i - s0) % r) + r) % r, (((j - s1) % c) + c) % c), ro[i * c + j]);
        }
    }

    // ---------------------------------------------------------------- regressions found by the fuzz test

    [Fact]
    public void Cat_past_an_arrays_length_names_the_size()
    {
        // The output size was summed in int: it wrapped negative, and allocating it threw OverflowException.
        var big = zeros(1).expand(1L << 30);
        var e = Assert.Throws<ArgumentException>(() => cat(new[] { big, big, big }));
        Assert.Contains("3221225472 elements along dimension 0", e.Message);
        Assert.Throws<ArgumentException>(() => cat(new[] { big, big }));
        Assert.Contains("3221225472 elements", Assert.Throws<ArgumentException>(() => stack(new[] { big, big, big })).Message);
    }

    [Fact]
    public void Chunk_split_and_repeat_refuse_counts_that_overflowed()
    {
        // chunk of an empty dim makes `chunks` empty tensors: 2^31 of them threw OverflowException.
        Assert.Equal(3, zeros(4, 0).chunk(3, 1).Length);
        Assert.Contains("2147483648 chunks", Assert.Throws<ArgumentException>(() => zeros(4, 0).chunk(1L << 31, 1)).Message);
        // Split sizes summed past long wrapped to the dim's size, then became views of negative size.
        Assert.StartsWith("split_with_sizes expects split_sizes to sum exactly to 1",
            Assert.Throws<ArgumentException>(() => zeros(1).split(new[] { long.MaxValue, long.MaxValue, 3 })).Message);
        // 4 · (2^62 + 1) wrapped to 4: repeat returned the input once.
        Assert.Contains("overflows", Assert.Throws<ArgumentException>(() => zeros(4).repeat((1L << 62) + 1)).Message);
        Assert.Throws<ArgumentException>(() => zeros(4).repeat(long.MinValue));
        // PyTorch: a negative repeat of an empty tensor is empty; of a non-empty one, a negative-size error.
        Assert.Equal(new long[] { 0 }, zeros(0).repeat(-1).shape);
        Assert.Equal("Trying to create tensor with negative dimension -4: [-4]", Assert.Throws<ArgumentException>(() => zeros(4).repeat(-1)).Message);
        var g = zeros(new long[] { 0, 2 }, requires_grad: true);
        var rg = g.repeat(-1, 2);
        Assert.Equal(new long[] { 0, 4 }, rg.shape);
        rg.sum().backward();
        Assert.Equal(new long[] { 0, 2 }, g.grad!.shape);
    }

    [Fact]
    public void Scatter_backward_to_a_0_dim_src_or_through_a_0_dim_index()
    {
        // A 0-dim src (one element along one dim, as the checks read it) was sliced along a dim it does not
        // have (IndexOutOfRangeException); through a 0-dim index the gradient was broadcast over all of src.
        var src = tensor(-1.5, requires_grad: true);
        var r = scatter(tensor(new[] { 7.0 }), -1, tensor(new long[] { 0 }), src);
        r.sum().backward();
        Assert.Equal(new[] { -1.5f }, r.data<float>().ToArray());
        Assert.Equal(1f, src.grad!.item<float>());
        var s2 = tensor(new[] { 1.0, 2, 3 }, requires_grad: true);
        scatter(zeros(3), 0, tensor(1L), s2).sum().backward();
        Assert.Equal(new[] { 1f, 0, 0 }, s2.grad!.data<float>().ToArray());
    }
}

internal static class TensorTestExtensions
{
    public static bool allclose_like(this Tensor a, Tensor b, double tol = 1e-12) =>
        a.sub(b).abs().ToArray<double>().All(v => v <= tol);
}
