using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Torchlet.Kernels;

/// <summary>
/// Fused optimizer updates: one pass over a parameter, its gradient and its state instead of a
/// chain of tensor ops with temporaries. Each formula repeats PyTorch 1.13's CPU rounding steps:
/// <c>a.add_(b, alpha)</c> is one fused multiply-add <c>fma(b, alpha, a)</c>,
/// <c>a.addcmul_(b, c, value)</c> is <c>fma(value·b, c, a)</c>, <c>a.addcdiv_(b, c, value)</c>
/// is <c>a + value·b / c</c>, and Python floats are rounded to the tensor's dtype first.
/// The vector and scalar paths do the same operations, so results do not depend on the path.
/// </summary>
internal static class OptimKernels
{
    const int ParallelThreshold = 1 << 16;

    // ---------------------------------------------------------------- SGD

    /// <summary>Hyper-parameters of one SGD update, already rounded to the parameter's dtype.</summary>
    internal struct SgdArgs<T> where T : unmanaged
    {
        public T NegLr, WeightDecay, Momentum, OneMinusDampening;
        public bool HasWeightDecay, HasMomentum, FirstStep, Nesterov, Maximize;
    }

    /// <summary>
    /// d = ±g (+ wd·p); buf = d on the first step, else buf·μ + (1−τ)·d; d = d + μ·buf (Nesterov)
    /// or buf; p = p − lr·d. <paramref name="buf"/> is ignored without momentum.
    /// </summary>
    public static void Sgd<T>(T[] p, int po, T[] g, int go, T[]? buf, int bo, int n, in SgdArgs<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n < ParallelThreshold) { SgdRange(p, po, g, go, buf, bo, 0, n, a); return; }
        var args = a;
        Threading.For(n, 4, (s, e) => SgdRange(p, po, g, go, buf, bo, s, e, args));
    }

    static void SgdRange<T>(T[] pa, int po, T[] ga, int go, T[]? ba, int bo, int start, int end, in SgdArgs<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = end - start;
        Span<T> p = pa.AsSpan(po + start, n);
        ReadOnlySpan<T> g = ga.AsSpan(go + start, n);
        Span<T> b = a.HasMomentum ? ba!.AsSpan(bo + start, n) : default;
        ref T pr = ref MemoryMarshal.GetReference(p);
        ref T gr = ref MemoryMarshal.GetReference(g);
        ref T br = ref MemoryMarshal.GetReference(b);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<T>.Count)
        {
            var lr = Vector512.Create(a.NegLr); var wd = Vector512.Create(a.WeightDecay);
            var mu = Vector512.Create(a.Momentum); var damp = Vector512.Create(a.OneMinusDampening);
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
            {
                var pv = Vector512.LoadUnsafe(ref pr, (nuint)i);
                var d = Vector512.LoadUnsafe(ref gr, (nuint)i);
                if (a.Maximize) d = -d;
                if (a.HasWeightDecay) d = Fma(pv, wd, d);
                if (a.HasMomentum)
                {
                    var bv = a.FirstStep ? d : Fma(d, damp, Vector512.LoadUnsafe(ref br, (nuint)i) * mu);
                    bv.StoreUnsafe(ref br, (nuint)i);
                    d = a.Nesterov ? Fma(bv, mu, d) : bv;
                }
                Fma(d, lr, pv).StoreUnsafe(ref pr, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<T>.Count)
        {
            var lr = Vector256.Create(a.NegLr); var wd = Vector256.Create(a.WeightDecay);
            var mu = Vector256.Create(a.Momentum); var damp = Vector256.Create(a.OneMinusDampening);
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                var pv = Vector256.LoadUnsafe(ref pr, (nuint)i);
                var d = Vector256.LoadUnsafe(ref gr, (nuint)i);
                if (a.Maximize) d = -d;
                if (a.HasWeightDecay) d = Fma(pv, wd, d);
                if (a.HasMomentum)
                {
                    var bv = a.FirstStep ? d : Fma(d, damp, Vector256.LoadUnsafe(ref br, (nuint)i) * mu);
                    bv.StoreUnsafe(ref br, (nuint)i);
                    d = a.Nesterov ? Fma(bv, mu, d) : bv;
                }
                Fma(d, lr, pv).StoreUnsafe(ref pr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            T pv = p[i], d = g[i];
            if (a.Maximize) d = -d;
            if (a.HasWeightDecay) d = T.FusedMultiplyAdd(pv, a.WeightDecay, d);
            if (a.HasMomentum)
            {
                T bv = a.FirstStep ? d : T.FusedMultiplyAdd(d, a.OneMinusDampening, b[i] * a.Momentum);
                b[i] = bv;
                d = a.Nesterov ? T.FusedMultiplyAdd(bv, a.Momentum, d) : bv;
            }
            p[i] = T.FusedMultiplyAdd(d, a.NegLr, pv);
        }
    }

    // ---------------------------------------------------------------- Adam

    /// <summary>Hyper-parameters of one Adam update, already rounded to the parameter's dtype.</summary>
    internal struct AdamArgs<T> where T : unmanaged
    {
        public T WeightDecay, Beta1, OneMinusBeta1, Beta2, OneMinusBeta2, BiasCorrection2Sqrt, Eps, NegStepSize;
        public bool HasWeightDecay, AmsGrad, Maximize;
    }

    /// <summary>
    /// g = ±grad (+ wd·p); m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; (AMSGrad: vmax = max(vmax, v), used for v);
    /// p = p − step_size·m / (√v / √(1−β2^t) + ε), step_size = lr / (1−β1^t).
    /// </summary>
    public static void Adam<T>(T[] p, int po, T[] g, int go, T[] m, T[] v, T[]? vmax, int n, in AdamArgs<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n < ParallelThreshold) { AdamRange(p, po, g, go, m, v, vmax, 0, n, a); return; }
        var args = a;
        Threading.For(n, 8, (s, e) => AdamRange(p, po, g, go, m, v, vmax, s, e, args));
    }

    static void AdamRange<T>(T[] pa, int po, T[] ga, int go, T[] ma, T[] va, T[]? xa, int start, int end, in AdamArgs<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = end - start;
        Span<T> p = pa.AsSpan(po + start, n), m = ma.AsSpan(start, n), v = va.AsSpan(start, n);
        ReadOnlySpan<T> g = ga.AsSpan(go + start, n);
        Span<T> x = a.AmsGrad ? xa!.AsSpan(start, n) : default;
        ref T pr = ref MemoryMarshal.GetReference(p);
        ref T gr = ref MemoryMarshal.GetReference(g);
        ref T mr = ref MemoryMarshal.GetReference(m);
        ref T vr = ref MemoryMarshal.GetReference(v);
        ref T xr = ref MemoryMarshal.GetReference(x);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<T>.Count)
        {
            var wd = Vector512.Create(a.WeightDecay); var b1 = Vector512.Create(a.Beta1); var c1 = Vector512.Create(a.OneMinusBeta1);
            var b2 = Vector512.Create(a.Beta2); var c2 = Vector512.Create(a.OneMinusBeta2);
            var bc2 = Vector512.Create(a.BiasCorrection2Sqrt); var eps = Vector512.Create(a.Eps); var step = Vector512.Create(a.NegStepSize);
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
            {
                var pv = Vector512.LoadUnsafe(ref pr, (nuint)i);
                var gv = Vector512.LoadUnsafe(ref gr, (nuint)i);
                if (a.Maximize) gv = -gv;
                if (a.HasWeightDecay) gv = Fma(pv, wd, gv);
                var mv = Fma(gv, c1, Vector512.LoadUnsafe(ref mr, (nuint)i) * b1);
                var vv = Fma(c2 * gv, gv, Vector512.LoadUnsafe(ref vr, (nuint)i) * b2);
                mv.StoreUnsafe(ref mr, (nuint)i);
                vv.StoreUnsafe(ref vr, (nuint)i);
                if (a.AmsGrad)
                {
                    vv = Vector512.Max(Vector512.LoadUnsafe(ref xr, (nuint)i), vv);
                    vv.StoreUnsafe(ref xr, (nuint)i);
                }
                var denom = Vector512.Sqrt(vv) / bc2 + eps;
                (pv + step * mv / denom).StoreUnsafe(ref pr, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<T>.Count)
        {
            var wd = Vector256.Create(a.WeightDecay); var b1 = Vector256.Create(a.Beta1); var c1 = Vector256.Create(a.OneMinusBeta1);
            var b2 = Vector256.Create(a.Beta2); var c2 = Vector256.Create(a.OneMinusBeta2);
            var bc2 = Vector256.Create(a.BiasCorrection2Sqrt); var eps = Vector256.Create(a.Eps); var step = Vector256.Create(a.NegStepSize);
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                var pv = Vector256.LoadUnsafe(ref pr, (nuint)i);
                var gv = Vector256.LoadUnsafe(ref gr, (nuint)i);
                if (a.Maximize) gv = -gv;
                if (a.HasWeightDecay) gv = Fma(pv, wd, gv);
                var mv = Fma(gv, c1, Vector256.LoadUnsafe(ref mr, (nuint)i) * b1);
                var vv = Fma(c2 * gv, gv, Vector256.LoadUnsafe(ref vr, (nuint)i) * b2);
                mv.StoreUnsafe(ref mr, (nuint)i);
                vv.StoreUnsafe(ref vr, (nuint)i);
                if (a.AmsGrad)
                {
                    vv = Vector256.Max(Vector256.LoadUnsafe(ref xr, (nuint)i), vv);
                    vv.StoreUnsafe(ref xr, (nuint)i);
                }
                var denom = Vector256.Sqrt(vv) / bc2 + eps;
                (pv + step * mv / denom).StoreUnsafe(ref pr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            T pv = p[i], gv = g[i];
            if (a.Maximize) gv = -gv;
            if (a.HasWeightDecay) gv = T.FusedMultiplyAdd(pv, a.WeightDecay, gv);
            T mv = T.FusedMultiplyAdd(gv, a.OneMinusBeta1, m[i] * a.Beta1);
            T vv = T.FusedMultiplyAdd(a.OneMinusBeta2 * gv, gv, v[i] * a.Beta2);
            m[i] = mv; v[i] = vv;
            if (a.AmsGrad) { vv = T.Max(x[i], vv); x[i] = vv; }
            T denom = T.Sqrt(vv) / a.BiasCorrection2Sqrt + a.Eps;
            p[i] = pv + a.NegStepSize * mv / denom;
        }
    }

    // ---------------------------------------------------------------- helpers

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<T> Fma<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (typeof(T) == typeof(float)) return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<T> Fma<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
    {
        if (typeof(T) == typeof(float)) return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
    }
}

/// <summary>
/// One fused RMSprop update with PyTorch 1.13's rounding steps (see <see cref="OptimKernels"/>):
/// g = fma(p, wd, ±g); v = fma((1−α)·g, g, v·α); centered: m = fma(g, 1−α, m·α), avg = √fma(−m, m, v);
/// avg += ε; momentum: buf = buf·μ + g/avg, p = fma(buf, −lr, p); else p = p + (−lr·g)/avg.
/// </summary>
internal static class RmspropKernel
{
    internal struct Args<T> where T : unmanaged
    {
        public T Alpha, OneMinusAlpha, Eps, WeightDecay, Momentum, NegLr;
        public bool HasWeightDecay, HasMomentum, Centered, Maximize;
    }

    public static void Run<T>(T[] p, int po, T[] g, int go, T[] v, T[]? m, T[]? buf, int n, in Args<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n < 1 << 16) { Range(p, po, g, go, v, m, buf, 0, n, a); return; }
        var args = a;
        Threading.For(n, 6, (s, e) => Range(p, po, g, go, v, m, buf, s, e, args));
    }

    static void Range<T>(T[] pa, int po, T[] ga, int go, T[] va, T[]? ma, T[]? ba, int start, int end, in Args<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = end - start, i = 0;
        Span<T> p = pa.AsSpan(po + start, n), v = va.AsSpan(start, n);
        ReadOnlySpan<T> g = ga.AsSpan(go + start, n);
        Span<T> m = a.Centered ? ma!.AsSpan(start, n) : default, b = a.HasMomentum ? ba!.AsSpan(start, n) : default;
        if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
        {
            var pv = MemoryMarshal.Cast<T, Vector<T>>(p); var vv = MemoryMarshal.Cast<T, Vector<T>>(v);
            var gv = MemoryMarshal.Cast<T, Vector<T>>(g);
            var mv = MemoryMarshal.Cast<T, Vector<T>>(m); var bv = MemoryMarshal.Cast<T, Vector<T>>(b);
            Vector<T> alpha = new(a.Alpha), oma = new(a.OneMinusAlpha), eps = new(a.Eps), wd = new(a.WeightDecay), mu = new(a.Momentum), nlr = new(a.NegLr);
            for (int k = 0; k < pv.Length; k++)
            {
                var x = gv[k];
                if (a.Maximize) x = -x;
                if (a.HasWeightDecay) x = Fma(pv[k], wd, x);
                var sq = Fma(oma * x, x, vv[k] * alpha);
                vv[k] = sq;
                Vector<T> avg;
                if (a.Centered)
                {
                    var ga2 = Fma(x, oma, mv[k] * alpha);
                    mv[k] = ga2;
                    avg = Vector.SquareRoot(Fma(-ga2, ga2, sq));
                }
                else avg = Vector.SquareRoot(sq);
                avg += eps;
                if (a.HasMomentum)
                {
                    var nb = bv[k] * mu + x / avg;
                    bv[k] = nb;
                    pv[k] = Fma(nb, nlr, pv[k]);
                }
                else pv[k] = pv[k] + nlr * x / avg;
            }
            i = pv.Length * Vector<T>.Count;
        }
        for (; i < n; i++)
        {
            T x = g[i];
            if (a.Maximize) x = -x;
            if (a.HasWeightDecay) x = T.FusedMultiplyAdd(p[i], a.WeightDecay, x);
            T sq = T.FusedMultiplyAdd(a.OneMinusAlpha * x, x, v[i] * a.Alpha);
            v[i] = sq;
            T avg;
            if (a.Centered)
            {
                T ga2 = T.FusedMultiplyAdd(x, a.OneMinusAlpha, m[i] * a.Alpha);
                m[i] = ga2;
                avg = T.Sqrt(T.FusedMultiplyAdd(-ga2, ga2, sq));
            }
            else avg = T.Sqrt(sq);
            avg += a.Eps;
            if (a.HasMomentum)
            {
                T nb = b[i] * a.Momentum + x / avg;
                b[i] = nb;
                p[i] = T.FusedMultiplyAdd(nb, a.NegLr, p[i]);
            }
            else p[i] = p[i] + a.NegLr * x / avg;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector<T> Fma<T>(Vector<T> a, Vector<T> b, Vector<T> c)
    {
        if (typeof(T) == typeof(float)) return Vector.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        return Vector.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
    }
}

/// <summary>Adagrad's update with PyTorch's rounding: g = fma(p, wd, ±g); sum = fma(g, g, sum); p = p + (−clr·g)/(√sum + ε).</summary>
internal static class AdagradKernel
{
    public static void Run<T>(T[] p, int po, T[] g, int go, T[] sum, int n, T wd, bool hasWd, T eps, T negClr, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n < 1 << 16) { Range(p, po, g, go, sum, 0, n, wd, hasWd, eps, negClr, maximize); return; }
        Threading.For(n, 4, (s, e) => Range(p, po, g, go, sum, s, e, wd, hasWd, eps, negClr, maximize));
    }

    static void Range<T>(T[] pa, int po, T[] ga, int go, T[] sa, int start, int end, T wd, bool hasWd, T eps, T negClr, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = end - start, i = 0;
        Span<T> p = pa.AsSpan(po + start, n), s = sa.AsSpan(start, n);
        ReadOnlySpan<T> g = ga.AsSpan(go + start, n);
        if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
        {
            var pv = MemoryMarshal.Cast<T, Vector<T>>(p); var sv = MemoryMarshal.Cast<T, Vector<T>>(s);
            var gv = MemoryMarshal.Cast<T, Vector<T>>(g);
            Vector<T> wdv = new(wd), epsv = new(eps), lr = new(negClr);
            for (int k = 0; k < pv.Length; k++)
            {
                var x = gv[k];
                if (maximize) x = -x;
                if (hasWd) x = RmspropKernel.Fma(pv[k], wdv, x);
                var acc = RmspropKernel.Fma(x, x, sv[k]);
                sv[k] = acc;
                pv[k] = pv[k] + lr * x / (Vector.SquareRoot(acc) + epsv);
            }
            i = pv.Length * Vector<T>.Count;
        }
        for (; i < n; i++)
        {
            T x = g[i];
            if (maximize) x = -x;
            if (hasWd) x = T.FusedMultiplyAdd(p[i], wd, x);
            T acc = T.FusedMultiplyAdd(x, x, s[i]);
            s[i] = acc;
            p[i] = p[i] + negClr * x / (T.Sqrt(acc) + eps);
        }
    }
}
