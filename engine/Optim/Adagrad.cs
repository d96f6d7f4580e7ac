using Torchlet.Kernels;
using Torchlet.Modules;

namespace Torchlet
{
    public static partial class torch
    {
        public static partial class optim
        {
            /// <summary>Adagrad with PyTorch 1.13's defaults and update rule (lr_decay, weight_decay, initial_accumulator_value, eps, maximize).</summary>
            public static Modules.Adagrad Adagrad(IEnumerable<Tensor> parameters, double lr = 1e-2, double lr_decay = 0, double weight_decay = 0,
                double initial_accumulator_value = 0, double eps = 1e-10, bool maximize = false) =>
                new(parameters, lr, lr_decay, weight_decay, initial_accumulator_value, eps, maximize);

            /// <summary>Adagrad over parameter groups; a group's own options override these defaults.</summary>
            public static Modules.Adagrad Adagrad(IEnumerable<ParamGroup> groups, double lr = 1e-2, double lr_decay = 0, double weight_decay = 0,
                double initial_accumulator_value = 0, double eps = 1e-10, bool maximize = false) =>
                new(groups, lr, lr_decay, weight_decay, initial_accumulator_value, eps, maximize);
        }
    }
}

namespace Torchlet.Modules
{
    /// <summary>
    /// torch.optim.Adagrad (PyTorch 1.13): g (+ weight_decay·p); clr = lr / (1 + (t − 1)·lr_decay);
    /// sum += g²; p −= clr·g / (√sum + ε). The accumulator starts at initial_accumulator_value
    /// (filled when the optimizer is made, as PyTorch does). Options: "lr", "lr_decay",
    /// "weight_decay", "initial_accumulator_value", "eps", "maximize".
    /// </summary>
    public sealed class Adagrad : Optimizer<Adagrad.Options, Adagrad.State>
    {
        /// <summary>Per-parameter state: the step count and the sum of squared gradients.</summary>
        public sealed class State
        {
            internal State() { }
            internal double Step;
            internal Tensor Sum = null!;
        }

        static Dictionary<string, object> Defaults(double lr, double lr_decay, double weight_decay, double initial_accumulator_value, double eps, bool maximize) =>
            new() { ["lr"] = lr, ["lr_decay"] = lr_decay, ["weight_decay"] = weight_decay, ["initial_accumulator_value"] = initial_accumulator_value, ["eps"] = eps, ["maximize"] = maximize };

        public Adagrad(IEnumerable<Tensor> parameters, double lr = 1e-2, double lr_decay = 0, double weight_decay = 0,
            double initial_accumulator_value = 0, double eps = 1e-10, bool maximize = false)
            : base("Adagrad", parameters, Defaults(lr, lr_decay, weight_decay, initial_accumulator_value, eps, maximize)) => InitState();

        public Adagrad(IEnumerable<ParamGroup> groups, double lr = 1e-2, double lr_decay = 0, double weight_decay = 0,
            double initial_accumulator_value = 0, double eps = 1e-10, bool maximize = false)
            : base("Adagrad", groups, Defaults(lr, lr_decay, weight_decay, initial_accumulator_value, eps, maximize)) => InitState();

        // PyTorch fills every parameter's state in the constructor (so state_dict has it before any step).
        void InitState()
        {
            foreach (var g in param_groups) BeforeStep(g);
        }

        // Also for groups added with add_param_group after construction.
        private protected override void BeforeStep(ParamGroup g)
        {
            double init = g.Number("initial_accumulator_value", _name);
            for (int i = 0; i < g._params.Length; i++)
            {
                if (g._state[i] is not null) continue;
                var p = g._params[i];
                var sum = Tensor.Empty(p._shape, p.dtype, clear: true);
                if (init != 0) sum.CopyFrom(Tensor.ScalarTensor(init, p.dtype));
                g._state[i] = new State { Sum = sum };
            }
        }

        /// <summary>A group's options, read and checked.</summary>
        public readonly record struct Options(double Lr, double LrDecay, double WeightDecay, double Init, double Eps, bool Maximize);

        private protected override Options Parse(ParamGroup group)
        {
            var o = new Options(group.Number("lr", _name), group.Number("lr_decay", _name), group.Number("weight_decay", _name),
                group.Number("initial_accumulator_value", _name), group.Number("eps", _name), group.Flag("maximize", _name));
            NonNegative(("lr", o.Lr), ("lr_decay", o.LrDecay), ("weight_decay", o.WeightDecay), ("initial_accumulator_value", o.Init), ("eps", o.Eps));
            return o;
        }

        private protected override State Prepare(Tensor p, State? st, in Options o)
        {
            st!.Step += 1;   // made by BeforeStep
            return st;
        }

        private protected override void Update<T>(T[] p, int po, T[] g, int go, int n, State? state, in Options o)
        {
            var st = state!;
            double clr = o.Lr / (1 + (st.Step - 1) * o.LrDecay);
            AdagradKernel.Run(p, po, g, go, st.Sum.Buffer<T>(), n,
                T.CreateTruncating(o.WeightDecay), o.WeightDecay != 0, T.CreateTruncating(o.Eps), T.CreateTruncating(-clr), o.Maximize);
        }

        private protected override Dictionary<string, Tensor> Save(State s)
        {
            return new Dictionary<string, Tensor> { ["step"] = torch.tensor(s.Step), ["sum"] = s.Sum };
        }

        private protected override State Load(Dictionary<string, Tensor> saved, Tensor parameter, ParamGroup group, string where)
        {
            double step = LoadStep(saved, where, ["step", "sum"], "'step' and 'sum'");
            return new State { Step = step, Sum = LoadBuffer(saved, "sum", parameter, where) };
        }
    }
}
