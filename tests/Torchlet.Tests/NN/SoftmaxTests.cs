using System.Text.Json;
using Torchlet;
using Xunit;
using static Torchlet.torch;
using F = Torchlet.torch.nn.functional;

namespace Torchlet.Tests;

/// <summary>
/// softmax / log_softmax / softmin / Softmax2d against PyTorch (fixtures/nn_loss.json from
/// gen_nn_loss.py): values, grad_fn and input gradients for every dim and both dtypes; float64
/// gradchecks; the threaded and chunked kernel paths against a composite reference; errors.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public class SoftmaxTests
{
    const string File = "nn_loss";

    public static IEnumerable<object[]> Cases() =>
        Fixtures.Load(File).Where(c => c.TryGetProperty("kind", out var k) && k.GetString() == "softmax")
            .Select(c => new object[] { c.GetProperty("name").GetString()! });

    static Tensor Apply(JsonElement c, Tensor x)
    {
        string fn = c.GetProperty("fn").GetString()!;
        long dim = c.GetProperty("dim").GetInt64();
        ScalarType? dt = c.TryGetProperty("dtype", out var d) ? Fixtures.DType(d.GetString()!) : null;
        return fn switch
        {
            "softmax" => F.softmax(x, dim, dt),
            "log_softmax" => F.log_softmax(x, dim, dt),
            "softmin" => F.softmin(x, dim, dt),
            "log_softmax_t" => F.log_softmax(x.transpose(0, 1), dim),
            "softmax2d" => nn.Softmax2d().forward(x),
            _ => throw new ArgumentException(fn),
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch(string name)
    {
        var c = Fixtures.Case(File, name);
        var x = Fixtures.T(c.GetProperty("x"), requiresGrad: true);
        var y = Apply(c, x);
        var (atol, rtol) = y.dtype == float32 ? (2e-6, 2e-5) : (1e-12, 1e-10);
        Fixtures.AssertClose(c.GetProperty("y"), y, atol, rtol, $"{name} output");
        Assert.Equal(c.GetProperty("grad_fn").GetString(), y.grad_fn?.name());
        y.backward(Fixtures.T(c.GetProperty("g")));
        var (gatol, grtol) = x.dtype == float32 ? (1e-5, 1e-4) : (5e-12, 5e-10);
        Fixtures.AssertClose(c.GetProperty("gx"), x.grad!, gatol, grtol, $"{name} input gradient");
    }

    [Fact]
    public void Torch_and_tensor_forms_agree_with_functional()
    {
        var x = randn(3, 5);
        Assert.Equal(F.softmax(x, 1).data<float>().ToArray(), torch.softmax(x, 1).data<float>().ToArray());
        Assert.Equal(F.softmax(x, 1).data<float>().ToArray(), x.softmax(1).data<float>().ToArray());
        Assert.Equal(F.log_softmax(x, 0).data<float>().ToArray(), torch.log_softmax(x, 0).data<float>().ToArray());
        Assert.Equal(F.log_softmax(x, 0).data<float>().ToArray(), x.log_softmax(0).data<float>().ToArray());
        Assert.Equal(float64, x.softmax(-1, float64).dtype);
        // dim=None: PyTorch's legacy choice (1 for a 2-D input).
        Assert.Equal(F.softmax(x, 1).data<float>().ToArray(), F.softmax(x).data<float>().ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-1)]
    public void Gradcheck_float64(int dim)
    {
        var x = GradCheck.Input([2, 3, 4], 11 + dim, -3, 3);
        GradCheck.Check(ts => F.softmax(ts[0], dim), [x], what: $"softmax dim {dim}");
        GradCheck.Check(ts => F.log_softmax(ts[0], dim), [x], what: $"log_softmax dim {dim}");
        GradCheck.Check(ts => F.softmin(ts[0], dim), [x], what: $"softmin dim {dim}");
        GradCheck.Check(ts => F.softmax(ts[0].transpose(0, 2), dim), [x], what: $"softmax of a transposed view, dim {dim}");
    }

    [Fact]
    public void Gradcheck_softmax2d_and_scalar()
    {
        GradCheck.Check(ts => nn.Softmax2d().forward(ts[0]), [GradCheck.Input([1, 3, 2, 2], 5)], what: "Softmax2d");
        var s = tensor(0.7, float64, requires_grad: true);
        var y = s.softmax(0);
        Assert.Equal(1.0, y.item<double>());
        y.backward();
        Assert.Equal(0.0, s.grad!.item<double>());
    }

    [Fact]
    public void Second_derivative_through_the_backward()
    {
        // The backward is written with tensor ops when create_graph is on, so it can be differentiated again.
        var x = GradCheck.Input([2, 4], 3);
        var w = GradCheck.Input([2, 4], 4);
        // (GradCheck evaluates f under no_grad for the finite differences: the inner gradient needs grad mode.)
        GradCheck.Check(ts =>
        {
            using var _ = enable_grad();
            var (xi, wi) = (ts[0], ts[1]);
            var g = autograd.grad(F.log_softmax(xi, 1).mul(wi).sum(), xi, create_graph: true)[0]!;
            return g.pow(2).sum(1);
        }, [x, w], what: "grad of log_softmax's gradient");
        GradCheck.Check(ts =>
        {
            using var _ = enable_grad();
            var g = autograd.grad(F.softmax(ts[0], 0).mul(ts[1]).sum(), ts[0], create_graph: true)[0]!;
            return g.sin().sum(0);
        }, [x, w], what: "grad of softmax's gradient (dim 0)");
    }

    /// <summary>Composite reference in float64: x − logsumexp(x).</summary>
    static Tensor RefLogSoftmax(Tensor x, long dim)
    {
        var xd = x.detach().to(float64);
        return xd.sub(xd.logsumexp(dim, keepdim: true));
    }

    [Theory]
    [InlineData(new long[] { 16, 3000 }, 1)]      // rows over threads
    [InlineData(new long[] { 2, 6, 2100 }, 1)]    // inner dim split into chunks
    [InlineData(new long[] { 3, 7, 20, 30 }, 1)]  // NCHW channels
    [InlineData(new long[] { 3000, 20 }, 0)]      // a long leading dim (blocked sums)
    public void Large_and_strided_layouts_match_the_composite_reference(long[] shape, long dim)
    {
        manual_seed(7);
        var x = (randn(shape) * 4).requires_grad_();
        var y = x.log_softmax(dim);
        var r = RefLogSoftmax(x, dim);
        AssertNear(r, y.to(float64), 2e-5, "log_softmax");
        var p = x.softmax(dim);
        AssertNear(r.exp(), p.to(float64), 2e-5, "softmax");   // float32 sums over up to 5000 terms
        var g = randn(shape);
        p.backward(g);
        // Reference gradient y·(g − Σ g·y) in float64.
        var pd = r.exp(); var gd = g.to(float64);
        AssertNear(pd.mul(gd.sub(gd.mul(pd).sum(dim, keepdim: true))), x.grad!.to(float64), 1e-5, "softmax grad");
        x.grad = null;
        x.log_softmax(dim).backward(g);
        AssertNear(gd.sub(pd.mul(gd.sum(dim, keepdim: true))), x.grad!.to(float64), 1e-4, "log_softmax grad");
    }

    static void AssertNear(Tensor expected, Tensor actual, double tol, string what)
    {
        double err = expected.sub(actual).abs().max().item<double>();
        Assert.True(err <= tol, $"{what}: max abs error {err} > {tol}");
    }

    [Fact]
    public void Extreme_values_stay_finite_and_all_minus_inf_rows_give_nan()
    {
        var x = tensor(new[] { 1e4, 1e4 + 1, -1e4 }, float32);
        var y = x.softmax(0).data<float>().ToArray();
        Assert.All(y, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(1.0, y.Sum(), 5);
        // NaN anywhere in a row (short scalar rows and long vector rows alike) makes the row NaN.
        foreach (int n in new[] { 3, 40 })
        {
            var v = arange((double)n).to(float32);
            v[0] = tensor(float.NaN);
            Assert.All(v.softmax(0).data<float>().ToArray(), e => Assert.True(float.IsNaN(e)));
            v = arange((double)n).to(float32);
            v[n - 1] = tensor(float.NaN);
            Assert.All(v.log_softmax(0).data<float>().ToArray(), e => Assert.True(float.IsNaN(e)));
        }
        var allInf = full([3], double.NegativeInfinity);
        Assert.All(allInf.softmax(0).data<float>().ToArray(), v => Assert.True(float.IsNaN(v)));
        Assert.True(float.IsNegativeInfinity(tensor(new[] { 0.0, double.NegativeInfinity }).log_softmax(0).data<float>()[1]));
    }

    [Fact]
    public void Empty_inputs_give_empty_outputs()
    {
        var x = zeros(new long[] { 0, 4 }, requires_grad: true);
        var y = x.softmax(1);
        Assert.Equal(new long[] { 0, 4 }, y.shape);
        y.sum().backward();
        Assert.Equal(new long[] { 0, 4 }, x.grad!.shape);
    }

    [Fact]
    public void Modules_match_functional_and_print_as_pytorch()
    {
        var reprs = Fixtures.Case(File, "softmax reprs").GetProperty("reprs");
        Assert.Equal(reprs.GetProperty("Softmax(dim=1)").GetString(), nn.Softmax(1).ToString());
        Assert.Equal(reprs.GetProperty("Softmax(None)").GetString(), nn.Softmax().ToString());
        Assert.Equal(reprs.GetProperty("Softmin(dim=0)").GetString(), nn.Softmin(dim: 0).ToString());
        Assert.Equal(reprs.GetProperty("LogSoftmax(dim=-1)").GetString(), nn.LogSoftmax(-1).ToString());
        Assert.Equal(reprs.GetProperty("Softmax2d").GetString(), nn.Softmax2d().ToString());
        var x = randn(2, 3, 4);
        Assert.Equal(F.softmax(x, 1).data<float>().ToArray(), nn.Softmax(1).forward(x).data<float>().ToArray());
        Assert.Equal(F.softmin(x, 2).data<float>().ToArray(), nn.Softmin(2).call(x).data<float>().ToArray());
        Assert.Equal(F.log_softmax(x, 0).data<float>().ToArray(), nn.LogSoftmax(0).forward(x).data<float>().ToArray());
        Assert.Equal(F.softmax(x, 0).data<float>().ToArray(), nn.Softmax2d().forward(x).data<float>().ToArray());
        Assert.Empty(nn.Softmax(1).parameters());
        // In a Sequential, as the notes' classifiers use it.
        var net = nn.Sequential(nn.Softmin(1), nn.LogSoftmax(1));
        Assert.Equal("Sequential(\n  (0): Softmin(dim=1)\n  (1): LogSoftmax(dim=1)\n)", net.ToString());
        Assert.Equal("LogSoftmaxBackward0", net.forward(randn(5, 4).requires_grad_()).grad_fn!.name());
    }

    [Fact]
    public void Softmax2d_rejects_other_ranks_and_stays_usable()
    {
        var m = nn.Softmax2d();
        var e = Assert.Throws<ArgumentException>(() => m.forward(zeros(5)));
        Assert.StartsWith("Softmax2d(): ", e.Message);
        Assert.Contains(Msg("softmax2d"), e.Message);
        Assert.Contains("[5]", e.Message);
        Assert.Equal(new long[] { 1, 2, 2, 2 }, m.forward(zeros(1, 2, 2, 2)).shape);
    }

    static string Msg(string key) => Fixtures.Case(File, "softmax errors").GetProperty("messages").GetProperty(key).GetString()!;

    [Fact]
    public void Errors_use_pytorchs_messages()
    {
        Assert.Contains(Msg("int"), Assert.Throws<ArgumentException>(() => tensor(new[] { 1, 2 }).softmax(0)).Message);
        Assert.Contains(Msg("int_dim0"), Assert.Throws<ArgumentException>(() => tensor(new[,] { { 1, 2 } }).softmax(0)).Message);
        Assert.Contains(Msg("log_int"), Assert.Throws<ArgumentException>(() => tensor(new[] { 1, 2 }).log_softmax(0)).Message);
        Assert.Contains(Msg("dim"), Assert.Throws<IndexOutOfRangeException>(() => zeros(2, 3).softmax(2)).Message);
        // An integer input works with a floating dtype, as in PyTorch.
        Assert.Equal(float64, tensor(new[] { 1, 2 }).softmax(0, float64).dtype);
    }
}
