using Torchlet.Vision;

namespace Torchlet;

public static partial class torchvision
{
    /// <summary>
    /// torchvision.transforms (0.14, tensor images): the factories of the transform classes in namespace
    /// <c>Torchlet.Vision</c>. Sizes and paddings given as an int or an int[] print as torchvision prints the int or
    /// list it was given. Interpolation uses <see cref="InterpolationMode"/> (Nearest, Bilinear, Bicubic).
    /// </summary>
    public static partial class transforms
    {
        public static Vision.Compose Compose(params ITransform[] transforms) => new(transforms);
        public static Vision.Compose Compose(IEnumerable<ITransform> transforms) => new(transforms);

        /// <summary>uint8 C×H×W (or H×W) → float32 C×H×W in [0, 1]; other dtypes pass through unchanged.</summary>
        public static Vision.ToTensor ToTensor() => new();

        public static Vision.Normalize Normalize(double[] mean, double[] std, bool inplace = false) => new(mean, std, inplace);

        public static Vision.Lambda Lambda(Func<Tensor, Tensor> lambd) => new(lambd);

        public static Vision.ConvertImageDtype ConvertImageDtype(ScalarType dtype) => new(dtype);

        /// <summary>Resizes the shorter side to <paramref name="size"/>, keeping the aspect ratio (the longer side at most <paramref name="max_size"/>).</summary>
        public static Vision.Resize Resize(int size, InterpolationMode interpolation = InterpolationMode.Bilinear, int? max_size = null, bool? antialias = null) =>
            new([size], true, interpolation, max_size, antialias);

        /// <summary>Resizes to (height, width), or with one value the shorter side.</summary>
        public static Vision.Resize Resize(int[] size, InterpolationMode interpolation = InterpolationMode.Bilinear, int? max_size = null, bool? antialias = null) =>
            new(size, false, interpolation, max_size, antialias);

        /// <summary>A square crop of the centre.</summary>
        public static Vision.CenterCrop CenterCrop(int size) => new([size], asList: false);

        /// <summary>A crop of the centre: (height, width), or one value for a square.</summary>
        public static Vision.CenterCrop CenterCrop(int[] size) => new(size, asList: true);

        /// <summary>A random square crop after padding all sides by <paramref name="padding"/>.</summary>
        public static Vision.RandomCrop RandomCrop(int size, int padding, bool pad_if_needed = false, Scalar? fill = null, string padding_mode = "constant") =>
            new([size], [padding], true, pad_if_needed, fill ?? 0, padding_mode);

        /// <summary>A random square crop, after optional padding (1, 2 or 4 values, as <see cref="Pad(int[], Scalar?, string)"/>).</summary>
        public static Vision.RandomCrop RandomCrop(int size, int[]? padding = null, bool pad_if_needed = false, Scalar? fill = null, string padding_mode = "constant") =>
            new([size], Longs(padding), false, pad_if_needed, fill ?? 0, padding_mode);

        /// <summary>A random (height, width) crop after padding all sides by <paramref name="padding"/>.</summary>
        public static Vision.RandomCrop RandomCrop(int[] size, int padding, bool pad_if_needed = false, Scalar? fill = null, string padding_mode = "constant") =>
            new(size, [padding], true, pad_if_needed, fill ?? 0, padding_mode);

        /// <summary>A random (height, width) crop, after optional padding.</summary>
        public static Vision.RandomCrop RandomCrop(int[] size, int[]? padding = null, bool pad_if_needed = false, Scalar? fill = null, string padding_mode = "constant") =>
            new(size, Longs(padding), false, pad_if_needed, fill ?? 0, padding_mode);

        public static Vision.RandomHorizontalFlip RandomHorizontalFlip(double p = 0.5) => new(p);

        public static Vision.RandomVerticalFlip RandomVerticalFlip(double p = 0.5) => new(p);

        /// <summary>Pads every side by <paramref name="padding"/>; modes "constant" (with <paramref name="fill"/>, default 0), "edge", "reflect", "symmetric".</summary>
        public static Vision.Pad Pad(int padding, Scalar? fill = null, string padding_mode = "constant") => new([padding], true, fill ?? 0, padding_mode);

        /// <summary>Pads by one value (all sides), two (left/right, top/bottom) or four (left, top, right, bottom).</summary>
        public static Vision.Pad Pad(int[] padding, Scalar? fill = null, string padding_mode = "constant") => new(Longs(padding)!, false, fill ?? 0, padding_mode);

        public static Vision.Grayscale Grayscale(int num_output_channels = 1) => new(num_output_channels);

        static long[]? Longs(int[]? v) => v?.Select(x => (long)x).ToArray();

        /// <summary>torchvision.transforms.functional: the transforms' operations as functions of a tensor image.</summary>
        public static class functional
        {
            public static long[] get_dimensions(Tensor img)
            {
                var (c, h, w) = ImageOps.Dimensions(img, nameof(get_dimensions));
                return [c, h, w];
            }

            public static Tensor to_tensor(Tensor pic) => ImageOps.ToTensor(pic, nameof(to_tensor));

            public static Tensor normalize(Tensor tensor, double[] mean, double[] std, bool inplace = false) =>
                ImageOps.Normalize(tensor, mean, std, inplace, nameof(normalize));

            public static Tensor convert_image_dtype(Tensor image, ScalarType dtype = ScalarType.Float32) =>
                ImageOps.ConvertImageDtype(image, dtype, nameof(convert_image_dtype));

            public static Tensor resize(Tensor img, int size, InterpolationMode interpolation = InterpolationMode.Bilinear, int? max_size = null, bool? antialias = null) =>
                Resample.Resize(img, [size], interpolation, max_size, antialias, nameof(resize));

            public static Tensor resize(Tensor img, int[] size, InterpolationMode interpolation = InterpolationMode.Bilinear, int? max_size = null, bool? antialias = null) =>
                Resample.Resize(img, size, interpolation, max_size, antialias, nameof(resize));

            public static Tensor pad(Tensor img, int padding, Scalar? fill = null, string padding_mode = "constant") =>
                ImageOps.Pad(img, [padding], fill ?? 0, padding_mode, nameof(pad));

            public static Tensor pad(Tensor img, int[] padding, Scalar? fill = null, string padding_mode = "constant") =>
                ImageOps.Pad(img, Longs(padding)!, fill ?? 0, padding_mode, nameof(pad));

            /// <summary>The box at (top, left) of the given size; parts outside the image are 0.</summary>
            public static Tensor crop(Tensor img, long top, long left, long height, long width) =>
                ImageOps.Crop(img, top, left, height, width, nameof(crop));

            public static Tensor center_crop(Tensor img, int output_size) => center_crop(img, [output_size]);

            public static Tensor center_crop(Tensor img, int[] output_size)
            {
                var (h, w) = Sizes.HeightWidth(output_size, nameof(center_crop));
                return ImageOps.CenterCrop(img, h, w, nameof(center_crop));
            }

            public static Tensor hflip(Tensor img) => ImageOps.HFlip(img, nameof(hflip));

            public static Tensor vflip(Tensor img) => ImageOps.VFlip(img, nameof(vflip));

            public static Tensor rgb_to_grayscale(Tensor img, int num_output_channels = 1) =>
                ImageOps.RgbToGrayscale(img, num_output_channels, nameof(rgb_to_grayscale));
        }
    }
}
