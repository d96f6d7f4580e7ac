namespace Torchlet.Interactive.Exercises;

/// <summary>
/// One exercise of the course: what the notebook shows (statement, hints, solution) and the checker that
/// <c>#!nn check ID</c> runs on the learner's variables. Chapters declare theirs in one static class each
/// (<c>Chapter1Tensors</c>, …) listed by <see cref="ExerciseCatalog"/>.
/// </summary>
/// <remarks>
/// Text fields (statement, hints, checker messages) are plain text in which <c>`code`</c> spans are shown as
/// code in HTML and kept as written in text/plain.
/// </remarks>
public sealed record Exercise
{
    /// <summary><c>chapter.number</c>, e.g. <c>1.1</c>.</summary>
    public required string Id { get; init; }

    /// <summary>A short title for the exercise list.</summary>
    public required string Title { get; init; }

    /// <summary>The notebook that poses it, without extension, e.g. <c>01-tensors</c>.</summary>
    public required string Notebook { get; init; }

    /// <summary>One paragraph: what to define, with which names and types (<c>#!nn exercise ID</c> shows it).</summary>
    public required string Statement { get; init; }

    /// <summary>Hints from gentle to nearly the answer; <c>#!nn hint ID</c> shows the next one each time.</summary>
    public IReadOnlyList<string> Hints { get; init; } = [];

    /// <summary>A reference solution: C# the learner could paste into the answer cell (after <see cref="Setup"/>).</summary>
    public required string Solution { get; init; }

    /// <summary>
    /// Code the notebook runs before the learner's cell (given data, a model to inspect), or null. The checker
    /// reads what it defines with <see cref="ExerciseContext.Given{T}"/>.
    /// </summary>
    public string? Setup { get; init; }

    /// <summary>
    /// The checker: reads the learner's variables through the context and records what is right and wrong with
    /// its <c>Expect…</c> helpers. It never needs to catch anything: a missing variable, a wrong type, an exception
    /// or a time-out of the learner's code ends the check with a clear verdict.
    /// </summary>
    public required Action<ExerciseContext> Check { get; init; }

    /// <summary>
    /// How long one call of the learner's code (<see cref="ExerciseContext.Call{T}(string, Func{T})"/>) may take; the
    /// whole check may take 4 × this + 2 s (training exercises set it to what a reasonable training run needs).
    /// </summary>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Typical wrong answers and fragments of the verdict each must get. Not shown to learners: the test suite
    /// submits each one (after <see cref="Setup"/>) and checks that the checker rejects it with that message.
    /// At least two per exercise.
    /// </summary>
    public IReadOnlyList<WrongAnswer> WrongAnswers { get; init; } = [];
}

/// <summary>A typical wrong answer (C# for the answer cell) and fragments of the text its verdict must contain.</summary>
public sealed record WrongAnswer(string Code, params string[] Expect);
