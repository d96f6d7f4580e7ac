using System.Numerics;
using System.Numerics.Tensors;

namespace Torchlet.Kernels;

/// <summary>Row kernels of softmax / log_softmax and their backward; see <see cref="Tensor.softmax"/>.</summary>
internal static class SoftmaxKernels
{
    const int InnerChunk = 2048;   // inner elements per task when the softmax dim is not last
    const int Block = 64;          // k-slices summed into a partial before it joins the total (bounds float error for long dims)

    /// <summary>part += v; every <see cref="Block"/> slices the partial sum is folded into the total.</summary>
    static void Accumulate<T>(Span<T> total, Span<T> part, ReadOnlySpan<T> v, int i, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Add<T>(part, v, part);
        if ((i + 1) % Block == 0 || i == k - 1)
        {
            TensorPrimitives.Add<T>(total, part, total);
            part.Clear();
        }
    }

    /// <summary>softmax (log_softmax if <paramref name="log"/>) of x seen as [outer, k, inner] along k, into y (contiguous from 0).</summary>
    public static void Forward(ScalarType dtype, Array x, int xo, Array y, int outer, int k, int inner, bool log, string op)
    {
        var a = new ForwardAction(x, xo, y, outer, k, inner, log);
        Dispatch.Floating(dtype, ref a, op);
    }

    /// <summary>The input gradient of <see cref="Forward(ScalarType, Array, int, Array, int, int, int, bool, string)"/> from g and its output y, into r (contiguous from 0).</summary>
    public static void Backward(ScalarType dtype, Array g, int go, Array y, int yo, Array r, int outer, int k, int inner, bool log, string op)
    {
        var a = new BackwardAction(g, go, y, yo, r, outer, k, inner, log);
        Dispatch.Floating(dtype, ref a, op);
    }

    readonly struct ForwardAction(Array x, int xo, Array y, int outer, int k, int inner, bool log) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => Forward((T[])x, xo, (T[])y, outer, k, inner, log);
    }

    readonly struct BackwardAction(Array g, int go, Array y, int yo, Array r, int outer, int k, int inner, bool log) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => Backward((T[])g, go, (T[])y, yo, (T[])r, outer, k, inner, log);
    }

    static void Forward<T>(T[] x, int xo, T[] y, int outer, int k, int inner, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inner == 1)
        {
            var rows = new ForwardRows<T>(x, xo, y, k, log);
            Threading.For(outer, (long)k * 8, rows);
            return;
        }
        int chunks = (inner + InnerChunk - 1) / InnerChunk;
        long cost = (long)k * Math.Min(inner, InnerChunk) * 8;
        var blocks = new ForwardChunks<T>(x, xo, y, k, inner, chunks, log);
        Threading.For(outer * chunks, cost, blocks);
    }

    readonly struct ForwardRows<T>(T[] x, int xo, T[] y, int k, bool log) : IRange where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int r0, int r1)
        {
            for (int r = r0; r < r1; r++) ForwardRow(x.AsSpan(xo + r * k, k), y.AsSpan(r * k, k), log);
        }
    }

    /// <summary>Tasks [t0, t1): task t is columns [j0, j0 + InnerChunk) of block o = t / chunks.</summary>
    readonly struct ForwardChunks<T>(T[] x, int xo, T[] y, int k, int inner, int chunks, bool log) : IRange where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int t0, int t1)
        {
            for (int t = t0; t < t1; t++)
            {
                int o = t / chunks, j0 = t % chunks * InnerChunk, n = Math.Min(InnerChunk, inner - j0);
                ForwardStrided(x, xo + o * k * inner + j0, y, o * k * inner + j0, k, inner, n, log);
            }
        }
    }

    // Rows shorter than this run a scalar loop: per-call overhead of the vector routines dominates
    // there (the notes' 10-class classifiers).
    const int ShortRow = 16;

    /// <summary>The max of a row; NaN if any element is NaN (as TensorPrimitives.Max and PyTorch).</summary>
    static T RowMax<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length >= ShortRow) return TensorPrimitives.Max(x);
        T m = x[0];
        for (int i = 1; i < x.Length && !T.IsNaN(m); i++)
            if (!(x[i] <= m)) m = x[i];
        return m;
    }

    /// <summary>max + log Σ exp(x − max) of one row; <paramref name="tmp"/> (row length) is scratch.</summary>
    internal static T LogSumExp<T>(ReadOnlySpan<T> x, Span<T> tmp) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = RowMax(x);
        if (x.Length < ShortRow)
        {
            T s = T.Zero;
            for (int i = 0; i < x.Length; i++) s += T.Exp(x[i] - max);
            return max + T.Log(s);
        }
        TensorPrimitives.Subtract(x, max, tmp);
        TensorPrimitives.Exp<T>(tmp, tmp);
        return max + T.Log(RowMath.Sum<T>(tmp));
    }

    static void ForwardRow<T>(ReadOnlySpan<T> x, Span<T> y, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = RowMax(x);
        if (x.Length < ShortRow)
        {
            T s = T.Zero;
            for (int i = 0; i < x.Length; i++) { T d = x[i] - max; T e = T.Exp(d); s += e; y[i] = log ? d : e; }
            if (log) { T ls = T.Log(s); for (int i = 0; i < y.Length; i++) y[i] -= ls; }
            else for (int i = 0; i < y.Length; i++) y[i] /= s;
            return;
        }
        TensorPrimitives.Subtract(x, max, y);
        if (!log)
        {
            TensorPrimitives.Exp(y, y);
            TensorPrimitives.Divide(y, RowMath.Sum<T>(y), y);
            return;
        }
        var tmp = ReduceScratch<T>.Get(x.Length).AsSpan(0, x.Length);
        TensorPrimitives.Exp<T>(y, tmp);
        TensorPrimitives.Subtract(y, T.Log(RowMath.Sum<T>(tmp)), y);
    }

    /// <summary>n columns of one [k, inner] block: SIMD across the columns, one pass per k-slice.</summary>
    static void ForwardStrided<T>(T[] x, int xb, T[] y, int yb, int k, int inner, int n, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var scratch = ReduceScratch<T>.Get(3 * n);
        var max = scratch.AsSpan(0, n);
        var sum = scratch.AsSpan(n, n);
        var part = scratch.AsSpan(2 * n, n);
        part.Clear();
        x.AsSpan(xb, n).CopyTo(max);
        for (int i = 1; i < k; i++) TensorPrimitives.Max<T>(max, x.AsSpan(xb + i * inner, n), max);
        sum.Clear();
        for (int i = 0; i < k; i++)
        {
            var yi = y.AsSpan(yb + i * inner, n);
            TensorPrimitives.Subtract<T>(x.AsSpan(xb + i * inner, n), max, yi);
            if (!log)
            {
                TensorPrimitives.Exp<T>(yi, yi);
                Accumulate<T>(sum, part, yi, i, k);
            }
        }
        if (!log)
        {
            for (int i = 0; i < k; i++) { var yi = y.AsSpan(yb + i * inner, n); TensorPrimitives.Divide<T>(yi, sum, yi); }
            return;
        }
        // Every slice is shifted now: the max buffer is free to hold exp of one slice at a time.
        for (int i = 0; i < k; i++)
        {
            TensorPrimitives.Exp<T>(y.AsSpan(yb + i * inner, n), max);
            Accumulate<T>(sum, part, max, i, k);
        }
        TensorPrimitives.Log<T>(sum, sum);
        for (int i = 0; i < k; i++) { var yi = y.AsSpan(yb + i * inner, n); TensorPrimitives.Subtract<T>(yi, sum, yi); }
    }

    static void Backward<T>(T[] g, int go, T[] y, int yo, T[] r, int outer, int k, int inner, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inner == 1)
        {
            var rows = new BackwardRows<T>(g, go, y, yo, r, k, log);
            Threading.For(outer, (long)k * 6, rows);
            return;
        }
        int chunks = (inner + InnerChunk - 1) / InnerChunk;
        long cost = (long)k * Math.Min(inner, InnerChunk) * 6;
        var blocks = new BackwardChunks<T>(g, go, y, yo, r, k, inner, chunks, log);
        Threading.For(outer * chunks, cost, blocks);
    }

    readonly struct BackwardRows<T>(T[] g, int go, T[] y, int yo, T[] r, int k, bool log) : IRange where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int r0, int r1)
        {
            for (int i = r0; i < r1; i++)
            {
                ReadOnlySpan<T> gi = g.AsSpan(go + i * k, k), yi = y.AsSpan(yo + i * k, k);
                var ri = r.AsSpan(i * k, k);
                if (log)
                {
                    T s = RowMath.Sum(gi);
                    TensorPrimitives.Exp(yi, ri);
                    TensorPrimitives.MultiplyAdd(ri, -s, gi, ri);
                }
                else
                {
                    T dot = TensorPrimitives.Dot(gi, yi);
                    TensorPrimitives.Subtract(gi, dot, ri);
                    TensorPrimitives.Multiply(ri, yi, ri);
                }
            }
        }
    }

    readonly struct BackwardChunks<T>(T[] g, int go, T[] y, int yo, T[] r, int k, int inner, int chunks, bool log) : IRange where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int t0, int t1)
        {
            for (int t = t0; t < t1; t++)
            {
                int o = t / chunks, j0 = t % chunks * InnerChunk, n = Math.Min(InnerChunk, inner - j0);
                int b = o * k * inner + j0;
                var scratch = ReduceScratch<T>.Get(3 * n);
                Span<T> acc = scratch.AsSpan(0, n), part = scratch.AsSpan(n, n), prod = scratch.AsSpan(2 * n, n);
                acc.Clear(); part.Clear();
                for (int i = 0; i < k; i++)
                {
                    var gi = g.AsSpan(go + b + i * inner, n);
                    if (log) Accumulate<T>(acc, part, gi, i, k);
                    else
                    {
                        TensorPrimitives.Multiply<T>(gi, y.AsSpan(yo + b + i * inner, n), prod);
                        Accumulate<T>(acc, part, prod, i, k);
                    }
                }
                for (int i = 0; i < k; i++)
                {
                    ReadOnlySpan<T> gi = g.AsSpan(go + b + i * inner, n), yi = y.AsSpan(yo + b + i * inner, n);
                    var ri = r.AsSpan(b + i * inner, n);
                    if (log)
                    {
                        TensorPrimitives.Exp(yi, ri);
                        TensorPrimitives.Multiply<T>(ri, acc, ri);
                        TensorPrimitives.Subtract(gi, ri, ri);
                    }
                    else
                    {
                        TensorPrimitives.Subtract<T>(gi, acc, ri);
                        TensorPrimitives.Multiply(ri, yi, ri);
                    }
                }
            }
        }
    }
}
