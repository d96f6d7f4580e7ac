using static Torchlet.torch;
using F = Torchlet.torch.nn.functional;

namespace Torchlet.Interactive.Exercises;

/// <summary>
/// Chapter 3 (notebook <c>03-nn-losses</c>): the notes' torch.nn 子包与损失类 — modules (Sequential, Linear, a class of
/// one's own), and the losses MSELoss, CrossEntropyLoss and BCEWithLogitsLoss.
/// </summary>
internal static class Chapter3Modules
{
    const string Notebook = "03-nn-losses";

    static double[] Values(Tensor t)
    {
        using var _ = no_grad();
        return t.detach().to(float64).ToArray<double>();
    }

    static string List(double[] v) => "[" + string.Join(", ", v.Select(a => ExerciseContext.Num(Math.Round(a, 4)))) + "]";

    static bool Near(double a, double b) => Math.Abs(a - b) <= 1e-4 + 1e-4 * Math.Abs(b);

    static bool Uses(Tensor t, string node) => ExerciseContext.GraphHas(t, node);

    static string Describe(nn.Module<Tensor, Tensor> m) =>
        m is Modules.Linear l ? $"Linear({l.in_features}, {l.out_features})" : m.GetType().Name;

    static string Shape(long[] s) => Html.ShapeText(s);

    public static IReadOnlyList<Exercise> Exercises { get; } =
    [
        new()
        {
            Id = "3.1",
            Title = "A Sequential network",
            Notebook = Notebook,
            Statement = "Build the notes' opening kind of network for Fashion-MNIST's flattened images: `classifier`, an `nn.Sequential` of " +
                        "a Linear layer from 784 inputs to 128, a ReLU, and a Linear layer from 128 to 10 outputs (one per class). " +
                        "The checker inspects its layers, counts its parameters and runs it on a batch of 4 random images of 784 values.",
            Hints =
            [
                "`nn.Sequential(a, b, c)` runs `a`, then `b` on its output, then `c`.",
                "`nn.Linear(in_features, out_features)`: the first number is what comes in, the second what goes out.",
                "`var classifier = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10));`",
            ],
            Solution = "var classifier = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10));",
            Check = c =>
            {
                var classifier = c.Module<Modules.Sequential>("classifier");
                var layers = classifier.Select(Describe).ToList();
                if (classifier.Count != 3)
                {
                    c.Wrong($"`classifier` has {classifier.Count} modules ({string.Join(", ", layers)}), expected 3: Linear(784, 128), ReLU, Linear(128, 10)");
                    for (int i = 0; i + 1 < classifier.Count; i++)
                        if (classifier[i] is Modules.Linear && classifier[i + 1] is Modules.Linear)
                        {
                            c.Note("two Linear layers with nothing between them compose into a single linear map (W₂(W₁x + b₁) + b₂ = Wx + b): " +
                                   "the ReLU between them is what makes the network more than one matrix");
                            break;
                        }
                    return;
                }
                bool ok = true;
                if (classifier[0] is Modules.Linear first) ok &= c.ExpectConfig(first, "classifier[0]", ("in_features", 784L), ("out_features", 128L));
                else ok = c.Wrong($"`classifier[0]` is a {classifier[0].GetType().Name}, expected a Linear");
                if (classifier[1] is Modules.ReLU) c.Right("`classifier[1]` is a ReLU");
                else ok = c.Wrong($"`classifier[1]` is a {classifier[1].GetType().Name}, expected a ReLU");
                if (classifier[2] is Modules.Linear last) ok &= c.ExpectConfig(last, "classifier[2]", ("in_features", 128L), ("out_features", 10L));
                else ok = c.Wrong($"`classifier[2]` is a {classifier[2].GetType().Name}, expected a Linear");
                long count = classifier.parameters().Sum(p => p.numel());
                c.Expect(count == 101_770,
                    "`classifier` has 101,770 parameters: 784·128 weights and 128 biases, then 128·10 weights and 10 biases",
                    $"`classifier` has {count:N0} parameters, expected 101,770 (784·128 + 128 + 128·10 + 10)");
                if (!ok) return;
                var x = randn(new long[] { 4, 784 }, generator: c.Generator);
                var y = c.Call("classifier.forward(x)", () => classifier.forward(x));
                c.ExpectShape(y, "classifier.forward(x) for x of shape [4, 784]", 4, 10);
            },
            WrongAnswers =
            [
                new("var classifier = nn.Sequential(nn.Linear(784, 128), nn.Linear(128, 10));",
                    "`classifier` has 2 modules (Linear(784, 128), Linear(128, 10)), expected 3", "compose into a single linear map"),
                new("var classifier = nn.Sequential(nn.Linear(784, 128), nn.Sigmoid(), nn.Linear(128, 10));",
                    "`classifier[1]` is a Sigmoid, expected a ReLU"),
                new("var classifier = nn.Sequential(nn.Linear(128, 784), nn.ReLU(), nn.Linear(784, 10));",
                    "`classifier[0].in_features` is 128, expected 784", "`classifier` has 108,986 parameters, expected 101,770"),
                new("var classifier = nn.Sequential(nn.Linear(784, 128, bias: false), nn.ReLU(), nn.Linear(128, 10, bias: false));",
                    "`classifier` has 101,632 parameters, expected 101,770"),
            ],
        },
        new()
        {
            Id = "3.2",
            Title = "A module class of your own",
            Notebook = Notebook,
            Setup = "using Torchlet.Modules;",
            Statement = "Write a network as the notes write theirs, as a class: `Mlp : nn.Module<Tensor, Tensor>` with two Linear layers in fields, " +
                        "`fc1` (784 → 64) and `fc2` (64 → 10), a constructor that passes its name to the base (`public Mlp() : base(nameof(Mlp)) { }`), and a `forward` " +
                        "that computes fc2(relu(fc1(x))). Then make `model` an instance. The checker reads its parameters and runs it on fresh inputs.",
            Hints =
            [
                "Layers held in fields are found by the module (named after the fields: `fc1.weight`, …); layers made inside `forward` are new on every call and belong to nothing.",
                "`readonly Linear fc1 = nn.Linear(784, 64);` declares and creates the layer in one line.",
                "`public override Tensor forward(Tensor x) => fc2.forward(relu(fc1.forward(x)));`",
            ],
            Solution = """
                class Mlp : nn.Module<Tensor, Tensor>
                {
                    readonly Linear fc1 = nn.Linear(784, 64);
                    readonly Linear fc2 = nn.Linear(64, 10);
                    public Mlp() : base(nameof(Mlp)) { }
                    public override Tensor forward(Tensor x) => fc2.forward(relu(fc1.forward(x)));
                }
                var model = new Mlp();
                """,
            Check = c =>
            {
                var model = c.Module<nn.Module<Tensor, Tensor>>("model");
                var ps = model.named_parameters().ToList();
                if (ps.Count == 0)
                {
                    c.Wrong("`model` has no parameters: layers created inside `forward` (or kept in local variables) are not part of the module, and are new on every call. " +
                            "Keep `fc1` and `fc2` in fields");
                    return;
                }
                var names = ps.Select(p => p.name).ToArray();
                string[] want = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"];
                if (!c.Expect(names.SequenceEqual(want),
                        "`model`'s parameters are fc1.weight, fc1.bias, fc2.weight, fc2.bias: the layers in its fields were found",
                        $"`model`'s parameters are {string.Join(", ", names)}, expected fc1.weight, fc1.bias, fc2.weight, fc2.bias (a parameter is named after the field that holds its layer)"))
                    return;
                var p = ps.ToDictionary(q => q.name, q => (Tensor)q.parameter);
                bool shapes = c.ExpectShape(p["fc1.weight"], "model.fc1.weight", 64, 784) & c.ExpectShape(p["fc1.bias"], "model.fc1.bias", 64)
                            & c.ExpectShape(p["fc2.weight"], "model.fc2.weight", 10, 64) & c.ExpectShape(p["fc2.bias"], "model.fc2.bias", 10);
                if (!shapes)
                {
                    c.Note("`nn.Linear(in, out)` keeps its weight as [out, in]: fc1 = nn.Linear(784, 64) has a weight of shape [64, 784]");
                    return;
                }
                var x = randn(new long[] { 5, 784 }, generator: c.Generator);
                var y = c.Call("model.forward(x)", () => model.forward(x));
                if (!c.ExpectShape(y, "model.forward(x) for x of shape [5, 784]", 5, 10)) return;
                Tensor expected, plain;
                using (no_grad())
                {
                    var h = F.linear(x, p["fc1.weight"], p["fc1.bias"]);
                    expected = F.linear(F.relu(h), p["fc2.weight"], p["fc2.bias"]);
                    plain = F.linear(h, p["fc2.weight"], p["fc2.bias"]);
                }
                if (!c.ExpectClose(y, "model.forward(x)", expected, rtol: 1e-4, atol: 1e-5)
                    && Values(y).Zip(Values(plain)).All(q => Near(q.First, q.Second)))
                    c.Note("`forward` computes fc2(fc1(x)) with nothing between the layers: apply `relu` to fc1's output");
            },
            WrongAnswers =
            [
                new("""
                    class Mlp : nn.Module<Tensor, Tensor>
                    {
                        public Mlp() : base(nameof(Mlp)) { }
                        public override Tensor forward(Tensor x) => nn.Linear(64, 10).forward(relu(nn.Linear(784, 64).forward(x)));
                    }
                    var model = new Mlp();
                    """,
                    "`model` has no parameters"),
                new("""
                    class Mlp : nn.Module<Tensor, Tensor>
                    {
                        readonly Linear fc1 = nn.Linear(784, 64);
                        readonly Linear fc2 = nn.Linear(64, 10);
                        public Mlp() : base(nameof(Mlp)) { }
                        public override Tensor forward(Tensor x) => fc2.forward(fc1.forward(x));
                    }
                    var model = new Mlp();
                    """,
                    "apply `relu` to fc1's output"),
                new("""
                    class Mlp : nn.Module<Tensor, Tensor>
                    {
                        readonly Linear hidden = nn.Linear(784, 64);
                        readonly Linear output = nn.Linear(64, 10);
                        public Mlp() : base(nameof(Mlp)) { }
                        public override Tensor forward(Tensor x) => output.forward(relu(hidden.forward(x)));
                    }
                    var model = new Mlp();
                    """,
                    "`model`'s parameters are hidden.weight, hidden.bias, output.weight, output.bias, expected fc1.weight"),
                new("""
                    class Mlp : nn.Module<Tensor, Tensor>
                    {
                        readonly Linear fc1 = nn.Linear(64, 784);
                        readonly Linear fc2 = nn.Linear(784, 10);
                        public Mlp() : base(nameof(Mlp)) { }
                        public override Tensor forward(Tensor x) => fc2.forward(relu(fc1.forward(x)));
                    }
                    var model = new Mlp();
                    """,
                    "`model.fc1.weight` has shape [784, 64], expected [64, 784]", "keeps its weight as [out, in]"),
            ],
        },
        new()
        {
            Id = "3.3",
            Title = "Mean squared error by hand",
            Notebook = Notebook,
            Statement = "Define `Func<Tensor, Tensor, Tensor> mse` that computes what `nn.MSELoss()` computes — the mean, over every element, of the squared " +
                        "difference between prediction and target — from tensor operations, without calling MSELoss or `mse_loss`. " +
                        "The checker calls `mse(pred, target)` on fresh tensors of several shapes and compares the value and the gradient with MSELoss's.",
            Hints =
            [
                "`(pred - target)` is the difference element by element; `.pow(2)` squares each element.",
                "MSELoss's default reduction is \"mean\": `.mean()` over all elements, not `.sum()`.",
                "`Func<Tensor, Tensor, Tensor> mse = (pred, target) => (pred - target).pow(2).mean();`",
            ],
            Solution = "Func<Tensor, Tensor, Tensor> mse = (pred, target) => (pred - target).pow(2).mean();",
            Check = c =>
            {
                var mse = c.Function<Func<Tensor, Tensor, Tensor>>("mse");
                foreach (var shape in new[] { new long[] { 4, 3 }, new long[] { 10 } })
                {
                    var arg = $"randn({string.Join(", ", shape)})";
                    var p0 = randn(shape, generator: c.Generator);
                    var target = randn(shape, generator: c.Generator);
                    var pred = p0.clone().requires_grad_();
                    var r = c.Call("mse(pred, target)", () => mse(pred, target));
                    if (Uses(r, "MseLossBackward0"))
                    {
                        c.Wrong("`mse` calls MSELoss (or `mse_loss`) itself: compute it by hand from tensor operations — the differences, their squares, their mean");
                        return;
                    }
                    if (r.dim() != 0)
                    {
                        c.Wrong($"`mse({arg}, {arg})` has shape {Shape(r.shape)}, expected a scalar: MSELoss reduces every element to one number");
                        return;
                    }
                    var label = $"mse({arg}, {arg})";
                    var expected = nn.MSELoss().forward(p0, target);
                    if (!c.ExpectClose(r, label, expected, rtol: 1e-4, atol: 1e-5))
                    {
                        double got = Values(r)[0];
                        var d = p0 - target;
                        long n = p0.numel();
                        if (Near(got, Values(d.pow(2).sum())[0]))
                            c.Note($"that is the sum of the squared differences: MSELoss's default reduction \"mean\" divides it by the number of elements ({n})");
                        else if (Near(got, Values(d.abs().mean())[0]))
                            c.Note("that is the mean absolute difference (what L1Loss computes): square the differences instead");
                        else if (Near(got, Math.Sqrt(Values(expected)[0])))
                            c.Note("that is the square root of the mean squared difference (RMSE): MSELoss takes no root");
                        return;
                    }
                    if (!r.requires_grad)
                    {
                        c.Wrong("`mse(pred, target)` does not require grad: compute it from `pred` with tensor operations so that backward reaches the prediction");
                        return;
                    }
                    c.Call("mse(pred, target).backward()", () => r.backward());
                    if (pred.grad is null) { c.Wrong("`pred.grad` is null after backward: `mse` must compute its result from the `pred` it is given"); return; }
                    c.ExpectClose(pred.grad, $"pred.grad, pred = {arg}", 2 * (p0 - target) / p0.numel(), rtol: 1e-4, atol: 1e-5);
                }
            },
            WrongAnswers =
            [
                new("Func<Tensor, Tensor, Tensor> mse = (pred, target) => (pred - target).pow(2).sum();",
                    "is the sum of the squared differences", "by the number of elements (12)"),
                new("Func<Tensor, Tensor, Tensor> mse = (pred, target) => (pred - target).abs().mean();",
                    "mean absolute difference"),
                new("Func<Tensor, Tensor, Tensor> mse = (pred, target) => nn.MSELoss().forward(pred, target);",
                    "`mse` calls MSELoss"),
                new("Func<Tensor, Tensor, Tensor> mse = (pred, target) => (pred - target).pow(2);",
                    "`mse(randn(4, 3), randn(4, 3))` has shape [4, 3], expected a scalar"),
            ],
        },
        new()
        {
            Id = "3.4",
            Title = "Logits for CrossEntropyLoss",
            Notebook = Notebook,
            Setup = "var target = tensor(new long[] { 2, 0, 1 });",
            Statement = "`nn.CrossEntropyLoss()` takes logits — one raw score per class, any real numbers — and each sample's class index; it applies softmax itself " +
                        "and averages −log(probability of the right class). With `target` = [2, 0, 1] (3 samples; the cell above defines it) and 4 classes, define `logits`, " +
                        "a float32 tensor of shape [3, 4] (one row per sample), for which `nn.CrossEntropyLoss().forward(logits, target)` is below 0.05.",
            Hints =
            [
                "Row i holds sample i's scores for classes 0, 1, 2, 3; the loss is small when the score of class `target[i]` is much larger than the others.",
                "A row of probabilities such as [0, 0, 1, 0] is not enough: softmax turns it into only e/(e+3) ≈ 47.5% for the right class.",
                "A gap of about 6 between the right logit and the others gives a probability above 99%: `tensor(new double[,] { { 0, 0, 6, 0 }, … })`.",
            ],
            Solution = """
                var logits = tensor(new double[,] { { 0, 0, 6, 0 }, { 6, 0, 0, 0 }, { 0, 6, 0, 0 } });
                """,
            Check = c =>
            {
                c.Given<Tensor>("target");
                var target = tensor(new long[] { 2, 0, 1 });
                var logits = c.Tensor("logits");
                if (!c.ExpectShape(logits, "logits", 3, 4))
                {
                    if (logits.shape.SequenceEqual([4L, 3L])) c.Note("one row per sample and one column per class: CrossEntropyLoss reads logits as [batch, classes]");
                    return;
                }
                if (!logits.is_floating_point())
                {
                    c.Wrong($"`logits` has dtype {Html.DType(logits.dtype)}: logits are real-valued scores, expected torch.float32 (write the numbers as doubles, e.g. `6.0`, or use a `double[,]`)");
                    return;
                }
                var z = logits.detach().to(float32);
                double loss = Values(nn.CrossEntropyLoss().forward(z, target))[0];
                var probs = z.softmax(1);
                var right = Enumerable.Range(0, 3).Select(i => Values(probs[i, target[i].item<long>()])[0]).ToArray();
                if (loss < 0.05)
                {
                    c.Right($"CrossEntropyLoss(logits, target) is {ExerciseContext.Num(loss)} (below 0.05): softmax gives the right classes probabilities {List(right)}");
                    return;
                }
                c.Wrong($"CrossEntropyLoss(logits, target) is {ExerciseContext.Num(loss)}, not yet below 0.05: softmax gives the right classes only {List(right)}");
                var rows = Enumerable.Range(0, 3).Select(i => Values(z[i])).ToArray();
                bool probabilities = rows.All(r => r.All(v => v >= 0 && v <= 1) && Math.Abs(r.Sum() - 1) < 1e-3);
                for (int i = 0; i < 3; i++)
                {
                    int argmax = Array.IndexOf(rows[i], rows[i].Max());
                    long t = target[i].item<long>();
                    if (argmax != t)
                        c.Note($"sample {i}'s largest logit is at class {argmax}, but its target is class {t}: the loss asks the target class's logit to be the largest");
                }
                if (probabilities)
                    c.Note("your rows look like probabilities: CrossEntropyLoss applies softmax itself, so a row such as [0, 0, 1, 0] gives its class only e/(e+3) = 47.5%. " +
                           "Make the target's logit larger than the others by several units (a gap of 6 gives 99%)");
            },
            WrongAnswers =
            [
                new("var logits = tensor(new double[,] { { 0, 0, 1, 0 }, { 1, 0, 0, 0 }, { 0, 1, 0, 0 } });",
                    "not yet below 0.05", "your rows look like probabilities"),
                new("var logits = tensor(new double[,] { { 6, 0, 0, 0 }, { 0, 6, 0, 0 }, { 0, 0, 6, 0 } });",
                    "sample 0's largest logit is at class 0, but its target is class 2"),
                new("var logits = tensor(new double[,] { { 0, 6, 0 }, { 0, 0, 6 }, { 6, 0, 0 }, { 0, 0, 0 } });",
                    "`logits` has shape [4, 3], expected [3, 4]", "one row per sample"),
                new("var logits = tensor(new long[,] { { 0, 0, 9, 0 }, { 9, 0, 0, 0 }, { 0, 9, 0, 0 } });",
                    "`logits` has dtype torch.int64"),
            ],
        },
        new()
        {
            Id = "3.5",
            Title = "Binary cross-entropy from logits, safely",
            Notebook = Notebook,
            Statement = "Define `Func<Tensor, Tensor, Tensor> bce` that computes what `nn.BCEWithLogitsLoss()` computes from logits `z` and 0/1 targets `y` — the mean of " +
                        "−[y·log σ(z) + (1 − y)·log(1 − σ(z))] — by hand, without calling a BCE loss, and finite for logits as large as ±200 " +
                        "(where σ(z) rounds to exactly 0 or 1 in float32). The checker compares the value and the gradient with BCEWithLogitsLoss's.",
            Hints =
            [
                "Written with `sigmoid()` and `log()` as in the formula, it gives inf when σ(z) rounds to 0 or 1: log 0 = −∞.",
                "−log σ(z) = softplus(−z) and −log(1 − σ(z)) = softplus(z), where softplus(t) = log(1 + eᵗ) stays finite: `nn.functional.softplus`.",
                "`Func<Tensor, Tensor, Tensor> bce = (z, y) => (y * nn.functional.softplus(-z) + (1 - y) * nn.functional.softplus(z)).mean();`",
            ],
            Solution = "Func<Tensor, Tensor, Tensor> bce = (z, y) => (y * nn.functional.softplus(-z) + (1 - y) * nn.functional.softplus(z)).mean();",
            Check = c =>
            {
                var bce = c.Function<Func<Tensor, Tensor, Tensor>>("bce");
                var cases = new (string label, string zText, Tensor z, Tensor y)[]
                {
                    ("2·randn(8), y", "2·randn(8)", randn(new long[] { 8 }, generator: c.Generator) * 2, bernoulli(full(new long[] { 8 }, 0.5), generator: c.Generator)),
                    ("[200, -200, 30, -30, 0.5], [0, 1, 1, 0, 1]", "[200, -200, 30, -30, 0.5]", tensor(new[] { 200.0, -200, 30, -30, 0.5 }), tensor(new[] { 0.0, 1, 1, 0, 1 })),
                    // not z = 0: there the stable max(z, 0) − z·y + log(1 + e^−|z|) has a kink, and its gradient (PyTorch's too) is a subgradient
                };
                foreach (var (label, zText, z0, y) in cases)
                {
                    var z = z0.clone().requires_grad_();
                    var r = c.Call("bce(z, y)", () => bce(z, y));
                    if (Uses(r, "BinaryCrossEntropyWithLogitsBackward0"))
                    {
                        c.Wrong("`bce` calls BCEWithLogitsLoss (or `binary_cross_entropy_with_logits`) itself: compute it by hand from tensor operations");
                        return;
                    }
                    if (Uses(r, "BinaryCrossEntropyBackward0"))
                    {
                        c.Wrong("`bce` calls BCELoss: compute it by hand — and BCELoss on `sigmoid(z)` is exactly what loses precision for large logits (it clamps log 0 to −100)");
                        return;
                    }
                    if (r.dim() != 0)
                    {
                        c.Wrong($"`bce({label})` has shape {Shape(r.shape)}, expected a scalar: take the mean over the samples");
                        return;
                    }
                    double got = Values(r)[0];
                    if (!double.IsFinite(got))
                    {
                        c.Wrong($"`bce({label})` is {ExerciseContext.Num(got)}: σ(z) rounds to exactly 0 or 1 in float32 for such z, and log 0 = −∞ (times a 0 target, nan). " +
                                "Use −log σ(z) = softplus(−z) and −log(1 − σ(z)) = softplus(z) (`nn.functional.softplus`), which stay finite");
                        return;
                    }
                    var expected = nn.BCEWithLogitsLoss().forward(z0, y);
                    if (!c.ExpectClose(r, $"bce({label})", expected, rtol: 1e-4, atol: 1e-5))
                    {
                        if (Near(got, Values(nn.BCEWithLogitsLoss(reduction: "sum").forward(z0, y))[0]))
                            c.Note($"that is the sum over the {z0.numel()} samples: BCEWithLogitsLoss's default reduction \"mean\" divides it by their number");
                        else if (Near(got, Values(nn.BCELoss().forward(z0.sigmoid(), y))[0]))
                            c.Note("that is what BCELoss on sigmoid(z) gives: log 0 clamped to −100, where the exact loss keeps growing with |z|");
                        return;
                    }
                    if (!r.requires_grad) { c.Wrong("`bce(z, y)` does not require grad: compute it from `z` with tensor operations"); return; }
                    c.Call("bce(z, y).backward()", () => r.backward());
                    if (z.grad is null) { c.Wrong("`z.grad` is null after backward: `bce` must compute its result from the `z` it is given"); return; }
                    c.ExpectClose(z.grad, $"z.grad, z = {zText}", (z0.sigmoid() - y) / z0.numel(), rtol: 1e-4, atol: 1e-5);
                }
            },
            WrongAnswers =
            [
                new("Func<Tensor, Tensor, Tensor> bce = (z, y) => -(y * z.sigmoid().log() + (1 - y) * (1 - z.sigmoid()).log()).mean();",
                    "`bce([200, -200, 30, -30, 0.5], [0, 1, 1, 0, 1])` is nan", "softplus"),
                new("Func<Tensor, Tensor, Tensor> bce = (z, y) => nn.BCELoss().forward(z.sigmoid(), y);",
                    "`bce` calls BCELoss"),
                new("Func<Tensor, Tensor, Tensor> bce = (z, y) => nn.BCEWithLogitsLoss().forward(z, y);",
                    "`bce` calls BCEWithLogitsLoss"),
                new("Func<Tensor, Tensor, Tensor> bce = (z, y) => (y * nn.functional.softplus(-z) + (1 - y) * nn.functional.softplus(z)).sum();",
                    "`bce(2·randn(8), y)` is", "the sum over the 8 samples"),
            ],
        },
    ];
}
