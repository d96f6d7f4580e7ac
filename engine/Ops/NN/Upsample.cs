using System.Numerics;
using Torchlet.Kernels;
using Torchlet.Modules;

namespace Torchlet
{
    /// <summary>
    /// Interpolation as PyTorch 1.13's upsample kernels compute it: per-dim source indices and
    /// weights (UpSample.h), then a separable weighted sum (Kernels/Upsample.cs); backward is the
    /// adjoint (scatter of the weighted gradient).
    /// </summary>
    internal static class UpsampleOps
    {
        internal static string Name(InterpolationMode m) => m switch
        {
            InterpolationMode.Nearest => "nearest",
            InterpolationMode.Linear => "linear",
            InterpolationMode.Bilinear => "bilinear",
            InterpolationMode.Bicubic => "bicubic",
            InterpolationMode.Trilinear => "trilinear",
            InterpolationMode.Area => "area",
            _ => "nearest-exact",
        };

        internal static InterpolationMode Parse(string mode) => mode switch
        {
            "nearest" => InterpolationMode.Nearest,
            "linear" => InterpolationMode.Linear,
            "bilinear" => InterpolationMode.Bilinear,
            "bicubic" => InterpolationMode.Bicubic,
            "trilinear" => InterpolationMode.Trilinear,
            "area" => InterpolationMode.Area,
            "nearest-exact" => InterpolationMode.NearestExact,
            _ => throw new ArgumentException($"interpolate: unknown mode '{mode}'; expected one of nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact"),
        };

        internal static InterpolationMode From(UpsampleMode m) => (InterpolationMode)(int)m;

        static string PyList(double[] v) => Args.Py(v);
        static string PyList(long[] v) => Args.Py(v);

        /// <summary>F.interpolate: argument checks in PyTorch's order, then the mode's kernel.</summary>
        internal static Tensor Interpolate(Tensor input, long[]? size, double[]? scale_factor, InterpolationMode mode, bool? align_corners, bool? recompute_scale_factor, object? layer = null)
        {
            string M(string text) => PoolOps.Msg(layer, text);
            if (mode is InterpolationMode.Nearest or InterpolationMode.Area or InterpolationMode.NearestExact)
            {
                if (align_corners is not null)
                    throw new ArgumentException(M("align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear"));
            }
            bool ac = align_corners ?? false;
            int dim = input.dim() - 2;
            long[]? outSize = null; double[]? scales = null;
            if (size is not null && scale_factor is not null) throw new ArgumentException(M("only one of size or scale_factor should be defined"));
            else if (size is not null)
            {
                if (size.Length == 1 && dim > 1) size = Enumerable.Repeat(size[0], dim).ToArray();
                if (size.Length != dim && dim >= 1)
                    throw new ArgumentException(M($"Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of [{string.Join(", ", input.shape.Skip(2))}] and output size of {PyList(size)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format."));
                outSize = size;
            }
            else if (scale_factor is not null)
            {
                if (scale_factor.Length == 1 && dim > 1) scale_factor = Enumerable.Repeat(scale_factor[0], dim).ToArray();
                if (scale_factor.Length != dim && dim >= 1)
                    throw new ArgumentException(M($"Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of [{string.Join(", ", input.shape.Skip(2))}] and scale_factor of shape {PyList(scale_factor)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format."));
                scales = scale_factor;
            }
            else throw new ArgumentException(M("either size or scale_factor should be defined"));

            if (recompute_scale_factor == true && size is not null) throw new ArgumentException(M("recompute_scale_factor is not meaningful with an explicit size."));
            if (mode == InterpolationMode.Area && outSize is null) recompute_scale_factor = true;
            if (recompute_scale_factor == true && dim >= 1)
            {
                outSize = new long[dim];
                for (int i = 0; i < dim; i++) outSize[i] = (long)Math.Floor(input._shape[i + 2] * scales![i]);
                scales = null;
            }

            int nd = mode switch
            {
                InterpolationMode.Linear => 1,
                InterpolationMode.Bilinear or InterpolationMode.Bicubic => 2,
                InterpolationMode.Trilinear => 3,
                _ => dim,
            };
            if (input.dim() != nd + 2 || nd < 1 || nd > 3)
            {
                var modeName = Name(mode);
                string need = nd switch { 1 => "3D", 2 => "4D", _ => "5D" };
                if (mode is InterpolationMode.Linear or InterpolationMode.Bilinear or InterpolationMode.Trilinear && input.dim() is >= 3 and <= 5)
                    throw new ArgumentException(M($"Got {input.dim()}D input, but {modeName} mode needs {need} input"));
                throw new ArgumentException(M($"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got {modeName})"));
            }
            if (!input.dtype.IsFloating())
                throw new ArgumentException(M($"\"upsample_{Name(mode)}{nd}d\" not implemented for '{input.dtype.CName()}': expected a floating point input, got {input.dtype.TorchName()}"));

            if (mode == InterpolationMode.Area)
                return PoolOps.AdaptiveAvg(input, nd, outSize!.Select(v => (long?)v).ToArray(), layer);

            // C++ compute_output_size: the size given, or floor(in · scale) in double.
            var o = new int[nd];
            for (int i = 0; i < nd; i++)
            {
                long v = outSize is not null ? outSize[i] : (long)(input._shape[i + 2] * scales![i]);
                o[i] = (int)Math.Clamp(v, int.MinValue, int.MaxValue);
            }
            var inSp = input._shape.AsSpan(2).ToArray();
            if (inSp.Any(v => v <= 0) || o.Any(v => v <= 0))
            {
                string[] names = nd switch { 1 => ["W"], 2 => ["H", "W"], _ => ["D", "H", "W"] };
                string Fmt(int[] s) => string.Join(", ", s.Select((v, i) => $"{names[i]}: {v}"));
                throw new ArgumentException(M($"Input and output sizes should be greater than 0, but got input ({Fmt(inSp)}) output ({Fmt(o)})"));
            }
            // Before the per-position interpolation tables are made: an output too large for an array is an ArgumentException naming it.
            Shape.Numel(o);
            string node = mode switch
            {
                InterpolationMode.Nearest => $"UpsampleNearest{nd}DBackward1",
                InterpolationMode.NearestExact => $"UpsampleNearestExact{nd}DBackward1",
                InterpolationMode.Linear => "UpsampleLinear1DBackward1",
                InterpolationMode.Bilinear => "UpsampleBilinear2DBackward1",
                InterpolationMode.Bicubic => "UpsampleBicubic2DBackward1",
                _ => "UpsampleTrilinear3DBackward1",
            };
            return Dispatch.Floating(input.dtype, "interpolate",
                () => Run<float>(input, nd, inSp, o, scales, mode, ac, node),
                () => Run<double>(input, nd, inSp, o, scales, mode, ac, node));
        }

        static Tensor Run<T>(Tensor input, int nd, int[] inSp, int[] o, double[]? scales, InterpolationMode mode, bool ac, string node)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var dims = new InterpDim<T>[nd];
            for (int i = 0; i < nd; i++) dims[i] = Table<T>(inSp[i], o[i], scales?[i], mode, ac);
            var (dd, dh, dw) = nd switch
            {
                1 => (InterpDim<T>.Unit(), InterpDim<T>.Unit(), dims[0]),
                2 => (InterpDim<T>.Unit(), dims[0], dims[1]),
                _ => (dims[0], dims[1], dims[2]),
            };
            var xc = input.contiguous_nograd();
            var outShape = (int[])input._shape.Clone();
            for (int i = 0; i < nd; i++) outShape[2 + i] = o[i];
            int planes = input._shape[0] * input._shape[1];
            var y = Tensor.Empty(outShape, input.dtype);
            Interp.Forward(xc.Buffer<T>(), xc._offset, y.Buffer<T>(), planes, dd, dh, dw);
            if (Tensor.NeedsGrad(input))
            {
                int[] inShape = input._shape;
                var dt = input.dtype;
                // PyTorch 1.13's upsample backward records no graph itself (no double backward).
                Tensor.Record(y, node, g =>
                {
                    var gc = PoolOps.As(g, dt).contiguous_nograd();
                    var gx = Tensor.Empty(inShape, g.dtype, clear: true);
                    Interp.Backward(gc.Buffer<T>(), gc._offset, gx.Buffer<T>(), planes, dd, dh, dw);
                    return gx;
                }, false, input);
            }
            return y;
        }

        /// <summary>PyTorch's compute_scales_value: 1/scale when a positive scale was given, else in/out.</summary>
        static T ScaleValue<T>(double? scale, int input, int output) where T : unmanaged, IFloatingPointIeee754<T> =>
            scale is > 0 ? T.CreateTruncating(1.0 / scale.Value) : T.CreateTruncating(input) / T.CreateTruncating(output);

        static T AreaScale<T>(int input, int output, bool ac, double? scale) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (ac) return output > 1 ? T.CreateTruncating(input - 1) / T.CreateTruncating(output - 1) : T.Zero;
            return ScaleValue<T>(scale, input, output);
        }

        static T SourceIndex<T>(T scale, int dst, bool ac, bool cubic) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (ac) return scale * T.CreateTruncating(dst);
            T half = T.CreateTruncating(0.5);
            T src = scale * (T.CreateTruncating(dst) + half) - half;
            return !cubic && src < T.Zero ? T.Zero : src;
        }

        static InterpDim<T> Table<T>(int input, int output, double? scale, InterpolationMode mode, bool ac) where T : unmanaged, IFloatingPointIeee754<T>
        {
            switch (mode)
            {
                case InterpolationMode.Nearest:
                case InterpolationMode.NearestExact:
                {
                    var d = new InterpDim<T>(input, output, 1);
                    // The nearest kernels compute their scale in float whatever the dtype.
                    float s = scale is > 0 ? (float)(1.0 / scale.Value) : (float)input / output;
                    for (int i = 0; i < output; i++)
                    {
                        int src;
                        // No same-size or 2× shortcut: with a scale factor given, PyTorch 1.13 maps 5 → 5 by 1/1.09.
                        if (mode == InterpolationMode.Nearest)
                            src = (int)Math.Min((long)MathF.Floor(i * s), input - 1);
                        else
                            src = (int)Math.Min((long)MathF.Floor((float)((i + 0.5) * s)), input - 1);
                        d.Idx[i] = src; d.W[i] = T.One;
                    }
                    return d;
                }
                case InterpolationMode.Bicubic:
                {
                    var d = new InterpDim<T>(input, output, 4);
                    T s = AreaScale<T>(input, output, ac, scale);
                    for (int i = 0; i < output; i++)
                    {
                        T real = SourceIndex(s, i, ac, cubic: true);
                        int i0 = (int)MathF.Floor(float.CreateTruncating(real));
                        T t = real - T.CreateTruncating(i0);
                        Cubic(t, d.W.AsSpan(i * 4, 4));
                        for (int k = 0; k < 4; k++) d.Idx[i * 4 + k] = Math.Clamp(i0 - 1 + k, 0, input - 1);
                    }
                    return d;
                }
                default:
                {
                    var d = new InterpDim<T>(input, output, 2);
                    T s = AreaScale<T>(input, output, ac, scale);
                    for (int i = 0; i < output; i++)
                    {
                        if (output == input) { d.Idx[2 * i] = i; d.Idx[2 * i + 1] = i; d.W[2 * i] = T.One; d.W[2 * i + 1] = T.Zero; continue; }
                        T real = SourceIndex(s, i, ac, cubic: false);
                        int i0 = int.CreateTruncating(real);
                        int off = i0 < input - 1 ? 1 : 0;
                        T l1 = T.Clamp(real - T.CreateTruncating(i0), T.Zero, T.One);
                        d.Idx[2 * i] = i0; d.Idx[2 * i + 1] = i0 + off;
                        d.W[2 * i] = T.One - l1; d.W[2 * i + 1] = l1;
                    }
                    return d;
                }
            }
        }

        /// <summary>Keys' cubic convolution weights with A = −0.75 (PyTorch's get_cubic_upsample_coefficients).</summary>
        static void Cubic<T>(T t, Span<T> c) where T : unmanaged, IFloatingPointIeee754<T>
        {
            T A = T.CreateTruncating(-0.75), one = T.One;
            static T C1(T x, T A) => ((A + T.CreateTruncating(2)) * x - (A + T.CreateTruncating(3))) * x * x + T.One;
            static T C2(T x, T A) => ((A * x - T.CreateTruncating(5) * A) * x + T.CreateTruncating(8) * A) * x - T.CreateTruncating(4) * A;
            c[0] = C2(t + one, A);
            c[1] = C1(t, A);
            T x2 = one - t;
            c[2] = C1(x2, A);
            c[3] = C2(x2 + one, A);
        }
    }
}
