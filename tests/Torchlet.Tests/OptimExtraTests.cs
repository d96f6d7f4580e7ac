using System.Text.Json;
using Torchlet;
using Torchlet.Modules;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests;

/// <summary>
/// optim.AdamW, optim.RMSprop and optim.Adagrad against PyTorch 1.13 (fixtures/optim_extra.json from
/// gen_optim_extra.py): every option combination bit for bit over five steps, state_dict layout and
/// round trip, parameter groups, errors.
/// </summary>
public class OptimExtraTests
{
    const string File = "optim_extra";
    static JsonElement Case(string name) => Fixtures.Case(File, name);
    static readonly long[][] Sizes = [[21], [2, 3], []];

    /// <summary>gen_optim_extra.py's pattern(): values exact in float32.</summary>
    internal static Tensor Pattern(long[] shape, ScalarType dt, int a, int b, double scale)
    {
        int n = 1; foreach (var s in shape) n *= (int)s;
        var vals = Enumerable.Range(0, n).Select(k => (((k * a + b) % 23) - 11) / scale).ToArray();
        return tensor(vals, shape, dtype: dt);
    }

    internal static Tensor[] MakeParams(ScalarType dt, int seed) =>
        Sizes.Select((s, i) => Pattern(s, dt, 13, seed + 5 * i, 4.0).requires_grad_()).ToArray();

    static Tensor? Grad(ScalarType dt, int seed, int step, int i) =>
        i == 2 && step == 2 ? null : Pattern(Sizes[i], dt, 7, seed * 3 + step * 11 + i * 5, 8.0);

    static void AssertExact(JsonElement expected, Tensor actual, string what)
    {
        var e = Fixtures.T(expected);
        Assert.True(e.dtype == actual.dtype, $"{what}: dtype {actual.dtype}, PyTorch {e.dtype}");
        Assert.Equal(e.shape, actual.shape);
        double[] ev = e.ToArray<double>(), av = actual.ToArray<double>();
        for (int i = 0; i < ev.Length; i++)
            Assert.True(ev[i].Equals(av[i]), $"{what}: element {i} is {av[i]:R}, PyTorch gives {ev[i]:R}");
    }

    static JsonElement Run(string list, string name) =>
        Case(list).GetProperty("runs").EnumerateArray().First(r => r.GetProperty("name").GetString() == name);

    static IEnumerable<object[]> Runs(string list) =>
        Case(list).GetProperty("runs").EnumerateArray().Select(r => new object[] { r.GetProperty("name").GetString()! });
    public static IEnumerable<object[]> AdamWRuns() => Runs("adamw_manual");
    public static IEnumerable<object[]> RmspropRuns() => Runs("rmsprop_manual");
    public static IEnumerable<object[]> AdagradRuns() => Runs("adagrad_manual");

    static void RunManual(JsonElement run, Func<Tensor[], Optimizer> make)
    {
        var dt = Fixtures.DType(run.GetProperty("dtype").GetString()!);
        int seed = run.GetProperty("seed").GetInt32();
        var name = run.GetProperty("name").GetString();
        var ps = MakeParams(dt, seed);
        var opt = make(ps);
        var after = run.GetProperty("after").EnumerateArray().ToArray();
        for (int t = 0; t < after.Length; t++)
        {
            for (int i = 0; i < ps.Length; i++) ps[i].grad = Grad(dt, seed, t, i);
            opt.step();
            var expected = after[t].EnumerateArray().ToArray();
            for (int i = 0; i < ps.Length; i++) AssertExact(expected[i], ps[i], $"{name} ({dt}), step {t + 1}, parameter {i}");
        }
    }

    static double D(JsonElement o, string k) => o.GetProperty(k).GetDouble();
    static bool B(JsonElement o, string k) => o.GetProperty(k).GetBoolean();

    [Theory]
    [MemberData(nameof(AdamWRuns))]
    public void AdamW_matches_pytorch_bit_for_bit(string name)
    {
        var run = Run("adamw_manual", name);
        var o = run.GetProperty("options");
        var betas = o.GetProperty("betas").EnumerateArray().Select(b => b.GetDouble()).ToArray();
        RunManual(run, ps => optim.AdamW(ps, lr: D(o, "lr"), betas: (betas[0], betas[1]), eps: D(o, "eps"),
            weight_decay: D(o, "weight_decay"), amsgrad: B(o, "amsgrad"), maximize: B(o, "maximize")));
    }

    [Theory]
    [MemberData(nameof(RmspropRuns))]
    public void RMSprop_matches_pytorch_bit_for_bit(string name)
    {
        var run = Run("rmsprop_manual", name);
        var o = run.GetProperty("options");
        RunManual(run, ps => optim.RMSprop(ps, lr: D(o, "lr"), alpha: D(o, "alpha"), eps: D(o, "eps"), weight_decay: D(o, "weight_decay"),
            momentum: D(o, "momentum"), centered: B(o, "centered"), maximize: B(o, "maximize")));
    }

    [Theory]
    [MemberData(nameof(AdagradRuns))]
    public void Adagrad_matches_pytorch_bit_for_bit(string name)
    {
        var run = Run("adagrad_manual", name);
        var o = run.GetProperty("options");
        RunManual(run, ps => optim.Adagrad(ps, lr: D(o, "lr"), lr_decay: D(o, "lr_decay"), weight_decay: D(o, "weight_decay"),
            initial_accumulator_value: D(o, "initial_accumulator_value"), eps: D(o, "eps"), maximize: B(o, "maximize")));
    }

    // ================================================================ state_dict

    static Optimizer MakeForState(string kind, Tensor[] ps, double lr = double.NaN) => kind switch
    {
        "adamw" => optim.AdamW(ps, lr: double.IsNaN(lr) ? 0.05 : lr, amsgrad: true),
        "rmsprop" => optim.RMSprop(ps, lr: double.IsNaN(lr) ? 0.01 : lr, momentum: 0.9, centered: true),
        _ => optim.Adagrad(ps, lr: double.IsNaN(lr) ? 0.1 : lr, initial_accumulator_value: 0.1),
    };

    static void Steps(Optimizer opt, Tensor[] ps, int from, int to)
    {
        for (int t = from; t < to; t++)
        {
            for (int i = 0; i < ps.Length; i++) ps[i].grad = Grad(float32, 17, t, i);
            opt.step();
        }
    }

    [Theory]
    [InlineData("adamw")]
    [InlineData("rmsprop")]
    [InlineData("adagrad")]
    public void State_dict_has_pytorchs_layout_and_values(string kind)
    {
        var expected = Case("state_dict").GetProperty(kind);
        var ps = MakeParams(float32, 17);
        var opt = MakeForState(kind, ps);
        Steps(opt, ps, 0, 3);
        var sd = opt.state_dict();
        Assert.Equal(expected.EnumerateObject().Select(p => int.Parse(p.Name)).Order(), sd.state.Keys.Order());
        foreach (var p in expected.EnumerateObject())
        {
            var mine = sd.state[int.Parse(p.Name)];
            Assert.Equal(p.Value.EnumerateObject().Select(e => e.Name).Order(), mine.Keys.Order());
            foreach (var e in p.Value.EnumerateObject())
                if (e.Name == "step") Assert.Equal(Fixtures.Values(e.Value)[0], mine["step"].item<double>());
                else AssertExact(e.Value, mine[e.Name], $"{kind} state[{p.Name}]['{e.Name}']");
        }
    }

    [Theory]
    [InlineData("adamw")]
    [InlineData("rmsprop")]
    [InlineData("adagrad")]
    public void State_dict_round_trip_continues_exactly(string kind)
    {
        var straight = MakeParams(float32, 17);
        Steps(MakeForState(kind, straight), straight, 0, 5);

        var ps = MakeParams(float32, 17);
        var first = MakeForState(kind, ps);
        Steps(first, ps, 0, 3);
        var sd = first.state_dict();
        var resumed = ps.Select(p => p.detach().clone().requires_grad_()).ToArray();
        var second = MakeForState(kind, resumed, lr: 123);
        second.load_state_dict(sd);
        Steps(second, resumed, 3, 5);
        for (int i = 0; i < straight.Length; i++)
            Assert.Equal(straight[i].data<float>().ToArray(), resumed[i].data<float>().ToArray());
    }

    // (AdamW accepts Adam's state, as PyTorch does: both keep step, exp_avg and exp_avg_sq.)
    [Fact]
    public void Loading_another_optimizers_state_is_refused_and_changes_nothing()
    {
        var p = zeros(2, requires_grad: true);
        var adam = optim.Adam(new[] { p }, lr: 0.1);
        p.grad = ones(2);
        adam.step();
        var q = zeros(2, requires_grad: true);
        foreach (Optimizer target in new Optimizer[] { optim.RMSprop(new[] { q }, lr: 0.2), optim.Adagrad(new[] { q }, lr: 0.2) })
        {
            var before = target.state_dict();
            var e = Assert.Throws<ArgumentException>(() => target.load_state_dict(adam.state_dict()));
            Assert.Contains("different kind of optimizer", e.Message);
            Assert.Equal(0.2, target.param_groups[0].lr);
            Assert.Equal(before.state.Count, target.state_dict().state.Count);
        }
    }

    [Fact]
    public void Adagrad_has_state_before_the_first_step_and_for_groups_added_later()
    {
        var a = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        var opt = optim.Adagrad(new[] { a }, lr: 0.1, initial_accumulator_value: 0.5);
        var sd = opt.state_dict();
        Assert.Equal(new float[] { 0.5f, 0.5f }, sd.state[0]["sum"].data<float>().ToArray());
        Assert.Equal(0.0, sd.state[0]["step"].item<double>());
        var b = tensor(new[] { 3.0 }, requires_grad: true);
        opt.add_param_group(new ParamGroup(new[] { b }));
        b.grad = ones(1);
        opt.step();
        // sum = 0.5 + 1; p = 3 − 0.1·1/(√1.5 + 1e-10)
        Assert.Equal((float)(3 - 0.1 / (Math.Sqrt(1.5f) + 1e-10)), b.item<float>(), 6);
    }

    [Fact]
    public void RMSprop_options_switched_on_later_get_their_state()
    {
        var a = tensor(new[] { 1.0, -2.0 }, requires_grad: true);
        var opt = optim.RMSprop(new[] { a }, lr: 0.01);
        a.grad = ones(2);
        opt.step();
        opt.param_groups[0]["momentum"] = 0.9;
        opt.param_groups[0]["centered"] = true;
        opt.step();
        var st = opt.state_dict().state[0];
        Assert.Contains("momentum_buffer", st.Keys);
        Assert.Contains("grad_avg", st.Keys);
        Assert.Equal(2L, st["step"].item<long>());
    }

    [Fact]
    public void AdamW_with_zero_decay_is_adam_and_defaults_follow_pytorch()
    {
        var a = tensor(new[] { 1.0, -2.0, 0.5 }, requires_grad: true);
        var b = tensor(new[] { 1.0, -2.0, 0.5 }, requires_grad: true);
        var oa = optim.AdamW(new[] { a }, lr: 0.1, weight_decay: 0);
        var ob = optim.Adam(new[] { b }, lr: 0.1);
        for (int t = 0; t < 4; t++)
        {
            a.grad = a.detach().sin(); b.grad = b.detach().sin();
            oa.step(); ob.step();
        }
        Assert.Equal(b.data<float>().ToArray(), a.data<float>().ToArray());
        var d = optim.AdamW(new[] { zeros(1, requires_grad: true) });
        Assert.Equal(0.01, (double)d.defaults["weight_decay"]);
        Assert.Equal(1e-3, (double)d.defaults["lr"]);
        var r = optim.RMSprop(new[] { zeros(1, requires_grad: true) });
        Assert.Equal(0.01, (double)r.defaults["lr"]);
        Assert.Equal(0.99, (double)r.defaults["alpha"]);
        var g = optim.Adagrad(new[] { zeros(1, requires_grad: true) });
        Assert.Equal(1e-10, (double)g.defaults["eps"]);
    }

    [Theory]
    [InlineData("adamw")]
    [InlineData("rmsprop")]
    [InlineData("adagrad")]
    public void Large_and_strided_parameters_update_like_small_contiguous_ones(string kind)
    {
        // 2^17 elements take the threaded path; a transposed leaf goes through a contiguous copy.
        int n = 1 << 17;
        var big = arange(n, dtype: float32).div(n).requires_grad_();
        var one = tensor(new[] { big.data<float>()[12345] }, requires_grad: true);
        var strided = arange(12, dtype: float32).div(7).view(3, 4).t().requires_grad_();
        var dense = strided.detach().contiguous().requires_grad_();
        Optimizer Make(Tensor p) => kind switch
        {
            "adamw" => optim.AdamW(new[] { p }, lr: 0.01, amsgrad: true),
            "rmsprop" => optim.RMSprop(new[] { p }, lr: 0.01, momentum: 0.5, centered: true, weight_decay: 0.1),
            _ => optim.Adagrad(new[] { p }, lr: 0.1, lr_decay: 0.01, weight_decay: 0.1),
        };
        var opts = new[] { Make(big), Make(one), Make(strided), Make(dense) };
        var ps = new[] { big, one, strided, dense };
        for (int t = 0; t < 3; t++)
        {
            for (int i = 0; i < ps.Length; i++) ps[i].grad = ps[i].detach().cos();
            foreach (var o in opts) o.step();
        }
        Assert.Equal(one.item<float>(), big.data<float>()[12345]);
        Assert.False(strided.is_contiguous());
        Assert.Equal(dense.data<float>().ToArray(), strided.data<float>().ToArray());
    }

    // ================================================================ errors

    static string Msg(string key) => Case("errors").GetProperty("messages").GetProperty(key).GetString()!;

    [Fact]
    public void Constructor_errors_use_pytorchs_messages()
    {
        var p = zeros(1, requires_grad: true);
        void Starts(string key, Action f) => Assert.StartsWith(Msg(key), Assert.Throws<ArgumentException>(f).Message);
        Starts("adamw_lr", () => optim.AdamW(new[] { p }, lr: -1));
        Starts("adamw_eps", () => optim.AdamW(new[] { p }, eps: -1));
        Starts("adamw_beta0", () => optim.AdamW(new[] { p }, betas: (1.0, 0.9)));
        Starts("adamw_beta1", () => optim.AdamW(new[] { p }, betas: (0.9, 1.5)));
        Starts("adamw_wd", () => optim.AdamW(new[] { p }, weight_decay: -0.1));
        Starts("rmsprop_lr", () => optim.RMSprop(new[] { p }, lr: -1));
        Starts("rmsprop_eps", () => optim.RMSprop(new[] { p }, eps: -1));
        Starts("rmsprop_momentum", () => optim.RMSprop(new[] { p }, momentum: -1));
        Starts("rmsprop_wd", () => optim.RMSprop(new[] { p }, weight_decay: -1));
        Starts("rmsprop_alpha", () => optim.RMSprop(new[] { p }, alpha: -1));
        Starts("adagrad_lr", () => optim.Adagrad(new[] { p }, lr: -1));
        Starts("adagrad_lr_decay", () => optim.Adagrad(new[] { p }, lr_decay: -1));
        Starts("adagrad_wd", () => optim.Adagrad(new[] { p }, weight_decay: -1));
        Starts("adagrad_init", () => optim.Adagrad(new[] { p }, initial_accumulator_value: -1));
        Starts("adagrad_eps", () => optim.Adagrad(new[] { p }, eps: -1));
    }
}
