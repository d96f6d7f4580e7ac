using System.Text.Json;
using Torchlet;
using Xunit;

namespace Torchlet.Tests.NN;

/// <summary>Shared helpers for the nn layer tests: parameters from a fixture, parameter checks.</summary>
static class NNFixtures
{
    /// <summary>The fixture's {"name": tensor} object as a state dict.</summary>
    public static Dictionary<string, Tensor> StateDict(JsonElement obj) =>
        obj.EnumerateObject().ToDictionary(p => p.Name, p => Fixtures.T(p.Value));

    /// <summary>Each named parameter of <paramref name="m"/> matches the fixture (atol/rtol 0 checks bit equality).</summary>
    public static void AssertParams(JsonElement obj, torch.nn.Module m, double atol, double rtol, string what, bool grads = false)
    {
        var ps = m.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(obj.EnumerateObject().Select(p => p.Name).OrderBy(n => n), ps.Keys.OrderBy(n => n));
        foreach (var p in obj.EnumerateObject())
        {
            var t = grads ? ps[p.Name].grad : ps[p.Name];
            Assert.NotNull(t);
            Fixtures.AssertClose(p.Value, t!, atol, rtol, $"{what} {(grads ? "grad of " : "")}{p.Name}");
        }
    }
}
