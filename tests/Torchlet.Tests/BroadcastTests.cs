using Torchlet;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests;

/// <summary>
/// Broadcasting: PyTorch's values and gradients for random shapes (fixtures/broadcast.json), and
/// seeded property tests against a plain-loop reference, including strided inputs and 0-size dims.
/// </summary>
public class BroadcastTests
{
    static readonly Dictionary<string, Func<Tensor, Tensor, Tensor>> Ops = new()
    {
        ["add"] = (a, b) => a + b,
        ["sub"] = (a, b) => a - b,
        ["mul"] = (a, b) => a * b,
        ["div"] = (a, b) => a / b,
        ["maximum"] = maximum,
        ["pow"] = (a, b) => a.abs().pow(b),
    };

    public static IEnumerable<object[]> Cases() => Fixtures.Names("broadcast");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Values_and_gradients_summed_to_each_input_match_pytorch(string name)
    {
        var c = Fixtures.Case("broadcast", name);
        var a = Fixtures.T(c.GetProperty("a"), requiresGrad: true);
        var b = Fixtures.T(c.GetProperty("b"), requiresGrad: true);
        var r = Ops[c.GetProperty("op").GetString()!](a, b);
        ElementwiseTests.AssertMatches(c.GetProperty("out"), r, name);
        r.backward(Fixtures.T(c.GetProperty("upstream")));
        ElementwiseTests.AssertMatches(c.GetProperty("grad_a"), a.grad!, name + " grad a", f64rtol: 1e-12);
        ElementwiseTests.AssertMatches(c.GetProperty("grad_b"), b.grad!, name + " grad b", f64rtol: 1e-12);
    }

    // ---------------------------------------------------------------- property tests against loops

    /// <summary>Row-major index of <paramref name="idx"/> (an output index) in a broadcast operand of <paramref name="shape"/>.</summary>
    static int OperandIndex(int[] idx, long[] shape)
    {
        int off = idx.Length - shape.Length, flat = 0;
        for (int d = 0; d < shape.Length; d++) flat = flat * (int)shape[d] + (shape[d] == 1 ? 0 : idx[d + off]);
        return flat;
    }

    static IEnumerable<int[]> Indices(long[] shape)
    {
        int n = 1; foreach (var s in shape) n *= (int)s;
        for (int f = 0; f < n; f++)
        {
            var idx = new int[shape.Length];
            for (int d = shape.Length - 1, r = f; d >= 0; d--) { idx[d] = r % (int)shape[d]; r /= (int)shape[d]; }
            yield return idx;
        }
    }

    static (long[] a, long[] b, long[] outShape) RandomShapes(Random rng)
    {
        int nd = rng.Next(0, 5);
        var o = Enumerable.Range(0, nd).Select(_ => rng.NextDouble() < 0.05 ? 0L : rng.Next(1, 5)).ToArray();
        long[] Operand()
        {
            int k = rng.Next(Math.Max(0, nd - 2), nd + 1);
            return o.Skip(nd - k).Select(s => rng.NextDouble() < 0.35 ? 1L : s).ToArray();
        }
        var a = Operand(); var b = Operand();
        // The output shape is what broadcasting gives (dims where both operands are 1 stay 1).
        var outShape = new long[Math.Max(a.Length, b.Length)];
        for (int i = 0; i < outShape.Length; i++)
        {
            long sa = i - (outShape.Length - a.Length) >= 0 ? a[i - (outShape.Length - a.Length)] : 1;
            long sb = i - (outShape.Length - b.Length) >= 0 ? b[i - (outShape.Length - b.Length)] : 1;
            outShape[i] = sa == 1 ? sb : sa;
        }
        return (a, b, outShape);
    }

    static Tensor RandomTensor(long[] shape, Random rng, ScalarType dt)
    {
        int n = 1; foreach (var s in shape) n *= (int)s;
        return tensor(Enumerable.Range(0, n).Select(_ => Math.Round(rng.NextDouble() * 8 - 4, 2)).ToArray(), shape, dtype: dt);
    }

    /// <summary>A tensor with the same values laid out non-contiguously (a transposed or strided copy), when possible.</summary>
    static Tensor Strided(Tensor t, Random rng)
    {
        if (t.dim() >= 2 && rng.Next(2) == 0) return t.transpose(0, -1).contiguous().transpose(0, -1);
        if (t.dim() >= 1)
        {
            // Every other element of a buffer twice as large: stride 2 in the last dim.
            var w = zeros(t.shape.Append(2L).ToArray(), dtype: t.dtype);
            w.select(-1, 0).copy_(t);
            return w.select(-1, 0);
        }
        return t;
    }

    [Fact]
    public void Random_broadcasts_match_a_loop_reference()
    {
        var rng = new Random(2024);
        var ops = new (string name, Func<Tensor, Tensor, Tensor> f, Func<double, double, double> r)[]
        {
            ("add", (x, y) => x + y, (x, y) => x + y),
            ("sub", (x, y) => x - y, (x, y) => x - y),
            ("mul", (x, y) => x * y, (x, y) => x * y),
            ("maximum", maximum, Math.Max),
            ("lt", (x, y) => x.lt(y), (x, y) => x < y ? 1 : 0),
        };
        for (int trial = 0; trial < 300; trial++)
        {
            var (sa, sb, so) = RandomShapes(rng);
            var dt = trial % 3 == 0 ? float64 : trial % 3 == 1 ? float32 : int64;
            var a = RandomTensor(sa, rng, dt);
            var b = RandomTensor(sb, rng, dt);
            if (trial % 2 == 1) { a = Strided(a, rng); b = Strided(b, rng); }
            var (name, f, reference) = ops[trial % ops.Length];
            var r = f(a, b);
            Assert.Equal(so, r.shape);
            var av = a.ToArray<double>(); var bv = b.ToArray<double>(); var rv = r.ToArray<double>();
            int k = 0;
            foreach (var idx in Indices(so))
            {
                double e = reference(av[OperandIndex(idx, sa)], bv[OperandIndex(idx, sb)]);
                if (dt == float32) e = (float)e;
                Assert.True(e == rv[k], $"trial {trial} {name} {Shape(sa)} x {Shape(sb)} ({dt}): element {k} is {rv[k]}, expected {e}");
                k++;
            }
        }
    }

    [Fact]
    public void Random_broadcast_gradients_are_summed_back_to_each_input()
    {
        var rng = new Random(77);
        for (int trial = 0; trial < 200; trial++)
        {
            var (sa, sb, so) = RandomShapes(rng);
            var a = RandomTensor(sa, rng, float64).requires_grad_();
            var b = RandomTensor(sb, rng, float64).requires_grad_();
            var g = RandomTensor(so, rng, float64);
            var r = trial % 2 == 0 ? a * b : a - b;
            r.backward(g);
            var av = a.ToArray<double>(); var bv = b.ToArray<double>(); var gv = g.ToArray<double>();
            var ga = new double[av.Length]; var gb = new double[bv.Length];
            int k = 0;
            foreach (var idx in Indices(so))
            {
                int ia = OperandIndex(idx, sa), ib = OperandIndex(idx, sb);
                ga[ia] += trial % 2 == 0 ? gv[k] * bv[ib] : gv[k];
                gb[ib] += trial % 2 == 0 ? gv[k] * av[ia] : -gv[k];
                k++;
            }
            Assert.Equal(sa, a.grad!.shape);
            Assert.Equal(sb, b.grad!.shape);
            var gotA = a.grad!.ToArray<double>(); var gotB = b.grad!.ToArray<double>();
            for (int i = 0; i < ga.Length; i++) Assert.True(Math.Abs(ga[i] - gotA[i]) < 1e-9, $"trial {trial} {Shape(sa)} x {Shape(sb)}: grad a[{i}] {gotA[i]} vs {ga[i]}");
            for (int i = 0; i < gb.Length; i++) Assert.True(Math.Abs(gb[i] - gotB[i]) < 1e-9, $"trial {trial} {Shape(sa)} x {Shape(sb)}: grad b[{i}] {gotB[i]} vs {gb[i]}");
        }
    }

    [Fact]
    public void Broadcasting_both_ways_leading_dims_and_zero_size()
    {
        var col = tensor(new[] { 1.0, 2, 3 }, new long[] { 3, 1 });
        var row = tensor(new[] { 10.0, 20, 30, 40 }, new long[] { 1, 4 });
        var s = col + row;
        Assert.Equal(new long[] { 3, 4 }, s.shape);
        Assert.Equal(new[] { 11f, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43 }, s.data<float>().ToArray());
        Assert.Equal(new long[] { 2, 3, 4 }, (ones(2, 1, 4) * ones(3, 1)).shape);
        Assert.Equal(new long[] { 2, 0, 3 }, (ones(2, 1, 3) + ones(0, 1)).shape);
        Assert.Equal(new long[] { 0 }, (ones(0) * ones(1)).shape);
        Assert.Equal(new long[] { 0 }, (ones(0).lt(tensor(1.0))).shape);
        var e = Assert.Throws<ArgumentException>(() => ones(2, 0) + ones(3));
        Assert.Contains("The size of tensor a (0) must match the size of tensor b (3) at non-singleton dimension 1", e.Message);
    }

    static string Shape(long[] s) => "[" + string.Join(", ", s) + "]";
}
