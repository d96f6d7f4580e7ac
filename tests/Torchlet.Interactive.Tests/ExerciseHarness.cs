using Microsoft.DotNet.Interactive.Events;
using Torchlet.Interactive.Exercises;

namespace Torchlet.Interactive.Tests;

/// <summary>
/// What exercise tests share: a progress file of their own (through TORCHLET_PROGRESS, so the classes that use
/// this run in <see cref="GlobalStateCollection"/>), and the output of <c>#!nn</c> cells.
/// </summary>
public sealed class ExerciseHarness : IDisposable
{
    readonly string? _previous = Environment.GetEnvironmentVariable(ProgressStore.EnvironmentVariable);

    public string Folder { get; } = Directory.CreateTempSubdirectory("torchlet-exercises-").FullName;
    public string ProgressPath => Path.Combine(Folder, "progress.json");

    public ExerciseHarness()
    {
        Environment.SetEnvironmentVariable(ProgressStore.EnvironmentVariable, ProgressPath);
        ExerciseCatalog.Active = ExerciseCatalog.All;
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(ProgressStore.EnvironmentVariable, _previous);
        ExerciseCatalog.Active = ExerciseCatalog.All;
        ProgressStore.BeforeReplace = null;
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }

    /// <summary>Runs a cell that must not fail; returns the text/plain and text/html of what it displayed.</summary>
    public static async Task<(string Text, string Html)> Shown(NotebookKernel nb, string code)
    {
        var cell = await nb.SubmitAsync(code);
        cell.AssertSucceeded();
        var values = cell.Events.OfType<DisplayedValueProduced>().SelectMany(e => e.FormattedValues).ToList();
        var text = string.Join("\n", values.Where(v => v.MimeType == "text/plain").Select(v => v.Value));
        var html = string.Concat(values.Where(v => v.MimeType == "text/html").Select(v => v.Value));
        Assert.False(string.IsNullOrEmpty(text), $"`{code}` displayed no text/plain; events: " + string.Join(", ", cell.Events.Select(e => e.GetType().Name)));
        Assert.False(string.IsNullOrEmpty(html), $"`{code}` displayed no text/html");
        return (text, html);
    }

    /// <summary>The verdict of <c>#!nn check ID</c> (text/plain), which must be ordinary output.</summary>
    public static async Task<string> Check(NotebookKernel nb, string id) => (await Shown(nb, "#!nn check " + id)).Text;

    /// <summary>Submits a cell that must fail; returns its message, and checks that the next cell still runs.</summary>
    public static async Task<string> Fails(NotebookKernel nb, string code)
    {
        var cell = await nb.SubmitAsync(code);
        var failure = cell.Failure ?? throw new Xunit.Sdk.XunitException($"`{code}` did not fail; events: " + string.Join(", ", cell.Events.Select(e => e.GetType().Name)));
        var next = await nb.SubmitAsync("var afterFailure = 40 + 2; afterFailure");
        Assert.Contains("42", next.Returned());
        return failure.Message;
    }

    /// <summary>A notebook with the exercise's setup cell run (if it has one).</summary>
    public static async Task<NotebookKernel> NotebookFor(Exercise e)
    {
        var nb = await NotebookKernel.StartAsync();
        if (e.Setup is { } setup) (await nb.SubmitAsync(setup)).AssertSucceeded();
        return nb;
    }
}
