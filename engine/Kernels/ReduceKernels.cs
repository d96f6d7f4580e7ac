using System.Numerics;

namespace Torchlet.Kernels;

/// <summary>The reductions <see cref="ReduceKernels.Reduce"/> runs.</summary>
internal enum ReduceOp { Sum, Prod, Max, Min, SumSq }

/// <summary>
/// The reduction ops' entry points: each takes the dtype and raw buffers (a contiguous source seen as [A, C, B]
/// with A and B reduced, or as [A, K, I] along K, at an offset; a fresh destination) and runs
/// <see cref="Reduction"/>'s drivers for that dtype.
/// </summary>
internal static class ReduceKernels
{
    // Constant strings: the op name is passed on every call and only read when a dtype is refused.
    static string Name(ReduceOp op) => op switch { ReduceOp.Sum => "sum", ReduceOp.Prod => "prod", ReduceOp.Max => "max", ReduceOp.Min => "min", _ => "sumsq" };

    /// <summary>dst[c] = op over A and B of src (every numeric dtype).</summary>
    public static void Reduce(ScalarType dtype, Array src, int off, int A, int C, int B, Array dst, ReduceOp op)
    {
        var action = new ReduceAction(src, off, A, C, B, dst, op);
        Dispatch.Numeric(dtype, ref action, Name(op));
    }

    readonly struct ReduceAction(Array src, int off, int A, int C, int B, Array dst, ReduceOp op) : INumericAction
    {
        public void Run<T>() where T : unmanaged, INumber<T>
        {
            T[] s = (T[])src, d = (T[])dst;
            switch (op)
            {
                case ReduceOp.Sum: Reduction.Run(s, off, A, C, B, d, new SumReducer<T>()); break;
                case ReduceOp.Prod: Reduction.Run(s, off, A, C, B, d, new ProdReducer<T>()); break;
                case ReduceOp.Max: Reduction.Run(s, off, A, C, B, d, new ExtremumReducer<T, Greater>()); break;
                case ReduceOp.Min: Reduction.Run(s, off, A, C, B, d, new ExtremumReducer<T, Less>()); break;
                case ReduceOp.SumSq: Reduction.Run(s, off, A, C, B, d, new SumSqReducer<T>()); break;
                default: throw new NotSupportedException($"reduction {op} is not one ReduceKernels runs");
            }
        }
    }

    /// <summary>
    /// Two-pass variance (float32 or float64): mean[c] = Σx / k, then var[c] = Σ(x − mean[c])² / denom against
    /// that exact mean, both passes in the input dtype with Reduction's blocked double accumulation.
    /// </summary>
    public static void VarMean(ScalarType dtype, Array src, int off, int A, int C, int B, int k, double denom, Array var, Array mean)
    {
        var action = new VarMeanAction(src, off, A, C, B, k, denom, var, mean);
        Dispatch.Floating(dtype, ref action, "var_mean");
    }

    readonly struct VarMeanAction(Array src, int off, int A, int C, int B, int k, double denom, Array var, Array mean) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            T[] s = (T[])src, m = (T[])mean, v = (T[])var;
            Reduction.Run(s, off, A, C, B, m, new SumReducer<T>());
            RowUpdate.Divide(m.AsSpan(0, C), T.CreateTruncating(k));
            Reduction.Run(s, off, A, C, B, v, new CenteredSumReducer<T, CenteredSquare>(m));
            RowUpdate.Divide(v.AsSpan(0, C), T.CreateTruncating(denom));
        }
    }

    /// <summary>dst[c] = log Σ exp(x) over A and B (float32 or float64), computed around the maximum.</summary>
    public static void Logsumexp(ScalarType dtype, Array src, int off, int A, int C, int B, Array dst)
    {
        var action = new LogsumexpAction(src, off, A, C, B, dst);
        Dispatch.Floating(dtype, ref action, "logsumexp");
    }

    readonly struct LogsumexpAction(Array src, int off, int A, int C, int B, Array dst) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            T[] s = (T[])src, d = (T[])dst;
            var m = new T[C];
            Reduction.Run(s, off, A, C, B, m, new ExtremumReducer<T, Greater>());
            // An infinite max would give inf − inf = NaN; PyTorch shifts by 0 there instead.
            for (int c = 0; c < C; c++) if (T.IsInfinity(m[c])) m[c] = T.Zero;
            Reduction.Run(s, off, A, C, B, d, new CenteredSumReducer<T, CenteredExp>(m));
            RowUpdate.LogPlus<T>(d.AsSpan(0, C), m);
        }
    }

    /// <summary>Index (and value, when <paramref name="values"/> is given) of the max or min along K of [A, K, I]; see <see cref="Reduction.ArgExtreme{T}"/>.</summary>
    public static void ArgExtreme(ScalarType dtype, Array src, int off, int A, int K, int I, Array? values, long[] indices, bool max, string op)
    {
        var action = new ArgExtremeAction(src, off, A, K, I, values, indices, max);
        Dispatch.Numeric(dtype, ref action, op);
    }

    readonly struct ArgExtremeAction(Array src, int off, int A, int K, int I, Array? values, long[] indices, bool max) : INumericAction
    {
        public void Run<T>() where T : unmanaged, INumber<T> =>
            Reduction.ArgExtreme((T[])src, off, A, K, I, (T[]?)values, indices, max);
    }

    /// <summary>Inclusive cumulative sum or product along K of [A, K, I] (every numeric dtype); see <see cref="Reduction.Cumulative{T}"/>.</summary>
    public static void Cumulative(ScalarType dtype, Array src, int off, int A, int K, int I, Array dst, bool product, bool reverse)
    {
        var action = new CumulativeAction(src, off, A, K, I, dst, product, reverse);
        Dispatch.Numeric(dtype, ref action, product ? "cumprod" : "cumsum");
    }

    readonly struct CumulativeAction(Array src, int off, int A, int K, int I, Array dst, bool product, bool reverse) : INumericAction
    {
        public void Run<T>() where T : unmanaged, INumber<T> =>
            Reduction.Cumulative((T[])src, off, A, K, I, (T[])dst, product, reverse);
    }

    /// <summary>
    /// dx of prod (or, with <paramref name="cumulative"/>, of cumprod) along K of contiguous [A, K, I] x and g
    /// (float32 or float64); see <see cref="Reduction.ProdBackward{T}"/> and <see cref="Reduction.CumprodBackward{T}"/>.
    /// </summary>
    public static void ProdBackward(ScalarType dtype, Array x, int xo, Array g, int go, int A, int K, int I, Array dx, bool cumulative)
    {
        var action = new ProdBackwardAction(x, xo, g, go, A, K, I, dx, cumulative);
        Dispatch.Floating(dtype, ref action, cumulative ? "cumprod_backward" : "prod_backward");
    }

    readonly struct ProdBackwardAction(Array x, int xo, Array g, int go, int A, int K, int I, Array dx, bool cumulative) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (cumulative) Reduction.CumprodBackward((T[])x, xo, (T[])g, go, A, K, I, (T[])dx);
            else Reduction.ProdBackward((T[])x, xo, (T[])g, go, A, K, I, (T[])dx);
        }
    }

    /// <summary>g [A, I] written into a zero [A, K, I] dst at k = idx[a, i] (float32 or float64): the backward of max/min along a dim.</summary>
    public static void ScatterAlong(ScalarType dtype, Array g, int go, long[] idx, int io, int A, int K, int I, Array dst)
    {
        var action = new ScatterAlongAction(g, go, idx, io, A, K, I, dst);
        Dispatch.Floating(dtype, ref action, "scatter_along_dim");
    }

    readonly struct ScatterAlongAction(Array g, int go, long[] idx, int io, int A, int K, int I, Array dst) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => Reduction.ScatterAlong((T[])g, go, idx, io, A, K, I, (T[])dst);
    }
}
