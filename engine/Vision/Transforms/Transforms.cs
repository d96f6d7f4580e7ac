using Torchlet.Modules;

namespace Torchlet.Vision;

// torchvision 0.14's transforms on tensor images. Each class holds its arguments under torchvision's names, runs the
// ImageOps function torchvision's forward calls, and prints as torchvision's __repr__. Random transforms draw from
// torch's default generator (per worker inside a DataLoader) exactly as torchvision does, so that
// torch.manual_seed(s) gives torchvision's choices.

/// <summary>Runs transforms one after the other.</summary>
public sealed class Compose : ITransform
{
    readonly ITransform[] _transforms;

    public Compose(IEnumerable<ITransform> transforms)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        _transforms = transforms.ToArray();
        for (int i = 0; i < _transforms.Length; i++)
            if (_transforms[i] is null) throw new ArgumentNullException(nameof(transforms), $"Compose: transforms[{i}] is null; expected a transform");
    }

    public IReadOnlyList<ITransform> transforms => Array.AsReadOnly(_transforms);

    public Tensor forward(Tensor input)
    {
        foreach (var t in _transforms) input = t.forward(input);
        return input;
    }

    public override string ToString() => "Compose(" + string.Concat(_transforms.Select(t => $"\n    {t}")) + "\n)";
}

/// <summary>
/// Converts a uint8 image, C×H×W or H×W (as datasets and <c>read_image</c> give; our stand-in for a PIL image), to
/// float32 C×H×W in [0, 1] by dividing by 255. Other dtypes pass through unchanged (an H×W tensor gains a channel
/// dim): torchvision leaves non-uint8 arrays unscaled. The input is returned itself in that case, not copied.
/// </summary>
public sealed class ToTensor : ITransform
{
    public Tensor forward(Tensor input) => ImageOps.ToTensor(input, nameof(ToTensor));

    public override string ToString() => "ToTensor()";
}

/// <summary>
/// <c>(x - mean[c]) / std[c]</c> per channel of a floating …×C×H×W image, in its dtype. One value applies to every
/// channel. With <c>inplace: true</c> the input itself is changed.
/// </summary>
public sealed class Normalize : ITransform
{
    readonly double[] _mean, _std;

    public Normalize(double[] mean, double[] std, bool inplace = false)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || std.Length == 0)
            throw new ArgumentException($"Normalize: expected one value per channel (or one for all) in mean and std, got {mean.Length} and {std.Length} values");
        _mean = (double[])mean.Clone();
        _std = (double[])std.Clone();
        this.inplace = inplace;
    }

    public double[] mean => (double[])_mean.Clone();
    public double[] std => (double[])_std.Clone();
    public bool inplace { get; }

    public Tensor forward(Tensor input) => ImageOps.Normalize(input, _mean, _std, inplace, nameof(Normalize));

    public override string ToString() => $"Normalize(mean={ImageOps.PyList(_mean)}, std={ImageOps.PyList(_std)})";
}

/// <summary>A user function as a transform.</summary>
public sealed class Lambda : ITransform
{
    public Lambda(Func<Tensor, Tensor> lambd)
    {
        ArgumentNullException.ThrowIfNull(lambd);
        this.lambd = lambd;
    }

    public Func<Tensor, Tensor> lambd { get; }

    public Tensor forward(Tensor input) => lambd(input);

    public override string ToString() => "Lambda()";
}

/// <summary>Converts to <see cref="dtype"/>, rescaling between [0, 1] (floating) and [0, max] (integer dtypes).</summary>
public sealed class ConvertImageDtype : ITransform
{
    public ConvertImageDtype(ScalarType dtype) { this.dtype = dtype; }

    public ScalarType dtype { get; }

    public Tensor forward(Tensor input) => ImageOps.ConvertImageDtype(input, dtype, nameof(ConvertImageDtype));

    // torchvision's ConvertImageDtype is an nn.Module without extra_repr.
    public override string ToString() => "ConvertImageDtype()";
}

/// <summary>
/// Resizes a C×H×W image or N×C×H×W batch to <see cref="size"/>: (height, width), or with one value the shorter
/// side (keeping the aspect ratio, the longer side capped at <see cref="max_size"/>). antialias null means False,
/// torchvision 0.14's default for tensors; True (Bilinear and Bicubic only) filters as PIL does when downsampling.
/// uint8 images are resampled in float32, rounded and cast back.
/// </summary>
public sealed class Resize : ITransform
{
    readonly int[] _size;
    readonly bool _sizeIsInt;

    internal Resize(int[] size, bool sizeIsInt, InterpolationMode interpolation, int? max_size, bool? antialias)
    {
        Resample.CheckArgs(size, interpolation, max_size, antialias, nameof(Resize));
        _size = (int[])size.Clone();
        _sizeIsInt = sizeIsInt;
        this.interpolation = interpolation;
        this.max_size = max_size;
        this.antialias = antialias;
    }

    public int[] size => (int[])_size.Clone();
    public InterpolationMode interpolation { get; }
    public int? max_size { get; }
    public bool? antialias { get; }

    public Tensor forward(Tensor input) => Resample.Resize(input, _size, interpolation, max_size, antialias, nameof(Resize));

    public override string ToString() =>
        $"Resize(size={(_sizeIsInt ? Args.Py(_size[0]) : ImageOps.PyList(_size.Select(v => (long)v)))}, " +
        $"interpolation={UpsampleOps.Name(interpolation)}, max_size={(max_size is { } m ? Args.Py(m) : "None")}, " +
        $"antialias={(antialias is { } a ? Args.Py(a) : "None")})";
}

/// <summary>Crops the centre (height, width); an image smaller than that is padded with 0 first.</summary>
public sealed class CenterCrop : ITransform
{
    readonly string _sizeRepr;

    internal CenterCrop(int[] size, bool asList)
    {
        var (h, w) = Sizes.HeightWidth(size, nameof(CenterCrop));
        this.size = (h, w);
        // torchvision keeps a two-value list as given and makes a tuple of an int or a one-value list.
        _sizeRepr = asList && size.Length == 2 ? $"[{h}, {w}]" : $"({h}, {w})";
    }

    public (int height, int width) size { get; }

    public Tensor forward(Tensor input) => ImageOps.CenterCrop(input, size.height, size.width, nameof(CenterCrop));

    public override string ToString() => $"CenterCrop(size={_sizeRepr})";
}

/// <summary>
/// Crops a random (height, width) box, after optional <see cref="padding"/>; with <see cref="pad_if_needed"/> a
/// smaller image is padded up to the crop size. The box's top then left come from <c>torch.randint</c>.
/// </summary>
public sealed class RandomCrop : ITransform
{
    readonly long[]? _padding;
    readonly bool _paddingIsInt;

    internal RandomCrop(int[] size, long[]? padding, bool paddingIsInt, bool pad_if_needed, Scalar fill, string padding_mode)
    {
        var (h, w) = Sizes.HeightWidth(size, nameof(RandomCrop));
        this.size = (h, w);
        ImageOps.CheckPadding(padding ?? [0], padding_mode, nameof(RandomCrop));
        _padding = (long[]?)padding?.Clone();
        _paddingIsInt = paddingIsInt;
        this.pad_if_needed = pad_if_needed;
        this.fill = fill;
        this.padding_mode = padding_mode;
    }

    public (int height, int width) size { get; }
    public long[]? padding => (long[]?)_padding?.Clone();
    public bool pad_if_needed { get; }
    public Scalar fill { get; }
    public string padding_mode { get; }

    /// <summary>torchvision's <c>RandomCrop.get_params</c>: (top, left, height, width) of a random box; the whole image draws nothing.</summary>
    public static (long top, long left, long height, long width) get_params(Tensor img, (int height, int width) output_size) =>
        GetParams(img, output_size, nameof(RandomCrop));

    static (long, long, long, long) GetParams(Tensor img, (int height, int width) output_size, string who)
    {
        var (_, h, w) = ImageOps.Dimensions(img, who);
        var (th, tw) = output_size;
        if (h < th || w < tw)
            throw new ArgumentException($"{who}: required crop size ({th}, {tw}) is larger than the input image size ({h}, {w}) (height, width, after any padding); pass pad_if_needed: true or a smaller size");
        if (w == tw && h == th) return (0, 0, h, w);
        long i = torch.randint(0, h - th + 1, [1]).item<long>();
        long j = torch.randint(0, w - tw + 1, [1]).item<long>();
        return (i, j, th, tw);
    }

    public Tensor forward(Tensor input)
    {
        const string who = nameof(RandomCrop);
        var img = input;
        if (_padding is not null) img = ImageOps.Pad(img, _padding, fill, padding_mode, who);
        var (_, height, width) = ImageOps.Dimensions(img, who);
        if (pad_if_needed && width < size.width) img = ImageOps.Pad(img, [size.width - width, 0], fill, padding_mode, who);
        if (pad_if_needed && height < size.height) img = ImageOps.Pad(img, [0, size.height - height], fill, padding_mode, who);
        var (i, j, h, w) = GetParams(img, size, who);
        return ImageOps.Crop(img, i, j, h, w, who);
    }

    public override string ToString() =>
        $"RandomCrop(size=({size.height}, {size.width}), padding={(_padding is null ? "None" : _paddingIsInt ? Args.Py(_padding[0]) : ImageOps.PyList(_padding))})";
}

/// <summary>Flips the image left–right with probability <see cref="p"/> (one <c>torch.rand(1)</c> per call).</summary>
public sealed class RandomHorizontalFlip : ITransform
{
    public RandomHorizontalFlip(double p = 0.5) { this.p = p; }

    public double p { get; }

    // torchvision compares torch.rand(1) < p in float32: p is rounded to float first.
    public Tensor forward(Tensor input) =>
        torch.rand(1).item<float>() < (float)p ? ImageOps.HFlip(input, nameof(RandomHorizontalFlip)) : input;

    public override string ToString() => $"RandomHorizontalFlip(p={Args.Py(p)})";
}

/// <summary>Flips the image upside down with probability <see cref="p"/> (one <c>torch.rand(1)</c> per call).</summary>
public sealed class RandomVerticalFlip : ITransform
{
    public RandomVerticalFlip(double p = 0.5) { this.p = p; }

    public double p { get; }

    public Tensor forward(Tensor input) =>
        torch.rand(1).item<float>() < (float)p ? ImageOps.VFlip(input, nameof(RandomVerticalFlip)) : input;

    public override string ToString() => $"RandomVerticalFlip(p={Args.Py(p)})";
}

/// <summary>
/// Pads the borders: one value for all sides, two for (left/right, top/bottom) or four for (left, top, right, bottom).
/// Modes: constant (<see cref="fill"/>), edge, reflect (without repeating the edge) and symmetric (repeating it).
/// </summary>
public sealed class Pad : ITransform
{
    readonly long[] _padding;
    readonly bool _paddingIsInt;

    internal Pad(long[] padding, bool paddingIsInt, Scalar fill, string padding_mode)
    {
        ImageOps.CheckPadding(padding, padding_mode, nameof(Pad));
        _padding = (long[])padding.Clone();
        _paddingIsInt = paddingIsInt;
        this.fill = fill;
        this.padding_mode = padding_mode;
    }

    public long[] padding => (long[])_padding.Clone();
    public Scalar fill { get; }
    public string padding_mode { get; }

    public Tensor forward(Tensor input) => ImageOps.Pad(input, _padding, fill, padding_mode, nameof(Pad));

    public override string ToString() =>
        $"Pad(padding={(_paddingIsInt ? Args.Py(_padding[0]) : ImageOps.PyList(_padding))}, fill={Sizes.Py(fill)}, padding_mode={padding_mode})";
}

/// <summary>
/// RGB to gray, 0.2989 R + 0.587 G + 0.114 B (uint8 truncates), on …×3×H×W; a 1-channel image is copied. With 3
/// output channels the gray channel is repeated (as an expanded view, as torchvision returns it).
/// </summary>
public sealed class Grayscale : ITransform
{
    public Grayscale(int num_output_channels = 1)
    {
        ImageOps.CheckGrayscaleChannels(num_output_channels, nameof(Grayscale));
        this.num_output_channels = num_output_channels;
    }

    public int num_output_channels { get; }

    public Tensor forward(Tensor input) => ImageOps.RgbToGrayscale(input, num_output_channels, nameof(Grayscale));

    public override string ToString() => $"Grayscale(num_output_channels={num_output_channels})";
}

/// <summary>Argument helpers shared by the transforms.</summary>
internal static class Sizes
{
    /// <summary>torchvision's <c>_setup_size</c>: one value is a square, two are (height, width).</summary>
    internal static (int h, int w) HeightWidth(int[] size, string who)
    {
        ArgumentNullException.ThrowIfNull(size);
        if (size.Length is not (1 or 2))
            throw new ArgumentException($"{who}: size must be an int or a sequence of 1 or 2 values (height, width), got {size.Length} values {ImageOps.PyList(size.Select(v => (long)v))}", nameof(size));
        int h = size[0], w = size.Length == 2 ? size[1] : size[0];
        if (h <= 0 || w <= 0)
            throw new ArgumentException($"{who}: size must be positive, got ({h}, {w})", nameof(size));
        return (h, w);
    }

    /// <summary>A fill value as Python prints the int or float it was given.</summary>
    internal static string Py(Scalar v) => v.IsFloating ? Args.Py(v.ToDouble()) : v.ToString();
}
