using Torchlet.Interactive.Exercises;

namespace Torchlet.Interactive.Tests;

/// <summary>
/// The checker helpers' messages, on variables given directly (no kernel): what chapter authors can rely on.
/// In the global-state collection because a check saves and restores the default generator's state.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public sealed class ExerciseContextTests
{
    sealed class Variables(Dictionary<string, object?> values) : IVariableSource
    {
        public bool TryGet(string name, out object? value) => values.TryGetValue(name, out value);
        public IEnumerable<string> Names() => values.Keys;
    }

    static Verdict Check(Action<ExerciseContext> check, Dictionary<string, object?> variables, TimeSpan? limit = null) =>
        ExerciseRunner.Check(new Exercise
        {
            Id = "0.1", Title = "Helpers", Notebook = "00-test", Statement = "—", Solution = "—", Check = check,
            TimeLimit = limit ?? TimeSpan.FromSeconds(10),
        }, new Variables(variables));

    static string Wrong(Verdict v) => Assert.Single(v.Wrong);

    [Fact]
    public void ExpectClose_says_where_and_by_how_much()
    {
        var y = torch.tensor(new float[,] { { 0.1f, 0.2f, 0.3f }, { 0.4f, 0.5f, 0.73f } });
        var expected = torch.tensor(new float[,] { { 0.1f, 0.2f, 0.3f }, { 0.4f, 0.5f, 0.5f } });
        var v = Check(c => c.ExpectClose(c.Tensor("y"), "y", expected), new() { ["y"] = y });
        Assert.Equal(VerdictKind.NotYet, v.Kind);
        Assert.Equal("`y[1, 2]` is 0.73, expected 0.5 (off by 0.23); 1 of 6 values differ", Wrong(v));

        // Within float32 tolerance passes; the largest difference is the one reported.
        var v2 = Check(c => c.ExpectClose(c.Tensor("y"), "y", y + 1e-7f), new() { ["y"] = y });
        Assert.Equal(VerdictKind.Correct, v2.Kind);
        Assert.Equal("`y` is [[0.1, 0.2, 0.3], [0.4, 0.5, 0.73]]", Assert.Single(v2.Right));
        var v3 = Check(c => c.ExpectClose(c.Tensor("y"), "y", torch.tensor(new float[] { 1, 2, 3 })), new() { ["y"] = torch.tensor(new float[] { 1, 5, float.NaN }) });
        Assert.Equal("`y[2]` is nan, expected 3; 2 of 3 values differ", Wrong(v3));
        var v4 = Check(c => c.ExpectClose(c.Tensor("y"), "y", torch.zeros(2, 3)), new() { ["y"] = torch.zeros(3, 2) });
        Assert.Equal("`y` has shape [3, 2], expected [2, 3]", Wrong(v4));
        var v5 = Check(c => c.ExpectClose(c.Value<double>("lr"), "lr", 0.01), new() { ["lr"] = 0.1 });
        Assert.Equal("`lr` is 0.1, expected 0.01 (off by 0.09)", Wrong(v5));
    }

    [Fact]
    public void ExpectEqual_is_exact_and_a_scalar_has_no_index()
    {
        var v = Check(c => c.ExpectEqual(c.Tensor("n"), "n", torch.tensor(3L)), new() { ["n"] = torch.tensor(4L) });
        Assert.Equal("`n` is 4, expected 3 (off by 1)", Wrong(v));
        var ok = Check(c => c.ExpectEqual(c.Tensor("n"), "n", torch.tensor(3L)), new() { ["n"] = torch.tensor(3L) });
        Assert.Equal("`n` is 3", Assert.Single(ok.Right));
    }

    [Fact]
    public void Shapes_dtypes_gradients_and_storage()
    {
        var x = torch.arange(6.0);
        var vars = new Dictionary<string, object?> { ["x"] = x, ["v"] = x.view(2, 3), ["c"] = x.clone(), ["w"] = torch.ones(3) };
        var v = Check(c =>
        {
            c.ExpectShape(c.Tensor("v"), "v", 2, 3);
            c.ExpectDtype(c.Tensor("v"), "v", torch.float32);
            c.ExpectSameStorage(c.Tensor("v"), "v", c.Tensor("x"), "x");
            c.ExpectSameStorage(c.Tensor("c"), "c", c.Tensor("x"), "x");
            c.ExpectRequiresGrad(c.Tensor("w"), "w");
        }, vars);
        Assert.Equal(VerdictKind.NotYet, v.Kind);
        Assert.Equal(["`v` has shape [2, 3]", "`v` has dtype torch.float32", "`v` shares `x`'s storage (a view: writing to one changes the other)"], v.Right);
        Assert.Equal(["`c` does not share `x`'s storage: it is a copy, so writing to `c` would not change `x`",
                      "`w` does not require grad: create it with `requires_grad: true` (or call `w.requires_grad_()`)"], v.Wrong);
        Assert.Equal("not yet: `c` does not share `x`'s storage: it is a copy, so writing to `c` would not change `x`", v.Summary);
        var dtype = Check(c => c.ExpectDtype(c.Tensor("v"), "v", torch.float64), vars);
        Assert.Equal("`v` has dtype torch.float32, expected torch.float64", Wrong(dtype));
    }

    [Fact]
    public void Module_configuration_and_accuracy()
    {
        var conv = torch.nn.Conv2d(1, 8, 5, stride: 2);
        var v = Check(c =>
        {
            var m = c.Module<Torchlet.Modules.Conv2d>("conv");
            c.ExpectConfig(m, "conv", ("in_channels", 1L), ("out_channels", 8L), ("kernel_size", new long[] { 3, 3 }), ("stride", new long[] { 1, 1 }), ("padding", new long[] { 0, 0 }));
            c.ExpectAccuracy(0.825, "accuracy", 0.9);
        }, new() { ["conv"] = conv });
        Assert.Equal(["`conv.kernel_size` is (5, 5), expected (3, 3)", "`conv.stride` is (2, 2), expected (1, 1)", "`accuracy` is 82.5%, not yet 90% (7.5 points to go)"], v.Wrong);
        Assert.Equal(["`conv.in_channels` is 1", "`conv.out_channels` is 8", "`conv.padding` is (0, 0)"], v.Right);
        var wrongModule = Check(c => c.Module<Torchlet.Modules.Conv2d>("conv"), new() { ["conv"] = torch.nn.Linear(2, 3) });
        Assert.Equal("`conv` is a Linear (an nn.Module), expected a Conv2d (an nn.Module)", Wrong(wrongModule));
    }

    [Fact]
    public void Values_widen_as_CSharp_does()
    {
        var v = Check(c =>
        {
            c.ExpectClose(c.Value<double>("lr"), "lr", 1);
            c.Expect("epochs", c.Value<long>("epochs"), 10L);
            c.Expect("shape", c.Value<long[]>("shape"), [2L, 3L]);
        }, new() { ["lr"] = 1, ["epochs"] = 10, ["shape"] = new[] { 2, 3 } });
        Assert.Equal(VerdictKind.Correct, v.Kind);
        Assert.Equal(["`lr` is 1", "`epochs` is 10", "`shape` is (2, 3)"], v.Right);
        var notWidened = Check(c => c.Value<int>("n"), new() { ["n"] = 3.5 });
        Assert.Equal("`n` is a double, expected an int", Wrong(notWidened));
    }

    [Fact]
    public void Missing_is_only_when_nothing_of_the_learners_was_found()
    {
        var none = Check(c => { c.Tensor("a"); c.Tensor("b"); }, []);
        Assert.Equal(VerdictKind.Missing, none.Kind);
        Assert.Equal("nothing named `a` yet — define `a` in your answer cell and run it", none.Summary);
        var some = Check(c => { c.ExpectShape(c.Tensor("a"), "a", 1); c.Tensor("b"); }, new() { ["a"] = torch.ones(1) });
        Assert.Equal(VerdictKind.NotYet, some.Kind);
        Assert.Equal("not yet: nothing named `b` yet — define `b` in your answer cell and run it", some.Summary);
        Assert.Equal("✗ 0.1 Helpers — not yet: nothing named `b` yet — define `b` in your answer cell and run it\n  ✓ `a` has shape [1]\n  ✗ nothing named `b` yet — define `b` in your answer cell and run it", some.ToString());
        var given = Check(c => { c.Given<Tensor>("data"); c.Tensor("y"); }, new() { ["data"] = torch.ones(1) });
        Assert.Equal(VerdictKind.Missing, given.Kind);
    }

    [Fact]
    public void A_checker_that_fails_still_gives_a_verdict()
    {
        var v = Check(c => c.ExpectClose(c.Tensor("y").view(5), "y", torch.zeros(5)), new() { ["y"] = torch.zeros(2, 3) });
        Assert.Equal(VerdictKind.NotYet, v.Kind);
        Assert.StartsWith("the check stopped at an error: ", Wrong(v));
        var stop = Check(c => throw c.Stop("`y` must be computed from `x`"), new() { ["y"] = torch.zeros(1) });
        Assert.Equal("not yet: `y` must be computed from `x`", stop.Summary);
    }

    [Fact]
    public void Action_calls_and_timeouts()
    {
        var v = Check(c => c.Call("step()", () => { }), []);
        Assert.Equal(VerdictKind.Correct, v.Kind);
        var slow = Check(c => c.Call("f(1)", () => { Thread.Sleep(2000); return 1; }), [], TimeSpan.FromMilliseconds(100));
        Assert.StartsWith("`f(1)` did not return within 100 ms: it keeps running in the background", Wrong(slow));
    }
}
