using System.Text.Json;
using Torchlet;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests;

/// <summary>
/// nn.utils.clip_grad_norm_ / clip_grad_value_ / parameters_to_vector / vector_to_parameters against
/// PyTorch 1.13 (fixtures/optim_extra.json): returned norm and clipped gradients for norm types
/// 1, 2, 3 and inf in both dtypes, bit for bit; errors.
/// </summary>
public class ClipGradTests
{
    const string File = "optim_extra";
    static JsonElement Clip => Fixtures.Case(File, "clip");
    static readonly long[][] Sizes = [[21], [2, 3], []];

    public static IEnumerable<object[]> NormCases() => Clip.GetProperty("norm").EnumerateObject().Select(p => new object[] { p.Name });

    static Tensor[] Params(ScalarType dt)
    {
        var ps = OptimExtraTests.MakeParams(dt, 5);
        for (int i = 0; i < ps.Length; i++) ps[i].grad = OptimExtraTests.Pattern(Sizes[i], dt, 7, 3 + i, 8.0);
        return ps;
    }

    /// <summary>Same dtype, shape and bits (float32 fixtures hold the shortest decimal of each float).</summary>
    internal static void AssertBits(JsonElement expected, Tensor actual, string what)
    {
        var e = Fixtures.T(expected);
        Assert.True(e.dtype == actual.dtype, $"{what}: dtype {actual.dtype}, PyTorch {e.dtype}");
        Assert.Equal(e.shape, actual.shape);
        double[] ev = e.ToArray<double>(), av = actual.ToArray<double>();
        for (int i = 0; i < ev.Length; i++)
            Assert.True(ev[i].Equals(av[i]), $"{what}: element {i} is {av[i]:R}, PyTorch gives {ev[i]:R}");
    }

    [Theory]
    [MemberData(nameof(NormCases))]
    public void Clip_grad_norm_matches_pytorch(string name)
    {
        var c = Clip.GetProperty("norm").GetProperty(name);
        var dt = Fixtures.DType(c.GetProperty("dtype").GetString()!);
        double normType = c.GetProperty("norm_type").ValueKind == JsonValueKind.String ? double.PositiveInfinity : c.GetProperty("norm_type").GetDouble();
        var ps = Params(dt).Append(zeros(new long[] { 2 }, dt, requires_grad: true)).ToArray();
        var total = nn.utils.clip_grad_norm_(ps, c.GetProperty("max_norm").GetDouble(), normType);
        Assert.Equal(dt, total.dtype);
        AssertBits(c.GetProperty("total"), total, $"{name} total norm");
        var grads = c.GetProperty("grads").EnumerateArray().ToArray();
        for (int i = 0; i < grads.Length; i++) AssertBits(grads[i], ps[i].grad!, $"{name} gradient {i}");
        Assert.Null(ps[^1].grad);
    }

    [Fact]
    public void Clip_grad_value_matches_pytorch()
    {
        var ps = Params(float32);
        nn.utils.clip_grad_value_(ps, 0.6);
        var expected = Clip.GetProperty("value").EnumerateArray().ToArray();
        for (int i = 0; i < ps.Length; i++) AssertBits(expected[i], ps[i].grad!, $"gradient {i}");
    }

    [Fact]
    public void Clipping_a_real_training_step_keeps_the_direction()
    {
        var w = tensor(new[] { 3.0, -4.0 }, requires_grad: true);
        (w * w).sum().backward();   // grad (6, −8), norm 10
        var total = nn.utils.clip_grad_norm_(w, 1.0);
        Assert.Equal(10f, total.item<float>());
        var g = w.grad!.data<float>().ToArray();
        Assert.Equal(0.6f, g[0], 5);
        Assert.Equal(-0.8f, g[1], 5);
        Assert.Equal(0f, nn.utils.clip_grad_norm_(new[] { zeros(1, requires_grad: true) }, 1.0).item<float>());
    }

    [Fact]
    public void Nonfinite_norm_raises_only_when_asked()
    {
        var p = zeros(1, requires_grad: true);
        p.grad = tensor(new[] { double.PositiveInfinity });
        var e = Assert.Throws<InvalidOperationException>(() => nn.utils.clip_grad_norm_(new[] { p }, 1.0, error_if_nonfinite: true));
        Assert.Contains(Fixtures.Case(File, "errors").GetProperty("messages").GetProperty("clip_nonfinite").GetString()!, e.Message);
        Assert.True(float.IsPositiveInfinity(p.grad!.item<float>()));   // unchanged by the refused call
        var total = nn.utils.clip_grad_norm_(new[] { p }, 1.0);
        Assert.True(float.IsPositiveInfinity(total.item<float>()));
    }

    [Fact]
    public void Parameters_to_vector_and_back()
    {
        var a = tensor(new[,] { { 1.0, 2.0 }, { 3.0, 4.0 } }, requires_grad: true);
        var b = tensor(new[] { 5.0 }, requires_grad: true);
        var v = nn.utils.parameters_to_vector(new[] { a, b });
        Assert.Equal(new float[] { 1, 2, 3, 4, 5 }, v.data<float>().ToArray());
        Assert.Equal("CatBackward0", v.grad_fn!.name());
        v.mul(tensor(new[] { 1.0, 2, 3, 4, 5 })).sum().backward();
        Assert.Equal(new float[] { 1, 2, 3, 4 }, a.grad!.data<float>().ToArray());

        nn.utils.vector_to_parameters(arange(10.0, 15.0), new[] { a, b });
        Assert.Equal(new float[] { 10, 11, 12, 13 }, a.data<float>().ToArray());
        Assert.Equal(new long[] { 2, 2 }, a.shape);
        Assert.Equal(14f, b.item<float>());
        Assert.True(a.requires_grad);

        var e = Assert.Throws<ArgumentException>(() => nn.utils.vector_to_parameters(arange(4.0), new[] { a, b }));
        Assert.Contains("5 elements", e.Message);
        Assert.Equal(10f, a.data<float>()[0]);   // nothing written on error
    }
}
