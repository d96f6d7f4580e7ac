using System.Numerics.Tensors;

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
                    bool wide = rows < cols;
                    int m = wide ? cols : rows, n = wide ? rows : cols;   // QR of the tall m × n matrix
                    var a = new double[m * n];
                    for (int i = 0; i < rows; i++)
                        for (int j = 0; j < cols; j++)
                            a[wide ? j * n + i : i * n + j] = draw[i * cols + j];
                    var q = HouseholderQ(a, m, n);
                    var result = new double[rows * cols];
                    for (int i = 0; i < rows; i++)
                        for (int j = 0; j < cols; j++)
                            result[i * cols + j] = wide ? q[j * n + i] : q[i * n + j];
                    // Round to the tensor's dtype first, then scale in it, as PyTorch's copy_ then mul_.
                    tensor.CopyFrom(new Tensor(new Storage<double>(result), tensor._shape).to_nograd(tensor.dtype, false));
                    tensor.BumpVersion();
                    if (gain != 1.0) tensor.mul_(gain);
                }
                return tensor;
            }

            /// <summary>
            /// The m × n (m ≥ n) reduced Q of the row-major matrix <paramref name="a"/> (overwritten),
            /// with column j multiplied by sign(R[j, j]) (0 when R[j, j] is 0, as torch.sign).
            /// </summary>
            static double[] HouseholderQ(double[] a, int m, int n)
            {
                var vs = new double[n][];
                var rdiag = new double[n];
                var col = new double[n];
                for (int k = 0; k < n; k++)
                {
                    double norm2 = 0;
                    for (int i = k; i < m; i++) norm2 += a[i * n + k] * a[i * n + k];
                    double norm = Math.Sqrt(norm2), x0 = a[k * n + k];
                    if (norm == 0) { rdiag[k] = 0; continue; }   // LAPACK: H = I, R[k, k] = x0 = 0
                    double alpha = x0 >= 0 ? -norm : norm;       // R[k, k]: the sign avoiding cancellation in v0
                    var v = new double[m - k];
                    for (int i = k; i < m; i++) v[i - k] = a[i * n + k];
                    v[0] -= alpha;
                    double vn2 = 0;
                    foreach (var t in v) vn2 += t * t;
                    // A[k:, k:] -= 2 v (vᵀ A[k:, k:]) / (vᵀ v)
                    var cs = col.AsSpan(k, n - k);
                    cs.Clear();
                    for (int i = k; i < m; i++) TensorPrimitives.MultiplyAdd(a.AsSpan(i * n + k, n - k), v[i - k], cs, cs);
                    for (int i = k; i < m; i++)
                    {
                        var row = a.AsSpan(i * n + k, n - k);
                        TensorPrimitives.MultiplyAdd(cs, -2 * v[i - k] / vn2, row, row);
                    }
                    rdiag[k] = alpha;
                    for (int i = 0; i < v.Length; i++) v[i] /= Math.Sqrt(vn2);
                    vs[k] = v;
                }
                // Q = H₀ H₁ … Hₙ₋₁ applied to the first n columns of the identity, last reflector first.
                var q = new double[m * n];
                for (int j = 0; j < n; j++) q[j * n + j] = 1;
                for (int k = n - 1; k >= 0; k--)
                {
                    var v = vs[k];
                    if (v is null) continue;
                    Array.Clear(col);
                    for (int i = k; i < m; i++) TensorPrimitives.MultiplyAdd(q.AsSpan(i * n, n), v[i - k], col, col);
                    for (int i = k; i < m; i++)
                    {
                        var row = q.AsSpan(i * n, n);
                        TensorPrimitives.MultiplyAdd(col, -2 * v[i - k], row, row);
                    }
                }
                for (int j = 0; j < n; j++)
                {
                    double s = Math.Sign(rdiag[j]);
                    for (int i = 0; i < m; i++) q[i * n + j] *= s;
                }
                return q;
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
