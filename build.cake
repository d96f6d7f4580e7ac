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
