using Torchlet.Kernels;
using Torchlet.Modules;

namespace Torchlet.Vision;

/// <summary>
/// The tensor-image operations behind <c>torchvision.transforms</c> and <c>torchvision.transforms.functional</c>,
/// op for op as torchvision 0.14's functional_tensor.py computes them (so values match bit for bit where torchvision's
/// are exact). <c>who</c> names the transform or function in error messages. Images are …×H×W tensors: C×H×W, a batch
/// N×C×H×W, or more leading dims where torchvision allows them.
/// </summary>
internal static class ImageOps
{
    internal static string Dims(long[] shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>A dtype as torchvision users read it in messages: uint8, float32.</summary>
    internal static string Name(ScalarType t) => t.TorchName().Replace("torch.", "");

    internal static string PyList(IEnumerable<long> v) => "[" + string.Join(", ", v) + "]";
    internal static string PyList(IEnumerable<double> v) => "[" + string.Join(", ", v.Select(Args.Py)) + "]";

    /// <summary>torchvision's <c>_assert_image_tensor</c>: at least H×W.</summary>
    internal static void CheckImage(Tensor img, string who)
    {
        ArgumentNullException.ThrowIfNull(img);
        if (img.dim() < 2)
            throw new ArgumentException($"{who}: expected a tensor image (H×W, C×H×W or a batch …×C×H×W), got a {img.dim()}-D tensor of shape {Dims(img.shape)}", nameof(img));
    }

    /// <summary>torchvision's <c>get_dimensions</c>: (channels, height, width); an H×W image has one channel.</summary>
    internal static (long c, long h, long w) Dimensions(Tensor img, string who)
    {
        CheckImage(img, who);
        return (img.dim() == 2 ? 1 : img.size(-3), img.size(-2), img.size(-1));
    }

    // ---------------------------------------------------------------- to_tensor, normalize, convert_image_dtype

    /// <summary>
    /// <c>to_tensor</c> of our "PIL image", a uint8 C×H×W (or H×W) tensor: float32 divided by 255 (torchvision's
    /// <c>.to(float).div(255)</c>). Any other dtype passes through unchanged (an H×W one gains a channel dim), as
    /// torchvision returns non-uint8 ndarrays unscaled; the tensor itself is returned, not a copy.
    /// </summary>
    internal static Tensor ToTensor(Tensor pic, string who)
    {
        ArgumentNullException.ThrowIfNull(pic);
        if (pic.dim() != 2 && pic.dim() != 3)
            throw new ArgumentException($"{who}: expected an image of shape H×W or C×H×W (uint8, as datasets and read_image give), got a {pic.dim()}-D tensor of shape {Dims(pic.shape)}", nameof(pic));
        var img = pic.dim() == 2 ? pic.unsqueeze(0) : pic;
        return img.dtype == ScalarType.Byte ? img.to(ScalarType.Float32).div(255) : img;
    }

    /// <summary><c>normalize</c>: <c>(x - mean[:, None, None]) / std[:, None, None]</c> in the image's dtype.</summary>
    internal static Tensor Normalize(Tensor tensor, double[] mean, double[] std, bool inplace, string who)
    {
        CheckImage(tensor, who);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (!tensor.is_floating_point())
            throw new ArgumentException($"{who}: expected a floating point tensor, got {Name(tensor.dtype)} (apply ToTensor or ConvertImageDtype first)", nameof(tensor));
        if (tensor.dim() < 3)
            throw new ArgumentException($"{who}: expected a tensor image of shape (…, C, H, W), got shape {Dims(tensor.shape)}", nameof(tensor));
        long c = tensor.size(-3);
        foreach (var (values, name) in new[] { (mean, "mean"), (std, "std") })
            if (values.Length != 1 && values.Length != c)
                throw new ArgumentException($"{who}: {name} has {values.Length} values but the image has {c} channels (shape {Dims(tensor.shape)}); expected 1 or {c} values", name);
        var m = torch.tensor(mean, dtype: tensor.dtype).view(-1, 1, 1);
        var s = torch.tensor(std, dtype: tensor.dtype).view(-1, 1, 1);
        // torchvision converts std to the image's dtype first: a tiny std can become 0 in float32.
        if (s.eq(0).any().item<bool>())
            throw new ArgumentException($"{who}: std evaluated to zero after conversion to {Name(tensor.dtype)} (std = {PyList(std)}), leading to division by zero", nameof(std));
        return inplace ? tensor.sub_(m).div_(s) : tensor.sub(m).div(s);
    }

    /// <summary>torchvision's <c>_max_value</c>: the largest value of an integer dtype; 1 for floating point and bool.</summary>
    static long MaxValue(ScalarType t) => t switch
    {
        ScalarType.Byte => byte.MaxValue,
        ScalarType.Int32 => int.MaxValue,
        ScalarType.Int64 => long.MaxValue,
        _ => 1,
    };

    /// <summary><c>convert_image_dtype</c>: casts and rescales between the value ranges [0, 1] (floating) and [0, max] (integer).</summary>
    internal static Tensor ConvertImageDtype(Tensor image, ScalarType dtype, string who)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.dtype == dtype) return image;
        if (image.is_floating_point())
        {
            if (dtype.IsFloating()) return image.to(dtype);
            if ((image.dtype == ScalarType.Float32 && dtype is ScalarType.Int32 or ScalarType.Int64) ||
                (image.dtype == ScalarType.Float64 && dtype == ScalarType.Int64))
                throw new ArgumentException($"{who}: the cast from {Name(image.dtype)} to {Name(dtype)} cannot be performed safely: {Name(image.dtype)} cannot hold every {Name(dtype)} value, so the largest would overflow (convert to {(image.dtype == ScalarType.Float32 ? "float64 first, or to uint8" : "int32 or uint8")})", nameof(dtype));
            // max + 1 - eps: floats in [0, 1] spread evenly over the integers, and only 1.0 reaches max.
            const double eps = 1e-3;
            return image.mul((double)MaxValue(dtype) + 1.0 - eps).to(dtype);
        }
        double inputMax = MaxValue(image.dtype);
        if (dtype.IsFloating()) return image.to(dtype).div(inputMax);
        double outputMax = MaxValue(dtype);
        if (inputMax > outputMax)
        {
            long factor = (long)Math.Floor((inputMax + 1) / (outputMax + 1));
            return FloorDivide(image, factor).to(dtype);
        }
        return image.to(dtype).mul((long)Math.Floor((outputMax + 1) / (inputMax + 1)));
    }

    /// <summary>Integer floor division by a positive factor (torch.div(..., rounding_mode="floor")), exact for int64.</summary>
    static Tensor FloorDivide(Tensor image, long factor) => Tensor.ScalarKernel<FloorDivideOp>(image, factor, ScalarType.Int64, false);

    // ---------------------------------------------------------------- flips, crops

    internal static Tensor HFlip(Tensor img, string who)
    {
        CheckImage(img, who);
        return img.flip(-1);
    }

    internal static Tensor VFlip(Tensor img, string who)
    {
        CheckImage(img, who);
        return img.flip(-2);
    }

    /// <summary>Python's <c>t[..., a:b]</c> along <paramref name="dim"/> for 0 ≤ a, clipped to the tensor (a view).</summary>
    static Tensor Slice(Tensor t, int dim, long a, long b)
    {
        long n = t.size(dim);
        a = Math.Clamp(a, 0, n);
        b = Math.Clamp(b, a, n);
        return t.narrow(dim, a, b - a);
    }

    /// <summary><c>crop</c>: a view of the box; the parts of the box outside the image are padded with 0.</summary>
    internal static Tensor Crop(Tensor img, long top, long left, long height, long width, string who)
    {
        var (_, h, w) = Dimensions(img, who);
        if (height <= 0 || width <= 0)
            throw new ArgumentException($"{who}: expected a crop box of positive height and width, got height {height} and width {width}");
        long right = left + width, bottom = top + height;
        int dh = img.dim() - 2, dw = img.dim() - 1;
        if (left < 0 || top < 0 || right > w || bottom > h)
        {
            long[] ltrb =
            [
                Math.Max(-left + Math.Min(0, right), 0),
                Math.Max(-top + Math.Min(0, bottom), 0),
                Math.Max(right - Math.Max(w, left), 0),
                Math.Max(bottom - Math.Max(h, top), 0),
            ];
            var inside = Slice(Slice(img, dh, Math.Max(top, 0), bottom), dw, Math.Max(left, 0), right);
            return Pad(inside, ltrb, 0, "constant", who);
        }
        return img.narrow(dh, top, height).narrow(dw, left, width);
    }

    /// <summary><c>center_crop</c>: pads with 0 first when the image is smaller than the crop; the offsets round half to even (Python's round).</summary>
    internal static Tensor CenterCrop(Tensor img, long cropHeight, long cropWidth, string who)
    {
        var (_, h, w) = Dimensions(img, who);
        if (cropWidth > w || cropHeight > h)
        {
            long[] ltrb =
            [
                cropWidth > w ? (cropWidth - w) / 2 : 0,
                cropHeight > h ? (cropHeight - h) / 2 : 0,
                cropWidth > w ? (cropWidth - w + 1) / 2 : 0,
                cropHeight > h ? (cropHeight - h + 1) / 2 : 0,
            ];
            img = Pad(img, ltrb, 0, "constant", who);
            (_, h, w) = Dimensions(img, who);
            if (cropWidth == w && cropHeight == h) return img;
        }
        long top = (long)Math.Round((h - cropHeight) / 2.0, MidpointRounding.ToEven);
        long left = (long)Math.Round((w - cropWidth) / 2.0, MidpointRounding.ToEven);
        return Crop(img, top, left, cropHeight, cropWidth, who);
    }

    // ---------------------------------------------------------------- pad

    internal static readonly string[] ModeNames = ["constant", "edge", "reflect", "symmetric"];

    internal static void CheckPadding(long[] padding, string padding_mode, string who)
    {
        ArgumentNullException.ThrowIfNull(padding);
        ArgumentNullException.ThrowIfNull(padding_mode);
        if (padding.Length is not (1 or 2 or 4))
            throw new ArgumentException($"{who}: padding must be an int or a 1, 2, or 4 element sequence (all sides; left/right and top/bottom; left, top, right, bottom), got {padding.Length} values {PyList(padding)}", nameof(padding));
        if (!ModeNames.Contains(padding_mode))
            throw new ArgumentException($"{who}: padding_mode should be either constant, edge, reflect or symmetric, got '{padding_mode}'", nameof(padding_mode));
    }

    /// <summary>torchvision's <c>_parse_pad_padding</c>: [left, right, top, bottom], F.pad's order for the last two dims.</summary>
    static long[] ParsePadding(long[] p) => p.Length switch
    {
        1 => [p[0], p[0], p[0], p[0]],
        2 => [p[0], p[0], p[1], p[1]],
        _ => [p[0], p[2], p[1], p[3]],
    };

    /// <summary>
    /// <c>pad</c>: constant (any leading dims, <paramref name="fill"/> cast to the image's dtype), edge and reflect
    /// (at most one batch dim; non-float images go through float32 and back, as torchvision does) and symmetric
    /// (C×H×W or N×C×H×W). Negative padding crops.
    /// </summary>
    internal static Tensor Pad(Tensor img, long[] padding, Scalar fill, string padding_mode, string who)
    {
        CheckImage(img, who);
        CheckPadding(padding, padding_mode, who);
        var p = ParsePadding(padding);
        var (_, h, w) = Dimensions(img, who);
        string Sides() => $"(left {p[0]}, right {p[1]}, top {p[2]}, bottom {p[3]})";
        if (padding_mode == "symmetric") return Symmetric(img, p, who);
        if (padding_mode == "constant")
            return Torchlet.Pad.Apply(img, p, Torchlet.PaddingModes.Constant, fill.ToDouble());

        if (img.dim() > 4)
            throw new ArgumentException($"{who}: {padding_mode} padding takes H×W, C×H×W or N×C×H×W images, got a {img.dim()}-D tensor of shape {Dims(img.shape)}", nameof(img));
        if (padding_mode == "reflect" && (p[0] >= w || p[1] >= w || p[2] >= h || p[3] >= h))
            throw new ArgumentException($"{who}: reflect padding must be smaller than the image on each side, got padding {Sides()} for an image of height {h} and width {w}", nameof(padding));
        var x = img.dim() < 4 ? img.unsqueeze(0) : img;
        var dtype = img.dtype;
        if (!dtype.IsFloating()) x = x.to(ScalarType.Float32);
        x = Torchlet.Pad.Apply(x, p, padding_mode == "edge" ? Torchlet.PaddingModes.Replicate : Torchlet.PaddingModes.Reflect, null);
        if (img.dim() < 4) x = x.squeeze(0);
        return dtype.IsFloating() ? x : x.to(dtype);
    }

    /// <summary>torchvision's <c>_pad_symmetric</c>: mirrors the image including its edge row/column, by index.</summary>
    static Tensor Symmetric(Tensor img, long[] p, string who)
    {
        if (img.dim() != 3 && img.dim() != 4)
            throw new ArgumentException($"{who}: symmetric padding takes C×H×W or N×C×H×W images, got a {img.dim()}-D tensor of shape {Dims(img.shape)}", nameof(img));
        int dh = img.dim() - 2, dw = img.dim() - 1;
        if (p.Any(v => v < 0))
        {
            long cl = -Math.Min(p[0], 0), cr = -Math.Min(p[1], 0), ct = -Math.Min(p[2], 0), cb = -Math.Min(p[3], 0);
            img = Slice(Slice(img, dh, ct, img.size(dh) - cb), dw, cl, img.size(dw) - cr);
            p = p.Select(v => Math.Max(v, 0)).ToArray();
        }
        long h = img.size(dh), w = img.size(dw);
        if (p[0] > w || p[1] > w || p[2] > h || p[3] > h)
            throw new ArgumentException($"{who}: symmetric padding can repeat the image at most once on each side, got padding (left {p[0]}, right {p[1]}, top {p[2]}, bottom {p[3]}) for an image of height {h} and width {w}", "padding");
        static Tensor Indices(long before, long size, long after)
        {
            var idx = new long[before + size + after];
            int k = 0;
            for (long i = before - 1; i >= 0; i--) idx[k++] = i;
            for (long i = 0; i < size; i++) idx[k++] = i;
            for (long i = 0; i < after; i++) idx[k++] = size - 1 - i;
            return torch.tensor(idx);
        }
        return img.index_select(dh, Indices(p[2], h, p[3])).index_select(dw, Indices(p[0], w, p[1]));
    }

    // ---------------------------------------------------------------- grayscale

    /// <summary><c>rgb_to_grayscale</c>: 0.2989 R + 0.587 G + 0.114 B in float, cast back (uint8 truncates); 1 channel is cloned.</summary>
    internal static Tensor RgbToGrayscale(Tensor img, int num_output_channels, string who)
    {
        ArgumentNullException.ThrowIfNull(img);
        if (img.dim() < 3)
            throw new ArgumentException($"{who}: expected an image with at least 3 dimensions (…×C×H×W), got a {img.dim()}-D tensor of shape {Dims(img.shape)}", nameof(img));
        long c = img.size(-3);
        if (c != 1 && c != 3)
            throw new ArgumentException($"{who}: expected an image with 1 or 3 channels (…×C×H×W), got {c} channels in shape {Dims(img.shape)}", nameof(img));
        CheckGrayscaleChannels(num_output_channels, who);
        Tensor gray;
        if (c == 3)
        {
            var (r, g, b) = (img.select(-3, 0), img.select(-3, 1), img.select(-3, 2));
            gray = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(-3);
        }
        else gray = img.clone();
        // As torchvision: expand to the input's shape, so a 1-channel image stays 1-channel even when 3 are asked for.
        return num_output_channels == 3 ? gray.expand(img.shape) : gray;
    }

    internal static void CheckGrayscaleChannels(int num_output_channels, string who)
    {
        if (num_output_channels != 1 && num_output_channels != 3)
            throw new ArgumentException($"{who}: num_output_channels should be either 1 or 3, got {num_output_channels}", nameof(num_output_channels));
    }
}
