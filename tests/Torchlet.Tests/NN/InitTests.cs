using System.Text.Json;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests.NN;

/// <summary>
/// torch.nn.init against PyTorch 1.13 (tests/fixtures/gen_nn_init.py): every initialiser's values after
/// manual_seed and how many random numbers it drew, calculate_gain, fan in/out, errors, and statistics.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public class InitTests
{
    const string File = "nn_init";

    public static IEnumerable<object[]> FillCases =>
        Fixtures.Load(File).Where(c => c.GetProperty("kind").GetString() == "fill").Select(c => new object[] { c.GetProperty("name").GetString()! });

    public static IEnumerable<object[]> ErrorCases =>
        Fixtures.Load(File).Where(c => c.GetProperty("kind").GetString() == "error" && c.TryGetProperty("fn", out _))
            .Select(c => new object[] { c.GetProperty("name").GetString()! });

    static double D(JsonElement kw, string key, double def) => kw.TryGetProperty(key, out var v) ? v.GetDouble() : def;
    static string S(JsonElement kw, string key, string def) => kw.TryGetProperty(key, out var v) ? v.GetString()! : def;

    static Tensor Apply(string fn, Tensor t, JsonElement kw) => fn switch
    {
        "uniform_" => nn.init.uniform_(t, D(kw, "a", 0), D(kw, "b", 1)),
        "normal_" => nn.init.normal_(t, D(kw, "mean", 0), D(kw, "std", 1)),
        "constant_" => nn.init.constant_(t, D(kw, "val", 0)),
        "zeros_" => nn.init.zeros_(t),
        "ones_" => nn.init.ones_(t),
        "eye_" => nn.init.eye_(t),
        "dirac_" => nn.init.dirac_(t, (int)D(kw, "groups", 1)),
        "xavier_uniform_" => nn.init.xavier_uniform_(t, D(kw, "gain", 1)),
        "xavier_normal_" => nn.init.xavier_normal_(t, D(kw, "gain", 1)),
        "kaiming_uniform_" => nn.init.kaiming_uniform_(t, D(kw, "a", 0), S(kw, "mode", "fan_in"), S(kw, "nonlinearity", "leaky_relu")),
        "kaiming_normal_" => nn.init.kaiming_normal_(t, D(kw, "a", 0), S(kw, "mode", "fan_in"), S(kw, "nonlinearity", "leaky_relu")),
        "orthogonal_" => nn.init.orthogonal_(t, D(kw, "gain", 1)),
        "sparse_" => nn.init.sparse_(t, D(kw, "sparsity", 0), D(kw, "std", 0.01)),
        _ => throw new ArgumentException(fn),
    };

    static long[] ShapeOf(JsonElement c) => c.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();

    [Theory]
    [MemberData(nameof(FillCases))]
    public void Fill_matches_pytorch_after_manual_seed(string name)
    {
        var c = Fixtures.Case(File, name);
        string fn = c.GetProperty("fn").GetString()!;
        var dt = Fixtures.DType(c.GetProperty("dtype").GetString()!);
        manual_seed(c.GetProperty("seed").GetInt64());
        var t = empty(ShapeOf(c), dtype: dt);
        var r = Apply(fn, t, c.GetProperty("kwargs"));
        Assert.Same(t, r);
        // Values drawn from the same generator stream are PyTorch's bit for bit (float64 cases are compared
        // exactly; float32 ones to 1e-6 as the fixture's text form is the shortest round-trip of each value).
        // orthogonal_ goes through a QR that PyTorch runs in the tensor's dtype (LAPACK) and Torchlet in double.
        double tol = fn == "orthogonal_" ? (dt == ScalarType.Float64 ? 1e-10 : 2e-5) : (dt == ScalarType.Float64 ? 0 : 1e-6);
        Fixtures.AssertClose(c.GetProperty("out"), t, tol, tol, name);
        // The next draw agrees, so the initialiser consumed exactly as many random numbers as PyTorch's.
        Assert.Equal(c.GetProperty("next").GetDouble(), rand([1], dtype: float64).item<double>());
    }

    [Fact]
    public void Calculate_gain_for_every_nonlinearity()
    {
        var c = Fixtures.Case(File, "calculate_gain");
        foreach (var g in c.GetProperty("gains").EnumerateArray())
        {
            string nl = g.GetProperty("nonlinearity").GetString()!;
            double? param = g.GetProperty("param") is { ValueKind: JsonValueKind.Number } p ? p.GetDouble() : null;
            Assert.Equal(g.GetProperty("gain").GetDouble(), nn.init.calculate_gain(nl, param), 15);
        }
        var e = Assert.Throws<ArgumentException>(() => nn.init.calculate_gain("softmax"));
        Assert.Contains(Fixtures.Case(File, "gain_unsupported").GetProperty("message").GetString()!, e.Message);
    }

    [Fact]
    public void Fan_in_and_fan_out()
    {
        foreach (var f in Fixtures.Case(File, "fans").GetProperty("fans").EnumerateArray())
        {
            var (fanIn, fanOut) = nn.init._calculate_fan_in_and_fan_out(empty(ShapeOf(f)));
            Assert.Equal(f.GetProperty("fan_in").GetInt64(), fanIn);
            Assert.Equal(f.GetProperty("fan_out").GetInt64(), fanOut);
        }
        foreach (var name in new[] { "fan_1d", "fan_0d" })
        {
            var c = Fixtures.Case(File, name);
            var e = Assert.Throws<ArgumentException>(() => nn.init._calculate_fan_in_and_fan_out(empty(ShapeOf(c))));
            Assert.Contains(c.GetProperty("message").GetString()!, e.Message);
        }
    }

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void Errors_carry_pytorchs_message(string name)
    {
        var c = Fixtures.Case(File, name);
        string fn = c.GetProperty("fn").GetString()!;
        var t = empty(ShapeOf(c));
        var kw = name switch
        {
            "dirac_groups_indivisible" => JsonDocument.Parse("{\"groups\": 2}").RootElement,
            "kaiming_mode" => JsonDocument.Parse("{\"mode\": \"fan_avg\"}").RootElement,
            "kaiming_nonlinearity" => JsonDocument.Parse("{\"nonlinearity\": \"gelu\"}").RootElement,
            "sparse_3d" => JsonDocument.Parse("{\"sparsity\": 0.5}").RootElement,
            _ => JsonDocument.Parse("{}").RootElement,
        };
        var e = Assert.Throws<ArgumentException>(() => Apply(fn, t, kw));
        string expected = c.GetProperty("message").GetString()!;
        // PyTorch lists the modes as a Python list; the rest of each message is PyTorch's text.
        if (name == "kaiming_mode") expected = "Mode fan_avg not supported";
        Assert.Contains(expected, e.Message);
    }

    // ---------------------------------------------------------------- statistics on large draws

    static (double mean, double std, double min, double max) Stats(Tensor t)
    {
        var v = t.ToArray<double>();
        double mean = v.Average();
        double std = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
        return (mean, std, v.Min(), v.Max());
    }

    [Theory]
    [InlineData("fan_in", "leaky_relu", 0.0)]
    [InlineData("fan_in", "leaky_relu", 2.2360679774997896)]
    [InlineData("fan_out", "relu", 0.0)]
    [InlineData("fan_out", "tanh", 0.0)]
    [InlineData("fan_in", "selu", 0.0)]
    public void Kaiming_statistics(string mode, string nonlinearity, double a)
    {
        manual_seed(1);
        var w = empty(256, 128, 3, 3);
        double fan = mode == "fan_in" ? 128 * 9 : 256 * 9;
        double std = nn.init.calculate_gain(nonlinearity, a) / Math.Sqrt(fan);
        nn.init.kaiming_normal_(w, a, mode, nonlinearity);
        var s = Stats(w);
        Assert.InRange(s.mean, -0.01 * std, 0.01 * std);
        Assert.InRange(s.std, 0.99 * std, 1.01 * std);
        nn.init.kaiming_uniform_(w, a, mode, nonlinearity);
        s = Stats(w);
        double bound = Math.Sqrt(3) * std;
        Assert.InRange(s.min, -bound, -0.999 * bound);
        Assert.InRange(s.max, 0.999 * bound, bound);
        Assert.InRange(s.std, 0.99 * std, 1.01 * std);
    }

    [Fact]
    public void Xavier_and_plain_statistics()
    {
        manual_seed(2);
        var w = empty(300, 500);
        nn.init.xavier_uniform_(w, gain: 2);
        double std = 2 * Math.Sqrt(2.0 / 800);
        var s = Stats(w);
        Assert.InRange(s.max, 0.999 * Math.Sqrt(3) * std, Math.Sqrt(3) * std);
        Assert.InRange(s.std, 0.99 * std, 1.01 * std);
        nn.init.xavier_normal_(w);
        s = Stats(w);
        Assert.InRange(s.std, 0.99 * Math.Sqrt(2.0 / 800), 1.01 * Math.Sqrt(2.0 / 800));
        nn.init.normal_(w, 3, 0.5);
        s = Stats(w);
        Assert.InRange(s.mean, 2.99, 3.01);
        Assert.InRange(s.std, 0.495, 0.505);
        nn.init.uniform_(w, -1, 3);
        s = Stats(w);
        Assert.InRange(s.mean, 0.98, 1.02);
        Assert.InRange(s.min, -1, -0.999);
        Assert.InRange(s.max, 2.999, 3);
    }

    [Theory]
    [InlineData(40, 25, 1.0)]
    [InlineData(25, 40, 1.0)]
    [InlineData(30, 30, 0.5)]
    public void Orthogonal_rows_or_columns_are_orthonormal(int rows, int cols, double gain)
    {
        manual_seed(3);
        var w = empty([rows, cols], dtype: float64);
        nn.init.orthogonal_(w, gain);
        // Tall: WᵀW = gain²·I; wide: WWᵀ = gain²·I.
        var gram = rows >= cols ? w.t().matmul(w) : w.matmul(w.t());
        int n = Math.Min(rows, cols);
        var expect = eye(n, dtype: float64).mul(gain * gain);
        var d = gram.sub(expect).abs().max().item<double>();
        Assert.True(d < 1e-12, $"Gram matrix differs from gain²·I by {d}");
        // 4-D weights are orthogonal as rows × (numel / rows).
        var k = empty(4, 2, 3, 3);
        nn.init.orthogonal_(k);
        var flat = k.reshape(4, 18);
        Assert.True(flat.matmul(flat.t()).sub(eye(4)).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void Sparse_zeroes_the_same_count_in_every_column()
    {
        manual_seed(4);
        var w = empty(10, 30);
        nn.init.sparse_(w, 0.25, std: 1);
        var v = w.ToArray<float>();
        for (int c = 0; c < 30; c++)
        {
            int zeros = 0;
            for (int r = 0; r < 10; r++) if (v[r * 30 + c] == 0) zeros++;
            Assert.Equal(3, zeros);   // ceil(0.25 · 10)
        }
    }

    [Fact]
    public void Initialising_a_parameter_records_no_graph_and_bumps_its_version()
    {
        var p = new Parameter(empty(5, 4));
        var inits = new (string name, Func<Tensor, Tensor> f)[]
        {
            ("orthogonal_", t => nn.init.orthogonal_(t)), ("sparse_", t => nn.init.sparse_(t, 0.5)),
            ("kaiming_uniform_", t => nn.init.kaiming_uniform_(t, Math.Sqrt(5))), ("xavier_normal_", t => nn.init.xavier_normal_(t)),
            ("zeros_", t => nn.init.zeros_(t)), ("dirac_", t => nn.init.dirac_(t)),
        };
        foreach (var (name, f) in inits)
        {
            var q = name == "dirac_" ? new Parameter(empty(3, 3, 3)) : p;
            int before = q._storage.Version;
            Assert.Same(q, f(q));
            Assert.True(q.is_leaf, name);
            Assert.Null(q.grad_fn);
            Assert.True(q.requires_grad, name);
            Assert.True(q._storage.Version > before, $"{name} did not bump the version counter");
        }
    }

    /// <summary>
    /// PyTorch's eye_ writes through torch.eye(out=tensor), which bumps the version, so a graph that
    /// saved the old values refuses to backward instead of computing a wrong gradient.
    /// </summary>
    [Fact]
    public void Eye_bumps_the_version_counter()
    {
        var p = new Parameter(empty(3, 3));
        var y = p.mul(p);
        int before = p._storage.Version;
        nn.init.eye_(p);
        Assert.True(p._storage.Version > before, "eye_ did not bump the version counter");
        var e = Assert.Throws<InvalidOperationException>(() => y.sum().backward());
        Assert.Contains("modified by an inplace operation", e.Message);
    }

    [Fact]
    public void Orthogonal_of_an_empty_tensor_is_a_no_op_and_non_float_is_refused()
    {
        manual_seed(5);
        var before = rand([1], dtype: float64).item<double>();
        manual_seed(5);
        nn.init.orthogonal_(empty(0, 3));
        Assert.Equal(before, rand([1], dtype: float64).item<double>());
        var e = Assert.Throws<ArgumentException>(() => nn.init.orthogonal_(zeros([3, 3], dtype: int64)));
        Assert.Contains("floating point", e.Message);
    }
}
