using System.Numerics;

namespace Torchlet.Kernels;

/// <summary>An operation written once for both floating dtypes; <see cref="Dispatch.Floating"/> picks T.</summary>
internal interface IFloatingAction
{
    void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// Where a compute path is chosen by dtype: the caller writes its operation once, generically, and a dtype the
/// operation does not support is refused by name instead of silently taken for another.
/// </summary>
internal static class Dispatch
{
    public static void Floating<TAction>(ScalarType dtype, ref TAction action, string op) where TAction : struct, IFloatingAction
    {
        switch (dtype)
        {
            case ScalarType.Float32: action.Run<float>(); break;
            case ScalarType.Float64: action.Run<double>(); break;
            default: throw new NotSupportedException($"{op}: dtype {dtype.TorchName()} is not supported (expected torch.float32 or torch.float64)");
        }
    }
}
