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

    internal static Storage Allocate(ScalarType dtype, int length, bool clear = true) => dtype switch
    {
        ScalarType.Float32 => new Storage<float>(Alloc<float>(length, clear)),
        ScalarType.Float64 => new Storage<double>(Alloc<double>(length, clear)),
        ScalarType.Int64 => new Storage<long>(Alloc<long>(length, clear)),
        ScalarType.Int32 => new Storage<int>(Alloc<int>(length, clear)),
        ScalarType.Byte => new Storage<byte>(Alloc<byte>(length, clear)),
        ScalarType.Bool => new Storage<bool>(Alloc<bool>(length, clear)),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    // Large uninitialized arrays skip the zeroing pass when the caller overwrites everything.
    static T[] Alloc<T>(int length, bool clear) =>
        clear || length < 256 ? new T[length] : GC.AllocateUninitializedArray<T>(length);
}

public sealed class Storage<T> : Storage where T : unmanaged
{
    static readonly ScalarType s_dtype = ScalarTypes.FromClr(typeof(T));
    public readonly T[] Data;
    public Storage(T[] data) { Data = data; }
    public override int Length => Data.Length;
    public override ScalarType DType => s_dtype;
    internal override Array RawArray => Data;
}
