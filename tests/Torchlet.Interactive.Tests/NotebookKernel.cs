using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace Torchlet.Interactive.Tests;

/// <summary>
/// A notebook in-process: CompositeKernel + CSharpKernel with the extension loaded, and the engine and
/// extension DLLs #r'd (in-process tests cannot use #r "nuget:", whose loader lives in the tool).
/// </summary>
public sealed class NotebookKernel : IDisposable
{
    public CompositeKernel Kernel { get; }

    NotebookKernel(CompositeKernel kernel) { Kernel = kernel; }

    public static async Task<NotebookKernel> StartAsync()
    {
        var kernel = new CompositeKernel { new CSharpKernel().UseKernelHelpers().UseValueSharing() };
        kernel.DefaultKernelName = "csharp";
        await new TorchletExtension().OnLoadAsync(kernel);
        var nb = new NotebookKernel(kernel);
        var setup = await nb.SubmitAsync(
            $"#r \"{typeof(Tensor).Assembly.Location}\"\n#r \"{typeof(TorchletExtension).Assembly.Location}\"\n" +
            "using Torchlet;\nusing Torchlet.Interactive;\nusing static Torchlet.torch;");
        setup.AssertSucceeded();
        return nb;
    }

    public async Task<CellResult> SubmitAsync(string code)
    {
        var result = await Kernel.SendAsync(new SubmitCode(code));
        return new CellResult(result.Events);
    }

    public void Dispose() => Kernel.Dispose();
}

/// <summary>The events of one submitted cell.</summary>
public sealed class CellResult(IReadOnlyList<KernelEvent> events)
{
    public IReadOnlyList<KernelEvent> Events { get; } = events;

    public CommandFailed? Failure => Events.OfType<CommandFailed>().FirstOrDefault();

    public void AssertSucceeded()
    {
        if (Failure is { } f) Assert.Fail("cell failed: " + f.Message);
    }

    /// <summary>The cell's return value in <paramref name="mime"/>.</summary>
    public string Returned(string mime = "text/html")
    {
        AssertSucceeded();
        var rv = Events.OfType<ReturnValueProduced>().SingleOrDefault()
                 ?? throw new Xunit.Sdk.XunitException("the cell returned no value; events: " + string.Join(", ", Events.Select(e => e.GetType().Name)));
        var fv = rv.FormattedValues.SingleOrDefault(v => v.MimeType == mime)
                 ?? throw new Xunit.Sdk.XunitException($"no {mime} value; got {string.Join(", ", rv.FormattedValues.Select(v => v.MimeType))}");
        return fv.Value;
    }

    public static string Plain(object value) => value.ToDisplayString(PlainTextFormatter.MimeType);
}
