using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Xunit;

namespace Torchlet.Tests;

/// <summary>
/// The Test target runs this suite once per vector mode (build.cake, RunEngineSimdModes): as the machine is, with
/// 256-bit vectors at most, with 128-bit vectors only (what ARM64's NEON has), with no hardware intrinsics, and with
/// the kernels' Vector512 paths forced on a 256-bit runtime (TORCHLET_VECTOR_WIDTH=512). The mode comes in
/// TORCHLET_SIMD_MODE; this test fails when the runtime flags or the kernels' width (Kernels.Simd.Width) are not
/// what that mode intends, so a mode that silently ran the default paths cannot pass. With TORCHLET_SIMD_REPORT set it writes the flags there
/// for the build's summary.
/// </summary>
public class SimdModeTests
{
    static bool Fused => Fma.IsSupported || AdvSimd.IsSupported;   // AdvSimd has fused multiply-add on ARM64

    public static string Flags =>
        $"Vector512 {On(Vector512.IsHardwareAccelerated)}, Vector256 {On(Vector256.IsHardwareAccelerated)}, " +
        $"Vector128 {On(Vector128.IsHardwareAccelerated)}, FMA {On(Fused)}; kernels at {Kernels.Simd.Width} bits";

    static string On(bool b) => b ? "on" : "off";

    [Fact]
    public void The_process_runs_in_the_vector_mode_it_was_started_for()
    {
        var mode = Environment.GetEnvironmentVariable("TORCHLET_SIMD_MODE") ?? "default";
        if (Environment.GetEnvironmentVariable("TORCHLET_SIMD_REPORT") is { Length: > 0 } report)
            File.WriteAllText(report, Flags);
        var (v512, v256, v128, fma) = (Vector512.IsHardwareAccelerated, Vector256.IsHardwareAccelerated,
                                       Vector128.IsHardwareAccelerated, Fused);
        int width = Kernels.Simd.Width;
        bool expected = mode switch
        {
            "default" => width == Kernels.Simd.HardwareWidth,         // whatever the machine has
            "256" => !v512 && v256 && v128 && fma && width == 256,     // DOTNET_PreferredVectorBitWidth=256
            "128" => !v512 && !v256 && v128 && fma && width == 128,    // DOTNET_PreferredVectorBitWidth=128: keeps FMA
            "none" => !v512 && !v256 && !v128 && !Fma.IsSupported && !AdvSimd.IsSupported && width == 0,   // DOTNET_EnableHWIntrinsic=0
            "512-forced" => !v512 && v256 && width == 512,             // ... =256 with TORCHLET_VECTOR_WIDTH=512
            _ => throw new ArgumentException($"TORCHLET_SIMD_MODE is '{mode}'; expected default, 256, 128, none or 512-forced"),
        };
        Assert.True(expected, $"TORCHLET_SIMD_MODE={mode}, but the runtime has {Flags}");
    }
}
