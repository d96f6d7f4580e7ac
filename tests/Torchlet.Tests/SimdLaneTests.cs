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
    }

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
