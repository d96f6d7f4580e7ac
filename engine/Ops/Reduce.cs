using System.Numerics;
using System.Numerics.Tensors;
using Torchlet.Kernels;

namespace Torchlet;

/// <summary>
/// Reductions. The layout trick shared by all of them: move the reduced dims last and make the
/// result contiguous, so every output element reduces one contiguous row of length K.
/// </summary>
public partial class Tensor
{
    /// <summary>Normalised, sorted, de-duplicated dims to reduce (all dims when null or empty).</summary>
    internal int[] ReduceDims(long[]? dims, string op)
    {
        if (dims is null || dims.Length == 0) return Enumerable.Range(0, _shape.Length).ToArray();
        var set = new SortedSet<int>();
        foreach (var d in dims)
        {
            int n = Shape.NormDim((int)d, _shape.Length, "dim");
            if (!set.Add(n)) throw new ArgumentException($"{op}: dim {n} appears multiple times in the list of dims");
        }
        return set.ToArray();
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

    /// <summary>
    /// This tensor rearranged as contiguous rows: [outer, K] where K spans the reduced dims.
    /// Returns (rows tensor, outer count, K). No copy when the reduced dims are already innermost.
    /// </summary>
    internal (Tensor rows, int outer, int k) AsReductionRows(int[] dims)
    {
        int k = 1;
        foreach (var d in dims) k *= _shape[d];
        int outer = k == 0 ? Shape.Numel(ReducedShape(dims, false)) : Numel / Math.Max(k, 1);
        var perm = Enumerable.Range(0, _shape.Length).Where(i => System.Array.IndexOf(dims, i) < 0).Concat(dims).ToArray();
        var sh = perm.Select(i => _shape[i]).ToArray();
        var st = perm.Select(i => _strides[i]).ToArray();
        var view = new Tensor(_storage, sh, st, _offset).contiguous_nograd();
        return (view, outer, k);
    }

    // ---------------------------------------------------------------- sum / mean

    public Tensor sum(ScalarType? dtype = null) => sum((long[]?)null, false, dtype);
    public Tensor sum(long dim, bool keepdim = false, ScalarType? dtype = null) => sum([dim], keepdim, dtype);

    public Tensor sum(long[]? dim, bool keepdim = false, ScalarType? dtype = null)
    {
        var dims = ReduceDims(dim, "sum");
        var outType = dtype ?? (this.dtype.IsFloating() ? this.dtype : ScalarType.Int64);
        var r = SumKernel(dims, keepdim, outType);
        if (NeedsGrad(this))
        {
            var inShape = _shape; var self = this;
            var kept = ReducedShape(dims, true);
            Record(r, "SumBackward" + (dim is null ? "0" : "1"), g => [GradFor(g.GradReshape(kept).GradExpand(inShape), self)], false, this);
        }
        return r;
    }

    internal Tensor SumKernel(int[] dims, bool keepdim, ScalarType outType)
    {
        var outShape = ReducedShape(dims, keepdim);
        var src = this.dtype == outType ? this : to_nograd(outType, false);
        var r = Empty(outShape, outType);
        switch (outType)
        {
            case ScalarType.Float32: SumRows<float>(src, dims, r.Span<float>()); break;
            case ScalarType.Float64: SumRows<double>(src, dims, r.Span<double>()); break;
            case ScalarType.Int64: SumRows<long>(src, dims, r.Span<long>()); break;
            case ScalarType.Int32: SumRows<int>(src, dims, r.Span<int>()); break;
            case ScalarType.Byte: SumRows<byte>(src, dims, r.Span<byte>()); break;
            default: throw new ArgumentException($"sum: unsupported dtype {outType.TorchName()}");
        }
        return r;
    }

    static void SumRows<T>(Tensor x, int[] dims, Span<T> dst) where T : unmanaged, INumber<T>
    {
        // Reducing the leading dims of a contiguous tensor (bias gradients, batch sums):
        // accumulate whole rows with SIMD adds instead of transposing.
        if (x._contiguous && dims.Length > 0 && dims.Length < x._shape.Length && dims[^1] == dims.Length - 1)
        {
            int k = 1; foreach (var d in dims) k *= x._shape[d];
            int inner = dst.Length;
            var src = x.Span<T>();
            dst.Clear();
            for (int i = 0; i < k; i++) TensorPrimitives.Add(dst, src.Slice(i * inner, inner), dst);
            return;
        }
        var (rows, outer, kk) = x.AsReductionRows(dims);
        var all = rows.Span<T>();
        for (int o = 0; o < outer; o++) dst[o] = kk == 0 ? T.Zero : TensorPrimitives.Sum<T>(all.Slice(o * kk, kk));
    }

    public Tensor mean(ScalarType? dtype = null) => mean((long[]?)null, false, dtype);
    public Tensor mean(long dim, bool keepdim = false, ScalarType? dtype = null) => mean([dim], keepdim, dtype);

    public Tensor mean(long[]? dim, bool keepdim = false, ScalarType? dtype = null)
    {
        var t = dtype ?? this.dtype;
        if (!t.IsFloating())
            throw new ArgumentException($"mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {this.dtype.TorchName()}");
        var dims = ReduceDims(dim, "mean");
        int k = 1; foreach (var d in dims) k *= _shape[d];
        var r = SumKernel(dims, keepdim, t);
        r = ScalarKernel<DivOp>(r, (double)k, t, false);
        if (NeedsGrad(this))
        {
            var inShape = _shape; var self = this;
            var kept = ReducedShape(dims, true);
            Record(r, "MeanBackward" + (dim is null ? "0" : "1"), g => [GradFor(g.div((double)k).GradReshape(kept).GradExpand(inShape), self)], false, this);
        }
        return r;
    }

    // ---------------------------------------------------------------- any / all (no gradient)

    public Tensor all() => ne(0).to_nograd(ScalarType.Byte, false).min_nograd_all().to_nograd(ScalarType.Bool, false);
    public Tensor any() => ne(0).to_nograd(ScalarType.Byte, false).SumKernel(ReduceDims(null, "any"), false, ScalarType.Int64).ne(0);

    Tensor min_nograd_all()
    {
        if (Numel == 0) return ScalarTensor(1, ScalarType.Byte);
        var c = contiguous_nograd();
        return ScalarTensor((int)TensorPrimitives.Min<byte>(c.Span<byte>()), ScalarType.Byte);
    }
}
