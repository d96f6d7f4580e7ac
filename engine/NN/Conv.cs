namespace Torchlet
{
    /// <summary>A convolution's padding given by name (PyTorch's <c>padding='valid'</c> / <c>'same'</c>).</summary>
    public enum Padding { Valid = 0, Same = 1 }

    public static partial class torch
    {
        public static partial class nn
        {
            public static partial class functional
            {
                /// <summary>1-D convolution over [N, C, L] (or unbatched [C, L]); weight [out, in/groups, k].</summary>
                public static Tensor conv1d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null, long[]? dilation = null, long groups = 1) =>
                    ConvN(input, weight, bias, 1, stride, padding, dilation, groups);

                /// <summary>1-D convolution with padding given by name (Padding.Same keeps the length; stride must be 1).</summary>
                public static Tensor conv1d(Tensor input, Tensor weight, Tensor? bias, long[]? stride, Padding padding, long[]? dilation = null, long groups = 1) =>
                    ConvN(input, weight, bias, 1, stride, padding, dilation, groups);

                /// <summary>2-D convolution over [N, C, H, W] (or unbatched [C, H, W]); weight [out, in/groups, kH, kW].</summary>
                public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null, long[]? dilation = null, long groups = 1) =>
                    ConvN(input, weight, bias, 2, stride, padding, dilation, groups);

                /// <summary>2-D convolution with padding given by name (Padding.Same keeps H and W; stride must be 1).</summary>
                public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias, long[]? stride, Padding padding, long[]? dilation = null, long groups = 1) =>
                    ConvN(input, weight, bias, 2, stride, padding, dilation, groups);

                /// <summary>3-D convolution over [N, C, D, H, W] (or unbatched [C, D, H, W]); weight [out, in/groups, kD, kH, kW].</summary>
                public static Tensor conv3d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null, long[]? dilation = null, long groups = 1) =>
                    ConvN(input, weight, bias, 3, stride, padding, dilation, groups);

                /// <summary>3-D convolution with padding given by name.</summary>
                public static Tensor conv3d(Tensor input, Tensor weight, Tensor? bias, long[]? stride, Padding padding, long[]? dilation = null, long groups = 1) =>
                    ConvN(input, weight, bias, 3, stride, padding, dilation, groups);

                /// <summary>1-D transposed convolution ("deconvolution"); weight [in, out/groups, k].</summary>
                public static Tensor conv_transpose1d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null, long[]? output_padding = null, long groups = 1, long[]? dilation = null) =>
                    ConvTransposeN(input, weight, bias, 1, stride, padding, output_padding, groups, dilation);

                /// <summary>2-D transposed convolution; weight [in, out/groups, kH, kW].</summary>
                public static Tensor conv_transpose2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null, long[]? output_padding = null, long groups = 1, long[]? dilation = null) =>
                    ConvTransposeN(input, weight, bias, 2, stride, padding, output_padding, groups, dilation);

                /// <summary>3-D transposed convolution; weight [in, out/groups, kD, kH, kW].</summary>
                public static Tensor conv_transpose3d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null, long[]? output_padding = null, long groups = 1, long[]? dilation = null) =>
                    ConvTransposeN(input, weight, bias, 3, stride, padding, output_padding, groups, dilation);

                static Tensor ConvN(Tensor input, Tensor weight, Tensor? bias, int nsp, long[]? stride, long[]? padding, long[]? dilation, long groups)
                {
                    ConvArgs.CheckRank(input, nsp, false, null);
                    var s = ConvArgs.Expand(stride, nsp, 1, "stride");
                    var p = ConvArgs.Expand(padding, nsp, 0, "padding");
                    var d = ConvArgs.Expand(dilation, nsp, 1, "dilation");
                    return ConvArgs.Conv(input, weight, bias, nsp, s, p, p, d, ConvArgs.Int(groups, "groups"), null);
                }

                static Tensor ConvN(Tensor input, Tensor weight, Tensor? bias, int nsp, long[]? stride, Padding padding, long[]? dilation, long groups)
                {
                    ConvArgs.CheckRank(input, nsp, false, null);
                    var s = ConvArgs.Expand(stride, nsp, 1, "stride");
                    var d = ConvArgs.Expand(dilation, nsp, 1, "dilation");
                    if (padding == Padding.Valid) return ConvArgs.Conv(input, weight, bias, nsp, s, new int[nsp], new int[nsp], d, ConvArgs.Int(groups, "groups"), null);
                    // A weight of the wrong rank gets its error from the shape checks.
                    var (l, r) = weight.dim() == nsp + 2 ? ConvArgs.Same(weight._shape[2..], d, s, null) : (new int[nsp], new int[nsp]);
                    return ConvArgs.Conv(input, weight, bias, nsp, s, l, r, d, ConvArgs.Int(groups, "groups"), null);
                }

                static Tensor ConvTransposeN(Tensor input, Tensor weight, Tensor? bias, int nsp, long[]? stride, long[]? padding, long[]? outputPadding, long groups, long[]? dilation)
                {
                    ConvArgs.CheckRank(input, nsp, true, null);
                    var s = ConvArgs.Expand(stride, nsp, 1, "stride");
                    var p = ConvArgs.Expand(padding, nsp, 0, "padding");
                    var op = ConvArgs.Expand(outputPadding, nsp, 0, "output_padding");
                    var d = ConvArgs.Expand(dilation, nsp, 1, "dilation");
                    return ConvArgs.ConvTranspose(input, weight, bias, nsp, s, p, op, ConvArgs.Int(groups, "groups"), d, null);
                }
            }
        }

        /// <summary>torch.conv1d: the same as nn.functional.conv1d.</summary>
        public static Tensor conv1d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null, long[]? dilation = null, long groups = 1) =>
            nn.functional.conv1d(input, weight, bias, stride, padding, dilation, groups);
        public static Tensor conv1d(Tensor input, Tensor weight, Tensor? bias, long[]? stride, Padding padding, long[]? dilation = null, long groups = 1) =>
            nn.functional.conv1d(input, weight, bias, stride, padding, dilation, groups);
        /// <summary>torch.conv2d: the same as nn.functional.conv2d.</summary>
        public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null, long[]? dilation = null, long groups = 1) =>
            nn.functional.conv2d(input, weight, bias, stride, padding, dilation, groups);
        public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias, long[]? stride, Padding padding, long[]? dilation = null, long groups = 1) =>
            nn.functional.conv2d(input, weight, bias, stride, padding, dilation, groups);
        /// <summary>torch.conv3d: the same as nn.functional.conv3d.</summary>
        public static Tensor conv3d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null, long[]? dilation = null, long groups = 1) =>
            nn.functional.conv3d(input, weight, bias, stride, padding, dilation, groups);
        public static Tensor conv3d(Tensor input, Tensor weight, Tensor? bias, long[]? stride, Padding padding, long[]? dilation = null, long groups = 1) =>
            nn.functional.conv3d(input, weight, bias, stride, padding, dilation, groups);
        public static Tensor conv_transpose1d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null, long[]? output_padding = null, long groups = 1, long[]? dilation = null) =>
            nn.functional.conv_transpose1d(input, weight, bias, stride, padding, output_padding, groups, dilation);
        public static Tensor conv_transpose2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null, long[]? output_padding = null, long groups = 1, long[]? dilation = null) =>
            nn.functional.conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation);
        public static Tensor conv_transpose3d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null, long[]? output_padding = null, long groups = 1, long[]? dilation = null) =>
            nn.functional.conv_transpose3d(input, weight, bias, stride, padding, output_padding, groups, dilation);
    }
}

namespace Torchlet.Modules
{
    /// <summary>
    /// PyTorch's _ConvNd: the parameters, options and repr shared by Conv1d/2d/3d and
    /// ConvTranspose1d/2d/3d. The weight is [out, in/groups, k...] for a convolution and
    /// [in, out/groups, k...] for a transposed one.
    /// </summary>
    public abstract class ConvNd : torch.nn.Layer<Tensor, Tensor>
    {
        public Parameter weight { get; set; }
        public Parameter? bias { get; set; }

        public long in_channels { get; }
        public long out_channels { get; }
        public long[] kernel_size { get; }
        public long[] stride { get; }
        /// <summary>The padding on each side per dim; for padding='same' the amount before each dim (the one after may be one more).</summary>
        public long[] padding { get; }
        /// <summary>Padding.Same or Padding.Valid when the padding was given by name (PyTorch's padding='same'), else null.</summary>
        public Padding? named_padding { get; }
        public long[] dilation { get; }
        public bool transposed { get; }
        public long[] output_padding { get; }
        public long groups { get; }
        public PaddingModes padding_mode { get; }

        private protected readonly int _nsp;
        private protected readonly int[] _stride, _padL, _padR, _dilation, _outputPadding;

        private protected ConvNd(string name, int nsp, long in_channels, long out_channels, long[] kernel_size, long[] stride, long[] padding, Padding? named,
            long[] dilation, bool transposed, long[] output_padding, long groups, bool bias, PaddingModes padding_mode, ScalarType? dtype)
            : base(name)
        {
            if (transposed && padding_mode != PaddingModes.Zeros)
                throw new ArgumentException($"Only \"zeros\" padding mode is supported for {name} (got padding_mode='{Pad.ModeName(padding_mode)}')");
            if (groups <= 0) throw new ArgumentException($"groups must be a positive integer ({name}: got groups={groups})");
            if (in_channels % groups != 0) throw new ArgumentException($"in_channels must be divisible by groups ({name}: in_channels={in_channels}, groups={groups})");
            if (out_channels % groups != 0) throw new ArgumentException($"out_channels must be divisible by groups ({name}: out_channels={out_channels}, groups={groups})");
            if (in_channels < 0 || out_channels < 0) throw new ArgumentException($"{name}: in_channels and out_channels must not be negative (got {in_channels} and {out_channels})");
            if (kernel_size.Any(k => k <= 0)) throw new ArgumentException($"{name}: kernel_size must be positive, got {Args.Py(kernel_size)}");
            if (named == Padding.Same && stride.Any(s => s != 1)) throw new ArgumentException($"padding='same' is not supported for strided convolutions ({name}: stride={Args.Py(stride)})");
            if (padding_mode is not (PaddingModes.Zeros or PaddingModes.Reflect or PaddingModes.Replicate or PaddingModes.Circular))
                throw new ArgumentException($"padding_mode must be one of {{'zeros', 'reflect', 'replicate', 'circular'}}, but got padding_mode='{Pad.ModeName(padding_mode)}'");
            if (!(dtype ?? ScalarType.Float32).IsFloating())
                throw new ArgumentException($"{name}: parameters must be floating point, got dtype {(dtype ?? ScalarType.Float32).TorchName()}");
            _nsp = nsp;
            this.in_channels = in_channels; this.out_channels = out_channels;
            this.kernel_size = kernel_size; this.stride = stride; this.dilation = dilation;
            this.transposed = transposed; this.output_padding = output_padding; this.groups = groups;
            this.padding_mode = padding_mode; named_padding = named;
            _stride = Ints(stride, "stride"); _dilation = Ints(dilation, "dilation"); _outputPadding = Ints(output_padding, "output_padding");
            if (named == Padding.Same)
                (_padL, _padR) = ConvArgs.Same(Ints(kernel_size, "kernel_size"), _dilation, _stride, null);
            else { _padL = Ints(padding, "padding"); _padR = _padL; }
            this.padding = _padL.Select(v => (long)v).ToArray();

            long[] wShape = transposed ? [in_channels, out_channels / groups, .. kernel_size] : [out_channels, in_channels / groups, .. kernel_size];
            weight = new Parameter(torch.empty(wShape, dtype));
            this.bias = bias ? new Parameter(torch.empty([out_channels], dtype)) : null;
            reset_parameters();
        }

        static int[] Ints(long[] v, string name) => v.Select(x => ConvArgs.Int(x, name)).ToArray();

        /// <summary>PyTorch's default init: kaiming_uniform_(a=√5) for the weight, U(−1/√fan_in, 1/√fan_in) for the bias.</summary>
        public void reset_parameters()
        {
            torch.nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
            if (bias is not null)
            {
                var (fanIn, _) = torch.nn.init._calculate_fan_in_and_fan_out(weight);
                if (fanIn != 0)
                {
                    double bound = 1 / Math.Sqrt(fanIn);
                    torch.nn.init.uniform_(bias, -bound, bound);
                }
            }
        }

        public override string extra_repr()
        {
            var s = $"{in_channels}, {out_channels}, kernel_size={Args.Py(kernel_size)}, stride={Args.Py(stride)}";
            if (named_padding is { } n) s += $", padding={(n == Padding.Same ? "same" : "valid")}";
            else if (padding.Any(p => p != 0)) s += $", padding={Args.Py(padding)}";
            if (dilation.Any(d => d != 1)) s += $", dilation={Args.Py(dilation)}";
            if (output_padding.Any(p => p != 0)) s += $", output_padding={Args.Py(output_padding)}";
            if (groups != 1) s += $", groups={groups}";
            if (bias is null) s += ", bias=False";
            if (padding_mode != PaddingModes.Zeros) s += $", padding_mode={Pad.ModeName(padding_mode)}";
            return s;
        }
    }

    /// <summary>A 1-, 2- or 3-d convolution layer (Conv1d/Conv2d/Conv3d).</summary>
    public abstract class ConvolutionNd : ConvNd
    {
        private protected ConvolutionNd(string name, int nsp, long in_channels, long out_channels, long[] kernel_size, long[] stride, long[] padding, Padding? named,
            long[] dilation, long groups, bool bias, PaddingModes padding_mode, ScalarType? dtype)
            : base(name, nsp, in_channels, out_channels, kernel_size, stride, padding, named, dilation, false, new long[nsp], groups, bias, padding_mode, dtype) { }

        /// <summary>
        /// Convolves [N, C, *spatial] (or unbatched [C, *spatial]). A wrong input gives an error that
        /// starts with this layer's repr; a too-small one shows the output-size formula with its numbers.
        /// </summary>
        protected override Tensor Forward(Tensor input) =>
            ConvArgs.Conv(input, weight, bias, _nsp, _stride, _padL, _padR, _dilation, ConvArgs.Int(groups, "groups"), this, padding_mode);
    }

    public sealed class Conv1d : ConvolutionNd
    {
        internal Conv1d(long in_channels, long out_channels, long[] kernel_size, long[] stride, long[] padding, Padding? named, long[] dilation, long groups, bool bias, PaddingModes padding_mode, ScalarType? dtype)
            : base(nameof(Conv1d), 1, in_channels, out_channels, kernel_size, stride, padding, named, dilation, groups, bias, padding_mode, dtype) { }
    }

    public sealed class Conv2d : ConvolutionNd
    {
        internal Conv2d(long in_channels, long out_channels, long[] kernel_size, long[] stride, long[] padding, Padding? named, long[] dilation, long groups, bool bias, PaddingModes padding_mode, ScalarType? dtype)
            : base(nameof(Conv2d), 2, in_channels, out_channels, kernel_size, stride, padding, named, dilation, groups, bias, padding_mode, dtype) { }
    }

    public sealed class Conv3d : ConvolutionNd
    {
        internal Conv3d(long in_channels, long out_channels, long[] kernel_size, long[] stride, long[] padding, Padding? named, long[] dilation, long groups, bool bias, PaddingModes padding_mode, ScalarType? dtype)
            : base(nameof(Conv3d), 3, in_channels, out_channels, kernel_size, stride, padding, named, dilation, groups, bias, padding_mode, dtype) { }
    }

    /// <summary>A 1-, 2- or 3-d transposed convolution layer ("deconvolution"; the gradient of a convolution).</summary>
    public abstract class ConvTransposeNd : ConvNd
    {
        private protected ConvTransposeNd(string name, int nsp, long in_channels, long out_channels, long[] kernel_size, long[] stride, long[] padding,
            long[] output_padding, long groups, bool bias, long[] dilation, PaddingModes padding_mode, ScalarType? dtype)
            : base(name, nsp, in_channels, out_channels, kernel_size, stride, padding, null, dilation, true, output_padding, groups, bias, padding_mode, dtype) { }

        protected override Tensor Forward(Tensor input) => forward(input, null);

        /// <summary>
        /// With <paramref name="output_size"/> (the spatial sizes, or with the batch and channel dims
        /// too) the output padding is chosen to give that size, as PyTorch's forward(input, output_size).
        /// </summary>
        public Tensor forward(Tensor input, long[]? output_size)
        {
            var outPad = output_size is null ? _outputPadding : OutputPadding(input, output_size);
            return ConvArgs.ConvTranspose(input, weight, bias, _nsp, _stride, _padL, outPad, ConvArgs.Int(groups, "groups"), _dilation, this);
        }

        /// <summary>PyTorch's _output_padding: the output_padding that gives the requested size, checked against the valid range.</summary>
        int[] OutputPadding(Tensor input, long[] outputSize)
        {
            int nsp = _nsp;
            ConvArgs.CheckRank(input, nsp, true, this);
            bool batched = input.dim() == nsp + 2;
            int nonSpatial = batched ? 2 : 1;
            if (outputSize.Length == nonSpatial + nsp) outputSize = outputSize[nonSpatial..];
            if (outputSize.Length != nsp)
                throw new ArgumentException($"{this}: ConvTranspose{nsp}D: for {input.dim()}D input, output_size must have {nsp} or {nonSpatial + nsp} elements (got {outputSize.Length})");
            var min = new long[nsp]; var max = new long[nsp];
            for (int d = 0; d < nsp; d++)
            {
                min[d] = (input.size(d + nonSpatial) - 1) * _stride[d] - 2L * _padL[d] + (long)_dilation[d] * (kernel_size[d] - 1) + 1;
                max[d] = min[d] + _stride[d] - 1;
            }
            for (int d = 0; d < nsp; d++)
                if (outputSize[d] < min[d] || outputSize[d] > max[d])
                    throw new ArgumentException($"{this}: requested an output size of [{string.Join(", ", outputSize)}], but valid sizes range from [{string.Join(", ", min)}] to [{string.Join(", ", max)}] (for an input of torch.Size([{string.Join(", ", input.shape[nonSpatial..])}]))");
            return Enumerable.Range(0, nsp).Select(d => checked((int)(outputSize[d] - min[d]))).ToArray();
        }
    }

    public sealed class ConvTranspose1d : ConvTransposeNd
    {
        internal ConvTranspose1d(long in_channels, long out_channels, long[] kernel_size, long[] stride, long[] padding, long[] output_padding, long groups, bool bias, long[] dilation, PaddingModes padding_mode, ScalarType? dtype)
            : base(nameof(ConvTranspose1d), 1, in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation, padding_mode, dtype) { }
    }

    public sealed class ConvTranspose2d : ConvTransposeNd
    {
        internal ConvTranspose2d(long in_channels, long out_channels, long[] kernel_size, long[] stride, long[] padding, long[] output_padding, long groups, bool bias, long[] dilation, PaddingModes padding_mode, ScalarType? dtype)
            : base(nameof(ConvTranspose2d), 2, in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation, padding_mode, dtype) { }
    }

    public sealed class ConvTranspose3d : ConvTransposeNd
    {
        internal ConvTranspose3d(long in_channels, long out_channels, long[] kernel_size, long[] stride, long[] padding, long[] output_padding, long groups, bool bias, long[] dilation, PaddingModes padding_mode, ScalarType? dtype)
            : base(nameof(ConvTranspose3d), 3, in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation, padding_mode, dtype) { }
    }
}

namespace Torchlet
{
    using Torchlet.Modules;

    public static partial class torch
    {
        public static partial class nn
        {
            static long[] ConvSize(long v, int n) => Args.Expand(v, n);
            static long[] ConvSize((long, long) v) => Args.Expand(v);
            static long[] ConvSize((long, long, long) v) => Args.Expand(v);

            // ---------------------------------------------------------------- Conv1d

            /// <summary>1-D convolution over [N, C, L] (notes §2.7). Parameters weight [out, in/groups, k] and bias [out].</summary>
            public static Conv1d Conv1d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1,
                long groups = 1, bool bias = true, PaddingModes padding_mode = PaddingModes.Zeros, ScalarType? dtype = null) =>
                new(in_channels, out_channels, ConvSize(kernel_size, 1), ConvSize(stride, 1), ConvSize(padding, 1), null, ConvSize(dilation, 1), groups, bias, padding_mode, dtype);

            /// <summary>1-D convolution with padding by name: Padding.Same keeps the length (stride 1 only), Padding.Valid pads nothing.</summary>
            public static Conv1d Conv1d(long in_channels, long out_channels, long kernel_size, Padding padding, long stride = 1, long dilation = 1,
                long groups = 1, bool bias = true, PaddingModes padding_mode = PaddingModes.Zeros, ScalarType? dtype = null) =>
                new(in_channels, out_channels, ConvSize(kernel_size, 1), ConvSize(stride, 1), ConvSize(0, 1), padding, ConvSize(dilation, 1), groups, bias, padding_mode, dtype);

            // ---------------------------------------------------------------- Conv2d

            /// <summary>2-D convolution over [N, C, H, W] (notes §2.7). Parameters weight [out, in/groups, kH, kW] and bias [out].</summary>
            public static Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1,
                long groups = 1, bool bias = true, PaddingModes padding_mode = PaddingModes.Zeros, ScalarType? dtype = null) =>
                new(in_channels, out_channels, ConvSize(kernel_size, 2), ConvSize(stride, 2), ConvSize(padding, 2), null, ConvSize(dilation, 2), groups, bias, padding_mode, dtype);

            /// <summary>2-D convolution with per-dim (height, width) sizes.</summary>
            public static Conv2d Conv2d(long in_channels, long out_channels, (long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null,
                (long, long)? dilation = null, long groups = 1, bool bias = true, PaddingModes padding_mode = PaddingModes.Zeros, ScalarType? dtype = null) =>
                new(in_channels, out_channels, ConvSize(kernel_size), ConvSize(stride ?? (1, 1)), ConvSize(padding ?? (0, 0)), null, ConvSize(dilation ?? (1, 1)), groups, bias, padding_mode, dtype);

            /// <summary>2-D convolution with padding by name: Padding.Same keeps H and W (stride 1 only), Padding.Valid pads nothing.</summary>
            public static Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, Padding padding, long stride = 1, long dilation = 1,
                long groups = 1, bool bias = true, PaddingModes padding_mode = PaddingModes.Zeros, ScalarType? dtype = null) =>
                new(in_channels, out_channels, ConvSize(kernel_size, 2), ConvSize(stride, 2), ConvSize(0, 2), padding, ConvSize(dilation, 2), groups, bias, padding_mode, dtype);

            public static Conv2d Conv2d(long in_channels, long out_channels, (long, long) kernel_size, Padding padding, (long, long)? stride = null,
                (long, long)? dilation = null, long groups = 1, bool bias = true, PaddingModes padding_mode = PaddingModes.Zeros, ScalarType? dtype = null) =>
                new(in_channels, out_channels, ConvSize(kernel_size), ConvSize(stride ?? (1, 1)), ConvSize(0, 2), padding, ConvSize(dilation ?? (1, 1)), groups, bias, padding_mode, dtype);

            // ---------------------------------------------------------------- Conv3d

            /// <summary>3-D convolution over [N, C, D, H, W]. Parameters weight [out, in/groups, kD, kH, kW] and bias [out].</summary>
            public static Conv3d Conv3d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1,
                long groups = 1, bool bias = true, PaddingModes padding_mode = PaddingModes.Zeros, ScalarType? dtype = null) =>
                new(in_channels, out_channels, ConvSize(kernel_size, 3), ConvSize(stride, 3), ConvSize(padding, 3), null, ConvSize(dilation, 3), groups, bias, padding_mode, dtype);

            public static Conv3d Conv3d(long in_channels, long out_channels, (long, long, long) kernel_size, (long, long, long)? stride = null, (long, long, long)? padding = null,
                (long, long, long)? dilation = null, long groups = 1, bool bias = true, PaddingModes padding_mode = PaddingModes.Zeros, ScalarType? dtype = null) =>
                new(in_channels, out_channels, ConvSize(kernel_size), ConvSize(stride ?? (1, 1, 1)), ConvSize(padding ?? (0, 0, 0)), null, ConvSize(dilation ?? (1, 1, 1)), groups, bias, padding_mode, dtype);

            public static Conv3d Conv3d(long in_channels, long out_channels, long kernel_size, Padding padding, long stride = 1, long dilation = 1,
                long groups = 1, bool bias = true, PaddingModes padding_mode = PaddingModes.Zeros, ScalarType? dtype = null) =>
                new(in_channels, out_channels, ConvSize(kernel_size, 3), ConvSize(stride, 3), ConvSize(0, 3), padding, ConvSize(dilation, 3), groups, bias, padding_mode, dtype);

            public static Conv3d Conv3d(long in_channels, long out_channels, (long, long, long) kernel_size, Padding padding, (long, long, long)? stride = null,
                (long, long, long)? dilation = null, long groups = 1, bool bias = true, PaddingModes padding_mode = PaddingModes.Zeros, ScalarType? dtype = null) =>
                new(in_channels, out_channels, ConvSize(kernel_size), ConvSize(stride ?? (1, 1, 1)), ConvSize(0, 3), padding, ConvSize(dilation ?? (1, 1, 1)), groups, bias, padding_mode, dtype);

            // ---------------------------------------------------------------- ConvTranspose1d/2d/3d

            /// <summary>1-D transposed convolution. Parameters weight [in, out/groups, k] and bias [out].</summary>
            public static ConvTranspose1d ConvTranspose1d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long output_padding = 0,
                long groups = 1, bool bias = true, long dilation = 1, PaddingModes padding_mode = PaddingModes.Zeros, ScalarType? dtype = null) =>
                new(in_channels, out_channels, ConvSize(kernel_size, 1), ConvSize(stride, 1), ConvSize(padding, 1), ConvSize(output_padding, 1), groups, bias, ConvSize(dilation, 1), padding_mode, dtype);

            /// <summary>2-D transposed convolution (the DCGAN generator's layer). Parameters weight [in, out/groups, kH, kW] and bias [out].</summary>
            public static ConvTranspose2d ConvTranspose2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long output_padding = 0,
                long groups = 1, bool bias = true, long dilation = 1, PaddingModes padding_mode = PaddingModes.Zeros, ScalarType? dtype = null) =>
                new(in_channels, out_channels, ConvSize(kernel_size, 2), ConvSize(stride, 2), ConvSize(padding, 2), ConvSize(output_padding, 2), groups, bias, ConvSize(dilation, 2), padding_mode, dtype);

            public static ConvTranspose2d ConvTranspose2d(long in_channels, long out_channels, (long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null,
                (long, long)? output_padding = null, long groups = 1, bool bias = true, (long, long)? dilation = null, PaddingModes padding_mode = PaddingModes.Zeros, ScalarType? dtype = null) =>
                new(in_channels, out_channels, ConvSize(kernel_size), ConvSize(stride ?? (1, 1)), ConvSize(padding ?? (0, 0)), ConvSize(output_padding ?? (0, 0)), groups, bias, ConvSize(dilation ?? (1, 1)), padding_mode, dtype);

            /// <summary>3-D transposed convolution. Parameters weight [in, out/groups, kD, kH, kW] and bias [out].</summary>
            public static ConvTranspose3d ConvTranspose3d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long output_padding = 0,
                long groups = 1, bool bias = true, long dilation = 1, PaddingModes padding_mode = PaddingModes.Zeros, ScalarType? dtype = null) =>
                new(in_channels, out_channels, ConvSize(kernel_size, 3), ConvSize(stride, 3), ConvSize(padding, 3), ConvSize(output_padding, 3), groups, bias, ConvSize(dilation, 3), padding_mode, dtype);

            public static ConvTranspose3d ConvTranspose3d(long in_channels, long out_channels, (long, long, long) kernel_size, (long, long, long)? stride = null, (long, long, long)? padding = null,
                (long, long, long)? output_padding = null, long groups = 1, bool bias = true, (long, long, long)? dilation = null, PaddingModes padding_mode = PaddingModes.Zeros, ScalarType? dtype = null) =>
                new(in_channels, out_channels, ConvSize(kernel_size), ConvSize(stride ?? (1, 1, 1)), ConvSize(padding ?? (0, 0, 0)), ConvSize(output_padding ?? (0, 0, 0)), groups, bias, ConvSize(dilation ?? (1, 1, 1)), padding_mode, dtype);
        }
    }
}
