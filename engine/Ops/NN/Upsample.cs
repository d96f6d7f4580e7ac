using Torchlet.Kernels;
using Torchlet.Modules;

namespace Torchlet
{
    /// <summary>
    /// Interpolation as PyTorch 1.13's upsample kernels compute it (Kernels/Upsample.cs): per-dim source
    /// indices and weights (UpSample.h), then a separable weighted sum; backward is the adjoint (scatter
    /// of the weighted gradient). Here: the mode, size and scale arguments, their checks, and the node.
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
            var plan = Interp.Plan(input.dtype, inSp, o, scales, mode, ac, "interpolate");
            var xc = input.contiguous_nograd();
            var outShape = (int[])input._shape.Clone();
            for (int i = 0; i < nd; i++) outShape[2 + i] = o[i];
            int planes = input._shape[0] * input._shape[1];
            var y = Tensor.Empty(outShape, input.dtype);
            Interp.Forward(input.dtype, plan, xc._storage.RawArray, xc._offset, y._storage.RawArray, planes, "interpolate");
            if (Tensor.NeedsGrad(input))
            {
                int[] inShape = input._shape;
                var dt = input.dtype;
                // PyTorch 1.13's upsample backward records no graph itself (no double backward).
                Tensor.Record(y, node, g =>
                {
                    var gc = PoolOps.As(g, dt).contiguous_nograd();
                    var gx = Tensor.Empty(inShape, g.dtype, clear: true);
                    Interp.Backward(dt, plan, gc._storage.RawArray, gc._offset, gx._storage.RawArray, planes, "interpolate_backward");
                    return gx;
                }, false, input);
            }
            return y;
        }
    }
}
