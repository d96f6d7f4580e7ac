using Torchlet.Kernels;

namespace Torchlet
{
    public static partial class torch
    {
        /// <summary>torch.batch_norm (the ATen op behind F.batch_norm; argument order as PyTorch's).</summary>
        public static Tensor batch_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, Tensor? running_var,
            bool training, double momentum, double eps) =>
            nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps);

        /// <summary>torch.instance_norm (the ATen op behind F.instance_norm).</summary>
        public static Tensor instance_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, Tensor? running_var,
            bool use_input_stats, double momentum, double eps) =>
            nn.functional.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps);

        public static Tensor layer_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
            nn.functional.layer_norm(input, normalized_shape, weight, bias, eps);

        public static Tensor group_norm(Tensor input, long num_groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
            nn.functional.group_norm(input, num_groups, weight, bias, eps);

        public static partial class nn
        {
            public static partial class functional
            {
                /// <summary>
                /// Batch normalization over dim 1 (channels): batch statistics when <paramref name="training"/>
                /// (updating <paramref name="running_mean"/>/<paramref name="running_var"/> in place with the
                /// unbiased variance when given), the running statistics otherwise.
                /// </summary>
                public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null, Tensor? bias = null,
                    bool training = false, double momentum = 0.1, double eps = 1e-5)
                {
                    if (NormOps.BatchNormError(input, running_mean, running_var, weight, bias, training) is { } e) throw new ArgumentException(e);
                    return NormOps.ChannelNorm(input, weight, bias, running_mean, running_var, training, momentum, eps, instance: false);
                }

                /// <summary>Instance normalization: per sample and channel over the spatial dims.</summary>
                public static Tensor instance_norm(Tensor input, Tensor? running_mean = null, Tensor? running_var = null, Tensor? weight = null, Tensor? bias = null,
                    bool use_input_stats = true, double momentum = 0.1, double eps = 1e-5)
                {
                    if (NormOps.InstanceNormError(input, running_mean, running_var, weight, bias, use_input_stats) is { } e) throw new ArgumentException(e);
                    return NormOps.ChannelNorm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, instance: true);
                }

                /// <summary>Layer normalization over the last <c>normalized_shape.Length</c> dims.</summary>
                public static Tensor layer_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
                {
                    if (NormOps.LayerNormError(input, normalized_shape, weight, bias) is { } e) throw new ArgumentException(e);
                    return NormOps.LayerNorm(input, normalized_shape, weight, bias, eps);
                }

                /// <summary>Group normalization: channels split into <paramref name="num_groups"/> groups, statistics per sample and group.</summary>
                public static Tensor group_norm(Tensor input, long num_groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
                {
                    if (NormOps.GroupNormError(input, num_groups, weight, bias) is { } e) throw new ArgumentException(e);
                    return NormOps.GroupNorm(input, (int)num_groups, weight, bias, eps);
                }

                /// <summary>
                /// Local response normalization across channels: x / (k + alpha·mean of x² over <paramref name="size"/>
                /// neighbouring channels (zero-padded))^beta. Built from ordinary ops, as PyTorch's is.
                /// </summary>
                public static Tensor local_response_norm(Tensor input, long size, double alpha = 1e-4, double beta = 0.75, double k = 1.0)
                {
                    int dim = input.dim();
                    if (dim < 3) throw new ArgumentException($"local_response_norm: Expected 3D or higher dimensionality input (got {dim} dimensions, shape {Shape.Str(input._shape)})");
                    if (size < 1) throw new ArgumentException($"local_response_norm: size must be positive, got {size}");
                    if (input.numel() == 0) return input;
                    var sq = input.mul(input);
                    long C = input.shape[1];
                    long front = size / 2, back = (size - 1) / 2;
                    var parts = new List<Tensor>();
                    if (front > 0) { var s = (long[])input.shape.Clone(); s[1] = front; parts.Add(torch.zeros(s, dtype: input.dtype)); }
                    parts.Add(sq);
                    if (back > 0) { var s = (long[])input.shape.Clone(); s[1] = back; parts.Add(torch.zeros(s, dtype: input.dtype)); }
                    var padded = parts.Count == 1 ? sq : torch.cat(parts, 1);
                    // Window j covers padded channels [c, c + size): shift-and-add, as avg_pool over the channel dim.
                    var sum = padded.narrow(1, 0, C);
                    for (long j = 1; j < size; j++) sum = sum.add(padded.narrow(1, j, C));
                    var div = sum.div((double)size).mul(alpha).add(k).pow(beta);
                    return input.div(div);
                }
            }
        }
    }
}

namespace Torchlet.Modules
{
    using static Torchlet.torch;

    /// <summary>
    /// PyTorch's <c>_NormBase</c>: the state shared by batch and instance norm — affine weight and
    /// bias, and the running_mean / running_var / num_batches_tracked (int64) buffers when tracking.
    /// </summary>
    public abstract class NormBase : nn.Layer<Tensor, Tensor>
    {
        public long num_features { get; }
        public double eps { get; set; }
        /// <summary>The running-average factor; null (PyTorch's None) means a cumulative average over the batches seen.</summary>
        public double? momentum { get; set; }
        public bool affine { get; }
        public bool track_running_stats { get; }

        public Parameter? weight { get; set; }
        public Parameter? bias { get; set; }

        public Tensor? running_mean { get => get_buffer("running_mean"); set => register_buffer("running_mean", value); }
        public Tensor? running_var { get => get_buffer("running_var"); set => register_buffer("running_var", value); }
        public Tensor? num_batches_tracked { get => get_buffer("num_batches_tracked"); set => register_buffer("num_batches_tracked", value); }

        protected NormBase(string name, long num_features, double eps, double? momentum, bool affine, bool track_running_stats, ScalarType? dtype) : base(name)
        {
            if (num_features < 0) throw new ArgumentException($"{name}: num_features must be non-negative, got {num_features}");
            var dt = dtype ?? ScalarType.Float32;
            if (!dt.IsFloating()) throw new ArgumentException($"{name}: dtype must be a floating point type, got {dt.TorchName()}");
            this.num_features = num_features;
            this.eps = eps;
            this.momentum = momentum;
            this.affine = affine;
            this.track_running_stats = track_running_stats;
            if (affine)
            {
                weight = new Parameter(empty([num_features], dtype: dt));
                bias = new Parameter(empty([num_features], dtype: dt));
            }
            if (track_running_stats)
            {
                register_buffer("running_mean", zeros([num_features], dtype: dt));
                register_buffer("running_var", ones([num_features], dtype: dt));
                register_buffer("num_batches_tracked", tensor(0L));
            }
            else
            {
                register_buffer("running_mean", null);
                register_buffer("running_var", null);
                register_buffer("num_batches_tracked", null);
            }
            reset_parameters();
        }

        public void reset_running_stats()
        {
            if (!track_running_stats) return;
            using (no_grad())
            {
                running_mean?.zero_();
                running_var?.fill_(1);
                num_batches_tracked?.zero_();
            }
        }

        public void reset_parameters()
        {
            reset_running_stats();
            if (affine)
            {
                nn.init.ones_(weight!);
                nn.init.zeros_(bias!);
            }
        }

        public override string extra_repr() =>
            $"{num_features}, eps={Args.Py(eps)}, momentum={(momentum is { } m ? Args.Py(m) : "None")}, affine={Args.Py(affine)}, track_running_stats={Args.Py(track_running_stats)}";

        protected ArgumentException Error(string message) => new($"{this}: {message}");

        protected static string ShapeOf(Tensor t) => Shape.Str(t._shape);
    }

    /// <summary>PyTorch's <c>_BatchNorm</c>: batch statistics in training (updating the running ones), running statistics in eval.</summary>
    public abstract class BatchNorm : NormBase
    {
        protected BatchNorm(string name, long num_features, double eps, double? momentum, bool affine, bool track_running_stats, ScalarType? dtype)
            : base(name, num_features, eps, momentum, affine, track_running_stats, dtype) { }

        /// <summary>The input ranks this layer accepts and PyTorch's message for others.</summary>
        protected abstract void CheckInputDim(Tensor input);

        protected override Tensor Forward(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            CheckInputDim(input);
            if (input._shape[1] != num_features)
                throw Error($"expected input with {num_features} channels (dim 1), got input of shape {ShapeOf(input)}");
            bool useBatchStats = training || running_mean is null;
            var rm = !training || track_running_stats ? running_mean : null;
            var rv = !training || track_running_stats ? running_var : null;
            if (NormOps.BatchNormError(input, rm, rv, weight, bias, useBatchStats) is { } e) throw Error(e);
            // Everything is validated: only now count the batch (PyTorch counts it before checking).
            double factor = momentum ?? 0.0;
            if (training && track_running_stats && num_batches_tracked is { } nbt)
            {
                using (no_grad()) nbt.add_(1);
                if (momentum is null) factor = 1.0 / nbt.item<long>();
            }
            return NormOps.ChannelNorm(input, weight, bias, rm, rv, useBatchStats, factor, eps, instance: false);
        }
    }

    public sealed class BatchNorm1d : BatchNorm
    {
        public BatchNorm1d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true, ScalarType? dtype = null)
            : base(nameof(BatchNorm1d), num_features, eps, momentum, affine, track_running_stats, dtype) { }

        protected override void CheckInputDim(Tensor input)
        {
            if (input.dim() != 2 && input.dim() != 3)
                throw Error($"expected 2D or 3D input (got {input.dim()}D input of shape {ShapeOf(input)})");
        }
    }

    public sealed class BatchNorm2d : BatchNorm
    {
        public BatchNorm2d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true, ScalarType? dtype = null)
            : base(nameof(BatchNorm2d), num_features, eps, momentum, affine, track_running_stats, dtype) { }

        protected override void CheckInputDim(Tensor input)
        {
            if (input.dim() != 4)
                throw Error($"expected 4D input (got {input.dim()}D input of shape {ShapeOf(input)})");
        }
    }

    public sealed class BatchNorm3d : BatchNorm
    {
        public BatchNorm3d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true, ScalarType? dtype = null)
            : base(nameof(BatchNorm3d), num_features, eps, momentum, affine, track_running_stats, dtype) { }

        protected override void CheckInputDim(Tensor input)
        {
            if (input.dim() != 5)
                throw Error($"expected 5D input (got {input.dim()}D input of shape {ShapeOf(input)})");
        }
    }

    /// <summary>
    /// PyTorch's <c>_InstanceNorm</c>: statistics per sample and channel; running statistics only
    /// with track_running_stats (then used in eval). Accepts unbatched input (no batch dim).
    /// </summary>
    public abstract class InstanceNorm : NormBase
    {
        readonly int _noBatchDim;

        protected InstanceNorm(string name, int noBatchDim, long num_features, double eps, double momentum, bool affine, bool track_running_stats, ScalarType? dtype)
            : base(name, num_features, eps, momentum, affine, track_running_stats, dtype)
        {
            _noBatchDim = noBatchDim;
        }

        protected override Tensor Forward(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            int d = input.dim();
            if (d != _noBatchDim && d != _noBatchDim + 1)
                throw Error($"expected {_noBatchDim}D or {_noBatchDim + 1}D input (got {d}D input of shape {ShapeOf(input)})");
            int featureDim = d - _noBatchDim;
            // PyTorch 1.13 ignores num_features when there is neither an affine transform nor running statistics.
            if ((affine || track_running_stats) && input._shape[featureDim] != num_features)
                throw Error($"expected input with {num_features} channels (dim {featureDim}), got input of shape {ShapeOf(input)}");
            bool unbatched = d == _noBatchDim;
            var x = unbatched ? input.unsqueeze(0) : input;
            bool useInputStats = training || !track_running_stats;
            if (NormOps.InstanceNormError(x, running_mean, running_var, weight, bias, useInputStats) is { } e) throw Error(e);
            var y = NormOps.ChannelNorm(x, weight, bias, running_mean, running_var, useInputStats, momentum ?? 0.1, eps, instance: true);
            return unbatched ? y.squeeze(0) : y;
        }
    }

    public sealed class InstanceNorm1d : InstanceNorm
    {
        public InstanceNorm1d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = false, bool track_running_stats = false, ScalarType? dtype = null)
            : base(nameof(InstanceNorm1d), 2, num_features, eps, momentum, affine, track_running_stats, dtype) { }
    }

    public sealed class InstanceNorm2d : InstanceNorm
    {
        public InstanceNorm2d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = false, bool track_running_stats = false, ScalarType? dtype = null)
            : base(nameof(InstanceNorm2d), 3, num_features, eps, momentum, affine, track_running_stats, dtype) { }
    }

    public sealed class InstanceNorm3d : InstanceNorm
    {
        public InstanceNorm3d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = false, bool track_running_stats = false, ScalarType? dtype = null)
            : base(nameof(InstanceNorm3d), 4, num_features, eps, momentum, affine, track_running_stats, dtype) { }
    }

    /// <summary>Layer normalization over the trailing <c>normalized_shape</c> dims, with an elementwise affine transform.</summary>
    public sealed class LayerNorm : nn.Layer<Tensor, Tensor>
    {
        public long[] normalized_shape { get; }
        public double eps { get; set; }
        public bool elementwise_affine { get; }
        public Parameter? weight { get; set; }
        public Parameter? bias { get; set; }

        public LayerNorm(long[] normalized_shape, double eps = 1e-5, bool elementwise_affine = true, ScalarType? dtype = null) : base(nameof(LayerNorm))
        {
            ArgumentNullException.ThrowIfNull(normalized_shape);
            if (normalized_shape.Any(s => s < 0))
                throw new ArgumentException($"LayerNorm: normalized_shape must be non-negative, got {Args.Py(normalized_shape)}");
            var dt = dtype ?? ScalarType.Float32;
            if (!dt.IsFloating()) throw new ArgumentException($"LayerNorm: dtype must be a floating point type, got {dt.TorchName()}");
            this.normalized_shape = (long[])normalized_shape.Clone();
            this.eps = eps;
            this.elementwise_affine = elementwise_affine;
            if (elementwise_affine)
            {
                weight = new Parameter(empty(this.normalized_shape, dtype: dt));
                bias = new Parameter(empty(this.normalized_shape, dtype: dt));
            }
            reset_parameters();
        }

        public void reset_parameters()
        {
            if (!elementwise_affine) return;
            nn.init.ones_(weight!);
            nn.init.zeros_(bias!);
        }

        public override string extra_repr() => $"{Args.Py(normalized_shape)}, eps={Args.Py(eps)}, elementwise_affine={Args.Py(elementwise_affine)}";

        protected override Tensor Forward(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            if (NormOps.LayerNormError(input, normalized_shape, weight, bias) is { } e) throw new ArgumentException($"{this}: {e}");
            return NormOps.LayerNorm(input, normalized_shape, weight, bias, eps);
        }
    }

    /// <summary>Group normalization: channels split into num_groups groups, statistics per sample and group.</summary>
    public sealed class GroupNorm : nn.Layer<Tensor, Tensor>
    {
        public long num_groups { get; }
        public long num_channels { get; }
        public double eps { get; set; }
        public bool affine { get; }
        public Parameter? weight { get; set; }
        public Parameter? bias { get; set; }

        public GroupNorm(long num_groups, long num_channels, double eps = 1e-5, bool affine = true, ScalarType? dtype = null) : base(nameof(GroupNorm))
        {
            if (num_groups <= 0 || num_channels % num_groups != 0)
                throw new ArgumentException($"GroupNorm: num_channels must be divisible by num_groups (got num_groups={num_groups}, num_channels={num_channels})");
            var dt = dtype ?? ScalarType.Float32;
            if (!dt.IsFloating()) throw new ArgumentException($"GroupNorm: dtype must be a floating point type, got {dt.TorchName()}");
            this.num_groups = num_groups;
            this.num_channels = num_channels;
            this.eps = eps;
            this.affine = affine;
            if (affine)
            {
                weight = new Parameter(empty([num_channels], dtype: dt));
                bias = new Parameter(empty([num_channels], dtype: dt));
            }
            reset_parameters();
        }

        public void reset_parameters()
        {
            if (!affine) return;
            nn.init.ones_(weight!);
            nn.init.zeros_(bias!);
        }

        public override string extra_repr() => $"{num_groups}, {num_channels}, eps={Args.Py(eps)}, affine={Args.Py(affine)}";

        protected override Tensor Forward(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            if (input.dim() < 2 || input._shape[1] != num_channels)
                throw new ArgumentException($"{this}: expected input of shape [N, {num_channels}, *] ({num_channels} channels in dim 1), got input of shape {Shape.Str(input._shape)}");
            if (NormOps.GroupNormError(input, num_groups, weight, bias) is { } e) throw new ArgumentException($"{this}: {e}");
            return NormOps.GroupNorm(input, (int)num_groups, weight, bias, eps);
        }
    }

    /// <summary>Local response normalization across channels (AlexNet's LRN).</summary>
    public sealed class LocalResponseNorm : nn.Layer<Tensor, Tensor>
    {
        public long size { get; }
        public double alpha { get; }
        public double beta { get; }
        public double k { get; }

        public LocalResponseNorm(long size, double alpha = 1e-4, double beta = 0.75, double k = 1.0) : base(nameof(LocalResponseNorm))
        {
            if (size < 1) throw new ArgumentException($"LocalResponseNorm: size must be positive, got {size}");
            this.size = size; this.alpha = alpha; this.beta = beta; this.k = k;
        }

        public override string extra_repr() => $"{size}, alpha={Args.Py(alpha)}, beta={Args.Py(beta)}, k={Args.Py(k)}";

        protected override Tensor Forward(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            if (input.dim() < 3)
                throw new ArgumentException($"{this}: Expected 3D or higher dimensionality input (got {input.dim()} dimensions, shape {Shape.Str(input._shape)})");
            return nn.functional.local_response_norm(input, size, alpha, beta, k);
        }
    }
}

namespace Torchlet
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static Modules.BatchNorm1d BatchNorm1d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true, ScalarType? dtype = null) =>
                new(num_features, eps, momentum, affine, track_running_stats, dtype);

            public static Modules.BatchNorm2d BatchNorm2d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true, ScalarType? dtype = null) =>
                new(num_features, eps, momentum, affine, track_running_stats, dtype);

            public static Modules.BatchNorm3d BatchNorm3d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true, ScalarType? dtype = null) =>
                new(num_features, eps, momentum, affine, track_running_stats, dtype);

            public static Modules.InstanceNorm1d InstanceNorm1d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = false, bool track_running_stats = false, ScalarType? dtype = null) =>
                new(num_features, eps, momentum, affine, track_running_stats, dtype);

            public static Modules.InstanceNorm2d InstanceNorm2d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = false, bool track_running_stats = false, ScalarType? dtype = null) =>
                new(num_features, eps, momentum, affine, track_running_stats, dtype);

            public static Modules.InstanceNorm3d InstanceNorm3d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = false, bool track_running_stats = false, ScalarType? dtype = null) =>
                new(num_features, eps, momentum, affine, track_running_stats, dtype);

            public static Modules.LayerNorm LayerNorm(long normalized_shape, double eps = 1e-5, bool elementwise_affine = true, ScalarType? dtype = null) =>
                new([normalized_shape], eps, elementwise_affine, dtype);

            public static Modules.LayerNorm LayerNorm(long[] normalized_shape, double eps = 1e-5, bool elementwise_affine = true, ScalarType? dtype = null) =>
                new(normalized_shape, eps, elementwise_affine, dtype);

            public static Modules.GroupNorm GroupNorm(long num_groups, long num_channels, double eps = 1e-5, bool affine = true, ScalarType? dtype = null) =>
                new(num_groups, num_channels, eps, affine, dtype);

            public static Modules.LocalResponseNorm LocalResponseNorm(long size, double alpha = 1e-4, double beta = 0.75, double k = 1.0) =>
                new(size, alpha, beta, k);
        }
    }
}
