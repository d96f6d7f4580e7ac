using System.Runtime.InteropServices;
using System.Text.Json;
using Torchlet;
using Xunit;

namespace Torchlet.Tests;

/// <summary>
/// Tests that change process-wide state (print options, the default random generator) run in this
/// collection, which xunit runs on its own, so tests elsewhere never see a changed setting.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalStateCollection
{
    public const string Name = "Torchlet global state (print options, default generator)";
}

[Collection(GlobalStateCollection.Name)]
public class PrintingTests
{
    public static IEnumerable<object[]> Cases => Fixtures.Names("printing");

    /// <summary>A fixture tensor from its exact little-endian bytes.</summary>
    internal static Tensor Raw(JsonElement e)
    {
        var dt = Fixtures.DType(e.GetProperty("dtype").GetString()!);
        var shape = Fixtures.ShapeOf(e);
        var bytes = Convert.FromBase64String(e.GetProperty("b64").GetString()!);
        return dt switch
        {
            ScalarType.Float32 => torch.tensor(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), shape),
            ScalarType.Float64 => torch.tensor(MemoryMarshal.Cast<byte, double>(bytes).ToArray(), shape, dtype: torch.float64),
            ScalarType.Int64 => torch.tensor(MemoryMarshal.Cast<byte, long>(bytes).ToArray(), shape),
            ScalarType.Int32 => torch.tensor(MemoryMarshal.Cast<byte, int>(bytes).ToArray(), shape, dtype: torch.int32),
            ScalarType.Byte => torch.tensor(bytes, shape),
            ScalarType.Bool => torch.tensor(bytes.Select(b => b != 0).ToArray(), shape),
            _ => throw new ArgumentException(dt.ToString()),
        };
    }

    static Tensor Build(JsonElement c)
    {
        var t = Raw(c.GetProperty("t"));
        if (c.TryGetProperty("view", out var view))
        {
            t = view[0].GetString() switch
            {
                "t" => t.t(),
                "expand" => t.expand(view[1].EnumerateArray().Select(x => x.GetInt64()).ToArray()),
                var v => throw new ArgumentException(v),
            };
        }
        if (c.TryGetProperty("op", out var op))
        {
            t = op.GetString() switch
            {
                "requires_grad" => t.detach().requires_grad_(),
                "mul1" => t.detach().requires_grad_() * 1.0,
                "add0" => t.detach().requires_grad_() + 0,
                "param" => new Parameter(t),
                var o => throw new ArgumentException(o),
            };
        }
        return t;
    }

    static void Apply(JsonElement opts)
    {
        int? I(string k) => opts.TryGetProperty(k, out var v) ? v.GetInt32() : null;
        torch.set_printoptions(
            precision: I("precision"),
            threshold: opts.TryGetProperty("threshold", out var th) ? th.GetDouble() : null,
            edgeitems: I("edgeitems"),
            linewidth: I("linewidth"),
            profile: opts.TryGetProperty("profile", out var p) ? p.GetString() : null,
            sci_mode: opts.TryGetProperty("sci_mode", out var s) ? s.GetBoolean() : null);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorchStr(string name)
    {
        var c = Fixtures.Case("printing", name);
        var t = Build(c);
        string got;
        try
        {
            if (c.TryGetProperty("opts", out var opts)) Apply(opts);
            got = t.ToString();
        }
        finally
        {
            torch.set_printoptions(profile: "default");
        }
        Assert.Equal(c.GetProperty("str").GetString(), got);
    }

    [Fact]
    public void DefaultProfileRestoresEverything()
    {
        var x = torch.tensor(new[] { 1.12345, 2.5 });
        try
        {
            torch.set_printoptions(precision: 2, threshold: 3, edgeitems: 1, linewidth: 20, sci_mode: true);
            Assert.Equal("tensor([1.12e+00, 2.50e+00])", x.ToString());
            Assert.Equal("tensor([0,  ..., 9])", torch.arange(0, 10).ToString());
            torch.set_printoptions(profile: "default");
            Assert.Equal("tensor([1.1235, 2.5000])", x.ToString());
            Assert.Equal("tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])", torch.arange(0, 10).ToString());
        }
        finally
        {
            torch.set_printoptions(profile: "default");
        }
    }

    [Fact]
    public void PrintsWithoutReadingTheWholeTensor()
    {
        // 1.2e9 elements through a stride-0 view: only the 36 shown ones may be read.
        var big = torch.tensor(new[] { 0.5 }).expand(40000, 30000);
        Assert.Equal(
            "tensor([[0.5000, 0.5000, 0.5000,  ..., 0.5000, 0.5000, 0.5000],\n" +
            "        [0.5000, 0.5000, 0.5000,  ..., 0.5000, 0.5000, 0.5000],\n" +
            "        [0.5000, 0.5000, 0.5000,  ..., 0.5000, 0.5000, 0.5000],\n" +
            "        ...,\n" +
            "        [0.5000, 0.5000, 0.5000,  ..., 0.5000, 0.5000, 0.5000],\n" +
            "        [0.5000, 0.5000, 0.5000,  ..., 0.5000, 0.5000, 0.5000],\n" +
            "        [0.5000, 0.5000, 0.5000,  ..., 0.5000, 0.5000, 0.5000]])", big.ToString());
    }

    [Fact]
    public void PythonFloatFormatting()
    {
        // Ties round half to even on the exact binary value, as Python's format does.
        Assert.Equal("0.12", TensorFormatter.Fixed(0.125, 2));
        Assert.Equal("2", TensorFormatter.Fixed(2.5, 0));
        Assert.Equal("0.1000", TensorFormatter.Fixed(0.1, 4));
        Assert.Equal("-0.0000", TensorFormatter.Fixed(-1e-9, 4));
        Assert.Equal("100000000000000000000", TensorFormatter.Fixed(1e20, 0));
        Assert.Equal("1.2346e+05", TensorFormatter.Sci(123456.0, 4));
        Assert.Equal("1.0000e+01", TensorFormatter.Sci(9.99999, 4));
        Assert.Equal("-4.9407e-324", TensorFormatter.Sci(-double.Epsilon, 4));
        Assert.Equal("1.7977e+308", TensorFormatter.Sci(double.MaxValue, 4));
        Assert.Equal("0e+00", TensorFormatter.Sci(0.0, 0));
        Assert.Equal("1e+100", TensorFormatter.Sci(1e100, 0));
    }

    [Fact]
    public void BadOptionsAreRejectedWithoutChangingAnything()
    {
        try
        {
            var e = Assert.Throws<ArgumentException>(() => torch.set_printoptions(precision: -1));
            Assert.Contains("precision must be >= 0, got -1", e.Message);
            e = Assert.Throws<ArgumentException>(() => torch.set_printoptions(profile: "long", precision: 2));
            Assert.Contains("profile must be \"default\", \"short\" or \"full\", got \"long\"", e.Message);
            e = Assert.Throws<ArgumentException>(() => torch.set_printoptions(linewidth: 0));
            Assert.Contains("linewidth must be >= 1", e.Message);
            Assert.Equal("tensor([1.1235])", torch.tensor(new[] { 1.12345 }).ToString());
        }
        finally
        {
            torch.set_printoptions(profile: "default");
        }
    }
}
