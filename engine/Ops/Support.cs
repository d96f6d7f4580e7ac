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

    // Typed Record overloads: the backward returns exactly one gradient per input (a value, or a
    // tuple for two or three), so the compiler checks the count instead of the engine at run time.
    // Node keeps the delegate as given and builds the same single array per backward call as before.

    /// <summary>Attaches a backward node to <paramref name="result"/>; inputs not requiring grad get no edge.</summary>
    internal static Tensor Record(Tensor result, string name, Func<Tensor, Tensor?> backward, bool saves, Tensor input)
    {
        result._requiresGrad = true;
        result._gradFn = new Node(name, backward, input.GradEdge, saves);
        return result;
    }

    internal static Tensor Record(Tensor result, string name, Func<Tensor, (Tensor?, Tensor?)> backward, bool saves, Tensor a, Tensor b)
    {
        result._requiresGrad = true;
        result._gradFn = new Node(name, backward, a.GradEdge, b.GradEdge, saves);
        return result;
    }

    internal static Tensor Record(Tensor result, string name, Func<Tensor, (Tensor?, Tensor?, Tensor?)> backward, bool saves, Tensor a, Tensor b, Tensor c)
    {
        result._requiresGrad = true;
        result._gradFn = new Node(name, backward, a.GradEdge, b.GradEdge, c.GradEdge, saves);
        return result;
    }

    /// <summary>
    /// For ops with optional inputs (a conv's bias, a norm's weight and bias): the backward returns
    /// one slot per possible input, and an absent input gets neither an edge nor a slot, so the
    /// node's inputs are the present ones in order. An absent input's slot must be null.
    /// </summary>
    internal static Tensor RecordOptional(Tensor result, string name, Func<Tensor, (Tensor?, Tensor?, Tensor?)> backward, bool saves, Tensor a, Tensor? b, Tensor? c)
    {
        if (b is not null && c is not null) return Record(result, name, backward, saves, a, b, c);
        if (b is not null) return Record(result, name, g => { var (ga, gb, _) = backward(g); return (ga, gb); }, saves, a, b);
        if (c is not null) return Record(result, name, g => { var (ga, _, gc) = backward(g); return (ga, gc); }, saves, a, c);
        return Record(result, name, g => backward(g).Item1, saves, a);
    }

    /// <summary>
    /// For ops whose input count is only known at run time (cat/stack over a list, a recurrent
    /// layer's parameters): the backward returns one gradient per entry of <paramref name="inputs"/>.
    /// The engine checks that count when the node runs and names the op and both counts if it is off.
    /// </summary>
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
    /// Throws PyTorch's error for an in-place op on a leaf that requires grad (or a view of one),
    /// on a tensor whose elements overlap in memory, and the dtype error for writing a result into
    /// a tensor of a lower category (float into int, int into bool).
    /// </summary>
    internal void CheckInplace(ScalarType resultType, string op)
    {
        CheckInplaceTarget(op);
        CheckInplaceCast(resultType);
    }

    /// <summary>The checks that do not depend on the result: run them before computing anything.</summary>
    internal void CheckInplaceTarget(string op)
    {
        if (GradMode.Enabled)
        {
            if (_base is { } b)
            {
                if (_viewNoGrad && b._requiresGrad)
                    throw new InvalidOperationException($"{op}: A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked).");
                if (b._requiresGrad && b._gradFn is null)
                    throw new InvalidOperationException($"a view of a leaf Variable that requires grad is being used in an in-place operation. ({op}: do the change under 'using (torch.no_grad())', or on a clone() of the leaf.)");
            }
            if (_requiresGrad && _gradFn is null)
                throw new InvalidOperationException($"a leaf Variable that requires grad is being used in an in-place operation. ({op}: do the change under 'using (torch.no_grad())', or use the out-of-place {op.TrimEnd('_')}.)");
        }
        for (int i = 0; i < _shape.Length; i++)
            if (_strides[i] == 0 && _shape[i] > 1)
                throw new InvalidOperationException($"{op}: unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.");
    }

    internal void CheckInplaceCast(ScalarType resultType)
    {
        if (resultType.Category() > dtype.Category())
            throw new InvalidOperationException($"result type {resultType.CName()} can't be cast to the desired output type {dtype.CName()}");
    }

    /// <summary>
    /// Finishes an in-place op: writes <paramref name="result"/> into this tensor, bumps the version,
    /// and, if the result carries a graph, makes it this tensor's history (PyTorch's rebase).
    /// </summary>
    internal Tensor AssignInplace(Tensor result)
    {
        if (!Shape.SameShape(result._shape, _shape))
            throw new ArgumentException($"output with shape {Shape.Str(_shape)} doesn't match the broadcast shape {Shape.Str(result._shape)}");
        CopyFrom(result);
        BumpVersion();
        if (result._requiresGrad && GradMode.Enabled) SetInplaceHistory(result._gradFn);
        return this;
    }

    /// <summary>
    /// Gives this tensor the history <paramref name="fn"/> after an in-place write. A view instead
    /// gives its base a CopySlices node (the base's old history outside the view, fn inside it);
    /// the view and every other view of that base then read their history from the base.
    /// </summary>
    internal void SetInplaceHistory(Node? fn)
    {
        if (_base is not { } b)
        {
            _requiresGrad = true;
            _gradFn = fn;
            return;
        }
        int[] shape = _shape, strides = _strides; int offset = _offset;
        var copySlices = new Node("torch::autograd::CopySlices", g =>
        {
            var (full, gBase) = BaseGradBuffer(b, g.dtype);
            gBase.CopyFrom(g);
            var region = new Tensor(full._storage, shape, strides, offset);
            var gRegion = region.clone_nograd();
            region.CopyFrom(ScalarTensor(0, g.dtype));
            return (gBase, gRegion);
        }, b.GradEdge, fn, false);
        b._requiresGrad = true;
        b._gradFn = copySlices;
    }

    /// <summary>
    /// The input of an in-place op in grad mode: a copy with this tensor's autograd identity, so
    /// tensors the op saves for backward keep their values after the write (PyTorch saves the
    /// original self the same way).
    /// </summary>
    internal Tensor InplaceSource(Tensor? other = null)
    {
        if (!GradMode.Enabled || !(_requiresGrad || other is { _requiresGrad: true })) return this;
        var c = clone_nograd();
        if (_requiresGrad) { c._requiresGrad = true; c._gradFn = GradEdge; }
        return c;
    }

    /// <summary>Copies values (broadcast, converted) into this tensor's own layout. No autograd.</summary>
    internal void CopyFrom(Tensor src)
    {
        if (!Shape.SameShape(src._shape, _shape))
        {
            var b = Shape.Broadcast(_shape, src._shape);
            if (!Shape.SameShape(b, _shape))
                throw new ArgumentException($"output with shape {Shape.Str(_shape)} doesn't match the broadcast shape {Shape.Str(b)}");
            src = src.expand_nograd(_shape);
        }
        var copy = new CopyIntoAction(this, src);
        Dispatch.Any(dtype, ref copy);
    }

    readonly struct CopyIntoAction(Tensor dst, Tensor src) : IAnyAction
    {
        public void Run<T>() where T : unmanaged => dst.CopyInto<T>(src);
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
