using System.Text.RegularExpressions;
using Xunit.Abstractions;
using Torchlet.Interactive.Exercises;

namespace Torchlet.Interactive.Tests;

/// <summary>
/// Every exercise of the catalog, driven by its own data: its reference solution passes its checker, each of its
/// typical wrong answers gets its message, and on a blank notebook its checker says what is missing. A new
/// chapter is tested by its exercises' data, with no new test.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public sealed class ExerciseCatalogTests(ITestOutputHelper output) : IDisposable
{
    readonly ExerciseHarness _harness = new();
    public void Dispose() => _harness.Dispose();

    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var e in ExerciseCatalog.All) data.Add(e.Id);
        return data;
    }

    static Exercise Get(string id) => ExerciseCatalog.All.Single(e => e.Id == id);

    [Fact]
    public void Catalog_is_well_formed()
    {
        var all = ExerciseCatalog.All;
        Assert.NotEmpty(all);
        Assert.Equal(all.Count, all.Select(e => e.Id).Distinct().Count());
        foreach (var e in all)
        {
            Assert.Matches(new Regex(@"^[1-9][0-9]*\.[1-9][0-9]*$"), e.Id);
            Assert.False(string.IsNullOrWhiteSpace(e.Title), e.Id);
            Assert.Matches(new Regex(@"^\d\d-[a-z0-9-]+$"), e.Notebook);
            Assert.False(string.IsNullOrWhiteSpace(e.Statement), e.Id);
            Assert.False(string.IsNullOrWhiteSpace(e.Solution), e.Id);
            Assert.NotEmpty(e.Hints);
            Assert.True(e.WrongAnswers.Count >= 2, $"{e.Id} has {e.WrongAnswers.Count} typical wrong answers; at least 2 are needed");
            Assert.True(e.TimeLimit > TimeSpan.Zero, e.Id);
            // Backquotes come in pairs, or the HTML shows a stray one.
            foreach (var text in e.Hints.Append(e.Statement))
                Assert.True(text.Count(ch => ch == '`') % 2 == 0, $"{e.Id}: unpaired ` in \"{text}\"");
        }
        // One notebook per chapter, at least 3 exercises each.
        foreach (var chapter in all.GroupBy(e => ExerciseCatalog.Key(e.Id).chapter))
        {
            Assert.Single(chapter.Select(e => e.Notebook).Distinct());
            Assert.True(chapter.Count() >= 3, $"chapter {chapter.Key} has {chapter.Count()} exercises; at least 3 are needed");
        }
        // Ordered by (chapter, number).
        Assert.Equal(all.Select(e => ExerciseCatalog.Key(e.Id)).Order(), all.Select(e => ExerciseCatalog.Key(e.Id)));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public async Task Reference_solution_passes(string id)
    {
        var e = Get(id);
        using var nb = await ExerciseHarness.NotebookFor(e);
        (await nb.SubmitAsync(e.Solution)).AssertSucceeded();
        var verdict = await ExerciseHarness.Check(nb, id);
        Assert.StartsWith($"✓ {id} {e.Title} — correct", verdict);
        Assert.DoesNotContain("✗", verdict);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public async Task Blank_notebook_gets_a_clear_message(string id)
    {
        using var nb = await NotebookKernel.StartAsync();
        var verdict = await ExerciseHarness.Check(nb, id);
        Assert.Matches(new Regex($@"^· {Regex.Escape(id)} .* — nothing named `\w+` yet — "), verdict);
        Assert.DoesNotContain("Exception", verdict);
        // Not an attempt: the solution stays closed.
        Assert.Contains("opens after a first attempt", (await ExerciseHarness.Shown(nb, "#!nn solution " + id)).Text);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public async Task Typical_wrong_answers_get_their_message(string id)
    {
        var e = Get(id);
        Assert.True(e.WrongAnswers.Count >= 2);
        foreach (var wrong in e.WrongAnswers)
        {
            using var nb = await ExerciseHarness.NotebookFor(e);
            var cell = await nb.SubmitAsync(wrong.Code);
            Assert.True(cell.Failure is null, $"{id}: the wrong answer `{wrong.Code}` does not run: {cell.Failure?.Message}");
            var verdict = await ExerciseHarness.Check(nb, id);
            // Shown with --logger "console;verbosity=detailed": what learners read for each typical mistake.
            output.WriteLine($"{wrong.Code}\n{verdict}\n");
            Assert.DoesNotContain("— correct", verdict);
            Assert.NotEmpty(wrong.Expect);
            foreach (var fragment in wrong.Expect)
                Assert.True(verdict.Contains(fragment, StringComparison.Ordinal),
                    $"{id}: for `{wrong.Code}` the verdict should contain \"{fragment}\"; it is:\n{verdict}");
        }
    }
}
