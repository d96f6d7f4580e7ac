using Torchlet.Kernels;
using Torchlet.Modules;

namespace Torchlet
{
    public static partial class torch
    {
        public static partial class optim
        {
            /// <summary>Stochastic gradient descent with momentum, dampening, weight decay and Nesterov momentum.</summary>
            public static Modules.SGD SGD(IEnumerable<Tensor> parameters, double lr = 1e-3, double momentum = 0, double dampening = 0,
                double weight_decay = 0, bool nesterov = false, bool maximize = false) =>
                new(parameters, lr, momentum, dampening, weight_decay, nesterov, maximize);

            /// <summary>SGD over parameter groups; a group's own options override these defaults.</summary>
            public static Modules.SGD SGD(IEnumerable<ParamGroup> groups, double lr = 1e-3, double momentum = 0, double dampening = 0,
                double weight_decay = 0, bool nesterov = false, bool maximize = false) =>
                new(groups, lr, momentum, dampening, weight_decay, nesterov, maximize);
        }
    }
}

namespace Torchlet.Modules
{
    /// <summary>
    /// torch.optim.SGD (PyTorch 1.13): d = g (+ weight_decay·p); with momentum μ,
    /// buf = μ·buf + (1 − dampening)·d (buf = d on the first step) and d = buf, or d + μ·buf
    /// with Nesterov; p −= lr·d. <c>maximize</c> uses −g.
    /// </summary>
    public sealed class SGD : Optimizer<SGD.Options, SGD.State>
    {
        /// <summary>Per-parameter state: the momentum buffer (with momentum only).</summary>
        public sealed class State { internal State() { } internal Tensor? MomentumBuffer; internal bool FirstStep; }

        static Dictionary<string, object> Defaults(double lr, double momentum, double dampening, double weight_decay, bool nesterov, bool maximize) =>
            new() { ["lr"] = lr, ["momentum"] = momentum, ["dampening"] = dampening, ["weight_decay"] = weight_decay, ["nesterov"] = nesterov, ["maximize"] = maximize };

        public SGD(IEnumerable<Tensor> parameters, double lr = 1e-3, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false)
            : base("SGD", parameters, Defaults(lr, momentum, dampening, weight_decay, nesterov, maximize)) { }

        public SGD(IEnumerable<ParamGroup> groups, double lr = 1e-3, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false)
            : base("SGD", groups, Defaults(lr, momentum, dampening, weight_decay, nesterov, maximize)) { }

        /// <summary>A group's options, read and checked.</summary>
        public readonly record struct Options(double Lr, double Momentum, double Dampening, double WeightDecay, bool Nesterov, bool Maximize);

        private protected override Options Parse(ParamGroup group)
        {
            var o = new Options(group.Number("lr", _name), group.Number("momentum", _name), group.Number("dampening", _name),
                group.Number("weight_decay", _name), group.Flag("nesterov", _name), group.Flag("maximize", _name));
            NonNegative(("lr", o.Lr), ("momentum", o.Momentum), ("weight_decay", o.WeightDecay));
            if (o.Nesterov && (o.Momentum <= 0 || o.Dampening != 0))
                throw new ArgumentException($"Nesterov momentum requires a momentum and zero dampening (got momentum={Args.Py(o.Momentum)}, dampening={Args.Py(o.Dampening)})");
            return o;
        }

        private protected override State? Prepare(Tensor p, State? st, in Options o)
        {
            if (o.Momentum == 0) return st;   // plain SGD keeps no state (an earlier buffer stays for when momentum returns)
            st ??= new State();
            st.FirstStep = st.MomentumBuffer is null;
            st.MomentumBuffer ??= Tensor.Empty(p._shape, p.dtype);
            return st;
        }

        private protected override void Update<T>(T[] p, int po, T[] g, int go, int n, State? st, in Options o)
        {
            bool momentum = o.Momentum != 0;
            var args = new OptimKernels.SgdArgs<T>
            {
                NegLr = T.CreateTruncating(-o.Lr), WeightDecay = T.CreateTruncating(o.WeightDecay),
                Momentum = T.CreateTruncating(o.Momentum), OneMinusDampening = T.CreateTruncating(1 - o.Dampening),
                HasWeightDecay = o.WeightDecay != 0, HasMomentum = momentum, FirstStep = momentum && st!.FirstStep, Nesterov = o.Nesterov, Maximize = o.Maximize,
            };
            var buf = momentum ? st!.MomentumBuffer : null;
            OptimKernels.Sgd(p, po, g, go, buf?.Buffer<T>(), buf?._offset ?? 0, n, args);
        }

        private protected override Dictionary<string, Tensor> Save(State s)
        {
            return s.MomentumBuffer is null ? new() : new() { ["momentum_buffer"] = s.MomentumBuffer };
        }

        private protected override State Load(Dictionary<string, Tensor> saved, Tensor parameter, ParamGroup group, string where)
        {
            OnlyKeys(saved, where, ["momentum_buffer"], "only 'momentum_buffer'");
            return new State { MomentumBuffer = saved.ContainsKey("momentum_buffer") ? LoadBuffer(saved, "momentum_buffer", parameter, where) : null };
        }
    }
}
