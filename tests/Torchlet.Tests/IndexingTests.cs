using System.Text.Json;
using Torchlet;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests;

/// <summary>
/// Runs one case of the gen_indexing.py / gen_join.py format: inputs (some requiring grad) go
/// through a C# expression; outputs, dtype, grad_fn, view-ness and input gradients of
/// loss = Σ (out·w).sum() must match PyTorch.
/// </summary>
internal static class OpCase
{
    public static void Run(string file, string name, Func<Tensor[], Tensor[]> f, double atol = 1e-6, double rtol = 0)
    {
        var c = Fixtures.Case(file, name);
        var grad = c.GetProperty("grad").EnumerateArray().Select(e => e.GetInt32()).ToHashSet();
        var inputs = c.GetProperty("inputs").EnumerateArray().Select((e, i) => Fixtures.T(e, grad.Contains(i))).ToArray();
        var outs = f(inputs);
        var expected = c.GetProperty("outs").EnumerateArray().ToArray();
        Assert.Equal(expected.Length, outs.Length);
        for (int i = 0; i < outs.Length; i++) Fixtures.AssertClose(expected[i], outs[i], atol, rtol, $"{name}: output {i}");

        var gf = c.GetProperty("grad_fn");
        if (gf.ValueKind == JsonValueKind.Null) Assert.Null(outs[0].grad_fn);
        else Assert.Equal(gf.GetString(), outs[0].grad_fn?.name());
        bool isView = c.GetProperty("is_view").GetBoolean();
        Assert.True(isView == ReferenceEquals(outs[0]._storage, inputs[0]._storage), $"{name}: PyTorch's result is {(isView ? "" : "not ")}a view of input 0");

        if (grad.Count == 0) return;
        var ws = c.GetProperty("ws").EnumerateArray().ToArray();
        Tensor? loss = null;
        for (int i = 0; i < outs.Length; i++)
        {
            if (ws[i].ValueKind == JsonValueKind.Null || !outs[i].requires_grad) continue;
            var term = (outs[i] * Fixtures.T(ws[i])).sum();
            loss = loss is null ? term : loss + term;
        }
        loss?.backward();
        var grads = c.GetProperty("grads").EnumerateArray().ToArray();
        for (int i = 0; i < inputs.Length; i++)
        {
            if (!grad.Contains(i)) continue;
            if (grads[i].ValueKind == JsonValueKind.Null) { Assert.Null(inputs[i].grad); continue; }
            Assert.NotNull(inputs[i].grad);
            Fixtures.AssertClose(grads[i], inputs[i].grad!, atol, rtol, $"{name}: grad of input {i}");
        }
    }

    /// <summary>The message PyTorch gave for error case <paramref name="name"/> of <paramref name="file"/>.json.</summary>
    public static string Error(string file, string name) =>
        Fixtures.Case(file, "errors").GetProperty("errors").GetProperty(name).GetProperty("message").GetString()!;
}

public class IndexingTests
{
    static Tensor L(params long[] v) => tensor(v);
    static Tensor B(params bool[] v) => tensor(v);
    static readonly Tensor M34 = tensor(new bool[,] { { true, false, true, false }, { false, false, true, true }, { true, true, false, false } });

    // The same expressions as gen_indexing.py, written as C# users write them.
    static readonly Dictionary<string, Func<Tensor, Tensor>> Get = new()
    {
        ["int0"] = x => x[0],
        ["int_neg"] = x => x[-1],
        ["int_from_end"] = x => x[^2],
        ["int_pair"] = x => x[1, 2],
        ["int_triple"] = x => x[1, 2, 3],
        ["int_triple_neg"] = x => x[-3, -4, -5],
        ["slice_range"] = x => x[1..3],
        ["slice_open_end"] = x => x[1..],
        ["slice_open_start"] = x => x[..2],
        ["slice_step"] = x => x[TensorIndex.Slice(step: 2)],
        ["slice_step3_start"] = x => x[.., TensorIndex.Slice(1, null, 3)],
        ["slice_neg"] = x => x[.., ^3..^1],
        ["slice_mixed"] = x => x[0, 1.., TensorIndex.Slice(step: 2)],
        ["slice_clamped"] = x => x[.., TensorIndex.Slice(1, 100), TensorIndex.Slice(-100, 2)],
        ["slice_empty"] = x => x[TensorIndex.Slice(2, 1)],
        ["slice_from_end0"] = x => x[.., ^0..],
        ["slice_to_end"] = x => x[1..^1],
        ["slice_explicit_full"] = x => x[0..3, 0..4],
        ["full_colon"] = x => x[..],
        ["colon_colon"] = x => x[.., ..],
        ["ellipsis_only"] = x => x[TensorIndex.Ellipsis],
        ["ellipsis_last"] = x => x[TensorIndex.Ellipsis, 0],
        ["ellipsis_mid"] = x => x[0, TensorIndex.Ellipsis, 1],
        ["ellipsis_slice"] = x => x[TensorIndex.Ellipsis, 1..3],
        ["none_front"] = x => x[TensorIndex.None],
        ["none_mid"] = x => x[.., TensorIndex.None, 1],
        ["none_notes"] = x => x[.., .., TensorIndex.None],
        ["none_end_ellipsis"] = x => x[TensorIndex.Ellipsis, TensorIndex.None],
        ["tensor0d_int"] = x => x[tensor(1)],
        ["adv_list"] = x => x[L(0, 2)],
        ["adv_neg_dup"] = x => x[L(2, -1, 0, 2)],
        ["adv_2d"] = x => x[tensor(new long[,] { { 0, 1 }, { 2, 0 } })],
        ["adv_adjacent_pair"] = x => x[.., L(0, 3), L(1, 4)],
        ["adv_broadcast"] = x => x[tensor(new long[,] { { 0 }, { 2 } }), L(1, 3)],
        ["adv_nonadjacent"] = x => x[L(0, 2), .., L(1, 3)],
        ["adv_int_then_slice"] = x => x[0, .., L(1, 2)],
        ["adv_slice_after"] = x => x[L(0, 2), 1..3],
        ["adv_slice_before"] = x => x[1.., L(0, 0, 3)],
        ["adv_step_slice"] = x => x[TensorIndex.Slice(step: 2), L(1, 2)],
        ["adv_ellipsis"] = x => x[TensorIndex.Ellipsis, L(0, 4)],
        ["adv_none"] = x => x[TensorIndex.None, L(0, 2), TensorIndex.None, L(1, 1)],
        ["adv_all_three"] = x => x[L(0, 1), L(1, 2), L(3, 4)],
        ["adv_empty"] = x => x[tensor(Array.Empty<long>())],
        ["mask_full"] = x => x[x.gt(0)],
        ["mask_2d"] = x => x[x[.., .., 0].gt(0)],
        ["mask_dim1"] = x => x[.., B(true, false, true, true)],
        ["mask_with_index"] = x => x[B(true, false, true), .., L(1, 2)],
        ["mask_after_int"] = x => x[1, x[1].gt(0.5)],
        ["mask_uint8"] = x => x[tensor(new byte[] { 1, 0, 1 })],
        ["bool_true"] = x => x[true],
        ["bool_false"] = x => x[false],
        ["bool_after_int"] = x => x[0, true],
        ["tensor0d_bool"] = x => x[tensor(true)],
        ["int64_adv"] = t => t[L(1, 0), 2],
        ["int64_mask"] = t => t[(t % 3).eq(0)],
        ["bool_slice"] = t => t[1.., TensorIndex.Slice(step: 2)],
    };

    static Func<Tensor[], Tensor> Set(Action<Tensor, Tensor[]> f) => ts => { var a = ts[0].clone(); f(a, ts); return a; };

    static readonly Dictionary<string, Func<Tensor[], Tensor>> Sets = new()
    {
        ["int_scalar"] = Set((a, _) => a[0, 1] = 3.0),
        ["int_scalar_ellipsis"] = Set((a, _) => a[0, TensorIndex.Ellipsis, 2] = -1.5),
        ["row"] = Set((a, t) => a[1] = t[1]),
        ["row_broadcast"] = Set((a, t) => a[1] = t[1]),
        ["slice"] = Set((a, t) => a[.., 1..3] = t[1]),
        ["step"] = Set((a, t) => a[TensorIndex.Slice(step: 2), TensorIndex.Slice(step: 2)] = t[1]),
        ["ellipsis_col"] = Set((a, t) => a[TensorIndex.Ellipsis, 0] = t[1]),
        ["none"] = Set((a, t) => a[TensorIndex.None, 0, 1] = t[1]),
        ["neg"] = Set((a, t) => a[.., ^1, -1] = t[1]),
        ["zero_dim_value"] = Set((a, t) => a[1.., 2] = t[1]),
        ["adv"] = Set((a, t) => a[L(0, 2)] = t[1]),
        ["adv_broadcast"] = Set((a, t) => a[L(0, 2)] = t[1]),
        ["adv_pair"] = Set((a, t) => a[L(0, 1), L(1, 2)] = t[1]),
        ["adv_mixed"] = Set((a, t) => a[0, .., L(1, 3)] = t[1]),
        ["adv_leading_ones"] = Set((a, t) => a[L(0)] = t[1]),
        ["mask_scalar"] = Set((a, _) => a[a.gt(0)] = 0.0),
        ["mask_tensor"] = Set((a, t) => a[M34] = t[1]),
        ["mask_broadcast_value"] = Set((a, t) => a[M34] = t[1]),
        ["float64_value"] = Set((a, t) => a[1, 1] = t[1]),
        ["index_put_accumulate"] = Set((a, t) => a.index_put_([L(0, 2, 0, 0)], t[1], accumulate: true)),
        ["index_put_pair"] = Set((a, t) => a.index_put_([L(2, 0), L(3, 3)], t[1])),
        ["int_dtype_float_value"] = Set((a, _) => a[0] = 2.7),
        ["int_dtype_mask"] = Set((a, _) => a[a.gt(20)] = -1),
        ["bool_dtype"] = Set((a, _) => a[.., 1] = true),
    };

    public static IEnumerable<object[]> GetCases() => Get.Keys.Select(k => new object[] { k });
    public static IEnumerable<object[]> SetCases() => Sets.Keys.Select(k => new object[] { k });

    [Fact]
    public void Every_fixture_case_has_a_csharp_twin()
    {
        var names = Fixtures.Load("indexing").Select(c => c.GetProperty("name").GetString()!).Where(n => n != "errors").ToHashSet();
        var mine = Get.Keys.Select(k => "get_" + k).Concat(Sets.Keys.Select(k => "set_" + k)).ToHashSet();
        Assert.Equal(names.OrderBy(n => n), mine.OrderBy(n => n));
    }

    [Theory]
    [MemberData(nameof(GetCases))]
    public void Reading_matches_pytorch(string name) => OpCase.Run("indexing", "get_" + name, ts => [Get[name](ts[0])]);

    [Theory]
    [MemberData(nameof(SetCases))]
    public void Writing_matches_pytorch(string name) => OpCase.Run("indexing", "set_" + name, ts => [Sets[name](ts)]);

    // ---------------------------------------------------------------- views and copies

    [Fact]
    public void Basic_indexing_gives_views_that_write_through()
    {
        var x = arange(24.0).reshape(2, 3, 4);
        var v = x[1, .., 1..3];
        Assert.Same(x._storage, v._storage);
        v.fill_(-1);
        Assert.Equal(-1f, x[1, 2, 2].item<float>());
        Assert.Equal(-1f, x[1, 0, 1].item<float>());
        Assert.Equal(20f, x[1, 2, 0].item<float>());
        // and the other way: writes to the base show in the view
        x[1, 0, 2] = 100;
        Assert.Equal(100f, v[0, 1].item<float>());
        // a view of a view, written through its setter
        var row = x[0];
        row[2, 3] = 7.5;
        Assert.Equal(7.5f, x[0, 2, 3].item<float>());
        var nv = x[TensorIndex.None, TensorIndex.Ellipsis, 0];
        Assert.Same(x._storage, nv._storage);
        Assert.Equal(new long[] { 1, 2, 3 }, nv.shape);
    }

    [Fact]
    public void Advanced_indexing_copies()
    {
        var x = arange(12.0).reshape(3, 4);
        var c = x[L(0, 2)];
        Assert.NotSame(x._storage, c._storage);
        c.fill_(9);
        Assert.Equal(0f, x[0, 0].item<float>());
        var m = x[x.gt(5)];
        m.fill_(-3);
        Assert.Equal(11f, x[2, 3].item<float>());
        var b = x[true];
        Assert.NotSame(x._storage, b._storage);
    }

    [Fact]
    public void Setter_writes_into_the_base_storage_and_bumps_the_version()
    {
        var x = zeros(3, 4);
        var before = x._storage.Version;
        var storage = x._storage;
        x[.., 1] = tensor(new[] { 1.0, 2.0, 3.0 });
        x[L(0, 2), L(3, 3)] = 5.0;
        x[x.eq(2)] = -2;
        Assert.Same(storage, x._storage);
        Assert.Equal(before + 3, x._storage.Version);
        Assert.Equal(new float[] { 0, 1, 0, 5, 0, -2, 0, 0, 0, 3, 0, 5 }, x.data<float>().ToArray());
    }

    [Fact]
    public void Setter_through_a_view_shows_in_the_base()
    {
        var x = zeros(2, 3);
        var v = x[1];
        v[L(0, 2)] = 4.0;
        v[1] = 2;
        Assert.Equal(new float[] { 0, 0, 0, 4, 2, 4 }, x.data<float>().ToArray());
    }

    [Fact]
    public void Overlapping_self_assignment_reads_the_old_values()
    {
        var x = arange(6.0);
        x[1..] = x[..^1];
        Assert.Equal(new float[] { 0, 0, 1, 2, 3, 4 }, x.data<float>().ToArray());
        var y = arange(6.0);
        y[L(1, 2, 3, 4, 5)] = y[..^1];
        Assert.Equal(new float[] { 0, 0, 1, 2, 3, 4 }, y.data<float>().ToArray());
    }

    [Fact]
    public void Writing_into_a_tensor_saved_for_backward_is_detected()
    {
        var leaf = tensor(new[] { 1.0, 2.0, 3.0 }, requires_grad: true);
        var a = leaf * 1;
        var sq = a.mul(a);
        a[0] = 10;
        var e = Assert.Throws<InvalidOperationException>(() => sq.sum().backward());
        Assert.Contains("modified by an inplace operation", e.Message);
    }

    [Fact]
    public void Writing_a_value_that_requires_grad_into_a_plain_tensor_records_copyslices()
    {
        var v = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        var a = zeros(3, 2);
        a[1] = v;
        a[2] = v * 3;
        Assert.True(a.requires_grad);
        Assert.Equal("CopySlices", a.grad_fn!.name());
        (a * tensor(new[] { 1.0, 10.0 })).sum().backward();
        Assert.Equal(new float[] { 4, 40 }, v.grad!.data<float>().ToArray());
    }

    [Fact]
    public void Overwritten_region_gets_no_gradient()
    {
        var leaf = ones(new long[] { 4 }, requires_grad: true);
        var a = leaf * 2;
        a[1..3] = 0.0;
        a.sum().backward();
        Assert.Equal(new float[] { 2, 0, 0, 2 }, leaf.grad!.data<float>().ToArray());
    }

    [Fact]
    public void Writing_into_a_leaf_that_requires_grad_throws_and_changes_nothing()
    {
        var leaf = zeros(new long[] { 3, 4 }, requires_grad: true);
        var e1 = Assert.Throws<InvalidOperationException>(() => leaf[0] = 1.0);
        Assert.Contains(OpCase.Error("indexing", "leaf_view"), e1.Message);
        var e2 = Assert.Throws<InvalidOperationException>(() => leaf[L(0)] = 1.0);
        Assert.Contains("a leaf Variable that requires grad is being used in an in-place operation", e2.Message);
        Assert.Equal(0f, leaf.sum().item<float>());
        Assert.True(leaf.is_leaf);
        using (no_grad()) leaf[0, 0] = 5.0;
        Assert.Equal(5f, leaf[0, 0].item<float>());
        Assert.True(leaf.is_leaf);
    }

    [Fact]
    public void Index_and_index_put_methods_match_the_indexer()
    {
        var x = arange(12.0).reshape(3, 4);
        Assert.True(x.index(1, TensorIndex.Slice(1, 3)).equal(x[1, 1..3]));
        Assert.True(x.index(TensorIndex.Tensor(L(2, 0))).equal(x[L(2, 0)]));
        var y = x.clone();
        y.index_put_(tensor(-1.0), TensorIndex.Colon, TensorIndex.Single(0));
        y.index_put_(7, TensorIndex.Single(2), TensorIndex.Slice(2));
        Assert.Equal(new float[] { -1, 1, 2, 3, -1, 5, 6, 7, -1, 9, 7, 7 }, y.data<float>().ToArray());
        var z = x.index_put([L(0, 0, 1)], tensor(new[] { 1.0, 2.0, 3.0 }).unsqueeze(1), accumulate: true);
        Assert.True(z[0].equal(x[0] + 3));
        Assert.True(z[1].equal(x[1] + 3));
        Assert.True(z[2].equal(x[2]));
        Assert.Equal(0f, x[0, 0].item<float>());
    }

    [Fact]
    public void Long_and_index_overloads_resolve_as_expected()
    {
        var x = arange(24.0).reshape(2, 3, 4);
        var mask = x.gt(20);
        var idx = L(1, 0);
        Assert.Equal(new long[] { 3, 4 }, x[0].shape);
        Assert.Equal(new long[] { 4 }, x[0, 1].shape);
        Assert.Equal(new long[] { 2, 4 }, x[.., 0].shape);
        Assert.Equal(new long[] { 3 }, x[mask].shape);
        Assert.Equal(new long[] { 2, 3, 4 }, x[idx].shape);
        Assert.Equal(new long[] { 2, 3 }, x[TensorIndex.Ellipsis, 0].shape);
        Assert.Equal(new long[] { 1, 2, 3, 4 }, x[TensorIndex.None].shape);
        Assert.Equal(new long[] { 3, 4 }, x[^1].shape);
        Assert.Equal(new long[] { 1, 4 }, x[0, 1..^1].shape);
        Assert.Equal(new long[] { 2, 1, 4 }, x[.., (1, 2)].shape);
        Assert.Equal(new long[] { 2, 3, 4 }, x[new long[0]].shape);
        Assert.Equal(23f, x[1, 2, 3].item<float>());
        var row = x[-1, 0];
        Assert.Same(x._storage, row._storage);
        Assert.Equal(new float[] { 12, 13, 14, 15 }, row.data<float>().ToArray());
        Assert.Equal(new float[] { 16, 20 }, x[1, .., 0][1..].data<float>().ToArray());
        Assert.Equal("AliasBackward0", x.requires_grad_()[new long[0]].grad_fn!.name());
    }

    // ---------------------------------------------------------------- null is None

    // The fixture's None cases once more, written with C#'s null as a Python user writes None.
    static readonly Dictionary<string, Func<Tensor, Tensor>> GetWithNull = new()
    {
        ["none_front"] = x => x[null],
        ["none_mid"] = x => x[.., null, 1],
        ["none_notes"] = x => x[.., .., null],
        ["none_end_ellipsis"] = x => x[TensorIndex.Ellipsis, null],
        ["adv_none"] = x => x[null, L(0, 2), null, L(1, 1)],
    };

    public static IEnumerable<object[]> GetWithNullCases() => GetWithNull.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(GetWithNullCases))]
    public void Null_index_reads_as_None_like_pytorch(string name) => OpCase.Run("indexing", "get_" + name, ts => [GetWithNull[name](ts[0])]);

    [Fact]
    public void Null_index_writes_as_None_like_pytorch() =>
        OpCase.Run("indexing", "set_none", ts => [Set((a, t) => a[null, 0, 1] = t[1])(ts)]);

    [Fact]
    public void Null_index_in_every_position_is_None()
    {
        var x = arange(24.0).reshape(2, 3, 4);
        (Func<Tensor, Tensor> withNull, Func<Tensor, Tensor> withNone, long[] shape)[] forms =
        [
            (t => t[null], t => t[TensorIndex.None], [1, 2, 3, 4]),
            (t => t[null, null], t => t[TensorIndex.None, TensorIndex.None], [1, 1, 2, 3, 4]),
            (t => t[null, 0], t => t[TensorIndex.None, 0], [1, 3, 4]),
            (t => t[0, null], t => t[0, TensorIndex.None], [1, 3, 4]),
            (t => t[0, null, 1..], t => t[0, TensorIndex.None, 1..], [1, 2, 4]),
            (t => t[.., null], t => t[.., TensorIndex.None], [2, 1, 3, 4]),
            (t => t[.., .., null], t => t[.., .., TensorIndex.None], [2, 3, 1, 4]),
            (t => t[.., .., .., null], t => t[.., .., .., TensorIndex.None], [2, 3, 4, 1]),
            (t => t[null, TensorIndex.Ellipsis, null], t => t[TensorIndex.None, TensorIndex.Ellipsis, TensorIndex.None], [1, 2, 3, 4, 1]),
            (t => t[t > 20, null], t => t[t > 20, TensorIndex.None], [3, 1]),
            (t => t.index(null), t => t.index(TensorIndex.None), [1, 2, 3, 4]),
            (t => t.index(1, null), t => t.index(1, TensorIndex.None), [1, 3, 4]),
        ];
        for (int i = 0; i < forms.Length; i++)
        {
            var (withNull, withNone, shape) = forms[i];
            var a = withNull(x); var b = withNone(x);
            Assert.True(shape.SequenceEqual(a.shape), $"form {i}: shape [{string.Join(", ", a.shape)}]");
            Assert.True(a.equal(b), $"form {i}: values differ from TensorIndex.None's");
        }
        // Views share storage and gradients flow as with TensorIndex.None.
        Assert.Same(x._storage, x[.., .., null]._storage);
        var w = randn(2, 3, requires_grad: true);
        var y = w[.., .., null];
        Assert.Equal(w[.., .., TensorIndex.None].grad_fn!.name(), y.grad_fn!.name());
        (y * 2).sum().backward();
        Assert.Equal(new float[] { 2, 2, 2, 2, 2, 2 }, w.grad!.data<float>().ToArray());
    }

    [Fact]
    public void Null_index_assignment_is_None()
    {
        var a = zeros(2, 3);
        a[null] = ones(1, 2, 3) * 4;
        Assert.Equal(Enumerable.Repeat(4f, 6), a.data<float>().ToArray());
        a[.., null, 1] = tensor(new[] { 7.0, 8.0 }).reshape(2, 1);
        Assert.Equal(new float[] { 4, 7, 4, 4, 8, 4 }, a.data<float>().ToArray());
        a[null, 0, null] = 1.5;
        Assert.Equal(new float[] { 1.5f, 1.5f, 1.5f, 4, 8, 4 }, a.data<float>().ToArray());
        a.index_put_(tensor(-1.0), null, 1, 0);
        Assert.Equal(-1f, a[1, 0].item<float>());
        a.index_put_(0, null);
        Assert.Equal(new float[6], a.data<float>().ToArray());
    }

    [Fact]
    public void TensorIndex_prints_like_python()
    {
        Assert.Equal("1:3", ((TensorIndex)(1..3)).ToString());
        Assert.Equal(":", TensorIndex.Colon.ToString());
        Assert.Equal("-2:", ((TensorIndex)(^2..)).ToString());
        Assert.Equal("::2", TensorIndex.Slice(step: 2).ToString());
        Assert.Equal("...", TensorIndex.Ellipsis.ToString());
        Assert.Equal("None", TensorIndex.None.ToString());
        Assert.Equal("^1", ((TensorIndex)(^1)).ToString());
        Assert.Equal("-1", ((TensorIndex)(-1)).ToString());
        Assert.Equal("True", ((TensorIndex)true).ToString());
    }

    [Fact]
    public void Nonzero_and_argwhere()
    {
        var x = tensor(new long[,] { { 0, 1, 0 }, { 2, 0, 3 } });
        Assert.Equal(new long[] { 0, 1, 1, 0, 1, 2 }, x.nonzero().data<long>().ToArray());
        Assert.Equal(new long[] { 3, 2 }, argwhere(x).shape);
        var cols = x.nonzero_as_list();
        Assert.Equal(new long[] { 0, 1, 1 }, cols[0].data<long>().ToArray());
        Assert.Equal(new long[] { 1, 0, 2 }, cols[1].data<long>().ToArray());
        Assert.Equal(new long[] { 1, 0 }, tensor(3.0).nonzero().shape);
        Assert.Equal(new long[] { 0, 0 }, tensor(0.0).nonzero().shape);
        Assert.Equal(new long[] { 0, 2 }, zeros(2, 2).nonzero().shape);
    }

    // ---------------------------------------------------------------- errors

    static readonly Tensor Y = arange(12.0).reshape(3, 4);

    public static IEnumerable<object[]> ErrorCases() => new[]
    {
        "oob_first", "oob_second", "oob_negative", "too_many", "too_many_mask", "adv_oob", "adv_oob_second", "adv_oob_pair",
        "float_index", "int32_index", "mask_shape", "broadcast", "step_zero", "set_expand", "set_dtype", "set_shape",
    }.Select(n => new object[] { n });

    static readonly Dictionary<string, (Action run, Type type)> Errors = new()
    {
        ["oob_first"] = (() => _ = Y[5], typeof(IndexOutOfRangeException)),
        ["oob_second"] = (() => _ = Y[0, 9], typeof(IndexOutOfRangeException)),
        ["oob_negative"] = (() => _ = Y[-4], typeof(IndexOutOfRangeException)),
        ["too_many"] = (() => _ = Y[1, 2, 3], typeof(IndexOutOfRangeException)),
        ["too_many_mask"] = (() => _ = Y[ones(new long[] { 3, 4 }, dtype: @bool), 0], typeof(IndexOutOfRangeException)),
        ["adv_oob"] = (() => _ = Y[L(5)], typeof(IndexOutOfRangeException)),
        ["adv_oob_second"] = (() => _ = Y[.., L(7)], typeof(IndexOutOfRangeException)),
        ["adv_oob_pair"] = (() => _ = Y[L(0, 1), L(9, 0)], typeof(IndexOutOfRangeException)),
        ["float_index"] = (() => _ = Y[tensor(new[] { 1.0 })], typeof(IndexOutOfRangeException)),
        ["int32_index"] = (() => _ = Y[tensor(new[] { 1 }, dtype: int32)], typeof(IndexOutOfRangeException)),
        ["mask_shape"] = (() => _ = Y[B(true, false)], typeof(IndexOutOfRangeException)),
        ["broadcast"] = (() => _ = Y[L(0, 1), L(0, 1, 2)], typeof(IndexOutOfRangeException)),
        ["step_zero"] = (() => _ = Y[TensorIndex.Slice(step: 0)], typeof(ArgumentException)),
        ["set_expand"] = (() => Y.clone()[0] = ones(3), typeof(ArgumentException)),
        ["set_dtype"] = (() => Y.clone()[L(0)] = ones(new long[] { 1 }, dtype: float64), typeof(ArgumentException)),
        ["set_shape"] = (() => Y.clone()[L(0, 1)] = ones(3), typeof(ArgumentException)),
    };

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void Errors_carry_pytorchs_message(string name)
    {
        var (run, type) = Errors[name];
        var e = Assert.Throws(type, run);
        Assert.Contains(OpCase.Error("indexing", name), e.Message);
    }

    [Fact]
    public void Errors_beyond_pytorch_1_13()
    {
        // PyTorch 1.13 silently accepts two ellipses; NumPy (and this engine) reject them.
        var e1 = Assert.Throws<IndexOutOfRangeException>(() => Y[TensorIndex.Ellipsis, 0, TensorIndex.Ellipsis]);
        Assert.Contains("an index can only have a single ellipsis", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => Y[TensorIndex.Slice(step: -1)]);
        Assert.Contains("step must be greater than zero", e2.Message);
        var e3 = Assert.Throws<IndexOutOfRangeException>(() => Y[^5]);
        Assert.Contains("index ^5 is out of bounds for dimension 0 with size 3", e3.Message);
        var e4 = Assert.Throws<IndexOutOfRangeException>(() => Y[0, ^0]);
        Assert.Contains("index ^0 is out of bounds for dimension 1 with size 4", e4.Message);
        // A failed write leaves the tensor untouched.
        var z = zeros(3, 4);
        Assert.Throws<IndexOutOfRangeException>(() => z[L(0, 9)] = 1.0);
        Assert.Throws<ArgumentException>(() => z[L(0, 1)] = ones(3));
        Assert.Throws<ArgumentException>(() => z[0] = ones(3));
        var e5 = Assert.Throws<ArgumentException>(() => z[0] = ones(2, 4));
        Assert.Contains("expand(torch.FloatTensor{[2, 4]}, size=[4]): the number of sizes provided (1) must be greater or equal to the number of dimensions in the tensor (2)", e5.Message);
        var e6 = Assert.Throws<ArgumentException>(() => z[L(0)] = ones(2, 2, 4));
        Assert.Contains("shape mismatch: value tensor of shape [2, 2, 4] cannot be broadcast to indexing result of shape [1, 4]", e6.Message);
        Assert.Equal(0f, z.abs().sum().item<float>());
        Assert.Equal(0, z._storage.Version);
    }

    [Fact]
    public void Mask_after_other_indices_follows_numpy()
    {
        // PyTorch 1.13 raises here (a known bug: it misplaces the mask's dims); NumPy's answer is x[m][:, 0].
        var x = arange(60.0).reshape(3, 4, 5);
        var m = zeros(new long[] { 3, 4 }, dtype: @bool);
        m[0, 1] = true; m[2, 3] = true;
        Assert.Equal(new float[] { 5, 55 }, x[m, 0].data<float>().ToArray());
    }

    // ---------------------------------------------------------------- gradcheck (float64)

    static readonly Dictionary<string, Func<Tensor, Tensor>> GradGet = new()
    {
        ["select"] = x => x[1],
        ["select_pair"] = x => x[-1, 2],
        ["slice"] = x => x[.., 1..3],
        ["step"] = x => x[TensorIndex.Slice(step: 2), TensorIndex.Slice(1, null, 2)],
        ["none_ellipsis"] = x => x[TensorIndex.None, TensorIndex.Ellipsis, 0],
        ["alias"] = x => x[TensorIndex.Ellipsis],
        ["adv_dup"] = x => x[L(2, 0, 2)],
        ["adv_pair"] = x => x[L(0, 2, 2), .., L(1, 1, 0)],
        ["adv_adjacent"] = x => x[.., L(3, 3), L(0, 2)],
        ["mask"] = x => x[x.gt(0)],
        ["mask_then_slice"] = x => x[B(true, false, true), 1..],
        ["bool"] = x => x[true, 0],
    };

    public static IEnumerable<object[]> GradGetCases() => GradGet.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(GradGetCases))]
    public void Reading_passes_gradcheck(string name) =>
        GradCheck.Check(ts => GradGet[name](ts[0]), [GradCheck.Input([3, 4, 3], 7)], what: name);

    static readonly Dictionary<string, Action<Tensor, Tensor>> GradSet = new()
    {
        ["row"] = (a, v) => a[1] = v,
        ["slice_broadcast"] = (a, v) => a[.., 1..3] = v,
        ["step"] = (a, v) => a[TensorIndex.Slice(step: 2), 0] = v,
        ["adv"] = (a, v) => a[L(0, 2)] = v,
        ["adv_mixed"] = (a, v) => a[1, L(0, 3)] = v,
        ["mask"] = (a, v) => a[B(true, false, true)] = v,
        ["accumulate"] = (a, v) => a.index_put_([L(0, 0, 2)], v.expand(3, 4, 3), accumulate: true),
    };

    public static IEnumerable<object[]> GradSetCases() => GradSet.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(GradSetCases))]
    public void Writing_passes_gradcheck_for_old_content_and_value(string name)
    {
        GradCheck.Check(ts =>
        {
            var a = ts[0] * 1;
            GradSet[name](a, ts[1]);
            return a.mul(a);
        }, [GradCheck.Input([3, 4, 3], 11), GradCheck.Input([3], 12)], what: name);
    }

    // ---------------------------------------------------------------- random shapes against an independent loop

    /// <summary>One result dim of a basic index: where it reads from (src dim, start, step), or a None dim.</summary>
    record struct Axis(int SrcDim, int Start, int Step, int Len);

    [Fact]
    public void Random_basic_indices_match_a_reference_loop()
    {
        var rng = new Random(1234);
        for (int trial = 0; trial < 300; trial++)
        {
            int nd = rng.Next(1, 5);
            var shape = Enumerable.Range(0, nd).Select(_ => (long)rng.Next(1, 6)).ToArray();
            int n = (int)shape.Aggregate(1L, (a, b) => a * b);
            var data = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
            var x = tensor(data, shape, dtype: float64);
            // Random transposed views too, so strides are not always contiguous.
            if (nd >= 2 && rng.Next(3) == 0) { x = x.transpose(0, nd - 1); (shape[0], shape[nd - 1]) = (shape[nd - 1], shape[0]); }
            var (indices, axes, fixedSrc) = RandomBasicIndex(rng, shape);
            var r = x[indices];
            Assert.Same(x._storage, r._storage);
            var expShape = axes.Select(a => (long)a.Len).ToArray();
            Assert.Equal(expShape, r.shape);
            var got = r.data<double>().ToArray();
            var want = ReferenceGather(x, axes, fixedSrc);
            Assert.Equal(want, got);

            // The setter writes exactly those positions.
            var y = x.clone();
            var yRef = (double[])y.Buffer<double>().Clone();
            var positions = ReferencePositions(y, axes, fixedSrc);
            for (int i = 0; i < positions.Length; i++) yRef[positions[i]] = -i;
            y[indices] = arange(got.Length, dtype: float64).neg().reshape(expShape);
            Assert.Equal(yRef, y.Buffer<double>());
        }
    }

    static (TensorIndex[] indices, List<Axis> axes, int[] fixedSrc) RandomBasicIndex(Random rng, long[] shape)
    {
        int nd = shape.Length;
        var list = new List<TensorIndex>();
        var axes = new List<Axis>();
        var fixedSrc = new int[nd];
        int consume = rng.Next(0, nd + 1);
        bool ellipsis = consume < nd && rng.Next(2) == 0;
        int ellipsisAt = ellipsis ? rng.Next(0, consume + 1) : -1;
        int d = 0;
        for (int k = 0; k <= consume; k++)
        {
            if (k == ellipsisAt)
            {
                list.Add(TensorIndex.Ellipsis);
                int skip = nd - consume;
                for (int j = 0; j < skip; j++, d++) axes.Add(new Axis(d, 0, 1, (int)shape[d]));
            }
            if (rng.Next(5) == 0) { list.Add(TensorIndex.None); axes.Add(new Axis(-1, 0, 1, 1)); }
            if (k == consume) break;
            int size = (int)shape[d];
            switch (rng.Next(4))
            {
                case 0:
                {
                    int i = rng.Next(-size, size);
                    list.Add(rng.Next(2) == 0 ? TensorIndex.Single(i) : i < 0 ? (TensorIndex)(^(-i)) : (TensorIndex)(Index)i);
                    fixedSrc[d] = i < 0 ? i + size : i;
                    break;
                }
                case 1:
                {
                    long? s = rng.Next(3) == 0 ? null : rng.Next(-size - 2, size + 2);
                    long? e = rng.Next(3) == 0 ? null : rng.Next(-size - 2, size + 2);
                    long? st = rng.Next(2) == 0 ? null : rng.Next(1, 4);
                    list.Add(TensorIndex.Slice(s, e, st));
                    int step = (int)(st ?? 1);
                    int s0 = (int)Math.Clamp(s is { } a ? (a < 0 ? a + size : a) : 0, 0, size);
                    int e0 = (int)Math.Clamp(e is { } b ? (b < 0 ? b + size : b) : size, 0, size);
                    int len = e0 <= s0 ? 0 : (e0 - s0 + step - 1) / step;
                    axes.Add(new Axis(d, s0, step, len));
                    break;
                }
                case 2:
                    list.Add(..);
                    axes.Add(new Axis(d, 0, 1, size));
                    break;
                default:
                {
                    int a = rng.Next(0, size + 1), b = rng.Next(0, size + 1);
                    if (b < a) (a, b) = (b, a);
                    list.Add(a..b);
                    axes.Add(new Axis(d, a, 1, b - a));
                    break;
                }
            }
            if (list[^1].kind == TensorIndex.Kind.Single) { d++; continue; }
            d++;
        }
        for (; d < nd; d++) axes.Add(new Axis(d, 0, 1, (int)shape[d]));
        return (list.ToArray(), axes, fixedSrc);
    }

    /// <summary>Storage positions of the result elements, computed from the axis description alone.</summary>
    static int[] ReferencePositions(Tensor x, List<Axis> axes, int[] fixedSrc)
    {
        var strides = x.stride();
        int n = axes.Aggregate(1, (a, ax) => a * ax.Len);
        var r = new int[n];
        var coord = new int[axes.Count];
        for (int i = 0; i < n; i++)
        {
            var src = (int[])fixedSrc.Clone();
            for (int k = 0; k < axes.Count; k++)
                if (axes[k].SrcDim >= 0) src[axes[k].SrcDim] = axes[k].Start + coord[k] * axes[k].Step;
            long off = x.storage_offset();
            for (int dd = 0; dd < src.Length; dd++) off += src[dd] * strides[dd];
            r[i] = (int)off;
            for (int k = axes.Count - 1; k >= 0; k--)
            {
                if (++coord[k] < axes[k].Len) break;
                coord[k] = 0;
            }
        }
        return r;
    }

    static double[] ReferenceGather(Tensor x, List<Axis> axes, int[] fixedSrc)
    {
        var buf = x.Buffer<double>();
        return ReferencePositions(x, axes, fixedSrc).Select(p => buf[p]).ToArray();
    }

    [Fact]
    public void Random_advanced_indices_match_a_reference_loop()
    {
        var rng = new Random(99);
        for (int trial = 0; trial < 200; trial++)
        {
            int nd = rng.Next(2, 5);
            var shape = Enumerable.Range(0, nd).Select(_ => rng.Next(1, 5)).ToArray();
            int n = shape.Aggregate(1, (a, b) => a * b);
            var x = tensor(Enumerable.Range(0, n).Select(i => (double)i).ToArray(), shape.Select(s => (long)s).ToArray(), dtype: float64);
            // Index 1 or 2 dims (adjacent or not) with tensors of a common broadcast shape; the rest are full slices.
            var dims = Enumerable.Range(0, nd).OrderBy(_ => rng.Next()).Take(rng.Next(1, 3)).OrderBy(d => d).ToArray();
            int k1 = rng.Next(0, 4), k2 = rng.Next(1, 3);
            var bshape = rng.Next(2) == 0 ? new[] { k1 } : new[] { k2, k1 };
            int nb = bshape.Aggregate(1, (a, b) => a * b);
            var idxVals = dims.Select(d => Enumerable.Range(0, nb).Select(_ => (long)rng.Next(-shape[d], shape[d])).ToArray()).ToArray();
            var indices = new TensorIndex[dims[^1] + 1];
            for (int d = 0; d <= dims[^1]; d++) indices[d] = TensorIndex.Colon;
            for (int k = 0; k < dims.Length; k++) indices[dims[k]] = tensor(idxVals[k], bshape.Select(s => (long)s).ToArray());
            var r = x[indices];

            // NumPy's rule, written out: B replaces adjacent indexed dims in place, otherwise it goes first.
            bool adjacent = dims.Length == 1 || dims[1] == dims[0] + 1;
            var rest = Enumerable.Range(0, nd).Where(d => !dims.Contains(d)).ToArray();
            var pre = adjacent ? rest.Where(d => d < dims[0]).ToArray() : [];
            var post = rest.Where(d => !pre.Contains(d)).ToArray();
            var expShape = pre.Select(d => (long)shape[d]).Concat(bshape.Select(s => (long)s)).Concat(post.Select(d => (long)shape[d])).ToArray();
            Assert.Equal(expShape, r.shape);
            var want = new List<double>();
            foreach (var pc in Coords(pre.Select(d => shape[d]).ToArray()))
                for (int b = 0; b < nb; b++)
                    foreach (var qc in Coords(post.Select(d => shape[d]).ToArray()))
                    {
                        var src = new int[nd];
                        for (int i = 0; i < pre.Length; i++) src[pre[i]] = pc[i];
                        for (int i = 0; i < post.Length; i++) src[post[i]] = qc[i];
                        for (int k = 0; k < dims.Length; k++) { long v = idxVals[k][b]; src[dims[k]] = (int)(v < 0 ? v + shape[dims[k]] : v); }
                        int flat = 0;
                        for (int d = 0; d < nd; d++) flat = flat * shape[d] + src[d];
                        want.Add(flat);
                    }
            Assert.Equal(want.ToArray(), r.data<double>().ToArray());

            // Backward of the gather is an accumulating scatter: count how often each element was picked.
            var leaf = x.clone().requires_grad_();
            leaf[indices].sum().backward();
            var counts = new double[n];
            foreach (var w in want) counts[(int)w]++;
            Assert.Equal(counts, leaf.grad!.data<double>().ToArray());
        }
    }

    static IEnumerable<int[]> Coords(int[] shape)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        var c = new int[shape.Length];
        for (int i = 0; i < n; i++)
        {
            yield return (int[])c.Clone();
            for (int k = shape.Length - 1; k >= 0; k--)
            {
                if (++c[k] < shape[k]) break;
                c[k] = 0;
            }
        }
    }
}
