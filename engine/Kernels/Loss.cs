using System.Buffers;
using System.Numerics;

namespace Torchlet.Kernels;

/// <summary>A loss's reduction argument ('none', 'mean', 'sum'; 'batchmean' for kl_div only).</summary>
internal enum LossReduction { None, Mean, Sum, BatchMean }

/// <summary>The elementwise losses of d = x − y that <see cref="LossKernels.PointwiseForward"/> fuses with their reduction.</summary>
internal enum PointwiseLoss { Mse, SmoothL1, Huber }

/// <summary>
/// The loss kernels behind Ops/NN/Loss.cs, over raw storage arrays (Tensor._storage.RawArray) and element
/// offsets: every input is contiguous, every output fresh (offset 0). <see cref="Dispatch.Floating"/> picks T.
/// A reduced result goes to r[0]; the reduction is <see cref="LossReduction"/> (None, Mean or Sum here).
/// </summary>
internal static class LossKernels
{
    /// <summary>mse / smooth_l1 / huber of d = x − y over n elements, reduced in the same pass.</summary>
    public static void PointwiseForward(ScalarType dtype, Array x, int xo, Array y, int yo, Array r, int n, LossReduction red, PointwiseLoss kind, double param, string op)
    {
        var a = new PointwiseForwardAction(x, xo, y, yo, r, n, red, kind, param);
        Dispatch.Floating(dtype, ref a, op);
    }

    /// <summary>d/dd of smooth_l1 (clamp(d/β, −1, 1)) or huber (clamp(d, −δ, δ)) over n elements.</summary>
    public static void PointwiseDerivative(ScalarType dtype, Array d, int dOff, Array r, int n, PointwiseLoss kind, double param, string op)
    {
        var a = new DerivativeAction(d, dOff, r, n, kind, param);
        Dispatch.Floating(dtype, ref a, op);
    }

    /// <summary>binary_cross_entropy's elementwise loss; false (with r partly written) when an input lies outside [0, 1].</summary>
    public static bool BceForward(ScalarType dtype, Array x, int xo, Array y, int yo, Array r, int n, string op)
    {
        var a = new BceForwardAction(x, xo, y, yo, r, n);
        Dispatch.Floating(dtype, ref a, op);
        return a.Ok;
    }

    /// <summary>binary_cross_entropy_with_logits' elementwise loss; weight <paramref name="w"/> and pos_weight <paramref name="pw"/> optional.</summary>
    public static void BceLogitsForward(ScalarType dtype, Array x, int xo, Array y, int yo, Array? w, int wo, Array? pw, int pwo, Array r, int n, string op)
    {
        var a = new BceLogitsForwardAction(x, xo, y, yo, w, wo, pw, pwo, r, n);
        Dispatch.Floating(dtype, ref a, op);
    }

    /// <summary>nll_loss over [N, C, S] log-probabilities and [N, S] int64 targets; returns the total weight of the counted targets.</summary>
    public static double NllForward(ScalarType dtype, Array x, int xo, long[] t, int to, Array? w, int wo, Array r, int n, int c, int s, long ignore, LossReduction red, string op)
    {
        var a = new NllForwardAction(x, xo, t, to, w, wo, r, n, c, s, ignore, red);
        Dispatch.Floating(dtype, ref a, op);
        return a.Total;
    }

    /// <summary>nll_loss's input gradient into the cleared [N, C, S] <paramref name="gi"/>.</summary>
    public static void NllBackward(ScalarType dtype, Array g, int go, long[] t, int to, Array? w, int wo, Array gi, int n, int c, int s, long ignore, LossReduction red, double total, string op)
    {
        var a = new NllBackwardAction(g, go, t, to, w, wo, gi, n, c, s, ignore, red, total);
        Dispatch.Floating(dtype, ref a, op);
    }

    /// <summary>
    /// cross_entropy of [N, C] scores and class indices in one pass per row: w[t]·(logsumexp(x) − x[t]); each counted
    /// row's logsumexp goes to <paramref name="lse"/> for the backward. Returns the total weight of the counted targets.
    /// </summary>
    public static double CeForward(ScalarType dtype, Array x, int xo, long[] t, int to, Array? w, int wo, Array r, double[] lse, int n, int c, long ignore, LossReduction red, string op)
    {
        var a = new CeForwardAction(x, xo, t, to, w, wo, r, lse, n, c, ignore, red);
        Dispatch.Floating(dtype, ref a, op);
        return a.Total;
    }

    /// <summary>cross_entropy's input gradient coef·(softmax(x) − onehot(t)), softmax recomputed from x and <paramref name="lse"/>.</summary>
    public static void CeBackward(ScalarType dtype, Array x, int xo, long[] t, int to, Array? w, int wo, Array g, int go, Array gi, double[] lse, int n, int c, long ignore, LossReduction red, double total, string op)
    {
        var a = new CeBackwardAction(x, xo, t, to, w, wo, g, go, gi, lse, n, c, ignore, red, total);
        Dispatch.Floating(dtype, ref a, op);
    }

    // ---------------------------------------------------------------- mse / smooth_l1 / huber

    readonly struct PointwiseForwardAction(Array x, int xo, Array y, int yo, Array r, int n, LossReduction red, PointwiseLoss kind, double param) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            T[]? rented = red == LossReduction.None ? null : ArrayPool<T>.Shared.Rent(n);
            var dst = rented is null ? ((T[])r).AsSpan(0, n) : rented.AsSpan(0, n);
            RowUpdate.Subtract(((T[])x).AsSpan(xo, n), ((T[])y).AsSpan(yo, n), dst);
            T p = T.CreateTruncating(param), half = T.CreateTruncating(0.5);
            switch (kind)
            {
                case PointwiseLoss.Mse: RowUpdate.Square(dst); break;
                case PointwiseLoss.SmoothL1:
                    for (int i = 0; i < n; i++) { T z = T.Abs(dst[i]); dst[i] = z < p ? half * z * z / p : z - half * p; }
                    break;
                default:
                    for (int i = 0; i < n; i++) { T z = T.Abs(dst[i]); dst[i] = z < p ? half * z * z : p * (z - half * p); }
                    break;
            }
            if (rented is null) return;
            T s = RowMath.Sum<T>(dst);
            ArrayPool<T>.Shared.Return(rented);
            ((T[])r)[0] = red == LossReduction.Mean ? s / T.CreateTruncating(n) : s;
        }
    }

    readonly struct DerivativeAction(Array d, int dOff, Array r, int n, PointwiseLoss kind, double param) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> ds = ((T[])d).AsSpan(dOff, n);
            Span<T> rs = ((T[])r).AsSpan(0, n);
            T p = T.CreateTruncating(param);
            if (kind == PointwiseLoss.SmoothL1)
                for (int i = 0; i < n; i++) rs[i] = ds[i] <= -p ? -T.One : ds[i] >= p ? T.One : ds[i] / p;
            else
                for (int i = 0; i < n; i++) rs[i] = ds[i] <= -p ? -p : ds[i] >= p ? p : ds[i];
        }
    }

    // ---------------------------------------------------------------- binary cross entropy

    struct BceForwardAction(Array x, int xo, Array y, int yo, Array r, int n) : IFloatingAction
    {
        public bool Ok;

        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => Ok = Bce<T>(((T[])x).AsSpan(xo, n), ((T[])y).AsSpan(yo, n), ((T[])r).AsSpan(0, n));

        static bool Bce<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> r) where T : unmanaged, IFloatingPointIeee754<T>
        {
            T lo = T.CreateTruncating(-100);
            for (int i = 0; i < x.Length; i++)
            {
                T xv = x[i], yv = y[i];
                if (!(xv >= T.Zero && xv <= T.One)) return false;
                r[i] = (yv - T.One) * T.Max(T.CreateTruncating(AccurateMath.Log1p(-double.CreateTruncating(xv))), lo) - yv * T.Max(T.Log(xv), lo);
            }
            return true;
        }
    }

    /// <summary>
    /// PyTorch 1.13's formula in one pass: with m = max(−x, 0), (1 − y)·x + lw·(log(exp(−m) + exp(−x − m)) + m)
    /// where lw = 1 + (pos_weight − 1)·y (1 without pos_weight), times weight; exp never overflows.
    /// </summary>
    readonly struct BceLogitsForwardAction(Array x, int xo, Array y, int yo, Array? w, int wo, Array? pw, int pwo, Array r, int n) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> xs = ((T[])x).AsSpan(xo, n), ys = ((T[])y).AsSpan(yo, n);
            ReadOnlySpan<T> ws = w is null ? default : ((T[])w).AsSpan(wo, n), pws = pw is null ? default : ((T[])pw).AsSpan(pwo, n);
            var d = ((T[])r).AsSpan(0, n);
            for (int i = 0; i < d.Length; i++)
            {
                T xv = xs[i], yv = ys[i], m = T.Max(-xv, T.Zero);
                T logTerm = T.Log(T.Exp(-m) + T.Exp(-xv - m)) + m;
                T v = (T.One - yv) * xv + (pw is null ? logTerm : ((pws[i] - T.One) * yv + T.One) * logTerm);
                d[i] = w is null ? v : v * ws[i];
            }
        }
    }

    // ---------------------------------------------------------------- nll_loss / cross_entropy

    struct NllForwardAction(Array x, int xo, long[] tb, int to, Array? w, int wo, Array r, int n, int c, int s, long ignore, LossReduction red) : IFloatingAction
    {
        public double Total;

        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var xb = (T[])x; var wb = (T[]?)w; var rb = (T[])r;
            double sum = 0, total = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < s; j++)
                {
                    long cls = tb[to + i * s + j];
                    T v = T.Zero, wv = T.Zero;
                    if (cls != ignore)
                    {
                        wv = wb is null ? T.One : wb[wo + (int)cls];
                        v = -wv * xb[xo + (i * c + (int)cls) * s + j];
                    }
                    if (red == LossReduction.None) rb[i * s + j] = v;
                    sum += double.CreateTruncating(v); total += double.CreateTruncating(wv);
                }
            if (red == LossReduction.Sum) rb[0] = T.CreateTruncating(sum);
            else if (red == LossReduction.Mean) rb[0] = T.CreateTruncating(sum / total);
            Total = total;
        }
    }

    readonly struct NllBackwardAction(Array g, int go, long[] tb, int to, Array? w, int wo, Array gi, int n, int c, int s, long ignore, LossReduction red, double total) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var gb = (T[])g; var wb = (T[]?)w; var rb = (T[])gi;
            T scale = red == LossReduction.Mean ? T.CreateTruncating(1 / total) : T.One;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < s; j++)
                {
                    long cls = tb[to + i * s + j];
                    if (cls == ignore) continue;
                    T wv = wb is null ? T.One : wb[wo + (int)cls];
                    T gv = red == LossReduction.None ? gb[go + i * s + j] : gb[go];
                    rb[(i * c + (int)cls) * s + j] = -wv * gv * scale;
                }
        }
    }

    struct CeForwardAction(Array x, int xo, long[] tb, int to, Array? w, int wo, Array r, double[] lse, int n, int c, long ignore, LossReduction red) : IFloatingAction
    {
        public double Total;

        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rowLoss = new double[n];
            var rowWeight = new double[n];
            var rows = new CeForwardRows<T>((T[])x, xo, tb, to, (T[]?)w, wo, lse, c, ignore, rowLoss, rowWeight);
            Threading.For(n, (long)c * 4, rows);
            double sum = 0, total = 0;
            for (int i = 0; i < n; i++) { sum += rowLoss[i]; total += rowWeight[i]; }
            var rb = (T[])r;
            if (red == LossReduction.None) for (int i = 0; i < n; i++) rb[i] = T.CreateTruncating(rowLoss[i]);
            else rb[0] = T.CreateTruncating(red == LossReduction.Mean ? sum / total : sum);
            Total = total;
        }
    }

    readonly struct CeBackwardAction(Array x, int xo, long[] tb, int to, Array? w, int wo, Array g, int go, Array gi, double[] lse, int n, int c, long ignore, LossReduction red, double total) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rows = new CeBackwardRows<T>((T[])x, xo, tb, to, (T[]?)w, wo, (T[])g, go, (T[])gi, lse, c, ignore, red, total);
            Threading.For(n, (long)c * 4, rows);
        }
    }

    /// <summary>Rows [i0, i1) of cross_entropy's forward: each counted row's loss, weight and logsumexp.</summary>
    readonly struct CeForwardRows<T>(T[] xb, int xo, long[] tb, int to, T[]? wb, int wo, double[] lse, int c, long ignore, double[] rowLoss, double[] rowWeight) : IRange
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int i0, int i1)
        {
            var tmp = ReduceScratch<T>.Get(c).AsSpan(0, c);
            for (int i = i0; i < i1; i++)
            {
                long cls = tb[to + i];
                if (cls == ignore) continue;
                var row = xb.AsSpan(xo + i * c, c);
                T l = SoftmaxKernels.LogSumExp<T>(row, tmp);
                lse[i] = double.CreateTruncating(l);
                T wv = wb is null ? T.One : wb[wo + (int)cls];
                rowLoss[i] = double.CreateTruncating(wv * (l - row[(int)cls]));
                rowWeight[i] = double.CreateTruncating(wv);
            }
        }
    }

    /// <summary>Rows [i0, i1) of cross_entropy's input gradient.</summary>
    readonly struct CeBackwardRows<T>(T[] xb, int xo, long[] tb, int to, T[]? wb, int wo, T[] gb, int go, T[] rb, double[] lse, int c, long ignore, LossReduction red, double total) : IRange
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int i0, int i1)
        {
            for (int i = i0; i < i1; i++)
            {
                var ri = rb.AsSpan(i * c, c);
                long cls = tb[to + i];
                if (cls == ignore) { ri.Clear(); continue; }
                T wv = wb is null ? T.One : wb[wo + (int)cls];
                T gv = red == LossReduction.None ? gb[go + i] : gb[go];
                T coef = red == LossReduction.Mean ? T.CreateTruncating(double.CreateTruncating(wv * gv) / total) : wv * gv;
                var xi = xb.AsSpan(xo + i * c, c);
                T l = T.CreateTruncating(lse[i]);
                if (c < 16)
                    for (int j = 0; j < c; j++) ri[j] = T.Exp(xi[j] - l);
                else RowUpdate.ExpShifted(xi, l, ri);
                ri[(int)cls] -= T.One;
                RowUpdate.Scale(ri, coef);
            }
        }
    }
}
