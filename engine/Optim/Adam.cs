using Torchlet.Kernels;
using Torchlet.Modules;

namespace Torchlet
{
    public static partial class torch
    {
        public static partial class optim
        {
            /// <summary>Adam (and AMSGrad) with PyTorch 1.13's defaults and update rule.</summary>
            public static Modules.Adam Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
                double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false) =>
                new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

            /// <summary>Adam with PyTorch's <c>betas</c> pair: <c>optim.Adam(ps, lr: 2e-4, betas: (0.5, 0.999))</c>.</summary>
            public static Modules.Adam Adam(IEnumerable<Tensor> parameters, (double beta1, double beta2) betas, double lr = 1e-3,
                double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false) =>
                Adam(parameters, lr, betas.beta1, betas.beta2, eps, weight_decay, amsgrad, maximize);

            /// <summary>Adam over parameter groups; a group's own options (e.g. <c>"lr"</c>, <c>"betas"</c>) override these defaults.</summary>
            public static Modules.Adam Adam(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
                double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false) =>
                new(groups, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

            public static Modules.Adam Adam(IEnumerable<ParamGroup> groups, (double beta1, double beta2) betas, double lr = 1e-3,
                double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false) =>
                Adam(groups, lr, betas.beta1, betas.beta2, eps, weight_decay, amsgrad, maximize);

            /// <summary>AdamW (decoupled weight decay) with PyTorch 1.13's defaults (weight_decay = 0.01) and update rule.</summary>
            public static Modules.AdamW AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
                double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false) =>
                new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

            /// <summary>AdamW with PyTorch's <c>betas</c> pair.</summary>
            public static Modules.AdamW AdamW(IEnumerable<Tensor> parameters, (double beta1, double beta2) betas, double lr = 1e-3,
                double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false) =>
                AdamW(parameters, lr, betas.beta1, betas.beta2, eps, weight_decay, amsgrad, maximize);

            /// <summary>AdamW over parameter groups; a group's own options override these defaults.</summary>
            public static Modules.AdamW AdamW(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
                double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false) =>
                new(groups, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

            public static Modules.AdamW AdamW(IEnumerable<ParamGroup> groups, (double beta1, double beta2) betas, double lr = 1e-3,
                double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false) =>
                AdamW(groups, lr, betas.beta1, betas.beta2, eps, weight_decay, amsgrad, maximize);
        }
    }
}

namespace Torchlet.Modules
{
    /// <summary>
    /// torch.optim.Adam (PyTorch 1.13): g (+ weight_decay·p); m = β1·m + (1−β1)·g;
    /// v = β2·v + (1−β2)·g²; p −= lr/(1−β1^t) · m / (√v/√(1−β2^t) + ε), where AMSGrad uses the
    /// running maximum of v. The step count t is kept per parameter. Options are kept under
    /// PyTorch's names: "lr", "betas" (a (β1, β2) tuple), "eps", "weight_decay", "amsgrad", "maximize".
    /// </summary>
    public sealed class Adam : AdamFamily
    {
        public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
            double weight_decay = 0, bool amsgrad = false, bool maximize = false)
            : base("Adam", decoupled: false, parameters, Defaults(lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)) { }

        public Adam(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
            double weight_decay = 0, bool amsgrad = false, bool maximize = false)
            : base("Adam", decoupled: false, groups, Defaults(lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)) { }
    }

    /// <summary>
    /// torch.optim.AdamW (PyTorch 1.13): p ·= 1 − lr·weight_decay, then Adam's update without
    /// weight decay in the gradient (Loshchilov &amp; Hutter's decoupled decay). Options as Adam's.
    /// </summary>
    public sealed class AdamW : AdamFamily
    {
        public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
            double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false)
            : base("AdamW", decoupled: true, parameters, Defaults(lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)) { }

        public AdamW(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
            double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false)
            : base("AdamW", decoupled: true, groups, Defaults(lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)) { }
    }

    /// <summary>Adam and AdamW: the same moments, state and kernel; they differ only in where weight decay is applied.</summary>
    public abstract class AdamFamily : Optimizer<AdamFamily.Options, AdamFamily.State>
    {
        /// <summary>Per-parameter state: the step count and the moments (and AMSGrad's running maximum).</summary>
        public sealed class State
        {
            internal State() { }
            internal double Step;
            internal Tensor ExpAvg = null!, ExpAvgSq = null!;
            internal Tensor? MaxExpAvgSq;
        }

        readonly bool _decoupled;

        private protected static Dictionary<string, object> Defaults(double lr, double beta1, double beta2, double eps, double weight_decay, bool amsgrad, bool maximize) =>
            new() { ["lr"] = lr, ["betas"] = (beta1, beta2), ["eps"] = eps, ["weight_decay"] = weight_decay, ["amsgrad"] = amsgrad, ["maximize"] = maximize };

        private protected AdamFamily(string name, bool decoupled, IEnumerable<Tensor> parameters, Dictionary<string, object> defaults)
            : base(name, parameters, defaults) { _decoupled = decoupled; }

        private protected AdamFamily(string name, bool decoupled, IEnumerable<ParamGroup> groups, Dictionary<string, object> defaults)
            : base(name, groups, defaults) { _decoupled = decoupled; }

        /// <summary>A group's options, read and checked.</summary>
        public readonly record struct Options(double Lr, double Beta1, double Beta2, double Eps, double WeightDecay, bool AmsGrad, bool Maximize);

        private protected override Options Parse(ParamGroup group)
        {
            var (b1, b2) = group.Pair("betas", _name);
            var o = new Options(group.Number("lr", _name), b1, b2, group.Number("eps", _name), group.Number("weight_decay", _name),
                group.Flag("amsgrad", _name), group.Flag("maximize", _name));
            NonNegative(("lr", o.Lr), ("eps", o.Eps));
            if (!(b1 >= 0 && b1 < 1)) throw new ArgumentException($"Invalid beta parameter at index 0: {Args.Py(b1)} ({_name} expects 0 <= beta1 < 1)");
            if (!(b2 >= 0 && b2 < 1)) throw new ArgumentException($"Invalid beta parameter at index 1: {Args.Py(b2)} ({_name} expects 0 <= beta2 < 1)");
            NonNegative(("weight_decay", o.WeightDecay));
            return o;
        }

        private protected override State Prepare(Tensor p, State? st, in Options o)
        {
            st ??= new State { ExpAvg = Tensor.Empty(p._shape, p.dtype, clear: true), ExpAvgSq = Tensor.Empty(p._shape, p.dtype, clear: true) };
            if (o.AmsGrad) st.MaxExpAvgSq ??= Tensor.Empty(p._shape, p.dtype, clear: true);
            st.Step += 1;
            return st;
        }

        private protected override void Update<T>(T[] p, int po, T[] g, int go, int n, State? state, in Options o)
        {
            var st = state!;
            // Scalars in double as Python computes them, then rounded to the parameter's dtype by the kernel.
            double bc1 = 1 - Math.Pow(o.Beta1, st.Step), bc2 = 1 - Math.Pow(o.Beta2, st.Step);
            double stepSize = o.Lr / bc1;
            // AdamW decays the parameter itself (1 − lr·wd) instead of adding wd·p to the gradient.
            double wd = _decoupled ? 0 : o.WeightDecay, decay = _decoupled ? 1 - o.Lr * o.WeightDecay : 1;
            var args = new OptimKernels.AdamArgs<T>
            {
                WeightDecay = T.CreateTruncating(wd), Beta1 = T.CreateTruncating(o.Beta1), OneMinusBeta1 = T.CreateTruncating(1 - o.Beta1),
                Beta2 = T.CreateTruncating(o.Beta2), OneMinusBeta2 = T.CreateTruncating(1 - o.Beta2), BiasCorrection2Sqrt = T.CreateTruncating(Math.Sqrt(bc2)),
                Eps = T.CreateTruncating(o.Eps), NegStepSize = T.CreateTruncating(-stepSize),
                HasWeightDecay = wd != 0, AmsGrad = o.AmsGrad, Maximize = o.Maximize,
            };
            if (decay != 1)
            {
                // param.mul_(1 − lr·wd): one rounding with the factor in the parameter's dtype, as PyTorch's CPU kernel.
                RowUpdate.Scale(p.AsSpan(po, n), T.CreateTruncating(decay));
            }
            OptimKernels.Adam(p, po, g, go, st.ExpAvg.Buffer<T>(), st.ExpAvgSq.Buffer<T>(), o.AmsGrad ? st.MaxExpAvgSq!.Buffer<T>() : null, n, args);
        }

        private protected override Dictionary<string, Tensor> Save(State s)
        {
            var d = new Dictionary<string, Tensor> { ["step"] = torch.tensor(s.Step), ["exp_avg"] = s.ExpAvg, ["exp_avg_sq"] = s.ExpAvgSq };
            if (s.MaxExpAvgSq is not null) d["max_exp_avg_sq"] = s.MaxExpAvgSq;
            return d;
        }

        private protected override State Load(Dictionary<string, Tensor> saved, Tensor parameter, ParamGroup group, string where)
        {
            double step = LoadStep(saved, where, ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"],
                "'step', 'exp_avg', 'exp_avg_sq' and, with amsgrad, 'max_exp_avg_sq'");
            var st = new State { Step = step, ExpAvg = Moment("exp_avg"), ExpAvgSq = Moment("exp_avg_sq") };
            if (saved.ContainsKey("max_exp_avg_sq")) st.MaxExpAvgSq = Moment("max_exp_avg_sq");
            else if (group.Flag("amsgrad", _name)) throw new ArgumentException($"{where}: 'max_exp_avg_sq' is missing but the group uses amsgrad");
            return st;

            Tensor Moment(string key) => LoadBuffer(saved, key, parameter, where);
        }
    }
}
