using System.Numerics;
using System.Runtime.CompilerServices;

namespace Torchlet.Kernels;

/// <summary>A tensor's element buffer and where its elements start: what kernel entry points take (null: no tensor).</summary>
internal readonly record struct BufferAt(Array? Data, int Offset);

/// <summary>An operation written once for both floating dtypes; <see cref="Dispatch.Floating"/> picks T.</summary>
internal interface IFloatingAction
{
    void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>An operation written once for every numeric dtype; <see cref="Dispatch.Numeric"/> picks T.</summary>
internal interface INumericAction
{
    void Run<T>() where T : unmanaged, INumber<T>;
}

/// <summary>An element-wise move written once for every dtype, bool included; <see cref="Dispatch.Any"/> picks T.</summary>
internal interface IAnyAction
{
    void Run<T>() where T : unmanaged;
}

/// <summary>
/// Where a compute path is chosen by dtype: the caller writes its operation once, generically, and a dtype the
/// operation does not support is refused by name instead of silently taken for another.
/// </summary>
internal static class Dispatch
{
    // Inlined, so an op pays for the switch and nothing else (small ops are all overhead).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Floating<TAction>(ScalarType dtype, ref TAction action, string op) where TAction : struct, IFloatingAction
    {
        switch (dtype)
        {
            case ScalarType.Float32: action.Run<float>(); break;
            case ScalarType.Float64: action.Run<double>(); break;
            default: throw Unsupported(dtype, op);
        }
    }

    /// <summary>Every dtype but bool (a bool input is refused by name: callers that accept bool handle it first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Numeric<TAction>(ScalarType dtype, ref TAction action, string op) where TAction : struct, INumericAction
    {
        switch (dtype)
        {
            case ScalarType.Float32: action.Run<float>(); break;
            case ScalarType.Float64: action.Run<double>(); break;
            case ScalarType.Int64: action.Run<long>(); break;
            case ScalarType.Int32: action.Run<int>(); break;
            case ScalarType.Byte: action.Run<byte>(); break;
            default: throw new NotSupportedException($"{op}: dtype {dtype.TorchName()} is not supported (expected a numeric dtype)");
        }
    }

    /// <summary>Every dtype (copies, conversions, gathers: they move elements without arithmetic).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Any<TAction>(ScalarType dtype, ref TAction action) where TAction : struct, IAnyAction
    {
        if (dtype == ScalarType.Bool)
        {
            action.Run<bool>();
            return;
        }
        var numeric = new AsNumeric<TAction>(action);
        Numeric(dtype, ref numeric, "copy");
    }

    /// <summary>An every-dtype action run on a numeric dtype (a number type is also an unmanaged one).</summary>
    readonly struct AsNumeric<TAction>(TAction action) : INumericAction where TAction : struct, IAnyAction
    {
        public void Run<T>() where T : unmanaged, INumber<T> => action.Run<T>();
    }

    /// <summary>
    /// The float32 or float64 body of an op whose two bodies are written out (calls of a generic kernel with typed
    /// buffers); any other dtype is refused by name instead of silently taken for float64.
    /// </summary>
    public static void Floating(ScalarType dtype, string op, Action f32, Action f64)
    {
        if (dtype == ScalarType.Float32) f32();
        else if (dtype == ScalarType.Float64) f64();
        else throw Unsupported(dtype, op);
    }

    /// <summary><see cref="Floating(ScalarType, string, Action, Action)"/> for bodies with a result.</summary>
    public static TResult Floating<TResult>(ScalarType dtype, string op, Func<TResult> f32, Func<TResult> f64) =>
        dtype == ScalarType.Float32 ? f32() : dtype == ScalarType.Float64 ? f64() : throw Unsupported(dtype, op);

    static NotSupportedException Unsupported(ScalarType dtype, string op) =>
        new($"{op}: dtype {dtype.TorchName()} is not supported (expected torch.float32 or torch.float64)");
}
