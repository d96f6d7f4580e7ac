using Torchlet.Kernels;

namespace Torchlet
{
    /// <summary>
    /// The convolution op behind conv1d/2d/3d and conv_transpose1d/2d/3d, for 1 to 3 spatial dims,
    /// with its backward (ConvolutionBackward0) beside it. Inputs here are batched [N, C, *spatial]
    /// and already validated (see <see cref="ConvArgs"/>).
    /// </summary>
    internal static class Convolution
    {
        /// <summary>
        /// Runs a convolution (or a transposed one) whose output spatial size is <paramref name="outSize"/>.
        /// <paramref name="padL"/> is the padding before each spatial dim; the padding after it follows
        /// from the sizes (so asymmetric 'same' padding needs no padded copy).
        /// </summary>
        internal static Tensor Run(Tensor input, Tensor weight, Tensor? bias, int[] stride, int[] padL, int[] dilation,
            bool transposed, int[] outSize, int groups)
        {
            int nsp = input._shape.Length - 2;
            int n = input._shape[0];
            int outC = transposed ? weight._shape[1] * groups : weight._shape[0];
            var shape = new int[nsp + 2];
            shape[0] = n; shape[1] = outC;
            for (int i = 0; i < nsp; i++) shape[i + 2] = outSize[i];
            var geom = Geometry(input._shape, weight._shape, shape, stride, padL, dilation, transposed, groups);

            var x = input.contiguous_nograd();
            var w = weight.contiguous_nograd();
            var b = bias?.contiguous_nograd();
            var result = Tensor.Empty(shape, input.dtype);
            // Empty channel or spatial extents need no special case: a GEMM with k = 0 writes zeros.
            if (result.Numel > 0)
            {
                if (transposed) Raise(geom, x, w, b, result);
                else Lower(geom, x, w, b, result);
            }

            bool gx = input._requiresGrad, gw = weight._requiresGrad, gb = bias is not null && bias._requiresGrad;
            if (GradMode.Enabled && (gx || gw || gb))
            {
                var sx = gw ? new SavedTensor(input) : default;
                var sw = gx ? new SavedTensor(weight) : default;
                int[] inShape = input._shape, wShape = weight._shape;
                (Tensor?, Tensor?, Tensor?) Backward(Tensor g)
                {
                    Tensor? dx = null, dw = null, db = null;
                    if (GradMode.Enabled)
                    {
                        // create_graph: the gradients as differentiable convolutions, so they can be differentiated again.
                        if (gx) dx = Run(g, sw.Get(), null, stride, padL, dilation, !transposed, inShape[2..], groups);
                        if (gw) dw = transposed
                            ? WeightGradByConv(small: sx.Get(), image: g, wShape, stride, padL, dilation, groups)
                            : WeightGradByConv(small: g, image: sx.Get(), wShape, stride, padL, dilation, groups);
                        if (gb) db = g.sum(Enumerable.Range(0, g.dim()).Where(d => d != 1).Select(d => (long)d).ToArray());
                        return (dx, dw, db);
                    }
                    g = g.contiguous_nograd();
                    if (gx)
                    {
                        dx = Tensor.Empty(inShape, g.dtype);
                        if (dx.Numel > 0)
                        {
                            if (transposed) Lower(geom, g, sw.Get().contiguous_nograd(), null, dx);
                            else Raise(geom, g, sw.Get().contiguous_nograd(), null, dx);
                        }
                    }
                    if (gw)
                    {
                        dw = Tensor.Empty(wShape, g.dtype);
                        var xs = sx.Get().contiguous_nograd();
                        if (transposed) WeightGrad(geom, xs, g, dw);
                        else WeightGrad(geom, g, xs, dw);
                    }
                    if (gb)
                    {
                        db = Tensor.Empty([g._shape[1]], g.dtype);
                        BiasGrad(g, db);
                    }
                    return (dx, dw, db);
                }
                Tensor.RecordOptional(result, "ConvolutionBackward0", Backward, true, input, weight, bias);  // db stays null without bias
            }
            return result;
        }

        /// <summary>The kernels' geometry: the image is the conv's input (or the transposed conv's output).</summary>
        static ConvGeom Geometry(int[] inShape, int[] wShape, int[] outShape, int[] stride, int[] padL, int[] dilation, bool transposed, int groups)
        {
            int nsp = inShape.Length - 2;
            var image = transposed ? outShape : inShape;
            var small = transposed ? inShape : outShape;
            int lead = 3 - nsp;
            int At(int[] a, int d, int dflt, int off) => d < lead ? dflt : a[d - lead + off];
            return new ConvGeom
            {
                N = inShape[0], G = groups,
                Cg = image[1] / groups,
                R = small[1] / groups,
                Xd = At(image, 0, 1, 2), Xh = At(image, 1, 1, 2), Xw = At(image, 2, 1, 2),
                Yd = At(small, 0, 1, 2), Yh = At(small, 1, 1, 2), Yw = At(small, 2, 1, 2),
                Kd = At(wShape, 0, 1, 2), Kh = At(wShape, 1, 1, 2), Kw = At(wShape, 2, 1, 2),
                Sd = At(stride, 0, 1, 0), Sh = At(stride, 1, 1, 0), Sw = At(stride, 2, 1, 0),
                Pd = At(padL, 0, 0, 0), Ph = At(padL, 1, 0, 0), Pw = At(padL, 2, 0, 0),
                Dd = At(dilation, 0, 1, 0), Dh = At(dilation, 1, 1, 0), Dw = At(dilation, 2, 1, 0),
            };
        }

        /// <summary>
        /// The weight gradient Σn small[n] ⋆ image[n] written as a convolution, so that it is itself
        /// differentiable (used only under create_graph): batch and channel dims swap roles, the
        /// kernel is the gradient, stride and dilation trade places, and the output has the kernel's size.
        /// </summary>
        static Tensor WeightGradByConv(Tensor small, Tensor image, int[] wShape, int[] stride, int[] padL, int[] dilation, int groups)
        {
            int nsp = image._shape.Length - 2, n = image._shape[0];
            int cg = image._shape[1] / groups, r = small._shape[1] / groups;
            var sp = Enumerable.Range(3, nsp).Select(i => (long)i).ToArray();
            var xs = Shape.ToLong(image._shape[2..]);
            var ys = Shape.ToLong(small._shape[2..]);
            // image [N, G·Cg, X] → [Cg, G·N, X] (batch ↔ channels); small [N, G·R, Y] → [G·R, N, Y] (the kernel).
            var img = image.reshape([n, groups, cg, .. xs]).permute([2, 1, 0, .. sp]).reshape([cg, (long)groups * n, .. xs]);
            var ker = small.reshape([n, groups, r, .. ys]).permute([1, 2, 0, .. sp]).reshape([(long)groups * r, n, .. ys]);
            // Output position k reads image position k·dilation − pad + y·stride: the original conv's.
            var full = Run(img, ker, null, dilation, padL, stride, false, wShape[2..], groups);
            return full.transpose(0, 1).contiguous();
        }

        // ---------------------------------------------------------------- kernel dispatch

        static void Lower(ConvGeom g, Tensor image, Tensor w, Tensor? b, Tensor small) => Product(g, image, w, b, small, raise: false);

        static void Raise(ConvGeom g, Tensor small, Tensor w, Tensor? b, Tensor image) => Product(g, image, w, b, small, raise: true);

        static void Product(ConvGeom g, Tensor image, Tensor w, Tensor? b, Tensor small, bool raise) =>
            ConvKernels.Product((raise ? small : image).dtype, g, image.At(), w.At(), b?.At() ?? default, small.At(), raise);

        static void WeightGrad(ConvGeom g, Tensor small, Tensor image, Tensor gw) =>
            ConvKernels.WeightGrad(gw.dtype, g, small.At(), image.At(), gw.At());

        static void BiasGrad(Tensor g, Tensor gb)
        {
            int n = g._shape[0], c = g._shape[1], len = n == 0 || c == 0 ? 0 : g.Numel / (n * c);
            ConvKernels.BiasGrad(g.dtype, g.At(), n, c, len, gb.At());
        }
    }

    /// <summary>
    /// Argument handling and PyTorch's checks for the conv functions: sizes normalised to one value
    /// per spatial dim, unbatched inputs, output sizes, and error messages that name the layer and
    /// show the output-size formula with the numbers filled in.
    /// </summary>
    internal static class ConvArgs
    {
        internal static readonly string[][] DimNames = [["length"], ["height", "width"], ["depth", "height", "width"]];
        internal static readonly string[][] DimSymbols = [["L"], ["H", "W"], ["D", "H", "W"]];

        /// <summary>One value per spatial dim from a PyTorch int-or-list argument (null = the default).</summary>
        internal static int[] Expand(long[]? values, int nsp, long dflt, string name)
        {
            values ??= [dflt];
            if (values.Length == 1) return Enumerable.Repeat(Int(values[0], name), nsp).ToArray();
            if (values.Length != nsp)
                throw new ArgumentException($"expected {name} to be a single integer value or a list of {nsp} values to match the convolution dimensions, but got {name}=[{string.Join(", ", values)}]");
            return values.Select(v => Int(v, name)).ToArray();
        }

        /// <summary>A size argument as an int; one past int's range is an ArgumentException naming it (it was an OverflowException).</summary>
        internal static int Int(long value, string name) => value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw new ArgumentException($"{name}={value} is out of the range Torchlet supports for it ({int.MinValue} to {int.MaxValue})");

        /// <summary>Python's tuple text: (3, 3) or (3,).</summary>
        internal static string Tuple(IReadOnlyList<int> v) => v.Count == 1 ? $"({v[0]},)" : "(" + string.Join(", ", v) + ")";

        internal static string Sizes(IReadOnlyList<int> v) => Shape.Str(v.ToArray());

        /// <summary>The op's name in PyTorch's messages: conv2d, conv_transpose2d.</summary>
        static string OpName(bool transposed, int nsp) => (transposed ? "conv_transpose" : "conv") + nsp + "d";

        /// <summary>
        /// Checks the input's rank (nsp+1 unbatched or nsp+2 batched) and returns it batched, with
        /// whether a batch dim was added.
        /// </summary>
        internal static (Tensor batched, bool unbatched) Batch(Tensor input, int nsp, bool transposed, object? layer)
        {
            CheckRank(input, nsp, transposed, layer);
            return input.dim() == nsp + 1 ? (input.unsqueeze(0), true) : (input, false);
        }

        internal static void CheckRank(Tensor input, int nsp, bool transposed, object? layer)
        {
            int d = input.dim();
            if (d != nsp + 1 && d != nsp + 2)
                throw new ArgumentException(Prefix(layer) + $"Expected {nsp + 1}D (unbatched) or {nsp + 2}D (batched) input to {OpName(transposed, nsp)}, but got input of size: {Shape.Str(input._shape)}");
        }

        /// <summary>"Conv2d(...): " for a module (its repr is only built when an error is thrown), "" for the functional form.</summary>
        static string Prefix(object? layer) => layer is null ? "" : layer + ": ";

        /// <summary>
        /// PyTorch's check_shape_forward and argument checks, in its order; returns the output's
        /// spatial size. <paramref name="padR"/> is the padding after each dim (equal to padL unless 'same').
        /// </summary>
        internal static int[] Check(Tensor input, Tensor weight, Tensor? bias, int[] stride, int[] padL, int[] padR, int[] dilation,
            bool transposed, int[] outputPadding, int groups, object? layer)
        {
            int nsp = input.dim() - 2;
            if (padL.Any(v => v < 0) || padR.Any(v => v < 0)) throw new ArgumentException(Prefix(layer) + "negative padding is not supported");
            if (outputPadding.Any(v => v < 0)) throw new ArgumentException(Prefix(layer) + "negative output_padding is not supported");
            if (stride.Any(v => v <= 0)) throw new ArgumentException(Prefix(layer) + "non-positive stride is not supported");
            if (dilation.Any(v => v <= 0)) throw new ArgumentException(Prefix(layer) + $"dilation should be greater than zero, but got {Sizes(dilation)}");
            if (groups <= 0) throw new ArgumentException(Prefix(layer) + "non-positive groups is not supported");
            var ws = weight._shape;
            if (ws.Length != input.dim())
                throw new ArgumentException(Prefix(layer) + $"Expected {ws.Length}-dimensional input for {ws.Length}-dimensional weight {Shape.Str(ws)}, but got {input.dim()}-dimensional input of size {Shape.Str(input._shape)} instead");
            if (ws[0] < groups)
                throw new ArgumentException(Prefix(layer) + $"Given groups={groups}, expected weight to be at least {groups} at dimension 0, but got weight of size {Shape.Str(ws)} instead");
            if (ws[0] % groups != 0)
                throw new ArgumentException(Prefix(layer) + $"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight of size {Shape.Str(ws)} instead");
            var inSize = input._shape[2..];
            var k = ws[2..];
            if (!transposed)
            {
                if (input._shape[1] != ws[1] * groups)
                    throw new ArgumentException(Prefix(layer) + $"Given groups={groups}, weight of size {Shape.Str(ws)}, expected input{Shape.Str(input._shape)} to have {ws[1] * groups} channels, but got {input._shape[1]} channels instead");
                if (bias is not null && (bias.dim() != 1 || bias._shape[0] != ws[0]))
                    throw new ArgumentException(Prefix(layer) + $"Given weight of size {Shape.Str(ws)}, expected bias to be 1-dimensional with {ws[0]} elements, but got bias of size {Shape.Str(bias._shape)} instead");
            }
            else
            {
                if (input._shape[1] != ws[0])
                    throw new ArgumentException(Prefix(layer) + $"Given transposed=1, weight of size {Shape.Str(ws)}, expected input{Shape.Str(input._shape)} to have {ws[0]} channels, but got {input._shape[1]} channels instead");
                if (bias is not null && (bias.dim() != 1 || bias._shape[0] != ws[1] * groups))
                    throw new ArgumentException(Prefix(layer) + $"Given transposed=1, weight of size {Shape.Str(ws)}, expected bias to be 1-dimensional with {ws[1] * groups} elements, but got bias of size {Shape.Str(bias._shape)} instead");
            }
            CheckTypes(input, weight, bias, layer);

            var output = new int[nsp];
            if (!transposed)
            {
                bool tooSmall = false;
                for (int i = 0; i < nsp; i++)
                {
                    // In long: paddings and dilations near 2^31 overflowed int into a wrong (even positive) size.
                    if (Padded(inSize, padL, padR, i) < Extent(dilation, k, i)) tooSmall = true;
                    output[i] = OutputSize(i, Modules.OutputSize.Conv(inSize[i], k[i], stride[i], padL[i], padR[i], dilation[i]), layer);
                }
                if (tooSmall)
                {
                    var formula = Formula(inSize, k, stride, padL, padR, dilation, transposed, outputPadding, output);
                    if (layer is not null)
                        throw new ArgumentException($"{layer}: input of spatial size {Tuple(inSize)} is too small: {formula}");
                    var padded = string.Join(" x ", Enumerable.Range(0, nsp).Select(i => Padded(inSize, padL, padR, i)));
                    var kernel = string.Join(" x ", Enumerable.Range(0, nsp).Select(i => Extent(dilation, k, i)));
                    throw new ArgumentException($"Calculated padded input size per channel: ({padded}). Kernel size: ({kernel}). Kernel size can't be greater than actual input size ({formula})");
                }
            }
            else
            {
                for (int i = 0; i < nsp; i++)
                    if (outputPadding[i] >= stride[i] && outputPadding[i] >= dilation[i])
                    {
                        var names = DimNames[nsp - 1];
                        string List(string what, int[] v) => string.Join(" ", Enumerable.Range(0, nsp).Select(j => $"{what}_{names[j]}: {v[j]}"));
                        throw new ArgumentException(Prefix(layer) + $"output padding must be smaller than either stride or dilation, but got {List("output_padding", outputPadding)} {List("stride", stride)} {List("dilation", dilation)}");
                    }
                for (int i = 0; i < nsp; i++)
                    output[i] = OutputSize(i, Modules.OutputSize.ConvTranspose(inSize[i], k[i], stride[i], 0, dilation[i], outputPadding[i]) - padL[i] - padR[i], layer);
                if (output.Any(v => v < 1))
                {
                    var formula = Formula(inSize, k, stride, padL, padR, dilation, transposed, outputPadding, output);
                    if (layer is not null)
                        throw new ArgumentException($"{layer}: input of spatial size {Tuple(inSize)} is too small: {formula}");
                    throw new ArgumentException($"Given input size per channel: ({string.Join(" x ", inSize)}). Calculated output size per channel: ({string.Join(" x ", output)}). Output size is too small ({formula})");
                }
            }
            return output;
        }

        static long Padded(int[] inSize, int[] padL, int[] padR, int i) => (long)inSize[i] + padL[i] + padR[i];
        static long Extent(int[] dilation, int[] k, int i) => (long)dilation[i] * (k[i] - 1) + 1;

        /// <summary>An output size as an int: below 1 it is reported by the callers' checks, past an array's length here.</summary>
        static int OutputSize(int dim, long size, object? layer) => size <= Array.MaxLength
            ? (int)Math.Max(size, int.MinValue)
            : throw new ArgumentException(Prefix(layer) + $"the output would have {size} elements along spatial dimension {dim}, more than the {Array.MaxLength} a .NET array can hold");

        static void CheckTypes(Tensor input, Tensor weight, Tensor? bias, object? layer)
        {
            if (input.dtype == ScalarType.Bool)
                throw new ArgumentException(Prefix(layer) + "\"convolution\" not implemented for 'Bool': convert the input and weight with .to(torch.float32)");
            if (input.dtype != weight.dtype)
                throw new ArgumentException(Prefix(layer) + $"expected scalar type {input.dtype.CName()} but found {weight.dtype.CName()} (the input is {input.dtype.TorchName()} and the weight {weight.dtype.TorchName()}; convert one with .to())");
            if (bias is not null && bias.dtype != input.dtype)
                throw new ArgumentException(Prefix(layer) + $"expected scalar type {input.dtype.CName()} but found {bias.dtype.CName()} (the input is {input.dtype.TorchName()} and the bias {bias.dtype.TorchName()}; convert one with .to())");
        }

        /// <summary>
        /// The notes' output-size formula for every spatial dim whose output would be empty, with the
        /// numbers filled in: output height = floor((H + 2*padding - dilation*(kernel_size-1) - 1)/stride) + 1 = ...
        /// </summary>
        static string Formula(int[] inSize, int[] k, int[] stride, int[] padL, int[] padR, int[] dilation, bool transposed, int[] outputPadding, int[] output)
        {
            int nsp = inSize.Length;
            var parts = new List<string>();
            for (int i = 0; i < nsp; i++)
            {
                long value = transposed ? output[i] : Modules.OutputSize.Conv(inSize[i], k[i], stride[i], padL[i], padR[i], dilation[i]);
                if (value >= 1) continue;
                string name = DimNames[nsp - 1][i], sym = DimSymbols[nsp - 1][i];
                string pad = padL[i] == padR[i] ? $"2*{padL[i]}" : $"{padL[i]} + {padR[i]}";
                string padSym = padL[i] == padR[i] ? "2*padding" : "padding_before + padding_after";
                if (!transposed)
                    parts.Add($"output {name} = floor(({sym} + {padSym} - dilation*(kernel_size-1) - 1)/stride) + 1 = floor(({inSize[i]} + {pad} - {dilation[i]}*({k[i]}-1) - 1)/{stride[i]}) + 1 = {value}");
                else
                    parts.Add($"output {name} = ({sym} - 1)*stride - {padSym} + dilation*(kernel_size-1) + output_padding + 1 = ({inSize[i]} - 1)*{stride[i]} - {pad} + {dilation[i]}*({k[i]}-1) + {outputPadding[i]} + 1 = {value}");
            }
            return string.Join("; ", parts);
        }

        /// <summary>padding='same': the total d·(k−1) per dim, split with the extra one after (as PyTorch's _convolution_same).</summary>
        internal static (int[] padL, int[] padR) Same(int[] kernel, int[] dilation, int[] stride, object? layer)
        {
            if (stride.Any(s => s != 1))
                throw new ArgumentException(Prefix(layer) + "padding='same' is not supported for strided convolutions");
            var l = new int[kernel.Length]; var r = new int[kernel.Length];
            for (int i = 0; i < kernel.Length; i++)
            {
                long total = (long)dilation[i] * (kernel[i] - 1);
                if (total > int.MaxValue)
                    throw new ArgumentException(Prefix(layer) + $"padding='same' would pad {total} elements (dilation {dilation[i]} × (kernel_size {kernel[i]} - 1)), more than Torchlet supports");
                l[i] = (int)(total / 2); r[i] = (int)(total - total / 2);
            }
            return (l, r);
        }

        /// <summary>
        /// The whole conv: checks, unbatched inputs, the op. A module with a padding mode other than
        /// zeros pads with F.pad first and convolves unpadded, as PyTorch's modules do; the checks see
        /// the unpadded size so that a too-small input gets the formula with the module's own numbers.
        /// </summary>
        internal static Tensor Conv(Tensor input, Tensor weight, Tensor? bias, int nsp, int[] stride, int[] padL, int[] padR, int[] dilation, int groups, object? layer,
            PaddingModes mode = PaddingModes.Zeros)
        {
            var (x, unbatched) = Batch(input, nsp, false, layer);
            var outSize = Check(x, weight, bias, stride, padL, padR, dilation, false, new int[nsp], groups, layer);
            if (mode != PaddingModes.Zeros && (padL.Any(v => v != 0) || padR.Any(v => v != 0)))
            {
                var pad = new long[2 * nsp];
                for (int i = 0; i < nsp; i++) { pad[2 * (nsp - 1 - i)] = padL[i]; pad[2 * (nsp - 1 - i) + 1] = padR[i]; }
                try { x = Pad.Apply(x, pad, mode, null); }
                catch (ArgumentException e) when (layer is not null) { throw new ArgumentException($"{layer}: {e.Message}", e); }
                padL = new int[nsp];
            }
            var r = Convolution.Run(x, weight, bias, stride, padL, dilation, false, outSize, groups);
            return unbatched ? r.squeeze(0) : r;
        }

        /// <summary>The whole functional transposed conv: checks, unbatched inputs, the op.</summary>
        internal static Tensor ConvTranspose(Tensor input, Tensor weight, Tensor? bias, int nsp, int[] stride, int[] padding, int[] outputPadding, int groups, int[] dilation, object? layer)
        {
            var (x, unbatched) = Batch(input, nsp, true, layer);
            var outSize = Check(x, weight, bias, stride, padding, padding, dilation, true, outputPadding, groups, layer);
            var r = Convolution.Run(x, weight, bias, stride, padding, dilation, true, outSize, groups);
            return unbatched ? r.squeeze(0) : r;
        }
    }
}
