using System.Runtime.Intrinsics;
using System.Reflection;
using Microsoft.DotNet.Interactive;

namespace Torchlet.Interactive;

/// <summary>
/// Loaded by dotnet-interactive after <c>#r "nuget:Torchlet.Interactive"</c>: registers the Torchlet
/// formatters and shows a short banner (engine version, SIMD width, threads), then embeds plotly.js for the
/// notebook's charts (once per notebook; see <see cref="PlotlyEmbed"/>).
/// </summary>
public sealed class TorchletExtension : IKernelExtension
{
    public Task OnLoadAsync(Kernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        TorchletFormatters.Register();
        Charts.Register();
        Exercises.ExerciseFormatters.Register();
        Directives.NnDirective.Register(kernel);
        KernelInvocationContext.Current?.DisplayAs(Banner().ToString(), "text/html");
        // plotly.js for every chart of the notebook, as an output of its own (see PlotlyEmbed).
        PlotlyEmbed.DisplayOnce(kernel);
        return Task.CompletedTask;
    }

    /// <summary>The engine's package version (informational version without the source-revision suffix).</summary>
    internal static string EngineVersion()
    {
        var asm = typeof(Tensor).Assembly;
        var v = asm.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? asm.GetName().Version?.ToString() ?? "unknown";
        int plus = v.IndexOf('+');
        return plus < 0 ? v : v[..plus];
    }

    /// <summary>The widest vector the engine's kernels use on this CPU (they pick by IsHardwareAccelerated).</summary>
    internal static string SimdWidth() =>
        Vector512.IsHardwareAccelerated ? "Vector512 (512-bit)"
        : Vector256.IsHardwareAccelerated ? "Vector256 (256-bit)"
        : Vector128.IsHardwareAccelerated ? "Vector128 (128-bit)"
        : "none (scalar)";

    internal static Microsoft.DotNet.Interactive.Formatting.HtmlTag Banner() =>
        Html.Box(Html.Tag("div",
            Html.Tag("b", "Torchlet " + EngineVersion()),
            " loaded · SIMD: " + SimdWidth() + " · threads: " + torch.get_num_threads()));
}
