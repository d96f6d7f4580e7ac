using Torchlet.Modules;
using static Torchlet.torch;

namespace Torchlet.Interactive.Exercises;

/// <summary>
/// Chapter 5 (notebook <c>05-norm-init</c>): the notes' §2.5 normalisation (BatchNorm's training output by hand,
/// its running statistics) and §2.6 weight initialisation (a <c>weights_init</c> that <c>apply</c> can run on
/// every module).
/// </summary>
internal static class Chapter5NormInit
{
    const string Notebook = "05-norm-init";

    static readonly long[] ChannelDims = [0, 2, 3];

    /// <summary>Fresh activations [N, C, H, W] whose channels have different means and spreads, as a conv layer's do.</summary>
    static Tensor Activations(ExerciseContext c, params long[] shape)
    {
        long ch = shape[1];
        var scale = linspace(0.5, 3, ch).view(1, ch, 1, 1);
        var shift = linspace(-2, 2, ch).view(1, ch, 1, 1);
        return randn(shape, generator: c.Generator) * scale + shift;
    }

    static bool Uses(Tensor t, string node) => ExerciseContext.GraphHas(t, node);

    static bool Close(Tensor a, Tensor b, double tol = 1e-4) =>
        a.shape.SequenceEqual(b.shape) && (a.detach().to(float64) - b.detach().to(float64)).abs().max().item<double>() <= tol * (1 + b.detach().abs().max().to(float64).item<double>());

    public static IReadOnlyList<Exercise> Exercises { get; } =
    [
        new()
        {
            Id = "5.1",
            Title = "BatchNorm2d's training output by hand",
            Notebook = Notebook,
            Statement = "In training mode, `nn.BatchNorm2d(C)` normalises each channel with the mean and variance of that channel " +
                        "over the whole batch — dimensions 0, 2 and 3 of [N, C, H, W] —: y = (x − mean) / √(var + eps) with eps = 1e-5, " +
                        "then multiplies by `weight` (initially 1) and adds `bias` (initially 0). Define `Func<Tensor, Tensor> batch_norm` " +
                        "that computes this by hand with `mean`, `var` and `sqrt` for any input [N, C, H, W] — tensor operations that gradients flow back " +
                        "through, no BatchNorm layer or `batch_norm` function inside (the checker looks at the autograd graph of your output for one). " +
                        "It compares the output with a fresh `nn.BatchNorm2d(C)` in training mode on fresh inputs of two shapes.",
            Hints =
            [
                "`x.mean(new long[] { 0, 2, 3 }, keepdim: true)` gives one mean per channel, shaped [1, C, 1, 1] so that it broadcasts against x.",
                "Which variance? BatchNorm normalises with the biased one (divided by N·H·W): `var(…, unbiased: false, …)`; PyTorch's default `var` is the unbiased one.",
                "`(x - mean) / (variance + 1e-5).sqrt()`, with both statistics taken over dims 0, 2 and 3 and kept as [1, C, 1, 1].",
            ],
            Solution = """
                Func<Tensor, Tensor> batch_norm = x =>
                {
                    var dims = new long[] { 0, 2, 3 };                         // every dim but the channel
                    var mean = x.mean(dims, keepdim: true);                    // [1, C, 1, 1]
                    var variance = x.var(dims, unbiased: false, keepdim: true);
                    return (x - mean) / (variance + 1e-5).sqrt();
                };
                """,
            Check = c =>
            {
                var f = c.Function<Func<Tensor, Tensor>>("batch_norm");
                // Two inputs, x [8, 3, 5, 5] and x2 [2, 4, 3, 3]: the second one catches a channel count or batch size built in.
                foreach (var (input, shape) in new[] { ("x", new long[] { 8, 3, 5, 5 }), ("x2", [2, 4, 3, 3]) })
                {
                    var x = Activations(c, shape);
                    var what = $"batch_norm({input})";
                    var xIn = x.clone().requires_grad_().clone();   // requires grad, so that the graph behind the output shows what ran (not a leaf: in-place ops stay allowed)
                    var y = c.Call(what, () => f(xIn));
                    if (Uses(y, "NativeBatchNormBackward0") || Uses(y, "NativeLayerNormBackward0") || Uses(y, "NativeGroupNormBackward0"))
                    {
                        c.Wrong($"`{what}` runs a normalisation layer itself (its autograd graph has {(Uses(y, "NativeBatchNormBackward0") ? "NativeBatchNormBackward0, the node of `nn.BatchNorm2d` and `F.batch_norm`" : "a LayerNorm or GroupNorm node")}): " +
                                "compute it by hand from `mean`, `var` and `sqrt`");
                        return;
                    }
                    if (!y.requires_grad)
                    {
                        c.Wrong($"`{what}` does not require grad although `{input}` does: compute it from `{input}` with tensor operations, outside `no_grad()` " +
                                "and without `detach()`, so that a network using it could be trained");
                        return;
                    }
                    Tensor expected;
                    using (no_grad()) expected = nn.BatchNorm2d(shape[1]).forward(x);
                    if (c.ExpectClose(y, what, expected, rtol: 1e-4, atol: 1e-4)) continue;
                    c.Note($"`{input}`: fresh activations of shape {Html.ShapeText(shape)} whose channels have different means and spreads; expected: `nn.BatchNorm2d({shape[1]})`'s training output");
                    if (!y.shape.SequenceEqual(shape)) return;
                    // Which normalisation did it do instead?
                    Tensor Norm(long[] dims, bool unbiased) =>
                        (x - x.mean(dims, keepdim: true)) / (x.var(dims, unbiased: unbiased, keepdim: true) + 1e-5).sqrt();
                    if (Close(y, Norm(ChannelDims, unbiased: true)))
                        c.Note("your output is normalised with the unbiased variance (divided by N·H·W − 1): BatchNorm normalises with the biased one, `unbiased: false` (the unbiased one goes into `running_var`)");
                    else if (Close(y, Norm([2, 3], false)) || Close(y, Norm([2, 3], true)))
                        c.Note("your output equals InstanceNorm2d's: you took each image's own mean and variance (dims 2 and 3); BatchNorm pools the whole batch, dims 0, 2 and 3");
                    else if (Close(y, Norm([1, 2, 3], false)) || Close(y, Norm([1, 2, 3], true)))
                        c.Note("your output equals LayerNorm's over [C, H, W]: you normalised each image across its channels; BatchNorm normalises each channel across the batch, dims 0, 2 and 3");
                    else if (Close(y, Norm([0, 1, 2, 3], false)) || Close(y, Norm([0, 1, 2, 3], true)))
                        c.Note("you normalised with one mean and one variance for the whole tensor; BatchNorm has one per channel: reduce over dims 0, 2 and 3 and keep the channel (`keepdim: true`)");
                    else if (Close(y, (x - x.mean(ChannelDims, keepdim: true)) / x.std(ChannelDims, unbiased: false, keepdim: true), 1e-3))
                        c.Note("close: eps = 1e-5 goes inside the square root, √(var + eps)");
                    return;
                }
            },
            WrongAnswers =
            [
                new("Func<Tensor, Tensor> batch_norm = x => (x - x.mean(new long[] { 0, 2, 3 }, keepdim: true)) / (x.var(new long[] { 0, 2, 3 }, keepdim: true) + 1e-5).sqrt();",
                    "`batch_norm(x)[", "expected", "fresh activations of shape [8, 3, 5, 5]", "the unbiased variance"),
                new("Func<Tensor, Tensor> batch_norm = x => (x - x.mean(new long[] { 2, 3 }, keepdim: true)) / (x.var(new long[] { 2, 3 }, unbiased: false, keepdim: true) + 1e-5).sqrt();",
                    "InstanceNorm2d's"),
                new("Func<Tensor, Tensor> batch_norm = x => (x - x.mean()) / (x.var(unbiased: false) + 1e-5).sqrt();",
                    "one mean and one variance for the whole tensor"),
                new("Func<Tensor, Tensor> batch_norm = x => x.mean(new long[] { 0, 2, 3 });",
                    "`batch_norm(x)` has shape [3], expected [8, 3, 5, 5]"),
                new("Tensor batch_norm(Tensor x) => x;",
                    "`batch_norm` is a method declared in a cell"),
                new("Func<Tensor, Tensor> batch_norm = x => nn.BatchNorm2d(x.shape[1]).forward(x);",
                    "`batch_norm(x)` runs a normalisation layer itself", "NativeBatchNormBackward0", "by hand"),
                new("Func<Tensor, Tensor> batch_norm = x => { using (no_grad()) return nn.BatchNorm2d(x.shape[1]).forward(x); };",
                    "`batch_norm(x)` does not require grad although `x` does"),
            ],
        },
        new()
        {
            Id = "5.2",
            Title = "The running statistics after one training step",
            Notebook = Notebook,
            Setup = """
                var acts = randn(new long[] { 16, 4, 8, 8 }, generator: new torch.Generator(5))
                           * tensor(new[] { 0.5, 1.0, 2.0, 4.0 }).view(1, 4, 1, 1) + tensor(new[] { -1.0, 0.0, 1.0, 3.0 }).view(1, 4, 1, 1);
                """,
            Statement = "`acts` (the cell above) is a batch of activations [16, 4, 8, 8]. A fresh `nn.BatchNorm2d(4)` starts with " +
                        "`running_mean` = 0 and `running_var` = 1, and each forward in training mode moves them `momentum` = 0.1 of the way " +
                        "towards the batch's own per-channel statistics. Without running a BatchNorm, compute what it would hold after one " +
                        "training forward on `acts`: `expected_mean` and `expected_var`, two tensors of shape [4].",
            Hints =
            [
                "running = (1 − momentum) · running + momentum · batch statistic, starting from 0 for the mean and 1 for the variance.",
                "The batch statistics are per channel: reduce over dims 0, 2 and 3 (`acts.mean(new long[] { 0, 2, 3 })`).",
                "`running_var` takes the unbiased variance (divided by N·H·W − 1), PyTorch's default `var`; only the normalisation itself uses the biased one.",
            ],
            Solution = """
                var dims = new long[] { 0, 2, 3 };
                var expected_mean = 0.9 * zeros(4) + 0.1 * acts.mean(dims);
                var expected_var = 0.9 * ones(4) + 0.1 * acts.var(dims);     // unbiased, as running_var keeps it
                """,
            Check = c =>
            {
                var acts = c.Given<Tensor>("acts");
                var bn = nn.BatchNorm2d(acts.shape[1]);
                using (no_grad()) bn.forward(acts);
                var mean = acts.mean(ChannelDims);
                var unbiased = acts.var(ChannelDims);
                var biased = acts.var(ChannelDims, unbiased: false);

                var m = c.Tensor("expected_mean");
                if (!c.ExpectClose(m, "expected_mean", bn.running_mean!, rtol: 1e-4, atol: 1e-5) && m.shape.SequenceEqual(mean.shape))
                {
                    if (Close(m, mean)) c.Note("`expected_mean` is the batch's mean itself: the running mean moves only momentum = 0.1 of the way from where it starts (0)");
                }

                var v = c.Tensor("expected_var");
                if (!c.ExpectClose(v, "expected_var", bn.running_var!, rtol: 1e-4, atol: 1e-5) && v.shape.SequenceEqual(mean.shape))
                {
                    if (Close(v, 0.9 + 0.1 * biased))
                        c.Note("`running_var` takes the unbiased variance (divided by N·H·W − 1 = 1023), PyTorch's default `var`; the biased one is only used to normalise the batch");
                    else if (Close(v, unbiased) || Close(v, biased))
                        c.Note("`expected_var` is the batch's variance itself: the running variance moves only momentum = 0.1 of the way from where it starts (1)");
                    else if (Close(v, 0.1 * unbiased) || Close(v, 0.1 * biased))
                        c.Note("the running variance starts at 1, not 0: 0.9 · 1 + 0.1 · batch variance");
                }
            },
            WrongAnswers =
            [
                new("var expected_mean = acts.mean(new long[] { 0, 2, 3 }); var expected_var = acts.var(new long[] { 0, 2, 3 });",
                    "`expected_mean[", "the batch's mean itself", "the batch's variance itself"),
                new("var expected_mean = 0.1 * acts.mean(new long[] { 0, 2, 3 }); var expected_var = 0.9 + 0.1 * acts.var(new long[] { 0, 2, 3 }, unbiased: false);",
                    "`expected_mean` is", "`running_var` takes the unbiased variance"),
                new("var expected_mean = 0.1 * acts.mean(new long[] { 0, 2, 3 }); var expected_var = 0.1 * acts.var(new long[] { 0, 2, 3 });",
                    "the running variance starts at 1, not 0"),
                new("var expected_mean = 0.1 * acts.mean(); var expected_var = ones(4);",
                    "`expected_mean` has shape [], expected [4]"),
            ],
        },
        new()
        {
            Id = "5.3",
            Title = "A weights_init that apply can run on every module",
            Notebook = Notebook,
            Setup = "using Torchlet.Modules;",
            Statement = "Write `Action<nn.Module> weights_init` in the spirit of §2.9's: for a `Conv2d`, `xavier_normal_` on its weight and 0 " +
                        "in its bias (when it has one); for a `BatchNorm2d`, its weight drawn from N(1, 0.02) and its bias 0; every other module " +
                        "left exactly as it is. `net.apply(weights_init)` calls it on every module of the network — ReLU and the Sequential " +
                        "itself too. The checker applies it to a fresh network (convolutions, BatchNorm, LeakyReLU, a Linear at the end) and " +
                        "looks at the weights' statistics.",
            Hints =
            [
                "Test the module's type before touching a weight: `if (m is Conv2d conv) { … conv.weight … } else if (m is BatchNorm2d bn) { … }` (`using Torchlet.Modules;` names the classes).",
                "`nn.init.xavier_normal_(conv.weight)`, `nn.init.normal_(bn.weight, 1.0, 0.02)`, `nn.init.constant_(bn.bias, 0)`; a convolution made with `bias: false` has `bias == null`.",
            ],
            Solution = """
                Action<nn.Module> weights_init = m =>
                {
                    if (m is Conv2d conv)
                    {
                        nn.init.xavier_normal_(conv.weight);
                        if (conv.bias is not null) nn.init.constant_(conv.bias, 0);
                    }
                    else if (m is BatchNorm2d bn)
                    {
                        nn.init.normal_(bn.weight, 1.0, 0.02);
                        nn.init.constant_(bn.bias, 0);
                    }
                };
                """,
            Check = c =>
            {
                var f = c.Function<Action<nn.Module>>("weights_init");
                var conv1 = nn.Conv2d(3, 64, kernel_size: 3);
                var bn1 = nn.BatchNorm2d(64);
                var conv2 = nn.Conv2d(64, 128, kernel_size: 3, bias: false);
                var bn2 = nn.BatchNorm2d(128);
                var fc = nn.Linear(128, 10);
                var net = nn.Sequential(conv1, bn1, nn.LeakyReLU(0.2), conv2, bn2, nn.LeakyReLU(0.2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), fc);
                using (no_grad())
                {
                    conv1.bias!.fill_(0.5);   // so that a bias left alone shows
                    bn1.bias!.fill_(0.5);
                    bn2.bias!.fill_(0.5);
                }
                var fcWeight = fc.weight.detach().clone();
                var fcBias = fc.bias!.detach().clone();

                string error = "";
                c.Call("net.apply(weights_init)", () =>
                {
                    net.apply(m =>
                    {
                        if (error.Length > 0) return;
                        try { f(m); }
                        catch (Exception e) { error = $"`weights_init` threw {e.GetType().Name} on the {m.GetName()} module: {e.Message}"; }
                    });
                });
                if (error.Length > 0)
                {
                    c.Wrong(error);
                    c.Note("`apply` calls the function on every module — BatchNorm2d, LeakyReLU, the Sequential itself —, not only on those with a 2-D `weight`: test the type first, `if (m is Conv2d conv) …`, as §2.9's weights_init does with `type(m)`");
                    return;
                }

                foreach (var (conv, name) in new[] { (conv1, "Conv2d(3, 64)"), (conv2, "Conv2d(64, 128)") })
                {
                    var (fanIn, fanOut) = nn.init._calculate_fan_in_and_fan_out(conv.weight);
                    double want = Math.Sqrt(2.0 / (fanIn + fanOut));
                    var w = conv.weight.detach().to(float64);
                    double std = w.std().item<double>(), mean = w.mean().item<double>();
                    if (!c.Expect(Math.Abs(std / want - 1) < 0.1 && Math.Abs(mean) < 0.1 * want,
                            $"{name}'s weight has mean {ExerciseContext.Num(mean)} and std {ExerciseContext.Num(std)} ≈ √(2 / (fan_in + fan_out)) = √(2 / ({fanIn} + {fanOut})) = {ExerciseContext.Num(want)}, xavier's",
                            $"{name}'s weight has mean {ExerciseContext.Num(mean)} and std {ExerciseContext.Num(std)}, expected mean 0 and std √(2 / (fan_in + fan_out)) = √(2 / ({fanIn} + {fanOut})) = {ExerciseContext.Num(want)} (xavier_normal_'s)"))
                        continue;
                    // Same spread, but which shape? A uniform draw never goes beyond √3·std; a normal one does for about 8% of its values.
                    double beyond = (w.abs() > Math.Sqrt(3) * want * 1.02).to(float64).mean().item<double>();
                    c.Expect(beyond > 0.03, $"{name}'s weight is normally distributed ({ExerciseContext.Num(Math.Round(beyond * 100, 1))}% beyond ±√3·std)",
                        $"{name}'s weight looks uniform: none of it lies beyond ±√3·std, where about 8% of a normal draw would: use `xavier_normal_`, not `xavier_uniform_`");
                }
                c.Expect(conv1.bias!.detach().abs().max().item<float>() == 0, "Conv2d(3, 64)'s bias is 0",
                    "Conv2d(3, 64)'s bias is not 0: set it with `nn.init.constant_(conv.bias, 0)` (when `conv.bias` is not null)");

                foreach (var (bn, name) in new[] { (bn1, "BatchNorm2d(64)"), (bn2, "BatchNorm2d(128)") })
                {
                    var w = bn.weight!.detach().to(float64);
                    double mean = w.mean().item<double>(), std = w.std().item<double>();
                    c.Expect(Math.Abs(mean - 1) < 0.015 && std > 0.01 && std < 0.035,
                        $"{name}'s weight has mean {ExerciseContext.Num(mean)} and std {ExerciseContext.Num(std)}: drawn from N(1, 0.02)",
                        std == 0
                            ? $"{name}'s weight is {ExerciseContext.Num(mean)} everywhere, expected a draw from N(1, 0.02): `nn.init.normal_(bn.weight, 1.0, 0.02)`"
                            : $"{name}'s weight has mean {ExerciseContext.Num(mean)} and std {ExerciseContext.Num(std)}, expected about 1 and 0.02: `nn.init.normal_(bn.weight, 1.0, 0.02)` (mean first, then std)");
                    c.Expect(bn.bias!.detach().abs().max().item<float>() == 0, $"{name}'s bias is 0",
                        $"{name}'s bias is not 0: `nn.init.constant_(bn.bias, 0)`");
                }
                c.Expect(fc.weight.detach().equal(fcWeight) && fc.bias!.detach().equal(fcBias),
                    "the Linear layer is left as it was",
                    "`weights_init` changed the Linear layer: leave every module other than Conv2d and BatchNorm2d as it is");
            },
            WrongAnswers =
            [
                new("Action<nn.Module> weights_init = m => { dynamic d = m; nn.init.xavier_normal_(d.weight); nn.init.constant_(d.bias, 0); };",
                    "`weights_init` threw", "on the BatchNorm2d module", "test the type first"),
                new("""
                    Action<nn.Module> weights_init = m =>
                    {
                        if (m is Conv2d conv) { nn.init.xavier_uniform_(conv.weight); if (conv.bias is not null) nn.init.constant_(conv.bias, 0); }
                        else if (m is BatchNorm2d bn) { nn.init.normal_(bn.weight, 1.0, 0.02); nn.init.constant_(bn.bias, 0); }
                    };
                    """,
                    "looks uniform", "use `xavier_normal_`, not `xavier_uniform_`"),
                new("""
                    Action<nn.Module> weights_init = m =>
                    {
                        if (m is Conv2d conv) { nn.init.xavier_normal_(conv.weight); if (conv.bias is not null) nn.init.constant_(conv.bias, 0); }
                        else if (m is BatchNorm2d bn) { nn.init.normal_(bn.weight, 0, 0.02); nn.init.constant_(bn.bias, 0); }
                    };
                    """,
                    "BatchNorm2d(64)'s weight has mean", "expected about 1 and 0.02"),
                new("""
                    Action<nn.Module> weights_init = m =>
                    {
                        if (m is Conv2d conv) { nn.init.xavier_normal_(conv.weight); if (conv.bias is not null) nn.init.constant_(conv.bias, 0); }
                        else if (m is BatchNorm2d bn) { nn.init.normal_(bn.weight, 1.0, 0.02); nn.init.constant_(bn.bias, 0); }
                        else if (m is Linear fc) nn.init.xavier_normal_(fc.weight);
                    };
                    """,
                    "changed the Linear layer"),
                new("Action<nn.Module> weights_init = m => { if (m is Conv2d conv) nn.init.xavier_normal_(conv.weight); };",
                    "Conv2d(3, 64)'s bias is not 0", "BatchNorm2d(64)'s weight is 1 everywhere"),
            ],
        },
    ];
}
