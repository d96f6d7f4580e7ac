using Torchlet;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests.NN;

/// <summary>Flatten / Unflatten (and Identity's shape) against PyTorch's shapes and reprs.</summary>
public class FlattenTests
{
    [Fact]
    public void ShapesAndReprsMatchPyTorch()
    {
        var mods = Fixtures.Case("nn_linear", "shape_modules").GetProperty("modules");
        var made = new Dictionary<string, nn.Module<Tensor, Tensor>>
        {
            ["Identity"] = nn.Identity(),
            ["Flatten"] = nn.Flatten(),
            ["Flatten_0_2"] = nn.Flatten(0, 2),
            ["Flatten_-3_-2"] = nn.Flatten(-3, -2),
            ["Flatten_2_2"] = nn.Flatten(2, 2),
            ["Unflatten_1"] = nn.Unflatten(1, [3, 1]),
            ["Unflatten_-1"] = nn.Unflatten(-1, [5, 1, 1]),
            ["Unflatten_infer"] = nn.Unflatten(2, [2, -1]),
        };
        var x = randn(2, 3, 4, 5);
        foreach (var p in mods.EnumerateObject())
        {
            var m = made[p.Name];
            Assert.Equal(p.Value.GetProperty("repr").GetString(), m.ToString());
            Assert.Equal(p.Value.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray(), m.forward(x).shape);
        }
    }

    [Fact]
    public void FlattenIsAViewAndCarriesGradients()
    {
        var x = randn(2, 3, 4).requires_grad_(true);
        var y = nn.Flatten().forward(x);
        Assert.Equal(new long[] { 2, 12 }, y.shape);
        Assert.Equal(x.data<float>().ToArray(), y.data<float>().ToArray());
        GradCheck.Check(ts => nn.Flatten(0, 1).forward(ts[0]).mul(ts[0].reshape(6, 4)), [GradCheck.Input([2, 3, 4], 1)], what: "flatten");
        GradCheck.Check(ts => nn.Unflatten(1, [2, 2]).forward(ts[0]).pow(2), [GradCheck.Input([3, 4], 2)], what: "unflatten");
        var z = nn.Unflatten(1, [2, 2]).forward(x.reshape(2, 12).narrow(1, 0, 4));
        Assert.Equal(new long[] { 2, 2, 2 }, z.shape);
    }

    [Fact]
    public void ErrorsNameTheLayerAndLeaveItUsable()
    {
        var f = nn.Flatten(2, 3);
        var e = Assert.Throws<ArgumentException>(() => f.forward(randn(2, 3)));
        Assert.StartsWith("Flatten(start_dim=2, end_dim=3): Dimension out of range", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Equal(new long[] { 2, 3, 20 }, f.forward(randn(2, 3, 4, 5)).shape);
        e = Assert.Throws<ArgumentException>(() => nn.Flatten(2, 1).forward(randn(2, 3, 4)));
        Assert.Contains("start_dim cannot come after end_dim", e.Message);

        var u = nn.Unflatten(1, [2, 3]);
        e = Assert.Throws<ArgumentException>(() => u.forward(randn(2, 5)));
        Assert.StartsWith("Unflatten(dim=1, unflattened_size=(2, 3)): unflattened_size (2, 3) does not multiply up to the size 5", e.Message);
        Assert.Equal(new long[] { 4, 2, 3 }, u.forward(randn(4, 6)).shape);
        Assert.Throws<ArgumentException>(() => nn.Unflatten(0, [-1, -1]));
    }
}
