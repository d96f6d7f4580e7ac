// Torchlet build. Targets: Default (build + run the §2.4 demo), Build, Test, Bench.
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
    DotNetTest("./tests/Torchlet.Tests/Torchlet.Tests.csproj", new DotNetTestSettings {
        Configuration = configuration,
        NoBuild = true,
        Loggers = new[] { "trx;LogFileName=Torchlet.Tests.trx", "console;verbosity=normal" },
        ResultsDirectory = results,
    });
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
    if (passed == 0) throw new Exception("no test ran");
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
