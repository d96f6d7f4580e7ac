using System.Runtime.InteropServices;
using SkiaSharp;

namespace Torchlet;

/// <summary>torchvision's helpers (as TorchSharp has them: <c>torchvision.utils.make_grid</c>, <c>torchvision.io.read_image</c>).</summary>
public static partial class torchvision
{
    public static partial class utils
    {
        /// <summary>
        /// torchvision 0.14's <c>make_grid</c>: lays a batch (B×C×H×W), a single image (C×H×W) or a plain H×W map out as one
        /// C×H'×W' image, <paramref name="nrow"/> images per row with <paramref name="padding"/> pixels of
        /// <paramref name="pad_value"/> around each. One-channel images become three channels. A single image comes back
        /// without a grid (after those steps and the normalisation). Runs under no_grad, like torchvision's.
        /// </summary>
        public static Tensor make_grid(Tensor tensor, long nrow = 8, long padding = 2, bool normalize = false,
            (double min, double max)? value_range = null, bool scale_each = false, double pad_value = 0)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            CheckLayout(tensor.dim(), tensor.shape, nrow, padding, "make_grid");
            using var _ = torch.no_grad();
            return Grid(tensor, nrow, padding, normalize, value_range, scale_each, pad_value);
        }

        /// <summary><c>make_grid</c> of a list of images of one shape (stacked along a new first dimension, as torchvision does).</summary>
        public static Tensor make_grid(IEnumerable<Tensor> tensors, long nrow = 8, long padding = 2, bool normalize = false,
            (double min, double max)? value_range = null, bool scale_each = false, double pad_value = 0) =>
            make_grid(StackImages(tensors, "make_grid"), nrow, padding, normalize, value_range, scale_each, pad_value);

        /// <summary>
        /// torchvision 0.14's <c>save_image</c>: <see cref="make_grid(Tensor, long, long, bool, ValueTuple{double, double}?, bool, double)"/>,
        /// then <c>grid.mul(255).add_(0.5).clamp_(0, 255)</c> as uint8 H×W×C, written as the format of <paramref name="fp"/>'s
        /// extension (or <paramref name="format"/>): PNG, JPEG (quality 75, PIL's default) or WebP (quality 80, PIL's default).
        /// The file is written to a temporary file beside it and then renamed, so a failed save leaves no partial file.
        /// </summary>
        public static void save_image(Tensor tensor, string fp, long nrow = 8, long padding = 2, bool normalize = false,
            (double min, double max)? value_range = null, bool scale_each = false, double pad_value = 0, string? format = null)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            ArgumentNullException.ThrowIfNull(fp);
            var fmt = FormatOf(fp, format);
            Tensor hwc;
            using (torch.no_grad())
            {
                var grid = make_grid(tensor, nrow, padding, normalize, value_range, scale_each, pad_value);
                // torchvision's conversion, op for op: +0.5 then the uint8 cast's truncation rounds to nearest.
                hwc = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(torch.uint8);
            }
            var bytes = Encode(hwc, fmt, "save_image", pilModes: true);
            AtomicFile.Write(fp, "save_image", fs => fs.Write(bytes));
        }

        /// <summary><c>save_image</c> of a list of images of one shape.</summary>
        public static void save_image(IEnumerable<Tensor> tensors, string fp, long nrow = 8, long padding = 2, bool normalize = false,
            (double min, double max)? value_range = null, bool scale_each = false, double pad_value = 0, string? format = null) =>
            save_image(StackImages(tensors, "save_image"), fp, nrow, padding, normalize, value_range, scale_each, pad_value, format);

        /// <summary>
        /// PNG bytes of one image, for inline display: H×W or C×H×W with C = 1 (grayscale PNG), 2 (gray + alpha, stored as
        /// RGBA), 3 (RGB) or 4 (RGBA). uint8 images are taken as they are; floating ones are read as [0, 1] and converted as
        /// save_image converts them (×255, +0.5, clamp to [0, 255], truncate).
        /// </summary>
        public static byte[] to_png(Tensor image)
        {
            ArgumentNullException.ThrowIfNull(image);
            if (image.dim() != 2 && image.dim() != 3)
                throw new ArgumentException($"to_png: expected image to be H×W or C×H×W, got a {image.dim()}-D tensor of shape {Dims(image.shape)}", nameof(image));
            if (image.dim() == 3 && (image.size(0) < 1 || image.size(0) > 4))
                throw new ArgumentException($"to_png: expected image to have 1, 2, 3 or 4 channels (C×H×W), got {image.size(0)} channels in shape {Dims(image.shape)}", nameof(image));
            if (image.dtype != ScalarType.Byte && !image.dtype.IsFloating())
                throw new ArgumentException($"to_png: expected image of dtype uint8 or a floating dtype, got {image.dtype.TorchName()}", nameof(image));
            Tensor hwc;
            using (torch.no_grad())
            {
                var chw = image.dim() == 2 ? image.unsqueeze(0) : image;
                if (chw.dtype.IsFloating()) chw = chw.mul(255).add_(0.5).clamp_(0, 255).to(torch.uint8);
                hwc = chw.permute(1, 2, 0);
            }
            return Encode(hwc, SKEncodedImageFormat.Png, "to_png", pilModes: false);
        }

        internal static string Dims(long[] shape) => "[" + string.Join(", ", shape) + "]";

        static Tensor StackImages(IEnumerable<Tensor> tensors, string fn)
        {
            ArgumentNullException.ThrowIfNull(tensors);
            var list = tensors.ToList();
            for (int i = 0; i < list.Count; i++)
                if (list[i] is null) throw new ArgumentNullException(nameof(tensors), $"{fn}: tensors[{i}] is null; expected a list of image tensors");
            if (list.Count == 0) throw new ArgumentException($"{fn}: expected a non-empty list of images, got an empty list", nameof(tensors));
            using var _ = torch.no_grad();
            return torch.stack(list, 0);
        }

        static void CheckLayout(int dim, long[] shape, long nrow, long padding, string fn)
        {
            // torchvision fails late and obscurely on these (ZeroDivisionError for nrow=0, a bad copy_ for 5-D): fail early instead.
            if (dim < 2 || dim > 4)
                throw new ArgumentException($"{fn}: expected tensor to be a 4-D mini-batch (B×C×H×W), a 3-D image (C×H×W) or a 2-D image (H×W), got a {dim}-D tensor of shape {Dims(shape)}", "tensor");
            if (dim == 4 && shape[0] == 0)
                throw new ArgumentException($"{fn}: expected at least one image in tensor, got a batch of shape {Dims(shape)}", "tensor");
            if (nrow <= 0)
                throw new ArgumentException($"{fn}: expected nrow (images per row) to be at least 1, got {nrow}", nameof(nrow));
            if (padding < 0)
                throw new ArgumentException($"{fn}: expected padding to be non-negative, got {padding}", nameof(padding));
        }

        static Tensor Grid(Tensor tensor, long nrow, long padding, bool normalize, (double min, double max)? value_range, bool scale_each, double pad_value)
        {
            if (tensor.dim() == 2) tensor = tensor.unsqueeze(0);
            if (tensor.dim() == 3)
            {
                if (tensor.size(0) == 1) tensor = torch.cat(new[] { tensor, tensor, tensor }, 0);
                tensor = tensor.unsqueeze(0);
            }
            if (tensor.dim() == 4 && tensor.size(1) == 1) tensor = torch.cat(new[] { tensor, tensor, tensor }, 1);

            if (normalize)
            {
                tensor = tensor.clone();
                if (scale_each)
                    for (long k = 0; k < tensor.size(0); k++) NormRange(tensor.select(0, k), value_range);
                else
                    NormRange(tensor, value_range);
            }
            if (tensor.size(0) == 1) return tensor.squeeze(0);

            long nmaps = tensor.size(0);
            long xmaps = Math.Min(nrow, nmaps);
            long ymaps = (nmaps + xmaps - 1) / xmaps;
            long height = tensor.size(2) + padding, width = tensor.size(3) + padding;
            long channels = tensor.size(1);
            var grid = torch.full([channels, height * ymaps + padding, width * xmaps + padding], pad_value, dtype: tensor.dtype);
            long n = 0;
            for (long y = 0; y < ymaps; y++)
                for (long x = 0; x < xmaps && n < nmaps; x++, n++)
                    grid.narrow(1, y * height + padding, height - padding)
                        .narrow(2, x * width + padding, width - padding)
                        .copy_(tensor.select(0, n));
            return grid;
        }

        // torchvision's norm_ip / norm_range, in place on (a view of) the clone.
        static void NormRange(Tensor t, (double min, double max)? value_range)
        {
            var (low, high) = value_range ?? (t.min().item<double>(), t.max().item<double>());
            t.clamp_(low, high);
            t.sub_(low).div_(Math.Max(high - low, 1e-5));
        }

        static SKEncodedImageFormat FormatOf(string fp, string? format)
        {
            var name = format ?? Path.GetExtension(fp).TrimStart('.');
            return name.ToLowerInvariant() switch
            {
                "png" => SKEncodedImageFormat.Png,
                "jpg" or "jpeg" or "jpe" => SKEncodedImageFormat.Jpeg,
                "webp" => SKEncodedImageFormat.Webp,
                "" => throw new ArgumentException($"save_image: cannot tell the image format of '{fp}': it has no extension; pass format: \"png\", \"jpeg\" or \"webp\"", format is null ? nameof(fp) : nameof(format)),
                _ => throw new ArgumentException($"save_image: unknown image format '{name}' (from {(format is null ? $"the extension of '{fp}'" : "format")}); supported formats are png, jpeg and webp", format is null ? nameof(fp) : nameof(format)),
            };
        }

        /// <summary>Encodes a uint8 H×W×C tensor. With <paramref name="pilModes"/>, only what PIL's Image.fromarray accepts
        /// from save_image (2 = LA, 3 = RGB, 4 = RGBA channels); otherwise 1 channel is allowed too (grayscale).</summary>
        static byte[] Encode(Tensor hwc, SKEncodedImageFormat format, string fn, bool pilModes)
        {
            int h = checked((int)hwc.size(0)), w = checked((int)hwc.size(1)), c = checked((int)hwc.size(2));
            if (c < (pilModes ? 2 : 1) || c > 4)
                throw new ArgumentException($"{fn}: cannot store an image with {c} channels (shape C×H×W = [{c}, {h}, {w}]); " +
                    "expected 2 (gray + alpha), 3 (RGB) or 4 (RGBA) channels, as PIL's Image.fromarray does", "tensor");
            if (h == 0 || w == 0)
                throw new ArgumentException($"{fn}: cannot store an empty image of height {h} and width {w}", "tensor");
            if (format == SKEncodedImageFormat.Jpeg && (c == 2 || c == 4))
                throw new ArgumentException($"{fn}: cannot write an image with an alpha channel ({(c == 2 ? "LA" : "RGBA")}, {c} channels) as JPEG", "tensor");
            var src = hwc.contiguous().ToArray<byte>();

            // Skia has no gray + alpha colour type: such images go out as RGBA with R = G = B = gray.
            SKColorType ct = c == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888;
            SKAlphaType at = c == 1 || c == 3 ? SKAlphaType.Opaque : SKAlphaType.Unpremul;
            byte[] px;
            if (c == 1) px = src;
            else
            {
                px = new byte[h * w * 4];
                int n = h * w;
                for (int i = 0; i < n; i++)
                {
                    int s = i * c, d = i * 4;
                    switch (c)
                    {
                        case 2: px[d] = px[d + 1] = px[d + 2] = src[s]; px[d + 3] = src[s + 1]; break;
                        case 3: px[d] = src[s]; px[d + 1] = src[s + 1]; px[d + 2] = src[s + 2]; px[d + 3] = 255; break;
                        default: px[d] = src[s]; px[d + 1] = src[s + 1]; px[d + 2] = src[s + 2]; px[d + 3] = src[s + 3]; break;
                    }
                }
            }
            var handle = GCHandle.Alloc(px, GCHandleType.Pinned);
            try
            {
                var info = new SKImageInfo(w, h, ct, at);
                using var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject(), info.RowBytes);
                int quality = format switch { SKEncodedImageFormat.Jpeg => 75, SKEncodedImageFormat.Webp => 80, _ => 100 };
                using var data = pixmap.Encode(format, quality)
                    ?? throw new InvalidOperationException($"{fn}: SkiaSharp could not encode a {w}×{h} {c}-channel image as {format}");
                return data.ToArray();
            }
            finally { handle.Free(); }
        }
    }

    public static partial class io
    {
        /// <summary>torchvision.io.ImageReadMode.</summary>
        public enum ImageReadMode
        {
            /// <summary>As stored: 1 (gray), 2 (gray + alpha, PNG), 3 (RGB) or 4 (RGBA) channels.</summary>
            UNCHANGED = 0,
            GRAY = 1,
            GRAY_ALPHA = 2,
            RGB = 3,
            RGB_ALPHA = 4,
        }

        /// <summary>
        /// torchvision.io.read_image: a PNG, JPEG, WebP, GIF or BMP file as a uint8 C×H×W tensor (decoded by SkiaSharp).
        /// Colour to gray uses libpng's rgb_to_gray with torchvision's weights (0.2989, 0.587), as torchvision does for PNGs.
        /// </summary>
        public static Tensor read_image(string path, ImageReadMode mode = ImageReadMode.UNCHANGED)
        {
            ArgumentNullException.ThrowIfNull(path);
            if (!File.Exists(path)) throw new FileNotFoundException($"read_image: no such file '{path}'", path);
            return decode_image(File.ReadAllBytes(path), mode, path);
        }

        /// <summary>Decodes encoded image bytes (PNG, JPEG, WebP, GIF, BMP) to a uint8 C×H×W tensor.</summary>
        public static Tensor decode_image(byte[] data, ImageReadMode mode = ImageReadMode.UNCHANGED) => decode_image(data, mode, "the given bytes");

        static Tensor decode_image(byte[] data, ImageReadMode mode, string what)
        {
            ArgumentNullException.ThrowIfNull(data);
            if (mode is < ImageReadMode.UNCHANGED or > ImageReadMode.RGB_ALPHA)
                throw new ArgumentException($"read_image: unknown mode {(int)mode}; expected UNCHANGED, GRAY, GRAY_ALPHA, RGB or RGB_ALPHA", nameof(mode));
            using var codec = SKCodec.Create(new MemoryStream(data, writable: false))
                ?? throw new ArgumentException($"read_image: {what} is not an image SkiaSharp can decode (PNG, JPEG, WebP, GIF, BMP)");
            int w = codec.Info.Width, h = codec.Info.Height;
            int c = mode == ImageReadMode.UNCHANGED ? StoredChannels(data, codec) : (int)mode;

            // Unpremultiplied, and no colour space on the destination: the stored values come back untouched, as libpng gives them.
            var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul);
            var px = new byte[info.BytesSize];
            var handle = GCHandle.Alloc(px, GCHandleType.Pinned);
            try
            {
                var r = codec.GetPixels(info, handle.AddrOfPinnedObject());
                if (r != SKCodecResult.Success && r != SKCodecResult.IncompleteInput)
                    throw new ArgumentException($"read_image: could not decode {what}: {r}");
            }
            finally { handle.Free(); }

            var chw = new byte[c * h * w];
            int plane = h * w;
            for (int i = 0; i < plane; i++)
            {
                int s = i * 4;
                byte red = px[s], green = px[s + 1], blue = px[s + 2], alpha = px[s + 3];
                switch (c)
                {
                    case 1: chw[i] = Gray(red, green, blue); break;
                    case 2: chw[i] = Gray(red, green, blue); chw[plane + i] = alpha; break;
                    case 3: chw[i] = red; chw[plane + i] = green; chw[2 * plane + i] = blue; break;
                    default: chw[i] = red; chw[plane + i] = green; chw[2 * plane + i] = blue; chw[3 * plane + i] = alpha; break;
                }
            }
            return torch.tensor(chw, [c, h, w], dtype: torch.uint8);
        }

        // libpng's png_do_rgb_to_gray for 8-bit samples with the weights torchvision passes (png_set_rgb_to_gray(p, 1, 0.2989, 0.587)):
        // 15-bit fixed point 29890·32768/100000 = 9794, 58700·32768/100000 = 19234, blue the rest; truncated; gray stays as is.
        static byte Gray(byte r, byte g, byte b) =>
            r == g && g == b ? r : (byte)((9794 * r + 19234 * g + 3740 * b) >> 15);

        // The channel count as stored: PNG says it in its header's colour type; other formats by Skia's reading of them.
        static int StoredChannels(byte[] data, SKCodec codec)
        {
            if (codec.EncodedFormat == SKEncodedImageFormat.Png && data.Length > 25)
                switch (data[25])
                {
                    case 0: return 1;
                    case 4: return 2;
                    case 2: return 3;
                    case 6: return 4;
                }
            if (codec.Info.ColorType == SKColorType.Gray8) return 1;
            return codec.Info.AlphaType == SKAlphaType.Opaque ? 3 : 4;
        }
    }
}
