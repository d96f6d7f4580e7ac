namespace Torchlet.Modules;

/// <summary>
/// The output-size formulas of convolution and pooling along one spatial dimension (the notes' §2.7), in one place
/// for the layers, their error messages and the notebook's <c>#!nn conv</c>:
/// convolution ⌊(in + pad_before + pad_after − dilation·(kernel_size − 1) − 1) / stride⌋ + 1;
/// transposed convolution (in − 1)·stride − pad_before − pad_after + dilation·(kernel_size − 1) + output_padding + 1;
/// pooling as convolution with both pads equal, and with <c>ceil_mode</c> rounding up — where the last window would
/// then start past the input and its left padding, it is dropped (PyTorch's pooling_output_shape).
/// A result below 1 means the input is too small; callers say so in their own words.
/// </summary>
public static class OutputSize
{
    /// <summary>Conv1d/2d/3d along one dimension, with the same padding on both sides.</summary>
    public static long Conv(long input, long kernel_size, long stride = 1, long padding = 0, long dilation = 1) =>
        Conv(input, kernel_size, stride, padding, padding, dilation);

    /// <summary>Conv along one dimension with different padding before and after (padding='same' with an even kernel).</summary>
    public static long Conv(long input, long kernel_size, long stride, long padding_before, long padding_after, long dilation)
    {
        Check(kernel_size, stride, dilation);
        return FloorDiv(input + padding_before + padding_after - dilation * (kernel_size - 1) - 1, stride) + 1;
    }

    /// <summary>ConvTranspose1d/2d/3d along one dimension.</summary>
    public static long ConvTranspose(long input, long kernel_size, long stride = 1, long padding = 0, long dilation = 1, long output_padding = 0)
    {
        Check(kernel_size, stride, dilation);
        return (input - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1;
    }

    /// <summary>MaxPool/AvgPool/LPPool along one dimension (the stride of a pooling layer defaults to its kernel size).</summary>
    public static long Pool(long input, long kernel_size, long stride, long padding = 0, long dilation = 1, bool ceil_mode = false)
    {
        Check(kernel_size, stride, dilation);
        long span = input + 2 * padding - dilation * (kernel_size - 1) - 1;
        long output = (ceil_mode ? FloorDiv(span + stride - 1, stride) : FloorDiv(span, stride)) + 1;
        if (ceil_mode && (output - 1) * stride >= input + padding) output--;
        return output;
    }

    /// <summary>Whether ceil_mode's last window was dropped because it would start outside the input (for explanations).</summary>
    public static bool CeilDropsLastWindow(long input, long kernel_size, long stride, long padding = 0, long dilation = 1)
    {
        long span = input + 2 * padding - dilation * (kernel_size - 1) - 1;
        return (FloorDiv(span + stride - 1, stride)) * stride >= input + padding;
    }

    static void Check(long kernel_size, long stride, long dilation)
    {
        if (kernel_size < 1) throw new ArgumentException($"kernel_size must be positive, got {kernel_size}");
        if (stride < 1) throw new ArgumentException($"stride must be positive, got {stride}");
        if (dilation < 1) throw new ArgumentException($"dilation must be positive, got {dilation}");
    }

    static long FloorDiv(long a, long b) => a / b - (a % b != 0 && (a < 0) != (b < 0) ? 1 : 0);
}
