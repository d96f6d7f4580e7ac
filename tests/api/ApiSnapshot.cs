using PublicApiGenerator;
using Xunit;

namespace Torchlet.ApiCheck;

/// <summary>Compares an assembly's public API with its snapshot in tests/api/ (compiled into both test projects).</summary>
public static class ApiSnapshot
{
    public static void Check(System.Reflection.Assembly assembly, string fileName)
    {
        var actual = assembly.GeneratePublicApi(new ApiGeneratorOptions
        {
            IncludeAssemblyAttributes = false,   // version and build attributes change with every pack
        }).ReplaceLineEndings("\n") + "\n";
        var path = Path.Combine(RepositoryRoot(), "tests", "api", fileName);
        if (Environment.GetEnvironmentVariable("TORCHLET_UPDATE_API") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"no API snapshot at {path}: run the tests once with TORCHLET_UPDATE_API=1 and commit the file");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (expected == actual) return;
        var received = path + ".received";
        File.WriteAllText(received, actual);
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        int first = 0;
        while (first < Math.Min(expectedLines.Length, actualLines.Length) && expectedLines[first] == actualLines[first]) first++;
        Assert.Fail($"the public API of {assembly.GetName().Name} differs from {path} from line {first + 1}:\n" +
                    $"  snapshot: {(first < expectedLines.Length ? expectedLines[first].Trim() : "(end)")}\n" +
                    $"  now:      {(first < actualLines.Length ? actualLines[first].Trim() : "(end)")}\n" +
                    $"The whole API now is in {received}. If the change is intended, run the tests with TORCHLET_UPDATE_API=1 " +
                    "and commit the snapshot, so that the diff shows it.");
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Notebook.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Notebook.sln above {AppContext.BaseDirectory}");
    }
}
