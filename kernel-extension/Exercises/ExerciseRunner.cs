using Microsoft.CodeAnalysis;
using Microsoft.DotNet.Interactive.CSharp;

namespace Torchlet.Interactive.Exercises;

/// <summary>Runs an exercise's checker and turns whatever happens into a <see cref="Verdict"/>: it never throws.</summary>
internal static class ExerciseRunner
{
    /// <summary>
    /// How long a whole check may take: its learner calls are limited one by one (<see cref="Exercise.TimeLimit"/>);
    /// this catches the rest (learner code a checker runs without <see cref="ExerciseContext.Call{T}(string, Func{T})"/>).
    /// </summary>
    public static TimeSpan CheckLimit(Exercise e) => e.TimeLimit * 4 + TimeSpan.FromSeconds(2);

    public static Verdict Check(Exercise exercise, IVariableSource variables)
    {
        var context = new ExerciseContext(exercise, variables);
        var lines = new List<VerdictLine>();
        bool missing = false;
        // A check leaves the notebook's random numbers as they were (a learner's function may draw from the
        // default generator).
        var rng = torch.get_rng_state();
        Exception? ended = null;
        // The checker runs on a thread of its own, so that nothing it runs can hold the kernel beyond the limit.
        var thread = new Thread(() =>
        {
            try { exercise.Check(context); }
            catch (Exception e) { ended = e; }
        }, 16 * 1024 * 1024) { IsBackground = true, Name = $"Torchlet check {exercise.Id}" };
        thread.Start();
        bool finished = thread.Join(CheckLimit(exercise));
        torch.set_rng_state(rng);
        switch (finished ? ended : new TimeoutException())
        {
            case null: break;
            case TimeoutException when !finished:
                lines.Add(new(VerdictLineKind.Wrong, $"the check did not finish within {CheckLimit(exercise).TotalSeconds:0.#} s " +
                    "(something it ran does not return; it keeps running in the background)"));
                break;
            case CheckStopped stop:
                missing = stop.Missing;
                lines.Add(new(VerdictLineKind.Wrong, stop.Message));
                break;
            case var e:
                // The checker itself failed on what it found (an engine error on the learner's tensor, or a checker
                // bug): still a verdict, with the error, and the next cell runs.
                lines.Add(new(VerdictLineKind.Wrong, $"the check stopped at an error: {e.GetType().Name}: {e.Message}"));
                break;
        }
        // The checklist in the order the checker went; the line that ended the check (if any) last.
        lines.InsertRange(0, context.Lines);
        var kind = !lines.Any(l => l.Kind == VerdictLineKind.Wrong) ? VerdictKind.Correct
                 : missing && !context.FoundAny ? VerdictKind.Missing
                 : VerdictKind.NotYet;
        if (kind == VerdictKind.Missing)
            lines = [.. lines.Where(l => l.Kind == VerdictLineKind.Wrong)];   // nothing of the learner's to list
        return new Verdict(exercise, kind, lines);
    }
}

/// <summary>The C# kernel's variables.</summary>
internal sealed class KernelVariables(CSharpKernel kernel) : IVariableSource
{
    public bool TryGet(string name, out object? value)
    {
        if (kernel.TryGetValue<object>(name, out var v)) { value = v; return true; }
        value = null;
        return false;
    }

    public IEnumerable<string> Names() =>
        kernel.ScriptState?.Variables.Select(v => v.Name).Distinct() ?? [];

    public bool IsMethod(string name)
    {
        // Methods declared in cells are members of the submissions' classes: look through every cell's compilation.
        // Only a better message depends on it, so any failure here means "no".
        try
        {
            for (var c = kernel.ScriptState?.Script.GetCompilation(); c is not null; c = c.ScriptCompilationInfo?.PreviousScriptCompilation)
                if (c.GetSymbolsWithName(name, SymbolFilter.Member).Any(s => s is IMethodSymbol { MethodKind: MethodKind.Ordinary }))
                    return true;
        }
        catch (Exception) { }
        return false;
    }
}
