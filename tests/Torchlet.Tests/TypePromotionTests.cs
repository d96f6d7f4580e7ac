using Torchlet;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests;

/// <summary>
/// PyTorch's type promotion (fixtures/type_promotion.json): a dimensioned tensor's dtype wins over
/// a 0-dim tensor's unless the 0-dim one is of a higher category (bool &lt; integer &lt; floating);
/// Python numbers matter only through their category (elementwise_scalar.json covers those).
/// </summary>
public class TypePromotionTests
{
    static readonly Dictionary<string, Func<Tensor, Tensor, Tensor>> Ops = new()
    {
        ["add"] = (a, b) => a + b,
        ["mul"] = (a, b) => a * b,
        ["div"] = (a, b) => a / b,
        ["pow"] = (a, b) => a.pow(b),
        ["maximum"] = maximum,
        ["lt"] = (a, b) => a.lt(b),
        ["bitwise_or"] = (a, b) => a | b,
    };

    public static IEnumerable<object[]> Cases() => Fixtures.Names("type_promotion");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Result_dtype_and_values_match_pytorch(string name)
    {
        var c = Fixtures.Case("type_promotion", name);
        var a = Fixtures.T(c.GetProperty("a"));
        var b = Fixtures.T(c.GetProperty("b"));
        var op = Ops[c.GetProperty("op").GetString()!];
        if (c.TryGetProperty("error", out var err)) { ElementwiseTests.AssertThrowsLike(err.GetString()!, () => op(a, b), name); return; }
        ElementwiseTests.AssertMatches(c.GetProperty("out"), op(a, b), name, f32rtol: 1e-6);
    }

    [Fact]
    public void Python_number_rules()
    {
        var i32 = tensor(new[] { 1, 2 }, dtype: int32);
        var u8 = tensor(new byte[] { 1, 2 });
        var b = tensor(new[] { true, false });
        var f64 = tensor(new[] { 1.0, 2.0 }, dtype: float64);
        Assert.Equal(int32, (i32 + 5L).dtype);            // an int number never widens an int tensor
        Assert.Equal(float32, (i32 + 0.5).dtype);         // a float number makes the default float dtype
        Assert.Equal(float64, (f64 * 2.5).dtype);         // ... but never narrows a float tensor
        Assert.Equal(uint8, (u8 * 300).dtype);            // wraps as uint8, as PyTorch does
        Assert.Equal(new byte[] { 44, 88 }, (u8 * 300).data<byte>().ToArray());
        Assert.Equal(int64, (b + 1).dtype);
        Assert.Equal(ScalarType.Bool, (b + true).dtype);
        Assert.Equal(float32, (i32 / 2).dtype);           // true division of integers is floating
        Assert.Equal(float32, (b / b).dtype);
        Assert.Equal(int64, torch.pow(2, b).dtype);
        Assert.Equal(ScalarType.Bool, i32.lt(1.5).dtype);
        Assert.Equal(new[] { true, false }, i32.lt(1.5).data<bool>().ToArray());
        // 0-dim tensors behave like numbers unless their category is higher.
        Assert.Equal(int32, (i32 + tensor(7L)).dtype);
        Assert.Equal(float64, (i32 + tensor(1.5, dtype: float64)).dtype);
        Assert.Equal(float32, (tensor(new[] { 1.0f }) + tensor(1.5, dtype: float64)).dtype);
        Assert.Equal(float64, (tensor(1.0f) + tensor(1.5, dtype: float64)).dtype);
    }
}
