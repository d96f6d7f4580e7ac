using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Torchlet.Kernels;

/// <summary>
/// The windows of one spatial dim of a pooling op: output position o reads input positions
/// Start[o], Start[o] + Step, ... below End[o] (already clipped to the input). Count[o] is the
/// avg-pool divisor factor of that dim (the window size, with or without the padding).
/// Regular and adaptive pooling differ only in these tables, so one kernel serves both.
/// </summary>
internal sealed class PoolDim
{
    public readonly int In, Out, Step;
    public readonly int[] Start, End, Count;

    PoolDim(int input, int output, int step)
    {
        In = input; Out = output; Step = step;
        Start = new int[output]; End = new int[output]; Count = new int[output];
    }

    /// <summary>A dim that is not pooled (the depth of a 2-d op): one window holding the one position.</summary>
    public static readonly PoolDim Unit = Regular(1, 1, 1, 1, 0, 1, true);

    /// <summary>
    /// Max/avg pooling windows as PyTorch's CPU kernels compute them: start o·s − p, the avg divisor
    /// counts padding up to in + p (count_include_pad) or only the clipped window, and a max
    /// window's first index is its first in-range position (start moved forward by dilation steps).
    /// </summary>
    public static PoolDim Regular(int input, int output, int kernel, int stride, int pad, int dilation, bool countPad)
    {
        var d = new PoolDim(input, output, dilation);
        for (int o = 0; o < output; o++)
        {
            int s = o * stride - pad;
            if (dilation == 1)
            {
                int ePad = Math.Min(s + kernel, input + pad);
                int size = ePad - s;
                int s0 = Math.Max(s, 0), e0 = Math.Min(ePad, input);
                d.Start[o] = s0; d.End[o] = Math.Max(e0, s0);
                d.Count[o] = countPad ? size : Math.Max(e0 - s0, 0);
            }
            else
            {
                int e = Math.Min(s + (kernel - 1) * dilation + 1, input);
                while (s < 0) s += dilation;
                d.Start[o] = s; d.End[o] = Math.Max(e, s);
                d.Count[o] = 0;  // avg pooling has no dilation
            }
        }
        return d;
    }

    /// <summary>Adaptive windows: [floor(o·in/out), ceil((o+1)·in/out)).</summary>
    public static PoolDim Adaptive(int input, int output)
    {
        var d = new PoolDim(input, output, 1);
        for (int o = 0; o < output; o++)
        {
            int s = (int)((long)o * input / output);
            int e = (int)(((long)(o + 1) * input + output - 1) / output);
            d.Start[o] = s; d.End[o] = e; d.Count[o] = e - s;
        }
        return d;
    }

    public bool IsPlain2x2 => Step == 1 && Out > 0 && Start[0] == 0 && End[0] == 2 && (Out == 1 || Start[1] == 2) && 2 * Out <= In && LastIsFull;
    bool LastIsFull => Start[Out - 1] == 2 * (Out - 1) && End[Out - 1] == 2 * Out;
}

/// <summary>
/// Pooling window kernels over [planes, D, H, W] contiguous blocks (planes = N·C; 1-d and 2-d
/// ops use unit leading dims). Planes are independent, so they are split over the intra-op threads.
/// Indices are flat positions within a plane (PyTorch's convention: h·W + w for 2-d).
/// </summary>
internal static class Pool
{
    // ---------------------------------------------------------------- entry points: dtype + raw buffers, one dispatch each

    /// <summary>
    /// Max pooling over [planes, pd.In, ph.In, pw.In] at <paramref name="xOff"/> into y (contiguous from 0),
    /// with each window's flat argmax into <paramref name="idx"/> (an Int64 buffer from 0) unless null.
    /// </summary>
    public static void MaxForward(ScalarType dtype, Array x, int xOff, Array y, Array? idx, int planes, PoolDim pd, PoolDim ph, PoolDim pw, string op)
    {
        var a = new MaxAction(x, xOff, y, (long[]?)idx, planes, pd, ph, pw);
        Dispatch.Floating(dtype, ref a, op);
    }

    /// <summary>avg_pool forward: x at <paramref name="xOff"/> → y (contiguous from 0); see the generic overload.</summary>
    public static void AvgForward(ScalarType dtype, Array x, int xOff, Array y, int planes, PoolDim pd, PoolDim ph, PoolDim pw, int divisor, string op)
    {
        var a = new AvgAction(x, xOff, y, planes, pd, ph, pw, divisor, backward: false);
        Dispatch.Floating(dtype, ref a, op);
    }

    /// <summary>avg_pool backward: gy at <paramref name="gyOff"/> spread into a zeroed gx (contiguous from 0).</summary>
    public static void AvgBackward(ScalarType dtype, Array gy, int gyOff, Array gx, int planes, PoolDim pd, PoolDim ph, PoolDim pw, int divisor, string op)
    {
        var a = new AvgAction(gy, gyOff, gx, planes, pd, ph, pw, divisor, backward: true);
        Dispatch.Floating(dtype, ref a, op);
    }

    /// <summary>Max-pool backward: gx[plane, idx[o]] += gy[o] into a zeroed gx (contiguous from 0).</summary>
    public static void ScatterAdd(ScalarType dtype, Array gy, int gyOff, Array idx, Array gx, int planes, int inPlane, int outPlane, string op)
    {
        var a = new IndexedPlanes(PlaneIndexOp.ScatterAdd, gy, gyOff, (long[])idx, gx, planes, inPlane, outPlane);
        Dispatch.Floating(dtype, ref a, op);
    }

    /// <summary>Max-pool backward for tiling 2×2 stride-2 windows: gx (contiguous from 0) needs no zeroing.</summary>
    public static void Scatter2x2(ScalarType dtype, Array gy, int gyOff, Array idx, Array gx, int planes, PoolDim ph, PoolDim pw, string op)
    {
        var a = new Scatter2x2Action(gy, gyOff, (long[])idx, gx, planes, ph, pw);
        Dispatch.Floating(dtype, ref a, op);
    }

    /// <summary>y[o] = x[plane, idx[o]] (max-unpool backward, max-pool double backward) into y (contiguous from 0).</summary>
    public static void Gather(ScalarType dtype, Array x, int xOff, Array idx, Array y, int planes, int inPlane, int outPlane, string op)
    {
        var a = new IndexedPlanes(PlaneIndexOp.Gather, x, xOff, (long[])idx, y, planes, inPlane, outPlane);
        Dispatch.Floating(dtype, ref a, op);
    }

    /// <summary>Max-unpool into a zeroed y (contiguous from 0); returns an invalid index, or long.MinValue if all are valid.</summary>
    public static long Unpool(ScalarType dtype, Array x, int xOff, Array idx, Array y, int planes, int inPlane, int outPlane, string op)
    {
        var a = new IndexedPlanes(PlaneIndexOp.Unpool, x, xOff, (long[])idx, y, planes, inPlane, outPlane);
        Dispatch.Floating(dtype, ref a, op);
        return a.Bad;
    }

    enum PlaneIndexOp { ScatterAdd, Gather, Unpool }

    /// <summary>The index-driven plane kernels: src (from srcOff) → dst through idx; Unpool's first invalid index goes to Bad.</summary>
    struct IndexedPlanes(PlaneIndexOp op, Array src, int srcOff, long[] idx, Array dst, int planes, int inPlane, int outPlane) : IFloatingAction
    {
        public long Bad;

        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            T[] s = (T[])src, d = (T[])dst;
            if (op == PlaneIndexOp.ScatterAdd) ScatterAdd(s, srcOff, idx, d, planes, inPlane, outPlane);
            else if (op == PlaneIndexOp.Gather) Gather(s, srcOff, idx, d, planes, inPlane, outPlane);
            else Bad = Unpool(s, srcOff, idx, d, planes, inPlane, outPlane);
        }
    }

    readonly struct Scatter2x2Action(Array gy, int gyOff, long[] idx, Array gx, int planes, PoolDim ph, PoolDim pw) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
            Scatter2x2((T[])gy, gyOff, idx, (T[])gx, planes, ph.In, pw.In, ph.Out, pw.Out);
    }

    readonly struct MaxAction(Array x, int xOff, Array y, long[]? idx, int planes, PoolDim pd, PoolDim ph, PoolDim pw) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => MaxForward((T[])x, xOff, (T[])y, idx, planes, pd, ph, pw);
    }

    /// <summary>avg_pool forward (a = input, b = output) or its backward (a = output gradient, b = input gradient).</summary>
    readonly struct AvgAction(Array a, int aOff, Array b, int planes, PoolDim pd, PoolDim ph, PoolDim pw, int divisor, bool backward) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (backward) AvgBackward((T[])a, aOff, (T[])b, planes, pd, ph, pw, divisor);
            else AvgForward((T[])a, aOff, (T[])b, planes, pd, ph, pw, divisor);
        }
    }

    // ---------------------------------------------------------------- max pooling

    /// <summary>
    /// Max pooling with PyTorch's CPU rule: the running max is replaced when a value is greater
    /// or NaN, so ties keep the first max and a NaN (the last one) wins.
    /// </summary>
    static void MaxForward<T>(T[] x, int xOff, T[] y, long[]? idx, int planes, PoolDim pd, PoolDim ph, PoolDim pw)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int inPlane = pd.In * ph.In * pw.In, outPlane = pd.Out * ph.Out * pw.Out;
        if ((typeof(T) == typeof(float) || typeof(T) == typeof(double)) && pd.Out == 1 && pd.In == 1 && ph.IsPlain2x2 && pw.IsPlain2x2)
        {
            Threading.For(planes, outPlane * 4L, new Max2x2Planes<T>(x, xOff, y, idx, inPlane, outPlane, pw.In, ph.Out, pw.Out));
            return;
        }
        long cost = (long)outPlane * Math.Max(1, WindowVolume(pd, ph, pw));
        Threading.For(planes, cost, new MaxRange<T>(x, xOff, y, idx, pd, ph, pw));
    }

    readonly struct Max2x2Planes<T>(T[] x, int xOff, T[] y, long[]? idx, int inPlane, int outPlane, int IW, int OH, int OW) : IRange
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int p0, int p1)
        {
            for (int p = p0; p < p1; p++) Max2x2Plane(x, xOff + p * inPlane, y, idx, p * outPlane, IW, OH, OW);
        }
    }

    readonly struct MaxRange<T>(T[] x, int xOff, T[] y, long[]? idx, PoolDim pd, PoolDim ph, PoolDim pw) : IRange
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int p0, int p1) => MaxPlanes(x, xOff, y, idx, p0, p1, pd, ph, pw);
    }

    // Window tables and steps in locals: the JIT keeps them in registers in the inner loops.
    static void MaxPlanes<T>(T[] x, int xOff, T[] y, long[]? idx, int p0, int p1, PoolDim pd, PoolDim ph, PoolDim pw)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int IH = ph.In, IW = pw.In, OD = pd.Out, OH = ph.Out, OW = pw.Out;
        int ds = pd.Step, hs = ph.Step, ws = pw.Step;
        int[] dS = pd.Start, dE = pd.End, hS = ph.Start, hE = ph.End, wS = pw.Start, wE = pw.End;
        int inPlane = pd.In * IH * IW, outPlane = OD * OH * OW;
        for (int p = p0; p < p1; p++)
        {
            var xs = new ReadOnlySpan<T>(x, xOff + p * inPlane, inPlane);
            int o = p * outPlane;
            for (int od = 0; od < OD; od++)
            {
                int d0 = dS[od], d1 = dE[od];
                for (int oh = 0; oh < OH; oh++)
                {
                    int h0 = hS[oh], h1 = hE[oh];
                    for (int ow = 0; ow < OW; ow++, o++)
                    {
                        int w0 = wS[ow], w1 = wE[ow];
                        int mi = (d0 * IH + h0) * IW + w0;
                        T m = T.NegativeInfinity;
                        for (int d = d0; d < d1; d += ds)
                            for (int h = h0; h < h1; h += hs)
                            {
                                int row = (d * IH + h) * IW;
                                for (int w = row + w0, we = row + w1; w < we; w += ws)
                                {
                                    // Branch-free select: the comparison is a coin flip on real data.
                                    T v = xs[w];
                                    bool take = (v > m) | T.IsNaN(v);
                                    m = take ? v : m;
                                    mi = take ? w : mi;
                                }
                            }
                        y[o] = m;
                        if (idx is not null) idx[o] = mi;
                    }
                }
            }
        }
    }

    static long WindowVolume(PoolDim pd, PoolDim ph, PoolDim pw)
    {
        static int W(PoolDim d) => d.Out == 0 ? 0 : (d.End[0] - d.Start[0] + d.Step - 1) / d.Step + 1;
        return (long)W(pd) * W(ph) * W(pw);
    }

    /// <summary>
    /// The common 2×2 stride-2 max pool, a vector of outputs at a time: each pair of input rows is
    /// de-interleaved into the four window corners, which are compared in PyTorch's scan order.
    /// </summary>
    // Not inlined: a root of its own for the JIT's inlining budget, which the steps of every width use up
    // (inlined into a caller that inlines more, as MaxForward's delegate, lane operations were left as calls).
    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Max2x2Plane<T>(T[] x, int xo, T[] y, long[]? idx, int yo, int IW, int OH, int OW)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int oh = 0; oh < OH; oh++)
        {
            // Rows are short (14 outputs for 28×28): the last vector overlaps the one before instead of
            // leaving a scalar tail (rewriting an output with its own value is harmless).
            var row = new Max2x2Row<T>(x, xo + 2 * oh * IW, IW, y, yo + oh * OW, idx, 2 * oh * IW);
            Simd.ForOverlapping<T, Max2x2Row<T>>(OW, ref row);
        }
    }

    /// <summary>One output row: input rows r0 and r0 + IW; a step at j makes outputs [j, j + Count) from columns [2·j, 2·j + 2·Count).</summary>
    internal ref struct Max2x2Row<T>(T[] x, int r0, int IW, T[] y, int o, long[]? idx, int rowIdx) : IVecLoop<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        readonly ref T _r0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), r0);
        readonly ref T _r1 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), r0 + IW);
        readonly ref T _y = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(y), o);
        readonly ref long _idx = ref idx is null ? ref Unsafe.NullRef<long>() : ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(idx), o);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step<TV>(nuint j) where TV : struct, ILanes<TV, T>
        {
            nuint k = 2 * j, w = (nuint)TV.Count;
            TV a0 = TV.Load(ref _r0, k), a1 = TV.Load(ref _r0, k + w), b0 = TV.Load(ref _r1, k), b1 = TV.Load(ref _r1, k + w);
            TV a = TV.Even(a0, a1), b = TV.Odd(a0, a1), c = TV.Even(b0, b1), d = TV.Odd(b0, b1);
            // PyTorch's scan order a, b, c, d: replace when greater or NaN; index lanes follow (offsets from column 2·j).
            TV m = a, at = TV.Iota(0, 2);
            TV t = TV.Or(TV.Gt(b, m), TV.IsNaN(b));
            m = TV.Select(t, b, m); at = TV.Select(t, TV.Iota(1, 2), at);
            t = TV.Or(TV.Gt(c, m), TV.IsNaN(c));
            m = TV.Select(t, c, m); at = TV.Select(t, TV.Iota(IW, 2), at);
            t = TV.Or(TV.Gt(d, m), TV.IsNaN(d));
            m = TV.Select(t, d, m); at = TV.Select(t, TV.Iota(IW + 1, 2), at);
            TV.Store(m, ref _y, j);
            if (!Unsafe.IsNullRef(ref _idx)) TV.StoreIndices(at, rowIdx + (long)k, ref _idx, j);
        }
    }


    // ---------------------------------------------------------------- index-driven plane kernels

    /// <summary>gx[plane, idx[o]] += gy[o] (max-pool backward); gx must be zeroed. Planes own disjoint parts of gx.</summary>
    /// <remarks>
    /// A dilated window can lie wholly in the padding: its output is -inf whatever the input, and its index
    /// (PyTorch's: the first dilated position) can be past the plane. Such a gradient goes nowhere (PyTorch
    /// 1.13 adds it into the next plane, or past the end).
    /// </remarks>
    static void ScatterAdd<T>(T[] gy, int gyOff, long[] idx, T[] gx, int planes, int inPlane, int outPlane)
        where T : unmanaged, INumber<T> =>
        Threading.For(planes, outPlane, new ScatterAddPlanes<T>(gy, gyOff, idx, gx, inPlane, outPlane));

    readonly struct ScatterAddPlanes<T>(T[] gy, int gyOff, long[] idx, T[] gx, int inPlane, int outPlane) : IRange
        where T : unmanaged, INumber<T>
    {
        public void Run(int p0, int p1)
        {
            for (int p = p0; p < p1; p++)
            {
                int ib = p * inPlane, ob = p * outPlane;
                for (int o = 0; o < outPlane; o++)
                {
                    long i = idx[ob + o];
                    if ((ulong)i < (ulong)inPlane) gx[ib + (int)i] += gy[gyOff + ob + o];
                }
            }
        }
    }

    /// <summary>
    /// Max-pool backward for 2×2 stride-2 windows (which tile the input): each window's four
    /// gradients are written at once (g at the argmax, 0 elsewhere), and the odd last row/column
    /// no window covers is zeroed, so gx needs no zeroing pass and no read-modify-write.
    /// </summary>
    static void Scatter2x2<T>(T[] gy, int gyOff, long[] idx, T[] gx, int planes, int IH, int IW, int OH, int OW)
        where T : unmanaged, INumber<T> =>
        Threading.For(planes, OH * OW * 4L, new Scatter2x2Planes<T>(gy, gyOff, idx, gx, IH, IW, OH, OW));

    readonly struct Scatter2x2Planes<T>(T[] gy, int gyOff, long[] idx, T[] gx, int IH, int IW, int OH, int OW) : IRange
        where T : unmanaged, INumber<T>
    {
        public void Run(int p0, int p1)
        {
            int inPlane = IH * IW, outPlane = OH * OW;
            for (int p = p0; p < p1; p++)
            {
                int ib = p * inPlane, ob = p * outPlane;
                for (int oh = 0; oh < OH; oh++)
                {
                    int r0 = ib + 2 * oh * IW, r1 = r0 + IW, o = ob + oh * OW;
                    for (int ow = 0; ow < OW; ow++)
                    {
                        // Zero the window, then store at the argmax: no data-dependent branch.
                        int c = 2 * ow;
                        gx[r0 + c] = T.Zero; gx[r0 + c + 1] = T.Zero;
                        gx[r1 + c] = T.Zero; gx[r1 + c + 1] = T.Zero;
                        gx[ib + (int)idx[o + ow]] = gy[gyOff + o + ow];
                    }
                    if (IW > 2 * OW) { gx[r0 + IW - 1] = T.Zero; gx[r1 + IW - 1] = T.Zero; }
                }
                if (IH > 2 * OH) Array.Clear(gx, ib + (IH - 1) * IW, IW);
            }
        }
    }

    /// <summary>y[o] = x[plane, idx[o]] (the adjoint of <see cref="ScatterAdd{T}"/>; max-unpool backward).</summary>
    static void Gather<T>(T[] x, int xOff, long[] idx, T[] y, int planes, int inPlane, int outPlane) where T : unmanaged =>
        Threading.For(planes, outPlane, new GatherPlanes<T>(x, xOff, idx, y, inPlane, outPlane));

    readonly struct GatherPlanes<T>(T[] x, int xOff, long[] idx, T[] y, int inPlane, int outPlane) : IRange where T : unmanaged
    {
        public void Run(int p0, int p1)
        {
            for (int p = p0; p < p1; p++)
            {
                int ib = xOff + p * inPlane, ob = p * outPlane;
                // An index past the plane (a window wholly in the padding, see ScatterAdd) reads as 0.
                for (int o = 0; o < outPlane; o++)
                {
                    long i = idx[ob + o];
                    y[ob + o] = (ulong)i < (ulong)inPlane ? x[ib + (int)i] : default;
                }
            }
        }
    }

    /// <summary>
    /// Max-unpool: y[plane, idx[o]] = x[o] into a zeroed y. Returns an index outside
    /// [0, outPlane), or long.MinValue if all are valid; nothing is thrown from worker threads.
    /// </summary>
    static long Unpool<T>(T[] x, int xOff, long[] idx, T[] y, int planes, int inPlane, int outPlane) where T : unmanaged
    {
        if (Threading.Serial(planes, inPlane)) return new UnpoolPlanes<T>(x, xOff, idx, y, inPlane, outPlane, null).Scan(0, planes);
        // Parallel: the chunks report to a shared cell (the first report wins).
        var bad = new StrongBox<long>(long.MinValue);
        Threading.For(planes, inPlane, new UnpoolPlanes<T>(x, xOff, idx, y, inPlane, outPlane, bad).Run);
        return bad.Value;
    }

    readonly struct UnpoolPlanes<T>(T[] x, int xOff, long[] idx, T[] y, int inPlane, int outPlane, StrongBox<long>? bad) where T : unmanaged
    {
        public void Run(int p0, int p1)
        {
            long k = Scan(p0, p1);
            if (k != long.MinValue) Interlocked.CompareExchange(ref bad!.Value, k, long.MinValue);
        }

        /// <summary>Planes [p0, p1), stopping at the first invalid index, which is returned (long.MinValue if none).</summary>
        public long Scan(int p0, int p1)
        {
            for (int p = p0; p < p1; p++)
            {
                int ib = p * inPlane, ob = p * outPlane;
                for (int i = 0; i < inPlane; i++)
                {
                    long k = idx[ib + i];
                    if ((ulong)k >= (ulong)outPlane) return k;
                    y[ob + (int)k] = x[xOff + ib + i];
                }
            }
            return long.MinValue;
        }
    }

    // ---------------------------------------------------------------- average pooling

    /// <summary>
    /// Average pooling: the window sum divided by divisor (if non-zero) or by the product of the
    /// dims' Count factors. An empty window gives 0 (PyTorch's rule).
    /// </summary>
    static void AvgForward<T>(T[] x, int xOff, T[] y, int planes, PoolDim pd, PoolDim ph, PoolDim pw, int divisor)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        AvgWindows(x, xOff, y, 0, planes, pd, ph, pw, divisor, backward: false);

    /// <summary>The adjoint of <see cref="AvgForward{T}"/>: each output's gradient / divisor added over its window. gx must be zeroed.</summary>
    static void AvgBackward<T>(T[] gy, int gyOff, T[] gx, int planes, PoolDim pd, PoolDim ph, PoolDim pw, int divisor)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        AvgWindows(gx, 0, gy, gyOff, planes, pd, ph, pw, divisor, backward: true);

    static void AvgWindows<T>(T[] inp, int inOff, T[] outp, int outOff, int planes, PoolDim pd, PoolDim ph, PoolDim pw, int divisor, bool backward)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Threading.For(planes, (long)(pd.Out * ph.Out * pw.Out) * Math.Max(1, WindowVolume(pd, ph, pw)),
            new AvgPlanes<T>(inp, inOff, outp, outOff, pd, ph, pw, divisor, backward));

    /// <summary>
    /// Walks every output's window once: forward sums the input plane over it into the output, backward spreads
    /// the output's gradient over it into the input plane (the same windows and divisors, so the two stay adjoint).
    /// </summary>
    readonly struct AvgPlanes<T>(T[] inp, int inOff, T[] outp, int outOff, PoolDim pd, PoolDim ph, PoolDim pw, int divisor, bool backward) : IRange
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int p0, int p1)
        {
            int inPlane = pd.In * ph.In * pw.In, outPlane = pd.Out * ph.Out * pw.Out;
            int IH = ph.In, IW = pw.In;
            for (int p = p0; p < p1; p++)
            {
                var plane = inp.AsSpan(inOff + p * inPlane, inPlane);
                int o = outOff + p * outPlane;
                for (int od = 0; od < pd.Out; od++)
                {
                    int d0 = pd.Start[od], d1 = pd.End[od];
                    for (int oh = 0; oh < ph.Out; oh++)
                    {
                        int h0 = ph.Start[oh], h1 = ph.End[oh];
                        for (int ow = 0; ow < pw.Out; ow++, o++)
                        {
                            int w0 = pw.Start[ow], w1 = pw.End[ow];
                            if (d0 >= d1 || h0 >= h1 || w0 >= w1)
                            {
                                if (!backward) outp[o] = T.Zero;
                                continue;
                            }
                            var div = T.CreateTruncating(divisor != 0 ? divisor : pd.Count[od] * ph.Count[oh] * pw.Count[ow]);
                            if (backward)
                            {
                                T g = outp[o] / div;
                                for (int d = d0; d < d1; d++)
                                    for (int h = h0; h < h1; h++)
                                    {
                                        int row = (d * IH + h) * IW;
                                        for (int w = w0; w < w1; w++) plane[row + w] += g;
                                    }
                            }
                            else
                            {
                                T s = T.Zero;
                                for (int d = d0; d < d1; d++)
                                    for (int h = h0; h < h1; h++)
                                    {
                                        int row = (d * IH + h) * IW;
                                        for (int w = w0; w < w1; w++) s += plane[row + w];
                                    }
                                outp[o] = s / div;
                            }
                        }
                    }
                }
            }
        }
    }
}
