using Torchlet.Kernels;
using Torchlet.Modules;

namespace Torchlet
{
    public static partial class torch
    {
        public static Tensor relu_(Tensor input) => input.relu_();
        public static Tensor selu(Tensor input) => nn.functional.selu(input);
        public static Tensor selu_(Tensor input) => nn.functional.selu(input, inplace: true);
        public static Tensor celu(Tensor input, double alpha = 1.0) => nn.functional.celu(input, alpha);
        public static Tensor celu_(Tensor input, double alpha = 1.0) => nn.functional.celu(input, alpha, inplace: true);
        public static Tensor rrelu(Tensor input, double lower = 1.0 / 8, double upper = 1.0 / 3, bool training = false, Generator? generator = null) =>
            input.Rrelu(lower, upper, training, generator, "RreluWithNoiseBackward0");
        public static Tensor rrelu_(Tensor input, double lower = 1.0 / 8, double upper = 1.0 / 3, bool training = false, Generator? generator = null) =>
            nn.functional.rrelu_(input, lower, upper, training, generator);
        public static Tensor threshold(Tensor input, Scalar threshold, Scalar value) => nn.functional.threshold(input, threshold, value);
        public static Tensor threshold_(Tensor input, Scalar threshold, Scalar value) => nn.functional.threshold_(input, threshold, value);
        public static Tensor prelu(Tensor input, Tensor weight) => input.prelu(weight);
        public static Tensor hardshrink(Tensor input, double lambd = 0.5) => input.hardshrink(lambd);

        public static partial class nn
        {
            /// <summary>torch.nn.functional: the layers as functions.</summary>
            public static partial class functional
            {
                public static Tensor sigmoid(Tensor input) => input.sigmoid();
                public static Tensor tanh(Tensor input) => input.tanh();

                /// <summary>x / (1 + |x|): a composition of tensor ops, as in PyTorch (DivBackward0).</summary>
                public static Tensor softsign(Tensor input) => input.div(input.abs().add(1));

                /// <summary>x − tanh(x): a composition, as in PyTorch (SubBackward0).</summary>
                public static Tensor tanhshrink(Tensor input) => input.sub(input.tanh());

                /// <summary>max(x, 0). Floating inputs go through the fused kernels (one pass forward, one backward); integers keep their dtype.</summary>
                public static Tensor relu(Tensor input, bool inplace = false)
                {
                    if (inplace || !input.dtype.IsFloating()) return inplace ? input.relu_() : input.relu();
                    return input.ActSavingResult(new ReluAct(), "clamp_min_cpu", "ReluBackward0");
                }

                public static Tensor relu_(Tensor input) => input.relu_();

                /// <summary>Clamps to [min_val, max_val]; the gradient is zero at the bounds and outside.</summary>
                public static Tensor hardtanh(Tensor input, double min_val = -1.0, double max_val = 1.0, bool inplace = false)
                {
                    if (!input.dtype.IsFloating())
                    {
                        if (input.dtype == ScalarType.Bool) throw new ArgumentException("\"hardtanh_cpu\" not implemented for 'Bool'");
                        // Integers: a clamp with the bounds converted to the dtype, as PyTorch's integral hardtanh.
                        return inplace ? input.clamp_((long)min_val, (long)max_val) : input.clamp((long)min_val, (long)max_val);
                    }
                    var op = new HardtanhAct(min_val, max_val);
                    return inplace ? input.ActInplace(op, "hardtanh_", "hardtanh_cpu", "HardtanhBackward0") : input.Act(op, "hardtanh_cpu", "HardtanhBackward0");
                }

                public static Tensor hardtanh_(Tensor input, double min_val = -1.0, double max_val = 1.0) => hardtanh(input, min_val, max_val, inplace: true);

                /// <summary>min(max(0, x), 6): hardtanh(x, 0, 6).</summary>
                public static Tensor relu6(Tensor input, bool inplace = false) => hardtanh(input, 0.0, 6.0, inplace);

                public static Tensor leaky_relu(Tensor input, double negative_slope = 0.01, bool inplace = false)
                {
                    var op = new LeakyReluAct(negative_slope);
                    return inplace ? input.ActInplace(op, "leaky_relu_", "leaky_relu_cpu", "LeakyReluBackward1") : input.Act(op, "leaky_relu_cpu", "LeakyReluBackward0");
                }

                public static Tensor leaky_relu_(Tensor input, double negative_slope = 0.01) => leaky_relu(input, negative_slope, inplace: true);

                public static Tensor prelu(Tensor input, Tensor weight) => input.prelu(weight);

                /// <summary>Randomized leaky ReLU: random slopes in [lower, upper] when training, their mean otherwise (PyTorch's default: training = false).</summary>
                public static Tensor rrelu(Tensor input, double lower = 1.0 / 8, double upper = 1.0 / 3, bool training = false, bool inplace = false, Generator? generator = null) =>
                    inplace ? rrelu_(input, lower, upper, training, generator) : input.Rrelu(lower, upper, training, generator, "RreluWithNoiseBackward0");

                public static Tensor rrelu_(Tensor input, double lower = 1.0 / 8, double upper = 1.0 / 3, bool training = false, Generator? generator = null)
                {
                    // Validate before the in-place machinery touches anything (and before the generator is used).
                    if (!(lower <= upper)) throw new ArgumentException($"Lower bound should be less than or equal to the upper bound (rrelu: lower={lower}, upper={upper})");
                    return input.InplaceOp("rrelu_", (lower, upper, training, generator), static (t, s) => t.Rrelu(s.lower, s.upper, s.training, s.generator, "RreluWithNoiseBackward1"));
                }

                /// <summary>x where x &gt; threshold, value elsewhere.</summary>
                public static Tensor threshold(Tensor input, Scalar threshold, Scalar value, bool inplace = false)
                {
                    if (inplace) return threshold_(input, threshold, value);
                    if (!input.dtype.IsFloating()) return input.IntThreshold(threshold, value, inplace: false);
                    return input.Act(new ThresholdAct(threshold.ToDouble(), value.ToDouble()), "threshold_cpu", "ThresholdBackward0");
                }

                public static Tensor threshold_(Tensor input, Scalar threshold, Scalar value)
                {
                    if (!input.dtype.IsFloating()) return input.IntThreshold(threshold, value, inplace: true);
                    return input.ActInplace(new ThresholdAct(threshold.ToDouble(), value.ToDouble()), "threshold_", "threshold_cpu", "ThresholdBackward1");
                }

                /// <summary>x where x &gt; 0, alpha·(exp(x) − 1) elsewhere.</summary>
                public static Tensor elu(Tensor input, double alpha = 1.0, bool inplace = false)
                {
                    var op = new EluAct(alpha, 1, 1);
                    return inplace ? input.ActInplace(op, "elu_", "elu_cpu", "EluBackward1") : input.Act(op, "elu_cpu", "EluBackward0");
                }

                public static Tensor elu_(Tensor input, double alpha = 1.0) => elu(input, alpha, inplace: true);

                /// <summary>scale·elu(x, alpha) with the self-normalising constants.</summary>
                public static Tensor selu(Tensor input, bool inplace = false)
                {
                    var op = new EluAct(Tensor.SeluAlpha, Tensor.SeluScale, 1);
                    return inplace ? input.ActInplace(op, "selu_", "elu_cpu", "EluBackward1") : input.Act(op, "elu_cpu", "EluBackward0");
                }

                public static Tensor selu_(Tensor input) => selu(input, inplace: true);

                /// <summary>max(0, x) + min(0, alpha·(exp(x/alpha) − 1)).</summary>
                public static Tensor celu(Tensor input, double alpha = 1.0, bool inplace = false)
                {
                    if (alpha == 0) throw new ArgumentException("ZeroDivisionError: alpha cannot be 0 for CELU");
                    var op = new EluAct(alpha, 1, 1 / alpha);
                    return inplace ? input.ActInplace(op, "celu_", "elu_cpu", "CeluBackward1") : input.Act(op, "elu_cpu", "CeluBackward0");
                }

                public static Tensor celu_(Tensor input, double alpha = 1.0) => celu(input, alpha, inplace: true);

                /// <summary>x·Φ(x) (approximate: "none"), or its tanh approximation ("tanh").</summary>
                public static Tensor gelu(Tensor input, string approximate = "none")
                {
                    if (approximate != "none" && approximate != "tanh")
                        throw new ArgumentException($"approximate argument must be either none or tanh. (gelu got approximate='{approximate}')");
                    return input.Act(new GeluAct(approximate == "tanh"), "GeluKernelImpl", "GeluBackward0");
                }

                /// <summary>x·sigmoid(x) (swish).</summary>
                public static Tensor silu(Tensor input, bool inplace = false) =>
                    inplace ? input.ActInplace(new SiluAct(), "silu_", "silu_cpu", "SiluBackward0") : input.Act(new SiluAct(), "silu_cpu", "SiluBackward0");

                /// <summary>x·tanh(softplus(x)).</summary>
                public static Tensor mish(Tensor input, bool inplace = false) =>
                    inplace ? input.ActInplace(new MishAct(), "mish_", "mish_cpu", "MishBackward0") : input.Act(new MishAct(), "mish_cpu", "MishBackward0");

                /// <summary>log(1 + exp(beta·x))/beta, reverting to x where beta·x &gt; threshold.</summary>
                public static Tensor softplus(Tensor input, double beta = 1, double threshold = 20) =>
                    input.Act(new SoftplusAct(beta, threshold), "softplus_cpu", "SoftplusBackward0");

                /// <summary>log(sigmoid(x)), computed stably.</summary>
                public static Tensor logsigmoid(Tensor input) => input.Act(new LogSigmoidAct(), "log_sigmoid_cpu", "LogSigmoidBackward0");

                public static Tensor hardshrink(Tensor input, double lambd = 0.5) => input.hardshrink(lambd);

                /// <summary>x − lambd above lambd, x + lambd below −lambd, 0 between.</summary>
                public static Tensor softshrink(Tensor input, double lambd = 0.5)
                {
                    if (!(lambd >= 0)) throw new ArgumentException($"lambda must be greater or equal to 0, but found to be {lambd}.");
                    return input.Act(new SoftshrinkAct(lambd), "softshrink_cpu", "SoftshrinkBackward0");
                }

                /// <summary>relu6(x + 3)/6.</summary>
                public static Tensor hardsigmoid(Tensor input, bool inplace = false) =>
                    inplace ? input.ActInplace(new HardsigmoidAct(), "hardsigmoid_", "hardsigmoid_cpu", "HardsigmoidBackward0") : input.Act(new HardsigmoidAct(), "hardsigmoid_cpu", "HardsigmoidBackward0");

                /// <summary>x·relu6(x + 3)/6.</summary>
                public static Tensor hardswish(Tensor input, bool inplace = false) =>
                    inplace ? input.ActInplace(new HardswishAct(), "hardswish_", "hardswish_cpu", "HardswishBackward0") : input.Act(new HardswishAct(), "hardswish_cpu", "HardswishBackward0");
            }

            // ---------------------------------------------------------------- factories

            public static Sigmoid Sigmoid() => new();
            public static Tanh Tanh() => new();
            public static Softsign Softsign() => new();
            public static Tanhshrink Tanhshrink() => new();
            public static LogSigmoid LogSigmoid() => new();
            public static Hardtanh Hardtanh(double min_val = -1.0, double max_val = 1.0, bool inplace = false) => new(min_val, max_val, inplace);
            public static ReLU6 ReLU6(bool inplace = false) => new(inplace);
            public static ReLU ReLU(bool inplace = false) => new(inplace);
            public static LeakyReLU LeakyReLU(double negative_slope = 0.01, bool inplace = false) => new(negative_slope, inplace);
            public static PReLU PReLU(long num_parameters = 1, double init = 0.25, ScalarType? dtype = null) => new(num_parameters, init, dtype);
            public static RReLU RReLU(double lower = 1.0 / 8, double upper = 1.0 / 3, bool inplace = false) => new(lower, upper, inplace);
            public static Threshold Threshold(Scalar threshold, Scalar value, bool inplace = false) => new(threshold, value, inplace);
            public static ELU ELU(double alpha = 1.0, bool inplace = false) => new(alpha, inplace);
            public static SELU SELU(bool inplace = false) => new(inplace);
            public static CELU CELU(double alpha = 1.0, bool inplace = false) => new(alpha, inplace);
            public static GELU GELU(string approximate = "none") => new(approximate);
            public static SiLU SiLU(bool inplace = false) => new(inplace);
            public static Mish Mish(bool inplace = false) => new(inplace);
            /// <summary>beta and threshold print as Python prints them: ints stay ints (PyTorch's defaults are 1 and 20).</summary>
            public static Softplus Softplus(Scalar? beta = null, Scalar? threshold = null) => new(beta ?? 1, threshold ?? 20);
            public static Hardshrink Hardshrink(double lambd = 0.5) => new(lambd);
            public static Softshrink Softshrink(double lambd = 0.5) => new(lambd);
            public static Hardsigmoid Hardsigmoid(bool inplace = false) => new(inplace);
            public static Hardswish Hardswish(bool inplace = false) => new(inplace);
        }
    }
}

namespace Torchlet.Modules
{
    using static Torchlet.torch;
    using F = Torchlet.torch.nn.functional;

    /// <summary>Base of the parameterless pointwise activations: no state beyond their arguments.</summary>
    public abstract class ActivationModule : nn.Layer<Tensor, Tensor>
    {
        protected ActivationModule(string name) : base(name) { }

        /// <summary>", inplace=True" when set, as PyTorch's extra_repr appends it.</summary>
        protected static string Inplace(bool inplace, bool first = false) => inplace ? (first ? "inplace=True" : ", inplace=True") : "";

        /// <summary>Python's repr of a number given as an int or a float.</summary>
        protected static string Py(Scalar s) => s.IsFloating ? Args.Py(s.ToDouble()) : Args.Py(s.ToInt64());
    }

    public sealed class Sigmoid() : ActivationModule(nameof(Sigmoid))
    {
        protected override Tensor Forward(Tensor input) => input.sigmoid();
    }

    public sealed class Tanh() : ActivationModule(nameof(Tanh))
    {
        protected override Tensor Forward(Tensor input) => input.tanh();
    }

    public sealed class Softsign() : ActivationModule(nameof(Softsign))
    {
        protected override Tensor Forward(Tensor input) => F.softsign(input);
    }

    public sealed class Tanhshrink() : ActivationModule(nameof(Tanhshrink))
    {
        protected override Tensor Forward(Tensor input) => F.tanhshrink(input);
    }

    public sealed class LogSigmoid() : ActivationModule(nameof(LogSigmoid))
    {
        protected override Tensor Forward(Tensor input) => F.logsigmoid(input);
    }

    public class Hardtanh : ActivationModule
    {
        public double min_val { get; }
        public double max_val { get; }
        public bool inplace { get; }

        public Hardtanh(double min_val = -1.0, double max_val = 1.0, bool inplace = false) : this(nameof(Hardtanh), min_val, max_val, inplace) { }

        protected Hardtanh(string name, double min_val, double max_val, bool inplace) : base(name)
        {
            if (!(max_val > min_val))
                throw new ArgumentException($"{name}: max_val must be greater than min_val, got min_val={Args.Py(min_val)}, max_val={Args.Py(max_val)}");
            this.min_val = min_val; this.max_val = max_val; this.inplace = inplace;
        }

        protected override Tensor Forward(Tensor input) => F.hardtanh(input, min_val, max_val, inplace);
        public override string extra_repr() => $"min_val={Args.Py(min_val)}, max_val={Args.Py(max_val)}{Inplace(inplace)}";
    }

    public sealed class ReLU6(bool inplace = false) : Hardtanh(nameof(ReLU6), 0.0, 6.0, inplace)
    {
        public override string extra_repr() => Inplace(inplace, first: true);
    }

    public sealed class ReLU(bool inplace = false) : ActivationModule(nameof(ReLU))
    {
        public bool inplace { get; } = inplace;
        protected override Tensor Forward(Tensor input) => F.relu(input, inplace);
        public override string extra_repr() => Inplace(inplace, first: true);
    }

    public sealed class LeakyReLU(double negative_slope = 0.01, bool inplace = false) : ActivationModule(nameof(LeakyReLU))
    {
        public double negative_slope { get; } = negative_slope;
        public bool inplace { get; } = inplace;
        protected override Tensor Forward(Tensor input) => F.leaky_relu(input, negative_slope, inplace);
        public override string extra_repr() => $"negative_slope={Args.Py(negative_slope)}{Inplace(inplace)}";
    }

    /// <summary>PReLU with a learnable slope per channel (or one shared slope), initialised to <c>init</c>.</summary>
    public sealed class PReLU : nn.Layer<Tensor, Tensor>
    {
        public long num_parameters { get; }
        public Parameter weight { get; set; }

        public PReLU(long num_parameters = 1, double init = 0.25, ScalarType? dtype = null) : base(nameof(PReLU))
        {
            if (num_parameters < 1) throw new ArgumentException($"PReLU: num_parameters must be at least 1, got {num_parameters}");
            this.num_parameters = num_parameters;
            weight = new Parameter(full([num_parameters], init, dtype: dtype ?? float32));
        }

        protected override Tensor Forward(Tensor input)
        {
            int channels = input.dim() >= 2 ? (int)input.shape[1] : 1;
            if (input.dim() == 0 || (num_parameters != 1 && num_parameters != channels))
                throw new ArgumentException($"{this}: expected an input with {num_parameters} channel(s) in dim 1{(num_parameters == 1 ? " (or any input of at least 1 dimension)" : "")}, got input of shape {Shape.Str(input._shape)}");
            return input.prelu(weight);
        }

        public override string extra_repr() => $"num_parameters={num_parameters}";
    }

    /// <summary>Randomized leaky ReLU: random negative slopes in training, their mean in evaluation.</summary>
    public sealed class RReLU : ActivationModule
    {
        public double lower { get; }
        public double upper { get; }
        public bool inplace { get; }

        public RReLU(double lower = 1.0 / 8, double upper = 1.0 / 3, bool inplace = false) : base(nameof(RReLU))
        {
            if (!(lower <= upper)) throw new ArgumentException($"RReLU: lower must not exceed upper, got lower={Args.Py(lower)}, upper={Args.Py(upper)}");
            this.lower = lower; this.upper = upper; this.inplace = inplace;
        }

        protected override Tensor Forward(Tensor input) => F.rrelu(input, lower, upper, training, inplace);
        public override string extra_repr() => $"lower={Args.Py(lower)}, upper={Args.Py(upper)}{Inplace(inplace)}";
    }

    public sealed class Threshold(Scalar threshold, Scalar value, bool inplace = false) : ActivationModule(nameof(Threshold))
    {
        public Scalar threshold { get; } = threshold;
        public Scalar value { get; } = value;
        public bool inplace { get; } = inplace;
        protected override Tensor Forward(Tensor input) => F.threshold(input, threshold, value, inplace);
        public override string extra_repr() => $"threshold={Py(threshold)}, value={Py(value)}{Inplace(inplace)}";
    }

    public sealed class ELU(double alpha = 1.0, bool inplace = false) : ActivationModule(nameof(ELU))
    {
        public double alpha { get; } = alpha;
        public bool inplace { get; } = inplace;
        protected override Tensor Forward(Tensor input) => F.elu(input, alpha, inplace);
        public override string extra_repr() => $"alpha={Args.Py(alpha)}{Inplace(inplace)}";
    }

    public sealed class SELU(bool inplace = false) : ActivationModule(nameof(SELU))
    {
        public bool inplace { get; } = inplace;
        protected override Tensor Forward(Tensor input) => F.selu(input, inplace);
        public override string extra_repr() => Inplace(inplace, first: true);
    }

    public sealed class CELU : ActivationModule
    {
        public double alpha { get; }
        public bool inplace { get; }

        public CELU(double alpha = 1.0, bool inplace = false) : base(nameof(CELU))
        {
            if (alpha == 0) throw new ArgumentException("CELU: alpha cannot be 0 (ZeroDivisionError: alpha cannot be 0 for CELU)");
            this.alpha = alpha; this.inplace = inplace;
        }

        protected override Tensor Forward(Tensor input) => F.celu(input, alpha, inplace);
        public override string extra_repr() => $"alpha={Args.Py(alpha)}{Inplace(inplace)}";
    }

    public sealed class GELU : ActivationModule
    {
        public string approximate { get; }

        public GELU(string approximate = "none") : base(nameof(GELU))
        {
            if (approximate != "none" && approximate != "tanh")
                throw new ArgumentException($"GELU: approximate argument must be either none or tanh, got '{approximate}'");
            this.approximate = approximate;
        }

        protected override Tensor Forward(Tensor input) => F.gelu(input, approximate);
        public override string extra_repr() => $"approximate={Args.Py(approximate)}";
    }

    public sealed class SiLU(bool inplace = false) : ActivationModule(nameof(SiLU))
    {
        public bool inplace { get; } = inplace;
        protected override Tensor Forward(Tensor input) => F.silu(input, inplace);
        public override string extra_repr() => Inplace(inplace, first: true);
    }

    public sealed class Mish(bool inplace = false) : ActivationModule(nameof(Mish))
    {
        public bool inplace { get; } = inplace;
        protected override Tensor Forward(Tensor input) => F.mish(input, inplace);
        public override string extra_repr() => Inplace(inplace, first: true);
    }

    public sealed class Softplus(Scalar beta, Scalar threshold) : ActivationModule(nameof(Softplus))
    {
        public Scalar beta { get; } = beta;
        public Scalar threshold { get; } = threshold;
        protected override Tensor Forward(Tensor input) => F.softplus(input, beta.ToDouble(), threshold.ToDouble());
        public override string extra_repr() => $"beta={Py(beta)}, threshold={Py(threshold)}";
    }

    public sealed class Hardshrink(double lambd = 0.5) : ActivationModule(nameof(Hardshrink))
    {
        public double lambd { get; } = lambd;
        protected override Tensor Forward(Tensor input) => F.hardshrink(input, lambd);
        public override string extra_repr() => Args.Py(lambd);
    }

    public sealed class Softshrink : ActivationModule
    {
        public double lambd { get; }

        public Softshrink(double lambd = 0.5) : base(nameof(Softshrink))
        {
            if (!(lambd >= 0)) throw new ArgumentException($"Softshrink: lambda must be greater or equal to 0, but found to be {Args.Py(lambd)}");
            this.lambd = lambd;
        }

        protected override Tensor Forward(Tensor input) => F.softshrink(input, lambd);
        public override string extra_repr() => Args.Py(lambd);
    }

    public sealed class Hardsigmoid(bool inplace = false) : ActivationModule(nameof(Hardsigmoid))
    {
        public bool inplace { get; } = inplace;
        protected override Tensor Forward(Tensor input) => F.hardsigmoid(input, inplace);
    }

    public sealed class Hardswish(bool inplace = false) : ActivationModule(nameof(Hardswish))
    {
        public bool inplace { get; } = inplace;
        protected override Tensor Forward(Tensor input) => F.hardswish(input, inplace);
    }
}
