using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Torchlet.Kernels;

// The register-tiled micro-kernels Gemm drives (see Gemm.cs), and the per-thread pack buffers they read.

/// <summary>
/// A register-tiled micro-kernel: C[MR×NR] (row stride ldc) = beta·C + Σp a[p·MR + i]·b[p·NR + j]
/// over kc packed steps, with the accumulators held in registers. KC, MC, NC are its cache blocking.
/// </summary>
internal unsafe interface IMicroKernel<T> where T : unmanaged
{
    static abstract int MR { get; }
    static abstract int NR { get; }
    static abstract int KC { get; }
    static abstract int MC { get; }
    static abstract int NC { get; }
    static abstract void Run(int kc, T* a, T* b, T* c, int ldc, T beta);
}

/// <summary>Per-thread pinned, 64-byte aligned pack buffers, grown on demand and reused across calls.</summary>
internal static unsafe class PackBuffers
{
    [ThreadStatic] static byte[]? t_buffer;

    public static T* Get<T>(int elements, out T* second, int secondOffset) where T : unmanaged
    {
        long bytes = (long)elements * sizeof(T) + 128;
        var buf = t_buffer;
        if (buf is null || buf.Length < bytes)
            t_buffer = buf = GC.AllocateUninitializedArray<byte>((int)Math.Max(bytes, 64 * 1024), pinned: true);
        byte* p = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buf));
        T* first = (T*)(((nint)p + 63) & ~(nint)63);
        // Start the second buffer on a 64-byte boundary too.
        second = (T*)(((nint)(first + secondOffset) + 63) & ~(nint)63);
        return first;
    }
}

// The micro-kernels are unrolled by hand: every accumulator is its own local, so that the JIT keeps
// them all in registers (an array of accumulators or a loop over rows would live on the stack).

/// <summary>AVX-512 float micro-kernel: 14×32 tile in 2·14 zmm accumulators (of 32 registers).</summary>
internal unsafe struct Avx512F32 : IMicroKernel<float>
{
    public static int MR => 14;
    public static int NR => 32;
    public static int KC => 256;
    public static int MC => 168;
    public static int NC => 1024;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, int ldc, float beta)
    {
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
        Vector512<float> c2_0 = default; Vector512<float> c2_1 = default;
        Vector512<float> c3_0 = default; Vector512<float> c3_1 = default;
        Vector512<float> c4_0 = default; Vector512<float> c4_1 = default;
        Vector512<float> c5_0 = default; Vector512<float> c5_1 = default;
        Vector512<float> c6_0 = default; Vector512<float> c6_1 = default;
        Vector512<float> c7_0 = default; Vector512<float> c7_1 = default;
        Vector512<float> c8_0 = default; Vector512<float> c8_1 = default;
        Vector512<float> c9_0 = default; Vector512<float> c9_1 = default;
        Vector512<float> c10_0 = default; Vector512<float> c10_1 = default;
        Vector512<float> c11_0 = default; Vector512<float> c11_1 = default;
        Vector512<float> c12_0 = default; Vector512<float> c12_1 = default;
        Vector512<float> c13_0 = default; Vector512<float> c13_1 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b + 0); var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]); c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0); c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector512.Create(a[1]); c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0); c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector512.Create(a[2]); c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0); c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector512.Create(a[3]); c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0); c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector512.Create(a[4]); c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0); c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector512.Create(a[5]); c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0); c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
            var a6 = Vector512.Create(a[6]); c6_0 = Vector512.FusedMultiplyAdd(a6, b0, c6_0); c6_1 = Vector512.FusedMultiplyAdd(a6, b1, c6_1);
            var a7 = Vector512.Create(a[7]); c7_0 = Vector512.FusedMultiplyAdd(a7, b0, c7_0); c7_1 = Vector512.FusedMultiplyAdd(a7, b1, c7_1);
            var a8 = Vector512.Create(a[8]); c8_0 = Vector512.FusedMultiplyAdd(a8, b0, c8_0); c8_1 = Vector512.FusedMultiplyAdd(a8, b1, c8_1);
            var a9 = Vector512.Create(a[9]); c9_0 = Vector512.FusedMultiplyAdd(a9, b0, c9_0); c9_1 = Vector512.FusedMultiplyAdd(a9, b1, c9_1);
            var a10 = Vector512.Create(a[10]); c10_0 = Vector512.FusedMultiplyAdd(a10, b0, c10_0); c10_1 = Vector512.FusedMultiplyAdd(a10, b1, c10_1);
            var a11 = Vector512.Create(a[11]); c11_0 = Vector512.FusedMultiplyAdd(a11, b0, c11_0); c11_1 = Vector512.FusedMultiplyAdd(a11, b1, c11_1);
            var a12 = Vector512.Create(a[12]); c12_0 = Vector512.FusedMultiplyAdd(a12, b0, c12_0); c12_1 = Vector512.FusedMultiplyAdd(a12, b1, c12_1);
            var a13 = Vector512.Create(a[13]); c13_0 = Vector512.FusedMultiplyAdd(a13, b0, c13_0); c13_1 = Vector512.FusedMultiplyAdd(a13, b1, c13_1);
            a += 14; b += 32;
        }
        if (beta == 0)
        {
            c0_0.Store(c + 0 * ldc + 0); c0_1.Store(c + 0 * ldc + 16);
            c1_0.Store(c + 1 * ldc + 0); c1_1.Store(c + 1 * ldc + 16);
            c2_0.Store(c + 2 * ldc + 0); c2_1.Store(c + 2 * ldc + 16);
            c3_0.Store(c + 3 * ldc + 0); c3_1.Store(c + 3 * ldc + 16);
            c4_0.Store(c + 4 * ldc + 0); c4_1.Store(c + 4 * ldc + 16);
            c5_0.Store(c + 5 * ldc + 0); c5_1.Store(c + 5 * ldc + 16);
            c6_0.Store(c + 6 * ldc + 0); c6_1.Store(c + 6 * ldc + 16);
            c7_0.Store(c + 7 * ldc + 0); c7_1.Store(c + 7 * ldc + 16);
            c8_0.Store(c + 8 * ldc + 0); c8_1.Store(c + 8 * ldc + 16);
            c9_0.Store(c + 9 * ldc + 0); c9_1.Store(c + 9 * ldc + 16);
            c10_0.Store(c + 10 * ldc + 0); c10_1.Store(c + 10 * ldc + 16);
            c11_0.Store(c + 11 * ldc + 0); c11_1.Store(c + 11 * ldc + 16);
            c12_0.Store(c + 12 * ldc + 0); c12_1.Store(c + 12 * ldc + 16);
            c13_0.Store(c + 13 * ldc + 0); c13_1.Store(c + 13 * ldc + 16);
        }
        else
        {
            var bv = Vector512.Create(beta);
            Update(c + 0 * ldc + 0, c0_0, bv); Update(c + 0 * ldc + 16, c0_1, bv);
            Update(c + 1 * ldc + 0, c1_0, bv); Update(c + 1 * ldc + 16, c1_1, bv);
            Update(c + 2 * ldc + 0, c2_0, bv); Update(c + 2 * ldc + 16, c2_1, bv);
            Update(c + 3 * ldc + 0, c3_0, bv); Update(c + 3 * ldc + 16, c3_1, bv);
            Update(c + 4 * ldc + 0, c4_0, bv); Update(c + 4 * ldc + 16, c4_1, bv);
            Update(c + 5 * ldc + 0, c5_0, bv); Update(c + 5 * ldc + 16, c5_1, bv);
            Update(c + 6 * ldc + 0, c6_0, bv); Update(c + 6 * ldc + 16, c6_1, bv);
            Update(c + 7 * ldc + 0, c7_0, bv); Update(c + 7 * ldc + 16, c7_1, bv);
            Update(c + 8 * ldc + 0, c8_0, bv); Update(c + 8 * ldc + 16, c8_1, bv);
            Update(c + 9 * ldc + 0, c9_0, bv); Update(c + 9 * ldc + 16, c9_1, bv);
            Update(c + 10 * ldc + 0, c10_0, bv); Update(c + 10 * ldc + 16, c10_1, bv);
            Update(c + 11 * ldc + 0, c11_0, bv); Update(c + 11 * ldc + 16, c11_1, bv);
            Update(c + 12 * ldc + 0, c12_0, bv); Update(c + 12 * ldc + 16, c12_1, bv);
            Update(c + 13 * ldc + 0, c13_0, bv); Update(c + 13 * ldc + 16, c13_1, bv);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Update(float* c, Vector512<float> acc, Vector512<float> beta) => Vector512.FusedMultiplyAdd(beta, Vector512.Load(c), acc).Store(c);
}

/// <summary>AVX-512 double micro-kernel: 14×16 tile.</summary>
internal unsafe struct Avx512F64 : IMicroKernel<double>
{
    public static int MR => 14;
    public static int NR => 16;
    public static int KC => 256;
    public static int MC => 112;
    public static int NC => 512;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, double* a, double* b, double* c, int ldc, double beta)
    {
        Vector512<double> c0_0 = default; Vector512<double> c0_1 = default;
        Vector512<double> c1_0 = default; Vector512<double> c1_1 = default;
        Vector512<double> c2_0 = default; Vector512<double> c2_1 = default;
        Vector512<double> c3_0 = default; Vector512<double> c3_1 = default;
        Vector512<double> c4_0 = default; Vector512<double> c4_1 = default;
        Vector512<double> c5_0 = default; Vector512<double> c5_1 = default;
        Vector512<double> c6_0 = default; Vector512<double> c6_1 = default;
        Vector512<double> c7_0 = default; Vector512<double> c7_1 = default;
        Vector512<double> c8_0 = default; Vector512<double> c8_1 = default;
        Vector512<double> c9_0 = default; Vector512<double> c9_1 = default;
        Vector512<double> c10_0 = default; Vector512<double> c10_1 = default;
        Vector512<double> c11_0 = default; Vector512<double> c11_1 = default;
        Vector512<double> c12_0 = default; Vector512<double> c12_1 = default;
        Vector512<double> c13_0 = default; Vector512<double> c13_1 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b + 0); var b1 = Vector512.Load(b + 8);
            var a0 = Vector512.Create(a[0]); c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0); c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector512.Create(a[1]); c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0); c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector512.Create(a[2]); c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0); c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector512.Create(a[3]); c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0); c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector512.Create(a[4]); c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0); c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector512.Create(a[5]); c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0); c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
            var a6 = Vector512.Create(a[6]); c6_0 = Vector512.FusedMultiplyAdd(a6, b0, c6_0); c6_1 = Vector512.FusedMultiplyAdd(a6, b1, c6_1);
            var a7 = Vector512.Create(a[7]); c7_0 = Vector512.FusedMultiplyAdd(a7, b0, c7_0); c7_1 = Vector512.FusedMultiplyAdd(a7, b1, c7_1);
            var a8 = Vector512.Create(a[8]); c8_0 = Vector512.FusedMultiplyAdd(a8, b0, c8_0); c8_1 = Vector512.FusedMultiplyAdd(a8, b1, c8_1);
            var a9 = Vector512.Create(a[9]); c9_0 = Vector512.FusedMultiplyAdd(a9, b0, c9_0); c9_1 = Vector512.FusedMultiplyAdd(a9, b1, c9_1);
            var a10 = Vector512.Create(a[10]); c10_0 = Vector512.FusedMultiplyAdd(a10, b0, c10_0); c10_1 = Vector512.FusedMultiplyAdd(a10, b1, c10_1);
            var a11 = Vector512.Create(a[11]); c11_0 = Vector512.FusedMultiplyAdd(a11, b0, c11_0); c11_1 = Vector512.FusedMultiplyAdd(a11, b1, c11_1);
            var a12 = Vector512.Create(a[12]); c12_0 = Vector512.FusedMultiplyAdd(a12, b0, c12_0); c12_1 = Vector512.FusedMultiplyAdd(a12, b1, c12_1);
            var a13 = Vector512.Create(a[13]); c13_0 = Vector512.FusedMultiplyAdd(a13, b0, c13_0); c13_1 = Vector512.FusedMultiplyAdd(a13, b1, c13_1);
            a += 14; b += 16;
        }
        if (beta == 0)
        {
            c0_0.Store(c + 0 * ldc + 0); c0_1.Store(c + 0 * ldc + 8);
            c1_0.Store(c + 1 * ldc + 0); c1_1.Store(c + 1 * ldc + 8);
            c2_0.Store(c + 2 * ldc + 0); c2_1.Store(c + 2 * ldc + 8);
            c3_0.Store(c + 3 * ldc + 0); c3_1.Store(c + 3 * ldc + 8);
            c4_0.Store(c + 4 * ldc + 0); c4_1.Store(c + 4 * ldc + 8);
            c5_0.Store(c + 5 * ldc + 0); c5_1.Store(c + 5 * ldc + 8);
            c6_0.Store(c + 6 * ldc + 0); c6_1.Store(c + 6 * ldc + 8);
            c7_0.Store(c + 7 * ldc + 0); c7_1.Store(c + 7 * ldc + 8);
            c8_0.Store(c + 8 * ldc + 0); c8_1.Store(c + 8 * ldc + 8);
            c9_0.Store(c + 9 * ldc + 0); c9_1.Store(c + 9 * ldc + 8);
            c10_0.Store(c + 10 * ldc + 0); c10_1.Store(c + 10 * ldc + 8);
            c11_0.Store(c + 11 * ldc + 0); c11_1.Store(c + 11 * ldc + 8);
            c12_0.Store(c + 12 * ldc + 0); c12_1.Store(c + 12 * ldc + 8);
            c13_0.Store(c + 13 * ldc + 0); c13_1.Store(c + 13 * ldc + 8);
        }
        else
        {
            var bv = Vector512.Create(beta);
            Update(c + 0 * ldc + 0, c0_0, bv); Update(c + 0 * ldc + 8, c0_1, bv);
            Update(c + 1 * ldc + 0, c1_0, bv); Update(c + 1 * ldc + 8, c1_1, bv);
            Update(c + 2 * ldc + 0, c2_0, bv); Update(c + 2 * ldc + 8, c2_1, bv);
            Update(c + 3 * ldc + 0, c3_0, bv); Update(c + 3 * ldc + 8, c3_1, bv);
            Update(c + 4 * ldc + 0, c4_0, bv); Update(c + 4 * ldc + 8, c4_1, bv);
            Update(c + 5 * ldc + 0, c5_0, bv); Update(c + 5 * ldc + 8, c5_1, bv);
            Update(c + 6 * ldc + 0, c6_0, bv); Update(c + 6 * ldc + 8, c6_1, bv);
            Update(c + 7 * ldc + 0, c7_0, bv); Update(c + 7 * ldc + 8, c7_1, bv);
            Update(c + 8 * ldc + 0, c8_0, bv); Update(c + 8 * ldc + 8, c8_1, bv);
            Update(c + 9 * ldc + 0, c9_0, bv); Update(c + 9 * ldc + 8, c9_1, bv);
            Update(c + 10 * ldc + 0, c10_0, bv); Update(c + 10 * ldc + 8, c10_1, bv);
            Update(c + 11 * ldc + 0, c11_0, bv); Update(c + 11 * ldc + 8, c11_1, bv);
            Update(c + 12 * ldc + 0, c12_0, bv); Update(c + 12 * ldc + 8, c12_1, bv);
            Update(c + 13 * ldc + 0, c13_0, bv); Update(c + 13 * ldc + 8, c13_1, bv);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Update(double* c, Vector512<double> acc, Vector512<double> beta) => Vector512.FusedMultiplyAdd(beta, Vector512.Load(c), acc).Store(c);
}

/// <summary>256-bit (AVX/AVX2) float micro-kernel: 6×16 tile in 12 of the 16 ymm registers.</summary>
internal unsafe struct V256F32 : IMicroKernel<float>
{
    public static int MR => 6;
    public static int NR => 16;
    public static int KC => 256;
    public static int MC => 120;
    public static int NC => 1024;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, int ldc, float beta)
    {
        Vector256<float> c0_0 = default; Vector256<float> c0_1 = default;
        Vector256<float> c1_0 = default; Vector256<float> c1_1 = default;
        Vector256<float> c2_0 = default; Vector256<float> c2_1 = default;
        Vector256<float> c3_0 = default; Vector256<float> c3_1 = default;
        Vector256<float> c4_0 = default; Vector256<float> c4_1 = default;
        Vector256<float> c5_0 = default; Vector256<float> c5_1 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b + 0); var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]); c0_0 = Vector256.MultiplyAddEstimate(a0, b0, c0_0); c0_1 = Vector256.MultiplyAddEstimate(a0, b1, c0_1);
            var a1 = Vector256.Create(a[1]); c1_0 = Vector256.MultiplyAddEstimate(a1, b0, c1_0); c1_1 = Vector256.MultiplyAddEstimate(a1, b1, c1_1);
            var a2 = Vector256.Create(a[2]); c2_0 = Vector256.MultiplyAddEstimate(a2, b0, c2_0); c2_1 = Vector256.MultiplyAddEstimate(a2, b1, c2_1);
            var a3 = Vector256.Create(a[3]); c3_0 = Vector256.MultiplyAddEstimate(a3, b0, c3_0); c3_1 = Vector256.MultiplyAddEstimate(a3, b1, c3_1);
            var a4 = Vector256.Create(a[4]); c4_0 = Vector256.MultiplyAddEstimate(a4, b0, c4_0); c4_1 = Vector256.MultiplyAddEstimate(a4, b1, c4_1);
            var a5 = Vector256.Create(a[5]); c5_0 = Vector256.MultiplyAddEstimate(a5, b0, c5_0); c5_1 = Vector256.MultiplyAddEstimate(a5, b1, c5_1);
            a += 6; b += 16;
        }
        if (beta == 0)
        {
            c0_0.Store(c + 0 * ldc + 0); c0_1.Store(c + 0 * ldc + 8);
            c1_0.Store(c + 1 * ldc + 0); c1_1.Store(c + 1 * ldc + 8);
            c2_0.Store(c + 2 * ldc + 0); c2_1.Store(c + 2 * ldc + 8);
            c3_0.Store(c + 3 * ldc + 0); c3_1.Store(c + 3 * ldc + 8);
            c4_0.Store(c + 4 * ldc + 0); c4_1.Store(c + 4 * ldc + 8);
            c5_0.Store(c + 5 * ldc + 0); c5_1.Store(c + 5 * ldc + 8);
        }
        else
        {
            var bv = Vector256.Create(beta);
            Update(c + 0 * ldc + 0, c0_0, bv); Update(c + 0 * ldc + 8, c0_1, bv);
            Update(c + 1 * ldc + 0, c1_0, bv); Update(c + 1 * ldc + 8, c1_1, bv);
            Update(c + 2 * ldc + 0, c2_0, bv); Update(c + 2 * ldc + 8, c2_1, bv);
            Update(c + 3 * ldc + 0, c3_0, bv); Update(c + 3 * ldc + 8, c3_1, bv);
            Update(c + 4 * ldc + 0, c4_0, bv); Update(c + 4 * ldc + 8, c4_1, bv);
            Update(c + 5 * ldc + 0, c5_0, bv); Update(c + 5 * ldc + 8, c5_1, bv);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Update(float* c, Vector256<float> acc, Vector256<float> beta) => Vector256.MultiplyAddEstimate(beta, Vector256.Load(c), acc).Store(c);
}

/// <summary>256-bit (AVX/AVX2) double micro-kernel: 6×8 tile.</summary>
internal unsafe struct V256F64 : IMicroKernel<double>
{
    public static int MR => 6;
    public static int NR => 8;
    public static int KC => 256;
    public static int MC => 120;
    public static int NC => 512;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, double* a, double* b, double* c, int ldc, double beta)
    {
        Vector256<double> c0_0 = default; Vector256<double> c0_1 = default;
        Vector256<double> c1_0 = default; Vector256<double> c1_1 = default;
        Vector256<double> c2_0 = default; Vector256<double> c2_1 = default;
        Vector256<double> c3_0 = default; Vector256<double> c3_1 = default;
        Vector256<double> c4_0 = default; Vector256<double> c4_1 = default;
        Vector256<double> c5_0 = default; Vector256<double> c5_1 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b + 0); var b1 = Vector256.Load(b + 4);
            var a0 = Vector256.Create(a[0]); c0_0 = Vector256.MultiplyAddEstimate(a0, b0, c0_0); c0_1 = Vector256.MultiplyAddEstimate(a0, b1, c0_1);
            var a1 = Vector256.Create(a[1]); c1_0 = Vector256.MultiplyAddEstimate(a1, b0, c1_0); c1_1 = Vector256.MultiplyAddEstimate(a1, b1, c1_1);
            var a2 = Vector256.Create(a[2]); c2_0 = Vector256.MultiplyAddEstimate(a2, b0, c2_0); c2_1 = Vector256.MultiplyAddEstimate(a2, b1, c2_1);
            var a3 = Vector256.Create(a[3]); c3_0 = Vector256.MultiplyAddEstimate(a3, b0, c3_0); c3_1 = Vector256.MultiplyAddEstimate(a3, b1, c3_1);
            var a4 = Vector256.Create(a[4]); c4_0 = Vector256.MultiplyAddEstimate(a4, b0, c4_0); c4_1 = Vector256.MultiplyAddEstimate(a4, b1, c4_1);
            var a5 = Vector256.Create(a[5]); c5_0 = Vector256.MultiplyAddEstimate(a5, b0, c5_0); c5_1 = Vector256.MultiplyAddEstimate(a5, b1, c5_1);
            a += 6; b += 8;
        }
        if (beta == 0)
        {
            c0_0.Store(c + 0 * ldc + 0); c0_1.Store(c + 0 * ldc + 4);
            c1_0.Store(c + 1 * ldc + 0); c1_1.Store(c + 1 * ldc + 4);
            c2_0.Store(c + 2 * ldc + 0); c2_1.Store(c + 2 * ldc + 4);
            c3_0.Store(c + 3 * ldc + 0); c3_1.Store(c + 3 * ldc + 4);
            c4_0.Store(c + 4 * ldc + 0); c4_1.Store(c + 4 * ldc + 4);
            c5_0.Store(c + 5 * ldc + 0); c5_1.Store(c + 5 * ldc + 4);
        }
        else
        {
            var bv = Vector256.Create(beta);
            Update(c + 0 * ldc + 0, c0_0, bv); Update(c + 0 * ldc + 4, c0_1, bv);
            Update(c + 1 * ldc + 0, c1_0, bv); Update(c + 1 * ldc + 4, c1_1, bv);
            Update(c + 2 * ldc + 0, c2_0, bv); Update(c + 2 * ldc + 4, c2_1, bv);
            Update(c + 3 * ldc + 0, c3_0, bv); Update(c + 3 * ldc + 4, c3_1, bv);
            Update(c + 4 * ldc + 0, c4_0, bv); Update(c + 4 * ldc + 4, c4_1, bv);
            Update(c + 5 * ldc + 0, c5_0, bv); Update(c + 5 * ldc + 4, c5_1, bv);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Update(double* c, Vector256<double> acc, Vector256<double> beta) => Vector256.MultiplyAddEstimate(beta, Vector256.Load(c), acc).Store(c);
}

/// <summary>128-bit (NEON/SSE) float micro-kernel: 8×8 tile.</summary>
internal unsafe struct V128F32 : IMicroKernel<float>
{
    public static int MR => 8;
    public static int NR => 8;
    public static int KC => 256;
    public static int MC => 128;
    public static int NC => 1024;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, int ldc, float beta)
    {
        Vector128<float> c0_0 = default; Vector128<float> c0_1 = default;
        Vector128<float> c1_0 = default; Vector128<float> c1_1 = default;
        Vector128<float> c2_0 = default; Vector128<float> c2_1 = default;
        Vector128<float> c3_0 = default; Vector128<float> c3_1 = default;
        Vector128<float> c4_0 = default; Vector128<float> c4_1 = default;
        Vector128<float> c5_0 = default; Vector128<float> c5_1 = default;
        Vector128<float> c6_0 = default; Vector128<float> c6_1 = default;
        Vector128<float> c7_0 = default; Vector128<float> c7_1 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.Load(b + 0); var b1 = Vector128.Load(b + 4);
            var a0 = Vector128.Create(a[0]); c0_0 = Vector128.MultiplyAddEstimate(a0, b0, c0_0); c0_1 = Vector128.MultiplyAddEstimate(a0, b1, c0_1);
            var a1 = Vector128.Create(a[1]); c1_0 = Vector128.MultiplyAddEstimate(a1, b0, c1_0); c1_1 = Vector128.MultiplyAddEstimate(a1, b1, c1_1);
            var a2 = Vector128.Create(a[2]); c2_0 = Vector128.MultiplyAddEstimate(a2, b0, c2_0); c2_1 = Vector128.MultiplyAddEstimate(a2, b1, c2_1);
            var a3 = Vector128.Create(a[3]); c3_0 = Vector128.MultiplyAddEstimate(a3, b0, c3_0); c3_1 = Vector128.MultiplyAddEstimate(a3, b1, c3_1);
            var a4 = Vector128.Create(a[4]); c4_0 = Vector128.MultiplyAddEstimate(a4, b0, c4_0); c4_1 = Vector128.MultiplyAddEstimate(a4, b1, c4_1);
            var a5 = Vector128.Create(a[5]); c5_0 = Vector128.MultiplyAddEstimate(a5, b0, c5_0); c5_1 = Vector128.MultiplyAddEstimate(a5, b1, c5_1);
            var a6 = Vector128.Create(a[6]); c6_0 = Vector128.MultiplyAddEstimate(a6, b0, c6_0); c6_1 = Vector128.MultiplyAddEstimate(a6, b1, c6_1);
            var a7 = Vector128.Create(a[7]); c7_0 = Vector128.MultiplyAddEstimate(a7, b0, c7_0); c7_1 = Vector128.MultiplyAddEstimate(a7, b1, c7_1);
            a += 8; b += 8;
        }
        if (beta == 0)
        {
            c0_0.Store(c + 0 * ldc + 0); c0_1.Store(c + 0 * ldc + 4);
            c1_0.Store(c + 1 * ldc + 0); c1_1.Store(c + 1 * ldc + 4);
            c2_0.Store(c + 2 * ldc + 0); c2_1.Store(c + 2 * ldc + 4);
            c3_0.Store(c + 3 * ldc + 0); c3_1.Store(c + 3 * ldc + 4);
            c4_0.Store(c + 4 * ldc + 0); c4_1.Store(c + 4 * ldc + 4);
            c5_0.Store(c + 5 * ldc + 0); c5_1.Store(c + 5 * ldc + 4);
            c6_0.Store(c + 6 * ldc + 0); c6_1.Store(c + 6 * ldc + 4);
            c7_0.Store(c + 7 * ldc + 0); c7_1.Store(c + 7 * ldc + 4);
        }
        else
        {
            var bv = Vector128.Create(beta);
            Update(c + 0 * ldc + 0, c0_0, bv); Update(c + 0 * ldc + 4, c0_1, bv);
            Update(c + 1 * ldc + 0, c1_0, bv); Update(c + 1 * ldc + 4, c1_1, bv);
            Update(c + 2 * ldc + 0, c2_0, bv); Update(c + 2 * ldc + 4, c2_1, bv);
            Update(c + 3 * ldc + 0, c3_0, bv); Update(c + 3 * ldc + 4, c3_1, bv);
            Update(c + 4 * ldc + 0, c4_0, bv); Update(c + 4 * ldc + 4, c4_1, bv);
            Update(c + 5 * ldc + 0, c5_0, bv); Update(c + 5 * ldc + 4, c5_1, bv);
            Update(c + 6 * ldc + 0, c6_0, bv); Update(c + 6 * ldc + 4, c6_1, bv);
            Update(c + 7 * ldc + 0, c7_0, bv); Update(c + 7 * ldc + 4, c7_1, bv);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Update(float* c, Vector128<float> acc, Vector128<float> beta) => Vector128.MultiplyAddEstimate(beta, Vector128.Load(c), acc).Store(c);
}

/// <summary>128-bit (NEON/SSE) double micro-kernel: 8×4 tile.</summary>
internal unsafe struct V128F64 : IMicroKernel<double>
{
    public static int MR => 8;
    public static int NR => 4;
    public static int KC => 256;
    public static int MC => 128;
    public static int NC => 512;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, double* a, double* b, double* c, int ldc, double beta)
    {
        Vector128<double> c0_0 = default; Vector128<double> c0_1 = default;
        Vector128<double> c1_0 = default; Vector128<double> c1_1 = default;
        Vector128<double> c2_0 = default; Vector128<double> c2_1 = default;
        Vector128<double> c3_0 = default; Vector128<double> c3_1 = default;
        Vector128<double> c4_0 = default; Vector128<double> c4_1 = default;
        Vector128<double> c5_0 = default; Vector128<double> c5_1 = default;
        Vector128<double> c6_0 = default; Vector128<double> c6_1 = default;
        Vector128<double> c7_0 = default; Vector128<double> c7_1 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.Load(b + 0); var b1 = Vector128.Load(b + 2);
            var a0 = Vector128.Create(a[0]); c0_0 = Vector128.MultiplyAddEstimate(a0, b0, c0_0); c0_1 = Vector128.MultiplyAddEstimate(a0, b1, c0_1);
            var a1 = Vector128.Create(a[1]); c1_0 = Vector128.MultiplyAddEstimate(a1, b0, c1_0); c1_1 = Vector128.MultiplyAddEstimate(a1, b1, c1_1);
            var a2 = Vector128.Create(a[2]); c2_0 = Vector128.MultiplyAddEstimate(a2, b0, c2_0); c2_1 = Vector128.MultiplyAddEstimate(a2, b1, c2_1);
            var a3 = Vector128.Create(a[3]); c3_0 = Vector128.MultiplyAddEstimate(a3, b0, c3_0); c3_1 = Vector128.MultiplyAddEstimate(a3, b1, c3_1);
            var a4 = Vector128.Create(a[4]); c4_0 = Vector128.MultiplyAddEstimate(a4, b0, c4_0); c4_1 = Vector128.MultiplyAddEstimate(a4, b1, c4_1);
            var a5 = Vector128.Create(a[5]); c5_0 = Vector128.MultiplyAddEstimate(a5, b0, c5_0); c5_1 = Vector128.MultiplyAddEstimate(a5, b1, c5_1);
            var a6 = Vector128.Create(a[6]); c6_0 = Vector128.MultiplyAddEstimate(a6, b0, c6_0); c6_1 = Vector128.MultiplyAddEstimate(a6, b1, c6_1);
            var a7 = Vector128.Create(a[7]); c7_0 = Vector128.MultiplyAddEstimate(a7, b0, c7_0); c7_1 = Vector128.MultiplyAddEstimate(a7, b1, c7_1);
            a += 8; b += 4;
        }
        if (beta == 0)
        {
            c0_0.Store(c + 0 * ldc + 0); c0_1.Store(c + 0 * ldc + 2);
            c1_0.Store(c + 1 * ldc + 0); c1_1.Store(c + 1 * ldc + 2);
            c2_0.Store(c + 2 * ldc + 0); c2_1.Store(c + 2 * ldc + 2);
            c3_0.Store(c + 3 * ldc + 0); c3_1.Store(c + 3 * ldc + 2);
            c4_0.Store(c + 4 * ldc + 0); c4_1.Store(c + 4 * ldc + 2);
            c5_0.Store(c + 5 * ldc + 0); c5_1.Store(c + 5 * ldc + 2);
            c6_0.Store(c + 6 * ldc + 0); c6_1.Store(c + 6 * ldc + 2);
            c7_0.Store(c + 7 * ldc + 0); c7_1.Store(c + 7 * ldc + 2);
        }
        else
        {
            var bv = Vector128.Create(beta);
            Update(c + 0 * ldc + 0, c0_0, bv); Update(c + 0 * ldc + 2, c0_1, bv);
            Update(c + 1 * ldc + 0, c1_0, bv); Update(c + 1 * ldc + 2, c1_1, bv);
            Update(c + 2 * ldc + 0, c2_0, bv); Update(c + 2 * ldc + 2, c2_1, bv);
            Update(c + 3 * ldc + 0, c3_0, bv); Update(c + 3 * ldc + 2, c3_1, bv);
            Update(c + 4 * ldc + 0, c4_0, bv); Update(c + 4 * ldc + 2, c4_1, bv);
            Update(c + 5 * ldc + 0, c5_0, bv); Update(c + 5 * ldc + 2, c5_1, bv);
            Update(c + 6 * ldc + 0, c6_0, bv); Update(c + 6 * ldc + 2, c6_1, bv);
            Update(c + 7 * ldc + 0, c7_0, bv); Update(c + 7 * ldc + 2, c7_1, bv);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Update(double* c, Vector128<double> acc, Vector128<double> beta) => Vector128.MultiplyAddEstimate(beta, Vector128.Load(c), acc).Store(c);
}

/// <summary>Portable fallback micro-kernel (no usable SIMD): 4×4 tile.</summary>
internal unsafe struct ScalarKernel<T> : IMicroKernel<T> where T : unmanaged, INumber<T>
{
    public static int MR => 4;
    public static int NR => 4;
    public static int KC => 256;
    public static int MC => 64;
    public static int NC => 512;

    public static void Run(int kc, T* a, T* b, T* c, int ldc, T beta)
    {
        T* acc = stackalloc T[16];
        for (int i = 0; i < 16; i++) acc[i] = T.Zero;
        for (int p = 0; p < kc; p++, a += 4, b += 4)
            for (int i = 0; i < 4; i++)
            {
                T ai = a[i];
                acc[i * 4] += ai * b[0]; acc[i * 4 + 1] += ai * b[1]; acc[i * 4 + 2] += ai * b[2]; acc[i * 4 + 3] += ai * b[3];
            }
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
            {
                ref T cij = ref c[i * ldc + j];
                cij = T.IsZero(beta) ? acc[i * 4 + j] : beta == T.One ? cij + acc[i * 4 + j] : beta * cij + acc[i * 4 + j];
            }
    }
}
