using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Torchlet.Kernels;

/// <summary>
/// Kernels of batch/instance/group/layer norm. Every input is contiguous and seen as [N, C, S]:
/// row (n, c) is the S elements x[(n·C + c)·S ..]; per-"channel" statistics and coefficients are
/// indexed by c and gather the N rows of that channel (instance and group norm use N = 1, one
/// channel per row). Statistics are two-pass (mean, then Σ(x − mean)²) with per-row partial sums
/// in double, so float32 stays accurate for large N·S and when |mean| ≫ std.
/// </summary>
internal static class NormKernels
{
    /// <summary>Rows shorter than this are handled by scalar loops (a vector call per row costs more than the row).</summary>
    const int ShortRow = 16;

    /// <summary>
    /// With N &gt; 1, channels with rows shorter than this are accumulated lane-wise across the batch
    /// (per-element running sums over a contiguous [c0, c1) × S slab), so a 4×4 feature map costs no
    /// horizontal reduction per row; the float lanes are flushed to double every <see cref="Flush"/> rows.
    /// </summary>
    const int SlabRow = 128;
    const int Flush = 256;

    // ---------------------------------------------------------------- row primitives TensorPrimitives lacks

    // Each primitive is an operator struct over a row's streams, run by the Simd drivers.

    /// <summary>Σ x: TensorPrimitives.Sum costs more than the work on the 16–64 element rows of small feature maps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static T RowSum<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var op = new RowTerms<T>(x, T.Zero);
        return Simd.Sum<T, RowTerms<T>>(x.Length, ref op);
    }

    /// <summary>(Σ (x − m), Σ (x − m)²): with m near the mean, the first is small and exact enough to correct it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static (T d1, T d2) SumDevs<T>(ReadOnlySpan<T> x, T m) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var op = new RowTerms<T>(x, m);
        return Simd.Sum2<T, RowTerms<T>>(x.Length, ref op);
    }

    /// <summary>Σ g·(x − m).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static T DotDev<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, T m) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var op = new DotDevTerms<T>(g, x, m);
        return Simd.Sum<T, DotDevTerms<T>>(x.Length, ref op);
    }

    /// <summary>Terms x (Sum) or x − m and (x − m)² (Sum2).</summary>
    ref struct RowTerms<T>(ReadOnlySpan<T> x, T m) : IVecSum<T>, IVecSum2<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        readonly ref T _x = ref MemoryMarshal.GetReference(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Term<TV>(nuint i) where TV : struct, ILanes<TV, T> => TV.Load(ref _x, i);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Terms<TV>(nuint i, out TV a, out TV b) where TV : struct, ILanes<TV, T>
        {
            a = TV.Load(ref _x, i) - TV.Splat(m);
            b = a * a;
        }
    }

    ref struct DotDevTerms<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, T m) : IVecSum<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        readonly ref T _g = ref MemoryMarshal.GetReference(g), _x = ref MemoryMarshal.GetReference(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Term<TV>(nuint i) where TV : struct, ILanes<TV, T> => TV.Load(ref _g, i) * (TV.Load(ref _x, i) - TV.Splat(m));
    }

    /// <summary>y = a·x + b (TensorPrimitives.MultiplyAdd has no scalar-scalar overload).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Axpb<T>(ReadOnlySpan<T> x, T a, T b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var op = new AxpbyLoop<T>(default, x, y, T.Zero, a, b, hasG: false);
        Simd.For<T, AxpbyLoop<T>>(x.Length, ref op);
    }

    /// <summary>y = a·g + b·x + c: the closed-form input gradient of every norm here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Axpbypc<T>(ReadOnlySpan<T> g, T a, ReadOnlySpan<T> x, T b, T c, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var op = new AxpbyLoop<T>(g, x, y, a, b, c, hasG: true);
        Simd.For<T, AxpbyLoop<T>>(x.Length, ref op);
    }

    /// <summary>y = ga·g + xb·x + c, or xb·x + c without g (multiply then add, unfused, as before).</summary>
    ref struct AxpbyLoop<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, Span<T> y, T ga, T xb, T c, bool hasG) : IVecLoop<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        readonly ref T _g = ref MemoryMarshal.GetReference(g), _x = ref MemoryMarshal.GetReference(x), _y = ref MemoryMarshal.GetReference(y);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step<TV>(nuint i) where TV : struct, ILanes<TV, T>
        {
            var r = TV.Load(ref _x, i) * TV.Splat(xb);
            TV.Store(hasG ? TV.Load(ref _g, i) * TV.Splat(ga) + r + TV.Splat(c) : r + TV.Splat(c), ref _y, i);
        }
    }

    static T[] Cast<T>(double[] v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = new T[v.Length];
        for (int i = 0; i < v.Length; i++) r[i] = T.CreateTruncating(v[i]);
        return r;
    }

    /// <summary>Without g: a1 += x − sh, a2 += (x − sh)²; with g: a1 += g, a2 += g·(x − sh).</summary>
    ref struct SlabLoop<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, ReadOnlySpan<T> sh, Span<T> a1, Span<T> a2) : IVecLoop<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        readonly bool _hasG = !g.IsEmpty;
        readonly ref T _g = ref MemoryMarshal.GetReference(g), _x = ref MemoryMarshal.GetReference(x), _s = ref MemoryMarshal.GetReference(sh);
        readonly ref T _a1 = ref MemoryMarshal.GetReference(a1), _a2 = ref MemoryMarshal.GetReference(a2);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step<TV>(nuint i) where TV : struct, ILanes<TV, T>
        {
            var d = TV.Load(ref _x, i) - TV.Load(ref _s, i);
            var t1 = _hasG ? TV.Load(ref _g, i) : d;
            TV.Store(TV.Load(ref _a1, i) + t1, ref _a1, i);
            TV.Store(TV.Load(ref _a2, i) + t1 * d, ref _a2, i);
        }
    }

    static void MomentsSlab<T>(T[] x, int xo, int N, int C, int S, double[] mean, double[] m2) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double count = (double)N * S;
        // The shift is each channel's first-sample mean: deviations from it are small, so the float lanes
        // keep their precision and Σ(x − mean)² = Σd² − (Σd)²/count loses little to cancellation.
        SlabSums<T>(null, 0, x, xo, N, C, S,
            c =>
            {
                double s0 = 0;
                for (int k = 0; k < S; k++) s0 += double.CreateTruncating(x[xo + c * S + k]);
                return T.CreateTruncating(s0 / S);
            },
            (c, shift, f1, f2) =>
            {
                mean[c] = double.CreateTruncating(shift) + f1 / count;
                m2[c] = Math.Max(0, f2 - f1 * f1 / count);
            });
    }

    static void GradSumsSlab<T>(T[] g, int go, T[] x, int xo, int N, int C, int S, double[] mean, double[] sumG, double[] sumGX) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SlabSums<T>(g, go, x, xo, N, C, S, c => T.CreateTruncating(mean[c]), (c, shift, f1, f2) =>
        {
            sumG[c] = f1;
            // Σg(x − tm) − (mean − tm)·Σg = Σg(x − mean), tm being mean rounded to T
            sumGX[c] = f2 - (mean[c] - double.CreateTruncating(shift)) * f1;
        });
    }

    /// <summary>
    /// Per channel c, lane-wise over its N rows: without g, f1 = Σ(x − sh) and f2 = Σ(x − sh)²; with g,
    /// f1 = Σg and f2 = Σg·(x − sh), sh = <paramref name="shift"/>(c). Threads take channel ranges; the float
    /// lanes flush to double every <see cref="Flush"/> rows; <paramref name="finish"/>(c, sh, f1, f2) stores the result.
    /// </summary>
    static void SlabSums<T>(T[]? g, int go, T[] x, int xo, int N, int C, int S, Func<int, T> shift, Action<int, T, double, double> finish)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Threading.For(C, 2L * N * S, (c0, c1) =>
        {
            int len = (c1 - c0) * S;
            T[] sh = ArrayPool<T>.Shared.Rent(len), a1 = ArrayPool<T>.Shared.Rent(len), a2 = ArrayPool<T>.Shared.Rent(len);
            double[] d1 = ArrayPool<double>.Shared.Rent(len), d2 = ArrayPool<double>.Shared.Rent(len);
            try
            {
                Span<T> s1 = a1.AsSpan(0, len), s2 = a2.AsSpan(0, len), ss = sh.AsSpan(0, len);
                Span<double> e1 = d1.AsSpan(0, len), e2 = d2.AsSpan(0, len);
                s1.Clear(); s2.Clear(); e1.Clear(); e2.Clear();
                for (int c = c0; c < c1; c++) ss.Slice((c - c0) * S, S).Fill(shift(c));
                for (int n = 0; n < N; n++)
                {
                    int o = (n * C + c0) * S;
                    var op = new SlabLoop<T>(g is null ? default : new ReadOnlySpan<T>(g, go + o, len), new ReadOnlySpan<T>(x, xo + o, len), ss, s1, s2);
                    Simd.For<T, SlabLoop<T>>(len, ref op);
                    if ((n + 1) % Flush == 0 || n == N - 1)
                    {
                        for (int i = 0; i < len; i++) { e1[i] += double.CreateTruncating(s1[i]); e2[i] += double.CreateTruncating(s2[i]); }
                        s1.Clear(); s2.Clear();
                    }
                }
                for (int c = c0; c < c1; c++)
                {
                    double f1 = 0, f2 = 0;
                    for (int k = (c - c0) * S, e = k + S; k < e; k++) { f1 += e1[k]; f2 += e2[k]; }
                    finish(c, ss[(c - c0) * S], f1, f2);
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(sh); ArrayPool<T>.Shared.Return(a1); ArrayPool<T>.Shared.Return(a2);
                ArrayPool<double>.Shared.Return(d1); ArrayPool<double>.Shared.Return(d2);
            }
        });
    }

    // ---------------------------------------------------------------- [N, C, S] passes

    /// <summary>
    /// Per channel c: mean[c] and m2[c] = Σ (x − mean[c])² over its N·S elements. Threads take channel
    /// ranges and walk them in memory order (n outer), so rows of one channel — C·S elements apart —
    /// are never fetched with a large stride. Long rows are read once from memory: each row's own
    /// mean and Σ(x − row mean)² (the row stays in L1 between its two passes) merge into the
    /// channel's by Chan's update, which is as stable as two passes over the channel.
    /// </summary>
    public static void Moments<T>(T[] x, int xo, int N, int C, int S, double[] mean, double[] m2) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (N > 1 && S < SlabRow)
        {
            MomentsSlab(x, xo, N, C, S, mean, m2);
            return;
        }
        if (S >= ShortRow)
        {
            Threading.For(C, (long)N * S, (c0, c1) =>
            {
                Array.Clear(mean, c0, c1 - c0);
                Array.Clear(m2, c0, c1 - c0);
                for (int n = 0; n < N; n++)
                {
                    double w = 1.0 / (n + 1), wq = (double)n * S / (n + 1);   // the row's weight in the running mean and M2
                    for (int c = c0; c < c1; c++)
                    {
                        var row = new ReadOnlySpan<T>(x, xo + (n * C + c) * S, S);
                        // Shifted two-pass: a rough mean tm from the plain sum, then deviations from it give
                        // the exact correction of the mean and Σ(x − mean)² = Σ(x − tm)² − (Σ(x − tm))²/S.
                        T tm = T.CreateTruncating(double.CreateTruncating(RowSum(row)) / S);
                        var (d1, d2) = SumDevs(row, tm);
                        double e1 = double.CreateTruncating(d1);
                        double mr = double.CreateTruncating(tm) + e1 / S;
                        double qr = Math.Max(0, double.CreateTruncating(d2) - e1 * e1 / S);
                        double delta = mr - mean[c];
                        mean[c] += delta * w;
                        m2[c] += qr + delta * delta * wq;
                    }
                }
            });
            return;
        }
        double count = (double)N * S;
        Threading.For(C, 2L * N * S, (c0, c1) =>
        {
            Array.Clear(mean, c0, c1 - c0);
            Array.Clear(m2, c0, c1 - c0);
            for (int n = 0; n < N; n++)
                for (int c = c0; c < c1; c++)
                {
                    int o = xo + (n * C + c) * S;
                    double s = 0;
                    for (int k = 0; k < S; k++) s += double.CreateTruncating(x[o + k]);
                    mean[c] += s;
                }
            for (int c = c0; c < c1; c++) mean[c] /= count;
            for (int n = 0; n < N; n++)
                for (int c = c0; c < c1; c++)
                {
                    int o = xo + (n * C + c) * S;
                    double mu = mean[c], q = 0;
                    for (int k = 0; k < S; k++) { double d = double.CreateTruncating(x[o + k]) - mu; q += d * d; }
                    m2[c] += q;
                }
        });
    }

    /// <summary>Per channel c: sumG[c] = Σ g and sumGX[c] = Σ g·(x − mean[c]) over its N·S elements (memory order, as <see cref="Moments"/>).</summary>
    public static void GradSums<T>(T[] g, int go, T[] x, int xo, int N, int C, int S, double[] mean, double[] sumG, double[] sumGX) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (N > 1 && S < SlabRow)
        {
            GradSumsSlab(g, go, x, xo, N, C, S, mean, sumG, sumGX);
            return;
        }
        Threading.For(C, 2L * N * S, (c0, c1) =>
        {
            Array.Clear(sumG, c0, c1 - c0);
            Array.Clear(sumGX, c0, c1 - c0);
            if (S >= ShortRow)
            {
                for (int n = 0; n < N; n++)
                    for (int c = c0; c < c1; c++)
                    {
                        int r = (n * C + c) * S;
                        var gs = new ReadOnlySpan<T>(g, go + r, S);
                        T tm = T.CreateTruncating(mean[c]);
                        double sg = double.CreateTruncating(RowSum(gs));
                        sumG[c] += sg;
                        // Σg(x − tm) − (mean − tm)·Σg = Σg(x − mean)
                        sumGX[c] += double.CreateTruncating(DotDev(gs, new ReadOnlySpan<T>(x, xo + r, S), tm)) - (mean[c] - double.CreateTruncating(tm)) * sg;
                    }
                return;
            }
            for (int n = 0; n < N; n++)
                for (int c = c0; c < c1; c++)
                {
                    int r = (n * C + c) * S;
                    double mu = mean[c], sg = 0, sgx = 0;
                    for (int k = 0; k < S; k++)
                    {
                        double gv = double.CreateTruncating(g[go + r + k]);
                        sg += gv;
                        sgx += gv * (double.CreateTruncating(x[xo + r + k]) - mu);
                    }
                    sumG[c] += sg;
                    sumGX[c] += sgx;
                }
        });
    }

    /// <summary>y = a[c]·x + b[c] on every row of channel c.</summary>
    public static void Affine<T>(T[] x, int xo, T[] y, int yo, int N, int C, int S, double[] a, double[] b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (S >= ShortRow)
        {
            Threading.For(N * C, S, (r0, r1) =>
            {
                for (int r = r0; r < r1; r++)
                {
                    int c = r % C;
                    Axpb(new ReadOnlySpan<T>(x, xo + r * S, S), T.CreateTruncating(a[c]), T.CreateTruncating(b[c]), new Span<T>(y, yo + r * S, S));
                }
            });
            return;
        }
        if (S == 1)
        {
            // [N, C] (BatchNorm1d): vectorise across channels instead of along 1-element rows.
            T[] ta = Cast<T>(a), tb = Cast<T>(b);
            Threading.For(N, C, (n0, n1) =>
            {
                for (int n = n0; n < n1; n++)
                    TensorPrimitives.MultiplyAdd<T>(new ReadOnlySpan<T>(x, xo + n * C, C), ta, tb, new Span<T>(y, yo + n * C, C));
            });
            return;
        }
        Threading.For(N * C, S, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int c = r % C;
                T ta = T.CreateTruncating(a[c]), tb = T.CreateTruncating(b[c]);
                for (int k = r * S, e = k + S; k < e; k++) y[yo + k] = x[xo + k] * ta + tb;
            }
        });
    }

    /// <summary>y = a[c]·g + b[c]·x + c[c] on every row of channel c.</summary>
    public static void Affine2<T>(T[] g, int go, T[] x, int xo, T[] y, int yo, int N, int C, int S, double[] a, double[] b, double[] c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (S >= ShortRow)
        {
            Threading.For(N * C, 2L * S, (r0, r1) =>
            {
                for (int r = r0; r < r1; r++)
                {
                    int ch = r % C;
                    Axpbypc(new ReadOnlySpan<T>(g, go + r * S, S), T.CreateTruncating(a[ch]), new ReadOnlySpan<T>(x, xo + r * S, S),
                        T.CreateTruncating(b[ch]), T.CreateTruncating(c[ch]), new Span<T>(y, yo + r * S, S));
                }
            });
            return;
        }
        if (S == 1)
        {
            T[] ta = Cast<T>(a), tb = Cast<T>(b), tc = Cast<T>(c);
            Threading.For(N, 2L * C, (n0, n1) =>
            {
                for (int n = n0; n < n1; n++)
                {
                    var ys = new Span<T>(y, yo + n * C, C);
                    TensorPrimitives.MultiplyAdd<T>(new ReadOnlySpan<T>(g, go + n * C, C), ta, tc, ys);
                    TensorPrimitives.MultiplyAdd<T>(new ReadOnlySpan<T>(x, xo + n * C, C), tb, ys, ys);
                }
            });
            return;
        }
        Threading.For(N * C, 2L * S, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int ch = r % C;
                T ta = T.CreateTruncating(a[ch]), tb = T.CreateTruncating(b[ch]), tc = T.CreateTruncating(c[ch]);
                for (int k = r * S, e = k + S; k < e; k++) y[yo + k] = g[go + k] * ta + x[xo + k] * tb + tc;
            }
        });
    }

    /// <summary>
    /// Batch, instance and group norm's weight gradient (v = Σg·(x − mean) per row, times the row's rstd) or bias
    /// gradient (v = Σg, no rstd): per channel c, the sum over the rows of that channel (row i is channel i % C),
    /// added in row order. rstd is per group: row i's is rstd[i / C·G + i % C / D] (batch and instance norm: G = C
    /// and D = 1, one per row).
    /// </summary>
    public static double[] ChannelFold(double[] v, int rows, int C, double[]? rstd, int G, int D)
    {
        var r = new double[C];
        for (int i = 0; i < rows; i++) r[i % C] += rstd is null ? v[i] : v[i] * rstd[i / C * G + i % C / D];
        return r;
    }

    // ---------------------------------------------------------------- layer norm: per-row statistics, per-column affine

    /// <summary>y = (x − mean[r])·rstd[r]·w + b on each of the M rows of K elements (w, b optional).</summary>
    public static void LayerNormForward<T>(T[] x, int xo, T[] y, int M, int K, double[] mean, double[] rstd, T[]? w, int wo, T[]? b, int bo) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Threading.For(M, 3L * K, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                var ys = new Span<T>(y, r * K, K);
                T rs = T.CreateTruncating(rstd[r]);
                Axpb(new ReadOnlySpan<T>(x, xo + r * K, K), rs, T.CreateTruncating(-mean[r] * rstd[r]), ys);
                if (w is not null && b is not null) TensorPrimitives.FusedMultiplyAdd<T>(ys, new ReadOnlySpan<T>(w, wo, K), new ReadOnlySpan<T>(b, bo, K), ys);
                else if (w is not null) TensorPrimitives.Multiply<T>(ys, new ReadOnlySpan<T>(w, wo, K), ys);
                else if (b is not null) TensorPrimitives.Add<T>(ys, new ReadOnlySpan<T>(b, bo, K), ys);
            }
        });
    }

    /// <summary>
    /// Layer norm's input gradient: with u = g·w, gx = rstd·u − rstd³·(x − mean)·Σu(x − mean)/K − rstd·Σu/K.
    /// </summary>
    public static void LayerNormInputGrad<T>(T[] g, int go, T[] x, int xo, T[] gx, int M, int K, double[] mean, double[] rstd, T[]? w, int wo) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Threading.For(M, 4L * K, (r0, r1) =>
        {
            T[]? scratch = w is null ? null : new T[K];
            for (int r = r0; r < r1; r++)
            {
                ReadOnlySpan<T> u = new(g, go + r * K, K), xs = new(x, xo + r * K, K);
                if (scratch is not null)
                {
                    TensorPrimitives.Multiply<T>(u, new ReadOnlySpan<T>(w, wo, K), scratch);
                    u = scratch;
                }
                T tm = T.CreateTruncating(mean[r]);
                double su = double.CreateTruncating(TensorPrimitives.Sum(u));
                double sux = double.CreateTruncating(DotDev(u, xs, tm)) - (mean[r] - double.CreateTruncating(tm)) * su;
                double rs = rstd[r], k2 = -rs * rs * rs * sux / K, k3 = -rs * su / K - k2 * mean[r];
                Axpbypc(u, T.CreateTruncating(rs), xs, T.CreateTruncating(k2), T.CreateTruncating(k3), new Span<T>(gx, r * K, K));
            }
        });
    }

    /// <summary>
    /// Layer norm's weight and bias gradients: column sums over the M rows of g·x̂ and g. Split over
    /// column blocks (not rows), so each sum has one owner and the result does not depend on threads.
    /// </summary>
    public static void LayerNormParamGrads<T>(T[] g, int go, T[] x, int xo, int M, int K, double[] mean, double[] rstd, T[]? gw, T[]? gb) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int Block = 256;
        int blocks = (K + Block - 1) / Block;
        Threading.For(blocks, 3L * M * Math.Min(K, Block), (b0, b1) =>
        {
            var tmp = gw is null ? null : new T[Math.Min(K, Block)];
            for (int blk = b0; blk < b1; blk++)
            {
                int k0 = blk * Block, len = Math.Min(Block, K - k0);
                var gws = gw is null ? default : new Span<T>(gw, k0, len);
                var gbs = gb is null ? default : new Span<T>(gb, k0, len);
                for (int r = 0; r < M; r++)
                {
                    var gs = new ReadOnlySpan<T>(g, go + r * K + k0, len);
                    if (gb is not null) TensorPrimitives.Add<T>(gbs, gs, gbs);
                    if (gw is not null)
                    {
                        var ts = tmp.AsSpan(0, len);
                        Axpb(new ReadOnlySpan<T>(x, xo + r * K + k0, len), T.CreateTruncating(rstd[r]), T.CreateTruncating(-mean[r] * rstd[r]), ts);
                        TensorPrimitives.FusedMultiplyAdd<T>(gs, ts, gws, gws);
                    }
                }
            }
        });
    }
}

/// <summary>
/// The norm kernels by dtype, over raw storage arrays (Tensor._storage.RawArray) and element offsets:
/// <see cref="Dispatch.Floating"/> picks T, so a dtype other than float32/float64 is refused by name.
/// </summary>
internal static class NormDispatch
{
    public static void Moments(ScalarType dtype, Array x, int xo, int N, int C, int S, double[] mean, double[] m2, string op)
    {
        var a = new MomentsAction(x, xo, N, C, S, mean, m2);
        Dispatch.Floating(dtype, ref a, op);
    }

    public static void GradSums(ScalarType dtype, Array g, int go, Array x, int xo, int N, int C, int S, double[] mean, double[] sumG, double[] sumGX, string op)
    {
        var a = new GradSumsAction(g, go, x, xo, N, C, S, mean, sumG, sumGX);
        Dispatch.Floating(dtype, ref a, op);
    }

    /// <summary>y = a·x + b per channel; with <paramref name="g"/>, y = a·g + b·x + c (<see cref="NormKernels.Affine2"/>).</summary>
    public static void Affine(ScalarType dtype, Array? g, int go, Array x, int xo, Array y, int yo, int N, int C, int S, double[] a, double[] b, double[]? c, string op)
    {
        var act = new AffineAction(g, go, x, xo, y, yo, N, C, S, a, b, c);
        Dispatch.Floating(dtype, ref act, op);
    }

    public static void LayerNormForward(ScalarType dtype, Array x, int xo, Array y, int M, int K, double[] mean, double[] rstd, Array? w, int wo, Array? b, int bo, string op)
    {
        var a = new LayerNormForwardAction(x, xo, y, M, K, mean, rstd, w, wo, b, bo);
        Dispatch.Floating(dtype, ref a, op);
    }

    /// <summary>The input gradient into <paramref name="gx"/> and the weight and bias gradients into <paramref name="gw"/> and <paramref name="gb"/>, each when given.</summary>
    public static void LayerNormBackward(ScalarType dtype, Array g, int go, Array x, int xo, int M, int K, double[] mean, double[] rstd, Array? w, int wo, Array? gx, Array? gw, Array? gb, string op)
    {
        var a = new LayerNormBackwardAction(g, go, x, xo, M, K, mean, rstd, w, wo, gx, gw, gb);
        Dispatch.Floating(dtype, ref a, op);
    }

    /// <summary>Rounds <paramref name="v"/> into <paramref name="dst"/> (float32: to nearest, as a (float) cast does).</summary>
    public static void FromDoubles(ScalarType dtype, double[] v, Array dst, string op)
    {
        var a = new FromDoublesAction(v, dst);
        Dispatch.Floating(dtype, ref a, op);
    }

    readonly struct MomentsAction(Array x, int xo, int N, int C, int S, double[] mean, double[] m2) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => NormKernels.Moments((T[])x, xo, N, C, S, mean, m2);
    }

    readonly struct GradSumsAction(Array g, int go, Array x, int xo, int N, int C, int S, double[] mean, double[] sumG, double[] sumGX) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => NormKernels.GradSums((T[])g, go, (T[])x, xo, N, C, S, mean, sumG, sumGX);
    }

    readonly struct AffineAction(Array? g, int go, Array x, int xo, Array y, int yo, int N, int C, int S, double[] a, double[] b, double[]? c) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (g is null) NormKernels.Affine((T[])x, xo, (T[])y, yo, N, C, S, a, b);
            else NormKernels.Affine2((T[])g, go, (T[])x, xo, (T[])y, yo, N, C, S, a, b, c!);
        }
    }

    readonly struct LayerNormForwardAction(Array x, int xo, Array y, int M, int K, double[] mean, double[] rstd, Array? w, int wo, Array? b, int bo) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
            NormKernels.LayerNormForward((T[])x, xo, (T[])y, M, K, mean, rstd, (T[]?)w, wo, (T[]?)b, bo);
    }

    readonly struct LayerNormBackwardAction(Array g, int go, Array x, int xo, int M, int K, double[] mean, double[] rstd,
        Array? w, int wo, Array? gx, Array? gw, Array? gb) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (gx is not null) NormKernels.LayerNormInputGrad((T[])g, go, (T[])x, xo, (T[])gx, M, K, mean, rstd, (T[]?)w, wo);
            if (gw is not null || gb is not null) NormKernels.LayerNormParamGrads((T[])g, go, (T[])x, xo, M, K, mean, rstd, (T[]?)gw, (T[]?)gb);
        }
    }

    readonly struct FromDoublesAction(double[] v, Array dst) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var d = (T[])dst;
            for (int i = 0; i < v.Length; i++) d[i] = T.CreateTruncating(v[i]);
        }
    }
}
