using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Torchlet.Kernels;

/// <summary>
/// A floating elementwise function d = f(x), written once for float and double: TensorPrimitives'
/// operator structs (Vector512/256/128 and scalar paths) where their accuracy matches PyTorch's, the
/// corrections of <see cref="AccurateMath"/> where it does not.
/// </summary>
internal interface IFloatMap
{
    static abstract void Run<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>;
}

internal struct ExpMap : IFloatMap { public static void Run<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Exp(x, d); }
internal struct LogMap : IFloatMap { public static void Run<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Log(x, d); }
internal struct Log2Map : IFloatMap { public static void Run<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Log2(x, d); }
internal struct Log10Map : IFloatMap { public static void Run<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Log10(x, d); }
internal struct SqrtMap : IFloatMap { public static void Run<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sqrt(x, d); }
internal struct ReciprocalMap : IFloatMap { public static void Run<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Reciprocal(x, d); }
internal struct SinMap : IFloatMap { public static void Run<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sin(x, d); }
internal struct CosMap : IFloatMap { public static void Run<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Cos(x, d); }
internal struct TanMap : IFloatMap { public static void Run<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Tan(x, d); }
internal struct CoshMap : IFloatMap { public static void Run<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Cosh(x, d); }
internal struct SigmoidMap : IFloatMap { public static void Run<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sigmoid(x, d); }
internal struct FloorMap : IFloatMap { public static void Run<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Floor(x, d); }
internal struct CeilMap : IFloatMap { public static void Run<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Ceiling(x, d); }
internal struct TruncMap : IFloatMap { public static void Run<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Truncate(x, d); }
/// <summary>Half to even, as torch.round.</summary>
internal struct RoundMap : IFloatMap { public static void Run<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Round(x, d); }

internal struct RsqrtMap : IFloatMap
{
    public static void Run<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Sqrt(x, d);
        TensorPrimitives.Reciprocal<T>(d, d);
    }
}

internal struct TanhMap : IFloatMap { public static void Run<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => AccurateMath.Tanh(x, d); }
internal struct SinhMap : IFloatMap { public static void Run<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => AccurateMath.Sinh(x, d); }

// log(1 + x) and exp(x) − 1 lose all digits for small x: these keep them (as std::log1p/expm1 do), in double.
internal struct Log1pMap : IFloatMap
{
    public static void Run<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = T.CreateTruncating(AccurateMath.Log1p(double.CreateTruncating(x[i])));
    }
}

internal struct Expm1Map : IFloatMap
{
    public static void Run<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = T.CreateTruncating(AccurateMath.Expm1(double.CreateTruncating(x[i])));
    }
}

internal enum SameMap { Abs, Sign, Relu }

internal static class UnaryKernels
{
    /// <summary>abs / sign / relu over n contiguous elements, in their own numeric dtype.</summary>
    public static void MapSame(ScalarType dtype, Array x, int offset, Array d, int n, SameMap op)
    {
        // sign and relu of false/true are themselves (abs refuses bool before getting here, as PyTorch does).
        if (dtype == ScalarType.Bool)
        {
            Array.Copy(x, offset, d, 0, n);
            return;
        }
        var action = new SameAction(x, offset, d, n, op);
        Dispatch.Numeric(dtype, ref action, op switch { SameMap.Abs => "abs", SameMap.Sign => "sign", _ => "relu" });
    }

    readonly struct SameAction(Array x, int offset, Array d, int n, SameMap op) : INumericAction
    {
        public void Run<T>() where T : unmanaged, INumber<T>
        {
            ReadOnlySpan<T> s = ((T[])x).AsSpan(offset, n);
            Span<T> r = ((T[])d).AsSpan(0, n);
            bool floating = typeof(T) == typeof(float) || typeof(T) == typeof(double);
            switch (op)
            {
                case SameMap.Abs:
                    if (floating) TensorPrimitives.Abs(s, r);
                    else for (int i = 0; i < n; i++) r[i] = s[i] < T.Zero ? T.Zero - s[i] : s[i];
                    break;
                case SameMap.Sign:
                    // NaN and ±0 give 0, as torch.sign does.
                    for (int i = 0; i < n; i++) r[i] = s[i] > T.Zero ? T.One : s[i] < T.Zero ? T.Zero - T.One : T.Zero;
                    break;
                default:
                    if (floating) TensorPrimitives.Max(s, T.Zero, r);
                    else for (int i = 0; i < n; i++) r[i] = s[i] > T.Zero ? s[i] : T.Zero;
                    break;
            }
        }
    }

    /// <summary>d = f(x) over n contiguous elements of a float32 or float64 buffer, split over threads by <see cref="Threading"/>'s rule.</summary>
    public static void Map<TFn>(ScalarType dtype, Array x, int offset, Array d, int n, string op) where TFn : IFloatMap
    {
        // TensorPrimitives refuses empty spans in some functions (Sigmoid); an empty input has an empty result.
        if (n == 0) return;
        var action = new MapAction<TFn>(x, offset, d, n);
        Dispatch.Floating(dtype, ref action, op);
    }

    readonly struct MapAction<TFn>(Array x, int offset, Array d, int n) : IFloatingAction where TFn : IFloatMap
    {
        // About 8 flops an element (exp, sin, …): parallel from 8K elements.
        const long Cost = 8;

        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (Threading.Serial(n, Cost)) TFn.Run<T>(((T[])x).AsSpan(offset, n), ((T[])d).AsSpan(0, n));
            else Split((T[])x, offset, (T[])d, n);
        }

        // Apart, so that small maps allocate no closure.
        static void Split<T>(T[] src, int off, T[] dst, int n) where T : unmanaged, IFloatingPointIeee754<T> =>
            Threading.For(n, Cost, (s, e) => TFn.Run<T>(src.AsSpan(off + s, e - s), dst.AsSpan(s, e - s)));
    }
}

/// <summary>
/// Unary functions where TensorPrimitives loses accuracy: its sinh and tanh subtract two
/// exponentials, so near 0 they return noise of order 1e-8 (float) instead of x (tanh(1e-10f)
/// even comes out negative). Below |x| = 0.5 these use series in double; elsewhere the SIMD results stand.
/// </summary>
internal static class AccurateMath
{
    const double Small = 0.5;

    /// <summary>sinh for |x| &lt; 0.5: x·Σ x^2k/(2k+1)!, 9 terms (exact to double rounding).</summary>
    static double SinhSmall(double x)
    {
        double z = x * x;
        return x * (1 + z / 6 * (1 + z / 20 * (1 + z / 42 * (1 + z / 72 * (1 + z / 110 * (1 + z / 156 * (1 + z / 210 * (1 + z / 272))))))));
    }

    static double CoshSmall(double x)
    {
        double z = x * x;
        return 1 + z / 2 * (1 + z / 12 * (1 + z / 30 * (1 + z / 56 * (1 + z / 90 * (1 + z / 132 * (1 + z / 182 * (1 + z / 240)))))));
    }

    public static void Sinh<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Sinh(x, d);
        for (int i = 0; i < d.Length; i++)
        {
            double v = double.CreateTruncating(x[i]);
            if (Math.Abs(v) < Small) d[i] = T.CreateTruncating(SinhSmall(v));
        }
    }

    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Tanh(x, d);
        for (int i = 0; i < d.Length; i++)
        {
            double v = double.CreateTruncating(x[i]);
            if (Math.Abs(v) < Small) d[i] = T.CreateTruncating(SinhSmall(v) / CoshSmall(v));
        }
    }

    /// <summary>log(1 + x), accurate for small x (the rounding error of 1 + x is divided back out).</summary>
    public static double Log1p(double x)
    {
        double u = 1.0 + x;
        if (u == 1.0 || double.IsPositiveInfinity(u)) return u == 1.0 ? x : u;
        return Math.Log(u) * x / (u - 1.0);
    }

    /// <summary>exp(x) − 1, accurate for small x (Kahan's correction).</summary>
    public static double Expm1(double x)
    {
        double u = Math.Exp(x);
        if (u == 1.0) return x;
        double um1 = u - 1.0;
        if (um1 == -1.0 || double.IsPositiveInfinity(u)) return um1;
        return um1 * x / Math.Log(u);
    }
}
