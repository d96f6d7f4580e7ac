using System.Numerics;
using System.Text;
using Torchlet.Kernels;

namespace Torchlet
{
    /// <summary>A convolution's padding given by name (PyTorch's <c>padding='valid'</c> / <c>'same'</c>).</summary>
    public enum Padding { Valid = 0, Same = 1 }

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
                bool hasBias = bias is not null;
                Tensor?[] Backward(Tensor g)
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
                        return hasBias ? [dx, dw, db] : [dx, dw];
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
                    return hasBias ? [dx, dw, db] : [dx, dw];
                }
                Tensor.Record(result, "ConvolutionBackward0", Backward, true, bias is null ? [input, weight] : [input, weight, bias]);
            }
            return result;
        }

        static int[] Spatial(int[] shape) => shape[2..];

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
        /// kernel is the gradient, stride and dilation trade places; the result is cut to the kernel size.
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

        static unsafe void Lower(ConvGeom g, Tensor image, Tensor w, Tensor? b, Tensor small)
        {
            switch (image.dtype)
            {
                case ScalarType.Float32: Lower<float>(g, image, w, b, small); break;
                case ScalarType.Float64: Lower<double>(g, image, w, b, small); break;
                case ScalarType.Int64: Lower<long>(g, image, w, b, small); break;
                case ScalarType.Int32: Lower<int>(g, image, w, b, small); break;
                case ScalarType.Byte: Lower<byte>(g, image, w, b, small); break;
            }
        }

        static unsafe void Lower<T>(ConvGeom g, Tensor image, Tensor w, Tensor? b, Tensor small) where T : unmanaged, INumber<T>
        {
            fixed (T* pi = image.Buffer<T>(), pw = w.Buffer<T>(), pb = b?.Buffer<T>(), ps = small.Buffer<T>())
                ConvKernels.Lower(g, pi + image._offset, pw + w._offset, b is null ? null : pb + b._offset, ps + small._offset);
        }

        static unsafe void Raise(ConvGeom g, Tensor small, Tensor w, Tensor? b, Tensor image)
        {
            switch (small.dtype)
            {
                case ScalarType.Float32: Raise<float>(g, small, w, b, image); break;
                case ScalarType.Float64: Raise<double>(g, small, w, b, image); break;
                case ScalarType.Int64: Raise<long>(g, small, w, b, image); break;
                case ScalarType.Int32: Raise<int>(g, small, w, b, image); break;
                case ScalarType.Byte: Raise<byte>(g, small, w, b, image); break;
            }
        }

        static unsafe void Raise<T>(ConvGeom g, Tensor small, Tensor w, Tensor? b, Tensor image) where T : unmanaged, INumber<T>
        {
            fixed (T* pi = image.Buffer<T>(), pw = w.Buffer<T>(), pb = b?.Buffer<T>(), ps = small.Buffer<T>())
                ConvKernels.Raise(g, ps + small._offset, pw + w._offset, b is null ? null : pb + b._offset, pi + image._offset);
        }

        static unsafe void WeightGrad(ConvGeom g, Tensor small, Tensor image, Tensor gw)
        {
            if (gw.dtype == ScalarType.Float32) WeightGrad<float>(g, small, image, gw);
            else WeightGrad<double>(g, small, image, gw);
        }

        static unsafe void WeightGrad<T>(ConvGeom g, Tensor small, Tensor image, Tensor gw) where T : unmanaged, INumber<T>
        {
            fixed (T* pi = image.Buffer<T>(), ps = small.Buffer<T>(), pg = gw.Buffer<T>())
                ConvKernels.WeightGrad(g, ps + small._offset, pi + image._offset, pg + gw._offset);
        }

        static unsafe void BiasGrad(Tensor g, Tensor gb)
        {
            int n = g._shape[0], c = g._shape[1], len = n == 0 || c == 0 ? 0 : g.Numel / (n * c);
            if (g.dtype == ScalarType.Float32)
                fixed (float* pg = g.Buffer<float>(), pb = gb.Buffer<float>()) ConvKernels.BiasGrad(pg + g._offset, n, c, len, pb);
            else
                fixed (double* pg = g.Buffer<double>(), pb = gb.Buffer<double>()) ConvKernels.BiasGrad(pg + g._offset, n, c, len, pb);
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
            if (values.Length == 1) return Enumerable.Repeat(checked((int)values[0]), nsp).ToArray();
            if (values.Length != nsp)
                throw new ArgumentException($"expected {name} to be a single integer value or a list of {nsp} values to match the convolution dimensions, but got {name}=[{string.Join(", ", values)}]");
            return values.Select(v => checked((int)v)).ToArray();
        }

        /// <summary>Python's tuple text: (3, 3) or (3,).</summary>
        internal static string Tuple(IReadOnlyList<int> v) => v.Count == 1 ? $"({v[0]},)" : "(" + string.Join(", ", v) + ")";

        internal static string Sizes(IReadOnlyList<int> v) => Shape.Str(v.ToArray());

        /// <summary>The op's name in PyTorch's messages: conv2d, conv_transpose2d.</summary>
        static string OpName(bool transposed, int nsp) => (transposed ? "conv_transpose" : "conv") + nsp + "d";

        /// <summary>
        /// Checks the input's rank (nsp+1 unbatched or nsp+2 batched) and returns it batched, with
        /// whether a batch dim was added.
        /// </summary>
        internal static (Tensor batched, bool unbatched) Batch(Tensor input, int nsp, bool transposed, string? layer)
        {
            int d = input.dim();
            if (d != nsp + 1 && d != nsp + 2)
                throw new ArgumentException(Prefix(layer) + $"Expected {nsp + 1}D (unbatched) or {nsp + 2}D (batched) input to {OpName(transposed, nsp)}, but got input of size: {Shape.Str(input._shape)}");
            return d == nsp + 1 ? (input.unsqueeze(0), true) : (input, false);
        }

        static string Prefix(string? layer) => layer is null ? "" : layer + ": ";

        /// <summary>
        /// PyTorch's check_shape_forward and argument checks, in its order; returns the output's
        /// spatial size. <paramref name="padR"/> is the padding after each dim (equal to padL unless 'same').
        /// </summary>
        internal static int[] Check(Tensor input, Tensor weight, Tensor? bias, int[] stride, int[] padL, int[] padR, int[] dilation,
            bool transposed, int[] outputPadding, int groups, string? layer)
        {
            int nsp = input.dim() - 2;
            string p = Prefix(layer);
            if (padL.Any(v => v < 0) || padR.Any(v => v < 0)) throw new ArgumentException(p + "negative padding is not supported");
            if (outputPadding.Any(v => v < 0)) throw new ArgumentException(p + "negative output_padding is not supported");
            if (stride.Any(v => v <= 0)) throw new ArgumentException(p + "non-positive stride is not supported");
            if (dilation.Any(v => v <= 0)) throw new ArgumentException(p + $"dilation should be greater than zero, but got {Sizes(dilation)}");
            if (groups <= 0) throw new ArgumentException(p + "non-positive groups is not supported");
            var ws = weight._shape;
            if (ws.Length != input.dim())
                throw new ArgumentException(p + $"Expected {ws.Length}-dimensional input for {ws.Length}-dimensional weight {Shape.Str(ws)}, but got {input.dim()}-dimensional input of size {Shape.Str(input._shape)} instead");
            if (ws[0] < groups)
                throw new ArgumentException(p + $"Given groups={groups}, expected weight to be at least {groups} at dimension 0, but got weight of size {Shape.Str(ws)} instead");
            if (ws[0] % groups != 0)
                throw new ArgumentException(p + $"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight of size {Shape.Str(ws)} instead");
            var inSize = input._shape[2..];
            var k = ws[2..];
            if (!transposed)
            {
                if (input._shape[1] != ws[1] * groups)
                    throw new ArgumentException(p + $"Given groups={groups}, weight of size {Shape.Str(ws)}, expected input{Shape.Str(input._shape)} to have {ws[1] * groups} channels, but got {input._shape[1]} channels instead");
                if (bias is not null && (bias.dim() != 1 || bias._shape[0] != ws[0]))
                    throw new ArgumentException(p + $"Given weight of size {Shape.Str(ws)}, expected bias to be 1-dimensional with {ws[0]} elements, but got bias of size {Shape.Str(bias._shape)} instead");
            }
            else
            {
                if (input._shape[1] != ws[0])
                    throw new ArgumentException(p + $"Given transposed=1, weight of size {Shape.Str(ws)}, expected input{Shape.Str(input._shape)} to have {ws[0]} channels, but got {input._shape[1]} channels instead");
                if (bias is not null && (bias.dim() != 1 || bias._shape[0] != ws[1] * groups))
                    throw new ArgumentException(p + $"Given transposed=1, weight of size {Shape.Str(ws)}, expected bias to be 1-dimensional with {ws[1] * groups} elements, but got bias of size {Shape.Str(bias._shape)} instead");
            }
            CheckTypes(input, weight, bias, p);

            var output = new int[nsp];
            if (!transposed)
            {
                bool tooSmall = false;
                for (int i = 0; i < nsp; i++)
                {
                    if (inSize[i] + padL[i] + padR[i] < dilation[i] * (k[i] - 1) + 1) tooSmall = true;
                    output[i] = (inSize[i] + padL[i] + padR[i] - dilation[i] * (k[i] - 1) - 1) / stride[i] + 1;
                }
                if (tooSmall)
                {
                    var formula = Formula(inSize, k, stride, padL, padR, dilation, transposed, outputPadding, output);
                    if (layer is not null)
                        throw new ArgumentException($"{layer}: input of spatial size {Tuple(inSize)} is too small: {formula}");
                    var padded = string.Join(" x ", Enumerable.Range(0, nsp).Select(i => inSize[i] + padL[i] + padR[i]));
                    var kernel = string.Join(" x ", Enumerable.Range(0, nsp).Select(i => dilation[i] * (k[i] - 1) + 1));
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
                        throw new ArgumentException(p + $"output padding must be smaller than either stride or dilation, but got {List("output_padding", outputPadding)} {List("stride", stride)} {List("dilation", dilation)}");
                    }
                for (int i = 0; i < nsp; i++)
                    output[i] = (inSize[i] - 1) * stride[i] - padL[i] - padR[i] + dilation[i] * (k[i] - 1) + outputPadding[i] + 1;
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

        static void CheckTypes(Tensor input, Tensor weight, Tensor? bias, string p)
        {
            if (input.dtype == ScalarType.Bool)
                throw new ArgumentException(p + "\"convolution\" not implemented for 'Bool': convert the input and weight with .to(torch.float32)");
            if (input.dtype != weight.dtype)
                throw new ArgumentException(p + $"expected scalar type {input.dtype.CName()} but found {weight.dtype.CName()} (the input is {input.dtype.TorchName()} and the weight {weight.dtype.TorchName()}; convert one with .to())");
            if (bias is not null && bias.dtype != input.dtype)
                throw new ArgumentException(p + $"expected scalar type {input.dtype.CName()} but found {bias.dtype.CName()} (the input is {input.dtype.TorchName()} and the bias {bias.dtype.TorchName()}; convert one with .to())");
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
                int value = transposed ? output[i] : FloorDiv(inSize[i] + padL[i] + padR[i] - dilation[i] * (k[i] - 1) - 1, stride[i]) + 1;
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

        static int FloorDiv(int a, int b) => (int)Math.Floor((double)a / b);

        /// <summary>padding='same': the total d·(k−1) per dim, split with the extra one after (as PyTorch's _convolution_same).</summary>
        internal static (int[] padL, int[] padR) Same(int[] kernel, int[] dilation, int[] stride, string? layer)
        {
            if (stride.Any(s => s != 1))
                throw new ArgumentException((layer is null ? "" : layer + ": ") + "padding='same' is not supported for strided convolutions");
            var l = new int[kernel.Length]; var r = new int[kernel.Length];
            for (int i = 0; i < kernel.Length; i++)
            {
                int total = dilation[i] * (kernel[i] - 1);
                l[i] = total / 2; r[i] = total - total / 2;
            }
            return (l, r);
        }

        /// <summary>The whole functional conv: checks, unbatched inputs, the op.</summary>
        internal static Tensor Conv(Tensor input, Tensor weight, Tensor? bias, int nsp, int[] stride, int[] padL, int[] padR, int[] dilation, int groups, string? layer)
        {
            var (x, unbatched) = Batch(input, nsp, false, layer);
            var outSize = Check(x, weight, bias, stride, padL, padR, dilation, false, new int[nsp], groups, layer);
            var r = Convolution.Run(x, weight, bias, stride, padL, dilation, false, outSize, groups);
            return unbatched ? r.squeeze(0) : r;
        }

        /// <summary>The whole functional transposed conv: checks, unbatched inputs, the op.</summary>
        internal static Tensor ConvTranspose(Tensor input, Tensor weight, Tensor? bias, int nsp, int[] stride, int[] padding, int[] outputPadding, int groups, int[] dilation, string? layer)
        {
            var (x, unbatched) = Batch(input, nsp, true, layer);
            var outSize = Check(x, weight, bias, stride, padding, padding, dilation, true, outputPadding, groups, layer);
            var r = Convolution.Run(x, weight, bias, stride, padding, dilation, true, outSize, groups);
            return unbatched ? r.squeeze(0) : r;
        }
    }

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
                    ConvArgs.Batch(input, nsp, false, null);
                    var s = ConvArgs.Expand(stride, nsp, 1, "stride");
                    var p = ConvArgs.Expand(padding, nsp, 0, "padding");
                    var d = ConvArgs.Expand(dilation, nsp, 1, "dilation");
                    return ConvArgs.Conv(input, weight, bias, nsp, s, p, p, d, checked((int)groups), null);
                }

                static Tensor ConvN(Tensor input, Tensor weight, Tensor? bias, int nsp, long[]? stride, Padding padding, long[]? dilation, long groups)
                {
                    ConvArgs.Batch(input, nsp, false, null);
                    var s = ConvArgs.Expand(stride, nsp, 1, "stride");
                    var d = ConvArgs.Expand(dilation, nsp, 1, "dilation");
                    if (padding == Padding.Valid) return ConvArgs.Conv(input, weight, bias, nsp, s, new int[nsp], new int[nsp], d, checked((int)groups), null);
                    // A weight of the wrong rank gets its error from the shape checks.
                    var (l, r) = weight.dim() == nsp + 2 ? ConvArgs.Same(weight._shape[2..], d, s, null) : (new int[nsp], new int[nsp]);
                    return ConvArgs.Conv(input, weight, bias, nsp, s, l, r, d, checked((int)groups), null);
                }

                static Tensor ConvTransposeN(Tensor input, Tensor weight, Tensor? bias, int nsp, long[]? stride, long[]? padding, long[]? outputPadding, long groups, long[]? dilation)
                {
                    ConvArgs.Batch(input, nsp, true, null);
                    var s = ConvArgs.Expand(stride, nsp, 1, "stride");
                    var p = ConvArgs.Expand(padding, nsp, 0, "padding");
                    var op = ConvArgs.Expand(outputPadding, nsp, 0, "output_padding");
                    var d = ConvArgs.Expand(dilation, nsp, 1, "dilation");
                    return ConvArgs.ConvTranspose(input, weight, bias, nsp, s, p, op, checked((int)groups), d, null);
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
