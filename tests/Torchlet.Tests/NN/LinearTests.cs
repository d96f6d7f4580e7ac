using Torchlet;
using Xunit;
using static Torchlet.torch;
using F = Torchlet.torch.nn.functional;

namespace Torchlet.Tests.NN;

/// <summary>Linear, Bilinear, Identity against PyTorch (fixtures/nn_linear.json, tests/fixtures/gen_nn_linear.py).</summary>
[Collection(GlobalStateCollection.Name)]
public class LinearTests
{
    const string File = "nn_linear";

    static IEnumerable<object[]> Named(string prefix) =>
        Fixtures.Load(File).Select(c => c.GetProperty("name").GetString()!).Where(n => n.StartsWith(prefix)).Select(n => new object[] { n });

    public static IEnumerable<object[]> InitCases() => Named("linear_init/");
    public static IEnumerable<object[]> ForwardCases() => Named("linear/");
    public static IEnumerable<object[]> BilinearInitCases() => Named("bilinear_init/");
    public static IEnumerable<object[]> BilinearCases() => Named("bilinear/");

    [Theory]
    [MemberData(nameof(InitCases))]
    public void DefaultInitEqualsPyTorchBitForBit(string name)
    {
        var c = Fixtures.Case(File, name);
        var parts = name["linear_init/".Length..].Split('x');
        manual_seed(c.GetProperty("seed").GetInt32());
        var m = nn.Linear(long.Parse(parts[0]), long.Parse(parts[1]), bias: parts[2] == "True");
        Assert.Equal(c.GetProperty("repr").GetString(), m.ToString());
        NNFixtures.AssertParams(c.GetProperty("params"), m, 0, 0, name);
    }

    [Theory]
    [MemberData(nameof(ForwardCases))]
    public void ForwardAndGradientsMatchPyTorch(string name)
    {
        var c = Fixtures.Case(File, name);
        bool bias = name.EndsWith("True");
        var m = nn.Linear(5, 3, bias, dtype: ScalarType.Float64);
        m.load_state_dict(NNFixtures.StateDict(c.GetProperty("params")));
        var x = Fixtures.T(c.GetProperty("x"));
        if (c.GetProperty("transpose").GetBoolean()) x = x.transpose(0, 1).contiguous().transpose(0, 1);
        x.requires_grad_(true);
        var y = m.forward(x);
        Assert.Equal(c.GetProperty("grad_fn").GetString(), y.grad_fn!.name());
        Fixtures.AssertClose(c.GetProperty("y"), y, 1e-12, 1e-10, name);
        y.backward(Fixtures.T(c.GetProperty("g")));
        Fixtures.AssertClose(c.GetProperty("gx"), x.grad!, 1e-12, 1e-10, name + " gx");
        NNFixtures.AssertParams(c.GetProperty("gparams"), m, 1e-12, 1e-10, name, grads: true);
    }

    [Fact]
    public void Gradcheck()
    {
        GradCheck.Check(ts => F.linear(ts[0], ts[1], ts[2]), [GradCheck.Input([4, 5], 1), GradCheck.Input([3, 5], 2), GradCheck.Input([3], 3)], what: "linear 2-D");
        GradCheck.Check(ts => F.linear(ts[0], ts[1], ts[2]), [GradCheck.Input([2, 2, 5], 1), GradCheck.Input([3, 5], 2), GradCheck.Input([3], 3)], what: "linear 3-D");
        GradCheck.Check(ts => F.linear(ts[0], ts[1]), [GradCheck.Input([2, 1, 2, 5], 1), GradCheck.Input([3, 5], 2)], what: "linear 4-D no bias");
        GradCheck.Check(ts => F.linear(ts[0], ts[1], ts[2]), [GradCheck.Input([5], 1), GradCheck.Input([3, 5], 2), GradCheck.Input([3], 3)], what: "linear 1-D");
        GradCheck.Check(ts => F.linear(ts[0].transpose(0, 1), ts[1], ts[2]), [GradCheck.Input([3, 2, 5], 1), GradCheck.Input([3, 5], 2), GradCheck.Input([3], 3)], what: "linear 3-D strided");
        GradCheck.Check(ts => F.linear(ts[0].t(), ts[1]), [GradCheck.Input([5, 4], 1), GradCheck.Input([3, 5], 2)], what: "linear 2-D strided no bias");
    }

    [Fact]
    public void LinearErrorNamesTheLayerAndStaysUsable()
    {
        var m = nn.Linear(25088, 4);
        var e = Assert.Throws<ArgumentException>(() => m.forward(zeros(2, 100352)));
        Assert.Equal("Linear(in_features=25088, out_features=4, bias=True): expected the input's last dimension to be in_features=25088, got input of shape [2, 100352]", e.Message);
        Assert.Equal(new long[] { 2, 4 }, m.forward(zeros(2, 25088)).shape);
        e = Assert.Throws<ArgumentException>(() => nn.Linear(3, 2).forward(zeros([2, 3], dtype: ScalarType.Float64)));
        Assert.Contains("expected input of dtype torch.float32 like the layer's weight, got torch.float64", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.linear(zeros(3, 4), zeros(5, 6)));
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied (3x4 and 6x5)", e.Message);
    }

    [Fact]
    public void LinearParametersAndBiasFree()
    {
        var m = nn.Linear(4, 2, bias: false);
        Assert.Null(m.bias);
        Assert.Equal(new[] { "weight" }, m.named_parameters().Select(p => p.name).ToArray());
        var m2 = nn.Linear(4, 2);
        Assert.Equal(new[] { "weight", "bias" }, m2.named_parameters().Select(p => p.name).ToArray());
        Assert.Equal(ScalarType.Float64, nn.Linear(2, 2, dtype: ScalarType.Float64).weight.dtype);
    }

    [Fact]
    public void BigLinearTrainsThroughTheGemm()
    {
        manual_seed(0);
        var m = nn.Linear(300, 200);
        var x = randn(64, 300);
        var y = m.forward(x);
        // Reference: the same product through matmul.
        var r = x.matmul(m.weight.t()).add(m.bias!);
        Assert.True(y.sub(r).abs().max().item<float>() < 1e-4);
        y.sum().backward();
        var gw = m.weight.grad!;
        Assert.Equal(new long[] { 200, 300 }, gw.shape);
        Assert.True(gw.is_contiguous());
        Assert.Equal("AddmmBackward0", y.grad_fn!.name());
        var expect = ones(64, 200).t().mm(x);
        Assert.True(gw.sub(expect).abs().max().item<float>() < 1e-3);
    }

    [Theory]
    [MemberData(nameof(BilinearInitCases))]
    public void BilinearInit(string name)
    {
        var c = Fixtures.Case(File, name);
        manual_seed(c.GetProperty("seed").GetInt32());
        var m = nn.Bilinear(4, 3, 2, bias: name.EndsWith("True"));
        Assert.Equal(c.GetProperty("repr").GetString(), m.ToString());
        NNFixtures.AssertParams(c.GetProperty("params"), m, 0, 0, name);
    }

    [Theory]
    [MemberData(nameof(BilinearCases))]
    public void BilinearMatchesPyTorch(string name)
    {
        var c = Fixtures.Case(File, name);
        var m = nn.Bilinear(4, 3, 2, bias: name.Contains("True"), dtype: ScalarType.Float64);
        m.load_state_dict(NNFixtures.StateDict(c.GetProperty("params")));
        var x1 = Fixtures.T(c.GetProperty("x1"), requiresGrad: true);
        var x2 = Fixtures.T(c.GetProperty("x2"), requiresGrad: true);
        var y = m.forward(x1, x2);
        Fixtures.AssertClose(c.GetProperty("y"), y, 1e-12, 1e-10, name);
        y.backward(Fixtures.T(c.GetProperty("g")));
        Fixtures.AssertClose(c.GetProperty("gx1"), x1.grad!, 1e-12, 1e-10, name + " gx1");
        Fixtures.AssertClose(c.GetProperty("gx2"), x2.grad!, 1e-12, 1e-10, name + " gx2");
        NNFixtures.AssertParams(c.GetProperty("gparams"), m, 1e-12, 1e-10, name, grads: true);
    }

    [Fact]
    public void BilinearGradcheckAndErrors()
    {
        GradCheck.Check(ts => F.bilinear(ts[0], ts[1], ts[2], ts[3]),
            [GradCheck.Input([3, 4], 1), GradCheck.Input([3, 2], 2), GradCheck.Input([2, 4, 2], 3), GradCheck.Input([2], 4)], what: "bilinear");
        GradCheck.Check(ts => bilinear(ts[0], ts[1], ts[2]), [GradCheck.Input([2, 2, 3], 1), GradCheck.Input([2, 2, 2], 2), GradCheck.Input([1, 3, 2], 3)], what: "bilinear 3-D");
        var m = nn.Bilinear(4, 3, 2);
        var e = Assert.Throws<ArgumentException>(() => m.forward(zeros(5, 4), zeros(5, 4)));
        Assert.StartsWith("Bilinear(in1_features=4, in2_features=3, out_features=2, bias=True): expected input2's last dimension to be in2_features=3", e.Message);
        e = Assert.Throws<ArgumentException>(() => m.forward(zeros(5, 4), zeros(6, 3)));
        Assert.Contains("same batch dimensions", e.Message);
        Assert.Equal(new long[] { 5, 2 }, m.forward(zeros(5, 4), zeros(5, 3)).shape);
        e = Assert.Throws<ArgumentException>(() => F.bilinear(zeros(5, 4), zeros(5, 3), zeros(2, 5, 3)));
        Assert.Contains("input1 size does not match weight size: got 4 but expected 5", e.Message);
    }

    [Fact]
    public void IdentityReturnsItsInput()
    {
        var m = nn.Identity(54, "unused");
        var x = randn(2, 3);
        Assert.Same(x, m.forward(x));
        Assert.Equal("Identity()", m.ToString());
        Assert.Empty(m.parameters());
    }
}
