using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Torchlet;

/// <summary>Shape, stride and dimension arithmetic shared by every op.</summary>
internal static class Shape
{
    // Shape and stride arrays are never written after a tensor is made, so these can be shared.
    public static readonly int[] Scalar = [];
    static readonly int[] One = [1];

    /// <summary>The element count of a tensor that must fit one array (every tensor that owns its storage).</summary>
    // Every op asks for this, several times: small and inlined, its errors thrown out of line.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Numel(ReadOnlySpan<int> shape)
    {
        long n = NumelLong(shape);
        if (n > Array.MaxLength) ThrowTooLarge(shape, n);
        return (int)n;
    }

    /// <summary>
    /// The element count of any shape, views included (an expanded view can have more elements than an
    /// array holds); a count past long's range is PyTorch's overflow error, not a wrapped number.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long NumelLong(ReadOnlySpan<int> shape)
    {
        // No division on the common path: while n < 2³², n·s < 2⁶³ for any int s, so only a product past 2³²
        // needs the overflow test. A zero anywhere wins.
        long n = 1;
        bool bad = false;
        foreach (var s in shape)
        {
            if (s == 0) return 0;
            if (s < 0 || (n >> 32 != 0 && n > long.MaxValue / s)) bad = true;
            else n *= s;
        }
        if (bad) ThrowOverflow(shape);
        return n;
    }

    [DoesNotReturn]
    static void ThrowTooLarge(ReadOnlySpan<int> shape, long n) =>
        throw new ArgumentException($"a tensor of shape {Str(shape)} has {n} elements, more than the {Array.MaxLength} a .NET array can hold");

    [DoesNotReturn]
    static void ThrowOverflow(ReadOnlySpan<int> shape) =>
        throw new ArgumentException($"numel: integer multiplication overflow (a tensor of shape {Str(shape)})");

    public static int[] ContiguousStrides(int[] shape)
    {
        if (shape.Length == 0) return Scalar;
        if (shape.Length == 1) return One;
        var st = new int[shape.Length];
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { st[i] = acc; acc *= Math.Max(shape[i], 1); }
        return st;
    }

    public static bool IsContiguous(int[] shape, int[] strides)
    {
        // An empty tensor is contiguous whatever its strides (PyTorch's rule too).
        foreach (var s in shape) if (s == 0) return true;
        int expected = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            if (shape[i] == 1) continue;
            if (strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    public static bool SameShape(int[] a, int[] b)
    {
        if (ReferenceEquals(a, b)) return true;
        return a.AsSpan().SequenceEqual(b);
    }

    /// <summary>Wraps a possibly negative dim into [0, ndim) or throws PyTorch's IndexError text.</summary>
    /// <remarks>Takes a long so a dim past int's range is an IndexError too (not an overflow or a wrapped dim).</remarks>
    public static int NormDim(long dim, int ndim, string? argName = null)
    {
        int n = Math.Max(ndim, 1);
        if (dim < -n || dim >= n)
            throw new IndexOutOfRangeException($"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})" + (argName is null ? "" : $" for argument '{argName}'"));
        return (int)(dim < 0 ? dim + n : dim);
    }

    /// <summary>NormDim for ops that take no dim of a 0-dim tensor (size, stride, roll, unflatten): PyTorch's wrap_scalar=false.</summary>
    public static int NormDimNoScalar(long dim, int ndim, string? argName = null)
    {
        if (ndim == 0) throw new IndexOutOfRangeException($"Dimension specified as {dim} but tensor has no dimensions");
        return NormDim(dim, ndim, argName);
    }

    public static int[] Broadcast(int[] a, int[] b, string? opName = null)
    {
        if (SameShape(a, b)) return a;
        int n = Math.Max(a.Length, b.Length);
        var r = new int[n];
        for (int i = 0; i < n; i++)
        {
            int da = i - (n - a.Length), db = i - (n - b.Length);
            int sa = da >= 0 ? a[da] : 1, sb = db >= 0 ? b[db] : 1;
            if (sa == sb || sb == 1) r[i] = sa;
            else if (sa == 1) r[i] = sb;
            else throw new ArgumentException(
                $"{(opName is null ? "" : opName + ": ")}The size of tensor a ({sa}) must match the size of tensor b ({sb}) at non-singleton dimension {i}; shapes {Str(a)} and {Str(b)} cannot be broadcast together");
        }
        return r;
    }

    /// <summary>Strides that view a tensor of shape <paramref name="shape"/> as <paramref name="target"/> (stride 0 on broadcast dims).</summary>
    public static int[] ExpandStrides(int[] shape, int[] strides, int[] target)
    {
        // Without this a [2, 3] source would silently "expand" to [3] by dropping its leading dim.
        if (target.Length < shape.Length)
            throw new ArgumentException($"the number of sizes provided ({target.Length}) must be greater or equal to the number of dimensions in the tensor ({shape.Length}): cannot expand {Str(shape)} to {Str(target)}");
        if (target.Length == 0) return Scalar;
        var r = new int[target.Length];
        int off = target.Length - shape.Length;
        for (int i = 0; i < target.Length; i++)
        {
            int d = i - off;
            if (d < 0) { r[i] = 0; continue; }
            if (shape[d] == target[i]) r[i] = shape[d] == 1 ? 0 : strides[d];
            else if (shape[d] == 1) r[i] = 0;
            else throw new ArgumentException($"The expanded size of the tensor ({target[i]}) must match the existing size ({shape[d]}) at non-singleton dimension {i}.  Target sizes: {Str(target)}.  Tensor sizes: {Str(shape)}");
        }
        return r;
    }

    /// <summary>A copy of <paramref name="a"/> without element <paramref name="d"/> (a removed dim).</summary>
    public static int[] Without(int[] a, int d)
    {
        if (a.Length == 1) return Scalar;
        var r = new int[a.Length - 1];
        for (int i = 0, j = 0; i < a.Length; i++) if (i != d) r[j++] = a[i];
        return r;
    }

    public static string Str(ReadOnlySpan<int> shape)
    {
        var sb = new System.Text.StringBuilder("[");
        for (int i = 0; i < shape.Length; i++) { if (i > 0) sb.Append(", "); sb.Append(shape[i]); }
        return sb.Append(']').ToString();
    }

    public static int[] FromLong(ReadOnlySpan<long> s)
    {
        var r = new int[s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] < 0) throw new ArgumentException($"Trying to create tensor with negative dimension {s[i]}: [{string.Join(", ", s.ToArray())}]");
            if (s[i] > int.MaxValue) throw new ArgumentException($"dimension {i} of size {s[i]} is larger than Torchlet supports ({int.MaxValue})");
            r[i] = (int)s[i];
        }
        return r;
    }

    public static long[] ToLong(int[] s)
    {
        var r = new long[s.Length];
        for (int i = 0; i < s.Length; i++) r[i] = s[i];
        return r;
    }
}
