using Torchlet.Kernels;

namespace Torchlet;

/// <summary>
/// Views share storage with their base (the notes §2.2 stress it): only strides/offset change.
/// Each view's backward maps the gradient back to the base's shape.
/// </summary>
public partial class Tensor
{
    // ---------------------------------------------------------------- shape inference

    internal int[] InferShape(ReadOnlySpan<long> size, string op)
    {
        var r = new int[size.Length];
        int infer = -1; long known = 1;
        for (int i = 0; i < size.Length; i++)
        {
            if (size[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"{op}: only one dimension can be inferred (got -1 at dims {infer} and {i})");
                infer = i;
            }
            else if (size[i] < 0) throw new ArgumentException($"{op}: invalid shape dimension {size[i]} at index {i}");
            else if (size[i] > int.MaxValue) throw new ArgumentException($"{op}: dimension {i} of size {size[i]} is larger than Torchlet supports ({int.MaxValue})");
            // known saturates rather than wraps: a product past long's range cannot match the element count anyway.
            else { r[i] = (int)size[i]; known = known != 0 && size[i] > long.MaxValue / known ? long.MaxValue : known * size[i]; }
        }
        int n = Numel;
        if (infer >= 0)
        {
            if (known == 0 && n == 0)
                throw new ArgumentException($"cannot reshape tensor of 0 elements into shape [{string.Join(", ", size.ToArray())}] because the unspecified dimension size -1 can be any value and is ambiguous");
            if (known == 0 || n % known != 0)
                throw new ArgumentException($"shape '[{string.Join(", ", size.ToArray())}]' is invalid for input of size {n}");
            r[infer] = (int)(n / known);
        }
        else if (known != n)
            throw new ArgumentException($"shape '[{string.Join(", ", size.ToArray())}]' is invalid for input of size {n}");
        return r;
    }

    /// <summary>Strides that let a tensor of this layout be viewed as <paramref name="newShape"/>, or null (PyTorch's computeStride).</summary>
    static int[]? ViewStrides(int[] oldShape, int[] oldStrides, int[] newShape)
    {
        if (oldShape.Length == 0) { oldShape = [1]; oldStrides = [1]; }
        var ns = new int[newShape.Length];
        if (Shape.Numel(oldShape) == 0) return Shape.ContiguousStrides(newShape);
        int viewD = newShape.Length - 1;
        long chunkBase = oldStrides[^1], tensorNumel = 1, viewNumel = 1;
        for (int td = oldShape.Length - 1; td >= 0; td--)
        {
            tensorNumel *= oldShape[td];
            if (td == 0 || (oldShape[td - 1] != 1 && oldStrides[td - 1] != tensorNumel * chunkBase))
            {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1))
                {
                    ns[viewD] = (int)(viewNumel * chunkBase);
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (td > 0) { chunkBase = oldStrides[td - 1]; tensorNumel = 1; viewNumel = 1; }
            }
        }
        return viewD == -1 ? ns : null;
    }

    Tensor AsView(int[] shape, int[] strides, int offset) => new(this, shape, strides, offset);

    // ---------------------------------------------------------------- views

    /// <summary>A view with a new shape (one dim may be -1). Fails if the strides do not allow it; use reshape then.</summary>
    public Tensor view(params long[] size)
    {
        var shape = InferShape(size, "view");
        var st = _contiguous ? Shape.ContiguousStrides(shape) : ViewStrides(_shape, _strides, shape)
            ?? throw new InvalidOperationException($"view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead. (Viewing shape {Shape.Str(_shape)} with strides {Shape.Str(_strides)} as {Shape.Str(shape)}.)");
        var r = AsView(shape, st, _offset);
        if (NeedsGrad(this)) { var orig = _shape; Record(r, "ViewBackward0", g => g.GradReshape(orig), false, this); }
        return r;
    }

    public Tensor view_as(Tensor other) => view(other.shape);

    /// <summary>A view when the layout allows it, otherwise a contiguous copy.</summary>
    public Tensor reshape(params long[] size)
    {
        var shape = InferShape(size, "reshape");
        var st = _contiguous ? Shape.ContiguousStrides(shape) : ViewStrides(_shape, _strides, shape);
        if (st is not null)
        {
            var r = AsView(shape, st, _offset);
            if (NeedsGrad(this)) { var orig = _shape; Record(r, "ReshapeAliasBackward0", g => g.GradReshape(orig), false, this); }
            return r;
        }
        var c = contiguous();
        var v = c.AsView(shape, Shape.ContiguousStrides(shape), c._offset);
        if (NeedsGrad(this)) { var orig = _shape; Record(v, "UnsafeViewBackward0", g => g.GradReshape(orig), false, c); }
        return v;
    }

    public Tensor reshape_as(Tensor other) => reshape(other.shape);

    internal Tensor reshape_nograd(int[] shape)
    {
        if (Shape.SameShape(shape, _shape)) return this;
        var st = _contiguous ? Shape.ContiguousStrides(shape) : ViewStrides(_shape, _strides, shape);
        if (st is not null) return AsView(shape, st, _offset);
        var c = contiguous_nograd();
        return c.AsView(shape, Shape.ContiguousStrides(shape), c._offset);
    }

    /// <summary>Broadcasts size-1 dims to larger sizes without copying (stride 0). -1 keeps a dim.</summary>
    public Tensor expand(params long[] size)
    {
        if (size.Length < _shape.Length)
            throw new ArgumentException($"expand({dtype.LegacyName()}{{{Shape.Str(_shape)}}}, size=[{string.Join(", ", size)}]): the number of sizes provided ({size.Length}) must be greater or equal to the number of dimensions in the tensor ({_shape.Length})");
        var target = new int[size.Length];
        int off = size.Length - _shape.Length;
        for (int i = 0; i < size.Length; i++)
        {
            if (size[i] == -1)
            {
                if (i < off) throw new ArgumentException($"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension {i}");
                target[i] = _shape[i - off];
            }
            else if (size[i] < 0) throw new ArgumentException($"Trying to create tensor with negative dimension {size[i]}: [{string.Join(", ", size)}]");
            else if (size[i] > int.MaxValue) throw new ArgumentException($"expand: dimension {i} of size {size[i]} is larger than Torchlet supports ({int.MaxValue})");
            else target[i] = (int)size[i];
        }
        var r = expand_nograd(target);
        if (NeedsGrad(this)) { var orig = _shape; Record(r, "ExpandBackward0", g => g.SumToShape(orig), false, this); }
        return r;
    }

    public Tensor expand_as(Tensor other) => expand(other.shape);

    internal Tensor expand_nograd(int[] target)
    {
        if (Shape.SameShape(target, _shape)) return this;
        return AsView(target, Shape.ExpandStrides(_shape, _strides, target), _offset);
    }

    public Tensor unsqueeze(long dim)
    {
        int d = Shape.NormDim(dim, _shape.Length + 1, "dim");
        var sh = new int[_shape.Length + 1]; var st = new int[_shape.Length + 1];
        for (int i = 0, j = 0; i < sh.Length; i++)
        {
            if (i == d) { sh[i] = 1; st[i] = j < _shape.Length ? _strides[j] * _shape[j] : 1; continue; }
            sh[i] = _shape[j]; st[i] = _strides[j]; j++;
        }
        var r = AsView(sh, st, _offset);
        if (NeedsGrad(this)) Record(r, "UnsqueezeBackward0", g => g.GradSqueeze(d), false, this);
        return r;
    }

    /// <summary>Removes all size-1 dims, or only <paramref name="dim"/> if it has size 1.</summary>
    public Tensor squeeze(long? dim = null)
    {
        Tensor r;
        if (dim is null)
        {
            int k = 0;
            foreach (var s in _shape) if (s != 1) k++;
            var sh = new int[k]; var st = new int[k];
            for (int i = 0, j = 0; i < _shape.Length; i++)
                if (_shape[i] != 1) { sh[j] = _shape[i]; st[j++] = _strides[i]; }
            r = AsView(sh, st, _offset);
        }
        else r = squeeze_nograd(Shape.NormDim(dim.Value, _shape.Length, "dim"));
        if (NeedsGrad(this)) { var orig = _shape; Record(r, dim is null ? "SqueezeBackward0" : "SqueezeBackward1", g => g.GradReshape(orig), false, this); }
        return r;
    }

    internal Tensor squeeze_nograd(int d)
    {
        if (_shape.Length == 0 || _shape[d] != 1) return AsView(_shape, _strides, _offset);
        return AsView(Shape.Without(_shape, d), Shape.Without(_strides, d), _offset);
    }

    public Tensor permute(params long[] dims)
    {
        if (dims.Length != _shape.Length)
            throw new ArgumentException($"permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = {_shape.Length} is not equal to len(dims) = {dims.Length}");
        var p = new int[dims.Length];
        var seen = new bool[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            p[i] = Shape.NormDim(dims[i], _shape.Length, "dims");
            if (seen[p[i]]) throw new ArgumentException($"permute(): duplicate dims are not allowed. (dim {p[i]} appears twice in [{string.Join(", ", dims)}])");
            seen[p[i]] = true;
        }
        var sh = new int[p.Length]; var st = new int[p.Length];
        for (int i = 0; i < p.Length; i++) { sh[i] = _shape[p[i]]; st[i] = _strides[p[i]]; }
        var r = AsView(sh, st, _offset);
        if (NeedsGrad(this))
        {
            var inv = new long[p.Length];
            for (int i = 0; i < p.Length; i++) inv[p[i]] = i;
            Record(r, "PermuteBackward0", g => g.permute(inv), false, this);
        }
        return r;
    }

    public Tensor transpose(long dim0, long dim1)
    {
        int a = Shape.NormDim(dim0, _shape.Length, "dim0"), b = Shape.NormDim(dim1, _shape.Length, "dim1");
        var r = transpose_nograd(a, b);
        if (NeedsGrad(this)) Record(r, "TransposeBackward0", g => g.GradTranspose(a, b), false, this);
        return r;
    }

    internal Tensor transpose_nograd(int a, int b)
    {
        // A new view even when nothing moves: callers record a node on the result.
        if (_shape.Length == 0) return AsView(_shape, _strides, _offset);
        int[] sh = [.. _shape], st = [.. _strides];
        (sh[a], sh[b]) = (sh[b], sh[a]); (st[a], st[b]) = (st[b], st[a]);
        return AsView(sh, st, _offset);
    }

    public Tensor swapaxes(long a, long b) => transpose(a, b);

    /// <summary>Transpose of a matrix (≤ 2-D), as torch.Tensor.t.</summary>
    public Tensor t()
    {
        if (_shape.Length > 2) throw new ArgumentException($"t() expects a tensor with <= 2 dimensions, but self is {_shape.Length}D; use transpose(dim0, dim1) or mT");
        var r = _shape.Length < 2 ? AsView(_shape, _strides, _offset) : transpose_nograd(0, 1);
        if (NeedsGrad(this)) Record(r, "TBackward0", g => g.t(), false, this);
        return r;
    }

    /// <summary>All dims reversed (numpy's .T); PyTorch warns for anything but a matrix (or 0-dim).</summary>
    public Tensor T
    {
        get
        {
            int n = _shape.Length;
            if (n != 2 && n != 0)
                Warnings.Warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it will throw an error in a future release. Consider `x.mT` to transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.");
            var dims = new long[n];
            for (int i = 0; i < n; i++) dims[i] = n - 1 - i;
            return permute(dims);
        }
    }

    /// <summary>Transposes the last two dims (batches of matrices).</summary>
    public Tensor mT
    {
        get
        {
            if (_shape.Length < 2) throw new ArgumentException($"tensor.mT is only supported on matrices or batches of matrices. Got {_shape.Length}-D tensor.");
            return transpose(-2, -1);
        }
    }

    public Tensor flatten(long start_dim = 0, long end_dim = -1)
    {
        if (_shape.Length == 0)
        {
            // A 0-dim tensor takes dims in [-1, 0] (any other one was ignored).
            Shape.NormDim(start_dim, 0, "start_dim");
            Shape.NormDim(end_dim, 0, "end_dim");
            return reshape(1);
        }
        int s = Shape.NormDim(start_dim, _shape.Length, "start_dim"), e = Shape.NormDim(end_dim, _shape.Length, "end_dim");
        if (s > e) throw new ArgumentException($"flatten() has invalid args: start_dim cannot come after end_dim (start_dim {start_dim}, end_dim {end_dim})");
        if (s == e) return this;
        var sh = new List<long>();
        for (int i = 0; i < s; i++) sh.Add(_shape[i]);
        long m = 1; for (int i = s; i <= e; i++) m *= _shape[i];
        sh.Add(m);
        for (int i = e + 1; i < _shape.Length; i++) sh.Add(_shape[i]);
        return reshape(sh.ToArray());
    }

    public Tensor unflatten(long dim, params long[] sizes)
    {
        int d = Shape.NormDimNoScalar(dim, _shape.Length, "dim");
        long prod = 1; int infer = -1;
        for (int i = 0; i < sizes.Length; i++) if (sizes[i] == -1) infer = i; else prod *= sizes[i];
        if (infer < 0 && prod != _shape[d] || infer >= 0 && (prod == 0 || _shape[d] % prod != 0))
            throw new ArgumentException($"unflatten: Provided sizes [{string.Join(", ", sizes)}] don't multiply up to the size of dim {dim} ({_shape[d]}) in the input tensor");
        var sh = new List<long>();
        for (int i = 0; i < d; i++) sh.Add(_shape[i]);
        sh.AddRange(sizes);
        for (int i = d + 1; i < _shape.Length; i++) sh.Add(_shape[i]);
        return view(sh.ToArray());
    }

    /// <summary>A view of <paramref name="length"/> elements of <paramref name="dim"/> starting at <paramref name="start"/>.</summary>
    public Tensor narrow(long dim, long start, long length)
    {
        if (_shape.Length == 0) throw new ArgumentException("narrow() cannot be applied to a 0-dim tensor.");
        int d = Shape.NormDim(dim, _shape.Length, "dim");
        int size = _shape[d];
        // start == size is a valid (empty) narrow; otherwise start is wrapped like a dim, with that message.
        if (start != size && (start < -size || start >= size))
            throw new IndexOutOfRangeException($"Dimension out of range (expected to be in range of [{-size}, {size - 1}], but got {start}) for narrow's start on dimension {d} of size {size}");
        if (start < 0) start += size;
        if (length < 0) throw new ArgumentException($"narrow(): length must be non-negative (got {length})");
        if (start + length > size)
            throw new ArgumentException($"start ({start}) + length ({length}) exceeds dimension size ({size}).");
        return Slice(d, (int)start, (int)(start + length), 1);
    }

    /// <summary>Basic slicing x[start:stop:step] along one dim (a view). Backward scatters into zeros.</summary>
    internal Tensor Slice(int d, int start, int stop, int step)
    {
        int[] sh = [.. _shape], st = [.. _strides];
        int len = Math.Max(0, (stop - start + step - 1) / step);
        sh[d] = len; st[d] = _strides[d] * step;
        var r = AsView(sh, st, _offset + start * _strides[d]);
        if (NeedsGrad(this))
        {
            var orig = _shape; var dt = dtype;
            Record(r, "SliceBackward0", g => GradIntoZeros(g, orig, dt, z => z.Slice(d, start, stop, step), "SliceBackwardBackward0"), false, this);
        }
        return r;
    }

    /// <summary>Picks index <paramref name="index"/> of <paramref name="dim"/>, removing the dim (x[i]).</summary>
    public Tensor select(long dim, long index)
    {
        if (_shape.Length == 0) throw new IndexOutOfRangeException("select() cannot be applied to a 0-dim tensor.");
        int d = Shape.NormDim(dim, _shape.Length, "dim");
        int size = _shape[d];
        if (index < -size || index >= size)
            throw new IndexOutOfRangeException($"select(): index {index} out of range for tensor of size {Shape.Str(_shape)} at dimension {d}");
        int i = (int)(index < 0 ? index + size : index);
        var r = select_nograd(d, i);
        if (NeedsGrad(this))
        {
            var orig = _shape; var dt = dtype;
            Record(r, "SelectBackward0", g => GradIntoZeros(g, orig, dt, z => z.select(d, i), "SelectBackwardBackward0"), false, this);
        }
        return r;
    }

    internal Tensor select_nograd(int d, int i) => AsView(Shape.Without(_shape, d), Shape.Without(_strides, d), _offset + i * _strides[d]);

    // ---------------------------------------------------------------- copies

    /// <summary>This tensor if already contiguous, otherwise a contiguous copy (CloneBackward0).</summary>
    public Tensor contiguous()
    {
        if (_contiguous) return this;
        var r = contiguous_nograd();
        if (NeedsGrad(this)) Record(r, "CloneBackward0", g => g, false, this);
        return r;
    }

    internal Tensor contiguous_nograd() => _contiguous ? this : clone_nograd();

    public Tensor clone()
    {
        var r = clone_nograd();
        if (NeedsGrad(this)) Record(r, "CloneBackward0", g => g, false, this);
        return r;
    }

    internal Tensor clone_nograd() => to_nograd(dtype, forceCopy: true);

    /// <summary>Converts to <paramref name="type"/> (a copy unless the dtype already matches).</summary>
    public Tensor to(ScalarType type, bool copy = false)
    {
        if (type == dtype && !copy) return this;
        var r = to_nograd(type, forceCopy: true);
        if (NeedsGrad(this) && type.IsFloating()) { var orig = dtype; Record(r, "ToCopyBackward0", g => g.to(orig), false, this); }
        return r;
    }

    public Tensor type(ScalarType type) => to(type);
    public Tensor @float() => to(ScalarType.Float32);
    public Tensor @double() => to(ScalarType.Float64);
    public Tensor @long() => to(ScalarType.Int64);
    public Tensor @int() => to(ScalarType.Int32);
    public Tensor @byte() => to(ScalarType.Byte);
    public Tensor @bool() => to(ScalarType.Bool);
    public Tensor cpu() => this;

    internal Tensor to_nograd(ScalarType type, bool forceCopy)
    {
        if (type == dtype && !forceCopy) return this;
        var r = Empty(_shape, type);
        Strided.ToCopy(dtype, _storage.RawArray, _offset, _shape, _strides, _contiguous, type, r._storage.RawArray, r.Numel);
        return r;
    }

    /// <summary>Sums a broadcast gradient back to <paramref name="shape"/> (the inverse of expand).</summary>
    internal Tensor SumToShape(int[] shape)
    {
        if (Shape.SameShape(shape, _shape)) return this;
        int lead = _shape.Length - shape.Length;
        var dims = new List<long>();
        for (int i = 0; i < _shape.Length; i++)
            if (i < lead || (shape[i - lead] == 1 && _shape[i] != 1)) dims.Add(i);
        var r = dims.Count == 0 ? this : sum(dims.ToArray(), keepdim: true);
        return r.GradReshape(shape);
    }
}
