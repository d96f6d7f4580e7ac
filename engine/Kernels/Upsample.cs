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

/// <summary>Interpolation over [planes, D, H, W] contiguous blocks; planes split over the intra-op threads.</summary>
internal static class Interp
{
    /// <summary>y = Σ wd·(Σ wh·(Σ ww·x)), nested in PyTorch's order (innermost dim first).</summary>
    public static void Forward<T>(T[] x, int xOff, T[] y, int planes, InterpDim<T> dd, InterpDim<T> dh, InterpDim<T> dw)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Taps(x, xOff, y, 0, planes, dd, dh, dw, backward: false);

    /// <summary>The adjoint of <see cref="Forward"/>: each output gradient spread over its taps. gx must be zeroed.</summary>
    public static void Backward<T>(T[] gy, int gyOff, T[] gx, int planes, InterpDim<T> dd, InterpDim<T> dh, InterpDim<T> dw)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Taps(gx, 0, gy, gyOff, planes, dd, dh, dw, backward: true);

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
}
