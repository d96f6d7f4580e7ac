using System.Numerics.Tensors;
using Torchlet.Kernels;

namespace Torchlet;

internal delegate void SpanMap<T>(ReadOnlySpan<T> x, Span<T> d);

/// <summary>Unary elementwise math through TensorPrimitives; backward beside forward.</summary>
public partial class Tensor
{
    /// <summary>
    /// f(x) for a floating function: integer inputs are promoted to float32 first (as torch.exp
    /// does), large tensors are split over the intra-op threads.
    /// </summary>
    internal Tensor MapFloat(SpanMap<float> f32, SpanMap<double> f64)
    {
        var x = (dtype.IsFloating() ? this : to_nograd(ScalarType.Float32, false)).contiguous_nograd();
        var r = Empty(x._shape, x.dtype);
        int n = r.Numel, off = x._offset;
        if (x.dtype == ScalarType.Float32)
        {
            float[] src = x.Buffer<float>(), dst = r.Buffer<float>();
            if (n <= 8192) f32(src.AsSpan(off, n), dst.AsSpan(0, n));
            else Threading.For(n, 8, (s, e) => f32(src.AsSpan(off + s, e - s), dst.AsSpan(s, e - s)));
        }
        else
        {
            double[] src = x.Buffer<double>(), dst = r.Buffer<double>();
            if (n <= 8192) f64(src.AsSpan(off, n), dst.AsSpan(0, n));
            else Threading.For(n, 8, (s, e) => f64(src.AsSpan(off + s, e - s), dst.AsSpan(s, e - s)));
        }
        return r;
    }

    /// <summary>Records a unary op whose gradient is g·f'(x, y) with f' written as tensor ops.</summary>
    Tensor Unary(Tensor r, string name, Func<Tensor, Tensor, Tensor, Tensor> grad, bool saveInput = true, bool saveResult = false)
    {
        if (!NeedsGrad(this)) return r;
        var self = this;
        SavedTensor? sx = saveInput ? new SavedTensor(this) : null;
        SavedTensor? sy = saveResult ? new SavedTensor(r) : null;
        return Record(r, name, g => [GradFor(grad(g, sx?.Get() ?? self, sy?.Get() ?? r), self)], saveInput || saveResult, this);
    }

    public Tensor neg()
    {
        if (dtype == ScalarType.Bool) throw new ArgumentException("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
        var r = ScalarKernel<MulOp>(this, -1, dtype, false);
        return Unary(r, "NegBackward0", (g, x, y) => g.neg(), saveInput: false);
    }

    public Tensor exp() => Unary(MapFloat(static (x, d) => TensorPrimitives.Exp(x, d), static (x, d) => TensorPrimitives.Exp(x, d)),
        "ExpBackward0", (g, x, y) => g.mul(y), saveInput: false, saveResult: true);
    public Tensor log() => Unary(MapFloat(static (x, d) => TensorPrimitives.Log(x, d), static (x, d) => TensorPrimitives.Log(x, d)),
        "LogBackward0", (g, x, y) => g.div(x));
    public Tensor log2() => Unary(MapFloat(static (x, d) => TensorPrimitives.Log2(x, d), static (x, d) => TensorPrimitives.Log2(x, d)),
        "Log2Backward0", (g, x, y) => g.div(x.mul(Math.Log(2))));
    public Tensor log10() => Unary(MapFloat(static (x, d) => TensorPrimitives.Log10(x, d), static (x, d) => TensorPrimitives.Log10(x, d)),
        "Log10Backward0", (g, x, y) => g.div(x.mul(Math.Log(10))));
    public Tensor log1p() => Unary(MapFloat(static (x, d) => { TensorPrimitives.Add(x, 1f, d); TensorPrimitives.Log(d, d); }, static (x, d) => { TensorPrimitives.Add(x, 1d, d); TensorPrimitives.Log(d, d); }),
        "Log1PBackward0", (g, x, y) => g.div(x.add(1)));
    public Tensor expm1() => Unary(MapFloat(static (x, d) => { TensorPrimitives.Exp(x, d); TensorPrimitives.Subtract(d, 1f, d); }, static (x, d) => { TensorPrimitives.Exp(x, d); TensorPrimitives.Subtract(d, 1d, d); }),
        "Expm1Backward0", (g, x, y) => g.mul(y.add(1)), saveInput: false, saveResult: true);
    public Tensor sqrt() => Unary(MapFloat(static (x, d) => TensorPrimitives.Sqrt(x, d), static (x, d) => TensorPrimitives.Sqrt(x, d)),
        "SqrtBackward0", (g, x, y) => g.div(y.mul(2)), saveInput: false, saveResult: true);
    public Tensor rsqrt() => Unary(MapFloat(static (x, d) => { TensorPrimitives.Sqrt(x, d); TensorPrimitives.Reciprocal(d, d); }, static (x, d) => { TensorPrimitives.Sqrt(x, d); TensorPrimitives.Reciprocal(d, d); }),
        "RsqrtBackward0", (g, x, y) => g.mul(y.pow(3)).mul(-0.5), saveInput: false, saveResult: true);
    public Tensor reciprocal() => Unary(MapFloat(static (x, d) => TensorPrimitives.Reciprocal(x, d), static (x, d) => TensorPrimitives.Reciprocal(x, d)),
        "ReciprocalBackward0", (g, x, y) => g.mul(y.mul(y)).neg(), saveInput: false, saveResult: true);
    public Tensor sin() => Unary(MapFloat(static (x, d) => TensorPrimitives.Sin(x, d), static (x, d) => TensorPrimitives.Sin(x, d)),
        "SinBackward0", (g, x, y) => g.mul(x.cos()));
    public Tensor cos() => Unary(MapFloat(static (x, d) => TensorPrimitives.Cos(x, d), static (x, d) => TensorPrimitives.Cos(x, d)),
        "CosBackward0", (g, x, y) => g.mul(x.sin()).neg());
    public Tensor tan() => Unary(MapFloat(static (x, d) => TensorPrimitives.Tan(x, d), static (x, d) => TensorPrimitives.Tan(x, d)),
        "TanBackward0", (g, x, y) => g.mul(y.mul(y).add(1)), saveInput: false, saveResult: true);
    public Tensor tanh() => Unary(MapFloat(static (x, d) => TensorPrimitives.Tanh(x, d), static (x, d) => TensorPrimitives.Tanh(x, d)),
        "TanhBackward0", (g, x, y) => g.mul(y.mul(y).rsub(1)), saveInput: false, saveResult: true);
    public Tensor sinh() => Unary(MapFloat(static (x, d) => TensorPrimitives.Sinh(x, d), static (x, d) => TensorPrimitives.Sinh(x, d)),
        "SinhBackward0", (g, x, y) => g.mul(x.cosh()));
    public Tensor cosh() => Unary(MapFloat(static (x, d) => TensorPrimitives.Cosh(x, d), static (x, d) => TensorPrimitives.Cosh(x, d)),
        "CoshBackward0", (g, x, y) => g.mul(x.sinh()));
    public Tensor sigmoid() => Unary(MapFloat(static (x, d) => TensorPrimitives.Sigmoid(x, d), static (x, d) => TensorPrimitives.Sigmoid(x, d)),
        "SigmoidBackward0", (g, x, y) => g.mul(y.mul(y.rsub(1))), saveInput: false, saveResult: true);

    public Tensor abs()
    {
        Tensor r = dtype switch
        {
            ScalarType.Float32 or ScalarType.Float64 => MapFloat(static (x, d) => TensorPrimitives.Abs(x, d), static (x, d) => TensorPrimitives.Abs(x, d)),
            ScalarType.Bool or ScalarType.Byte => clone_nograd(),
            _ => where_nograd(lt(0), neg_nograd(), this),
        };
        return Unary(r, "AbsBackward0", (g, x, y) => g.mul(x.sign()));
    }

    Tensor neg_nograd() => ScalarKernel<MulOp>(this, -1, dtype, false);
    static Tensor where_nograd(Tensor c, Tensor a, Tensor b) { using var _ = new GradModeScope(false); return torch.where(c, a, b); }

    /// <summary>-1, 0 or 1 by sign (zero gradient).</summary>
    public Tensor sign()
    {
        var r = gt(0).to_nograd(dtype, false).sub(lt(0).to_nograd(dtype, false)).detach();
        return Unary(r, "SignBackward0", (g, x, y) => torch.zeros_like(g), saveInput: false);
    }

    public Tensor floor() => Rounding(static (x, d) => TensorPrimitives.Floor(x, d), static (x, d) => TensorPrimitives.Floor(x, d), "FloorBackward0");
    public Tensor ceil() => Rounding(static (x, d) => TensorPrimitives.Ceiling(x, d), static (x, d) => TensorPrimitives.Ceiling(x, d), "CeilBackward0");
    public Tensor trunc() => Rounding(static (x, d) => TensorPrimitives.Truncate(x, d), static (x, d) => TensorPrimitives.Truncate(x, d), "TruncBackward0");
    /// <summary>Rounds half to even, as torch.round does.</summary>
    public Tensor round() => Rounding(static (x, d) => TensorPrimitives.Round(x, d), static (x, d) => TensorPrimitives.Round(x, d), "RoundBackward0");

    Tensor Rounding(SpanMap<float> f, SpanMap<double> g, string name)
    {
        if (!dtype.IsFloating()) return clone_nograd();
        return Unary(MapFloat(f, g), name, (gr, x, y) => torch.zeros_like(gr), saveInput: false);
    }

    public Tensor square() => pow(2);

    public Tensor relu()
    {
        Tensor r;
        if (dtype.IsFloating()) r = MapFloat(static (x, d) => TensorPrimitives.Max(x, 0f, d), static (x, d) => TensorPrimitives.Max(x, 0d, d));
        else r = where_nograd(gt(0), this, torch.zeros_like(this));
        return Unary(r, "ReluBackward0", (g, x, y) => g.mul(y.gt(0).to(g.dtype)), saveInput: false, saveResult: true);
    }

    /// <summary>Clamps into [min, max]; the gradient passes where min ≤ x ≤ max.</summary>
    public Tensor clamp(Scalar? min = null, Scalar? max = null)
    {
        if (min is null && max is null) throw new ArgumentException("clamp: at least one of 'min' or 'max' must not be None");
        var ct = dtype;
        if (min is { } mn) ct = ScalarTypes.Promote(ct, ResultType(this, mn));
        if (max is { } mx) ct = ScalarTypes.Promote(ct, ResultType(this, mx));
        var r = this.to_nograd(ct, false);
        if (min is { } lo) r = ScalarKernel<MaximumOp>(r, lo, ct, false);
        if (max is { } hi) r = ScalarKernel<MinimumOp>(r, hi, ct, false);
        if (ReferenceEquals(r, this)) r = clone_nograd();
        return Unary(r, "ClampBackward1", (g, x, y) =>
        {
            var mask = torch.ones_like(x, dtype: ScalarType.Bool);
            if (min is { } a) mask = mask.logical_and(x.ge(a));
            if (max is { } b) mask = mask.logical_and(x.le(b));
            return g.mul(mask.to(g.dtype));
        });
    }

    public Tensor clamp_min(Scalar min) => clamp(min: min);
    public Tensor clamp_max(Scalar max) => clamp(max: max);
    public Tensor clip(Scalar? min = null, Scalar? max = null) => clamp(min, max);

    // ---------------------------------------------------------------- in-place

    Tensor InplaceUnary(Func<Tensor, Tensor> f, string op)
    {
        var r = f(Self);
        CheckInplace(r.dtype, op);
        return AssignInplace(r);
    }

    public Tensor neg_() => InplaceUnary(t => t.neg(), "neg_");
    public Tensor exp_() => InplaceUnary(t => t.exp(), "exp_");
    public Tensor log_() => InplaceUnary(t => t.log(), "log_");
    public Tensor sqrt_() => InplaceUnary(t => t.sqrt(), "sqrt_");
    public Tensor abs_() => InplaceUnary(t => t.abs(), "abs_");
    public Tensor sin_() => InplaceUnary(t => t.sin(), "sin_");
    public Tensor cos_() => InplaceUnary(t => t.cos(), "cos_");
    public Tensor tanh_() => InplaceUnary(t => t.tanh(), "tanh_");
    public Tensor sigmoid_() => InplaceUnary(t => t.sigmoid(), "sigmoid_");
    public Tensor relu_() => InplaceUnary(t => t.relu(), "relu_");
    public Tensor floor_() => InplaceUnary(t => t.floor(), "floor_");
    public Tensor round_() => InplaceUnary(t => t.round(), "round_");
    public Tensor clamp_(Scalar? min = null, Scalar? max = null) => InplaceUnary(t => t.clamp(min, max), "clamp_");
    public Tensor zero_() { using var _ = GradGuardForFill("zero_"); CopyFrom(ScalarTensor(0, dtype)); BumpVersion(); return this; }
    public Tensor fill_(Scalar value) { using var _ = GradGuardForFill("fill_"); CopyFrom(ScalarTensor(value, dtype)); BumpVersion(); return this; }

    /// <summary>copy_(src): writes src (broadcast, converted) into this tensor.</summary>
    public Tensor copy_(Tensor src)
    {
        if (GradMode.Enabled && (_requiresGrad || src._requiresGrad))
        {
            CheckInplace(dtype, "copy_");
            var r = src.expand(shape).to(dtype).clone();
            return AssignInplace(r);
        }
        CopyFrom(src);
        BumpVersion();
        return this;
    }

    IDisposable? GradGuardForFill(string op)
    {
        CheckInplace(dtype, op);
        // The values no longer depend on the history: the gradient stops here.
        if (_requiresGrad && GradMode.Enabled) _gradFn = new Node(op == "zero_" ? "ZeroBackward0" : "FillBackward0", g => [], []);
        return null;
    }
}
