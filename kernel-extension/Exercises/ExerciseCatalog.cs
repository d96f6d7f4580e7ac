using System.Globalization;

namespace Torchlet.Interactive.Exercises;

/// <summary>
/// Every exercise of the course, chapter by chapter. A chapter is one static class with an
/// <c>Exercises</c> list (see <see cref="Chapter1Tensors"/>); adding one is one line here.
/// </summary>
public static class ExerciseCatalog
{
    /// <summary>All exercises, ordered by id (1.1, 1.2, …, 1.10, 2.1, …).</summary>
    public static IReadOnlyList<Exercise> All { get; } = Ordered(
    [
        .. Chapter1Tensors.Exercises,
        .. Chapter2Autograd.Exercises,
        .. Chapter3Modules.Exercises,
        .. Chapter4TrainValTest.Exercises,
        .. Chapter5NormInit.Exercises,
        .. Chapter6Convolution.Exercises,
        .. Chapter7Recurrent.Exercises,
        .. Chapter8Gan.Exercises,
    ]);

    /// <summary>What the <c>#!nn</c> subcommands serve: <see cref="All"/>, or a substitute in machinery tests.</summary>
    internal static IReadOnlyList<Exercise> Active { get; set; } = All;

    /// <summary>The exercise with that id, or null.</summary>
    public static Exercise? Find(string id) => Active.FirstOrDefault(e => e.Id == id);

    internal static IReadOnlyList<Exercise> Ordered(IEnumerable<Exercise> exercises) =>
        [.. exercises.OrderBy(e => Key(e.Id).chapter).ThenBy(e => Key(e.Id).number).ThenBy(e => e.Id, StringComparer.Ordinal)];

    /// <summary>(chapter, number) of an id <c>chapter.number</c>; (int.MaxValue, …) for a malformed one, which sorts last.</summary>
    internal static (int chapter, int number) Key(string id)
    {
        var parts = id.Split('.');
        return parts.Length == 2
               && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var c)
               && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? (c, n) : (int.MaxValue, int.MaxValue);
    }
}
