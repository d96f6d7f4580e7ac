using System.Numerics;
using Torchlet.Kernels;

namespace Torchlet;

/// <summary>Binary elementwise math with broadcasting and type promotion; backward beside forward.</summary>
public partial class Tensor
{
    // ---------------------------------------------------------------- kernels dispatch

    /// <summary>op(a, b) in dtype <paramref name="ct"/>, broadcast; no autograd.</summary>
    internal static Tensor BinaryKernel<TOp>(Tensor a, Tensor b, ScalarType ct, string op) where TOp : IBinaryOp
    {
        var shape = Shape.Broadcast(a._shape, b._shape, op);
        // bool math runs on 0/1 bytes: + is or, * is and, max is or, min is and.
        if (ct == ScalarType.Bool)
            return BinaryKernel<TOp>(a.to_nograd(ScalarType.Byte, false), b.to_nograd(ScalarType.Byte, false), ScalarType.Byte, op).to_nograd(ScalarType.Bool, false);
        if (a.dtype != ct) a = a.to_nograd(ct, false);
        if (b.dtype != ct) b = b.to_nograd(ct, false);
        var r = Empty(shape, ct);
        var run = new BinaryAction<TOp>(a, b, r);
        Dispatch.Numeric(ct, ref run, op);
        return r;
    }

    readonly struct BinaryAction<TOp>(Tensor a, Tensor b, Tensor r) : INumericAction where TOp : IBinaryOp
    {
        public void Run<T>() where T : unmanaged, INumber<T> => Elementwise.Binary<T, TOp>(a.Operand<T>(), b.Operand<T>(), r.Buffer<T>(), r._shape, r.Numel);
    }

    /// <summary>op(a, scalar) or op(scalar, a) in dtype <paramref name="ct"/>; no autograd.</summary>
    internal static Tensor ScalarKernel<TOp>(Tensor a, Scalar s, ScalarType ct, bool scalarFirst) where TOp : IBinaryOp
    {
        if (ct == ScalarType.Bool)
            return ScalarKernel<TOp>(a.to_nograd(ScalarType.Byte, false), s, ScalarType.Byte, scalarFirst).to_nograd(ScalarType.Bool, false);
        if (a.dtype != ct) a = a.to_nograd(ct, false);
        var src = a.contiguous_nograd();
        var r = Empty(a._shape, ct);
        var run = new ScalarAction<TOp>(src, s, r, scalarFirst);
        Dispatch.Numeric(ct, ref run, nameof(ScalarKernel));
        return r;
    }

    readonly struct ScalarAction<TOp>(Tensor src, Scalar s, Tensor r, bool scalarFirst) : INumericAction where TOp : IBinaryOp
    {
        public void Run<T>() where T : unmanaged, INumber<T> => Elementwise.WithScalar<T, TOp>(src.Buffer<T>(), src._offset, s.As<T>(), r.Buffer<T>(), r.Numel, scalarFirst);
    }

    internal static Tensor CompareKernel<TOp>(Tensor a, Tensor b) where TOp : ICompareOp
    {
        var ct = ResultType(a, b);
        if (ct == ScalarType.Bool) ct = ScalarType.Byte;
        var shape = Shape.Broadcast(a._shape, b._shape);
        if (a.dtype != ct) a = a.to_nograd(ct, false);
        if (b.dtype != ct) b = b.to_nograd(ct, false);
        var r = Empty(shape, ScalarType.Bool);
        var run = new CompareAction<TOp>(a, b, r);
        Dispatch.Numeric(ct, ref run, nameof(CompareKernel));
        return r;
    }

    readonly struct CompareAction<TOp>(Tensor a, Tensor b, Tensor r) : INumericAction where TOp : ICompareOp
    {
        public void Run<T>() where T : unmanaged, INumber<T> => Elementwise.Compare<T, TOp>(a.Operand<T>(), b.Operand<T>(), r.Span<bool>(), r._shape);
    }

    /// <summary>a ∘ scalar compared in result_type(a, scalar), with no temporary tensor for the scalar.</summary>
    internal static Tensor CompareScalarKernel<TOp>(Tensor a, Scalar s) where TOp : ICompareOp
    {
        var ct = ResultType(a, s);
        if (ct == ScalarType.Bool) ct = ScalarType.Byte;
        if (a.dtype != ct) a = a.to_nograd(ct, false);
        a = a.contiguous_nograd();
        var r = Empty(a._shape, ScalarType.Bool);
        var run = new CompareScalarAction<TOp>(a, s, r);
        Dispatch.Numeric(ct, ref run, nameof(CompareScalarKernel));
        return r;
    }

    readonly struct CompareScalarAction<TOp>(Tensor a, Scalar s, Tensor r) : INumericAction where TOp : ICompareOp
    {
        public void Run<T>() where T : unmanaged, INumber<T>
        {
            var d = r.Span<bool>();
            Elementwise.CompareScalar<T, TOp>(a.Buffer<T>().AsSpan(a._offset, d.Length), s.As<T>(), d, false);
        }
    }

    readonly struct SetScalarAction(Tensor t, Scalar s) : IAnyAction
    {
        public void Run<T>() where T : unmanaged => t.Buffer<T>()[0] = s.As<T>();
    }

    /// <summary>A 0-dim tensor holding a C# number, typed as PyTorch types a wrapped Python number.</summary>
    internal static Tensor ScalarTensor(Scalar s, ScalarType dt)
    {
        var t = Empty(Shape.Scalar, dt);
        var set = new SetScalarAction(t, s);
        Dispatch.Any(dt, ref set);
        return t;
    }

    static ScalarType FloatResult(ScalarType t) => t.IsFloating() ? t : ScalarType.Float32;

    /// <summary>PyTorch's "not implemented for 'Bool'" refusal of an op's bool kernel.</summary>
    static void NoBool(ScalarType ct, string kernel)
    {
        if (ct == ScalarType.Bool) throw new ArgumentException($"\"{kernel}\" not implemented for 'Bool'");
    }

    /// <summary>The tensor-tensor kernel of an op with no bool kernel (remainder, pow), on the promoted type.</summary>
    static Tensor NonBoolBinary<TOp>(Tensor a, Tensor b, string kernel, string op) where TOp : IBinaryOp
    {
        var ct = ResultType(a, b);
        NoBool(ct, kernel);
        return BinaryKernel<TOp>(a, b, ct, op);
    }

    // ---------------------------------------------------------------- add / sub

    static bool IsOne(Scalar? alpha) => alpha is not { } a || (a.kind != Scalar.Kind.Bool && a.ToDouble() == 1);

    static void CheckAlpha(Scalar alpha, ScalarType ct)
    {
        if (alpha.kind == Scalar.Kind.Bool && ct != ScalarType.Bool)
            throw new ArgumentException("Boolean alpha only supported for Boolean results.");
        if (alpha.IsFloating && !ct.IsFloating())
            throw new ArgumentException("For integral input tensors, argument alpha must not be a floating point number.");
    }

    /// <summary>a + alpha·b in dtype ct. Floating types use one fused multiply-add, as PyTorch's CPU kernel does.</summary>
    static Tensor AddAlphaKernel(Tensor a, Tensor b, Scalar alpha, ScalarType ct, string op)
    {
        if (ct == ScalarType.Bool) return BinaryKernel<AddOp>(a, alpha.ToDouble() != 0 ? b : torch.zeros_like(b, ScalarType.Bool), ct, op);
        if (!ct.IsFloating()) return BinaryKernel<AddOp>(a, ScalarKernel<MulOp>(b, alpha, ct, false), ct, op);
        var shape = Shape.Broadcast(a._shape, b._shape, op);
        var ac = a.to_nograd(ct, false).expand_nograd(shape).contiguous_nograd();
        var bc = b.to_nograd(ct, false).expand_nograd(shape).contiguous_nograd();
        var r = Empty(shape, ct);
        RowUpdate.FusedAxpy(ct, bc._storage.RawArray, bc._offset, alpha, ac._storage.RawArray, ac._offset, r._storage.RawArray, 0, r.Numel, op);
        return r;
    }

    static Scalar Negate(Scalar s) => s.kind == Scalar.Kind.Float ? -s.ToDouble() : -s.ToInt64();

    public Tensor add(Tensor other, Scalar? alpha = null)
    {
        var ct = ResultType(this, other);
        Tensor r;
        if (IsOne(alpha)) r = BinaryKernel<AddOp>(this, other, ct, "add");
        else { CheckAlpha(alpha!.Value, ct); r = AddAlphaKernel(this, other, alpha.Value, ct, "add"); }
        if (NeedsGrad(this, other))
        {
            Tensor a = this, b = other; var alp = alpha;
            Record(r, "AddBackward0", g => (a._requiresGrad ? GradFor(g, a) : null,
                b._requiresGrad ? GradFor(IsOne(alp) ? g : g.mul(alp!.Value), b) : null), false, a, b);
        }
        return r;
    }

    // Backward of an op whose gradient is g itself (add/sub a number) or g·c (mul/div by a number).
    static Tensor RecordScaled(Tensor r, string name, Tensor a, Scalar? factor, bool divide = false) =>
        Record(r, name, g => GradFor(factor is not { } f ? g : divide ? g.div(f) : g.mul(f), a), false, a);

    public Tensor add(Scalar other, Scalar? alpha = null)
    {
        var ct = ResultType(this, other);
        other = TimesAlpha(other, alpha, ct);
        var r = ScalarKernel<AddOp>(this, other, ct, false);
        return NeedsGrad(this) ? RecordScaled(r, "AddBackward0", this, null) : r;
    }

    /// <summary>other·alpha as one scalar (after PyTorch's alpha check), so add/sub of a scalar run one kernel.</summary>
    static Scalar TimesAlpha(Scalar other, Scalar? alpha, ScalarType ct)
    {
        if (IsOne(alpha)) return other;
        CheckAlpha(alpha!.Value, ct);
        return alpha.Value.kind == Scalar.Kind.Float || other.IsFloating ? other.ToDouble() * alpha.Value.ToDouble() : other.ToInt64() * alpha.Value.ToInt64();
    }

    static void CheckSub(ScalarType a, ScalarType b)
    {
        if (a == ScalarType.Bool && b == ScalarType.Bool)
            throw new ArgumentException("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.");
        if (a == ScalarType.Bool || b == ScalarType.Bool)
            throw new ArgumentException("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
    }

    public Tensor sub(Tensor other, Scalar? alpha = null)
    {
        CheckSub(dtype, other.dtype);
        var ct = ResultType(this, other);
        Tensor r;
        if (IsOne(alpha)) r = BinaryKernel<SubOp>(this, other, ct, "sub");
        else { CheckAlpha(alpha!.Value, ct); r = AddAlphaKernel(this, other, Negate(alpha.Value), ct, "sub"); }
        if (NeedsGrad(this, other))
        {
            Tensor a = this, b = other; var alp = alpha;
            Record(r, "SubBackward0", g => (a._requiresGrad ? GradFor(g, a) : null,
                b._requiresGrad ? GradFor(IsOne(alp) ? g.neg() : g.mul(Negate(alp!.Value)), b) : null), false, a, b);
        }
        return r;
    }

    public Tensor sub(Scalar other, Scalar? alpha = null)
    {
        CheckSub(dtype, other.DefaultDType);
        var ct = ResultType(this, other);
        other = TimesAlpha(other, alpha, ct);
        var r = ScalarKernel<SubOp>(this, other, ct, false);
        return NeedsGrad(this) ? RecordScaled(r, "SubBackward0", this, null) : r;
    }

    /// <summary>scalar - this (Python's <c>2 - x</c>).</summary>
    public Tensor rsub(Scalar other)
    {
        CheckSub(other.DefaultDType, dtype);
        var r = ScalarKernel<SubOp>(this, other, ResultType(this, other), true);
        return NeedsGrad(this) ? RecordScaled(r, "RsubBackward1", this, -1) : r;
    }

    // ---------------------------------------------------------------- mul / div

    public Tensor mul(Tensor other)
    {
        var r = BinaryKernel<MulOp>(this, other, ResultType(this, other), "mul");
        if (NeedsGrad(this, other))
        {
            // Only the input whose gradient is wanted is saved: the other may then change in place freely.
            Tensor a = this, b = other;
            SavedTensor? sa = b._requiresGrad ? new SavedTensor(a) : null, sb = a._requiresGrad ? new SavedTensor(b) : null;
            Record(r, "MulBackward0", g => (
                sb is { } y ? GradFor(g.mul(y.Get()), a) : null,
                sa is { } x ? GradFor(g.mul(x.Get()), b) : null), true, a, b);
        }
        return r;
    }

    public Tensor mul(Scalar other)
    {
        var r = ScalarKernel<MulOp>(this, other, ResultType(this, other), false);
        return NeedsGrad(this) ? RecordScaled(r, "MulBackward0", this, other) : r;
    }

    /// <summary>True division: integer inputs give a floating result, as in PyTorch.</summary>
    public Tensor div(Tensor other)
    {
        var r = BinaryKernel<DivOp>(this, other, FloatResult(ResultType(this, other)), "div");
        if (NeedsGrad(this, other))
        {
            Tensor a = this, b = other;
            SavedTensor? sa = b._requiresGrad ? new SavedTensor(a) : null;
            var sb = new SavedTensor(b);
            Record(r, "DivBackward0", g =>
            {
                var bv = sb.Get();
                return (a._requiresGrad ? GradFor(g.div(bv), a) : null,
                        sa is { } x ? GradFor(g.neg().mul(x.Get()).div(bv.mul(bv)), b) : null);
            }, true, a, b);
        }
        return r;
    }

    public Tensor div(Scalar other)
    {
        var r = ScalarKernel<DivOp>(this, other, FloatResult(ResultType(this, other)), false);
        return NeedsGrad(this) ? RecordScaled(r, "DivBackward0", this, other, divide: true) : r;
    }

    /// <summary>
    /// scalar / this. PyTorch computes Python's <c>2 / x</c> as <c>x.reciprocal() * 2</c>, so values
    /// round the same way and the node is a MulBackward0.
    /// </summary>
    public Tensor rdiv(Scalar other)
    {
        var ct = FloatResult(ResultType(this, other));
        var rec = ScalarKernel<DivOp>(this, 1, FloatResult(dtype), true);
        var r = ScalarKernel<MulOp>(rec, other, ct, false);
        return NeedsGrad(this) ? RecordRdiv(r, rec, this, other) : r;
    }

    static Tensor RecordRdiv(Tensor r, Tensor rec, Tensor a, Scalar other)
    {
        var sr = new SavedTensor(rec);
        return Record(r, "MulBackward0", g => { var y = sr.Get(); return GradFor(g.mul(other).mul(y.mul(y)).neg(), a); }, true, a);
    }

    public Tensor true_divide(Tensor other) => div(other);
    public Tensor true_divide(Scalar other) => div(other);

    /// <summary>Python's % (sign of the divisor). Gradient w.r.t. the divisor is -floor(a/b)·g.</summary>
    public Tensor remainder(Tensor other)
    {
        var r = NonBoolBinary<RemainderOp>(this, other, "remainder_cpu", "remainder");
        if (NeedsGrad(this, other))
        {
            var sa = new SavedTensor(this); var sb = new SavedTensor(other);
            Tensor a = this, b = other;
            Record(r, "RemainderBackward1", g => (a._requiresGrad ? GradFor(g, a) : null,
                b._requiresGrad ? GradFor(g.neg().mul(sa.Get().div(sb.Get()).floor()), b) : null), true, a, b);
        }
        return r;
    }

    public Tensor remainder(Scalar other)
    {
        var ct = ResultType(this, other);
        NoBool(ct, "remainder_cpu");
        var r = ScalarKernel<RemainderOp>(this, other, ct, false);
        return NeedsGrad(this) ? RecordScaled(r, "RemainderBackward0", this, null) : r;
    }

    // ---------------------------------------------------------------- pow / maximum / minimum

    public Tensor pow(Scalar exponent)
    {
        var ct = ResultType(this, exponent);
        NoBool(ct, "pow");
        if (!ct.IsFloating() && exponent.ToInt64() < 0)
            throw new ArgumentException("Integers to negative integer powers are not allowed.");
        var r = ScalarKernel<PowOp>(this, exponent, ct, false);
        return NeedsGrad(this) ? RecordPowScalar(r, this, exponent.ToDouble()) : r;
    }

    static Tensor RecordPowScalar(Tensor r, Tensor a, double e)
    {
        var sa = new SavedTensor(a);
        return Record(r, "PowBackward0", g => e == 0 ? torch.zeros_like(a) : GradFor(g.mul(sa.Get().pow(e - 1).mul(e)), a), true, a);
    }

    public Tensor pow(Tensor exponent)
    {
        var r = NonBoolBinary<PowOp>(this, exponent, "pow", "pow");
        if (NeedsGrad(this, exponent))
        {
            var sa = new SavedTensor(this); var sb = new SavedTensor(exponent);
            SavedTensor? sr = exponent._requiresGrad ? new SavedTensor(r) : null;
            Tensor a = this, b = exponent;
            Record(r, "PowBackward1", g =>
            {
                var x = sa.Get(); var e = sb.Get();
                Tensor? ga = null, gb = null;
                if (a._requiresGrad) ga = GradFor(torch.where(e.eq(0), torch.zeros_like(g), g.mul(e).mul(x.pow(e.sub(1)))), a);
                if (sr is { } y)
                {
                    var cond = x.eq(0).logical_and(e.ge(0));
                    gb = GradFor(g.mul(torch.where(cond, torch.zeros_like(g), y.Get().mul(x.log()))), b);
                }
                return (ga, gb);
            }, true, a, b);
        }
        return r;
    }

    /// <summary>scalar ** exponent (torch.pow(2, x)).</summary>
    public static Tensor pow(Scalar self, Tensor exponent)
    {
        var ct = ResultType(exponent, self);
        NoBool(ct, "pow");
        var r = ScalarKernel<PowOp>(exponent, self, ct, true);
        return NeedsGrad(exponent) ? RecordRpow(r, self, exponent) : r;
    }

    static Tensor RecordRpow(Tensor r, Scalar self, Tensor exponent)
    {
        {
            var sr = new SavedTensor(r);
            double lb = Math.Log(self.ToDouble());
            // d/de base^e = base^e·log(base); 0^e counts as 0 where e ≥ 0, as in PyTorch.
            return Record(r, "PowBackward2", g =>
            {
                var d = g.mul(sr.Get()).mul(lb);
                return GradFor(self.ToDouble() == 0 ? torch.where(exponent.ge(0), torch.zeros_like(d), d) : d, exponent);
            }, true, exponent);
        }
    }

    public Tensor maximum(Tensor other) => MinMax<ExtremumOp<Greater>>(other, "MaximumBackward0", true);
    public Tensor minimum(Tensor other) => MinMax<ExtremumOp<Less>>(other, "MinimumBackward0", false);

    Tensor MinMax<TOp>(Tensor other, string name, bool isMax) where TOp : IBinaryOp
    {
        var r = BinaryKernel<TOp>(this, other, ResultType(this, other), isMax ? "maximum" : "minimum");
        if (NeedsGrad(this, other))
        {
            var sa = new SavedTensor(this); var sb = new SavedTensor(other);
            Tensor a = this, b = other; bool max = isMax;
            Record(r, name, g =>
            {
                var x = sa.Get(); var y = sb.Get();
                // Ties split the gradient evenly, as PyTorch does.
                var win = (max ? x.gt(y) : x.lt(y)).to(g.dtype).add(x.eq(y).to(g.dtype).mul(0.5));
                return (a._requiresGrad ? GradFor(g.mul(win), a) : null, b._requiresGrad ? GradFor(g.mul(win.rsub(1)), b) : null);
            }, true, a, b);
        }
        return r;
    }

    // ---------------------------------------------------------------- in-place variants

    /// <summary>
    /// The general in-place path: checks first (nothing changes on error), computes out of place
    /// (on a copy in grad mode, see <see cref="InplaceSource"/>), then writes back and rebases history.
    /// </summary>
    Tensor Inplace(string op, Tensor? other, Func<Tensor, Tensor> f)
    {
        CheckInplaceTarget(op);
        var r = f(InplaceSource(other));
        CheckInplaceCast(r.dtype);
        return AssignInplace(r);
    }

    /// <summary>This tensor as the input of an in-place op (see <see cref="InplaceSource"/>); used by in-place ops in other files.</summary>
    Tensor Self => InplaceSource();

    // With the op's arguments passed as state, the lambdas stay static: no closure on the fast paths.
    Tensor Inplace<TS>(string op, Tensor? other, TS state, Func<Tensor, TS, Tensor> f)
    {
        CheckInplaceTarget(op);
        var r = f(InplaceSource(other), state);
        CheckInplaceCast(r.dtype);
        return AssignInplace(r);
    }

    public Tensor add_(Tensor other, Scalar? alpha = null) => InplaceFast<AddOp>(other, alpha) ?? Inplace("add_", other, (other, alpha), static (t, s) => t.add(s.other, s.alpha));
    public Tensor add_(Scalar other, Scalar? alpha = null) => (IsOne(alpha) ? InplaceFastScalar<AddOp>(other) : null) ?? Inplace("add_", null, (other, alpha), static (t, s) => t.add(s.other, s.alpha));
    public Tensor sub_(Tensor other, Scalar? alpha = null) => InplaceFast<SubOp>(other, alpha is { } a ? Negate(a) : null) ?? Inplace("sub_", other, (other, alpha), static (t, s) => t.sub(s.other, s.alpha));
    public Tensor sub_(Scalar other, Scalar? alpha = null) => (IsOne(alpha) ? InplaceFastScalar<SubOp>(other) : null) ?? Inplace("sub_", null, (other, alpha), static (t, s) => t.sub(s.other, s.alpha));
    public Tensor mul_(Tensor other) => InplaceFast<MulOp>(other, null) ?? Inplace("mul_", other, other, static (t, o) => t.mul(o));
    public Tensor mul_(Scalar other) => InplaceFastScalar<MulOp>(other) ?? Inplace("mul_", null, other, static (t, o) => t.mul(o));
    public Tensor div_(Tensor other) => InplaceFast<DivOp>(other, null) ?? Inplace("div_", other, other, static (t, o) => t.div(o));
    public Tensor div_(Scalar other) => InplaceFastScalar<DivOp>(other) ?? Inplace("div_", null, other, static (t, o) => t.div(o));
    public Tensor pow_(Scalar other) => Inplace("pow_", null, other, static (t, o) => t.pow(o));
    public Tensor pow_(Tensor other) => Inplace("pow_", other, other, static (t, o) => t.pow(o));
    public Tensor remainder_(Scalar other) => Inplace("remainder_", null, other, static (t, o) => t.remainder(o));
    public Tensor remainder_(Tensor other) => Inplace("remainder_", other, other, static (t, o) => t.remainder(o));
    public Tensor true_divide_(Tensor other) => div_(other);
    public Tensor true_divide_(Scalar other) => div_(other);

    /// <summary>True when the write needs no autograd bookkeeping and no checks beyond the layout.</summary>
    bool PlainWrite(Tensor? other) =>
        !GradMode.Enabled || (!_requiresGrad && other is not { _requiresGrad: true } && (_base is null || !_base._requiresGrad));

    /// <summary>
    /// The optimizer hot path: floating, same dtype, contiguous, no graph → write straight into
    /// this storage with no temporary. A scalar-sized other is broadcast; (sub's) alpha becomes
    /// one fused multiply-add. Returns null when the general path is needed.
    /// </summary>
    Tensor? InplaceFast<TOp>(Tensor other, Scalar? alpha) where TOp : IBinaryOp
    {
        if (!dtype.IsFloating() || other.dtype != dtype || !_contiguous || !other._contiguous || !PlainWrite(other)) return null;
        int n = Numel, on = other.Numel;
        if (!(on == n && Shape.SameShape(_shape, other._shape)) && !(on == 1 && other._shape.Length <= _shape.Length)) return null;
        // Partly overlapping buffers would be read after being written: take the copying path.
        if (ReferenceEquals(other._storage, _storage) && other._offset != _offset) return null;
        if (alpha is { } al && !IsOne(al))
        {
            if (typeof(TOp) != typeof(AddOp) && typeof(TOp) != typeof(SubOp) || on != n || al.kind == Scalar.Kind.Bool) return null;
            RowUpdate.FusedAxpy(dtype, other._storage.RawArray, other._offset, al, _storage.RawArray, _offset, _storage.RawArray, _offset, n, "add_");
        }
        else
        {
            var action = new InplaceAction<TOp>(this, other, default);
            Dispatch.Floating(dtype, ref action, "inplace");
        }
        BumpVersion();
        return this;
    }

    /// <summary>self op= other in place: the scalar when other is null, elementwise when the sizes match, else with other's single element.</summary>
    readonly struct InplaceAction<TOp>(Tensor self, Tensor? other, Scalar scalar) : IFloatingAction where TOp : IBinaryOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var d = self.Span<T>();
            if (other is null) TOp.SpanScalar<T>(d, scalar.As<T>(), d);
            else if (other.Numel == self.Numel) TOp.Span<T>(d, other.Span<T>(), d);
            else TOp.SpanScalar<T>(d, other.Buffer<T>()[other._offset], d);
        }
    }

    Tensor? InplaceFastScalar<TOp>(Scalar other) where TOp : IBinaryOp
    {
        if (!dtype.IsFloating() || !_contiguous || !PlainWrite(null)) return null;
        var action = new InplaceAction<TOp>(this, null, other);
        Dispatch.Floating(dtype, ref action, "inplace");
        BumpVersion();
        return this;
    }

    // ---------------------------------------------------------------- comparisons (no gradient)

    public Tensor eq(Tensor other) => CompareKernel<EqOp>(this, other);
    public Tensor ne(Tensor other) => CompareKernel<NeOp>(this, other);
    public Tensor lt(Tensor other) => CompareKernel<LtOp>(this, other);
    public Tensor le(Tensor other) => CompareKernel<LeOp>(this, other);
    public Tensor gt(Tensor other) => CompareKernel<GtOp>(this, other);
    public Tensor ge(Tensor other) => CompareKernel<GeOp>(this, other);
    public Tensor eq(Scalar other) => CompareScalarKernel<EqOp>(this, other);
    public Tensor ne(Scalar other) => CompareScalarKernel<NeOp>(this, other);
    public Tensor lt(Scalar other) => CompareScalarKernel<LtOp>(this, other);
    public Tensor le(Scalar other) => CompareScalarKernel<LeOp>(this, other);
    public Tensor gt(Scalar other) => CompareScalarKernel<GtOp>(this, other);
    public Tensor ge(Scalar other) => CompareScalarKernel<GeOp>(this, other);

    // PyTorch's long names for the same comparisons.
    public Tensor greater(Tensor other) => gt(other);
    public Tensor greater_equal(Tensor other) => ge(other);
    public Tensor less(Tensor other) => lt(other);
    public Tensor less_equal(Tensor other) => le(other);
    public Tensor not_equal(Tensor other) => ne(other);

    public Tensor logical_and(Tensor other) => BinaryKernel<MulOp>(ne(0), other.ne(0), ScalarType.Bool, "logical_and");
    public Tensor logical_or(Tensor other) => BinaryKernel<AddOp>(ne(0), other.ne(0), ScalarType.Bool, "logical_or");
    public Tensor logical_xor(Tensor other) => CompareKernel<NeOp>(ne(0), other.ne(0));
    public Tensor logical_not() => eq(0);

    // ---------------------------------------------------------------- bitwise (integers and bool)

    Tensor Bitwise<TOp>(Tensor other, string kernel) where TOp : IBinaryOp
    {
        var ct = ResultType(this, other);
        if (ct.IsFloating()) throw new ArgumentException($"\"{kernel}\" not implemented for '{ct.CName()}'");
        return BinaryKernel<TOp>(this, other, ct, kernel);
    }

    Tensor Bitwise<TOp>(Scalar other, string kernel) where TOp : IBinaryOp
    {
        var ct = ResultType(this, other);
        if (ct.IsFloating()) throw new ArgumentException($"\"{kernel}\" not implemented for '{ct.CName()}'");
        return ScalarKernel<TOp>(this, other, ct, false);
    }

    public Tensor bitwise_and(Tensor other) => Bitwise<BitAndOp>(other, "bitwise_and_cpu");
    public Tensor bitwise_or(Tensor other) => Bitwise<BitOrOp>(other, "bitwise_or_cpu");
    public Tensor bitwise_xor(Tensor other) => Bitwise<BitXorOp>(other, "bitwise_xor_cpu");
    public Tensor bitwise_and(Scalar other) => Bitwise<BitAndOp>(other, "bitwise_and_cpu");
    public Tensor bitwise_or(Scalar other) => Bitwise<BitOrOp>(other, "bitwise_or_cpu");
    public Tensor bitwise_xor(Scalar other) => Bitwise<BitXorOp>(other, "bitwise_xor_cpu");

    /// <summary>~x: bit complement for integers, logical not for bool.</summary>
    public Tensor bitwise_not()
    {
        if (dtype.IsFloating()) throw new ArgumentException($"\"bitwise_not_cpu\" not implemented for '{dtype.CName()}'");
        if (dtype == ScalarType.Bool) return eq(false);
        return ScalarKernel<BitXorOp>(this, -1, dtype, false);
    }

    /// <summary>True when both have the same shape and every element is equal, like torch.equal.</summary>
    public bool equal(Tensor other) => Shape.SameShape(_shape, other._shape) && eq(other).all().item<bool>();

    // ---------------------------------------------------------------- C# operators

    public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
    public static Tensor operator +(Tensor a, Scalar b) => a.add(b);
    public static Tensor operator +(Scalar a, Tensor b) => b.add(a);
    public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
    public static Tensor operator -(Tensor a, Scalar b) => a.sub(b);
    public static Tensor operator -(Scalar a, Tensor b) => b.rsub(a);
    public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
    public static Tensor operator *(Tensor a, Scalar b) => a.mul(b);
    public static Tensor operator *(Scalar a, Tensor b) => b.mul(a);
    public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
    public static Tensor operator /(Tensor a, Scalar b) => a.div(b);
    public static Tensor operator /(Scalar a, Tensor b) => b.rdiv(a);
    public static Tensor operator %(Tensor a, Tensor b) => a.remainder(b);
    public static Tensor operator %(Tensor a, Scalar b) => a.remainder(b);
    public static Tensor operator -(Tensor a) => a.neg();

    // Comparisons give bool tensors (broadcast, compared in the promoted dtype, never differentiable), as
    // Python's x < y on tensors. A number on the left is Python's reflected operator: 0 < x is x > 0.
    // == and != are not overloaded: C# code relies on them comparing references (x == null, collections,
    // dictionaries), so elementwise equality is x.eq(y) / x.ne(y), as in TorchSharp.

    /// <summary>Elementwise <c>a &lt; b</c> (<see cref="lt(Tensor)"/>): a bool tensor.</summary>
    public static Tensor operator <(Tensor a, Tensor b) => a.lt(b);
    /// <summary>Elementwise <c>a &lt; b</c> (<see cref="lt(Scalar)"/>): a bool tensor.</summary>
    public static Tensor operator <(Tensor a, Scalar b) => a.lt(b);
    /// <summary>Elementwise <c>a &lt; b</c>, i.e. <c>b &gt; a</c> (<see cref="gt(Scalar)"/>): a bool tensor.</summary>
    public static Tensor operator <(Scalar a, Tensor b) => b.gt(a);
    /// <summary>Elementwise <c>a &gt; b</c> (<see cref="gt(Tensor)"/>): a bool tensor.</summary>
    public static Tensor operator >(Tensor a, Tensor b) => a.gt(b);
    /// <summary>Elementwise <c>a &gt; b</c> (<see cref="gt(Scalar)"/>): a bool tensor.</summary>
    public static Tensor operator >(Tensor a, Scalar b) => a.gt(b);
    /// <summary>Elementwise <c>a &gt; b</c>, i.e. <c>b &lt; a</c> (<see cref="lt(Scalar)"/>): a bool tensor.</summary>
    public static Tensor operator >(Scalar a, Tensor b) => b.lt(a);
    /// <summary>Elementwise <c>a &lt;= b</c> (<see cref="le(Tensor)"/>): a bool tensor.</summary>
    public static Tensor operator <=(Tensor a, Tensor b) => a.le(b);
    /// <summary>Elementwise <c>a &lt;= b</c> (<see cref="le(Scalar)"/>): a bool tensor.</summary>
    public static Tensor operator <=(Tensor a, Scalar b) => a.le(b);
    /// <summary>Elementwise <c>a &lt;= b</c>, i.e. <c>b &gt;= a</c> (<see cref="ge(Scalar)"/>): a bool tensor.</summary>
    public static Tensor operator <=(Scalar a, Tensor b) => b.ge(a);
    /// <summary>Elementwise <c>a &gt;= b</c> (<see cref="ge(Tensor)"/>): a bool tensor.</summary>
    public static Tensor operator >=(Tensor a, Tensor b) => a.ge(b);
    /// <summary>Elementwise <c>a &gt;= b</c> (<see cref="ge(Scalar)"/>): a bool tensor.</summary>
    public static Tensor operator >=(Tensor a, Scalar b) => a.ge(b);
    /// <summary>Elementwise <c>a &gt;= b</c>, i.e. <c>b &lt;= a</c> (<see cref="le(Scalar)"/>): a bool tensor.</summary>
    public static Tensor operator >=(Scalar a, Tensor b) => b.le(a);

    // As in PyTorch (and TorchSharp), & | ^ ~ are bitwise: logical for bool tensors, bit ops for integers,
    // an error for floating tensors. A number on the left is Python's reflected operator (True & mask).

    /// <summary><c>a &amp; b</c> (<see cref="bitwise_and(Tensor)"/>): logical and for bool, bitwise and for integers.</summary>
    public static Tensor operator &(Tensor a, Tensor b) => a.bitwise_and(b);
    /// <summary><c>a &amp; b</c> (<see cref="bitwise_and(Scalar)"/>).</summary>
    public static Tensor operator &(Tensor a, Scalar b) => a.bitwise_and(b);
    /// <summary><c>a &amp; b</c> with a number on the left (<see cref="bitwise_and(Scalar)"/> of <paramref name="b"/>).</summary>
    public static Tensor operator &(Scalar a, Tensor b) => b.bitwise_and(a);
    /// <summary><c>a | b</c> (<see cref="bitwise_or(Tensor)"/>): logical or for bool, bitwise or for integers.</summary>
    public static Tensor operator |(Tensor a, Tensor b) => a.bitwise_or(b);
    /// <summary><c>a | b</c> (<see cref="bitwise_or(Scalar)"/>).</summary>
    public static Tensor operator |(Tensor a, Scalar b) => a.bitwise_or(b);
    /// <summary><c>a | b</c> with a number on the left (<see cref="bitwise_or(Scalar)"/> of <paramref name="b"/>).</summary>
    public static Tensor operator |(Scalar a, Tensor b) => b.bitwise_or(a);
    /// <summary><c>a ^ b</c> (<see cref="bitwise_xor(Tensor)"/>): logical xor for bool, bitwise xor for integers.</summary>
    public static Tensor operator ^(Tensor a, Tensor b) => a.bitwise_xor(b);
    /// <summary><c>a ^ b</c> (<see cref="bitwise_xor(Scalar)"/>).</summary>
    public static Tensor operator ^(Tensor a, Scalar b) => a.bitwise_xor(b);
    /// <summary><c>a ^ b</c> with a number on the left (<see cref="bitwise_xor(Scalar)"/> of <paramref name="b"/>).</summary>
    public static Tensor operator ^(Scalar a, Tensor b) => b.bitwise_xor(a);

    /// <summary><c>~a</c>: logical not for bool tensors, bit complement for integers (<see cref="bitwise_not"/>).</summary>
    public static Tensor operator ~(Tensor a)
    {
        // Python's ~ refuses floating tensors before reaching the kernel, with this message.
        if (a.dtype.IsFloating()) throw new ArgumentException("~ (operator.invert) is only implemented on integer and Boolean-type tensors");
        return a.bitwise_not();
    }

    /// <summary><c>!a</c>: <see cref="logical_not"/> (true where a is zero), for any dtype.</summary>
    public static Tensor operator !(Tensor a) => a.logical_not();
}
