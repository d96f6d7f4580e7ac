using Torchlet.Kernels;

namespace Torchlet;

public static partial class torch
{
    public static partial class nn
    {
        public static partial class init
        {
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
