namespace Torchlet
{
    /// <summary>nn.Upsample's modes (TorchSharp's enum).</summary>
    public enum UpsampleMode { Nearest, Linear, Bilinear, Bicubic, Trilinear }

    /// <summary>functional.interpolate's modes (TorchSharp's enum).</summary>
    public enum InterpolationMode { Nearest, Linear, Bilinear, Bicubic, Trilinear, Area, NearestExact }

    public static partial class torch
    {
        public static partial class nn
        {
            public static partial class functional
            {
                /// <summary>
                /// Resizes the spatial dims of an (N, C, d1[, d2[, d3]]) input to <paramref name="size"/> or by
                /// <paramref name="scale_factor"/> (one value repeats over the dims), as PyTorch 1.13's F.interpolate.
                /// </summary>
                public static Tensor interpolate(Tensor input, long[]? size = null, double[]? scale_factor = null, InterpolationMode mode = InterpolationMode.Nearest,
                    bool? align_corners = null, bool? recompute_scale_factor = null) =>
                    UpsampleOps.Interpolate(input, size, scale_factor, mode, align_corners, recompute_scale_factor);

                /// <summary>F.interpolate with PyTorch's mode strings ("nearest", "bilinear", "nearest-exact", ...).</summary>
                public static Tensor interpolate(Tensor input, string mode, long[]? size = null, double[]? scale_factor = null,
                    bool? align_corners = null, bool? recompute_scale_factor = null) =>
                    UpsampleOps.Interpolate(input, size, scale_factor, UpsampleOps.Parse(mode), align_corners, recompute_scale_factor);

                public static Tensor upsample(Tensor input, long[]? size = null, double[]? scale_factor = null, UpsampleMode mode = UpsampleMode.Nearest, bool? align_corners = null) =>
                    UpsampleOps.Interpolate(input, size, scale_factor, UpsampleOps.From(mode), align_corners, null);

                public static Tensor upsample_nearest(Tensor input, long[]? size = null, double[]? scale_factor = null) =>
                    UpsampleOps.Interpolate(input, size, scale_factor, InterpolationMode.Nearest, null, null);

                /// <summary>F.upsample_bilinear: bilinear with align_corners=True.</summary>
                public static Tensor upsample_bilinear(Tensor input, long[]? size = null, double[]? scale_factor = null) =>
                    UpsampleOps.Interpolate(input, size, scale_factor, InterpolationMode.Bilinear, true, null);
            }
        }
    }
}

namespace Torchlet
{
    using Torchlet.Modules;

    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>nn.Upsample with a size or scale factor per spatial dim (printed as a tuple).</summary>
            public static Upsample Upsample(long[]? size = null, double[]? scale_factor = null, UpsampleMode mode = UpsampleMode.Nearest,
                bool? align_corners = null, bool? recompute_scale_factor = null) =>
                new(nameof(Upsample), size, true, scale_factor, true, mode, align_corners, recompute_scale_factor);

            /// <summary>nn.Upsample with one size or scale factor for every spatial dim (printed as a number).</summary>
            public static Upsample Upsample(long? size = null, double? scale_factor = null, UpsampleMode mode = UpsampleMode.Nearest,
                bool? align_corners = null, bool? recompute_scale_factor = null) =>
                new(nameof(Upsample), size is { } s ? [s] : null, false, scale_factor is { } f ? [f] : null, false, mode, align_corners, recompute_scale_factor);

            public static UpsamplingNearest2d UpsamplingNearest2d(long[]? size = null, double[]? scale_factor = null) => new(size, true, scale_factor, true);
            public static UpsamplingNearest2d UpsamplingNearest2d(long? size = null, double? scale_factor = null) =>
                new(size is { } s ? [s] : null, false, scale_factor is { } f ? [f] : null, false);

            /// <summary>Bilinear upsampling with align_corners=True.</summary>
            public static UpsamplingBilinear2d UpsamplingBilinear2d(long[]? size = null, double[]? scale_factor = null) => new(size, true, scale_factor, true);
            public static UpsamplingBilinear2d UpsamplingBilinear2d(long? size = null, double? scale_factor = null) =>
                new(size is { } s ? [s] : null, false, scale_factor is { } f ? [f] : null, false);
        }
    }
}

namespace Torchlet.Modules
{
    /// <summary>nn.Upsample: functional.interpolate with fixed arguments. extra_repr prints size or scale_factor as given, and the mode.</summary>
    public class Upsample : torch.nn.Layer<Tensor, Tensor>
    {
        readonly bool _sizeTuple, _scaleTuple;
        readonly long[]? _size;
        readonly double[]? _scale;

        internal Upsample(string name, long[]? size, bool sizeTuple, double[]? scale_factor, bool scaleTuple, UpsampleMode mode, bool? align_corners, bool? recompute_scale_factor)
            : base(name)
        {
            _size = (long[]?)size?.Clone(); _sizeTuple = sizeTuple;
            _scale = (double[]?)scale_factor?.Clone(); _scaleTuple = scaleTuple;
            this.mode = mode; this.align_corners = align_corners; this.recompute_scale_factor = recompute_scale_factor;
        }

        public long[]? size => (long[]?)_size?.Clone();
        public double[]? scale_factor => (double[]?)_scale?.Clone();
        public UpsampleMode mode { get; }
        public bool? align_corners { get; }
        public bool? recompute_scale_factor { get; }

        public override string extra_repr()
        {
            string info = _scale is not null
                ? "scale_factor=" + (_scaleTuple ? Args.Py(_scale) : Args.Py(_scale[0]))
                : "size=" + (_size is null ? "None" : _sizeTuple ? Args.Py(_size) : Args.Py(_size[0]));
            return info + ", mode=" + UpsampleOps.Name(UpsampleOps.From(mode));
        }

        protected override Tensor Forward(Tensor input) =>
            UpsampleOps.Interpolate(input, _size, _scale, UpsampleOps.From(mode), align_corners, recompute_scale_factor, this);
    }

    public sealed class UpsamplingNearest2d : Upsample
    {
        internal UpsamplingNearest2d(long[]? size, bool sizeTuple, double[]? scale, bool scaleTuple)
            : base(nameof(UpsamplingNearest2d), size, sizeTuple, scale, scaleTuple, UpsampleMode.Nearest, null, null) { }
    }

    public sealed class UpsamplingBilinear2d : Upsample
    {
        internal UpsamplingBilinear2d(long[]? size, bool sizeTuple, double[]? scale, bool scaleTuple)
            : base(nameof(UpsamplingBilinear2d), size, sizeTuple, scale, scaleTuple, UpsampleMode.Bilinear, true, null) { }
    }
}
