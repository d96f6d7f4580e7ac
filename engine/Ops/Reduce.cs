using System.Runtime.CompilerServices;
using Torchlet.Kernels;

namespace Torchlet;

/// <summary>
/// Reductions (notes §2.1–2.4): sum, mean, var/std, max/min, amax/amin, argmax/argmin, prod, norm,
/// logsumexp, cumsum/cumprod, all/any, count_nonzero; each backward rule beside its forward.
/// The kernels run on an [A, C, B] view of a contiguous input (A and B reduced, C kept), so
/// reducing leading dims (sum(0) of [N, C]) or the N, H, W dims of NCHW needs no transposed copy.
/// </summary>
public partial class Tensor
{
    // ---------------------------------------------------------------- dims and layout

    /// <summary>Normalised, sorted, de-duplicated dims to reduce (all dims when null or empty).</summary>
    internal int[] ReduceDims(long[]? dims, string op)
    {
        if (dims is null || dims.Length == 0) return Enumerable.Range(0, _shape.Length).ToArray();
        var set = new SortedSet<int>();
        foreach (var d in dims)
        {
            int n = Shape.NormDim(d, _shape.Length, "dim");
            if (!set.Add(n)) throw new ArgumentException($"{op}(): dim {n} appears multiple times in the list of dims");
        }
        // A 0-dim tensor accepts dim 0 / -1 but has nothing to reduce.
        return _shape.Length == 0 ? [] : set.ToArray();
    }

    /// <summary>Output shape of a reduction over <paramref name="dims"/>.</summary>
    internal int[] ReducedShape(int[] dims, bool keepdim)
    {
        var r = new List<int>();
        for (int i = 0; i < _shape.Length; i++)
        {
            bool red = System.Array.IndexOf(dims, i) >= 0;
            if (!red) r.Add(_shape[i]);
            else if (keepdim) r.Add(1);
        }
        return r.ToArray();
    }

    /// <summary>Number of elements each output reduces.</summary>
    internal int ReducedCount(int[] dims)
    {
        int k = 1;
        foreach (var d in dims) k *= _shape[d];
        return k;
    }

    /// <summary>
    /// This tensor rearranged as contiguous rows: [outer, K] where K spans the reduced dims.
    /// Returns (rows tensor, outer count, K). No copy when the reduced dims are already innermost.
    /// </summary>
    internal (Tensor rows, int outer, int k) AsReductionRows(int[] dims)
    {
        int k = ReducedCount(dims);
        int outer = Shape.Numel(ReducedShape(dims, false));
        var perm = Enumerable.Range(0, _shape.Length).Where(i => System.Array.IndexOf(dims, i) < 0).Concat(dims).ToArray();
        var sh = perm.Select(i => _shape[i]).ToArray();
        var st = perm.Select(i => _strides[i]).ToArray();
        var view = new Tensor(_storage, sh, st, _offset).contiguous_nograd();
        return (view, outer, k);
    }

    /// <summary>
    /// The [A, C, B] layout the reduction kernels run on: a contiguous tensor whose reduced dims
    /// are a prefix and/or a suffix of its (non-1) dims is used in place; anything else is first
    /// copied with the reduced dims moved last (A = 1).
    /// </summary>
    internal (Tensor src, int A, int C, int B) ReducePlan(int[] dims)
    {
        if (_contiguous)
        {
            int a = 1, c = 1, b = 1, phase = 0;
            bool ok = true;
            for (int i = 0; i < _shape.Length && ok; i++)
            {
                int s = _shape[i];
                if (s == 1) continue;
                bool red = System.Array.IndexOf(dims, i) >= 0;
                if (phase == 0) { if (red) a *= s; else { phase = 1; c *= s; } }
                else if (phase == 1) { if (red) { phase = 2; b *= s; } else c *= s; }
                else if (red) b *= s;
                else ok = false;
            }
            if (ok) return c == 1 ? (this, 1, 1, a * b) : (this, a, c, b);
        }
        var (rows, outer, k) = AsReductionRows(dims);
        return (rows, 1, outer, k);
    }

    /// <summary>
    /// Reduces this tensor, already in the result dtype, over <paramref name="dims"/>. Empty
    /// reductions give the identity (sum 0, prod 1); callers reject them for max/min first.
    /// </summary>
    internal Tensor ReduceKernel(int[] dims, bool keepdim, ReduceOp op)
    {
        if (dtype == ScalarType.Bool)
        {
            if (op is ReduceOp.Max or ReduceOp.Min)
                return to_nograd(ScalarType.Byte, false).ReduceKernel(dims, keepdim, op).to_nograd(ScalarType.Bool, false);
            throw new ArgumentException($"{op.ToString().ToLowerInvariant()}: bool tensors are reduced after conversion to an integer dtype; got torch.bool");
        }
        var r = Empty(ReducedShape(dims, keepdim), dtype);
        if (r.Numel == 0) return r;
        if (Numel == 0)
        {
            r.CopyFrom(ScalarTensor(op == ReduceOp.Prod ? 1 : 0, dtype));
            return r;
        }
        var (src, A, C, B) = ReducePlan(dims);
        ReduceKernels.Reduce(dtype, src._storage.RawArray, src._offset, A, C, B, r._storage.RawArray, op);
        return r;
    }

    /// <summary>The incoming gradient of a reduction viewed with size-1 reduced dims, so it broadcasts against the input.</summary>
    static Tensor ReduceKept(Tensor g, int[] keptShape) => g.GradReshape(keptShape);


    // ---------------------------------------------------------------- sum / mean

    // The literal 0 converts to any enum: without the lower priority, x.sum(0) would mean sum(dtype: uint8).
    [OverloadResolutionPriority(-1)]
    public Tensor sum(ScalarType? dtype = null) => sum((long[]?)null, false, dtype);
    public Tensor sum(long dim, bool keepdim = false, ScalarType? dtype = null) => sum([dim], keepdim, dtype);

    /// <summary>Sum over <paramref name="dim"/> (all dims when null). Integer and bool inputs sum to int64, as in PyTorch.</summary>
    public Tensor sum(long[]? dim, bool keepdim = false, ScalarType? dtype = null)
    {
        var dims = ReduceDims(dim, "sum");
        var outType = dtype ?? (this.dtype.IsFloating() ? this.dtype : ScalarType.Int64);
        var r = SumKernel(dims, keepdim, outType);
        if (NeedsGrad(this) && outType.IsFloating())
        {
            var inShape = _shape; var self = this;
            var kept = ReducedShape(dims, true);
            Record(r, "SumBackward" + (dim is null ? "0" : "1"), g => GradFor(g.GradReshape(kept).GradExpand(inShape), self), false, this);
        }
        return r;
    }

    internal Tensor SumKernel(int[] dims, bool keepdim, ScalarType outType) =>
        (dtype == outType ? this : to_nograd(outType, false)).ReduceKernel(dims, keepdim, ReduceOp.Sum);

    [OverloadResolutionPriority(-1)]
    public Tensor mean(ScalarType? dtype = null) => mean((long[]?)null, false, dtype);
    public Tensor mean(long dim, bool keepdim = false, ScalarType? dtype = null) => mean([dim], keepdim, dtype);

    /// <summary>Mean over <paramref name="dim"/>; integer inputs need an explicit floating <paramref name="dtype"/>, as in PyTorch.</summary>
    public Tensor mean(long[]? dim, bool keepdim = false, ScalarType? dtype = null)
    {
        var t = dtype ?? this.dtype;
        if (!t.IsFloating())
            throw new ArgumentException($"mean(): could not infer output dtype. {(dtype is null ? "Input" : "Optional")} dtype must be either a floating point or complex dtype. Got: {t.CName()}");
        var dims = ReduceDims(dim, "mean");
        int k = ReducedCount(dims);
        var r = SumKernel(dims, keepdim, t);
        r = ScalarKernel<DivOp>(r, (double)k, t, false);
        if (NeedsGrad(this))
        {
            var inShape = _shape; var self = this;
            var kept = ReducedShape(dims, true);
            Record(r, "MeanBackward" + (dim is null ? "0" : "1"), g => GradFor(g.div((double)k).GradReshape(kept).GradExpand(inShape), self), false, this);
        }
        return r;
    }

    // ---------------------------------------------------------------- var / std

    static double VarCorrection(bool? unbiased, long? correction, string op)
    {
        if (unbiased is not null && correction is not null)
            throw new ArgumentException($"{op}(): give either unbiased ({unbiased}) or correction ({correction}), not both");
        return correction ?? (unbiased == false ? 0 : 1);
    }

    /// <summary>Two-pass variance (mean first, then Σ(x − mean)² against it), both passes in the input dtype with blocked double accumulation.</summary>
    internal (Tensor var, Tensor mean) VarMeanKernel(int[] dims, bool keepdim, double correction, string op)
    {
        if (!dtype.IsFloating()) throw new ArgumentException($"{op}(): std and var only support floating point and complex dtypes; got {dtype.TorchName()}");
        var outShape = ReducedShape(dims, keepdim);
        var v = Empty(outShape, dtype); var m = Empty(outShape, dtype);
        int k = ReducedCount(dims);
        if (v.Numel == 0) return (v, m);
        if (k == 0)
        {
            v.CopyFrom(ScalarTensor(double.NaN, dtype)); m.CopyFrom(ScalarTensor(double.NaN, dtype));
            return (v, m);
        }
        var (src, A, C, B) = ReducePlan(dims);
        double denom = Math.Max(0, k - correction);
        ReduceKernels.VarMean(dtype, src._storage.RawArray, src._offset, A, C, B, k, denom, v._storage.RawArray, m._storage.RawArray);
        return (v, m);
    }

    /// <summary>d var / dx = 2 (x − mean) / (K − correction), times the incoming gradient.</summary>
    static Tensor VarBackward(Tensor g, Tensor x, int[] dims, int[] kept, double correction)
    {
        int k = x.ReducedCount(dims);
        var centered = x.sub(x.mean(dims.Select(d => (long)d).ToArray(), keepdim: true));
        return ReduceKept(g, kept).mul(2.0 / (k - correction)).mul(centered);
    }

    /// <summary>d std = d var / (2 std), with zero where std is 0 (PyTorch masks it).</summary>
    static Tensor StdBackward(Tensor g, Tensor std, Tensor x, int[] dims, int[] kept, double correction)
    {
        var s = ReduceKept(std, kept);
        var gv = torch.where(s.eq(0), 0.0, ReduceKept(g, kept).div(s.mul(2)));
        return VarBackward(gv, x, dims, kept, correction);
    }

    /// <summary>Variance and mean over <paramref name="dim"/> without autograd, with the dims and correction their backward needs.</summary>
    (Tensor v, Tensor m, int[] dims, double corr) VarOver(long[]? dim, bool? unbiased, bool keepdim, long? correction, string op)
    {
        double corr = VarCorrection(unbiased, correction, op);
        var dims = ReduceDims(dim, op);
        var (v, m) = VarMeanKernel(dims, keepdim, corr, op);
        return (v, m, dims, corr);
    }

    public Tensor var(bool unbiased) => var((long[]?)null, unbiased);
    public Tensor var(long dim, bool? unbiased = null, bool keepdim = false, long? correction = null) => var([dim], unbiased, keepdim, correction);

    /// <summary>Variance over <paramref name="dim"/> (all dims when null) with Bessel's correction unless <c>unbiased: false</c> or a <paramref name="correction"/> is given.</summary>
    public Tensor var(long[]? dim = null, bool? unbiased = null, bool keepdim = false, long? correction = null)
    {
        var (v, _, dims, corr) = VarOver(dim, unbiased, keepdim, correction, "var");
        if (NeedsGrad(this))
        {
            var sx = new SavedTensor(this); var kept = ReducedShape(dims, true);
            Record(v, "VarBackward0", g => VarBackward(g, sx.Get(), dims, kept, corr), true, this);
        }
        return v;
    }

    public Tensor std(bool unbiased) => std((long[]?)null, unbiased);
    public Tensor std(long dim, bool? unbiased = null, bool keepdim = false, long? correction = null) => std([dim], unbiased, keepdim, correction);

    /// <summary>Standard deviation: the square root of <see cref="var(long[], bool?, bool, long?)"/>.</summary>
    public Tensor std(long[]? dim = null, bool? unbiased = null, bool keepdim = false, long? correction = null)
    {
        var (v, _, dims, corr) = VarOver(dim, unbiased, keepdim, correction, "std");
        var s = v.SqrtInPlace();
        if (NeedsGrad(this))
        {
            var sx = new SavedTensor(this); var ss = new SavedTensor(s); var kept = ReducedShape(dims, true);
            Record(s, "StdBackward0", g => StdBackward(g, ss.Get(), sx.Get(), dims, kept, corr), true, this);
        }
        return s;
    }

    /// <summary>Square root in place, for a freshly made contiguous float result.</summary>
    Tensor SqrtInPlace()
    {
        RowUpdate.Sqrt(dtype, _storage.RawArray, _offset, Numel, "sqrt");
        return this;
    }

    public (Tensor var, Tensor mean) var_mean(bool unbiased) => var_mean((long[]?)null, unbiased);
    public (Tensor var, Tensor mean) var_mean(long dim, bool? unbiased = null, bool keepdim = false, long? correction = null) => var_mean([dim], unbiased, keepdim, correction);

    /// <summary>Variance and mean from the same two passes over the data (torch.var_mean).</summary>
    public (Tensor var, Tensor mean) var_mean(long[]? dim = null, bool? unbiased = null, bool keepdim = false, long? correction = null)
    {
        var (v, m, dims, corr) = VarOver(dim, unbiased, keepdim, correction, "var_mean");
        if (NeedsGrad(this))
        {
            var sx = new SavedTensor(this); var kept = ReducedShape(dims, true);
            var self = this; var inShape = _shape; int k = ReducedCount(dims);
            Record(v, "VarMeanBackward0", g => VarBackward(g, sx.Get(), dims, kept, corr), true, this);
            Record(m, "VarMeanBackward0", g => GradFor(ReduceKept(g, kept).div((double)k).expand_nograd(inShape), self), false, this);
        }
        return (v, m);
    }

    public (Tensor std, Tensor mean) std_mean(bool unbiased) => std_mean((long[]?)null, unbiased);
    public (Tensor std, Tensor mean) std_mean(long dim, bool? unbiased = null, bool keepdim = false, long? correction = null) => std_mean([dim], unbiased, keepdim, correction);

    /// <summary>Standard deviation and mean from the same two passes over the data (torch.std_mean).</summary>
    public (Tensor std, Tensor mean) std_mean(long[]? dim = null, bool? unbiased = null, bool keepdim = false, long? correction = null)
    {
        var (v, m, dims, corr) = VarOver(dim, unbiased, keepdim, correction, "std_mean");
        var s = v.SqrtInPlace();
        if (NeedsGrad(this))
        {
            var sx = new SavedTensor(this); var ss = new SavedTensor(s); var kept = ReducedShape(dims, true);
            var self = this; var inShape = _shape; int k = ReducedCount(dims);
            Record(s, "StdMeanBackward0", g => StdBackward(g, ss.Get(), sx.Get(), dims, kept, corr), true, this);
            Record(m, "StdMeanBackward0", g => GradFor(ReduceKept(g, kept).div((double)k).expand_nograd(inShape), self), false, this);
        }
        return (s, m);
    }

    // ---------------------------------------------------------------- max / min / amax / amin

    /// <summary>PyTorch refuses max/min/amax without an identity over nothing.</summary>
    void CheckExtremeDims(int[] dims, bool allDims, string op)
    {
        if (Numel != 0) return;
        if (allDims)
            throw new ArgumentException($"{op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.");
        foreach (var d in dims)
            if (_shape[d] == 0) throw new IndexOutOfRangeException($"{op}(): Expected reduction dim {d} to have non-zero size.");
    }

    /// <summary>The largest element (a 0-dim tensor); NaN if any element is NaN.</summary>
    public Tensor max() => ExtremeAll(true);
    /// <summary>The smallest element (a 0-dim tensor); NaN if any element is NaN.</summary>
    public Tensor min() => ExtremeAll(false);
    /// <summary>Elementwise maximum with <paramref name="other"/> (torch.max(input, other) is torch.maximum).</summary>
    public Tensor max(Tensor other) => maximum(other);
    public Tensor min(Tensor other) => minimum(other);

    Tensor ExtremeAll(bool isMax)
    {
        string op = isMax ? "max" : "min";
        var dims = ReduceDims(null, op);
        CheckExtremeDims(dims, true, op);
        var r = ReduceKernel(dims, false, isMax ? ReduceOp.Max : ReduceOp.Min);
        if (NeedsGrad(this))
        {
            var sx = new SavedTensor(this); var sr = new SavedTensor(r);
            Record(r, isMax ? "MaxBackward1" : "MinBackward1", g =>
            {
                // Ties share the gradient evenly; a NaN result sends it to the NaNs.
                var x = sx.Get(); var v = sr.Get();
                var mask = (double.IsNaN(v.item<double>()) ? x.ne(x) : x.eq(v)).to(g.dtype);
                return mask.mul(g.div(mask.sum()));
            }, true, this);
        }
        return r;
    }

    /// <summary>(values, indices) of the max along <paramref name="dim"/>: the first occurrence on ties, the first NaN if any.</summary>
    public (Tensor values, Tensor indices) max(long dim, bool keepdim = false) => ExtremeDim(dim, keepdim, true);
    /// <summary>(values, indices) of the min along <paramref name="dim"/>: the first occurrence on ties, the first NaN if any.</summary>
    public (Tensor values, Tensor indices) min(long dim, bool keepdim = false) => ExtremeDim(dim, keepdim, false);

    (Tensor values, Tensor indices) ExtremeDim(long dim, bool keepdim, bool isMax)
    {
        var (vals, idx, d) = ArgExtremeKernel(dim, keepdim, isMax, isMax ? "max" : "min", true);
        if (NeedsGrad(this))
        {
            var si = new SavedTensor(idx); var inShape = _shape; var dt = dtype;
            Record(vals!, isMax ? "MaxBackward0" : "MinBackward0", g => ScatterAlongDim(g, si.Get(), inShape, d, dt), true, this);
        }
        return (vals!, idx);
    }

    /// <summary>Values (optional) and int64 indices of the max/min along one dim, computed without autograd.</summary>
    (Tensor? values, Tensor indices, int dim) ArgExtremeKernel(long dim, bool keepdim, bool isMax, string op, bool wantValues)
    {
        if (_shape.Length == 0)
        {
            Shape.NormDim(dim, 0, "dim");
            return (wantValues ? clone_nograd() : null, ScalarTensor(0L, ScalarType.Int64), 0);
        }
        int d = Shape.NormDim(dim, _shape.Length, "dim");
        if (_shape[d] == 0) throw new IndexOutOfRangeException($"{op}(): Expected reduction dim {d} to have non-zero size.");
        var outShape = ReducedShape([d], keepdim);
        var idx = Empty(outShape, ScalarType.Int64);
        var x = (dtype == ScalarType.Bool ? to_nograd(ScalarType.Byte, false) : this).contiguous_nograd();
        var vals = wantValues ? Empty(outShape, x.dtype) : null;
        var (A, K, I) = SplitAroundDim(_shape, d);
        ReduceKernels.ArgExtreme(x.dtype, x._storage.RawArray, x._offset, A, K, I, vals?._storage.RawArray, idx.Buffer<long>(), isMax, op);
        if (vals is not null && dtype == ScalarType.Bool) vals = vals.to_nograd(ScalarType.Bool, false);
        return (vals, idx, d);
    }

    /// <summary>Zeros of <paramref name="shape"/> with g written at the selected index along <paramref name="d"/> (value-selecting reduction backward).</summary>
    static Tensor ScatterAlongDim(Tensor g, Tensor idx, int[] shape, int d, ScalarType dt)
    {
        var z = Empty(shape, dt, clear: true);
        if (shape.Length == 0) { z.CopyFrom(g); return z; }
        var (A, K, I) = SplitAroundDim(shape, d);
        var gc = g.to_nograd(dt, false).contiguous_nograd();
        var ic = idx.contiguous_nograd();
        ReduceKernels.ScatterAlong(dt, gc._storage.RawArray, gc._offset, ic.Buffer<long>(), ic._offset, A, K, I, z._storage.RawArray);
        return z;
    }

    public Tensor amax(long dim, bool keepdim = false) => amax([dim], keepdim);
    public Tensor amin(long dim, bool keepdim = false) => amin([dim], keepdim);

    /// <summary>Max over several dims (all when null); the gradient is split evenly among ties.</summary>
    public Tensor amax(long[]? dim = null, bool keepdim = false) => AExtreme(dim, keepdim, true);
    /// <summary>Min over several dims (all when null); the gradient is split evenly among ties.</summary>
    public Tensor amin(long[]? dim = null, bool keepdim = false) => AExtreme(dim, keepdim, false);

    Tensor AExtreme(long[]? dim, bool keepdim, bool isMax)
    {
        string op = isMax ? "amax" : "amin";
        var dims = ReduceDims(dim, op);
        CheckExtremeDims(dims, dim is null || dim.Length == 0, op);
        var r = ReduceKernel(dims, keepdim, isMax ? ReduceOp.Max : ReduceOp.Min);
        if (NeedsGrad(this))
        {
            var sx = new SavedTensor(this); var sr = new SavedTensor(r); var kept = ReducedShape(dims, true);
            var ld = dims.Select(d => (long)d).ToArray();
            Record(r, isMax ? "AmaxBackward0" : "AminBackward0", g =>
            {
                var mask = sx.Get().eq(ReduceKept(sr.Get(), kept)).to(g.dtype);
                return ReduceKept(g, kept).div(mask.sum(ld, keepdim: true)).mul(mask);
            }, true, this);
        }
        return r;
    }

    /// <summary>Index of the max (of the flattened tensor when <paramref name="dim"/> is null); first occurrence on ties.</summary>
    public Tensor argmax(long? dim = null, bool keepdim = false) => ArgExtreme(dim, keepdim, true);
    /// <summary>Index of the min (of the flattened tensor when <paramref name="dim"/> is null); first occurrence on ties.</summary>
    public Tensor argmin(long? dim = null, bool keepdim = false) => ArgExtreme(dim, keepdim, false);

    Tensor ArgExtreme(long? dim, bool keepdim, bool isMax)
    {
        string op = isMax ? "argmax" : "argmin";
        if (dtype == ScalarType.Bool) throw new ArgumentException($"\"{op}_cpu\" not implemented for 'Bool'");
        if (dim is { } d) return ArgExtremeKernel(d, keepdim, isMax, op, false).indices;
        if (Numel == 0) throw new IndexOutOfRangeException($"{op}(): Expected reduction dim to be specified for input.numel() == 0.");
        var flat = contiguous_nograd().reshape_nograd([Numel]);
        var idx = flat.ArgExtremeKernel(0, false, isMax, op, false).indices;
        return keepdim ? idx.reshape_nograd(Enumerable.Repeat(1, _shape.Length).ToArray()) : idx;
    }

    // ---------------------------------------------------------------- prod

    /// <summary>Product of all elements; integer and bool inputs give int64.</summary>
    [OverloadResolutionPriority(-1)]
    public Tensor prod(ScalarType? dtype = null) => ProdCore(null, false, dtype);
    /// <summary>Product along <paramref name="dim"/>; the gradient is exact with zeros in the input.</summary>
    public Tensor prod(long dim, bool keepdim = false, ScalarType? dtype = null) => ProdCore(dim, keepdim, dtype);

    Tensor ProdCore(long? dim, bool keepdim, ScalarType? dtype)
    {
        var dims = ReduceDims(dim is { } d0 ? [d0] : null, "prod");
        var outType = dtype ?? (this.dtype.IsFloating() ? this.dtype : ScalarType.Int64);
        var r = (this.dtype == outType ? this : to_nograd(outType, false)).ReduceKernel(dims, keepdim, ReduceOp.Prod);
        if (NeedsGrad(this) && outType.IsFloating())
        {
            var sx = new SavedTensor(this); var sr = new SavedTensor(r); var self = this;
            var kept = ReducedShape(dims, true);
            Record(r, dim is null ? "ProdBackward0" : "ProdBackward1", g =>
            {
                var x = sx.Get().to(g.dtype);
                if (x._shape.Length == 0) return GradFor(g, self);
                if (!x.eq(0).any().item<bool>()) return GradFor(ReduceKept(g, kept).mul(ReduceKept(sr.Get(), kept).div(x)), self);
                return GradFor(ProdGradWithZeros(x, ReduceKept(g, kept), dims), self);
            }, true, this);
        }
        return r;
    }

    /// <summary>prod's gradient when zeros occur: per slice, only a lone zero gets g·Π(others).</summary>
    static Tensor ProdGradWithZeros(Tensor x, Tensor g, int[] dims)
    {
        var xc = x.contiguous_nograd();
        var gc = g.contiguous_nograd();
        var (A, K, I) = dims.Length == 1 ? SplitAroundDim(x._shape, dims[0]) : (1, x.Numel, 1);
        var dx = Empty(x._shape, x.dtype);
        ReduceKernels.ProdBackward(x.dtype, xc._storage.RawArray, xc._offset, gc._storage.RawArray, gc._offset, A, K, I, dx._storage.RawArray, cumulative: false);
        return dx;
    }

    // ---------------------------------------------------------------- norm

    /// <summary>p-norm of all elements: p = 2 (default), 1, ±inf, 0 (count of non-zeros) or any other p.</summary>
    public Tensor norm(double p = 2) => NormCore(null, false, p, "norm", "NormBackward1");
    /// <summary>p-norm along <paramref name="dim"/> (TorchSharp's argument order: dim, keepdim, p).</summary>
    public Tensor norm(long dim, bool keepdim = false, double p = 2) => NormCore([dim], keepdim, p, "norm", "NormBackward1");
    public Tensor norm(long[] dim, bool keepdim = false, double p = 2) => NormCore(dim, keepdim, p, "norm", "NormBackward1");

    /// <summary>norm(p: "fro"): the 2-norm over at most two dims (all elements when <paramref name="dim"/> is null).</summary>
    public Tensor norm(string p, long[]? dim = null, bool keepdim = false)
    {
        if (p == "nuc") throw new ArgumentException("norm(): p='nuc' (the nuclear norm, a sum of singular values) is not available in Torchlet; use p='fro' or a numeric p");
        if (p != "fro") throw new ArgumentException($"only valid string values are 'fro' and 'nuc', found {p}");
        if (dim is null || dim.Length <= 1) return NormCore(dim, keepdim, 2, "norm", "NormBackward1");
        if (dim.Length > 2) throw new ArgumentException($"Expected at most 2 dimensions, but got {dim.Length} dimensions instead.");
        if (!dtype.IsFloating()) throw new ArgumentException($"norm(): input dtype should be either floating point or complex. Got {dtype.CName()} instead.");
        int a = Shape.NormDim(dim[0], _shape.Length, "dim"), b = Shape.NormDim(dim[1], _shape.Length, "dim");
        if (a == b) throw new ArgumentException($"Expected dims to be different, got [{dim[0]}, {dim[1]}] instead");
        // PyTorch 1.13's frobenius_norm over two dims is sqrt(sum(x * x)): its graph ends in SqrtBackward0.
        return mul(this).sum(dim, keepdim).sqrt();
    }

    internal Tensor NormCore(long[]? dim, bool keepdim, double p, string op, string gradName)
    {
        if (!dtype.IsFloating())
            throw new ArgumentException(op == "norm"
                ? $"norm(): input dtype should be either floating point or complex. Got {dtype.CName()} instead."
                : $"{op}: Expected a floating point or complex tensor as input. Got {dtype.CName()}");
        var dims = ReduceDims(dim, op);
        var r = NormKernel(dims, keepdim, p, op);
        if (NeedsGrad(this))
        {
            var sx = new SavedTensor(this); var sr = new SavedTensor(r); var kept = ReducedShape(dims, true);
            var ld = dims.Select(d => (long)d).ToArray();
            Record(r, gradName, g => NormBackward(ReduceKept(g, kept), sx.Get(), ReduceKept(sr.Get(), kept), p, ld), true, this);
        }
        return r;
    }

    Tensor NormKernel(int[] dims, bool keepdim, double p, string op)
    {
        var x = detach();
        if (p == 2)
        {
            var r = x.ReduceKernel(dims, keepdim, ReduceOp.SumSq);
            return r.Numel == 0 ? r : r.SqrtInPlace();
        }
        if (p == 0) return x.ne(0).to_nograd(dtype, false).ReduceKernel(dims, keepdim, ReduceOp.Sum);
        var a = x.abs();
        if (p == 1) return a.ReduceKernel(dims, keepdim, ReduceOp.Sum);
        if (double.IsInfinity(p))
        {
            if (Numel == 0 && Shape.Numel(ReducedShape(dims, keepdim)) > 0)
                throw new ArgumentException($"{op}: cannot compute the {(p > 0 ? "inf" : "-inf")} norm of an empty tensor because the operation has no identity");
            return a.ReduceKernel(dims, keepdim, p > 0 ? ReduceOp.Max : ReduceOp.Min);
        }
        return a.pow(p).ReduceKernel(dims, keepdim, ReduceOp.Sum).pow(1 / p);
    }

    /// <summary>PyTorch's norm_backward: g is already broadcastable (kept dims), as is the norm n.</summary>
    static Tensor? NormBackward(Tensor g, Tensor x, Tensor n, double p, long[] dims)
    {
        if (p == 0) return null;  // piecewise constant: PyTorch returns no gradient
        if (p == 1) return x.sign().mul(g);
        if (p == 2) return g.mul(torch.where(n.eq(0), 0.0, x.div(n)));
        var xa = x.abs();
        if (double.IsInfinity(p))
        {
            // Ties for the max (min) magnitude share the gradient; NaNs count as selected.
            var mask = xa.eq(n).logical_or(xa.ne(xa)).to(g.dtype);
            return x.sign().mul(g.div(mask.sum(dims, keepdim: true)).mul(mask));
        }
        if (p < 1)
        {
            var scaled = x.sign().mul(torch.where(x.eq(0), 0.0, xa.pow(p - 1)));
            return scaled.mul(g).mul(n.pow(1 - p));
        }
        var selfScaled = p < 2 ? x.sign().mul(xa.pow(p - 1)) : x.mul(xa.pow(p - 2));
        var scale = torch.where(n.eq(0), 0.0, g.div(n.pow(p - 1)));
        return selfScaled.mul(scale);
    }

    // ---------------------------------------------------------------- logsumexp

    public Tensor logsumexp(long dim, bool keepdim = false) => logsumexp([dim], keepdim);

    /// <summary>log Σ exp(x) over <paramref name="dim"/>, computed stably around the max; its gradient is softmax.</summary>
    public Tensor logsumexp(long[] dim, bool keepdim = false)
    {
        var dims = ReduceDims(dim, "logsumexp");
        var x = dtype.IsFloating() ? this : to_nograd(ScalarType.Float32, false);
        var r = x.LogsumexpKernel(dims, keepdim);
        if (NeedsGrad(this))
        {
            var sx = new SavedTensor(this); var sr = new SavedTensor(r); var kept = ReducedShape(dims, true);
            Record(r, "LogsumexpBackward0", g => ReduceKept(g, kept).mul(sx.Get().sub(ReduceKept(sr.Get(), kept)).exp()), true, this);
        }
        return r;
    }

    Tensor LogsumexpKernel(int[] dims, bool keepdim)
    {
        var r = Empty(ReducedShape(dims, keepdim), dtype);
        if (r.Numel == 0) return r;
        if (Numel == 0) { r.CopyFrom(ScalarTensor(double.NegativeInfinity, dtype)); return r; }
        var (src, A, C, B) = ReducePlan(dims);
        ReduceKernels.Logsumexp(dtype, src._storage.RawArray, src._offset, A, C, B, r._storage.RawArray);
        return r;
    }

    // ---------------------------------------------------------------- cumsum / cumprod

    /// <summary>Running sum along <paramref name="dim"/>; integer and bool inputs give int64.</summary>
    public Tensor cumsum(long dim, ScalarType? dtype = null) => CumulativeOp(dim, dtype, false);
    /// <summary>Running product along <paramref name="dim"/>; the gradient is exact with zeros in the input.</summary>
    public Tensor cumprod(long dim, ScalarType? dtype = null) => CumulativeOp(dim, dtype, true);

    Tensor CumulativeOp(long dim, ScalarType? dtype, bool product)
    {
        int d = Shape.NormDim(dim, _shape.Length, "dim");
        var outType = dtype ?? (this.dtype.IsFloating() ? this.dtype : ScalarType.Int64);
        var x = to_nograd(outType, false).contiguous_nograd();
        var r = CumulativeKernel(x, d, product, false);
        if (NeedsGrad(this) && outType.IsFloating())
        {
            var self = this;
            if (!product)
                Record(r, "CumsumBackward0", g => GradFor(CumulativeKernel(g.contiguous_nograd(), d, false, true), self), false, this);
            else
            {
                var sx = new SavedTensor(this);
                Record(r, "CumprodBackward0", g => GradFor(CumprodGrad(sx.Get().to(g.dtype), g, d), self), true, this);
            }
        }
        return r;
    }

    /// <summary>A shape seen as [A, K, I] around dim d: the dims before it, it, and the dims after it.</summary>
    internal static (int A, int K, int I) SplitAroundDim(int[] shape, int d)
    {
        if (shape.Length == 0) return (1, 1, 1);
        int A = 1, I = 1;
        for (int i = 0; i < d; i++) A *= shape[i];
        for (int i = d + 1; i < shape.Length; i++) I *= shape[i];
        return (A, shape[d], I);
    }

    /// <summary>Inclusive cumulative sum/product of a contiguous tensor along d (reverse: from the end).</summary>
    static Tensor CumulativeKernel(Tensor x, int d, bool product, bool reverse)
    {
        if (x.dtype == ScalarType.Bool) throw new ArgumentException($"cumulative ops need a numeric dtype, got {x.dtype.TorchName()}");
        var r = Empty(x._shape, x.dtype);
        var (A, K, I) = SplitAroundDim(x._shape, d);
        ReduceKernels.Cumulative(x.dtype, x._storage.RawArray, x._offset, A, K, I, r._storage.RawArray, product, reverse);
        return r;
    }

    static Tensor CumprodGrad(Tensor x, Tensor g, int d)
    {
        var xc = x.contiguous_nograd(); var gc = g.contiguous_nograd();
        var (A, K, I) = SplitAroundDim(x._shape, d);
        var dx = Empty(x._shape, x.dtype);
        ReduceKernels.ProdBackward(x.dtype, xc._storage.RawArray, xc._offset, gc._storage.RawArray, gc._offset, A, K, I, dx._storage.RawArray, cumulative: true);
        return dx;
    }

    // ---------------------------------------------------------------- all / any / count_nonzero (no gradient)

    /// <summary>Whether every element is non-zero. bool result (uint8 for uint8 input, as PyTorch 1.13).</summary>
    public Tensor all() => AllAny(null, false, true);
    public Tensor all(long dim, bool keepdim = false) => AllAny(dim, keepdim, true);
    /// <summary>Whether any element is non-zero. bool result (uint8 for uint8 input, as PyTorch 1.13).</summary>
    public Tensor any() => AllAny(null, false, false);
    public Tensor any(long dim, bool keepdim = false) => AllAny(dim, keepdim, false);

    Tensor AllAny(long? dim, bool keepdim, bool isAll)
    {
        var dims = ReduceDims(dim is { } d ? [d] : null, isAll ? "all" : "any");
        Tensor r;
        if (Numel == 0)
        {
            r = Empty(ReducedShape(dims, keepdim), ScalarType.Byte);
            if (r.Numel > 0) r.CopyFrom(ScalarTensor(isAll ? 1 : 0, ScalarType.Byte));
        }
        else r = ne(0).to_nograd(ScalarType.Byte, false).ReduceKernel(dims, keepdim, isAll ? ReduceOp.Min : ReduceOp.Max);
        return dtype == ScalarType.Byte ? r : r.to_nograd(ScalarType.Bool, false);
    }

    /// <summary>Number of non-zero elements over <paramref name="dim"/> (all when null), as int64.</summary>
    public Tensor count_nonzero(long? dim = null) => count_nonzero(dim is { } d ? [d] : null);
    public Tensor count_nonzero(long[]? dims)
    {
        var ds = ReduceDims(dims, "count_nonzero");
        return ne(0).to_nograd(ScalarType.Int64, false).ReduceKernel(ds, false, ReduceOp.Sum);
    }
}

public static partial class torch
{
    // sum(input), sum(input, dim, keepdim), mean(input) and mean(input, dim, keepdim) live in torch.cs.
    [OverloadResolutionPriority(-1)]
    public static Tensor sum(Tensor input, ScalarType dtype) => input.sum(dtype);
    public static Tensor sum(Tensor input, long[] dim, bool keepdim = false, ScalarType? dtype = null) => input.sum(dim, keepdim, dtype);
    [OverloadResolutionPriority(-1)]
    public static Tensor mean(Tensor input, ScalarType dtype) => input.mean(dtype);
    public static Tensor mean(Tensor input, long[] dim, bool keepdim = false, ScalarType? dtype = null) => input.mean(dim, keepdim, dtype);

    public static Tensor var(Tensor input, bool unbiased) => input.var(unbiased);
    public static Tensor var(Tensor input, long dim, bool? unbiased = null, bool keepdim = false, long? correction = null) => input.var(dim, unbiased, keepdim, correction);
    public static Tensor var(Tensor input, long[]? dim = null, bool? unbiased = null, bool keepdim = false, long? correction = null) => input.var(dim, unbiased, keepdim, correction);
    public static Tensor std(Tensor input, bool unbiased) => input.std(unbiased);
    public static Tensor std(Tensor input, long dim, bool? unbiased = null, bool keepdim = false, long? correction = null) => input.std(dim, unbiased, keepdim, correction);
    public static Tensor std(Tensor input, long[]? dim = null, bool? unbiased = null, bool keepdim = false, long? correction = null) => input.std(dim, unbiased, keepdim, correction);
    public static (Tensor var, Tensor mean) var_mean(Tensor input, bool unbiased) => input.var_mean(unbiased);
    public static (Tensor var, Tensor mean) var_mean(Tensor input, long dim, bool? unbiased = null, bool keepdim = false, long? correction = null) => input.var_mean(dim, unbiased, keepdim, correction);
    public static (Tensor var, Tensor mean) var_mean(Tensor input, long[]? dim = null, bool? unbiased = null, bool keepdim = false, long? correction = null) => input.var_mean(dim, unbiased, keepdim, correction);
    public static (Tensor std, Tensor mean) std_mean(Tensor input, bool unbiased) => input.std_mean(unbiased);
    public static (Tensor std, Tensor mean) std_mean(Tensor input, long dim, bool? unbiased = null, bool keepdim = false, long? correction = null) => input.std_mean(dim, unbiased, keepdim, correction);
    public static (Tensor std, Tensor mean) std_mean(Tensor input, long[]? dim = null, bool? unbiased = null, bool keepdim = false, long? correction = null) => input.std_mean(dim, unbiased, keepdim, correction);

    public static Tensor max(Tensor input) => input.max();
    public static (Tensor values, Tensor indices) max(Tensor input, long dim, bool keepdim = false) => input.max(dim, keepdim);
    public static Tensor max(Tensor input, Tensor other) => input.maximum(other);
    public static Tensor min(Tensor input) => input.min();
    public static (Tensor values, Tensor indices) min(Tensor input, long dim, bool keepdim = false) => input.min(dim, keepdim);
    public static Tensor min(Tensor input, Tensor other) => input.minimum(other);
    public static Tensor amax(Tensor input, long dim, bool keepdim = false) => input.amax(dim, keepdim);
    public static Tensor amax(Tensor input, long[]? dim = null, bool keepdim = false) => input.amax(dim, keepdim);
    public static Tensor amin(Tensor input, long dim, bool keepdim = false) => input.amin(dim, keepdim);
    public static Tensor amin(Tensor input, long[]? dim = null, bool keepdim = false) => input.amin(dim, keepdim);
    public static Tensor argmax(Tensor input, long? dim = null, bool keepdim = false) => input.argmax(dim, keepdim);
    public static Tensor argmin(Tensor input, long? dim = null, bool keepdim = false) => input.argmin(dim, keepdim);

    [OverloadResolutionPriority(-1)]
    public static Tensor prod(Tensor input, ScalarType? dtype = null) => input.prod(dtype);
    public static Tensor prod(Tensor input, long dim, bool keepdim = false, ScalarType? dtype = null) => input.prod(dim, keepdim, dtype);

    public static Tensor norm(Tensor input, double p = 2) => input.norm(p);
    public static Tensor norm(Tensor input, long dim, bool keepdim = false, double p = 2) => input.norm(dim, keepdim, p);
    public static Tensor norm(Tensor input, long[] dim, bool keepdim = false, double p = 2) => input.norm(dim, keepdim, p);
    public static Tensor norm(Tensor input, string p, long[]? dim = null, bool keepdim = false) => input.norm(p, dim, keepdim);

    public static Tensor logsumexp(Tensor input, long dim, bool keepdim = false) => input.logsumexp(dim, keepdim);
    public static Tensor logsumexp(Tensor input, long[] dim, bool keepdim = false) => input.logsumexp(dim, keepdim);

    public static Tensor cumsum(Tensor input, long dim, ScalarType? dtype = null) => input.cumsum(dim, dtype);
    public static Tensor cumprod(Tensor input, long dim, ScalarType? dtype = null) => input.cumprod(dim, dtype);

    public static Tensor all(Tensor input) => input.all();
    public static Tensor all(Tensor input, long dim, bool keepdim = false) => input.all(dim, keepdim);
    public static Tensor any(Tensor input) => input.any();
    public static Tensor any(Tensor input, long dim, bool keepdim = false) => input.any(dim, keepdim);
    public static Tensor count_nonzero(Tensor input, long? dim = null) => input.count_nonzero(dim);
    public static Tensor count_nonzero(Tensor input, long[]? dims) => input.count_nonzero(dims);

    public static partial class linalg
    {
        /// <summary>torch.linalg.vector_norm: the <paramref name="ord"/>-norm of the elements over <paramref name="dim"/> (all when null).</summary>
        public static Tensor vector_norm(Tensor x, double ord = 2, long[]? dim = null, bool keepdim = false) =>
            x.NormCore(dim, keepdim, ord, "linalg.vector_norm", "LinalgVectorNormBackward0");
    }
}
