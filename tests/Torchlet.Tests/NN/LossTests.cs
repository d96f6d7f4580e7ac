using System.Text.Json;
using Torchlet;
using Xunit;
using static Torchlet.torch;
using F = Torchlet.torch.nn.functional;

namespace Torchlet.Tests;

/// <summary>
/// The losses against PyTorch 1.13 (fixtures/nn_loss.json from gen_nn_loss.py): every option and
/// reduction, outputs, grad_fn names, input and target gradients; float64 gradchecks; errors.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public class LossTests
{
    const string File = "nn_loss";

    public static IEnumerable<object[]> Cases() =>
        Fixtures.Load(File).Where(c => c.TryGetProperty("kind", out var k) && k.GetString() == "loss")
            .Select(c => new object[] { c.GetProperty("name").GetString()! });

    static double Num(JsonElement c, string key, double dflt) => c.TryGetProperty(key, out var v) ? v.GetDouble() : dflt;

    /// <summary>The functional form named by the case, with the case's options.</summary>
    internal static Tensor Functional(JsonElement c, Dictionary<string, Tensor> t)
    {
        string red = c.GetProperty("reduction").GetString()!;
        Tensor? W(string k) => t.GetValueOrDefault(k);
        long ignore = c.TryGetProperty("ignore_index", out var ii) ? ii.GetInt64() : -100;
        return c.GetProperty("loss").GetString() switch
        {
            "mse" => F.mse_loss(t["input"], t["target"], red),
            "l1" => F.l1_loss(t["input"], t["target"], red),
            "smooth_l1" => F.smooth_l1_loss(t["input"], t["target"], red, Num(c, "beta", 1)),
            "huber" => F.huber_loss(t["input"], t["target"], red, Num(c, "delta", 1)),
            "bce" => F.binary_cross_entropy(t["input"], t["target"], W("weight"), red),
            "bce_logits" => F.binary_cross_entropy_with_logits(t["input"], t["target"], W("weight"), red, W("pos_weight")),
            "kl_div" => F.kl_div(t["input"], t["target"], red, c.GetProperty("log_target").GetBoolean()),
            "nll" => F.nll_loss(t["input"], t["target"], W("weight"), ignore, red),
            "ce" => F.cross_entropy(t["input"], t["target"], W("weight"), ignore, red, Num(c, "label_smoothing", 0)),
            var l => throw new ArgumentException(l),
        };
    }

    internal static (Dictionary<string, Tensor> inputs, string[] gradOf) Inputs(JsonElement c)
    {
        var gradOf = c.GetProperty("grads").EnumerateObject().Select(p => p.Name).ToArray();
        var t = c.GetProperty("inputs").EnumerateObject().ToDictionary(p => p.Name, p => Fixtures.T(p.Value, requiresGrad: gradOf.Contains(p.Name)));
        return (t, gradOf);
    }

    // grad_fn names PyTorch gets from ops Torchlet records differently (same values):
    // nll_loss_nd reshapes 3-D inputs for reduction='none' (ViewBackward0), and a tensor / int in
    // the class-probability mean is DivBackward1 there.
    static bool GradFnDiffers(string name) =>
        name.StartsWith("nll") && name.Contains(" 2x5x2 none") || name.StartsWith("ce") && name.Contains(" 2x5x2 none") && !name.Contains("probs")
        || name.StartsWith("ce probs") && name.Contains(" mean ");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch(string name)
    {
        var c = Fixtures.Case(File, name);
        var (t, gradOf) = Inputs(c);
        var outp = Functional(c, t);
        var (atol, rtol) = outp.dtype == float32 ? (2e-6, 2e-5) : (1e-11, 1e-9);
        Fixtures.AssertClose(c.GetProperty("out"), outp, atol, rtol, $"{name} output");
        if (!GradFnDiffers(name)) Assert.Equal(c.GetProperty("grad_fn").GetString(), outp.grad_fn?.name());
        outp.backward(Fixtures.T(c.GetProperty("g")));
        foreach (var k in gradOf)
        {
            var expected = c.GetProperty("grads").GetProperty(k);
            if (expected.ValueKind == JsonValueKind.Null) { Assert.Null(t[k].grad); continue; }
            Assert.True(t[k].grad is not null, $"{name}: no gradient for {k}");
            Fixtures.AssertClose(expected, t[k].grad!, atol * 10, rtol * 10, $"{name} gradient of {k}");
        }
    }

    /// <summary>The loss module for the case, with its weights as buffers.</summary>
    static nn.Module<Tensor, Tensor, Tensor> Module(JsonElement c, Dictionary<string, Tensor> t)
    {
        string red = c.GetProperty("reduction").GetString()!;
        Tensor? W(string k) => t.GetValueOrDefault(k);
        long ignore = c.TryGetProperty("ignore_index", out var ii) ? ii.GetInt64() : -100;
        return c.GetProperty("loss").GetString() switch
        {
            "mse" => nn.MSELoss(red),
            "l1" => nn.L1Loss(red),
            "smooth_l1" => nn.SmoothL1Loss(red, Num(c, "beta", 1)),
            "huber" => nn.HuberLoss(red, Num(c, "delta", 1)),
            "bce" => nn.BCELoss(W("weight"), red),
            "bce_logits" => nn.BCEWithLogitsLoss(W("weight"), red, W("pos_weight")),
            "kl_div" => nn.KLDivLoss(red, c.GetProperty("log_target").GetBoolean()),
            "nll" => nn.NLLLoss(W("weight"), ignore, red),
            "ce" => nn.CrossEntropyLoss(W("weight"), ignore, red, Num(c, "label_smoothing", 0)),
            var l => throw new ArgumentException(l),
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Modules_match_pytorch(string name)
    {
        var c = Fixtures.Case(File, name);
        var (t, gradOf) = Inputs(c);
        var m = Module(c, t);
        var outp = m.call(t["input"], t["target"]);
        var (atol, rtol) = outp.dtype == float32 ? (2e-6, 2e-5) : (1e-11, 1e-9);
        Fixtures.AssertClose(c.GetProperty("out"), outp, atol, rtol, $"{name} module output");
        outp.backward(Fixtures.T(c.GetProperty("g")));
        if (gradOf.Contains("input") && c.GetProperty("grads").GetProperty("input") is { ValueKind: not JsonValueKind.Null } expected)
            Fixtures.AssertClose(expected, t["input"].grad!, atol * 10, rtol * 10, $"{name} module gradient of input");
    }

    [Fact]
    public void Loss_modules_print_and_keep_weights_as_buffers_as_pytorch()
    {
        var reprs = Fixtures.Case(File, "loss reprs").GetProperty("reprs");
        Assert.Equal(reprs.GetProperty("MSELoss").GetString(), nn.MSELoss().ToString());
        Assert.Equal(reprs.GetProperty("L1Loss").GetString(), nn.L1Loss("sum").ToString());
        Assert.Equal(reprs.GetProperty("SmoothL1Loss").GetString(), nn.SmoothL1Loss(beta: 0.5).ToString());
        Assert.Equal(reprs.GetProperty("HuberLoss").GetString(), nn.HuberLoss(delta: 2.0).ToString());
        Assert.Equal(reprs.GetProperty("CrossEntropyLoss").GetString(), nn.CrossEntropyLoss(ones(3), label_smoothing: 0.1).ToString());
        Assert.Equal(reprs.GetProperty("NLLLoss").GetString(), nn.NLLLoss().ToString());
        Assert.Equal(reprs.GetProperty("BCELoss").GetString(), nn.BCELoss().ToString());
        Assert.Equal(reprs.GetProperty("BCEWithLogitsLoss").GetString(), nn.BCEWithLogitsLoss(pos_weight: ones(2)).ToString());
        Assert.Equal(reprs.GetProperty("KLDivLoss").GetString(), nn.KLDivLoss("batchmean", log_target: true).ToString());

        var buffers = Fixtures.Case(File, "loss buffers");
        string[] Names(JsonElement e) => e.EnumerateArray().Select(v => v.GetString()!).ToArray();
        Assert.Equal(Names(buffers.GetProperty("ce")), nn.CrossEntropyLoss(ones(3)).named_buffers().Select(b => b.name).ToArray());
        Assert.Equal(Names(buffers.GetProperty("bcel")), nn.BCEWithLogitsLoss(ones(2), pos_weight: ones(2)).named_buffers().Select(b => b.name).ToArray());
        Assert.Equal(Names(buffers.GetProperty("nll")), nn.NLLLoss(ones(3)).state_dict().Keys.ToArray());
        Assert.Empty(nn.CrossEntropyLoss().named_buffers());
        Assert.Empty(nn.MSELoss().parameters());

        // to(float64) converts the class weights with the module, so a float64 model keeps working.
        var ce = nn.CrossEntropyLoss(tensor(new[] { 1.0, 2.0, 3.0 }));
        ce.to(float64);
        Assert.Equal(float64, ce.weight!.dtype);
        Assert.Equal(float64, ce.forward(randn(2, 3).to(float64), tensor(new long[] { 0, 2 })).dtype);
    }

    [Fact]
    public void Module_errors_start_with_the_repr_and_the_module_stays_usable()
    {
        var ce = nn.CrossEntropyLoss();
        var x = randn(3, 5);
        var e = Assert.Throws<ArgumentException>(() => ce.forward(x, tensor(new long[] { 0, 12, 2 })));
        Assert.StartsWith("CrossEntropyLoss(): ", e.Message);
        Assert.Contains(Msg("oob"), e.Message);
        e = Assert.Throws<ArgumentException>(() => ce.forward(x, tensor(new long[] { 0, 1 })));
        Assert.StartsWith("CrossEntropyLoss(): ", e.Message);
        Assert.Contains(Msg("batch"), e.Message);
        Assert.True(float.IsFinite(ce.forward(x, tensor(new long[] { 0, 4, 2 })).item<float>()));

        var bce = nn.BCELoss();
        e = Assert.Throws<ArgumentException>(() => bce.forward(ones(2) * 2, rand(2)));
        Assert.StartsWith("BCELoss(): ", e.Message);
        Assert.Contains(Msg("bce_range"), e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.MSELoss().forward(zeros(3, 5), zeros(4, 1)));
        Assert.StartsWith("MSELoss(): ", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.BCEWithLogitsLoss().forward(rand(3, 5), rand(3, 1)));
        Assert.StartsWith("BCEWithLogitsLoss(): ", e.Message);
        Assert.Contains(Msg("bcel_size"), e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.NLLLoss().forward(zeros(3, 5), tensor(new long[] { 0, 1, 2 }, int32)));
        Assert.StartsWith("NLLLoss(): ", e.Message);
        Assert.Contains(Msg("int_target"), e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.MSELoss("avg"));
        Assert.Contains(Msg("reduction"), e.Message);
        Assert.Contains(Msg("smoothing"), Assert.Throws<ArgumentException>(() => nn.CrossEntropyLoss(label_smoothing: 1.2)).Message);
        Assert.Contains(Msg("beta"), Assert.Throws<ArgumentException>(() => nn.SmoothL1Loss(beta: -1).forward(x, x)).Message);
        Assert.Contains(Msg("delta"), Assert.Throws<ArgumentException>(() => nn.HuberLoss(delta: 0).forward(x, x)).Message);
    }

    [Fact]
    public void Notes_style_classifier_step_with_cross_entropy()
    {
        // A small classifier (Linear + LogSoftmax + NLLLoss, and Linear + CrossEntropyLoss) trained
        // with SGD and a scheduler, as the notes do: the loss goes down and both set-ups agree.
        manual_seed(0);
        var x = randn(32, 4);
        var y = x.matmul(tensor(new[,] { { 1.0, -1, 0 }, { 0.5, 0, -0.5 }, { 0, 1, -1 }, { -1, 0, 1 } })).argmax(1);
        manual_seed(1);
        var a = nn.Linear(4, 3);
        manual_seed(1);
        var netB = nn.Sequential(nn.Linear(4, 3), nn.LogSoftmax(1));
        var criterion = nn.CrossEntropyLoss();
        var nll = nn.NLLLoss();
        var optA = optim.SGD(a.parameters(), lr: 0.5);
        var optB = optim.SGD(netB.parameters(), lr: 0.5);
        var sched = optim.lr_scheduler.StepLR(optA, step_size: 10, gamma: 0.5);
        var schedB = optim.lr_scheduler.StepLR(optB, step_size: 10, gamma: 0.5);
        float first = 0, last = 0;
        for (int i = 0; i < 30; i++)
        {
            optA.zero_grad(); optB.zero_grad();
            var loss = criterion.forward(a.forward(x), y);
            var lossB = nll.forward(netB.forward(x), y);
            loss.backward(); lossB.backward();
            nn.utils.clip_grad_norm_(a.parameters(), 5.0);
            nn.utils.clip_grad_norm_(netB.parameters(), 5.0);
            optA.step(); optB.step();
            sched.step(); schedB.step();
            Assert.Equal(loss.item<float>(), lossB.item<float>(), 4);
            if (i == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.True(last < first * 0.5, $"loss {first} -> {last}");
    }

    // ---------------------------------------------------------------- gradchecks (float64)

    public static IEnumerable<object[]> Reductions => [["none"], ["mean"], ["sum"]];

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Gradcheck_regression_losses(string red)
    {
        var x = GradCheck.Input([3, 4], 1, -2, 2);
        var y = GradCheck.Input([3, 4], 2, -2, 2);
        GradCheck.Check(ts => F.mse_loss(ts[0], ts[1], red), [x, y], what: "mse_loss");
        GradCheck.Check(ts => F.l1_loss(ts[0], ts[1], red), [x, y], what: "l1_loss");
        GradCheck.Check(ts => F.smooth_l1_loss(ts[0], ts[1], red, beta: 0.7), [x, y], what: "smooth_l1_loss");
        GradCheck.Check(ts => F.huber_loss(ts[0], ts[1], red, delta: 0.6), [x, y], what: "huber_loss");
        // Broadcast target: the target's gradient is summed back to its shape.
        var yb = GradCheck.Input([4], 3, -2, 2);
        GradCheck.Check(ts => F.mse_loss(ts[0], ts[1], red), [x, yb], what: "mse_loss broadcast");
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Gradcheck_binary_losses(string red)
    {
        var p = GradCheck.Input([3, 4], 4, 0.05, 0.95);
        var y = GradCheck.Input([3, 4], 5, 0, 1);
        var w = GradCheck.Input([4], 6, 0.5, 1.5).requires_grad_(false);
        GradCheck.Check(ts => F.binary_cross_entropy(ts[0], ts[1], w, red), [p, y], what: "binary_cross_entropy");
        var z = GradCheck.Input([3, 4], 7, -4, 4);
        var pw = GradCheck.Input([4], 8, 0.2, 3).requires_grad_(false);
        GradCheck.Check(ts => F.binary_cross_entropy_with_logits(ts[0], ts[1], reduction: red), [z, y], what: "bce_with_logits");
        GradCheck.Check(ts => F.binary_cross_entropy_with_logits(ts[0], ts[1], w, red, pw), [z, y], what: "bce_with_logits weight pos_weight");
    }

    [Theory]
    [InlineData("none")]
    [InlineData("mean")]
    [InlineData("sum")]
    [InlineData("batchmean")]
    public void Gradcheck_kl_div(string red)
    {
        var x = GradCheck.Input([3, 4], 9, -3, -0.1);
        var y = GradCheck.Input([3, 4], 10, 0.05, 1);
        GradCheck.Check(ts => F.kl_div(ts[0], ts[1], red), [x, y], what: "kl_div");
        var ly = GradCheck.Input([3, 4], 11, -3, 0);
        GradCheck.Check(ts => F.kl_div(ts[0], ts[1], red, log_target: true), [x, ly], what: "kl_div log_target");
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Gradcheck_classification_losses(string red)
    {
        var w = tensor(new[] { 0.5, 1.5, 1.0, 2.0 }, float64);
        foreach (var (shape, target) in new (long[], Tensor)[]
        {
            ([3, 4], tensor(new long[] { 0, 3, 1 })),
            ([4], tensor(2L)),
            ([2, 4, 3], tensor(new long[,] { { 0, 1, 3 }, { 2, 1, 1 } })),
            ([2, 4, 2, 2], tensor(new long[] { 0, 1, 3, 2, 1, 1, 0, 3 }).view(2, 2, 2)),
        })
        {
            var x = GradCheck.Input(shape, (int)shape.Sum(), -2, 2);
            string s = string.Join("x", shape);
            GradCheck.Check(ts => F.nll_loss(ts[0], target, w, ignore_index: 1, reduction: red), [x], what: $"nll_loss {s}");
            GradCheck.Check(ts => F.cross_entropy(ts[0], target, reduction: red), [x], what: $"cross_entropy {s}");
            GradCheck.Check(ts => F.cross_entropy(ts[0], target, w, ignore_index: 1, reduction: red), [x], what: $"cross_entropy weight ignore {s}");
            GradCheck.Check(ts => F.cross_entropy(ts[0], target, w, reduction: red, label_smoothing: 0.25), [x], what: $"cross_entropy smoothing {s}");
            var probs = GradCheck.Input(shape, 3, 0, 1);
            GradCheck.Check(ts => F.cross_entropy(ts[0], ts[1], w, reduction: red, label_smoothing: 0.1), [x, probs], what: $"cross_entropy probabilities {s}");
        }
    }

    // ---------------------------------------------------------------- behaviour

    [Fact]
    public void Fused_cross_entropy_equals_log_softmax_then_nll_loss()
    {
        manual_seed(3);
        var x = (randn(100, 257) * 3).requires_grad_();   // rows over threads
        var t = randint(0, 257, [100]);
        var w = rand(257) + 0.5;
        foreach (var red in new[] { "none", "mean", "sum" })
        {
            x.grad = null;
            var a = F.cross_entropy(x, t, w, ignore_index: 5, reduction: red);
            var g = red == "none" ? randn(100) : tensor(1.3f);
            a.backward(g);
            var ga = x.grad!.clone();
            x.grad = null;
            var b = F.nll_loss(F.log_softmax(x, 1), t, w, ignore_index: 5, reduction: red);
            b.backward(g);
            Assert.True(a.sub(b).abs().max().item<float>() < 1e-4, $"{red}: loss");
            Assert.True(ga.sub(x.grad!).abs().max().item<float>() < 1e-6, $"{red}: gradient");
        }
    }

    [Fact]
    public void All_targets_ignored_gives_nan_mean_and_zero_gradient()
    {
        var x = randn(2, 3).requires_grad_();
        var l = F.cross_entropy(x, tensor(new long[] { -100, -100 }));
        Assert.True(float.IsNaN(l.item<float>()));
        var s = F.cross_entropy(x, tensor(new long[] { -100, -100 }), reduction: "sum");
        Assert.Equal(0f, s.item<float>());
        s.backward();
        Assert.All(x.grad!.data<float>().ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Changing_saved_inputs_in_place_before_backward_is_an_error()
    {
        foreach (var f in new Func<Tensor, Tensor, Tensor>[] { (x, t) => F.cross_entropy(x, t), (x, t) => F.nll_loss(x, t), (x, t) => F.cross_entropy(x.unsqueeze(2), t.unsqueeze(1)) })
        {
            var x = randn(3, 5).requires_grad_();
            var t = tensor(new long[] { 0, 1, 2 });
            var l = f(x, t);
            t.add_(1);
            var e = Assert.Throws<InvalidOperationException>(() => l.backward());
            Assert.Contains("modified by an inplace operation", e.Message);
        }
        var p = rand(4).requires_grad_();
        var y = rand(4);
        var b = F.binary_cross_entropy(p, y);
        y.mul_(0.5);
        Assert.Throws<InvalidOperationException>(() => b.backward());
    }

    [Fact]
    public void Mixed_dtypes_promote_as_in_pytorch()
    {
        Assert.Equal(float64, F.mse_loss(ones(3), ones(new long[] { 3 }, float64)).dtype);
        Assert.Equal(float32, F.mse_loss(ones(3), tensor(new long[] { 1, 1, 1 })).dtype);
        Assert.Equal(float64, F.cross_entropy(randn(2, 3).to(float64), rand(2, 3)).dtype);
        Assert.Equal(float32, F.binary_cross_entropy_with_logits(randn(2, 3), rand(2, 3), pos_weight: ones(new long[] { 3 }, float64)).dtype);
        Assert.Equal(float64, F.binary_cross_entropy_with_logits(randn(2, 3), rand(2, 3).to(float64)).dtype);
        Assert.Equal(float32, F.binary_cross_entropy(rand(2, 3), rand(2, 3), weight: ones(new long[] { 3 }, float64)).dtype);
        Assert.Equal(float64, F.kl_div(randn(2, 3), rand(2, 3).to(float64), "sum").dtype);
        Assert.Equal(float64, F.smooth_l1_loss(randn(2, 3), rand(2, 3).to(float64)).dtype);
        var e = Assert.Throws<ArgumentException>(() => F.binary_cross_entropy(rand(2, 3), rand(2, 3).to(float64)));
        Assert.Contains("Found dtype Double but expected Float", e.Message);
    }

    [Fact]
    public void A_different_target_shape_broadcasts_with_pytorchs_warning()
    {
        var l = F.mse_loss(ones(3, 1), zeros(3, 4), "none");
        Assert.Equal(new long[] { 3, 4 }, l.shape);
    }

    // ---------------------------------------------------------------- errors

    static string Msg(string key) => Fixtures.Case(File, "loss errors").GetProperty("messages").GetProperty(key).GetString()!;

    [Fact]
    public void Errors_use_pytorchs_messages()
    {
        var x = zeros(3, 5);
        void Check(string key, Action f, string prefix)
        {
            var e = Assert.Throws<ArgumentException>(f);
            Assert.StartsWith(prefix + ": ", e.Message);
            Assert.Contains(Msg(key), e.Message);
        }
        Check("oob", () => F.cross_entropy(x, tensor(new long[] { 0, 12, 2 })), "cross_entropy");
        Check("oob_neg", () => F.nll_loss(x, tensor(new long[] { 0, -3, 2 })), "nll_loss");
        Check("batch", () => F.nll_loss(x, tensor(new long[] { 0, 1 })), "nll_loss");
        Check("int_target", () => F.nll_loss(x, tensor(new long[] { 0, 1, 2 }, int32)), "nll_loss");
        Check("float_target", () => F.nll_loss(x, tensor(new[] { 0.0, 1, 2 })), "nll_loss");
        Check("weight_size", () => F.nll_loss(x, tensor(new long[] { 0, 1, 2 }), weight: ones(3)), "nll_loss");
        Check("multi_target", () => F.nll_loss(x, tensor(new long[,] { { 0, 1, 2 } })), "nll_loss");
        Check("kdim_target", () => F.nll_loss(zeros(2, 3, 4), zeros(new long[] { 2, 5 }, int64)), "nll_loss");
        Check("smoothing", () => F.cross_entropy(x, tensor(new long[] { 0, 1, 2 }), label_smoothing: 1.2), "cross_entropy");
        Check("probs_ignore", () => F.cross_entropy(x, zeros(3, 5), ignore_index: 1), "cross_entropy");
        Check("bce_size", () => F.binary_cross_entropy(rand(3, 5), rand(3, 1)), "binary_cross_entropy");
        Check("bce_range", () => F.binary_cross_entropy(ones(2) * 2, rand(2)), "binary_cross_entropy");
        Check("bcel_size", () => F.binary_cross_entropy_with_logits(rand(3, 5), rand(3, 1)), "binary_cross_entropy_with_logits");
        Check("reduction", () => F.mse_loss(x, x, "avg"), "mse_loss");
        Check("beta", () => F.smooth_l1_loss(x, x, beta: -1), "smooth_l1_loss");
        Check("delta", () => F.huber_loss(x, x, delta: 0), "huber_loss");
        Check("mse_int", () => F.mse_loss(ones(new long[] { 3 }, int64), ones(new long[] { 3 }, int64)), "mse_loss");
        var e = Assert.Throws<ArgumentException>(() => F.mse_loss(zeros(3, 5), zeros(4, 1)));
        Assert.Contains("[4, 1]", e.Message);
        Assert.Contains("[3, 5]", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.binary_cross_entropy_with_logits(zeros(3, 5), zeros(3, 5), pos_weight: ones(4)));
        Assert.StartsWith("binary_cross_entropy_with_logits: pos_weight of shape [4] cannot be broadcast to the target's shape [3, 5]", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.binary_cross_entropy(rand(3, 5), rand(3, 5), weight: ones(4)));
        Assert.StartsWith("binary_cross_entropy: weight of shape [4] cannot be broadcast to the target's shape [3, 5]", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.nll_loss(zeros(3, 5).to(float64), tensor(new long[] { 0, 1, 2 }), weight: ones(5)));
        Assert.Contains("expected scalar type Double but found Float", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.kl_div(zeros(3, 5), zeros(2, 5)));
        Assert.StartsWith("kl_div: ", e.Message);
    }
}
