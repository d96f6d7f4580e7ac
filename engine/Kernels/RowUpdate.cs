using System.Numerics;
using System.Numerics.Tensors;

namespace Torchlet.Kernels;

/// <summary>
/// In-place updates of one row by another (BLAS level-1), for code outside the kernels that
/// accumulates into raw rows: the recurrent bias fold and BPTT sums, the embedding backward,
/// the Householder QR of nn.init.orthogonal_.
/// </summary>
internal static class RowUpdate
{
    /// <summary>y += x.</summary>
    public static void Add<T>(Span<T> y, ReadOnlySpan<T> x) where T : unmanaged, INumber<T> => TensorPrimitives.Add<T>(y, x, y);

    /// <summary>y += x·a (BLAS axpy; a product then a sum, not fused).</summary>
    public static void Axpy<T>(T a, ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, INumber<T> => TensorPrimitives.MultiplyAdd<T>(x, a, y, y);
}
