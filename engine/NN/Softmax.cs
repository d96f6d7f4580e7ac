namespace Torchlet
{
    public static partial class torch
    {
        public static Tensor softmax(Tensor input, long dim, ScalarType? dtype = null) => input.softmax(dim, dtype);
        public static Tensor log_softmax(Tensor input, long dim, ScalarType? dtype = null) => input.log_softmax(dim, dtype);

        public static partial class nn
        {
            public static partial class functional
            {
                /// <summary>softmax along <paramref name="dim"/> (PyTorch's implicit dim when null, with its warning).</summary>
                public static Tensor softmax(Tensor input, long? dim = null, ScalarType? dtype = null) =>
                    input.softmax(dim ?? ImplicitSoftmaxDim("softmax", input.dim()), dtype);

                /// <summary>softmax(−x): small inputs get the large weights.</summary>
                public static Tensor softmin(Tensor input, long? dim = null, ScalarType? dtype = null)
                {
                    long d = dim ?? ImplicitSoftmaxDim("softmin", input.dim());
                    // PyTorch negates after the conversion, so the dtype applies to the softmax input.
                    var x = dtype is { } dt && dt != input.dtype ? input.to(dt) : input;
                    return x.neg().softmax(d);
                }

                public static Tensor log_softmax(Tensor input, long? dim = null, ScalarType? dtype = null) =>
                    input.log_softmax(dim ?? ImplicitSoftmaxDim("log_softmax", input.dim()), dtype);

                /// <summary>PyTorch's legacy rule for <c>dim=None</c>: 0 for 0-, 1- and 3-D inputs, else 1.</summary>
                internal static long ImplicitSoftmaxDim(string name, int ndim)
                {
                    Warnings.Warn($"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as an argument.");
                    return ndim is 0 or 1 or 3 ? 0 : 1;
                }
            }

            /// <summary>softmax along <paramref name="dim"/> (PyTorch's implicit choice, with its warning, when null).</summary>
            public static Modules.Softmax Softmax(long? dim = null) => new(dim);
            /// <summary>softmax(−x) along <paramref name="dim"/>.</summary>
            public static Modules.Softmin Softmin(long? dim = null) => new(dim);
            /// <summary>log(softmax(x)) along <paramref name="dim"/>, computed stably.</summary>
            public static Modules.LogSoftmax LogSoftmax(long? dim = null) => new(dim);
            /// <summary>softmax over the channels of a [C, H, W] or [N, C, H, W] input.</summary>
            public static Modules.Softmax2d Softmax2d() => new();
        }
    }
}

namespace Torchlet.Modules
{
    /// <summary>What Softmax, Softmin and LogSoftmax share: the dim (null: PyTorch's implicit choice) and its repr.</summary>
    public abstract class SoftmaxBase : torch.nn.Layer<Tensor, Tensor>
    {
        public long? dim { get; set; }
        private protected SoftmaxBase(string name, long? dim) : base(name) { this.dim = dim; }
        public override string extra_repr() => $"dim={(dim is { } d ? Args.Py(d) : "None")}";
    }

    /// <summary>torch.nn.Softmax: <c>Softmax(dim=1)</c>.</summary>
    public sealed class Softmax : SoftmaxBase
    {
        public Softmax(long? dim = null) : base(nameof(Softmax), dim) { }
        protected override Tensor Forward(Tensor input) => torch.nn.functional.softmax(input, dim);
    }

    /// <summary>torch.nn.Softmin: softmax(−x).</summary>
    public sealed class Softmin : SoftmaxBase
    {
        public Softmin(long? dim = null) : base(nameof(Softmin), dim) { }
        protected override Tensor Forward(Tensor input) => torch.nn.functional.softmin(input, dim);
    }

    /// <summary>torch.nn.LogSoftmax: <c>LogSoftmax(dim=1)</c>.</summary>
    public sealed class LogSoftmax : SoftmaxBase
    {
        public LogSoftmax(long? dim = null) : base(nameof(LogSoftmax), dim) { }
        protected override Tensor Forward(Tensor input) => torch.nn.functional.log_softmax(input, dim);
    }

    /// <summary>torch.nn.Softmax2d: softmax over dim −3 (the channels) of a 3-D or 4-D input.</summary>
    public sealed class Softmax2d : torch.nn.Layer<Tensor, Tensor>
    {
        public Softmax2d() : base(nameof(Softmax2d)) { }

        protected override Tensor Forward(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            if (input.dim() is not (3 or 4))
                throw new ArgumentException($"{this}: Softmax2d requires a 3D or 4D tensor as input (expected [C, H, W] or [N, C, H, W], got a {input.dim()}-D tensor of shape {Shape.Str(input._shape)})");
            return input.softmax(-3);
        }
    }
}
