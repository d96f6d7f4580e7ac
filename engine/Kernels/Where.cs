namespace Torchlet.Kernels;

/// <summary>torch.where's selection over contiguous buffers, for every dtype (bool included).</summary>
internal static class WhereKernels
{
    /// <summary>r[i] = x[i] where mask[i], over n elements (r already holds the other side).</summary>
    public static void Pick(ScalarType dtype, bool[] mask, int maskOff, Array x, int xOff, Array r, int rOff, int n)
    {
        var action = new PickAction(mask, maskOff, x, xOff, r, rOff, n);
        Dispatch.Any(dtype, ref action);
    }

    readonly struct PickAction(bool[] mask, int maskOff, Array x, int xOff, Array r, int rOff, int n) : IAnyAction
    {
        public void Run<T>() where T : unmanaged => Pick<T>(mask.AsSpan(maskOff, n), ((T[])x).AsSpan(xOff, n), ((T[])r).AsSpan(rOff, n));
    }

    static void Pick<T>(ReadOnlySpan<bool> mask, ReadOnlySpan<T> x, Span<T> r) where T : unmanaged
    {
        for (int i = 0; i < r.Length; i++) if (mask[i]) r[i] = x[i];
    }
}
