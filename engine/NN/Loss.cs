using Torchlet.Kernels;
using Torchlet.Modules;

namespace Torchlet
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static partial class functional
            {
                /// <summary>Mean squared error (x − y)², reduced by <paramref name="reduction"/> ("none", "mean", "sum").</summary>
                public static Tensor mse_loss(Tensor input, Tensor target, string reduction = "mean") =>
                    Losses.Pointwise(input, target, Losses.Parse(reduction, "mse_loss"), PointwiseLoss.Mse, 0, "mse_loss");

                /// <summary>Mean absolute error |x − y|.</summary>
                public static Tensor l1_loss(Tensor input, Tensor target, string reduction = "mean") =>
                    Losses.L1(input, target, Losses.Parse(reduction, "l1_loss"), "l1_loss");

                /// <summary>0.5·z²/β where z = |x − y| &lt; β, else z − 0.5·β (β = 0 is l1_loss).</summary>
                public static Tensor smooth_l1_loss(Tensor input, Tensor target, string reduction = "mean", double beta = 1.0) =>
                    Losses.SmoothL1(input, target, Losses.Parse(reduction, "smooth_l1_loss"), beta, "smooth_l1_loss");

                /// <summary>0.5·z² where z = |x − y| &lt; δ, else δ·(z − 0.5·δ).</summary>
                public static Tensor huber_loss(Tensor input, Tensor target, string reduction = "mean", double delta = 1.0) =>
                    Losses.Huber(input, target, Losses.Parse(reduction, "huber_loss"), delta, "huber_loss");

                /// <summary>−w·(y·log x + (1 − y)·log(1 − x)) for probabilities x in [0, 1] (logs clamped at −100).</summary>
                public static Tensor binary_cross_entropy(Tensor input, Tensor target, Tensor? weight = null, string reduction = "mean") =>
                    Losses.Bce(input, target, weight, Losses.Parse(reduction, "binary_cross_entropy"), "binary_cross_entropy");

                /// <summary>binary_cross_entropy(sigmoid(x), y) computed stably from logits; pos_weight weighs the positive term per class.</summary>
                public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null, string reduction = "mean", Tensor? pos_weight = null) =>
                    Losses.BceWithLogits(input, target, weight, pos_weight, Losses.Parse(reduction, "binary_cross_entropy_with_logits"), "binary_cross_entropy_with_logits");

                /// <summary>−w[t]·x[t] per sample for log-probabilities x of shape [C], [N, C] or [N, C, d1, ...].</summary>
                public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100, string reduction = "mean") =>
                    Losses.Nll(input, target, weight, ignore_index, Losses.Parse(reduction, "nll_loss"), "nll_loss");

                /// <summary>
                /// log_softmax over the class dim then nll_loss (class-index targets), or −Σ y·log_softmax(x)
                /// for class-probability targets (a floating target of the input's shape).
                /// </summary>
                public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100, string reduction = "mean", double label_smoothing = 0.0) =>
                    Losses.CrossEntropy(input, target, weight, ignore_index, Losses.Parse(reduction, "cross_entropy"), label_smoothing, "cross_entropy");

                /// <summary>
                /// Kullback–Leibler divergence for log-probabilities <paramref name="input"/>: y·(log y − x)
                /// (or exp(y)·(y − x) with <paramref name="log_target"/>). "batchmean" divides the sum by the batch size.
                /// </summary>
                public static Tensor kl_div(Tensor input, Tensor target, string reduction = "mean", bool log_target = false) =>
                    Losses.KlDiv(input, target, Losses.Parse(reduction, "kl_div", allowBatchMean: true), log_target, "kl_div");
            }
        }
    }
}

namespace Torchlet
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static Modules.MSELoss MSELoss(string reduction = "mean") => new(reduction);
            public static Modules.L1Loss L1Loss(string reduction = "mean") => new(reduction);
            public static Modules.SmoothL1Loss SmoothL1Loss(string reduction = "mean", double beta = 1.0) => new(reduction, beta);
            public static Modules.HuberLoss HuberLoss(string reduction = "mean", double delta = 1.0) => new(reduction, delta);
            public static Modules.CrossEntropyLoss CrossEntropyLoss(Tensor? weight = null, long ignore_index = -100, string reduction = "mean", double label_smoothing = 0.0) =>
                new(weight, ignore_index, reduction, label_smoothing);
            public static Modules.NLLLoss NLLLoss(Tensor? weight = null, long ignore_index = -100, string reduction = "mean") => new(weight, ignore_index, reduction);
            public static Modules.BCELoss BCELoss(Tensor? weight = null, string reduction = "mean") => new(weight, reduction);
            public static Modules.BCEWithLogitsLoss BCEWithLogitsLoss(Tensor? weight = null, string reduction = "mean", Tensor? pos_weight = null) => new(weight, reduction, pos_weight);
            public static Modules.KLDivLoss KLDivLoss(string reduction = "mean", bool log_target = false) => new(reduction, log_target);
        }
    }
}

namespace Torchlet.Modules
{
    /// <summary>
    /// Base of the loss modules (PyTorch's <c>_Loss</c>): <c>loss.forward(input, target)</c>; the
    /// reduction is checked when the module is made. Class weights are buffers (saved in state_dict,
    /// converted by <c>to(dtype)</c>), as in PyTorch. Errors start with the module's repr.
    /// </summary>
    public abstract class Loss : torch.nn.Layer<Tensor, Tensor, Tensor>
    {
        internal readonly LossReduction _reduction;

        /// <summary>"none", "mean" or "sum" ("batchmean" too for KLDivLoss).</summary>
        public string reduction { get; }

        protected Loss(string name, string reduction, bool allowBatchMean = false) : base(name)
        {
            _reduction = Losses.Parse(reduction, name + "()", allowBatchMean);
            this.reduction = reduction;
        }

        string? _who;
        // Loss reprs have no options in them (PyTorch's _Loss has no extra_repr), so the text is fixed.
        protected string Who => _who ??= ToString();

        /// <summary>A registered buffer (PyTorch's <c>self.weight</c>), or null when not given.</summary>
        protected Tensor? Buffer(string name) => get_buffer(name);
    }

    /// <summary>torch.nn.MSELoss: (x − y)², reduced.</summary>
    public sealed class MSELoss : Loss
    {
        public MSELoss(string reduction = "mean") : base(nameof(MSELoss), reduction) { }
        protected override Tensor Forward(Tensor input, Tensor target) => Losses.Pointwise(input, target, _reduction, PointwiseLoss.Mse, 0, Who);
    }

    /// <summary>torch.nn.L1Loss: |x − y|, reduced.</summary>
    public sealed class L1Loss : Loss
    {
        public L1Loss(string reduction = "mean") : base(nameof(L1Loss), reduction) { }
        protected override Tensor Forward(Tensor input, Tensor target) => Losses.L1(input, target, _reduction, Who);
    }

    /// <summary>torch.nn.SmoothL1Loss: quadratic below <c>beta</c>, linear above.</summary>
    public sealed class SmoothL1Loss : Loss
    {
        public double beta { get; }
        public SmoothL1Loss(string reduction = "mean", double beta = 1.0) : base(nameof(SmoothL1Loss), reduction) { this.beta = beta; }
        protected override Tensor Forward(Tensor input, Tensor target) => Losses.SmoothL1(input, target, _reduction, beta, Who);
    }

    /// <summary>torch.nn.HuberLoss: quadratic below <c>delta</c>, delta-scaled linear above.</summary>
    public sealed class HuberLoss : Loss
    {
        public double delta { get; }
        public HuberLoss(string reduction = "mean", double delta = 1.0) : base(nameof(HuberLoss), reduction) { this.delta = delta; }
        protected override Tensor Forward(Tensor input, Tensor target) => Losses.Huber(input, target, _reduction, delta, Who);
    }

    /// <summary>torch.nn.CrossEntropyLoss: log_softmax over the class dim + nll_loss (class indices), or −Σ y·log_softmax(x) (class probabilities); weight, ignore_index, label_smoothing.</summary>
    public sealed class CrossEntropyLoss : Loss
    {
        public long ignore_index { get; }
        public double label_smoothing { get; }
        public Tensor? weight { get => Buffer("weight"); set => register_buffer("weight", value); }

        public CrossEntropyLoss(Tensor? weight = null, long ignore_index = -100, string reduction = "mean", double label_smoothing = 0.0)
            : base(nameof(CrossEntropyLoss), reduction)
        {
            if (!(label_smoothing >= 0 && label_smoothing <= 1))
                throw new ArgumentException($"CrossEntropyLoss(): label_smoothing must be between 0.0 and 1.0. Got: {Args.Py(label_smoothing)}");
            register_buffer("weight", weight);
            this.ignore_index = ignore_index; this.label_smoothing = label_smoothing;
        }

        protected override Tensor Forward(Tensor input, Tensor target) =>
            Losses.CrossEntropy(input, target, weight, ignore_index, _reduction, label_smoothing, Who);
    }

    /// <summary>torch.nn.NLLLoss: −weight[t]·x[t] for log-probabilities x; ignore_index; the weighted mean divides by the weights of the counted targets.</summary>
    public sealed class NLLLoss : Loss
    {
        public long ignore_index { get; }
        public Tensor? weight { get => Buffer("weight"); set => register_buffer("weight", value); }

        public NLLLoss(Tensor? weight = null, long ignore_index = -100, string reduction = "mean") : base(nameof(NLLLoss), reduction)
        {
            register_buffer("weight", weight);
            this.ignore_index = ignore_index;
        }

        protected override Tensor Forward(Tensor input, Tensor target) => Losses.Nll(input, target, weight, ignore_index, _reduction, Who);
    }

    /// <summary>torch.nn.BCELoss: binary cross entropy of probabilities in [0, 1].</summary>
    public sealed class BCELoss : Loss
    {
        public Tensor? weight { get => Buffer("weight"); set => register_buffer("weight", value); }
        public BCELoss(Tensor? weight = null, string reduction = "mean") : base(nameof(BCELoss), reduction) => register_buffer("weight", weight);
        protected override Tensor Forward(Tensor input, Tensor target) => Losses.Bce(input, target, weight, _reduction, Who);
    }

    /// <summary>torch.nn.BCEWithLogitsLoss: sigmoid + binary cross entropy in one stable formula; pos_weight weighs positives per class.</summary>
    public sealed class BCEWithLogitsLoss : Loss
    {
        public Tensor? weight { get => Buffer("weight"); set => register_buffer("weight", value); }
        public Tensor? pos_weight { get => Buffer("pos_weight"); set => register_buffer("pos_weight", value); }

        public BCEWithLogitsLoss(Tensor? weight = null, string reduction = "mean", Tensor? pos_weight = null) : base(nameof(BCEWithLogitsLoss), reduction)
        {
            register_buffer("weight", weight);
            register_buffer("pos_weight", pos_weight);
        }

        protected override Tensor Forward(Tensor input, Tensor target) => Losses.BceWithLogits(input, target, weight, pos_weight, _reduction, Who);
    }

    /// <summary>torch.nn.KLDivLoss: KL divergence for log-probability inputs; reduction "batchmean" gives the mathematical KL.</summary>
    public sealed class KLDivLoss : Loss
    {
        public bool log_target { get; }
        public KLDivLoss(string reduction = "mean", bool log_target = false) : base(nameof(KLDivLoss), reduction, allowBatchMean: true) { this.log_target = log_target; }
        protected override Tensor Forward(Tensor input, Tensor target) => Losses.KlDiv(input, target, _reduction, log_target, Who);
    }
}
