using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Torchlet.Kernels;

/// <summary>A pointwise forward y = f(x).</summary>
internal interface IAct { TV F<TV>(TV x) where TV : struct, IVec<TV>; }

/// <summary>A pointwise backward dx = g·f'(x) (x is the saved input).</summary>
internal interface IActGrad { TV G<TV>(TV g, TV x) where TV : struct, IVec<TV>; }

/// <summary>Math shared by the activations, written against <see cref="IVec{TV}"/>.</summary>
internal static class VMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Sigmoid<TV>(TV x) where TV : struct, IVec<TV> => TV.C(1) / (TV.C(1) + TV.Exp(TV.C(0) - x));

    /// <summary>log(1 + u) for u ≥ 0, keeping small u's digits: log(w)·u/(w − 1) with w = 1 + u (w == 1 gives u).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Log1pPos<TV>(TV u) where TV : struct, IVec<TV>
    {
        var w = TV.C(1) + u;
        var tiny = TV.Eq(w, TV.C(1));
        var big = TV.Eq(w, u);   // 1 + u rounds to u (u huge or inf): log(u) is exact enough
        var den = TV.Select(tiny, TV.C(1), w - TV.C(1));
        var r = TV.Log(w) * u / den;
        return TV.Select(tiny, u, TV.Select(big, TV.Log(w), r));
    }

    /// <summary>
    /// erf. float: Eigen's rational minimax on [-4, 4] (≤ 1 ulp). double: the series
    /// 2x/√π·e^(−x²)·Σ (2x²)^k/(1·3···(2k+1)) below 1.5 and Lentz-free continued fraction for erfc
    /// above (CPython's scheme, ≤ 2 ulp); both branches are computed and blended.
    /// </summary>
    public static TV Erf<TV>(TV a) where TV : struct, IVec<TV>
    {
        if (!TV.IsDouble)
        {
            var x = TV.Max(TV.Min(a, TV.C(4)), TV.C(-4));
            var x2 = x * x;
            var p = x2 * TV.C(-2.72614225801306e-10) + TV.C(2.77068142495902e-08);
            p = x2 * p + TV.C(-2.10102402082508e-06);
            p = x2 * p + TV.C(-5.69250639462346e-05);
            p = x2 * p + TV.C(-7.34990630326855e-04);
            p = x2 * p + TV.C(-2.95459980854025e-03);
            p = x2 * p + TV.C(-1.60960333262415e-02);
            p = x * p;
            var q = x2 * TV.C(-1.45660718464996e-05) + TV.C(-2.13374055278905e-04);
            q = x2 * q + TV.C(-1.68282697438203e-03);
            q = x2 * q + TV.C(-7.37332916720468e-03);
            q = x2 * q + TV.C(-1.42647390514189e-02);
            return p / q;
        }
        const double InvSqrtPi = 0.56418958354775628695;
        var ax = TV.Abs(a);
        var sq = a * a;
        var e = TV.Exp(TV.C(0) - sq);
        // series, |x| < 1.5
        var acc = TV.C(0);
        double fk = 25.5;
        // Multiplying by 1/fk instead of dividing: a divide per step would dominate the cost.
        for (int i = 0; i < 25; i++) { acc = TV.C(2) + sq * acc * TV.C(1 / fk); fk -= 1; }
        var series = acc * a * e * TV.C(InvSqrtPi);
        // continued fraction for erfc(|x|), |x| ≥ 1.5
        var axc = TV.Min(ax, TV.C(30));
        var x2c = axc * axc;
        double aa = 0, da = 0.5;
        var pp = TV.C(1); var pl = TV.C(0);
        var qq = TV.C(da) + x2c; var ql = TV.C(1);
        for (int i = 0; i < 50; i++)
        {
            aa += da; da += 2;
            var b = TV.C(da) + x2c;
            var t = pp; pp = b * pp - TV.C(aa) * pl; pl = t;
            t = qq; qq = b * qq - TV.C(aa) * ql; ql = t;
        }
        var cf = pp / qq * axc * TV.Exp(TV.C(0) - x2c) * TV.C(InvSqrtPi);
        cf = TV.Select(TV.Ge(ax, TV.C(30)), TV.C(0), cf);
        var tail = TV.Select(TV.Gt(a, TV.C(0)), TV.C(1) - cf, cf - TV.C(1));
        return TV.Select(TV.Lt(ax, TV.C(1.5)), series, tail);
    }
}

/// <summary>Runs an activation's forward or backward through the SIMD drivers (<see cref="Simd"/>).</summary>
internal static class ActKernels
{
    // About 16 flops an element (exp-based activations dominate): parallel from 4K elements.
    const long Cost = 16;

    /// <summary>d = f(x) over n contiguous elements of a float32 or float64 buffer.</summary>
    public static void Forward<TOp>(ScalarType dtype, Array x, int xo, Array d, int n, TOp op, string kernel) where TOp : struct, IAct
    {
        var action = new ForwardAction<TOp>(x, xo, d, n, op);
        Dispatch.Floating(dtype, ref action, kernel);
    }

    /// <summary>d = g·f'(x) over n contiguous elements.</summary>
    public static void Backward<TOp>(ScalarType dtype, Array g, int go, Array x, int xo, Array d, int n, TOp op, string kernel) where TOp : struct, IActGrad
    {
        var action = new BackwardAction<TOp>(g, go, x, xo, d, n, op);
        Dispatch.Floating(dtype, ref action, kernel);
    }

    public static void Map<T, TOp>(ReadOnlySpan<T> x, Span<T> d, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IAct =>
        Simd.Map(x, d, new ForwardOp<TOp>(op));

    public static void Grad<T, TOp>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, Span<T> d, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IActGrad =>
        Simd.Map(g, x, d, new BackwardOp<TOp>(op));

    readonly struct ForwardAction<TOp>(Array x, int xo, Array d, int n, TOp op) : IFloatingAction where TOp : struct, IAct
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (Threading.Serial(n, Cost)) Map<T, TOp>(((T[])x).AsSpan(xo, n), ((T[])d).AsSpan(0, n), op);
            else Split((T[])x, xo, (T[])d, n, op);
        }

        // Apart, so that small activations allocate no closure.
        static void Split<T>(T[] src, int off, T[] dst, int n, TOp f) where T : unmanaged, IFloatingPointIeee754<T> =>
            Threading.For(n, Cost, (s, e) => Map<T, TOp>(src.AsSpan(off + s, e - s), dst.AsSpan(s, e - s), f));
    }

    readonly struct BackwardAction<TOp>(Array g, int go, Array x, int xo, Array d, int n, TOp op) : IFloatingAction where TOp : struct, IActGrad
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (Threading.Serial(n, Cost)) Grad<T, TOp>(((T[])g).AsSpan(go, n), ((T[])x).AsSpan(xo, n), ((T[])d).AsSpan(0, n), op);
            else Split((T[])g, go, (T[])x, xo, (T[])d, n, op);
        }

        static void Split<T>(T[] gs, int gOff, T[] xs, int xOff, T[] dst, int n, TOp f) where T : unmanaged, IFloatingPointIeee754<T> =>
            Threading.For(n, Cost, (s, e) => Grad<T, TOp>(gs.AsSpan(gOff + s, e - s), xs.AsSpan(xOff + s, e - s), dst.AsSpan(s, e - s), f));
    }

    readonly struct ForwardOp<TOp>(TOp op) : IUnaryOperator where TOp : struct, IAct
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Invoke<TV>(TV x) where TV : struct, IVec<TV> => op.F(x);
    }

    readonly struct BackwardOp<TOp>(TOp op) : IBinaryOperator where TOp : struct, IActGrad
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Invoke<TV>(TV g, TV x) where TV : struct, IVec<TV> => op.G(g, x);
    }
}

// ---------------------------------------------------------------- the activations (PyTorch 1.13's CPU formulas)

/// <summary>relu; the backward reads the saved result (y &gt; 0 passes the gradient), as PyTorch's ReluBackward0 does.</summary>
internal readonly struct ReluAct : IAct, IActGrad
{
    public TV F<TV>(TV x) where TV : struct, IVec<TV> => TV.Max(x, TV.C(0));
    public TV G<TV>(TV g, TV y) where TV : struct, IVec<TV> => TV.Select(TV.Gt(y, TV.C(0)), g, TV.C(0));
}

/// <summary>hardtanh / relu6: clamp to [min, max]; the gradient is zero at and beyond the bounds.</summary>
internal readonly struct HardtanhAct(double min, double max) : IAct, IActGrad
{
    public TV F<TV>(TV x) where TV : struct, IVec<TV> => TV.Min(TV.Max(x, TV.C(min)), TV.C(max));
    public TV G<TV>(TV g, TV x) where TV : struct, IVec<TV> =>
        TV.Select(TV.Or(TV.Le(x, TV.C(min)), TV.Ge(x, TV.C(max))), TV.C(0), g);
}

internal readonly struct LeakyReluAct(double slope) : IAct, IActGrad
{
    public TV F<TV>(TV x) where TV : struct, IVec<TV> => TV.Select(TV.Gt(x, TV.C(0)), x, x * TV.C(slope));
    public TV G<TV>(TV g, TV x) where TV : struct, IVec<TV> => TV.Select(TV.Gt(x, TV.C(0)), g, g * TV.C(slope));
}

/// <summary>y = x > threshold ? x : value.</summary>
internal readonly struct ThresholdAct(double threshold, double value) : IAct, IActGrad
{
    public TV F<TV>(TV x) where TV : struct, IVec<TV> => TV.Select(TV.Le(x, TV.C(threshold)), TV.C(value), x);
    public TV G<TV>(TV g, TV x) where TV : struct, IVec<TV> => TV.Select(TV.Le(x, TV.C(threshold)), TV.C(0), g);
}

/// <summary>elu / selu / celu: x > 0 ? scale·x : alpha·scale·(exp(x·inputScale) − 1).</summary>
internal readonly struct EluAct(double alpha, double scale, double inputScale) : IAct, IActGrad
{
    public TV F<TV>(TV x) where TV : struct, IVec<TV> =>
        TV.Select(TV.Gt(x, TV.C(0)), x * TV.C(scale), (TV.Exp(x * TV.C(inputScale)) - TV.C(1)) * TV.C(alpha * scale));
    public TV G<TV>(TV g, TV x) where TV : struct, IVec<TV> =>
        TV.Select(TV.Gt(x, TV.C(0)), g * TV.C(scale), g * TV.C(inputScale * alpha * scale) * TV.Exp(x * TV.C(inputScale)));
}

/// <summary>GELU: exact x·Φ(x) = ½x(1 + erf(x/√2)), or the tanh form written as x·σ(2u) (no cancellation near 0).</summary>
internal readonly struct GeluAct(bool tanh) : IAct, IActGrad
{
    const double Beta = 0.79788456080286535588;  // √(2/π)
    const double Kappa = 0.044715;
    const double Alpha = 0.70710678118654752440;  // 1/√2
    const double InvSqrt2Pi = 0.39894228040143267794;  // 1/√(2π)

    public TV F<TV>(TV x) where TV : struct, IVec<TV>
    {
        if (tanh)
        {
            var u = TV.C(Beta) * (x + TV.C(Kappa) * x * x * x);
            return x * VMath.Sigmoid(u + u);
        }
        return x * TV.C(0.5) * (TV.C(1) + VMath.Erf(x * TV.C(Alpha)));
    }

    public TV G<TV>(TV g, TV x) where TV : struct, IVec<TV>
    {
        if (tanh)
        {
            var x2 = x * x;
            var u = TV.C(Beta) * (x + TV.C(Kappa) * x2 * x);
            var s = VMath.Sigmoid(u + u);          // (1 + tanh u) / 2
            var right = s + s;                      // 1 + tanh u
            var sech2 = TV.C(4) * s * (TV.C(1) - s); // 1 − tanh² u
            var leftD = TV.C(0.5) * right;
            var rightD = TV.C(0.5) * x * sech2 * TV.C(Beta) * (TV.C(1) + TV.C(3 * Kappa) * x2);
            return g * (leftD + rightD);
        }
        var cdf = TV.C(0.5) * (TV.C(1) + VMath.Erf(x * TV.C(Alpha)));
        var pdf = TV.Exp(TV.C(-0.5) * x * x) * TV.C(InvSqrt2Pi);
        return g * (cdf + x * pdf);
    }
}

internal readonly struct SiluAct : IAct, IActGrad
{
    public TV F<TV>(TV x) where TV : struct, IVec<TV> => x / (TV.C(1) + TV.Exp(TV.C(0) - x));
    public TV G<TV>(TV g, TV x) where TV : struct, IVec<TV>
    {
        var s = VMath.Sigmoid(x);
        return g * s * (TV.C(1) + x * (TV.C(1) - s));
    }
}

/// <summary>
/// Mish: x·tanh(softplus(x)). With e = exp(x), tanh(log(1 + e)) = n/(n + 2), n = e(e + 2): exact
/// near 0 without a tanh; above 20 (where n overflows float) it is 1.
/// </summary>
internal readonly struct MishAct : IAct, IActGrad
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TV TanhSoftplus<TV>(TV x) where TV : struct, IVec<TV>
    {
        var e = TV.Exp(TV.Min(x, TV.C(20)));
        var n = e * (e + TV.C(2));
        return TV.Select(TV.Gt(x, TV.C(20)), TV.C(1), n / (n + TV.C(2)));
    }

    public TV F<TV>(TV x) where TV : struct, IVec<TV> => x * TanhSoftplus(x);
    public TV G<TV>(TV g, TV x) where TV : struct, IVec<TV>
    {
        var t = TanhSoftplus(x);
        return g * (t + x * VMath.Sigmoid(x) * (TV.C(1) - t * t));
    }
}

/// <summary>softplus: log(1 + exp(βx))/β, or x where βx > threshold.</summary>
internal readonly struct SoftplusAct(double beta, double threshold) : IAct, IActGrad
{
    public TV F<TV>(TV x) where TV : struct, IVec<TV>
    {
        var bx = x * TV.C(beta);
        return TV.Select(TV.Gt(bx, TV.C(threshold)), x, VMath.Log1pPos(TV.Exp(bx)) / TV.C(beta));
    }
    public TV G<TV>(TV g, TV x) where TV : struct, IVec<TV>
    {
        var bx = x * TV.C(beta);
        var z = TV.Exp(bx);
        return TV.Select(TV.Gt(bx, TV.C(threshold)), g, g * z / (z + TV.C(1)));
    }
}

/// <summary>logsigmoid: min(x, 0) − log1p(exp(−|x|)), stable for both signs.</summary>
internal readonly struct LogSigmoidAct : IAct, IActGrad
{
    public TV F<TV>(TV x) where TV : struct, IVec<TV> =>
        TV.Min(x, TV.C(0)) - VMath.Log1pPos(TV.Exp(TV.C(0) - TV.Abs(x)));
    public TV G<TV>(TV g, TV x) where TV : struct, IVec<TV>
    {
        var neg = TV.Lt(x, TV.C(0));
        var z = TV.Exp(TV.C(0) - TV.Abs(x));
        var f = z / (TV.C(1) + z);
        return g * TV.Select(neg, TV.C(1) - f, f);
    }
}

internal readonly struct HardshrinkAct(double lambd) : IAct, IActGrad
{
    public TV F<TV>(TV x) where TV : struct, IVec<TV> => TV.Select(TV.And(TV.Ge(x, TV.C(-lambd)), TV.Le(x, TV.C(lambd))), TV.C(0), x);
    public TV G<TV>(TV g, TV x) where TV : struct, IVec<TV> => TV.Select(TV.And(TV.Ge(x, TV.C(-lambd)), TV.Le(x, TV.C(lambd))), TV.C(0), g);
}

internal readonly struct SoftshrinkAct(double lambd) : IAct, IActGrad
{
    public TV F<TV>(TV x) where TV : struct, IVec<TV> =>
        TV.Select(TV.Gt(x, TV.C(lambd)), x - TV.C(lambd), TV.Select(TV.Lt(x, TV.C(-lambd)), x + TV.C(lambd), TV.C(0)));
    public TV G<TV>(TV g, TV x) where TV : struct, IVec<TV> => TV.Select(TV.And(TV.Ge(x, TV.C(-lambd)), TV.Le(x, TV.C(lambd))), TV.C(0), g);
}

/// <summary>hardsigmoid: relu6(x + 3)/6. The gradient uses 1/6 rounded to float for both dtypes, as PyTorch's kernel does (1.0f / 6.0f).</summary>
internal readonly struct HardsigmoidAct : IAct, IActGrad
{
    public TV F<TV>(TV x) where TV : struct, IVec<TV> => TV.Min(TV.Max(x + TV.C(3), TV.C(0)), TV.C(6)) / TV.C(6);
    public TV G<TV>(TV g, TV x) where TV : struct, IVec<TV> =>
        TV.Select(TV.And(TV.Gt(x, TV.C(-3)), TV.Lt(x, TV.C(3))), g * TV.C((float)(1.0 / 6)), TV.C(0));
}

/// <summary>hardswish: x·relu6(x + 3)/6. The gradient at x = 3 is g, as PyTorch's vectorized kernel gives (its scalar tail differs).</summary>
internal readonly struct HardswishAct : IAct, IActGrad
{
    public TV F<TV>(TV x) where TV : struct, IVec<TV> => x * TV.Min(TV.Max(x + TV.C(3), TV.C(0)), TV.C(6)) / TV.C(6);
    public TV G<TV>(TV g, TV x) where TV : struct, IVec<TV> =>
        TV.Select(TV.Lt(x, TV.C(-3)), TV.C(0), TV.Select(TV.Lt(x, TV.C(3)), g * (x / TV.C(3) + TV.C(0.5)), g));
}
