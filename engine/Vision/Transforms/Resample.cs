using Torchlet.Kernels;

namespace Torchlet.Vision;

/// <summary>
/// torchvision 0.14's tensor <c>resize</c>: the output size (shorter side, max_size), then F.interpolate, or for
/// antialias=True PyTorch 1.13's <c>_upsample_bilinear2d_aa</c> / <c>_upsample_bicubic2d_aa</c>. Those are separable
/// resamplings with PIL's filters, which here become one weight matrix per dim, W (out × in), applied as
/// <c>W_h · X · W_wᵀ</c> with matmul: the same sums (width first, then height, as PyTorch) and a gradient for free.
/// </summary>
internal static class Resample
{
    /// <summary>torchvision's <c>_compute_resized_output_size</c>.</summary>
    internal static (long h, long w) OutputSize(long h, long w, int[] size, int? max_size, string who)
    {
        if (size.Length == 2) return (size[0], size[1]);
        if (h <= 0 || w <= 0)
            throw new ArgumentException($"{who}: cannot resize an empty image of height {h} and width {w}");
        var (shortSide, longSide) = w <= h ? (w, h) : (h, w);
        long requested = size[0];
        // Python's int(requested * long / short): an exact product, a correctly rounded division, truncation.
        long newShort = requested, newLong = (long)((double)(requested * longSide) / shortSide);
        if (max_size is { } max && newLong > max)
        {
            newShort = (long)((double)(max * newShort) / newLong);
            newLong = max;
        }
        return w <= h ? (newLong, newShort) : (newShort, newLong);
    }

    /// <summary>The checks torchvision makes of Resize's arguments (some only when it runs; here up front).</summary>
    internal static void CheckArgs(int[] size, InterpolationMode interpolation, int? max_size, bool? antialias, string who)
    {
        ArgumentNullException.ThrowIfNull(size);
        if (size.Length is not (1 or 2))
            throw new ArgumentException($"{who}: size must be an int or a sequence of 1 or 2 values (height, width), got {size.Length} values {ImageOps.PyList(size.Select(v => (long)v))}", nameof(size));
        if (size.Any(v => v <= 0))
            throw new ArgumentException($"{who}: size must be positive, got {ImageOps.PyList(size.Select(v => (long)v))}", nameof(size));
        if (interpolation is not (InterpolationMode.Nearest or InterpolationMode.Bilinear or InterpolationMode.Bicubic))
            throw new ArgumentException($"{who}: interpolation {interpolation} is not supported for tensor images; expected Nearest, Bilinear or Bicubic", nameof(interpolation));
        if (max_size is { } max)
        {
            if (size.Length != 1)
                throw new ArgumentException($"{who}: max_size should only be passed if size specifies the length of the smaller edge (an int or a sequence of one value), got size {ImageOps.PyList(size.Select(v => (long)v))}", nameof(max_size));
            if (max <= size[0])
                throw new ArgumentException($"{who}: max_size = {max} must be strictly greater than the requested size for the smaller edge size = {size[0]}", nameof(max_size));
        }
        if (antialias == true && interpolation == InterpolationMode.Nearest)
            throw new ArgumentException($"{who}: antialias is supported for Bilinear and Bicubic interpolation only, got Nearest", nameof(antialias));
    }

    /// <summary>
    /// <c>F.resize</c> of a C×H×W image or N×C×H×W batch. An image already of the output size comes back as is.
    /// Non-float images are resampled in float32, then rounded (half to even) and cast back; bicubic uint8 results
    /// are clamped to [0, 255] first.
    /// </summary>
    internal static Tensor Resize(Tensor img, int[] size, InterpolationMode interpolation, int? max_size, bool? antialias, string who)
    {
        ArgumentNullException.ThrowIfNull(img);
        CheckArgs(size, interpolation, max_size, antialias, who);
        var (_, h, w) = ImageOps.Dimensions(img, who);
        var (oh, ow) = OutputSize(h, w, size, max_size, who);
        if (oh <= 0 || ow <= 0)
            throw new ArgumentException($"{who}: the output size [{oh}, {ow}] (from size {ImageOps.PyList(size.Select(v => (long)v))}, max_size {max_size} and an image of height {h} and width {w}) is empty");
        // Sizes past an array's reach (a short side of 2^31 - 1 scales the long side past it) are an error here,
        // not a wrapped int below.
        if (oh > Array.MaxLength || ow > Array.MaxLength)
            throw new ArgumentException($"{who}: the output size [{oh}, {ow}] is larger than the {Array.MaxLength} elements a .NET array can hold along a dim");
        if (oh == h && ow == w) return img;
        if (img.dim() != 3 && img.dim() != 4)
            throw new ArgumentException($"{who}: expected a C×H×W image or an N×C×H×W batch, got a {img.dim()}-D tensor of shape {ImageOps.Dims(img.shape)}", nameof(img));

        var x = img.dim() == 3 ? img.unsqueeze(0) : img;
        var dtype = img.dtype;
        if (!dtype.IsFloating()) x = x.to(ScalarType.Float32);
        Tensor y;
        if (antialias == true) y = Antialiased(x, (int)oh, (int)ow, interpolation == InterpolationMode.Bicubic);
        else
        {
            bool? alignCorners = interpolation == InterpolationMode.Nearest ? null : false;
            y = torch.nn.functional.interpolate(x, size: [oh, ow], mode: interpolation, align_corners: alignCorners);
        }
        if (interpolation == InterpolationMode.Bicubic && dtype == ScalarType.Byte) y = y.clamp(0, 255);
        if (img.dim() == 3) y = y.squeeze(0);
        if (dtype.IsFloating()) return y;
        return dtype.IsIntegral() ? y.round().to(dtype) : y.to(dtype);
    }

    /// <summary>Antialiased resampling of a floating N×C×H×W tensor: width first, then height, each as a matmul.</summary>
    static Tensor Antialiased(Tensor x, int oh, int ow, bool cubic)
    {
        int h = (int)x.size(2), w = (int)x.size(3);
        var y = x;
        // A dim that keeps its size gets identity weights in PyTorch, so skipping it changes nothing.
        if (ow != w) y = y.matmul(Weights(w, ow, cubic, x.dtype).t());
        if (oh != h) y = Weights(h, oh, cubic, x.dtype).matmul(y);
        return y;
    }

    /// <summary>The out × in weight matrix of one dim, in the image's precision (PyTorch computes it in scalar_t).</summary>
    internal static Tensor Weights(int input, int output, bool cubic, ScalarType dtype)
    {
        // float32 weights are computed in float, as PyTorch does; they are exact as doubles, so one tensor() call serves both.
        double[] w = Interp.AntialiasWeights(dtype, input, output, cubic);
        return torch.tensor(w, [output, input], dtype: dtype);
    }
}
