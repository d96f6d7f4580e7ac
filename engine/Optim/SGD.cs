using System.Numerics;
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
    public sealed class SGD : Optimizer
    {
        sealed class State { public Tensor? MomentumBuffer; }

        static Dictionary<string, object> Defaults(double lr, double momentum, double dampening, double weight_decay, bool nesterov, bool maximize) =>
            new() { ["lr"] = lr, ["momentum"] = momentum, ["dampening"] = dampening, ["weight_decay"] = weight_decay, ["nesterov"] = nesterov, ["maximize"] = maximize };

        public SGD(IEnumerable<Tensor> parameters, double lr = 1e-3, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false)
            : base("SGD", parameters, Defaults(lr, momentum, dampening, weight_decay, nesterov, maximize)) { }

        public SGD(IEnumerable<ParamGroup> groups, double lr = 1e-3, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false)
            : base("SGD", groups, Defaults(lr, momentum, dampening, weight_decay, nesterov, maximize)) { }

        readonly record struct Options(double Lr, double Momentum, double Dampening, double WeightDecay, bool Nesterov, bool Maximize);
        Options[] _parsed = [];

        Options Parse(ParamGroup group)
        {
            var o = new Options(group.Number("lr", _name), group.Number("momentum", _name), group.Number("dampening", _name),
                group.Number("weight_decay", _name), group.Flag("nesterov", _name), group.Flag("maximize", _name));
            if (!(o.Lr >= 0)) throw new ArgumentException($"Invalid learning rate: {PyFloat(o.Lr)} ({_name} expects lr >= 0)");
            if (!(o.Momentum >= 0)) throw new ArgumentException($"Invalid momentum value: {PyFloat(o.Momentum)} ({_name} expects momentum >= 0)");
            if (!(o.WeightDecay >= 0)) throw new ArgumentException($"Invalid weight_decay value: {PyFloat(o.WeightDecay)} ({_name} expects weight_decay >= 0)");
            if (o.Nesterov && (o.Momentum <= 0 || o.Dampening != 0))
                throw new ArgumentException($"Nesterov momentum requires a momentum and zero dampening (got momentum={PyFloat(o.Momentum)}, dampening={PyFloat(o.Dampening)})");
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
                Tensor? buf = null;
                bool first = false;
                if (o.Momentum != 0)
                {
                    var st = group._state[i] as State ?? (State)(group._state[i] = new State());
                    if (st.MomentumBuffer is null) { st.MomentumBuffer = Tensor.Empty(p._shape, p.dtype); first = true; }
                    buf = st.MomentumBuffer;
                }
                if (p.dtype == ScalarType.Float32) Update<float>(p, grad, buf, first, o.Lr, o.Momentum, o.Dampening, o.WeightDecay, o.Nesterov, o.Maximize);
                else Update<double>(p, grad, buf, first, o.Lr, o.Momentum, o.Dampening, o.WeightDecay, o.Nesterov, o.Maximize);
            }
        }

        static void Update<T>(Tensor p, Tensor grad, Tensor? buf, bool first, double lr, double momentum, double dampening, double wd, bool nesterov, bool maximize)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var args = new OptimKernels.SgdArgs<T>
            {
                NegLr = T.CreateTruncating(-lr), WeightDecay = T.CreateTruncating(wd),
                Momentum = T.CreateTruncating(momentum), OneMinusDampening = T.CreateTruncating(1 - dampening),
                HasWeightDecay = wd != 0, HasMomentum = buf is not null, FirstStep = first, Nesterov = nesterov, Maximize = maximize,
            };
            // Parameters and gradients are contiguous in practice; other layouts go through a contiguous copy.
            var pc = p.contiguous_nograd();
            var gc = grad.contiguous_nograd();
            OptimKernels.Sgd(pc.Buffer<T>(), pc._offset, gc.Buffer<T>(), gc._offset, buf?.Buffer<T>(), buf?._offset ?? 0, pc.Numel, args);
            if (!ReferenceEquals(pc, p)) p.CopyFrom(pc);
            p.BumpVersion();
        }

        protected override Dictionary<string, Tensor> SaveState(object state)
        {
            var s = (State)state;
            return s.MomentumBuffer is null ? new() : new() { ["momentum_buffer"] = s.MomentumBuffer };
        }

        protected override object LoadState(Dictionary<string, Tensor> saved, Tensor parameter, ParamGroup group, string where)
        {
            foreach (var k in saved.Keys)
                if (k != "momentum_buffer") throw new ArgumentException($"{where}: unexpected entry '{k}' for SGD (it keeps only 'momentum_buffer'); was the state dict saved by a different kind of optimizer?");
            var buf = saved.GetValueOrDefault("momentum_buffer");
            if (buf is not null && !Shape.SameShape(buf._shape, parameter._shape))
                throw new ArgumentException($"{where}: 'momentum_buffer' has shape {Shape.Str(buf._shape)}, but the parameter has shape {Shape.Str(parameter._shape)}");
            return new State { MomentumBuffer = buf };
        }
    }
}
