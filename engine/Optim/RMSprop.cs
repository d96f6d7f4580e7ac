using Torchlet.Kernels;
using Torchlet.Modules;

namespace Torchlet
{
    public static partial class torch
    {
        public static partial class optim
        {
            /// <summary>RMSprop with PyTorch 1.13's defaults and update rule (alpha, eps, weight_decay, momentum, centered, maximize).</summary>
            public static Modules.RMSprop RMSprop(IEnumerable<Tensor> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8,
                double weight_decay = 0, double momentum = 0, bool centered = false, bool maximize = false) =>
                new(parameters, lr, alpha, eps, weight_decay, momentum, centered, maximize);

            /// <summary>RMSprop over parameter groups; a group's own options override these defaults.</summary>
            public static Modules.RMSprop RMSprop(IEnumerable<ParamGroup> groups, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8,
                double weight_decay = 0, double momentum = 0, bool centered = false, bool maximize = false) =>
                new(groups, lr, alpha, eps, weight_decay, momentum, centered, maximize);
        }
    }
}

namespace Torchlet.Modules
{
    /// <summary>
    /// torch.optim.RMSprop (PyTorch 1.13): g (+ weight_decay·p); v = α·v + (1−α)·g²; centered:
    /// m = α·m + (1−α)·g and avg = √(v − m²), else avg = √v; avg += ε; with momentum μ,
    /// buf = μ·buf + g/avg and p −= lr·buf, else p −= lr·g/avg. Options: "lr", "alpha", "eps",
    /// "weight_decay", "momentum", "centered", "maximize".
    /// </summary>
    public sealed class RMSprop : Optimizer<RMSprop.Options, RMSprop.State>
    {
        /// <summary>Per-parameter state: step count, running mean square, and the momentum buffer and mean gradient when used.</summary>
        public sealed class State
        {
            internal State() { }
            internal long Step;
            internal Tensor SquareAvg = null!;
            internal Tensor? MomentumBuffer, GradAvg;
        }

        static Dictionary<string, object> Defaults(double lr, double alpha, double eps, double weight_decay, double momentum, bool centered, bool maximize) =>
            new() { ["lr"] = lr, ["alpha"] = alpha, ["eps"] = eps, ["weight_decay"] = weight_decay, ["momentum"] = momentum, ["centered"] = centered, ["maximize"] = maximize };

        public RMSprop(IEnumerable<Tensor> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weight_decay = 0,
            double momentum = 0, bool centered = false, bool maximize = false)
            : base("RMSprop", parameters, Defaults(lr, alpha, eps, weight_decay, momentum, centered, maximize)) { }

        public RMSprop(IEnumerable<ParamGroup> groups, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weight_decay = 0,
            double momentum = 0, bool centered = false, bool maximize = false)
            : base("RMSprop", groups, Defaults(lr, alpha, eps, weight_decay, momentum, centered, maximize)) { }

        /// <summary>A group's options, read and checked.</summary>
        public readonly record struct Options(double Lr, double Alpha, double Eps, double WeightDecay, double Momentum, bool Centered, bool Maximize);

        private protected override Options Parse(ParamGroup group)
        {
            var o = new Options(group.Number("lr", _name), group.Number("alpha", _name), group.Number("eps", _name), group.Number("weight_decay", _name),
                group.Number("momentum", _name), group.Flag("centered", _name), group.Flag("maximize", _name));
            NonNegative(("lr", o.Lr), ("eps", o.Eps), ("momentum", o.Momentum), ("weight_decay", o.WeightDecay), ("alpha", o.Alpha));
            return o;
        }

        private protected override State Prepare(Tensor p, State? st, in Options o)
        {
            st ??= new State { SquareAvg = Tensor.Empty(p._shape, p.dtype, clear: true) };
            // PyTorch creates these on the first step only; options switched on later need them too.
            if (o.Momentum > 0) st.MomentumBuffer ??= Tensor.Empty(p._shape, p.dtype, clear: true);
            if (o.Centered) st.GradAvg ??= Tensor.Empty(p._shape, p.dtype, clear: true);
            st.Step += 1;
            return st;
        }

        private protected override void Update<T>(T[] p, int po, T[] g, int go, int n, State? state, in Options o)
        {
            var st = state!;
            var args = new RmspropKernel.Args<T>
            {
                Alpha = T.CreateTruncating(o.Alpha), OneMinusAlpha = T.CreateTruncating(1 - o.Alpha), Eps = T.CreateTruncating(o.Eps),
                WeightDecay = T.CreateTruncating(o.WeightDecay), Momentum = T.CreateTruncating(o.Momentum), NegLr = T.CreateTruncating(-o.Lr),
                HasWeightDecay = o.WeightDecay != 0, HasMomentum = o.Momentum > 0, Centered = o.Centered, Maximize = o.Maximize,
            };
            RmspropKernel.Run(p, po, g, go, st.SquareAvg.Buffer<T>(), o.Centered ? st.GradAvg!.Buffer<T>() : null,
                o.Momentum > 0 ? st.MomentumBuffer!.Buffer<T>() : null, n, args);
        }

        private protected override Dictionary<string, Tensor> Save(State s)
        {
            var d = new Dictionary<string, Tensor> { ["step"] = torch.tensor(s.Step), ["square_avg"] = s.SquareAvg };
            if (s.MomentumBuffer is not null) d["momentum_buffer"] = s.MomentumBuffer;
            if (s.GradAvg is not null) d["grad_avg"] = s.GradAvg;
            return d;
        }

        private protected override State Load(Dictionary<string, Tensor> saved, Tensor parameter, ParamGroup group, string where)
        {
            double step = LoadStep(saved, where, ["step", "square_avg", "momentum_buffer", "grad_avg"],
                "'step', 'square_avg', 'momentum_buffer' with momentum and 'grad_avg' when centered");
            var st = new State { Step = (long)step, SquareAvg = Buf("square_avg") };
            st.MomentumBuffer = saved.ContainsKey("momentum_buffer") ? Buf("momentum_buffer") : null;
            st.GradAvg = saved.ContainsKey("grad_avg") ? Buf("grad_avg") : null;
            if (st.GradAvg is null && group.Flag("centered", _name)) throw new ArgumentException($"{where}: 'grad_avg' is missing but the group is centered");
            return st;

            Tensor Buf(string key) => LoadBuffer(saved, key, parameter, where);
        }
    }
}
