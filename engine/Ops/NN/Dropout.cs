namespace Torchlet
{
    public partial class Tensor
    {
        /// <summary>
        /// PyTorch's _dropout_impl: noise = bernoulli_(1 − p) drawn from the generator (element-wise, or one
        /// draw per (sample, channel) for feature dropout), scaled by 1/(1 − p), multiplied in (MulBackward0).
        /// Alpha dropout keeps SELU's mean and variance: input·a·mask + (mask − 1)·α'·a + α'·a·p. p = 0, eval
        /// mode or an empty input return the input itself; p = 1 multiplies by zero.
        /// </summary>
        internal static Tensor DropoutImpl(Tensor input, double p, bool train, bool feature, bool alpha, bool inplace, string op)
        {
            ArgumentNullException.ThrowIfNull(input);
            if (!(p >= 0 && p <= 1))
                throw new ArgumentException($"dropout probability has to be between 0 and 1, but got {Modules.Args.Py(p)} ({op})");
            if (p == 0 || !train || input.Numel == 0) return input;
            if (!input.dtype.IsFloating())
                throw new ArgumentException($"{op}: expected a floating point input, got {input.dtype.TorchName()}");
            if (feature && input.dim() < 2)
                throw new ArgumentException($"Feature dropout requires at least 2 dimensions in the input ({op} got an input of shape {Shape.Str(input._shape)})");
            if (inplace) input.CheckInplaceTarget(op + "_");
            if (p == 1)
            {
                var zero = ScalarTensor(0, input.dtype);
                return inplace ? input.mul_(zero) : input.mul(zero);
            }
            int[] noiseShape = input._shape;
            if (feature)
            {
                noiseShape = new int[input.dim()];
                Array.Fill(noiseShape, 1);
                noiseShape[0] = input._shape[0]; noiseShape[1] = input._shape[1];
            }
            var noise = Empty(noiseShape, input.dtype);
            Tensor? b = null;
            using (torch.no_grad())
            {
                noise.bernoulli_(1 - p);
                if (alpha)
                {
                    const double Alpha = 1.7580993408473766;
                    double a = 1.0 / Math.Sqrt((Alpha * Alpha * p + 1) * (1 - p));
                    b = noise.add(-1).mul_(Alpha * a).add_(Alpha * a * p);
                    noise.mul_(a);
                }
                else noise.div_(1 - p);
            }
            var r = inplace ? input.mul_(noise) : input.mul(noise);
            if (b is not null) r = inplace ? r.add_(b) : r.add(b);
            return r;
        }

        /// <summary>dropout1d/3d: unbatched inputs get a batch dim for the channel-wise draw.</summary>
        internal static Tensor FeatureDropoutNd(Tensor input, double p, bool training, bool inplace, int spatial, string op)
        {
            ArgumentNullException.ThrowIfNull(input);
            if (!(p >= 0 && p <= 1))
                throw new ArgumentException($"dropout probability has to be between 0 and 1, but got {Modules.Args.Py(p)} ({op})");
            int d = input.dim();
            bool batched = d == spatial + 2;
            if (!batched && d != spatial + 1)
                throw new ArgumentException(spatial == 1
                    ? $"dropout1d: Expected 2D or 3D input, but received a {d}D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs)."
                    : $"{op}: Expected {spatial + 1}D or {spatial + 2}D input, but received a {d}D input (shape {Shape.Str(input._shape)})");
            if (batched) return DropoutImpl(input, p, training, feature: true, alpha: false, inplace, op);
            var r = DropoutImpl(input.unsqueeze(0), p, training, feature: true, alpha: false, inplace, op);
            return inplace ? input : r.squeeze(0);
        }
    }
}
