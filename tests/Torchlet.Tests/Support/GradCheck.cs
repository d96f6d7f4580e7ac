using Torchlet;
using Xunit;

namespace Torchlet.Tests;

/// <summary>
/// torch.autograd.gradcheck: compares the analytical Jacobian from backward() with central
/// finite differences, in float64, for every input that requires grad.
/// </summary>
public static class GradCheck
{
    public static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3, string what = "")
    {
        foreach (var x in inputs)
            Assert.True(x.dtype != ScalarType.Float32, $"{what}: gradcheck inputs must be float64 (or non-float), got float32");
        var output = f(inputs);
        Assert.True(output.dtype == ScalarType.Float64, $"{what}: gradcheck output must be float64, got {output.dtype}");
        int nOut = (int)output.numel();
        for (int k = 0; k < inputs.Length; k++)
        {
            var x = inputs[k];
            if (!x.requires_grad) continue;
            int nIn = (int)x.numel();
            // Analytical: one backward per output element (rows of the Jacobian).
            var analytical = new double[nOut, nIn];
            for (int o = 0; o < nOut; o++)
            {
                foreach (var t in inputs) t.grad = null;
                var y = f(inputs);
                var onehot = new double[nOut];
                onehot[o] = 1;
                y.backward(torch.tensor(onehot, y.shape, dtype: ScalarType.Float64));
                var gx = x.grad?.ToArray<double>();
                for (int i = 0; i < nIn; i++) analytical[o, i] = gx is null ? 0 : gx[i];
            }
            // Numerical: perturb each input element in place (inputs are contiguous leaves).
            Assert.True(x.is_contiguous(), $"{what}: gradcheck inputs must be contiguous");
            var buf = x.Buffer<double>();
            int off = (int)x.storage_offset();
            for (int i = 0; i < nIn; i++)
            {
                double orig = buf[off + i];
                double[] p, m;
                using (torch.no_grad())
                {
                    buf[off + i] = orig + eps;
                    p = f(inputs).ToArray<double>();
                    buf[off + i] = orig - eps;
                    m = f(inputs).ToArray<double>();
                    buf[off + i] = orig;
                }
                for (int o = 0; o < nOut; o++)
                {
                    double num = (p[o] - m[o]) / (2 * eps), an = analytical[o, i];
                    Assert.True(Math.Abs(num - an) <= atol + rtol * Math.Abs(num),
                        $"{what}: Jacobian mismatch for input {k}, output {o}, element {i}: numerical {num}, analytical {an}");
                }
            }
            foreach (var t in inputs) t.grad = null;
        }
    }

    /// <summary>A float64 leaf of the given shape with values in [lo, hi), deterministic per seed.</summary>
    public static Tensor Input(long[] shape, int seed, double lo = -1, double hi = 1)
    {
        var rng = new Random(seed);
        int n = 1; foreach (var s in shape) n *= (int)s;
        var data = Enumerable.Range(0, n).Select(_ => lo + (hi - lo) * rng.NextDouble()).ToArray();
        return torch.tensor(data, shape, dtype: ScalarType.Float64, requires_grad: true);
    }
}
