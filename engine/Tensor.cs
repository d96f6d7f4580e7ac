using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Torchlet;

/// <summary>
/// An n-dimensional array: a view (shape, strides, offset) over a <see cref="Storage"/>, plus
/// the autograd state (<c>requires_grad</c>, <c>grad</c>, <c>grad_fn</c>). Ops live in the
/// partial files under Ops/, each with its backward rule beside its forward.
/// </summary>
public partial class Tensor
{
    internal readonly Storage _storage;
    internal readonly int[] _shape;
    internal readonly int[] _strides;
    internal readonly int _offset;
    internal readonly bool _contiguous;

    bool _rg;
    Node? _fn;
    Tensor? _grad;
    AccumulateGrad? _accumulator;

    // View tracking (PyTorch's differentiable views). _base is the non-view tensor whose storage
    // this one views; _viewBaseFn is the base's grad_fn when this view's own grad_fn was made.
    // When an in-place op gives the base a new history, the view's grad_fn is regenerated from
    // it on next use (as PyTorch does), so gradients through old views stay right.
    internal Tensor? _base;
    Node? _viewBaseFn;
    internal bool _viewNoGrad;

    internal bool _requiresGrad
    {
        get { if (_base is not null && !ReferenceEquals(_base._fn, _viewBaseFn)) SyncView(); return _rg; }
        set => _rg = value;
    }

    internal Node? _gradFn
    {
        get { if (_base is not null && !ReferenceEquals(_base._fn, _viewBaseFn)) SyncView(); return _fn; }
        set => _fn = value;
    }

    internal Tensor(Storage storage, int[] shape, int[] strides, int offset)
    {
        _storage = storage; _shape = shape; _strides = strides; _offset = offset;
        _contiguous = Shape.IsContiguous(shape, strides);
    }

    internal Tensor(Storage storage, int[] shape) : this(storage, shape, Shape.ContiguousStrides(shape), 0) { }

    /// <summary>
    /// A view of <paramref name="of"/>'s storage; remembers its base for in-place autograd. An empty
    /// view may point past the end (narrow at the end of a dim, twice): it is kept at the end, so
    /// spans over it stay in range.
    /// </summary>
    internal Tensor(Tensor of, int[] shape, int[] strides, int offset) : this(of._storage, shape, strides, Math.Min(offset, of._storage.Length))
    {
        var b = of._base ?? of;
        _base = b;
        _viewBaseFn = b._fn;
        _viewNoGrad = of._viewNoGrad || !GradMode.Enabled;
    }

    /// <summary>The base's history changed under this view (an in-place op): read the view's values from it.</summary>
    void SyncView()
    {
        var b = _base!;
        _viewBaseFn = b._fn;
        if (_viewNoGrad) return;   // views made under no_grad are not tracked, as in PyTorch
        if (b._rg)
        {
            _rg = true;
            _fn = AsStridedNode(b);
        }
        else { _rg = false; _fn = null; }
    }

    /// <summary>AsStridedBackward0: this view's gradient placed into a zero gradient of the whole base.</summary>
    Node AsStridedNode(Tensor b)
    {
        int[] shape = _shape, strides = _strides; int offset = _offset;
        return new Node("AsStridedBackward0", g =>
        {
            var (full, gBase) = BaseGradBuffer(b, g.dtype);
            new Tensor(full._storage, shape, strides, offset).CopyFrom(g);
            return gBase;
        }, b.GradEdge, false);
    }

    /// <summary>
    /// A zeroed buffer laid out like <paramref name="b"/>'s storage, and the base-shaped view of it:
    /// views' gradients are written at their own storage positions, so any layout works.
    /// </summary>
    internal static (Tensor full, Tensor gBase) BaseGradBuffer(Tensor b, ScalarType dt)
    {
        var full = Empty([b._storage.Length], dt, clear: true);
        return (full, new Tensor(full._storage, b._shape, b._strides, b._offset));
    }

    /// <summary>Copy constructor for <see cref="Parameter"/>: shares storage and layout.</summary>
    protected Tensor(Tensor other)
    {
        _storage = other._storage; _shape = other._shape; _strides = other._strides;
        _offset = other._offset; _contiguous = other._contiguous;
    }

    // ---------------------------------------------------------------- metadata

    public ScalarType dtype => _storage.DType;
    public string device => "cpu";
    public long[] shape => Shape.ToLong(_shape);
    /// <summary>PyTorch's <c>x.size()</c>: the shape as a <see cref="Torchlet.Size"/>, which prints as <c>torch.Size([2, 3])</c> and converts to <c>long[]</c>.</summary>
    public Size size() => Size.Own(Shape.ToLong(_shape));
    /// <summary>The length of dim <paramref name="dim"/> (negative counts from the end).</summary>
    public long size(int dim) => _shape[Shape.NormDimNoScalar(dim, _shape.Length)];
    public long[] stride() => Shape.ToLong(_strides);
    public long stride(int dim) => _strides[Shape.NormDimNoScalar(dim, _shape.Length)];
    public long storage_offset() => _offset;
    public int dim() => _shape.Length;
    public int ndim => _shape.Length;
    public long numel() => Shape.NumelLong(_shape);
    public bool is_contiguous() => _contiguous;
    public bool is_floating_point() => dtype.IsFloating();
    public long element_size() => dtype.ElementSize();
    internal int Numel => Shape.Numel(_shape);

    // autograd state (requires_grad, grad, grad_fn, backward, hooks, detach): Autograd/Functions.cs

    // ---------------------------------------------------------------- values

    /// <summary>The single value of a one-element tensor, converted to <typeparamref name="T"/>.</summary>
    public T item<T>() where T : unmanaged
    {
        if (Numel != 1)
            throw new InvalidOperationException($"a Tensor with {Numel} elements cannot be converted to Scalar (item() needs exactly one element; shape is {Shape.Str(_shape)})");
        var s = GetScalar(_offset);
        return s.As<T>();
    }

    /// <summary>Reads the elements in row-major order: <c>x.data&lt;float&gt;().ToArray()</c>.</summary>
    public TensorAccessor<T> data<T>() where T : unmanaged
    {
        if (typeof(T) != dtype.ClrType())
            throw new ArgumentException($"data<{typeof(T).Name}>() does not match the tensor's dtype {dtype.TorchName()}; use data<{dtype.ClrType().Name}>() or convert with .to(...)");
        return new TensorAccessor<T>(this);
    }

    /// <summary>Elements as a flat array in row-major order (<c>tolist()</c> flattened).</summary>
    public T[] ToArray<T>() where T : unmanaged => to_nograd(ScalarTypes.FromClr(typeof(T)), false).contiguous_nograd().Span<T>().ToArray();

    internal Scalar GetScalar(int storageIndex) => _storage switch
    {
        Storage<float> s => s.Data[storageIndex],
        Storage<double> s => s.Data[storageIndex],
        Storage<long> s => s.Data[storageIndex],
        Storage<int> s => s.Data[storageIndex],
        Storage<byte> s => (int)s.Data[storageIndex],
        Storage<bool> s => s.Data[storageIndex],
        _ => throw new InvalidOperationException(),
    };

    /// <summary>Storage index of the element at row-major position <paramref name="flat"/>.</summary>
    internal int StorageIndex(int flat)
    {
        if (_contiguous) return _offset + flat;
        int idx = _offset;
        for (int d = _shape.Length - 1; d >= 0; d--)
        {
            int s = _shape[d];
            idx += (flat % s) * _strides[d];
            flat /= s;
        }
        return idx;
    }

    /// <summary>The elements of a contiguous tensor, in order.</summary>
    internal Span<T> Span<T>() where T : unmanaged
    {
        Debug.Assert(_contiguous);
        return ((Storage<T>)_storage).Data.AsSpan(_offset, Numel);
    }

    internal T[] Buffer<T>() where T : unmanaged => ((Storage<T>)_storage).Data;

    /// <summary>This tensor's buffer and offset, as kernel entry points take them.</summary>
    internal Kernels.BufferAt At() => new(_storage.RawArray, _offset);

    /// <summary>This tensor as an elementwise kernel's operand: buffer, offset, shape, strides.</summary>
    internal Kernels.Operand<T> Operand<T>() where T : unmanaged => new(Buffer<T>(), _offset, _shape, _strides, Numel, _contiguous);

    /// <summary>This tensor if it owns a fresh contiguous buffer nobody else sees, else a copy.</summary>
    internal Tensor Owned() => clone_nograd();

    internal void BumpVersion() => _storage.Version++;

    public override string ToString() => TensorFormatter.Format(this);

    /// <summary>PyTorch's <c>str(t)</c>.</summary>
    public string str() => ToString();
}

/// <summary>Row-major read access to a tensor's elements (<c>x.data&lt;float&gt;()</c>).</summary>
public readonly struct TensorAccessor<T> : IEnumerable<T> where T : unmanaged
{
    readonly Tensor _t;
    internal TensorAccessor(Tensor t) { _t = t; }
    public long Count => _t.Numel;
    public T this[long i]
    {
        get
        {
            if ((ulong)i >= (ulong)_t.Numel) throw new IndexOutOfRangeException($"index {i} is out of range for a tensor with {_t.Numel} elements");
            return _t.Buffer<T>()[_t.StorageIndex((int)i)];
        }
    }
    public T[] ToArray() => _t.contiguous_nograd().Span<T>().ToArray();
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)ToArray()).GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A tensor registered as a module parameter; requires grad by default.</summary>
public class Parameter : Tensor
{
    public Parameter(Tensor data, bool requires_grad = true) : base(data.detach())
    {
        if (requires_grad) requires_grad_(true);
    }
}
