using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Torchlet.Kernels;

/// <summary>
/// ATen's normal_fill. Its float32 follows the AVX2 kernel PyTorch's x86 builds dispatch to (normal_fill_16_AVX2 with
/// avx_mathfun's log256_ps / sincos256_ps, including the multiply-adds GCC fuses there), so results match bit for bit;
/// it runs 8-wide with AVX2+FMA and falls back to a scalar transcription that gives the same bits. It stays an x86
/// transcription on purpose: its bits are PyTorch's, which no lane-generic rewrite would keep.
/// </summary>
internal static partial class RandomKernels
{
    /// <summary>
    /// ATen's normal_fill on a contiguous buffer of at least 16: all uniforms first (24-bit for float, 53-bit for double),
    /// Box–Muller in blocks of 16 (u1 from the first 8, u2 from the next 8), the tail redone on the last 16 with fresh draws.
    /// </summary>
    static void NormalFill<T>(Span<T> d, T mean, T std, torch.Generator g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = d.Length;
        if (typeof(T) == typeof(float)) g.UniformFloats(MemoryMarshal.Cast<T, float>(d), 0, 1);
        else g.UniformDoubles(MemoryMarshal.Cast<T, double>(d), 0, 1);
        TransformBlocks(d[..(n / 16 * 16)], mean, std);
        if (n % 16 != 0)
        {
            var tail = d[(n - 16)..];
            for (int i = 0; i < 16; i++) tail[i] = typeof(T) == typeof(float) ? T.CreateTruncating(g.Uniform24()) : T.CreateTruncating(g.Uniform53());
            Transform16(tail, mean, std);
        }
    }

    static unsafe void TransformBlocks<T>(Span<T> d, T mean, T std) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int blocks = d.Length / 16;
        // Cost per block: double's libm log/sin/cos weigh more than float's 8-wide transcription.
        int grain = typeof(T) == typeof(float) ? 400 : 1500;
        fixed (T* p = d)
        {
            var ptr = (nint)p;
            // Pure per-block math: splitting it over threads cannot change any value.
            Threading.For(blocks, grain, (b0, b1) =>
            {
                var span = new Span<T>((T*)ptr + b0 * 16, (b1 - b0) * 16);
                for (int b = 0; b < b1 - b0; b++) Transform16(span.Slice(b * 16, 16), mean, std);
            });
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transform16<T>(Span<T> d, T mean, T std) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) Transform16(MemoryMarshal.Cast<T, float>(d), Unsafe.BitCast<T, float>(mean), Unsafe.BitCast<T, float>(std));
        else Transform16(MemoryMarshal.Cast<T, double>(d), Unsafe.BitCast<T, double>(mean), Unsafe.BitCast<T, double>(std));
    }

    // PyTorch takes this path on CPUs with AVX2 and FMA; a width forced below 256 (TORCHLET_VECTOR_WIDTH) stands for a CPU without them.
    internal static bool UseVector => Simd.Width >= 256 && Avx2.IsSupported && Fma.IsSupported;

    internal static void Transform16(Span<float> d, float mean, float std)
    {
        if (UseVector) Transform16Vector(d, mean, std);
        else Transform16Scalar(d, mean, std);
    }

    // avx_mathfun constants: C double literals converted to float.
    static readonly float MinNormPos = BitConverter.Int32BitsToSingle(0x00800000); // FLT_MIN
    const float SqrtHF = (float)0.707106781186547524;
    const float LogP0 = (float)7.0376836292E-2, LogP1 = (float)-1.1514610310E-1, LogP2 = (float)1.1676998740E-1;
    const float LogP3 = (float)-1.2420140846E-1, LogP4 = (float)1.4249322787E-1, LogP5 = (float)-1.6668057665E-1;
    const float LogP6 = (float)2.0000714765E-1, LogP7 = (float)-2.4999993993E-1, LogP8 = (float)3.3333331174E-1;
    const float LogQ1 = (float)-2.12194440e-4, LogQ2 = (float)0.693359375;
    const float DP1 = (float)-0.78515625, DP2 = (float)-2.4187564849853515625e-4, DP3 = (float)-3.77489497744594108e-8;
    const float SinP0 = (float)-1.9515295891E-4, SinP1 = (float)8.3321608736E-3, SinP2 = (float)-1.6666654611E-1;
    const float CosP0 = (float)2.443315711809948E-005, CosP1 = (float)-1.388731625493765E-003, CosP2 = (float)4.166664568298827E-002;
    const float FOPI = (float)1.27323954473516;
    const float TwoPi = (float)(2.0 * Math.PI);

    internal static void Transform16Scalar(Span<float> d, float mean, float std)
    {
        for (int j = 0; j < 8; j++)
        {
            float u1 = 1f - d[j], u2 = d[j + 8];
            float radius = MathF.Sqrt(-2f * Log(u1));
            float theta = TwoPi * u2;
            SinCos(theta, out float s, out float c);
            d[j] = MathF.FusedMultiplyAdd(radius * c, std, mean);
            d[j + 8] = MathF.FusedMultiplyAdd(radius * s, std, mean);
        }
    }

    static float Log(float x)
    {
        bool invalid = x <= 0f;
        x = x > MinNormPos ? x : MinNormPos;
        uint bits = BitConverter.SingleToUInt32Bits(x);
        int imm0 = (int)(bits >> 23) - 0x7f;
        x = BitConverter.UInt32BitsToSingle((bits & ~0x7f800000u) | 0x3f000000u);
        float e = imm0;
        e += 1f;
        bool mask = x < SqrtHF;
        float tmp = mask ? x : 0f;
        x -= 1f;
        e -= mask ? 1f : 0f;
        x += tmp;
        float z = x * x;
        float y = MathF.FusedMultiplyAdd(LogP0, x, LogP1);
        y = MathF.FusedMultiplyAdd(y, x, LogP2);
        y = MathF.FusedMultiplyAdd(y, x, LogP3);
        y = MathF.FusedMultiplyAdd(y, x, LogP4);
        y = MathF.FusedMultiplyAdd(y, x, LogP5);
        y = MathF.FusedMultiplyAdd(y, x, LogP6);
        y = MathF.FusedMultiplyAdd(y, x, LogP7);
        y = MathF.FusedMultiplyAdd(y, x, LogP8);
        y *= x;
        y = MathF.FusedMultiplyAdd(y, z, e * LogQ1);
        y = MathF.FusedMultiplyAdd(-z, 0.5f, y);
        x += y;
        x = MathF.FusedMultiplyAdd(e, LogQ2, x);
        return invalid ? float.NaN : x;
    }

    static void SinCos(float xin, out float sin, out float cos)
    {
        uint signSin = BitConverter.SingleToUInt32Bits(xin) & 0x80000000u;
        float x = MathF.Abs(xin);
        int j = (int)(x * FOPI);
        j = (j + 1) & ~1;
        float y = j;
        uint swapSin = (uint)(j & 4) << 29;
        bool polyMask = (j & 2) == 0;
        x = MathF.FusedMultiplyAdd(y, DP1, x);
        x = MathF.FusedMultiplyAdd(y, DP2, x);
        x = MathF.FusedMultiplyAdd(y, DP3, x);
        uint signCos = (uint)(~(j - 2) & 4) << 29;
        signSin ^= swapSin;
        float z = x * x;
        float yc = MathF.FusedMultiplyAdd(CosP0, z, CosP1);
        yc = MathF.FusedMultiplyAdd(yc, z, CosP2);
        yc *= z;
        yc = MathF.FusedMultiplyAdd(yc, z, -(z * 0.5f));
        yc += 1f;
        float ys = MathF.FusedMultiplyAdd(SinP0, z, SinP1);
        ys = MathF.FusedMultiplyAdd(ys, z, SinP2);
        ys *= z;
        ys = MathF.FusedMultiplyAdd(ys, x, x);
        // The masked selects of the vector code, kept op for op so signed zeros come out the same.
        float ysin2 = polyMask ? ys : 0f;
        float ysin1 = polyMask ? 0f : yc;
        ys -= ysin2;
        yc -= ysin1;
        float s = ysin1 + ysin2, c = yc + ys;
        sin = BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(s) ^ signSin);
        cos = BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(c) ^ signCos);
    }

    internal static void Transform16Vector(Span<float> d, float mean, float std)
    {
        ref float r0 = ref MemoryMarshal.GetReference(d);
        var one = Vector256.Create(1f);
        var u1 = Avx.Subtract(one, Vector256.LoadUnsafe(ref r0));
        var u2 = Vector256.LoadUnsafe(ref r0, 8);
        var radius = Avx.Sqrt(Avx.Multiply(Vector256.Create(-2f), LogV(u1)));
        var theta = Avx.Multiply(Vector256.Create(TwoPi), u2);
        SinCosV(theta, out var s, out var c);
        var vm = Vector256.Create(mean);
        var vs = Vector256.Create(std);
        Fma.MultiplyAdd(Avx.Multiply(radius, c), vs, vm).StoreUnsafe(ref r0);
        Fma.MultiplyAdd(Avx.Multiply(radius, s), vs, vm).StoreUnsafe(ref r0, 8);
    }

    static Vector256<float> LogV(Vector256<float> x)
    {
        var one = Vector256.Create(1f);
        var invalid = Avx.Compare(x, Vector256<float>.Zero, FloatComparisonMode.OrderedLessThanOrEqualSignaling);
        x = Avx.Max(x, Vector256.Create(MinNormPos));
        var imm0 = Avx2.ShiftRightLogical(x.AsInt32(), 23);
        x = Avx.And(x, Vector256.Create(~0x7f800000).AsSingle());
        x = Avx.Or(x, Vector256.Create(0.5f));
        imm0 = Avx2.Subtract(imm0, Vector256.Create(0x7f));
        var e = Avx.ConvertToVector256Single(imm0);
        e = Avx.Add(e, one);
        var mask = Avx.Compare(x, Vector256.Create(SqrtHF), FloatComparisonMode.OrderedLessThanSignaling);
        var tmp = Avx.And(x, mask);
        x = Avx.Subtract(x, one);
        e = Avx.Subtract(e, Avx.And(one, mask));
        x = Avx.Add(x, tmp);
        var z = Avx.Multiply(x, x);
        var y = Fma.MultiplyAdd(Vector256.Create(LogP0), x, Vector256.Create(LogP1));
        y = Fma.MultiplyAdd(y, x, Vector256.Create(LogP2));
        y = Fma.MultiplyAdd(y, x, Vector256.Create(LogP3));
        y = Fma.MultiplyAdd(y, x, Vector256.Create(LogP4));
        y = Fma.MultiplyAdd(y, x, Vector256.Create(LogP5));
        y = Fma.MultiplyAdd(y, x, Vector256.Create(LogP6));
        y = Fma.MultiplyAdd(y, x, Vector256.Create(LogP7));
        y = Fma.MultiplyAdd(y, x, Vector256.Create(LogP8));
        y = Avx.Multiply(y, x);
        y = Fma.MultiplyAdd(y, z, Avx.Multiply(e, Vector256.Create(LogQ1)));
        y = Fma.MultiplyAddNegated(z, Vector256.Create(0.5f), y);
        x = Avx.Add(x, y);
        x = Fma.MultiplyAdd(e, Vector256.Create(LogQ2), x);
        return Avx.Or(x, invalid);
    }

    static void SinCosV(Vector256<float> x, out Vector256<float> sin, out Vector256<float> cos)
    {
        var signSin = Avx.And(x, Vector256.Create(unchecked((int)0x80000000)).AsSingle());
        x = Avx.And(x, Vector256.Create(0x7fffffff).AsSingle());
        var y = Avx.Multiply(x, Vector256.Create(FOPI));
        var imm2 = Avx.ConvertToVector256Int32WithTruncation(y);
        imm2 = Avx2.Add(imm2, Vector256.Create(1));
        imm2 = Avx2.And(imm2, Vector256.Create(~1));
        y = Avx.ConvertToVector256Single(imm2);
        var imm4 = imm2;
        var imm0 = Avx2.ShiftLeftLogical(Avx2.And(imm2, Vector256.Create(4)), 29);
        imm2 = Avx2.CompareEqual(Avx2.And(imm2, Vector256.Create(2)), Vector256<int>.Zero);
        var swapSin = imm0.AsSingle();
        var polyMask = imm2.AsSingle();
        x = Fma.MultiplyAdd(y, Vector256.Create(DP1), x);
        x = Fma.MultiplyAdd(y, Vector256.Create(DP2), x);
        x = Fma.MultiplyAdd(y, Vector256.Create(DP3), x);
        imm4 = Avx2.Subtract(imm4, Vector256.Create(2));
        imm4 = Avx2.AndNot(imm4, Vector256.Create(4));
        imm4 = Avx2.ShiftLeftLogical(imm4, 29);
        var signCos = imm4.AsSingle();
        signSin = Avx.Xor(signSin, swapSin);
        var z = Avx.Multiply(x, x);
        var yc = Fma.MultiplyAdd(Vector256.Create(CosP0), z, Vector256.Create(CosP1));
        yc = Fma.MultiplyAdd(yc, z, Vector256.Create(CosP2));
        yc = Avx.Multiply(yc, z);
        yc = Fma.MultiplySubtract(yc, z, Avx.Multiply(z, Vector256.Create(0.5f)));
        yc = Avx.Add(yc, Vector256.Create(1f));
        var ys = Fma.MultiplyAdd(Vector256.Create(SinP0), z, Vector256.Create(SinP1));
        ys = Fma.MultiplyAdd(ys, z, Vector256.Create(SinP2));
        ys = Avx.Multiply(ys, z);
        ys = Fma.MultiplyAdd(ys, x, x);
        var ysin2 = Avx.And(polyMask, ys);
        var ysin1 = Avx.AndNot(polyMask, yc);
        ys = Avx.Subtract(ys, ysin2);
        yc = Avx.Subtract(yc, ysin1);
        sin = Avx.Xor(Avx.Add(ysin1, ysin2), signSin);
        cos = Avx.Xor(Avx.Add(yc, ys), signCos);
    }

    /// <summary>normal_fill&lt;double&gt;'s block: the scalar kernel, with the final multiply-add fused as GCC compiles it.</summary>
    static void Transform16(Span<double> d, double mean, double std)
    {
        for (int j = 0; j < 8; j++)
        {
            double u1 = 1 - d[j], u2 = d[j + 8];
            double radius = Math.Sqrt(-2 * Math.Log(u1));
            double theta = 2.0 * Math.PI * u2;
            d[j] = Math.FusedMultiplyAdd(radius * Math.Cos(theta), std, mean);
            d[j + 8] = Math.FusedMultiplyAdd(radius * Math.Sin(theta), std, mean);
        }
    }
}
