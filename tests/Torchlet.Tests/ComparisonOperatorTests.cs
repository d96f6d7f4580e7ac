using System.Text.Json;
using Torchlet;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests;

/// <summary>
/// The C# operators &lt; &gt; &lt;= &gt;= &amp; | ^ ~ against Python's on PyTorch 1.13 tensors (fixtures/comparison.json,
/// written by gen_comparison.py): bool results, broadcasting, type promotion, NaN, numbers on either side, the
/// errors, and no autograd history on comparison results. <c>==</c>/<c>!=</c> stay C# reference equality, so
/// Python's <c>x == y</c> is <c>x.eq(y)</c> here.
/// </summary>
public class ComparisonOperatorTests
{
    const string File = "comparison";

    static readonly Dictionary<string, Func<Tensor, Tensor, Tensor>> TensorOps = new()
    {
        ["<"] = (a, b) => a < b,
        [">"] = (a, b) => a > b,
        ["<="] = (a, b) => a <= b,
        [">="] = (a, b) => a >= b,
        ["=="] = (a, b) => a.eq(b),
        ["!="] = (a, b) => a.ne(b),
        ["&"] = (a, b) => a & b,
        ["|"] = (a, b) => a | b,
        ["^"] = (a, b) => a ^ b,
    };

    // x op s
    static readonly Dictionary<string, Func<Tensor, Scalar, Tensor>> RightOps = new()
    {
        ["<"] = (t, s) => t < s,
        [">"] = (t, s) => t > s,
        ["<="] = (t, s) => t <= s,
        [">="] = (t, s) => t >= s,
        ["=="] = (t, s) => t.eq(s),
        ["!="] = (t, s) => t.ne(s),
        ["&"] = (t, s) => t & s,
        ["|"] = (t, s) => t | s,
        ["^"] = (t, s) => t ^ s,
    };

    // s op x (Python's reflected operators; s == x is x.__eq__(s))
    static readonly Dictionary<string, Func<Scalar, Tensor, Tensor>> LeftOps = new()
    {
        ["<"] = (s, t) => s < t,
        [">"] = (s, t) => s > t,
        ["<="] = (s, t) => s <= t,
        [">="] = (s, t) => s >= t,
        ["=="] = (s, t) => t.eq(s),
        ["!="] = (s, t) => t.ne(s),
        ["&"] = (s, t) => s & t,
        ["|"] = (s, t) => s | t,
        ["^"] = (s, t) => s ^ t,
    };

    static Scalar ScalarOf(JsonElement s)
    {
        var v = s.GetProperty("v");
        return s.GetProperty("kind").GetString() switch
        {
            "bool" => v.GetBoolean(),
            "int" => v.GetInt64(),
            _ => v.ValueKind == JsonValueKind.String
                ? v.GetString() switch { "nan" => double.NaN, "inf" => double.PositiveInfinity, "-inf" => double.NegativeInfinity, var x => throw new ArgumentException(x) }
                : v.GetDouble(),
        };
    }

    static Func<Tensor> Op(JsonElement c)
    {
        var op = c.GetProperty("op").GetString()!;
        var a = Fixtures.T(c.GetProperty("a"), c.GetProperty("a_grad").GetBoolean());
        if (op == "~") return () => ~a;
        if (c.TryGetProperty("b", out var be))
        {
            var b = Fixtures.T(be, c.GetProperty("b_grad").GetBoolean());
            return () => TensorOps[op](a, b);
        }
        var s = ScalarOf(c.GetProperty("s"));
        return c.GetProperty("side").GetString() == "right" ? () => RightOps[op](a, s) : () => LeftOps[op](s, a);
    }

    public static IEnumerable<object[]> Cases() => Fixtures.Names(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Operator_matches_pytorch(string name)
    {
        var c = Fixtures.Case(File, name);
        var f = Op(c);
        if (c.TryGetProperty("error", out var err)) { ElementwiseTests.AssertThrowsLike(err.GetString()!, () => f(), name); return; }
        var r = f();
        // Exact: every result here is bool or integer.
        ElementwiseTests.AssertMatches(c.GetProperty("out"), r, name);
        Assert.Equal(c.GetProperty("requires_grad").GetBoolean(), r.requires_grad);
        Assert.Equal(c.GetProperty("grad_fn").ValueKind == JsonValueKind.Null ? null : c.GetProperty("grad_fn").GetString(), r.grad_fn?.name());
    }

    [Fact]
    public void Fixture_covers_every_operator_form()
    {
        var cases = Fixtures.Load(File);
        bool Has(Func<JsonElement, bool> p) => cases.Any(p);
        string Op(JsonElement c) => c.GetProperty("op").GetString()!;
        foreach (var op in TensorOps.Keys)
        {
            Assert.True(Has(c => Op(c) == op && c.TryGetProperty("b", out _) && c.TryGetProperty("out", out _)), $"no tensor {op} tensor case");
            Assert.True(Has(c => Op(c) == op && c.TryGetProperty("side", out var s) && s.GetString() == "right"), $"no tensor {op} number case");
            Assert.True(Has(c => Op(c) == op && c.TryGetProperty("side", out var s) && s.GetString() == "left"), $"no number {op} tensor case");
        }
        Assert.True(Has(c => Op(c) == "~" && c.TryGetProperty("out", out _)), "no ~ case");
        Assert.True(Has(c => Op(c) == "~" && c.TryGetProperty("error", out _)), "no ~ error case");
        Assert.True(Has(c => c.TryGetProperty("error", out var e) && e.GetString()!.Contains("bitwise_and_cpu")), "no bitwise error case");
        Assert.True(Has(c => c.GetProperty("a_grad").GetBoolean() && c.TryGetProperty("out", out _)), "no requires_grad case");
    }

    [Fact]
    public void Operators_take_numbers_of_every_CSharp_type_on_either_side()
    {
        var x = tensor(new[] { -1.0, 0.0, 2.5 });
        Assert.Equal(new[] { false, false, true }, (x > 0).data<bool>().ToArray());
        Assert.Equal(new[] { false, false, true }, (0 < x).data<bool>().ToArray());
        Assert.Equal(new[] { true, true, false }, (x <= 0L).data<bool>().ToArray());
        Assert.Equal(new[] { true, true, false }, (0.5f >= x).data<bool>().ToArray());
        Assert.Equal(new[] { false, false, true }, (x >= 2.5).data<bool>().ToArray());
        Assert.Equal(new[] { true, false, false }, (-0.5 > x).data<bool>().ToArray());
        var mask = x > 0;
        Assert.Equal(ScalarType.Bool, mask.dtype);
        Assert.Equal(new[] { true, true, false }, (~mask).data<bool>().ToArray());
        Assert.Equal(new[] { false, false, true }, (true & mask).data<bool>().ToArray());
        Assert.Equal(new[] { true, false, true }, (mask | x < 0).data<bool>().ToArray());
        Assert.Equal(new[] { true, false, true }, (mask ^ true ^ x >= 0).data<bool>().ToArray());
        // The mask idioms of the notes: x[x > 0], (pred == y).sum().
        Assert.Equal(new[] { 2.5f }, x[x > 0].data<float>().ToArray());
        var pred = tensor(new long[] { 1, 2, 3 });
        var y = tensor(new long[] { 1, 0, 3 });
        Assert.Equal(2L, pred.eq(y).sum().item<long>());
        Assert.Equal(1L, (pred > y).sum().item<long>());
    }

    [Fact]
    public void Equality_operators_compare_references_not_elements()
    {
        var a = ones(2);
        var same = a;
        Assert.True(a == same);
        Assert.False(a == ones(2));
        Assert.True(a != ones(2));
        Assert.False(a == null);
        Assert.True(a.eq(ones(2)).all().item<bool>());
    }

    [Fact]
    public void Comparisons_record_no_graph_and_masks_still_route_gradients()
    {
        var x = tensor(new[] { -1.0, 2.0, 3.0 }, requires_grad: true);
        var m = x > 0;
        Assert.False(m.requires_grad);
        Assert.Null(m.grad_fn);
        Assert.Null((0 < x).grad_fn);
        Assert.Null((x <= x.detach()).grad_fn);
        // The mask selects which elements a loss sees; gradients reach only those.
        x[m].sum().backward();
        Assert.Equal(new[] { 0f, 1f, 1f }, x.grad!.data<float>().ToArray());
    }
}
