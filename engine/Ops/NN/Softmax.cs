using Torchlet.Kernels;

namespace Torchlet
{
    /// <summary>
    /// softmax / log_softmax along one dim, forward and backward. The input is seen as [outer, K, inner]
    /// (K = the softmax dim): <see cref="SoftmaxKernels"/> (Kernels/Softmax.cs) reduce rows of the last
    /// dim directly and other dims over the inner dim, one K-slice at a time, so no transposed copy is
    /// made. Both subtract the max first (PyTorch's numerically stable form).
    /// </summary>
    public partial class Tensor
    {
        /// <summary>exp(x − max) / Σ exp(x − max) along <paramref name="dim"/>; <paramref name="dtype"/> converts the input first.</summary>
        public Tensor softmax(long dim, ScalarType? dtype = null) => SoftmaxOp(dim, dtype, log: false);

        /// <summary>x − max − log Σ exp(x − max) along <paramref name="dim"/>.</summary>
        public Tensor log_softmax(long dim, ScalarType? dtype = null) => SoftmaxOp(dim, dtype, log: true);

        internal Tensor SoftmaxOp(long dim, ScalarType? dtype, bool log)
        {
            var x = dtype is { } dt && dt != this.dtype ? to(dt) : this;
            int d = Shape.NormDim(dim, x._shape.Length, "dim");
            bool last = d >= x._shape.Length - 1;
            if (!x.dtype.IsFloating())
                throw new ArgumentException($"\"{(log ? "log_" : "")}softmax{(last ? "_lastdim" : "")}_kernel_impl\" not implemented for '{x.dtype.CName()}' ({(log ? "log_" : "")}softmax needs a floating point input: convert it, or pass dtype: float32)");
            var y = SoftmaxKernel(x, d, log);
            if (NeedsGrad(x))
            {
                var sy = new SavedTensor(y);
                Record(y, log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", g => SoftmaxGrad(g, sy.Get(), d, log), true, x);
            }
            return y;
        }

        static (int outer, int k, int inner) SoftmaxGeometry(int[] shape, int d) => Tensor.SplitAroundDim(shape, d);

        static Tensor SoftmaxKernel(Tensor x, int d, bool log)
        {
            var xc = x.contiguous_nograd();
            var y = Empty(x._shape, x.dtype);
            if (y.Numel == 0) return y;
            var (outer, k, inner) = SoftmaxGeometry(x._shape, d);
            SoftmaxKernels.Forward(x.dtype, xc._storage.RawArray, xc._offset, y._storage.RawArray, outer, k, inner, log, "softmax");
            return y;
        }

        /// <summary>
        /// softmax: y·(g − Σ g·y); log_softmax: g − exp(y)·Σ g. A fused kernel normally; ordinary
        /// tensor ops when the gradient is itself being differentiated (create_graph).
        /// </summary>
        static Tensor SoftmaxGrad(Tensor g, Tensor y, int d, bool log)
        {
            if (GradMode.Enabled && (g._requiresGrad || y._requiresGrad))
            {
                long dd = y._shape.Length == 0 ? 0 : d;
                return log ? g.sub(y.exp().mul(g.sum(dd, keepdim: true))) : y.mul(g.sub(g.mul(y).sum(dd, keepdim: true)));
            }
            if (g.dtype != y.dtype) g = g.to_nograd(y.dtype, false);
            var gc = g.contiguous_nograd();
            var r = Empty(y._shape, y.dtype);
            if (r.Numel == 0) return r;
            var (outer, k, inner) = SoftmaxGeometry(y._shape, d);
            SoftmaxKernels.Backward(y.dtype, gc._storage.RawArray, gc._offset, y._storage.RawArray, y._offset, r._storage.RawArray, outer, k, inner, log, "softmax_backward");
            return r;
        }
    }
}
