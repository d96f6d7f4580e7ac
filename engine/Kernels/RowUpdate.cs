using System.Numerics;
using System.Numerics.Tensors;

namespace Torchlet.Kernels;

/// <summary>
/// Span primitives for ops that compute on raw contiguous rows (BLAS level-1 and a few pointwise
/// maps): the recurrent bias fold and BPTT sums, the embedding backward, the Householder QR of
/// nn.init.orthogonal_, index_put's accumulation, add with alpha, the pointwise losses, the
/// cross-entropy gradient, var/std/logsumexp finishing steps, AdamW's decay. They run on
/// TensorPrimitives (its Vector512/256/128 and scalar paths), so no op outside the kernels names a
/// SIMD type.
/// </summary>
internal static class RowUpdate
{
    /// <summary>y += x.</summary>
    public static void Add<T>(Span<T> y, ReadOnlySpan<T> x) where T : unmanaged, INumber<T> => TensorPrimitives.Add<T>(y, x, y);

    /// <summary>y += x·a (BLAS axpy; a product then a sum, not fused).</summary>
    public static void Axpy<T>(T a, ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, INumber<T> => TensorPrimitives.MultiplyAdd<T>(x, a, y, y);

    /// <summary>d = fma(x, a, y): x·a + y rounded once, as PyTorch's CPU add(alpha=) and add_(alpha=) are.</summary>
    public static void FusedAxpy<T>(ReadOnlySpan<T> x, T a, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> =>
        TensorPrimitives.FusedMultiplyAdd(x, a, y, d);

    /// <summary><see cref="FusedAxpy{T}"/> over n elements of float32 or float64 buffers (d may be y).</summary>
    public static void FusedAxpy(ScalarType dtype, Array x, int xo, Scalar a, Array y, int yo, Array d, int dOff, int n, string op)
    {
        var action = new FusedAxpyAction(x, xo, a, y, yo, d, dOff, n);
        Dispatch.Floating(dtype, ref action, op);
    }

    readonly struct FusedAxpyAction(Array x, int xo, Scalar a, Array y, int yo, Array d, int dOff, int n) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
            FusedAxpy<T>(((T[])x).AsSpan(xo, n), a.As<T>(), ((T[])y).AsSpan(yo, n), ((T[])d).AsSpan(dOff, n));
    }

    /// <summary>y /= a (a division, not a product by 1/a, as PyTorch's div).</summary>
    public static void Divide<T>(Span<T> y, T a) where T : unmanaged, INumber<T> => TensorPrimitives.Divide<T>(y, a, y);

    /// <summary>y *= a.</summary>
    public static void Scale<T>(Span<T> y, T a) where T : unmanaged, INumber<T> => TensorPrimitives.Multiply<T>(y, a, y);

    /// <summary>d = x − y.</summary>
    public static void Subtract<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Subtract(x, y, d);

    /// <summary>y = y².</summary>
    public static void Square<T>(Span<T> y) where T : unmanaged, INumber<T> => TensorPrimitives.Multiply<T>(y, y, y);

    /// <summary>y = √y over a float32 or float64 buffer.</summary>
    public static void Sqrt(ScalarType dtype, Array y, int offset, int n, string op)
    {
        var action = new SqrtAction(y, offset, n);
        Dispatch.Floating(dtype, ref action, op);
    }

    readonly struct SqrtAction(Array y, int offset, int n) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var s = ((T[])y).AsSpan(offset, n);
            TensorPrimitives.Sqrt<T>(s, s);
        }
    }

    /// <summary>d = exp(x − shift).</summary>
    public static void ExpShifted<T>(ReadOnlySpan<T> x, T shift, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Subtract(x, shift, d);
        TensorPrimitives.Exp<T>(d, d);
    }

    /// <summary>y = log(y) + m (logsumexp's last step).</summary>
    public static void LogPlus<T>(Span<T> y, ReadOnlySpan<T> m) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Log<T>(y, y);
        TensorPrimitives.Add<T>(y, m, y);
    }
}
