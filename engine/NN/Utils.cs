namespace Torchlet;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>torch.nn.utils: gradient clipping and flattening parameters into one vector.</summary>
        public static partial class utils
        {
            /// <summary>
            /// Scales all gradients in place so that their joint <paramref name="norm_type"/>-norm (the norm of
            /// the per-tensor norms; <c>double.PositiveInfinity</c> for the max-abs norm) is at most
            /// <paramref name="max_norm"/>: each gradient is multiplied by min(1, max_norm / (total + 1e-6)).
            /// Returns the total norm before clipping. Parameters without a gradient are skipped.
            /// </summary>
            public static Tensor clip_grad_norm_(IEnumerable<Tensor> parameters, double max_norm, double norm_type = 2.0, bool error_if_nonfinite = false)
            {
                ArgumentNullException.ThrowIfNull(parameters);
                var grads = parameters.Select(p => p?.grad).Where(g => g is not null).Select(g => g!).ToList();
                if (grads.Count == 0) return tensor(0.0);
                using var _ = no_grad();
                // PyTorch's ops in order (norm of each gradient, norm of the stacked norms), so the result matches bit for bit.
                Tensor total;
                if (double.IsPositiveInfinity(norm_type))
                {
                    var norms = grads.Select(g => g.detach().abs().max()).ToList();
                    total = norms.Count == 1 ? norms[0] : stack(norms).max();
                }
                else total = stack(grads.Select(g => g.detach().norm(norm_type)).ToList()).norm(norm_type);
                double t = total.item<double>();
                if (error_if_nonfinite && !double.IsFinite(t))
                    throw new InvalidOperationException($"The total norm of order {Modules.Args.Py(norm_type)} for gradients from `parameters` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False` (the total norm is {Modules.Args.Py(t)})");
                var coef = total.add(1e-6).rdiv(max_norm).clamp(max: 1.0);
                foreach (var g in grads) g.detach().mul_(coef.to(g.dtype));
                return total;
            }

            /// <summary>clip_grad_norm_ of one tensor's gradient.</summary>
            public static Tensor clip_grad_norm_(Tensor parameter, double max_norm, double norm_type = 2.0, bool error_if_nonfinite = false) =>
                clip_grad_norm_([parameter], max_norm, norm_type, error_if_nonfinite);

            /// <summary>Clamps every gradient element into [−clip_value, clip_value], in place.</summary>
            public static void clip_grad_value_(IEnumerable<Tensor> parameters, double clip_value)
            {
                ArgumentNullException.ThrowIfNull(parameters);
                using var _ = no_grad();
                foreach (var p in parameters)
                    p?.grad?.clamp_(-clip_value, clip_value);
            }

            public static void clip_grad_value_(Tensor parameter, double clip_value) => clip_grad_value_([parameter], clip_value);

            /// <summary>All parameters flattened and concatenated into one vector (differentiable, as <c>torch.cat</c> of views).</summary>
            public static Tensor parameters_to_vector(IEnumerable<Tensor> parameters)
            {
                ArgumentNullException.ThrowIfNull(parameters);
                var list = parameters.ToList();
                for (int i = 0; i < list.Count; i++)
                    if (list[i] is null) throw new ArgumentException($"parameters_to_vector: parameter {i} is null");
                return cat(list.Select(p => p.view(-1)).ToList());
            }

            /// <summary>
            /// Copies consecutive slices of <paramref name="vec"/> into the parameters (PyTorch rebinds
            /// <c>param.data</c> to views of vec; here the values are copied, so the parameters keep their own storage).
            /// </summary>
            public static void vector_to_parameters(Tensor vec, IEnumerable<Tensor> parameters)
            {
                ArgumentNullException.ThrowIfNull(vec);
                ArgumentNullException.ThrowIfNull(parameters);
                var list = parameters.ToList();
                if (vec.dim() != 1)
                    throw new ArgumentException($"vector_to_parameters: expected a 1-D vector, got a tensor of shape {Shape.Str(vec._shape)}");
                long total = 0;
                for (int i = 0; i < list.Count; i++)
                {
                    if (list[i] is null) throw new ArgumentException($"vector_to_parameters: parameter {i} is null");
                    total += list[i].numel();
                }
                if (total != vec.numel())
                    throw new ArgumentException($"vector_to_parameters: the parameters hold {total} elements, but vec has {vec.numel()}");
                using var _ = no_grad();
                int pointer = 0;
                foreach (var p in list)
                {
                    int n = p.Numel;
                    p.CopyFrom(vec.narrow(0, pointer, n).view(p.shape));
                    p.BumpVersion();
                    pointer += n;
                }
            }
        }
    }
}
