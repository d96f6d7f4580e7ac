using System.Collections;
using System.Globalization;

namespace Torchlet;

/// <summary>
/// PyTorch's <c>torch.Size</c>, what <see cref="Tensor.size()"/> returns: an immutable list of dims that prints
/// as <c>torch.Size([1, 3, 4])</c>, indexes as a Python tuple (<c>s[-1]</c> is the last dim, <c>s[1..]</c> a
/// Size of the rest), and converts to and from <c>long[]</c> (what <see cref="Tensor.shape"/> is). It equals
/// another Size or a <c>long[]</c> with the same dims (<c>x.size() == new long[] { 2, 3 }</c>).
/// <c>default(Size)</c> is the empty Size of a 0-dim tensor.
/// </summary>
public readonly struct Size : IReadOnlyList<long>, IEquatable<Size>
{
    readonly long[]? _dims;

    /// <summary>A Size of these dims (copied).</summary>
    public Size(params long[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        _dims = (long[])dims.Clone();
    }

    Size(long[] dims, bool owned) => _dims = dims;

    /// <summary>Wraps an array nobody else holds.</summary>
    internal static Size Own(long[] dims) => new(dims, owned: true);

    long[] Dims => _dims ?? [];

    /// <summary>The number of dims, Python's <c>len(size)</c>.</summary>
    public int Count => Dims.Length;

    /// <summary>The number of dims (as <see cref="Count"/>), so that <c>s[^1]</c> works.</summary>
    public int Length => Dims.Length;

    /// <summary>Dim <paramref name="index"/>; a negative index counts from the end, as in Python.</summary>
    /// <exception cref="IndexOutOfRangeException">The index is outside [-Count, Count).</exception>
    public long this[int index]
    {
        get
        {
            var d = Dims;
            if (index < -d.Length || index >= d.Length)
                throw new IndexOutOfRangeException($"tuple index out of range (index {index} of a torch.Size with {d.Length} dims)");
            return d[index < 0 ? index + d.Length : index];
        }
    }

    /// <summary>
    /// The dims from <paramref name="start"/> on, <paramref name="length"/> of them: what <c>s[1..]</c> gives.
    /// Clamped to the dims that exist, as Python slices a tuple (<c>s[1..]</c> of an empty Size is empty).
    /// </summary>
    public Size Slice(int start, int length)
    {
        var d = Dims;
        start = Math.Clamp(start, 0, d.Length);
        length = Math.Clamp(length, 0, d.Length - start);
        return Own(d.AsSpan(start, length).ToArray());
    }

    /// <summary>The number of elements of a tensor of this size (1 for the empty Size), as <c>torch.Size.numel()</c>.</summary>
    public long numel()
    {
        long n = 1;
        foreach (var d in Dims) n *= d;
        return n;
    }

    /// <summary>The dims as a new array.</summary>
    public long[] ToArray() => (long[])Dims.Clone();

    /// <summary>PyTorch's text: <c>torch.Size([1, 3, 4])</c>, <c>torch.Size([])</c>.</summary>
    public override string ToString() =>
        "torch.Size([" + string.Join(", ", Dims.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "])";

    /// <summary>The same dims in the same order.</summary>
    public bool Equals(Size other) => Dims.AsSpan().SequenceEqual(other.Dims);

    /// <summary>The same dims in the same order as <paramref name="other"/>; false for null.</summary>
    public bool Equals(long[]? other) => other is not null && Dims.AsSpan().SequenceEqual(other);

    /// <summary>True for a Size with the same dims (compare with a <c>long[]</c> through <see cref="Equals(long[])"/> or <c>==</c>).</summary>
    public override bool Equals(object? obj) => obj is Size s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in Dims) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Same dims.</summary>
    public static bool operator ==(Size a, Size b) => a.Equals(b);
    /// <summary>Different dims.</summary>
    public static bool operator !=(Size a, Size b) => !a.Equals(b);
    /// <summary>Same dims as the array (false for null).</summary>
    public static bool operator ==(Size a, long[]? b) => a.Equals(b);
    /// <summary>Different dims from the array (true for null).</summary>
    public static bool operator !=(Size a, long[]? b) => !a.Equals(b);
    /// <summary>Same dims as the array (false for null).</summary>
    public static bool operator ==(long[]? a, Size b) => b.Equals(a);
    /// <summary>Different dims from the array (true for null).</summary>
    public static bool operator !=(long[]? a, Size b) => !b.Equals(a);

    /// <summary>The dims as a new <c>long[]</c>, so a Size goes wherever a shape is taken (<c>zeros(x.size())</c>).</summary>
    public static implicit operator long[](Size s) => s.ToArray();

    /// <summary>A Size of the array's dims (copied).</summary>
    public static implicit operator Size(long[] dims) => new(dims);

    /// <inheritdoc/>
    public IEnumerator<long> GetEnumerator() => ((IEnumerable<long>)Dims).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
