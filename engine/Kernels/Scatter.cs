using System.Numerics;
using System.Runtime.CompilerServices;

namespace Torchlet.Kernels;

/// <summary>How scattered elements combine with the destination.</summary>
internal interface IWrite<T> where T : unmanaged
{
    static abstract void Apply(ref T dst, T value);
}

internal struct AssignWrite<T> : IWrite<T> where T : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Apply(ref T dst, T value) => dst = value;
}

internal struct AddWrite<T> : IWrite<T> where T : unmanaged, INumberBase<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Apply(ref T dst, T value) => dst += value;
}

/// <summary>Accumulation into bool: a sum of bools saturates at true.</summary>
internal struct OrWrite : IWrite<bool>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Apply(ref bool dst, bool value) => dst |= value;
}

/// <summary>A scatter loop written once for an element type and a write rule; <see cref="ScatterKernels"/> picks both.</summary>
internal interface IScatterBody
{
    void Run<T, TW>() where T : unmanaged where TW : IWrite<T>;
}

/// <summary>
/// Index-driven writes into an existing destination, the mirrors of <see cref="GatherKernels"/>: scatter along a
/// dim, advanced-index put (x[idx] = v, index_put_ with accumulate), embedding's row scatter-add and mask puts.
/// Sequential on purpose: with repeated indices the order of writes (and of float additions) must not depend on threads.
/// </summary>
internal static class ScatterKernels
{
    /// <summary>
    /// Runs <paramref name="body"/> with the dtype's element type and the write rule: assignment for every dtype;
    /// with <paramref name="accumulate"/>, addition for the numeric dtypes and "or" for bool.
    /// </summary>
    static void Write<TBody>(ScalarType dtype, bool accumulate, ref TBody body, string op) where TBody : struct, IScatterBody
    {
        if (!accumulate)
        {
            var assign = new AssignAction<TBody>(body);
            Dispatch.Any(dtype, ref assign);
        }
        else if (dtype == ScalarType.Bool) body.Run<bool, OrWrite>();
        else
        {
            var add = new AddAction<TBody>(body);
            Dispatch.Numeric(dtype, ref add, op);
        }
    }

    readonly struct AssignAction<TBody>(TBody body) : IAnyAction where TBody : struct, IScatterBody
    {
        public void Run<T>() where T : unmanaged => body.Run<T, AssignWrite<T>>();
    }

    readonly struct AddAction<TBody>(TBody body) : INumericAction where TBody : struct, IScatterBody
    {
        public void Run<T>() where T : unmanaged, INumber<T> => body.Run<T, AddWrite<T>>();
    }

    // ---------------------------------------------------------------- scatter along a dim

    /// <summary>
    /// dst[p with dim ← idx[p]] (+)= src[p] for every index position p (<paramref name="ish"/> the index shape, 0-dim as
    /// [1]); src has dst's dtype, and all-zero strides broadcast a single value.
    /// </summary>
    public static void Dim(ScalarType dtype, Array dst, int dstOffset, int[] dstStrides, long[] idx, int[] ish, int dim,
        Array src, int srcOffset, int[] srcStrides, bool add)
    {
        var body = new DimBody(dst, dstOffset, dstStrides, idx, ish, dim, src, srcOffset, srcStrides);
        Write(dtype, add, ref body, "scatter_add");
    }

    readonly struct DimBody(Array dst, int dOff, int[] dSt, long[] idx, int[] ish, int dim, Array src, int sOff, int[] sSt) : IScatterBody
    {
        public void Run<T, TW>() where T : unmanaged where TW : IWrite<T> => DimT<T, TW>((T[])dst, dOff, dSt, idx, ish, dim, (T[])src, sOff, sSt);
    }

    static void DimT<T, TW>(T[] dst, int doff, int[] dSt, long[] idx, int[] ish, int dim, T[] src, int soff, int[] sSt) where T : unmanaged where TW : IWrite<T> =>
        Strided.DimWalk<T, DimRow<T, TW>>(dst, doff, dSt, idx, ish, dim, src, soff, sSt);

    /// <summary>Scatter along a dim, one index row: the destination at each index (+)= src.</summary>
    readonly struct DimRow<T, TW> : Strided.IDimRow<T> where T : unmanaged where TW : IWrite<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Row(T[] dst, int t, int tInner, int tDim, long[] idx, int p0, T[] src, int o, int oInner, int inner)
        {
            for (int j = 0; j < inner; j++) TW.Apply(ref dst[t + j * tInner + (int)idx[p0 + j] * tDim], src[o + j * oInner]);
        }
    }

    // ---------------------------------------------------------------- advanced indexing

    /// <summary>
    /// x[idx] (+)= v, the inverse of <see cref="GatherKernels.Index"/>: the contiguous values (from
    /// <paramref name="valuesOffset"/>) go, block <paramref name="post"/> after block, to offset + pre[p] + bo[b].
    /// </summary>
    public static void Index(ScalarType dtype, Array values, int valuesOffset, Array dst, int offset, int[] pre, int[] bo, StridedBlock post, bool accumulate)
    {
        var body = new IndexBody(values, valuesOffset, dst, offset, pre, bo, post);
        Write(dtype, accumulate, ref body, "index_put_");
    }

    readonly struct IndexBody(Array values, int valuesOffset, Array dst, int offset, int[] pre, int[] bo, StridedBlock blk) : IScatterBody
    {
        public void Run<T, TW>() where T : unmanaged where TW : IWrite<T>
        {
            int post = blk.Numel, nb = bo.Length;
            ReadOnlySpan<T> src = ((T[])values).AsSpan(valuesOffset);
            var d = (T[])dst;
            for (int p = 0, r = 0; p < pre.Length; p++)
            {
                int off = offset + pre[p];
                if (post == 1)
                    for (int b = 0; b < nb; b++, r++) TW.Apply(ref d[off + bo[b]], src[r]);
                else
                    for (int b = 0; b < nb; b++, r++) blk.Write<T, TW>(src.Slice(r * post, post), d, off + bo[b]);
            }
        }
    }

    // ---------------------------------------------------------------- rows

    /// <summary>
    /// Embedding's backward: row i of g (at offset) is added to row idx[i] of gw (contiguous from 0), except
    /// rows equal to <paramref name="pad"/>; with <paramref name="byFreq"/> each is scaled by 1 / its index's count.
    /// </summary>
    public static void Rows(ScalarType dtype, Array g, int offset, int[] idx, int dim, Array gw, int pad, bool byFreq, int num, string op)
    {
        var action = new RowsAction(g, offset, idx, dim, gw, pad, byFreq, num);
        Dispatch.Floating(dtype, ref action, op);
    }

    readonly struct RowsAction(Array g, int offset, int[] idx, int dim, Array gw, int pad, bool byFreq, int num) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            T[] gs = (T[])g, ws = (T[])gw;
            int[]? counts = null;
            if (byFreq)
            {
                counts = new int[num];
                foreach (var i in idx) counts[i]++;
            }
            for (int i = 0; i < idx.Length; i++)
            {
                int row = idx[i];
                if (row == pad) continue;
                var src = gs.AsSpan(offset + i * dim, dim);
                var dst = ws.AsSpan(row * dim, dim);
                if (counts is null) RowUpdate.Add(dst, src);
                else RowUpdate.Axpy(T.One / T.CreateTruncating(counts[row]), src, dst);
            }
        }
    }

    // ---------------------------------------------------------------- masks

    /// <summary>The inverse of <see cref="GatherKernels.MaskedPick"/>: the values, in order, go to the true positions of the mask.</summary>
    public static void MaskedPut(ScalarType dtype, Array dst, int offset, bool[] mask, int maskOffset, int n, Array values, int valuesOffset)
    {
        var action = new MaskWriteAction(dst, offset, mask, maskOffset, n, values, valuesOffset, fill: false);
        Dispatch.Any(dtype, ref action);
    }

    /// <summary>masked_fill: the n elements at offset become value[valueOffset] where the mask is true.</summary>
    public static void FillWhere(ScalarType dtype, Array dst, int offset, bool[] mask, int maskOffset, int n, Array value, int valueOffset)
    {
        var action = new MaskWriteAction(dst, offset, mask, maskOffset, n, value, valueOffset, fill: true);
        Dispatch.Any(dtype, ref action);
    }

    readonly struct MaskWriteAction(Array dst, int offset, bool[] mask, int maskOffset, int n, Array values, int valuesOffset, bool fill) : IAnyAction
    {
        public void Run<T>() where T : unmanaged
        {
            Span<T> z = ((T[])dst).AsSpan(offset, n);
            ReadOnlySpan<bool> m = mask.AsSpan(maskOffset, n);
            var v = (T[])values;
            if (fill)
            {
                T x = v[valuesOffset];
                for (int i = 0; i < z.Length; i++) if (m[i]) z[i] = x;
            }
            else
                for (int i = 0, k = valuesOffset; i < z.Length; i++) if (m[i]) z[i] = v[k++];
        }
    }
}
