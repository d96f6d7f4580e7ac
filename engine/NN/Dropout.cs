using Torchlet.Modules;

namespace Torchlet
{
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

    public sealed class Dropout(double p = 0.5, bool inplace = false) : DropoutNd(nameof(Dropout), p, inplace)
    {
        protected override Tensor Forward(Tensor input) => F.dropout(input, p, training, inplace);
    }

    public sealed class Dropout1d(double p = 0.5, bool inplace = false) : DropoutNd(nameof(Dropout1d), p, inplace)
    {
        protected override Tensor Forward(Tensor input)
        {
            if (input.dim() is not (2 or 3))
                throw new ArgumentException($"{this}: expected a 2-D (C, L) or 3-D (N, C, L) input, got input of shape {Shape.Str(input._shape)}");
            return F.dropout1d(input, p, training, inplace);
        }
    }

    public sealed class Dropout2d(double p = 0.5, bool inplace = false) : DropoutNd(nameof(Dropout2d), p, inplace)
    {
        protected override Tensor Forward(Tensor input) => F.dropout2d(input, p, training, inplace);
    }

    public sealed class Dropout3d(double p = 0.5, bool inplace = false) : DropoutNd(nameof(Dropout3d), p, inplace)
    {
        protected override Tensor Forward(Tensor input) => F.dropout3d(input, p, training, inplace);
    }

    public sealed class AlphaDropout(double p = 0.5, bool inplace = false) : DropoutNd(nameof(AlphaDropout), p, inplace)
    {
        protected override Tensor Forward(Tensor input) => F.alpha_dropout(input, p, training, inplace);
    }

    public sealed class FeatureAlphaDropout(double p = 0.5, bool inplace = false) : DropoutNd(nameof(FeatureAlphaDropout), p, inplace)
    {
        protected override Tensor Forward(Tensor input) => F.feature_alpha_dropout(input, p, training, inplace);
    }
}
