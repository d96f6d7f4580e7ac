// Torchlet build. Targets: Default (build + run the demo), Build, Test, Pack, Bench.
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

// A real notebook client (dotnet-repl, a local tool) runs tests/RealClient/smoke.dib against the packages
// just packed: it loads them with #i/#r from artifacts/feed, runs every #!nn subcommand and a formatter.
// Every cell must succeed and show what it is expected to show. The executed notebook is kept.
void RunRealClient()
{
    var feed = artifacts.Combine("feed");
    var version = System.IO.File.ReadAllText(feed.CombineWithFilePath("version.txt").FullPath).Trim();
    var dir = artifacts.Combine("real-client");
    CleanDirectory(dir);
    var dib = dir.CombineWithFilePath("smoke.dib").FullPath;
    var ipynb = dir.CombineWithFilePath("smoke.ipynb").FullPath;
    System.IO.File.WriteAllText(dib, System.IO.File.ReadAllText("./tests/RealClient/smoke.dib")
        .Replace("{{FEED}}", feed.FullPath).Replace("{{VERSION}}", version));
    int exit = StartProcess("dotnet", new ProcessSettings {
        Arguments = new ProcessArgumentBuilder().Append("tool").Append("run").Append("dotnet-repl").Append("--")
            .Append("--run").AppendQuoted(dib).Append("--exit-after-run").Append("--output-path").AppendQuoted(ipynb),
    });
    if (!System.IO.File.Exists(ipynb)) throw new Exception($"dotnet-repl wrote no notebook (exit code {exit})");

    // What each cell of smoke.dib must show, in order.
    var expected = new[] { "loaded", "", "[4, 10]", "<svg", "= 26", "Plotly.newPlot", "data:image/png;base64", "Plotly.newPlot",
                           "<svg", "manual_seed(1)", "set_num_threads(2)", "SIMD", "[3, 4]" };
    using var doc = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(ipynb));
    var cells = doc.RootElement.GetProperty("cells").EnumerateArray().ToList();
    var problems = new List<string>();
    if (cells.Count != expected.Length) problems.Add($"expected {expected.Length} cells, the executed notebook has {cells.Count}");
    for (int i = 0; i < Math.Min(cells.Count, expected.Length); i++)
    {
        var outputs = cells[i].TryGetProperty("outputs", out var o) ? o.EnumerateArray().ToList() : new List<System.Text.Json.JsonElement>();
        foreach (var e in outputs.Where(x => x.GetProperty("output_type").GetString() == "error"))
            problems.Add($"cell {i} failed: {e.GetProperty("ename").GetString()}: {e.GetProperty("evalue").GetString()}");
        var text = string.Concat(outputs.Select(x => x.GetRawText()));
        var want = System.Text.Json.JsonEncodedText.Encode(expected[i]).ToString();
        if (expected[i].Length > 0 && !text.Contains(expected[i]) && !text.Contains(want))
            problems.Add($"cell {i} does not show \"{expected[i]}\"");
    }
    if (exit != 0 && problems.Count == 0) problems.Add($"dotnet-repl exited with {exit}");
    if (problems.Count > 0) throw new Exception("real-client test failed:\n  " + string.Join("\n  ", problems));
    System.Console.WriteLine($"real client (dotnet-repl): {cells.Count} cells ran, 0 failed; executed notebook in {ipynb}");
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

Task("Default").IsDependentOn("Demo");

RunTarget(target);
