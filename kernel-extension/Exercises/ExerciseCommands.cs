using Torchlet.Interactive.Directives;

namespace Torchlet.Interactive.Exercises;

/// <summary>
/// <c>#!nn exercise list|ID</c>, <c>#!nn check ID</c>, <c>#!nn hint ID</c>, <c>#!nn solution ID</c>. A verdict, a refusal
/// to show a solution yet, or a note about the progress file is ordinary output; only a misuse of the command
/// (no id, an unknown id) fails the cell.
/// </summary>
internal static class ExerciseCommands
{
    public sealed class ExerciseCommand : NnCommand { public string? What { get; set; } }
    public sealed class CheckCommand : NnCommand { public string? Id { get; set; } }
    public sealed class HintCommand : NnCommand { public string? Id { get; set; } }
    public sealed class SolutionCommand : NnCommand { public string? Id { get; set; } }

    public static IEnumerable<NnSubcommand> All() =>
    [
        NnSubcommand.Create<ExerciseCommand>("exercise",
            "The course's exercises: list shows them all with your progress; an id shows that exercise",
            ["#!nn exercise list", "#!nn exercise 1.1"],
            [new("what", "list (the default), or an exercise id such as 1.1", Implicit: true)],
            (c, _) =>
            {
                var notes = new List<string>();
                var store = ProgressStore.ForCurrentUser();
                if (c.What is null or "list")
                    return ExerciseViews.List(ExerciseCatalog.Active, store.Load(notes), store.Path, notes);
                if (ExerciseCatalog.Find(c.What) is { } e)
                    return ExerciseViews.Statement(e, store.Load(notes).Of(e.Id), notes);
                throw new NnCommandException($"expected list or an exercise id, got '{c.What}'; " + Known());
            }),
        NnSubcommand.Create<CheckCommand>("check",
            "Checks your answer to an exercise (your variables in the C# kernel) and says what is right and what is not yet",
            ["#!nn check 1.1"],
            [new("id", "the exercise id, e.g. 1.1", Implicit: true)],
            (c, ctx) =>
            {
                var e = Resolve(c.Id, "check");
                var csharp = ctx.CSharpKernel ?? throw new NnCommandException("no C# kernel found: checkers read your variables from the C# kernel");
                var verdict = ExerciseRunner.Check(e, new KernelVariables(csharp));
                var notes = new List<string>();
                if (verdict.Kind != VerdictKind.Missing)
                {
                    var now = DateTimeOffset.UtcNow;
                    ProgressStore.ForCurrentUser().Update(d =>
                    {
                        var p = d.Edit(e.Id);
                        p.Attempts++;
                        p.LastAttempt = now;
                        if (verdict.Kind == VerdictKind.Correct && !p.Solved) { p.Solved = true; p.SolvedAt = now; }
                    }, notes);
                }
                return ExerciseViews.Verdict(verdict, notes);
            }),
        NnSubcommand.Create<HintCommand>("hint",
            "The next hint for an exercise (one more each time)",
            ["#!nn hint 1.1"],
            [new("id", "the exercise id, e.g. 1.1", Implicit: true)],
            (c, _) =>
            {
                var e = Resolve(c.Id, "hint");
                var notes = new List<string>();
                if (e.Hints.Count == 0) return ExerciseViews.Hint(e, 0, notes);
                int next = 0;
                ProgressStore.ForCurrentUser().Update(d =>
                {
                    var p = d.Edit(e.Id);
                    next = Math.Min(p.HintsShown, e.Hints.Count) + 1;
                    if (next <= e.Hints.Count) p.HintsShown = next;
                }, notes);
                return ExerciseViews.Hint(e, next, notes);
            }),
        NnSubcommand.Create<SolutionCommand>("solution",
            "A reference solution of an exercise, once you have made an attempt (run #!nn check first)",
            ["#!nn solution 1.1"],
            [new("id", "the exercise id, e.g. 1.1", Implicit: true)],
            (c, _) =>
            {
                var e = Resolve(c.Id, "solution");
                var notes = new List<string>();
                var store = ProgressStore.ForCurrentUser();
                var p = store.Load(notes).Of(e.Id);
                if (p.Attempts == 0 && !p.Solved) return ExerciseViews.SolutionLocked(e, p, notes);
                store.Update(d => d.Edit(e.Id).SolutionShown = true, notes);
                return ExerciseViews.Solution(e, notes);
            }),
    ];

    static Exercise Resolve(string? id, string subcommand)
    {
        if (string.IsNullOrWhiteSpace(id))
            throw new NnCommandException($"expected an exercise id, e.g. #!nn {subcommand} 1.1; " + Known());
        return ExerciseCatalog.Find(id.Trim())
               ?? throw new NnCommandException($"unknown exercise '{id}'; " + Known());
    }

    static string Known() =>
        ExerciseCatalog.Active.Count == 0
            ? "there are no exercises yet"
            : "exercises: " + string.Join(", ", ExerciseCatalog.Active.Select(e => e.Id)) + " (#!nn exercise list shows them)";
}
