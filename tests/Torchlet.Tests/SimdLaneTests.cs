using System.Numerics;
using Torchlet.Kernels;
using Xunit;

namespace Torchlet.Tests;

/// <summary>
/// The SIMD substrate's lane types (Kernels/Simd.cs) against its scalar lane: every operation a kernel may use gives
/// the scalar result in every lane, for each width whatever the process runs at (Vector512 runs in software where the
/// CPU lacks it), so a kernel written once is right at every width. Exp and Log come from the runtime's vector
/// math, whose results may differ from the scalar ones in the last bits.
/// </summary>
public class SimdLaneTests
{
    [Theory]
    [InlineData("512", 512)]
    [InlineData("256", 256)]
    [InlineData(" 128 ", 128)]
    [InlineData("0", 0)]
    [InlineData("scalar", 0)]
    public void The_width_switch_takes_each_width(string forced, int width) => Assert.Equal(width, Simd.Choose(forced));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("64")]
    public void Without_a_valid_switch_the_width_is_the_hardware_one(string? forced) => Assert.Equal(Simd.HardwareWidth, Simd.Choose(forced));

    [Fact]
    public void Float_lanes_match_the_scalar_lane() => AllWidths<float>(1e-6);

    [Fact]
    public void Double_lanes_match_the_scalar_lane() => AllWidths<double>(1e-14);

    static void AllWidths<T>(double expLogTolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Compare<T, V128<T>>(expLogTolerance);
        Compare<T, V256<T>>(expLogTolerance);
        Compare<T, V512<T>>(expLogTolerance);
        foreach (var shuffles in new Action[] { Shuffles<T, S<T>>, Shuffles<T, V128<T>>, Shuffles<T, V256<T>>, Shuffles<T, V512<T>> }) shuffles();
        Indices<T, V128<T>>();
        Indices<T, V256<T>>();
        Indices<T, V512<T>>();
    }

    /// <summary>Even/Odd/ZipLow/ZipHigh take the elements of a‖b and of its interleave they name, bit for bit (NaN and −0 included).</summary>
    static void Shuffles<T, TV>() where T : unmanaged, IFloatingPointIeee754<T> where TV : struct, ILanes<TV, T>
    {
        int w = TV.Count;
        var ab = new T[2 * w];
        for (int i = 0; i < ab.Length; i++) ab[i] = T.CreateTruncating(i + 1);
        ab[^1] = T.NaN; ab[w - 1] = T.NegativeZero;
        TV a = TV.Load(ref ab[0], 0), b = TV.Load(ref ab[0], (nuint)w);
        // Element k of the interleave a0 b0 a1 b1 …
        T Zipped(int k) => ab[(k & 1) * w + k / 2];
        var got = new T[w];
        foreach (var (name, op, want) in new (string, Func<TV, TV, TV>, Func<int, T>)[]
        {
            ("even", TV.Even, j => ab[2 * j]),
            ("odd", TV.Odd, j => ab[2 * j + 1]),
            ("ziplow", TV.ZipLow, j => Zipped(j)),
            ("ziphigh", TV.ZipHigh, j => Zipped(w + j)),
        })
        {
            TV.Store(op(a, b), ref got[0], 0);
            for (int j = 0; j < w; j++)
                Assert.True(Same(want(j), got[j]), $"{typeof(TV).Name} {name} lane {j}: {got[j]}, expected {want(j)}");
        }
        // Zipping undoes unzipping.
        TV lo = TV.ZipLow(TV.Even(a, b), TV.Odd(a, b)), hi = TV.ZipHigh(TV.Even(a, b), TV.Odd(a, b));
        var back = new T[2 * w];
        TV.Store(lo, ref back[0], 0); TV.Store(hi, ref back[0], (nuint)w);
        for (int i = 0; i < back.Length; i++) Assert.True(Same(ab[i], back[i]), $"{typeof(TV).Name} zip(unzip) at {i}");
    }

    /// <summary>Index lanes: Iota's integers stored with a start, and a mask's pick between two sets, as the scalar lane gives them lane by lane.</summary>
    static void Indices<T, TV>() where T : unmanaged, IFloatingPointIeee754<T> where TV : struct, ILanes<TV, T>
    {
        int w = TV.Count;
        var got = new long[w];
        TV.StoreIndices(TV.Iota(1 << 30, 3), 5_000_000_000, ref got[0], 0);
        for (int j = 0; j < w; j++) Assert.Equal(5_000_000_000 + (1 << 30) + 3 * j, got[j]);
        T[] x = Inputs<T>(4 * w, 5), y = Inputs<T>(4 * w, 6);
        Array.Reverse(y);
        var want = new long[1];
        for (int i = 0; i < x.Length; i += w)
        {
            TV m = TV.Or(TV.Gt(TV.Load(ref x[0], (nuint)i), TV.Load(ref y[0], (nuint)i)), TV.IsNaN(TV.Load(ref x[0], (nuint)i)));
            TV.StoreIndices(TV.Select(m, TV.Iota(1, 2), TV.Iota(-7, 2)), i, ref got[0], 0);
            for (int j = 0; j < w; j++)
            {
                var sm = S<T>.Or(S<T>.Gt(new(x[i + j]), new(y[i + j])), S<T>.IsNaN(new(x[i + j])));
                S<T>.StoreIndices(S<T>.Select(sm, S<T>.Iota(1 + 2 * j, 2), S<T>.Iota(-7 + 2 * j, 2)), i, ref want[0], 0);
                Assert.True(want[0] == got[j], $"{typeof(TV).Name} index pick at {i + j} ({x[i + j]} vs {y[i + j]}): {got[j]}, scalar lane gives {want[0]}");
            }
        }
    }

    /// <summary>Equal bit for bit, as far as a NaN's payload goes: the same number, with the same sign of zero, or both NaN.</summary>
    internal static bool Same<T>(T a, T b) where T : IFloatingPointIeee754<T> =>
        T.IsNaN(a) ? T.IsNaN(b) : a.Equals(b) && T.IsNegative(a) == T.IsNegative(b);

    static T[] Inputs<T>(int n, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        var special = new[] { 0.0, -0.0, 1.0, -1.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e-30, 88.0, -100.0 };
        var x = new T[n];
        for (int i = 0; i < n; i++) x[i] = T.CreateTruncating(i < special.Length ? special[i] : (rng.NextDouble() - 0.5) * 20);
        return x;
    }

    static void Compare<T, TV>(double tol) where T : unmanaged, IFloatingPointIeee754<T> where TV : struct, ILanes<TV, T>
    {
        int n = TV.Count * 8;
        T[] a = Inputs<T>(n, 1), b = Inputs<T>(n, 2), c = Inputs<T>(n, 3);
        Array.Reverse(b);
        var ops = new (string name, Func<TV, TV, TV, TV> vec, Func<S<T>, S<T>, S<T>, S<T>> sc)[]
        {
            ("+", (x, y, z) => x + y, (x, y, z) => x + y),
            ("-", (x, y, z) => x - y, (x, y, z) => x - y),
            ("neg", (x, y, z) => -x, (x, y, z) => -x),
            ("*", (x, y, z) => x * y, (x, y, z) => x * y),
            ("/", (x, y, z) => x / y, (x, y, z) => x / y),
            ("fma", (x, y, z) => TV.Fma(x, y, z), (x, y, z) => S<T>.Fma(x, y, z)),
            ("sqrt", (x, y, z) => TV.Sqrt(x), (x, y, z) => S<T>.Sqrt(x)),
            ("max", (x, y, z) => TV.Max(x, y), (x, y, z) => S<T>.Max(x, y)),
            ("min", (x, y, z) => TV.Min(x, y), (x, y, z) => S<T>.Min(x, y)),
            ("abs", (x, y, z) => TV.Abs(x), (x, y, z) => S<T>.Abs(x)),
            ("select gt", (x, y, z) => TV.Select(TV.Gt(x, y), x, z), (x, y, z) => S<T>.Select(S<T>.Gt(x, y), x, z)),
            ("select ge", (x, y, z) => TV.Select(TV.Ge(x, y), x, z), (x, y, z) => S<T>.Select(S<T>.Ge(x, y), x, z)),
            ("select lt", (x, y, z) => TV.Select(TV.Lt(x, y), x, z), (x, y, z) => S<T>.Select(S<T>.Lt(x, y), x, z)),
            ("select le", (x, y, z) => TV.Select(TV.Le(x, y), x, z), (x, y, z) => S<T>.Select(S<T>.Le(x, y), x, z)),
            ("select eq", (x, y, z) => TV.Select(TV.Eq(x, x), y, z), (x, y, z) => S<T>.Select(S<T>.Eq(x, x), y, z)),
            ("select isnan", (x, y, z) => TV.Select(TV.IsNaN(x), y, z), (x, y, z) => S<T>.Select(S<T>.IsNaN(x), y, z)),
            ("select and/or", (x, y, z) => TV.Select(TV.Or(TV.And(TV.Gt(x, y), TV.Gt(y, z)), TV.Lt(x, z)), x, y),
                              (x, y, z) => S<T>.Select(S<T>.Or(S<T>.And(S<T>.Gt(x, y), S<T>.Gt(y, z)), S<T>.Lt(x, z)), x, y)),
        };
        var got = new T[n];
        foreach (var (name, vec, sc) in ops)
        {
            for (nuint i = 0; i < (nuint)n; i += (nuint)TV.Count)
                TV.Store(vec(TV.Load(ref a[0], i), TV.Load(ref b[0], i), TV.Load(ref c[0], i)), ref got[0], i);
            for (int i = 0; i < n; i++)
            {
                T want = sc(new S<T>(a[i]), new S<T>(b[i]), new S<T>(c[i])).V;
                Assert.True(want.Equals(got[i]) || T.IsNaN(want) && T.IsNaN(got[i]),
                    $"{typeof(TV).Name} {name} at {i} ({a[i]}, {b[i]}, {c[i]}): {got[i]}, scalar lane gives {want}");
            }
        }
        foreach (var (name, vec, sc) in new (string, Func<TV, TV>, Func<S<T>, S<T>>)[] { ("exp", TV.Exp, S<T>.Exp), ("log", TV.Log, S<T>.Log) })
        {
            for (nuint i = 0; i < (nuint)n; i += (nuint)TV.Count) TV.Store(vec(TV.Load(ref a[0], i)), ref got[0], i);
            for (int i = 0; i < n; i++)
            {
                double want = double.CreateTruncating(sc(new S<T>(a[i])).V), g = double.CreateTruncating(got[i]);
                bool same = want.Equals(g) || Math.Abs(g - want) <= tol * Math.Abs(want) || double.IsNaN(want) && double.IsNaN(g);
                Assert.True(same, $"{typeof(TV).Name} {name}({a[i]}): {g}, scalar lane gives {want}");
            }
        }
        // Sum: the lanes' horizontal sum of small integers is exact in any order.
        var ints = new T[TV.Count];
        for (int i = 0; i < ints.Length; i++) ints[i] = T.CreateTruncating(i + 1);
        Assert.Equal(T.CreateTruncating(TV.Count * (TV.Count + 1) / 2), TV.Sum(TV.Load(ref ints[0], 0)));
        Assert.Equal(T.CreateTruncating(2.5 * TV.Count), TV.Sum(TV.Splat(T.CreateTruncating(2.5))));
    }
}
