namespace Torchlet
{
    public partial class Tensor
    {
        /// <summary>matmul's at::_unsafe_view of a fresh product (UnsafeViewBackward0).</summary>
        internal Tensor UnsafeViewTo(long[] shape) => UnsafeView(this, Shape.FromLong(shape));

        /// <summary>
        /// x·Wᵀ (+ b) for a 2-D x in one GEMM that reads Wᵀ through strides. The backward is two GEMMs:
        /// g·W for the input and gᵀ·x for the weight, the latter written straight in W's [out, in] layout
        /// (PyTorch's addmm computes xᵀ·g and transposes, which costs a strided copy when accumulated).
        /// The node is named as PyTorch's (AddmmBackward0 with a bias, MmBackward0 without); it links to
        /// the weight directly rather than through a TBackward0 node.
        /// </summary>
        internal static Tensor LinearMm(Tensor x, Tensor w, Tensor? b)
        {
            CheckMatmulTypes(x, w, b is null ? "mm" : "addmm");
            if (b is not null && b.dtype != x.dtype)
                throw new ArgumentException($"self and mat2 must have the same dtype (linear: bias is {b.dtype.TorchName()}, input and weight are {x.dtype.TorchName()})");
            int n = x._shape[0], o = w._shape[0];
            var r = Empty([n, o], x.dtype);
            if (b is not null) r.CopyFrom(b);
            GemmInto(r, 1, x, w.transpose_nograd(0, 1), 0, 0, beta: b is null ? 0 : 1, alpha: 1);
            bool gx = NeedsGrad(x), gw = NeedsGrad(w), gb = b is not null && NeedsGrad(b);
            if (!gx && !gw && !gb) return r;
            var sx = gw ? new SavedTensor(x) : default;
            var sw = gx ? new SavedTensor(w) : default;
            (Tensor?, Tensor?) Backward(Tensor g)
            {
                var gc = g.contiguous_nograd();
                return (gx ? gc.mm(sw.Get()) : null, gw ? gc.t().mm(sx.Get()) : null);
            }
            if (b is null) return Record(r, "MmBackward0", Backward, true, x, w);
            return Record(r, "AddmmBackward0", g =>
            {
                var (dx, dw) = Backward(g);
                return (gb ? g.sum(0) : null, dx, dw);
            }, true, b, x, w);
        }
    }
}
