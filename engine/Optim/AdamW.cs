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
