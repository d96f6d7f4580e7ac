using Torchlet;
using Xunit;
using static Torchlet.torch;
using F = Torchlet.torch.nn.functional;

namespace Torchlet.Tests.NN;

/// <summary>
/// The Dropout family: masks equal PyTorch's for the same seed (fixtures/nn_linear.json), statistics,
/// train/eval, p = 0 / p = 1, channel-wise variants, errors.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public class DropoutTests
{
    const string File = "nn_linear";

    public static IEnumerable<object[]> MaskCases() =>
        Fixtures.Load(File).Select(c => c.GetProperty("name").GetString()!).Where(n => n.StartsWith("drop/")).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(MaskCases))]
    public void MasksAndGradientsEqualPyTorchForTheSameSeed(string name)
    {
        var c = Fixtures.Case(File, name);
        Func<Tensor, Tensor> f = name["drop/".Length..] switch
        {
            "dropout_0.3" or "dropout_f64" => t => F.dropout(t, 0.3),
            "dropout_0.5_module" => t => nn.Dropout().forward(t),
            "dropout_0.9" => t => F.dropout(t, 0.9),
            "dropout_1.0" => t => F.dropout(t, 1.0),
            "dropout1d_batched" or "dropout1d_unbatched" => t => F.dropout1d(t, 0.4),
            "dropout2d" => t => F.dropout2d(t, 0.5),
            "dropout3d_batched" or "dropout3d_unbatched" => t => F.dropout3d(t, 0.25),
            "alpha_dropout" => t => F.alpha_dropout(t, 0.2, training: true),
            "feature_alpha_dropout" => t => F.feature_alpha_dropout(t, 0.2, training: true),
            var n => throw new ArgumentException(n),
        };
        var x = Fixtures.T(c.GetProperty("x"), requiresGrad: true);
        manual_seed(1);
        var y = f(x);
        var after = rand(2);
        Assert.Equal(c.GetProperty("grad_fn").GetString(), y.grad_fn!.name());
        Fixtures.AssertClose(c.GetProperty("y"), y, 1e-7, 1e-6, name);
        Fixtures.AssertClose(c.GetProperty("after"), after, 0, 0, name + ": generator state after the draw");
        y.backward(Fixtures.T(c.GetProperty("g")));
        Fixtures.AssertClose(c.GetProperty("gx"), x.grad!, 1e-7, 1e-6, name + " grad");
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.8)]
    public void StatisticsFollowP(double p)
    {
        manual_seed(42);
        var x = ones(200_000);
        var y = F.dropout(x, p).data<float>().ToArray();
        double zeroed = y.Count(v => v == 0) / (double)y.Length;
        Assert.InRange(zeroed, p - 0.01, p + 0.01);
        float kept = (float)(1 / (1 - p));
        Assert.All(y, v => Assert.True(v == 0 || Math.Abs(v - kept) < 1e-6, $"kept values are scaled by 1/(1-p): {v}"));
        // The mean is preserved in expectation.
        Assert.InRange(y.Average(v => (double)v), 0.97, 1.03);
    }

    [Fact]
    public void ChannelWiseVariantsDropWholeChannels()
    {
        manual_seed(3);
        var y = F.dropout2d(ones(8, 16, 5, 5), 0.5);
        for (int n = 0; n < 8; n++)
            for (int ch = 0; ch < 16; ch++)
            {
                var vals = y[n, ch].data<float>().ToArray();
                Assert.True(vals.All(v => v == 0) || vals.All(v => v == 2), $"channel ({n}, {ch}) is not uniform");
            }
        var y1 = nn.Dropout1d(0.5).forward(ones(16, 7));
        for (int ch = 0; ch < 16; ch++) Assert.Single(y1[ch].data<float>().ToArray().Distinct());
        var y3 = nn.Dropout3d(0.5).forward(ones(2, 4, 2, 3, 3));
        Assert.Equal(new long[] { 2, 4, 2, 3, 3 }, y3.shape);
    }

    [Fact]
    public void EvalModeIsIdentityAndTrainModeDrops()
    {
        var m = nn.Dropout(0.5);
        var x = ones(1000);
        m.eval();
        Assert.Same(x, m.forward(x));
        foreach (var mod in new nn.Module<Tensor, Tensor>[] { nn.Dropout1d(), nn.Dropout2d(), nn.Dropout3d(), nn.AlphaDropout(), nn.FeatureAlphaDropout() })
        {
            mod.eval();
            var t = ones(2, 3, 4, 4, 2);
            if (mod is Torchlet.Modules.Dropout1d) t = ones(2, 3, 4);
            Assert.Same(t, mod.forward(t));
        }
        m.train();
        var y = m.forward(x).data<float>().ToArray();
        Assert.Contains(0f, y);
        Assert.Contains(2f, y);
        Assert.Same(x, F.dropout(x, 0.5, training: false));
        Assert.Same(x, F.alpha_dropout(x, 0.5)); // PyTorch's functional default: training = false
    }

    [Fact]
    public void EdgeProbabilities()
    {
        var x = randn(4, 5).requires_grad_(true);
        Assert.Same(x, F.dropout(x, 0.0));
        var y = F.dropout(x, 1.0);
        Assert.All(y.data<float>().ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal("MulBackward0", y.grad_fn!.name());
        y.sum().backward();
        Assert.All(x.grad!.data<float>().ToArray(), v => Assert.Equal(0f, v));
        Assert.Same(x, F.dropout(x.narrow(0, 0, 0), 0.5).numel() == 0 ? x : null);
    }

    [Fact]
    public void InplaceDropoutWritesIntoTheInput()
    {
        manual_seed(0);
        var x = ones(100);
        var y = F.dropout(x, 0.5, inplace: true);
        Assert.Same(x, y);
        Assert.Contains(0f, x.data<float>().ToArray());
        var leaf = ones(3).requires_grad_(true);
        Assert.Throws<InvalidOperationException>(() => F.dropout(leaf, 0.5, inplace: true));
        // non-leaf in-place keeps the gradient right
        var a = ones(50).requires_grad_(true);
        manual_seed(2);
        var b = F.dropout(a.mul(1.0), 0.5, inplace: true);
        b.sum().backward();
        Assert.Equal(b.data<float>().ToArray(), a.grad!.data<float>().ToArray());
    }

    [Fact]
    public void GradcheckWithAFixedMask()
    {
        GradCheck.Check(ts => { manual_seed(9); return F.dropout(ts[0], 0.4); }, [GradCheck.Input([4, 6], 1)], what: "dropout");
        GradCheck.Check(ts => { manual_seed(9); return F.dropout2d(ts[0], 0.4); }, [GradCheck.Input([2, 3, 2, 2], 2)], what: "dropout2d");
        GradCheck.Check(ts => { manual_seed(9); return F.alpha_dropout(ts[0], 0.3, training: true); }, [GradCheck.Input([3, 5], 3)], what: "alpha_dropout");
    }

    [Fact]
    public void Errors()
    {
        var e = Assert.Throws<ArgumentException>(() => F.dropout(ones(3), 1.5));
        Assert.Contains("dropout probability has to be between 0 and 1, but got 1.5", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.dropout(ones(3), -0.1));
        Assert.Contains("but got -0.1", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.Dropout(2));
        Assert.Contains("dropout probability has to be between 0 and 1, but got 2.0", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.dropout1d(ones(2, 3, 4, 5)));
        Assert.Contains("dropout1d: Expected 2D or 3D input, but received a 4D input", e.Message);
        var m = nn.Dropout1d();
        e = Assert.Throws<ArgumentException>(() => m.forward(ones(5)));
        Assert.StartsWith("Dropout1d(p=0.5, inplace=False): ", e.Message);
        Assert.Equal(new long[] { 2, 3 }, m.forward(ones(2, 3)).shape);
        e = Assert.Throws<ArgumentException>(() => F.dropout(arange(4), 0.5));
        Assert.Contains("expected a floating point input", e.Message);
    }

    [Fact]
    public void ReprsMatchPyTorch()
    {
        var r = Fixtures.Case(File, "drop_reprs").GetProperty("reprs");
        string R(string k) => r.GetProperty(k).GetString()!;
        Assert.Equal(R("Dropout"), nn.Dropout().ToString());
        Assert.Equal(R("Dropout_0.2_inplace"), nn.Dropout(0.2, true).ToString());
        Assert.Equal(R("Dropout1d"), nn.Dropout1d(0.1).ToString());
        Assert.Equal(R("Dropout2d"), nn.Dropout2d(0.3).ToString());
        Assert.Equal(R("Dropout3d"), nn.Dropout3d().ToString());
        Assert.Equal(R("AlphaDropout"), nn.AlphaDropout(0.25).ToString());
        Assert.Equal(R("FeatureAlphaDropout"), nn.FeatureAlphaDropout(0.75).ToString());
        Assert.Equal(R("Dropout_1"), nn.Dropout(1.0).ToString());
        Assert.Equal(R("Dropout_0"), nn.Dropout(0.0).ToString());
    }
}
