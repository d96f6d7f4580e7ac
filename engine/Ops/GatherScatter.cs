using Torchlet.Kernels;

namespace Torchlet;

/// <summary>
/// Index-driven copies along one dim, as PyTorch's TensorAdvancedIndexing.cpp: gather/scatter/
/// scatter_add and index_select/index_add/index_fill (torch.index_put's method is in Indexing.cs).
/// Backward rules sit beside their forwards.
/// </summary>
public partial class Tensor
{
    // ---------------------------------------------------------------- gather / scatter

    static int[] NonEmpty(int[] shape) => shape.Length == 0 ? [1] : shape;
    static int[] NonEmptyStrides(Tensor t) => t._shape.Length == 0 ? [1] : t._strides;

    /// <summary>out[i][j] = self[index[i][j]][j] (dim 0): picks along <paramref name="dim"/> by an int64 index of the same rank.</summary>
    public Tensor gather(long dim, Tensor index)
    {
        if (index.dtype != ScalarType.Int64)
            throw new ArgumentException($"gather(): Expected dtype int64 for index, but got {index.dtype.TorchName()}");
        int d = Shape.NormDim(dim, _shape.Length, "dim");
        var self = NonEmpty(_shape); var ish = NonEmpty(index._shape);
        if (self.Length != ish.Length)
            throw new ArgumentException($"Index tensor must have the same number of dimensions as input tensor (index is {index._shape.Length}-D {Shape.Str(index._shape)}, input is {_shape.Length}-D {Shape.Str(_shape)})");
        for (int k = 0; k < self.Length; k++)
            if (k != d && ish[k] > self[k])
                throw new ArgumentException($"Size does not match at dimension {k} expected index {Shape.Str(index._shape)} to be smaller than self {Shape.Str(_shape)} apart from dimension {d}");
        var idx = CheckedIndex(index, d, self[d]);
        var r = Empty(index._shape, dtype);
        DimGather(this, d, idx, ish, r);
        if (NeedsGrad(this))
        {
            var si = new SavedTensor(index); var shape = _shape;
            Record(r, "GatherBackward0", g =>
            {
                var z = Empty(shape, g.dtype, clear: true);
                var ix = si.Get().contiguous_nograd();
                DimScatter(z, d, ix.Span<long>().ToArray(), NonEmpty(ix._shape), g, add: true);
                return z;
            }, true, this);
        }
        return r;
    }

    /// <summary>The index values as a contiguous array, each checked to lie in [0, size).</summary>
    static long[] CheckedIndex(Tensor index, int d, int size)
    {
        var idx = index.contiguous_nograd().Span<long>().ToArray();
        foreach (var v in idx)
            if (v < 0 || v >= size) throw new IndexOutOfRangeException($"index {v} is out of bounds for dimension {d} with size {size}");
        return idx;
    }

    /// <summary>Validates scatter/scatter_add arguments before anything is written; returns the normalised dim and index values.</summary>
    (int d, long[] idx) ValidateScatter(long dim, Tensor index, Tensor? src, string op)
    {
        if (index.dtype != ScalarType.Int64)
            throw new ArgumentException($"{op}(): Expected dtype int64 for index, but got {index.dtype.TorchName()}");
        if (src is not null && src.dtype != dtype)
            throw new ArgumentException($"scatter(): Expected self.dtype to be equal to src.dtype (self is {dtype.TorchName()}, src is {src.dtype.TorchName()})");
        int d = Shape.NormDim(dim, _shape.Length, "dim");
        var self = NonEmpty(_shape); var ish = NonEmpty(index._shape);
        if (ish.Length != self.Length)
            throw new ArgumentException($"Index tensor must have the same number of dimensions as self tensor (index is {index._shape.Length}-D, self is {_shape.Length}-D)");
        if (src is not null && NonEmpty(src._shape).Length != self.Length)
            throw new ArgumentException($"Index tensor must have the same number of dimensions as src tensor (index is {index._shape.Length}-D, src is {src._shape.Length}-D)");
        if (index.Numel > 0)
        {
            var srcSh = src is null ? null : NonEmpty(src._shape);
            for (int k = 0; k < self.Length; k++)
            {
                if ((k != d && ish[k] > self[k]) || (srcSh is not null && ish[k] > srcSh[k]))
                    throw new ArgumentException($"Expected index {Shape.Str(index._shape)} to be smaller than self {Shape.Str(_shape)} apart from dimension {d}" +
                        (src is null ? "" : $" and to be smaller size than src {Shape.Str(src._shape)}"));
            }
        }
        return (d, CheckedIndex(index, d, self[d]));
    }

    public Tensor scatter(long dim, Tensor index, Tensor src) => ScatterOp(dim, index, src, default, add: false, "scatter");
    public Tensor scatter(long dim, Tensor index, Scalar value) => ScatterOp(dim, index, null, value, add: false, "scatter");
    public Tensor scatter_add(long dim, Tensor index, Tensor src) => ScatterOp(dim, index, src, default, add: true, "scatter_add");

    public Tensor scatter_(long dim, Tensor index, Tensor src) => ScatterInplace(dim, index, src, default, add: false, "scatter_");
    public Tensor scatter_(long dim, Tensor index, Scalar value) => ScatterInplace(dim, index, null, value, add: false, "scatter_");
    public Tensor scatter_add_(long dim, Tensor index, Tensor src) => ScatterInplace(dim, index, src, default, add: true, "scatter_add_");

    Tensor ScatterOp(long dim, Tensor index, Tensor? src, Scalar value, bool add, string op)
    {
        var (d, idx) = ValidateScatter(dim, index, src, op);
        var r = clone_nograd();
        var ish = NonEmpty(index._shape);
        DimScatter(r, d, idx, ish, src ?? ScalarTensor(value, dtype), add);
        bool srcGrad = src is not null && src._requiresGrad;
        if (GradMode.Enabled && (_requiresGrad || srcGrad))
        {
            var si = new SavedTensor(index);
            Tensor self = this;
            string name = add ? "ScatterAddBackward0" : src is null ? "ScatterBackward1" : "ScatterBackward0";
            Func<Tensor, (Tensor?, Tensor?)> bw = g =>
            {
                var ix = si.Get().contiguous_nograd();
                var iv = ix.Span<long>().ToArray();
                Tensor? gSelf = null, gSrc = null;
                if (self._requiresGrad)
                {
                    if (add) gSelf = g;
                    else { gSelf = g.clone_nograd(); DimScatter(gSelf, d, iv, ish, ScalarTensor(0, g.dtype), add: false); }
                }
                if (src is not null && src._requiresGrad)
                {
                    var picked = Empty(ix._shape, g.dtype);
                    DimGather(g, d, iv, ish, picked);
                    gSrc = PadTo(picked, src._shape);
                }
                return (gSelf, gSrc);  // gSrc stays null without src
            };
            if (src is null) Record(r, name, g => bw(g).Item1, true, this);
            else Record(r, name, bw, true, this, src);
        }
        return r;
    }

    Tensor ScatterInplace(long dim, Tensor index, Tensor? src, Scalar value, bool add, string op)
    {
        bool srcGrad = src is not null && src._requiresGrad;
        CheckInplace(dtype, op);
        if (GradMode.Enabled && (_requiresGrad || srcGrad))
        {
            ValidateScatter(dim, index, src, op.TrimEnd('_'));
            return AssignInplace(Self.ScatterOp(dim, index, src, value, add, op.TrimEnd('_')));
        }
        var (d, idx) = ValidateScatter(dim, index, src, op.TrimEnd('_'));
        var s = src ?? ScalarTensor(value, dtype);
        if (ReferenceEquals(s._storage, _storage)) s = s.clone_nograd();
        DimScatter(this, d, idx, NonEmpty(index._shape), s, add);
        BumpVersion();
        return this;
    }

    /// <summary>A gradient of the index's shape placed at the front corner of zeros of <paramref name="shape"/> (src larger than index).</summary>
    static Tensor PadTo(Tensor g, int[] shape)
    {
        if (Shape.SameShape(g._shape, shape)) return g;
        var z = Empty(shape, g.dtype, clear: true);
        // A 0-dim index or src counts as one element along one dim (as the scatter checks read it): a 0-dim
        // src was sliced along a dim it does not have, a 0-dim gradient was broadcast over the whole src.
        var region = shape.Length == 0 ? z.reshape_nograd([1]) : z;
        var gv = g._shape.Length == 0 ? g.reshape_nograd([1]) : g;
        for (int k = 0; k < gv._shape.Length; k++) region = region.slice_nograd(k, 0, gv._shape[k], 1);
        region.CopyFrom(gv);
        return z;
    }

    /// <summary>
    /// out[p] = self[p with dim ← idx[p]] for every position p of the index, walked row-major;
    /// <paramref name="ish"/> is the index shape (0-dim as [1]), <paramref name="outT"/> is contiguous.
    /// </summary>
    static void DimGather(Tensor self, int d, long[] idx, int[] ish, Tensor outT) =>
        GatherKernels.Dim(self.dtype, self._storage.RawArray, self._offset, NonEmptyStrides(self), idx, ish, d, outT._storage.RawArray);

    /// <summary>dst[p with dim ← idx[p]] (+)= src[p] for every index position p; src may be a 0-dim value.</summary>
    static void DimScatter(Tensor dst, int d, long[] idx, int[] ish, Tensor src, bool add)
    {
        if (src.dtype != dst.dtype) src = src.to_nograd(dst.dtype, false);
        // A 0-dim value broadcasts over all index positions: stride 0 everywhere.
        int[] sSt = src._shape.Length == 0 ? new int[ish.Length] : src._strides;
        ScatterKernels.Dim(dst.dtype, dst._storage.RawArray, dst._offset, NonEmptyStrides(dst), idx, ish, d, src._storage.RawArray, src._offset, sSt, add);
    }

    // ---------------------------------------------------------------- index_select / index_add / index_fill

    /// <summary>An AdvIndex picking <paramref name="index"/> (0-D or 1-D) along dim <paramref name="d"/>.</summary>
    AdvIndex DimIndex(int d, Tensor index, string op, bool allowInt32, Func<long, int, int, string> outOfBounds, bool allowNegative)
    {
        if (index.dtype != ScalarType.Int64 && !(allowInt32 && index.dtype == ScalarType.Int32))
            throw new ArgumentException(allowInt32
                ? $"{op}(): Expected dtype int32 or int64 for index, but got {index.dtype.TorchName()}"
                : $"{op}(): Expected dtype int64 for index. (got {index.dtype.TorchName()})");
        if (index._shape.Length > 1)
            throw new IndexOutOfRangeException($"{op}(): Index is supposed to be a vector, but got a {index._shape.Length}-D index of shape {Shape.Str(index._shape)}");
        var perDim = new Tensor?[_shape.Length];
        perDim[d] = index.to_nograd(ScalarType.Int64, false).reshape_nograd([index.Numel]);
        return AdvIndex.Create(_shape, perDim, outOfBounds, allowNegative);
    }

    int IndexDim(long dim, string op)
    {
        if (_shape.Length == 0)
            throw new ArgumentException($"{op}(): a 0-dim tensor has no dim to index; reshape it to 1-D first");
        return Shape.NormDim(dim, _shape.Length, "dim");
    }

    /// <summary>Picks the entries <paramref name="index"/> (int64 or int32, 1-D) along <paramref name="dim"/> (a copy).</summary>
    public Tensor index_select(long dim, Tensor index)
    {
        int d = IndexDim(dim, "index_select");
        var adv = DimIndex(d, index, "index_select", allowInt32: true, (_, _, _) => "index out of range in self", allowNegative: false);
        var r = adv.Gather(this);
        if (NeedsGrad(this))
        {
            var shape = _shape;
            Record(r, "IndexSelectBackward0", g =>
            {
                var z = Empty(shape, g.dtype, clear: true);
                adv.Scatter(z, g, accumulate: true);
                return z;
            }, false, this);
        }
        return r;
    }

    /// <summary>self[..., index[i], ...] += alpha · source[..., i, ...] along <paramref name="dim"/>; repeated indices add up.</summary>
    public Tensor index_add(long dim, Tensor index, Tensor source, Scalar? alpha = null)
    {
        var (d, adv, vals) = ValidateIndexAdd(dim, index, source, alpha, "index_add");
        var r = clone_nograd();
        adv.Scatter(r, vals, accumulate: true);
        if (GradMode.Enabled && (_requiresGrad || source._requiresGrad))
        {
            Tensor self = this;
            Record(r, "IndexAddBackward0", g =>
            {
                Tensor? gs = null;
                if (source._requiresGrad)
                {
                    gs = adv.Gather(g);
                    if (alpha is { } a && a.ToDouble() != 1) gs = gs.mul(a);
                }
                return (self._requiresGrad ? g : null, gs);
            }, false, this, source);
        }
        return r;
    }

    public Tensor index_add_(long dim, Tensor index, Tensor source, Scalar? alpha = null)
    {
        CheckInplace(dtype, "index_add_");
        if (GradMode.Enabled && (_requiresGrad || source._requiresGrad))
        {
            ValidateIndexAdd(dim, index, source, alpha, "index_add_");
            return AssignInplace(Self.index_add(dim, index, source, alpha));
        }
        var (_, adv, vals) = ValidateIndexAdd(dim, index, source, alpha, "index_add_");
        adv.Scatter(this, vals, accumulate: true);
        BumpVersion();
        return this;
    }

    (int d, AdvIndex adv, Tensor vals) ValidateIndexAdd(long dim, Tensor index, Tensor source, Scalar? alpha, string op)
    {
        int d = IndexDim(dim, op);
        if (source.dtype != dtype)
            throw new ArgumentException($"index_add_(): self ({dtype.CName()}) and source ({source.dtype.CName()}) must have the same scalar type");
        if (index.Numel != (source._shape.Length == 0 ? 1 : source._shape[Math.Min(d, source._shape.Length - 1)]))
            throw new ArgumentException($"index_add_(): Number of indices ({index.Numel}) should be equal to source.size(dim): ({(source._shape.Length == 0 ? 1 : source._shape[Math.Min(d, source._shape.Length - 1)])}), for dim: {d}");
        var adv = DimIndex(d, index, "index_add_", allowInt32: true, (_, _, _) => "index out of range in self", allowNegative: false);
        if (!Shape.SameShape(NonEmpty(source._shape), adv.ResultShape) && !(source._shape.Length == 0 && adv.ResultShape.Length == 1 && adv.ResultShape[0] == 1))
            throw new ArgumentException($"index_add_(): Source/destination tensor must have same slice shapes: source is {Shape.Str(source._shape)}, expected {Shape.Str(adv.ResultShape)} (self {Shape.Str(_shape)} with dim {d} of size {index.Numel})");
        var vals = source.reshape_nograd(adv.ResultShape);
        if (alpha is { } a && a.ToDouble() != 1) vals = ScalarKernel<MulOp>(vals, a, dtype, false);
        return (d, adv, vals);
    }

    /// <summary>Sets the entries <paramref name="index"/> along <paramref name="dim"/> to <paramref name="value"/>.</summary>
    public Tensor index_fill(long dim, Tensor index, Scalar value)
    {
        var adv = IndexFillIndex(dim, index);
        var r = clone_nograd();
        adv.Scatter(r, ScalarTensor(value, dtype), accumulate: false);
        if (NeedsGrad(this))
            Record(r, "IndexFillBackward0", g =>
            {
                var z = g.clone_nograd();
                adv.Scatter(z, ScalarTensor(0, g.dtype), accumulate: false);
                return z;
            }, false, this);
        return r;
    }

    public Tensor index_fill_(long dim, Tensor index, Scalar value)
    {
        CheckInplace(dtype, "index_fill_");
        if (NeedsGrad(this))
        {
            IndexFillIndex(dim, index);
            return AssignInplace(Self.index_fill(dim, index, value));
        }
        var adv = IndexFillIndex(dim, index);
        adv.Scatter(this, ScalarTensor(value, dtype), accumulate: false);
        BumpVersion();
        return this;
    }

    AdvIndex IndexFillIndex(long dim, Tensor index)
    {
        int d = IndexDim(dim, "index_fill_");
        return DimIndex(d, index, "index_fill_", allowInt32: false, (v, _, size) => $"index {v} is out of bounds for dimension {d} with size {size}", allowNegative: true);
    }
}

public static partial class torch
{
    public static Tensor gather(Tensor input, long dim, Tensor index) => input.gather(dim, index);
    public static Tensor scatter(Tensor input, long dim, Tensor index, Tensor src) => input.scatter(dim, index, src);
    public static Tensor scatter(Tensor input, long dim, Tensor index, Scalar value) => input.scatter(dim, index, value);
    public static Tensor scatter_add(Tensor input, long dim, Tensor index, Tensor src) => input.scatter_add(dim, index, src);
    public static Tensor index_select(Tensor input, long dim, Tensor index) => input.index_select(dim, index);
    public static Tensor index_add(Tensor input, long dim, Tensor index, Tensor source, Scalar? alpha = null) => input.index_add(dim, index, source, alpha);
    public static Tensor index_fill(Tensor input, long dim, Tensor index, Scalar value) => input.index_fill(dim, index, value);
    public static Tensor index_put(Tensor input, Tensor[] indices, Tensor values, bool accumulate = false) => input.index_put(indices, values, accumulate);
}
