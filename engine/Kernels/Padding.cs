using System.Numerics;

namespace Torchlet.Kernels;

/// <summary>
/// The index-mapped padding modes (reflect, replicate, circular) over the last k ≤ 3 dims of contiguous
/// buffers: maps[i][o] is the position in the unpadded ("small") tensor that padded position o of dim
/// nd − k + i reads. The padded ("big") tensor is walked in order, one plane (the leading dims) at a time.
/// </summary>
internal static class PadKernels
{
    /// <summary>big[p, o…] = small[p, map(o)…]; every dtype, bool included (a plain copy).</summary>
    public static void Gather(ScalarType dtype, Array small, int smallOff, int[] smallShape, Array big, int bigOff, int k, int[][] maps)
    {
        var a = new GatherAction(small, smallOff, smallShape, big, bigOff, k, maps);
        Dispatch.Any(dtype, ref a);
    }

    /// <summary>small[p, map(o)…] += big[p, o…] into the cleared <paramref name="small"/>: the adjoint of <see cref="Gather"/>.</summary>
    public static void ScatterAdd(ScalarType dtype, Array big, int bigOff, Array small, int smallOff, int[] smallShape, int k, int[][] maps, string op)
    {
        var a = new ScatterAddAction(small, smallOff, smallShape, big, bigOff, k, maps);
        Dispatch.Floating(dtype, ref a, op);
    }

    readonly struct GatherAction(Array small, int so, int[] shape, Array big, int bo, int k, int[][] maps) : IAnyAction
    {
        public void Run<T>() where T : unmanaged => Walk<T, CopyRow<T>>((T[])small, so, shape, (T[])big, bo, k, maps);
    }

    readonly struct ScatterAddAction(Array small, int so, int[] shape, Array big, int bo, int k, int[][] maps) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => Walk<T, AddRow<T>>((T[])small, so, shape, (T[])big, bo, k, maps);
    }

    /// <summary>One padded row: its big[o..] elements against small[row + mW[c]].</summary>
    interface IPadRow<T> where T : unmanaged
    {
        static abstract void Row(T[] small, int row, int[] mW, T[] big, int o);
    }

    readonly struct CopyRow<T> : IPadRow<T> where T : unmanaged
    {
        public static void Row(T[] s, int row, int[] mW, T[] d, int o)
        {
            for (int c = 0; c < mW.Length; c++) d[o++] = s[row + mW[c]];
        }
    }

    readonly struct AddRow<T> : IPadRow<T> where T : unmanaged, INumber<T>
    {
        public static void Row(T[] s, int row, int[] mW, T[] d, int o)
        {
            for (int c = 0; c < mW.Length; c++) s[row + mW[c]] += d[o++];
        }
    }

    static readonly int[] s_one = [0];   // the map of a dim that is not padded (fewer than 3 padded dims)

    /// <summary>
    /// The one loop for both directions, planes split over threads. The backward's sums do not depend on threads:
    /// a plane is one thread's, and its rows are walked in order.
    /// </summary>
    static void Walk<T, TRow>(T[] s, int so, int[] shape, T[] d, int bo, int k, int[][] maps) where T : unmanaged where TRow : IPadRow<T>
    {
        int nd = shape.Length;
        var mD = k >= 3 ? maps[k - 3] : s_one;
        var mH = k >= 2 ? maps[k - 2] : s_one;
        var mW = maps[k - 1];
        int xw = shape[nd - 1], xh = k >= 2 ? shape[nd - 2] : 1, xd = k >= 3 ? shape[nd - 3] : 1;
        int inPlane = xd * xh * xw, outPlane = mD.Length * mH.Length * mW.Length;
        int planes = 1;
        for (int i = 0; i < nd - k; i++) planes *= shape[i];
        var walk = new Planes<T, TRow>(s, so, d, bo, mD, mH, mW, xh, xw, inPlane, outPlane);
        Threading.For(planes, outPlane, walk);
    }

    readonly struct Planes<T, TRow>(T[] s, int so, T[] d, int bo, int[] mD, int[] mH, int[] mW, int xh, int xw, int inPlane, int outPlane) : IRange
        where T : unmanaged where TRow : IPadRow<T>
    {
        public void Run(int p0, int p1)
        {
            for (int p = p0; p < p1; p++)
            {
                int o = bo + p * outPlane;
                for (int a = 0; a < mD.Length; a++)
                    for (int b = 0; b < mH.Length; b++, o += mW.Length)
                        TRow.Row(s, so + p * inPlane + (mD[a] * xh + mH[b]) * xw, mW, d, o);
            }
        }
    }
}
