using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Torchlet.Kernels;

/// <summary>
/// One reduction, seen by the driver in <see cref="Reduction"/>. The input is contiguous and laid
/// out as [A, C, B]: A and B are reduced, C is kept (output c). Implementations are structs so the
/// JIT specialises the driver per reduction and inlines these calls.
/// </summary>
internal interface IReducer<T> where T : unmanaged
{
    T Identity { get; }
    /// <summary>Reduces f(x) over a contiguous run of elements that all belong to output <paramref name="c"/>.</summary>
    T Row(ReadOnlySpan<T> x, int c);
    /// <summary>Combines two partial results.</summary>
    T Combine(T a, T b);
    /// <summary>acc[i] = Combine(acc[i], f(x[i])) where x[i] belongs to output c0 + i.</summary>
    void Accumulate(Span<T> acc, ReadOnlySpan<T> x, int c0);
    /// <summary>acc[i] = Combine(acc[i], p[i]) for partial results.</summary>
    void Merge(Span<T> acc, ReadOnlySpan<T> p);
    /// <summary>Whether long accumulations should be blocked (cascaded) to bound float rounding error.</summary>
    bool Cascade { get; }
    /// <summary>Whether f and the combine ignore the output index, so runs spanning several rows can go through <see cref="Accumulate"/> at once.</summary>
    bool Plain { get; }
}

/// <summary>Per-thread scratch so row kernels that need a temporary do not allocate per call.</summary>
internal static class ReduceScratch<T> where T : unmanaged
{
    [ThreadStatic] static T[]? s_buf;
    public static T[] Get(int n)
    {
        var b = s_buf;
        if (b is null || b.Length < n) s_buf = b = new T[Math.Max(n, 1024)];
        return b;
    }
}

internal static class RowMath
{
    public const int Block = 4096;

    /// <summary>Sum of a row (of its squares with <paramref name="squares"/>). Long float rows are summed in blocks whose
    /// partial sums add up in double, which keeps the error near PyTorch's cascade sum instead of growing with the row length.</summary>
    /// <remarks>
    /// The blocks are summed by TensorPrimitives, which vectorises at the width the hardware accelerates
    /// (<see cref="Simd.HardwareWidth"/>), not at <see cref="Simd.Width"/> (TORCHLET_VECTOR_WIDTH does not reach it):
    /// the double fallback is keyed on the former, the one that says whether TensorPrimitives adds element by element.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum<T>(ReadOnlySpan<T> x, bool squares = false) where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(float) && Simd.HardwareWidth == 0) return T.CreateTruncating(SumInDouble(MemoryMarshal.Cast<T, float>(x), squares));
        if (typeof(T) != typeof(float) || x.Length <= Block) return BlockSum(x, squares);
        double acc = 0;
        for (int i = 0; i < x.Length; i += Block)
            acc += double.CreateTruncating(BlockSum(x.Slice(i, Math.Min(Block, x.Length - i)), squares));
        return T.CreateTruncating(acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static T BlockSum<T>(ReadOnlySpan<T> x, bool squares) where T : unmanaged, INumber<T>
        => squares ? TensorPrimitives.SumOfSquares(x) : TensorPrimitives.Sum(x);

    // Without vectors TensorPrimitives adds one element at a time, whose float32 error grows with the length
    // (the vector paths keep 4 to 16 partial sums); accumulating in double keeps that mode as accurate as the others.
    static double SumInDouble(ReadOnlySpan<float> x, bool squares)
    {
        double acc = 0;
        if (squares) foreach (var v in x) acc += (double)v * v;
        else foreach (var v in x) acc += v;
        return acc;
    }
}

internal struct SumReducer<T> : IReducer<T> where T : unmanaged, INumber<T>
{
    public readonly T Identity => T.Zero;
    public readonly T Row(ReadOnlySpan<T> x, int c) => RowMath.Sum(x);
    public readonly T Combine(T a, T b) => a + b;
    public readonly void Accumulate(Span<T> acc, ReadOnlySpan<T> x, int c0) => TensorPrimitives.Add(acc, x, acc);
    public readonly void Merge(Span<T> acc, ReadOnlySpan<T> p) => TensorPrimitives.Add(acc, p, acc);
    public readonly bool Cascade => typeof(T) == typeof(float) || typeof(T) == typeof(double);
    public readonly bool Plain => true;
}

internal struct ProdReducer<T> : IReducer<T> where T : unmanaged, INumber<T>
{
    public readonly T Identity => T.One;
    public readonly T Row(ReadOnlySpan<T> x, int c) => TensorPrimitives.Product(x);
    public readonly T Combine(T a, T b) => a * b;
    public readonly void Accumulate(Span<T> acc, ReadOnlySpan<T> x, int c0) => TensorPrimitives.Multiply(acc, x, acc);
    public readonly void Merge(Span<T> acc, ReadOnlySpan<T> p) => TensorPrimitives.Multiply(acc, p, acc);
    public readonly bool Cascade => false;
    public readonly bool Plain => true;
}

/// <summary>Maximum (<see cref="Greater"/>) or minimum (<see cref="Less"/>); NaN propagates (TensorPrimitives.Max/Min and T.Max/Min follow IEEE 754).</summary>
internal struct ExtremumReducer<T, TOrder> : IReducer<T> where T : unmanaged, INumber<T> where TOrder : IExtremumOrder
{
    // The identity is the far end on the other side: -inf for a maximum, +inf for a minimum (integers saturate to MinValue / MaxValue).
    public readonly T Identity => T.CreateSaturating(TOrder.IsMax ? double.NegativeInfinity : double.PositiveInfinity);
    public readonly T Row(ReadOnlySpan<T> x, int c) => TOrder.IsMax ? TensorPrimitives.Max(x) : TensorPrimitives.Min(x);
    public readonly T Combine(T a, T b) => ExtremumOp<TOrder>.Scalar(a, b);
    public readonly void Accumulate(Span<T> acc, ReadOnlySpan<T> x, int c0) => ExtremumOp<TOrder>.Span<T>(acc, x, acc);
    public readonly void Merge(Span<T> acc, ReadOnlySpan<T> p) => ExtremumOp<TOrder>.Span<T>(acc, p, acc);
    public readonly bool Cascade => false;
    public readonly bool Plain => true;
}

/// <summary>Sum of squares (the 2-norm before its square root).</summary>
internal struct SumSqReducer<T> : IReducer<T> where T : unmanaged, INumber<T>
{
    public readonly T Identity => T.Zero;
    public readonly T Row(ReadOnlySpan<T> x, int c) => RowMath.Sum(x, squares: true);
    public readonly T Combine(T a, T b) => a + b;
    public readonly void Accumulate(Span<T> acc, ReadOnlySpan<T> x, int c0) => TensorPrimitives.MultiplyAdd(x, x, acc, acc);
    public readonly void Merge(Span<T> acc, ReadOnlySpan<T> p) => TensorPrimitives.Add(acc, p, acc);
    public readonly bool Cascade => true;
    public readonly bool Plain => true;
}

/// <summary>The g of a <see cref="CenteredSumReducer{T, TMap}"/>, applied in place to centred values t.</summary>
internal interface ICenteredMap
{
    /// <summary>Σ g(t); may overwrite t.</summary>
    static abstract T Sum<T>(Span<T> t) where T : unmanaged, IFloatingPointIeee754<T>;
    /// <summary>acc[i] += g(t[i]); may overwrite t.</summary>
    static abstract void AddTo<T>(Span<T> t, Span<T> acc) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>g(t) = t²: the variance around the exact mean of pass one.</summary>
internal struct CenteredSquare : ICenteredMap
{
    public static T Sum<T>(Span<T> t) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.SumOfSquares<T>(t);
    public static void AddTo<T>(Span<T> t, Span<T> acc) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.MultiplyAdd<T>(t, t, acc, acc);
}

/// <summary>g(t) = exp(t): the stable logsumexp around the maximum of pass one.</summary>
internal struct CenteredExp : ICenteredMap
{
    public static T Sum<T>(Span<T> t) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Exp<T>(t, t);
        return TensorPrimitives.Sum<T>(t);
    }
    public static void AddTo<T>(Span<T> t, Span<T> acc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Exp<T>(t, t);
        TensorPrimitives.Add(acc, t, acc);
    }
}

/// <summary>Σ g(x − center[c]): the second pass of a two-pass reduction, against the exact per-output center of pass one.</summary>
internal readonly struct CenteredSumReducer<T, TMap>(T[] center) : IReducer<T> where T : unmanaged, IFloatingPointIeee754<T> where TMap : ICenteredMap
{
    public T Identity => T.Zero;
    public T Row(ReadOnlySpan<T> x, int c)
    {
        T m = center[c];
        var tmp = ReduceScratch<T>.Get(Math.Min(x.Length, RowMath.Block));
        double acc = 0;
        for (int i = 0; i < x.Length; i += RowMath.Block)
        {
            int n = Math.Min(RowMath.Block, x.Length - i);
            var t = tmp.AsSpan(0, n);
            TensorPrimitives.Subtract(x.Slice(i, n), m, t);
            acc += double.CreateTruncating(TMap.Sum(t));
        }
        return T.CreateTruncating(acc);
    }
    public T Combine(T a, T b) => a + b;
    public void Accumulate(Span<T> acc, ReadOnlySpan<T> x, int c0)
    {
        var t = ReduceScratch<T>.Get(x.Length).AsSpan(0, x.Length);
        TensorPrimitives.Subtract(x, center.AsSpan(c0, x.Length), t);
        TMap.AddTo(t, acc);
    }
    public void Merge(Span<T> acc, ReadOnlySpan<T> p) => TensorPrimitives.Add(acc, p, acc);
    public bool Cascade => true;
    public bool Plain => false;
}

/// <summary>
/// Runs an <see cref="IReducer{T}"/> over a contiguous [A, C, B] buffer into dst[C], with no
/// transposed copy: rows along B go to the span kernels, rows along C are accumulated with vector
/// ops. Work is split in chunks whose boundaries depend only on the shape, so the result does not
/// change with the thread count.
/// </summary>
internal static class Reduction
{
    const int Segment = 32_768;     // longest run one task reduces
    const int Columns = 4_096;      // column block of outer (B == 1) reductions
    const int CascadeRows = 256;    // rows accumulated in a temporary before merging (float accuracy)
    const long ChunkWork = 65_536;  // elements per chunk when splitting along A
    const int NarrowRow = 1_024;    // rows shorter than this are folded pairwise in blocks
    const int PairwiseBlock = 65_536; // elements per pairwise block

    public static void Run<T, TR>(T[] src, int off, int A, int C, int B, T[] dst, TR r)
        where T : unmanaged where TR : struct, IReducer<T>
    {
        if (C == 0) return;
        if (B > 1) Inner<T, TR>(src, off, A, C, B, dst, r);
        else Outer<T, TR>(src, off, A, C, dst, r);
    }

    static void Inner<T, TR>(T[] src, int off, int A, int C, int B, T[] dst, TR r)
        where T : unmanaged where TR : struct, IReducer<T>
    {
        int nSeg = (B + Segment - 1) / Segment;
        if (nSeg == 1 && (A == 1 || C >= 64))
        {
            // One task per output (or range of outputs): fold its A rows in order.
            Threading.For(C, (long)A * B, (c0, c1) =>
            {
                for (int c = c0; c < c1; c++)
                {
                    T acc = r.Row(src.AsSpan(off + c * B, B), c);
                    for (int a = 1; a < A; a++) acc = r.Combine(acc, r.Row(src.AsSpan(off + (a * C + c) * B, B), c));
                    dst[c] = acc;
                }
            });
            return;
        }
        if (nSeg > 1)
        {
            // Long rows: reduce each segment separately, then fold the partials in order.
            int pieces = A * C * nSeg;
            var part = new T[pieces];
            Threading.For(pieces, Segment, (p0, p1) =>
            {
                for (int p = p0; p < p1; p++)
                {
                    int s = p % nSeg, ac = p / nSeg, c = ac % C;
                    int start = s * Segment, len = Math.Min(Segment, B - start);
                    part[p] = r.Row(src.AsSpan(off + ac * B + start, len), c);
                }
            });
            for (int c = 0; c < C; c++)
            {
                T acc = r.Identity;
                for (int a = 0; a < A; a++)
                    for (int s = 0; s < nSeg; s++) acc = r.Combine(acc, part[((a * C) + c) * nSeg + s]);
                dst[c] = acc;
            }
            return;
        }
        // Few outputs, many short rows (BatchNorm statistics over N, H, W): split along A.
        int chunks = ChunkCount(A, (long)A * C * B);
        var partials = chunks == 1 ? null : new T[chunks * C];
        Threading.For(chunks, (long)A * C * B / chunks, (k0, k1) =>
        {
            for (int k = k0; k < k1; k++)
            {
                var (a0, a1) = Range(A, chunks, k);
                Span<T> acc = partials is null ? dst.AsSpan(0, C) : partials.AsSpan(k * C, C);
                for (int c = 0; c < C; c++)
                {
                    T v = r.Row(src.AsSpan(off + (a0 * C + c) * B, B), c);
                    for (int a = a0 + 1; a < a1; a++) v = r.Combine(v, r.Row(src.AsSpan(off + (a * C + c) * B, B), c));
                    acc[c] = v;
                }
            }
        });
        if (partials is not null) Fold(partials, chunks, C, dst, r);
    }

    static void Outer<T, TR>(T[] src, int off, int A, int C, T[] dst, TR r)
        where T : unmanaged where TR : struct, IReducer<T>
    {
        long total = (long)A * C;
        int chunks = ChunkCount(A, total);
        if (C >= Columns || chunks == 1)
        {
            // Column blocks: each task owns a slice of outputs and walks all A rows over it.
            int nBlocks = (C + Columns - 1) / Columns;
            Threading.For(nBlocks, (long)A * Math.Min(C, Columns), (b0, b1) =>
            {
                for (int b = b0; b < b1; b++)
                {
                    int c0 = b * Columns, w = Math.Min(Columns, C - c0);
                    AccumulateRows(src, off, 0, A, C, c0, w, dst.AsSpan(c0, w), r);
                }
            });
            return;
        }
        // Narrow rows, many of them (sum(0) of [N, C] for a bias gradient): split along A.
        var partials = new T[chunks * C];
        Threading.For(chunks, total / chunks, (k0, k1) =>
        {
            for (int k = k0; k < k1; k++)
            {
                var (a0, a1) = Range(A, chunks, k);
                AccumulateRows(src, off, a0, a1, C, 0, C, partials.AsSpan(k * C, C), r);
            }
        });
        Fold(partials, chunks, C, dst, r);
    }

    /// <summary>acc = reduction of rows a0..a1 (columns c0..c0+w); cascaded through a temporary for float sums.</summary>
    static void AccumulateRows<T, TR>(T[] src, int off, int a0, int a1, int C, int c0, int w, Span<T> acc, TR r)
        where T : unmanaged where TR : struct, IReducer<T>
    {
        acc.Fill(r.Identity);
        if (r.Plain && w == C && C < NarrowRow && a1 - a0 >= 4)
        {
            PairwiseRows(src, off, a0, a1, C, acc, r);
            return;
        }
        if (!r.Cascade || a1 - a0 <= CascadeRows)
        {
            for (int a = a0; a < a1; a++) r.Accumulate(acc, src.AsSpan(off + a * C + c0, w), c0);
            return;
        }
        var block = new T[w];
        for (int a = a0; a < a1; a += CascadeRows)
        {
            block.AsSpan().Fill(r.Identity);
            int end = Math.Min(a1, a + CascadeRows);
            for (int i = a; i < end; i++) r.Accumulate(block, src.AsSpan(off + i * C + c0, w), c0);
            r.Merge(acc, block);
        }
    }

    /// <summary>
    /// Narrow rows: per block of rows, fold the second half onto the first with one long-span call,
    /// then keep halving (a pairwise tree), so short rows cost no per-row call and sums stay accurate.
    /// </summary>
    static void PairwiseRows<T, TR>(T[] src, int off, int a0, int a1, int C, Span<T> acc, TR r)
        where T : unmanaged where TR : struct, IReducer<T>
    {
        int block = Math.Max(2, Math.Min(a1 - a0, PairwiseBlock / C)) & ~1;
        var tmp = ReduceScratch<T>.Get(block / 2 * C);
        for (int a = a0; a < a1; a += block)
        {
            int n = Math.Min(block, a1 - a), h = n / 2;
            if (h == 0) { r.Accumulate(acc, src.AsSpan(off + a * C, C), 0); continue; }
            var t = tmp.AsSpan(0, h * C);
            t.Fill(r.Identity);
            r.Accumulate(t, src.AsSpan(off + a * C, h * C), 0);
            r.Accumulate(t, src.AsSpan(off + (a + h) * C, h * C), 0);
            if ((n & 1) != 0) r.Accumulate(acc, src.AsSpan(off + (a + n - 1) * C, C), 0);
            for (int m = h; m > 1; m /= 2)
            {
                int half = m / 2;
                r.Merge(t.Slice(0, half * C), t.Slice(half * C, half * C));
                if ((m & 1) != 0) r.Merge(t.Slice(0, C), t.Slice((m - 1) * C, C));
            }
            r.Merge(acc, t.Slice(0, C));
        }
    }

    static void Fold<T, TR>(T[] partials, int chunks, int C, T[] dst, TR r) where T : unmanaged where TR : struct, IReducer<T>
    {
        var d = dst.AsSpan(0, C);
        partials.AsSpan(0, C).CopyTo(d);
        for (int k = 1; k < chunks; k++) r.Merge(d, partials.AsSpan(k * C, C));
    }

    static int ChunkCount(int A, long total) => (int)Math.Clamp(total / ChunkWork, 1, Math.Min(A, 64));

    static (int, int) Range(int n, int chunks, int k)
    {
        long a0 = (long)n * k / chunks, a1 = (long)n * (k + 1) / chunks;
        return ((int)a0, (int)a1);
    }

    // ---------------------------------------------------------------- arg reductions

    /// <summary>
    /// Index (and value) of the max/min along K of a contiguous [A, K, I] buffer, first occurrence
    /// on ties, the first NaN if any (PyTorch's max(dim) / argmax rules).
    /// </summary>
    public static void ArgExtreme<T>(T[] src, int off, int A, int K, int I, T[]? values, long[] indices, bool max)
        where T : unmanaged, INumber<T>
    {
        if (A * I == 0) return;
        if (I == 1)
        {
            Threading.For(A, K, (a0, a1) =>
            {
                for (int a = a0; a < a1; a++)
                {
                    var row = src.AsSpan(off + a * K, K);
                    int i = max ? TensorPrimitives.IndexOfMax(row) : TensorPrimitives.IndexOfMin(row);
                    // TensorPrimitives ranks +0 above -0; PyTorch treats them as equal and keeps the first.
                    if (T.IsZero(row[i])) i = FirstZero(row, i);
                    indices[a] = i;
                    if (values is not null) values[a] = row[i];
                }
            });
            return;
        }
        int blocks = (I + 1023) / 1024;
        Threading.For(A * blocks, (long)K * Math.Min(I, 1024), (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                int a = p / blocks, j0 = (p % blocks) * 1024, w = Math.Min(1024, I - j0);
                int baseOff = off + a * K * I + j0;
                var best = ReduceScratch<T>.Get(w);
                var bestIdx = new int[w];
                src.AsSpan(baseOff, w).CopyTo(best);
                for (int k = 1; k < K; k++)
                {
                    var row = src.AsSpan(baseOff + k * I, w);
                    for (int j = 0; j < w; j++)
                    {
                        T v = row[j], b = best[j];
                        bool better = max ? v > b : v < b;
                        if (better || (T.IsNaN(v) && !T.IsNaN(b))) { best[j] = v; bestIdx[j] = k; }
                    }
                }
                int o = a * I + j0;
                for (int j = 0; j < w; j++) indices[o + j] = bestIdx[j];
                if (values is not null) best.AsSpan(0, w).CopyTo(values.AsSpan(o, w));
            }
        });
    }

    static int FirstZero<T>(ReadOnlySpan<T> row, int upTo) where T : unmanaged, INumber<T>
    {
        for (int j = 0; j < upTo; j++) if (T.IsZero(row[j])) return j;
        return upTo;
    }

    // ---------------------------------------------------------------- cumulative ops

    /// <summary>
    /// Inclusive prefix sum (or product) along K of a contiguous [A, K, I] buffer. float32 is
    /// accumulated in double, as PyTorch's CPU kernel does; <paramref name="reverse"/> runs from the end
    /// (the backward of cumsum).
    /// </summary>
    public static void Cumulative<T>(T[] src, int off, int A, int K, int I, T[] dst, bool product, bool reverse)
        where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(float)) CumulativeCore<T, double>(src, off, A, K, I, dst, product, reverse);
        else CumulativeCore<T, T>(src, off, A, K, I, dst, product, reverse);
    }

    static void CumulativeCore<T, TAcc>(T[] src, int off, int A, int K, int I, T[] dst, bool product, bool reverse)
        where T : unmanaged, INumber<T> where TAcc : unmanaged, INumber<TAcc>
    {
        if (A * K * I == 0) return;
        if (I == 1)
        {
            // Rows along K are contiguous: one running accumulator per row.
            Threading.For(A, K, (a0, a1) =>
            {
                for (int a = a0; a < a1; a++)
                {
                    var x = src.AsSpan(off + a * K, K);
                    var d = dst.AsSpan(a * K, K);
                    TAcc acc = product ? TAcc.One : TAcc.Zero;
                    if (product)
                    {
                        if (reverse) for (int k = K - 1; k >= 0; k--) { acc *= TAcc.CreateTruncating(x[k]); d[k] = T.CreateTruncating(acc); }
                        else for (int k = 0; k < K; k++) { acc *= TAcc.CreateTruncating(x[k]); d[k] = T.CreateTruncating(acc); }
                    }
                    else if (reverse) for (int k = K - 1; k >= 0; k--) { acc += TAcc.CreateTruncating(x[k]); d[k] = T.CreateTruncating(acc); }
                    else for (int k = 0; k < K; k++) { acc += TAcc.CreateTruncating(x[k]); d[k] = T.CreateTruncating(acc); }
                }
            });
            return;
        }
        int blocks = (I + 1023) / 1024;
        Threading.For(A * blocks, (long)K * Math.Min(I, 1024), (p0, p1) =>
        {
            var acc = new TAcc[Math.Min(I, 1024)];
            for (int p = p0; p < p1; p++)
            {
                int a = p / blocks, j0 = (p % blocks) * 1024, w = Math.Min(1024, I - j0);
                acc.AsSpan(0, w).Fill(product ? TAcc.One : TAcc.Zero);
                for (int step = 0; step < K; step++)
                {
                    int k = reverse ? K - 1 - step : step;
                    int o = a * K * I + k * I + j0;
                    for (int j = 0; j < w; j++)
                    {
                        var v = TAcc.CreateTruncating(src[off + o + j]);
                        acc[j] = product ? acc[j] * v : acc[j] + v;
                        dst[o + j] = T.CreateTruncating(acc[j]);
                    }
                }
            }
        });
    }

    /// <summary>
    /// Gradient of cumprod along K of contiguous [A, K, I] buffers x and g (output y = cumprod x):
    /// dx_i = Σ_{k≥i} g_k Π_{j≤k, j≠i} x_j, computed in O(K) per slice and exact with zeros in x
    /// (before the first zero it is revcumsum(g·y)/x; at it a forward product; after it zero).
    /// </summary>
    public static void CumprodBackward<T>(T[] x, int xo, T[] g, int go, int A, int K, int I, T[] dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Threading.For(A * I, 4L * K, (s0, s1) =>
        {
            for (int s = s0; s < s1; s++)
            {
                int a = s / I, j = s % I, b = a * K * I + j;
                int z = K;
                for (int k = 0; k < K; k++) if (T.IsZero(x[xo + b + k * I])) { z = k; break; }
                // Before the first zero: reversed cumulative sum of g·y over k < z, divided by x_i.
                double prefix = 1;
                var y = ReduceScratch<double>.Get(K);
                for (int k = 0; k < z; k++) { prefix *= double.CreateTruncating(x[xo + b + k * I]); y[k] = prefix; }
                double tail = 0;
                for (int k = z - 1; k >= 0; k--)
                {
                    tail += double.CreateTruncating(g[go + b + k * I]) * y[k];
                    dx[b + k * I] = T.CreateTruncating(tail / double.CreateTruncating(x[xo + b + k * I]));
                }
                if (z == K) continue;
                // At the first zero: Σ_{k≥z} g_k · Π_{j<z} x_j · Π_{z<j≤k} x_j.
                double before = z > 0 ? y[z - 1] : 1, q = 1, sum = 0;
                for (int k = z; k < K; k++)
                {
                    if (k > z) q *= double.CreateTruncating(x[xo + b + k * I]);
                    sum += double.CreateTruncating(g[go + b + k * I]) * before * q;
                }
                dx[b + z * I] = T.CreateTruncating(sum);
                for (int k = z + 1; k < K; k++) dx[b + k * I] = T.Zero;
            }
        });
    }

    /// <summary>
    /// Gradient of prod along K of contiguous x [A, K, I] when some slices hold zeros: a slice with
    /// one zero passes g·Π(others) to that element only; two or more zeros give zero everywhere.
    /// Slices without zeros use g·prod/x (the caller's fast path), written here too for uniformity.
    /// </summary>
    public static void ProdBackward<T>(T[] x, int xo, T[] g, int go, int A, int K, int I, T[] dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Threading.For(A * I, 2L * K, (s0, s1) =>
        {
            for (int s = s0; s < s1; s++)
            {
                int a = s / I, j = s % I, b = a * K * I + j;
                int zeros = 0, z = -1;
                T others = T.One;
                for (int k = 0; k < K; k++)
                {
                    T v = x[xo + b + k * I];
                    if (T.IsZero(v)) { if (zeros++ == 0) z = k; }
                    else others *= v;
                }
                T gv = g[go + a * I + j];
                if (zeros == 0)
                    for (int k = 0; k < K; k++) dx[b + k * I] = gv * others / x[xo + b + k * I];
                else
                {
                    for (int k = 0; k < K; k++) dx[b + k * I] = T.Zero;
                    if (zeros == 1) dx[b + z * I] = gv * others;
                }
            }
        });
    }

    /// <summary>Writes g [A, I] into a zero [A, K, I] buffer at k = idx[a, i] (backward of max/min along a dim).</summary>
    public static void ScatterAlong<T>(T[] g, int go, long[] idx, int io, int A, int K, int I, T[] dst) where T : unmanaged
    {
        for (int a = 0; a < A; a++)
            for (int i = 0; i < I; i++)
                dst[(a * K + (int)idx[io + a * I + i]) * I + i] = g[go + a * I + i];
    }
}
