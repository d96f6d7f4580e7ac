using System.Numerics;

namespace Torchlet.Kernels;

/// <summary>A matrix operand of a product: its buffer, where it starts, and its row, column and batch strides.</summary>
internal readonly record struct StridedMatrix(Array Data, int Offset, int RowStride, int ColStride, int BatchStride);

/// <summary>The matrix products' entry points (every numeric dtype): a batch of <see cref="Gemm"/> products and the dot product.</summary>
internal static class MatmulKernels
{
    /// <summary>
    /// c[i] = alpha·a[i]·b[i] + beta·c[i] for i &lt; <paramref name="batch"/>, a being m × k and b k × n, both read
    /// through their strides (transposed views are not copied); c is contiguous [batch, m, n] from <paramref name="cOff"/>.
    /// </summary>
    public static void Batched(ScalarType dtype, int batch, int m, int n, int k, Scalar alpha, StridedMatrix a, StridedMatrix b, Scalar beta, Array c, int cOff)
    {
        var action = new GemmAction(batch, m, n, k, alpha, a, b, beta, c, cOff);
        Dispatch.Numeric(dtype, ref action, "matmul");
    }

    readonly struct GemmAction(int batch, int m, int n, int k, Scalar alpha, StridedMatrix a, StridedMatrix b, Scalar beta, Array c, int cOff) : INumericAction
    {
        public void Run<T>() where T : unmanaged, INumber<T> => Batched(batch, m, n, k, alpha.As<T>(), a, b, beta.As<T>(), (T[])c, cOff);
    }

    static unsafe void Batched<T>(int batch, int m, int n, int k, T alpha, StridedMatrix a, StridedMatrix b, T beta, T[] c, int cOff)
        where T : unmanaged, INumber<T>
    {
        if (batch == 0 || m == 0 || n == 0) return;
        int rsa = a.RowStride, csa = a.ColStride, rsb = b.RowStride, csb = b.ColStride;
        int aBatchStride = a.BatchStride, bBatchStride = b.BatchStride;
        fixed (T* pa0 = (T[])a.Data, pb0 = (T[])b.Data, pc0 = c)
        {
            T* pa = pa0 + a.Offset, pb = pb0 + b.Offset, pc = pc0 + cOff;
            long cBatch = (long)m * n;
            if (batch == 1) { Gemm.Run(m, n, k, alpha, pa, rsa, csa, pb, rsb, csb, beta, pc, n, parallel: true); return; }
            // Many small products: one product per thread at a time. Large ones: each uses every thread.
            if ((long)m * n * k < Gemm.ParallelMinWork * 8)
            {
                var products = new SmallProducts<T>(m, n, k, alpha, pa, rsa, csa, aBatchStride, pb, rsb, csb, bBatchStride, beta, pc, cBatch);
                Threading.For(batch, 2L * m * n * k, products);
            }
            else
                for (int i = 0; i < batch; i++)
                    Gemm.Run(m, n, k, alpha, pa + (long)i * aBatchStride, rsa, csa, pb + (long)i * bBatchStride, rsb, csb, beta, pc + i * cBatch, n, parallel: true);
        }
    }

    /// <summary>Products [s, e) of a batch of small ones, each on one thread; the buffers stay pinned while they run.</summary>
    readonly unsafe struct SmallProducts<T>(int m, int n, int k, T alpha, T* pa, int rsa, int csa, int aBatchStride, T* pb, int rsb, int csb, int bBatchStride,
        T beta, T* pc, long cBatch) : IRange where T : unmanaged, INumber<T>
    {
        public void Run(int s, int e)
        {
            for (int i = s; i < e; i++)
                Gemm.Run(m, n, k, alpha, pa + (long)i * aBatchStride, rsa, csa, pb + (long)i * bBatchStride, rsb, csb, beta, pc + i * cBatch, n, parallel: false);
        }
    }

    /// <summary>r[0] = Σ x[i]·y[i] over n elements of two strided vectors.</summary>
    public static void Dot(ScalarType dtype, int n, Array x, int xOff, int incx, Array y, int yOff, int incy, Array r)
    {
        var action = new DotAction(n, x, xOff, incx, y, yOff, incy, r);
        Dispatch.Numeric(dtype, ref action, "dot");
    }

    readonly struct DotAction(int n, Array x, int xOff, int incx, Array y, int yOff, int incy, Array r) : INumericAction
    {
        public unsafe void Run<T>() where T : unmanaged, INumber<T>
        {
            fixed (T* px = (T[])x, py = (T[])y)
                ((T[])r)[0] = Gemm.Dot(n, px + xOff, incx, py + yOff, incy);
        }
    }
}
