using System.Text.Json;
using Torchlet;
using Xunit;
using static Torchlet.torch;
using F = Torchlet.torch.nn.functional;

namespace Torchlet.Tests.NN;

/// <summary>Pointwise activations against PyTorch (fixtures/nn_act.json, tests/fixtures/gen_nn_act.py) and gradcheck.</summary>
[Collection(GlobalStateCollection.Name)]
public class ActivationTests
{
    const string File = "nn_act";

    static nn.Module<Tensor, Tensor> Make(string name) => name switch
    {
        "Sigmoid" => nn.Sigmoid(),
        "Tanh" => nn.Tanh(),
        "Softsign" => nn.Softsign(),
        "Tanhshrink" => nn.Tanhshrink(),
        "LogSigmoid" => nn.LogSigmoid(),
        "Hardtanh" => nn.Hardtanh(),
        "Hardtanh_args" => nn.Hardtanh(-2.0, 3.0),
        "ReLU6" => nn.ReLU6(),
        "ReLU" => nn.ReLU(),
        "LeakyReLU" => nn.LeakyReLU(),
        "LeakyReLU_0.2" => nn.LeakyReLU(0.2),
        "PReLU" => nn.PReLU(),
        "PReLU_4" => nn.PReLU(4, 0.1),
        "RReLU_eval" => (nn.Module<Tensor, Tensor>)nn.RReLU().eval(),
        "Threshold" => nn.Threshold(0.1, 20),
        "Threshold_float" => nn.Threshold(-1.0, -2.5),
        "ELU" => nn.ELU(),
        "ELU_0.5" => nn.ELU(0.5),
        "SELU" => nn.SELU(),
        "CELU" => nn.CELU(),
        "CELU_2" => nn.CELU(2.0),
        "GELU" => nn.GELU(),
        "GELU_tanh" => nn.GELU("tanh"),
        "SiLU" => nn.SiLU(),
        "Mish" => nn.Mish(),
        "Softplus" => nn.Softplus(),
        "Softplus_2_10" => nn.Softplus(2, 10),
        "Softplus_0.5" => nn.Softplus(0.5, 5.5),
        "Hardshrink" => nn.Hardshrink(),
        "Hardshrink_1" => nn.Hardshrink(1.0),
        "Softshrink" => nn.Softshrink(),
        "Softshrink_1" => nn.Softshrink(1.0),
        "Hardsigmoid" => nn.Hardsigmoid(),
        "Hardswish" => nn.Hardswish(),
        _ => throw new ArgumentException(name),
    };

    public static IEnumerable<object[]> ModuleCases() =>
        Fixtures.Load(File).Select(c => c.GetProperty("name").GetString()!).Where(n => n.EndsWith("/f32") || n.EndsWith("/f64"))
            .Where(n => !n.StartsWith("RReLU_train")).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(ModuleCases))]
    public void ModuleMatchesPyTorch(string name)
    {
        var c = Fixtures.Case(File, name);
        bool f64 = name.EndsWith("/f64");
        double atol = f64 ? 1e-12 : 2e-6, rtol = f64 ? 1e-10 : 2e-5;
        var m = Make(name[..name.IndexOf('/')]);
        if (f64) m.to(ScalarType.Float64);
        Assert.Equal(c.GetProperty("repr").GetString(), m.ToString());
        foreach (var p in c.GetProperty("params").EnumerateObject())
            Fixtures.AssertClose(p.Value, m.named_parameters().Single(x => x.name == p.Name).parameter, 0, 0, $"{name} init {p.Name}");
        var x = Fixtures.T(c.GetProperty("x"), requiresGrad: true);
        var y = m.forward(x);
        Assert.Equal(c.GetProperty("grad_fn").GetString(), y.grad_fn!.name());
        Fixtures.AssertClose(c.GetProperty("y"), y, atol, rtol, name + " forward");
        y.backward(Fixtures.T(c.GetProperty("g")));
        Fixtures.AssertClose(c.GetProperty("gx"), x.grad!, atol, rtol, name + " input grad");
        foreach (var p in c.GetProperty("gparams").EnumerateObject())
            Fixtures.AssertClose(p.Value, m.named_parameters().Single(x => x.name == p.Name).parameter.grad!, atol, rtol, $"{name} grad {p.Name}");
    }

    public static IEnumerable<object[]> InplaceCases() =>
        Fixtures.Load(File).Select(c => c.GetProperty("name").GetString()!).Where(n => n.StartsWith("inplace/")).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(InplaceCases))]
    public void InplaceFormsMatchPyTorch(string name)
    {
        var c = Fixtures.Case(File, name);
        Func<Tensor, Tensor> f = name["inplace/".Length..] switch
        {
            "elu_" => t => F.elu_(t),
            "leaky_relu_" => t => F.leaky_relu_(t, 0.2),
            "hardtanh_" => t => F.hardtanh_(t, -0.5, 0.5),
            "threshold_" => t => F.threshold_(t, 0.1, 2.0),
            "selu_" => t => selu_(t),
            "celu_" => t => celu_(t, 1.5),
            "relu_" => t => F.relu_(t),
            "silu_inplace" => t => F.silu(t, inplace: true),
            "mish_inplace" => t => F.mish(t, inplace: true),
            "hardswish_inplace" => t => F.hardswish(t, inplace: true),
            "hardsigmoid_inplace" => t => F.hardsigmoid(t, inplace: true),
            "relu6_inplace" => t => F.relu6(t, inplace: true),
            "rrelu_eval_" => t => rrelu_(t, 0.1, 0.3, false),
            var n => throw new ArgumentException(n),
        };
        var x = Fixtures.T(c.GetProperty("x"), requiresGrad: true);
        var t = x * 1.0;
        var y = f(t);
        Assert.Same(t, y);
        Assert.Equal(c.GetProperty("grad_fn").GetString(), y.grad_fn!.name());
        Fixtures.AssertClose(c.GetProperty("y"), y, 1e-12, 1e-10, name);
        y.backward(Fixtures.T(c.GetProperty("g")));
        Fixtures.AssertClose(c.GetProperty("gx"), x.grad!, 1e-12, 1e-10, name + " grad");
    }

    [Fact]
    public void ReluSavesItsResultAsPyTorchDoes()
    {
        var x = tensor(new[] { -1.0, 2.0, 0.0, 3.0 }, requires_grad: true);
        var h = x.mul(1.0);
        var y = F.relu(h);
        h.add_(100);  // the input may change: ReluBackward0 keeps the result, not the input
        y.backward(ones(4));
        Assert.Equal(new[] { 0f, 1f, 0f, 1f }, x.grad!.data<float>().ToArray());
        var y2 = F.relu(x.mul(1.0));
        y2.add_(1);   // the result may not
        Assert.Throws<InvalidOperationException>(() => y2.backward(ones(4)));
    }

    [Fact]
    public void InplaceOnLeafRequiringGradIsRefusedAndLeavesItUnchanged()
    {
        var x = tensor(new[] { -1.0, 2.0 }, requires_grad: true);
        Assert.Throws<InvalidOperationException>(() => F.elu(x, inplace: true));
        Assert.Equal(new[] { -1f, 2f }, x.data<float>().ToArray());
        var xs = tensor(new[] { -1.0, 2.0 });
        Assert.Same(xs, F.leaky_relu(xs, 0.5, inplace: true));
        Assert.Equal(new[] { -0.5f, 2f }, xs.data<float>().ToArray());
    }

    [Theory]
    [InlineData("f32")]
    [InlineData("f64")]
    public void RReLUTrainingDrawsPyTorchsSlopes(string dt)
    {
        var c = Fixtures.Case(File, "RReLU_train/" + dt);
        var x = Fixtures.T(c.GetProperty("x"), requiresGrad: true);
        manual_seed(11);
        var m = nn.RReLU(0.1, 0.4);
        Assert.Equal(c.GetProperty("repr").GetString(), m.ToString());
        var y = m.forward(x);
        Assert.Equal("RreluWithNoiseBackward0", y.grad_fn!.name());
        Fixtures.AssertClose(c.GetProperty("y"), y, 0, 0, "rrelu train (bit for bit)");
        var after = rand(3, dtype: x.dtype);
        Fixtures.AssertClose(c.GetProperty("after"), after, 0, 0, "generator state after rrelu");
        y.backward(Fixtures.T(c.GetProperty("g")));
        Fixtures.AssertClose(c.GetProperty("gx"), x.grad!, 1e-7, 1e-6, "rrelu train grad");
        // eval mode: deterministic mean slope
        m.eval();
        var ye = m.forward(tensor(new[] { -1.0, 2.0 }));
        Assert.Equal(new[] { -0.25f, 2f }, ye.data<float>().ToArray());
    }

    public static IEnumerable<object[]> PreluCases() =>
        Fixtures.Load(File).Select(c => c.GetProperty("name").GetString()!).Where(n => n.StartsWith("prelu_shape/")).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(PreluCases))]
    public void PreluOnEveryRank(string name)
    {
        var c = Fixtures.Case(File, name);
        var x = Fixtures.T(c.GetProperty("x"), requiresGrad: true);
        var w = Fixtures.T(c.GetProperty("w"), requiresGrad: true);
        var y = prelu(x, w);
        Assert.Equal("PreluBackward0", y.grad_fn!.name());
        Fixtures.AssertClose(c.GetProperty("y"), y, 1e-12, 1e-10, name);
        y.backward(Fixtures.T(c.GetProperty("g")));
        Fixtures.AssertClose(c.GetProperty("gx"), x.grad!, 1e-12, 1e-10, name + " gx");
        Fixtures.AssertClose(c.GetProperty("gw"), w.grad!, 1e-12, 1e-10, name + " gw");
    }

    [Fact]
    public void ReprsMatchPyTorch()
    {
        var r = Fixtures.Case(File, "reprs").GetProperty("reprs");
        string R(string k) => r.GetProperty(k).GetString()!;
        Assert.Equal(R("ReLU6_inplace"), nn.ReLU6(inplace: true).ToString());
        Assert.Equal(R("ReLU_inplace"), nn.ReLU(inplace: true).ToString());
        Assert.Equal(R("LeakyReLU_inplace"), nn.LeakyReLU(0.2, true).ToString());
        Assert.Equal(R("PReLU_3"), nn.PReLU(3, 0.1).ToString());
        Assert.Equal(R("RReLU_inplace"), nn.RReLU(0.1, 0.3, true).ToString());
        Assert.Equal(R("Threshold_inplace"), nn.Threshold(0.5, -1.0, true).ToString());
        Assert.Equal(R("ELU_inplace"), nn.ELU(0.5, true).ToString());
        Assert.Equal(R("SELU_inplace"), nn.SELU(true).ToString());
        Assert.Equal(R("CELU_inplace"), nn.CELU(2.0, true).ToString());
        Assert.Equal(R("SiLU_inplace"), nn.SiLU(true).ToString());
        Assert.Equal(R("Mish_inplace"), nn.Mish(true).ToString());
        Assert.Equal(R("Hardsigmoid_inplace"), nn.Hardsigmoid(true).ToString());
        Assert.Equal(R("Hardswish_inplace"), nn.Hardswish(true).ToString());
        Assert.Equal(R("RReLU"), nn.RReLU().ToString());
        Assert.Equal(R("Softplus_1.5"), nn.Softplus(1.5, 20.0).ToString());
    }

    [Fact]
    public void IntegerInputsKeepTheirDtype()
    {
        Fixtures.AssertClose(Fixtures.Case(File, "int/threshold").GetProperty("y"), F.threshold(arange(-2, 3), 0, 7), 0, 0, "threshold int");
        Fixtures.AssertClose(Fixtures.Case(File, "int/relu6").GetProperty("y"), F.relu6(arange(-3, 9)), 0, 0, "relu6 int");
        Fixtures.AssertClose(Fixtures.Case(File, "int/hardtanh").GetProperty("y"), F.hardtanh(arange(-3, 3), -1, 1), 0, 0, "hardtanh int");
    }

    // ---------------------------------------------------------------- gradcheck (float64)

    public static IEnumerable<object[]> GradcheckOps() => Ops.Keys.Select(k => new object[] { k });

    static readonly Dictionary<string, Func<Tensor, Tensor>> Ops = new()
    {
        ["relu"] = t => F.relu(t),
        ["softsign"] = F.softsign,
        ["tanhshrink"] = F.tanhshrink,
        ["logsigmoid"] = F.logsigmoid,
        ["hardtanh"] = t => F.hardtanh(t, -0.7, 0.8),
        ["relu6"] = t => F.relu6(t.mul(4)),
        ["leaky_relu"] = t => F.leaky_relu(t, 0.3),
        ["rrelu_eval"] = t => F.rrelu(t, 0.1, 0.3),
        ["threshold"] = t => F.threshold(t, 0.1, 3.0),
        ["elu"] = t => F.elu(t, 0.7),
        ["selu"] = t => F.selu(t),
        ["celu"] = t => F.celu(t, 1.7),
        ["gelu"] = t => F.gelu(t.mul(3)),
        ["gelu_tanh"] = t => F.gelu(t.mul(3), "tanh"),
        ["silu"] = t => F.silu(t.mul(3)),
        ["mish"] = t => F.mish(t.mul(3)),
        ["softplus"] = t => F.softplus(t.mul(3)),
        ["softplus_beta"] = t => F.softplus(t.mul(3), 2, 2),
        ["hardshrink"] = t => F.hardshrink(t, 0.3),
        ["softshrink"] = t => F.softshrink(t, 0.3),
        ["hardsigmoid"] = t => F.hardsigmoid(t.mul(4)),
        ["hardswish"] = t => F.hardswish(t.mul(4)),
    };

    [Theory]
    [MemberData(nameof(GradcheckOps))]
    public void Gradcheck(string op)
    {
        var f = Ops[op];
        GradCheck.Check(ts => f(ts[0]), [GradCheck.Input([3, 5], op.Length, -2, 2)], what: op);
    }

    [Fact]
    public void GradcheckPreluInputAndWeight()
    {
        var w = GradCheck.Input([3], 1, 0, 0.5);
        GradCheck.Check(ts => prelu(ts[0], ts[1]), [GradCheck.Input([2, 3, 4], 2), w], what: "prelu per channel");
        GradCheck.Check(ts => prelu(ts[0], ts[1]), [GradCheck.Input([2, 3, 4], 3), GradCheck.Input([1], 4, 0, 0.5)], what: "prelu shared");
    }

    [Fact]
    public void GradcheckRReLUTraining()
    {
        // The slopes are random: re-seed before each evaluation so every call sees the same ones.
        GradCheck.Check(ts => { manual_seed(5); return F.rrelu(ts[0], 0.1, 0.6, training: true); }, [GradCheck.Input([4, 5], 9)], what: "rrelu train");
    }

    // ---------------------------------------------------------------- SIMD bodies agree with the scalar tail

    public static IEnumerable<object[]> AllKernelOps() => Ops.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(AllKernelOps))]
    public void VectorAndThreadedPathsAgreeWithScalarPath(string op)
    {
        var f = Ops[op];
        foreach (var dt in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            manual_seed(1);
            // Large enough for the threaded split; odd so every chunk has a tail.
            var x = randn([20_001], dtype: dt).mul(4).requires_grad_(true);
            var y = f(x);
            var g = randn([20_001], dtype: dt);
            y.backward(g);
            var xs = x.detach();
            var ya = y.detach().ToArray<double>();
            var ga = x.grad!.ToArray<double>();
            var gs = g.ToArray<double>();
            double tol = dt == ScalarType.Float32 ? 1e-6 : 1e-14;
            for (int i = 0; i < 20_001; i += 293)
            {
                // A one-element tensor runs the scalar loop only.
                var xi = xs[i].unsqueeze(0).clone().requires_grad_(true);
                var yi = f(xi);
                yi.backward(tensor(new[] { gs[i] }, dtype: dt));
                Assert.True(Math.Abs(yi.ToArray<double>()[0] - ya[i]) <= tol * (1 + Math.Abs(ya[i])), $"{op} {dt} forward at {i}: scalar {yi.ToArray<double>()[0]}, vector {ya[i]}");
                Assert.True(Math.Abs(xi.grad!.ToArray<double>()[0] - ga[i]) <= tol * (1 + Math.Abs(ga[i])), $"{op} {dt} backward at {i}");
            }
        }
    }

    [Fact]
    public void StridedInputsAreHandled()
    {
        var x = arange(24.0).reshape(4, 6).sub(12).div(4).t();
        Assert.False(x.is_contiguous());
        var y = F.gelu(x);
        var yc = F.gelu(x.contiguous());
        Assert.Equal(yc.data<float>().ToArray(), y.data<float>().ToArray());
        Assert.Equal(new long[] { 6, 4 }, y.shape);
    }

    [Fact]
    public void GeluIsAccurateNearZeroAndAtLargeMagnitudes()
    {
        var x = tensor(new[] { 1e-20, -1e-10, 1e-5, 10.0, -10.0, 40.0, -40.0 }, dtype: ScalarType.Float64);
        var y = F.gelu(x).data<double>().ToArray();
        Assert.Equal(0.5e-20, y[0], 1e-30);
        Assert.Equal(-0.5e-10, y[1], 1e-20);
        Assert.Equal(10.0, y[3], 12);
        Assert.Equal(0.0, y[4], 12);
        Assert.Equal(40.0, y[5]);
        Assert.Equal(0.0, y[6]);
        var yt = F.gelu(x, "tanh").data<double>().ToArray();
        Assert.Equal(0.5e-20, yt[0], 1e-30);
        var m = F.mish(tensor(new[] { 1e-8f, 100f, -100f })).data<float>().ToArray();
        Assert.Equal(1e-8f * (float)Math.Tanh(Math.Log(2)), m[0], 1e-14f);
        Assert.Equal(100f, m[1]);
        Assert.Equal(0f, m[2], 1e-30f);
    }

    [Fact]
    public void NaNInfinityAndTinyInputsMatchPyTorch()
    {
        var c = Fixtures.Case(File, "special");
        var y = c.GetProperty("y");
        var fs = new Dictionary<string, Func<Tensor, Tensor>>(Ops)
        {
            ["sigmoid"] = F.sigmoid, ["tanh"] = F.tanh, ["relu"] = t => F.relu(t), ["relu6"] = t => F.relu6(t), ["hardtanh"] = t => F.hardtanh(t),
            ["leaky_relu"] = t => F.leaky_relu(t), ["threshold"] = t => F.threshold(t, 0.5, -3.0), ["elu"] = t => F.elu(t), ["celu"] = t => F.celu(t, 0.5),
            ["gelu"] = t => F.gelu(t), ["gelu_tanh"] = t => F.gelu(t, "tanh"), ["silu"] = t => F.silu(t), ["mish"] = t => F.mish(t),
            ["softplus"] = t => F.softplus(t), ["softplus_beta"] = t => F.softplus(t, 2, 30), ["hardshrink"] = t => F.hardshrink(t),
            ["softshrink"] = t => F.softshrink(t), ["hardsigmoid"] = t => F.hardsigmoid(t), ["hardswish"] = t => F.hardswish(t),
            ["rrelu_eval"] = t => F.rrelu(t),
        };
        foreach (var p in y.EnumerateObject())
        {
            // Nine values: repeat them so both the vector body and the scalar tail see each one.
            var x = Fixtures.T(c.GetProperty("x"));
            var big = cat([x, x, x, x, x, x, x, x], 0);
            var r = fs[p.Name](big);
            var expect = Fixtures.Values(p.Value);
            var got = r.ToArray<double>();
            for (int i = 0; i < got.Length; i++)
            {
                double e = expect[i % expect.Length], a = got[i];
                Assert.True(double.IsNaN(e) ? double.IsNaN(a) : (double.IsInfinity(e) ? a == e : Math.Abs(a - e) <= 1e-6 + 1e-5 * Math.Abs(e)),
                    $"{p.Name}({x.ToArray<double>()[i % expect.Length]}) = {a}, PyTorch gives {e}");
            }
        }
    }

    // ---------------------------------------------------------------- forms and errors

    [Fact]
    public void TorchAndTensorForms()
    {
        var x = tensor(new[] { -1.0, 0.2, 2.0 });
        Assert.Equal(new[] { -1f, 0f, 2f }, hardshrink(x).data<float>().ToArray());
        Assert.Equal(new[] { -1f, 0.2f, 2f }, x.hardshrink(0.1).data<float>().ToArray());
        Assert.Equal(F.selu(x).data<float>().ToArray(), selu(x).data<float>().ToArray());
        Assert.Equal(F.celu(x, 2).data<float>().ToArray(), celu(x, 2).data<float>().ToArray());
        Assert.Equal(new[] { 7f, 7f, 2f }, threshold(x, 0.5, 7).data<float>().ToArray());
        Assert.Equal(new[] { -0.5f, 0.2f, 2f }, x.prelu(tensor(new[] { 0.5 })).data<float>().ToArray());
        Assert.Equal(new[] { -0.2f, 0.2f, 2f }, rrelu(x, 0.2, 0.2).data<float>().ToArray());
        Assert.Equal(x.sigmoid().data<float>().ToArray(), F.sigmoid(x).data<float>().ToArray());
        Assert.Equal(x.tanh().data<float>().ToArray(), F.tanh(x).data<float>().ToArray());
    }

    [Fact]
    public void Errors()
    {
        var x = randn(2, 3);
        var e = Assert.Throws<ArgumentException>(() => prelu(x, ones(4)));
        Assert.Contains("Found parameter numbers = 4 and channel size = 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => prelu(tensor(1.0), ones(1)));
        Assert.Contains("Not allow zero-dim input tensor", e.Message);
        e = Assert.Throws<ArgumentException>(() => prelu(x, ones(3, 1)));
        Assert.Contains("Expected `weight` to be a scalar or 1D tensor, but got ndim = 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.softshrink(x, -1));
        Assert.Contains("lambda must be greater or equal to 0", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.celu(x, 0));
        Assert.Contains("alpha cannot be 0 for CELU", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.gelu(x, "foo"));
        Assert.Contains("approximate argument must be either none or tanh", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.rrelu(x, 0.5, 0.1, training: true));
        Assert.Contains("Lower bound should be less than or equal to the upper bound", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.elu(arange(3)));
        Assert.Contains("\"elu_cpu\" not implemented for 'Long'", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.gelu(arange(3)));
        Assert.Contains("\"GeluKernelImpl\" not implemented for 'Long'", e.Message);
        Assert.Throws<ArgumentException>(() => nn.Hardtanh(2, 1));
        Assert.Throws<ArgumentException>(() => nn.GELU("erf"));
    }

    [Fact]
    public void PReLUModuleErrorNamesTheLayerAndStaysUsable()
    {
        var m = nn.PReLU(3);
        var e = Assert.Throws<ArgumentException>(() => m.forward(randn(2, 4)));
        Assert.StartsWith("PReLU(num_parameters=3): ", e.Message);
        Assert.Contains("[2, 4]", e.Message);
        var y = m.forward(tensor(new[] { -4.0, 1.0, -2.0 }).reshape(1, 3));
        Assert.Equal(new[] { -1f, 1f, -0.5f }, y.data<float>().ToArray());
        Assert.Equal(new[] { "weight" }, m.named_parameters().Select(p => p.name).ToArray());
    }

    [Fact]
    public void ModulesWorkInSequential()
    {
        manual_seed(0);
        var net = nn.Sequential(nn.Linear(4, 8), nn.GELU(), nn.Linear(8, 2), nn.LogSigmoid());
        var y = net.forward(randn(5, 4));
        Assert.Equal(new long[] { 5, 2 }, y.shape);
        y.sum().backward();
        Assert.All(net.parameters(), p => Assert.NotNull(p.grad));
    }
}
