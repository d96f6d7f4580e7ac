using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Torchlet.Interactive.Exercises;

/// <summary>A learner's record of one exercise.</summary>
internal sealed class ExerciseProgress
{
    /// <summary>Checks that found something to judge (a "nothing named … yet" is not an attempt).</summary>
    public int Attempts { get; set; }
    public bool Solved { get; set; }
    public DateTimeOffset? SolvedAt { get; set; }
    public DateTimeOffset? LastAttempt { get; set; }
    public int HintsShown { get; set; }
    public bool SolutionShown { get; set; }
}

/// <summary>The progress file's content: one entry per exercise id.</summary>
internal sealed class ProgressData
{
    public int Version { get; set; } = 1;
    public Dictionary<string, ExerciseProgress> Exercises { get; set; } = [];

    public ExerciseProgress Of(string id) => Exercises.TryGetValue(id, out var p) ? p : new ExerciseProgress();

    public ExerciseProgress Edit(string id) => Exercises.TryGetValue(id, out var p) ? p : Exercises[id] = new ExerciseProgress();
}

/// <summary>
/// The learner's progress, one small JSON file per user. Every change reads the file afresh, applies the change
/// and writes a temporary file in the same folder that is then renamed over the old one, so a crash leaves
/// either the old file or the new one, never half of one. A file that cannot be read is renamed aside
/// (<c>progress.json.damaged-&lt;timestamp&gt;</c>) with a note for the cell, and a fresh one starts.
/// Problems with the file are notes, never failures: the exercises work without it.
/// </summary>
internal sealed class ProgressStore(string path)
{
    /// <summary>The environment variable that, when set, is the full path of the progress file (tests point it at a temporary folder).</summary>
    public const string EnvironmentVariable = "TORCHLET_PROGRESS";

    static readonly object Gate = new();

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Test hook: runs after the temporary file is written and before it is renamed over the progress file.</summary>
    internal static Action<string>? BeforeReplace { get; set; }

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>The current user's store: <c>$TORCHLET_PROGRESS</c>, else the platform's per-user data folder.</summary>
    public static ProgressStore ForCurrentUser() => new(DefaultPath());

    /// <summary>
    /// <c>$TORCHLET_PROGRESS</c> if set; on Linux <c>$XDG_DATA_HOME/torchlet/progress.json</c> or
    /// <c>~/.local/share/torchlet/progress.json</c>; elsewhere LocalApplicationData<c>/torchlet/progress.json</c>.
    /// </summary>
    public static string DefaultPath()
    {
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return System.IO.Path.GetFullPath(env);
        string folder;
        if (OperatingSystem.IsLinux() || OperatingSystem.IsFreeBSD())
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
            folder = !string.IsNullOrEmpty(xdg) && System.IO.Path.IsPathRooted(xdg)
                ? xdg
                : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        }
        else folder = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return System.IO.Path.Combine(folder, "torchlet", "progress.json");
    }

    /// <summary>The progress as stored now; <paramref name="notes"/> gets what the cell should say about the file.</summary>
    public ProgressData Load(List<string> notes)
    {
        lock (Gate) return Read(notes, out _);
    }

    /// <summary>Reads the file afresh, applies <paramref name="change"/>, writes it back atomically; returns the new state.</summary>
    public ProgressData Update(Action<ProgressData> change, List<string> notes)
    {
        lock (Gate)
        {
            var data = Read(notes, out bool writable);
            change(data);
            if (writable) Write(data, notes);
            return data;
        }
    }

    ProgressData Read(List<string> notes, out bool writable)
    {
        writable = true;
        string text;
        try
        {
            if (!File.Exists(Path)) return new ProgressData();
            text = File.ReadAllText(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            notes.Add($"The exercise progress file `{Path}` could not be read ({e.Message}); progress is not saved this time.");
            writable = false;
            return new ProgressData();
        }
        string? problem;
        ProgressData? data = null;
        try
        {
            data = JsonSerializer.Deserialize<ProgressData>(text, Json);
            problem = Validate(data);
        }
        catch (JsonException e) { problem = "not valid JSON: " + e.Message; }
        if (problem is null) return data!;

        // Damaged: set it aside (kept for the learner to look at), start afresh.
        var aside = $"{Path}.damaged-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}";
        for (int n = 2; File.Exists(aside); n++)
            aside = $"{Path}.damaged-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{n}";
        try
        {
            File.Move(Path, aside);
            notes.Add($"The exercise progress file `{Path}` was damaged ({problem}): it was set aside as `{aside}` and a fresh one was started.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            notes.Add($"The exercise progress file `{Path}` is damaged ({problem}) and could not be set aside ({e.Message}): progress is not saved until it is moved or deleted.");
            writable = false;
        }
        return new ProgressData();
    }

    static string? Validate(ProgressData? data)
    {
        if (data is null) return "empty";
        if (data.Exercises is null) return "no \"exercises\" object";
        foreach (var (id, p) in data.Exercises)
        {
            if (p is null) return $"exercise {id} has no record";
            if (p.Attempts < 0 || p.HintsShown < 0) return $"exercise {id} has a negative count";
        }
        return null;
    }

    void Write(ProgressData data, List<string> notes)
    {
        var folder = System.IO.Path.GetDirectoryName(Path)!;
        var temp = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(Path)}.{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(folder);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, data, Json);
                stream.Flush(flushToDisk: true);
            }
            BeforeReplace?.Invoke(temp);
            File.Move(temp, Path, overwrite: true);
        }
        catch (Exception e)
        {
            try { File.Delete(temp); } catch (Exception) { /* best effort: a stray temporary file is harmless */ }
            notes.Add($"Exercise progress could not be saved to `{Path}` ({e.Message}).");
        }
    }
}
