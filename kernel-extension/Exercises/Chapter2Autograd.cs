using static Torchlet.torch;

namespace Torchlet.Interactive.Exercises;

/// <summary>
/// Chapter 2 (notebook <c>02-autograd-optim</c>): the notes' §2.4 — the function f(x) = −(Σ cos² xᵢ)², its
/// gradient by <c>backward()</c>, gradient descent by hand and with <c>torch.optim</c>, and what <c>zero_grad()</c> is for.
/// </summary>
internal static class Chapter2Autograd
{
    const string Notebook = "02-autograd-optim";

    /// <summary>The notes' starting point [π/3, π/6].</summary>
    static Tensor Start() => tensor(new[] { Math.PI / 3, Math.PI / 6 });

    /// <summary>The notes' f and its gradient at <paramref name="x0"/>, computed here (float32, as the learner's).</summary>
    static (Tensor value, Tensor grad) Reference(Tensor x0)
    {
        var x = x0.detach().clone().requires_grad_();
        var f = -x.cos().pow(2).sum().pow(2);
        f.backward();
        return (f.detach(), x.grad!);
    }

    static double[] Values(Tensor t)
    {
        using var _ = no_grad();
        return t.detach().to(float64).ToArray<double>();
    }

    static string List(Tensor t) => "[" + string.Join(", ", Values(t).Select(v => ExerciseContext.Num(Math.Round(v, 4)))) + "]";

    static bool Near(double a, double b) => Math.Abs(a - b) <= 1e-4 + 1e-4 * Math.Abs(b);

    static bool Near(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && Values(a).Zip(Values(b)).All(p => Near(p.First, p.Second));

    public static IReadOnlyList<Exercise> Exercises { get; } =
    [
        new()
        {
            Id = "2.1",
            Title = "The notes' f as a function",
            Notebook = Notebook,
            Statement = "Define `Func<Tensor, Tensor> objective` that computes the notes' f(x) = −(Σᵢ cos² xᵢ)² for a 1-D tensor `x` of any length, " +
                        "as a scalar tensor built from `x` by tensor operations, so that `objective(x).backward()` fills `x.grad`. " +
                        "The checker calls it on fresh tensors (the notes' [π/3, π/6] and random ones) and compares the value and the gradient with its own.",
            Hints =
            [
                "A function the checker can call is a variable: `Func<Tensor, Tensor> objective = x => …;`.",
                "Read the formula from the inside out: cosine, square each, sum them, square the sum, negate.",
                "`x.cos().pow(2).sum()` is Σ cos² xᵢ; `.pow(2)` squares it; a leading `-` negates the tensor.",
            ],
            Solution = "Func<Tensor, Tensor> objective = x => -x.cos().pow(2).sum().pow(2);",
            Check = c =>
            {
                var objective = c.Function<Func<Tensor, Tensor>>("objective");
                var cases = new (string label, Tensor x0)[]
                {
                    ("randn(5)", randn(new long[] { 5 }, generator: c.Generator)),
                    ("[π/3, π/6]", Start()),
                };
                foreach (var (label, x0) in cases)
                {
                    var x = x0.clone().requires_grad_();
                    var y = c.Call($"objective({label})", () => objective(x));
                    if (y.dim() != 0)
                    {
                        c.Wrong($"`objective({label})` has shape {Html.ShapeText(y.shape)}, expected a scalar (shape []): sum the squared cosines, then square the sum");
                        return;
                    }
                    if (!y.requires_grad)
                    {
                        c.Wrong($"`objective({label})` does not require grad, so `backward()` cannot reach `x`: compute it from `x` with tensor operations " +
                                "(no `item()`, `detach()` or new `tensor(…)` in between)");
                        return;
                    }
                    var (value, grad) = Reference(x0);
                    if (!c.ExpectClose(y, $"objective({label})", value, rtol: 1e-4, atol: 1e-5))
                    {
                        double got = Values(y)[0], s = Values(x0.cos().pow(2).sum())[0], lin = Values(x0.cos().sum())[0];
                        if (Near(got, -s)) c.Note("`objective` returns −Σ cos² xᵢ: the notes square the sum as well, f = −(Σ cos² xᵢ)²");
                        else if (Near(got, s * s)) c.Note("`objective` returns +(Σ cos² xᵢ)²: the notes' f has a minus in front (minimising f makes the squared sum as large as possible)");
                        else if (Near(got, -lin * lin)) c.Note("`objective` squares the sum of the cosines: square each cosine before summing, `x.cos().pow(2).sum()`");
                        return;
                    }
                    c.Call($"objective({label}).backward()", () => y.backward());
                    if (x.grad is null)
                    {
                        c.Wrong("`x.grad` is still null after `objective(x).backward()`: `objective` must compute its result from the `x` it is given");
                        return;
                    }
                    if (!c.ExpectClose(x.grad, $"x.grad after objective({label}).backward()", grad, rtol: 1e-4, atol: 1e-5))
                    {
                        var s = Values(x0.cos().pow(2).sum())[0];
                        if (Near(x.grad, grad / (2 * s))) c.Note("this is the gradient of −Σ cos² xᵢ: the value agrees at the notes' point (where Σ cos² xᵢ = 1) but the notes square the sum");
                        return;
                    }
                }
                c.Note("at the notes' point f = −1 and the gradient is [1.7321, 1.7321], as the notes print: value = -1.0, grad = tensor([1.7321, 1.7321])");
            },
            WrongAnswers =
            [
                new("Func<Tensor, Tensor> objective = x => -x.cos().pow(2).sum();",
                    "`objective(randn(5))` is", "the notes square the sum as well"),
                new("Func<Tensor, Tensor> objective = x => x.cos().pow(2).sum().pow(2);",
                    "the notes' f has a minus in front"),
                new("Func<Tensor, Tensor> objective = x => -x.cos().pow(2).pow(2);",
                    "`objective(randn(5))` has shape [5], expected a scalar"),
                new("Func<Tensor, Tensor> objective = x => -x.cos().sum().pow(2);",
                    "square each cosine before summing"),
                new("Func<Tensor, Tensor> objective = x => tensor(-Math.Pow(x.cos().pow(2).sum().item<float>(), 2));",
                    "`objective(randn(5))` does not require grad"),
                new("Tensor objective(Tensor x) => -x.cos().pow(2).sum().pow(2);",
                    "`objective` is a method declared in a cell, which the checker cannot see or call"),
            ],
        },
        new()
        {
            Id = "2.2",
            Title = "One step of gradient descent by hand",
            Notebook = Notebook,
            Statement = "Do by hand what `optimizer.step()` does for SGD. Define `w` as the notes define `x` (`tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true)`), " +
                        "compute the notes' f from it and call `backward()`; then move `w` one step downhill with learning rate 0.1, w ← w − 0.1·w.grad, " +
                        "changing the tensor `w` itself (in place) inside `using (no_grad()) { … }`. " +
                        "Afterwards `w` must still be the same leaf tensor that requires grad, holding the notes' values after step 1 " +
                        "(leave `w.grad` as `backward()` left it: the checker reads it to see which gradient the step used).",
            Hints =
            [
                "The gradient points uphill: a descent step subtracts lr·grad.",
                "Methods ending in `_` change a tensor in place: `w.sub_(t)` subtracts `t` from `w` itself.",
                "In C#, `w -= t` means `w = w - t`: it makes a new tensor and points the variable at it, unlike Python's in-place `-=` on tensors.",
                "Inside `using (no_grad()) { w.sub_(0.1 * w.grad); }` the update is not recorded in the graph.",
            ],
            Solution = """
                var w = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
                var f = -w.cos().pow(2).sum().pow(2);
                f.backward();
                using (no_grad())
                {
                    w.sub_(0.1 * w.grad);
                }
                """,
            Check = c =>
            {
                var w = c.Tensor("w");
                if (!c.ExpectShape(w, "w", 2)) return;
                var x0 = Start();
                var (_, grad) = Reference(x0);
                var expected = x0 - 0.1 * grad;
                bool valuesRight = c.ExpectClose(w, "w", expected, rtol: 1e-4, atol: 1e-5);
                if (!valuesRight)
                {
                    if (Near(w, x0)) c.Note("`w` still holds the starting point [π/3, π/6]: the step has not been applied to it");
                    else if (Near(w, x0 + 0.1 * grad)) c.Note("`w` moved uphill, by +0.1·grad: gradient descent subtracts the gradient");
                    else if (Near(w, x0 - grad)) c.Note("`w` moved by the whole gradient: multiply it by the learning rate 0.1");
                }
                if (!w.requires_grad && w.grad is null && Near(w, x0))
                {
                    c.Wrong("`w` does not require grad and has no gradient: create it with `requires_grad: true`, so that `backward()` fills `w.grad` " +
                            "(without it `backward()` stops with \"element 0 of tensors does not require grad\")");
                    return;
                }
                if (!w.requires_grad)
                {
                    c.Wrong("`w` does not require grad any more: in C#, `w -= …` (or `w = w - …`) makes a new tensor — inside `no_grad()` one without grad — " +
                            "instead of changing `w`; update the tensor itself with `w.sub_(…)`");
                    return;
                }
                if (!w.is_leaf)
                {
                    c.Wrong($"`w` is not a leaf any more (its grad_fn is {w.grad_fn!.name()}): `w - …` outside `no_grad()` records the update in the graph as a new tensor; " +
                            "update `w` in place inside `using (no_grad()) { … }`");
                    return;
                }
                c.Right("`w` is still a leaf that requires grad: the next step can compute a new f from it");
                if (Near(w, x0)) return;   // no step at all: said above
                // In place: the update wrote into the storage of the tensor that backward() gave a gradient. Every in-place
                // write bumps a storage's version (autograd's check on saved tensors); a new tensor starts at version 0.
                if (w._storage.Version == 0)
                {
                    c.Wrong("`w` is a new tensor, not the original `w` changed in place: `(w - …).detach().requires_grad_()` or a fresh `tensor(…)` " +
                            "makes another tensor with numbers of its own (an optimizer holding the original would never see them). Update the original with `w.sub_(…)` inside `using (no_grad()) { … }`");
                    return;
                }
                if (w.grad is null)
                {
                    c.Wrong("`w.grad` is null: this `w` was changed in place but never got a gradient. Compute f from this `w` and call `backward()` before the step " +
                            "(and leave `w.grad` as it is afterwards: the checker reads it)");
                    return;
                }
                bool gradRight = Near(w.grad, grad);
                c.Expect(gradRight,
                    "`w` was updated in place: its storage was written after `backward()`, and `w.grad` still holds the gradient at the start that the step used",
                    $"`w.grad` is {List(w.grad)}, not the gradient at the start point, {List(grad)}: compute f once from the starting `w`, call `backward()` once, then step");
                if (valuesRight && gradRight)
                    c.Note("these are the notes' values at step 1, [0.8740, 0.3504]: this is all `optimizer.step()` does for plain SGD");
            },
            WrongAnswers =
            [
                new("var w = tensor(new[] { Math.PI / 3, Math.PI / 6 });",
                    "`w` does not require grad and has no gradient: create it with `requires_grad: true`"),
                new("""
                    var w = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
                    var f = -w.cos().pow(2).sum().pow(2);
                    f.backward();
                    using (no_grad()) { w -= 0.1 * w.grad; }
                    """,
                    "`w` does not require grad any more: in C#, `w -= …`"),
                new("""
                    var w = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
                    var f = -w.cos().pow(2).sum().pow(2);
                    f.backward();
                    w = w - 0.1 * w.grad;
                    """,
                    "`w` is not a leaf any more (its grad_fn is SubBackward0)"),
                new("""
                    var w = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
                    var f = -w.cos().pow(2).sum().pow(2);
                    f.backward();
                    using (no_grad()) { w.add_(0.1 * w.grad); }
                    """,
                    "all 2 values differ", "moved uphill"),
                new("""
                    var w = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
                    var f = -w.cos().pow(2).sum().pow(2);
                    f.backward();
                    """,
                    "still holds the starting point"),
                new("""
                    var w = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
                    var f = -w.cos().pow(2).sum().pow(2);
                    f.backward();
                    w = (w - 0.1 * w.grad).detach().requires_grad_();
                    """,
                    "`w` is a new tensor, not the original `w` changed in place"),
                new("""
                    var w = tensor(new[] { 0.8739925, 0.3503937 }, requires_grad: true);
                    """,
                    "`w` is a new tensor, not the original `w` changed in place"),
                new("""
                    var w = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
                    var f = -w.cos().pow(2).sum().pow(2);
                    f.backward();
                    w = (w - 0.1 * w.grad).detach().requires_grad_();
                    (-w.cos().pow(2).sum().pow(2)).backward();
                    """,
                    "`w` is a new tensor, not the original `w` changed in place"),
            ],
        },
        new()
        {
            Id = "2.3",
            Title = "What zero_grad prevents",
            Notebook = Notebook,
            Statement = "Gradients accumulate: each `backward()` adds to `x.grad` rather than replacing it. Define `x` as the notes do, " +
                        "compute f(x) and call `backward()`, then compute f(x) again and call `backward()` again, without zeroing the gradient in between. " +
                        "Make `g` the gradient `x.grad` after the second call. Compare it with the gradient of one call, [1.7321, 1.7321]: " +
                        "this is what `optimizer.zero_grad()` prevents at every step.",
            Hints =
            [
                "`backward()` frees the graph it walked: compute `f` again from `x` before the second call (or pass `retain_graph: true` to the first).",
                "Do not call `zero_grad()` or `x.grad.zero_()` in between: that is the point of the exercise.",
                "`var g = x.grad;` after the second `backward()`.",
            ],
            Solution = """
                var x = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
                var f = -x.cos().pow(2).sum().pow(2);
                f.backward();
                f = -x.cos().pow(2).sum().pow(2);   // a new graph: the first was freed by backward
                f.backward();
                var g = x.grad;
                """,
            Check = c =>
            {
                var g = c.Tensor("g");
                if (!c.ExpectShape(g, "g", 2)) return;
                var (_, one) = Reference(Start());
                var v = Values(g);
                double k = v[0] / Values(one)[0];
                if (Near(g, 2 * one))
                {
                    c.Right($"`g` is {List(g)}: twice the gradient of one call, {List(one)} — the second `backward()` added its gradient to the first");
                    c.Note("an optimizer step would use this doubled gradient: that is why a training loop calls `optimizer.zero_grad()` before each `backward()`");
                }
                else if (Near(g, one))
                    c.Wrong($"`g` is {List(g)}, the gradient of a single `backward()` call: either you called it once, or the gradient was zeroed in between. " +
                            "Call `backward()` twice with nothing in between and see the gradients add up");
                else if (Math.Abs(k - Math.Round(k)) < 1e-3 && Math.Round(k) > 2 && Near(g, Math.Round(k) * one))
                    c.Wrong($"`g` is {List(g)}, {Math.Round(k)} times the gradient of one call: it has {Math.Round(k)} `backward()` calls accumulated; the exercise asks for two");
                else
                    c.ExpectClose(g, "g", 2 * one, rtol: 1e-4, atol: 1e-5);
            },
            WrongAnswers =
            [
                new("""
                    var x = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
                    var f = -x.cos().pow(2).sum().pow(2);
                    f.backward();
                    var g = x.grad;
                    """,
                    "`g` is [1.7321, 1.7321], the gradient of a single `backward()` call"),
                new("""
                    var x = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
                    var f = -x.cos().pow(2).sum().pow(2);
                    f.backward();
                    x.grad.zero_();
                    f = -x.cos().pow(2).sum().pow(2);
                    f.backward();
                    var g = x.grad;
                    """,
                    "the gradient was zeroed in between"),
                new("""
                    var x = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
                    for (int i = 0; i < 3; i++) (-x.cos().pow(2).sum().pow(2)).backward();
                    var g = x.grad;
                    """,
                    "3 times the gradient of one call"),
                new("""
                    var x = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
                    var optimizer = optim.SGD(new[] { x }, lr: 0.1);
                    (-x.cos().pow(2).sum().pow(2)).backward();
                    (-x.cos().pow(2).sum().pow(2)).backward();
                    optimizer.zero_grad();
                    var g = x.grad;
                    """,
                    "`g` is null, expected a Tensor"),
            ],
        },
        new()
        {
            Id = "2.4",
            Title = "Adam to the minimum",
            Notebook = Notebook,
            Statement = "Minimise the notes' f with Adam. Start from `x_adam` = [π/3, π/6], the notes' starting point (`requires_grad: true`), make `adam = optim.Adam(new[] { x_adam }, lr: 0.1)` " +
                        "and repeat zero_grad → f → backward → step until `x_adam` is within 0.001 of the minimiser (0, 0), where f = −4. " +
                        "The checker reads `x_adam` and `adam` and replays that Adam run itself, for as many steps as `adam` took, to compare. How many steps does Adam need, compared with SGD's?",
            Hints =
            [
                "The loop is the notes' SGD loop with `optim.Adam` in place of `optim.SGD`: `adam.zero_grad(); var f = …; f.backward(); adam.step();`.",
                "Adam's steps are about `lr` long whatever the gradient's size, so near the minimum it needs more steps than SGD did here: try 150.",
            ],
            Solution = """
                var x_adam = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
                var adam = optim.Adam(new[] { x_adam }, lr: 0.1);
                for (int step = 0; step < 150; step++)
                {
                    adam.zero_grad();
                    var f = -x_adam.cos().pow(2).sum().pow(2);
                    f.backward();
                    adam.step();
                }
                """,
            Check = c =>
            {
                var x_adam = c.Tensor("x_adam");
                var adam = c.Value<Modules.Adam>("adam");
                if (!c.ExpectShape(x_adam, "x_adam", 2)) return;
                // Where x_adam sits among adam's parameters: its learning rate and the steps Adam has taken on it.
                int index = 0;
                (Modules.ParamGroup group, int index)? found = null;
                foreach (var g in adam.param_groups)
                    foreach (var p in g.Parameters)
                    {
                        if (found is null && ReferenceEquals(p, x_adam)) found = (g, index);
                        index++;
                    }
                if (!c.Expect(found is not null,
                        "`adam` updates `x_adam`",
                        "`adam` does not hold this `x_adam`: make it with `optim.Adam(new[] { x_adam }, …)` after defining `x_adam` (redefining `x_adam` later makes a new tensor that `adam` does not know)"))
                    return;
                c.ExpectRequiresGrad(x_adam, "x_adam");
                var (group, at) = found!.Value;
                if (!c.ExpectClose(group.lr, "adam's learning rate (lr)", 0.1, atol: 1e-12))
                {
                    c.Note("the exercise asks for the notes' learning rate with Adam, `lr: 0.1`: with another one the run, and its number of steps, is another");
                    return;
                }
                var state = adam.state_dict().state;
                long steps = state.TryGetValue(at, out var s) && s.TryGetValue("step", out var t) ? (long)t.to(float64).item<double>() : 0;
                if (steps == 0)
                {
                    c.Wrong("`adam` has not taken a step on `x_adam` (its step count is 0): `x_adam` must get to the minimum by Adam's steps, " +
                            "`adam.zero_grad(); var f = …; f.backward(); adam.step();` in a loop, not by setting its values");
                    return;
                }
                string stepsText = steps == 1 ? "1 step" : $"{steps} steps";
                if (steps > 100_000) throw c.Stop($"`adam` has taken {steps:N0} steps: the checker recomputes the run and stops at 100,000; a few hundred are enough");
                // The stated run, recomputed: Adam with lr 0.1 from the notes' point, as many steps as adam took.
                var reference = Start().requires_grad_();
                var referenceAdam = optim.Adam(new[] { reference }, lr: 0.1);
                for (long i = 0; i < steps; i++)
                {
                    referenceAdam.zero_grad();
                    (-reference.cos().pow(2).sum().pow(2)).backward();
                    referenceAdam.step();
                }
                if (!c.ExpectClose(x_adam, "x_adam", reference.detach(), rtol: 1e-3, atol: 1e-4))
                {
                    c.Note($"the stated run — Adam with lr 0.1 from [π/3, π/6], minimising the notes' f, {stepsText} as `adam` counts them — ends at {List(reference)}: " +
                           "start from the notes' point, compute f as the notes do, and change `x_adam` only through `adam.step()`");
                    return;
                }
                var v = Values(x_adam);
                double distance = v.Max(Math.Abs);
                double fx = -Math.Pow(v.Sum(a => Math.Cos(a) * Math.Cos(a)), 2);
                if (distance <= 1e-3)
                    c.Right($"`x_adam` is within {ExerciseContext.Num(distance)} of the minimiser (0, 0) (at most 0.001) after {stepsText}; f(x_adam) = {ExerciseContext.Num(fx)}");
                else
                    c.Wrong($"`x_adam` is {List(x_adam)}, {ExerciseContext.Num(Math.Round(distance, 4))} from the minimiser (0, 0) after {stepsText} (at most 0.001 is asked): run more steps");
            },
            WrongAnswers =
            [
                new("""
                    var x_adam = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
                    var adam = optim.Adam(new[] { x_adam }, lr: 0.1);
                    for (int step = 0; step < 10; step++)
                    {
                        adam.zero_grad();
                        var f = -x_adam.cos().pow(2).sum().pow(2);
                        f.backward();
                        adam.step();
                    }
                    """,
                    "`x_adam` is [0.0517, -0.1847], 0.1847 from the minimiser (0, 0)", "run more steps"),
                new("""
                    var x_adam = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
                    var adam = optim.SGD(new[] { x_adam }, lr: 0.1);
                    for (int step = 0; step < 20; step++)
                    {
                        adam.zero_grad();
                        var f = -x_adam.cos().pow(2).sum().pow(2);
                        f.backward();
                        adam.step();
                    }
                    """,
                    "`adam` is an SGD, expected an Adam"),
                new("""
                    var x_adam = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
                    var adam = optim.Adam(new[] { x_adam }, lr: 0.1);
                    x_adam = tensor(new[] { 0.0, 0.0 }, requires_grad: true);
                    """,
                    "`adam` does not hold this `x_adam`"),
                new("""
                    var x_adam = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
                    var adam = optim.Adam(new[] { x_adam }, lr: 0.1);
                    using (no_grad()) x_adam.zero_();
                    """,
                    "`adam` has not taken a step on `x_adam` (its step count is 0)"),
                new("""
                    var x_adam = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
                    var adam = optim.Adam(new[] { x_adam }, lr: 0.1);
                    adam.zero_grad();
                    (-x_adam.cos().pow(2).sum().pow(2)).backward();
                    adam.step();
                    using (no_grad()) x_adam.zero_();
                    """,
                    "`x_adam[0]` is 0, expected 0.947", "the stated run — Adam with lr 0.1 from [π/3, π/6], minimising the notes' f, 1 step as `adam` counts them"),
                new("""
                    var x_adam = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
                    var adam = optim.Adam(new[] { x_adam }, lr: 0.05);
                    for (int step = 0; step < 400; step++)
                    {
                        adam.zero_grad();
                        var f = -x_adam.cos().pow(2).sum().pow(2);
                        f.backward();
                        adam.step();
                    }
                    """,
                    "`adam's learning rate (lr)` is 0.05, expected 0.1 (off by 0.05)"),
            ],
        },
    ];
}
