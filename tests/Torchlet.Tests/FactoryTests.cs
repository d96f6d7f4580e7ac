using System.Text.Json;
using Torchlet;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests;

/// <summary>
/// Factories (notes §2.1) against PyTorch 1.13 (fixtures/factories.json): torch.tensor's dtype
/// inference, filled tensors, eye, arange/range/linspace/logspace bit for bit, .to() conversions,
/// errors; and memory sharing of from_array/as_tensor with the C# array.
/// </summary>
public class FactoryTests
{
    static JsonElement Case(string name) => Fixtures.Case("factories", name);

    /// <summary>Exact comparison: these values are reproducible bit for bit.</summary>
    static void AssertExact(JsonElement expected, Tensor actual, string what) => Fixtures.AssertClose(expected, actual, 0, 0, what);

    static readonly Dictionary<string, Func<Tensor>> TensorCalls = new()
    {
        ["scalar_float"] = () => tensor(2.5),
        ["scalar_int"] = () => tensor(7),
        ["scalar_bool"] = () => tensor(true),
        ["list_float"] = () => tensor(new[] { 1.0, 2.5, -3.0 }),
        ["list_int"] = () => tensor(new[] { 1, 2, -3 }),
        ["list_bool"] = () => tensor(new[] { true, false }),
        ["list_2d"] = () => tensor(new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } }),
        ["list_2d_int"] = () => tensor(new long[,] { { 1, 2, 3 }, { 4, 5, 6 } }),
        ["list_3d"] = () => tensor(new double[,,] { { { 1, 2 }, { 3, 4 } }, { { 5, 6 }, { 7, 8 } } }),
        ["list_float_as_f64"] = () => tensor(new[] { 1.0, 2.5 }, dtype: float64),
        ["list_int_as_f32"] = () => tensor(new[] { 1, 2 }, dtype: float32),
        ["list_float_as_i64"] = () => tensor(new[] { 1.7, -2.7 }, dtype: int64),
        ["list_int_as_u8"] = () => tensor(new[] { 1, 255 }, dtype: uint8),
        ["list_int_as_bool"] = () => tensor(new[] { 0L, 3L }, dtype: @bool),
        ["empty_list"] = () => tensor(Array.Empty<double>()),
    };

    static readonly Dictionary<string, Func<Tensor>> FilledCalls = new()
    {
        ["zeros_2_3"] = () => zeros(2, 3),
        ["ones_3"] = () => ones(3),
        ["zeros_i64"] = () => zeros(2, dtype: int64),
        ["ones_bool"] = () => ones(2, 2, dtype: @bool),
        ["zeros_0"] = () => zeros(0, 3),
        ["zeros_scalar"] = () => zeros(Array.Empty<long>()),
        ["full_int"] = () => full([2, 2], 7),
        ["full_float"] = () => full([3], 2.5),
        ["full_bool"] = () => full([2], true),
        ["full_dtype"] = () => full([2], 3, dtype: float64),
        ["full_u8"] = () => full([2], 200, dtype: uint8),
        ["full_trunc"] = () => full([2], 2.9, dtype: int32),
        ["zeros_like"] = () => zeros_like(ones(2, 3, dtype: int32)),
        ["ones_like_f64"] = () => ones_like(ones(2), dtype: float64),
        ["full_like"] = () => full_like(ones(2, 2, dtype: int64), 4.7),
        ["full_like_float"] = () => full_like(ones(2), 4.7),
        ["eye_3"] = () => eye(3),
        ["eye_2_4"] = () => eye(2, 4),
        ["eye_4_2"] = () => eye(4, 2),
        ["eye_0"] = () => eye(0),
        ["eye_i64"] = () => eye(2, dtype: int64),
        ["eye_bool"] = () => eye(3, dtype: @bool),
        ["empty_shape"] = () => empty(2, 3).zero_(),
    };

    [Fact]
    public void Tensor_from_csharp_data_infers_pytorch_dtypes()
    {
        foreach (var (name, f) in TensorCalls) AssertExact(Case("tensor:" + name).GetProperty("out"), f(), name);
        // The same data as jagged arrays, float[] and 2-D int arrays.
        AssertExact(Case("tensor:list_2d").GetProperty("out"), tensor(new[] { new[] { 1.0, 2 }, new[] { 3.0, 4 }, new[] { 5.0, 6 } }), "jagged");
        AssertExact(Case("tensor:list_2d_int").GetProperty("out"), tensor(new[,] { { 1, 2, 3 }, { 4, 5, 6 } }), "int[,]");
        AssertExact(Case("tensor:list_2d_int").GetProperty("out"), tensor(new[] { new[] { 1, 2, 3 }, new[] { 4, 5, 6 } }), "int[][]");
        AssertExact(Case("tensor:list_float").GetProperty("out"), tensor(new[] { 1f, 2.5f, -3f }), "float[]");
        Assert.Equal(ScalarType.Byte, tensor(new byte[] { 1, 2 }).dtype);
        Assert.Equal(ScalarType.Int64, tensor(new long[,,] { { { 1 } } }).dtype);
        Assert.Equal(ScalarType.Int64, tensor(new int[,,] { { { 1 } } }).dtype);
        Assert.Equal(ScalarType.Bool, tensor(new[,,] { { { true } } }).dtype);
        var e = Assert.Throws<ArgumentException>(() => tensor(new[] { new[] { 1.0, 2 }, new[] { 3.0 } }));
        Assert.Contains("expected sequence of length 2 at dim 1 (got 1)", e.Message);
    }

    [Fact]
    public void Tensor_copies_its_data_and_takes_requires_grad()
    {
        var data = new[] { 1.0, 2.0 };
        var t = tensor(data, requires_grad: true);
        data[0] = 100;
        Assert.Equal(1f, t.data<float>()[0]);
        Assert.True(t.requires_grad && t.is_leaf);
        Assert.Equal(new long[] { 2, 3 }, tensor(new[] { 1.0, 2, 3, 4, 5, 6 }, new long[] { 2, 3 }).shape);
        var bad = Assert.Throws<ArgumentException>(() => tensor(new[] { 1.0, 2, 3 }, new long[] { 2, 2 }));
        Assert.Contains("[2, 2]", bad.Message);
    }

    [Fact]
    public void Filled_tensors_match_pytorch()
    {
        foreach (var (name, f) in FilledCalls) AssertExact(Case("filled:" + name).GetProperty("out"), f(), name);
        Assert.True(zeros(new long[] { 2 }, requires_grad: true).requires_grad);
        Assert.True(ones_like(ones(2), requires_grad: true).requires_grad);
    }

    static Scalar Num(JsonElement j) => ElementwiseTests.ScalarOf(j);

    public static IEnumerable<object[]> RangeCases() =>
        Fixtures.Load("factories").Select(c => c.GetProperty("name").GetString()!)
            .Where(n => n.StartsWith("arange:") || n.StartsWith("range:") || n.StartsWith("linspace:") || n.StartsWith("logspace:"))
            .Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(RangeCases))]
    public void Ranges_match_pytorch_bit_for_bit(string name)
    {
        var c = Case(name);
        ScalarType? dt = c.TryGetProperty("dtype", out var d) ? Fixtures.DType(d.GetString()!) : null;
        var args = c.GetProperty("args").EnumerateArray().ToArray();
        Func<Tensor> f;
        if (name.StartsWith("arange:"))
        {
            var a = args.Select(Num).ToArray();
            f = a.Length switch
            {
                1 => () => arange(a[0], dtype: dt),
                2 => () => arange(a[0], a[1], dtype: dt),
                _ => () => arange(a[0], a[1], a[2], dtype: dt),
            };
        }
        else if (name.StartsWith("range:"))
        {
            var a = args.Select(Num).ToArray();
#pragma warning disable CS0618 // torch.range is obsolete, as in PyTorch
            f = () => a.Length == 2 ? torch.range(a[0], a[1], dtype: dt) : torch.range(a[0], a[1], a[2], dtype: dt);
#pragma warning restore CS0618
        }
        else
        {
            var v = args.Select(x => x.GetDouble()).ToArray();
            f = name.StartsWith("linspace:")
                ? () => linspace(v[0], v[1], (long)v[2], dtype: dt)
                : () => logspace(v[0], v[1], (long)v[2], v[3], dtype: dt);
        }
        if (c.TryGetProperty("error", out var err)) { ElementwiseTests.AssertThrowsLike(err.GetString()!, () => f(), name); return; }
        AssertExact(c.GetProperty("out"), f(), name);
    }

    [Fact]
    public void Range_is_inclusive_and_warns_once_on_stderr()
    {
        var err = Console.Error;
        var sw = new StringWriter();
        Console.SetError(sw);
        Tensor r;
        try
        {
#pragma warning disable CS0618
            r = torch.range(1, 4);
            torch.range(0, 1, 0.5);
#pragma warning restore CS0618
        }
        finally { Console.SetError(err); }
        Assert.Equal(new[] { 1f, 2, 3, 4 }, r.data<float>().ToArray());
        // Once per process: another test may already have triggered it.
        int count = System.Text.RegularExpressions.Regex.Matches(sw.ToString(), "torch.range is deprecated").Count;
        Assert.True(count <= 1, $"warned {count} times");
        Assert.True(count == 1 || Warnings_seen("torch.range is deprecated"));
    }

    static bool Warnings_seen(string prefix)
    {
        // Warn() again must print nothing if the message was already shown.
        var err = Console.Error;
        var sw = new StringWriter();
        Console.SetError(sw);
        try
        {
#pragma warning disable CS0618
            torch.range(0, 1);
#pragma warning restore CS0618
        }
        finally { Console.SetError(err); }
        return !sw.ToString().Contains(prefix);
    }

    [Fact]
    public void Float32_linspace_keeps_pytorch_rounding_for_long_ranges()
    {
        // Long enough for many 8-lane chunks on both sides of the halfway point.
        var c = Case("linspace:-16.76,83.25,164:float32");
        AssertExact(c.GetProperty("out"), linspace(-16.76, 83.25, 164), "linspace");
        var v = linspace(0, 1, 5).data<float>().ToArray();
        Assert.Equal(new[] { 0f, 0.25f, 0.5f, 0.75f, 1f }, v);
        Assert.Equal(ScalarType.Int64, arange(5).dtype);
        Assert.Equal(ScalarType.Float32, arange(5.0).dtype);
        Assert.Equal(ScalarType.Float32, arange(0, 5, 0.5).dtype);
    }

    public static IEnumerable<object[]> ConversionCases() =>
        Fixtures.Load("factories").Select(c => c.GetProperty("name").GetString()!).Where(n => n.StartsWith("to:")).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(ConversionCases))]
    public void To_dtype_converts_like_pytorch(string name)
    {
        var c = Case(name);
        var x = Fixtures.T(c.GetProperty("input"));
        var dt = Fixtures.DType(c.GetProperty("dtype").GetString()!);
        AssertExact(c.GetProperty("out"), x.to(dt), name);
        AssertExact(c.GetProperty("out"), x.t().to(dt), name + " (strided)");
    }

    public static IEnumerable<object[]> ErrorCases() =>
        Fixtures.Load("factories").Select(c => c.GetProperty("name").GetString()!).Where(n => n.StartsWith("error:")).Select(n => new object[] { n });

    static readonly Dictionary<string, Action> ErrorCalls = new()
    {
        ["arange_step0"] = () => arange(0, 3, (Scalar)0),
        ["arange_sign"] = () => arange(0, 3, -1),
        ["arange_nan"] = () => arange(0, double.NaN),
#pragma warning disable CS0618
        ["range_sign"] = () => torch.range(0, -0.5),
#pragma warning restore CS0618
        ["linspace_negative"] = () => linspace(0, 1, -1),
        ["logspace_negative"] = () => logspace(0, 1, -1),
        ["eye_negative"] = () => eye(-1),
        ["eye_m_negative"] = () => eye(2, -2),
        ["zeros_negative"] = () => zeros(-1),
        ["full_overflow"] = () => full([2], 300, dtype: uint8),
        ["requires_grad_int"] = () => zeros(new long[] { 2 }, dtype: int64, requires_grad: true),
    };

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void Factory_errors_carry_pytorchs_message(string name) =>
        ElementwiseTests.AssertThrowsLike(Case(name).GetProperty("error").GetString()!, ErrorCalls[name["error:".Length..]], name);

    // ---------------------------------------------------------------- memory sharing with C# arrays

    [Fact]
    public void From_array_and_as_tensor_share_memory_with_the_array()
    {
        var data = new float[] { 1, 2, 3, 4, 5, 6 };
        var t = from_array(data, 2, 3);
        Assert.Equal(new long[] { 2, 3 }, t.shape);
        data[4] = 50;
        Assert.Equal(50f, t.select(0, 1).select(0, 1).item<float>());
        t.select(0, 0).fill_(-1);
        Assert.Equal(new float[] { -1, -1, -1, 4, 50, 6 }, data);

        var d = new[] { 1.0, 2.0 };
        var a = as_tensor(d);
        Assert.Equal(float64, a.dtype);
        a.mul_(3);
        Assert.Equal(new[] { 3.0, 6.0 }, d);
        var converted = as_tensor(d, dtype: float32);   // a conversion must copy
        converted.zero_();
        Assert.Equal(new[] { 3.0, 6.0 }, d);
        var same = as_tensor(a);
        Assert.Same(a, same);
        Assert.Equal(ScalarType.Int64, from_array(new long[] { 1 }).dtype);
        Assert.Equal(ScalarType.Byte, from_array(new byte[] { 1 }).dtype);
        Assert.Throws<ArgumentException>(() => from_array(data, 4, 2));
    }

    // ---------------------------------------------------------------- regressions found by the fuzz test

    [Fact]
    public void Sizes_beyond_an_array_raise_an_ArgumentException_naming_the_size()
    {
        Assert.Contains("1099511627776", Assert.Throws<ArgumentException>(() => zeros(1L << 40)).Message);
        Assert.Contains("has 1099511627776 elements", Assert.Throws<ArgumentException>(() => ones(1L << 20, 1L << 20)).Message);
        Assert.Contains("has 1099511627776 elements", Assert.Throws<ArgumentException>(() => full(new[] { 1L << 20, 1L << 20 }, 1.0)).Message);
        Assert.Contains("has 1099511627776 elements", Assert.Throws<ArgumentException>(() => eye(1L << 20)).Message);
        Assert.Contains("has 2147483647 elements", Assert.Throws<ArgumentException>(() => empty(int.MaxValue)).Message);
        Assert.Contains("1000000000000 elements", Assert.Throws<ArgumentException>(() => arange(0, 1e12)).Message);
        // steps was a checked cast to int: OverflowException.
        Assert.Contains("1099511627776", Assert.Throws<ArgumentException>(() => linspace(0, 1, 1L << 40)).Message);
        Assert.Contains("2147483648", Assert.Throws<ArgumentException>(() => logspace(0, 1, 1L << 31)).Message);
    }

    [Fact]
    public void A_dtype_value_that_names_no_dtype_is_an_ArgumentException()
    {
        // (ScalarType)99 reached Storage.Allocate's ArgumentOutOfRangeException with the runtime's message.
        var bad = (ScalarType)99;
        foreach (var f in new Func<Tensor>[] { () => zeros(new long[] { 2 }, dtype: bad), () => tensor(new[] { 1, 2 }, dtype: bad), () => arange(3.0).to(bad), () => eye(2, dtype: bad) })
            Assert.Equal("dtype 99 is not one Torchlet has: expected torch.float32, torch.float64, torch.int64, torch.int32, torch.uint8 or torch.bool", Assert.Throws<ArgumentException>(f).Message);
    }

    [Fact]
    public void An_element_type_with_no_dtype_is_an_ArgumentException_every_time()
    {
        // Storage<short>'s static initializer threw: TypeInitializationException, and the type stayed broken.
        for (int i = 0; i < 2; i++)
        {
            Assert.Contains("Torchlet has no dtype for the C# type Int16", Assert.Throws<ArgumentException>(() => from_array(new short[] { 1, 2 })).Message);
            Assert.Contains("Int16", Assert.Throws<ArgumentException>(() => as_tensor(new short[] { 1 })).Message);
        }
    }
}
