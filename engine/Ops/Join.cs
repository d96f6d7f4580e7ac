using Torchlet.Kernels;

namespace Torchlet;

/// <summary>
/// Joining, splitting, repeating and index-driven gathers/scatters (notes §2.3):
/// cat/stack/split/chunk/unbind/repeat/tile, gather/scatter, index_select/index_add/index_fill,
/// masked_fill/masked_select, flip/roll, nonzero. Backward rules sit beside their forwards.
/// </summary>
public partial class Tensor
{
    // ---------------------------------------------------------------- cat / stack

    /// <summary>
    /// Concatenates along <paramref name="dim"/> with PyTorch's checks and type promotion; no graph.
    /// Returns the per-input start offsets along the dim (-1 for skipped legacy empty 1-D inputs).
    /// </summary>
    internal static (Tensor result, int dim, int[] starts) CatNoGrad(IList<Tensor> tensors, long dim, string op)
    {
        if (tensors is null || tensors.Count == 0) throw new ArgumentException($"{op}: expected a non-empty list of Tensors");
        int refI = -1;
        var dt = tensors[0]?.dtype ?? ScalarType.Float32;
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i] ?? throw new ArgumentNullException(nameof(tensors), $"{op}: tensor number {i} in the list is null");
            if (t._shape.Length == 0) throw new ArgumentException($"zero-dimensional tensor (at position {i}) cannot be concatenated");
            dt = ScalarTypes.Promote(dt, t.dtype);
            // Like PyTorch, 1-D empty tensors (shape [0]) are skipped whatever the rank of the others (legacy behaviour).
            if (refI < 0 && !IsLegacyEmpty(t)) refI = i;
        }
        var first = tensors[refI < 0 ? 0 : refI];
        int nd = first._shape.Length;
        int d = Shape.NormDim(dim, nd);
        var outShape = (int[])first._shape.Clone();
        outShape[d] = 0;
        var starts = new int[tensors.Count];
        long total = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            if (refI >= 0 && IsLegacyEmpty(t)) { starts[i] = -1; continue; }
            if (t._shape.Length != nd)
                throw new ArgumentException($"Tensors must have same number of dimensions: got {nd} and {t._shape.Length}");
            for (int k = 0; k < nd; k++)
                if (k != d && t._shape[k] != first._shape[k])
                    throw new ArgumentException($"Sizes of tensors must match except in dimension {d}. Expected size {first._shape[k]} but got size {t._shape[k]} for tensor number {i} in the list.");
            starts[i] = unchecked((int)total);
            total += t._shape[d];
        }
        // Summed in long: the int size wrapped past 2^31 and the result was allocated with a negative size.
        if (total > Array.MaxLength)
            throw new ArgumentException($"{op}: the result would have {total} elements along dimension {d} (sizes {string.Join(", ", tensors.Select(x => Shape.Str(x._shape)))}), more than the {Array.MaxLength} a .NET array can hold");
        outShape[d] = (int)total;
        var r = Empty(outShape, dt);
        int outer = 1, inner = 1;
        for (int k = 0; k < d; k++) outer *= outShape[k];
        for (int k = d + 1; k < nd; k++) inner *= outShape[k];
        int rowLen = outShape[d] * inner;
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            if (starts[i] < 0 || t.Numel == 0) continue;
            if (t.dtype == dt && t._contiguous)
                CopyRows(t, r, outer, t._shape[d] * inner, rowLen, starts[i] * inner);
            else
                r.slice_nograd(d, starts[i], starts[i] + t._shape[d], 1).CopyFrom(t);
        }
        return (r, d, starts);
    }

    /// <summary>stack without intermediate views: input i fills the i-th block of length inner in every outer row.</summary>
    static Tensor StackNoGrad(IList<Tensor> tensors, int d)
    {
        var first = tensors[0];
        var dt = first.dtype;
        foreach (var t in tensors) dt = ScalarTypes.Promote(dt, t.dtype);
        var outShape = new int[first._shape.Length + 1];
        for (int k = 0, j = 0; k < outShape.Length; k++) outShape[k] = k == d ? tensors.Count : first._shape[j++];
        var r = Empty(outShape, dt);
        int outer = 1, inner = 1;
        for (int k = 0; k < d; k++) outer *= outShape[k];
        for (int k = d + 1; k < outShape.Length; k++) inner *= outShape[k];
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            if (t.Numel == 0) continue;
            if (t.dtype == dt && t._contiguous) CopyRows(t, r, outer, inner, tensors.Count * inner, i * inner);
            else r.select_nograd(d, i).CopyFrom(t);
        }
        return r;
    }

    static bool IsLegacyEmpty(Tensor t) => t._shape.Length == 1 && t._shape[0] == 0;

    /// <summary>Block copy of a contiguous source into rows of a contiguous destination: outer × len elements.</summary>
    static void CopyRows(Tensor src, Tensor dst, int outer, int len, int rowLen, int at)
    {
        switch (src.dtype)
        {
            case ScalarType.Float32: CopyRows(src.Buffer<float>(), src._offset, dst.Buffer<float>(), outer, len, rowLen, at); break;
            case ScalarType.Float64: CopyRows(src.Buffer<double>(), src._offset, dst.Buffer<double>(), outer, len, rowLen, at); break;
            case ScalarType.Int64: CopyRows(src.Buffer<long>(), src._offset, dst.Buffer<long>(), outer, len, rowLen, at); break;
            case ScalarType.Int32: CopyRows(src.Buffer<int>(), src._offset, dst.Buffer<int>(), outer, len, rowLen, at); break;
            case ScalarType.Byte: CopyRows(src.Buffer<byte>(), src._offset, dst.Buffer<byte>(), outer, len, rowLen, at); break;
            case ScalarType.Bool: CopyRows(src.Buffer<bool>(), src._offset, dst.Buffer<bool>(), outer, len, rowLen, at); break;
        }
    }

    static void CopyRows<T>(T[] s, int so, T[] d, int outer, int len, int rowLen, int at) where T : unmanaged
    {
        if (outer == 1) { s.AsSpan(so, len).CopyTo(d.AsSpan(at, len)); return; }
        Threading.For(outer, len, (a, e) =>
        {
            for (int o = a; o < e; o++) s.AsSpan(so + o * len, len).CopyTo(d.AsSpan(o * rowLen + at, len));
        });
    }

    internal static Tensor Cat(IList<Tensor> tensors, long dim)
    {
        var (r, d, starts) = CatNoGrad(tensors, dim, "torch.cat()");
        bool any = false;
        foreach (var t in tensors) any |= t._requiresGrad;
        if (any && GradMode.Enabled)
        {
            var inputs = tensors.ToArray();
            Record(r, "CatBackward0", g =>
            {
                var gs = new Tensor?[inputs.Length];
                for (int i = 0; i < inputs.Length; i++)
                {
                    var t = inputs[i];
                    if (!t._requiresGrad) continue;
                    var part = starts[i] < 0 ? Empty(t._shape, g.dtype, clear: true) : g.slice_nograd(d, starts[i], starts[i] + t._shape[d], 1);
                    gs[i] = part.dtype == t.dtype ? part : part.to_nograd(t.dtype, false);
                }
                return gs;
            }, false, inputs);
        }
        return r;
    }

    internal static Tensor Stack(IList<Tensor> tensors, long dim)
    {
        if (tensors is null || tensors.Count == 0) throw new ArgumentException("stack expects a non-empty TensorList");
        var first = tensors[0];
        for (int i = 1; i < tensors.Count; i++)
            if (!Shape.SameShape(tensors[i]._shape, first._shape))
                throw new ArgumentException($"stack expects each tensor to be equal size, but got {Shape.Str(first._shape)} at entry 0 and {Shape.Str(tensors[i]._shape)} at entry {i}");
        int d = Shape.NormDim(dim, first._shape.Length + 1);
        var r = StackNoGrad(tensors, d);
        bool any = false;
        foreach (var t in tensors) any |= t._requiresGrad;
        if (any && GradMode.Enabled)
        {
            var inputs = tensors.ToArray();
            Record(r, "StackBackward0", g =>
            {
                var gs = new Tensor?[inputs.Length];
                for (int i = 0; i < inputs.Length; i++)
                {
                    if (!inputs[i]._requiresGrad) continue;
                    var part = g.select_nograd(d, i);
                    gs[i] = part.dtype == inputs[i].dtype ? part : part.to_nograd(inputs[i].dtype, false);
                }
                return gs;
            }, false, inputs);
        }
        return r;
    }

    // ---------------------------------------------------------------- split / chunk / unbind

    /// <summary>Splits into views of <paramref name="split_size"/> along <paramref name="dim"/> (the last one may be smaller).</summary>
    public Tensor[] split(long split_size, long dim = 0)
    {
        if (_shape.Length == 0) throw new ArgumentException("split expects at least a 1-dimensional tensor");
        int d = Shape.NormDim(dim, _shape.Length, "dim");
        int size = _shape[d];
        if (split_size < 0) throw new ArgumentException($"split expects split_size be non-negative, but got split_size={split_size}");
        if (split_size == 0 && size != 0)
            throw new ArgumentException($"split_size can only be 0 if dimension size is 0, but got dimension size of {size}");
        int n = split_size == 0 ? 1 : (int)Math.Max((size + split_size - 1) / split_size, 1);
        var sizes = new int[n];
        for (int i = 0; i < n; i++) sizes[i] = (int)Math.Min(split_size, size - split_size * i);
        return SplitViews(d, sizes, "SplitBackward0");
    }

    /// <summary>Splits into views of the given sizes along <paramref name="dim"/>; they must add up to the dim's size.</summary>
    public Tensor[] split(long[] split_sizes, long dim = 0)
    {
        if (_shape.Length == 0) throw new ArgumentException("split expects at least a 1-dimensional tensor");
        int d = Shape.NormDim(dim, _shape.Length, "dim");
        long sum = 0;
        foreach (var s in split_sizes)
        {
            if (s < 0) throw new ArgumentException($"split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=[{string.Join(", ", split_sizes)}]");
            sum = s > long.MaxValue - sum ? long.MaxValue : sum + s;   // saturate: huge sizes must not wrap to the dim's size
        }
        if (sum != _shape[d])
            throw new ArgumentException($"split_with_sizes expects split_sizes to sum exactly to {_shape[d]} (input tensor's size at dimension {d}), but got split_sizes=[{string.Join(", ", split_sizes)}]");
        return SplitViews(d, split_sizes.Select(s => (int)s).ToArray(), "SplitWithSizesBackward0");
    }

    /// <summary>Splits into <paramref name="chunks"/> views (fewer if the dim is too small), each of ceil(size/chunks).</summary>
    public Tensor[] chunk(long chunks, long dim = 0)
    {
        if (_shape.Length == 0) throw new ArgumentException("chunk expects at least a 1-dimensional tensor");
        if (chunks <= 0) throw new ArgumentException($"chunk expects `chunks` to be greater than 0, got: {chunks}");
        int d = Shape.NormDim(dim, _shape.Length, "dim");
        int size = _shape[d];
        if (size == 0)
        {
            // PyTorch returns `chunks` empty tensors here; more than an array holds is an error, not an overflow.
            if (chunks > Array.MaxLength)
                throw new ArgumentException($"chunk: {chunks} chunks of an empty dimension would be {chunks} tensors, more than the {Array.MaxLength} an array can hold");
            return SplitViews(d, new int[chunks], "SplitWithSizesBackward0");
        }
        return split((size + chunks - 1) / chunks, d);
    }

    /// <summary>Removes <paramref name="dim"/>, returning a view per index along it.</summary>
    public Tensor[] unbind(long dim = 0)
    {
        if (_shape.Length == 0) throw new IndexOutOfRangeException("Dimension specified as 0 but tensor has no dimensions");
        int d = Shape.NormDim(dim, _shape.Length, "dim");
        var outs = new Tensor[_shape[d]];
        SplitGrad? sg = NeedsGrad(this) ? new SplitGrad(this, "UnbindBackward0") : null;
        for (int i = 0; i < outs.Length; i++)
        {
            outs[i] = select_nograd(d, i);
            int k = i;
            sg?.Attach(outs[i], buf => buf.select_nograd(d, k));
        }
        return outs;
    }

    Tensor[] SplitViews(int d, int[] sizes, string name)
    {
        var outs = new Tensor[sizes.Length];
        SplitGrad? sg = NeedsGrad(this) ? new SplitGrad(this, name) : null;
        int start = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            int s = start, e = start + sizes[i];
            outs[i] = slice_nograd(d, s, e, 1);
            sg?.Attach(outs[i], buf => buf.slice_nograd(d, s, e, 1));
            start = e;
        }
        return outs;
    }

    // ---------------------------------------------------------------- repeat / tile

    /// <summary>Tiles the tensor <paramref name="repeats"/>[i] times along each dim (a copy); extra leading repeats add dims.</summary>
    public Tensor repeat(params long[] repeats)
    {
        if (repeats.Length < _shape.Length)
            throw new ArgumentException($"Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor (repeat dims [{string.Join(", ", repeats)}], tensor shape {Shape.Str(_shape)})");
        int lead = repeats.Length - _shape.Length;
        var padded = new int[repeats.Length];
        var outSize = new long[repeats.Length];
        for (int i = 0; i < repeats.Length; i++)
        {
            padded[i] = i < lead ? 1 : _shape[i - lead];
            // In long, overflow-checked: a wrapped product passed as a valid size (repeat(2^62 + 1) of 4 elements gave 4).
            outSize[i] = padded[i] != 0 && (repeats[i] > long.MaxValue / padded[i] || repeats[i] < -(long.MaxValue / padded[i]))
                ? throw new ArgumentException($"repeat: dimension {i} of size {padded[i]} repeated {repeats[i]} times overflows the size range")
                : padded[i] * repeats[i];
        }
        var outShape = Shape.FromLong(outSize);
        // An empty result (a 0 in the input or in repeats, even with a negative or huge repeat, as PyTorch allows then)
        // is made directly: the strided view below holds the repeats as ints.
        if (Shape.Numel(outShape) == 0)
        {
            var empty = Empty(outShape, dtype);
            if (NeedsGrad(this)) { var o = _shape; var dt = dtype; Record(empty, "RepeatBackward0", g => [Empty(o, dt, clear: true)], false, this); }
            return empty;
        }
        var src = reshape_nograd(padded);
        // [r0, s0, r1, s1, ...] with stride 0 on the repeat dims, copied out contiguously.
        var sh = new int[2 * padded.Length]; var st = new int[2 * padded.Length];
        for (int i = 0; i < padded.Length; i++)
        {
            sh[2 * i] = (int)repeats[i]; st[2 * i] = 0;
            sh[2 * i + 1] = padded[i]; st[2 * i + 1] = src._strides[i];
        }
        var r = new Tensor(src._storage, sh, st, src._offset).clone_nograd().reshape_nograd(outShape);
        if (NeedsGrad(this))
        {
            var orig = _shape;
            var sumDims = Enumerable.Range(0, padded.Length).Select(i => (long)(2 * i)).ToArray();
            Record(r, "RepeatBackward0", g => [g.reshape_nograd(sh).sum(sumDims).reshape_nograd(orig)], false, this);
        }
        return r;
    }

    /// <summary>Like <see cref="repeat"/>, but fewer dims than the tensor has are padded with leading 1s.</summary>
    public Tensor tile(params long[] dims)
    {
        if (dims.Length < _shape.Length)
            dims = Enumerable.Repeat(1L, _shape.Length - dims.Length).Concat(dims).ToArray();
        return repeat(dims);
    }

    // ---------------------------------------------------------------- gather / scatter

    static int[] NonEmpty(int[] shape) => shape.Length == 0 ? [1] : shape;
    static int[] NonEmptyStrides(Tensor t) => t._shape.Length == 0 ? [1] : t._strides;

    /// <summary>out[i][j] = self[index[i][j]][j] (dim 0): picks along <paramref name="dim"/> by an int64 index of the same rank.</summary>
    public Tensor gather(long dim, Tensor index)
    {
        if (index.dtype != ScalarType.Int64)
            throw new ArgumentException($"gather(): Expected dtype int64 for index, but got {index.dtype.TorchName()}");
        int d = Shape.NormDim(dim, _shape.Length, "dim");
        var self = NonEmpty(_shape); var ish = NonEmpty(index._shape);
        if (self.Length != ish.Length)
            throw new ArgumentException($"Index tensor must have the same number of dimensions as input tensor (index is {index._shape.Length}-D {Shape.Str(index._shape)}, input is {_shape.Length}-D {Shape.Str(_shape)})");
        for (int k = 0; k < self.Length; k++)
            if (k != d && ish[k] > self[k])
                throw new ArgumentException($"Size does not match at dimension {k} expected index {Shape.Str(index._shape)} to be smaller than self {Shape.Str(_shape)} apart from dimension {d}");
        var idx = CheckedIndex(index, d, self[d]);
        var r = Empty(index._shape, dtype);
        DimGather(this, d, idx, ish, r);
        if (NeedsGrad(this))
        {
            var si = new SavedTensor(index); var shape = _shape;
            Record(r, "GatherBackward0", g =>
            {
                var z = Empty(shape, g.dtype, clear: true);
                var ix = si.Get().contiguous_nograd();
                DimScatter(z, d, ix.Span<long>().ToArray(), NonEmpty(ix._shape), g, add: true);
                return [z];
            }, true, this);
        }
        return r;
    }

    /// <summary>The index values as a contiguous array, each checked to lie in [0, size).</summary>
    static long[] CheckedIndex(Tensor index, int d, int size)
    {
        var idx = index.contiguous_nograd().Span<long>().ToArray();
        foreach (var v in idx)
            if (v < 0 || v >= size) throw new IndexOutOfRangeException($"index {v} is out of bounds for dimension {d} with size {size}");
        return idx;
    }

    /// <summary>Validates scatter/scatter_add arguments before anything is written; returns the normalised dim and index values.</summary>
    (int d, long[] idx) ValidateScatter(long dim, Tensor index, Tensor? src, string op)
    {
        if (index.dtype != ScalarType.Int64)
            throw new ArgumentException($"{op}(): Expected dtype int64 for index, but got {index.dtype.TorchName()}");
        if (src is not null && src.dtype != dtype)
            throw new ArgumentException($"scatter(): Expected self.dtype to be equal to src.dtype (self is {dtype.TorchName()}, src is {src.dtype.TorchName()})");
        int d = Shape.NormDim(dim, _shape.Length, "dim");
        var self = NonEmpty(_shape); var ish = NonEmpty(index._shape);
        if (ish.Length != self.Length)
            throw new ArgumentException($"Index tensor must have the same number of dimensions as self tensor (index is {index._shape.Length}-D, self is {_shape.Length}-D)");
        if (src is not null && NonEmpty(src._shape).Length != self.Length)
            throw new ArgumentException($"Index tensor must have the same number of dimensions as src tensor (index is {index._shape.Length}-D, src is {src._shape.Length}-D)");
        if (index.Numel > 0)
        {
            var srcSh = src is null ? null : NonEmpty(src._shape);
            for (int k = 0; k < self.Length; k++)
            {
                if ((k != d && ish[k] > self[k]) || (srcSh is not null && ish[k] > srcSh[k]))
                    throw new ArgumentException($"Expected index {Shape.Str(index._shape)} to be smaller than self {Shape.Str(_shape)} apart from dimension {d}" +
                        (src is null ? "" : $" and to be smaller size than src {Shape.Str(src._shape)}"));
            }
        }
        return (d, CheckedIndex(index, d, self[d]));
    }

    public Tensor scatter(long dim, Tensor index, Tensor src) => ScatterOp(dim, index, src, default, add: false, "scatter");
    public Tensor scatter(long dim, Tensor index, Scalar value) => ScatterOp(dim, index, null, value, add: false, "scatter");
    public Tensor scatter_add(long dim, Tensor index, Tensor src) => ScatterOp(dim, index, src, default, add: true, "scatter_add");

    public Tensor scatter_(long dim, Tensor index, Tensor src) => ScatterInplace(dim, index, src, default, add: false, "scatter_");
    public Tensor scatter_(long dim, Tensor index, Scalar value) => ScatterInplace(dim, index, null, value, add: false, "scatter_");
    public Tensor scatter_add_(long dim, Tensor index, Tensor src) => ScatterInplace(dim, index, src, default, add: true, "scatter_add_");

    Tensor ScatterOp(long dim, Tensor index, Tensor? src, Scalar value, bool add, string op)
    {
        var (d, idx) = ValidateScatter(dim, index, src, op);
        var r = clone_nograd();
        var ish = NonEmpty(index._shape);
        DimScatter(r, d, idx, ish, src ?? ScalarTensor(value, dtype), add);
        bool srcGrad = src is not null && src._requiresGrad;
        if (GradMode.Enabled && (_requiresGrad || srcGrad))
        {
            var si = new SavedTensor(index);
            Tensor self = this;
            string name = add ? "ScatterAddBackward0" : src is null ? "ScatterBackward1" : "ScatterBackward0";
            Func<Tensor, Tensor?[]> bw = g =>
            {
                var ix = si.Get().contiguous_nograd();
                var iv = ix.Span<long>().ToArray();
                Tensor? gSelf = null, gSrc = null;
                if (self._requiresGrad)
                {
                    if (add) gSelf = g;
                    else { gSelf = g.clone_nograd(); DimScatter(gSelf, d, iv, ish, ScalarTensor(0, g.dtype), add: false); }
                }
                if (src is not null && src._requiresGrad)
                {
                    var picked = Empty(ix._shape, g.dtype);
                    DimGather(g, d, iv, ish, picked);
                    gSrc = PadTo(picked, src._shape);
                }
                return src is null ? [gSelf] : [gSelf, gSrc];
            };
            if (src is null) Record(r, name, bw, true, this);
            else Record(r, name, bw, true, this, src);
        }
        return r;
    }

    Tensor ScatterInplace(long dim, Tensor index, Tensor? src, Scalar value, bool add, string op)
    {
        bool srcGrad = src is not null && src._requiresGrad;
        CheckInplace(dtype, op);
        if (GradMode.Enabled && (_requiresGrad || srcGrad))
        {
            ValidateScatter(dim, index, src, op.TrimEnd('_'));
            return AssignInplace(Self.ScatterOp(dim, index, src, value, add, op.TrimEnd('_')));
        }
        var (d, idx) = ValidateScatter(dim, index, src, op.TrimEnd('_'));
        var s = src ?? ScalarTensor(value, dtype);
        if (ReferenceEquals(s._storage, _storage)) s = s.clone_nograd();
        DimScatter(this, d, idx, NonEmpty(index._shape), s, add);
        BumpVersion();
        return this;
    }

    /// <summary>A gradient of the index's shape placed at the front corner of zeros of <paramref name="shape"/> (src larger than index).</summary>
    static Tensor PadTo(Tensor g, int[] shape)
    {
        if (Shape.SameShape(g._shape, shape)) return g;
        var z = Empty(shape, g.dtype, clear: true);
        // A 0-dim index or src counts as one element along one dim (as the scatter checks read it): a 0-dim
        // src was sliced along a dim it does not have, a 0-dim gradient was broadcast over the whole src.
        var region = shape.Length == 0 ? z.reshape_nograd([1]) : z;
        var gv = g._shape.Length == 0 ? g.reshape_nograd([1]) : g;
        for (int k = 0; k < gv._shape.Length; k++) region = region.slice_nograd(k, 0, gv._shape[k], 1);
        region.CopyFrom(gv);
        return z;
    }

    /// <summary>
    /// out[p] = self[p with dim ← idx[p]] for every position p of the index, walked row-major;
    /// <paramref name="ish"/> is the index shape (0-dim as [1]), <paramref name="outT"/> is contiguous.
    /// </summary>
    static void DimGather(Tensor self, int d, long[] idx, int[] ish, Tensor outT)
    {
        switch (self.dtype)
        {
            case ScalarType.Float32: DimGatherT(self.Buffer<float>(), self._offset, NonEmptyStrides(self), idx, ish, d, outT.Buffer<float>()); break;
            case ScalarType.Float64: DimGatherT(self.Buffer<double>(), self._offset, NonEmptyStrides(self), idx, ish, d, outT.Buffer<double>()); break;
            case ScalarType.Int64: DimGatherT(self.Buffer<long>(), self._offset, NonEmptyStrides(self), idx, ish, d, outT.Buffer<long>()); break;
            case ScalarType.Int32: DimGatherT(self.Buffer<int>(), self._offset, NonEmptyStrides(self), idx, ish, d, outT.Buffer<int>()); break;
            case ScalarType.Byte: DimGatherT(self.Buffer<byte>(), self._offset, NonEmptyStrides(self), idx, ish, d, outT.Buffer<byte>()); break;
            case ScalarType.Bool: DimGatherT(self.Buffer<bool>(), self._offset, NonEmptyStrides(self), idx, ish, d, outT.Buffer<bool>()); break;
        }
    }

    static void DimGatherT<T>(T[] a, int aOff, int[] aSt, long[] idx, int[] ish, int dim, T[] dst) where T : unmanaged
    {
        int n = idx.Length;
        if (n == 0) return;
        int nd = ish.Length, last = nd - 1, inner = ish[last];
        int aInner = last == dim ? 0 : aSt[last], aDim = aSt[dim];
        Span<int> c = stackalloc int[nd];
        c.Clear();
        int ao = aOff;
        for (int p0 = 0; p0 < n; p0 += inner)
        {
            for (int j = 0; j < inner; j++) dst[p0 + j] = a[ao + j * aInner + (int)idx[p0 + j] * aDim];
            for (int k = nd - 2; k >= 0; k--)
            {
                int s = k == dim ? 0 : aSt[k];
                ao += s;
                if (++c[k] < ish[k]) break;
                ao -= s * ish[k];
                c[k] = 0;
            }
        }
    }

    /// <summary>dst[p with dim ← idx[p]] (+)= src[p] for every index position p; src may be a 0-dim value.</summary>
    static void DimScatter(Tensor dst, int d, long[] idx, int[] ish, Tensor src, bool add)
    {
        if (src.dtype != dst.dtype) src = src.to_nograd(dst.dtype, false);
        // A 0-dim value broadcasts over all index positions: stride 0 everywhere.
        int[] sSt = src._shape.Length == 0 ? new int[ish.Length] : src._strides;
        int[] dSt = NonEmptyStrides(dst);
        switch (dst.dtype)
        {
            case ScalarType.Float32: if (add) DimScatterT<float, AddWrite<float>>(dst, dSt, idx, ish, d, src, sSt); else DimScatterT<float, AssignWrite<float>>(dst, dSt, idx, ish, d, src, sSt); break;
            case ScalarType.Float64: if (add) DimScatterT<double, AddWrite<double>>(dst, dSt, idx, ish, d, src, sSt); else DimScatterT<double, AssignWrite<double>>(dst, dSt, idx, ish, d, src, sSt); break;
            case ScalarType.Int64: if (add) DimScatterT<long, AddWrite<long>>(dst, dSt, idx, ish, d, src, sSt); else DimScatterT<long, AssignWrite<long>>(dst, dSt, idx, ish, d, src, sSt); break;
            case ScalarType.Int32: if (add) DimScatterT<int, AddWrite<int>>(dst, dSt, idx, ish, d, src, sSt); else DimScatterT<int, AssignWrite<int>>(dst, dSt, idx, ish, d, src, sSt); break;
            case ScalarType.Byte: if (add) DimScatterT<byte, AddWrite<byte>>(dst, dSt, idx, ish, d, src, sSt); else DimScatterT<byte, AssignWrite<byte>>(dst, dSt, idx, ish, d, src, sSt); break;
            case ScalarType.Bool: if (add) DimScatterT<bool, OrWrite>(dst, dSt, idx, ish, d, src, sSt); else DimScatterT<bool, AssignWrite<bool>>(dst, dSt, idx, ish, d, src, sSt); break;
        }
    }

    static void DimScatterT<T, TW>(Tensor dstT, int[] dSt, long[] idx, int[] ish, int dim, Tensor srcT, int[] sSt) where T : unmanaged where TW : IWrite<T>
    {
        int n = idx.Length;
        if (n == 0) return;
        T[] dst = dstT.Buffer<T>(), src = srcT.Buffer<T>();
        int nd = ish.Length, last = nd - 1, inner = ish[last];
        int dInner = last == dim ? 0 : dSt[last], dDim = dSt[dim], sInner = sSt[last];
        Span<int> c = stackalloc int[nd];
        c.Clear();
        int doff = dstT._offset, soff = srcT._offset;
        for (int p0 = 0; p0 < n; p0 += inner)
        {
            for (int j = 0; j < inner; j++)
                TW.Apply(ref dst[doff + j * dInner + (int)idx[p0 + j] * dDim], src[soff + j * sInner]);
            for (int k = nd - 2; k >= 0; k--)
            {
                int ds = k == dim ? 0 : dSt[k];
                doff += ds; soff += sSt[k];
                if (++c[k] < ish[k]) break;
                doff -= ds * ish[k]; soff -= sSt[k] * ish[k];
                c[k] = 0;
            }
        }
    }

    // ---------------------------------------------------------------- index_select / index_add / index_fill

    /// <summary>An AdvIndex picking <paramref name="index"/> (0-D or 1-D) along dim <paramref name="d"/>.</summary>
    AdvIndex DimIndex(int d, Tensor index, string op, bool allowInt32, Func<long, int, int, string> outOfBounds, bool allowNegative)
    {
        if (index.dtype != ScalarType.Int64 && !(allowInt32 && index.dtype == ScalarType.Int32))
            throw new ArgumentException(allowInt32
                ? $"{op}(): Expected dtype int32 or int64 for index, but got {index.dtype.TorchName()}"
                : $"{op}(): Expected dtype int64 for index. (got {index.dtype.TorchName()})");
        if (index._shape.Length > 1)
            throw new IndexOutOfRangeException($"{op}(): Index is supposed to be a vector, but got a {index._shape.Length}-D index of shape {Shape.Str(index._shape)}");
        var perDim = new Tensor?[_shape.Length];
        perDim[d] = index.to_nograd(ScalarType.Int64, false).reshape_nograd([index.Numel]);
        return AdvIndex.Create(_shape, perDim, outOfBounds, allowNegative);
    }

    int IndexDim(long dim, string op)
    {
        if (_shape.Length == 0)
            throw new ArgumentException($"{op}(): a 0-dim tensor has no dim to index; reshape it to 1-D first");
        return Shape.NormDim(dim, _shape.Length, "dim");
    }

    /// <summary>Picks the entries <paramref name="index"/> (int64 or int32, 1-D) along <paramref name="dim"/> (a copy).</summary>
    public Tensor index_select(long dim, Tensor index)
    {
        int d = IndexDim(dim, "index_select");
        var adv = DimIndex(d, index, "index_select", allowInt32: true, (_, _, _) => "index out of range in self", allowNegative: false);
        var r = adv.Gather(this);
        if (NeedsGrad(this))
        {
            var shape = _shape;
            Record(r, "IndexSelectBackward0", g =>
            {
                var z = Empty(shape, g.dtype, clear: true);
                adv.Scatter(z, g, accumulate: true);
                return [z];
            }, false, this);
        }
        return r;
    }

    /// <summary>self[..., index[i], ...] += alpha · source[..., i, ...] along <paramref name="dim"/>; repeated indices add up.</summary>
    public Tensor index_add(long dim, Tensor index, Tensor source, Scalar? alpha = null)
    {
        var (d, adv, vals) = ValidateIndexAdd(dim, index, source, alpha, "index_add");
        var r = clone_nograd();
        adv.Scatter(r, vals, accumulate: true);
        if (GradMode.Enabled && (_requiresGrad || source._requiresGrad))
        {
            Tensor self = this;
            Record(r, "IndexAddBackward0", g =>
            {
                Tensor? gs = null;
                if (source._requiresGrad)
                {
                    gs = adv.Gather(g);
                    if (alpha is { } a && a.ToDouble() != 1) gs = gs.mul(a);
                }
                return [self._requiresGrad ? g : null, gs];
            }, false, this, source);
        }
        return r;
    }

    public Tensor index_add_(long dim, Tensor index, Tensor source, Scalar? alpha = null)
    {
        CheckInplace(dtype, "index_add_");
        if (GradMode.Enabled && (_requiresGrad || source._requiresGrad))
        {
            ValidateIndexAdd(dim, index, source, alpha, "index_add_");
            return AssignInplace(Self.index_add(dim, index, source, alpha));
        }
        var (_, adv, vals) = ValidateIndexAdd(dim, index, source, alpha, "index_add_");
        adv.Scatter(this, vals, accumulate: true);
        BumpVersion();
        return this;
    }

    (int d, AdvIndex adv, Tensor vals) ValidateIndexAdd(long dim, Tensor index, Tensor source, Scalar? alpha, string op)
    {
        int d = IndexDim(dim, op);
        if (source.dtype != dtype)
            throw new ArgumentException($"index_add_(): self ({dtype.CName()}) and source ({source.dtype.CName()}) must have the same scalar type");
        if (index.Numel != (source._shape.Length == 0 ? 1 : source._shape[Math.Min(d, source._shape.Length - 1)]))
            throw new ArgumentException($"index_add_(): Number of indices ({index.Numel}) should be equal to source.size(dim): ({(source._shape.Length == 0 ? 1 : source._shape[Math.Min(d, source._shape.Length - 1)])}), for dim: {d}");
        var adv = DimIndex(d, index, "index_add_", allowInt32: true, (_, _, _) => "index out of range in self", allowNegative: false);
        if (!Shape.SameShape(NonEmpty(source._shape), adv.ResultShape) && !(source._shape.Length == 0 && adv.ResultShape.Length == 1 && adv.ResultShape[0] == 1))
            throw new ArgumentException($"index_add_(): Source/destination tensor must have same slice shapes: source is {Shape.Str(source._shape)}, expected {Shape.Str(adv.ResultShape)} (self {Shape.Str(_shape)} with dim {d} of size {index.Numel})");
        var vals = source.reshape_nograd(adv.ResultShape);
        if (alpha is { } a && a.ToDouble() != 1) vals = ScalarKernel<MulOp>(vals, a, dtype, false);
        return (d, adv, vals);
    }

    /// <summary>Sets the entries <paramref name="index"/> along <paramref name="dim"/> to <paramref name="value"/>.</summary>
    public Tensor index_fill(long dim, Tensor index, Scalar value)
    {
        var adv = IndexFillIndex(dim, index);
        var r = clone_nograd();
        adv.Scatter(r, ScalarTensor(value, dtype), accumulate: false);
        if (NeedsGrad(this))
            Record(r, "IndexFillBackward0", g =>
            {
                var z = g.clone_nograd();
                adv.Scatter(z, ScalarTensor(0, g.dtype), accumulate: false);
                return [z];
            }, false, this);
        return r;
    }

    public Tensor index_fill_(long dim, Tensor index, Scalar value)
    {
        CheckInplace(dtype, "index_fill_");
        if (NeedsGrad(this))
        {
            IndexFillIndex(dim, index);
            return AssignInplace(Self.index_fill(dim, index, value));
        }
        var adv = IndexFillIndex(dim, index);
        adv.Scatter(this, ScalarTensor(value, dtype), accumulate: false);
        BumpVersion();
        return this;
    }

    AdvIndex IndexFillIndex(long dim, Tensor index)
    {
        int d = IndexDim(dim, "index_fill_");
        return DimIndex(d, index, "index_fill_", allowInt32: false, (v, _, size) => $"index {v} is out of bounds for dimension {d} with size {size}", allowNegative: true);
    }

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

    Tensor MaskedFill(Tensor mask, Tensor? value, Scalar scalar)
    {
        var m = CheckMask(mask, "masked_fill_", "masked_fill_ only supports boolean masks");
        if (value is not null && value._shape.Length != 0)
            throw new ArgumentException($"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {value._shape.Length} dimension(s).");
        var shape = Shape.Broadcast(m._shape, _shape, "masked_fill");
        var mc = m.expand_nograd(shape).contiguous_nograd();
        var r = expand_nograd(shape).clone_nograd();
        var v = value is null ? ScalarTensor(scalar, dtype) : value.to_nograd(dtype, false);
        FillWhere(r, mc, v);
        bool valueGrad = value is not null && value._requiresGrad;
        if (GradMode.Enabled && (_requiresGrad || valueGrad))
        {
            Tensor self = this;
            Func<Tensor, Tensor?[]> bw = g =>
            {
                Tensor? gs = null, gv = null;
                if (self._requiresGrad)
                {
                    var z = g.clone_nograd();
                    FillWhere(z, mc, ScalarTensor(0, g.dtype));
                    gs = GradFor(z, self);
                }
                if (valueGrad) gv = MaskedPick(g, mc).sum().to(value!.dtype);
                return value is null ? [gs] : [gs, gv];
            };
            if (value is null) Record(r, "MaskedFillBackward0", bw, false, this);
            else Record(r, "MaskedFillBackward1", bw, false, this, value);
        }
        return r;
    }

    public Tensor masked_fill_(Tensor mask, Scalar value) => MaskedFillInplace(mask, null, value);
    public Tensor masked_fill_(Tensor mask, Tensor value) => MaskedFillInplace(mask, value, default);

    Tensor MaskedFillInplace(Tensor mask, Tensor? value, Scalar scalar)
    {
        var m = CheckMask(mask, "masked_fill_", "masked_fill_ only supports boolean masks");
        if (value is not null && value._shape.Length != 0)
            throw new ArgumentException($"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {value._shape.Length} dimension(s).");
        var shape = Shape.Broadcast(m._shape, _shape, "masked_fill_");
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
    static void FillWhere(Tensor r, Tensor m, Tensor v)
    {
        var mask = m.Span<bool>();
        switch (r.dtype)
        {
            case ScalarType.Float32: FillWhereT(r.Span<float>(), mask, v.item<float>()); break;
            case ScalarType.Float64: FillWhereT(r.Span<double>(), mask, v.item<double>()); break;
            case ScalarType.Int64: FillWhereT(r.Span<long>(), mask, v.item<long>()); break;
            case ScalarType.Int32: FillWhereT(r.Span<int>(), mask, v.item<int>()); break;
            case ScalarType.Byte: FillWhereT(r.Span<byte>(), mask, v.item<byte>()); break;
            case ScalarType.Bool: FillWhereT(r.Span<bool>(), mask, v.item<bool>()); break;
        }
    }

    static void FillWhereT<T>(Span<T> r, ReadOnlySpan<bool> m, T v) where T : unmanaged
    {
        for (int i = 0; i < r.Length; i++) if (m[i]) r[i] = v;
    }

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
                return [GradFor(z, self)];
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
        switch (x.dtype)
        {
            case ScalarType.Float32: PickT(src.Span<float>(), mask, r.Span<float>()); break;
            case ScalarType.Float64: PickT(src.Span<double>(), mask, r.Span<double>()); break;
            case ScalarType.Int64: PickT(src.Span<long>(), mask, r.Span<long>()); break;
            case ScalarType.Int32: PickT(src.Span<int>(), mask, r.Span<int>()); break;
            case ScalarType.Byte: PickT(src.Span<byte>(), mask, r.Span<byte>()); break;
            case ScalarType.Bool: PickT(src.Span<bool>(), mask, r.Span<bool>()); break;
        }
        return r;
    }

    static void PickT<T>(ReadOnlySpan<T> x, ReadOnlySpan<bool> m, Span<T> r) where T : unmanaged
    {
        for (int i = 0, k = 0; i < m.Length; i++) if (m[i]) r[k++] = x[i];
    }

    /// <summary>The inverse of MaskedPick: writes the values of v, in order, at the true positions of m.</summary>
    static void MaskedPut(Tensor z, Tensor m, Tensor v)
    {
        var mask = m.Span<bool>();
        switch (z.dtype)
        {
            case ScalarType.Float32: PutT(z.Span<float>(), mask, v.Span<float>()); break;
            case ScalarType.Float64: PutT(z.Span<double>(), mask, v.Span<double>()); break;
            default: throw new ArgumentException($"masked_select backward: unsupported gradient dtype {z.dtype.TorchName()}");
        }
    }

    static void PutT<T>(Span<T> z, ReadOnlySpan<bool> m, ReadOnlySpan<T> v) where T : unmanaged
    {
        for (int i = 0, k = 0; i < m.Length; i++) if (m[i]) z[i] = v[k++];
    }

    // ---------------------------------------------------------------- flip / roll

    /// <summary>Reverses the order of elements along <paramref name="dims"/> (a copy, as in PyTorch).</summary>
    public Tensor flip(params long[] dims)
    {
        var ds = new int[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            ds[i] = Shape.NormDim(dims[i], _shape.Length, "dims");
            if (Array.IndexOf(ds, ds[i], 0, i) >= 0)
                throw new ArgumentException($"dim {ds[i]} appears multiple times in the list of dims");
        }
        // A transient view with negative strides, copied out: never escapes, so no other op sees such strides.
        var st = (int[])_strides.Clone();
        int off = _offset;
        if (Numel > 0)
            foreach (var d in ds)
            {
                if (_shape.Length == 0) break;
                off += (_shape[d] - 1) * st[d];
                st[d] = -st[d];
            }
        var r = new Tensor(_storage, _shape, st, off).clone_nograd();
        if (NeedsGrad(this)) Record(r, "FlipBackward0", g => [g.flip(dims)], false, this);
        return r;
    }

    public Tensor fliplr()
    {
        if (_shape.Length < 2) throw new ArgumentException($"fliplr: Input must be >= 2-d, got a {_shape.Length}-d tensor");
        return flip(1);
    }

    public Tensor flipud()
    {
        if (_shape.Length < 1) throw new ArgumentException("flipud: Input must be >= 1-d, got a 0-d tensor");
        return flip(0);
    }

    /// <summary>Rolls elements along <paramref name="dims"/> by <paramref name="shifts"/> (wrapping around); no dims rolls the flattened tensor.</summary>
    public Tensor roll(long[] shifts, long[]? dims = null)
    {
        dims ??= [];
        if (dims.Length == 0 && shifts.Length != 1 || dims.Length > 0 && shifts.Length != dims.Length)
            throw new ArgumentException($"shifts and dimensions must align. shifts: {shifts.Length}, dims:{dims.Length}");
        var nd = dims.Select(d => Shape.NormDimNoScalar(d, _shape.Length, "dims")).ToArray();
        Tensor r;
        if (nd.Length == 0)
            r = RollNoGrad(reshape_nograd([Numel]), [shifts[0]], [0]).reshape_nograd(_shape);
        else
            r = RollNoGrad(this, shifts, nd);
        if (NeedsGrad(this))
        {
            var back = shifts.Select(s => -s).ToArray();
            var dd = dims;
            Record(r, "RollBackward0", g => [g.roll(back, dd)], false, this);
        }
        return r;
    }

    public Tensor roll(long shifts, long? dims = null) => roll([shifts], dims is { } d ? [d] : null);

    static Tensor RollNoGrad(Tensor x, long[] shifts, int[] dims)
    {
        var r = x;
        for (int i = 0; i < dims.Length; i++)
        {
            int d = dims[i], n = r._shape[d];
            if (n == 0) continue;
            int s = (int)(((shifts[i] % n) + n) % n);
            if (s == 0) continue;
            r = CatNoGrad([r.slice_nograd(d, n - s, n, 1), r.slice_nograd(d, 0, n - s, 1)], d, "roll").result;
        }
        return ReferenceEquals(r, x) ? x.clone_nograd() : r;
    }
}

/// <summary>
/// Gradient plumbing for several views of one input (split, chunk, unbind). PyTorch gives them one
/// multi-output node; here each output gets its own node, which writes its gradient into a shared
/// zero buffer, and one collector node hands the filled buffer to the input. k outputs thus cost
/// one input-sized buffer rather than k of them (unbind over a long sequence stays linear).
/// </summary>
internal sealed class SplitGrad
{
    readonly int[] _shape;
    readonly ScalarType _dtype;
    readonly Node _collector;
    Tensor? _buffer;
    int _stamp = -1;

    public SplitGrad(Tensor input, string name)
    {
        _shape = input._shape; _dtype = input.dtype;
        _collector = new Node(name, _ =>
        {
            var b = _buffer ?? Tensor.Empty(_shape, _dtype, clear: true);
            _buffer = null;
            return [b];
        }, [input.GradEdge]);
    }

    /// <summary>Makes <paramref name="output"/> a graph output whose gradient lands in <paramref name="region"/> of the buffer.</summary>
    public void Attach(Tensor output, Func<Tensor, Tensor> region)
    {
        output._requiresGrad = true;
        output._gradFn = new Node(_collector.name(), g =>
        {
            // The engine stamps every node it visits in a pass: a buffer from an aborted earlier pass is dropped.
            if (_buffer is null || _stamp != _collector.Stamp)
            {
                _buffer = Tensor.Empty(_shape, _dtype, clear: true);
                _stamp = _collector.Stamp;
            }
            region(_buffer).CopyFrom(g);
            return [Tensor.Empty(Shape.Scalar, _dtype, clear: true)];
        }, [_collector]);
    }
}

public static partial class torch
{
    /// <summary>Concatenates along an existing dim; dtypes promote as in PyTorch.</summary>
    public static Tensor cat(IList<Tensor> tensors, long dim = 0) => Tensor.Cat(tensors, dim);
    public static Tensor concat(IList<Tensor> tensors, long dim = 0) => Tensor.Cat(tensors, dim);
    public static Tensor concatenate(IList<Tensor> tensors, long dim = 0) => Tensor.Cat(tensors, dim);

    /// <summary>Joins equal-shaped tensors along a new dim.</summary>
    public static Tensor stack(IList<Tensor> tensors, long dim = 0) => Tensor.Stack(tensors, dim);

    /// <summary>Column-wise: cat along dim 0 for 1-D inputs, else dim 1 (0-D inputs count as 1-D).</summary>
    public static Tensor hstack(IList<Tensor> tensors)
    {
        if (tensors is null || tensors.Count == 0) throw new ArgumentException("hstack expects a non-empty TensorList");
        var ts = tensors.Select(t => t.dim() == 0 ? t.reshape(1) : t).ToArray();
        return Tensor.Cat(ts, ts[0].dim() == 1 ? 0 : 1);
    }

    /// <summary>Row-wise: inputs made at least 2-D ([n] → [1, n]), then cat along dim 0.</summary>
    public static Tensor vstack(IList<Tensor> tensors)
    {
        if (tensors is null || tensors.Count == 0) throw new ArgumentException("vstack expects a non-empty TensorList");
        var ts = tensors.Select(t => t.dim() switch { 0 => t.reshape(1, 1), 1 => t.unsqueeze(0), _ => t }).ToArray();
        return Tensor.Cat(ts, 0);
    }

    public static Tensor row_stack(IList<Tensor> tensors) => vstack(tensors);

    public static Tensor[] split(Tensor tensor, long split_size, long dim = 0) => tensor.split(split_size, dim);
    public static Tensor[] split(Tensor tensor, long[] split_sizes, long dim = 0) => tensor.split(split_sizes, dim);
    public static Tensor[] chunk(Tensor tensor, long chunks, long dim = 0) => tensor.chunk(chunks, dim);
    public static Tensor[] unbind(Tensor tensor, long dim = 0) => tensor.unbind(dim);
    public static Tensor tile(Tensor tensor, params long[] dims) => tensor.tile(dims);
    public static Tensor gather(Tensor input, long dim, Tensor index) => input.gather(dim, index);
    public static Tensor scatter(Tensor input, long dim, Tensor index, Tensor src) => input.scatter(dim, index, src);
    public static Tensor scatter(Tensor input, long dim, Tensor index, Scalar value) => input.scatter(dim, index, value);
    public static Tensor scatter_add(Tensor input, long dim, Tensor index, Tensor src) => input.scatter_add(dim, index, src);
    public static Tensor index_select(Tensor input, long dim, Tensor index) => input.index_select(dim, index);
    public static Tensor index_add(Tensor input, long dim, Tensor index, Tensor source, Scalar? alpha = null) => input.index_add(dim, index, source, alpha);
    public static Tensor index_fill(Tensor input, long dim, Tensor index, Scalar value) => input.index_fill(dim, index, value);
    public static Tensor masked_fill(Tensor input, Tensor mask, Scalar value) => input.masked_fill(mask, value);
    public static Tensor masked_fill(Tensor input, Tensor mask, Tensor value) => input.masked_fill(mask, value);
    public static Tensor masked_select(Tensor input, Tensor mask) => input.masked_select(mask);
    public static Tensor flip(Tensor input, params long[] dims) => input.flip(dims);
    public static Tensor fliplr(Tensor input) => input.fliplr();
    public static Tensor flipud(Tensor input) => input.flipud();
    public static Tensor roll(Tensor input, long[] shifts, long[]? dims = null) => input.roll(shifts, dims);
    public static Tensor roll(Tensor input, long shifts, long? dims = null) => input.roll(shifts, dims);
    public static Tensor nonzero(Tensor input) => input.nonzero();
    public static Tensor argwhere(Tensor input) => input.argwhere();
    public static Tensor index_put(Tensor input, Tensor[] indices, Tensor values, bool accumulate = false) => input.index_put(indices, values, accumulate);
}
