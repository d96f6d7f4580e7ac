using System.Numerics;
using System.Runtime.CompilerServices;

namespace Torchlet.Kernels;

/// <summary>
/// The range factories' fills (arange, linspace, logspace, range). Values are computed as PyTorch 1.13's
/// CPU kernels compute them (RangeFactoriesKernel.cpp with its AVX2 build, single-threaded below 32768
/// elements), so they agree bit for bit: vector chunks of 32 bytes start from a fused multiply-add and step
/// inside the chunk, the tail is element by element. Elements past the halfway point of linspace count back
/// from the end.
/// </summary>
internal static class RangeKernels
{
    const int VectorBytes = 32;

    /// <summary>d[i] = start + i·step over n elements of a float32 or float64 buffer.</summary>
    public static void Arange(ScalarType dtype, Array d, int n, double start, double step)
    {
        var action = new ArangeAction(d, n, start, step);
        Dispatch.Floating(dtype, ref action, "arange");
    }

    readonly struct ArangeAction(Array d, int n, double start, double step) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => ArangeFloat(((T[])d).AsSpan(0, n), start, step, VectorBytes / Unsafe.SizeOf<T>());
    }

    static void ArangeFloat<T>(Span<T> d, double start, double step, int lanes) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = d.Length, vec = n / (2 * lanes) * 2 * lanes, i = 0;
        for (; i < vec; i += lanes)
        {
            double b = double.CreateTruncating(T.CreateTruncating(Math.FusedMultiplyAdd(step, i, start)));
            for (int k = 0; k < lanes; k++) d[i + k] = T.CreateTruncating(Math.FusedMultiplyAdd(k, step, b));
        }
        for (; i < n; i++) d[i] = T.CreateTruncating(Math.FusedMultiplyAdd(step, i, start));
    }

    /// <summary>An integer arange in int64 (its accumulate type; the caller converts): d[i] = start + step·i, wrapping.</summary>
    public static void ArangeInt64(Span<long> d, long start, long step)
    {
        for (int i = 0; i < d.Length; i++) d[i] = unchecked(start + step * i);
    }

    /// <summary>n evenly spaced values from start to end inclusive, in a float32 or float64 buffer (start and end rounded to it first).</summary>
    public static void Linspace(ScalarType dtype, Array d, int n, double start, double end)
    {
        var action = new LinspaceAction(d, n, start, end);
        Dispatch.Floating(dtype, ref action, "linspace");
    }

    readonly struct LinspaceAction(Array d, int n, double start, double end) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
            LinspaceFloat(((T[])d).AsSpan(0, n), T.CreateTruncating(start), T.CreateTruncating(end), VectorBytes / Unsafe.SizeOf<T>());
    }

    static void LinspaceFloat<T>(Span<T> d, T start, T end, int lanes) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = d.Length;
        if (n == 0) return;
        if (n == 1) { d[0] = start; return; }
        T step = (end - start) / T.CreateTruncating(n - 1);
        int half = n / 2, vec = n / (2 * lanes) * 2 * lanes, i = 0;
        T At(int j) => j < half ? T.FusedMultiplyAdd(step, T.CreateTruncating(j), start) : T.FusedMultiplyAdd(-step, T.CreateTruncating(n - j - 1), end);
        for (; i < vec; i += lanes)
        {
            T b = At(i);
            for (int k = 0; k < lanes; k++) d[i + k] = b + T.CreateTruncating(k) * step;
        }
        for (; i < n; i++) d[i] = At(i);
    }

    /// <summary>An integer linspace for output dtype <paramref name="dtype"/>, computed in int64 (the caller converts) with that dtype's vector chunks.</summary>
    public static void LinspaceInt64(ScalarType dtype, Span<long> d, long start, long end)
    {
        int n = d.Length, lanes = VectorBytes / dtype.ElementSize();
        if (n == 0) return;
        if (n == 1) { d[0] = start; return; }
        double step = ((double)end - start) / (n - 1);
        int half = n / 2, vec = n / (2 * lanes) * 2 * lanes, i = 0;
        long At(int j) => (long)(j < half ? Math.FusedMultiplyAdd(step, j, start) : Math.FusedMultiplyAdd(-step, n - j - 1, end));
        for (; i < vec; i += lanes)
        {
            long b = At(i);
            for (int k = 0; k < lanes; k++) d[i + k] = (long)(b + k * step);
        }
        for (; i < n; i++) d[i] = At(i);
    }

    /// <summary>logspace's powers in double: base^(s + step·i) up to the halfway point, base^(e − step·(n − 1 − i)) after it.</summary>
    public static void Logspace(Span<double> d, double @base, double s, double e, double step)
    {
        int n = d.Length, half = n / 2;
        for (int i = 0; i < n; i++) d[i] = Math.Pow(@base, i < half ? s + step * i : e - step * (n - i - 1));
    }

    /// <summary>torch.range's values in double: d[i] = s + i·step.</summary>
    public static void Range(Span<double> d, double s, double step)
    {
        for (int i = 0; i < d.Length; i++) d[i] = s + i * step;
    }
}
