using System.Numerics;

namespace Torchlet.Kernels;

/// <summary>
/// The taps of one spatial dim of an interpolation: output o reads input positions
/// Idx[o·K + k] with weights W[o·K + k] (K = 1 nearest, 2 linear, 4 cubic). Separable
/// modes (bilinear, trilinear, bicubic) are the product of their dims' taps.
/// </summary>
internal sealed class InterpDim<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public readonly int In, Out, K;
    public readonly int[] Idx;
    public readonly T[] W;

    public InterpDim(int input, int output, int k)
    {
        In = input; Out = output; K = k;
        Idx = new int[output * k]; W = new T[output * k];
    }

    public static InterpDim<T> Unit()
    {
        var d = new InterpDim<T>(1, 1, 1);
        d.W[0] = T.One;
        return d;
    }
}

/// <summary>
/// Interpolation over [planes, D, H, W] contiguous blocks; planes split over the intra-op threads. A plan is the
/// three dims' taps (<see cref="InterpDim{T}"/>[3], depth first; missing dims are unit dims) in the dtype's T, made
/// once by <see cref="Plan"/> and kept by the backward.
/// </summary>
internal static class Interp
{
    /// <summary>The taps of the nd (1 to 3) trailing spatial dims, from input sizes <paramref name="inSp"/> to output sizes <paramref name="outSp"/>.</summary>
    public static Array Plan(ScalarType dtype, int[] inSp, int[] outSp, double[]? scales, InterpolationMode mode, bool alignCorners, string op)
    {
        var a = new PlanAction(inSp, outSp, scales, mode, alignCorners);
        Dispatch.Floating(dtype, ref a, op);
        return a.Result!;
    }

    /// <summary>y = Σ wd·(Σ wh·(Σ ww·x)), nested in PyTorch's order (innermost dim first).</summary>
    public static void Forward(ScalarType dtype, Array plan, Array x, int xOff, Array y, int planes, string op)
    {
        var a = new TapsAction(plan, x, xOff, y, 0, planes, backward: false);
        Dispatch.Floating(dtype, ref a, op);
    }

    /// <summary>The adjoint of <see cref="Forward"/>: each output gradient spread over its taps. gx must be zeroed.</summary>
    public static void Backward(ScalarType dtype, Array plan, Array gy, int gyOff, Array gx, int planes, string op)
    {
        var a = new TapsAction(plan, gx, 0, gy, gyOff, planes, backward: true);
        Dispatch.Floating(dtype, ref a, op);
    }

    struct PlanAction(int[] inSp, int[] outSp, double[]? scales, InterpolationMode mode, bool ac) : IFloatingAction
    {
        public Array? Result;

        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            int nd = inSp.Length;
            var dims = new InterpDim<T>[3];
            for (int i = 0; i < 3 - nd; i++) dims[i] = InterpDim<T>.Unit();
            for (int i = 0; i < nd; i++) dims[3 - nd + i] = Table<T>(inSp[i], outSp[i], scales?[i], mode, ac);
            Result = dims;
        }
    }

    readonly struct TapsAction(Array plan, Array inp, int inOff, Array outp, int outOff, int planes, bool backward) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var d = (InterpDim<T>[])plan;
            Taps((T[])inp, inOff, (T[])outp, outOff, planes, d[0], d[1], d[2], backward);
        }
    }

    /// <summary>Walks every output's taps once: forward gathers the input plane into the output, backward scatters the output's gradient back (so the two stay adjoint).</summary>
    static void Taps<T>(T[] inp, int inOff, T[] outp, int outOff, int planes, InterpDim<T> dd, InterpDim<T> dh, InterpDim<T> dw, bool backward)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int inPlane = dd.In * dh.In * dw.In, outPlane = dd.Out * dh.Out * dw.Out;
        Threading.For(planes, (long)outPlane * dd.K * dh.K * dw.K, (p0, p1) =>
        {
            int IH = dh.In, IW = dw.In;
            for (int p = p0; p < p1; p++)
            {
                int xb = inOff + p * inPlane, o = outOff + p * outPlane;
                for (int od = 0; od < dd.Out; od++)
                    for (int oh = 0; oh < dh.Out; oh++)
                        for (int ow = 0; ow < dw.Out; ow++, o++)
                        {
                            if (backward)
                            {
                                T g = outp[o];
                                for (int a = 0; a < dd.K; a++)
                                {
                                    T ga = dd.W[od * dd.K + a] * g;
                                    for (int b = 0; b < dh.K; b++)
                                    {
                                        T gb = dh.W[oh * dh.K + b] * ga;
                                        int row = xb + (dd.Idx[od * dd.K + a] * IH + dh.Idx[oh * dh.K + b]) * IW;
                                        for (int c = 0; c < dw.K; c++) inp[row + dw.Idx[ow * dw.K + c]] += dw.W[ow * dw.K + c] * gb;
                                    }
                                }
                                continue;
                            }
                            T sd = T.Zero;
                            for (int a = 0; a < dd.K; a++)
                            {
                                T sh = T.Zero;
                                for (int b = 0; b < dh.K; b++)
                                {
                                    int row = xb + (dd.Idx[od * dd.K + a] * IH + dh.Idx[oh * dh.K + b]) * IW;
                                    T sw = T.Zero;
                                    for (int c = 0; c < dw.K; c++) sw += inp[row + dw.Idx[ow * dw.K + c]] * dw.W[ow * dw.K + c];
                                    sh += sw * dh.W[oh * dh.K + b];
                                }
                                sd += sh * dd.W[od * dd.K + a];
                            }
                            outp[o] = sd;
                        }
            }
        });
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

    // ---------------------------------------------------------------- antialiased resize (torchvision)

    /// <summary>
    /// The out × in weight matrix (row-major) of one dim of an antialiased resize, computed in the image's precision as
    /// PyTorch computes it in scalar_t; float32 weights are exact as doubles.
    /// </summary>
    public static double[] AntialiasWeights(ScalarType dtype, int input, int output, bool cubic) =>
        Dispatch.Floating(dtype, "resize", () => AntialiasWeights<float>(input, output, cubic), () => AntialiasWeights<double>(input, output, cubic));

    /// <summary>
    /// PyTorch 1.13's <c>_compute_indices_weights_aa</c> / <c>_compute_weights_aa</c> (align_corners=False, no scale
    /// given), with C++'s mix of scalar_t and double arithmetic kept step by step: output i is centred at
    /// scale·(i + ½) and reads the inputs within the filter's support (scaled by the ratio when downsampling),
    /// weighted by the filter and normalised to sum to 1.
    /// </summary>
    static double[] AntialiasWeights<T>(int input, int output, bool cubic) where T : unmanaged, IFloatingPointIeee754<T>
    {
        static T Of(double v) => T.CreateTruncating(v);
        static double D(T v) => double.CreateTruncating(v);

        T scale = T.CreateTruncating(input) / T.CreateTruncating(output);
        double sd = D(scale);
        int interpSize = cubic ? 4 : 2;
        T support = sd >= 1.0 ? Of(interpSize * 0.5 * sd) : Of(interpSize * 0.5);
        T invscale = sd >= 1.0 ? Of(1.0 / sd) : T.One;
        var result = new double[(long)output * input];
        var wt = new T[input];
        for (int i = 0; i < output; i++)
        {
            T center = Of(sd * (i + 0.5));
            long xmin = Math.Max((long)(D(center - support) + 0.5), 0);
            long xsize = Math.Min((long)(D(center + support) + 0.5), input) - xmin;
            T total = T.Zero;
            for (long j = 0; j < xsize; j++)
            {
                T arg = Of((D(T.CreateTruncating(j + xmin) - center) + 0.5) * D(invscale));
                T v = cubic ? CubicFilter(arg) : LinearFilter(arg);
                wt[j] = v;
                total += v;
            }
            for (long j = 0; j < xsize; j++)
            {
                T v = total != T.Zero ? wt[j] / total : wt[j];
                result[(long)i * input + xmin + j] = D(v);
            }
        }
        return result;
    }

    /// <summary>PIL's triangle filter (HelperInterpLinear::aa_filter).</summary>
    static T LinearFilter<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x < T.Zero) x = -x;
        return x < T.One ? T.CreateTruncating(1.0 - double.CreateTruncating(x)) : T.Zero;
    }

    /// <summary>PIL's cubic filter with a = −0.5 (HelperInterpCubic::aa_filter; plain bicubic uses −0.75).</summary>
    static T CubicFilter<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const double a = -0.5;
        if (x < T.Zero) x = -x;
        double xd = double.CreateTruncating(x);
        if (x < T.One) return T.CreateTruncating(((a + 2.0) * xd - (a + 3.0)) * xd * xd + 1);
        if (x < T.CreateTruncating(2))
        {
            // (((x - 5) * x + 8) * x - 4) runs in scalar_t; only the final "* a" is in double.
            T inner = ((x - T.CreateTruncating(5)) * x + T.CreateTruncating(8)) * x - T.CreateTruncating(4);
            return T.CreateTruncating(double.CreateTruncating(inner) * a);
        }
        return T.Zero;
    }
}
