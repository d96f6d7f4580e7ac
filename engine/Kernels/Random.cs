using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Torchlet.Kernels;

/// <summary>
/// ATen's samplers (uniform_, normal_, exponential_, random_, bernoulli, randperm, multinomial, rrelu's noise), drawing
/// from PyTorch's mt19937 in PyTorch's order so that a seed gives PyTorch's numbers; normal_fill is in NormalFill.cs.
/// </summary>
internal static partial class RandomKernels
{
    // Entry points: d is the buffer a sampler writes in TensorIterator order (offset o, n elements), the tensor itself
    // when contiguous, else a scratch the op writes back. Each draws in order from g; callers hold g's lock.

    /// <summary>uniform_: x·(to − from) + from, the range computed in the dtype; false (nothing drawn) when it overflows there.</summary>
    public static bool Uniform(ScalarType dtype, Array d, int o, int n, double from, double to, torch.Generator g)
    {
        var action = new UniformAction(d, o, n, from, to, g);
        Dispatch.Floating(dtype, ref action, "uniform_");
        return action.Finite;
    }

    // Not readonly: Run reports through Finite, and Dispatch runs the action by reference.
    struct UniformAction(Array d, int o, int n, double from, double to, torch.Generator g) : IFloatingAction
    {
        public bool Finite;

        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            T f = T.CreateTruncating(from), range = T.CreateTruncating(to) - f;
            if (!(Finite = T.IsFinite(range))) return;
            var s = ((T[])d).AsSpan(o, n);
            if (typeof(T) == typeof(float)) g.UniformFloats(MemoryMarshal.Cast<T, float>(s), Unsafe.BitCast<T, float>(f), Unsafe.BitCast<T, float>(range));
            else g.UniformDoubles(MemoryMarshal.Cast<T, double>(s), Unsafe.BitCast<T, double>(f), Unsafe.BitCast<T, double>(range));
        }
    }

    /// <summary>
    /// normal_: a contiguous buffer of 16 or more goes through ATen's normal_fill (<paramref name="blocks"/>); otherwise
    /// one normal_distribution&lt;double&gt; draw per element (Box–Muller with its cached second sample), rounded to the dtype.
    /// </summary>
    public static void Normal(ScalarType dtype, Array d, int o, int n, double mean, double std, bool blocks, torch.Generator g)
    {
        var action = new NormalAction(d, o, n, mean, std, blocks, g);
        Dispatch.Floating(dtype, ref action, "normal_");
    }

    readonly struct NormalAction(Array d, int o, int n, double mean, double std, bool blocks, torch.Generator g) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var s = ((T[])d).AsSpan(o, n);
            if (blocks) NormalFill(s, T.CreateTruncating(mean), T.CreateTruncating(std), g);
            else for (int i = 0; i < s.Length; i++) s[i] = T.CreateTruncating(g.Normal(mean, std));
        }
    }

    /// <summary>exponential_: −log(1 − u) / λ on 53-bit uniforms, computed in double and rounded to the dtype.</summary>
    public static void Exponential(ScalarType dtype, Array d, int o, int n, double lambd, torch.Generator g)
    {
        var action = new ExponentialAction(d, o, n, -1.0 / lambd, g);
        Dispatch.Floating(dtype, ref action, "exponential_");
    }

    readonly struct ExponentialAction(Array d, int o, int n, double k, torch.Generator g) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var s = ((T[])d).AsSpan(o, n);
            for (int i = 0; i < s.Length; i++) s[i] = T.CreateTruncating(k * Math.Log(1.0 - g.Uniform53()));
        }
    }

    /// <summary>
    /// random_() over the dtype's natural range, drawn as ATen's random_kernel draws it (uniform_int_distribution&lt;T&gt;):
    /// one draw per element, in order, 64 bits for int64 and float64 and 32 bits otherwise, reduced by <see cref="UniformInt{T}"/>.
    /// </summary>
    public static void FullRange(ScalarType dtype, Array d, int o, int n, torch.Generator g)
    {
        var action = new FullRangeAction(d, o, n, g);
        Dispatch.Any(dtype, ref action);
    }

    readonly struct FullRangeAction(Array d, int o, int n, torch.Generator g) : IAnyAction
    {
        public void Run<T>() where T : unmanaged
        {
            var s = ((T[])d).AsSpan(o, n);
            bool wide = typeof(T) == typeof(long) || typeof(T) == typeof(double);
            for (int i = 0; i < s.Length; i++) s[i] = UniformInt<T>(wide ? g.Random64() : g.Random());
        }
    }

    /// <summary>random_(from=int64 min, to=None) on a 64-bit dtype: one 64-bit draw per element reinterpreted as signed.</summary>
    public static void Random64(Span<long> d, torch.Generator g)
    {
        for (int i = 0; i < d.Length; i++) d[i] = unchecked((long)g.Random64());
    }

    /// <summary>d[i] = 1 with probability p, else 0: a 53-bit uniform compared with p (bernoulli_(double p)).</summary>
    public static void Bernoulli(Span<double> d, double p, torch.Generator g)
    {
        for (int i = 0; i < d.Length; i++) d[i] = g.Uniform53() < p ? 1 : 0;
    }

    /// <summary>
    /// d[i] = 1 with probability p[i], else 0, as ATen's bernoulli_distribution&lt;T&gt; draws it for probabilities of
    /// dtype <paramref name="pDtype"/>: a uniform of T's precision (24 bits for float, 53 for double) compared with p[i] rounded to T.
    /// </summary>
    public static void Bernoulli(ScalarType pDtype, double[] d, int o, int n, double[] p, torch.Generator g)
    {
        var action = new BernoulliAction(d, o, n, p, g);
        Dispatch.Floating(pDtype, ref action, "bernoulli_");
    }

    readonly struct BernoulliAction(double[] d, int o, int n, double[] p, torch.Generator g) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var s = d.AsSpan(o, n);
            for (int i = 0; i < s.Length; i++)
            {
                T u = typeof(T) == typeof(float) ? T.CreateTruncating(g.Uniform24()) : T.CreateTruncating(g.Uniform53());
                s[i] = u < T.CreateTruncating(p[i]) ? 1 : 0;
            }
        }
    }

    /// <summary>randperm's CPU shuffle: r = 0..n−1, then for each i &lt; n − 1 swap r[i] with r[i + draw % (n − i)] (32-bit draws).</summary>
    public static void Randperm(Span<long> r, torch.Generator g)
    {
        long n = r.Length;
        for (int i = 0; i < r.Length; i++) r[i] = i;
        for (int i = 0; i < n - 1; i++)
        {
            int z = (int)(g.Random() % (n - i));
            (r[i], r[z + i]) = (r[z + i], r[i]);
        }
    }

    /// <summary>
    /// rrelu_with_noise's training draw over n contiguous elements: r = x·a with a ~ U(lower, upper) where x ≤ 0 (the bounds
    /// rounded to the dtype first, the sample drawn in double and rounded, as PyTorch's CPU kernel), else r = x; a goes to noise.
    /// </summary>
    public static void RreluWithNoise(ScalarType dtype, Array x, int xo, Array r, Array noise, int n, double lower, double upper, torch.Generator g)
    {
        var action = new RreluAction(x, xo, r, noise, n, lower, upper, g);
        Dispatch.Floating(dtype, ref action, "rrelu_with_noise");
    }

    readonly struct RreluAction(Array x, int xo, Array r, Array noise, int n, double lower, double upper, torch.Generator g) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            double lo = double.CreateTruncating(T.CreateTruncating(lower)), hi = double.CreateTruncating(T.CreateTruncating(upper));
            var xs = ((T[])x).AsSpan(xo, n); var rs = ((T[])r).AsSpan(0, n); var ns = ((T[])noise).AsSpan(0, n);
            for (int i = 0; i < xs.Length; i++)
            {
                if (xs[i] <= T.Zero) { T s = T.CreateTruncating(g.Uniform53() * (hi - lo) + lo); rs[i] = xs[i] * s; ns[i] = s; }
                else { rs[i] = xs[i]; ns[i] = T.One; }
            }
        }
    }

    // ---------------------------------------------------------------- multinomial (p: nDist rows of nCat weights, in float64)

    /// <summary>
    /// Without replacement, PyTorch's exponential race: per row, the <paramref name="ns"/> categories with the largest
    /// p / q (q ~ Exp(1), same layout), ties to the lower index; p / q is rounded in the tensor's dtype, as div_out computes it.
    /// </summary>
    public static void MultinomialRace(ScalarType dtype, double[] p, double[] q, int nDist, int nCat, int ns, long[] dst) =>
        Dispatch.Floating(dtype, "multinomial", () => Race<float>(p, q, nDist, nCat, ns, dst), () => Race<double>(p, q, nDist, nCat, ns, dst));

    static void Race<T>(double[] p, double[] q, int nDist, int nCat, int ns, long[] dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var key = new double[nCat];
        var order = new int[nCat];
        for (int r = 0; r < nDist; r++)
        {
            for (int j = 0; j < nCat; j++)
            {
                key[j] = double.CreateTruncating(T.CreateTruncating(p[r * nCat + j]) / T.CreateTruncating(q[r * nCat + j]));
                order[j] = j;
            }
            Array.Sort(order, (a, b) => key[b].CompareTo(key[a]) is var c && c != 0 ? c : a.CompareTo(b));
            for (int k = 0; k < ns; k++) dst[r * ns + k] = order[k];
        }
    }

    /// <summary>Each row's sum accumulated in the tensor's dtype (checked before anything is drawn).</summary>
    public static double[] MultinomialRowSums(ScalarType dtype, double[] p, int nDist, int nCat) =>
        Dispatch.Floating(dtype, "multinomial", () => RowSums<float>(p, nDist, nCat), () => RowSums<double>(p, nDist, nCat));

    static double[] RowSums<T>(double[] p, int nDist, int nCat) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var cum = new double[nCat];
        var sums = new double[nDist];
        for (int r = 0; r < nDist; r++) sums[r] = CumSum<T>(p.AsSpan(r * nCat, nCat), cum);
        return sums;
    }

    /// <summary>
    /// With replacement: per row, the cumulative sums in the tensor's dtype divided by the row's sum, the last bucket
    /// forced to 1; each sample is the first bucket not below a 53-bit uniform (binary search). Call under g's lock.
    /// </summary>
    public static void MultinomialSearch(ScalarType dtype, double[] p, double[] sums, int nDist, int nCat, int ns, torch.Generator g, long[] dst) =>
        Dispatch.Floating(dtype, "multinomial", () => Search<float>(p, sums, nDist, nCat, ns, g, dst), () => Search<double>(p, sums, nDist, nCat, ns, g, dst));

    static void Search<T>(double[] p, double[] sums, int nDist, int nCat, int ns, torch.Generator g, long[] dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var cum = new double[nCat];
        for (int r = 0; r < nDist; r++)
        {
            T s = T.CreateTruncating(sums[r]);
            CumSum<T>(p.AsSpan(r * nCat, nCat), cum);
            for (int j = 0; j < nCat; j++) cum[j] = double.CreateTruncating(T.CreateTruncating(cum[j]) / s);
            cum[nCat - 1] = 1;
            for (int k = 0; k < ns; k++)
            {
                double u = g.Uniform53();
                int lo = 0, hi = nCat;
                while (hi - lo > 0)
                {
                    int mid = lo + (hi - lo) / 2;
                    if (cum[mid] < u) lo = mid + 1; else hi = mid;
                }
                dst[r * ns + k] = lo;
            }
        }
    }

    /// <summary>cum[j] = p[0] + … + p[j] accumulated in T; returns the total.</summary>
    static double CumSum<T>(ReadOnlySpan<double> p, double[] cum) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T s = T.Zero;
        for (int j = 0; j < p.Length; j++) { s += T.CreateTruncating(p[j]); cum[j] = double.CreateTruncating(s); }
        return double.CreateTruncating(s);
    }

    /// <summary>ATen's transformation::uniform_int: bool keeps the low bit, integers the draw modulo max + 1, floating types modulo 2^digits + 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static T UniformInt<T>(ulong v) where T : unmanaged
    {
        // Each test folds to a constant for the T the JIT compiles, leaving one reduction and one conversion.
        if (typeof(T) == typeof(bool)) return (T)(object)((v & 1) != 0);
        if (typeof(T) == typeof(byte)) return (T)(object)(byte)(v % ((ulong)byte.MaxValue + 1));
        if (typeof(T) == typeof(int)) return (T)(object)(int)(v % ((ulong)int.MaxValue + 1));
        if (typeof(T) == typeof(long)) return (T)(object)(long)(v % ((ulong)long.MaxValue + 1));
        if (typeof(T) == typeof(float)) return (T)(object)(float)(v % ((1UL << 24) + 1));
        if (typeof(T) == typeof(double)) return (T)(object)(double)(v % ((1UL << 53) + 1));
        throw new NotSupportedException($"random_: no uniform_int for the element type {typeof(T).Name}");
    }
}
