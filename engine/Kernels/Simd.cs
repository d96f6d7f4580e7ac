using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

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
    static abstract TV IsNaN(TV a);
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

    // Stride-2 access (im2col/col2im with stride 2, 2×2 pooling), over a‖b: a's lanes, then b's.
    /// <summary>The even elements of a‖b: lanes 0, 2, 4, … of a, then of b (de-interleaves a stride-2 load).</summary>
    static abstract TV Even(TV a, TV b);
    /// <summary>The odd elements of a‖b: lanes 1, 3, 5, … of a, then of b.</summary>
    static abstract TV Odd(TV a, TV b);
    /// <summary>The first Count elements of the interleave a0 b0 a1 b1 … (the inverse of Even and Odd, with <see cref="ZipHigh"/>).</summary>
    static abstract TV ZipLow(TV a, TV b);
    /// <summary>The last Count elements of the interleave a0 b0 a1 b1 ….</summary>
    static abstract TV ZipHigh(TV a, TV b);

    // Index lanes, for argmax kernels: integers of T's width (int for float, long for double) kept in TV's bits,
    // so that a mask selects between them (Select is bitwise; the scalar lane's takes a whole value).
    /// <summary>Index lanes first, first + step, first + 2·step, ….</summary>
    static abstract TV Iota(int first, int step);
    /// <summary>p[i + j] = start + the integer in lane j, for index lanes (<see cref="Iota"/> and Select's picks between them).</summary>
    static abstract void StoreIndices(TV v, long start, ref long p, nuint i);
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
    static nuint Body<T, TV, TOp>(nuint n, scoped ref TOp op, nuint i = 0)
        where T : unmanaged where TV : struct, ILanes<TV, T> where TOp : struct, IVecLoop<T>, allows ref struct
    {
        nuint w = (nuint)TV.Count;
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

    /// <summary>
    /// Runs <paramref name="op"/> over [0, n) in vector steps that may overlap, for kernels whose steps only
    /// write (a position written twice gets the same value): the widest lanes that fit in n, the last step
    /// moved back to end at n, so that short rows (7 or 14 outputs in a small CNN) need no scalar tail. Rows
    /// shorter than the narrowest vector take scalar lanes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ForOverlapping<T, TOp>(int n, scoped ref TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IVecLoop<T>, allows ref struct
    {
        nuint len = (nuint)n;
        if (Width >= 512 && len >= (nuint)Vector512<T>.Count) Overlapped<T, V512<T>, TOp>(len, ref op);
        else if (Width >= 256 && len >= (nuint)Vector256<T>.Count) Overlapped<T, V256<T>, TOp>(len, ref op);
        else if (Width >= 128 && len >= (nuint)Vector128<T>.Count) Overlapped<T, V128<T>, TOp>(len, ref op);
        else for (nuint i = 0; i < len; i++) op.Step<S<T>>(i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Overlapped<T, TV, TOp>(nuint n, scoped ref TOp op)
        where T : unmanaged where TV : struct, ILanes<TV, T> where TOp : struct, IVecLoop<T>, allows ref struct
    {
        nuint i = 0, w = (nuint)TV.Count;
        for (; i + w < n; i += w) op.Step<TV>(i);
        op.Step<TV>(n - w);
    }

    /// <summary>
    /// Runs <paramref name="op"/>'s vector steps over what they cover of [0, n), the widest lanes first (up to
    /// <paramref name="widest"/> bits) and then narrower ones on the rest (so short rows are vectorised too), and
    /// returns where they stopped: the caller finishes one by one, for kernels whose scalar step is not their
    /// vector step on one lane.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ForNarrowing<T, TOp>(int n, scoped ref TOp op, int widest = 512)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IVecLoop<T>, allows ref struct
    {
        nuint len = (nuint)n, i = 0;
        if (Width >= 512 && widest >= 512) i = Body<T, V512<T>, TOp>(len, ref op, i);
        if (Width >= 256) i = Body<T, V256<T>, TOp>(len, ref op, i);
        if (Width >= 128) i = Body<T, V128<T>, TOp>(len, ref op, i);
        return (int)i;
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static S<T> Load(ref T p, nuint i) => new(Unsafe.Add(ref p, i));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(S<T> v, ref T p, nuint i) => Unsafe.Add(ref p, i) = v.V;
    public static S<T> Splat(T v) => new(v);
    public static T Sum(S<T> v) => v.V;
    public static bool IsDouble => typeof(T) == typeof(double);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static S<T> C(double v) => new(T.CreateTruncating(v));
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
    public static S<T> IsNaN(S<T> a) => new(M(T.IsNaN(a.V)));
    public static S<T> And(S<T> a, S<T> b) => new(a.V * b.V);
    public static S<T> Or(S<T> a, S<T> b) => new(T.Max(a.V, b.V));
    public static S<T> Select(S<T> m, S<T> a, S<T> b) => m.V != T.Zero ? a : b;
    // One lane: a‖b is (a, b), and so is its interleave.
    public static S<T> Even(S<T> a, S<T> b) => a;
    public static S<T> Odd(S<T> a, S<T> b) => b;
    public static S<T> ZipLow(S<T> a, S<T> b) => a;
    public static S<T> ZipHigh(S<T> a, S<T> b) => b;
    public static S<T> Iota(int first, int step) => new(typeof(T) == typeof(float) ? Unsafe.BitCast<int, T>(first) : Unsafe.BitCast<long, T>(first));
    public static void StoreIndices(S<T> v, long start, ref long p, nuint i) =>
        Unsafe.Add(ref p, i) = start + (typeof(T) == typeof(float) ? Unsafe.BitCast<T, int>(v.V) : Unsafe.BitCast<T, long>(v.V));
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128<T> C(double v) => new(Vector128.Create(T.CreateTruncating(v)));
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
    public static V128<T> IsNaN(V128<T> a) => new(Vector128.IsNaN(a.V));
    public static V128<T> And(V128<T> a, V128<T> b) => new(a.V & b.V);
    public static V128<T> Or(V128<T> a, V128<T> b) => new(a.V | b.V);
    public static V128<T> Select(V128<T> m, V128<T> a, V128<T> b) => new(Vector128.ConditionalSelect(m.V, a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128<T> Even(V128<T> a, V128<T> b) => new(Unzip(a.V, b.V, odd: false));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128<T> Odd(V128<T> a, V128<T> b) => new(Unzip(a.V, b.V, odd: true));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128<T> ZipLow(V128<T> a, V128<T> b) => new(Zip(a.V, b.V, high: false));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128<T> ZipHigh(V128<T> a, V128<T> b) => new(Zip(a.V, b.V, high: true));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128<T> Iota(int first, int step) =>
        new(typeof(T) == typeof(float) ? Vector128.CreateSequence(first, step).As<int, T>() : Vector128.CreateSequence((long)first, step).As<long, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreIndices(V128<T> v, long start, ref long p, nuint i)
    {
        var s = Vector128.Create(start);
        if (typeof(T) == typeof(float))
        {
            var (lo, hi) = Vector128.Widen(v.V.AsInt32());
            (lo + s).StoreUnsafe(ref p, i);
            (hi + s).StoreUnsafe(ref p, i + (nuint)Vector128<long>.Count);
        }
        else (v.V.AsInt64() + s).StoreUnsafe(ref p, i);
    }

    // AdvSimd's UZP1/UZP2 and ZIP1/ZIP2; SSE's shufps and unpcklps/unpckhps (for two doubles, unzip is zip).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<T> Unzip(Vector128<T> a, Vector128<T> b, bool odd)
    {
        if (typeof(T) == typeof(float))
        {
            Vector128<float> x = a.AsSingle(), y = b.AsSingle();
            if (AdvSimd.Arm64.IsSupported) return (odd ? AdvSimd.Arm64.UnzipOdd(x, y) : AdvSimd.Arm64.UnzipEven(x, y)).As<float, T>();
            if (Sse.IsSupported) return (odd ? Sse.Shuffle(x, y, 0xDD) : Sse.Shuffle(x, y, 0x88)).As<float, T>();
        }
        else
        {
            Vector128<double> x = a.AsDouble(), y = b.AsDouble();
            if (AdvSimd.Arm64.IsSupported) return (odd ? AdvSimd.Arm64.UnzipOdd(x, y) : AdvSimd.Arm64.UnzipEven(x, y)).As<double, T>();
            if (Sse2.IsSupported) return (odd ? Sse2.UnpackHigh(x, y) : Sse2.UnpackLow(x, y)).As<double, T>();
        }
        return Soft(a, b, odd ? 1 : 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<T> Zip(Vector128<T> a, Vector128<T> b, bool high)
    {
        if (typeof(T) == typeof(float))
        {
            Vector128<float> x = a.AsSingle(), y = b.AsSingle();
            if (AdvSimd.Arm64.IsSupported) return (high ? AdvSimd.Arm64.ZipHigh(x, y) : AdvSimd.Arm64.ZipLow(x, y)).As<float, T>();
            if (Sse.IsSupported) return (high ? Sse.UnpackHigh(x, y) : Sse.UnpackLow(x, y)).As<float, T>();
        }
        else
        {
            Vector128<double> x = a.AsDouble(), y = b.AsDouble();
            if (AdvSimd.Arm64.IsSupported) return (high ? AdvSimd.Arm64.ZipHigh(x, y) : AdvSimd.Arm64.ZipLow(x, y)).As<double, T>();
            if (Sse2.IsSupported) return (high ? Sse2.UnpackHigh(x, y) : Sse2.UnpackLow(x, y)).As<double, T>();
        }
        return Soft(a, b, high ? 3 : 2);
    }

    /// <summary>Without the hardware's shuffles: lane j takes element k of a‖b, k as Even (0), Odd (1), ZipLow (2) or ZipHigh (3) picks it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    static Vector128<T> Soft(Vector128<T> a, Vector128<T> b, int kind)
    {
        int w = Vector128<T>.Count;
        Span<T> r = stackalloc T[w];
        for (int j = 0; j < w; j++)
        {
            int k = kind < 2 ? 2 * j + kind : (j & 1) * w + (kind - 2) * w / 2 + j / 2;
            r[j] = k < w ? a.GetElement(k) : b.GetElement(k - w);
        }
        return Vector128.Create<T>(r);
    }
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256<T> C(double v) => new(Vector256.Create(T.CreateTruncating(v)));
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
    public static V256<T> IsNaN(V256<T> a) => new(Vector256.IsNaN(a.V));
    public static V256<T> And(V256<T> a, V256<T> b) => new(a.V & b.V);
    public static V256<T> Or(V256<T> a, V256<T> b) => new(a.V | b.V);
    public static V256<T> Select(V256<T> m, V256<T> a, V256<T> b) => new(Vector256.ConditionalSelect(m.V, a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256<T> Even(V256<T> a, V256<T> b) => new(Unzip(a.V, b.V, odd: false));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256<T> Odd(V256<T> a, V256<T> b) => new(Unzip(a.V, b.V, odd: true));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256<T> ZipLow(V256<T> a, V256<T> b) => new(Zip(a.V, b.V, high: false));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256<T> ZipHigh(V256<T> a, V256<T> b) => new(Zip(a.V, b.V, high: true));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Iota(int first, int step) =>
        new(typeof(T) == typeof(float) ? Vector256.CreateSequence(first, step).As<int, T>() : Vector256.CreateSequence((long)first, step).As<long, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreIndices(V256<T> v, long start, ref long p, nuint i)
    {
        var s = Vector256.Create(start);
        if (typeof(T) == typeof(float))
        {
            var (lo, hi) = Vector256.Widen(v.V.AsInt32());
            (lo + s).StoreUnsafe(ref p, i);
            (hi + s).StoreUnsafe(ref p, i + (nuint)Vector256<long>.Count);
        }
        else (v.V.AsInt64() + s).StoreUnsafe(ref p, i);
    }

    // One two-table permute with AVX-512VL; with AVX2, in-lane shuffles and a cross-lane permute; else the
    // 128-bit halves' (in software where the hardware has no 256-bit vectors, as on ARM64).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> Unzip(Vector256<T> a, Vector256<T> b, bool odd)
    {
        if (typeof(T) == typeof(float))
        {
            Vector256<float> x = a.AsSingle(), y = b.AsSingle();
            if (Avx512F.VL.IsSupported)
                return Avx512F.VL.PermuteVar8x32x2(x, odd ? Vector256.Create(1, 3, 5, 7, 9, 11, 13, 15) : Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14), y).As<float, T>();
            // shufps picks each 128-bit lane's pairs; vpermpd puts the 64-bit pairs in order.
            if (Avx2.IsSupported) return Avx2.Permute4x64((odd ? Avx.Shuffle(x, y, 0xDD) : Avx.Shuffle(x, y, 0x88)).AsDouble(), 0xD8).As<double, T>();
        }
        else
        {
            Vector256<double> x = a.AsDouble(), y = b.AsDouble();
            if (Avx512F.VL.IsSupported) return Avx512F.VL.PermuteVar4x64x2(x, odd ? Vector256.Create(1L, 3, 5, 7) : Vector256.Create(0L, 2, 4, 6), y).As<double, T>();
            if (Avx2.IsSupported) return Avx2.Permute4x64(odd ? Avx.UnpackHigh(x, y) : Avx.UnpackLow(x, y), 0xD8).As<double, T>();
        }
        return UnzipHalves(a, b, odd);
    }

    // Out of line, so that the paths the hardware takes stay small enough to inline into kernels.
    [MethodImpl(MethodImplOptions.NoInlining)]
    static Vector256<T> UnzipHalves(Vector256<T> a, Vector256<T> b, bool odd) =>
        Vector256.Create(V128<T>.Unzip(a.GetLower(), a.GetUpper(), odd), V128<T>.Unzip(b.GetLower(), b.GetUpper(), odd));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> Zip(Vector256<T> a, Vector256<T> b, bool high)
    {
        if (typeof(T) == typeof(float))
        {
            Vector256<float> x = a.AsSingle(), y = b.AsSingle();
            if (Avx512F.VL.IsSupported)
                return Avx512F.VL.PermuteVar8x32x2(x, high ? Vector256.Create(4, 12, 5, 13, 6, 14, 7, 15) : Vector256.Create(0, 8, 1, 9, 2, 10, 3, 11), y).As<float, T>();
            // unpck interleaves within 128-bit lanes; vperm2f128 takes the low or high lanes of both.
            if (Avx.IsSupported)
            {
                Vector256<float> l = Avx.UnpackLow(x, y), h = Avx.UnpackHigh(x, y);
                return (high ? Avx.Permute2x128(l, h, 0x31) : Avx.Permute2x128(l, h, 0x20)).As<float, T>();
            }
        }
        else
        {
            Vector256<double> x = a.AsDouble(), y = b.AsDouble();
            if (Avx512F.VL.IsSupported) return Avx512F.VL.PermuteVar4x64x2(x, high ? Vector256.Create(2L, 6, 3, 7) : Vector256.Create(0L, 4, 1, 5), y).As<double, T>();
            if (Avx.IsSupported)
            {
                Vector256<double> l = Avx.UnpackLow(x, y), h = Avx.UnpackHigh(x, y);
                return (high ? Avx.Permute2x128(l, h, 0x31) : Avx.Permute2x128(l, h, 0x20)).As<double, T>();
            }
        }
        return ZipHalves(a, b, high);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static Vector256<T> ZipHalves(Vector256<T> a, Vector256<T> b, bool high)
    {
        Vector128<T> p = high ? a.GetUpper() : a.GetLower(), q = high ? b.GetUpper() : b.GetLower();
        return Vector256.Create(V128<T>.Zip(p, q, high: false), V128<T>.Zip(p, q, high: true));
    }
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512<T> C(double v) => new(Vector512.Create(T.CreateTruncating(v)));
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
    public static V512<T> IsNaN(V512<T> a) => new(Vector512.IsNaN(a.V));
    public static V512<T> And(V512<T> a, V512<T> b) => new(a.V & b.V);
    public static V512<T> Or(V512<T> a, V512<T> b) => new(a.V | b.V);
    public static V512<T> Select(V512<T> m, V512<T> a, V512<T> b) => new(Vector512.ConditionalSelect(m.V, a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512<T> Even(V512<T> a, V512<T> b) => new(Unzip(a.V, b.V, odd: false));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512<T> Odd(V512<T> a, V512<T> b) => new(Unzip(a.V, b.V, odd: true));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512<T> ZipLow(V512<T> a, V512<T> b) => new(Zip(a.V, b.V, high: false));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512<T> ZipHigh(V512<T> a, V512<T> b) => new(Zip(a.V, b.V, high: true));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> Iota(int first, int step) =>
        new(typeof(T) == typeof(float) ? Vector512.CreateSequence(first, step).As<int, T>() : Vector512.CreateSequence((long)first, step).As<long, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreIndices(V512<T> v, long start, ref long p, nuint i)
    {
        var s = Vector512.Create(start);
        if (typeof(T) == typeof(float))
        {
            var (lo, hi) = Vector512.Widen(v.V.AsInt32());
            (lo + s).StoreUnsafe(ref p, i);
            (hi + s).StoreUnsafe(ref p, i + (nuint)Vector512<long>.Count);
        }
        else (v.V.AsInt64() + s).StoreUnsafe(ref p, i);
    }

    // One two-table permute with AVX-512; else the 256-bit halves' (Vector512 in software).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<T> Unzip(Vector512<T> a, Vector512<T> b, bool odd)
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                var idx = odd ? Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31)
                              : Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
                return Avx512F.PermuteVar16x32x2(a.AsSingle(), idx, b.AsSingle()).As<float, T>();
            }
            var idx64 = odd ? Vector512.Create(1L, 3, 5, 7, 9, 11, 13, 15) : Vector512.Create(0L, 2, 4, 6, 8, 10, 12, 14);
            return Avx512F.PermuteVar8x64x2(a.AsDouble(), idx64, b.AsDouble()).As<double, T>();
        }
        return UnzipHalves(a, b, odd);
    }

    // Out of line, so that the paths the hardware takes stay small enough to inline into kernels.
    [MethodImpl(MethodImplOptions.NoInlining)]
    static Vector512<T> UnzipHalves(Vector512<T> a, Vector512<T> b, bool odd) =>
        Vector512.Create(V256<T>.Unzip(a.GetLower(), a.GetUpper(), odd), V256<T>.Unzip(b.GetLower(), b.GetUpper(), odd));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<T> Zip(Vector512<T> a, Vector512<T> b, bool high)
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                var idx = high ? Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31)
                               : Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
                return Avx512F.PermuteVar16x32x2(a.AsSingle(), idx, b.AsSingle()).As<float, T>();
            }
            var idx64 = high ? Vector512.Create(4L, 12, 5, 13, 6, 14, 7, 15) : Vector512.Create(0L, 8, 1, 9, 2, 10, 3, 11);
            return Avx512F.PermuteVar8x64x2(a.AsDouble(), idx64, b.AsDouble()).As<double, T>();
        }
        return ZipHalves(a, b, high);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static Vector512<T> ZipHalves(Vector512<T> a, Vector512<T> b, bool high)
    {
        Vector256<T> p = high ? a.GetUpper() : a.GetLower(), q = high ? b.GetUpper() : b.GetLower();
        return Vector512.Create(V256<T>.Zip(p, q, high: false), V256<T>.Zip(p, q, high: true));
    }
}
