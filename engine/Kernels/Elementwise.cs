using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Torchlet.Kernels;

/// <summary>
/// A binary elementwise operator in the style of System.Numerics.Tensors' operator structs:
/// whole-span forms go to TensorPrimitives (SIMD), <see cref="Scalar"/> is the fallback for
/// strided rows. T is one of float, double, long, int, byte.
/// </summary>
internal interface IBinaryOp
{
    static abstract T Scalar<T>(T a, T b) where T : unmanaged, INumber<T>;
    static abstract void Span<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T>;
    static abstract void SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, INumber<T>;
    static abstract void ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T>;
}

internal interface IUnaryOp
{
    static abstract void Span<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, INumber<T>;
}

/// <summary>Elementwise comparisons producing bool.</summary>
internal interface ICompareOp
{
    static abstract bool Scalar<T>(T a, T b) where T : unmanaged, INumber<T>;
}

internal struct AddOp : IBinaryOp
{
    public static T Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => a + b;
    public static void Span<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Add(a, b, d);
    public static void SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Add(a, b, d);
    public static void ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Add(b, a, d);
}

internal struct SubOp : IBinaryOp
{
    public static T Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => a - b;
    public static void Span<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Subtract(a, b, d);
    public static void SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Subtract(a, b, d);
    public static void ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Subtract(a, b, d);
}

internal struct MulOp : IBinaryOp
{
    public static T Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => a * b;
    public static void Span<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Multiply(a, b, d);
    public static void SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Multiply(a, b, d);
    public static void ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Multiply(b, a, d);
}

/// <summary>True division; only used on floating types (integers are promoted first, as in PyTorch).</summary>
internal struct DivOp : IBinaryOp
{
    public static T Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => a / b;
    public static void Span<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Divide(a, b, d);
    public static void SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Divide(a, b, d);
    public static void ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Divide(a, b, d);
}

/// <summary>Python's % (torch.remainder): the result has the sign of the divisor.</summary>
internal struct RemainderOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Scalar<T>(T a, T b) where T : unmanaged, INumber<T>
    {
        if (!T.IsZero(b) || typeof(T) == typeof(float) || typeof(T) == typeof(double))
        {
            var r = a % b;
            if (!T.IsZero(r) && (T.IsNegative(r) != T.IsNegative(b))) r += b;
            return r;
        }
        throw new DivideByZeroException("ZeroDivisionError: integer remainder by zero");
    }
    public static void Span<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> { for (int i = 0; i < d.Length; i++) d[i] = Scalar(a[i], b[i]); }
    public static void SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, INumber<T> { for (int i = 0; i < d.Length; i++) d[i] = Scalar(a[i], b); }
    public static void ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> { for (int i = 0; i < d.Length; i++) d[i] = Scalar(a, b[i]); }
}

/// <summary>torch.maximum / torch.minimum (NaN propagates, as TensorPrimitives.Max does).</summary>
internal struct MaximumOp : IBinaryOp
{
    public static T Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => T.Max(a, b);
    public static void Span<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Max(a, b, d);
    public static void SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Max(a, b, d);
    public static void ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Max(b, a, d);
}

internal struct MinimumOp : IBinaryOp
{
    public static T Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => T.Min(a, b);
    public static void Span<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Min(a, b, d);
    public static void SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Min(a, b, d);
    public static void ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Min(b, a, d);
}

/// <summary>a ** b. Floating types use TensorPrimitives.Pow; integers use exact repeated squaring.</summary>
internal struct PowOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Scalar<T>(T a, T b) where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(float)) { float r = MathF.Pow(Unsafe.As<T, float>(ref a), Unsafe.As<T, float>(ref b)); return Unsafe.As<float, T>(ref r); }
        if (typeof(T) == typeof(double)) { double r = Math.Pow(Unsafe.As<T, double>(ref a), Unsafe.As<T, double>(ref b)); return Unsafe.As<double, T>(ref r); }
        if (T.IsNegative(b))
        {
            if (a == T.One) return T.One;
            if (a == -T.One) return long.CreateTruncating(b) % 2 == 0 ? T.One : -T.One;
            throw new ArgumentException("Integers to negative integer powers are not allowed.");
        }
        T result = T.One, x = a;
        long e = long.CreateTruncating(b);
        while (e > 0) { if ((e & 1) != 0) result *= x; x *= x; e >>= 1; }
        return result;
    }
    public static void Span<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(float)) TensorPrimitives.Pow(MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(b), MemoryMarshal.Cast<T, float>(d));
        else if (typeof(T) == typeof(double)) TensorPrimitives.Pow(MemoryMarshal.Cast<T, double>(a), MemoryMarshal.Cast<T, double>(b), MemoryMarshal.Cast<T, double>(d));
        else for (int i = 0; i < d.Length; i++) d[i] = Scalar(a[i], b[i]);
    }
    public static void SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, INumber<T>
    {
        // Common exponents are exact products: x**2 must equal x*x bit for bit, as in PyTorch.
        if (b == T.One + T.One) { TensorPrimitives.Multiply(a, a, d); return; }
        if (b == T.One) { a.CopyTo(d); return; }
        if (typeof(T) == typeof(float)) TensorPrimitives.Pow(MemoryMarshal.Cast<T, float>(a), Unsafe.As<T, float>(ref b), MemoryMarshal.Cast<T, float>(d));
        else if (typeof(T) == typeof(double)) TensorPrimitives.Pow(MemoryMarshal.Cast<T, double>(a), Unsafe.As<T, double>(ref b), MemoryMarshal.Cast<T, double>(d));
        else for (int i = 0; i < d.Length; i++) d[i] = Scalar(a[i], b);
    }
    public static void ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = Scalar(a, b[i]);
    }
}

internal struct EqOp : ICompareOp { public static bool Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => a == b; }
internal struct NeOp : ICompareOp { public static bool Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => a != b; }
internal struct LtOp : ICompareOp { public static bool Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => a < b; }
internal struct LeOp : ICompareOp { public static bool Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => a <= b; }
internal struct GtOp : ICompareOp { public static bool Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => a > b; }
internal struct GeOp : ICompareOp { public static bool Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => a >= b; }

/// <summary>Strided N-d loops for elementwise operators.</summary>
internal static class Elementwise
{
    /// <summary>
    /// d = op(a, b) where a and b are already viewed at the output shape (broadcast dims have
    /// stride 0) and d is contiguous. Rows whose inner stride is 1 or 0 go to the span kernels.
    /// </summary>
    public static void Binary<T, TOp>(T[] a, int aOff, int[] aStr, T[] b, int bOff, int[] bStr, Span<T> d, int[] shape)
        where T : unmanaged, INumber<T> where TOp : IBinaryOp
    {
        if (d.Length == 0) return;
        var sh = (int[])shape.Clone(); var sa = (int[])aStr.Clone(); var sb = (int[])bStr.Clone();
        int nd = Strided.Coalesce(sh, sa, sb);
        if (nd == 0) { d[0] = TOp.Scalar(a[aOff], b[bOff]); return; }
        int inner = sh[nd - 1], ia = sa[nd - 1], ib = sb[nd - 1];
        int rows = d.Length / inner;
        Span<int> idx = stackalloc int[nd];
        int oa = aOff, ob = bOff, od = 0;
        for (int r = 0; r < rows; r++)
        {
            var dr = d.Slice(od, inner);
            if (ia == 1 && ib == 1) TOp.Span<T>(a.AsSpan(oa, inner), b.AsSpan(ob, inner), dr);
            else if (ia == 1 && ib == 0) TOp.SpanScalar<T>(a.AsSpan(oa, inner), b[ob], dr);
            else if (ia == 0 && ib == 1) TOp.ScalarSpan<T>(a[oa], b.AsSpan(ob, inner), dr);
            else for (int i = 0, pa = oa, pb = ob; i < inner; i++, pa += ia, pb += ib) dr[i] = TOp.Scalar(a[pa], b[pb]);
            od += inner;
            for (int k = nd - 2; k >= 0; k--)
            {
                oa += sa[k]; ob += sb[k];
                if (++idx[k] < sh[k]) break;
                oa -= sa[k] * sh[k]; ob -= sb[k] * sh[k];
                idx[k] = 0;
            }
        }
    }

    public static void Compare<T, TOp>(T[] a, int aOff, int[] aStr, T[] b, int bOff, int[] bStr, Span<bool> d, int[] shape)
        where T : unmanaged, INumber<T> where TOp : ICompareOp
    {
        if (d.Length == 0) return;
        var sh = (int[])shape.Clone(); var sa = (int[])aStr.Clone(); var sb = (int[])bStr.Clone();
        int nd = Strided.Coalesce(sh, sa, sb);
        if (nd == 0) { d[0] = TOp.Scalar(a[aOff], b[bOff]); return; }
        int inner = sh[nd - 1], ia = sa[nd - 1], ib = sb[nd - 1];
        int rows = d.Length / inner;
        Span<int> idx = stackalloc int[nd];
        int oa = aOff, ob = bOff, od = 0;
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0, pa = oa, pb = ob; i < inner; i++, pa += ia, pb += ib) d[od + i] = TOp.Scalar(a[pa], b[pb]);
            od += inner;
            for (int k = nd - 2; k >= 0; k--)
            {
                oa += sa[k]; ob += sb[k];
                if (++idx[k] < sh[k]) break;
                oa -= sa[k] * sh[k]; ob -= sb[k] * sh[k];
                idx[k] = 0;
            }
        }
    }
}
