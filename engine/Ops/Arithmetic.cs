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
        if (ct == ScalarType.Bool)
            return BinaryKernel<TOp>(a.to_nograd(ScalarType.Byte, false), b.to_nograd(ScalarType.Byte, false), ScalarType.Byte, op).to_nograd(ScalarType.Bool, false);
        if (a.dtype != ct) a = a.to_nograd(ct, false);
        if (b.dtype != ct) b = b.to_nograd(ct, false);
        var r = Empty(shape, ct);
        switch (ct)
        {
            case ScalarType.Float32: BinaryRun<float, TOp>(a, b, r); break;
            case ScalarType.Float64: BinaryRun<double, TOp>(a, b, r); break;
            case ScalarType.Int64: BinaryRun<long, TOp>(a, b, r); break;
            case ScalarType.Int32: BinaryRun<int, TOp>(a, b, r); break;
            case ScalarType.Byte: BinaryRun<byte, TOp>(a, b, r); break;
        }
        return r;
    }

    static void BinaryRun<T, TOp>(Tensor a, Tensor b, Tensor r) where T : unmanaged, INumber<T> where TOp : IBinaryOp
    {
        int n = r.Numel;
        T[] aa = a.Buffer<T>(), ba = b.Buffer<T>(), ra = r.Buffer<T>();
        int ao = a._offset, bo = b._offset;
        if (a._contiguous && b._contiguous)
        {
            bool aFull = a.Numel == n, bFull = b.Numel == n;
            if (aFull && bFull)
            {
                Threading.For(n, 1, (s, e) => TOp.Span<T>(aa.AsSpan(ao + s, e - s), ba.AsSpan(bo + s, e - s), ra.AsSpan(s, e - s)));
                return;
            }
            if (aFull && b.Numel == 1)
            {
                T bv = ba[bo];
                Threading.For(n, 1, (s, e) => TOp.SpanScalar<T>(aa.AsSpan(ao + s, e - s), bv, ra.AsSpan(s, e - s)));
                return;
            }
            if (bFull && a.Numel == 1)
            {
                T av = aa[ao];
                Threading.For(n, 1, (s, e) => TOp.ScalarSpan<T>(av, ba.AsSpan(bo + s, e - s), ra.AsSpan(s, e - s)));
                return;
            }
        }
        var sa = Shape.ExpandStrides(a._shape, a._strides, r._shape);
        var sb = Shape.ExpandStrides(b._shape, b._strides, r._shape);
        Elementwise.Binary<T, TOp>(aa, ao, sa, ba, bo, sb, ra.AsSpan(0, n), r._shape);
    }

    /// <summary>op(a, scalar) or op(scalar, a) in dtype <paramref name="ct"/>; no autograd.</summary>
    internal static Tensor ScalarKernel<TOp>(Tensor a, Scalar s, ScalarType ct, bool scalarFirst) where TOp : IBinaryOp
    {
        if (ct == ScalarType.Bool)
            return ScalarKernel<TOp>(a.to_nograd(ScalarType.Byte, false), s, ScalarType.Byte, scalarFirst).to_nograd(ScalarType.Bool, false);
        if (a.dtype != ct) a = a.to_nograd(ct, false);
        var src = a.contiguous_nograd();
        var r = Empty(a._shape, ct);
        switch (ct)
        {
            case ScalarType.Float32: ScalarRun<float, TOp>(src, s.As<float>(), r, scalarFirst); break;
            case ScalarType.Float64: ScalarRun<double, TOp>(src, s.As<double>(), r, scalarFirst); break;
            case ScalarType.Int64: ScalarRun<long, TOp>(src, s.As<long>(), r, scalarFirst); break;
            case ScalarType.Int32: ScalarRun<int, TOp>(src, s.As<int>(), r, scalarFirst); break;
            case ScalarType.Byte: ScalarRun<byte, TOp>(src, s.As<byte>(), r, scalarFirst); break;
        }
        return r;
    }

    static void ScalarRun<T, TOp>(Tensor a, T s, Tensor r, bool scalarFirst) where T : unmanaged, INumber<T> where TOp : IBinaryOp
    {
        T[] aa = a.Buffer<T>(), ra = r.Buffer<T>();
        int ao = a._offset, n = r.Numel;
        if (n <= 4096)
        {
            if (scalarFirst) TOp.ScalarSpan<T>(s, aa.AsSpan(ao, n), ra.AsSpan(0, n));
            else TOp.SpanScalar<T>(aa.AsSpan(ao, n), s, ra.AsSpan(0, n));
            return;
        }
        Threading.For(n, 1, (st, e) =>
        {
            if (scalarFirst) TOp.ScalarSpan<T>(s, aa.AsSpan(ao + st, e - st), ra.AsSpan(st, e - st));
            else TOp.SpanScalar<T>(aa.AsSpan(ao + st, e - st), s, ra.AsSpan(st, e - st));
        });
    }

    internal static Tensor CompareKernel<TOp>(Tensor a, Tensor b) where TOp : ICompareOp
    {
        var ct = ResultType(a, b);
        if (ct == ScalarType.Bool) ct = ScalarType.Byte;
        var shape = Shape.Broadcast(a._shape, b._shape);
        if (a.dtype != ct) a = a.to_nograd(ct, false);
        if (b.dtype != ct) b = b.to_nograd(ct, false);
        var r = Empty(shape, ScalarType.Bool);
        var sa = Shape.ExpandStrides(a._shape, a._strides, shape);
        var sb = Shape.ExpandStrides(b._shape, b._strides, shape);
        var d = r.Span<bool>();
        switch (ct)
        {
            case ScalarType.Float32: Elementwise.Compare<float, TOp>(a.Buffer<float>(), a._offset, sa, b.Buffer<float>(), b._offset, sb, d, shape); break;
            case ScalarType.Float64: Elementwise.Compare<double, TOp>(a.Buffer<double>(), a._offset, sa, b.Buffer<double>(), b._offset, sb, d, shape); break;
            case ScalarType.Int64: Elementwise.Compare<long, TOp>(a.Buffer<long>(), a._offset, sa, b.Buffer<long>(), b._offset, sb, d, shape); break;
            case ScalarType.Int32: Elementwise.Compare<int, TOp>(a.Buffer<int>(), a._offset, sa, b.Buffer<int>(), b._offset, sb, d, shape); break;
            case ScalarType.Byte: Elementwise.Compare<byte, TOp>(a.Buffer<byte>(), a._offset, sa, b.Buffer<byte>(), b._offset, sb, d, shape); break;
        }
        return r;
    }

    /// <summary>A 0-dim tensor holding a C# number, typed as PyTorch types a wrapped Python number.</summary>
    internal static Tensor ScalarTensor(Scalar s, ScalarType dt)
    {
        var t = Empty(Shape.Scalar, dt);
        switch (dt)
        {
            case ScalarType.Float32: t.Buffer<float>()[0] = s.As<float>(); break;
            case ScalarType.Float64: t.Buffer<double>()[0] = s.As<double>(); break;
            case ScalarType.Int64: t.Buffer<long>()[0] = s.As<long>(); break;
            case ScalarType.Int32: t.Buffer<int>()[0] = s.As<int>(); break;
            case ScalarType.Byte: t.Buffer<byte>()[0] = s.As<byte>(); break;
            case ScalarType.Bool: t.Buffer<bool>()[0] = s.As<bool>(); break;
        }
        return t;
    }

    static ScalarType FloatResult(ScalarType t) => t.IsFloating() ? t : ScalarType.Float32;

    // ---------------------------------------------------------------- add / sub

    public Tensor add(Tensor other, Scalar? alpha = null)
    {
        var o = alpha is { } al && al.ToDouble() != 1 ? other.mul(al) : other;
        var r = BinaryKernel<AddOp>(this, o, ResultType(this, o), "add");
        if (NeedsGrad(this, other))
        {
            Tensor a = this, b = other; var alp = alpha;
            Record(r, "AddBackward0", g => [a._requiresGrad ? GradFor(g, a) : null,
                b._requiresGrad ? GradFor(alp is { } x && x.ToDouble() != 1 ? g.mul(x) : g, b) : null], false, a, b);
        }
        return r;
    }

    public Tensor add(Scalar other)
    {
        var r = ScalarKernel<AddOp>(this, other, ResultType(this, other), false);
        if (NeedsGrad(this)) { var a = this; Record(r, "AddBackward0", g => [GradFor(g, a)], false, a); }
        return r;
    }

    public Tensor sub(Tensor other, Scalar? alpha = null)
    {
        if (dtype == ScalarType.Bool && other.dtype == ScalarType.Bool)
            throw new ArgumentException("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.");
        var o = alpha is { } al && al.ToDouble() != 1 ? other.mul(al) : other;
        var r = BinaryKernel<SubOp>(this, o, ResultType(this, o), "sub");
        if (NeedsGrad(this, other))
        {
            Tensor a = this, b = other; var alp = alpha;
            Record(r, "SubBackward0", g => [a._requiresGrad ? GradFor(g, a) : null,
                b._requiresGrad ? GradFor(alp is { } x ? g.mul(-x.ToDouble()) : g.neg(), b) : null], false, a, b);
        }
        return r;
    }

    public Tensor sub(Scalar other)
    {
        var r = ScalarKernel<SubOp>(this, other, ResultType(this, other), false);
        if (NeedsGrad(this)) { var a = this; Record(r, "SubBackward0", g => [GradFor(g, a)], false, a); }
        return r;
    }

    /// <summary>scalar - this (Python's <c>2 - x</c>).</summary>
    public Tensor rsub(Scalar other)
    {
        var r = ScalarKernel<SubOp>(this, other, ResultType(this, other), true);
        if (NeedsGrad(this)) { var a = this; Record(r, "RsubBackward1", g => [GradFor(g.neg(), a)], false, a); }
        return r;
    }

    // ---------------------------------------------------------------- mul / div

    public Tensor mul(Tensor other)
    {
        var r = BinaryKernel<MulOp>(this, other, ResultType(this, other), "mul");
        if (NeedsGrad(this, other))
        {
            var sa = new SavedTensor(this); var sb = new SavedTensor(other);
            Tensor a = this, b = other;
            Record(r, "MulBackward0", g => [
                a._requiresGrad ? GradFor(g.mul(sb.Get()), a) : null,
                b._requiresGrad ? GradFor(g.mul(sa.Get()), b) : null], true, a, b);
        }
        return r;
    }

    public Tensor mul(Scalar other)
    {
        var r = ScalarKernel<MulOp>(this, other, ResultType(this, other), false);
        if (NeedsGrad(this)) { var a = this; Record(r, "MulBackward0", g => [GradFor(g.mul(other), a)], false, a); }
        return r;
    }

    /// <summary>True division: integer inputs give a floating result, as in PyTorch.</summary>
    public Tensor div(Tensor other)
    {
        var r = BinaryKernel<DivOp>(this, other, FloatResult(ResultType(this, other)), "div");
        if (NeedsGrad(this, other))
        {
            var sa = new SavedTensor(this); var sb = new SavedTensor(other);
            Tensor a = this, b = other;
            Record(r, "DivBackward0", g =>
            {
                var bv = sb.Get();
                return [a._requiresGrad ? GradFor(g.div(bv), a) : null,
                        b._requiresGrad ? GradFor(g.neg().mul(sa.Get()).div(bv.mul(bv)), b) : null];
            }, true, a, b);
        }
        return r;
    }

    public Tensor div(Scalar other)
    {
        var r = ScalarKernel<DivOp>(this, other, FloatResult(ResultType(this, other)), false);
        if (NeedsGrad(this)) { var a = this; Record(r, "DivBackward0", g => [GradFor(g.div(other), a)], false, a); }
        return r;
    }

    /// <summary>scalar / this.</summary>
    public Tensor rdiv(Scalar other)
    {
        var r = ScalarKernel<DivOp>(this, other, FloatResult(ResultType(this, other)), true);
        if (NeedsGrad(this))
        {
            var sa = new SavedTensor(this); var a = this;
            Record(r, "DivBackward0", g => { var x = sa.Get(); return [GradFor(g.mul(other).neg().div(x.mul(x)), a)]; }, true, a);
        }
        return r;
    }

    public Tensor true_divide(Tensor other) => div(other);

    /// <summary>Python's % (sign of the divisor). Gradient w.r.t. the divisor is -floor(a/b)·g.</summary>
    public Tensor remainder(Tensor other)
    {
        var r = BinaryKernel<RemainderOp>(this, other, ResultType(this, other), "remainder");
        if (NeedsGrad(this, other))
        {
            var sa = new SavedTensor(this); var sb = new SavedTensor(other);
            Tensor a = this, b = other;
            Record(r, "RemainderBackward0", g => [a._requiresGrad ? GradFor(g, a) : null,
                b._requiresGrad ? GradFor(g.neg().mul(sa.Get().div(sb.Get()).floor()), b) : null], true, a, b);
        }
        return r;
    }

    public Tensor remainder(Scalar other)
    {
        var r = ScalarKernel<RemainderOp>(this, other, ResultType(this, other), false);
        if (NeedsGrad(this)) { var a = this; Record(r, "RemainderBackward0", g => [GradFor(g, a)], false, a); }
        return r;
    }

    // ---------------------------------------------------------------- pow / maximum / minimum

    public Tensor pow(Scalar exponent)
    {
        var ct = ResultType(this, exponent);
        var r = ScalarKernel<PowOp>(this, exponent, ct, false);
        if (NeedsGrad(this))
        {
            var sa = new SavedTensor(this); var a = this;
            Record(r, "PowBackward0", g =>
            {
                double e = exponent.ToDouble();
                if (e == 0) return [torch.zeros_like(a)];
                return [GradFor(g.mul(sa.Get().pow(e - 1).mul(e)), a)];
            }, true, a);
        }
        return r;
    }

    public Tensor pow(Tensor exponent)
    {
        var r = BinaryKernel<PowOp>(this, exponent, ResultType(this, exponent), "pow");
        if (NeedsGrad(this, exponent))
        {
            var sa = new SavedTensor(this); var sb = new SavedTensor(exponent); var sr = new SavedTensor(r);
            Tensor a = this, b = exponent;
            Record(r, "PowBackward1", g =>
            {
                var x = sa.Get(); var e = sb.Get();
                Tensor? ga = null, gb = null;
                if (a._requiresGrad) ga = GradFor(torch.where(e.eq(0), torch.zeros_like(g), g.mul(e).mul(x.pow(e.sub(1)))), a);
                if (b._requiresGrad)
                {
                    var cond = x.eq(0).logical_and(e.ge(0));
                    gb = GradFor(g.mul(torch.where(cond, torch.zeros_like(g), sr.Get().mul(x.log()))), b);
                }
                return [ga, gb];
            }, true, a, b);
        }
        return r;
    }

    /// <summary>scalar ** this.</summary>
    public static Tensor pow(Scalar self, Tensor exponent)
    {
        var r = ScalarKernel<PowOp>(exponent, self, ResultType(exponent, self), true);
        if (NeedsGrad(exponent))
        {
            var sr = new SavedTensor(r);
            Record(r, "PowBackward2", g => [GradFor(g.mul(sr.Get()).mul(Math.Log(self.ToDouble())), exponent)], true, exponent);
        }
        return r;
    }

    public Tensor maximum(Tensor other) => MinMax<MaximumOp>(other, "MaximumBackward0", true);
    public Tensor minimum(Tensor other) => MinMax<MinimumOp>(other, "MinimumBackward0", false);

    Tensor MinMax<TOp>(Tensor other, string name, bool isMax) where TOp : IBinaryOp
    {
        var r = BinaryKernel<TOp>(this, other, ResultType(this, other), name);
        if (NeedsGrad(this, other))
        {
            var sa = new SavedTensor(this); var sb = new SavedTensor(other);
            Tensor a = this, b = other;
            Record(r, name, g =>
            {
                var x = sa.Get(); var y = sb.Get();
                // Ties split the gradient evenly, as PyTorch does.
                var win = (isMax ? x.gt(y) : x.lt(y)).to(g.dtype).add(x.eq(y).to(g.dtype).mul(0.5));
                return [a._requiresGrad ? GradFor(g.mul(win), a) : null, b._requiresGrad ? GradFor(g.mul(win.rsub(1)), b) : null];
            }, true, a, b);
        }
        return r;
    }

    // ---------------------------------------------------------------- in-place variants

    Tensor InplaceBinary(Tensor result, string op)
    {
        CheckInplace(result.dtype, op);
        return AssignInplace(result);
    }

    // In grad mode, the out-of-place op runs on a clone so the saved inputs stay valid after the write.
    Tensor Self => NeedsGrad(this) ? clone() : this;

    public Tensor add_(Tensor other, Scalar? alpha = null) => InplaceFast<AddOp>(other, alpha, "add_") ?? InplaceBinary(Self.add(other, alpha), "add_");
    public Tensor add_(Scalar other) => InplaceFastScalar<AddOp>(other, "add_") ?? InplaceBinary(Self.add(other), "add_");
    public Tensor sub_(Tensor other, Scalar? alpha = null) => InplaceBinary(Self.sub(other, alpha), "sub_");
    public Tensor sub_(Scalar other) => InplaceBinary(Self.sub(other), "sub_");
    public Tensor mul_(Tensor other) => InplaceFast<MulOp>(other, null, "mul_") ?? InplaceBinary(Self.mul(other), "mul_");
    public Tensor mul_(Scalar other) => InplaceFastScalar<MulOp>(other, "mul_") ?? InplaceBinary(Self.mul(other), "mul_");
    public Tensor div_(Tensor other) => InplaceBinary(Self.div(other), "div_");
    public Tensor div_(Scalar other) => InplaceBinary(Self.div(other), "div_");
    public Tensor pow_(Scalar other) => InplaceBinary(Self.pow(other), "pow_");
    public Tensor pow_(Tensor other) => InplaceBinary(Self.pow(other), "pow_");
    public Tensor remainder_(Scalar other) => InplaceBinary(Self.remainder(other), "remainder_");

    /// <summary>
    /// The optimizer hot path: same dtype, contiguous, no graph → write straight into this
    /// storage with no temporary. Returns null when the general path is needed.
    /// </summary>
    Tensor? InplaceFast<TOp>(Tensor other, Scalar? alpha, string op) where TOp : IBinaryOp
    {
        if (GradMode.Enabled && (_requiresGrad || other._requiresGrad)) return null;
        if (!_contiguous || !other._contiguous || other.dtype != dtype || alpha is not null || !dtype.IsFloating()) return null;
        if (!Shape.SameShape(_shape, other._shape)) return null;
        int n = Numel;
        if (dtype == ScalarType.Float32) { var d = Span<float>(); TOp.Span<float>(d, other.Span<float>(), d); }
        else { var d = Span<double>(); TOp.Span<double>(d, other.Span<double>(), d); }
        BumpVersion();
        return this;
    }

    Tensor? InplaceFastScalar<TOp>(Scalar other, string op) where TOp : IBinaryOp
    {
        if (GradMode.Enabled && _requiresGrad) return null;
        if (!_contiguous || !dtype.IsFloating()) return null;
        if (dtype == ScalarType.Float32) { var d = Span<float>(); TOp.SpanScalar<float>(d, other.As<float>(), d); }
        else { var d = Span<double>(); TOp.SpanScalar<double>(d, other.As<double>(), d); }
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
    public Tensor eq(Scalar other) => CompareKernel<EqOp>(this, ScalarTensor(other, ResultType(this, other)));
    public Tensor ne(Scalar other) => CompareKernel<NeOp>(this, ScalarTensor(other, ResultType(this, other)));
    public Tensor lt(Scalar other) => CompareKernel<LtOp>(this, ScalarTensor(other, ResultType(this, other)));
    public Tensor le(Scalar other) => CompareKernel<LeOp>(this, ScalarTensor(other, ResultType(this, other)));
    public Tensor gt(Scalar other) => CompareKernel<GtOp>(this, ScalarTensor(other, ResultType(this, other)));
    public Tensor ge(Scalar other) => CompareKernel<GeOp>(this, ScalarTensor(other, ResultType(this, other)));

    public Tensor logical_and(Tensor other) => BinaryKernel<MulOp>(ne(0), other.ne(0), ScalarType.Bool, "logical_and");
    public Tensor logical_or(Tensor other) => BinaryKernel<AddOp>(ne(0), other.ne(0), ScalarType.Bool, "logical_or");
    public Tensor logical_not() => eq(0);
    public Tensor logical_xor(Tensor other) => ne(0).ne(other.ne(0));

    /// <summary>True when every element is equal (same shape required), like torch.equal.</summary>
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
    public static Tensor operator &(Tensor a, Tensor b) => a.logical_and(b);
    public static Tensor operator |(Tensor a, Tensor b) => a.logical_or(b);
    public static Tensor operator ^(Tensor a, Tensor b) => a.logical_xor(b);
    public static Tensor operator !(Tensor a) => a.logical_not();
}
