using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Torchlet.Tests;

/// <summary>
/// The C# in the READMEs, as a reader would use it: every ```csharp block of README.md (and of engine/README.md,
/// the package's readme) is the whole Program.cs of a console project (`dotnet new console`: implicit usings,
/// nullable enabled) that uses Torchlet, and must compile as written. Blocks that are not such programs, like a
/// notebook cell with #i/#r directives, carry another language tag (e.g. ```text) and are left out.
/// </summary>
public sealed class ReadmeTests
{
    static readonly string[] Readmes = ["README.md", "engine/README.md"];

    // What the SDK adds to a console project with <ImplicitUsings>enable</ImplicitUsings> (Microsoft.NET.Sdk).
    const string ImplicitUsings =
        "global using System;\nglobal using System.Collections.Generic;\nglobal using System.IO;\nglobal using System.Linq;\n" +
        "global using System.Net.Http;\nglobal using System.Threading;\nglobal using System.Threading.Tasks;\n";

    public static TheoryData<string, int> Blocks()
    {
        var data = new TheoryData<string, int>();
        foreach (var readme in Readmes)
            foreach (var block in CsharpBlocks(readme)) data.Add(readme, block.Line);
        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Csharp_block_compiles_as_a_console_program(string readme, int line)
    {
        var block = CsharpBlocks(readme).Single(b => b.Line == line);
        var parse = new CSharpParseOptions(LanguageVersion.CSharp14);
        var compilation = CSharpCompilation.Create(
            "ReadmeBlock",
            [CSharpSyntaxTree.ParseText(ImplicitUsings, parse, "GlobalUsings.g.cs"),
             CSharpSyntaxTree.ParseText(block.Code, parse, "Program.cs")],
            References(),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var pe = new MemoryStream();
        var result = compilation.Emit(pe);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count == 0) return;
        var message = new StringBuilder($"the ```csharp block at {readme}:{line} does not compile as a console program's Program.cs:\n");
        foreach (var d in errors)
        {
            var span = d.Location.GetLineSpan();
            // Program.cs line 1 is the line after the fence.
            string where = span.Path == "Program.cs" ? $"{readme}:{line + 1 + span.StartLinePosition.Line}:{span.StartLinePosition.Character + 1}"
                                                     : $"{readme}:{line}";   // the whole block (e.g. no entry point)
            message.Append(CultureInfo.InvariantCulture, $"  {where}: {d.Id}: {d.GetMessage(CultureInfo.InvariantCulture)}\n");
        }
        Assert.Fail(message.ToString());
    }

    [Fact]
    public void The_readmes_have_csharp_blocks()
    {
        // Guards the extraction: a changed fence style must not leave the compile test with nothing to check.
        Assert.True(CsharpBlocks("README.md").Count >= 2, "README.md: expected at least two ```csharp blocks");
        Assert.NotEmpty(CsharpBlocks("engine/README.md"));
    }

    [Fact]
    public void The_demo_runs_the_readme_s_first_example_as_written()
    {
        // ./build.sh runs the demo: its §2.4 loop must be the README's, so both print the same numbers.
        var first = CsharpBlocks("README.md")[0].Code;
        var demo = Normalize(File.ReadAllText(Path.Combine(Root, "tests/Torchlet.Demo/Program.cs")));
        Assert.True(demo.Contains(first, StringComparison.Ordinal),
            "tests/Torchlet.Demo/Program.cs must contain README.md's first ```csharp block verbatim:\n" + first);
    }

    sealed record Block(int Line, string Code);

    // The ```csharp blocks of a markdown file, each with the 1-based line number of its opening fence.
    static List<Block> CsharpBlocks(string readme)
    {
        var lines = Normalize(File.ReadAllText(Path.Combine(Root, readme))).Split('\n');
        var blocks = new List<Block>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimEnd() != "```csharp") continue;
            int start = i + 1, end = start;
            while (end < lines.Length && !lines[end].StartsWith("```", StringComparison.Ordinal)) end++;
            if (end == lines.Length) throw new InvalidOperationException($"{readme}:{i + 1}: the ```csharp block is not closed");
            blocks.Add(new Block(i + 1, string.Join('\n', lines[start..end]) + "\n"));
            i = end;
        }
        return blocks;
    }

    static string Normalize(string text) => text.Replace("\r\n", "\n");

    static IEnumerable<MetadataReference> References()
    {
        // The test host's trusted platform assemblies: the .NET runtime, and this test's dependencies, which
        // include the engine and its packages, as a console project referencing Torchlet would have them.
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).ToHashSet();
        paths.Add(typeof(Tensor).Assembly.Location);
        return paths.Select(p => MetadataReference.CreateFromFile(p));
    }

    static string Root { get; } = FindRoot();

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Notebook.sln")) && File.Exists(Path.Combine(dir.FullName, "README.md")))
                return dir.FullName;
        throw new InvalidOperationException("the repository root (Notebook.sln, README.md) is not above " + AppContext.BaseDirectory);
    }
}
