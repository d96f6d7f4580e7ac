using Torchlet.Data;
using static Torchlet.torch;
using static Torchlet.torch.utils.data;
using F = Torchlet.torch.nn.functional;

namespace Torchlet.Interactive.Exercises;

/// <summary>
/// Chapter 4 (notebook <c>04-train-val-test</c>): the notes' 训练集、验证集与测试集 — a random split into training and
/// validation sets, a model too small (underfitting) and one too large for its data (overfitting) as the notes' table
/// and <see cref="FitRules"/> judge them, and the test set's accuracy of a chosen model.
/// </summary>
/// <remarks>
/// The training checkers train the learner's model themselves, on images that the full Fashion-MNIST and the shipped
/// sample (its first 10,000 training images) have in common, so a verdict is the same on every machine.
/// </remarks>
internal static class Chapter4TrainValTest
{
    const string Notebook = "04-train-val-test";

    /// <summary>The notebook's transform's constants (Fashion-MNIST's mean and standard deviation).</summary>
    const double Mean = 0.2860, Std = 0.3530;

    const string SetupData = """
        var tf = torchvision.transforms.Compose(torchvision.transforms.ToTensor(), torchvision.transforms.Normalize(new[] { 0.2860 }, new[] { 0.3530 }));
        var train = torchvision.datasets.FashionMNIST(root: CourseData.FashionMnistRoot, train: true, transform: tf);
        var test = torchvision.datasets.FashionMNIST(root: CourseData.FashionMnistRoot, train: false, transform: tf);
        """;

    // ---- the training recipe of exercises 4.2 and 4.3 ------------------------------------------------------

    const int Epochs = 20, BatchSize = 64, SmallSet = 6000, TinySet = 300, ValidationStart = 9000, ValidationSize = 1000;
    const double LearningRate = 0.01, HighLoss = 1.0;

    static readonly object Gate = new();
    static (string root, Tensor x, Tensor y)? s_train;

    /// <summary>The first 10,000 training images (normalised as the notebook's transform does) and labels, loaded once.</summary>
    static (Tensor x, Tensor y) TrainImages()
    {
        var root = CourseData.FashionMnistRoot;
        lock (Gate)
        {
            if (s_train is { } cached && cached.root == root) return (cached.x, cached.y);
            var ds = torchvision.datasets.FashionMNIST(root: root, train: true);
            long n = Math.Min(ds.Count, ValidationStart + ValidationSize);
            var x = ((ds.data.narrow(0, 0, n).to(float32) / 255.0 - Mean) / Std).unsqueeze(1);
            var y = ds.targets.narrow(0, 0, n);
            s_train = (root, x, y);
            return (x, y);
        }
    }

    /// <summary>
    /// Trains a fresh model from <paramref name="make"/> on the first <paramref name="n"/> training images (Adam, lr 0.01,
    /// batches of 64, 20 epochs) and records its training loss and its loss on 1,000 other training images (9,000…9,999) per epoch.
    /// </summary>
    static TrainingHistory Train(Func<nn.Module<Tensor, Tensor>> make, int n, Generator g, CancellationToken token)
    {
        var (allX, allY) = TrainImages();
        var x = allX.narrow(0, 0, n);
        var y = allY.narrow(0, 0, n);
        var valX = allX.narrow(0, ValidationStart, ValidationSize);
        var valY = allY.narrow(0, ValidationStart, ValidationSize);
        manual_seed(0);   // the same initial weights on every check (the runner restores the notebook's generator)
        var net = make();
        var optimizer = optim.Adam(net.parameters(), lr: LearningRate);
        var history = new TrainingHistory();
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            net.train();
            var order = randperm(n, generator: g);
            double sum = 0;
            for (int start = 0; start < n; start += BatchSize)
            {
                token.ThrowIfCancellationRequested();
                var idx = order.narrow(0, start, Math.Min(BatchSize, n - start));
                optimizer.zero_grad();
                var loss = F.cross_entropy(net.forward(x.index_select(0, idx)), y.index_select(0, idx));
                loss.backward();
                optimizer.step();
                sum += loss.item<float>() * idx.shape[0];
            }
            net.eval();
            double val;
            using (no_grad()) val = F.cross_entropy(net.forward(valX), valY).item<float>();
            history.Add(epoch, train: sum / n, validation: val);
        }
        return history;
    }

    /// <summary>The model's output for a batch of images, with a word about Flatten when a Linear layer gets the images unflattened.</summary>
    static Tensor Probe(nn.Module<Tensor, Tensor> net, Tensor images)
    {
        using var _ = no_grad();
        try { return net.forward(images); }
        catch (ArgumentException e) when (e.Message.Contains("in_features", StringComparison.Ordinal) || e.Message.Contains("mat1 and mat2", StringComparison.Ordinal))
        {
            throw new ArgumentException(e.Message + ". A Linear layer reads the last dimension of its input: start the model with nn.Flatten() to turn each [1, 28, 28] image into 784 numbers", e);
        }
    }

    static string Last(TrainingHistory h, string series) => ExerciseContext.Num(Math.Round(h.Series(series)[^1].Value, 3));

    /// <summary>Checks that the learner's factory <paramref name="name"/> gives a model for [batch, 1, 28, 28] images with 10 outputs; then trains and judges it.</summary>
    static FitVerdict TrainAndJudge(ExerciseContext c, string name, int n)
    {
        var make = c.Function<Func<nn.Module<Tensor, Tensor>>>(name);
        var probe = c.Call($"{name}()", () => make());
        var images = TrainImages().x.narrow(0, 0, 2);
        var output = c.Call($"{name}().forward(images)", () => Probe(probe, images));
        if (!output.shape.SequenceEqual([2L, 10L]))
            throw c.Stop($"`{name}().forward(images)` has shape {Html.ShapeText(output.shape)} for 2 images of shape [1, 28, 28], expected [2, 10] (one logit per class)");
        var g = new Generator(20240607);
        var history = c.Call($"training {name}() for {Epochs} epochs on {n:N0} images", token => Train(make, n, g, token));
        var verdict = FitRules.Judge(history, highLoss: HighLoss);
        c.Note($"{n:N0} training images, {Epochs} epochs: training loss {Last(history, "loss")}, validation loss {Last(history, "val_loss")} at the end. FitRules: {verdict.Text}");
        return verdict;
    }

    // ---- the test set of exercise 4.4 -------------------------------------------------------------------------

    /// <summary>The accuracy asked for: 87% with the full Fashion-MNIST; 85% with the shipped sample, whose 10,000 training images limit a small network.</summary>
    static double TargetAccuracy => CourseData.HasFullFashionMnist ? 0.87 : 0.85;

    static double TestAccuracy(nn.Module<Tensor, Tensor> net, CancellationToken token)
    {
        var tf = torchvision.transforms.Compose(torchvision.transforms.ToTensor(), torchvision.transforms.Normalize([Mean], [Std]));
        var test = torchvision.datasets.FashionMNIST(root: CourseData.FashionMnistRoot, train: false, transform: tf);
        bool training = net.training;
        net.eval();
        try
        {
            long correct = 0;
            using (no_grad())
                foreach (var (images, labels) in DataLoader(test, batch_size: 1000))
                {
                    token.ThrowIfCancellationRequested();
                    correct += net.forward(images).argmax(1).eq(labels).sum().item<long>();
                }
            return (double)correct / test.Count;
        }
        finally { net.train(training); }
    }

    /// <summary>The accuracy of <paramref name="net"/> on the first 10,000 training images (those the sample and the full set share).</summary>
    static double TrainAccuracy(nn.Module<Tensor, Tensor> net, CancellationToken token)
    {
        var (x, y) = TrainImages();
        bool training = net.training;
        net.eval();
        try
        {
            long correct = 0, n = x.shape[0];
            using (no_grad())
                for (long start = 0; start < n; start += 1000)
                {
                    token.ThrowIfCancellationRequested();
                    long size = Math.Min(1000, n - start);
                    correct += net.forward(x.narrow(0, start, size)).argmax(1).eq(y.narrow(0, start, size)).sum().item<long>();
                }
            return (double)correct / n;
        }
        finally { net.train(training); }
    }

    /// <summary>How many points the test accuracy may exceed the training images' before the checker suspects the net trained on the test set.</summary>
    const double TestAboveTrain = 0.03;

    /// <summary>The learner's measurement, as the statement asks for it: eval mode, no gradients, every image of <c>DATA</c>.</summary>
    const string Measure = """
        net.eval();
        long correct = 0;
        using (no_grad())
            foreach (var (images, labels) in torch.utils.data.DataLoader(DATA, batch_size: 1000))
                correct += net.forward(images).argmax(1).eq(labels).sum().item<long>();
        """;

    static readonly string SolutionNet = """
        manual_seed(0);
        var net = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10));
        var optimizer = optim.Adam(net.parameters(), lr: 1e-3);
        var loader = torch.utils.data.DataLoader(train, batch_size: 64, shuffle: true);
        for (int epoch = 0; epoch < 12; epoch++)
        {
            net.train();
            foreach (var (images, labels) in loader)
            {
                optimizer.zero_grad();
                nn.functional.cross_entropy(net.forward(images), labels).backward();
                optimizer.step();
            }
        }

        """ + Measure.Replace("DATA", "test") + """

        var test_accuracy = (double)correct / test.Count;
        """;

    /// <summary>A quickly trained model (one epoch on 2,000 training images) for the typical wrong answers.</summary>
    const string QuickNet = """
        manual_seed(0);
        var first = torch.utils.data.Subset(train, Enumerable.Range(0, 2000).Select(i => (long)i).ToArray());
        var net = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10));
        var optimizer = optim.Adam(net.parameters(), lr: 1e-3);
        foreach (var (images, labels) in torch.utils.data.DataLoader(first, batch_size: 64, shuffle: true))
        {
            optimizer.zero_grad();
            nn.functional.cross_entropy(net.forward(images), labels).backward();
            optimizer.step();
        }

        """;

    public static IReadOnlyList<Exercise> Exercises { get; } =
    [
        new()
        {
            Id = "4.1",
            Title = "Training and validation sets by random_split",
            Notebook = Notebook,
            Setup = SetupData,
            Statement = "Split the training set `train` (the cell above loads it) into a training part of 90% and a validation part of 10% with " +
                        "`torch.utils.data.random_split`, right after `manual_seed(0)`: `train_part` and `val_part`. " +
                        "The checker compares their indices with what PyTorch's random_split gives for seed 0 — the same images, in the same order.",
            Hints =
            [
                "`random_split(dataset, new[] { 0.9, 0.1 })` returns an array of two subsets, in the order of the fractions.",
                "The split draws a random permutation from the default generator: call `manual_seed(0)` immediately before it, with nothing random in between.",
                "`manual_seed(0); var parts = torch.utils.data.random_split(train, new[] { 0.9, 0.1 }); var train_part = parts[0]; var val_part = parts[1];`",
            ],
            Solution = """
                manual_seed(0);
                var parts = torch.utils.data.random_split(train, new[] { 0.9, 0.1 });
                var train_part = parts[0];
                var val_part = parts[1];
                """,
            Check = c =>
            {
                var train = c.Given<Dataset<(Tensor, long)>>("train");
                var trainPart = c.Value<Subset<(Tensor, long)>>("train_part");
                var valPart = c.Value<Subset<(Tensor, long)>>("val_part");
                var expected = random_split(train, [0.9, 0.1], generator: new Generator(0));
                bool sizes = c.Expect("train_part.Count", trainPart.Count, expected[0].Count) & c.Expect("val_part.Count", valPart.Count, expected[1].Count);
                if (!sizes)
                {
                    if (trainPart.Count == expected[1].Count && valPart.Count == expected[0].Count)
                        c.Note("the parts come in the order of the fractions: `new[] { 0.9, 0.1 }` gives the 90% part first");
                    return;
                }
                c.Expect(ReferenceEquals(trainPart.dataset, train) && ReferenceEquals(valPart.dataset, train),
                    "both parts are subsets of `train`", "`train_part` and `val_part` must be subsets of `train` itself (split `train`, not a copy or another data set)");
                for (int k = 0; k < 2; k++)
                {
                    var (name, part, want) = k == 0 ? ("train_part", trainPart, expected[0]) : ("val_part", valPart, expected[1]);
                    if (part.indices.SequenceEqual(want.indices))
                    {
                        c.Right($"`{name}.indices` are what random_split gives after manual_seed(0) (first {string.Join(", ", want.indices.Take(3))}, …)");
                        continue;
                    }
                    c.Wrong($"`{name}.indices` differ from what random_split gives after manual_seed(0): they begin {string.Join(", ", part.indices.Take(3))}, expected {string.Join(", ", want.indices.Take(3))}");
                    long offset = k == 0 ? 0 : expected[0].Count;
                    if (part.indices.Select((v, i) => v == offset + i).All(b => b))
                        c.Note("these are the images in their file order: a validation set should be a random sample of the data, which is what random_split draws");
                    else
                        c.Note("call `manual_seed(0)` right before `random_split`, with nothing random drawn in between (a `randn`, a shuffled loader's epoch, another split)");
                    return;
                }
                c.Note("the two parts do not overlap and together hold every training image once: the validation images are never trained on");
            },
            WrongAnswers =
            [
                new("manual_seed(1); var parts = torch.utils.data.random_split(train, new[] { 0.9, 0.1 }); var train_part = parts[0]; var val_part = parts[1];",
                    "`train_part.indices` differ from what random_split gives after manual_seed(0)", "call `manual_seed(0)` right before"),
                new("manual_seed(0); var parts = torch.utils.data.random_split(train, new[] { 0.1, 0.9 }); var train_part = parts[0]; var val_part = parts[1];",
                    "`train_part.Count` is", "the parts come in the order of the fractions"),
                new("""
                    long n = (long)(train.Count * 0.9);
                    var train_part = torch.utils.data.Subset(train, Enumerable.Range(0, (int)n).Select(i => (long)i).ToArray());
                    var val_part = torch.utils.data.Subset(train, Enumerable.Range((int)n, (int)(train.Count - n)).Select(i => (long)i).ToArray());
                    """,
                    "the images in their file order"),
            ],
        },
        new()
        {
            Id = "4.2",
            Title = "A model too small: underfitting",
            Notebook = Notebook,
            Statement = "Make a model that underfits — too simple for its data, the first column of the notes' table. Define `Func<nn.Module<Tensor, Tensor>> make_small` " +
                        "that returns a new model taking a batch of images [batch, 1, 28, 28] (normalised as the notebook's `tf` does) to 10 logits. " +
                        "The checker trains one on 6,000 training images (Adam, lr 0.01, batches of 64, 20 epochs), measures the loss on 1,000 other images per epoch, " +
                        "and asks FitRules for the verdict: it must be underfitting (both curves flat at a loss of 1.0 or more).",
            Hints =
            [
                "`nn.Flatten()` first turns each [1, 28, 28] image into 784 numbers for a Linear layer.",
                "A model too small to tell ten classes apart squeezes each image through very few numbers: a bottleneck.",
                "`Func<nn.Module<Tensor, Tensor>> make_small = () => nn.Sequential(nn.Flatten(), nn.Linear(784, 1), nn.Linear(1, 10));` — one number per image.",
            ],
            Solution = "Func<nn.Module<Tensor, Tensor>> make_small = () => nn.Sequential(nn.Flatten(), nn.Linear(784, 1), nn.Linear(1, 10));",
            TimeLimit = TimeSpan.FromSeconds(60),
            Check = c =>
            {
                var verdict = TrainAndJudge(c, "make_small", SmallSet);
                switch (verdict.Case)
                {
                    case Fit.Underfitting:
                        c.Right("FitRules: underfitting — bias error, the model is too simple; the notes' remedy is to increase the model's complexity");
                        break;
                    case Fit.Overfitting:
                    case Fit.GoodFit:
                        c.Wrong($"FitRules: {Name(verdict.Case)}, not underfitting: this model learns the training images well (training loss below 1.0). " +
                                "An underfitting model cannot: give it far fewer numbers to describe an image with");
                        break;
                    case Fit.NotConverged:
                        c.Wrong($"FitRules: {Name(verdict.Case)}, not underfitting: the training loss is high but still falling after 20 epochs; a model that underfits stops improving early at a high loss");
                        break;
                    default:
                        c.Wrong($"FitRules: {Name(verdict.Case)}, not underfitting: the rules could not judge these curves ({verdict.Text}). A model that underfits gives two curves that flatten out at a high loss");
                        break;
                }
            },
            WrongAnswers =
            [
                new("Func<nn.Module<Tensor, Tensor>> make_small = () => nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10));",
                    "FitRules: overfitting, not underfitting"),
                new("Func<nn.Module<Tensor, Tensor>> make_small = () => nn.Sequential(nn.Linear(784, 1), nn.Linear(1, 10));",
                    "threw", "start the model with nn.Flatten()"),
                new("Func<nn.Module<Tensor, Tensor>> make_small = () => nn.Sequential(nn.Flatten(), nn.Linear(784, 1));",
                    "has shape [2, 1] for 2 images of shape [1, 28, 28], expected [2, 10]"),
            ],
        },
        new()
        {
            Id = "4.3",
            Title = "A model too large for its data: overfitting",
            Notebook = Notebook,
            Statement = "Make a model that overfits — too complex for the little data it gets, the second column of the notes' table. Define `Func<nn.Module<Tensor, Tensor>> make_large` " +
                        "that returns a new model taking [batch, 1, 28, 28] images to 10 logits. The checker trains one on only 300 training images " +
                        "(Adam, lr 0.01, batches of 64, 20 epochs), measures the loss on 1,000 other images per epoch, and asks FitRules for the verdict: it must be overfitting " +
                        "(the validation loss turning up while the training loss falls, or ending at least twice the training loss).",
            Hints =
            [
                "A model with many parameters can learn 300 images by heart; the validation images then show that it learned them, not clothing.",
                "A wide hidden layer (hundreds of units) after `nn.Flatten()` is plenty.",
                "`Func<nn.Module<Tensor, Tensor>> make_large = () => nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10));`",
            ],
            Solution = "Func<nn.Module<Tensor, Tensor>> make_large = () => nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10));",
            TimeLimit = TimeSpan.FromSeconds(60),
            Check = c =>
            {
                var verdict = TrainAndJudge(c, "make_large", TinySet);
                if (verdict.Case == Fit.Overfitting)
                    c.Right("FitRules: overfitting — variance error, the model is too complex for 300 images; the notes' remedies are a smaller model or a larger training set");
                else
                    c.Wrong($"FitRules: {Name(verdict.Case)}, not overfitting: this model cannot learn even 300 images by heart. Give it many more parameters (a wide hidden layer)");
            },
            WrongAnswers =
            [
                new("Func<nn.Module<Tensor, Tensor>> make_large = () => nn.Sequential(nn.Flatten(), nn.Linear(784, 1), nn.Linear(1, 10));",
                    "not overfitting"),
                new("Func<nn.Module<Tensor, Tensor>> make_large = () => nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10));",
                    "threw", "start the model with nn.Flatten()"),
            ],
        },
        new()
        {
            Id = "4.4",
            Title = "The test set's verdict",
            Notebook = Notebook,
            Setup = SetupData,
            Statement = "The notes: the test set rates the final result. Make `net` your final model, trained on training images only — the usual last step is to " +
                        "train the architecture you chose once more on all of `train` (training and validation parts together) — so that it classifies at least 87% of " +
                        "the test set `test` correctly (85% if only the sample of Fashion-MNIST shipped with Torchlet is installed: its 10,000 training images limit a small network). Then measure that yourself as `test_accuracy`, a fraction between 0 and 1: run `net` on every image of `test` " +
                        "in eval mode and without gradients, and count how often the largest logit is at the right class. `net` takes images [batch, 1, 28, 28] as the " +
                        "notebook's `tf` makes them. The checker runs `net` on the test set too and compares — and on training images: a net that does clearly better on `test` " +
                        "than on images it trained on has seen the test set.",
            Hints =
            [
                "More training images (all of `train`), a wider hidden layer and a few epochs each help; the validation curve told you how many epochs are useful.",
                "`net.eval();` and `using (no_grad())`, then for each batch of `torch.utils.data.DataLoader(test, batch_size: 1000)`: " +
                "`correct += net.forward(images).argmax(1).eq(labels).sum().item<long>();` and finally `(double)correct / test.Count`.",
                "The notebook's chosen MLP, 784 → 128 → 10, trained with Adam (lr 0.001, batches of 64) on all of `train` for 12 epochs (its best validation epoch was 11) " +
                "reaches about 88% with the full data set, 86–87% with the sample.",
            ],
            Solution = SolutionNet,
            TimeLimit = TimeSpan.FromSeconds(30),
            Check = c =>
            {
                c.Given<Dataset<(Tensor, long)>>("test");
                var net = c.Module<nn.Module<Tensor, Tensor>>("net");
                var images = TrainImages().x.narrow(0, 0, 2);
                var output = c.Call("net.forward(images)", () => Probe(net, images));
                if (!output.shape.SequenceEqual([2L, 10L]))
                    throw c.Stop($"`net.forward(images)` has shape {Html.ShapeText(output.shape)} for 2 images of shape [1, 28, 28], expected [2, 10] (one logit per class)");
                double measured = c.Call("net on the test set", token => TestAccuracy(net, token));
                c.Expect(measured >= TargetAccuracy,
                    $"`net` classifies {Percent(measured)} of the test set correctly (at least {Percent(TargetAccuracy)})",
                    $"`net` classifies {Percent(measured)} of the test set correctly, not yet {Percent(TargetAccuracy)} ({ExerciseContext.Num(Math.Round((TargetAccuracy - measured) * 100, 2))} points to go): " +
                    "train it on more images, for more epochs, or make it wider");
                // A model does better on images it was trained on than on new ones: clearly better on the test set than on
                // training images means the test set was trained on.
                double onTrain = c.Call("net on 10,000 training images", token => TrainAccuracy(net, token));
                if (measured > onTrain + TestAboveTrain)
                    c.Wrong($"`net` classifies {Percent(measured)} of the test set correctly but only {Percent(onTrain)} of the first 10,000 training images: " +
                            "a model does better on images it was trained on, not on new ones — `net` looks trained on `test`. The test set must play no part in training " +
                            "(nor in choosing the model): train on `train`, then measure on `test` once");
                double reported = c.Value<double>("test_accuracy");
                if (reported > 1 && Math.Abs(reported / 100 - measured) <= 0.005)
                    c.Wrong($"`test_accuracy` is {ExerciseContext.Num(reported)}: a percentage; give it as a fraction between 0 and 1 ({ExerciseContext.Num(Math.Round(measured, 4))})");
                else if (Math.Abs(reported - measured) <= 0.005)
                    c.Right($"`test_accuracy` is {ExerciseContext.Num(Math.Round(reported, 4))}, what the checker measures on the test set");
                else
                {
                    c.Wrong($"`test_accuracy` is {ExerciseContext.Num(Math.Round(reported, 4))}, but `net` classifies {ExerciseContext.Num(Math.Round(measured, 4))} of the test set correctly");
                    if (reported > measured + 0.005)
                        c.Note("a higher number than the test set gives: was it measured on training or validation images, which the model has seen or was chosen on? The test set is the one that rates the final result");
                }
            },
            WrongAnswers =
            [
                new(QuickNet + Measure.Replace("DATA", "test") + "\nvar test_accuracy = 100.0 * correct / test.Count;",
                    "a percentage; give it as a fraction", "of the test set correctly, not yet"),
                new(QuickNet + Measure.Replace("DATA", "first") + "\nvar test_accuracy = (double)correct / first.Count;",
                    "but `net` classifies", "was it measured on training or validation images"),
                new("""
                    manual_seed(0);
                    var net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10));
                    var optimizer = optim.Adam(net.parameters(), lr: 1e-3);
                    var loader = torch.utils.data.DataLoader(test, batch_size: 64, shuffle: true);
                    for (int epoch = 0; epoch < 8; epoch++)
                        foreach (var (images, labels) in loader)
                        {
                            optimizer.zero_grad();
                            nn.functional.cross_entropy(net.forward(images), labels).backward();
                            optimizer.step();
                        }

                    """ + Measure.Replace("DATA", "test") + "\nvar test_accuracy = (double)correct / test.Count;",
                    "of the first 10,000 training images", "`net` looks trained on `test`"),
                new("""
                    var net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10));
                    var test_accuracy = 0.9;
                    """,
                    "of the test set correctly, not yet", "`test_accuracy` is 0.9, but `net` classifies"),
            ],
        },
    ];

    static string Percent(double fraction) => ExerciseContext.Num(Math.Round(fraction * 100, 2)) + "%";

    static string Name(Fit f) => f switch
    {
        Fit.Underfitting => "underfitting",
        Fit.Overfitting => "overfitting",
        Fit.GoodFit => "good fit",
        Fit.NotConverged => "not converged yet",
        _ => "inconclusive",
    };
}
