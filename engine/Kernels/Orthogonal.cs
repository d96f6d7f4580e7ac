namespace Torchlet.Kernels;

/// <summary>The QR behind nn.init.orthogonal_, in double.</summary>
internal static class OrthogonalKernels
{
    /// <summary>
    /// The rows × cols (semi-)orthogonal matrix of a row-major normal <paramref name="draw"/>:
    /// transposed when wide, the reduced Q of its QR with columns signed by diag(R), transposed back.
    /// </summary>
    public static double[] Orthogonal(double[] draw, int rows, int cols)
    {
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
        return result;
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
            for (int i = k; i < m; i++) RowUpdate.Axpy(v[i - k], a.AsSpan(i * n + k, n - k), cs);
            for (int i = k; i < m; i++)
            {
                var row = a.AsSpan(i * n + k, n - k);
                RowUpdate.Axpy(-2 * v[i - k] / vn2, cs, row);
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
            for (int i = k; i < m; i++) RowUpdate.Axpy(v[i - k], q.AsSpan(i * n, n), col);
            for (int i = k; i < m; i++)
            {
                var row = q.AsSpan(i * n, n);
                RowUpdate.Axpy(-2 * v[i - k], col, row);
            }
        }
        for (int j = 0; j < n; j++)
        {
            double s = Math.Sign(rdiag[j]);
            for (int i = 0; i < m; i++) q[i * n + j] *= s;
        }
        return q;
    }
}
