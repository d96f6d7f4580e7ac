// Torchlet build, run by ./build.sh (which restores the local tools first). Targets:
//   Default         the main job: Build, Demo, Samples, Pack, Notebooks, then a summary of what it produced
//   Build           Release build of Notebook.sln
//   Demo            tests/Torchlet.Demo: the README's §2.4 loop, the notes' §2.8 LSTM network
//   Samples         samples/: the notes' CNN, DCGAN and train/validation curves on Fashion-MNIST (short; --full)
//   Pack            the Torchlet and Torchlet.Interactive packages in artifacts/feed
//   Notebooks       executes every notebooks/*.ipynb against those packages into artifacts/notebooks
//   Test            both xunit suites, then the real-client test; ends with "N passed, N failed, N skipped"
//   RealClientTest  tests/RealClient/smoke.dib through dotnet-repl and through Jupyter
//   Bench           BenchmarkDotNet suites (--filter='*Sgemm*')
// Options: --configuration=Release, --packageVersion=..., --notebookClient=auto|jupyter|dotnet-repl, --filter=...,
//          --full (the samples' full runs)
//
// What it prints: one line per step, saying what happened and where the results are. The tools' own output
// goes to artifacts/logs/; a failing step prints what failed and its log's tail. Adding a step to the main
// job is one Task whose Does calls Step(...), and one IsDependentOn on Default.
#nullable enable
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

var target = Argument("target", "Default");
var configuration = Argument("configuration", "Release");
var solution = "./Notebook.sln";
var root = Context.Environment.WorkingDirectory;
var artifacts = MakeAbsolute(Directory("./artifacts"));
var logs = artifacts.Combine("logs");
var feed = artifacts.Combine("feed");
var clock = System.Diagnostics.Stopwatch.StartNew();
var produced = new List<(string Path, string What)>();   // for the main job's closing summary
var notes = new List<string>();                           // printed after it

// ---------------------------------------------------------------------------------------------------------
// The main job

Task("Build")
    .Does(() => Step("build", () =>
{
    var log = NewLog("build");
    int exit = RunLogged("dotnet", new[] { "build", solution, "-c", configuration, "-nologo" }, log);
    if (exit != 0) throw Failure($"dotnet build exited with {exit}", log);
    int warnings = System.IO.File.ReadLines(log).Where(l => l.Contains(": warning ")).Distinct().Count();
    return $"{configuration} build of {solution.TrimStart('.', '/')}{(warnings > 0 ? $", {warnings} warnings" : "")}; log: {Rel(log)}";
}));

Task("Demo")
    .IsDependentOn("Build")
    .Does(() =>
{
    var output = artifacts.CombineWithFilePath("demo.txt").FullPath;
    Step("demo", () =>
    {
        EnsureDirectoryExists(artifacts);
        System.IO.File.Delete(output);
        int exit = RunLogged("dotnet", new[] { "run", "--project", "./tests/Torchlet.Demo/Torchlet.Demo.csproj", "-c", configuration, "--no-build" }, output, header: false);
        if (exit != 0) throw Failure($"the demo exited with {exit}", output);
        produced.Add(("demo.txt", "the demo's output"));
        return $"The README's §2.4 loop, then the notes' §2.8 LSTM network; output (also in {Rel(output)}):";
    });
    foreach (var line in System.IO.File.ReadLines(output)) Console.WriteLine(line.Length > 0 ? "    " + line : "");
});

// Packs the engine and the notebook extension into artifacts/feed with one version that changes on
// every build (NuGet caches packages by id+version, so a notebook would otherwise load the old one).
// Pack builds itself: --no-build would keep the previous version inside the DLLs.
Task("Pack")
    .Does(() => Step("pack", () =>
{
    var version = Argument("packageVersion", $"0.1.0-dev.{DateTime.UtcNow:yyyyMMddHHmmss}");
    var log = NewLog("pack");
    EnsureDirectoryExists(feed);
    foreach (var project in new[] { "./engine/Torchlet.csproj", "./kernel-extension/Torchlet.Interactive.csproj" })
    {
        int exit = RunLogged("dotnet", new[] { "pack", project, "-c", configuration, "-o", feed.FullPath, $"-p:Version={version}", "-nologo" }, log);
        if (exit != 0) throw Failure($"dotnet pack {project} exited with {exit}", log);
    }
    System.IO.File.WriteAllText(feed.CombineWithFilePath("version.txt").FullPath, version);
    var pruned = PruneOldPackages(keep: 3);
    var source = RegisterPackageSource();
    produced.Add(("feed/", $"NuGet packages Torchlet and Torchlet.Interactive {version} (README: \"Use Torchlet in your own project\")"));
    return $"Torchlet and Torchlet.Interactive {version} in {Rel(feed.FullPath)}/{pruned}; {source}; log: {Rel(log)}";
}));

// The notebooks, as committed, load the packages with `#r "nuget:Torchlet.Interactive, *-*"`: the build registers
// artifacts/feed as this user's NuGet package source "torchlet", and maps the packages Torchlet and Torchlet.* to it
// alone (NuGet package source mapping), so that a restore never asks another feed for them and works offline. When the
// user's config has no mapping yet, every other source is mapped to "*", which changes nothing for other packages.
// Undo with: dotnet nuget remove source torchlet (and the packageSourceMapping entry it leaves).
string RegisterPackageSource()
{
    var path = OperatingSystem.IsWindows()
        ? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "NuGet", "NuGet.Config")
        : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "NuGet", "NuGet.Config");
    var doc = System.IO.File.Exists(path)
        ? System.Xml.Linq.XDocument.Load(path)
        : System.Xml.Linq.XDocument.Parse("<configuration><packageSources><add key=\"nuget.org\" value=\"https://api.nuget.org/v3/index.json\" protocolVersion=\"3\" /></packageSources></configuration>");
    var config = doc.Root!;
    var sources = config.Element("packageSources") ?? new System.Xml.Linq.XElement("packageSources");
    if (sources.Parent is null) config.Add(sources);
    var ours = sources.Elements("add").FirstOrDefault(e => (string?)e.Attribute("key") == "torchlet");
    var previous = (string?)ours?.Attribute("value");
    bool changed = ours is null || previous != feed.FullPath;
    if (ours is null) sources.Add(ours = new System.Xml.Linq.XElement("add", new System.Xml.Linq.XAttribute("key", "torchlet")));
    ours.SetAttributeValue("value", feed.FullPath);
    var mapping = config.Element("packageSourceMapping");
    if (mapping is null)
    {
        config.Add(mapping = new System.Xml.Linq.XElement("packageSourceMapping"));
        foreach (var key in sources.Elements("add").Select(e => (string?)e.Attribute("key")).Where(k => k is not null && k != "torchlet"))
            mapping.Add(new System.Xml.Linq.XElement("packageSource", new System.Xml.Linq.XAttribute("key", key!),
                new System.Xml.Linq.XElement("package", new System.Xml.Linq.XAttribute("pattern", "*"))));
        changed = true;
    }
    if (!mapping.Elements("packageSource").Any(e => (string?)e.Attribute("key") == "torchlet"))
    {
        mapping.Add(new System.Xml.Linq.XElement("packageSource", new System.Xml.Linq.XAttribute("key", "torchlet"),
            new System.Xml.Linq.XElement("package", new System.Xml.Linq.XAttribute("pattern", "Torchlet")),
            new System.Xml.Linq.XElement("package", new System.Xml.Linq.XAttribute("pattern", "Torchlet.*"))));
        changed = true;
    }
    if (!changed) return "NuGet source 'torchlet' already registered";
    System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
    var temp = path + ".torchlet-tmp";
    doc.Save(temp);
    System.IO.File.Move(temp, path, overwrite: true);
    // Another clone's feed loses the source: say so, since notebooks then load this clone's packages.
    var instead = previous is not null && previous != feed.FullPath ? $", instead of {previous}" : "";
    return $"registered {Rel(feed.FullPath)} as this user's NuGet source 'torchlet' for Torchlet.*{instead} (in {path})";
}

// Each build adds a version; only the newest few are kept, in artifacts/feed and in NuGet's global packages folder
// (where every version a notebook loaded stays otherwise). Returns a note for the step's line.
string PruneOldPackages(int keep)
{
    int removed = 0;
    foreach (var id in new[] { "Torchlet", "Torchlet.Interactive" })
    {
        var versions = System.IO.Directory.GetFiles(feed.FullPath, id + ".0.*.nupkg")
            .Select(f => (file: f, version: System.IO.Path.GetFileNameWithoutExtension(f)[(id.Length + 1)..]))
            .Where(v => char.IsDigit(v.version[0]))
            .OrderByDescending(v => v.version, StringComparer.Ordinal).Skip(keep).ToList();
        foreach (var (file, _) in versions) { System.IO.File.Delete(file); removed++; }
    }
    var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
    foreach (var id in new[] { "torchlet", "torchlet.interactive" })
    {
        var dir = System.IO.Path.Combine(globalPackages, id);
        if (!System.IO.Directory.Exists(dir)) continue;
        foreach (var old in System.IO.Directory.GetDirectories(dir).Where(d => System.IO.Path.GetFileName(d).StartsWith("0.1.0-dev.", StringComparison.Ordinal))
                     .OrderByDescending(d => d, StringComparer.Ordinal).Skip(keep))
        {
            try { System.IO.Directory.Delete(old, recursive: true); removed++; }
            catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException) { }   // in use (Windows): next time
        }
    }
    return removed > 0 ? $" (kept the newest {keep} versions, removed {removed} older copies)" : "";
}

// Every notebook of notebooks/, executed against the packages just packed (see RunNotebook).
Task("Notebooks")
    .IsDependentOn("Pack")
    .Does(() =>
{
    var (client, why) = ChooseNotebookClient();
    var outDir = artifacts.Combine("notebooks");
    CleanDirectory(outDir);
    var failed = new List<string>();   // every notebook runs; the task fails afterwards
    foreach (var notebook in GetFiles("./notebooks/*.ipynb").OrderBy(f => f.FullPath))
    {
        var name = notebook.GetFilenameWithoutExtension().FullPath;
        try { Step($"notebook {name}", () =>
        {
            var run = RunNotebook(notebook.FullPath, outDir, client, name);
            produced.Add(($"notebooks/{name}.ipynb", $"{name}, executed, with its outputs (open it in VS Code with Polyglot Notebooks, or in Jupyter)"));
            if (run.Html is not null) produced.Add(($"notebooks/{name}.html", "the same, rendered as a web page"));
            return $"{run.CodeCells} code cells ran without errors in {run.ClientName}{why}: {Rel(run.Executed)}" +
                   (run.Html is not null ? $" and {System.IO.Path.GetFileName(run.Html)}" : "") + $"; log: {Rel(run.Log)}";
        }); }
        catch (Exception) { failed.Add(name); }
    }
    if (failed.Count > 0) throw new Exception($"notebooks failed: {string.Join(", ", failed)} (details above)");
    if (client == "dotnet-repl" && Argument("notebookClient", "auto") == "auto")
        notes.Add($"No HTML renderings: {JupyterMissing()}. With Debian's jupyter-nbconvert, python3-nbclient, python3-ipykernel\n" +
                  "and jupyter-client, the notebooks run through Jupyter and are also rendered as HTML.");
});

// The notes' networks trained on real images (samples/): by default each in its short form, a fixed number of steps
// on the shipped Fashion-MNIST sample (or the full set where Debian's dataset-fashion-mnist is installed); with
// --full, the full runs (tens of minutes). Each sample's output goes to artifacts/samples/<name>.txt; its last line
// is its summary.
Task("Samples")
    .IsDependentOn("Build")
    .Does(() =>
{
    bool full = HasArgument("full");
    var outDir = artifacts.Combine("samples");
    EnsureDirectoryExists(outDir);
    var failed = new List<string>();
    foreach (var (name, what) in new[] { ("cnn", "the notes' §2.7 CNN on Fashion-MNIST"), ("dcgan", "the notes' §2.9 DCGAN"),
                                         ("fit", "train/validation curves of a too small and a too large model") })
    {
        var output = outDir.CombineWithFilePath(name + ".txt").FullPath;
        try { Step($"sample {name}{(full ? " (full)" : "")}", () =>
        {
            System.IO.File.Delete(output);
            var args = new List<string> { "run", "--project", "./samples/Torchlet.Samples.csproj", "-c", configuration, "--no-build", "--", name, "--out", outDir.FullPath };
            if (full) args.Add("--full");
            int exit = RunLogged("dotnet", args, output, header: false, timeout: TimeSpan.FromHours(3));
            if (exit != 0) throw Failure($"the {name} sample exited with {exit}", output);
            var last = System.IO.File.ReadLines(output).LastOrDefault(l => l.StartsWith(name + ": ")) ?? "";
            produced.Add(($"samples/{name}.txt", what));
            return $"{last[(name.Length + 2)..]}; output in {Rel(output)}";
        }); }
        catch (Exception) { failed.Add(name); }
    }
    if (System.IO.File.Exists(outDir.CombineWithFilePath("fit-curves.csv").FullPath))
        produced.Add(("samples/fit-curves.csv", "the fit sample's training and validation loss per epoch"));
    if (System.IO.Directory.Exists(outDir.Combine("dcgan").FullPath))
        produced.Add(("samples/dcgan/", "the DCGAN's fixed-noise grids every 100 batches, and fixed-noise-strip.png (first, middle, last)"));
    if (failed.Count > 0) throw new Exception($"samples failed: {string.Join(", ", failed)} (details above)");
});

// The main job. A new step is a Task like Demo, added here with one more IsDependentOn; what it produces goes
// into `produced` for the summary.
Task("Default")
    .IsDependentOn("Demo")
    .IsDependentOn("Samples")
    .IsDependentOn("Notebooks")
    .Does(() =>
{
    Console.WriteLine();
    Console.WriteLine($"Done in {Duration(clock.Elapsed)}. In {Rel(artifacts.FullPath)}/:");
    produced.Add(("logs/", "each step's full output"));
    int width = produced.Max(p => p.Path.Length) + 2;
    foreach (var (path, what) in produced) Console.WriteLine($"  {path.PadRight(width)}{what}");
    foreach (var note in notes) Console.WriteLine(note);
});

// ---------------------------------------------------------------------------------------------------------
// Tests

Task("Test")
    .IsDependentOn("Build")
    .IsDependentOn("Pack")
    .Does(() =>
{
    var results = artifacts.Combine("test-results");
    CleanDirectory(results);
    // Every suite runs even when an earlier one fails; the task fails afterwards.
    var failures = new List<string>();
    foreach (var suite in new[] { "Torchlet.Tests", "Torchlet.Interactive.Tests" })
    {
        var report = System.IO.Path.Combine(results.FullPath, "simd-default.txt");   // the engine suite's vector flags
        try { Step($"tests {suite}", () => RunTestSuite(suite, results.FullPath, environment: new Dictionary<string, string> { ["TORCHLET_SIMD_REPORT"] = report }) +
                                           (suite == "Torchlet.Tests" && System.IO.File.Exists(report) ? $"\n    as the machine is: {System.IO.File.ReadAllText(report)}" : "")); }
        catch (Exception) { failures.Add(suite); }
    }
    failures.AddRange(RunEngineSimdModes(results.FullPath));
    try { RunRealClient(); }
    catch (Exception) { failures.Add("real client"); }
    try { RunCourseNotebooks(); }
    catch (Exception) { failures.Add("notebooks"); }
    // One plain closing line, read the same way whatever is printed above it.
    int passed = 0, failed = 0, skipped = 0;
    foreach (var trx in GetFiles(results.FullPath + "/*.trx"))
    {
        var (p, f, s) = TrxCounts(trx.FullPath);
        passed += p; failed += f; skipped += s;
    }
    Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
    if (failures.Count > 0) throw new Exception("failed: " + string.Join(", ", failures) + " (details above)");
    if (passed == 0) throw new Exception("no test ran");
});

// The engine suite again in each narrower vector mode, as the runtime's switches give it: 256-bit vectors at most
// (AVX2 on an AVX-512 machine), 128-bit only (as ARM64's NEON; FMA kept) and no hardware intrinsics; and once with the
// kernels' Vector512 paths forced on a 256-bit runtime (TORCHLET_VECTOR_WIDTH=512, run in software where the CPU has
// no AVX-512), so an AVX2 machine's CI still runs them. SimdModeTests fails a run whose flags and kernel width are
// not the mode's; the step prints them.
IEnumerable<string> RunEngineSimdModes(string results)
{
    var failed = new List<string>();
    foreach (var (mode, settings) in new (string, Dictionary<string, string>)[] {
        ("256", new() { ["DOTNET_PreferredVectorBitWidth"] = "256" }),
        ("128", new() { ["DOTNET_PreferredVectorBitWidth"] = "128" }),
        ("none", new() { ["DOTNET_EnableHWIntrinsic"] = "0" }),
        ("512-forced", new() { ["DOTNET_PreferredVectorBitWidth"] = "256", ["TORCHLET_VECTOR_WIDTH"] = "512" }) })
    {
        var report = System.IO.Path.Combine(results, $"simd-{mode}.txt");
        var environment = new Dictionary<string, string>(settings) { ["TORCHLET_SIMD_MODE"] = mode, ["TORCHLET_SIMD_REPORT"] = report };
        var described = string.Join(" ", settings.Select(kv => $"{kv.Key}={kv.Value}"));
        try { Step($"tests Torchlet.Tests, vectors {mode}", () =>
            RunTestSuite("Torchlet.Tests", results, $"simd{mode}", environment) +
            (System.IO.File.Exists(report) ? $"\n    {described}: {System.IO.File.ReadAllText(report)}" : "")); }
        catch (Exception) { failed.Add($"Torchlet.Tests (vectors {mode})"); }
    }
    return failed;
}

// Runs one xunit project (already built); its output goes to artifacts/logs/tests-<suite>.log, its results to
// artifacts/test-results/<suite>.trx (with a variant, <suite>.<variant>.*, run with extra environment variables).
// A failure lists the failed tests with their messages.
string RunTestSuite(string suite, string results, string? variant = null, IReadOnlyDictionary<string, string>? environment = null)
{
    var name = variant is null ? suite : $"{suite}.{variant}";
    var log = NewLog($"tests-{name}");
    var trx = System.IO.Path.Combine(results, name + ".trx");
    int exit = RunLogged("dotnet", new[] { "test", $"./tests/{suite}/{suite}.csproj", "-c", configuration, "--no-build",
        "--logger", $"trx;LogFileName={name}.trx", "--logger", "console;verbosity=normal", "--results-directory", results,
        // A test that hangs (a DataLoader worker, say) fails within minutes instead of at CI's limit.
        "--blame-hang-timeout", "5m", "--blame-hang-dump-type", "none" }, log, environment: environment);
    if (!System.IO.File.Exists(trx)) throw Failure($"dotnet test exited with {exit} and wrote no results", log);
    var (passed, failed, skipped) = TrxCounts(trx);
    if (exit != 0 || failed > 0)
        throw Failure($"{failed} failed, {passed} passed (dotnet test exited with {exit}); log: {Rel(log)}, results: {Rel(trx)}\n" + FailedTests(trx),
                      failed > 0 ? null : log);
    return $"{passed} passed, {failed} failed, {skipped} skipped; log: {Rel(log)}, results: {Rel(trx)}";
}

(int Passed, int Failed, int Skipped) TrxCounts(string trx)
{
    var counters = Regex.Match(System.IO.File.ReadAllText(trx), "<Counters [^>]*>").Value;
    int Get(string name) { var m = Regex.Match(counters, name + "=\"(\\d+)\""); return m.Success ? int.Parse(m.Groups[1].Value) : 0; }
    return (Get("passed"), Get("failed"), Get("notExecuted"));
}

string FailedTests(string trx)
{
    var doc = System.Xml.Linq.XDocument.Load(trx);
    var failed = doc.Descendants().Where(e => e.Name.LocalName == "UnitTestResult" && (string?)e.Attribute("outcome") == "Failed").ToList();
    var text = new System.Text.StringBuilder();
    foreach (var result in failed.Take(20))
    {
        text.AppendLine($"  {(string?)result.Attribute("testName")}");
        var message = result.Descendants().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value ?? "";
        foreach (var line in message.Split('\n').Take(10)) text.AppendLine("      " + line.TrimEnd());
    }
    if (failed.Count > 20) text.AppendLine($"  ... and {failed.Count - 20} more (all of them in {Rel(trx)})");
    return text.ToString().TrimEnd();
}

// Real notebook clients run tests/RealClient/smoke.dib against the packages just packed: it loads them with
// #i/#r from artifacts/feed and runs every #!nn subcommand and a formatter. Two clients: dotnet-repl (a local
// tool), and Jupyter's nbconvert (Debian's jupyter-nbconvert, which .ci/run installs) with the .NET kernel
// of dotnet-interactive (a local tool). Every cell must succeed and show what it is expected to show. The
// executed notebooks and an HTML rendering are kept in artifacts/real-client.
void RunRealClient()
{
    var dir = artifacts.Combine("real-client");
    CleanDirectory(dir);
    var smoke = MakeAbsolute(File("./tests/RealClient/smoke.dib")).FullPath;
    Step("real client dotnet-repl", () =>
    {
        var run = RunNotebook(smoke, dir, "dotnet-repl", "smoke.repl");
        CheckSmoke(run);
        return $"{run.CodeCells} cells ran and showed what they should: {Rel(run.Executed)}; log: {Rel(run.Log)}";
    });
    Step("real client Jupyter", () =>
    {
        if (JupyterMissing() is { } missing)
            throw new Exception($"{missing}. Install it: apt-get install -y jupyter-nbconvert python3-nbclient python3-ipykernel jupyter-client (.ci/run does this)");
        var run = RunNotebook(smoke, dir, "jupyter", "smoke.jupyter");
        CheckSmoke(run);
        return $"{run.CodeCells} cells ran and showed what they should: {Rel(run.Executed)} and {System.IO.Path.GetFileName(run.Html)}; log: {Rel(run.Log)}";
    });
}

// Every notebook of notebooks/, as committed, once through Jupyter with the network unreachable: it must load the
// packages from the registered source and run every cell without an error; its HTML rendering is kept.
void RunCourseNotebooks()
{
    var dir = artifacts.Combine("test-notebooks");
    CleanDirectory(dir);
    var failed = new List<string>();
    foreach (var notebook in GetFiles("./notebooks/*.ipynb").OrderBy(f => f.FullPath))
    {
        var name = notebook.GetFilenameWithoutExtension().FullPath;
        try { Step($"notebook {name} (Jupyter, offline)", () =>
        {
            if (JupyterMissing() is { } missing)
                throw new Exception($"{missing}. Install it: apt-get install -y jupyter-nbconvert python3-nbclient python3-ipykernel jupyter-client (.ci/run does this)");
            var run = RunNotebook(notebook.FullPath, dir, "jupyter", name, offline: true);
            return $"{run.CodeCells} code cells ran without errors: {Rel(run.Executed)} and {System.IO.Path.GetFileName(run.Html)}; " +
                   CheckChartsOffline(run, scenarios: name == "00-tour") + $"; log: {Rel(run.Log)}";
        }); }
        catch (Exception) { failed.Add(name); }
    }
    // The plotly.js loader and charts through a running Jupyter server (its IOPub limits), not only nbconvert.
    try { Step("notebook outputs through a Jupyter server", () =>
    {
        var log = NewLog("iopub-check");
        int exit = RunLogged("/usr/bin/python3", new[] { "tests/RealClient/iopub_check.py" }, log, timeout: TimeSpan.FromMinutes(5));
        if (exit != 0) throw Failure($"tests/RealClient/iopub_check.py exited with {exit}", log);
        return $"the plotly.js loader, a chart and a live view arrived within the IOPub limits; log: {Rel(log)}";
    }); }
    catch (Exception) { failed.Add("iopub check"); }
    if (failed.Count > 0) throw new Exception($"notebooks failed: {string.Join(", ", failed)}");
}

// Every Plotly chart of an executed notebook's HTML must draw in headless Chromium with no network
// (tests/RealClient/check_charts.py, which names a blank chart); a screenshot is kept beside the HTML.
string CheckChartsOffline(NotebookRun run, bool scenarios)
{
    var html = System.IO.File.ReadAllText(run.Html!);
    int charts = Regex.Matches(html, "<!-- Plotly chart will be drawn inside this DIV -->").Count;
    if (charts == 0) return "no charts";
    var log = NewLog(System.IO.Path.GetFileNameWithoutExtension(run.Html!) + ".charts");
    var png = System.IO.Path.ChangeExtension(run.Html!, ".png");
    var args = new List<string> { "tests/RealClient/check_charts.py", run.Html!, "--screenshot", png };
    if (scenarios) args.Add("--scenarios");
    int exit = RunLogged("python3", args, log, timeout: TimeSpan.FromMinutes(5));
    if (exit != 0) throw Failure($"{charts} chart(s), not all drawn offline in Chromium (check_charts.py exited with {exit})", log);
    return $"{charts} chart(s) drawn offline in Chromium (screenshot {System.IO.Path.GetFileName(png)})";
}

// What each cell of smoke.dib must show, in order (RunNotebook has already failed on any cell error).
void CheckSmoke(NotebookRun run)
{
    var expected = new[] { "loaded", "", "[4, 10]", "<svg", "= 26", "Plotly.newPlot", "data:image/png;base64", "Plotly.newPlot",
                           "<svg", "manual_seed(1)", "set_num_threads(2)", "SIMD", "[3, 4]", "#!nn summary net --input 64,1,28,28" };
    using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(run.Executed));
    var cells = doc.RootElement.GetProperty("cells").EnumerateArray().ToList();
    var problems = new List<string>();
    if (cells.Count != expected.Length) problems.Add($"expected {expected.Length} cells, the executed notebook has {cells.Count}");
    for (int i = 0; i < Math.Min(cells.Count, expected.Length); i++)
    {
        var shown = cells[i].TryGetProperty("outputs", out var o) ? string.Concat(o.EnumerateArray().Select(x => x.GetRawText())) : "";
        var encoded = JsonEncodedText.Encode(expected[i]).ToString();
        if (expected[i].Length > 0 && !shown.Contains(expected[i]) && !shown.Contains(encoded))
            problems.Add($"cell {i} does not show \"{expected[i]}\"");
    }
    if (problems.Count > 0) throw Failure($"the executed notebook ({run.ClientName}) is not what it should be:\n  " + string.Join("\n  ", problems), run.Log);
}

Task("RealClientTest")
    .IsDependentOn("Pack")
    .Does(() => RunRealClient());

Task("Bench")
    .Does(() =>
{
    var filter = Argument("filter", "*");
    DotNetRun("./tests/Torchlet.Benchmarks/Torchlet.Benchmarks.csproj",
        new ProcessArgumentBuilder().Append("--filter").AppendQuoted(filter),
        new DotNetRunSettings { Configuration = "Release" });
});

// ---------------------------------------------------------------------------------------------------------
// Notebooks

sealed record NotebookRun(string Executed, string? Html, int CodeCells, string Log, string ClientName);

// A proxy address nothing listens on (the discard port): requests through it are refused at once.
const string ClosedPort = "http://127.0.0.1:9";

// Executes one notebook (.ipynb, or .dib) against the packages in artifacts/feed and fails on any cell error.
// Its {{FEED}} and {{VERSION}} placeholders are filled in with the feed's path and the packages' version.
//   client "jupyter":     Jupyter's nbconvert with dotnet-interactive's .net-csharp kernel (a local tool,
//                         registered by ChooseNotebookClient/JupyterMissing); also renders <name>.html
//   client "dotnet-repl": the dotnet-repl local tool; needs nothing but the .NET SDK
// Both run every cell, also after a failed one, so that the executed notebook shows every error.
// Writes <outDir>/<name>.ipynb (the executed notebook) and logs/<name>.<client>.log. Both clients run from
// artifacts/tmp/notebooks, inside the repository, so that `dotnet interactive` finds the local tool.
NotebookRun RunNotebook(string source, DirectoryPath outDir, string client, string name, bool offline = false)
{
    // Offline: every HTTP(S) request of the client and its kernel goes to a closed local port, as on a machine with no
    // network; the notebook must still load the packages (from the registered local source) and run.
    var environment = offline
        ? new Dictionary<string, string> { ["HTTP_PROXY"] = ClosedPort, ["HTTPS_PROXY"] = ClosedPort, ["http_proxy"] = ClosedPort, ["https_proxy"] = ClosedPort,
                                           ["NO_PROXY"] = "", ["no_proxy"] = "" }
        : null;
    var versionFile = feed.CombineWithFilePath("version.txt").FullPath;
    if (!System.IO.File.Exists(versionFile)) throw new Exception("no packages in artifacts/feed: run the Pack target first");
    var version = System.IO.File.ReadAllText(versionFile).Trim();
    var work = artifacts.Combine("tmp/notebooks");
    EnsureDirectoryExists(work);
    EnsureDirectoryExists(outDir);
    bool dib = source.EndsWith(".dib", StringComparison.OrdinalIgnoreCase);
    var text = System.IO.File.ReadAllText(source);
    // In an .ipynb the placeholders sit inside JSON strings: the feed path is written JSON-escaped.
    text = text.Replace("{{FEED}}", dib ? feed.FullPath : JsonEncodedText.Encode(feed.FullPath).ToString()).Replace("{{VERSION}}", version);
    string input;
    if (client == "jupyter")
    {
        input = work.CombineWithFilePath(name + ".ipynb").FullPath;
        System.IO.File.WriteAllText(input, dib ? DibToIpynb(text, name) : text);
    }
    else if (client == "dotnet-repl")
    {
        input = work.CombineWithFilePath(name + (dib ? ".dib" : ".ipynb")).FullPath;
        System.IO.File.WriteAllText(input, dib ? text : ForDotnetRepl(text));
    }
    else throw new Exception($"unknown notebook client '{client}': jupyter or dotnet-repl");

    var executed = outDir.CombineWithFilePath(name + ".ipynb").FullPath;
    var html = outDir.CombineWithFilePath(name + ".html").FullPath;
    System.IO.File.Delete(executed);
    System.IO.File.Delete(html);
    var log = NewLog($"{name}.{client}");
    var timeout = TimeSpan.FromMinutes(30);
    int exit = client == "jupyter"
        ? RunLogged("jupyter", new[] { "nbconvert", "--to", "notebook", "--execute", "--allow-errors", "--ExecutePreprocessor.timeout=600",
                                       "--output-dir", outDir.FullPath, "--output", name, input }, log, work.FullPath, timeout, environment: environment)
        : RunLogged("dotnet", new[] { "tool", "run", "dotnet-repl", "--", "--run", input, "--exit-after-run", "--output-path", executed },
                    log, work.FullPath, timeout, environment: environment);
    string clientName = client == "jupyter" ? "Jupyter (nbconvert, .net-csharp kernel)" : "dotnet-repl";
    if (!System.IO.File.Exists(executed)) throw Failure($"{clientName} wrote no executed notebook (exit code {exit})", log);

    var errors = new List<string>();
    int codeCells = 0;
    using (var doc = JsonDocument.Parse(System.IO.File.ReadAllText(executed)))
    {
        int i = 0;
        foreach (var cell in doc.RootElement.GetProperty("cells").EnumerateArray())
        {
            if (cell.GetProperty("cell_type").GetString() == "code") codeCells++;
            if (cell.TryGetProperty("outputs", out var outputs))
                foreach (var e in outputs.EnumerateArray().Where(o => o.GetProperty("output_type").GetString() == "error"))
                {
                    var value = e.TryGetProperty("evalue", out var v) ? v.GetString() ?? "" : "";
                    value = value.Split('\n')[0];
                    errors.Add($"cell {i}: {e.GetProperty("ename").GetString()}: {(value.Length > 300 ? value[..300] + "…" : value)}");
                }
            i++;
        }
    }
    if (errors.Count > 0)
        throw new Exception($"{errors.Count} cell(s) failed in {clientName}; executed notebook: {Rel(executed)}, log: {Rel(log)}\n  " + string.Join("\n  ", errors));
    if (exit != 0) throw Failure($"{clientName} exited with {exit}", log);
    if (client == "dotnet-repl") RestoreCellIds(dib ? null : input, executed, name);
    if (client == "jupyter")
    {
        exit = RunLogged("jupyter", new[] { "nbconvert", "--to", "html", "--output-dir", outDir.FullPath, executed }, log, work.FullPath, timeout);
        if (exit != 0 || !System.IO.File.Exists(html)) throw Failure($"the HTML rendering failed (nbconvert --to html exited with {exit})", log);
    }
    return new NotebookRun(executed, client == "jupyter" ? html : null, codeCells, log, clientName);
}

// dotnet-repl takes a cell's language from Polyglot Notebooks' metadata; without it, a notebook written for
// Jupyter's .net-csharp kernel sends its cells to a kernel named after language_info ("C#"), where #i and #r
// are unknown. Adds the metadata VS Code's Polyglot Notebooks writes, when missing.
string ForDotnetRepl(string ipynb)
{
    var nb = JsonNode.Parse(ipynb)!.AsObject();
    var metadata = nb["metadata"] as JsonObject ?? new JsonObject();
    nb["metadata"] = metadata;
    if (metadata["polyglot_notebook"] is null)
        metadata["polyglot_notebook"] = JsonNode.Parse("""{"kernelInfo":{"defaultKernelName":"csharp","items":[{"name":"csharp","languageName":"C#","aliases":[]}]}}""");
    return nb.ToJsonString();
}

// dotnet-repl drops the cells' ids (nbformat 4.5 wants them): put back those of the notebook it ran, or for a
// .dib (which has none) make them up.
void RestoreCellIds(string? input, string executed, string name)
{
    var source = input is null ? null : JsonNode.Parse(System.IO.File.ReadAllText(input))!["cells"]!.AsArray();
    var nb = JsonNode.Parse(System.IO.File.ReadAllText(executed))!.AsObject();
    var cells = nb["cells"]!.AsArray();
    var idPrefix = Regex.Replace(name, "[^A-Za-z0-9_-]", "-");   // nbformat's cell ids: letters, digits, - and _
    for (int i = 0; i < cells.Count; i++)
        if (cells[i]!["id"] is null)
            cells[i]!["id"] = source?.Count == cells.Count && source[i]!["id"] is JsonNode id ? id.DeepClone() : $"{idPrefix}-{i:00}";
    System.IO.File.WriteAllText(executed, nb.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
}

// A .dib (Polyglot Notebooks' plain-text format: cells start with a #!csharp or #!markdown line; #!meta holds
// the kernel info) as an .ipynb for Jupyter's .net-csharp kernel. Other #! lines, like #!nn, are cell content.
string DibToIpynb(string dib, string name)
{
    var cells = new JsonArray();
    var idPrefix = Regex.Replace(name, "[^A-Za-z0-9_-]", "-");
    string? kind = null;
    var lines = new List<string>();
    void Flush()
    {
        if (kind is "code" or "markdown")
        {
            var cell = new JsonObject { ["id"] = $"{idPrefix}-{cells.Count:00}", ["cell_type"] = kind, ["metadata"] = new JsonObject(),
                                        ["source"] = string.Join("\n", lines).Trim('\n', '\r') };
            if (kind == "code") { cell["execution_count"] = null; cell["outputs"] = new JsonArray(); }
            cells.Add(cell);
        }
        lines.Clear();
    }
    foreach (var line in dib.Replace("\r\n", "\n").Split('\n'))
    {
        var marker = Regex.Match(line, @"^#!(csharp|c#|markdown|meta)\s*$");
        if (marker.Success)
        {
            Flush();
            kind = marker.Groups[1].Value switch { "markdown" => "markdown", "meta" => "meta", _ => "code" };
        }
        else if (Regex.IsMatch(line, @"^#!(fsharp|f#|pwsh|powershell|javascript|js|html|sql|kql|mermaid|http|value)\s*$"))
            throw new Exception($"{name}.dib: a {line.Substring(2)} cell; only C# and markdown cells can run on the .net-csharp kernel");
        else lines.Add(line);
    }
    Flush();
    var notebook = new JsonObject {
        ["cells"] = cells, ["nbformat"] = 4, ["nbformat_minor"] = 5,
        ["metadata"] = new JsonObject {
            ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
            ["language_info"] = new JsonObject { ["name"] = "C#" } } };
    return notebook.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}

// Which client runs the main job's notebooks: --notebookClient=jupyter or dotnet-repl, or by default Jupyter
// where it is installed (it also renders HTML), else dotnet-repl, which the build brings itself.
(string Client, string Why) ChooseNotebookClient()
{
    var wanted = Argument("notebookClient", "auto");
    switch (wanted)
    {
        case "dotnet-repl": return ("dotnet-repl", " (--notebookClient)");
        case "jupyter":
            if (JupyterMissing() is { } missing) throw new Exception($"--notebookClient=jupyter, but {missing}");
            return ("jupyter", "");
        case "auto":
            return JupyterMissing() is { } why ? ("dotnet-repl", $" ({why})") : ("jupyter", "");
        default: throw new Exception($"--notebookClient={wanted}: expected auto, jupyter or dotnet-repl");
    }
}

// Null when Jupyter's nbconvert is installed and dotnet-interactive's .net-csharp kernel is registered with it
// (this registers it); otherwise why not. Decided once per build.
string? jupyterMissing;
bool jupyterChecked;
string? JupyterMissing()
{
    if (jupyterChecked) return jupyterMissing;
    jupyterChecked = true;
    var log = NewLog("jupyter-setup");
    int exit;
    try { exit = RunLogged("jupyter", new[] { "nbconvert", "--version" }, log); }
    catch (System.ComponentModel.Win32Exception e)
    {
        System.IO.File.AppendAllText(log, $"{e.Message}\n");
        return jupyterMissing = "Jupyter is not installed";
    }
    if (exit != 0) return jupyterMissing = "Jupyter's nbconvert is not installed";
    exit = RunLogged("dotnet", new[] { "tool", "run", "dotnet-interactive", "--", "jupyter", "install" }, log);
    if (exit != 0) return jupyterMissing = $"dotnet-interactive could not register its Jupyter kernel (see {Rel(log)})";
    if (KernelsFromAnyFolder(log) is { } problem) return jupyterMissing = problem;
    return null;
}

// `jupyter install` registers kernels that run `dotnet interactive`, a command that exists only where the local tool
// manifest is found: inside this repository. A notebook opened elsewhere would die at start ("Kernel died before
// replying"). The kernels are pointed at the tool's own DLL in NuGet's global packages folder instead, which works
// from any folder.
string? KernelsFromAnyFolder(string log)
{
    var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
    var tools = JsonNode.Parse(System.IO.File.ReadAllText("./.config/dotnet-tools.json"))!["tools"]!["microsoft.dotnet-interactive"]!;
    var version = (string)tools["version"]!;
    var dll = System.IO.Path.Combine(globalPackages, "microsoft.dotnet-interactive", version, "tools", "net10.0", "any", "Microsoft.DotNet.Interactive.App.dll");
    if (!System.IO.File.Exists(dll)) return $"dotnet-interactive {version} is not in {globalPackages} (dotnet tool restore puts it there)";
    var dataDirLog = NewLog("jupyter-data-dir");
    if (RunLogged("jupyter", new[] { "--data-dir" }, dataDirLog, header: false) != 0) return $"jupyter --data-dir failed (see {Rel(dataDirLog)})";
    var kernels = System.IO.Path.Combine(System.IO.File.ReadAllLines(dataDirLog).Last(l => l.Trim().Length > 0).Trim(), "kernels");
    foreach (var spec in new[] { ".net-csharp", ".net-fsharp", ".net-powershell" }.Select(k => System.IO.Path.Combine(kernels, k, "kernel.json")).Where(System.IO.File.Exists))
    {
        var json = JsonNode.Parse(System.IO.File.ReadAllText(spec))!.AsObject();
        var argv = json["argv"]!.AsArray();
        if (argv.Count >= 2 && (string?)argv[0] == "dotnet" && (string?)argv[1] == "interactive")
        {
            argv[1] = dll;
            System.IO.File.WriteAllText(spec, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            System.IO.File.AppendAllText(log, $"{spec}: argv now runs {dll}\n");
        }
    }
    return null;
}

// ---------------------------------------------------------------------------------------------------------
// Steps, processes, logs

// Runs one step and prints one line for it: "<name>: ok (<time>). <what the step returns>". A failing step
// prints "<name>: FAILED" with what failed and its log's tail, then fails the task.
void Step(string name, Func<string> action)
{
    var sw = System.Diagnostics.Stopwatch.StartNew();
    string summary;
    try { summary = action(); }
    catch (Exception e)
    {
        Console.WriteLine($"{name}: FAILED ({Duration(sw.Elapsed)}). {e.Message}");
        throw new Exception($"{name} failed (details above)");
    }
    Console.WriteLine($"{name}: ok ({Duration(sw.Elapsed)}). {summary}");
}

// An exception whose message ends with the last lines of a log.
Exception Failure(string what, string? log)
{
    if (log is null || !System.IO.File.Exists(log)) return new Exception(what);
    var lines = System.IO.File.ReadAllLines(log);
    if (lines.All(l => l.StartsWith("$ "))) return new Exception(what);   // nothing but the commands run
    var tail = lines.TakeLast(40).ToList();
    return new Exception($"{what}\n  The last {tail.Count} lines of {Rel(log)}:\n" + string.Join("\n", tail.Select(l => "    " + l)));
}

// A fresh log file, artifacts/logs/<name>.log.
string NewLog(string name)
{
    EnsureDirectoryExists(logs);
    var path = logs.CombineWithFilePath(name + ".log").FullPath;
    System.IO.File.Delete(path);
    return path;
}

// Runs a program with its output (stdout and stderr, interleaved) appended to a log file, none of it on the
// console, and no standard input; returns its exit code (-1 when it ran past the timeout and was killed).
int RunLogged(string program, IEnumerable<string> args, string log, string? workingDirectory = null, TimeSpan? timeout = null, bool header = true,
              IReadOnlyDictionary<string, string>? environment = null)
{
    var start = new System.Diagnostics.ProcessStartInfo(program) {
        WorkingDirectory = workingDirectory ?? root.FullPath, UseShellExecute = false,
        RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
    foreach (var a in args) start.ArgumentList.Add(a);
    foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
    using var writer = new System.IO.StreamWriter(log, append: true) { AutoFlush = true };
    if (header) writer.WriteLine($"$ {program} {string.Join(" ", start.ArgumentList.Select(a => a.Contains(' ') ? $"\"{a}\"" : a))}");
    using var process = new System.Diagnostics.Process { StartInfo = start };
    var gate = new object();
    process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) writer.WriteLine(e.Data); };
    process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) writer.WriteLine(e.Data); };
    process.Start();
    process.StandardInput.Close();
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    if (!process.WaitForExit(timeout ?? TimeSpan.FromHours(1)))
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
        lock (gate) writer.WriteLine($"(killed after {timeout ?? TimeSpan.FromHours(1)})");
        return -1;
    }
    process.WaitForExit();   // drains the redirected output
    return process.ExitCode;
}

string Rel(string path) => System.IO.Path.GetRelativePath(root.FullPath, path);

string Duration(TimeSpan t) => t.TotalSeconds < 60 ? $"{t.TotalSeconds:0} s" : $"{(int)t.TotalMinutes} min {t.Seconds} s";

// Cake's own reporting (a banner per task, a table of durations at the end) gives way to the steps' lines:
// the target runs through Cake's engine with a report printer that prints nothing. The engine is a protected
// member of the script host, reached here through the host behind one of its public methods; should that ever
// fail (another Cake version), the usual RunTarget runs, with Cake's report.
sealed class SilentReportPrinter : ICakeReportPrinter
{
    public void Write(CakeReport report) { }
    public void WriteLifeCycleStep(string name, Verbosity verbosity) { }
    public void WriteStep(string name, Verbosity verbosity) { }
    public void WriteSkippedStep(string name, Verbosity verbosity) { }
}

Setup(context => Console.WriteLine(
    $"Torchlet, target {target}: {string.Join(", ", context.TasksToExecute.Select(t => t.Name).Where(n => n != "Default"))}"));

var host = ((Func<string, CakeTaskBuilder>)Task).Target;
var engine = host?.GetType().GetProperty("Engine", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public |
                                                   System.Reflection.BindingFlags.NonPublic)?.GetValue(host) as ICakeEngine;
if (engine is null) RunTarget(target);
else engine.RunTargetAsync(Context, new DefaultExecutionStrategy(Context.Log, new SilentReportPrinter()), new ExecutionSettings().SetTarget(target))
    .GetAwaiter().GetResult();
