namespace Torchlet;

/// <summary>
/// Reordering copies, as PyTorch's TensorTransformations.cpp: flip/fliplr/flipud and roll.
/// Backward rules sit beside their forwards.
/// </summary>
public partial class Tensor
{
    // ---------------------------------------------------------------- flip / roll

    /// <summary>Reverses the order of elements along <paramref name="dims"/> (a copy, as in PyTorch).</summary>
    public Tensor flip(params long[] dims)
    {
        var ds = new int[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            ds[i] = Shape.NormDim(dims[i], _shape.Length, "dims");
            if (Array.IndexOf(ds, ds[i], 0, i) >= 0)
                throw new ArgumentException($"dim {ds[i]} appears multiple times in the list of dims");
        }
        // A transient view with negative strides, copied out: never escapes, so no other op sees such strides.
        var st = (int[])_strides.Clone();
        int off = _offset;
        if (Numel > 0)
            foreach (var d in ds)
            {
                if (_shape.Length == 0) break;
                off += (_shape[d] - 1) * st[d];
                st[d] = -st[d];
            }
        var r = new Tensor(_storage, _shape, st, off).clone_nograd();
        if (NeedsGrad(this)) Record(r, "FlipBackward0", g => g.flip(dims), false, this);
        return r;
    }

    public Tensor fliplr()
    {
        if (_shape.Length < 2) throw new ArgumentException($"fliplr: Input must be >= 2-d, got a {_shape.Length}-d tensor");
        return flip(1);
    }

    public Tensor flipud()
    {
        if (_shape.Length < 1) throw new ArgumentException("flipud: Input must be >= 1-d, got a 0-d tensor");
        return flip(0);
    }

    /// <summary>Rolls elements along <paramref name="dims"/> by <paramref name="shifts"/> (wrapping around); no dims rolls the flattened tensor.</summary>
    public Tensor roll(long[] shifts, long[]? dims = null)
    {
        dims ??= [];
        if (dims.Length == 0 && shifts.Length != 1 || dims.Length > 0 && shifts.Length != dims.Length)
            throw new ArgumentException($"shifts and dimensions must align. shifts: {shifts.Length}, dims:{dims.Length}");
        var nd = dims.Select(d => Shape.NormDimNoScalar(d, _shape.Length, "dims")).ToArray();
        Tensor r;
        if (nd.Length == 0)
            r = RollNoGrad(reshape_nograd([Numel]), [shifts[0]], [0]).reshape_nograd(_shape);
        else
            r = RollNoGrad(this, shifts, nd);
        if (NeedsGrad(this))
        {
            var back = shifts.Select(s => -s).ToArray();
            var dd = dims;
            Record(r, "RollBackward0", g => g.roll(back, dd), false, this);
        }
        return r;
    }

    public Tensor roll(long shifts, long? dims = null) => roll([shifts], dims is { } d ? [d] : null);

    static Tensor RollNoGrad(Tensor x, long[] shifts, int[] dims)
    {
        var r = x;
        for (int i = 0; i < dims.Length; i++)
        {
            int d = dims[i], n = r._shape[d];
            if (n == 0) continue;
            int s = (int)(((shifts[i] % n) + n) % n);
            if (s == 0) continue;
            r = CatNoGrad([r.slice_nograd(d, n - s, n, 1), r.slice_nograd(d, 0, n - s, 1)], d, "roll").result;
        }
        return ReferenceEquals(r, x) ? x.clone_nograd() : r;
    }
}

public static partial class torch
{
    public static Tensor flip(Tensor input, params long[] dims) => input.flip(dims);
    public static Tensor fliplr(Tensor input) => input.fliplr();
    public static Tensor flipud(Tensor input) => input.flipud();
    public static Tensor roll(Tensor input, long[] shifts, long[]? dims = null) => input.roll(shifts, dims);
    public static Tensor roll(Tensor input, long shifts, long? dims = null) => input.roll(shifts, dims);
}
