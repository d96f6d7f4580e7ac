using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Torchlet.Kernels;

/// <summary>
/// Index-driven reads into a fresh contiguous destination: gather along a dim, advanced indexing
/// (x[idx]), row copies (cat/stack, embedding) and mask picks. They move elements without
/// arithmetic, so every dtype, bool included, goes through <see cref="Dispatch.Any"/>.
/// The writes that mirror them are in Scatter.cs.
/// </summary>
internal static class GatherKernels
{
    // ---------------------------------------------------------------- gather along a dim

    /// <summary>
    /// dst[p] = src[p with dim ← idx[p]] for every position p of the index, walked row-major; <paramref name="ish"/> is
    /// the index shape (0-dim as [1]), <paramref name="strides"/> src's (0-dim as [1]), dst contiguous from 0.
    /// </summary>
    public static void Dim(ScalarType dtype, Array src, int offset, int[] strides, long[] idx, int[] ish, int dim, Array dst)
    {
        var action = new DimAction(src, offset, strides, idx, ish, dim, dst);
        Dispatch.Any(dtype, ref action);
    }

    readonly struct DimAction(Array src, int offset, int[] strides, long[] idx, int[] ish, int dim, Array dst) : IAnyAction
    {
        public void Run<T>() where T : unmanaged => DimT((T[])src, offset, strides, idx, ish, dim, (T[])dst);
    }

    static void DimT<T>(T[] a, int aOff, int[] aSt, long[] idx, int[] ish, int dim, T[] dst) where T : unmanaged
    {
        Span<int> dSt = stackalloc int[ish.Length];   // dst is contiguous over the index shape
        for (int k = ish.Length - 1, s = 1; k >= 0; s *= ish[k--]) dSt[k] = s;
        Strided.DimWalk<T, GatherRow<T>>(a, aOff, aSt, idx, ish, dim, dst, 0, dSt);
    }

    // ---------------------------------------------------------------- advanced indexing

    /// <summary>
    /// x[idx]: for each (pre position p, index position b) pair in row-major order, the block <paramref name="post"/> at
    /// offset + pre[p] + bo[b] is copied to the next post.Numel elements of dst (contiguous from 0).
    /// </summary>
    public static void Index(ScalarType dtype, Array src, int offset, int[] pre, int[] bo, StridedBlock post, Array dst)
    {
        var action = new IndexAction(src, offset, pre, bo, post, dst);
        Dispatch.Any(dtype, ref action);
    }

    readonly struct IndexAction(Array src, int offset, int[] pre, int[] bo, StridedBlock post, Array dst) : IAnyAction
    {
        public void Run<T>() where T : unmanaged => IndexT((T[])src, offset, pre, bo, post, (T[])dst);
    }

    static void IndexT<T>(T[] src, int baseOff, int[] pre, int[] bo, StridedBlock blk, T[] dst) where T : unmanaged
    {
        int post = blk.Numel, rows = pre.Length * bo.Length;
        if (rows == 0 || post == 0) return;
        var copy = new IndexRows<T>(src, baseOff, pre, bo, blk, dst);
        long cost = post == 1 ? 2 : post;
        Threading.For(rows, cost, copy);
    }

    /// <summary>Rows [a, e) of x[idx]: rows are (pre position p, index position b) pairs in row-major order.</summary>
    readonly struct IndexRows<T>(T[] src, int baseOff, int[] pre, int[] bo, StridedBlock blk, T[] dst) : IRange where T : unmanaged
    {
        public void Run(int a, int e)
        {
            int post = blk.Numel, nb = bo.Length;
            bool dense = blk.Dense;
            int p = a / nb, b = a % nb;
            for (int r = a; r < e; r++)
            {
                int off = baseOff + pre[p] + bo[b];
                if (post == 1) dst[r] = src[off];
                else if (dense) src.AsSpan(off, post).CopyTo(dst.AsSpan(r * post, post));
                else blk.Read(src, off, dst.AsSpan(r * post, post));
                if (++b == nb) { b = 0; p++; }
            }
        }
    }

    // ---------------------------------------------------------------- row copies

    /// <summary>Block copy of a contiguous source into rows of a contiguous destination: outer × len elements, row o at o·rowLen + at.</summary>
    public static void CopyRows(ScalarType dtype, Array src, int offset, Array dst, int outer, int len, int rowLen, int at)
    {
        var action = new CopyRowsAction(src, offset, dst, outer, len, rowLen, at);
        Dispatch.Any(dtype, ref action);
    }

    readonly struct CopyRowsAction(Array src, int offset, Array dst, int outer, int len, int rowLen, int at) : IAnyAction
    {
        public void Run<T>() where T : unmanaged
        {
            if (outer == 1) { ((T[])src).AsSpan(offset, len).CopyTo(((T[])dst).AsSpan(at, len)); return; }
            var rows = new RowCopy<T>((T[])src, offset, (T[])dst, len, rowLen, at);
            Threading.For(outer, len, rows);
        }
    }

    readonly struct RowCopy<T>(T[] s, int so, T[] d, int len, int rowLen, int at) : IRange where T : unmanaged
    {
        public void Run(int a, int e)
        {
            for (int o = a; o < e; o++) s.AsSpan(so + o * len, len).CopyTo(d.AsSpan(o * rowLen + at, len));
        }
    }

    /// <summary>Embedding's gather: row i of dst (contiguous from 0) is row idx[i] of the [*, dim] table at offset.</summary>
    public static void Rows(ScalarType dtype, Array table, int offset, int[] idx, int dim, Array dst)
    {
        var action = new RowsAction(table, offset, idx, dim, dst);
        Dispatch.Any(dtype, ref action);
    }

    readonly struct RowsAction(Array table, int offset, int[] idx, int dim, Array dst) : IAnyAction
    {
        public void Run<T>() where T : unmanaged
        {
            T[] w = (T[])table, d = (T[])dst;
            for (int i = 0; i < idx.Length; i++)
                w.AsSpan(offset + idx[i] * dim, dim).CopyTo(d.AsSpan(i * dim, dim));
        }
    }

    // ---------------------------------------------------------------- masks

    /// <summary>x[m]: the n elements of src at the true positions of the mask, in order, into dst (contiguous from 0).</summary>
    public static void MaskedPick(ScalarType dtype, Array src, int offset, bool[] mask, int maskOffset, int n, Array dst)
    {
        var action = new PickAction(src, offset, mask, maskOffset, n, dst);
        Dispatch.Any(dtype, ref action);
    }

    readonly struct PickAction(Array src, int offset, bool[] mask, int maskOffset, int n, Array dst) : IAnyAction
    {
        public void Run<T>() where T : unmanaged
        {
            ReadOnlySpan<T> x = ((T[])src).AsSpan(offset, n);
            ReadOnlySpan<bool> m = mask.AsSpan(maskOffset, n);
            var r = (T[])dst;
            for (int i = 0, k = 0; i < m.Length; i++) if (m[i]) r[k++] = x[i];
        }
    }

    /// <summary>Coordinates of the true flags of a row-major <paramref name="shape"/>, one array per dim.</summary>
    public static int[][] NonzeroCoords(ReadOnlySpan<bool> flags, int[] shape)
    {
        int n = flags.Length - flags.Count(false);
        int nd = shape.Length;
        var cols = new int[nd][];
        for (int d = 0; d < nd; d++) cols[d] = new int[n];
        if (n == 0) return cols;
        Span<int> coord = stackalloc int[Math.Max(nd, 1)];
        coord.Clear();
        for (int i = 0, k = 0; i < flags.Length; i++)
        {
            if (flags[i])
            {
                for (int d = 0; d < nd; d++) cols[d][k] = coord[d];
                k++;
            }
            for (int d = nd - 1; d >= 0; d--)
            {
                if (++coord[d] < shape[d]) break;
                coord[d] = 0;
            }
        }
        return cols;
    }

    /// <summary>torch.nonzero's [n, nd] layout: row i holds the i-th coordinate of every dim.</summary>
    public static void InterleaveCoords(int[][] cols, int n, Span<long> dst)
    {
        int nd = cols.Length;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < nd; k++) dst[i * nd + k] = cols[k][i];
    }
}

/// <summary>
/// A strided block of elements (the dims an indexing op copies whole), coalesced once so the
/// per-row copy is a span copy whenever the memory allows.
/// </summary>
internal sealed class StridedBlock
{
    readonly int[] _sh, _st;
    readonly int _nd;
    public readonly int Numel;

    public StridedBlock(int[] shape, int[] strides)
    {
        _sh = (int[])shape.Clone(); _st = (int[])strides.Clone();
        Numel = Shape.Numel(shape);
        _nd = Strided.Coalesce(_sh, _st);
    }

    /// <summary>True when the block is Numel consecutive elements.</summary>
    public bool Dense => _nd == 0 || (_nd == 1 && _st[0] == 1);

    public void Read<T>(T[] src, int off, Span<T> dst) where T : unmanaged
    {
        if (Numel == 0) return;
        if (_nd == 0) { dst[0] = src[off]; return; }
        int inner = _sh[_nd - 1], ist = _st[_nd - 1];
        if (_nd == 1) { ReadRow(src, off, inner, ist, dst); return; }
        Span<int> idx = stackalloc int[_nd];
        idx.Clear();
        int rows = Numel / inner;
        for (int r = 0, d = 0; r < rows; r++, d += inner)
        {
            ReadRow(src, off, inner, ist, dst.Slice(d, inner));
            NextRow(idx, ref off);
        }
    }

    static void ReadRow<T>(T[] src, int off, int n, int stride, Span<T> dst) where T : unmanaged
    {
        if (stride == 1) src.AsSpan(off, n).CopyTo(dst);
        else for (int i = 0; i < n; i++, off += stride) dst[i] = src[off];
    }

    public void Write<T, TW>(ReadOnlySpan<T> src, T[] dst, int off) where T : unmanaged where TW : IWrite<T>
    {
        if (Numel == 0) return;
        if (_nd == 0) { TW.Apply(ref dst[off], src[0]); return; }
        int inner = _sh[_nd - 1], ist = _st[_nd - 1];
        if (_nd == 1) { WriteRow<T, TW>(src, dst, off, inner, ist); return; }
        Span<int> idx = stackalloc int[_nd];
        idx.Clear();
        int rows = Numel / inner;
        for (int r = 0, s = 0; r < rows; r++, s += inner)
        {
            WriteRow<T, TW>(src.Slice(s, inner), dst, off, inner, ist);
            NextRow(idx, ref off);
        }
    }

    /// <summary>Steps the odometer over the outer dims to the next row, moving <paramref name="off"/> by their strides.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void NextRow(Span<int> idx, ref int off)
    {
        for (int k = _nd - 2; k >= 0; k--)
        {
            off += _st[k];
            if (++idx[k] < _sh[k]) break;
            off -= _st[k] * _sh[k];
            idx[k] = 0;
        }
    }

    static void WriteRow<T, TW>(ReadOnlySpan<T> src, T[] dst, int off, int n, int stride) where T : unmanaged where TW : IWrite<T>
    {
        if (stride == 1)
        {
            if (typeof(TW) == typeof(AssignWrite<T>)) { src.Slice(0, n).CopyTo(dst.AsSpan(off, n)); return; }
            if (typeof(TW) == typeof(AddWrite<float>))
            {
                RowUpdate.Add(MemoryMarshal.Cast<T, float>(dst.AsSpan(off, n)), MemoryMarshal.Cast<T, float>(src.Slice(0, n)));
                return;
            }
            if (typeof(TW) == typeof(AddWrite<double>))
            {
                RowUpdate.Add(MemoryMarshal.Cast<T, double>(dst.AsSpan(off, n)), MemoryMarshal.Cast<T, double>(src.Slice(0, n)));
                return;
            }
        }
        for (int i = 0; i < n; i++, off += stride) TW.Apply(ref dst[off], src[i]);
    }
}

/// <summary>Gather along a dim, one index row: dst (contiguous) ← the source at each index.</summary>
internal readonly struct GatherRow<T> : Strided.IDimRow<T> where T : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Row(T[] a, int t, int tInner, int tDim, long[] idx, int p0, T[] dst, int o, int oInner, int inner)
    {
        for (int j = 0; j < inner; j++) dst[o + j] = a[t + j * tInner + (int)idx[p0 + j] * tDim];
    }
}
