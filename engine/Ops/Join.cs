using Torchlet.Kernels;

namespace Torchlet;

/// <summary>
/// Joining and splitting along a dim (notes §2.3): cat/stack, split/chunk/unbind, repeat/tile,
/// as PyTorch's TensorShape.cpp. Backward rules sit beside their forwards.
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
    static void CopyRows(Tensor src, Tensor dst, int outer, int len, int rowLen, int at) =>
        GatherKernels.CopyRows(src.dtype, src._storage.RawArray, src._offset, dst._storage.RawArray, outer, len, rowLen, at);

    internal static Tensor Cat(IList<Tensor> tensors, long dim)
    {
        var (r, d, starts) = CatNoGrad(tensors, dim, "torch.cat()");
        // A skipped legacy empty 1-d input (starts[i] < 0) gets a zero gradient.
        RecordJoin(r, tensors, "CatBackward0", (g, i, t) => starts[i] < 0 ? Empty(t._shape, g.dtype, clear: true) : g.slice_nograd(d, starts[i], starts[i] + t._shape[d], 1));
        return r;
    }

    /// <summary>
    /// Records the backward of cat/stack: input i's gradient is <paramref name="piece"/>(g, i, input),
    /// cast back to the input's dtype; inputs that do not require grad get none.
    /// </summary>
    static void RecordJoin(Tensor r, IList<Tensor> tensors, string name, Func<Tensor, int, Tensor, Tensor> piece)
    {
        bool any = false;
        foreach (var t in tensors) any |= t._requiresGrad;
        if (!any || !GradMode.Enabled) return;
        var inputs = tensors.ToArray();
        Record(r, name, g =>
        {
            var gs = new Tensor?[inputs.Length];
            for (int i = 0; i < inputs.Length; i++)
            {
                var t = inputs[i];
                if (!t._requiresGrad) continue;
                var part = piece(g, i, t);
                gs[i] = part.dtype == t.dtype ? part : part.to_nograd(t.dtype, false);
            }
            return gs;
        }, false, inputs);
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
        RecordJoin(r, tensors, "StackBackward0", (g, i, t) => g.select_nograd(d, i));
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
            if (NeedsGrad(this)) { var o = _shape; var dt = dtype; Record(empty, "RepeatBackward0", g => Empty(o, dt, clear: true), false, this); }
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
            Record(r, "RepeatBackward0", g => g.reshape_nograd(sh).sum(sumDims).reshape_nograd(orig), false, this);
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
            return b;
        }, input.GradEdge, false);
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
            return Tensor.Empty(Shape.Scalar, _dtype, clear: true);
        }, _collector, false);
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
}
