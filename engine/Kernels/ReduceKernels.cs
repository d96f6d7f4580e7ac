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
    /// <summary>dst[c] = op over A and B of src (every numeric dtype).</summary>
    public static void Reduce(ScalarType dtype, Array src, int off, int A, int C, int B, Array dst, ReduceOp op)
    {
        // One small action per reducer, so that the sum the notes' steps run compiles to a short path of its own.
        switch (op)
        {
            case ReduceOp.Sum: Reduce<SumKind>(dtype, src, off, A, C, B, dst); break;
            case ReduceOp.Prod: Reduce<ProdKind>(dtype, src, off, A, C, B, dst); break;
            case ReduceOp.Max: Reduce<MaxKind>(dtype, src, off, A, C, B, dst); break;
            case ReduceOp.Min: Reduce<MinKind>(dtype, src, off, A, C, B, dst); break;
            case ReduceOp.SumSq: Reduce<SumSqKind>(dtype, src, off, A, C, B, dst); break;
            default: throw new NotSupportedException($"reduction {op} is not one ReduceKernels runs");
        }
    }

    static void Reduce<TKind>(ScalarType dtype, Array src, int off, int A, int C, int B, Array dst) where TKind : IReducerKind
    {
        var action = new ReduceAction<TKind>(src, off, A, C, B, dst);
        Dispatch.Numeric(dtype, ref action, TKind.Name);
    }

    interface IReducerKind
    {
        static abstract string Name { get; }
        static abstract void Run<T>(T[] s, int off, int A, int C, int B, T[] d) where T : unmanaged, INumber<T>;
    }

    struct SumKind : IReducerKind
    {
        public static string Name => "sum";
        public static void Run<T>(T[] s, int off, int A, int C, int B, T[] d) where T : unmanaged, INumber<T> => Reduction.Run(s, off, A, C, B, d, new SumReducer<T>());
    }

    struct ProdKind : IReducerKind
    {
        public static string Name => "prod";
        public static void Run<T>(T[] s, int off, int A, int C, int B, T[] d) where T : unmanaged, INumber<T> => Reduction.Run(s, off, A, C, B, d, new ProdReducer<T>());
    }

    struct MaxKind : IReducerKind
    {
        public static string Name => "max";
        public static void Run<T>(T[] s, int off, int A, int C, int B, T[] d) where T : unmanaged, INumber<T> => Reduction.Run(s, off, A, C, B, d, new ExtremumReducer<T, Greater>());
    }

    struct MinKind : IReducerKind
    {
        public static string Name => "min";
        public static void Run<T>(T[] s, int off, int A, int C, int B, T[] d) where T : unmanaged, INumber<T> => Reduction.Run(s, off, A, C, B, d, new ExtremumReducer<T, Less>());
    }

    struct SumSqKind : IReducerKind
    {
        public static string Name => "sumsq";
        public static void Run<T>(T[] s, int off, int A, int C, int B, T[] d) where T : unmanaged, INumber<T> => Reduction.Run(s, off, A, C, B, d, new SumSqReducer<T>());
    }

    readonly struct ReduceAction<TKind>(Array src, int off, int A, int C, int B, Array dst) : INumericAction where TKind : IReducerKind
    {
        public void Run<T>() where T : unmanaged, INumber<T> => TKind.Run((T[])src, off, A, C, B, (T[])dst);
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
