using Torchlet.Modules;

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

    public static partial class torch
    {
        public static Tensor dropout(Tensor input, double p, bool train) => Tensor.DropoutImpl(input, p, train, false, false, false, "dropout");
        public static Tensor dropout_(Tensor input, double p, bool train) => Tensor.DropoutImpl(input, p, train, false, false, true, "dropout");
        public static Tensor feature_dropout(Tensor input, double p, bool train) => Tensor.DropoutImpl(input, p, train, true, false, false, "feature_dropout");
        public static Tensor alpha_dropout(Tensor input, double p, bool train) => Tensor.DropoutImpl(input, p, train, false, true, false, "alpha_dropout");
        public static Tensor feature_alpha_dropout(Tensor input, double p, bool train) => Tensor.DropoutImpl(input, p, train, true, true, false, "feature_alpha_dropout");

        public static partial class nn
        {
            public static partial class functional
            {
                /// <summary>Zeroes each element with probability p and scales the rest by 1/(1 − p); identity when not training.</summary>
                public static Tensor dropout(Tensor input, double p = 0.5, bool training = true, bool inplace = false) =>
                    Tensor.DropoutImpl(input, p, training, feature: false, alpha: false, inplace, "dropout");

                /// <summary>Zeroes whole channels of a (N, C, L) or (C, L) input.</summary>
                public static Tensor dropout1d(Tensor input, double p = 0.5, bool training = true, bool inplace = false) =>
                    Tensor.FeatureDropoutNd(input, p, training, inplace, 1, "dropout1d");

                /// <summary>
                /// Zeroes whole channels of a (N, C, H, W) input. As in PyTorch 1.13, a 3-D input is taken as
                /// (N, C, L) (with PyTorch's warning), and other ranks are accepted with a deprecation warning.
                /// </summary>
                public static Tensor dropout2d(Tensor input, double p = 0.5, bool training = true, bool inplace = false)
                {
                    ArgumentNullException.ThrowIfNull(input);
                    if (!(p >= 0 && p <= 1))
                        throw new ArgumentException($"dropout probability has to be between 0 and 1, but got {Modules.Args.Py(p)} (dropout2d)");
                    int d = input.dim();
                    if (d != 3 && d != 4)
                        Warnings.Warn($"dropout2d: Received a {d}-D input to dropout2d, which is deprecated and will result in an error in a future release. To retain the behavior and silence this warning, please use dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).");
                    if (d == 3)
                        Warnings.Warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will change in a future release to interpret the input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.");
                    return Tensor.DropoutImpl(input, p, training, feature: true, alpha: false, inplace, "dropout2d");
                }

                /// <summary>Zeroes whole channels of a (N, C, D, H, W) or (C, D, H, W) input.</summary>
                public static Tensor dropout3d(Tensor input, double p = 0.5, bool training = true, bool inplace = false)
                {
                    ArgumentNullException.ThrowIfNull(input);
                    int d = input.dim();
                    if (d != 4 && d != 5)
                    {
                        if (!(p >= 0 && p <= 1))
                            throw new ArgumentException($"dropout probability has to be between 0 and 1, but got {Modules.Args.Py(p)} (dropout3d)");
                        Warnings.Warn($"dropout3d: Received a {d}-D input to dropout3d, which is deprecated and will result in an error in a future release. To retain the behavior and silence this warning, please use dropout instead. Note that dropout3d exists to provide channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).");
                        return Tensor.DropoutImpl(input, p, training, feature: true, alpha: false, inplace, "dropout3d");
                    }
                    return Tensor.FeatureDropoutNd(input, p, training, inplace, 3, "dropout3d");
                }

                /// <summary>Dropout that keeps SELU's self-normalising mean and variance (PyTorch's default: training = false).</summary>
                public static Tensor alpha_dropout(Tensor input, double p = 0.5, bool training = false, bool inplace = false) =>
                    Tensor.DropoutImpl(input, p, training, feature: false, alpha: true, inplace, "alpha_dropout");

                /// <summary>Alpha dropout of whole channels (PyTorch's default: training = false).</summary>
                public static Tensor feature_alpha_dropout(Tensor input, double p = 0.5, bool training = false, bool inplace = false) =>
                    Tensor.DropoutImpl(input, p, training, feature: true, alpha: true, inplace, "feature_alpha_dropout");
            }

            public static Dropout Dropout(double p = 0.5, bool inplace = false) => new(p, inplace);
            public static Dropout1d Dropout1d(double p = 0.5, bool inplace = false) => new(p, inplace);
            public static Dropout2d Dropout2d(double p = 0.5, bool inplace = false) => new(p, inplace);
            public static Dropout3d Dropout3d(double p = 0.5, bool inplace = false) => new(p, inplace);
            public static AlphaDropout AlphaDropout(double p = 0.5, bool inplace = false) => new(p, inplace);
            public static FeatureAlphaDropout FeatureAlphaDropout(double p = 0.5, bool inplace = false) => new(p, inplace);
        }
    }
}

namespace Torchlet.Modules
{
    using static Torchlet.torch;
    using F = Torchlet.torch.nn.functional;

    /// <summary>Base of the dropout layers (PyTorch's _DropoutNd): p in [0, 1], active only in training mode.</summary>
    public abstract class DropoutNd : nn.Layer<Tensor, Tensor>
    {
        public double p { get; }
        public bool inplace { get; }

        protected DropoutNd(string name, double p, bool inplace) : base(name)
        {
            if (!(p >= 0 && p <= 1))
                throw new ArgumentException($"{name}: dropout probability has to be between 0 and 1, but got {Args.Py(p)}");
            this.p = p; this.inplace = inplace;
        }

        public override string extra_repr() => $"p={Args.Py(p)}, inplace={Args.Py(inplace)}";
    }

    public class Dropout(double p = 0.5, bool inplace = false) : DropoutNd(nameof(Dropout), p, inplace)
    {
        protected override Tensor Forward(Tensor input) => F.dropout(input, p, training, inplace);
    }

    public class Dropout1d(double p = 0.5, bool inplace = false) : DropoutNd(nameof(Dropout1d), p, inplace)
    {
        protected override Tensor Forward(Tensor input)
        {
            if (input.dim() is not (2 or 3))
                throw new ArgumentException($"{this}: expected a 2-D (C, L) or 3-D (N, C, L) input, got input of shape {Shape.Str(input._shape)}");
            return F.dropout1d(input, p, training, inplace);
        }
    }

    public class Dropout2d(double p = 0.5, bool inplace = false) : DropoutNd(nameof(Dropout2d), p, inplace)
    {
        protected override Tensor Forward(Tensor input) => F.dropout2d(input, p, training, inplace);
    }

    public class Dropout3d(double p = 0.5, bool inplace = false) : DropoutNd(nameof(Dropout3d), p, inplace)
    {
        protected override Tensor Forward(Tensor input) => F.dropout3d(input, p, training, inplace);
    }

    public class AlphaDropout(double p = 0.5, bool inplace = false) : DropoutNd(nameof(AlphaDropout), p, inplace)
    {
        protected override Tensor Forward(Tensor input) => F.alpha_dropout(input, p, training, inplace);
    }

    public class FeatureAlphaDropout(double p = 0.5, bool inplace = false) : DropoutNd(nameof(FeatureAlphaDropout), p, inplace)
    {
        protected override Tensor Forward(Tensor input) => F.feature_alpha_dropout(input, p, training, inplace);
    }
}
