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

/// <summary>
/// Integer division rounded toward −∞ (torch.div(..., rounding_mode="floor") on integers); torchvision's
/// dtype conversion divides by it, exactly, where a float quotient would round large int64 values.
/// </summary>
internal struct FloorDivideOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Scalar<T>(T a, T b) where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(float) || typeof(T) == typeof(double)) throw new NotSupportedException("floor division is implemented for integer dtypes only");
        if (T.IsZero(b)) throw new DivideByZeroException("ZeroDivisionError: integer division by zero");
        if (T.IsNegative(b) && T.IsZero(b + T.One)) return T.Zero - a;   // MinValue / -1 overflows in .NET
        var q = a / b;
        return !T.IsZero(a - q * b) && T.IsNegative(a) != T.IsNegative(b) ? q - T.One : q;
    }
    public static void Span<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> { for (int i = 0; i < d.Length; i++) d[i] = Scalar(a[i], b[i]); }
    public static void SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, INumber<T> { for (int i = 0; i < d.Length; i++) d[i] = Scalar(a[i], b); }
    public static void ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> { for (int i = 0; i < d.Length; i++) d[i] = Scalar(a, b[i]); }
}

/// <summary>Python's % (torch.remainder): the result has the sign of the divisor.</summary>
internal struct RemainderOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Scalar<T>(T a, T b) where T : unmanaged, INumber<T>
    {
        if (!T.IsZero(b) || typeof(T) == typeof(float) || typeof(T) == typeof(double))
        {
            // Any integer remainder by -1 is 0; computing MinValue % -1 overflows in .NET (and traps in PyTorch 1.13).
            if (typeof(T) != typeof(float) && typeof(T) != typeof(double) && T.IsNegative(b) && T.IsZero(b + T.One)) return T.Zero;
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

/// <summary>The side an extremum keeps: <see cref="Greater"/> for maximum, <see cref="Less"/> for minimum.</summary>
internal interface IExtremumOrder { static abstract bool IsMax { get; } }
internal struct Greater : IExtremumOrder { public static bool IsMax => true; }
internal struct Less : IExtremumOrder { public static bool IsMax => false; }

/// <summary>torch.maximum / torch.minimum. NaN propagates: T.Max/T.Min and TensorPrimitives.Max/Min follow IEEE 754 maximum/minimum.</summary>
internal struct ExtremumOp<TOrder> : IBinaryOp where TOrder : IExtremumOrder
{
    public static T Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => TOrder.IsMax ? T.Max(a, b) : T.Min(a, b);
    public static void Span<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T>
    {
        if (TOrder.IsMax) TensorPrimitives.Max(a, b, d);
        else TensorPrimitives.Min(a, b, d);
    }
    public static void SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, INumber<T>
    {
        if (TOrder.IsMax) TensorPrimitives.Max(a, b, d);
        else TensorPrimitives.Min(a, b, d);
    }
    // Both are commutative, so the scalar may go second.
    public static void ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => SpanScalar(b, a, d);
}

/// <summary>a ** b. Floating types use TensorPrimitives.Pow; integers use exact repeated squaring.</summary>
internal struct PowOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Scalar<T>(T a, T b) where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(float)) { float r = MathF.Pow(Unsafe.As<T, float>(ref a), Unsafe.As<T, float>(ref b)); return Unsafe.As<float, T>(ref r); }
        if (typeof(T) == typeof(double)) { double r = Math.Pow(Unsafe.As<T, double>(ref a), Unsafe.As<T, double>(ref b)); return Unsafe.As<double, T>(ref r); }
        // Negative integer exponents (only reachable with a tensor exponent; a scalar one is
        // rejected before the kernel) give c10's powi values: 1, ±1 or 0.
        if (T.IsNegative(b))
        {
            if (a == T.One) return T.One;
            if (a == -T.One) return long.CreateTruncating(b) % 2 == 0 ? T.One : -T.One;
            return T.Zero;
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
        // PyTorch computes these exponents without pow (x*x, x*x*x, sqrt, 1/x, ...): match its rounding.
        if (b == T.One + T.One) { TensorPrimitives.Multiply(a, a, d); return; }
        if (b == T.One) { a.CopyTo(d); return; }
        if (typeof(T) == typeof(float) && PowSpecial(MemoryMarshal.Cast<T, float>(a), Unsafe.As<T, float>(ref b), MemoryMarshal.Cast<T, float>(d))) return;
        if (typeof(T) == typeof(double) && PowSpecial(MemoryMarshal.Cast<T, double>(a), Unsafe.As<T, double>(ref b), MemoryMarshal.Cast<T, double>(d))) return;
        if (typeof(T) == typeof(float)) TensorPrimitives.Pow(MemoryMarshal.Cast<T, float>(a), Unsafe.As<T, float>(ref b), MemoryMarshal.Cast<T, float>(d));
        else if (typeof(T) == typeof(double)) TensorPrimitives.Pow(MemoryMarshal.Cast<T, double>(a), Unsafe.As<T, double>(ref b), MemoryMarshal.Cast<T, double>(d));
        else for (int i = 0; i < d.Length; i++) d[i] = Scalar(a[i], b);
    }
    public static void ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = Scalar(a, b[i]);
    }

    static bool PowSpecial<F>(ReadOnlySpan<F> a, F e, Span<F> d) where F : unmanaged, IFloatingPointIeee754<F>
    {
        F two = F.One + F.One, half = F.One / two;
        if (e == two + F.One) { TensorPrimitives.Multiply(a, a, d); TensorPrimitives.Multiply(d, a, d); }
        else if (e == half) TensorPrimitives.Sqrt(a, d);
        else if (e == -half) { TensorPrimitives.Sqrt(a, d); TensorPrimitives.Divide(F.One, d, d); }
        else if (e == -F.One) TensorPrimitives.Divide(F.One, a, d);
        else if (e == -two) { TensorPrimitives.Multiply(a, a, d); TensorPrimitives.Divide(F.One, d, d); }
        else return false;
        return true;
    }
}

/// <summary>Bit operators for the integer types (bool runs on 0/1 bytes): TensorPrimitives on whole spans.</summary>
internal static class Bits
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Apply<T>(T a, T b, int op) where T : unmanaged
    {
        long x = typeof(T) == typeof(long) ? Unsafe.As<T, long>(ref a) : typeof(T) == typeof(int) ? Unsafe.As<T, int>(ref a) : Unsafe.As<T, byte>(ref a);
        long y = typeof(T) == typeof(long) ? Unsafe.As<T, long>(ref b) : typeof(T) == typeof(int) ? Unsafe.As<T, int>(ref b) : Unsafe.As<T, byte>(ref b);
        long r = op == 0 ? x & y : op == 1 ? x | y : x ^ y;
        if (typeof(T) == typeof(long)) return Unsafe.As<long, T>(ref r);
        if (typeof(T) == typeof(int)) { int i = unchecked((int)r); return Unsafe.As<int, T>(ref i); }
        if (typeof(T) == typeof(byte)) { byte u = unchecked((byte)r); return Unsafe.As<byte, T>(ref u); }
        throw new NotSupportedException($"bitwise operations are not defined for {typeof(T).Name}");
    }

    public static void Spans<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d, int op) where T : unmanaged
    {
        if (typeof(T) == typeof(long)) Run(MemoryMarshal.Cast<T, long>(a), MemoryMarshal.Cast<T, long>(b), MemoryMarshal.Cast<T, long>(d), op);
        else if (typeof(T) == typeof(int)) Run(MemoryMarshal.Cast<T, int>(a), MemoryMarshal.Cast<T, int>(b), MemoryMarshal.Cast<T, int>(d), op);
        else if (typeof(T) == typeof(byte)) Run(MemoryMarshal.Cast<T, byte>(a), MemoryMarshal.Cast<T, byte>(b), MemoryMarshal.Cast<T, byte>(d), op);
        else throw new NotSupportedException($"bitwise operations are not defined for {typeof(T).Name}");
    }

    public static void SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> d, int op) where T : unmanaged
    {
        if (typeof(T) == typeof(long)) Run(MemoryMarshal.Cast<T, long>(a), Unsafe.As<T, long>(ref b), MemoryMarshal.Cast<T, long>(d), op);
        else if (typeof(T) == typeof(int)) Run(MemoryMarshal.Cast<T, int>(a), Unsafe.As<T, int>(ref b), MemoryMarshal.Cast<T, int>(d), op);
        else if (typeof(T) == typeof(byte)) Run(MemoryMarshal.Cast<T, byte>(a), Unsafe.As<T, byte>(ref b), MemoryMarshal.Cast<T, byte>(d), op);
        else throw new NotSupportedException($"bitwise operations are not defined for {typeof(T).Name}");
    }

    static void Run<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d, int op) where T : IBitwiseOperators<T, T, T>
    {
        if (op == 0) TensorPrimitives.BitwiseAnd(a, b, d);
        else if (op == 1) TensorPrimitives.BitwiseOr(a, b, d);
        else TensorPrimitives.Xor(a, b, d);
    }

    static void Run<T>(ReadOnlySpan<T> a, T b, Span<T> d, int op) where T : IBitwiseOperators<T, T, T>
    {
        if (op == 0) TensorPrimitives.BitwiseAnd(a, b, d);
        else if (op == 1) TensorPrimitives.BitwiseOr(a, b, d);
        else TensorPrimitives.Xor(a, b, d);
    }
}

internal struct BitAndOp : IBinaryOp
{
    public static T Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => Bits.Apply(a, b, 0);
    public static void Span<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => Bits.Spans(a, b, d, 0);
    public static void SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, INumber<T> => Bits.SpanScalar(a, b, d, 0);
    public static void ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => Bits.SpanScalar(b, a, d, 0);
}

internal struct BitOrOp : IBinaryOp
{
    public static T Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => Bits.Apply(a, b, 1);
    public static void Span<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => Bits.Spans(a, b, d, 1);
    public static void SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, INumber<T> => Bits.SpanScalar(a, b, d, 1);
    public static void ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => Bits.SpanScalar(b, a, d, 1);
}

internal struct BitXorOp : IBinaryOp
{
    public static T Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => Bits.Apply(a, b, 2);
    public static void Span<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => Bits.Spans(a, b, d, 2);
    public static void SpanScalar<T>(ReadOnlySpan<T> a, T b, Span<T> d) where T : unmanaged, INumber<T> => Bits.SpanScalar(a, b, d, 2);
    public static void ScalarSpan<T>(T a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged, INumber<T> => Bits.SpanScalar(b, a, d, 2);
}

internal struct EqOp : ICompareOp { public static bool Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => a == b; }
internal struct NeOp : ICompareOp { public static bool Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => a != b; }
internal struct LtOp : ICompareOp { public static bool Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => a < b; }
internal struct LeOp : ICompareOp { public static bool Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => a <= b; }
internal struct GtOp : ICompareOp { public static bool Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => a > b; }
internal struct GeOp : ICompareOp { public static bool Scalar<T>(T a, T b) where T : unmanaged, INumber<T> => a >= b; }

/// <summary>One operand of an elementwise kernel: a tensor's buffer, offset, shape, strides and whether it is dense.</summary>
internal readonly ref struct Operand<T>(T[] buffer, int offset, int[] shape, int[] strides, int numel, bool contiguous) where T : unmanaged
{
    public readonly T[] Buffer = buffer;
    public readonly int Offset = offset, Numel = numel;
    public readonly int[] Shape = shape, Strides = strides;
    public readonly bool Contiguous = contiguous;
}

/// <summary>The elementwise drivers: dense spans split over threads when big, strided N-d loops otherwise.</summary>
internal static class Elementwise
{
    /// <summary>
    /// d = op(a, b) broadcast to <paramref name="shape"/> (n elements, d contiguous). Dense operands of the
    /// output's size or of one element take the span kernels directly; anything else walks strided rows.
    /// </summary>
    public static void Binary<T, TOp>(in Operand<T> a, in Operand<T> b, T[] d, int[] shape, int n) where T : unmanaged, INumber<T> where TOp : IBinaryOp
    {
        if (a.Contiguous && b.Contiguous)
        {
            int mode = a.Numel == n && b.Numel == n ? 0 : a.Numel == n && b.Numel == 1 ? 1 : b.Numel == n && a.Numel == 1 ? 2 : -1;
            if (mode >= 0)
            {
                if (Threading.Serial(n, 1)) SpanRun<T, TOp>(mode, a.Buffer, a.Offset, b.Buffer, b.Offset, d, 0, n);
                else ParallelSpanRun<T, TOp>(mode, a.Buffer, a.Offset, b.Buffer, b.Offset, d, n);
                return;
            }
        }
        Binary<T, TOp>(a.Buffer, a.Offset, a.Shape, a.Strides, b.Buffer, b.Offset, b.Shape, b.Strides, d, shape);
    }

    /// <summary>mode 0: span ∘ span, 1: span ∘ scalar, 2: scalar ∘ span, over elements [s, e).</summary>
    static void SpanRun<T, TOp>(int mode, T[] a, int ao, T[] b, int bo, T[] d, int s, int e) where T : unmanaged, INumber<T> where TOp : IBinaryOp
    {
        var dr = d.AsSpan(s, e - s);
        if (mode == 0) TOp.Span<T>(a.AsSpan(ao + s, e - s), b.AsSpan(bo + s, e - s), dr);
        else if (mode == 1) TOp.SpanScalar<T>(a.AsSpan(ao + s, e - s), b[bo], dr);
        else TOp.ScalarSpan<T>(a[ao], b.AsSpan(bo + s, e - s), dr);
    }

    // Separate methods, so that a closure is only allocated for big ops.
    static void ParallelSpanRun<T, TOp>(int mode, T[] a, int ao, T[] b, int bo, T[] d, int n) where T : unmanaged, INumber<T> where TOp : IBinaryOp =>
        Threading.For(n, 1, (s, e) => SpanRun<T, TOp>(mode, a, ao, b, bo, d, s, e));

    /// <summary>d = op(a, s), or op(s, a) when <paramref name="scalarFirst"/>, over n dense elements of a.</summary>
    public static void WithScalar<T, TOp>(T[] a, int ao, T s, T[] d, int n, bool scalarFirst) where T : unmanaged, INumber<T> where TOp : IBinaryOp
    {
        if (Threading.Serial(n, 1)) WithScalar<T, TOp>(a, ao, s, d, scalarFirst, 0, n);
        else ParallelWithScalar<T, TOp>(a, ao, s, d, scalarFirst, n);
    }

    static void ParallelWithScalar<T, TOp>(T[] a, int ao, T s, T[] d, bool scalarFirst, int n) where T : unmanaged, INumber<T> where TOp : IBinaryOp =>
        Threading.For(n, 1, (st, e) => WithScalar<T, TOp>(a, ao, s, d, scalarFirst, st, e));

    static void WithScalar<T, TOp>(T[] a, int ao, T s, T[] d, bool scalarFirst, int st, int e) where T : unmanaged, INumber<T> where TOp : IBinaryOp
    {
        if (scalarFirst) TOp.ScalarSpan<T>(s, a.AsSpan(ao + st, e - st), d.AsSpan(st, e - st));
        else TOp.SpanScalar<T>(a.AsSpan(ao + st, e - st), s, d.AsSpan(st, e - st));
    }

    /// <summary>d = a ∘ b compared, broadcast to <paramref name="shape"/>; dense operands take the span loops.</summary>
    public static void Compare<T, TOp>(in Operand<T> a, in Operand<T> b, Span<bool> d, int[] shape) where T : unmanaged, INumber<T> where TOp : ICompareOp
    {
        int n = d.Length;
        if (a.Contiguous && b.Contiguous)
        {
            if (a.Numel == n && b.Numel == n) { CompareSpans<T, TOp>(a.Buffer.AsSpan(a.Offset, n), b.Buffer.AsSpan(b.Offset, n), d); return; }
            if (a.Numel == n && b.Numel == 1) { CompareScalar<T, TOp>(a.Buffer.AsSpan(a.Offset, n), b.Buffer[b.Offset], d, false); return; }
            if (b.Numel == n && a.Numel == 1) { CompareScalar<T, TOp>(b.Buffer.AsSpan(b.Offset, n), a.Buffer[a.Offset], d, true); return; }
        }
        Compare<T, TOp>(a.Buffer, a.Offset, a.Shape, a.Strides, b.Buffer, b.Offset, b.Shape, b.Strides, d, shape);
    }

    /// <summary>
    /// Geometry of a broadcast binary op: output shape and both operands' strides at that shape
    /// (0 on broadcast dims), merged where memory allows, so most loops are a few long rows.
    /// Lives on the stack for small ops; parallel runs copy it to arrays.
    /// </summary>
    ref struct Geometry
    {
        public Span<int> Shape, A, B;
        public int Nd, Inner, Rows;

        public Geometry(Span<int> buf, int[] aShape, int[] aStr, int[] bShape, int[] bStr, int[] shape)
        {
            int nd = shape.Length;
            Shape = buf[..nd]; A = buf.Slice(nd, nd); B = buf.Slice(2 * nd, nd);
            shape.CopyTo(Shape);
            ExpandInto(aShape, aStr, shape, A);
            ExpandInto(bShape, bStr, shape, B);
            Nd = Strided.Coalesce2(Shape, A, B);
            int n = 1; foreach (var s in shape) n *= s;
            Inner = Nd == 0 || n == 0 ? 1 : Shape[Nd - 1];
            Rows = n / Inner;
        }
    }

    static void ExpandInto(int[] shape, int[] strides, int[] target, Span<int> dst)
    {
        int off = target.Length - shape.Length;
        for (int i = 0; i < target.Length; i++)
            dst[i] = i < off || shape[i - off] == 1 ? 0 : strides[i - off];
    }

    /// <summary>
    /// d = op(a, b) with a and b broadcast to <paramref name="shape"/> (shapes already checked) and d
    /// contiguous. Rows whose inner stride is 1 or 0 go to the span kernels; big ops split rows over threads.
    /// </summary>
    static void Binary<T, TOp>(T[] a, int aOff, int[] aShape, int[] aStr, T[] b, int bOff, int[] bShape, int[] bStr, T[] d, int[] shape)
        where T : unmanaged, INumber<T> where TOp : IBinaryOp
    {
        Span<int> buf = stackalloc int[3 * shape.Length];
        var g = new Geometry(buf, aShape, aStr, bShape, bStr, shape);
        if (g.Rows == 0) return;
        if (g.Rows < 2 || Threading.Serial((long)g.Rows * g.Inner, 1))
        {
            BinaryRows<T, TOp>(g.Shape[..g.Nd], g.A, g.B, a, aOff, b, bOff, d, 0, g.Rows);
            return;
        }
        ParallelRows<T, TOp>(g.Shape[..g.Nd].ToArray(), g.A.ToArray(), g.B.ToArray(), a, aOff, b, bOff, d, g.Rows, g.Inner);
    }

    static void ParallelRows<T, TOp>(int[] sh, int[] sa, int[] sb, T[] a, int aOff, T[] b, int bOff, T[] d, int rows, int inner)
        where T : unmanaged, INumber<T> where TOp : IBinaryOp =>
        Threading.For(rows, inner, (r0, r1) => BinaryRows<T, TOp>(sh, sa, sb, a, aOff, b, bOff, d, r0, r1));

    static void BinaryRows<T, TOp>(ReadOnlySpan<int> sh, ReadOnlySpan<int> sa, ReadOnlySpan<int> sb, T[] a, int aOff, T[] b, int bOff, T[] d, int r0, int r1)
        where T : unmanaged, INumber<T> where TOp : IBinaryOp
    {
        int nd = sh.Length;
        if (nd == 0) { d[0] = TOp.Scalar(a[aOff], b[bOff]); return; }
        var row = new BinaryRow<T, TOp>(a, b, d, sh[nd - 1], sa[nd - 1], sb[nd - 1]);
        WalkRows(sh, sa, sb, aOff, bOff, r0, r1, ref row);
    }

    static void Compare<T, TOp>(T[] a, int aOff, int[] aShape, int[] aStr, T[] b, int bOff, int[] bShape, int[] bStr, Span<bool> d, int[] shape)
        where T : unmanaged, INumber<T> where TOp : ICompareOp
    {
        Span<int> buf = stackalloc int[3 * shape.Length];
        var g = new Geometry(buf, aShape, aStr, bShape, bStr, shape);
        if (g.Rows == 0) return;
        int nd = g.Nd;
        if (nd == 0) { d[0] = TOp.Scalar(a[aOff], b[bOff]); return; }
        var row = new CompareRow<T, TOp>(a, b, d, g.Inner, g.A[nd - 1], g.B[nd - 1]);
        WalkRows(g.Shape[..nd], g.A, g.B, aOff, bOff, 0, g.Rows, ref row);
    }

    /// <summary>One output row of a broadcast walk: the operands' rows start at oa and ob, the output's at od.</summary>
    interface IPairRow
    {
        void Row(int oa, int ob, int od);
    }

    /// <summary>
    /// Rows [r0, r1) of a coalesced broadcast walk (rank ≥ 1, no empty dim): the odometer over the outer dims
    /// moves both operands' offsets by their strides; the output is contiguous, <c>inner</c> elements a row.
    /// </summary>
    static void WalkRows<TRow>(scoped ReadOnlySpan<int> sh, scoped ReadOnlySpan<int> sa, scoped ReadOnlySpan<int> sb, int oa, int ob, int r0, int r1, ref TRow row)
        where TRow : struct, IPairRow, allows ref struct
    {
        int nd = sh.Length, inner = sh[nd - 1];
        Span<int> idx = stackalloc int[nd];
        // Start the odometer at row r0.
        for (int k = nd - 2, r = r0; k >= 0 && r > 0; k--) { idx[k] = r % sh[k]; r /= sh[k]; oa += idx[k] * sa[k]; ob += idx[k] * sb[k]; }
        for (int i = r0, od = r0 * inner; i < r1; i++, od += inner)
        {
            row.Row(oa, ob, od);
            for (int k = nd - 2; k >= 0; k--)
            {
                oa += sa[k]; ob += sb[k];
                if (++idx[k] < sh[k]) break;
                oa -= sa[k] * sh[k]; ob -= sb[k] * sh[k];
                idx[k] = 0;
            }
        }
    }

    /// <summary>A binary op's row: inner strides of 1 or 0 take the span kernels.</summary>
    readonly struct BinaryRow<T, TOp>(T[] a, T[] b, T[] d, int inner, int ia, int ib) : IPairRow
        where T : unmanaged, INumber<T> where TOp : IBinaryOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Row(int oa, int ob, int od)
        {
            var dr = d.AsSpan(od, inner);
            if (ia == 1 && ib == 1) TOp.Span<T>(a.AsSpan(oa, inner), b.AsSpan(ob, inner), dr);
            else if (ia == 1 && ib == 0) TOp.SpanScalar<T>(a.AsSpan(oa, inner), b[ob], dr);
            else if (ia == 0 && ib == 1) TOp.ScalarSpan<T>(a[oa], b.AsSpan(ob, inner), dr);
            else for (int i = 0, pa = oa, pb = ob; i < inner; i++, pa += ia, pb += ib) dr[i] = TOp.Scalar(a[pa], b[pb]);
        }
    }

    readonly ref struct CompareRow<T, TOp>(T[] a, T[] b, Span<bool> d, int inner, int ia, int ib) : IPairRow
        where T : unmanaged, INumber<T> where TOp : ICompareOp
    {
        readonly Span<bool> d = d;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Row(int oa, int ob, int od)
        {
            for (int i = 0, pa = oa, pb = ob; i < inner; i++, pa += ia, pb += ib) d[od + i] = TOp.Scalar(a[pa], b[pb]);
        }
    }

    public static void CompareSpans<T, TOp>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<bool> d) where T : unmanaged, INumber<T> where TOp : ICompareOp
    {
        for (int i = 0; i < d.Length; i++) d[i] = TOp.Scalar(a[i], b[i]);
    }

    /// <summary>d = a ∘ s, or s ∘ a when <paramref name="scalarFirst"/>.</summary>
    public static void CompareScalar<T, TOp>(ReadOnlySpan<T> a, T s, Span<bool> d, bool scalarFirst) where T : unmanaged, INumber<T> where TOp : ICompareOp
    {
        if (scalarFirst) for (int i = 0; i < d.Length; i++) d[i] = TOp.Scalar(s, a[i]);
        else for (int i = 0; i < d.Length; i++) d[i] = TOp.Scalar(a[i], s);
    }
}
