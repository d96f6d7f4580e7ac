using System.Numerics;
using Torchlet.Kernels;

namespace Torchlet;

/// <summary>Unary elementwise math (kernels in Kernels/Unary.cs); backward beside forward.</summary>
public partial class Tensor
{
    /// <summary>
    /// f(x) for a floating function: integer and bool inputs are promoted to float32 first (as
    /// torch.exp does).
    /// </summary>
    internal Tensor MapFloat<TFn>(string op) where TFn : IFloatMap
    {
        var x = (dtype.IsFloating() ? this : to_nograd(ScalarType.Float32, false)).contiguous_nograd();
        var r = Empty(x._shape, x.dtype);
        UnaryKernels.Map<TFn>(x.dtype, x._storage.RawArray, x._offset, r._storage.RawArray, r.Numel, op);
        return r;
    }

    /// <summary>Records a unary op whose gradient is g·f'(x, y) with f' written as tensor ops.</summary>
    Tensor Unary(Tensor r, string name, Func<Tensor, Tensor, Tensor, Tensor> grad, bool saveInput = true, bool saveResult = false) =>
        NeedsGrad(this) ? RecordUnary(r, name, grad, saveInput, saveResult) : r;

    // Separate from Unary so that its closure is only allocated when a graph is recorded.
    Tensor RecordUnary(Tensor r, string name, Func<Tensor, Tensor, Tensor, Tensor> grad, bool saveInput, bool saveResult)
    {
        var self = this;
        SavedTensor? sx = saveInput ? new SavedTensor(this) : null;
        SavedTensor? sy = saveResult ? new SavedTensor(r) : null;
        return Record(r, name, g => GradFor(grad(g, sx?.Get() ?? self, sy?.Get() ?? r), self), saveInput || saveResult, this);
    }

    /// <summary>PyTorch's refusal of a bool input for kernels that have no bool version.</summary>
    void NoBoolInput(string kernel)
    {
        if (dtype == ScalarType.Bool) throw new ArgumentException($"\"{kernel}\" not implemented for 'Bool'");
    }

    public Tensor neg()
    {
        if (dtype == ScalarType.Bool) throw new ArgumentException("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
        var r = ScalarKernel<MulOp>(this, -1, dtype, false);
        return Unary(r, "NegBackward0", (g, x, y) => g.neg(), saveInput: false);
    }

    public Tensor negative() => neg();

    public Tensor exp() => Unary(MapFloat<ExpMap>("exp"),
        "ExpBackward0", (g, x, y) => g.mul(y), saveInput: false, saveResult: true);
    public Tensor log() => Unary(MapFloat<LogMap>("log"),
        "LogBackward0", (g, x, y) => g.div(x));
    public Tensor log2() => Unary(MapFloat<Log2Map>("log2"),
        "Log2Backward0", (g, x, y) => g.div(x.mul(Math.Log(2))));
    public Tensor log10() => Unary(MapFloat<Log10Map>("log10"),
        "Log10Backward0", (g, x, y) => g.div(x.mul(Math.Log(10))));
    public Tensor log1p() => Unary(MapFloat<Log1pMap>("log1p"),
        "Log1PBackward0", (g, x, y) => g.div(x.add(1)));
    public Tensor expm1() => Unary(MapFloat<Expm1Map>("expm1"),
        "Expm1Backward0", (g, x, y) => g.mul(y.add(1)), saveInput: false, saveResult: true);
    public Tensor sqrt() => Unary(MapFloat<SqrtMap>("sqrt"),
        "SqrtBackward0", (g, x, y) => g.div(y.mul(2)), saveInput: false, saveResult: true);
    public Tensor rsqrt() => Unary(MapFloat<RsqrtMap>("rsqrt"),
        "RsqrtBackward0", (g, x, y) => g.mul(y.pow(3)).mul(-0.5), saveInput: false, saveResult: true);
    public Tensor reciprocal() => Unary(MapFloat<ReciprocalMap>("reciprocal"),
        "ReciprocalBackward0", (g, x, y) => g.mul(y.mul(y)).neg(), saveInput: false, saveResult: true);
    public Tensor sin() => Unary(MapFloat<SinMap>("sin"),
        "SinBackward0", (g, x, y) => g.mul(x.cos()));
    public Tensor cos() => Unary(MapFloat<CosMap>("cos"),
        "CosBackward0", (g, x, y) => g.mul(x.sin()).neg());
    public Tensor tan() => Unary(MapFloat<TanMap>("tan"),
        "TanBackward0", (g, x, y) => g.mul(y.mul(y).add(1)), saveInput: false, saveResult: true);
    public Tensor tanh() => Unary(MapFloat<TanhMap>("tanh"),
        "TanhBackward0", (g, x, y) => g.mul(y.mul(y).rsub(1)), saveInput: false, saveResult: true);
    public Tensor sinh() => Unary(MapFloat<SinhMap>("sinh"),
        "SinhBackward0", (g, x, y) => g.mul(x.cosh()));
    public Tensor cosh() => Unary(MapFloat<CoshMap>("cosh"),
        "CoshBackward0", (g, x, y) => g.mul(x.sinh()));
    public Tensor sigmoid() => Unary(MapFloat<SigmoidMap>("sigmoid"),
        "SigmoidBackward0", (g, x, y) => g.mul(y.mul(y.rsub(1))), saveInput: false, saveResult: true);

    // ---------------------------------------------------------------- same-dtype maps (integers keep their dtype)

    /// <summary>abs / sign / relu in the input's own dtype (ints wrap as in C++: abs(int.MinValue) stays negative).</summary>
    Tensor MapSame(SameMap op)
    {
        var x = contiguous_nograd();
        var r = Empty(_shape, dtype);
        UnaryKernels.MapSame(dtype, x._storage.RawArray, x._offset, r._storage.RawArray, r.Numel, op);
        return r;
    }

    public Tensor abs()
    {
        NoBoolInput("abs_cpu");
        return Unary(MapSame(SameMap.Abs), "AbsBackward0", (g, x, y) => g.mul(x.sign()));
    }

    public Tensor absolute() => abs();

    /// <summary>-1, 0 or 1 by sign; 0 for NaN (zero gradient).</summary>
    public Tensor sign() => Unary(MapSame(SameMap.Sign), "SignBackward0", (g, x, y) => torch.zeros_like(g), saveInput: false);

    public Tensor floor() => Rounding<FloorMap>("FloorBackward0", "floor_vml_cpu");
    public Tensor ceil() => Rounding<CeilMap>("CeilBackward0", "ceil_vml_cpu");
    public Tensor trunc() => Rounding<TruncMap>("TruncBackward0", "trunc_vml_cpu");
    public Tensor fix() => trunc();
    /// <summary>Rounds half to even, as torch.round does.</summary>
    public Tensor round() => Rounding<RoundMap>("RoundBackward0", "round_vml_cpu");

    Tensor Rounding<TFn>(string name, string kernel) where TFn : IFloatMap
    {
        NoBoolInput(kernel);
        // Integers are already whole: a copy, as in PyTorch.
        if (!dtype.IsFloating()) return clone_nograd();
        return Unary(MapFloat<TFn>(kernel), name, (gr, x, y) => torch.zeros_like(gr), saveInput: false);
    }

    public Tensor square() => pow(2);

    public Tensor relu()
    {
        if (dtype == ScalarType.Bool) throw new ArgumentException("Boolean inputs not supported for relu");
        return Unary(MapSame(SameMap.Relu), "ReluBackward0", (g, x, y) => g.mul(y.gt(0).to(g.dtype)), saveInput: false, saveResult: true);
    }

    /// <summary>Clamps into [min, max] (min wins when min > max); the gradient passes where min ≤ x ≤ max.</summary>
    public Tensor clamp(Scalar? min = null, Scalar? max = null) => Clamp(min, max, "ClampBackward1");
    public Tensor clamp_min(Scalar min) => Clamp(min, null, "ClampMinBackward0");
    public Tensor clamp_max(Scalar max) => Clamp(null, max, "ClampMaxBackward0");
    public Tensor clip(Scalar? min = null, Scalar? max = null) => clamp(min, max);

    Tensor Clamp(Scalar? min, Scalar? max, string name)
    {
        if (min is null && max is null) throw new ArgumentException("torch.clamp: At least one of 'min' or 'max' must not be None");
        var ct = dtype;
        if (min is { } mn) ct = ScalarTypes.Promote(ct, ResultType(this, mn));
        if (max is { } mx) ct = ScalarTypes.Promote(ct, ResultType(this, mx));
        if (ct == ScalarType.Bool) throw new ArgumentException("\"clamp_scalar_cpu\" not implemented for 'Bool'");
        min?.CheckFits(ct);
        max?.CheckFits(ct);
        var r = to_nograd(ct, false);
        if (min is { } lo) r = ScalarKernel<ExtremumOp<Greater>>(r, lo, ct, false);
        if (max is { } hi) r = ScalarKernel<ExtremumOp<Less>>(r, hi, ct, false);
        return NeedsGrad(this) ? RecordClamp(r, name, min, max) : r;
    }

    Tensor RecordClamp(Tensor r, string name, Scalar? min, Scalar? max) => RecordUnary(r, name, (g, x, y) =>
    {
        Tensor? mask = null;
        if (min is { } a) mask = x.ge(a);
        if (max is { } b) mask = mask is null ? x.le(b) : mask.logical_and(x.le(b));
        return g.mul(mask!.to(g.dtype));
    }, saveInput: true, saveResult: false);

    // ---------------------------------------------------------------- in-place

    public Tensor neg_() => Inplace("neg_", null, static t => t.neg());
    public Tensor negative_() => neg_();
    public Tensor exp_() => Inplace("exp_", null, static t => t.exp());
    public Tensor log_() => Inplace("log_", null, static t => t.log());
    public Tensor log2_() => Inplace("log2_", null, static t => t.log2());
    public Tensor log10_() => Inplace("log10_", null, static t => t.log10());
    public Tensor log1p_() => Inplace("log1p_", null, static t => t.log1p());
    public Tensor expm1_() => Inplace("expm1_", null, static t => t.expm1());
    public Tensor sqrt_() => Inplace("sqrt_", null, static t => t.sqrt());
    public Tensor rsqrt_() => Inplace("rsqrt_", null, static t => t.rsqrt());
    public Tensor reciprocal_() => Inplace("reciprocal_", null, static t => t.reciprocal());
    public Tensor square_() => Inplace("square_", null, static t => t.square());
    public Tensor abs_() => Inplace("abs_", null, static t => t.abs());
    public Tensor sign_() => Inplace("sign_", null, static t => t.sign());
    public Tensor sin_() => Inplace("sin_", null, static t => t.sin());
    public Tensor cos_() => Inplace("cos_", null, static t => t.cos());
    public Tensor tan_() => Inplace("tan_", null, static t => t.tan());
    public Tensor tanh_() => Inplace("tanh_", null, static t => t.tanh());
    public Tensor sinh_() => Inplace("sinh_", null, static t => t.sinh());
    public Tensor cosh_() => Inplace("cosh_", null, static t => t.cosh());
    public Tensor sigmoid_() => Inplace("sigmoid_", null, static t => t.sigmoid());
    public Tensor relu_() => Inplace("relu_", null, static t => t.relu());
    public Tensor floor_() => Inplace("floor_", null, static t => t.floor());
    public Tensor ceil_() => Inplace("ceil_", null, static t => t.ceil());
    public Tensor trunc_() => Inplace("trunc_", null, static t => t.trunc());
    public Tensor round_() => Inplace("round_", null, static t => t.round());
    public Tensor clamp_(Scalar? min = null, Scalar? max = null) => Inplace("clamp_", null, (min, max), static (t, s) => t.clamp(s.min, s.max));
    public Tensor clamp_min_(Scalar min) => Inplace("clamp_min_", null, min, static (t, m) => t.clamp_min(m));
    public Tensor clamp_max_(Scalar max) => Inplace("clamp_max_", null, max, static (t, m) => t.clamp_max(m));
    public Tensor clip_(Scalar? min = null, Scalar? max = null) => clamp_(min, max);

    public Tensor zero_() => Fill(0, "zero_", "ZeroBackward0");
    public Tensor fill_(Scalar value) => Fill(value, "fill_", "FillBackward2");

    Tensor Fill(Scalar value, string op, string node)
    {
        CheckInplaceTarget(op);
        value.CheckFits(dtype);
        var old = GradMode.Enabled ? GradEdge : null;
        CopyFrom(ScalarTensor(value, dtype));
        BumpVersion();
        // The values no longer depend on the history: the old history gets a zero gradient.
        if (old is not null) SetInplaceHistory(new Node(node, static g => torch.zeros_like(g), old, false));
        return this;
    }

    /// <summary>copy_(src): writes src (broadcast, converted) into this tensor; the gradient goes to src.</summary>
    public Tensor copy_(Tensor src)
    {
        CheckInplaceTarget("copy_");
        var old = GradMode.Enabled ? GradEdge : null;
        CopyFrom(src);
        BumpVersion();
        if (GradMode.Enabled && (old is not null || src._requiresGrad))
        {
            var s = src;
            SetInplaceHistory(new Node("torch::autograd::CopyBackwards",
                g => (old is null ? null : torch.zeros_like(g), s._requiresGrad ? GradFor(g, s) : null), old, s.GradEdge, false));
        }
        return this;
    }
}
