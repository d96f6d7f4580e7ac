using System.Diagnostics;
using System.Text.Json;
using Torchlet.Interactive.Exercises;

namespace Torchlet.Interactive.Tests;

/// <summary>
/// The exercise machinery through the real C# kernel: hints, solutions, the list, learner code that throws or
/// never returns, the progress file (damaged, written atomically), and misuse of the commands.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public sealed class ExerciseMachineryTests : IAsyncLifetime
{
    readonly ExerciseHarness _harness = new();
    NotebookKernel _nb = null!;

    static readonly Tensor X = torch.arange(6.0).reshape(2, 3);

    /// <summary>A learner function checked with a short time limit.</summary>
    static readonly Exercise Doubling = new()
    {
        Id = "9.1",
        Title = "Doubling",
        Notebook = "09-machinery",
        Statement = "Define `Func<Tensor, Tensor> f` that doubles its argument.",
        Hints = ["first", "second", "third"],
        Solution = "Func<Tensor, Tensor> f = x => x * 2;",
        TimeLimit = TimeSpan.FromMilliseconds(300),
        Check = c =>
        {
            var f = c.Function<Func<Tensor, Tensor>>("f");
            var y = c.Call("f(x)", () => f(X));
            c.ExpectClose(y, "f(x)", X * 2);
        },
        WrongAnswers = [new("Func<Tensor, Tensor> f = x => x;", "`f(x)[0, 1]` is 1, expected 2"), new("", "nothing named")],
    };

    /// <summary>A learner function that takes a CancellationToken.</summary>
    static readonly Exercise Cancellable = new()
    {
        Id = "9.2",
        Title = "Cancellable",
        Notebook = "09-machinery",
        Statement = "Define `Func<Tensor, CancellationToken, Tensor> g` that doubles its argument.",
        Solution = "Func<Tensor, CancellationToken, Tensor> g = (x, token) => x * 2;",
        TimeLimit = TimeSpan.FromMilliseconds(300),
        Check = c =>
        {
            var g = c.Function<Func<Tensor, CancellationToken, Tensor>>("g");
            var y = c.Call("g(x, token)", token => g(X, token));
            c.ExpectClose(y, "g(x, token)", X * 2);
        },
    };

    /// <summary>A checker that runs learner code without Call (a checker bug): the whole check is still limited.</summary>
    static readonly Exercise Careless = new()
    {
        Id = "9.3",
        Title = "Careless checker",
        Notebook = "09-machinery",
        Statement = "Define `Func<int> h`.",
        Solution = "Func<int> h = () => 1;",
        TimeLimit = TimeSpan.FromMilliseconds(100),
        Check = c => c.Expect("h()", c.Function<Func<int>>("h")(), 1),
    };

    public async Task InitializeAsync()
    {
        ExerciseCatalog.Active = [.. ExerciseCatalog.All, Doubling, Cancellable, Careless];
        _nb = await NotebookKernel.StartAsync();
    }

    public Task DisposeAsync()
    {
        _nb.Dispose();
        _harness.Dispose();
        return Task.CompletedTask;
    }

    Task<(string Text, string Html)> Shown(string code) => ExerciseHarness.Shown(_nb, code);
    Task<string> Check(string id) => ExerciseHarness.Check(_nb, id);
    Task<string> Fails(string code) => ExerciseHarness.Fails(_nb, code);

    async Task Run(string code) => (await _nb.SubmitAsync(code)).AssertSucceeded();

    JsonElement Progress(string id) =>
        JsonDocument.Parse(File.ReadAllText(_harness.ProgressPath)).RootElement.GetProperty("exercises").GetProperty(id);

    // ------------------------------------------------------------------ verdicts

    [Fact]
    public async Task Verdicts_are_ordinary_output_in_text_and_html()
    {
        var (missing, missingHtml) = await Shown("#!nn check 1.1");
        Assert.Equal("· 1.1 Zeros, a range, evenly spaced points — nothing named `z` yet — define `z` in your answer cell and run it", missing);
        Assert.Matches("<code[^>]*>z</code>", missingHtml);

        await Run("var z = zeros(2, 3); var r = arange(0, 11, 2); var p = linspace(0, 1, 5);");
        var (notYet, notYetHtml) = await Shown("#!nn check 1.1");
        Assert.StartsWith("✗ 1.1 Zeros, a range, evenly spaced points — not yet: `z` has dtype torch.float32, expected torch.float64\n", notYet);
        Assert.Contains("  ✓ `z` has shape [2, 3]", notYet);
        Assert.Contains("  ✗ `z` has dtype torch.float32, expected torch.float64", notYet);
        Assert.Contains("  ✓ `p` is [0, 0.25, 0.5, 0.75, 1]", notYet);
        Assert.Contains("not yet: </b>", notYetHtml);
        Assert.Contains("#a15c00", notYetHtml);

        await Run("var z = zeros(2, 3, dtype: float64);");
        var (correct, correctHtml) = await Shown("#!nn check 1.1");
        Assert.StartsWith("✓ 1.1 Zeros, a range, evenly spaced points — correct\n", correct);
        Assert.Contains("✓ correct", correctHtml);
        Assert.Contains("#2e7d32", correctHtml);
    }

    [Fact]
    public async Task Wrong_types_and_near_names_are_explained()
    {
        await Run("var z = 5;");
        Assert.Contains("not yet: `z` is an int, expected a Tensor", await Check("1.1"));
        await Run("Func<Tensor, Tensor> z = t => t;");
        Assert.Contains("not yet: `z` is a Func<Tensor, Tensor>, expected a Tensor", await Check("1.1"));
        await Run("Tensor z = null;");
        Assert.Contains("not yet: `z` is null, expected a Tensor", await Check("1.1"));
        await Run("var Shuffle = 1;");
        Assert.Contains("nothing named `shuffle` yet — define it as a variable, `Func<long, Tensor> shuffle = …;` (a method declared in a cell is not visible to the checker) (there is a `Shuffle`: names are case-sensitive)",
            await Check("1.2"));
    }

    [Fact]
    public async Task Learner_exception_is_a_verdict_and_the_next_cell_runs()
    {
        await Run("Func<Tensor, Tensor> f = x => throw new InvalidOperationException(\"boom\");");
        Assert.Contains("not yet: `f(x)` threw InvalidOperationException: boom", await Check("9.1"));
        await Run("Func<Tensor, Tensor> f = x => x.view(4);");
        var engine = await Check("9.1");
        Assert.Contains("not yet: `f(x)` threw ", engine);
        Assert.Contains("[4]", engine);
        await Run("Func<Tensor, Tensor> f = x => null;");
        Assert.Contains("not yet: `f(x)` returned null, expected a Tensor", await Check("9.1"));
        var next = await _nb.SubmitAsync("1 + 1");
        Assert.Contains("2", next.Returned());
    }

    [Fact]
    public async Task Function_that_never_returns_times_out()
    {
        await Run("using System.Threading;\nFunc<Tensor, Tensor> f = x => { Thread.Sleep(Timeout.Infinite); return x; };");
        var clock = Stopwatch.StartNew();
        var verdict = await Check("9.1");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the check took {clock.Elapsed}");
        Assert.Contains("not yet: `f(x)` did not return within 300 ms: it keeps running in the background (.NET cannot stop it", verdict);
        var next = await _nb.SubmitAsync("40 + 2");
        Assert.Contains("42", next.Returned());

        // Checked again without redefining it, the hung function is not started a second time.
        clock.Restart();
        verdict = await Check("9.1");
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(250), $"the second check waited {clock.Elapsed}: it called the hung function again");
        Assert.Contains("`f` is still the function that did not return when `f(x)` was checked", verdict);
        // Redefined, it is called again.
        await Run("Func<Tensor, Tensor> f = x => x;");
        Assert.DoesNotContain("still the function", await Check("9.1"));
    }

    [Fact]
    public async Task Function_with_a_token_is_cancelled_at_the_time_limit()
    {
        await Run("using System.Threading;\nFunc<Tensor, CancellationToken, Tensor> g = (x, token) => { while (true) { token.ThrowIfCancellationRequested(); Thread.Sleep(5); } };");
        var clock = Stopwatch.StartNew();
        var verdict = await Check("9.2");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the check took {clock.Elapsed}");
        Assert.Contains("not yet: `g(x, token)` did not return within 300 ms: its CancellationToken was cancelled and it stopped", verdict);

        // A function that ignores its token is reported as still running.
        await Run("Func<Tensor, CancellationToken, Tensor> g = (x, token) => { Thread.Sleep(Timeout.Infinite); return x; };");
        Assert.Contains("its CancellationToken was cancelled but it has not stopped", await Check("9.2"));

        await Run("Func<Tensor, CancellationToken, Tensor> g = (x, token) => x * 2;");
        Assert.StartsWith("✓ 9.2 Cancellable — correct", await Check("9.2"));
    }

    [Fact]
    public async Task A_whole_check_is_limited_in_time()
    {
        await Run("using System.Threading;\nFunc<int> h = () => { Thread.Sleep(Timeout.Infinite); return 1; };");
        var clock = Stopwatch.StartNew();
        var verdict = await Check("9.3");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"the check took {clock.Elapsed}");
        Assert.Contains("not yet: the check did not finish within 2.4 s (something it ran does not return; it keeps running in the background)", verdict);
        await Run("h = () => 1;");
        Assert.StartsWith("✓ 9.3 Careless checker — correct", await Check("9.3"));
    }

    [Fact]
    public async Task A_check_leaves_the_notebooks_random_numbers_alone()
    {
        await Run("Func<long, Tensor> shuffle = n => randperm(n); manual_seed(7); var expected = randn(5); manual_seed(7);");
        Assert.StartsWith("✓ 1.2", await Check("1.2"));
        var cell = await _nb.SubmitAsync("randn(5).equal(expected) ? \"same numbers\" : \"other numbers\"");
        Assert.Contains("same numbers", cell.Returned("text/plain"));
    }

    // ------------------------------------------------------------------ hints, solutions, list

    [Fact]
    public async Task Hints_come_one_more_each_time()
    {
        var first = (await Shown("#!nn hint 9.1")).Text;
        Assert.Equal("Hint 1 of 3 for 9.1 Doubling: first", first);
        var second = (await Shown("#!nn hint 9.1")).Text;
        Assert.Equal("Hint 2 of 3 for 9.1 Doubling: second\n  hint 1: first", second);
        var (third, html) = await Shown("#!nn hint 9.1");
        Assert.StartsWith("Hint 3 of 3 for 9.1 Doubling: third", third);
        Assert.Contains("<b>Hint 3 of 3</b>", html);
        var more = (await Shown("#!nn hint 9.1")).Text;
        Assert.StartsWith("No more hints for 9.1 Doubling: all 3 are below.", more);
        Assert.Contains("hint 3: third", more);
        Assert.Equal(3, Progress("9.1").GetProperty("hintsShown").GetInt32());
        Assert.Contains("Exercise 9.2 Cancellable has no hints", (await Shown("#!nn hint 9.2")).Text);
    }

    [Fact]
    public async Task Solution_opens_only_after_an_attempt()
    {
        var locked = (await Shown("#!nn solution 1.4")).Text;
        Assert.Equal("The solution of 1.4 cat, stack and repeat opens after a first attempt: write your answer in the cell above and run `#!nn check 1.4`. Stuck? `#!nn hint 1.4` gives hint 1 of 2.", locked);
        // A check with nothing to judge is not an attempt.
        Assert.Contains("nothing named `a` yet — the exercise's setup cell defines it: run the cells above first", await Check("1.4"));
        await Run(ExerciseCatalog.All.Single(e => e.Id == "1.4").Setup!);
        Assert.Contains("nothing named `joined` yet", await Check("1.4"));
        Assert.Contains("opens after a first attempt", (await Shown("#!nn solution 1.4")).Text);
        Assert.False(File.Exists(_harness.ProgressPath) && JsonDocument.Parse(File.ReadAllText(_harness.ProgressPath)).RootElement.GetProperty("exercises").TryGetProperty("1.4", out _));

        await Run("var joined = a;");
        Assert.Contains("not yet: `joined` has shape [3], expected [6]", await Check("1.4"));
        var (solution, html) = await Shown("#!nn solution 1.4");
        Assert.StartsWith("Reference solution of 1.4 cat, stack and repeat (one way among several):\nvar joined = cat(new[] { a, b }, 0);", solution);
        Assert.Contains("<pre", html);
        Assert.True(Progress("1.4").GetProperty("solutionShown").GetBoolean());
        Assert.Equal(1, Progress("1.4").GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task List_shows_every_exercise_with_its_status()
    {
        await Run("var z = zeros(2, 3, dtype: float64); var r = arange(0, 11, 2); var p = linspace(0, 1, 5);");
        await Check("1.1");
        await Check("1.1");
        await Run("Func<long, Tensor> shuffle = n => arange(n);");
        await Check("1.2");
        await Shown("#!nn hint 1.3");
        var (text, html) = await Shown("#!nn exercise list");
        var lines = text.Split('\n');
        Assert.StartsWith("Id   Exercise", lines[0]);
        Assert.Matches(@"^1\.1  Zeros, a range, evenly spaced points +01-tensors +✓ done +0/3$", lines[1]);
        Assert.Matches(@"^1\.2  A random permutation, as a function +01-tensors +attempted \(1 check\) +0/2$", lines[2]);
        Assert.Matches(@"^1\.3  Views share storage +01-tensors +not started +1/2$", lines[3]);
        foreach (var e in ExerciseCatalog.Active) Assert.Contains($"<td class=\"name\">{e.Id}</td>", html);
        Assert.EndsWith($"1 of {ExerciseCatalog.Active.Count} done · progress kept in {_harness.ProgressPath}", text);
        Assert.Equal(2, Progress("1.1").GetProperty("attempts").GetInt32());
        Assert.True(Progress("1.1").GetProperty("solved").GetBoolean());

        // Bare #!nn exercise is the list too; an id shows the statement.
        Assert.Equal(text, (await Shown("#!nn exercise")).Text);
        var (statement, statementHtml) = await Shown("#!nn exercise 1.3");
        Assert.StartsWith("Exercise 1.3 Views share storage (01-tensors) — not started\nViews (§2.2)", statement);
        Assert.Contains("#!nn check 1.3", statement);
        Assert.Matches("<code[^>]*>unsqueeze</code>", statementHtml);
    }

    [Fact]
    public async Task Help_lists_the_exercise_subcommands()
    {
        var cell = await _nb.SubmitAsync("#!nn help");
        cell.AssertSucceeded();
        var html = string.Concat(cell.Events.OfType<Microsoft.DotNet.Interactive.Events.DisplayedValueProduced>().SelectMany(e => e.FormattedValues).Select(v => v.Value));
        foreach (var s in new[] { "exercise", "check", "hint", "solution" }) Assert.Contains($"<b>{s}</b>", html);
        Assert.Contains("#!nn exercise list", html);
    }

    // ------------------------------------------------------------------ misuse

    [Fact]
    public async Task Misuse_fails_the_cell_with_the_known_ids()
    {
        var unknown = await Fails("#!nn check 99.9");
        Assert.Contains("#!nn check: unknown exercise '99.9'; exercises: 1.1, 1.2, 1.3, 1.4", unknown);
        Assert.Contains("(#!nn exercise list shows them)", unknown);
        Assert.Contains("#!nn check: expected an exercise id, e.g. #!nn check 1.1; exercises: 1.1", await Fails("#!nn check"));
        Assert.Contains("#!nn hint: unknown exercise 'one'", await Fails("#!nn hint one"));
        Assert.Contains("#!nn check: unknown exercise '1.10'", await Fails("#!nn check 1.10"));
        Assert.Contains("#!nn solution: expected an exercise id", await Fails("#!nn solution"));
        Assert.Contains("#!nn exercise: expected list or an exercise id, got 'lsit'", await Fails("#!nn exercise lsit"));
        Assert.Contains("unknown option --verbose", await Fails("#!nn check 1.1 --verbose"));
        Assert.Contains("unexpected argument '1.2'", await Fails("#!nn check 1.1 1.2"));
    }

    // ------------------------------------------------------------------ the progress file

    [Fact]
    public async Task Damaged_progress_file_is_set_aside_and_a_fresh_one_starts()
    {
        File.WriteAllText(_harness.ProgressPath, "{ \"exercises\": { \"1.1\": { \"attempts\": 3, ");
        var (text, html) = await Shown("#!nn exercise list");
        Assert.Contains($"Note: The exercise progress file `{_harness.ProgressPath}` was damaged (not valid JSON: ", text);
        Assert.Contains("was damaged", html);
        var aside = Directory.GetFiles(_harness.Folder, "progress.json.damaged-*");
        Assert.Single(aside);
        Assert.Contains($"it was set aside as `{aside[0]}` and a fresh one was started", text);
        Assert.StartsWith("{ \"exercises\": { \"1.1\": { \"attempts\": 3, ", File.ReadAllText(aside[0]));
        Assert.Contains("1.1  Zeros, a range, evenly spaced points", text);

        // The fresh file records what follows; the note is not repeated.
        await Run("Func<Tensor, Tensor> f = x => x;");
        var verdict = await Check("9.1");
        Assert.DoesNotContain("Note:", verdict);
        Assert.Equal(1, Progress("9.1").GetProperty("attempts").GetInt32());

        // Valid JSON of the wrong form is damaged too.
        File.WriteAllText(_harness.ProgressPath, "{ \"exercises\": { \"1.1\": { \"attempts\": -2 } } }");
        Assert.Contains("was damaged (exercise 1.1 has a negative count)", (await Shown("#!nn hint 1.1")).Text);
        Assert.Equal(2, Directory.GetFiles(_harness.Folder, "progress.json.damaged-*").Length);
        Assert.Equal(1, Progress("1.1").GetProperty("hintsShown").GetInt32());
    }

    [Fact]
    public async Task Progress_is_written_to_a_temporary_file_then_renamed()
    {
        await Shown("#!nn hint 1.1");
        var before = File.ReadAllText(_harness.ProgressPath);
        string? seen = null;
        ProgressStore.BeforeReplace = temp =>
        {
            seen = temp;
            // The new content is complete in the temporary file, beside the progress file, which is still the old one.
            Assert.Equal(_harness.Folder, Path.GetDirectoryName(temp));
            Assert.Equal(2, JsonDocument.Parse(File.ReadAllText(temp)).RootElement.GetProperty("exercises").GetProperty("1.1").GetProperty("hintsShown").GetInt32());
            Assert.Equal(before, File.ReadAllText(_harness.ProgressPath));
        };
        await Shown("#!nn hint 1.1");
        Assert.NotNull(seen);
        Assert.False(File.Exists(seen));
        Assert.Equal(2, Progress("1.1").GetProperty("hintsShown").GetInt32());

        // A crash between writing and renaming leaves the old file whole, and no temporary file behind.
        before = File.ReadAllText(_harness.ProgressPath);
        ProgressStore.BeforeReplace = _ => throw new IOException("simulated crash");
        var (text, _) = await Shown("#!nn hint 1.1");
        Assert.StartsWith("Hint 3 of 3", text);
        Assert.Contains($"Note: Exercise progress could not be saved to `{_harness.ProgressPath}` (simulated crash).", text);
        Assert.Equal(before, File.ReadAllText(_harness.ProgressPath));
        Assert.Equal(["progress.json"], Directory.GetFiles(_harness.Folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Default_path_follows_the_environment()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        try
        {
            Assert.Equal(_harness.ProgressPath, ProgressStore.DefaultPath());
            Environment.SetEnvironmentVariable(ProgressStore.EnvironmentVariable, null);
            Environment.SetEnvironmentVariable("XDG_DATA_HOME", "/data/home");
            if (OperatingSystem.IsLinux()) Assert.Equal("/data/home/torchlet/progress.json", ProgressStore.DefaultPath());
            Environment.SetEnvironmentVariable("XDG_DATA_HOME", null);
            if (OperatingSystem.IsLinux())
                Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local/share/torchlet/progress.json"), ProgressStore.DefaultPath());
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_DATA_HOME", xdg);
            Environment.SetEnvironmentVariable(ProgressStore.EnvironmentVariable, _harness.ProgressPath);
        }
    }
}
