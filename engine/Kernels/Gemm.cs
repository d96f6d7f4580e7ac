using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Torchlet.Kernels;

/// <summary>
/// Dense matrix multiply C = alpha·A·B + beta·C for row-major C, with A and B given by arbitrary
/// row/column strides (a transposed or sliced view needs no copy: packing reads it in place).
/// beta == 0 means C is only written, never read (NaNs in C do not propagate), as in BLAS.
/// <para>
/// Float types use the BLIS/GotoBLAS algorithm. Per K block of KC, B is packed into a KC×NC panel
/// of NR-wide micro-panels (L2-resident), then per M block A is packed into an MC×KC panel of
/// MR-tall micro-panels (alpha folded in); a register-tiled micro-kernel then computes each MR×NR
/// tile of C, reusing one A micro-panel (L1-resident) against every B micro-panel. Packing zero-pads
/// ragged edges, so the kernel never branches on sizes; edge tiles are computed aside and merged.
/// The kernel is picked at run time: AVX-512 (14×32 floats, 28 of the 32 zmm registers as
/// accumulators), 256-bit (6×16), 128-bit (8×8, e.g. ARM NEON) or scalar.
/// </para>
/// <para>
/// Tiny products take a direct loop, matrix-vector shapes a dot/axpy path, and large products
/// are split over <see cref="Threading"/>'s threads by columns (or rows, whichever is longer) on tile
/// boundaries, each thread with its own pack buffers. Every output element is summed in the same
/// order whatever the split, so results do not depend on the thread count.
/// Integer types use the direct loop (wrapping arithmetic, as PyTorch's integer mm).
/// </para>
/// </summary>
internal static unsafe class Gemm
{
    /// <summary>Below this many multiply-adds the packing set-up costs more than it saves.</summary>
    internal const long DirectMaxWork = 16 * 16 * 16;
    /// <summary>Below this many multiply-adds a thread hand-off costs more than it saves.</summary>
    internal const long ParallelMinWork = 128 * 128 * 128;

    /// <summary>C = alpha·A·B + beta·C for any element type Torchlet has (bool excepted).</summary>
    public static void Run<T>(int m, int n, int k, T alpha, T* a, int rsa, int csa, T* b, int rsb, int csb, T beta, T* c, int ldc, bool parallel = true)
        where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(float))
            Sgemm(m, n, k, Unsafe.As<T, float>(ref alpha), (float*)a, rsa, csa, (float*)b, rsb, csb, Unsafe.As<T, float>(ref beta), (float*)c, ldc, parallel);
        else if (typeof(T) == typeof(double))
            Dgemm(m, n, k, Unsafe.As<T, double>(ref alpha), (double*)a, rsa, csa, (double*)b, rsb, csb, Unsafe.As<T, double>(ref beta), (double*)c, ldc, parallel);
        else
            Igemm(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc);
    }

    public static void Sgemm(int m, int n, int k, float alpha, float* a, int rsa, int csa, float* b, int rsb, int csb, float beta, float* c, int ldc, bool parallel = true)
    {
        if (Simd.Width >= 512) Drive<float, Avx512F32>(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc, parallel);
        else if (Simd.Width >= 256) Drive<float, V256F32>(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc, parallel);
        else if (Simd.Width >= 128) Drive<float, V128F32>(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc, parallel);
        else Drive<float, ScalarKernel<float>>(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc, parallel);
    }

    public static void Dgemm(int m, int n, int k, double alpha, double* a, int rsa, int csa, double* b, int rsb, int csb, double beta, double* c, int ldc, bool parallel = true)
    {
        if (Simd.Width >= 512) Drive<double, Avx512F64>(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc, parallel);
        else if (Simd.Width >= 256) Drive<double, V256F64>(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc, parallel);
        else if (Simd.Width >= 128) Drive<double, V128F64>(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc, parallel);
        else Drive<double, ScalarKernel<double>>(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc, parallel);
    }

    /// <summary>Integer GEMM (wrapping arithmetic, as PyTorch's integer mm): the direct loop.</summary>
    public static void Igemm<T>(int m, int n, int k, T alpha, T* a, int rsa, int csa, T* b, int rsb, int csb, T beta, T* c, int ldc)
        where T : unmanaged, INumber<T> => Direct(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc);

    static void Drive<T, TK>(int m, int n, int k, T alpha, T* a, int rsa, int csa, T* b, int rsb, int csb, T beta, T* c, int ldc, bool parallel)
        where T : unmanaged, INumber<T> where TK : struct, IMicroKernel<T>
    {
        if (m == 0 || n == 0) return;
        long work = (long)m * n * k;
        if (k == 0 || work <= DirectMaxWork) { Direct(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc); return; }
        if (n == 1 || m == 1) { Gemv(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc, parallel && work >= ParallelMinWork); return; }

        int threads = parallel && work >= ParallelMinWork ? Threading.NumThreads : 1;
        // Split the larger of M and N across threads on tile boundaries: each thread then runs the
        // whole blocked algorithm on its slice with its own pack buffers. The per-element
        // arithmetic does not depend on the split, so results are identical for any thread count.
        bool splitN = n >= m;
        int unit = splitN ? TK.NR : TK.MR, extent = splitN ? n : m;
        int tiles = (extent + unit - 1) / unit;
        int parts = Math.Min(threads, tiles);
        if (parts <= 1) { Blocked<T, TK>(m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc); return; }
        int tilesPer = (tiles + parts - 1) / parts;
        nint pa = (nint)a, pb = (nint)b, pc = (nint)c;
        Threading.For(parts, long.MaxValue / 4, (s, e) =>
        {
            for (int t = s; t < e; t++)
            {
                int lo = t * tilesPer * unit, hi = Math.Min(extent, lo + tilesPer * unit);
                if (lo >= hi) continue;
                if (splitN)
                    Blocked<T, TK>(m, hi - lo, k, alpha, (T*)pa, rsa, csa, (T*)pb + (long)lo * csb, rsb, csb, beta, (T*)pc + lo, ldc);
                else
                    Blocked<T, TK>(hi - lo, n, k, alpha, (T*)pa + (long)lo * rsa, rsa, csa, (T*)pb, rsb, csb, beta, (T*)pc + (long)lo * ldc, ldc);
            }
        });
    }

    /// <summary>The cache-blocked loop nest of one thread (BLIS's five loops around the micro-kernel).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Blocked<T, TK>(int m, int n, int k, T alpha, T* a, int rsa, int csa, T* b, int rsb, int csb, T beta, T* c, int ldc)
        where T : unmanaged, INumber<T> where TK : struct, IMicroKernel<T>
    {
        int MR = TK.MR, NR = TK.NR, KC = TK.KC;
        int MC = Math.Min(TK.MC, RoundUp(m, MR)), NC = Math.Min(TK.NC, RoundUp(n, NR));
        int kcMax = Math.Min(KC, k);
        // +16: PackA's 16-wide transposed stores run up to 16 - MR values past a panel.
        T* packA = PackBuffers.Get<T>(MC * kcMax + 16 + NR * kcMax * (NC / NR), out T* packB, MC * kcMax + 16);
        T* tile = stackalloc T[MR * NR];
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                PackB<T, TK>(kc, nc, b + (long)pc * rsb + (long)jc * csb, rsb, csb, packB);
                // Later K blocks add onto what the first one wrote.
                T betaK = pc == 0 ? beta : T.One;
                for (int ic = 0; ic < m; ic += MC)
                {
                    int mc = Math.Min(MC, m - ic);
                    PackA<T, TK>(mc, kc, a + (long)ic * rsa + (long)pc * csa, rsa, csa, alpha, packA);
                    for (int ir = 0; ir < mc; ir += MR)
                    {
                        int mr = Math.Min(MR, mc - ir);
                        T* ap = packA + ir * kc;
                        T* crow = c + (long)(ic + ir) * ldc + jc;
                        for (int jr = 0; jr < nc; jr += NR)
                        {
                            int nr = Math.Min(NR, nc - jr);
                            T* bp = packB + jr * kc;
                            if (mr == MR && nr == NR) TK.Run(kc, ap, bp, crow + jr, ldc, betaK);
                            else
                            {
                                // Edge tile: the packed operands are zero-padded, so compute a full
                                // tile aside and write back only the valid part.
                                TK.Run(kc, ap, bp, tile, NR, T.Zero);
                                MergeTile(mr, nr, tile, NR, crow + jr, ldc, betaK);
                            }
                        }
                    }
                }
            }
        }
    }

    static int RoundUp(int x, int m) => (x + m - 1) / m * m;

    /// <summary>c = t (beta 0), c + t (beta 1) or beta·c + t (one rounding, as the kernels' FMA).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void MergeTile<T>(int mr, int nr, T* t, int ldt, T* c, int ldc, T beta) where T : unmanaged, INumber<T>
    {
        for (int i = 0; i < mr; i++, t += ldt, c += ldc)
            for (int j = 0; j < nr; j++)
                c[j] = Combine(t[j], beta, c[j]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static T Combine<T>(T acc, T beta, T c) where T : unmanaged, INumber<T>
    {
        if (T.IsZero(beta)) return acc;
        if (beta == T.One) return c + acc;
        if (typeof(T) == typeof(float))
        {
            float r = MathF.FusedMultiplyAdd(Unsafe.As<T, float>(ref beta), Unsafe.As<T, float>(ref c), Unsafe.As<T, float>(ref acc));
            return Unsafe.As<float, T>(ref r);
        }
        if (typeof(T) == typeof(double))
        {
            double r = Math.FusedMultiplyAdd(Unsafe.As<T, double>(ref beta), Unsafe.As<T, double>(ref c), Unsafe.As<T, double>(ref acc));
            return Unsafe.As<double, T>(ref r);
        }
        return beta * c + acc;
    }

    /// <summary>
    /// Packs the mc×kc block of A into MR-row micro-panels: panel r holds, for each p, the MR values
    /// A[r·MR + i, p] side by side (alpha applied); rows past mc are zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA<T, TK>(int mc, int kc, T* a, int rsa, int csa, T alpha, T* dst)
        where T : unmanaged, INumber<T> where TK : struct, IMicroKernel<T>
    {
        int MR = TK.MR;
        bool scale = alpha != T.One;
        for (int ir = 0; ir < mc; ir += MR, dst += MR * kc)
        {
            int mr = Math.Min(MR, mc - ir);
            T* src = a + (long)ir * rsa;
            int p0 = 0;
            if (rsa == 1 && mr == MR && !scale)
            {
                // Column-major A (a transposed view): each p is one contiguous run of MR values.
                for (int p = 0; p < kc; p++)
                    Unsafe.CopyBlockUnaligned(dst + p * MR, src + (long)p * csa, (uint)(MR * sizeof(T)));
                continue;
            }
            if (typeof(T) == typeof(float) && csa == 1 && MR <= 16 && Simd.Width >= 512 && Avx512F.IsSupported)
            {
                // Row-major A: 16×16 register transposes; each output row is stored 16 wide and the
                // next store overwrites the 16 - MR extra lanes (the buffer has slack for the last one).
                float s = Unsafe.As<T, float>(ref alpha);
                for (; p0 + 16 <= kc; p0 += 16)
                    Transpose16((float*)src + p0, rsa, mr, (float*)dst + p0 * MR, MR, s);
            }
            if (p0 == kc) continue;
            if (mr < MR)
                for (int p = p0; p < kc; p++)
                    for (int i = mr; i < MR; i++) dst[p * MR + i] = T.Zero;
            if (csa == 1)
            {
                for (int i = 0; i < mr; i++)
                {
                    T* s = src + (long)i * rsa; T* d = dst + i;
                    if (scale) for (int p = p0; p < kc; p++) d[p * MR] = alpha * s[p];
                    else for (int p = p0; p < kc; p++) d[p * MR] = s[p];
                }
            }
            else
            {
                for (int p = p0; p < kc; p++)
                {
                    T* s = src + (long)p * csa; T* d = dst + p * MR;
                    if (scale) for (int i = 0; i < mr; i++) d[i] = alpha * s[(long)i * rsa];
                    else for (int i = 0; i < mr; i++) d[i] = s[(long)i * rsa];
                }
            }
        }
    }

    /// <summary>
    /// Packs the kc×nc block of B into NR-column micro-panels: panel r holds, for each p, the NR
    /// values B[p, r·NR + j] side by side; columns past nc are zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB<T, TK>(int kc, int nc, T* b, int rsb, int csb, T* dst)
        where T : unmanaged, INumber<T> where TK : struct, IMicroKernel<T>
    {
        int NR = TK.NR;
        for (int jr = 0; jr < nc; jr += NR, dst += NR * kc)
        {
            int nr = Math.Min(NR, nc - jr);
            T* src = b + (long)jr * csb;
            if (csb == 1 && nr == NR)
            {
                for (int p = 0; p < kc; p++)
                    Unsafe.CopyBlockUnaligned(dst + p * NR, src + (long)p * rsb, (uint)(NR * sizeof(T)));
                continue;
            }
            int p0 = 0;
            if (typeof(T) == typeof(float) && rsb == 1 && nr == NR && NR % 16 == 0 && Simd.Width >= 512 && Avx512F.IsSupported)
            {
                // Column-major B (a transposed view): transpose 16 columns × 16 rows at a time.
                for (; p0 + 16 <= kc; p0 += 16)
                    for (int j = 0; j < NR; j += 16)
                        Transpose16((float*)src + (long)j * csb + p0, csb, 16, (float*)dst + p0 * NR + j, NR, 1f);
            }
            if (p0 == kc) continue;
            if (nr < NR)
                for (int p = p0; p < kc; p++)
                    for (int j = nr; j < NR; j++) dst[p * NR + j] = T.Zero;
            if (csb == 1)
            {
                for (int p = p0; p < kc; p++)
                {
                    T* s = src + (long)p * rsb; T* d = dst + p * NR;
                    for (int j = 0; j < nr; j++) d[j] = s[j];
                }
            }
            else
            {
                for (int j = 0; j < nr; j++)
                {
                    T* s = src + (long)j * csb; T* d = dst + j;
                    for (int p = p0; p < kc; p++) d[p * NR] = s[(long)p * rsb];
                }
            }
        }
    }

    /// <summary>
    /// Transposes a rows×16 float block (row i at src + i·srcStride, rows ≥ <paramref name="rows"/>
    /// read as zero) into 16 rows of 16 at dst + q·dstStride, scaled by <paramref name="scale"/>:
    /// the classic unpack-ps / unpack-pd / shuffle-128 network, 64 shuffles per 256 values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Transpose16(float* src, long srcStride, int rows, float* dst, long dstStride, float scale)
    {
        var r0 = 0 < rows ? Vector512.Load(src + 0 * srcStride) : default;
        var r1 = 1 < rows ? Vector512.Load(src + 1 * srcStride) : default;
        var r2 = 2 < rows ? Vector512.Load(src + 2 * srcStride) : default;
        var r3 = 3 < rows ? Vector512.Load(src + 3 * srcStride) : default;
        var r4 = 4 < rows ? Vector512.Load(src + 4 * srcStride) : default;
        var r5 = 5 < rows ? Vector512.Load(src + 5 * srcStride) : default;
        var r6 = 6 < rows ? Vector512.Load(src + 6 * srcStride) : default;
        var r7 = 7 < rows ? Vector512.Load(src + 7 * srcStride) : default;
        var r8 = 8 < rows ? Vector512.Load(src + 8 * srcStride) : default;
        var r9 = 9 < rows ? Vector512.Load(src + 9 * srcStride) : default;
        var r10 = 10 < rows ? Vector512.Load(src + 10 * srcStride) : default;
        var r11 = 11 < rows ? Vector512.Load(src + 11 * srcStride) : default;
        var r12 = 12 < rows ? Vector512.Load(src + 12 * srcStride) : default;
        var r13 = 13 < rows ? Vector512.Load(src + 13 * srcStride) : default;
        var r14 = 14 < rows ? Vector512.Load(src + 14 * srcStride) : default;
        var r15 = 15 < rows ? Vector512.Load(src + 15 * srcStride) : default;
        // t(2k), t(2k+1): rows 2k and 2k+1 interleaved, per 128-bit lane L elements 4L, 4L+1 and 4L+2, 4L+3.
        var t0 = Avx512F.UnpackLow(r0, r1).AsDouble(); var t1 = Avx512F.UnpackHigh(r0, r1).AsDouble();
        var t2 = Avx512F.UnpackLow(r2, r3).AsDouble(); var t3 = Avx512F.UnpackHigh(r2, r3).AsDouble();
        var t4 = Avx512F.UnpackLow(r4, r5).AsDouble(); var t5 = Avx512F.UnpackHigh(r4, r5).AsDouble();
        var t6 = Avx512F.UnpackLow(r6, r7).AsDouble(); var t7 = Avx512F.UnpackHigh(r6, r7).AsDouble();
        var t8 = Avx512F.UnpackLow(r8, r9).AsDouble(); var t9 = Avx512F.UnpackHigh(r8, r9).AsDouble();
        var t10 = Avx512F.UnpackLow(r10, r11).AsDouble(); var t11 = Avx512F.UnpackHigh(r10, r11).AsDouble();
        var t12 = Avx512F.UnpackLow(r12, r13).AsDouble(); var t13 = Avx512F.UnpackHigh(r12, r13).AsDouble();
        var t14 = Avx512F.UnpackLow(r14, r15).AsDouble(); var t15 = Avx512F.UnpackHigh(r14, r15).AsDouble();
        // u(4g + c), lane L: rows 4g..4g+3 of column 4L + c.
        var u0 = Avx512F.UnpackLow(t0, t2).AsSingle(); var u1 = Avx512F.UnpackHigh(t0, t2).AsSingle();
        var u2 = Avx512F.UnpackLow(t1, t3).AsSingle(); var u3 = Avx512F.UnpackHigh(t1, t3).AsSingle();
        var u4 = Avx512F.UnpackLow(t4, t6).AsSingle(); var u5 = Avx512F.UnpackHigh(t4, t6).AsSingle();
        var u6 = Avx512F.UnpackLow(t5, t7).AsSingle(); var u7 = Avx512F.UnpackHigh(t5, t7).AsSingle();
        var u8 = Avx512F.UnpackLow(t8, t10).AsSingle(); var u9 = Avx512F.UnpackHigh(t8, t10).AsSingle();
        var u10 = Avx512F.UnpackLow(t9, t11).AsSingle(); var u11 = Avx512F.UnpackHigh(t9, t11).AsSingle();
        var u12 = Avx512F.UnpackLow(t12, t14).AsSingle(); var u13 = Avx512F.UnpackHigh(t12, t14).AsSingle();
        var u14 = Avx512F.UnpackLow(t13, t15).AsSingle(); var u15 = Avx512F.UnpackHigh(t13, t15).AsSingle();
        // Column 4L + c gathers lane L of u(c), u(4+c), u(8+c), u(12+c).
        var x0 = Avx512F.Shuffle4x128(u0, u4, 0x44); var z0 = Avx512F.Shuffle4x128(u0, u4, 0xEE);
        var y0 = Avx512F.Shuffle4x128(u8, u12, 0x44); var w0 = Avx512F.Shuffle4x128(u8, u12, 0xEE);
        var x1 = Avx512F.Shuffle4x128(u1, u5, 0x44); var z1 = Avx512F.Shuffle4x128(u1, u5, 0xEE);
        var y1 = Avx512F.Shuffle4x128(u9, u13, 0x44); var w1 = Avx512F.Shuffle4x128(u9, u13, 0xEE);
        var x2 = Avx512F.Shuffle4x128(u2, u6, 0x44); var z2 = Avx512F.Shuffle4x128(u2, u6, 0xEE);
        var y2 = Avx512F.Shuffle4x128(u10, u14, 0x44); var w2 = Avx512F.Shuffle4x128(u10, u14, 0xEE);
        var x3 = Avx512F.Shuffle4x128(u3, u7, 0x44); var z3 = Avx512F.Shuffle4x128(u3, u7, 0xEE);
        var y3 = Avx512F.Shuffle4x128(u11, u15, 0x44); var w3 = Avx512F.Shuffle4x128(u11, u15, 0xEE);
        var sv = Vector512.Create(scale);
        // Ascending order: each store's spare lanes are overwritten by the next one.
        (Avx512F.Shuffle4x128(x0, y0, 0x88) * sv).Store(dst + 0 * dstStride);
        (Avx512F.Shuffle4x128(x1, y1, 0x88) * sv).Store(dst + 1 * dstStride);
        (Avx512F.Shuffle4x128(x2, y2, 0x88) * sv).Store(dst + 2 * dstStride);
        (Avx512F.Shuffle4x128(x3, y3, 0x88) * sv).Store(dst + 3 * dstStride);
        (Avx512F.Shuffle4x128(x0, y0, 0xDD) * sv).Store(dst + 4 * dstStride);
        (Avx512F.Shuffle4x128(x1, y1, 0xDD) * sv).Store(dst + 5 * dstStride);
        (Avx512F.Shuffle4x128(x2, y2, 0xDD) * sv).Store(dst + 6 * dstStride);
        (Avx512F.Shuffle4x128(x3, y3, 0xDD) * sv).Store(dst + 7 * dstStride);
        (Avx512F.Shuffle4x128(z0, w0, 0x88) * sv).Store(dst + 8 * dstStride);
        (Avx512F.Shuffle4x128(z1, w1, 0x88) * sv).Store(dst + 9 * dstStride);
        (Avx512F.Shuffle4x128(z2, w2, 0x88) * sv).Store(dst + 10 * dstStride);
        (Avx512F.Shuffle4x128(z3, w3, 0x88) * sv).Store(dst + 11 * dstStride);
        (Avx512F.Shuffle4x128(z0, w0, 0xDD) * sv).Store(dst + 12 * dstStride);
        (Avx512F.Shuffle4x128(z1, w1, 0xDD) * sv).Store(dst + 13 * dstStride);
        (Avx512F.Shuffle4x128(z2, w2, 0xDD) * sv).Store(dst + 14 * dstStride);
        (Avx512F.Shuffle4x128(z3, w3, 0xDD) * sv).Store(dst + 15 * dstStride);
    }


    /// <summary>The unblocked triple loop: tiny products and integer dtypes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Direct<T>(int m, int n, int k, T alpha, T* a, int rsa, int csa, T* b, int rsb, int csb, T beta, T* c, int ldc)
        where T : unmanaged, INumber<T>
    {
        for (int i = 0; i < m; i++)
        {
            T* ai = a + (long)i * rsa; T* ci = c + (long)i * ldc;
            int j = 0;
            // Four output columns at once: four independent add chains instead of one latency-bound chain.
            for (; j + 4 <= n; j += 4)
            {
                T* bj = b + (long)j * csb;
                T s0 = T.Zero, s1 = T.Zero, s2 = T.Zero, s3 = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    T ap = ai[(long)p * csa]; T* bp = bj + (long)p * rsb;
                    s0 += ap * bp[0]; s1 += ap * bp[csb]; s2 += ap * bp[2L * csb]; s3 += ap * bp[3L * csb];
                }
                ci[j] = Finish(s0, alpha, beta, ci[j]); ci[j + 1] = Finish(s1, alpha, beta, ci[j + 1]);
                ci[j + 2] = Finish(s2, alpha, beta, ci[j + 2]); ci[j + 3] = Finish(s3, alpha, beta, ci[j + 3]);
            }
            for (; j < n; j++)
            {
                T* bj = b + (long)j * csb;
                T acc = T.Zero;
                for (int p = 0; p < k; p++) acc += ai[(long)p * csa] * bj[(long)p * rsb];
                ci[j] = Finish(acc, alpha, beta, ci[j]);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static T Finish<T>(T acc, T alpha, T beta, T c) where T : unmanaged, INumber<T> =>
        Combine(alpha == T.One ? acc : alpha * acc, beta, c);

    /// <summary>
    /// Matrix-vector products (n == 1 or m == 1), which the tiled kernel would pad to a full tile.
    /// Seen as y = M·x with M of shape rows×k (for m == 1 the rows of M are B's columns): one dot
    /// product per output when M's rows are contiguous, else y += x[p]·M[:, p] column by column so
    /// that a column-major M is still read sequentially. Rows are split across threads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Gemv<T>(int m, int n, int k, T alpha, T* a, int rsa, int csa, T* b, int rsb, int csb, T beta, T* c, int ldc, bool parallel)
        where T : unmanaged, INumber<T>
    {
        int rows = n == 1 ? m : n;
        T* mat = n == 1 ? a : b;
        int rowStride = n == 1 ? rsa : csb, colStride = n == 1 ? csa : rsb;
        T* vec = n == 1 ? b : a;
        int vecStride = n == 1 ? rsb : csa;
        int outStride = n == 1 ? ldc : 1;
        bool byColumns = rowStride == 1 && colStride != 1;
        nint pm = (nint)mat, pv = (nint)vec, pc = (nint)c;
        void Body(int s, int e)
        {
            T* mt = (T*)pm, v = (T*)pv, cc = (T*)pc;
            if (!byColumns)
            {
                for (int r = s; r < e; r++)
                    cc[(long)r * outStride] = Finish(Dot(k, mt + (long)r * rowStride, colStride, v, vecStride), alpha, beta, cc[(long)r * outStride]);
                return;
            }
            const int Block = 2048;  // accumulators stay in L1 while M's columns stream past
            T* acc = stackalloc T[Block];
            for (int r0 = s; r0 < e; r0 += Block)
            {
                int len = Math.Min(Block, e - r0);
                var accSpan = new Span<T>(acc, len);
                accSpan.Clear();
                for (int p = 0; p < k; p++)
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(new ReadOnlySpan<T>(mt + r0 + (long)p * colStride, len), v[(long)p * vecStride], accSpan, accSpan);
                for (int r = 0; r < len; r++)
                    cc[(long)(r0 + r) * outStride] = Finish(acc[r], alpha, beta, cc[(long)(r0 + r) * outStride]);
            }
        }
        if (parallel) Threading.For(rows, 2L * k, Body);
        else Body(0, rows);
    }

    /// <summary>Σ x[p]·y[p] over strided vectors; vectorised when both are contiguous.</summary>
    public static T Dot<T>(int k, T* x, int incx, T* y, int incy) where T : unmanaged, INumber<T>
    {
        if (incx == 1 && incy == 1)
            return System.Numerics.Tensors.TensorPrimitives.Dot(new ReadOnlySpan<T>(x, k), new ReadOnlySpan<T>(y, k));
        T acc = T.Zero;
        for (int p = 0; p < k; p++) acc += x[(long)p * incx] * y[(long)p * incy];
        return acc;
    }
}
