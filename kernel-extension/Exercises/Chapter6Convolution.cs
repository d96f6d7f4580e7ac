using Torchlet.Modules;
using static Torchlet.torch;

namespace Torchlet.Interactive.Exercises;

/// <summary>
/// Chapter 6 (notebook <c>06-convolution</c>): the notes' §2.7 output-size formula as a function, a Conv2d configured
/// for a given output size, and a CNN that learns Fashion-MNIST within a step budget.
/// </summary>
internal static class Chapter6Convolution
{
    const string Notebook = "06-convolution";

    /// <summary>What a real layer outputs: the length of <c>nn.Conv1d(1, 1, k, stride: s, padding: p, dilation: d)</c>'s output on n values.</summary>
    static long RealSize(long n, long k, long s, long p, long d)
    {
        using var _ = no_grad();
        return nn.Conv1d(1, 1, k, stride: s, padding: p, dilation: d).forward(zeros(1, 1, n)).size(2);
    }

    /// <summary>Inputs (n, k, s, p, d) chosen so that each usual slip gives a different number somewhere.</summary>
    static readonly (long n, long k, long s, long p, long d)[] Cases =
    [
        (28, 3, 1, 1, 1), (28, 5, 2, 0, 1), (50, 3, 2, 4, 3), (100, 5, 1, 2, 1), (28, 3, 1, 0, 2), (7, 3, 2, 0, 1), (32, 4, 2, 1, 1), (10, 3, 3, 1, 1),
    ];

    // Steps the checker trains a learner's CNN for, and the accuracy it must reach on the first test images.
    const int TrainSteps = 300;
    const double TargetAccuracy = 0.86;
    const int TestImages = 2000;

    public static IReadOnlyList<Exercise> Exercises { get; } =
    [
        new()
        {
            Id = "6.1",
            Title = "The output-size formula as a function",
            Notebook = Notebook,
            Statement = "Define `Func<long, long, long, long, long, long> conv_out` that takes an input size n, a kernel size k, a stride s, " +
                        "a padding p (added on both sides) and a dilation d, and returns the output size of a convolution along that dimension, " +
                        "as §2.7's formula gives it (and as `#!nn conv` shows it). The checker calls it on eight combinations and compares " +
                        "each with the output length of a real `nn.Conv1d` with those settings on an input of n values (a `Conv2d` does the same along each of its two dimensions).",
            Hints =
            [
                "Dilation spreads the kernel: its k taps cover d·(k − 1) + 1 input positions.",
                "Padding p is added on both sides: the padded input has n + 2p positions. Count how many times the spread kernel fits, stepping by s.",
                "⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1: with longs, C#'s `/` already rounds down for these positive numbers.",
            ],
            Solution = "Func<long, long, long, long, long, long> conv_out = (n, k, s, p, d) => (n + 2 * p - d * (k - 1) - 1) / s + 1;",
            Check = c =>
            {
                var f = c.Function<Func<long, long, long, long, long, long>>("conv_out");
                // The expected sizes come from real layers, not from the formula.
                var real = Cases.ToDictionary(x => x, x => RealSize(x.n, x.k, x.s, x.p, x.d));
                var wrong = new List<(long n, long k, long s, long p, long d, long got)>();
                foreach (var (n, k, s, p, d) in Cases)
                {
                    long got = c.Call($"conv_out({n}, {k}, {s}, {p}, {d})", () => f(n, k, s, p, d));
                    if (got != real[(n, k, s, p, d)]) wrong.Add((n, k, s, p, d, got));
                }
                if (wrong.Count == 0)
                {
                    c.Right($"`conv_out` gives what a real `nn.Conv1d` outputs for all {Cases.Length} combinations, e.g. `conv_out(50, 3, 2, 4, 3)` = {real[(50, 3, 2, 4, 3)]} (the notes' Conv2d, first dimension)");
                    return;
                }
                var (n0, k0, s0, p0, d0, got0) = wrong[0];
                c.Wrong($"`conv_out({n0}, {k0}, {s0}, {p0}, {d0})` is {got0}, expected {real[(n0, k0, s0, p0, d0)]}, the length `nn.Conv1d(1, 1, {k0}, stride: {s0}, padding: {p0}, dilation: {d0})` outputs for {n0} values" +
                        (wrong.Count > 1 ? $"; {wrong.Count} of {Cases.Length} combinations differ" : ""));
                // Which slip explains every answer?
                bool All(Func<long, long, long, long, long, long> g) => Cases.All(x => wrong.Any(w => (w.n, w.k, w.s, w.p, w.d) == x)
                    ? wrong.First(w => (w.n, w.k, w.s, w.p, w.d) == x).got == g(x.n, x.k, x.s, x.p, x.d)
                    : g(x.n, x.k, x.s, x.p, x.d) == real[x]);
                if (All((n, k, s, p, d) => (n + 2 * p - k) / s + 1))
                    c.Note("your sizes ignore the dilation: a dilated kernel covers d·(k − 1) + 1 positions, so subtract d·(k − 1) + 1, not k");
                else if (All((n, k, s, p, d) => (n + p - d * (k - 1) - 1) / s + 1))
                    c.Note("the padding is added on both sides of the input: n + 2p positions");
                else if (All((n, k, s, p, d) => (n + 2 * p - d * (k - 1) - 1) / s))
                    c.Note("count the first position too: ⌊…/s⌋ + 1");
                else if (All((n, k, s, p, d) => (long)Math.Ceiling((n + 2 * p - d * (k - 1) - 1) / (double)s) + 1))
                    c.Note("the formula rounds down (a last window that does not fit is dropped); rounding up is pooling's `ceil_mode: true`");
            },
            WrongAnswers =
            [
                new("Func<long, long, long, long, long, long> conv_out = (n, k, s, p, d) => (n + 2 * p - k) / s + 1;",
                    "`conv_out(50, 3, 2, 4, 3)` is 28, expected 26", "ignore the dilation"),
                new("Func<long, long, long, long, long, long> conv_out = (n, k, s, p, d) => (n + p - d * (k - 1) - 1) / s + 1;",
                    "`conv_out(28, 3, 1, 1, 1)` is 27, expected 28", "on both sides"),
                new("Func<long, long, long, long, long, long> conv_out = (n, k, s, p, d) => (n + 2 * p - d * (k - 1) - 1) / s;",
                    "count the first position too"),
                new("Func<long, long, long, long, long, long> conv_out = (n, k, s, p, d) => (long)Math.Ceiling((n + 2 * p - d * (k - 1) - 1) / (double)s) + 1;",
                    "`conv_out(28, 5, 2, 0, 1)` is 13, expected 12", "rounds down"),
                new("Func<int, int, int, int, int, int> conv_out = (n, k, s, p, d) => (n + 2 * p - d * (k - 1) - 1) / s + 1;",
                    "`conv_out` is a Func<int, int, int, int, int, int>, expected a Func<long, long, long, long, long, long>"),
            ],
        },
        new()
        {
            Id = "6.2",
            Title = "A Conv2d from 1×28×28 to 32×14×14",
            Notebook = Notebook,
            Setup = "using Torchlet.Modules;",
            Statement = "Define `downsample`, a `Conv2d` with a 3×3 kernel (no dilation) that maps a batch of Fashion-MNIST images [N, 1, 28, 28] " +
                        "to [N, 32, 14, 14]: 32 feature maps at half the resolution, every input pixel used. Choose its stride and padding " +
                        "with §2.7's formula (or `#!nn conv --in 28,28 --kernel 3 …`). The checker reads its configuration and runs it.",
            Hints =
            [
                "The channels are the first two arguments: `nn.Conv2d(in_channels, out_channels, kernel_size: 3, …)`.",
                "Halving the size is a stride of 2. Then pick the padding p with ⌊(28 + 2p − 3) / 2⌋ + 1 = 14.",
            ],
            Solution = "var downsample = nn.Conv2d(1, 32, kernel_size: 3, stride: 2, padding: 1);",
            Check = c =>
            {
                var conv = c.Module<Conv2d>("downsample");
                bool channels = c.ExpectConfig(conv, "downsample", ("in_channels", 1L), ("out_channels", 32L));
                bool kernel = c.ExpectConfig(conv, "downsample", ("kernel_size", new long[] { 3, 3 }), ("dilation", new long[] { 1, 1 }));
                if (!channels) return;
                var x = randn(new long[] { 2, 1, 28, 28 }, generator: c.Generator);
                var y = c.Call("downsample(x)", () => { using (no_grad()) return conv.forward(x); });
                if (c.ExpectShape(y, "downsample(x) for x of shape [2, 1, 28, 28]", 2, 32, 14, 14) || !kernel) return;
                long h = y.shape[2];
                if (conv.stride.Any(s => s == 1))
                    c.Note($"a stride of 1 keeps the size ({h}); a stride of 2 halves it");
                else if (h == 13)
                    c.Note("⌊(28 + 2·0 − 3) / 2⌋ + 1 = 13: without padding the last column and row are never at a window's centre; pad by 1");
                c.ExpectConfig(conv, "downsample", ("stride", new long[] { 2, 2 }), ("padding", new long[] { 1, 1 }));
            },
            WrongAnswers =
            [
                new("var downsample = nn.Conv2d(1, 32, kernel_size: 3, stride: 2);",
                    "`downsample(x) for x of shape [2, 1, 28, 28]` has shape [2, 32, 13, 13], expected [2, 32, 14, 14]", "pad by 1", "`downsample.padding` is (0, 0), expected (1, 1)"),
                new("var downsample = nn.Conv2d(1, 32, kernel_size: 3, padding: 1);",
                    "has shape [2, 32, 28, 28], expected [2, 32, 14, 14]", "a stride of 2 halves it"),
                new("var downsample = nn.Conv2d(32, 1, kernel_size: 3, stride: 2, padding: 1);",
                    "`downsample.in_channels` is 32, expected 1", "`downsample.out_channels` is 1, expected 32"),
                new("var downsample = nn.MaxPool2d(2);",
                    "`downsample` is a MaxPool2d (an nn.Module), expected a Conv2d (an nn.Module)"),
                new("var downsample = nn.Conv2d(1, 32, kernel_size: 2, stride: 2);",
                    "`downsample.kernel_size` is (2, 2), expected (3, 3)"),
            ],
        },
        new()
        {
            Id = "6.3",
            Title = "A CNN that learns Fashion-MNIST in 300 steps",
            Notebook = Notebook,
            TimeLimit = TimeSpan.FromSeconds(120),
            Setup = "using Torchlet.Modules;",
            Statement = $"Define `Func<nn.Module<Tensor, Tensor>> make_net` that returns a fresh, untrained convolutional network (at least one " +
                        $"`Conv2d`) mapping a batch of normalised Fashion-MNIST images [N, 1, 28, 28] to [N, 10] logits. The checker trains what " +
                        $"it returns for {TrainSteps} steps — Adam (lr 1e-3), batches of 64, cross-entropy, the images normalised as in this notebook — and then " +
                        $"measures its accuracy on the first {TestImages:N0} test images: it must reach {TargetAccuracy:P0}, within {120} s of training. " +
                        "The notes' CNN is too slow for that budget here; a smaller network with BatchNorm (notebook 5) is not.",
            Hints =
            [
                "A lambda that builds the network: `Func<nn.Module<Tensor, Tensor>> make_net = () => nn.Sequential(…);` — `nn.Flatten()` turns [N, C, H, W] into [N, C·H·W] before the last Linear.",
                "Two blocks of Conv2d (padding 1) → BatchNorm2d → ReLU → MaxPool2d(2) take 28×28 to 7×7; 32 and 64 channels are plenty.",
                "Count the Linear layer's inputs from the last feature map: 64 channels of 7×7 are 64 * 7 * 7 numbers.",
            ],
            Solution = """
                Func<nn.Module<Tensor, Tensor>> make_net = () => nn.Sequential(
                    nn.Conv2d(1, 32, kernel_size: 5, padding: 2), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),    // 32×14×14
                    nn.Conv2d(32, 64, kernel_size: 3, padding: 1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),   // 64×7×7
                    nn.Flatten(),
                    nn.Linear(64 * 7 * 7, 10));
                """,
            Check = c =>
            {
                var make = c.Function<Func<nn.Module<Tensor, Tensor>>>("make_net");
                manual_seed(0);   // the notebook's generator is restored after the check
                var net = c.Call("make_net()", () => make());
                if (!net.modules().Any(m => m is Conv2d))
                    throw c.Stop("`make_net()` has no Conv2d: the exercise asks for a convolutional network (a multilayer perceptron also gets close, but this chapter is about convolutions)");
                c.Right("`make_net()` is a convolutional network");

                var tf = torchvision.transforms.Compose(torchvision.transforms.ToTensor(), torchvision.transforms.Normalize([0.2860], [0.3530]));
                var train = torchvision.datasets.FashionMNIST(root: CourseData.FashionMnistRoot, train: true, transform: tf);
                var test = torchvision.datasets.FashionMNIST(root: CourseData.FashionMnistRoot, train: false, transform: tf);
                var loader = utils.data.DataLoader(train, batch_size: 64, shuffle: true, generator: new torch.Generator(0));
                var (first, _) = loader.First();
                var y = c.Call("net(images)", () => net.forward(first));
                if (!c.ExpectShape(y, "net(images) for images of shape [64, 1, 28, 28]", 64, 10)) return;

                var accuracy = c.Call($"training the network for {TrainSteps} steps", token =>
                {
                    var optimizer = optim.Adam(net.parameters(), lr: 1e-3);
                    var criterion = nn.CrossEntropyLoss();
                    net.train();
                    int step = 0;
                    while (step < TrainSteps)
                        foreach (var (images, labels) in loader)
                        {
                            token.ThrowIfCancellationRequested();
                            optimizer.zero_grad();
                            criterion.forward(net.forward(images), labels).backward();
                            optimizer.step();
                            if (++step == TrainSteps) break;
                        }
                    net.eval();
                    long correct = 0, total = 0;
                    using (no_grad())
                        foreach (var (images, labels) in utils.data.DataLoader(utils.data.Subset(test, Enumerable.Range(0, (int)Math.Min(TestImages, test.Count)).Select(i => (long)i).ToArray()), batch_size: 500))
                        {
                            token.ThrowIfCancellationRequested();
                            correct += net.forward(images).argmax(1).eq(labels).sum().item<long>();
                            total += labels.shape[0];
                        }
                    return (double)correct / total;
                });
                c.ExpectAccuracy(accuracy, $"test accuracy after {TrainSteps} steps", TargetAccuracy);
            },
            WrongAnswers =
            [
                new("Func<nn.Module<Tensor, Tensor>> make_net = () => nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10));",
                    "`make_net()` has no Conv2d"),
                new("Func<nn.Module<Tensor, Tensor>> make_net = () => nn.Sequential(nn.Conv2d(1, 8, kernel_size: 3, padding: 1), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 28 * 28, 5));",
                    "`net(images) for images of shape [64, 1, 28, 28]` has shape [64, 5], expected [64, 10]"),
                new("Func<nn.Module<Tensor, Tensor>> make_net = () => nn.Sequential(nn.Conv2d(1, 8, kernel_size: 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 28 * 28, 10));",
                    "`net(images)` threw"),
                new("Func<nn.Module<Tensor, Tensor>> make_net = () => nn.Sequential(nn.Conv2d(1, 4, kernel_size: 3, padding: 1), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(), nn.Linear(4 * 7 * 7, 10));",
                    "`test accuracy after 300 steps` is", "not yet 86%"),
            ],
        },
    ];
}
