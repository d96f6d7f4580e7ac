using Torchlet.Kernels;

namespace Torchlet;

public static partial class torch
{
    /// <summary>Elementwise choice: x where condition is true, else y (broadcast). Gradient flows to the chosen side.</summary>
    public static Tensor where(Tensor condition, Tensor x, Tensor y)
    {
        if (condition.dtype != ScalarType.Bool && condition.dtype != ScalarType.Byte)
            throw new ArgumentException($"where expected condition to be a boolean tensor, but got a tensor with dtype {condition.dtype.CName()}");
        var ct = Tensor.ResultType(x, y);
        var shape = Shape.Broadcast(Shape.Broadcast(condition._shape, x._shape, "where"), y._shape, "where");
        var c = condition.to_nograd(ScalarType.Bool, false).expand_nograd(shape).contiguous_nograd();
        var r = y.to_nograd(ct, false).expand_nograd(shape).clone_nograd();
        var xv = x.to_nograd(ct, false).expand_nograd(shape).contiguous_nograd();
        WhereKernels.Pick(ct, c.Buffer<bool>(), c._offset, xv._storage.RawArray, xv._offset, r._storage.RawArray, r._offset, r.Numel);
        return Tensor.NeedsGrad(x, y) ? RecordWhere(r, c, x, y) : r;
    }

    // Separate so that the closure is only allocated when a graph is recorded.
    static Tensor RecordWhere(Tensor r, Tensor c, Tensor x, Tensor y)
    {
        var sc = new SavedTensor(c);
        return Tensor.Record(r, "WhereBackward0", g =>
        {
            var m = sc.Get();
            var z = zeros_like(g);
            return (x._requiresGrad ? Tensor.GradFor(where(m, g, z), x) : null,
                    y._requiresGrad ? Tensor.GradFor(where(m, z, g), y) : null);
        }, true, x, y);
    }

    public static Tensor where(Tensor condition, Tensor x, Scalar y) => where(condition, x, Tensor.ScalarTensor(y, Tensor.ResultType(x, y)));
    public static Tensor where(Tensor condition, Scalar x, Tensor y) => where(condition, Tensor.ScalarTensor(x, Tensor.ResultType(y, x)), y);

    /// <summary>where(cond, 1.0, 0.0): the dtype is the promotion of the two numbers' default dtypes.</summary>
    public static Tensor where(Tensor condition, Scalar x, Scalar y)
    {
        var dt = ScalarTypes.Promote(x.DefaultDType, y.DefaultDType);
        return where(condition, Tensor.ScalarTensor(x, dt), Tensor.ScalarTensor(y, dt));
    }
}
