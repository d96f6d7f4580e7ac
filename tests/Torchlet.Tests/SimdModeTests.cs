using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Xunit;

namespace Torchlet.Tests;

/// <summary>
/// The Test target runs this suite once per vector mode (build.cake, RunEngineSimdModes): as the machine is, with
/// 256-bit vectors at most, with 128-bit vectors only (what ARM64's NEON has) and with no hardware intrinsics. The
/// mode comes in TORCHLET_SIMD_MODE; this test fails when the runtime flags are not what that mode intends, so a
/// mode that silently ran the default paths cannot pass. With TORCHLET_SIMD_REPORT set it writes the flags there
/// for the build's summary.
/// </summary>
public class SimdModeTests
{
    static bool Fused => Fma.IsSupported || AdvSimd.IsSupported;   // AdvSimd has fused multiply-add on ARM64

    public static string Flags =>
        $"Vector512 {On(Vector512.IsHardwareAccelerated)}, Vector256 {On(Vector256.IsHardwareAccelerated)}, " +
        $"Vector128 {On(Vector128.IsHardwareAccelerated)}, FMA {On(Fused)}";

    static string On(bool b) => b ? "on" : "off";

    [Fact]
    public void The_process_runs_in_the_vector_mode_it_was_started_for()
    {
        var mode = Environment.GetEnvironmentVariable("TORCHLET_SIMD_MODE") ?? "default";
        if (Environment.GetEnvironmentVariable("TORCHLET_SIMD_REPORT") is { Length: > 0 } report)
            File.WriteAllText(report, Flags);
        var (v512, v256, v128, fma) = (Vector512.IsHardwareAccelerated, Vector256.IsHardwareAccelerated,
                                       Vector128.IsHardwareAccelerated, Fused);
        bool expected = mode switch
        {
            "default" => true,                                // whatever the machine has
            "256" => !v512 && v256 && v128 && fma,            // DOTNET_PreferredVectorBitWidth=256
            "128" => !v512 && !v256 && v128 && fma,           // DOTNET_PreferredVectorBitWidth=128: keeps FMA
            "none" => !v512 && !v256 && !v128 && !Fma.IsSupported && !AdvSimd.IsSupported,   // DOTNET_EnableHWIntrinsic=0
            _ => throw new ArgumentException($"TORCHLET_SIMD_MODE is '{mode}'; expected default, 256, 128 or none"),
        };
        Assert.True(expected, $"TORCHLET_SIMD_MODE={mode}, but the runtime has {Flags}");
    }
}
