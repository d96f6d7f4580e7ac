using Torchlet.Modules;

namespace Torchlet
{
    public static partial class torch
    {
        public static partial class optim
        {
            /// <summary>Stochastic gradient descent with momentum, dampening, weight decay and Nesterov momentum.</summary>
            public static SGD SGD(IEnumerable<Tensor> parameters, double lr = 1e-3, double momentum = 0, double dampening = 0,
                double weight_decay = 0, bool nesterov = false, bool maximize = false) =>
                new(parameters, lr, momentum, dampening, weight_decay, nesterov, maximize);

            public static SGD SGD(IEnumerable<ParamGroup> groups, double lr = 1e-3, double momentum = 0, double dampening = 0,
                double weight_decay = 0, bool nesterov = false, bool maximize = false) =>
                new(groups, lr, momentum, dampening, weight_decay, nesterov, maximize);
        }
    }
}

namespace Torchlet.Modules
{
    public sealed class SGD : Optimizer
    {
        static Dictionary<string, object> Defaults(double lr, double momentum, double dampening, double weight_decay, bool nesterov, bool maximize)
        {
            if (lr < 0) throw new ArgumentException($"SGD: Invalid learning rate: {lr}");
            if (momentum < 0) throw new ArgumentException($"SGD: Invalid momentum value: {momentum}");
            if (weight_decay < 0) throw new ArgumentException($"SGD: Invalid weight_decay value: {weight_decay}");
            if (nesterov && (momentum <= 0 || dampening != 0)) throw new ArgumentException("SGD: Nesterov momentum requires a momentum and zero dampening");
            return new() { ["lr"] = lr, ["momentum"] = momentum, ["dampening"] = dampening, ["weight_decay"] = weight_decay, ["nesterov"] = nesterov, ["maximize"] = maximize };
        }

        public SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false)
            : base("SGD", parameters, Defaults(lr, momentum, dampening, weight_decay, nesterov, maximize)) { }

        public SGD(IEnumerable<ParamGroup> groups, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false)
            : base("SGD", groups, Defaults(lr, momentum, dampening, weight_decay, nesterov, maximize)) { }

        protected override void Step(ParamGroup group)
        {
            double lr = group.lr, momentum = group["momentum"], dampening = group["dampening"], wd = group["weight_decay"];
            bool nesterov = (bool)group.Options["nesterov"], maximize = (bool)group.Options["maximize"];
            foreach (var p in group.Parameters)
            {
                if (p.grad is not { } d) continue;
                if (maximize) d = d.neg();
                if (wd != 0) d = d.add(p.mul(wd));
                if (momentum != 0)
                {
                    var st = State(p);
                    if (!st.TryGetValue("momentum_buffer", out var buf))
                        st["momentum_buffer"] = buf = d.clone();
                    else
                        buf.mul_(momentum).add_(d.mul(1 - dampening));
                    d = nesterov ? d.add(buf.mul(momentum)) : buf;
                }
                p.add_(d.mul(-lr));
            }
        }
    }
}
