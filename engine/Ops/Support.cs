using Torchlet.Kernels;

namespace Torchlet;

/// <summary>Shared plumbing for ops: allocation, type promotion, graph recording.</summary>
public partial class Tensor
{
    internal static Tensor Empty(int[] shape, ScalarType dtype, bool clear = false) =>
        new(Storage.Allocate(dtype, Shape.Numel(shape), clear), shape);

    internal static Tensor Empty(int[] shape, int[] strides, ScalarType dtype) =>
        new(Storage.Allocate(dtype, Shape.Numel(shape), clear: false), shape, strides, 0);

    /// <summary>Whether an op on these inputs must record a backward node.</summary>
    internal static bool NeedsGrad(Tensor a) => a._requiresGrad && GradMode.Enabled;
    internal static bool NeedsGrad(Tensor a, Tensor b) => (a._requiresGrad || b._requiresGrad) && GradMode.Enabled;

    /// <summary>Attaches a backward node to <paramref name="result"/>; inputs not requiring grad get no edge.</summary>
    internal static Tensor Record(Tensor result, string name, Func<Tensor, Tensor?[]> backward, bool saves, Tensor input)
    {
        result._requiresGrad = true;
        result._gradFn = new Node(name, backward, [input.GradEdge], saves);
        return result;
    }

    internal static Tensor Record(Tensor result, string name, Func<Tensor, Tensor?[]> backward, bool saves, Tensor a, Tensor b)
    {
        result._requiresGrad = true;
        result._gradFn = new Node(name, backward, [a.GradEdge, b.GradEdge], saves);
        return result;
    }

    internal static Tensor Record(Tensor result, string name, Func<Tensor, Tensor?[]> backward, bool saves, Tensor[] inputs)
    {
        var next = new Node?[inputs.Length];
        for (int i = 0; i < inputs.Length; i++) next[i] = inputs[i].GradEdge;
        result._requiresGrad = true;
        result._gradFn = new Node(name, backward, next, saves);
        return result;
    }

    /// <summary>The gradient <paramref name="g"/> of a broadcast output, summed back to <paramref name="input"/>'s shape and dtype.</summary>
    internal static Tensor GradFor(Tensor g, Tensor input)
    {
        if (!Shape.SameShape(g._shape, input._shape)) g = g.SumToShape(input._shape);
        if (g.dtype != input.dtype && input.dtype.IsFloating()) g = g.to(input.dtype);
        return g;
    }

    /// <summary>PyTorch's result_type for two tensors: dimensioned tensors win over 0-dim ones within a category.</summary>
    internal static ScalarType ResultType(Tensor a, Tensor b)
    {
        ScalarType ta = a.dtype, tb = b.dtype;
        if (ta == tb) return ta;
        bool za = a._shape.Length == 0, zb = b._shape.Length == 0;
        if (za == zb) return ScalarTypes.Promote(ta, tb);
        var (dimT, zeroT) = za ? (tb, ta) : (ta, tb);
        return zeroT.Category() > dimT.Category() ? zeroT : dimT;
    }

    /// <summary>result_type(tensor, python number): the number only matters if its category is higher.</summary>
    internal static ScalarType ResultType(Tensor a, Scalar s)
    {
        var sc = s.kind == Scalar.Kind.Float ? 2 : s.kind == Scalar.Kind.Int ? 1 : 0;
        if (sc > a.dtype.Category()) return s.DefaultDType;
        return a.dtype;
    }

    /// <summary>
    /// Throws PyTorch's error for an in-place op on a leaf that requires grad, and the
    /// dtype error for writing a result into a tensor of a lower category.
    /// </summary>
    internal void CheckInplace(ScalarType resultType, string op)
    {
        if (GradMode.Enabled && _requiresGrad && _gradFn is null)
            throw new InvalidOperationException($"a leaf Variable that requires grad is being used in an in-place operation ({op}); wrap it in 'using (torch.no_grad())' or use the out-of-place {op.TrimEnd('_')}");
        if (resultType.Category() > dtype.Category())
            throw new InvalidOperationException($"{op}: result type {resultType.TorchName()} can't be cast to the desired output type {dtype.TorchName()}");
    }

    /// <summary>
    /// Finishes an in-place op: writes <paramref name="result"/> into this tensor, bumps the version,
    /// and, if the result carries a graph, makes it this tensor's history (PyTorch's rebase).
    /// </summary>
    internal Tensor AssignInplace(Tensor result)
    {
        CopyFrom(result);
        BumpVersion();
        if (result._requiresGrad)
        {
            _requiresGrad = true;
            _gradFn = result._gradFn;
        }
        return this;
    }

    /// <summary>Copies values (broadcast, converted) into this tensor's own layout. No autograd.</summary>
    internal void CopyFrom(Tensor src)
    {
        if (!Shape.SameShape(src._shape, _shape))
            src = src.expand_nograd(_shape);
        switch (dtype)
        {
            case ScalarType.Float32: CopyInto<float>(src); break;
            case ScalarType.Float64: CopyInto<double>(src); break;
            case ScalarType.Int64: CopyInto<long>(src); break;
            case ScalarType.Int32: CopyInto<int>(src); break;
            case ScalarType.Byte: CopyInto<byte>(src); break;
            case ScalarType.Bool: CopyInto<bool>(src); break;
        }
    }

    void CopyInto<TD>(Tensor src) where TD : unmanaged
    {
        // Materialise the converted source contiguously, then scatter into our strides.
        var tmp = src.dtype == dtype && src._contiguous ? src : src.to_nograd(dtype, forceCopy: false).contiguous_nograd();
        var span = tmp.Span<TD>();
        if (_contiguous)
        {
            if (!ReferenceEquals(tmp._storage, _storage) || tmp._offset != _offset) span.CopyTo(Span<TD>());
        }
        else Strided.Scatter<TD>(span, Buffer<TD>(), _offset, _shape, _strides);
    }

    internal static ScalarType CheckFloat(Tensor t, string op)
    {
        if (!t.dtype.IsFloating())
            throw new ArgumentException($"{op}: expected a floating point tensor, got {t.dtype.TorchName()}");
        return t.dtype;
    }
}
