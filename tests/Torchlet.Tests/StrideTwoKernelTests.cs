using System.Numerics;
using Torchlet.Kernels;
using Xunit;

namespace Torchlet.Tests;

/// <summary>
/// The stride-2 kernels built on the lanes' shuffles (im2col's gather, col2im's scatter, the 2×2 max pool with its
/// argmax) at every width, whatever the process runs at (Vector512 in software where the CPU lacks it), against the
/// scalar lane and a plain loop: the same values bit for bit, ties keeping the first max and a NaN winning.
/// </summary>
public class StrideTwoKernelTests
{
    [Fact]
    public void Float_steps_match_the_scalar_lane() => AllWidths<float>();

    [Fact]
    public void Double_steps_match_the_scalar_lane() => AllWidths<double>();

    static void AllWidths<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        Steps<T, S<T>>();
        Steps<T, V128<T>>();
        Steps<T, V256<T>>();
        Steps<T, V512<T>>();
    }

    /// <summary>Values with many ties, zeros of both signs, infinities and NaNs.</summary>
    static T[] Values<T>(int n, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        var pool = new[] { 1.0, 2.0, 2.0, -3.0, 0.0, -0.0, double.NaN, double.NegativeInfinity, double.PositiveInfinity, 0.5 };
        var x = new T[n];
        for (int i = 0; i < n; i++) x[i] = T.CreateTruncating(rng.Next(3) == 0 ? pool[rng.Next(pool.Length)] : rng.Next(-4, 5));
        return x;
    }

    static void Steps<T, TV>() where T : unmanaged, IFloatingPointIeee754<T> where TV : struct, ILanes<TV, T>
    {
        int w = TV.Count, n = 3 * w;
        string name = typeof(TV).Name;

        // im2col: dst[o] = src[2·o].
        T[] src = Values<T>(2 * n, 1), dst = new T[n];
        var gather = new ConvKernels.Gather2Op<T>(ref src[0], ref dst[0]);
        for (int o = 0; o < n; o += w) gather.Step<TV>((nuint)o);
        for (int o = 0; o < n; o++) Assert.True(SimdLaneTests.Same(src[2 * o], dst[o]), $"{name} gather at {o}");

        // col2im: dst[2·o] += src[o]; the odd elements keep their values (no −0 there: col2im's image starts at +0).
        T[] add = Values<T>(n, 2), img = Values<T>(2 * n, 3);
        for (int i = 0; i < img.Length; i++) if (T.IsNegative(img[i]) && img[i] == T.Zero) img[i] = T.Zero;
        var want = (T[])img.Clone();
        for (int o = 0; o < n; o++) want[2 * o] += add[o];
        var scatter = new ConvKernels.Scatter2Op<T>(ref add[0], ref img[0]);
        for (int o = 0; o < n; o += w) scatter.Step<TV>((nuint)o);
        for (int i = 0; i < img.Length; i++) Assert.True(SimdLaneTests.Same(want[i], img[i]), $"{name} scatter at {i}");

        // 2×2 max pool of a [4, 2·n + 1] plane (an odd last column no window reads), rows 0–1 and 2–3.
        int iw = 2 * n + 1;
        T[] x = Values<T>(4 * iw, 4);
        foreach (bool withIdx in new[] { true, false })
        {
            T[] y = new T[2 * n];
            long[]? idx = withIdx ? new long[2 * n] : null;
            for (int oh = 0; oh < 2; oh++)
            {
                var row = new Pool.Max2x2Row<T>(x, 2 * oh * iw, iw, y, oh * n, idx, 2 * oh * iw);
                for (int j = 0; j < n; j += w) row.Step<TV>((nuint)j);
            }
            for (int oh = 0; oh < 2; oh++)
                for (int ow = 0; ow < n; ow++)
                {
                    // PyTorch's rule: scan the window in order, replace when greater or NaN.
                    int i0 = 2 * oh * iw + 2 * ow, mi = i0;
                    foreach (int i in new[] { i0 + 1, i0 + iw, i0 + iw + 1 })
                        if (x[i] > x[mi] || T.IsNaN(x[i])) mi = i;
                    int o = oh * n + ow;
                    Assert.True(SimdLaneTests.Same(x[mi], y[o]), $"{name} max at ({oh}, {ow}): {y[o]}, expected {x[mi]}");
                    if (idx is not null) Assert.True(mi == idx[o], $"{name} argmax at ({oh}, {ow}): {idx[o]}, expected {mi}");
                }
        }
    }

    /// <summary>The drivers at the process's width, on rows of every length up to a few vectors (the last step overlapping, or narrower lanes).</summary>
    [Fact]
    public void Rows_of_every_length_at_the_process_width()
    {
        for (int n = 0; n <= 40; n++)
        {
            float[] src = Values<float>(2 * n + 1, n), dst = new float[n + 1];
            if (n > 0)
            {
                var gather = new ConvKernels.Gather2Op<float>(ref src[0], ref dst[0]);
                Simd.ForOverlapping<float, ConvKernels.Gather2Op<float>>(n, ref gather);
            }
            for (int o = 0; o < n; o++) Assert.True(SimdLaneTests.Same(src[2 * o], dst[o]), $"gather of {n} at {o}");

            float[] img = new float[2 * n + 1], add = Values<float>(n + 1, n + 100);
            int done = 0;
            if (n > 0)
            {
                var scatter = new ConvKernels.Scatter2Op<float>(ref add[0], ref img[0]);
                done = Simd.ForNarrowing<float, ConvKernels.Scatter2Op<float>>(n, ref scatter);
            }
            Assert.InRange(done, 0, n);
            for (int o = 0; o < img.Length; o++)
            {
                float want = o % 2 == 0 && o / 2 < done ? 0f + add[o / 2] : 0f;
                Assert.True(SimdLaneTests.Same(want, img[o]), $"scatter of {n} at {o}: {img[o]}, expected {want}");
            }
        }
    }
}
