using System.Text.Json;
using Torchlet;
using Torchlet.Modules;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests;

/// <summary>
/// optim.SGD and optim.Adam against PyTorch 1.13 (fixtures/optim.json from gen_optim.py): the
/// update rule bit for bit on given gradients, training runs, param groups, state_dict, errors.
/// </summary>
public class OptimTests
{
    static JsonElement Case(string name) => Fixtures.Case("optim", name);
    static readonly long[][] Sizes = [[21], [2, 3], []];

    /// <summary>gen_optim.py's pattern(): values exact in float32.</summary>
    static Tensor Pattern(long[] shape, ScalarType dt, int a, int b, double scale)
    {
        int n = 1; foreach (var s in shape) n *= (int)s;
        var vals = Enumerable.Range(0, n).Select(k => (((k * a + b) % 23) - 11) / scale).ToArray();
        return tensor(vals, shape, dtype: dt);
    }

    static Tensor[] MakeParams(ScalarType dt, int seed) =>
        Sizes.Select((s, i) => Pattern(s, dt, 13, seed + 5 * i, 4.0).requires_grad_()).ToArray();

    static Tensor? Grad(ScalarType dt, int seed, int step, int i) =>
        i == 2 && step == 2 ? null : Pattern(Sizes[i], dt, 7, seed * 3 + step * 11 + i * 5, 8.0);

    /// <summary>Same dtype, shape and bits (float32 fixtures hold the shortest decimal of each float).</summary>
    static void AssertExact(JsonElement expected, Tensor actual, string what)
    {
        var e = Fixtures.T(expected);
        Assert.True(e.dtype == actual.dtype, $"{what}: dtype {actual.dtype}, PyTorch {e.dtype}");
        Assert.Equal(e.shape, actual.shape);
        double[] ev = e.ToArray<double>(), av = actual.ToArray<double>();
        for (int i = 0; i < ev.Length; i++)
            Assert.True(ev[i].Equals(av[i]), $"{what}: element {i} is {av[i]:R}, PyTorch gives {ev[i]:R}");
    }

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

    static IEnumerable<object[]> Runs(string list) =>
        Case(list).GetProperty("runs").EnumerateArray().Select(r => new object[] { r.GetProperty("name").GetString()! });
    public static IEnumerable<object[]> SgdRuns() => Runs("sgd_manual");
    public static IEnumerable<object[]> AdamRuns() => Runs("adam_manual");

    static JsonElement Run(string list, string name) =>
        Case(list).GetProperty("runs").EnumerateArray().Where(r => r.GetProperty("name").GetString() == name).ToArray() switch
        {
            var all => all.Length > 0 ? all[0] : throw new KeyNotFoundException(name),
        };

    [Theory]
    [MemberData(nameof(SgdRuns))]
    public void Sgd_update_matches_pytorch_bit_for_bit(string name)
    {
        foreach (var run in Case("sgd_manual").GetProperty("runs").EnumerateArray().Where(r => r.GetProperty("name").GetString() == name))
        {
            var o = run.GetProperty("options");
            RunManual(run, ps => optim.SGD(ps, lr: o.GetProperty("lr").GetDouble(), momentum: o.GetProperty("momentum").GetDouble(),
                dampening: o.GetProperty("dampening").GetDouble(), weight_decay: o.GetProperty("weight_decay").GetDouble(),
                nesterov: o.GetProperty("nesterov").GetBoolean(), maximize: o.GetProperty("maximize").GetBoolean()));
        }
    }

    [Theory]
    [MemberData(nameof(AdamRuns))]
    public void Adam_update_matches_pytorch_bit_for_bit(string name)
    {
        foreach (var run in Case("adam_manual").GetProperty("runs").EnumerateArray().Where(r => r.GetProperty("name").GetString() == name))
        {
            var o = run.GetProperty("options");
            var betas = o.GetProperty("betas").EnumerateArray().Select(b => b.GetDouble()).ToArray();
            RunManual(run, ps => optim.Adam(ps, lr: o.GetProperty("lr").GetDouble(), beta1: betas[0], beta2: betas[1],
                eps: o.GetProperty("eps").GetDouble(), weight_decay: o.GetProperty("weight_decay").GetDouble(),
                amsgrad: o.GetProperty("amsgrad").GetBoolean(), maximize: o.GetProperty("maximize").GetBoolean()));
        }
    }

    // ================================================================ training a small problem end to end

    static Tensor[] Problem()
    {
        var start = Case("train").GetProperty("start").EnumerateArray().ToArray();
        return start.Select(s => Fixtures.T(s, requiresGrad: true)).ToArray();
    }

    static Tensor Loss(Tensor[] p)
    {
        var w = Fixtures.T(Case("train").GetProperty("W"));
        Tensor a = p[0], b = p[1], c = p[2];
        return (1 - a).pow(2).sum() + 5 * (b - a.pow(2)).pow(2).sum() + (c * c * w).sum() + c.sin().sum();
    }

    public static IEnumerable<object[]> TrainRuns() =>
        Case("train").GetProperty("runs").EnumerateObject().Select(p => new object[] { p.Name });

    static Optimizer MakeForTrain(string name, Tensor[] ps) => name switch
    {
        "sgd" => optim.SGD(ps, lr: 0.01),
        "sgd_momentum_nesterov" => optim.SGD(ps, lr: 0.01, momentum: 0.9, nesterov: true, weight_decay: 0.01),
        "adam" => optim.Adam(ps, lr: 0.05),
        "adam_amsgrad" => optim.Adam(ps, lr: 0.05, betas: (0.5, 0.9), amsgrad: true, weight_decay: 0.01),
        "sgd_groups" => optim.SGD(new[] { new ParamGroup(ps[..2], lr: 0.005, new() { ["momentum"] = 0.9 }), new ParamGroup(ps[2..]) }, lr: 0.02),
        "adam_groups" => optim.Adam(new[] { new ParamGroup(ps[..1], lr: 0.1, new() { ["betas"] = (0.5, 0.9) }), new ParamGroup(ps[1..]) }, lr: 0.01),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(TrainRuns))]
    public void Training_matches_pytorch(string name)
    {
        var run = Case("train").GetProperty("runs").GetProperty(name);
        var losses = run.GetProperty("losses").EnumerateArray().Select(l => l.GetDouble()).ToArray();
        var after = run.GetProperty("after").EnumerateArray().ToArray();
        var ps = Problem();
        var opt = MakeForTrain(name, ps);
        for (int t = 0; t < losses.Length; t++)
        {
            opt.zero_grad();
            var loss = Loss(ps);
            loss.backward();
            opt.step();
            Assert.True(Math.Abs(loss.item<float>() - losses[t]) <= 1e-4 * Math.Abs(losses[t]), $"{name}: loss at step {t + 1} is {loss.item<float>()}, PyTorch {losses[t]}");
            var expected = after[t].EnumerateArray().ToArray();
            for (int i = 0; i < ps.Length; i++)
                Fixtures.AssertClose(expected[i], ps[i], atol: 1e-5, rtol: 1e-5, what: $"{name}: parameter {i} after step {t + 1}");
        }
    }

    // ================================================================ state_dict

    static Optimizer MakeForState(string kind, Tensor[] ps) =>
        kind == "adam" ? optim.Adam(ps, lr: 0.05, amsgrad: true) : optim.SGD(ps, lr: 0.01, momentum: 0.9);

    static void TrainSteps(Optimizer opt, Tensor[] ps, int steps)
    {
        for (int t = 0; t < steps; t++)
        {
            opt.zero_grad();
            Loss(ps).backward();
            opt.step();
        }
    }

    [Theory]
    [InlineData("adam")]
    [InlineData("sgd")]
    public void State_dict_has_pytorchs_layout_and_values(string kind)
    {
        var expected = Case("state_dict").GetProperty(kind);
        var ps = Problem();
        var opt = MakeForState(kind, ps);
        TrainSteps(opt, ps, 3);
        var sd = opt.state_dict();
        Assert.Equal(expected.EnumerateObject().Select(p => int.Parse(p.Name)).Order(), sd.state.Keys.Order());
        foreach (var p in expected.EnumerateObject())
        {
            var mine = sd.state[int.Parse(p.Name)];
            Assert.Equal(p.Value.EnumerateObject().Select(e => e.Name).Order(), mine.Keys.Order());
            foreach (var e in p.Value.EnumerateObject())
                Fixtures.AssertClose(e.Value, mine[e.Name], atol: 1e-5, rtol: 1e-4, what: $"state[{p.Name}]['{e.Name}']");
        }
        Assert.Single(sd.param_groups);
        Assert.Equal(new[] { 0, 1, 2 }, sd.param_groups[0].Params);
        Assert.Equal(kind == "adam" ? 0.05 : 0.01, (double)sd.param_groups[0].Options["lr"]);
    }

    [Theory]
    [InlineData("adam")]
    [InlineData("sgd")]
    public void State_dict_round_trip_continues_exactly_like_an_uninterrupted_run(string kind)
    {
        var straight = Problem();
        TrainSteps(MakeForState(kind, straight), straight, 5);

        var ps = Problem();
        var first = MakeForState(kind, ps);
        TrainSteps(first, ps, 3);
        var sd = first.state_dict();
        TrainSteps(first, ps, 1);   // training on must not change the saved state dict

        // The same three steps again give the parameters at the time of saving; a fresh optimizer
        // (with a different lr: options come from the state dict) then resumes from the saved state.
        var resumed = Problem();
        TrainSteps(MakeForState(kind, resumed), resumed, 3);
        Optimizer second = kind == "adam" ? optim.Adam(resumed, lr: 123) : optim.SGD(resumed, lr: 123);
        second.load_state_dict(sd);
        Assert.Equal(kind == "adam" ? 0.05 : 0.01, second.param_groups[0].lr);
        TrainSteps(second, resumed, 2);
        for (int i = 0; i < straight.Length; i++)
            Assert.Equal(straight[i].data<float>().ToArray(), resumed[i].data<float>().ToArray());
    }

    [Fact]
    public void Load_state_dict_rejects_mismatches_and_changes_nothing()
    {
        var msgs = Case("errors").GetProperty("messages");
        var p = zeros(2, requires_grad: true);
        var q = zeros(3, requires_grad: true);
        var target = optim.SGD(new[] { p }, lr: 0.1, momentum: 0.9);
        var e = Assert.Throws<ArgumentException>(() => target.load_state_dict(optim.SGD(new[] { new ParamGroup(new[] { p }), new ParamGroup(new[] { q }) }, lr: 0.1).state_dict()));
        Assert.Contains(msgs.GetProperty("load_group_count").GetString()!, e.Message);
        e = Assert.Throws<ArgumentException>(() => target.load_state_dict(optim.SGD(new[] { p, q }, lr: 0.1).state_dict()));
        Assert.Contains(msgs.GetProperty("load_group_size").GetString()!, e.Message);

        // Same count, other shape: the state would not fit the parameter.
        var other = optim.SGD(new[] { q }, lr: 0.5, momentum: 0.9);
        q.grad = ones(3);
        other.step();
        e = Assert.Throws<ArgumentException>(() => target.load_state_dict(other.state_dict()));
        Assert.Contains("has shape [3], but the parameter has shape [2]", e.Message);

        // State of another kind of optimizer.
        var p2 = zeros(2, requires_grad: true);
        var sgd = optim.SGD(new[] { p2 }, lr: 0.1, momentum: 0.9);
        p2.grad = ones(2);
        sgd.step();
        var adam = optim.Adam(new[] { p }, lr: 0.1);
        e = Assert.Throws<ArgumentException>(() => adam.load_state_dict(sgd.state_dict()));
        Assert.Contains("different kind of optimizer", e.Message);
        Assert.Equal(0.1, adam.param_groups[0].lr);

        // Nothing changed: the optimizer still has its own options and no state.
        Assert.Equal(0.1, target.param_groups[0].lr);
        Assert.Empty(target.state_dict().state);
    }

    // ================================================================ API behaviour

    [Fact]
    public void Zero_grad_sets_to_none_by_default_or_zeros_in_place()
    {
        var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        var opt = optim.SGD(new[] { x }, lr: 0.1);
        (x * x).sum().backward();
        opt.zero_grad();
        Assert.Null(x.grad);
        (x * x).sum().backward();
        var g = x.grad!;
        opt.zero_grad(set_to_none: false);
        Assert.Same(g, x.grad);
        Assert.Equal(new float[] { 0, 0 }, x.grad!.data<float>().ToArray());
        opt.step();  // a zero gradient is still a gradient: nothing moves for plain SGD
        Assert.Equal(new float[] { 1, 2 }, x.data<float>().ToArray());
    }

    [Fact]
    public void Parameters_without_a_gradient_are_skipped()
    {
        var a = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        var b = tensor(new[] { 3.0, 4.0 }, requires_grad: true);
        var opt = optim.Adam(new[] { a, b }, lr: 0.1);
        (a * a).sum().backward();
        opt.step();
        Assert.Equal(new float[] { 3, 4 }, b.data<float>().ToArray());
        Assert.Single(opt.state_dict().state);  // Adam made state only for a
        Assert.Equal(1f, opt.state_dict().state[0]["step"].item<float>());
    }

    [Fact]
    public void Step_with_closure_returns_the_loss()
    {
        var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        var opt = optim.SGD(new[] { x }, lr: 0.1);
        Tensor loss;
        using (no_grad())
            loss = opt.step(() => { opt.zero_grad(); var l = (x * x).sum(); l.backward(); return l; });
        Assert.Equal(5f, loss.item<float>());
        Fixtures.AssertClose([2], [0.8, 1.6], x, what: "x after one step");
    }

    [Fact]
    public void Non_contiguous_parameters_update_like_contiguous_ones()
    {
        var a = Pattern([3, 4], float32, 13, 1, 4.0).t().requires_grad_();     // a transposed leaf: strided
        var b = Pattern([3, 4], float32, 13, 1, 4.0).t().contiguous().requires_grad_();
        Assert.False(a.is_contiguous());
        var oa = optim.Adam(new[] { a }, lr: 0.1, amsgrad: true);
        var ob = optim.Adam(new[] { b }, lr: 0.1, amsgrad: true);
        for (int t = 0; t < 3; t++)
        {
            oa.zero_grad(); ob.zero_grad();
            (a.sin() * a).sum().backward();
            (b.sin() * b).sum().backward();
            oa.step(); ob.step();
        }
        Assert.Equal(b.data<float>().ToArray(), a.data<float>().ToArray());
    }

    [Fact]
    public void Large_parameters_take_the_parallel_path_with_the_same_result()
    {
        // 2^17 elements split over threads; every element must equal the single-element update.
        int n = 1 << 17;
        var p = arange(n, dtype: float32).div(n).requires_grad_();
        var single = tensor(new[] { p.data<float>()[777] }, requires_grad: true);
        var op = optim.Adam(new[] { p }, lr: 0.01, weight_decay: 0.1);
        var os = optim.Adam(new[] { single }, lr: 0.01, weight_decay: 0.1);
        for (int t = 0; t < 2; t++)
        {
            p.grad = p.detach().cos();
            single.grad = single.detach().cos();
            op.step(); os.step();
        }
        Assert.Equal(single.item<float>(), p.data<float>()[777]);
    }

    [Fact]
    public void Adam_betas_pair_and_beta1_beta2_are_the_same()
    {
        var a = tensor(new[] { 1.0, -2.0 }, requires_grad: true);
        var b = tensor(new[] { 1.0, -2.0 }, requires_grad: true);
        var oa = optim.Adam(new[] { a }, lr: 0.1, betas: (0.5, 0.9));
        var ob = optim.Adam(new[] { b }, lr: 0.1, beta1: 0.5, beta2: 0.9);
        Assert.Equal((0.5, 0.9), ((double, double))oa.param_groups[0]["betas"]);
        for (int t = 0; t < 3; t++)
        {
            a.grad = a.detach() * 2; b.grad = b.detach() * 2;
            oa.step(); ob.step();
        }
        Assert.Equal(b.data<float>().ToArray(), a.data<float>().ToArray());
    }

    [Fact]
    public void Param_groups_defaults_and_learning_rate_changes()
    {
        var a = tensor(new[] { 1.0 }, requires_grad: true);
        var b = tensor(new[] { 1.0 }, requires_grad: true);
        var opt = optim.SGD(new[] { new ParamGroup(new[] { a }, lr: 0.5), new ParamGroup(new[] { b }) }, lr: 0.1, momentum: 0.9);
        Assert.Equal(2, opt.param_groups.Count);
        Assert.Equal(0.5, opt.param_groups[0].lr);
        Assert.Equal(0.1, opt.param_groups[1].lr);
        Assert.Equal(0.9, (double)opt.param_groups[0]["momentum"]);
        a.grad = ones(1); b.grad = ones(1);
        opt.step();
        Fixtures.AssertClose([1], [0.5], a, what: "a");
        Fixtures.AssertClose([1], [0.9], b, what: "b");
        opt.param_groups[1].lr = 1.0;   // what a scheduler does
        opt.step();
        Fixtures.AssertClose([1], [-0.45], a, what: "a (buffer 1.9 × 0.5)");
        Fixtures.AssertClose([1], [-1.0], b, what: "b (buffer 1.9 × 1.0)");

        var c = tensor(new[] { 1.0 }, requires_grad: true);
        opt.add_param_group(new ParamGroup(new[] { c }, new() { ["nesterov"] = true }));
        Assert.Equal(0.1, opt.param_groups[2].lr);
        Assert.True((bool)opt.param_groups[2]["nesterov"]);
    }

    [Fact]
    public void A_bad_option_found_at_step_time_leaves_every_parameter_unchanged()
    {
        var a = tensor(new[] { 1.0 }, requires_grad: true);
        var b = tensor(new[] { 1.0 }, requires_grad: true);
        var opt = optim.SGD(new[] { new ParamGroup(new[] { a }), new ParamGroup(new[] { b }) }, lr: 0.1);
        opt.param_groups[1].lr = -1;
        a.grad = ones(1); b.grad = ones(1);
        var e = Assert.Throws<ArgumentException>(() => opt.step());
        Assert.StartsWith("Invalid learning rate: -1.0", e.Message);
        Assert.Equal(1f, a.item<float>());
        Assert.Equal(1f, b.item<float>());
        opt.param_groups[1]["momentum"] = "fast";
        e = Assert.Throws<ArgumentException>(() => opt.step());
        Assert.Contains("option 'momentum' must be a number", e.Message);
    }

    // ================================================================ errors

    static string Msg(string key) => Case("errors").GetProperty("messages").GetProperty(key).GetString()!;

    [Fact]
    public void Constructor_errors_use_pytorchs_messages()
    {
        var p = zeros(2, requires_grad: true);
        var e = Assert.Throws<ArgumentException>(() => optim.SGD(Array.Empty<Tensor>(), lr: 0.1));
        Assert.Contains(Msg("empty"), e.Message);
        e = Assert.Throws<ArgumentException>(() => optim.Adam(Array.Empty<ParamGroup>()));
        Assert.Contains(Msg("empty"), e.Message);
        Assert.StartsWith(Msg("sgd_lr"), Assert.Throws<ArgumentException>(() => optim.SGD(new[] { p }, lr: -0.1)).Message);
        Assert.StartsWith(Msg("sgd_momentum"), Assert.Throws<ArgumentException>(() => optim.SGD(new[] { p }, lr: 0.1, momentum: -1)).Message);
        Assert.StartsWith(Msg("sgd_weight_decay"), Assert.Throws<ArgumentException>(() => optim.SGD(new[] { p }, lr: 0.1, weight_decay: -1e-5)).Message);
        Assert.StartsWith(Msg("sgd_nesterov"), Assert.Throws<ArgumentException>(() => optim.SGD(new[] { p }, lr: 0.1, nesterov: true)).Message);
        Assert.StartsWith(Msg("adam_lr"), Assert.Throws<ArgumentException>(() => optim.Adam(new[] { p }, lr: -1)).Message);
        Assert.StartsWith(Msg("adam_eps"), Assert.Throws<ArgumentException>(() => optim.Adam(new[] { p }, eps: -1e-8)).Message);
        Assert.StartsWith(Msg("adam_beta0"), Assert.Throws<ArgumentException>(() => optim.Adam(new[] { p }, betas: (1.0, 0.999))).Message);
        Assert.StartsWith(Msg("adam_beta1"), Assert.Throws<ArgumentException>(() => optim.Adam(new[] { p }, beta1: 0.9, beta2: -0.5)).Message);
        Assert.StartsWith(Msg("adam_weight_decay"), Assert.Throws<ArgumentException>(() => optim.Adam(new[] { p }, weight_decay: -0.1)).Message);
        Assert.Contains(Msg("non_leaf"), Assert.Throws<ArgumentException>(() => optim.SGD(new[] { p * 2 }, lr: 0.1)).Message);
        Assert.Contains(Msg("duplicate_groups"), Assert.Throws<ArgumentException>(() =>
            optim.SGD(new[] { new ParamGroup(new[] { p }), new ParamGroup(new[] { p }) }, lr: 0.1)).Message);
        Assert.Contains("only floating point", Assert.Throws<ArgumentException>(() => optim.SGD(new[] { tensor(new[] { 1, 2 }) }, lr: 0.1)).Message);

        // A group that is already used cannot join a second optimizer.
        var g = new ParamGroup(new[] { p });
        optim.SGD(new[] { g }, lr: 0.1);
        Assert.Contains("already belongs", Assert.Throws<ArgumentException>(() => optim.Adam(new[] { g })).Message);
    }

    [Fact]
    public void Python_float_formatting_of_messages()
    {
        Assert.Equal("-1.0", Args.Py(-1.0));
        Assert.Equal("1e-08", Args.Py(1e-8));
        Assert.Equal("-1e-05", Args.Py(-1e-5));
        Assert.Equal("0.001", Args.Py(1e-3));
        Assert.Equal("0.5", Args.Py(0.5));
        Assert.Equal("nan", Args.Py(double.NaN));
    }
}
