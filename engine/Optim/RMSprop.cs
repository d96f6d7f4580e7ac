using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    public sealed class RMSprop : Optimizer
    {
        sealed class State
        {
            public long Step;
            public required Tensor SquareAvg;
            public Tensor? MomentumBuffer, GradAvg;
        }

        static Dictionary<string, object> Defaults(double lr, double alpha, double eps, double weight_decay, double momentum, bool centered, bool maximize) =>
            new() { ["lr"] = lr, ["alpha"] = alpha, ["eps"] = eps, ["weight_decay"] = weight_decay, ["momentum"] = momentum, ["centered"] = centered, ["maximize"] = maximize };

        public RMSprop(IEnumerable<Tensor> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weight_decay = 0,
            double momentum = 0, bool centered = false, bool maximize = false)
            : base("RMSprop", parameters, Defaults(lr, alpha, eps, weight_decay, momentum, centered, maximize)) { }

        public RMSprop(IEnumerable<ParamGroup> groups, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weight_decay = 0,
            double momentum = 0, bool centered = false, bool maximize = false)
            : base("RMSprop", groups, Defaults(lr, alpha, eps, weight_decay, momentum, centered, maximize)) { }

        readonly record struct Options(double Lr, double Alpha, double Eps, double WeightDecay, double Momentum, bool Centered, bool Maximize);
        Options[] _parsed = [];

        Options Parse(ParamGroup group)
        {
            var o = new Options(group.Number("lr", _name), group.Number("alpha", _name), group.Number("eps", _name), group.Number("weight_decay", _name),
                group.Number("momentum", _name), group.Flag("centered", _name), group.Flag("maximize", _name));
            if (!(o.Lr >= 0)) throw new ArgumentException($"Invalid learning rate: {PyFloat(o.Lr)} ({_name} expects lr >= 0)");
            if (!(o.Eps >= 0)) throw new ArgumentException($"Invalid epsilon value: {PyFloat(o.Eps)} ({_name} expects eps >= 0)");
            if (!(o.Momentum >= 0)) throw new ArgumentException($"Invalid momentum value: {PyFloat(o.Momentum)} ({_name} expects momentum >= 0)");
            if (!(o.WeightDecay >= 0)) throw new ArgumentException($"Invalid weight_decay value: {PyFloat(o.WeightDecay)} ({_name} expects weight_decay >= 0)");
            if (!(o.Alpha >= 0)) throw new ArgumentException($"Invalid alpha value: {PyFloat(o.Alpha)} ({_name} expects alpha >= 0)");
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
                    group._state[i] = st = new State { SquareAvg = Tensor.Empty(p._shape, p.dtype, clear: true) };
                // PyTorch creates these on the first step only; options switched on later need them too.
                if (o.Momentum > 0) st.MomentumBuffer ??= Tensor.Empty(p._shape, p.dtype, clear: true);
                if (o.Centered) st.GradAvg ??= Tensor.Empty(p._shape, p.dtype, clear: true);
                st.Step += 1;
                if (p.dtype == ScalarType.Float32) Update<float>(p, grad, st, o);
                else Update<double>(p, grad, st, o);
            }
        }

        static void Update<T>(Tensor p, Tensor grad, State st, in Options o) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var args = new RmspropKernel.Args<T>
            {
                Alpha = T.CreateTruncating(o.Alpha), OneMinusAlpha = T.CreateTruncating(1 - o.Alpha), Eps = T.CreateTruncating(o.Eps),
                WeightDecay = T.CreateTruncating(o.WeightDecay), Momentum = T.CreateTruncating(o.Momentum), NegLr = T.CreateTruncating(-o.Lr),
                HasWeightDecay = o.WeightDecay != 0, HasMomentum = o.Momentum > 0, Centered = o.Centered, Maximize = o.Maximize,
            };
            var pc = p.contiguous_nograd();
            var gc = grad.contiguous_nograd();
            RmspropKernel.Run(pc.Buffer<T>(), pc._offset, gc.Buffer<T>(), gc._offset, st.SquareAvg.Buffer<T>(),
                o.Centered ? st.GradAvg!.Buffer<T>() : null, o.Momentum > 0 ? st.MomentumBuffer!.Buffer<T>() : null, pc.Numel, args);
            if (!ReferenceEquals(pc, p)) p.CopyFrom(pc);
            p.BumpVersion();
        }

        protected override Dictionary<string, Tensor> SaveState(object state)
        {
            var s = (State)state;
            var d = new Dictionary<string, Tensor> { ["step"] = torch.tensor(s.Step), ["square_avg"] = s.SquareAvg };
            if (s.MomentumBuffer is not null) d["momentum_buffer"] = s.MomentumBuffer;
            if (s.GradAvg is not null) d["grad_avg"] = s.GradAvg;
            return d;
        }

        protected override object LoadState(Dictionary<string, Tensor> saved, Tensor parameter, ParamGroup group, string where)
        {
            var step = Require(saved, "step", where);
            if (step.numel() != 1) throw new ArgumentException($"{where}: 'step' must hold one number, got shape {Shape.Str(step._shape)}");
            foreach (var k in saved.Keys)
                if (k is not ("step" or "square_avg" or "momentum_buffer" or "grad_avg"))
                    throw new ArgumentException($"{where}: unexpected entry '{k}' for RMSprop (it keeps 'step', 'square_avg', 'momentum_buffer' with momentum and 'grad_avg' when centered); was the state dict saved by a different kind of optimizer?");
            var st = new State { Step = (long)step.item<double>(), SquareAvg = Buf("square_avg")! };
            st.MomentumBuffer = saved.ContainsKey("momentum_buffer") ? Buf("momentum_buffer") : null;
            st.GradAvg = saved.ContainsKey("grad_avg") ? Buf("grad_avg") : null;
            if (st.GradAvg is null && group.Flag("centered", _name)) throw new ArgumentException($"{where}: 'grad_avg' is missing but the group is centered");
            return st;

            Tensor Buf(string key)
            {
                var t = Require(saved, key, where);
                if (!Shape.SameShape(t._shape, parameter._shape))
                    throw new ArgumentException($"{where}: '{key}' has shape {Shape.Str(t._shape)}, but the parameter has shape {Shape.Str(parameter._shape)}");
                return t;
            }
        }
    }
}

namespace Torchlet.Kernels
{
    /// <summary>
    /// One fused RMSprop update with PyTorch 1.13's rounding steps (see <see cref="OptimKernels"/>):
    /// g = fma(p, wd, ±g); v = fma((1−α)·g, g, v·α); centered: m = fma(g, 1−α, m·α), avg = √fma(−m, m, v);
    /// avg += ε; momentum: buf = buf·μ + g/avg, p = fma(buf, −lr, p); else p = p + (−lr·g)/avg.
    /// </summary>
    internal static class RmspropKernel
    {
        internal struct Args<T> where T : unmanaged
        {
            public T Alpha, OneMinusAlpha, Eps, WeightDecay, Momentum, NegLr;
            public bool HasWeightDecay, HasMomentum, Centered, Maximize;
        }

        public static void Run<T>(T[] p, int po, T[] g, int go, T[] v, T[]? m, T[]? buf, int n, in Args<T> a)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (n < 1 << 16) { Range(p, po, g, go, v, m, buf, 0, n, a); return; }
            var args = a;
            Threading.For(n, 6, (s, e) => Range(p, po, g, go, v, m, buf, s, e, args));
        }

        static void Range<T>(T[] pa, int po, T[] ga, int go, T[] va, T[]? ma, T[]? ba, int start, int end, in Args<T> a)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int n = end - start, i = 0;
            Span<T> p = pa.AsSpan(po + start, n), v = va.AsSpan(start, n);
            ReadOnlySpan<T> g = ga.AsSpan(go + start, n);
            Span<T> m = a.Centered ? ma!.AsSpan(start, n) : default, b = a.HasMomentum ? ba!.AsSpan(start, n) : default;
            if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
            {
                var pv = MemoryMarshal.Cast<T, Vector<T>>(p); var vv = MemoryMarshal.Cast<T, Vector<T>>(v);
                var gv = MemoryMarshal.Cast<T, Vector<T>>(g);
                var mv = MemoryMarshal.Cast<T, Vector<T>>(m); var bv = MemoryMarshal.Cast<T, Vector<T>>(b);
                Vector<T> alpha = new(a.Alpha), oma = new(a.OneMinusAlpha), eps = new(a.Eps), wd = new(a.WeightDecay), mu = new(a.Momentum), nlr = new(a.NegLr);
                for (int k = 0; k < pv.Length; k++)
                {
                    var x = gv[k];
                    if (a.Maximize) x = -x;
                    if (a.HasWeightDecay) x = Fma(pv[k], wd, x);
                    var sq = Fma(oma * x, x, vv[k] * alpha);
                    vv[k] = sq;
                    Vector<T> avg;
                    if (a.Centered)
                    {
                        var ga2 = Fma(x, oma, mv[k] * alpha);
                        mv[k] = ga2;
                        avg = Vector.SquareRoot(Fma(-ga2, ga2, sq));
                    }
                    else avg = Vector.SquareRoot(sq);
                    avg += eps;
                    if (a.HasMomentum)
                    {
                        var nb = bv[k] * mu + x / avg;
                        bv[k] = nb;
                        pv[k] = Fma(nb, nlr, pv[k]);
                    }
                    else pv[k] = pv[k] + nlr * x / avg;
                }
                i = pv.Length * Vector<T>.Count;
            }
            for (; i < n; i++)
            {
                T x = g[i];
                if (a.Maximize) x = -x;
                if (a.HasWeightDecay) x = T.FusedMultiplyAdd(p[i], a.WeightDecay, x);
                T sq = T.FusedMultiplyAdd(a.OneMinusAlpha * x, x, v[i] * a.Alpha);
                v[i] = sq;
                T avg;
                if (a.Centered)
                {
                    T ga2 = T.FusedMultiplyAdd(x, a.OneMinusAlpha, m[i] * a.Alpha);
                    m[i] = ga2;
                    avg = T.Sqrt(T.FusedMultiplyAdd(-ga2, ga2, sq));
                }
                else avg = T.Sqrt(sq);
                avg += a.Eps;
                if (a.HasMomentum)
                {
                    T nb = b[i] * a.Momentum + x / avg;
                    b[i] = nb;
                    p[i] = T.FusedMultiplyAdd(nb, a.NegLr, p[i]);
                }
                else p[i] = p[i] + a.NegLr * x / avg;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector<T> Fma<T>(Vector<T> a, Vector<T> b, Vector<T> c)
        {
            if (typeof(T) == typeof(float)) return Vector.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
            return Vector.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
        }
    }
}
