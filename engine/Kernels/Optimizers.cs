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
    // Updates are memory-bound: one unit of work per element, so only parameters of 64K elements and more are split.
    internal const long Cost = 1;

    /// <summary>Builds an update's vector loop over elements [start, start + n) of a parameter and its state.</summary>
    internal interface ISlicer<T, TLoop> where T : unmanaged where TLoop : struct, IVecLoop<T>, allows ref struct
    {
        TLoop Slice(int start, int n);
    }

    /// <summary>Runs an update over n elements, split across threads when large enough.</summary>
    internal static void Run<T, TLoop, TSlicer>(int n, TSlicer slicer)
        where T : unmanaged, IFloatingPointIeee754<T> where TLoop : struct, IVecLoop<T>, allows ref struct where TSlicer : struct, ISlicer<T, TLoop>
    {
        if (Threading.Serial(n, Cost)) Range<T, TLoop, TSlicer>(slicer, 0, n);
        else Split<T, TLoop, TSlicer>(n, slicer);
    }

    // Apart from Run, whose parameters a lambda would capture on entry: small updates allocate no closure.
    static void Split<T, TLoop, TSlicer>(int n, TSlicer slicer)
        where T : unmanaged, IFloatingPointIeee754<T> where TLoop : struct, IVecLoop<T>, allows ref struct where TSlicer : struct, ISlicer<T, TLoop> =>
        Threading.For(n, Cost, (s, e) => Range<T, TLoop, TSlicer>(slicer, s, e));

    /// <summary>The gradient every update starts from: −g when maximizing, then + wd·p as one fma (grad.add(p, alpha=wd)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV Grad<T, TV>(TV p, TV g, bool maximize, bool hasWeightDecay, T weightDecay)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct, ILanes<TV, T>
    {
        if (maximize) g = -g;
        return hasWeightDecay ? TV.Fma(p, TV.Splat(weightDecay), g) : g;
    }

    static void Range<T, TLoop, TSlicer>(TSlicer slicer, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T> where TLoop : struct, IVecLoop<T>, allows ref struct where TSlicer : struct, ISlicer<T, TLoop>
    {
        var op = slicer.Slice(start, end - start);
        Simd.For<T, TLoop>(end - start, ref op);
    }

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
        where T : unmanaged, IFloatingPointIeee754<T> => Run<T, SgdLoop<T>, SgdSlicer<T>>(n, new(p, po, g, go, buf, bo, a));

    readonly struct SgdSlicer<T>(T[] pa, int po, T[] ga, int go, T[]? ba, int bo, SgdArgs<T> a) : ISlicer<T, SgdLoop<T>>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public SgdLoop<T> Slice(int s, int n) =>
            new(pa.AsSpan(po + s, n), ga.AsSpan(go + s, n), a.HasMomentum ? ba!.AsSpan(bo + s, n) : default, a);
    }

    ref struct SgdLoop<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> buf, SgdArgs<T> a) : IVecLoop<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        readonly ref T _p = ref MemoryMarshal.GetReference(p), _g = ref MemoryMarshal.GetReference(g), _b = ref MemoryMarshal.GetReference(buf);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step<TV>(nuint i) where TV : struct, ILanes<TV, T>
        {
            var pv = TV.Load(ref _p, i);
            var d = Grad(pv, TV.Load(ref _g, i), a.Maximize, a.HasWeightDecay, a.WeightDecay);
            if (a.HasMomentum)
            {
                var mu = TV.Splat(a.Momentum);
                var bv = a.FirstStep ? d : TV.Fma(d, TV.Splat(a.OneMinusDampening), TV.Load(ref _b, i) * mu);
                TV.Store(bv, ref _b, i);
                d = a.Nesterov ? TV.Fma(bv, mu, d) : bv;
            }
            TV.Store(TV.Fma(d, TV.Splat(a.NegLr), pv), ref _p, i);
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
        where T : unmanaged, IFloatingPointIeee754<T> => Run<T, AdamLoop<T>, AdamSlicer<T>>(n, new(p, po, g, go, m, v, vmax, a));

    readonly struct AdamSlicer<T>(T[] pa, int po, T[] ga, int go, T[] ma, T[] va, T[]? xa, AdamArgs<T> a) : ISlicer<T, AdamLoop<T>>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public AdamLoop<T> Slice(int s, int n) => new(pa.AsSpan(po + s, n), ga.AsSpan(go + s, n), ma.AsSpan(s, n), va.AsSpan(s, n),
            a.AmsGrad ? xa!.AsSpan(s, n) : default, a);
    }

    ref struct AdamLoop<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> m, Span<T> v, Span<T> vmax, AdamArgs<T> a) : IVecLoop<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        readonly ref T _p = ref MemoryMarshal.GetReference(p), _g = ref MemoryMarshal.GetReference(g);
        readonly ref T _m = ref MemoryMarshal.GetReference(m), _v = ref MemoryMarshal.GetReference(v), _x = ref MemoryMarshal.GetReference(vmax);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step<TV>(nuint i) where TV : struct, ILanes<TV, T>
        {
            var pv = TV.Load(ref _p, i);
            var gv = Grad(pv, TV.Load(ref _g, i), a.Maximize, a.HasWeightDecay, a.WeightDecay);
            var mv = TV.Fma(gv, TV.Splat(a.OneMinusBeta1), TV.Load(ref _m, i) * TV.Splat(a.Beta1));
            var vv = TV.Fma(TV.Splat(a.OneMinusBeta2) * gv, gv, TV.Load(ref _v, i) * TV.Splat(a.Beta2));
            TV.Store(mv, ref _m, i);
            TV.Store(vv, ref _v, i);
            if (a.AmsGrad)
            {
                vv = TV.Max(TV.Load(ref _x, i), vv);
                TV.Store(vv, ref _x, i);
            }
            var denom = TV.Sqrt(vv) / TV.Splat(a.BiasCorrection2Sqrt) + TV.Splat(a.Eps);
            TV.Store(pv + TV.Splat(a.NegStepSize) * mv / denom, ref _p, i);
        }
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
        where T : unmanaged, IFloatingPointIeee754<T> => OptimKernels.Run<T, Loop<T>, Slicer<T>>(n, new(p, po, g, go, v, m, buf, a));

    readonly struct Slicer<T>(T[] pa, int po, T[] ga, int go, T[] va, T[]? ma, T[]? ba, Args<T> a) : OptimKernels.ISlicer<T, Loop<T>>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public Loop<T> Slice(int s, int n) => new(pa.AsSpan(po + s, n), ga.AsSpan(go + s, n), va.AsSpan(s, n),
            a.Centered ? ma!.AsSpan(s, n) : default, a.HasMomentum ? ba!.AsSpan(s, n) : default, a);
    }

    ref struct Loop<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> v, Span<T> m, Span<T> buf, Args<T> a) : IVecLoop<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        readonly ref T _p = ref MemoryMarshal.GetReference(p), _g = ref MemoryMarshal.GetReference(g), _v = ref MemoryMarshal.GetReference(v);
        readonly ref T _m = ref MemoryMarshal.GetReference(m), _b = ref MemoryMarshal.GetReference(buf);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step<TV>(nuint i) where TV : struct, ILanes<TV, T>
        {
            var pv = TV.Load(ref _p, i);
            var x = OptimKernels.Grad(pv, TV.Load(ref _g, i), a.Maximize, a.HasWeightDecay, a.WeightDecay);
            TV alpha = TV.Splat(a.Alpha), oma = TV.Splat(a.OneMinusAlpha);
            var sq = TV.Fma(oma * x, x, TV.Load(ref _v, i) * alpha);
            TV.Store(sq, ref _v, i);
            TV avg;
            if (a.Centered)
            {
                var ga2 = TV.Fma(x, oma, TV.Load(ref _m, i) * alpha);
                TV.Store(ga2, ref _m, i);
                avg = TV.Sqrt(TV.Fma(-ga2, ga2, sq));
            }
            else avg = TV.Sqrt(sq);
            avg += TV.Splat(a.Eps);
            if (a.HasMomentum)
            {
                var nb = TV.Load(ref _b, i) * TV.Splat(a.Momentum) + x / avg;
                TV.Store(nb, ref _b, i);
                TV.Store(TV.Fma(nb, TV.Splat(a.NegLr), pv), ref _p, i);
            }
            else TV.Store(pv + TV.Splat(a.NegLr) * x / avg, ref _p, i);
        }
    }
}

/// <summary>Adagrad's update with PyTorch's rounding: g = fma(p, wd, ±g); sum = fma(g, g, sum); p = p + (−clr·g)/(√sum + ε).</summary>
internal static class AdagradKernel
{
    public static void Run<T>(T[] p, int po, T[] g, int go, T[] sum, int n, T wd, bool hasWd, T eps, T negClr, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        OptimKernels.Run<T, Loop<T>, Slicer<T>>(n, new(p, po, g, go, sum, wd, hasWd, eps, negClr, maximize));

    readonly struct Slicer<T>(T[] pa, int po, T[] ga, int go, T[] sa, T wd, bool hasWd, T eps, T negClr, bool maximize) : OptimKernels.ISlicer<T, Loop<T>>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public Loop<T> Slice(int s, int n) => new(pa.AsSpan(po + s, n), ga.AsSpan(go + s, n), sa.AsSpan(s, n), wd, hasWd, eps, negClr, maximize);
    }

    ref struct Loop<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> sum, T wd, bool hasWd, T eps, T negClr, bool maximize) : IVecLoop<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        readonly ref T _p = ref MemoryMarshal.GetReference(p), _g = ref MemoryMarshal.GetReference(g), _s = ref MemoryMarshal.GetReference(sum);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step<TV>(nuint i) where TV : struct, ILanes<TV, T>
        {
            var pv = TV.Load(ref _p, i);
            var x = OptimKernels.Grad(pv, TV.Load(ref _g, i), maximize, hasWd, wd);
            var acc = TV.Fma(x, x, TV.Load(ref _s, i));
            TV.Store(acc, ref _s, i);
            TV.Store(pv + TV.Splat(negClr) * x / (TV.Sqrt(acc) + TV.Splat(eps)), ref _p, i);
        }
    }
}
