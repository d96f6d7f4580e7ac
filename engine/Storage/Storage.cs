namespace Torchlet;

/// <summary>
/// A flat, GC-managed buffer of one element type. Tensors are views over a storage
/// (shape + strides + offset); views share it, so writes through a view land in the base.
/// </summary>
public abstract class Storage
{
    /// <summary>Bumped by every in-place write; autograd compares it with the value saved at forward time.</summary>
    internal int Version;
    public abstract int Length { get; }
    public abstract ScalarType DType { get; }
    internal abstract Array RawArray { get; }

    /// <summary>
    /// Every tensor's own buffer comes from here. Sizes are checked before: Shape.Numel refuses a shape with
    /// more elements than an array holds (an ArgumentException naming the shape and the count).
    /// </summary>
    internal static Storage Allocate(ScalarType dtype, int length, bool clear = true)
    {
        // A negative length is a size computed in int that wrapped: name it rather than let new T[] throw OverflowException.
        if (length < 0) throw new ArgumentException($"cannot allocate a storage of {length} elements: the size overflowed");
        // Small buffers skip the handler (a method with one is not inlined, and every op allocates): a few KB that
        // cannot be had means the process is out of memory anyway.
        return length < 1 << 16 ? AllocateUnchecked(dtype, length, clear) : AllocateLarge(dtype, length, clear);
    }

    static Storage AllocateLarge(ScalarType dtype, int length, bool clear)
    {
        try
        {
            return AllocateUnchecked(dtype, length, clear);
        }
        catch (OutOfMemoryException e)
        {
            // PyTorch's allocator error: a size an array can hold but memory cannot.
            throw new InvalidOperationException($"not enough memory: you tried to allocate {(long)length * dtype.ElementSize()} bytes ({length} elements of {dtype.TorchName()})", e);
        }
    }

    static Storage AllocateUnchecked(ScalarType dtype, int length, bool clear) => dtype switch
    {
        ScalarType.Float32 => new Storage<float>(Alloc<float>(length, clear)),
        ScalarType.Float64 => new Storage<double>(Alloc<double>(length, clear)),
        ScalarType.Int64 => new Storage<long>(Alloc<long>(length, clear)),
        ScalarType.Int32 => new Storage<int>(Alloc<int>(length, clear)),
        ScalarType.Byte => new Storage<byte>(Alloc<byte>(length, clear)),
        ScalarType.Bool => new Storage<bool>(Alloc<bool>(length, clear)),
        _ => throw ScalarTypes.Unknown(dtype),
    };

    // Large uninitialized arrays skip the zeroing pass when the caller overwrites everything.
    static T[] Alloc<T>(int length, bool clear) =>
        clear || length < 256 ? new T[length] : GC.AllocateUninitializedArray<T>(length);
}

public sealed class Storage<T> : Storage where T : unmanaged
{
    // An element type Torchlet has no dtype for (short, char, ...) is refused by the constructor with FromClr's
    // ArgumentException; thrown from the type initializer it was a TypeInitializationException.
    static readonly bool s_known = typeof(T) == typeof(float) || typeof(T) == typeof(double) || typeof(T) == typeof(long)
        || typeof(T) == typeof(int) || typeof(T) == typeof(byte) || typeof(T) == typeof(bool);
    static readonly ScalarType s_dtype = s_known ? ScalarTypes.FromClr(typeof(T)) : default;
    public readonly T[] Data;
    public Storage(T[] data)
    {
        if (!s_known) ScalarTypes.FromClr(typeof(T));
        Data = data;
    }
    public override int Length => Data.Length;
    public override ScalarType DType => s_dtype;
    internal override Array RawArray => Data;
}
