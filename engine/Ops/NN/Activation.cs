using Torchlet.Kernels;

namespace Torchlet
{
    /// <summary>
    /// Pointwise activation ops: the SIMD kernels (Kernels/Activation.cs) run forward and backward; each
    /// op records PyTorch's grad_fn name.
    /// </summary>
    public partial class Tensor
    {
        /// <summary>f(x) through an activation kernel; float32/float64 only, as PyTorch's kernels.</summary>
        internal Tensor ActForward<TOp>(TOp op, string kernel) where TOp : struct, IAct
        {
            if (!dtype.IsFloating()) throw new ArgumentException($"\"{kernel}\" not implemented for '{dtype.CName()}'");
            var x = contiguous_nograd();
            var r = Empty(x._shape, x.dtype);
            ActKernels.Forward(dtype, x._storage.RawArray, x._offset, r._storage.RawArray, r.Numel, op, kernel);
            return r;
        }

        /// <summary>g·f'(x) through an activation's backward kernel (runs under no_grad inside backward).</summary>
        internal static Tensor ActBackward<TOp>(Tensor g, Tensor x, TOp op) where TOp : struct, IActGrad
        {
            if (g.dtype != x.dtype) g = g.to_nograd(x.dtype, false);
            g = g.contiguous_nograd();
            x = x.contiguous_nograd();
            var r = Empty(x._shape, x.dtype);
            ActKernels.Backward(x.dtype, g._storage.RawArray, g._offset, x._storage.RawArray, x._offset, r._storage.RawArray, r.Numel, op, "activation backward");
            return r;
        }

        /// <summary>Forward through the kernel and, when a graph is recorded, the node <paramref name="node"/> saving the input.</summary>
        internal Tensor Act<TOp>(TOp op, string kernel, string node) where TOp : struct, IAct, IActGrad
        {
            var r = ActForward(op, kernel);
            if (!NeedsGrad(this)) return r;
            var sx = new SavedTensor(this);
            return Record(r, node, g => ActBackward(g, sx.Get(), op), true, this);
        }

        /// <summary>Like <see cref="Act{TOp}"/> but the node saves the result and the backward kernel reads it.</summary>
        internal Tensor ActSavingResult<TOp>(TOp op, string kernel, string node) where TOp : struct, IAct, IActGrad
        {
            var r = ActForward(op, kernel);
            if (!NeedsGrad(this)) return r;
            var sy = new SavedTensor(r);
            return Record(r, node, g => ActBackward(g, sy.Get(), op), true, this);
        }

        /// <summary>An activation's in-place form through the shared in-place machinery (checks, version bump, history).</summary>
        internal Tensor ActInplace<TOp>(TOp op, string opName, string kernel, string node) where TOp : struct, IAct, IActGrad =>
            Inplace(opName, null, (op, kernel, node), static (t, s) => t.Act(s.op, s.kernel, s.node));

        /// <summary>Zero where −lambd ≤ x ≤ lambd, x elsewhere.</summary>
        public Tensor hardshrink(double lambd = 0.5) => Act(new HardshrinkAct(lambd), "hardshrink_cpu", "HardshrinkBackward0");

        /// <summary>
        /// PReLU: x where x &gt; 0, weight·x elsewhere; weight has one element or one per channel (dim 1).
        /// PreluBackward0 gives the input and the weight gradients.
        /// </summary>
        public Tensor prelu(Tensor weight)
        {
            if (dim() == 0) throw new ArgumentException("Not allow zero-dim input tensor.");
            if (weight.dim() > 1) throw new ArgumentException($"prelu: Expected `weight` to be a scalar or 1D tensor, but got ndim = {weight.dim()}");
            if (!dtype.IsFloating()) throw new ArgumentException($"\"prelu_cpu\" not implemented for '{dtype.CName()}'");
            if (weight.dtype != dtype) throw new ArgumentException($"prelu: expected weight of dtype {dtype.TorchName()} like the input, got {weight.dtype.TorchName()}");
            int channels = dim() >= 2 ? _shape[1] : 1, wn = weight.Numel;
            if (wn != 1 && wn != channels)
                throw new ArgumentException($"Mismatch of parameter numbers and input channel size. Found parameter numbers = {wn} and channel size = {channels}.");
            var wb = PreluWeightView(weight, dim());
            Tensor r;
            using (torch.no_grad()) r = torch.where(gt(0), this, mul(wb));
            if (!NeedsGrad(this, weight)) return r;
            var sx = new SavedTensor(this);
            var sw = new SavedTensor(weight);
            var x0 = this; var w0 = weight;
            return Record(r, "PreluBackward0", g =>
            {
                var x = sx.Get(); var w = sw.Get();
                var wv = PreluWeightView(w, x.dim());
                var pos = x.gt(0);
                Tensor? gx = x0._requiresGrad ? torch.where(pos, g, g.mul(wv)) : null;
                Tensor? gw = null;
                if (w0._requiresGrad)
                {
                    var contrib = torch.where(pos, torch.zeros_like(g), x.mul(g));
                    if (w.Numel == 1 || x.dim() < 2) gw = contrib.sum().reshape(w.shape);
                    else
                    {
                        var dims = Enumerable.Range(0, x.dim()).Where(d => d != 1).Select(d => (long)d).ToArray();
                        gw = contrib.sum(dims).reshape(w.shape);
                    }
                }
                return (gx, gw);
            }, true, this, weight);
        }

        /// <summary>The weight shaped to broadcast along dim 1 ([1, C, 1, ...]), or as a scalar.</summary>
        static Tensor PreluWeightView(Tensor w, int inputDim)
        {
            if (w.Numel == 1 || inputDim < 2) return w.reshape_nograd([]);
            var shape = new int[inputDim];
            Array.Fill(shape, 1);
            shape[1] = w.Numel;
            return w.reshape_nograd(shape);
        }

        /// <summary>
        /// rrelu_with_noise: in training, x·r for x ≤ 0 with r ~ U(lower, upper) drawn per element in
        /// order from the generator (as PyTorch's CPU kernel, bit for bit), x elsewhere; in evaluation a
        /// leaky ReLU with slope (lower + upper)/2. Either way the node is RreluWithNoiseBackward0.
        /// </summary>
        internal Tensor Rrelu(double lower, double upper, bool training, torch.Generator? generator, string node)
        {
            if (!(lower <= upper)) throw new ArgumentException($"Lower bound should be less than or equal to the upper bound (rrelu: lower={lower}, upper={upper})");
            if (!dtype.IsFloating()) throw new ArgumentException($"\"rrelu_with_noise_cpu\" not implemented for '{dtype.CName()}'");
            double mean = (lower + upper) / 2;
            if (!training)
            {
                var op = new LeakyReluAct(mean);
                var re = ActForward(op, "leaky_relu_cpu");
                if (!NeedsGrad(this)) return re;
                var sx = new SavedTensor(this);
                return Record(re, node, g => ActBackward(g, sx.Get(), op), true, this);
            }
            var x = contiguous_nograd();
            var r = Empty(_shape, dtype);
            var noise = Empty(_shape, dtype);
            var gen = Gen(generator);
            lock (gen.Sync)
                RandomKernels.RreluWithNoise(dtype, x._storage.RawArray, x._offset, r._storage.RawArray, noise._storage.RawArray, r.Numel, lower, upper, gen);
            if (!NeedsGrad(this)) return r;
            if (upper - lower > 1e-6) return Record(r, node, g => g.mul(noise), false, this);
            var sx2 = new SavedTensor(this);
            return Record(r, node, g => ActBackward(g, sx2.Get(), new LeakyReluAct(mean)), true, this);
        }

        internal static readonly double SeluAlpha = 1.6732632423543772848170429916717;
        internal static readonly double SeluScale = 1.0507009873554804934193349852946;

        /// <summary>Runs an in-place op given as an out-of-place function of this tensor (checks, write-back, history).</summary>
        internal Tensor InplaceOp<TS>(string op, TS state, Func<Tensor, TS, Tensor> f) => Inplace(op, null, state, f);

        /// <summary>
        /// threshold for integer dtypes: a where (no kernel, no history), the value checked against the
        /// dtype; in place, written back with a version bump.
        /// </summary>
        internal Tensor IntThreshold(Scalar threshold, Scalar value, bool inplace)
        {
            if (inplace) CheckInplaceTarget("threshold_");
            if (dtype == ScalarType.Bool) throw new ArgumentException("\"threshold_cpu\" not implemented for 'Bool'");
            value.CheckFits(dtype);
            Tensor r;
            using (torch.no_grad()) r = torch.where(le(threshold), ScalarTensor(value, dtype), this);
            if (!inplace) return r;
            CopyFrom(r);
            BumpVersion();
            return this;
        }
    }
}
