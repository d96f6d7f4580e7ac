// Torchlet build. Targets: Default (build, run the demo, pack, execute the tour notebook), Build, Test, Pack, Tour, RealClientTest, Bench.
var target = Argument("target", "Default");
var configuration = Argument("configuration", "Release");
var solution = "./Notebook.sln";
var artifacts = MakeAbsolute(Directory("./artifacts"));

Task("Build")
    .Does(() =>
{
    DotNetBuild(solution, new DotNetBuildSettings { Configuration = configuration });
});

Task("Demo")
    .IsDependentOn("Build")
    .Does(() =>
{
    DotNetRun("./tests/Torchlet.Demo/Torchlet.Demo.csproj", new DotNetRunSettings {
        Configuration = configuration, NoBuild = true });
});

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
        try
        {
            DotNetTest($"./tests/{suite}/{suite}.csproj", new DotNetTestSettings {
                Configuration = configuration,
                NoBuild = true,
                Loggers = new[] { $"trx;LogFileName={suite}.trx", "console;verbosity=normal" },
                ResultsDirectory = results,
            });
        }
        catch (Exception e) { failures.Add($"{suite}: {e.Message}"); }
    }
    try { RunRealClient(); }
    catch (Exception e) { failures.Add(e.Message); }
    // One plain closing line, read the same way whatever the runner prints above it.
    int passed = 0, failed = 0, skipped = 0;
    foreach (var trx in GetFiles(results.FullPath + "/*.trx"))
    {
        var text = System.IO.File.ReadAllText(trx.FullPath);
        var m = System.Text.RegularExpressions.Regex.Match(text, "<Counters [^>]*>");
        int Get(string name) {
            var a = System.Text.RegularExpressions.Regex.Match(m.Value, name + "=\"(\\d+)\"");
            return a.Success ? int.Parse(a.Groups[1].Value) : 0;
        }
        passed += Get("passed"); failed += Get("failed"); skipped += Get("notExecuted");
    }
    System.Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");   // plain: Information() colours the numbers
    if (failures.Count > 0) throw new Exception("test suites failed: " + string.Join("; ", failures));
    if (passed == 0) throw new Exception("no test ran");
});

// Packs the engine and the notebook extension into artifacts/feed with one version that changes on
// every build (NuGet caches packages by id+version, so a notebook would otherwise load the old one).
// Pack builds itself: --no-build would keep the previous version inside the DLLs.
Task("Pack")
    .Does(() =>
{
    var feed = artifacts.Combine("feed");
    var version = Argument("packageVersion", $"0.1.0-dev.{DateTime.UtcNow:yyyyMMddHHmmss}");
    EnsureDirectoryExists(feed);
    var settings = new DotNetPackSettings {
        Configuration = configuration,
        OutputDirectory = feed,
        MSBuildSettings = new DotNetMSBuildSettings().WithProperty("Version", version),
    };
    DotNetPack("./engine/Torchlet.csproj", settings);
    DotNetPack("./kernel-extension/Torchlet.Interactive.csproj", settings);
    System.IO.File.WriteAllText(feed.CombineWithFilePath("version.txt").FullPath, version);
    Information($"Packed Torchlet and Torchlet.Interactive {version} into {feed}");
});

// Real notebook clients run tests/RealClient/smoke.dib against the packages just packed: it loads them with
// #i/#r from artifacts/feed and runs every #!nn subcommand and a formatter. Two clients: dotnet-repl (a local
// tool), and Jupyter's nbconvert (Debian's jupyter-nbconvert, which .ci/run installs) with the .NET kernel
// of dotnet-interactive (a local tool, registered with `jupyter install`). Every cell must succeed and show
// what it is expected to show. The executed notebooks and an HTML rendering are kept in artifacts/real-client.
void RunRealClient()
{
    var feed = artifacts.Combine("feed");
    var version = System.IO.File.ReadAllText(feed.CombineWithFilePath("version.txt").FullPath).Trim();
    var dir = artifacts.Combine("real-client");
    CleanDirectory(dir);
    var dib = dir.CombineWithFilePath("smoke.dib").FullPath;
    var text = System.IO.File.ReadAllText("./tests/RealClient/smoke.dib").Replace("{{FEED}}", feed.FullPath).Replace("{{VERSION}}", version);
    System.IO.File.WriteAllText(dib, text);

    // dotnet-repl runs the .dib directly.
    var replOut = dir.CombineWithFilePath("smoke.repl.ipynb").FullPath;
    int exit = StartProcess("dotnet", new ProcessSettings {
        Arguments = new ProcessArgumentBuilder().Append("tool").Append("run").Append("dotnet-repl").Append("--")
            .Append("--run").AppendQuoted(dib).Append("--exit-after-run").Append("--output-path").AppendQuoted(replOut),
    });
    CheckExecutedNotebook(replOut, "dotnet-repl", exit);

    // Jupyter: the same cells as an .ipynb for the .net-csharp kernel, executed by nbconvert from inside the
    // repository (so `dotnet interactive` resolves the local tool), then rendered to HTML.
    RequireJupyter();
    var cells = System.Text.RegularExpressions.Regex.Split(text, @"^#!csharp\s*$", System.Text.RegularExpressions.RegexOptions.Multiline).Skip(1)
        .Select((c, i) => new Dictionary<string, object?> { ["id"] = $"smoke-{i:00}", ["cell_type"] = "code", ["execution_count"] = null, ["metadata"] = new Dictionary<string, object>(),
                                                        ["outputs"] = new object[0], ["source"] = c.Trim('\n', '\r') }).ToList();
    var notebook = new Dictionary<string, object> {
        ["cells"] = cells, ["nbformat"] = 4, ["nbformat_minor"] = 5,
        ["metadata"] = new Dictionary<string, object> {
            ["kernelspec"] = new Dictionary<string, string> { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
            ["language_info"] = new Dictionary<string, string> { ["name"] = "C#" } } };
    var jupyterIn = dir.CombineWithFilePath("smoke.ipynb").FullPath;
    System.IO.File.WriteAllText(jupyterIn, System.Text.Json.JsonSerializer.Serialize(notebook));
    var jupyterOut = dir.CombineWithFilePath("smoke.jupyter.ipynb").FullPath;
    exit = StartProcess("jupyter", new ProcessSettings {
        WorkingDirectory = dir,
        Arguments = new ProcessArgumentBuilder().Append("nbconvert").Append("--to").Append("notebook").Append("--execute")
            .Append("--ExecutePreprocessor.timeout=600").Append("--output").AppendQuoted(jupyterOut).AppendQuoted(jupyterIn),
    });
    CheckExecutedNotebook(jupyterOut, "Jupyter nbconvert", exit);
    StartProcess("jupyter", new ProcessSettings { WorkingDirectory = dir,
        Arguments = new ProcessArgumentBuilder().Append("nbconvert").Append("--to").Append("html").AppendQuoted(jupyterOut) });
}

// What each cell of smoke.dib must show, in order; no cell may have failed.
void CheckExecutedNotebook(string ipynb, string client, int exit)
{
    if (!System.IO.File.Exists(ipynb)) throw new Exception($"{client} wrote no notebook (exit code {exit})");
    var expected = new[] { "loaded", "", "[4, 10]", "<svg", "= 26", "Plotly.newPlot", "data:image/png;base64", "Plotly.newPlot",
                           "<svg", "manual_seed(1)", "set_num_threads(2)", "SIMD", "[3, 4]", "#!nn summary net --input 64,1,28,28" };
    using var doc = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(ipynb));
    var cells = doc.RootElement.GetProperty("cells").EnumerateArray().ToList();
    var problems = new List<string>();
    if (cells.Count != expected.Length) problems.Add($"expected {expected.Length} cells, the executed notebook has {cells.Count}");
    for (int i = 0; i < Math.Min(cells.Count, expected.Length); i++)
    {
        var outputs = cells[i].TryGetProperty("outputs", out var o) ? o.EnumerateArray().ToList() : new List<System.Text.Json.JsonElement>();
        foreach (var e in outputs.Where(x => x.GetProperty("output_type").GetString() == "error"))
            problems.Add($"cell {i} failed: {e.GetProperty("ename").GetString()}: {e.GetProperty("evalue").GetString()}");
        var shown = string.Concat(outputs.Select(x => x.GetRawText()));
        var want = System.Text.Json.JsonEncodedText.Encode(expected[i]).ToString();
        if (expected[i].Length > 0 && !shown.Contains(expected[i]) && !shown.Contains(want))
            problems.Add($"cell {i} does not show \"{expected[i]}\"");
    }
    if (exit != 0 && problems.Count == 0) problems.Add($"{client} exited with {exit}");
    if (problems.Count > 0) throw new Exception($"real-client test ({client}) failed:\n  " + string.Join("\n  ", problems));
    System.Console.WriteLine($"real client ({client}): {cells.Count} cells ran, 0 failed; executed notebook in {ipynb}");
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

// The tour (notebooks/00-tour.ipynb) against the packages just packed, executed headlessly by Jupyter's
// nbconvert with the .net-csharp kernel; the executed notebook and its HTML rendering go to artifacts/tour.
Task("Tour")
    .IsDependentOn("Pack")
    .Does(() =>
{
    var feed = artifacts.Combine("feed");
    var version = System.IO.File.ReadAllText(feed.CombineWithFilePath("version.txt").FullPath).Trim();
    var dir = artifacts.Combine("tour");
    CleanDirectory(dir);
    RequireJupyter();
    var input = dir.CombineWithFilePath("00-tour.ipynb").FullPath;
    // The placeholders sit inside JSON strings: the feed path is written JSON-escaped.
    var feedJson = System.Text.Json.JsonEncodedText.Encode(feed.FullPath).ToString();
    System.IO.File.WriteAllText(input, System.IO.File.ReadAllText("./notebooks/00-tour.ipynb").Replace("{{FEED}}", feedJson).Replace("{{VERSION}}", version));
    var output = dir.CombineWithFilePath("00-tour.executed.ipynb").FullPath;
    int exit = StartProcess("jupyter", new ProcessSettings {
        WorkingDirectory = dir,
        Arguments = new ProcessArgumentBuilder().Append("nbconvert").Append("--to").Append("notebook").Append("--execute")
            .Append("--ExecutePreprocessor.timeout=600").Append("--output").AppendQuoted(output).AppendQuoted(input),
    });
    if (!System.IO.File.Exists(output)) throw new Exception($"the tour did not run (nbconvert exit code {exit})");
    using (var doc = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(output)))
    {
        var errors = doc.RootElement.GetProperty("cells").EnumerateArray().Select((c, i) => (c, i))
            .SelectMany(x => x.c.TryGetProperty("outputs", out var o) ? o.EnumerateArray().Where(e => e.GetProperty("output_type").GetString() == "error")
                .Select(e => $"cell {x.i}: {e.GetProperty("ename").GetString()}: {e.GetProperty("evalue").GetString()}") : Enumerable.Empty<string>()).ToList();
        if (errors.Count > 0 || exit != 0) throw new Exception("the tour failed:\n  " + string.Join("\n  ", errors.DefaultIfEmpty($"nbconvert exited with {exit}")));
    }
    StartProcess("jupyter", new ProcessSettings { WorkingDirectory = dir,
        Arguments = new ProcessArgumentBuilder().Append("nbconvert").Append("--to").Append("html").AppendQuoted(output) });
    System.Console.WriteLine($"tour: executed without errors; {output} and its .html");
});

void RequireJupyter()
{
    if (StartProcess("jupyter", new ProcessSettings { Arguments = "--version", RedirectStandardOutput = true }) != 0)
        throw new Exception("Jupyter is not installed: apt-get install -y jupyter-nbconvert python3-nbclient python3-ipykernel jupyter-client (.ci/run does this)");
    if (StartProcess("dotnet", new ProcessSettings { Arguments = "tool run dotnet-interactive -- jupyter install", RedirectStandardOutput = true }) != 0)
        throw new Exception("dotnet-interactive could not register its Jupyter kernels");
}

Task("Default").IsDependentOn("Demo").IsDependentOn("Tour");

RunTarget(target);
