using Torchlet.Kernels;

namespace Torchlet;

/// <summary>
/// Bool-mask ops: masked_fill/masked_fill_ and masked_select, whose mask pick/put helpers advanced
/// indexing shares; also torch.nonzero/argwhere (mask to indices; the methods are in Indexing.cs).
/// Backward rules sit beside their forwards.
/// </summary>
public partial class Tensor
{
    // ---------------------------------------------------------------- masked_fill / masked_select

    static Tensor CheckMask(Tensor mask, string op, string expected)
    {
        if (mask.dtype == ScalarType.Byte)
        {
            Warnings.Warn($"{op} received a mask with dtype torch.uint8, this behavior is now deprecated, please use a mask with dtype torch.bool instead.");
            return mask.to_nograd(ScalarType.Bool, false);
        }
        if (mask.dtype != ScalarType.Bool) throw new ArgumentException(expected + $" (got a mask with dtype {mask.dtype.TorchName()}); build it with a comparison such as x > 0");
        return mask;
    }

    /// <summary>A copy with <paramref name="value"/> where <paramref name="mask"/> is true (mask and self broadcast).</summary>
    public Tensor masked_fill(Tensor mask, Scalar value) => MaskedFill(mask, null, value);

    /// <summary>masked_fill with a 0-dim tensor value (its gradient is the sum over the filled positions).</summary>
    public Tensor masked_fill(Tensor mask, Tensor value) => MaskedFill(mask, value, default);

    /// <summary>The bool mask and the broadcast shape, checked as PyTorch does for both masked_fill and masked_fill_.</summary>
    (Tensor Mask, int[] Shape) CheckFill(Tensor mask, Tensor? value, string op)
    {
        var m = CheckMask(mask, "masked_fill_", "masked_fill_ only supports boolean masks");
        if (value is not null && value._shape.Length != 0)
            throw new ArgumentException($"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {value._shape.Length} dimension(s).");
        return (m, Shape.Broadcast(m._shape, _shape, op));
    }

    Tensor MaskedFill(Tensor mask, Tensor? value, Scalar scalar)
    {
        var (m, shape) = CheckFill(mask, value, "masked_fill");
        var mc = m.expand_nograd(shape).contiguous_nograd();
        var r = expand_nograd(shape).clone_nograd();
        var v = value is null ? ScalarTensor(scalar, dtype) : value.to_nograd(dtype, false);
        FillWhere(r, mc, v);
        bool valueGrad = value is not null && value._requiresGrad;
        if (GradMode.Enabled && (_requiresGrad || valueGrad))
        {
            Tensor self = this;
            Func<Tensor, (Tensor?, Tensor?)> bw = g =>
            {
                Tensor? gs = null, gv = null;
                if (self._requiresGrad)
                {
                    var z = g.clone_nograd();
                    FillWhere(z, mc, ScalarTensor(0, g.dtype));
                    gs = GradFor(z, self);
                }
                if (valueGrad) gv = MaskedPick(g, mc).sum().to(value!.dtype);
                return (gs, gv);  // gv stays null without value
            };
            if (value is null) Record(r, "MaskedFillBackward0", g => bw(g).Item1, false, this);
            else Record(r, "MaskedFillBackward1", bw, false, this, value);
        }
        return r;
    }

    public Tensor masked_fill_(Tensor mask, Scalar value) => MaskedFillInplace(mask, null, value);
    public Tensor masked_fill_(Tensor mask, Tensor value) => MaskedFillInplace(mask, value, default);

    Tensor MaskedFillInplace(Tensor mask, Tensor? value, Scalar scalar)
    {
        var (m, shape) = CheckFill(mask, value, "masked_fill_");
        if (!Shape.SameShape(shape, _shape))
            throw new ArgumentException($"output with shape {Shape.Str(_shape)} doesn't match the broadcast shape {Shape.Str(shape)}");
        CheckInplace(dtype, "masked_fill_");
        if (GradMode.Enabled && (_requiresGrad || (value is not null && value._requiresGrad)))
        {
            return AssignInplace(value is null ? Self.masked_fill(m, scalar) : Self.masked_fill(m, value));
        }
        var mc = m.expand_nograd(_shape).contiguous_nograd();
        var v = value is null ? ScalarTensor(scalar, dtype) : value.to_nograd(dtype, false);
        if (_contiguous) FillWhere(this, mc, v);
        else
        {
            var r = clone_nograd();
            FillWhere(r, mc, v);
            CopyFrom(r);
        }
        BumpVersion();
        return this;
    }

    /// <summary>r[i] = v where m[i], for a contiguous r and a contiguous bool mask of the same shape.</summary>
    static void FillWhere(Tensor r, Tensor m, Tensor v) =>
        ScatterKernels.FillWhere(r.dtype, r._storage.RawArray, r._offset, m.Buffer<bool>(), m._offset, r.Numel, v._storage.RawArray, v._offset);

    /// <summary>The elements of <paramref name="mask"/>-selected positions as a 1-D tensor (self and mask broadcast).</summary>
    public Tensor masked_select(Tensor mask)
    {
        var m = CheckMask(mask, "masked_select", "masked_select: expected BoolTensor or ByteTensor for mask");
        var shape = Shape.Broadcast(m._shape, _shape, "masked_select");
        var mc = m.expand_nograd(shape).contiguous_nograd();
        var r = MaskedPick(expand_nograd(shape), mc);
        if (NeedsGrad(this))
        {
            Tensor self = this;
            Record(r, "MaskedSelectBackward0", g =>
            {
                var z = Empty(shape, g.dtype, clear: true);
                MaskedPut(z, mc, g.contiguous_nograd());
                return GradFor(z, self);
            }, false, this);
        }
        return r;
    }

    /// <summary>x[m] for a bool mask of x's shape, in row-major order.</summary>
    static Tensor MaskedPick(Tensor x, Tensor m)
    {
        var mask = m.Span<bool>();
        int n = mask.Length - mask.Count(false);
        var src = x.contiguous_nograd();
        var r = Empty([n], x.dtype);
        GatherKernels.MaskedPick(x.dtype, src._storage.RawArray, src._offset, m.Buffer<bool>(), m._offset, mask.Length, r._storage.RawArray);
        return r;
    }

    /// <summary>The inverse of MaskedPick: writes the values of v, in order, at the true positions of m.</summary>
    static void MaskedPut(Tensor z, Tensor m, Tensor v)
    {
        // Only a gradient comes here (masked_select's backward).
        if (!z.dtype.IsFloating())
            throw new ArgumentException($"masked_select backward: unsupported gradient dtype {z.dtype.TorchName()}");
        ScatterKernels.MaskedPut(z.dtype, z._storage.RawArray, z._offset, m.Buffer<bool>(), m._offset, z.Numel, v._storage.RawArray, v._offset);
    }
}

public static partial class torch
{
    public static Tensor masked_fill(Tensor input, Tensor mask, Scalar value) => input.masked_fill(mask, value);
    public static Tensor masked_fill(Tensor input, Tensor mask, Tensor value) => input.masked_fill(mask, value);
    public static Tensor masked_select(Tensor input, Tensor mask) => input.masked_select(mask);
    public static Tensor nonzero(Tensor input) => input.nonzero();
    public static Tensor argwhere(Tensor input) => input.argwhere();
}
