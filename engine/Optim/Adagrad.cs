using System.Numerics;
using System.Runtime.InteropServices;
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
    public sealed class Adagrad : Optimizer
    {
        sealed class State
        {
            public double Step;
            public required Tensor Sum;
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
            foreach (var g in param_groups) FillState(g);
        }

        void FillState(ParamGroup g)
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

        readonly record struct Options(double Lr, double LrDecay, double WeightDecay, double Init, double Eps, bool Maximize);
        Options[] _parsed = [];

        Options Parse(ParamGroup group)
        {
            var o = new Options(group.Number("lr", _name), group.Number("lr_decay", _name), group.Number("weight_decay", _name),
                group.Number("initial_accumulator_value", _name), group.Number("eps", _name), group.Flag("maximize", _name));
            if (!(o.Lr >= 0)) throw new ArgumentException($"Invalid learning rate: {PyFloat(o.Lr)} ({_name} expects lr >= 0)");
            if (!(o.LrDecay >= 0)) throw new ArgumentException($"Invalid lr_decay value: {PyFloat(o.LrDecay)} ({_name} expects lr_decay >= 0)");
            if (!(o.WeightDecay >= 0)) throw new ArgumentException($"Invalid weight_decay value: {PyFloat(o.WeightDecay)} ({_name} expects weight_decay >= 0)");
            if (!(o.Init >= 0)) throw new ArgumentException($"Invalid initial_accumulator_value value: {PyFloat(o.Init)} ({_name} expects initial_accumulator_value >= 0)");
            if (!(o.Eps >= 0)) throw new ArgumentException($"Invalid epsilon value: {PyFloat(o.Eps)} ({_name} expects eps >= 0)");
            return o;
        }

        protected override void Validate(ParamGroup group) => Parse(group);

        protected override void StepGroups(IReadOnlyList<ParamGroup> groups)
        {
            if (_parsed.Length != groups.Count) _parsed = new Options[groups.Count];
            for (int g = 0; g < groups.Count; g++) _parsed[g] = Parse(groups[g]);
            for (int g = 0; g < groups.Count; g++)
            {
                FillState(groups[g]);   // groups added with add_param_group after construction
                Step(groups[g], _parsed[g]);
            }
        }

        void Step(ParamGroup group, in Options o)
        {
            var ps = group._params;
            for (int i = 0; i < ps.Length; i++)
            {
                var p = ps[i];
                if (p.grad is not { } grad) continue;
                var st = (State)group._state[i]!;
                st.Step += 1;
                double clr = o.Lr / (1 + (st.Step - 1) * o.LrDecay);
                if (p.dtype == ScalarType.Float32) Update<float>(p, grad, st, o, clr);
                else Update<double>(p, grad, st, o, clr);
            }
        }

        static void Update<T>(Tensor p, Tensor grad, State st, in Options o, double clr) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var pc = p.contiguous_nograd();
            var gc = grad.contiguous_nograd();
            AdagradKernel.Run(pc.Buffer<T>(), pc._offset, gc.Buffer<T>(), gc._offset, st.Sum.Buffer<T>(), pc.Numel,
                T.CreateTruncating(o.WeightDecay), o.WeightDecay != 0, T.CreateTruncating(o.Eps), T.CreateTruncating(-clr), o.Maximize);
            if (!ReferenceEquals(pc, p)) p.CopyFrom(pc);
            p.BumpVersion();
        }

        protected override Dictionary<string, Tensor> SaveState(object state)
        {
            var s = (State)state;
            return new Dictionary<string, Tensor> { ["step"] = torch.tensor(s.Step), ["sum"] = s.Sum };
        }

        protected override object LoadState(Dictionary<string, Tensor> saved, Tensor parameter, ParamGroup group, string where)
        {
            var step = Require(saved, "step", where);
            if (step.numel() != 1) throw new ArgumentException($"{where}: 'step' must hold one number, got shape {Shape.Str(step._shape)}");
            foreach (var k in saved.Keys)
                if (k is not ("step" or "sum"))
                    throw new ArgumentException($"{where}: unexpected entry '{k}' for Adagrad (it keeps 'step' and 'sum'); was the state dict saved by a different kind of optimizer?");
            var sum = Require(saved, "sum", where);
            if (!Shape.SameShape(sum._shape, parameter._shape))
                throw new ArgumentException($"{where}: 'sum' has shape {Shape.Str(sum._shape)}, but the parameter has shape {Shape.Str(parameter._shape)}");
            return new State { Step = step.item<double>(), Sum = sum };
        }
    }
}

namespace Torchlet.Kernels
{
    /// <summary>Adagrad's update with PyTorch's rounding: g = fma(p, wd, ±g); sum = fma(g, g, sum); p = p + (−clr·g)/(√sum + ε).</summary>
    internal static class AdagradKernel
    {
        public static void Run<T>(T[] p, int po, T[] g, int go, T[] sum, int n, T wd, bool hasWd, T eps, T negClr, bool maximize)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (n < 1 << 16) { Range(p, po, g, go, sum, 0, n, wd, hasWd, eps, negClr, maximize); return; }
            Threading.For(n, 4, (s, e) => Range(p, po, g, go, sum, s, e, wd, hasWd, eps, negClr, maximize));
        }

        static void Range<T>(T[] pa, int po, T[] ga, int go, T[] sa, int start, int end, T wd, bool hasWd, T eps, T negClr, bool maximize)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int n = end - start, i = 0;
            Span<T> p = pa.AsSpan(po + start, n), s = sa.AsSpan(start, n);
            ReadOnlySpan<T> g = ga.AsSpan(go + start, n);
            if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
            {
                var pv = MemoryMarshal.Cast<T, Vector<T>>(p); var sv = MemoryMarshal.Cast<T, Vector<T>>(s);
                var gv = MemoryMarshal.Cast<T, Vector<T>>(g);
                Vector<T> wdv = new(wd), epsv = new(eps), lr = new(negClr);
                for (int k = 0; k < pv.Length; k++)
                {
                    var x = gv[k];
                    if (maximize) x = -x;
                    if (hasWd) x = RmspropKernel.Fma(pv[k], wdv, x);
                    var acc = RmspropKernel.Fma(x, x, sv[k]);
                    sv[k] = acc;
                    pv[k] = pv[k] + lr * x / (Vector.SquareRoot(acc) + epsv);
                }
                i = pv.Length * Vector<T>.Count;
            }
            for (; i < n; i++)
            {
                T x = g[i];
                if (maximize) x = -x;
                if (hasWd) x = T.FusedMultiplyAdd(p[i], wd, x);
                T acc = T.FusedMultiplyAdd(x, x, s[i]);
                s[i] = acc;
                p[i] = p[i] + negClr * x / (T.Sqrt(acc) + eps);
            }
        }
    }
}
