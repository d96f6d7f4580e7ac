using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Torchlet.Kernels;

// The SIMD substrate. A kernel is written once, as an operator struct against a lane type TV
// (IVec/ILanes below); the drivers in Simd run it with Vector512, Vector256 or Vector128 lanes over
// the body of a span and with scalar lanes (S<T>) over the tail, and the JIT specialises each
// (operator, lane type) pair into straight-line SIMD code. This is System.Numerics.Tensors' pattern
// (TensorPrimitives' operator structs), extended to the fused multi-stream kernels TensorPrimitives
// lacks: normalization rows, optimizer updates, activation forward and backward, recurrent cells.

/// <summary>
/// A lane type: one scalar (<see cref="S{T}"/>) or a Vector128/256/512 of float or double. Masks are
/// all-ones lanes for vectors and 1/0 for scalars; only <see cref="Select"/>, <see cref="And"/> and
/// <see cref="Or"/> consume them.
/// </summary>
internal interface IVec<TV> where TV : struct, IVec<TV>
{
    static abstract bool IsDouble { get; }
    static abstract TV C(double v);
    static abstract TV operator +(TV a, TV b);
    static abstract TV operator -(TV a, TV b);
    static abstract TV operator -(TV a);
    static abstract TV operator *(TV a, TV b);
    static abstract TV operator /(TV a, TV b);
    /// <summary>a·b + c rounded once (the scalar path uses T.FusedMultiplyAdd, so every path rounds alike).</summary>
    static abstract TV Fma(TV a, TV b, TV c);
    static abstract TV Sqrt(TV a);
    static abstract TV Max(TV a, TV b);
    static abstract TV Min(TV a, TV b);
    static abstract TV Abs(TV a);
    static abstract TV Exp(TV a);
    static abstract TV Log(TV a);
    static abstract TV Gt(TV a, TV b);
    static abstract TV Ge(TV a, TV b);
    static abstract TV Lt(TV a, TV b);
    static abstract TV Le(TV a, TV b);
    static abstract TV Eq(TV a, TV b);
    static abstract TV And(TV m1, TV m2);
    static abstract TV Or(TV m1, TV m2);
    static abstract TV Select(TV mask, TV ifTrue, TV ifFalse);
}

/// <summary>A lane type over element type T: how many elements it holds, how to load, store, broadcast and sum them.</summary>
internal interface ILanes<TV, T> : IVec<TV> where TV : struct, ILanes<TV, T> where T : unmanaged
{
    static abstract int Count { get; }
    static abstract TV Load(ref T p, nuint i);
    static abstract void Store(TV v, ref T p, nuint i);
    static abstract TV Splat(T v);
    /// <summary>The lanes' horizontal sum (Vector*.Sum's order, so a width always sums alike).</summary>
    static abstract T Sum(TV v);
}

/// <summary>A kernel over n elements of some streams: <see cref="Step{TV}"/> handles elements [i, i + TV.Count).</summary>
internal interface IVecLoop<T> where T : unmanaged
{
    void Step<TV>(nuint i) where TV : struct, ILanes<TV, T>;
}

/// <summary>A sum over n elements: <see cref="Term{TV}"/> gives the terms at [i, i + TV.Count).</summary>
internal interface IVecSum<T> where T : unmanaged
{
    TV Term<TV>(nuint i) where TV : struct, ILanes<TV, T>;
}

/// <summary>Two sums in one pass over n elements.</summary>
internal interface IVecSum2<T> where T : unmanaged
{
    void Terms<TV>(nuint i, out TV a, out TV b) where TV : struct, ILanes<TV, T>;
}

/// <summary>A pointwise y = f(x).</summary>
internal interface IUnaryOperator { TV Invoke<TV>(TV x) where TV : struct, IVec<TV>; }

/// <summary>A pointwise d = f(a, b).</summary>
internal interface IBinaryOperator { TV Invoke<TV>(TV a, TV b) where TV : struct, IVec<TV>; }

/// <summary>The width the drivers run at and the drivers themselves.</summary>
internal static class Simd
{
    /// <summary>
    /// Vector bits the drivers use: 512, 256, 128 or 0 (scalar). The widest the hardware accelerates,
    /// unless TORCHLET_VECTOR_WIDTH forces one — an internal switch for tests, so that a machine without
    /// AVX-512 still runs the Vector512 paths (in software) and one with it runs the 128-bit (ARM64 NEON)
    /// and scalar paths. Read once: the JIT folds it, so the paths not taken cost nothing. It steers Torchlet's
    /// own vector code (these drivers, GEMM, the conv and pool shuffles, the normal fill); the elementwise maps
    /// run on TensorPrimitives, whose operator structs pick their width from the hardware alone — the runtime's
    /// DOTNET_PreferredVectorBitWidth narrows them, nothing widens them, and the library tests its own paths.
    /// </summary>
    public static readonly int Width = Choose(Environment.GetEnvironmentVariable("TORCHLET_VECTOR_WIDTH"));

    /// <summary>The widest vector the hardware accelerates (what <see cref="Width"/> is when nothing forces it).</summary>
    public static int HardwareWidth =>
        Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;

    internal static int Choose(string? forced) =>
        forced?.Trim() switch
        {
            "512" => 512,
            "256" => 256,
            "128" => 128,
            "0" or "scalar" => 0,
            _ => HardwareWidth,
        };

    // Each driver runs the widest allowed lane type that fits the span once, then scalar lanes over the
    // rest, so a row's summation order depends only on its length and the width.

    /// <summary>Runs <paramref name="op"/> over [0, n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void For<T, TOp>(int n, scoped ref TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IVecLoop<T>, allows ref struct
    {
        nuint len = (nuint)n, i = 0;
        if (Width >= 512 && len >= (nuint)Vector512<T>.Count) i = Body<T, V512<T>, TOp>(len, ref op);
        else if (Width >= 256 && len >= (nuint)Vector256<T>.Count) i = Body<T, V256<T>, TOp>(len, ref op);
        else if (Width >= 128 && len >= (nuint)Vector128<T>.Count) i = Body<T, V128<T>, TOp>(len, ref op);
        for (; i < len; i++) op.Step<S<T>>(i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static nuint Body<T, TV, TOp>(nuint n, scoped ref TOp op)
        where T : unmanaged where TV : struct, ILanes<TV, T> where TOp : struct, IVecLoop<T>, allows ref struct
    {
        nuint i = 0, w = (nuint)TV.Count;
        for (; i + w <= n; i += w) op.Step<TV>(i);
        return i;
    }

    /// <summary>Σ of <paramref name="op"/>'s terms over [0, n): lane-wise in the body, then the tail added one by one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum<T, TOp>(int n, scoped ref TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IVecSum<T>, allows ref struct
    {
        nuint len = (nuint)n, i = 0;
        T acc = T.Zero;
        if (Width >= 512 && len >= (nuint)Vector512<T>.Count) acc = SumBody<T, V512<T>, TOp>(len, ref op, ref i);
        else if (Width >= 256 && len >= (nuint)Vector256<T>.Count) acc = SumBody<T, V256<T>, TOp>(len, ref op, ref i);
        else if (Width >= 128 && len >= (nuint)Vector128<T>.Count) acc = SumBody<T, V128<T>, TOp>(len, ref op, ref i);
        for (; i < len; i++) acc += op.Term<S<T>>(i).V;
        return acc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static T SumBody<T, TV, TOp>(nuint n, scoped ref TOp op, ref nuint i)
        where T : unmanaged where TV : struct, ILanes<TV, T> where TOp : struct, IVecSum<T>, allows ref struct
    {
        var acc = TV.C(0);
        nuint w = (nuint)TV.Count;
        for (; i + w <= n; i += w) acc += op.Term<TV>(i);
        return TV.Sum(acc);
    }

    /// <summary>Two sums of <paramref name="op"/>'s terms over [0, n) in one pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (T, T) Sum2<T, TOp>(int n, scoped ref TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IVecSum2<T>, allows ref struct
    {
        nuint len = (nuint)n, i = 0;
        T a = T.Zero, b = T.Zero;
        if (Width >= 512 && len >= (nuint)Vector512<T>.Count) Sum2Body<T, V512<T>, TOp>(len, ref op, ref i, out a, out b);
        else if (Width >= 256 && len >= (nuint)Vector256<T>.Count) Sum2Body<T, V256<T>, TOp>(len, ref op, ref i, out a, out b);
        else if (Width >= 128 && len >= (nuint)Vector128<T>.Count) Sum2Body<T, V128<T>, TOp>(len, ref op, ref i, out a, out b);
        for (; i < len; i++)
        {
            op.Terms<S<T>>(i, out var ta, out var tb);
            a += ta.V; b += tb.V;
        }
        return (a, b);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Sum2Body<T, TV, TOp>(nuint n, scoped ref TOp op, ref nuint i, out T a, out T b)
        where T : unmanaged where TV : struct, ILanes<TV, T> where TOp : struct, IVecSum2<T>, allows ref struct
    {
        TV va = TV.C(0), vb = TV.C(0);
        nuint w = (nuint)TV.Count;
        for (; i + w <= n; i += w)
        {
            op.Terms<TV>(i, out var ta, out var tb);
            va += ta; vb += tb;
        }
        a = TV.Sum(va); b = TV.Sum(vb);
    }

    /// <summary>d = f(x), elementwise (d may alias x).</summary>
    public static void Map<T, TOp>(ReadOnlySpan<T> x, Span<T> d, TOp f)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IUnaryOperator
    {
        var loop = new UnaryLoop<T, TOp>(x, d, f);
        For<T, UnaryLoop<T, TOp>>(d.Length, ref loop);
    }

    /// <summary>d = f(a, b), elementwise (d may alias a or b).</summary>
    public static void Map<T, TOp>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d, TOp f)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IBinaryOperator
    {
        var loop = new BinaryLoop<T, TOp>(a, b, d, f);
        For<T, BinaryLoop<T, TOp>>(d.Length, ref loop);
    }

    ref struct UnaryLoop<T, TOp>(ReadOnlySpan<T> x, Span<T> d, TOp f) : IVecLoop<T>
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IUnaryOperator
    {
        readonly ref T _x = ref MemoryMarshal.GetReference(x);
        readonly ref T _d = ref MemoryMarshal.GetReference(d);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step<TV>(nuint i) where TV : struct, ILanes<TV, T> => TV.Store(f.Invoke(TV.Load(ref _x, i)), ref _d, i);
    }

    ref struct BinaryLoop<T, TOp>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d, TOp f) : IVecLoop<T>
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IBinaryOperator
    {
        readonly ref T _a = ref MemoryMarshal.GetReference(a);
        readonly ref T _b = ref MemoryMarshal.GetReference(b);
        readonly ref T _d = ref MemoryMarshal.GetReference(d);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step<TV>(nuint i) where TV : struct, ILanes<TV, T> => TV.Store(f.Invoke(TV.Load(ref _a, i), TV.Load(ref _b, i)), ref _d, i);
    }
}

// ---------------------------------------------------------------- the lane types

internal readonly struct S<T> : ILanes<S<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public readonly T V;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public S(T v) { V = v; }
    static T M(bool b) => b ? T.One : T.Zero;
    public static int Count => 1;
    public static S<T> Load(ref T p, nuint i) => new(Unsafe.Add(ref p, i));
    public static void Store(S<T> v, ref T p, nuint i) => Unsafe.Add(ref p, i) = v.V;
    public static S<T> Splat(T v) => new(v);
    public static T Sum(S<T> v) => v.V;
    public static bool IsDouble => typeof(T) == typeof(double);
    public static S<T> C(double v) => new(T.CreateTruncating(v));
    public static S<T> operator +(S<T> a, S<T> b) => new(a.V + b.V);
    public static S<T> operator -(S<T> a, S<T> b) => new(a.V - b.V);
    public static S<T> operator -(S<T> a) => new(-a.V);
    public static S<T> operator *(S<T> a, S<T> b) => new(a.V * b.V);
    public static S<T> operator /(S<T> a, S<T> b) => new(a.V / b.V);
    public static S<T> Fma(S<T> a, S<T> b, S<T> c) => new(T.FusedMultiplyAdd(a.V, b.V, c.V));
    public static S<T> Sqrt(S<T> a) => new(T.Sqrt(a.V));
    // T.Max/T.Min propagate NaN, as the vectors' Max/Min do.
    public static S<T> Max(S<T> a, S<T> b) => new(T.Max(a.V, b.V));
    public static S<T> Min(S<T> a, S<T> b) => new(T.Min(a.V, b.V));
    public static S<T> Abs(S<T> a) => new(T.Abs(a.V));
    public static S<T> Exp(S<T> a) => new(T.Exp(a.V));
    public static S<T> Log(S<T> a) => new(T.Log(a.V));
    public static S<T> Gt(S<T> a, S<T> b) => new(M(a.V > b.V));
    public static S<T> Ge(S<T> a, S<T> b) => new(M(a.V >= b.V));
    public static S<T> Lt(S<T> a, S<T> b) => new(M(a.V < b.V));
    public static S<T> Le(S<T> a, S<T> b) => new(M(a.V <= b.V));
    public static S<T> Eq(S<T> a, S<T> b) => new(M(a.V == b.V));
    public static S<T> And(S<T> a, S<T> b) => new(a.V * b.V);
    public static S<T> Or(S<T> a, S<T> b) => new(T.Max(a.V, b.V));
    public static S<T> Select(S<T> m, S<T> a, S<T> b) => m.V != T.Zero ? a : b;
}

internal readonly struct V128<T> : ILanes<V128<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public readonly Vector128<T> V;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public V128(Vector128<T> v) { V = v; }
    public static int Count => Vector128<T>.Count;
    public static V128<T> Load(ref T p, nuint i) => new(Vector128.LoadUnsafe(ref p, i));
    public static void Store(V128<T> v, ref T p, nuint i) => v.V.StoreUnsafe(ref p, i);
    public static V128<T> Splat(T v) => new(Vector128.Create(v));
    public static T Sum(V128<T> v) => Vector128.Sum(v.V);
    public static bool IsDouble => typeof(T) == typeof(double);
    public static V128<T> C(double v) => new(Vector128.Create(T.CreateTruncating(v)));
    public static V128<T> operator +(V128<T> a, V128<T> b) => new(a.V + b.V);
    public static V128<T> operator -(V128<T> a, V128<T> b) => new(a.V - b.V);
    public static V128<T> operator -(V128<T> a) => new(-a.V);
    public static V128<T> operator *(V128<T> a, V128<T> b) => new(a.V * b.V);
    public static V128<T> operator /(V128<T> a, V128<T> b) => new(a.V / b.V);
    public static V128<T> Fma(V128<T> a, V128<T> b, V128<T> c) =>
        typeof(T) == typeof(float) ? new(Vector128.FusedMultiplyAdd(a.V.As<T, float>(), b.V.As<T, float>(), c.V.As<T, float>()).As<float, T>())
                                   : new(Vector128.FusedMultiplyAdd(a.V.As<T, double>(), b.V.As<T, double>(), c.V.As<T, double>()).As<double, T>());
    public static V128<T> Sqrt(V128<T> a) => new(Vector128.Sqrt(a.V));
    public static V128<T> Max(V128<T> a, V128<T> b) => new(Vector128.Max(a.V, b.V));
    public static V128<T> Min(V128<T> a, V128<T> b) => new(Vector128.Min(a.V, b.V));
    public static V128<T> Abs(V128<T> a) => new(Vector128.Abs(a.V));
    public static V128<T> Exp(V128<T> a) =>
        typeof(T) == typeof(float) ? new(Vector128.Exp(a.V.As<T, float>()).As<float, T>()) : new(Vector128.Exp(a.V.As<T, double>()).As<double, T>());
    public static V128<T> Log(V128<T> a) =>
        typeof(T) == typeof(float) ? new(Vector128.Log(a.V.As<T, float>()).As<float, T>()) : new(Vector128.Log(a.V.As<T, double>()).As<double, T>());
    public static V128<T> Gt(V128<T> a, V128<T> b) => new(Vector128.GreaterThan(a.V, b.V));
    public static V128<T> Ge(V128<T> a, V128<T> b) => new(Vector128.GreaterThanOrEqual(a.V, b.V));
    public static V128<T> Lt(V128<T> a, V128<T> b) => new(Vector128.LessThan(a.V, b.V));
    public static V128<T> Le(V128<T> a, V128<T> b) => new(Vector128.LessThanOrEqual(a.V, b.V));
    public static V128<T> Eq(V128<T> a, V128<T> b) => new(Vector128.Equals(a.V, b.V));
    public static V128<T> And(V128<T> a, V128<T> b) => new(a.V & b.V);
    public static V128<T> Or(V128<T> a, V128<T> b) => new(a.V | b.V);
    public static V128<T> Select(V128<T> m, V128<T> a, V128<T> b) => new(Vector128.ConditionalSelect(m.V, a.V, b.V));
}

internal readonly struct V256<T> : ILanes<V256<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public readonly Vector256<T> V;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public V256(Vector256<T> v) { V = v; }
    public static int Count => Vector256<T>.Count;
    public static V256<T> Load(ref T p, nuint i) => new(Vector256.LoadUnsafe(ref p, i));
    public static void Store(V256<T> v, ref T p, nuint i) => v.V.StoreUnsafe(ref p, i);
    public static V256<T> Splat(T v) => new(Vector256.Create(v));
    public static T Sum(V256<T> v) => Vector256.Sum(v.V);
    public static bool IsDouble => typeof(T) == typeof(double);
    public static V256<T> C(double v) => new(Vector256.Create(T.CreateTruncating(v)));
    public static V256<T> operator +(V256<T> a, V256<T> b) => new(a.V + b.V);
    public static V256<T> operator -(V256<T> a, V256<T> b) => new(a.V - b.V);
    public static V256<T> operator -(V256<T> a) => new(-a.V);
    public static V256<T> operator *(V256<T> a, V256<T> b) => new(a.V * b.V);
    public static V256<T> operator /(V256<T> a, V256<T> b) => new(a.V / b.V);
    public static V256<T> Fma(V256<T> a, V256<T> b, V256<T> c) =>
        typeof(T) == typeof(float) ? new(Vector256.FusedMultiplyAdd(a.V.As<T, float>(), b.V.As<T, float>(), c.V.As<T, float>()).As<float, T>())
                                   : new(Vector256.FusedMultiplyAdd(a.V.As<T, double>(), b.V.As<T, double>(), c.V.As<T, double>()).As<double, T>());
    public static V256<T> Sqrt(V256<T> a) => new(Vector256.Sqrt(a.V));
    public static V256<T> Max(V256<T> a, V256<T> b) => new(Vector256.Max(a.V, b.V));
    public static V256<T> Min(V256<T> a, V256<T> b) => new(Vector256.Min(a.V, b.V));
    public static V256<T> Abs(V256<T> a) => new(Vector256.Abs(a.V));
    public static V256<T> Exp(V256<T> a) =>
        typeof(T) == typeof(float) ? new(Vector256.Exp(a.V.As<T, float>()).As<float, T>()) : new(Vector256.Exp(a.V.As<T, double>()).As<double, T>());
    public static V256<T> Log(V256<T> a) =>
        typeof(T) == typeof(float) ? new(Vector256.Log(a.V.As<T, float>()).As<float, T>()) : new(Vector256.Log(a.V.As<T, double>()).As<double, T>());
    public static V256<T> Gt(V256<T> a, V256<T> b) => new(Vector256.GreaterThan(a.V, b.V));
    public static V256<T> Ge(V256<T> a, V256<T> b) => new(Vector256.GreaterThanOrEqual(a.V, b.V));
    public static V256<T> Lt(V256<T> a, V256<T> b) => new(Vector256.LessThan(a.V, b.V));
    public static V256<T> Le(V256<T> a, V256<T> b) => new(Vector256.LessThanOrEqual(a.V, b.V));
    public static V256<T> Eq(V256<T> a, V256<T> b) => new(Vector256.Equals(a.V, b.V));
    public static V256<T> And(V256<T> a, V256<T> b) => new(a.V & b.V);
    public static V256<T> Or(V256<T> a, V256<T> b) => new(a.V | b.V);
    public static V256<T> Select(V256<T> m, V256<T> a, V256<T> b) => new(Vector256.ConditionalSelect(m.V, a.V, b.V));
}

internal readonly struct V512<T> : ILanes<V512<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public readonly Vector512<T> V;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public V512(Vector512<T> v) { V = v; }
    public static int Count => Vector512<T>.Count;
    public static V512<T> Load(ref T p, nuint i) => new(Vector512.LoadUnsafe(ref p, i));
    public static void Store(V512<T> v, ref T p, nuint i) => v.V.StoreUnsafe(ref p, i);
    public static V512<T> Splat(T v) => new(Vector512.Create(v));
    public static T Sum(V512<T> v) => Vector512.Sum(v.V);
    public static bool IsDouble => typeof(T) == typeof(double);
    public static V512<T> C(double v) => new(Vector512.Create(T.CreateTruncating(v)));
    public static V512<T> operator +(V512<T> a, V512<T> b) => new(a.V + b.V);
    public static V512<T> operator -(V512<T> a, V512<T> b) => new(a.V - b.V);
    public static V512<T> operator -(V512<T> a) => new(-a.V);
    public static V512<T> operator *(V512<T> a, V512<T> b) => new(a.V * b.V);
    public static V512<T> operator /(V512<T> a, V512<T> b) => new(a.V / b.V);
    public static V512<T> Fma(V512<T> a, V512<T> b, V512<T> c) =>
        typeof(T) == typeof(float) ? new(Vector512.FusedMultiplyAdd(a.V.As<T, float>(), b.V.As<T, float>(), c.V.As<T, float>()).As<float, T>())
                                   : new(Vector512.FusedMultiplyAdd(a.V.As<T, double>(), b.V.As<T, double>(), c.V.As<T, double>()).As<double, T>());
    public static V512<T> Sqrt(V512<T> a) => new(Vector512.Sqrt(a.V));
    public static V512<T> Max(V512<T> a, V512<T> b) => new(Vector512.Max(a.V, b.V));
    public static V512<T> Min(V512<T> a, V512<T> b) => new(Vector512.Min(a.V, b.V));
    public static V512<T> Abs(V512<T> a) => new(Vector512.Abs(a.V));
    public static V512<T> Exp(V512<T> a) =>
        typeof(T) == typeof(float) ? new(Vector512.Exp(a.V.As<T, float>()).As<float, T>()) : new(Vector512.Exp(a.V.As<T, double>()).As<double, T>());
    public static V512<T> Log(V512<T> a) =>
        typeof(T) == typeof(float) ? new(Vector512.Log(a.V.As<T, float>()).As<float, T>()) : new(Vector512.Log(a.V.As<T, double>()).As<double, T>());
    public static V512<T> Gt(V512<T> a, V512<T> b) => new(Vector512.GreaterThan(a.V, b.V));
    public static V512<T> Ge(V512<T> a, V512<T> b) => new(Vector512.GreaterThanOrEqual(a.V, b.V));
    public static V512<T> Lt(V512<T> a, V512<T> b) => new(Vector512.LessThan(a.V, b.V));
    public static V512<T> Le(V512<T> a, V512<T> b) => new(Vector512.LessThanOrEqual(a.V, b.V));
    public static V512<T> Eq(V512<T> a, V512<T> b) => new(Vector512.Equals(a.V, b.V));
    public static V512<T> And(V512<T> a, V512<T> b) => new(a.V & b.V);
    public static V512<T> Or(V512<T> a, V512<T> b) => new(a.V | b.V);
    public static V512<T> Select(V512<T> m, V512<T> a, V512<T> b) => new(Vector512.ConditionalSelect(m.V, a.V, b.V));
}
