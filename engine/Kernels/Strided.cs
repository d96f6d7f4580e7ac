using System.Numerics;
using System.Runtime.CompilerServices;

namespace Torchlet.Kernels;

/// <summary>
/// Walking N-d strided layouts: dims are first merged where the memory is contiguous across
/// them, so most walks reduce to a few long rows that the span kernels can take whole.
/// </summary>
internal static class Strided
{
    /// <summary>Merges adjacent dims that are contiguous for every operand. Returns the new rank.</summary>
    public static int Coalesce(int[] shape, params int[][] strides)
    {
        int nd = shape.Length;
        if (nd <= 1) return nd;
        int w = 0;
        for (int r = 1; r < nd; r++)
        {
            bool merge = true;
            foreach (var st in strides)
                if (st[w] != st[r] * shape[r] && shape[w] != 1 && shape[r] != 1) { merge = false; break; }
            if (merge)
            {
                foreach (var st in strides)
                    st[w] = shape[r] == 1 ? st[w] : shape[w] == 1 ? st[r] : st[r];
                shape[w] *= shape[r];
            }
            else
            {
                w++;
                shape[w] = shape[r];
                foreach (var st in strides) st[w] = st[r];
            }
        }
        return w + 1;
    }

    /// <summary><see cref="Coalesce"/> for one operand, on spans (no allocation).</summary>
    public static int Coalesce1(Span<int> shape, Span<int> st)
    {
        int nd = shape.Length;
        if (nd <= 1) return nd;
        int w = 0;
        for (int r = 1; r < nd; r++)
        {
            if (shape[w] == 1 || shape[r] == 1 || st[w] == st[r] * shape[r])
            {
                if (shape[r] != 1) st[w] = st[r];
                shape[w] *= shape[r];
            }
            else { w++; shape[w] = shape[r]; st[w] = st[r]; }
        }
        return w + 1;
    }

    /// <summary><see cref="Coalesce"/> for two operands, on spans (no allocation).</summary>
    public static int Coalesce2(Span<int> shape, Span<int> s1, Span<int> s2)
    {
        int nd = shape.Length;
        if (nd <= 1) return nd;
        int w = 0;
        for (int r = 1; r < nd; r++)
        {
            bool ones = shape[w] == 1 || shape[r] == 1;
            if (ones || (s1[w] == s1[r] * shape[r] && s2[w] == s2[r] * shape[r]))
            {
                if (shape[r] != 1) { s1[w] = s1[r]; s2[w] = s2[r]; }
                shape[w] *= shape[r];
            }
            else
            {
                w++;
                shape[w] = shape[r]; s1[w] = s1[r]; s2[w] = s2[r];
            }
        }
        return w + 1;
    }

    /// <summary>Steps the odometer over the outer dims (all but the innermost) to the next row, moving <paramref name="off"/> by their strides.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void NextRow(Span<int> idx, ReadOnlySpan<int> sh, ReadOnlySpan<int> st, int nd, ref int off)
    {
        for (int k = nd - 2; k >= 0; k--)
        {
            off += st[k];
            if (++idx[k] < sh[k]) break;
            off -= st[k] * sh[k];
            idx[k] = 0;
        }
    }

    /// <summary>
    /// One row of a <see cref="DimWalk"/>: index positions p0 + j (j &lt; inner) against the indexed buffer at
    /// t + j·tInner + idx[p0 + j]·tDim and the other buffer at o + j·oInner.
    /// </summary>
    public interface IDimRow<T> where T : unmanaged
    {
        static abstract void Row(T[] tgt, int t, int tInner, int tDim, long[] idx, int p0, T[] other, int o, int oInner, int inner);
    }

    /// <summary>
    /// gather / scatter along <paramref name="dim"/>: walks the index shape <paramref name="ish"/> row-major; the indexed
    /// buffer moves by its strides with dim's taken as 0 (idx picks the position there), the other by all of its strides.
    /// </summary>
    public static void DimWalk<T, TRow>(T[] tgt, int t, int[] tSt, long[] idx, int[] ish, int dim, T[] other, int o, ReadOnlySpan<int> oSt)
        where T : unmanaged where TRow : IDimRow<T>
    {
        int n = idx.Length;
        if (n == 0) return;
        int nd = ish.Length, last = nd - 1, inner = ish[last];
        int tInner = last == dim ? 0 : tSt[last], tDim = tSt[dim], oInner = oSt[last];
        Span<int> c = stackalloc int[nd];
        for (int p0 = 0; p0 < n; p0 += inner)
        {
            TRow.Row(tgt, t, tInner, tDim, idx, p0, other, o, oInner, inner);
            for (int k = nd - 2; k >= 0; k--)
            {
                int ts = k == dim ? 0 : tSt[k];
                t += ts; o += oSt[k];
                if (++c[k] < ish[k]) break;
                t -= ts * ish[k]; o -= oSt[k] * ish[k];
                c[k] = 0;
            }
        }
    }

    /// <summary>Copies (and converts) a strided source into a contiguous destination span.</summary>
    public static void Copy<TS, TD>(TS[] src, int srcOffset, int[] shape, int[] strides, Span<TD> dst)
        where TS : unmanaged where TD : unmanaged
    {
        Span<int> sh = stackalloc int[shape.Length], st = stackalloc int[shape.Length];
        shape.CopyTo(sh); strides.CopyTo(st);
        int nd = Coalesce1(sh, st);
        if (nd == 0) { dst[0] = Convert<TS, TD>(src[srcOffset]); return; }
        int inner = sh[nd - 1], istride = st[nd - 1];
        int rows = dst.Length / Math.Max(inner, 1);
        if (dst.Length == 0) return;
        Span<int> idx = stackalloc int[nd];
        int off = srcOffset, d = 0;
        for (int row = 0; row < rows; row++)
        {
            var outRow = dst.Slice(d, inner);
            if (istride == 1)
            {
                if (typeof(TS) == typeof(TD)) src.AsSpan(off, inner).CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<TD, TS>(outRow));
                else ConvertSpan(src.AsSpan(off, inner), outRow);
            }
            else
                for (int i = 0, o = off; i < inner; i++, o += istride) outRow[i] = Convert<TS, TD>(src[o]);
            d += inner;
            NextRow(idx, sh, st, nd, ref off);
        }
    }

    /// <summary>Writes a contiguous source into a strided destination (setitem, copy_).</summary>
    public static void Scatter<T>(ReadOnlySpan<T> src, T[] dst, int dstOffset, int[] shape, int[] strides) where T : unmanaged
    {
        Span<int> sh = stackalloc int[shape.Length], st = stackalloc int[shape.Length];
        shape.CopyTo(sh); strides.CopyTo(st);
        int nd = Coalesce1(sh, st);
        if (src.Length == 0) return;
        if (nd == 0) { dst[dstOffset] = src[0]; return; }
        int inner = sh[nd - 1], istride = st[nd - 1];
        int rows = src.Length / inner;
        Span<int> idx = stackalloc int[nd];
        int off = dstOffset, s = 0;
        for (int row = 0; row < rows; row++)
        {
            if (istride == 1) src.Slice(s, inner).CopyTo(dst.AsSpan(off, inner));
            else for (int i = 0, o = off; i < inner; i++, o += istride) dst[o] = src[s + i];
            s += inner;
            NextRow(idx, sh, st, nd, ref off);
        }
    }

    /// <summary>
    /// Tensor.to's copy: the n elements of a source of dtype <paramref name="from"/> (contiguous from offset, or walked
    /// by shape and strides) converted into a fresh contiguous destination of dtype <paramref name="to"/>.
    /// </summary>
    public static void ToCopy(ScalarType from, Array src, int offset, int[] shape, int[] strides, bool contiguous, ScalarType to, Array dst, int n)
    {
        var action = new ToCopyAction(src, offset, shape, strides, contiguous, to, dst, n);
        Dispatch.Any(from, ref action);
    }

    // Source type first, then the destination type inside it.
    readonly struct ToCopyAction(Array src, int offset, int[] shape, int[] strides, bool contiguous, ScalarType to, Array dst, int n) : IAnyAction
    {
        public void Run<TS>() where TS : unmanaged
        {
            var into = new ToCopyAction<TS>((TS[])src, offset, shape, strides, contiguous, dst, n);
            Dispatch.Any(to, ref into);
        }
    }

    readonly struct ToCopyAction<TS>(TS[] src, int offset, int[] shape, int[] strides, bool contiguous, Array dst, int n) : IAnyAction where TS : unmanaged
    {
        public void Run<TD>() where TD : unmanaged
        {
            var d = ((TD[])dst).AsSpan(0, n);
            if (contiguous)
            {
                var s = src.AsSpan(offset, n);
                if (typeof(TS) == typeof(TD)) System.Runtime.InteropServices.MemoryMarshal.Cast<TS, TD>(s).CopyTo(d);
                else ConvertSpan(s, d);
            }
            else Copy(src, offset, shape, strides, d);
        }
    }

    public static void ConvertSpan<TS, TD>(ReadOnlySpan<TS> src, Span<TD> dst) where TS : unmanaged where TD : unmanaged
    {
        if (typeof(TS) == typeof(float) && typeof(TD) == typeof(double))
        {
            System.Numerics.Tensors.TensorPrimitives.ConvertTruncating<float, double>(
                System.Runtime.InteropServices.MemoryMarshal.Cast<TS, float>(src), System.Runtime.InteropServices.MemoryMarshal.Cast<TD, double>(dst));
            return;
        }
        if (typeof(TS) == typeof(double) && typeof(TD) == typeof(float))
        {
            System.Numerics.Tensors.TensorPrimitives.ConvertTruncating<double, float>(
                System.Runtime.InteropServices.MemoryMarshal.Cast<TS, double>(src), System.Runtime.InteropServices.MemoryMarshal.Cast<TD, float>(dst));
            return;
        }
        for (int i = 0; i < src.Length; i++) dst[i] = Convert<TS, TD>(src[i]);
    }

    /// <summary>Element conversion with PyTorch's rules: to bool is "!= 0", float to int truncates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TD Convert<TS, TD>(TS v) where TS : unmanaged where TD : unmanaged
    {
        if (typeof(TS) == typeof(TD)) return Unsafe.As<TS, TD>(ref v);
        double d = ToDouble(v);
        if (typeof(TD) == typeof(bool)) { bool b = typeof(TS) == typeof(long) ? Unsafe.As<TS, long>(ref v) != 0 : d != 0; return Unsafe.As<bool, TD>(ref b); }
        if (typeof(TD) == typeof(float)) { float f = typeof(TS) == typeof(long) ? Unsafe.As<TS, long>(ref v) : (float)d; return Unsafe.As<float, TD>(ref f); }
        if (typeof(TD) == typeof(double)) { double x = typeof(TS) == typeof(long) ? Unsafe.As<TS, long>(ref v) : d; return Unsafe.As<double, TD>(ref x); }
        if (typeof(TD) == typeof(long)) { long l = typeof(TS) == typeof(long) ? Unsafe.As<TS, long>(ref v) : typeof(TS) == typeof(int) ? Unsafe.As<TS, int>(ref v) : (long)d; return Unsafe.As<long, TD>(ref l); }
        if (typeof(TD) == typeof(int)) { int i = typeof(TS) == typeof(long) ? unchecked((int)Unsafe.As<TS, long>(ref v)) : unchecked((int)(long)d); return Unsafe.As<int, TD>(ref i); }
        if (typeof(TD) == typeof(byte)) { byte b = typeof(TS) == typeof(long) ? unchecked((byte)Unsafe.As<TS, long>(ref v)) : unchecked((byte)(long)d); return Unsafe.As<byte, TD>(ref b); }
        throw new NotSupportedException(typeof(TD).Name);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ToDouble<T>(T v) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return Unsafe.As<T, float>(ref v);
        if (typeof(T) == typeof(double)) return Unsafe.As<T, double>(ref v);
        if (typeof(T) == typeof(long)) return Unsafe.As<T, long>(ref v);
        if (typeof(T) == typeof(int)) return Unsafe.As<T, int>(ref v);
        if (typeof(T) == typeof(byte)) return Unsafe.As<T, byte>(ref v);
        if (typeof(T) == typeof(bool)) return Unsafe.As<T, bool>(ref v) ? 1 : 0;
        throw new NotSupportedException(typeof(T).Name);
    }
}
