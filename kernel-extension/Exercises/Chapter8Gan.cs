using Torchlet.Modules;
using static Torchlet.torch;

namespace Torchlet.Interactive.Exercises;

/// <summary>
/// Chapter 8 (notebook <c>08-gan</c>): the notes' §2.9 DCGAN — a generator and a discriminator for Fashion-MNIST's own
/// 28×28 images (the notes' make 32×32 ones), and the discriminator's training step as a function.
/// </summary>
internal static class Chapter8Gan
{
    const string Notebook = "08-gan";
    const long Latent = 64;

    /// <summary>A small DCGAN pair (the notes' layers with 8 features instead of 64), the same on every call after the same seed.</summary>
    static (Sequential g, Sequential d) SmallGan()
    {
        const long f = 8;
        var g = nn.Sequential(
            nn.ConvTranspose2d(Latent, 4 * f, kernel_size: 4, bias: false), nn.BatchNorm2d(4 * f), nn.ReLU(),
            nn.ConvTranspose2d(4 * f, 2 * f, kernel_size: 4, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(2 * f), nn.ReLU(),
            nn.ConvTranspose2d(2 * f, f, kernel_size: 4, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(f), nn.ReLU(),
            nn.ConvTranspose2d(f, 1, kernel_size: 4, stride: 2, padding: 1), nn.Sigmoid());
        var d = nn.Sequential(
            nn.Conv2d(1, f, kernel_size: 4, stride: 2, padding: 1), nn.LeakyReLU(0.2),
            nn.Conv2d(f, 2 * f, kernel_size: 4, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(2 * f), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * f, 4 * f, kernel_size: 4, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(4 * f), nn.LeakyReLU(0.2),
            nn.Conv2d(4 * f, 1, kernel_size: 4));
        return (g, d);
    }

    static double MaxDiff(IEnumerable<Tensor> a, IEnumerable<Tensor> b) =>
        a.Zip(b).Max(p => (p.First.detach() - p.Second.detach()).abs().max().item<float>());

    static Tensor[] Snapshot(nn.Module m) => m.parameters().Select(p => p.detach().clone()).ToArray();

    /// <summary>The last module a Sequential runs (or the module itself).</summary>
    static nn.Module Last(nn.Module m) => m is Sequential s && s.Count() > 0 ? Last(s.Last()) : m;

    /// <summary>Every module of <paramref name="m"/> (itself included) of type <typeparamref name="T"/>.</summary>
    static List<T> All<T>(nn.Module m) where T : nn.Module => m.modules().OfType<T>().ToList();

    /// <summary>The largest difference between the first item of a batch and the others: 0 when the output ignores which input it had.</summary>
    static double Spread(Tensor batch) => (batch - batch[..1]).abs().max().item<float>();

    /// <summary>The notes' generator with one output channel: 32×32 images (Fashion-MNIST padded, as the notebook trains).</summary>
    const string NotesGenerator = """
        long latent_size = 64, n_g_feature = 64;
        var gnet28 = nn.Sequential(
            // input (64, 1, 1)
            nn.ConvTranspose2d(latent_size, 4 * n_g_feature, kernel_size: 4, bias: false), nn.BatchNorm2d(4 * n_g_feature), nn.ReLU(),
            // (256, 4, 4)
            nn.ConvTranspose2d(4 * n_g_feature, 2 * n_g_feature, kernel_size: 4, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(2 * n_g_feature), nn.ReLU(),
            // (128, 8, 8)
            nn.ConvTranspose2d(2 * n_g_feature, n_g_feature, kernel_size: 4, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(n_g_feature), nn.ReLU(),
            // (64, 16, 16)
            nn.ConvTranspose2d(n_g_feature, 1, kernel_size: 4, stride: 2, padding: 1),
            nn.Sigmoid());
            // image (1, 32, 32)
        """;

    const string Generator28 = """
        long latent_size = 64, n_g_feature = 64;
        var gnet28 = nn.Sequential(
            // input (64, 1, 1)
            nn.ConvTranspose2d(latent_size, 2 * n_g_feature, kernel_size: 7, bias: false), nn.BatchNorm2d(2 * n_g_feature), nn.ReLU(),
            // (128, 7, 7)
            nn.ConvTranspose2d(2 * n_g_feature, n_g_feature, kernel_size: 4, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(n_g_feature), nn.ReLU(),
            // (64, 14, 14)
            nn.ConvTranspose2d(n_g_feature, 1, kernel_size: 4, stride: 2, padding: 1),
            nn.Sigmoid());
            // image (1, 28, 28)
        """;

    /// <summary>The notes' discriminator with one input channel (for 32×32 images).</summary>
    const string NotesDiscriminator = """
        long n_d_feature = 64;
        var dnet28 = nn.Sequential(
            // image (1, 32, 32)
            nn.Conv2d(1, n_d_feature, kernel_size: 4, stride: 2, padding: 1), nn.LeakyReLU(0.2),
            // (64, 16, 16)
            nn.Conv2d(n_d_feature, 2 * n_d_feature, kernel_size: 4, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(2 * n_d_feature), nn.LeakyReLU(0.2),
            // (128, 8, 8)
            nn.Conv2d(2 * n_d_feature, 4 * n_d_feature, kernel_size: 4, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(4 * n_d_feature), nn.LeakyReLU(0.2),
            // (256, 4, 4)
            nn.Conv2d(4 * n_d_feature, 1, kernel_size: 4));
            // logit (1, 1, 1)
        """;

    const string Discriminator28 = """
        long n_d_feature = 64;
        var dnet28 = nn.Sequential(
            // image (1, 28, 28)
            nn.Conv2d(1, n_d_feature, kernel_size: 4, stride: 2, padding: 1), nn.LeakyReLU(0.2),
            // (64, 14, 14)
            nn.Conv2d(n_d_feature, 2 * n_d_feature, kernel_size: 4, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(2 * n_d_feature), nn.LeakyReLU(0.2),
            // (128, 7, 7)
            nn.Conv2d(2 * n_d_feature, 1, kernel_size: 7));
            // logit (1, 1, 1)
        """;

    /// <summary>
    /// A typical wrong answer: a module class whose <c>forward</c> runs the network of <paramref name="sequential"/> (a
    /// <c>var name = nn.Sequential(…);</c> answer) on <paramref name="replacement"/> instead of its input.
    /// </summary>
    static string IgnoresInput(string name, string arg, string replacement, string sequential)
    {
        int start = sequential.IndexOf("nn.Sequential(", StringComparison.Ordinal);
        int end = sequential.LastIndexOf(';');
        var setup = sequential[..sequential.IndexOf($"var {name}", StringComparison.Ordinal)];
        return $$"""
            {{setup}}
            class Ignores : nn.Module<Tensor, Tensor>
            {
                readonly Sequential body;
                public Ignores(Sequential body) : base("Ignores") { this.body = body; }
                public override Tensor forward(Tensor {{arg}}) => body.forward({{replacement}});   // never looks at {{arg}}
            }
            var {{name}} = new Ignores({{sequential[start..end]}});
            """;
    }

    const string DStep = """
        var criterion = nn.BCEWithLogitsLoss();
        Func<nn.Module<Tensor, Tensor>, nn.Module<Tensor, Tensor>, Optimizer, Tensor, Tensor> d_step = (gnet, dnet, doptimizer, real_images) =>
        {
            var batch_size = real_images.size(0);
            var dloss_real = criterion.forward(dnet.forward(real_images).reshape(-1), ones(batch_size));   // real images: label 1
            var fake = gnet.forward(randn(batch_size, 64, 1, 1)).detach();                                // no gradient into gnet
            var dloss_fake = criterion.forward(dnet.forward(fake).reshape(-1), zeros(batch_size));          // generated images: label 0
            var dloss = dloss_real + dloss_fake;
            dnet.zero_grad();
            dloss.backward();
            doptimizer.step();
            return dloss;
        };
        """;

    public static IReadOnlyList<Exercise> Exercises { get; } =
    [
        new()
        {
            Id = "8.1",
            Title = "A generator for 28×28 images",
            Notebook = Notebook,
            Setup = "using Torchlet.Modules;",
            Statement = "The notes' generator makes 32×32 images, which is why the notebook pads Fashion-MNIST. Define `gnet28`, a generator " +
                        "built like the notes' — `ConvTranspose2d` layers that grow the image, `BatchNorm2d` and `ReLU` between them, a `Sigmoid` at the end — that maps a batch of " +
                        "latent vectors [B, 64, 1, 1] to one-channel images at Fashion-MNIST's own size, [B, 1, 28, 28], every pixel in [0, 1] " +
                        "as `ToTensor()` gives the real ones. The checker looks at its layers and runs it on fresh noise: different latent vectors must give different images.",
            Hints =
            [
                "A `ConvTranspose2d` outputs (in − 1)·stride − 2·padding + kernel_size (plus dilation and output_padding, here 1 and 0): the notes' first layer, kernel 4 on a 1×1 input, gives 4×4.",
                "28 = 7 · 2 · 2: start at 7×7 (kernel 7 on the 1×1 input), then two layers with kernel 4, stride 2 and padding 1, each doubling the size: 14, 28.",
                "The last layer is a `Sigmoid`, which squeezes any number into (0, 1).",
            ],
            Solution = Generator28,
            Check = c =>
            {
                var gnet = c.Module<nn.Module<Tensor, Tensor>>("gnet28");
                int convT = All<ConvTranspose2d>(gnet).Count;
                c.Expect(convT >= 2,
                    $"it grows the image with {convT} `ConvTranspose2d` layers",
                    convT == 0
                        ? "it has no `ConvTranspose2d`: the notes' generator grows its images with transposed convolutions, `nn.ConvTranspose2d(in, out, kernel_size: …, stride: …, padding: …)`"
                        : "it has one `ConvTranspose2d`: the notes' generator grows its image in steps, several `ConvTranspose2d` layers (28 = 7 · 2 · 2: three)");
                bool between = All<BatchNorm2d>(gnet).Count > 0 && All<ReLU>(gnet).Count > 0;
                c.Expect(between, "it has `BatchNorm2d` and `ReLU` between its layers",
                    $"it has no {(All<BatchNorm2d>(gnet).Count == 0 ? "`BatchNorm2d`" : "`ReLU`")}: the notes put `BatchNorm2d` and `ReLU` after each `ConvTranspose2d` but the last");
                var z = randn(new long[] { 4, Latent, 1, 1 }, generator: c.Generator);
                var images = c.Call("gnet28(z)", () => { using (no_grad()) return gnet.forward(z); });
                if (!c.ExpectShape(images, "gnet28(z) for z of shape [4, 64, 1, 1]", 4, 1, 28, 28))
                {
                    if (images.dim() == 4 && images.shape[1] == 3)
                        c.Note("three channels are CIFAR-10's colours; Fashion-MNIST has one: the last ConvTranspose2d's `out_channels` is 1");
                    else if (images.dim() == 4 && images.shape[2] == 32)
                        c.Note("32×32 is the notes' size: 1 → 4 → 8 → 16 → 32; for 28 start at 7 (kernel 7 on the 1×1 input) and double twice: 14, 28");
                    else if (images.dim() == 4)
                        c.Note("a ConvTranspose2d outputs (in − 1)·stride − 2·padding + kernel_size: kernel 7 takes 1×1 to 7×7; kernel 4, stride 2, padding 1 doubles the size");
                    return;
                }
                double min = images.min().item<float>(), max = images.max().item<float>();
                c.Expect(min >= 0 && max <= 1, $"its pixels are in [0, 1] (from {ExerciseContext.Num(min)} to {ExerciseContext.Num(max)})",
                    $"its pixels go from {ExerciseContext.Num(min)} to {ExerciseContext.Num(max)}, expected [0, 1] like the real images': end with `nn.Sigmoid()`");
                double spread = Spread(images);
                c.Expect(spread > 1e-6, "different latent vectors give different images",
                    "the 4 latent vectors of `z` give 4 identical images: a generator must map each latent vector to its own image — does `forward` use its input?");
            },
            WrongAnswers =
            [
                new(NotesGenerator,
                    "has shape [4, 1, 32, 32], expected [4, 1, 28, 28]", "start at 7"),
                new(Generator28.Replace(",\n    nn.Sigmoid());", ");"),
                    "its pixels go from", "end with `nn.Sigmoid()`"),
                new(Generator28.Replace("nn.ConvTranspose2d(n_g_feature, 1,", "nn.ConvTranspose2d(n_g_feature, 3,"),
                    "has shape [4, 3, 28, 28], expected [4, 1, 28, 28]", "Fashion-MNIST has one"),
                new(Generator28.Replace("kernel_size: 7, bias: false", "kernel_size: 4, bias: false"),
                    "has shape [4, 1, 16, 16], expected [4, 1, 28, 28]", "kernel 7 takes 1×1 to 7×7"),
                new(IgnoresInput("gnet28", "z", "ones_like(z)", Generator28),
                    "4 identical images", "does `forward` use its input?"),
                new("var gnet28 = nn.Sequential(nn.Upsample(scale_factor: 28), nn.Conv2d(64, 1, kernel_size: 3, padding: 1), nn.Sigmoid());",
                    "it has no `ConvTranspose2d`", "it has no `BatchNorm2d`"),
            ],
        },
        new()
        {
            Id = "8.2",
            Title = "A discriminator for 28×28 images",
            Notebook = Notebook,
            Setup = "using Torchlet.Modules;",
            Statement = "Define `dnet28`, a discriminator built like the notes' — strided `Conv2d` layers, `BatchNorm2d` and `LeakyReLU(0.2)` between them — " +
                        "that takes Fashion-MNIST images at their own size, [B, 1, 28, 28], and returns one logit per image shaped [B, 1, 1, 1], " +
                        "as the notes' does (their comment: 对数赔率张量大小 = (1, 1, 1)). A logit, not a probability: the loop's `BCEWithLogitsLoss` " +
                        "applies the sigmoid itself. The checker looks at its layers and runs it on a batch of images: different images must get different logits.",
            Hints =
            [
                "Each Conv2d(…, kernel_size: 4, stride: 2, padding: 1) halves the size: 28 → 14 → 7 (⌊(28 + 2 − 4) / 2⌋ + 1 = 14).",
                "The last Conv2d covers the whole remaining feature map — the notes' kernel 4 on 4×4 —: here kernel 7 on 7×7, no padding, gives 1×1.",
                "Do not end with a Sigmoid: `BCEWithLogitsLoss` = sigmoid + binary cross-entropy in one numerically safe step.",
            ],
            Solution = Discriminator28,
            Check = c =>
            {
                var dnet = c.Module<nn.Module<Tensor, Tensor>>("dnet28");
                var images = rand(new long[] { 4, 1, 28, 28 }, generator: c.Generator);
                var logits = c.Call("dnet28(images)", () => { using (no_grad()) return dnet.forward(images); });
                if (!c.ExpectShape(logits, "dnet28(images) for images of shape [4, 1, 28, 28]", 4, 1, 1, 1))
                {
                    if (logits.dim() == 4 && logits.shape[1] == 1 && logits.shape[2] == logits.shape[3] && logits.shape[2] > 1)
                        c.Note($"a {logits.shape[2]}×{logits.shape[3]} map of logits per image: the last Conv2d should cover the whole 7×7 feature map (kernel 7, no padding, stride 1)");
                    else if (logits.dim() == 2)
                        c.Note("the notes' discriminator keeps the 4-D layout [B, 1, 1, 1]; the loop flattens it with `preds.reshape(-1)`");
                    return;
                }
                c.Right("`preds.reshape(-1)` gives [4], one logit per image, as `BCEWithLogitsLoss` compares with the labels `ones(batch_size)`");
                long trainable = dnet.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
                if (trainable == 0)
                    throw c.Stop("`dnet28` has no trainable parameters: it cannot learn to tell real images from generated ones. " +
                                 "The notes' discriminator is a stack of `Conv2d` layers (kernel 4, stride 2, padding 1) with `BatchNorm2d` and `LeakyReLU(0.2)` between them");
                var convs = All<Conv2d>(dnet);
                c.Expect(convs.Count >= 2 && convs.Any(m => m.stride.Any(st => st > 1)),
                    $"it has {convs.Count} `Conv2d` layers, strided ones among them",
                    convs.Count == 0 ? "it has no `Conv2d`: the notes' discriminator is a stack of convolutions"
                    : convs.Count == 1 ? "it has one `Conv2d`: the notes' discriminator shrinks the image in steps, several strided `Conv2d` layers (28 → 14 → 7) and a last one for the logit"
                    : "none of its `Conv2d` layers is strided: the notes' halve the size with `stride: 2`");
                var leaky = All<LeakyReLU>(dnet);
                c.Expect(leaky.Count > 0 && leaky.All(m => Math.Abs(m.negative_slope - 0.2) < 1e-12),
                    "it has `LeakyReLU(0.2)` between its layers",
                    leaky.Count == 0 ? "it has no `LeakyReLU`: the notes' discriminator uses `nn.LeakyReLU(0.2)`, which lets a little gradient through for negative inputs (a ReLU passes none)"
                    : $"its LeakyReLU has slope {ExerciseContext.Num(leaky.Select(m => m.negative_slope).FirstOrDefault(a => Math.Abs(a - 0.2) >= 1e-12))}, expected `nn.LeakyReLU(0.2)`");
                c.Expect(All<BatchNorm2d>(dnet).Count > 0, "it has `BatchNorm2d` between its layers",
                    "it has no `BatchNorm2d`: the notes put one after each `Conv2d` but the first and the last");
                c.Expect(Spread(logits) > 1e-6, "different images get different logits",
                    "the 4 images get the same logit: a discriminator's output must depend on the image it looks at — does `forward` use its input?");
                var last = Last(dnet);
                c.Expect(last is not Sigmoid, $"it ends with a {last.GetName()}, not a Sigmoid: its outputs are logits",
                    "it ends with a Sigmoid: `BCEWithLogitsLoss` applies the sigmoid itself, so the loss would see sigmoid(sigmoid(x)), never below 0.5 or above 0.73; remove it (a network trained with `BCELoss` would keep it)");
            },
            WrongAnswers =
            [
                new(NotesDiscriminator,
                    "`dnet28(images)` threw"),
                new(Discriminator28.Replace("nn.Conv2d(2 * n_d_feature, 1, kernel_size: 7));", "nn.Conv2d(2 * n_d_feature, 1, kernel_size: 7), nn.Sigmoid());"),
                    "it ends with a Sigmoid", "sigmoid(sigmoid(x))"),
                new(Discriminator28.Replace("nn.Conv2d(2 * n_d_feature, 1, kernel_size: 7));", "nn.Conv2d(2 * n_d_feature, 1, kernel_size: 3));"),
                    "has shape [4, 1, 5, 5], expected [4, 1, 1, 1]", "a 5×5 map of logits per image"),
                new(Discriminator28.Replace("nn.Conv2d(2 * n_d_feature, 1, kernel_size: 7));", "nn.Conv2d(2 * n_d_feature, 1, kernel_size: 7), nn.Flatten());"),
                    "has shape [4, 1], expected [4, 1, 1, 1]", "keeps the 4-D layout"),
                new("var dnet28 = nn.Sequential(nn.AdaptiveAvgPool2d(1));",
                    "`dnet28` has no trainable parameters"),
                new(Discriminator28.Replace("nn.LeakyReLU(0.2)", "nn.ReLU()"),
                    "it has no `LeakyReLU`"),
                new(IgnoresInput("dnet28", "x", "zeros_like(x)", Discriminator28),
                    "the 4 images get the same logit", "does `forward` use its input?"),
            ],
        },
        new()
        {
            Id = "8.3",
            Title = "The discriminator's step as a function",
            Notebook = Notebook,
            TimeLimit = TimeSpan.FromSeconds(20),
            Setup = "using Torchlet.Modules;",
            Statement = "Write the discriminator's half of the notes' loop as `Func<nn.Module<Tensor, Tensor>, nn.Module<Tensor, Tensor>, Optimizer, Tensor, Tensor> d_step`: " +
                        "given `(gnet, dnet, doptimizer, real_images)` it scores the real images against the label 1, draws noise with " +
                        "`randn(batch_size, 64, 1, 1)`, scores the generated images (detached from gnet) against the label 0 with `nn.BCEWithLogitsLoss()`, adds " +
                        "the two losses, takes one optimizer step on dnet and returns the loss. The checker runs it on a small generator and " +
                        "discriminator of its own and compares with one step of the notes' loop from the same state and the same noise.",
            Hints =
            [
                "The notes' lines, from `labels = torch.ones(batch_size)` to `doptimizer.step()`, in the lambda's body; `dnet.forward(x).reshape(-1)` turns [B, 1, 1, 1] into the [B] that the labels have.",
                "Gradients add up in `.grad` until something clears them: `dnet.zero_grad()` before `dloss.backward()` (the checker leaves some there, as a previous step would).",
                "`gnet.forward(noise).detach()`: the discriminator's loss must not reach the generator.",
            ],
            Solution = DStep,
            Check = c =>
            {
                var f = c.Function<Func<nn.Module<Tensor, Tensor>, nn.Module<Tensor, Tensor>, Optimizer, Tensor, Tensor>>("d_step");
                var real = rand(new long[] { 16, 1, 32, 32 }, generator: c.Generator);
                manual_seed(3);
                var (g, d) = SmallGan();
                manual_seed(3);
                var (gRef, dRef) = SmallGan();
                // Gradients left over from an earlier step, as in the loop: a step must clear them first.
                foreach (var net in new[] { d, dRef }) (net.forward(real).sum() * 100).backward();
                var gBefore = Snapshot(g);
                var dBefore = Snapshot(d);
                var opt = optim.Adam(d.parameters(), lr: 0.0002, betas: (0.5, 0.999));
                var optRef = optim.Adam(dRef.parameters(), lr: 0.0002, betas: (0.5, 0.999));

                manual_seed(11);
                var loss = c.Call("d_step(gnet, dnet, doptimizer, real_images)", () => f(g, d, opt, real));

                // The notes' step, from the same state with the same noise.
                manual_seed(11);
                var criterion = nn.BCEWithLogitsLoss();
                long n = real.shape[0];
                var outReal = dRef.forward(real).reshape(-1);
                var fake = gRef.forward(randn(n, Latent, 1, 1)).detach();
                var outFake = dRef.forward(fake).reshape(-1);
                var realPart = criterion.forward(outReal, ones(n));
                var fakePart = criterion.forward(outFake, zeros(n));
                var expected = realPart + fakePart;
                dRef.zero_grad();
                expected.backward();
                optRef.step();

                if (loss.numel() != 1) throw c.Stop($"`d_step(…)` returned a tensor of shape {Html.ShapeText(loss.shape)}, expected the loss, a single number");
                double got = loss.detach().reshape(-1)[0].item<float>(), want = expected.item<float>();
                bool lossRight = c.ExpectClose(got, "d_step(gnet, dnet, doptimizer, real_images)", want, atol: 1e-4 * Math.Max(1, Math.Abs(want)));
                if (!lossRight)
                {
                    double r = realPart.item<float>(), fk = fakePart.item<float>();
                    double swapped = criterion.forward(outReal, zeros(n)).item<float>() + criterion.forward(outFake, ones(n)).item<float>();
                    if (Math.Abs(got - swapped) < 1e-4 * Math.Max(1, swapped))
                        c.Note("that is the loss with the labels swapped: real images are labelled 1 (`ones(batch_size)`), generated ones 0");
                    else if (Math.Abs(got - r) < 1e-4 || Math.Abs(got - fk) < 1e-4)
                        c.Note($"that is only the {(Math.Abs(got - r) < 1e-4 ? "real" : "generated")} images' part: the discriminator's loss is dloss_real + dloss_fake");
                    else if (Math.Abs(got - (r + fk) / 2) < 1e-4)
                        c.Note("that is the mean of the two parts; the notes add them: dloss = dloss_real + dloss_fake");
                }

                double gMoved = MaxDiff(gBefore, g.parameters());
                c.Expect(gMoved == 0, "gnet's parameters are unchanged (the D step trains only dnet)",
                    $"gnet's parameters changed (by up to {ExerciseContext.Num(gMoved)}): the D step trains only dnet");
                if (g.parameters().Any(p => p.grad is { } gr && gr.abs().max().item<float>() > 0))
                    c.Note("gnet's parameters received gradients: it works (the G step clears them), but `fake_images.detach()` spares that backward through gnet");

                double moved = MaxDiff(dBefore, d.parameters());
                double off = MaxDiff(dRef.parameters(), d.parameters());
                if (moved == 0)
                    c.Wrong("dnet's parameters did not change: after `dloss.backward()`, `doptimizer.step()` updates them");
                else if (off < 1e-5)
                    c.Right("dnet took the same Adam step as the notes' loop");
                else if (lossRight)
                    c.Wrong($"dnet's parameters after the step differ from one step of the notes' loop (by up to {ExerciseContext.Num(off)}): " +
                            "clear the gradients (`dnet.zero_grad()`) before `dloss.backward()` — the checker left some in dnet, as a previous step would — and take exactly one step");
                else
                    c.Note("dnet's step differs from the notes' loop too: it follows the gradient of a different loss");
            },
            WrongAnswers =
            [
                new(DStep.Replace("ones(batch_size));   // real", "zeros(batch_size));   // real").Replace("zeros(batch_size));          // generated", "ones(batch_size));          // generated"),
                    "`d_step(gnet, dnet, doptimizer, real_images)` is", "the labels swapped"),
                new(DStep.Replace("dnet.zero_grad();", ""),
                    "differ from one step of the notes' loop", "`dnet.zero_grad()`"),
                new(DStep.Replace("doptimizer.step();", ""),
                    "dnet's parameters did not change"),
                new(DStep.Replace("dnet.forward(fake).reshape(-1)", "dnet.forward(fake)"),
                    "`d_step(gnet, dnet, doptimizer, real_images)` threw"),
                new(DStep.Replace("var dloss = dloss_real + dloss_fake;", "var dloss = dloss_real;"),
                    "only the real images' part"),
            ],
        },
    ];
}
