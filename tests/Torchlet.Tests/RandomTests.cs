using System.Runtime.InteropServices;
using System.Text.Json;
using Torchlet;
using Torchlet.Kernels;
using Xunit;

namespace Torchlet.Tests;

/// <summary>
/// Random numbers: the fixture replays PyTorch 1.13's CPU calls (seeded) and every value must be
/// bit-identical. Runs in the global-state collection because it reseeds the default generator.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public class RandomTests
{
    public static IEnumerable<object[]> Cases => Fixtures.Names("random");

    static long[] Longs(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt64()).ToArray();

    static byte[] Bytes(Tensor t) => t.contiguous().dtype switch
    {
        ScalarType.Float32 => MemoryMarshal.AsBytes<float>(t.ToArray<float>()).ToArray(),
        ScalarType.Float64 => MemoryMarshal.AsBytes<double>(t.ToArray<double>()).ToArray(),
        ScalarType.Int64 => MemoryMarshal.AsBytes<long>(t.ToArray<long>()).ToArray(),
        ScalarType.Int32 => MemoryMarshal.AsBytes<int>(t.ToArray<int>()).ToArray(),
        ScalarType.Byte => t.ToArray<byte>(),
        ScalarType.Bool => t.ToArray<bool>().Select(b => b ? (byte)1 : (byte)0).ToArray(),
        _ => throw new ArgumentException(t.dtype.ToString()),
    };

    /// <summary>All values of the tensors, in order, as doubles (exact for every dtype used here).</summary>
    static double[] Values(params Tensor[] ts) => ts.SelectMany(t => t.to(torch.float64).ToArray<double>()).ToArray();

    static void AssertBitEqual(JsonElement expected, Tensor got, string what)
    {
        var exp = PrintingTests.Raw(expected);
        Assert.True(exp.dtype == got.dtype, $"{what}: dtype {got.dtype}, PyTorch gives {exp.dtype}");
        Assert.True(exp.shape.SequenceEqual(got.shape), $"{what}: shape [{string.Join(", ", got.shape)}], PyTorch gives [{string.Join(", ", exp.shape)}]");
        byte[] e = Bytes(exp), a = Bytes(got);
        if (e.AsSpan().SequenceEqual(a)) return;
        var ev = exp.to(torch.float64).ToArray<double>();
        var av = got.to(torch.float64).ToArray<double>();
        int i = Enumerable.Range(0, ev.Length).First(k => BitConverter.DoubleToInt64Bits(ev[k]) != BitConverter.DoubleToInt64Bits(av[k]) || ev[k] != av[k]);
        Assert.Fail($"{what}: element {i} is {av[i]:R}, PyTorch gives {ev[i]:R}");
    }

    static Tensor Inplace(JsonElement s, string fn)
    {
        var t = torch.empty(Longs(s.GetProperty("size")), dtype: Fixtures.DType(s.GetProperty("dtype").GetString()!));
        if (s.GetProperty("transpose").GetBoolean()) t = t.t();
        var pos = s.TryGetProperty("pos", out var p) ? p.EnumerateArray().ToArray() : [];
        double D(int i) => pos[i].GetDouble();
        return fn switch
        {
            "uniform_" => pos.Length == 0 ? t.uniform_() : t.uniform_(D(0), D(1)),
            "normal_" => pos.Length == 0 ? t.normal_() : t.normal_(D(0), D(1)),
            "exponential_" => t.exponential_(D(0)),
            "bernoulli_" => pos.Length == 0 ? t.bernoulli_() : t.bernoulli_(D(0)),
            "random_" => pos.Length switch
            {
                0 => t.random_(),
                1 => t.random_(pos[0].GetInt64()),
                _ => t.random_(pos[0].GetInt64(), pos[1].ValueKind == JsonValueKind.Null ? null : pos[1].GetInt64()),
            },
            _ => throw new ArgumentException(fn),
        };
    }

    static Tensor Like(JsonElement s, string fn)
    {
        var x = PrintingTests.Raw(s.GetProperty("input"));
        if (s.GetProperty("transpose").GetBoolean()) x = x.t();
        return fn switch
        {
            "rand_like" => torch.rand_like(x),
            "randn_like" => torch.randn_like(x),
            _ => torch.randint_like(x, s.GetProperty("low").GetInt64(), s.GetProperty("high").GetInt64()),
        };
    }

    static Tensor NormalT(JsonElement s)
    {
        JsonElement m = s.GetProperty("mean"), d = s.GetProperty("std");
        bool mt = m.ValueKind == JsonValueKind.Object, dt = d.ValueKind == JsonValueKind.Object;
        if (mt && dt) return torch.normal(PrintingTests.Raw(m), PrintingTests.Raw(d));
        if (mt) return torch.normal(PrintingTests.Raw(m), d.GetDouble());
        return torch.normal(m.GetDouble(), PrintingTests.Raw(d));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorchStream(string name)
    {
        var c = Fixtures.Case("random", name);
        torch.manual_seed(c.GetProperty("seed").GetInt64());
        torch.Generator? g = null;
        int k = 0;
        foreach (var s in c.GetProperty("steps").EnumerateArray())
        {
            var fn = s.GetProperty("fn").GetString()!;
            var gen = s.TryGetProperty("gen", out var gv) && gv.GetBoolean() ? g : null;
            ScalarType Dt() => Fixtures.DType(s.GetProperty("dtype").GetString()!);
            long[] Size() => Longs(s.GetProperty("size"));
            Tensor? got = fn switch
            {
                "rand" => torch.rand(Size(), dtype: Dt(), generator: gen),
                "randn" => torch.randn(Size(), dtype: Dt(), generator: gen),
                "normal" => torch.normal(s.GetProperty("mean").GetDouble(), s.GetProperty("std").GetDouble(), Size(), dtype: Dt()),
                "normal_t" => NormalT(s),
                "uniform_" or "normal_" or "exponential_" or "bernoulli_" or "random_" => Inplace(s, fn),
                "randint" => torch.randint(s.GetProperty("low").GetInt64(), s.GetProperty("high").GetInt64(), Size(), dtype: Dt()),
                "rand_like" or "randn_like" or "randint_like" => Like(s, fn),
                "randperm" => torch.randperm(s.GetProperty("n").GetInt64(), dtype: Dt()),
                "bernoulli" => torch.bernoulli(PrintingTests.Raw(s.GetProperty("p"))),
                "bernoulli_p" => torch.bernoulli(PrintingTests.Raw(s.GetProperty("input")), s.GetProperty("p").GetDouble()),
                "bernoulli_t" => (s.GetProperty("transpose").GetBoolean() ? torch.empty(Size(), dtype: Dt()).t() : torch.empty(Size(), dtype: Dt()))
                    .bernoulli_(PrintingTests.Raw(s.GetProperty("p"))),
                "multinomial" => torch.multinomial(PrintingTests.Raw(s.GetProperty("p")), s.GetProperty("n").GetInt64(), s.GetProperty("replacement").GetBoolean()),
                "get_rng_state" => torch.get_rng_state(),
                _ => null,
            };
            if (fn == "new_generator")
                g = s.TryGetProperty("seed", out var seed) ? new torch.Generator().manual_seed(seed.GetInt64()) : new torch.Generator();
            else if (fn == "set_rng_state")
                torch.set_rng_state(PrintingTests.Raw(s.GetProperty("state")));
            else
                Assert.True(got is not null, $"unknown fixture op {fn}");
            if (s.TryGetProperty("out", out var o)) AssertBitEqual(o, got!, $"{name} step {k} ({fn})");
            k++;
        }
    }

    // ---------------------------------------------------------------- determinism and kernels

    [Fact]
    public void SameNumbersWhateverTheThreadCount()
    {
        int threads = torch.get_num_threads();
        try
        {
            torch.set_num_threads(1);
            torch.manual_seed(1234);
            var a = Values(torch.randn(100_003), torch.rand(5000), torch.randn(300, dtype: torch.float64));
            torch.set_num_threads(4);
            torch.manual_seed(1234);
            var b = Values(torch.randn(100_003), torch.rand(5000), torch.randn(300, dtype: torch.float64));
            Assert.Equal(a, b);
        }
        finally { torch.set_num_threads(threads); }
    }

    [Fact]
    public void VectorAndScalarBoxMullerGiveTheSameBits()
    {
        // With AVX2+FMA, Transform16 runs 8-wide; the scalar transcription must give the same bits
        // (machines without them use it, and the fixture tests then check it against PyTorch).
        var rng = new Random(5);
        var a = new float[16];
        var b = new float[16];
        for (int block = 0; block < 20000; block++)
        {
            for (int i = 0; i < 16; i++)
            {
                // Uniform24 values, with the extremes 0 and 1 - 2^-24 mixed in.
                uint r = (uint)rng.Next(1 << 24);
                if (block % 97 == 0) r = i % 2 == 0 ? 0u : (1u << 24) - 1;
                a[i] = b[i] = r * (1f / 16777216f);
            }
            float mean = block % 3 == 0 ? 0f : 0.3f, std = block % 3 == 0 ? 1f : 2.7f;
            RandomKernels.Transform16(a, mean, std);
            RandomKernels.Transform16Scalar(b, mean, std);
            for (int i = 0; i < 16; i++)
                Assert.True(BitConverter.SingleToInt32Bits(a[i]) == BitConverter.SingleToInt32Bits(b[i]), $"block {block} lane {i}: vector {a[i]:R}, scalar {b[i]:R}");
        }
    }

    // ---------------------------------------------------------------- statistics (fixed seeds, so deterministic)

    static (double mean, double var) Moments(Tensor t)
    {
        var v = t.to(torch.float64).ToArray<double>();
        double m = v.Average();
        return (m, v.Select(x => (x - m) * (x - m)).Sum() / (v.Length - 1));
    }

    [Fact]
    public void DistributionsHaveTheRightMoments()
    {
        torch.manual_seed(2024);
        var (m, v) = Moments(torch.randn(200_000));
        Assert.InRange(m, -0.01, 0.01);
        Assert.InRange(v, 0.98, 1.02);
        (m, v) = Moments(torch.normal(3.0, 0.5, [100_000], dtype: torch.float64));
        Assert.InRange(m, 2.99, 3.01);
        Assert.InRange(v, 0.24, 0.26);
        (m, v) = Moments(torch.rand(200_000));
        Assert.InRange(m, 0.495, 0.505);
        Assert.InRange(v, 1 / 12.0 - 0.002, 1 / 12.0 + 0.002);
        (m, v) = Moments(torch.empty(100_000).exponential_(2.0));
        Assert.InRange(m, 0.49, 0.51);
        Assert.InRange(v, 0.24, 0.26);
        var b = torch.empty(100_000).bernoulli_(0.3).ToArray<float>();
        Assert.InRange(b.Average(), 0.295, 0.305);
        var r = torch.randint(-3, 4, [70_000]).ToArray<long>();
        for (long k = -3; k < 4; k++) Assert.InRange(r.Count(x => x == k), 9_500, 10_500);
        var mult = torch.multinomial(torch.tensor(new[] { 1.0, 2.0, 3.0, 4.0 }), 100_000, replacement: true).ToArray<long>();
        for (int k = 0; k < 4; k++) Assert.InRange(mult.Count(x => x == k) / 100_000.0, (k + 1) / 10.0 - 0.01, (k + 1) / 10.0 + 0.01);
        var perm = torch.randperm(1000).ToArray<long>();
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), perm.Order());
        var noRepl = torch.multinomial(torch.ones(20), 20).ToArray<long>();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), noRepl.Order());
    }

    // ---------------------------------------------------------------- seeding and state

    [Fact]
    public void SeedsAndState()
    {
        torch.manual_seed(123);
        Assert.Equal(123, torch.initial_seed());
        long s = torch.seed();
        Assert.Equal(s, torch.initial_seed());
        Assert.InRange(s, 0, (1L << 53) - 1);
        Assert.Equal(67280421310721, new torch.Generator().initial_seed());

        var g = new torch.Generator(99);
        g.manual_seed(-1);
        Assert.Equal(-1, g.initial_seed());
        torch.randn(3, generator: g);          // leaves a cached normal behind
        var state = g.get_state();
        var a = Values(torch.randn(3, generator: g), torch.rand(700, generator: g));
        g.set_state(state);
        var b = Values(torch.randn(3, generator: g), torch.rand(700, generator: g));
        Assert.Equal(a, b);

        var e = Assert.Throws<ArgumentException>(() => g.set_state(torch.zeros([10], dtype: torch.uint8)));
        Assert.Contains("Expected a CPUGeneratorImplState of size 5056 but found the input RNG state size to be 10", e.Message);
        e = Assert.Throws<ArgumentException>(() => g.set_state(torch.zeros([5056])));
        Assert.Contains("RNG state must be a torch.ByteTensor", e.Message);
        e = Assert.Throws<ArgumentException>(() => g.set_state(torch.zeros([5056], dtype: torch.uint8)));
        Assert.Contains("Invalid mt19937 state", e.Message);
    }

    // ---------------------------------------------------------------- autograd

    [Fact]
    public void RandomOpsAndAutograd()
    {
        var x = torch.rand(3, requires_grad: true);
        Assert.True(x.requires_grad);
        Assert.True(x.is_leaf);

        var mean = torch.zeros(3, requires_grad: true);
        var std = torch.ones(3, requires_grad: true);
        var y = torch.normal(mean, std);
        Assert.Equal("NormalBackward3", y.grad_fn!.name());
        y.sum().backward();
        Assert.Equal(new float[3], mean.grad!.ToArray<float>());
        Assert.Equal(new float[3], std.grad!.ToArray<float>());
        Assert.Equal("NormalBackward1", torch.normal(mean, 2.0).grad_fn!.name());
        Assert.Equal("NormalBackward2", torch.normal(1.0, std).grad_fn!.name());
        Assert.Equal("BernoulliBackward0", torch.bernoulli(torch.full([3], 0.5, requires_grad: true)).grad_fn!.name());

        var e = Assert.Throws<InvalidOperationException>(() => x.uniform_());
        Assert.Contains("a leaf Variable that requires grad is being used in an in-place operation. (uniform_", e.Message);

        var leaf = torch.ones(3, requires_grad: true);
        foreach (var (op, name) in new (Func<Tensor, Tensor>, string)[]
        {
            (t => t.uniform_(), "UniformBackward0"), (t => t.normal_(), "NormalBackward0"),
            (t => t.random_(0, 3), "RandomBackward0"), (t => t.random_(5), "RandomBackward1"), (t => t.random_(), "RandomBackward2"),
            (t => t.bernoulli_(torch.rand(3)), "BernoulliBackward1"), (t => t.bernoulli_(0.5), "BernoulliBackward2"),
            (t => t.exponential_(), "ExponentialBackward0"),
        })
        {
            leaf.grad = null;
            var z = leaf * 2;
            int version = z._storage.Version;
            Assert.Same(z, op(z));
            Assert.Equal(name, z.grad_fn!.name());
            Assert.True(z._storage.Version > version);
            z.sum().backward();
            Assert.Equal(new float[3], leaf.grad!.ToArray<float>());
        }
        var viaP = torch.zeros(3);
        var p = torch.full([3], 0.5, requires_grad: true);
        viaP.bernoulli_(p);
        Assert.Equal("BernoulliBackward1", viaP.grad_fn!.name());
        Assert.Null(torch.bernoulli(p, 0.3).grad_fn);
    }

    // ---------------------------------------------------------------- errors

    [Fact]
    public void BadArgumentsSayWhatWasExpected()
    {
        torch.manual_seed(0);
        var before = torch.get_rng_state();
        void Check<TE>(Action a, string text) where TE : Exception => Assert.Contains(text, Assert.Throws<TE>(a).Message);

        Check<ArgumentException>(() => torch.rand(-1), "Trying to create tensor with negative dimension -1: [-1]");
        Check<ArgumentException>(() => torch.randn(2, -3), "Trying to create tensor with negative dimension -3: [2, -3]");
        Check<ArgumentException>(() => torch.randperm(-1), "Trying to create tensor with negative dimension -1: [-1]");
        Check<ArgumentException>(() => torch.rand([2], dtype: torch.int64), "rand: expected a floating point dtype (torch.float32 or torch.float64), got torch.int64");
        Check<ArgumentException>(() => torch.randn_like(torch.zeros([2], dtype: torch.int64)), "randn_like: expected a floating point dtype, got torch.int64");
        Check<ArgumentException>(() => torch.randint(5, 3, [2]), "random_ expects 'from' to be less than 'to', but got from=5 >= to=3");
        Check<ArgumentException>(() => torch.randint(0, 300, [3], dtype: torch.uint8), "to - 1 is out of bounds for unsigned char");
        Check<ArgumentException>(() => torch.randint(-1, 3, [3], dtype: torch.uint8), "from is out of bounds for unsigned char");
        Check<ArgumentException>(() => torch.randint(0, 1L << 40, [3], dtype: torch.int32), "to - 1 is out of bounds for int");
        Check<ArgumentException>(() => torch.randint(0, 3, [2], requires_grad: true), "Only Tensors of floating point dtype can require gradients");
        Check<ArgumentException>(() => torch.normal(0.0, -1.0, [3]), "normal expects std >= 0.0, but found std -1");
        Check<ArgumentException>(() => torch.normal(torch.zeros(3), torch.tensor(new[] { 1.0, -1.0, 1.0 })), "normal expects all elements of std >= 0.0");
        Check<ArgumentException>(() => torch.normal(torch.zeros(2), torch.ones(3)), "must match the size of tensor b (3)");
        Check<ArgumentException>(() => torch.empty(3).uniform_(2, 1), "uniform_ expects to return a [from, to) range, but found from=2 > to=1");
        Check<ArgumentException>(() => torch.empty(3).uniform_(-3e38, 3e38), "uniform_ expects to-from <= std::numeric_limits<Float>::max()");
        Check<ArgumentException>(() => torch.empty([3], dtype: torch.int64).normal_(), "normal_: expected a floating point tensor, got torch.int64");
        Check<ArgumentException>(() => torch.empty(3).exponential_(-1), "exponential_ expects lambda >= 0.0, but found lambda=-1");
        Check<ArgumentException>(() => torch.empty(3).random_(5, 2), "random_ expects 'from' to be less than 'to', but got from=5 >= to=2");
        Check<ArgumentException>(() => torch.bernoulli(torch.tensor(new[] { 0.5, 1.5 })), "every probability must be in [0, 1]");
        Check<ArgumentException>(() => torch.bernoulli(torch.tensor(new[] { 0.5, double.NaN })), "every probability must be in [0, 1]");
        Check<ArgumentException>(() => torch.bernoulli(torch.tensor(new long[] { 1, 0 })), "\"bernoulli_tensor_cpu_p_\" not implemented for 'Long'");
        Check<ArgumentException>(() => torch.empty(3).bernoulli_(1.5), "bernoulli_ expects p to be in [0, 1], but got p=1.5");
        Check<ArgumentException>(() => torch.empty(2).bernoulli_(torch.full([3], 0.5)), "The expanded size of the tensor (2) must match the existing size (3)");
        Check<InvalidOperationException>(() => torch.zeros(1).expand(3).uniform_(), "more than one element of the written-to tensor refers to a single memory location");
        Check<ArgumentException>(() => torch.randperm(300, dtype: torch.uint8), "n cannot be greater than 256");
        Check<ArgumentException>(() => torch.randperm(3, dtype: torch.@bool), "\"randperm\" not implemented for 'Bool'");

        var probs = torch.tensor(new[] { 0.3, 0.7 });
        Check<ArgumentException>(() => torch.multinomial(torch.tensor(new[] { 0.5, -0.5 }), 1), "probability tensor contains either `inf`, `nan` or element < 0");
        Check<ArgumentException>(() => torch.multinomial(torch.tensor(new[] { 0.5, double.PositiveInfinity }), 1), "probability tensor contains either `inf`, `nan` or element < 0");
        Check<ArgumentException>(() => torch.multinomial(torch.tensor(new[] { 0.5, -0.5 }), 2, true), "invalid multinomial distribution (encountering probability entry < 0)");
        Check<ArgumentException>(() => torch.multinomial(torch.tensor(new[] { 0.5, double.PositiveInfinity }), 2, true), "invalid multinomial distribution (encountering probability entry = infinity or NaN)");
        Check<ArgumentException>(() => torch.multinomial(torch.zeros(2), 2, true), "invalid multinomial distribution (sum of probabilities <= 0)");
        Check<ArgumentException>(() => torch.multinomial(torch.zeros(2), 1, true), "invalid multinomial distribution (sum of probabilities <= 0)");
        Check<ArgumentException>(() => torch.multinomial(torch.zeros(2), 1), "invalid multinomial distribution (sum of probabilities <= 0)");
        Check<ArgumentException>(() => torch.multinomial(torch.tensor(new[] { 0.0, 0.0, 1.0 }), 2), "not enough non-negative category to sample");
        Check<ArgumentException>(() => torch.multinomial(probs, 3), "cannot sample n_sample > prob_dist.size(-1) samples without replacement");
        Check<ArgumentException>(() => torch.multinomial(probs, 0), "cannot sample n_sample <= 0 samples");
        Check<ArgumentException>(() => torch.multinomial(torch.tensor(new long[] { 1, 2 }), 1), "multinomial only supports floating-point dtypes for input, got: Long");
        Check<ArgumentException>(() => torch.multinomial(torch.ones(2, 2, 2), 1), "prob_dist must be 1 or 2 dim");

        // Nothing above drew a number: validation happens before the generator is touched.
        Assert.True(torch.equal(before, torch.get_rng_state()));
    }

    // ---------------------------------------------------------------- regressions found by the fuzz test

    [Fact]
    public void Random_sizes_beyond_an_array_are_refused_before_drawing()
    {
        var before = torch.get_rng_state();
        Assert.Contains("has 10000000000 elements, more than the 2147483591 a .NET array can hold",
            Assert.Throws<ArgumentException>(() => torch.randn(100000, 100000)).Message);
        // randperm allocated its n-element permutation first: n = 2^31 - 1 ran out of memory.
        Assert.Contains("2147483647", Assert.Throws<ArgumentException>(() => torch.randperm(int.MaxValue)).Message);
        // num_samples was cast to int: 2^40 samples became none, an empty result.
        Assert.Contains("1099511627776", Assert.Throws<ArgumentException>(() => torch.ones(3).multinomial(1L << 40, true)).Message);
        Assert.True(torch.equal(before, torch.get_rng_state()));
    }

    [Fact]
    public void Random_from_the_largest_long_to_the_dtypes_top_is_refused()
    {
        // update_from computed from + 1, which wrapped, then Math.Abs of long.MinValue threw OverflowException
        // (PyTorch 1.13 loops for ever there).
        var e = Assert.Throws<ArgumentException>(() => torch.zeros(2).random_(long.MaxValue, to: null));
        Assert.Equal("random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to dtype, but got from=9223372036854775807 > to_inc=16777216", e.Message);
        Assert.Throws<ArgumentException>(() => torch.zeros(new long[] { 2 }, dtype: torch.float64).random_(long.MaxValue, to: null));
    }
}
