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

    /// <summary>The vector width the engine's kernels run at (Kernels.Simd.Width), and the hardware's when a test forced another.</summary>
    internal static string SimdWidth()
    {
        static string Name(int bits) => bits == 0 ? "none (scalar)" : $"Vector{bits} ({bits}-bit)";
        int width = Torchlet.Kernels.Simd.Width, hardware = Torchlet.Kernels.Simd.HardwareWidth;
        return width == hardware ? Name(width) : $"{Name(width)}, forced by TORCHLET_VECTOR_WIDTH (the CPU: {Name(hardware)})";
    }

    internal static Microsoft.DotNet.Interactive.Formatting.HtmlTag Banner() =>
        Html.Box(Html.Tag("div",
            Html.Tag("b", "Torchlet " + EngineVersion()),
            " loaded · SIMD: " + SimdWidth() + " · threads: " + torch.get_num_threads()));
}
