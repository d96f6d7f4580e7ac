using System.Text.Json;
using Torchlet;
using Xunit;

namespace Torchlet.Tests;

/// <summary>Reads the PyTorch reference values written by tests/fixtures/gen_*.py.</summary>
public static class Fixtures
{
    static readonly Dictionary<string, JsonElement[]> s_cache = new();

    /// <summary>All cases of fixtures/<paramref name="file"/>.json.</summary>
    public static JsonElement[] Load(string file)
    {
        lock (s_cache)
        {
            if (s_cache.TryGetValue(file, out var c)) return c;
            var path = Path.Combine(AppContext.BaseDirectory, "fixtures", file + ".json");
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            c = doc.RootElement.GetProperty("cases").EnumerateArray().Select(e => e.Clone()).ToArray();
            s_cache[file] = c;
            return c;
        }
    }

    /// <summary>The case named <paramref name="name"/> (cases carry a "name" field).</summary>
    public static JsonElement Case(string file, string name) =>
        Load(file).FirstOrDefault(c => c.GetProperty("name").GetString() == name) is { ValueKind: JsonValueKind.Object } e
            ? e : throw new KeyNotFoundException($"fixture {file}.json has no case '{name}'");

    /// <summary>xunit MemberData: one row per case name.</summary>
    public static IEnumerable<object[]> Names(string file) =>
        Load(file).Select(c => new object[] { c.GetProperty("name").GetString()! });

    public static ScalarType DType(string s) => s switch
    {
        "float32" => ScalarType.Float32,
        "float64" => ScalarType.Float64,
        "int64" => ScalarType.Int64,
        "int32" => ScalarType.Int32,
        "uint8" => ScalarType.Byte,
        "bool" => ScalarType.Bool,
        _ => throw new ArgumentException(s),
    };

    static double Num(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Number => v.GetDouble(),
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        JsonValueKind.String => v.GetString() switch { "nan" => double.NaN, "inf" => double.PositiveInfinity, "-inf" => double.NegativeInfinity, var s => double.Parse(s!) },
        _ => throw new ArgumentException(v.ToString()),
    };

    /// <summary>A fixture tensor ({dtype, shape, data}) as a Torchlet tensor of the same dtype.</summary>
    public static Tensor T(JsonElement e, bool requiresGrad = false)
    {
        var dt = DType(e.GetProperty("dtype").GetString()!);
        var shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
        var data = e.GetProperty("data").EnumerateArray().Select(Num).ToArray();
        var t = torch.tensor(data, shape, dtype: ScalarType.Float64);
        // Integers are exact in double up to 2^53, so the round trip through float64 is lossless here.
        t = t.to(dt);
        if (requiresGrad) t.requires_grad_(true);
        return t;
    }

    public static double[] Values(JsonElement e) => e.GetProperty("data").EnumerateArray().Select(Num).ToArray();
    public static long[] ShapeOf(JsonElement e) => e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();

    /// <summary>Asserts same shape, same dtype and values within atol + rtol·|expected| (NaN matches NaN).</summary>
    public static void AssertClose(JsonElement expected, Tensor actual, double atol = 1e-5, double rtol = 1e-4, string what = "")
    {
        var dt = DType(expected.GetProperty("dtype").GetString()!);
        Assert.True(dt == actual.dtype, $"{what}: dtype {actual.dtype} but PyTorch gives {dt}");
        AssertClose(ShapeOf(expected), Values(expected), actual, atol, rtol, what);
    }

    public static void AssertClose(long[] shape, double[] expected, Tensor actual, double atol = 1e-5, double rtol = 1e-4, string what = "")
    {
        Assert.True(shape.SequenceEqual(actual.shape), $"{what}: shape [{string.Join(", ", actual.shape)}] but PyTorch gives [{string.Join(", ", shape)}]");
        var got = actual.ToArray<double>();
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < got.Length; i++)
        {
            double e = expected[i], a = got[i];
            if (double.IsNaN(e)) { Assert.True(double.IsNaN(a), $"{what}: element {i} is {a}, expected NaN"); continue; }
            if (double.IsInfinity(e)) { Assert.True(a == e, $"{what}: element {i} is {a}, expected {e}"); continue; }
            Assert.True(Math.Abs(a - e) <= atol + rtol * Math.Abs(e), $"{what}: element {i} is {a}, PyTorch gives {e} (atol {atol}, rtol {rtol})");
        }
    }
}
