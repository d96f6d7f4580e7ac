using Torchlet.Interactive.Exercises;

namespace Torchlet.Interactive.Tests;

/// <summary>
/// Answers other than the reference solution that a checker must accept: what a statement invites learners to
/// try (writing through a view), or an equivalent way to write the same computation.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public sealed class ExerciseOtherRightAnswersTests : IDisposable
{
    readonly ExerciseHarness _harness = new();
    public void Dispose() => _harness.Dispose();

    static async Task<string> Verdict(string id, string code)
    {
        var e = ExerciseCatalog.All.Single(x => x.Id == id);
        using var nb = await ExerciseHarness.NotebookFor(e);
        (await nb.SubmitAsync(code)).AssertSucceeded();
        return await ExerciseHarness.Check(nb, id);
    }

    static void AssertCorrect(string id, string verdict)
    {
        Assert.StartsWith($"✓ {id} ", verdict);
        Assert.Contains("— correct", verdict);
        Assert.DoesNotContain("✗", verdict);
    }

    [Fact]
    public async Task Views_written_through_still_pass_1_3()
    {
        var verdict = await Verdict("1.3", """
            var x = arange(12);
            var m = x.reshape(3, 4);
            var b = m.unsqueeze(0);
            var s = b.squeeze();
            m[0, 0] = tensor(100);
            s[2, 3] = tensor(-1);
            """);
        AssertCorrect("1.3", verdict);
        Assert.Contains("`x` no longer holds 0, 1, …, 11", verdict);
    }

    [Fact]
    public async Task View_made_by_view_passes_1_3()
    {
        AssertCorrect("1.3", await Verdict("1.3", "var x = arange(12); var m = x.view(3, 4); var b = x.view(1, 3, 4); var s = b.squeeze(0);"));
    }

    [Fact]
    public async Task Step_with_the_gradient_read_into_a_variable_passes_2_2()
    {
        AssertCorrect("2.2", await Verdict("2.2", """
            var w = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
            (-w.cos().pow(2).sum().pow(2)).backward();
            var step = 0.1 * w.grad;
            using (no_grad()) { w.sub_(step); }
            """));
    }

    [Fact]
    public async Task Adam_with_f_written_otherwise_and_more_steps_passes_2_4()
    {
        AssertCorrect("2.4", await Verdict("2.4", """
            var x_adam = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
            var adam = optim.Adam(new[] { x_adam }, lr: 0.1);
            for (int step = 0; step < 300; step++)
            {
                adam.zero_grad();
                var c2 = x_adam.cos() * x_adam.cos();
                var f = -(c2.sum() * c2.sum());
                f.backward();
                adam.step();
            }
            """));
    }
}
