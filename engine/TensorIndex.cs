using System.Globalization;
using System.Runtime.CompilerServices;

namespace Torchlet;

/// <summary>
/// One entry of a tensor index, as Python's <c>x[...]</c> takes them: an integer, a slice,
/// <c>...</c>, <c>None</c>, a bool, or an index tensor (int64 positions or a bool mask).
/// C# values convert implicitly, so <c>x[0, .., 1..3]</c>, <c>x[^1]</c>, <c>x[1..^1]</c>,
/// <c>x[mask]</c> and <c>x[TensorIndex.None]</c> read like the Python they port.
/// </summary>
public sealed class TensorIndex
{
    public enum Kind { None, Ellipsis, Single, Bool, Slice, Tensor }

    public Kind kind { get; }
    /// <summary>Single: the index (see <see cref="fromEnd"/>); Bool: 1 or 0.</summary>
    public long index { get; }
    /// <summary>Single built from a C# <c>^i</c>: counts from the end, so <c>^0</c> is one past the last element.</summary>
    public bool fromEnd { get; }
    public long? start { get; }
    public long? stop { get; }
    public long? step { get; }
    public Tensor? tensor { get; }

    TensorIndex(Kind k, long index = 0, bool fromEnd = false, long? start = null, long? stop = null, long? step = null, Tensor? tensor = null)
    {
        kind = k; this.index = index; this.fromEnd = fromEnd; this.start = start; this.stop = stop; this.step = step; this.tensor = tensor;
    }

    /// <summary>x[i]: picks one position and removes the dim (negative counts from the end).</summary>
    public static TensorIndex Single(long index) => new(Kind.Single, index);

    /// <summary>x[start:stop:step] (Python semantics: null means the end, negative counts from the end, step &gt; 0).</summary>
    public static TensorIndex Slice(long? start = null, long? stop = null, long? step = null) => new(Kind.Slice, start: start, stop: stop, step: step);

    /// <summary>x[True] / x[False]: a new dim of size 1 (or 0), as advanced indexing.</summary>
    public static TensorIndex Bool(bool value) => new(Kind.Bool, value ? 1 : 0);

    /// <summary>An index tensor: int64 positions (advanced indexing) or a bool mask over the next dims.</summary>
    public static TensorIndex Tensor(Tensor index) => new(Kind.Tensor, tensor: index ?? throw new ArgumentNullException(nameof(index)));

    /// <summary><c>...</c>: as many full slices as needed.</summary>
    public static TensorIndex Ellipsis { get; } = new(Kind.Ellipsis);

    /// <summary><c>None</c>: inserts a dim of size 1.</summary>
    public static TensorIndex None { get; } = new(Kind.None);

    /// <summary><c>:</c>, a full slice.</summary>
    public static TensorIndex Colon { get; } = new(Kind.Slice);

    public static implicit operator TensorIndex(long index) => Single(index);
    public static implicit operator TensorIndex(int index) => Single(index);
    public static implicit operator TensorIndex(bool value) => Bool(value);
    public static implicit operator TensorIndex(Tensor index) => Tensor(index);

    public static implicit operator TensorIndex(Index index) =>
        index.IsFromEnd ? new(Kind.Single, index.Value, fromEnd: true) : Single(index.Value);

    /// <summary>C# ranges are slices: <c>..</c> is <c>:</c>, <c>1..^1</c> is <c>1:-1</c>, <c>^2..</c> is <c>-2:</c>.</summary>
    public static implicit operator TensorIndex(Range range)
    {
        // ^0 as a start is the end of the dim (an empty slice); long.MaxValue clamps to exactly that.
        long? s = range.Start.IsFromEnd ? (range.Start.Value == 0 ? long.MaxValue : -range.Start.Value) : range.Start.Value;
        long? e = range.End.IsFromEnd ? (range.End.Value == 0 ? null : -range.End.Value) : range.End.Value;
        if (s == 0) s = null;
        return Slice(s, e);
    }

    /// <summary>(start, stop) as TorchSharp accepts it: <c>x[(1, 3)]</c>.</summary>
    public static implicit operator TensorIndex((int? start, int? stop) range) => Slice(range.start, range.stop);

    /// <summary>
    /// The indices with <c>null</c> read as <see cref="None"/>, as Python reads <c>x[:, None]</c>; a null
    /// array is what C# passes for a lone <c>x[null]</c>, i.e. <c>x[None]</c>.
    /// </summary>
    internal static TensorIndex[] NullIsNone(TensorIndex?[]? indices)
    {
        if (indices is null) return [None];
        if (Array.IndexOf(indices, null) < 0) return indices!;
        var r = new TensorIndex[indices.Length];
        for (int i = 0; i < r.Length; i++) r[i] = indices[i] ?? None;
        return r;
    }

    public override string ToString() => kind switch
    {
        Kind.None => "None",
        Kind.Ellipsis => "...",
        Kind.Single => fromEnd ? "^" + index.ToString(CultureInfo.InvariantCulture) : index.ToString(CultureInfo.InvariantCulture),
        Kind.Bool => index != 0 ? "True" : "False",
        Kind.Slice => $"{N(start)}:{N(stop)}" + (step is null ? "" : ":" + N(step)),
        _ => $"tensor(shape={Shape.Str(tensor!._shape)}, dtype={tensor.dtype.TorchName()})",
    };

    static string N(long? v) => v is null || v == long.MaxValue ? "" : v.Value.ToString(CultureInfo.InvariantCulture);
}

public partial class Tensor
{
    /// <summary>
    /// Set on the 0-dim tensors made from a C# number (<c>x[0] = 3.0</c>): like PyTorch's wrapped
    /// numbers they take the dtype of the tensor they are written into.
    /// </summary>
    internal bool _wrappedNumber;

    static Tensor Wrap(Scalar s, ScalarType dt)
    {
        var t = ScalarTensor(s, dt);
        t._wrappedNumber = true;
        return t;
    }

    // C# numbers become 0-dim tensors where a Tensor is expected, so that `x[0, 1] = 3.0` and
    // `x[mask] = 0` compile. A double is held as float64 (a Python float is a double); when it is
    // written into a tensor it takes that tensor's dtype. Scalar-taking overloads stay preferred
    // for operators because Scalar converts to Tensor but not back.
    public static implicit operator Tensor(double value) => Wrap(value, ScalarType.Float64);
    public static implicit operator Tensor(float value) => Wrap(value, ScalarType.Float32);
    public static implicit operator Tensor(long value) => Wrap(value, ScalarType.Int64);
    public static implicit operator Tensor(int value) => Wrap(value, ScalarType.Int64);
    public static implicit operator Tensor(bool value) => Wrap(value, ScalarType.Bool);
    public static implicit operator Tensor(Scalar value) =>
        Wrap(value, value.kind switch { Scalar.Kind.Float => ScalarType.Float64, Scalar.Kind.Int => ScalarType.Int64, _ => ScalarType.Bool });

    /// <summary>
    /// Python indexing: <c>x[0, .., 1..3]</c>, <c>x[TensorIndex.Ellipsis, 0]</c>, <c>x[mask]</c>, <c>x[idx]</c>.
    /// Ints, slices, <c>...</c> and <c>None</c> give views sharing storage; index tensors and masks give copies.
    /// A <c>null</c> entry is Python's <c>None</c> (<see cref="TensorIndex.None"/>, a new dim of size 1):
    /// <c>x[.., .., null]</c> is <c>x[:, :, None]</c> and <c>x[null]</c> is <c>x[None]</c>.
    /// Assigning writes through into this tensor's storage (<c>x[.., 0] = v</c>, <c>x[mask] = 0</c>).
    /// </summary>
    public Tensor this[params TensorIndex?[]? indices]
    {
        get => index(indices);
        set => index_put_(value, indices);
    }

    /// <summary>
    /// Integer indexing <c>x[i, j]</c>: a view (0-dim for a full index). Preferred over the general indexer
    /// when both apply, i.e. for integers and for a lone <c>x[null]</c>, which C# passes as a null array here:
    /// it is <c>x[None]</c>, as in the general indexer.
    /// </summary>
    [OverloadResolutionPriority(1)]
    public Tensor this[params long[]? indices]
    {
        get => indices is null ? index(TensorIndex.None) : SelectAll(indices);
        set
        {
            if (indices is null) { index_put_(value, TensorIndex.None); return; }
            var ti = new TensorIndex[indices.Length];
            for (int i = 0; i < indices.Length; i++) ti[i] = TensorIndex.Single(indices[i]);
            index_put_(value, ti);
        }
    }
}
