using Torchlet.Kernels;

namespace Torchlet;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// torch.nn.init: in-place initialisers (notes §2.6). They run without recording gradients and draw
        /// from the global generator in PyTorch's order, so after <c>torch.manual_seed(s)</c> the values equal
        /// PyTorch's.
        /// </summary>
        public static partial class init
        {
            /// <summary>The recommended gain for a nonlinearity (PyTorch's table; <paramref name="param"/> is leaky_relu's slope).</summary>
            public static double calculate_gain(string nonlinearity, double? param = null)
            {
                switch (nonlinearity)
                {
                    case "linear" or "conv1d" or "conv2d" or "conv3d" or "conv_transpose1d" or "conv_transpose2d" or "conv_transpose3d" or "sigmoid":
                        return 1;
                    case "tanh": return 5.0 / 3;
                    case "relu": return Math.Sqrt(2.0);
                    case "leaky_relu":
                        double slope = param ?? 0.01;
                        return Math.Sqrt(2.0 / (1 + slope * slope));
                    case "selu": return 3.0 / 4;
                    default: throw new ArgumentException($"Unsupported nonlinearity {nonlinearity}");
                }
            }

            /// <summary>(fan_in, fan_out) of a weight: dim 1 and dim 0 sizes times the receptive field (the product of dims 2..).</summary>
            public static (long fan_in, long fan_out) _calculate_fan_in_and_fan_out(Tensor tensor)
            {
                if (tensor.dim() < 2)
                    throw new ArgumentException($"Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (got shape {Shape.Str(tensor._shape)})");
                long receptive = 1;
                for (int d = 2; d < tensor.dim(); d++) receptive *= tensor._shape[d];
                return (tensor._shape[1] * receptive, tensor._shape[0] * receptive);
            }

            static long CorrectFan(Tensor tensor, string mode)
            {
                if (mode != "fan_in" && mode != "fan_out")
                    throw new ArgumentException($"Mode {mode} not supported, please use one of fan_in, fan_out");
                var (fanIn, fanOut) = _calculate_fan_in_and_fan_out(tensor);
                return mode == "fan_in" ? fanIn : fanOut;
            }

            /// <summary>Runs an in-place fill without recording it, as PyTorch's init functions do.</summary>
            static Tensor NoGrad(Tensor t, Action<Tensor> fill)
            {
                ArgumentNullException.ThrowIfNull(t);
                using (torch.no_grad()) fill(t);
                return t;
            }

            public static Tensor uniform_(Tensor tensor, double a = 0, double b = 1) => NoGrad(tensor, t => t.uniform_(a, b));

            public static Tensor normal_(Tensor tensor, double mean = 0, double std = 1) => NoGrad(tensor, t => t.normal_(mean, std));

            public static Tensor constant_(Tensor tensor, double val) => NoGrad(tensor, t => t.fill_(val));

            public static Tensor zeros_(Tensor tensor) => NoGrad(tensor, t => t.zero_());

            public static Tensor ones_(Tensor tensor) => NoGrad(tensor, t => t.fill_(1));

            /// <summary>The identity matrix (2-D tensors only).</summary>
            public static Tensor eye_(Tensor tensor)
            {
                if (tensor.dim() != 2)
                    throw new ArgumentException($"Only tensors with 2 dimensions are supported (got shape {Shape.Str(tensor._shape)})");
                return NoGrad(tensor, t => t.copy_(torch.eye(t._shape[0], t._shape[1], dtype: t.dtype)));
            }

            /// <summary>A Dirac delta in the centre of each kernel (3-, 4- and 5-D weights), keeping the identity of the input channels.</summary>
            public static Tensor dirac_(Tensor tensor, int groups = 1)
            {
                int dims = tensor.dim();
                if (dims < 3 || dims > 5)
                    throw new ArgumentException($"Only tensors with 3, 4, or 5 dimensions are supported (got shape {Shape.Str(tensor._shape)})");
                var s = tensor._shape;
                if (groups < 1 || s[0] % groups != 0)
                    throw new ArgumentException($"dim 0 must be divisible by groups (got dim 0 = {s[0]}, groups = {groups})");
                int outPerGroup = s[0] / groups, minDim = Math.Min(outPerGroup, s[1]);
                return NoGrad(tensor, t =>
                {
                    t.zero_();
                    for (int g = 0; g < groups; g++)
                        for (int d = 0; d < minDim; d++)
                        {
                            var idx = new long[dims];
                            idx[0] = g * outPerGroup + d; idx[1] = d;
                            for (int k = 2; k < dims; k++) idx[k] = s[k] / 2;
                            t[idx].fill_(1);
                        }
                });
            }

            /// <summary>U(-a, a) with a = gain·√(6 / (fan_in + fan_out)) (Glorot).</summary>
            public static Tensor xavier_uniform_(Tensor tensor, double gain = 1)
            {
                var (fanIn, fanOut) = _calculate_fan_in_and_fan_out(tensor);
                double std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
                double a = Math.Sqrt(3.0) * std;
                return uniform_(tensor, -a, a);
            }

            /// <summary>N(0, std²) with std = gain·√(2 / (fan_in + fan_out)) (Glorot).</summary>
            public static Tensor xavier_normal_(Tensor tensor, double gain = 1)
            {
                var (fanIn, fanOut) = _calculate_fan_in_and_fan_out(tensor);
                double std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
                return normal_(tensor, 0, std);
            }

            /// <summary>PyTorch warns and leaves a zero-element tensor as it is (it has no fan to scale by).</summary>
            static bool ZeroElement(Tensor tensor)
            {
                if (tensor.numel() != 0) return false;
                Warnings.Warn("Initializing zero-element tensors is a no-op");
                return true;
            }

            /// <summary>U(-bound, bound) with bound = gain·√(3 / fan) (He); the layers' default with a = √5.</summary>
            public static Tensor kaiming_uniform_(Tensor tensor, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu")
            {
                if (ZeroElement(tensor)) return tensor;
                long fan = CorrectFan(tensor, mode);
                double gain = calculate_gain(nonlinearity, a);
                double std = gain / Math.Sqrt(fan);
                double bound = Math.Sqrt(3.0) * std;   // PyTorch's rounding order, so bounds match to the last bit
                return uniform_(tensor, -bound, bound);
            }

            /// <summary>N(0, std²) with std = gain / √fan (He).</summary>
            public static Tensor kaiming_normal_(Tensor tensor, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu")
            {
                if (ZeroElement(tensor)) return tensor;
                long fan = CorrectFan(tensor, mode);
                double gain = calculate_gain(nonlinearity, a);
                return normal_(tensor, 0, gain / Math.Sqrt(fan));
            }

            /// <summary>
            /// Fills <paramref name="tensor"/> with a (semi-)orthogonal matrix as PyTorch 1.13's
            /// <c>nn.init.orthogonal_</c>: the tensor seen as rows × (numel/rows), a standard normal
            /// draw of that shape, transposed when wide, its QR factorisation with Q's columns
            /// signed by diag(R) (so Q is unique and Haar-distributed), transposed back, times
            /// <paramref name="gain"/>. The same seed gives PyTorch's values (to float rounding:
            /// PyTorch runs LAPACK in the tensor's dtype, this QR accumulates in double).
            /// </summary>
            public static Tensor orthogonal_(Tensor tensor, double gain = 1.0)
            {
                if (tensor.dim() < 2)
                    throw new ArgumentException($"orthogonal_: Only tensors with 2 or more dimensions are supported, got a tensor of shape {Shape.Str(tensor._shape)}");
                Tensor.CheckFloat(tensor, "orthogonal_");
                if (tensor.Numel == 0) return tensor;
                int rows = tensor._shape[0], cols = tensor.Numel / rows;
                using (no_grad())
                {
                    var draw = empty([rows, cols], dtype: tensor.dtype).normal_(0, 1).ToArray<double>();
                    var result = OrthogonalKernels.Orthogonal(draw, rows, cols);
                    // Round to the tensor's dtype first, then scale in it, as PyTorch's copy_ then mul_.
                    tensor.CopyFrom(new Tensor(new Storage<double>(result), tensor._shape).to_nograd(tensor.dtype, false));
                    tensor.BumpVersion();
                    if (gain != 1.0) tensor.mul_(gain);
                }
                return tensor;
            }

            /// <summary>
            /// PyTorch's <c>nn.init.sparse_</c>: N(0, std²) values, then in each column
            /// ceil(sparsity·rows) entries, chosen by a randperm per column, set to zero.
            /// </summary>
            public static Tensor sparse_(Tensor tensor, double sparsity, double std = 0.01)
            {
                if (tensor.dim() != 2)
                    throw new ArgumentException($"sparse_: Only tensors with 2 dimensions are supported, got a tensor of shape {Shape.Str(tensor._shape)}");
                int rows = tensor._shape[0], cols = tensor._shape[1];
                int numZeros = (int)Math.Ceiling(sparsity * rows);
                using (no_grad())
                {
                    tensor.normal_(0, std);
                    for (int c = 0; c < cols; c++)
                    {
                        var perm = randperm(rows).ToArray<long>();
                        for (int z = 0; z < numZeros && z < rows; z++)
                            tensor.select_nograd(0, (int)perm[z]).select_nograd(0, c).CopyFrom(ScalarZero(tensor.dtype));
                    }
                    tensor.BumpVersion();
                }
                return tensor;
            }

            static Tensor ScalarZero(ScalarType dtype) => zeros([], dtype: dtype);
        }
    }
}
