using System.Text.Json;
using Torchlet;
using Torchlet.Modules;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests;

/// <summary>
/// optim.lr_scheduler against PyTorch 1.13 (fixtures/optim_extra.json): each group's lr after every
/// one of 30 steps, get_last_lr, last_epoch, resuming, ReduceLROnPlateau's options, errors.
/// </summary>
public class SchedulerTests
{
    const string File = "optim_extra";
    static JsonElement Runs => Fixtures.Case(File, "schedulers").GetProperty("runs");

    public static IEnumerable<object[]> Names() => Runs.EnumerateObject().Where(p => p.Name != "cosine_resumed").Select(p => new object[] { p.Name });

    static double[][] Rows(JsonElement e) => e.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();

    [Theory]
    [MemberData(nameof(Names))]
    public void Learning_rates_match_pytorch(string name)
    {
        var run = Runs.GetProperty(name);
        var groupLrs = run.GetProperty("groups").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var ps = groupLrs.Select(_ => zeros(1, requires_grad: true)).ToArray();
        var opt = optim.SGD(ps.Select((p, i) => new ParamGroup(new[] { p }, lr: groupLrs[i])).ToArray(), lr: groupLrs[0]);
        var expected = Rows(run.GetProperty("lrs"));
        var expectedLast = Rows(run.GetProperty("last_lr"));
        bool plateau = name.StartsWith("plateau");
        LRScheduler? s = null;
        ReduceLROnPlateau? rp = null;
        switch (name)
        {
            case "step": s = optim.lr_scheduler.StepLR(opt, step_size: 3, gamma: 0.5); break;
            case "step_groups": s = optim.lr_scheduler.StepLR(opt, step_size: 4); break;
            case "multistep": s = optim.lr_scheduler.MultiStepLR(opt, milestones: new[] { 9, 2, 5, 5 }, gamma: 0.3); break;
            case "exponential": s = optim.lr_scheduler.ExponentialLR(opt, gamma: 0.9); break;
            case "cosine": s = optim.lr_scheduler.CosineAnnealingLR(opt, T_max: 7, eta_min: 0.01); break;
            case "cosine_zero_min": s = optim.lr_scheduler.CosineAnnealingLR(opt, T_max: 10); break;
            case "cosine_edited": s = optim.lr_scheduler.CosineAnnealingLR(opt, T_max: 6, eta_min: 0.001); break;
            case "lambda": s = optim.lr_scheduler.LambdaLR(opt, e => Math.Pow(0.95, e)); break;
            case "lambda_groups": s = optim.lr_scheduler.LambdaLR(opt, new Func<int, double>[] { e => Math.Pow(0.95, e), e => 1.0 / (e + 1) }); break;
            case "plateau": rp = optim.lr_scheduler.ReduceLROnPlateau(opt); break;
            case "plateau_opts": rp = optim.lr_scheduler.ReduceLROnPlateau(opt, patience: 1, factor: 0.5, cooldown: 2, min_lr: 0.02); break;
            case "plateau_abs": rp = optim.lr_scheduler.ReduceLROnPlateau(opt, patience: 2, threshold: 0.05, threshold_mode: "abs", factor: 0.3); break;
            case "plateau_max": rp = optim.lr_scheduler.ReduceLROnPlateau(opt, min_lr: new[] { 0.01, 0.001 }, mode: "max", patience: 0, factor: 0.5); break;
            case "plateau_eps": rp = optim.lr_scheduler.ReduceLROnPlateau(opt, mode: "max", patience: 0, factor: 0.9, eps: 0.005); break;
            default: throw new ArgumentException(name);
        }
        Assert.Equal(plateau, rp is not null);
        void Check(int t)
        {
            for (int g = 0; g < groupLrs.Length; g++)
                Assert.True(expected[t][g] == opt.param_groups[g].lr, $"{name}: group {g} lr after {t} steps is {opt.param_groups[g].lr:R}, PyTorch {expected[t][g]:R}");
        }
        Check(0);
        if (s is not null) Assert.Equal(expectedLast[0], s.get_last_lr());
        for (int t = 0; t < expected.Length - 1; t++)
        {
            opt.step();
            if (name == "cosine_edited" && t == 4) foreach (var g in opt.param_groups) g.lr = 0.05;
            if (rp is not null) rp.step(run.GetProperty("metrics")[t].GetDouble());
            else
            {
                s!.step();
                Assert.Equal(expectedLast[t + 1], s.get_last_lr());
            }
            Check(t + 1);
        }
        Assert.Equal(run.GetProperty("last_epoch").GetInt32(), s?.last_epoch ?? rp!.last_epoch);
    }

    [Fact]
    public void Cosine_resumed_at_an_epoch_uses_the_closed_form_first()
    {
        var expected = Runs.GetProperty("cosine_resumed").GetProperty("lrs").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var p = zeros(1, requires_grad: true);
        var opt = optim.SGD(new[] { p }, lr: 0.1);
        optim.lr_scheduler.CosineAnnealingLR(opt, T_max: 8);
        opt.param_groups[0].lr = 0.07;
        var s = optim.lr_scheduler.CosineAnnealingLR(opt, T_max: 8, eta_min: 0.001, last_epoch: 5);
        Assert.Equal(expected[0], opt.param_groups[0].lr);
        for (int t = 1; t < expected.Length; t++)
        {
            opt.step();
            s.step();
            Assert.Equal(expected[t], opt.param_groups[0].lr);
        }
    }

    [Fact]
    public void Scheduler_drives_the_optimizers_updates()
    {
        var p = tensor(new[] { 1.0 }, requires_grad: true);
        var opt = optim.SGD(new[] { p }, lr: 1.0);
        var s = optim.lr_scheduler.StepLR(opt, step_size: 1, gamma: 0.5);
        for (int t = 0; t < 3; t++)
        {
            p.grad = ones(1);
            opt.step();
            s.step();
        }
        Assert.Equal((float)(1 - 1 - 0.5 - 0.25), p.item<float>());   // lr 1, 0.5, 0.25
        Assert.Equal(0.125, s.get_last_lr()[0]);
        Assert.Equal(1.0, (double)opt.param_groups[0]["initial_lr"]);
        Assert.Equal(new[] { 1.0 }, s.base_lrs);
    }

    [Fact]
    public void State_dict_resumes_the_schedule()
    {
        double[] Run(int steps, Func<Optimizer, LRScheduler> make, Dictionary<string, object>? resume = null, double startLr = 0.1)
        {
            var opt = optim.SGD(new[] { zeros(1, requires_grad: true) }, lr: startLr);
            var s = make(opt);
            if (resume is not null) { s.load_state_dict(resume); opt.param_groups[0].lr = s.get_last_lr()[0]; }
            var lrs = new List<double>();
            for (int t = 0; t < steps; t++) { opt.step(); s.step(); lrs.Add(opt.param_groups[0].lr); }
            return lrs.ToArray();
        }
        Func<Optimizer, LRScheduler> cosine = o => optim.lr_scheduler.CosineAnnealingLR(o, T_max: 5, eta_min: 0.01);
        var straight = Run(12, cosine);
        var opt1 = optim.SGD(new[] { zeros(1, requires_grad: true) }, lr: 0.1);
        var first = cosine(opt1);
        for (int t = 0; t < 7; t++) { opt1.step(); first.step(); }
        var saved = first.state_dict();
        Assert.Equal(7, saved["last_epoch"]);
        var rest = Run(5, cosine, saved, startLr: 0.5);
        Assert.Equal(straight[7..], rest);
        var e = Assert.Throws<ArgumentException>(() => first.load_state_dict(new Dictionary<string, object> { ["last_epoch"] = 3 }));
        Assert.Contains("is missing", e.Message);
        Assert.Equal(7, first.last_epoch);
    }

    [Fact]
    public void Plateau_accepts_a_loss_tensor()
    {
        var opt = optim.SGD(new[] { zeros(1, requires_grad: true) }, lr: 1.0);
        var s = optim.lr_scheduler.ReduceLROnPlateau(opt, patience: 0);
        s.step(tensor(2.0));
        s.step(tensor(3.0));
        Assert.Equal(0.1, opt.param_groups[0].lr, 12);
        Assert.Equal(2.0, s.best);
        Assert.Equal(new[] { opt.param_groups[0].lr }, s.get_last_lr());
    }

    static string Msg(string key) => Fixtures.Case(File, "errors").GetProperty("messages").GetProperty(key).GetString()!.Trim('"');

    [Fact]
    public void Errors_use_pytorchs_messages()
    {
        var opt = optim.SGD(new[] { zeros(1, requires_grad: true) }, lr: 0.1);
        void Has(string key, Action f) => Assert.Contains(Msg(key), Assert.Throws<ArgumentException>(f).Message);
        Has("plateau_factor", () => optim.lr_scheduler.ReduceLROnPlateau(opt, factor: 1.0));
        Has("plateau_mode", () => optim.lr_scheduler.ReduceLROnPlateau(opt, mode: "up"));
        Has("plateau_threshold_mode", () => optim.lr_scheduler.ReduceLROnPlateau(opt, threshold_mode: "x"));
        Has("plateau_min_lrs", () => optim.lr_scheduler.ReduceLROnPlateau(opt, min_lr: new[] { 0.1, 0.2 }));
        Has("lambda_count", () => optim.lr_scheduler.LambdaLR(opt, new Func<int, double>[] { e => 1.0, e => 1.0 }));
        Has("resume", () => optim.lr_scheduler.StepLR(optim.SGD(new[] { zeros(1, requires_grad: true) }, lr: 0.1), 3, last_epoch: 4));
        Assert.Contains("step_size", Assert.Throws<ArgumentException>(() => optim.lr_scheduler.StepLR(opt, 0)).Message);
        Assert.Contains("T_max", Assert.Throws<ArgumentException>(() => optim.lr_scheduler.CosineAnnealingLR(opt, 0)).Message);
        Assert.Equal(0.1, opt.param_groups[0].lr);
    }
}
