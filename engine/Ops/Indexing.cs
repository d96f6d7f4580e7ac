using Torchlet.Kernels;

namespace Torchlet;

/// <summary>
/// Python-style indexing (notes §2.2): ints, slices, <c>...</c> and <c>None</c> become views
/// sharing storage; index tensors and bool masks (advanced indexing, NumPy rules) gather a copy.
/// The setter writes through into this tensor's storage, with PyTorch's CopySlices /
/// IndexPutBackward0 autograd semantics.
/// </summary>
public partial class Tensor
{
    // ---------------------------------------------------------------- reading

    /// <summary>
    /// <c>x[indices]</c>: a view for basic indices, a copy (IndexBackward0) with index tensors or masks.
    /// A null entry (or a null array) is <see cref="TensorIndex.None"/>, as Python's <c>None</c>.
    /// </summary>
    public Tensor index(params TensorIndex?[]? indices) => Indexed(TensorIndex.NullIsNone(indices));

    Tensor Indexed(TensorIndex[] indices)
    {
        // x[mask] with a mask of x's own shape, outside autograd: one pass, no coordinate lists.
        if (!NeedsGrad(this) && FullMask(indices) is { } mask)
            return MaskedPick(this, mask.contiguous_nograd());
        var plan = IndexPlan.Build(this, indices, tensorsAreAdvanced: false);
        var sliced = plan.ViewRecorded(this);
        if (plan.Adv is not { } adv) return sliced;
        var r = adv.Gather(sliced);
        if (NeedsGrad(sliced))
        {
            var shape = sliced._shape;
            Record(r, "IndexBackward0", g =>
            {
                var z = Empty(shape, g.dtype, clear: true);
                adv.Scatter(z, g.contiguous_nograd(), accumulate: true);
                return z;
            }, false, sliced);
        }
        return r;
    }

    /// <summary>x[i, j, ...] with plain integers: a chain of select views.</summary>
    Tensor SelectAll(long[] indices)
    {
        if (indices.Length > _shape.Length)
            throw new IndexOutOfRangeException($"too many indices for tensor of dimension {_shape.Length}");
        if (indices.Length == 0) return Alias();
        int offset = _offset;
        for (int k = 0; k < indices.Length; k++)
        {
            int size = _shape[k];
            long i = indices[k];
            if (i < -size || i >= size)
                throw new IndexOutOfRangeException($"index {i} is out of bounds for dimension {k} with size {size}");
            offset += (int)(i < 0 ? i + size : i) * _strides[k];
        }
        // Outside autograd one view does it (x[i, j].item() in loops); with autograd, a chain of SelectBackward0 as in PyTorch.
        if (!NeedsGrad(this)) return AsView(_shape[indices.Length..], _strides[indices.Length..], offset);
        var r = this;
        foreach (var i in indices) r = r.select(0, i);
        return r;
    }

    /// <summary>A new tensor object over the same elements (x[...]); AliasBackward0 passes the gradient through.</summary>
    internal Tensor Alias()
    {
        var r = AsView(_shape, _strides, _offset);
        if (NeedsGrad(this)) Record(r, "AliasBackward0", g => g, false, this);
        return r;
    }

    internal Tensor slice_nograd(int d, int start, int stop, int step)
    {
        var sh = (int[])_shape.Clone(); var st = (int[])_strides.Clone();
        int len = Math.Max(0, (stop - start + step - 1) / step);
        sh[d] = len; st[d] = _strides[d] * step;
        return AsView(sh, st, _offset + (len > 0 ? start * _strides[d] : 0));
    }

    internal Tensor unsqueeze_nograd(int d)
    {
        var sh = new int[_shape.Length + 1]; var st = new int[_shape.Length + 1];
        for (int i = 0, j = 0; i < sh.Length; i++)
        {
            if (i == d) { sh[i] = 1; st[i] = j < _shape.Length ? _strides[j] * _shape[j] : 1; continue; }
            sh[i] = _shape[j]; st[i] = _strides[j]; j++;
        }
        return AsView(sh, st, _offset);
    }

    // ---------------------------------------------------------------- writing

    /// <summary>
    /// <c>x[indices] = value</c>: writes <paramref name="value"/> (broadcast) into the indexed elements of this tensor.
    /// A null entry (or a null array) is <see cref="TensorIndex.None"/>, as Python's <c>None</c>.
    /// </summary>
    public Tensor index_put_(Tensor value, params TensorIndex?[]? indices) => PutIndexed(value, TensorIndex.NullIsNone(indices));

    Tensor PutIndexed(Tensor value, TensorIndex[] indices)
    {
        // x[mask] = scalar outside autograd (the common "zero the negatives" idiom) is a masked fill.
        if (value.Numel == 1 && !(GradMode.Enabled && (_requiresGrad || value._requiresGrad)) && FullMask(indices) is { } mask)
        {
            CheckInplace(dtype, "index_put_");
            if (value.dtype != dtype && !value._wrappedNumber)
                throw new ArgumentException($"Index put requires the source and destination dtypes match, got {dtype.CName()} for the destination and {value.dtype.CName()} for the source.");
            var v = value.to_nograd(dtype, false).reshape_nograd(Shape.Scalar);
            var m = mask.contiguous_nograd();
            if (_contiguous) FillWhere(this, m, v);
            else { var r = clone_nograd(); FillWhere(r, m, v); CopyFrom(r); }
            BumpVersion();
            return this;
        }
        return IndexPut(IndexPlan.Build(this, indices, tensorsAreAdvanced: false), value, accumulate: false);
    }

    /// <summary>The index when it is a single bool mask of exactly this tensor's shape, else null.</summary>
    Tensor? FullMask(TensorIndex[] indices) =>
        indices.Length == 1 && indices[0].tensor is { } t && t.dtype == ScalarType.Bool && t._shape.Length > 0 && Shape.SameShape(t._shape, _shape) ? t : null;

    /// <summary><c>x[indices] = number</c>: the number takes this tensor's dtype, as a Python number does.</summary>
    public Tensor index_put_(Scalar value, params TensorIndex?[]? indices) => index_put_((Tensor)value, indices);

    /// <summary>
    /// PyTorch's <c>index_put_(indices, values, accumulate)</c>: the tensors index the leading dims
    /// (advanced indexing); with <paramref name="accumulate"/> duplicates add up instead of overwriting.
    /// </summary>
    public Tensor index_put_(Tensor[] indices, Tensor values, bool accumulate = false)
    {
        var ti = new TensorIndex[indices.Length];
        for (int i = 0; i < indices.Length; i++) ti[i] = TensorIndex.Tensor(indices[i]);
        return IndexPut(IndexPlan.Build(this, ti, tensorsAreAdvanced: true), values, accumulate);
    }

    /// <summary>Out-of-place <see cref="index_put_(Tensor[], Tensor, bool)"/>.</summary>
    public Tensor index_put(Tensor[] indices, Tensor values, bool accumulate = false) => clone().index_put_(indices, values, accumulate);

    Tensor IndexPut(IndexPlan plan, Tensor value, bool accumulate)
    {
        bool graph = GradMode.Enabled && (_requiresGrad || value._requiresGrad);
        if (GradMode.Enabled && _requiresGrad && _gradFn is null && plan.HasViewSteps)
            throw new InvalidOperationException("a view of a leaf Variable that requires grad is being used in an in-place operation. Wrap the assignment in 'using (torch.no_grad())' or assign into a clone().");
        CheckInplace(dtype, "index_put_");
        var sliced = plan.View(this);
        var valueShape = StripLeadingOnes(value._shape);
        Tensor src;
        if (plan.Adv is not { } adv)
        {
            // copy_ semantics: any dtype converts, the value broadcasts to the region.
            if (valueShape.Length > sliced._shape.Length)
                throw new ArgumentException($"expand({value.dtype.LegacyName()}{{{Shape.Str(valueShape)}}}, size={Shape.Str(sliced._shape)}): the number of sizes provided ({sliced._shape.Length}) must be greater or equal to the number of dimensions in the tensor ({valueShape.Length})");
            src = value.reshape_nograd(valueShape).expand_nograd(sliced._shape);
            if (ReferenceEquals(src._storage, _storage)) src = src.clone_nograd();
            sliced.CopyFrom(src);
        }
        else
        {
            if (value.dtype != dtype && !value._wrappedNumber)
                throw new ArgumentException($"Index put requires the source and destination dtypes match, got {dtype.CName()} for the destination and {value.dtype.CName()} for the source.");
            var v = value.to_nograd(dtype, false).reshape_nograd(valueShape);
            if (!Shape.SameShape(v._shape, adv.ResultShape) && !Broadcastable(v._shape, adv.ResultShape))
                throw new ArgumentException($"shape mismatch: value tensor of shape {Shape.Str(v._shape)} cannot be broadcast to indexing result of shape {Shape.Str(adv.ResultShape)}");
            src = v.expand_nograd(adv.ResultShape);
            src = ReferenceEquals(src._storage, _storage) ? src.clone_nograd() : src.contiguous_nograd();
            adv.Scatter(sliced, src, accumulate);
        }
        BumpVersion();
        if (graph) RecordIndexPut(plan, value, valueShape, accumulate);
        return this;
    }

    /// <summary>
    /// Rebases this tensor's history onto the write (PyTorch's CopySlices, or IndexPutBackward0 when
    /// only index tensors were used): the old content gets the gradient with the written region
    /// zeroed, the value gets the region's gradient summed back to its shape.
    /// </summary>
    void RecordIndexPut(IndexPlan plan, Tensor value, int[] valueShape, bool accumulate)
    {
        Node? oldEdge = _requiresGrad ? GradEdge : null;
        Node? valueEdge = value._requiresGrad ? value.GradEdge : null;
        var origValueShape = value._shape; var valueType = value.dtype;
        var adv = plan.Adv;
        string name = adv is not null && !plan.HasViewSteps ? "IndexPutBackward0" : "CopySlices";
        _gradFn = new Node(name, g =>
        {
            Tensor? gSelf = null, gValue = null;
            if (oldEdge is not null)
            {
                if (accumulate) gSelf = g;
                else
                {
                    gSelf = g.clone_nograd();
                    var region = plan.View(gSelf);
                    if (adv is null) region.CopyFrom(ScalarTensor(0, g.dtype));
                    else adv.Scatter(region, Empty(adv.ResultShape, g.dtype, clear: true), accumulate: false);
                }
            }
            if (valueEdge is not null)
            {
                var region = plan.View(g);
                var part = adv is null ? region : adv.Gather(region);
                part = part.SumToShape(valueShape).reshape_nograd(origValueShape);
                gValue = part.dtype == valueType ? part : part.to_nograd(valueType, false);
            }
            return (gSelf, gValue);
        }, oldEdge, valueEdge, false);
        _requiresGrad = true;
    }

    static int[] StripLeadingOnes(int[] shape)
    {
        int k = 0;
        while (k < shape.Length && shape[k] == 1) k++;
        return k == 0 ? shape : shape[k..];
    }

    static bool Broadcastable(int[] from, int[] to)
    {
        if (from.Length > to.Length) return false;
        for (int i = 1; i <= from.Length; i++)
            if (from[^i] != 1 && from[^i] != to[^i]) return false;
        return true;
    }

    // ---------------------------------------------------------------- nonzero

    /// <summary>Coordinates of the non-zero elements, one array per dim, in row-major order.</summary>
    internal int[][] NonzeroCoords()
    {
        var m = (dtype == ScalarType.Bool ? this : ne(0)).contiguous_nograd();
        return GatherKernels.NonzeroCoords(m.Span<bool>(), _shape);
    }

    /// <summary>Indices of the non-zero elements as an int64 tensor [n, ndim] (torch.nonzero).</summary>
    public Tensor nonzero()
    {
        var cols = NonzeroCoords();
        int nd = _shape.Length, n = nd == 0 ? (ne(0).item<bool>() ? 1 : 0) : cols[0].Length;
        var r = Empty([n, nd], ScalarType.Int64);
        GatherKernels.InterleaveCoords(cols, n, r.Span<long>());
        return r;
    }

    /// <summary>torch.nonzero(as_tuple=True): one int64 tensor of positions per dim.</summary>
    public Tensor[] nonzero_as_list()
    {
        if (_shape.Length == 0)
            return [torch.tensor(ne(0).item<bool>() ? new long[] { 0 } : [])];
        return NonzeroCoords().Select(c => torch.tensor(Array.ConvertAll(c, v => (long)v))).ToArray();
    }

    public Tensor argwhere() => nonzero();
}

/// <summary>
/// Advanced (NumPy) indexing over some dims of a tensor of a known shape: the index tensors are
/// broadcast together to B, bounds-checked and wrapped once. The result has shape
/// pre + B + post, where B replaces the indexed dims in place when they are adjacent and goes
/// first otherwise. The same geometry serves the gather (x[idx]), the scatter (x[idx] = v,
/// index_put_ with accumulate) and both backward passes.
/// </summary>
internal sealed class AdvIndex
{
    readonly int[] _srcShape;
    readonly int[] _dims;
    readonly int[][] _idx;
    readonly int[] _preDims, _postDims;
    public readonly int[] BShape, ResultShape;
    readonly int _nb;

    AdvIndex(int[] srcShape, int[] dims, int[][] idx, int[] bShape)
    {
        _srcShape = srcShape; _dims = dims; _idx = idx; BShape = bShape;
        _nb = Shape.Numel(bShape);
        bool adjacent = dims[^1] - dims[0] == dims.Length - 1;
        var rest = Enumerable.Range(0, srcShape.Length).Where(d => Array.IndexOf(dims, d) < 0).ToArray();
        _preDims = adjacent ? rest.Where(d => d < dims[0]).ToArray() : [];
        _postDims = rest.Where(d => Array.IndexOf(_preDims, d) < 0).ToArray();
        ResultShape = _preDims.Select(d => srcShape[d]).Concat(bShape).Concat(_postDims.Select(d => srcShape[d])).ToArray();
    }

    /// <summary>
    /// Indices per dim of <paramref name="srcShape"/> (null where a dim is not indexed); entries are int64.
    /// <paramref name="outOfBounds"/> makes the error text (value, ordinal of the index tensor, dim size);
    /// index_select and index_add refuse negative indices, x[idx] and index_fill wrap them.
    /// </summary>
    public static AdvIndex Create(int[] srcShape, IReadOnlyList<Tensor?> perDim, Func<long, int, int, string>? outOfBounds = null, bool allowNegative = true) =>
        Create(srcShape, perDim.Select(t => t is null ? null : new Entry(t, null)).ToList(), outOfBounds, allowNegative);

    /// <summary>An index for one dim: an int64 tensor, or positions already known to be in range (a mask's nonzero column).</summary>
    internal sealed record Entry(Tensor? Tensor, int[]? Positions)
    {
        public int[] Shape => Tensor?._shape ?? [Positions!.Length];
    }

    public static AdvIndex Create(int[] srcShape, IReadOnlyList<Entry?> perDim, Func<long, int, int, string>? outOfBounds = null, bool allowNegative = true)
    {
        var dims = new List<int>();
        for (int d = 0; d < perDim.Count; d++) if (perDim[d] is not null) dims.Add(d);
        var b = perDim[dims[0]]!.Shape;
        bool ok = true;
        foreach (var d in dims)
        {
            if (!ok) break;
            try { b = Torchlet.Shape.Broadcast(b, perDim[d]!.Shape); }
            catch (ArgumentException) { ok = false; }
        }
        if (!ok)
            throw new IndexOutOfRangeException("shape mismatch: indexing tensors could not be broadcast together with shapes " +
                string.Join(", ", dims.Select(d => Torchlet.Shape.Str(perDim[d]!.Shape))));
        var idx = new int[dims.Count][];
        for (int k = 0; k < dims.Count; k++)
        {
            int size = srcShape[dims[k]];
            var entry = perDim[dims[k]]!;
            if (entry.Positions is { } pos && pos.Length == Torchlet.Shape.Numel(b)) { idx[k] = pos; continue; }
            var t = (entry.Tensor ?? new Tensor(new Storage<int>(entry.Positions!), [entry.Positions!.Length]).to_nograd(ScalarType.Int64, false))
                .expand_nograd(b).contiguous_nograd();
            var v = t.Span<long>();
            var a = new int[v.Length];
            for (int i = 0; i < v.Length; i++)
            {
                long x = v[i];
                if (x < (allowNegative ? -size : 0) || x >= size)
                    throw new IndexOutOfRangeException(outOfBounds?.Invoke(x, k, size) ?? $"index {x} is out of bounds for dimension {k} with size {size}");
                a[i] = (int)(x < 0 ? x + size : x);
            }
            idx[k] = a;
        }
        return new AdvIndex(srcShape, dims.ToArray(), idx, b);
    }

    void Check(Tensor t)
    {
        if (!Shape.SameShape(t._shape, _srcShape))
            throw new InvalidOperationException($"advanced index built for shape {Shape.Str(_srcShape)} applied to {Shape.Str(t._shape)}");
    }

    /// <summary>Offset of each broadcast index position b for the given strides.</summary>
    int[] IndexOffsets(int[] strides)
    {
        var off = new int[_nb];
        for (int k = 0; k < _dims.Length; k++)
        {
            int s = strides[_dims[k]];
            var a = _idx[k];
            for (int i = 0; i < off.Length; i++) off[i] += a[i] * s;
        }
        return off;
    }

    int[] PreOffsets(int[] strides)
    {
        int n = 1;
        foreach (var d in _preDims) n *= _srcShape[d];
        var r = new int[n];
        if (n == 0 || _preDims.Length == 0) return r;
        var idx = new int[_preDims.Length];
        int off = 0;
        for (int i = 0; i < n; i++)
        {
            r[i] = off;
            for (int k = _preDims.Length - 1; k >= 0; k--)
            {
                int d = _preDims[k];
                off += strides[d];
                if (++idx[k] < _srcShape[d]) break;
                off -= strides[d] * _srcShape[d];
                idx[k] = 0;
            }
        }
        return r;
    }

    StridedBlock PostBlock(int[] strides) =>
        new(_postDims.Select(d => _srcShape[d]).ToArray(), _postDims.Select(d => strides[d]).ToArray());

    /// <summary>src[indices] as a new contiguous tensor of <see cref="ResultShape"/>.</summary>
    public Tensor Gather(Tensor src)
    {
        Check(src);
        var r = Tensor.Empty(ResultShape, src.dtype);
        GatherKernels.Index(src.dtype, src._storage.RawArray, src._offset, PreOffsets(src._strides), IndexOffsets(src._strides), PostBlock(src._strides), r._storage.RawArray);
        return r;
    }

    /// <summary>Writes <paramref name="values"/> (contiguous, <see cref="ResultShape"/>, dst's dtype) into dst at the indices.</summary>
    public void Scatter(Tensor dst, Tensor values, bool accumulate)
    {
        Check(dst);
        if (!Shape.SameShape(values._shape, ResultShape)) values = values.expand_nograd(ResultShape);
        values = values.contiguous_nograd();
        ScatterKernels.Index(dst.dtype, values._storage.RawArray, values._offset, dst._storage.RawArray, dst._offset,
            PreOffsets(dst._strides), IndexOffsets(dst._strides), PostBlock(dst._strides), accumulate);
    }
}

/// <summary>
/// A parsed index: the basic part as view steps (select / slice / unsqueeze, already
/// bounds-checked and normalised, so they replay on any tensor of the same shape) and the
/// advanced part as an <see cref="AdvIndex"/> over the sliced shape.
/// </summary>
internal sealed class IndexPlan
{
    enum Op : byte { Select, Slice, Unsqueeze }
    readonly record struct Step(Op Op, int Dim, int A, int B, int C);

    readonly Step[] _steps;
    public readonly AdvIndex? Adv;
    public bool HasViewSteps => _steps.Length > 0;

    IndexPlan(Step[] steps, AdvIndex? adv) { _steps = steps; Adv = adv; }

    /// <summary>
    /// Parses <paramref name="indices"/> against <paramref name="self"/>'s shape, with PyTorch's
    /// errors. With <paramref name="tensorsAreAdvanced"/> (index_put_) 0-dim index tensors stay
    /// advanced indices instead of becoming integers.
    /// </summary>
    public static IndexPlan Build(Tensor self, TensorIndex[] indices, bool tensorsAreAdvanced)
    {
        int ndim = self._shape.Length, specified = 0, ellipses = 0;
        foreach (var ix in indices)
        {
            switch (ix.kind)
            {
                case TensorIndex.Kind.Single or TensorIndex.Kind.Slice: specified++; break;
                case TensorIndex.Kind.Ellipsis: ellipses++; break;
                case TensorIndex.Kind.Tensor:
                    var t = ix.tensor!;
                    specified += IsMask(t) ? t._shape.Length : 1;
                    break;
            }
        }
        if (ellipses > 1) throw new IndexOutOfRangeException("an index can only have a single ellipsis ('...')");
        if (specified > ndim) throw new IndexOutOfRangeException($"too many indices for tensor of dimension {ndim}");

        var cur = new List<int>(self._shape);
        var steps = new List<Step>();
        var adv = new List<AdvIndex.Entry?>();
        bool single = indices.Length == 1;
        int dim = 0, realDim = 0;

        void Record(int at, AdvIndex.Entry e)
        {
            while (adv.Count <= at) adv.Add(null);
            adv[at] = e;
        }
        void Select(long i, string shown, bool fromEnd = false)
        {
            int size = cur[dim];
            // ^k is already resolved to size - k: it never wraps a second time.
            if (i < (fromEnd ? 0 : -size) || i >= size)
                throw new IndexOutOfRangeException($"index {shown} is out of bounds for dimension {realDim} with size {size}");
            steps.Add(new Step(Op.Select, dim, (int)(i < 0 ? i + size : i), 0, 0));
            cur.RemoveAt(dim);
            realDim++;
        }
        void BoolIndex(bool value)
        {
            steps.Add(new Step(Op.Unsqueeze, dim, 0, 0, 0));
            cur.Insert(dim, 1);
            Record(dim, new AdvIndex.Entry(null, value ? [0] : []));
            dim++;
        }

        foreach (var ix in indices)
        {
            switch (ix.kind)
            {
                case TensorIndex.Kind.Single:
                    if (ix.fromEnd) Select(cur[dim] - ix.index, "^" + ix.index, fromEnd: true);
                    else Select(ix.index, ix.index.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case TensorIndex.Kind.Slice:
                {
                    long step = ix.step ?? 1;
                    if (step == 0) throw new ArgumentException("slice step cannot be zero");
                    if (step < 0) throw new ArgumentException($"step must be greater than zero (got {step}); negative steps are not supported, use flip() to reverse a dim");
                    int size = cur[dim];
                    long rawStart = ix.start ?? 0;
                    // Like PyTorch, an explicit full range inside a multi-index is no op at all; a lone slice always records one.
                    if (!single && rawStart == 0 && ix.stop == size && step == 1) { dim++; realDim++; break; }
                    long s = Clamp(rawStart, size), e = ix.stop is { } st ? Clamp(st, size) : size;
                    if (e < s) e = s;
                    steps.Add(new Step(Op.Slice, dim, (int)s, (int)e, (int)step));
                    cur[dim] = (int)((e - s + step - 1) / step);
                    dim++; realDim++;
                    break;
                }
                case TensorIndex.Kind.Ellipsis:
                    dim += ndim - specified; realDim += ndim - specified;
                    break;
                case TensorIndex.Kind.None:
                    steps.Add(new Step(Op.Unsqueeze, dim, 0, 0, 0));
                    cur.Insert(dim, 1);
                    dim++;
                    break;
                case TensorIndex.Kind.Bool:
                    BoolIndex(ix.index != 0);
                    break;
                case TensorIndex.Kind.Tensor:
                {
                    var t = ix.tensor!;
                    if (t._shape.Length == 0 && !tensorsAreAdvanced && t.dtype.IsIntegral(includeBool: true))
                    {
                        if (t.dtype is ScalarType.Bool or ScalarType.Byte) BoolIndex(t.item<long>() != 0);
                        else { long v = t.item<long>(); Select(v, v.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
                        break;
                    }
                    if (IsMask(t))
                    {
                        if (t.dtype == ScalarType.Byte)
                            Warnings.Warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool instead.");
                        for (int j = 0; j < t._shape.Length; j++)
                            if (t._shape[j] != cur[dim + j])
                                throw new IndexOutOfRangeException($"The shape of the mask {Shape.Str(t._shape)} at index {j} does not match the shape of the indexed tensor {Shape.Str(cur.ToArray())} at index {dim + j}");
                        if (t._shape.Length == 0)
                        {
                            BoolIndex(t.item<long>() != 0);
                            break;
                        }
                        var cols = t.NonzeroCoords();
                        for (int j = 0; j < cols.Length; j++) Record(dim + j, new AdvIndex.Entry(null, cols[j]));
                        dim += cols.Length; realDim += cols.Length;
                        break;
                    }
                    if (t.dtype != ScalarType.Int64)
                        throw new IndexOutOfRangeException($"tensors used as indices must be long, byte or bool tensors (got {t.dtype.TorchName()}); convert the index with .@long()");
                    Record(dim, new AdvIndex.Entry(t, null));
                    dim++; realDim++;
                    break;
                }
            }
        }

        AdvIndex? a = null;
        if (adv.Count > 0)
        {
            var shape = cur.ToArray();
            while (adv.Count < shape.Length) adv.Add(null);
            a = AdvIndex.Create(shape, adv);
        }
        return new IndexPlan(steps.ToArray(), a);
    }

    static bool IsMask(Tensor t) => t.dtype is ScalarType.Bool or ScalarType.Byte;

    static long Clamp(long v, int size)
    {
        if (v < 0) v += size;
        return Math.Clamp(v, 0, size);
    }

    /// <summary>The basic-indexing view of <paramref name="t"/>, without graph recording.</summary>
    public Tensor View(Tensor t) => Apply(t, recorded: false);

    /// <summary>The same view through the recording ops (SelectBackward0, SliceBackward0, ...); x[...] is an alias.</summary>
    public Tensor ViewRecorded(Tensor t)
    {
        if (_steps.Length == 0) return Adv is null ? t.Alias() : t;
        return Apply(t, recorded: true);
    }

    Tensor Apply(Tensor t, bool recorded)
    {
        foreach (var s in _steps)
            t = s.Op switch
            {
                Op.Select => recorded ? t.select(s.Dim, s.A) : t.select_nograd(s.Dim, s.A),
                Op.Slice => recorded ? t.Slice(s.Dim, s.A, s.B, s.C) : t.slice_nograd(s.Dim, s.A, s.B, s.C),
                _ => recorded ? t.unsqueeze(s.Dim) : t.unsqueeze_nograd(s.Dim),
            };
        return t;
    }
}
