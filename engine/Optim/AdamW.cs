using System.Numerics;
using System.Numerics.Tensors;
using Torchlet.Kernels;
using Torchlet.Modules;

namespace Torchlet
{
    public static partial class torch
    {
        public static partial class optim
        {
            /// <summary>AdamW (decoupled weight decay) with PyTorch 1.13's defaults (weight_decay = 0.01) and update rule.</summary>
            public static Modules.AdamW AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
                double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false) =>
                new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

            /// <summary>AdamW with PyTorch's <c>betas</c> pair.</summary>
            public static Modules.AdamW AdamW(IEnumerable<Tensor> parameters, (double beta1, double beta2) betas, double lr = 1e-3,
                double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false) =>
                new(parameters, lr, betas.beta1, betas.beta2, eps, weight_decay, amsgrad, maximize);

            /// <summary>AdamW over parameter groups; a group's own options override these defaults.</summary>
            public static Modules.AdamW AdamW(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
                double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false) =>
                new(groups, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

            public static Modules.AdamW AdamW(IEnumerable<ParamGroup> groups, (double beta1, double beta2) betas, double lr = 1e-3,
                double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false) =>
                new(groups, lr, betas.beta1, betas.beta2, eps, weight_decay, amsgrad, maximize);
        }
    }
}

namespace Torchlet.Modules
{
    /// <summary>
    /// torch.optim.AdamW (PyTorch 1.13): p ·= 1 − lr·weight_decay, then Adam's update without
    /// weight decay in the gradient (Loshchilov &amp; Hutter's decoupled decay). Options as Adam's:
    /// "lr", "betas", "eps", "weight_decay", "amsgrad", "maximize".
    /// </summary>
    public sealed class AdamW : Optimizer
    {
        sealed class State
        {
            public double Step;
            public required Tensor ExpAvg, ExpAvgSq;
            public Tensor? MaxExpAvgSq;
        }

        static Dictionary<string, object> Defaults(double lr, double beta1, double beta2, double eps, double weight_decay, bool amsgrad, bool maximize) =>
            new() { ["lr"] = lr, ["betas"] = (beta1, beta2), ["eps"] = eps, ["weight_decay"] = weight_decay, ["amsgrad"] = amsgrad, ["maximize"] = maximize };

        public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
            double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false)
            : base("AdamW", parameters, Defaults(lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)) { }

        public AdamW(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
            double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false)
            : base("AdamW", groups, Defaults(lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)) { }

        readonly record struct Options(double Lr, double Beta1, double Beta2, double Eps, double WeightDecay, bool AmsGrad, bool Maximize);
        Options[] _parsed = [];

        Options Parse(ParamGroup group)
        {
            var (b1, b2) = group.Pair("betas", _name);
            var o = new Options(group.Number("lr", _name), b1, b2, group.Number("eps", _name), group.Number("weight_decay", _name),
                group.Flag("amsgrad", _name), group.Flag("maximize", _name));
            if (!(o.Lr >= 0)) throw new ArgumentException($"Invalid learning rate: {PyFloat(o.Lr)} ({_name} expects lr >= 0)");
            if (!(o.Eps >= 0)) throw new ArgumentException($"Invalid epsilon value: {PyFloat(o.Eps)} ({_name} expects eps >= 0)");
            if (!(b1 >= 0 && b1 < 1)) throw new ArgumentException($"Invalid beta parameter at index 0: {PyFloat(b1)} ({_name} expects 0 <= beta1 < 1)");
            if (!(b2 >= 0 && b2 < 1)) throw new ArgumentException($"Invalid beta parameter at index 1: {PyFloat(b2)} ({_name} expects 0 <= beta2 < 1)");
            if (!(o.WeightDecay >= 0)) throw new ArgumentException($"Invalid weight_decay value: {PyFloat(o.WeightDecay)} ({_name} expects weight_decay >= 0)");
            return o;
        }

        protected override void Validate(ParamGroup group) => Parse(group);

        protected override void StepGroups(IReadOnlyList<ParamGroup> groups)
        {
            if (_parsed.Length != groups.Count) _parsed = new Options[groups.Count];
            for (int g = 0; g < groups.Count; g++) _parsed[g] = Parse(groups[g]);
            for (int g = 0; g < groups.Count; g++) Step(groups[g], _parsed[g]);
        }

        void Step(ParamGroup group, in Options o)
        {
            var ps = group._params;
            for (int i = 0; i < ps.Length; i++)
            {
                var p = ps[i];
                if (p.grad is not { } grad) continue;
                if (group._state[i] is not State st)
                    group._state[i] = st = new State { ExpAvg = Tensor.Empty(p._shape, p.dtype, clear: true), ExpAvgSq = Tensor.Empty(p._shape, p.dtype, clear: true) };
                if (o.AmsGrad) st.MaxExpAvgSq ??= Tensor.Empty(p._shape, p.dtype, clear: true);
                st.Step += 1;
                double bc1 = 1 - Math.Pow(o.Beta1, st.Step), bc2 = 1 - Math.Pow(o.Beta2, st.Step);
                double stepSize = o.Lr / bc1, bc2Sqrt = Math.Sqrt(bc2), decay = 1 - o.Lr * o.WeightDecay;
                if (p.dtype == ScalarType.Float32) Update<float>(p, grad, st, o, decay, stepSize, bc2Sqrt);
                else Update<double>(p, grad, st, o, decay, stepSize, bc2Sqrt);
            }
        }

        static void Update<T>(Tensor p, Tensor grad, State st, in Options o, double decay, double stepSize, double bc2Sqrt)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var args = new OptimKernels.AdamArgs<T>
            {
                WeightDecay = T.Zero, Beta1 = T.CreateTruncating(o.Beta1), OneMinusBeta1 = T.CreateTruncating(1 - o.Beta1),
                Beta2 = T.CreateTruncating(o.Beta2), OneMinusBeta2 = T.CreateTruncating(1 - o.Beta2), BiasCorrection2Sqrt = T.CreateTruncating(bc2Sqrt),
                Eps = T.CreateTruncating(o.Eps), NegStepSize = T.CreateTruncating(-stepSize),
                HasWeightDecay = false, AmsGrad = o.AmsGrad, Maximize = o.Maximize,
            };
            var pc = p.contiguous_nograd();
            var gc = grad.contiguous_nograd();
            // param.mul_(1 − lr·wd): one rounding with the factor in the parameter's dtype, as PyTorch's CPU kernel.
            var span = pc.Buffer<T>().AsSpan(pc._offset, pc.Numel);
            TensorPrimitives.Multiply(span, T.CreateTruncating(decay), span);
            OptimKernels.Adam(pc.Buffer<T>(), pc._offset, gc.Buffer<T>(), gc._offset, st.ExpAvg.Buffer<T>(), st.ExpAvgSq.Buffer<T>(),
                o.AmsGrad ? st.MaxExpAvgSq!.Buffer<T>() : null, pc.Numel, args);
            if (!ReferenceEquals(pc, p)) p.CopyFrom(pc);
            p.BumpVersion();
        }

        protected override Dictionary<string, Tensor> SaveState(object state)
        {
            var s = (State)state;
            var d = new Dictionary<string, Tensor> { ["step"] = torch.tensor(s.Step), ["exp_avg"] = s.ExpAvg, ["exp_avg_sq"] = s.ExpAvgSq };
            if (s.MaxExpAvgSq is not null) d["max_exp_avg_sq"] = s.MaxExpAvgSq;
            return d;
        }

        protected override object LoadState(Dictionary<string, Tensor> saved, Tensor parameter, ParamGroup group, string where)
        {
            var step = Require(saved, "step", where);
            if (step.numel() != 1) throw new ArgumentException($"{where}: 'step' must hold one number, got shape {Shape.Str(step._shape)}");
            foreach (var k in saved.Keys)
                if (k is not ("step" or "exp_avg" or "exp_avg_sq" or "max_exp_avg_sq"))
                    throw new ArgumentException($"{where}: unexpected entry '{k}' for AdamW (it keeps 'step', 'exp_avg', 'exp_avg_sq' and, with amsgrad, 'max_exp_avg_sq'); was the state dict saved by a different kind of optimizer?");
            var st = new State { Step = step.item<double>(), ExpAvg = Moment("exp_avg"), ExpAvgSq = Moment("exp_avg_sq") };
            if (saved.ContainsKey("max_exp_avg_sq")) st.MaxExpAvgSq = Moment("max_exp_avg_sq");
            else if (group.Flag("amsgrad", _name)) throw new ArgumentException($"{where}: 'max_exp_avg_sq' is missing but the group uses amsgrad");
            return st;

            Tensor Moment(string key)
            {
                var t = Require(saved, key, where);
                if (!Shape.SameShape(t._shape, parameter._shape))
                    throw new ArgumentException($"{where}: '{key}' has shape {Shape.Str(t._shape)}, but the parameter has shape {Shape.Str(parameter._shape)}");
                return t;
            }
        }
    }
}
