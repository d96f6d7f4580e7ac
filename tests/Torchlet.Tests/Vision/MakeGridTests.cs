using Torchlet;
using Xunit;
using static Torchlet.torch;
using static Torchlet.torchvision;

namespace Torchlet.Tests.Vision;

/// <summary>torchvision.utils.make_grid against torchvision 0.14 (fixtures/vision.json, tests/fixtures/gen_vision.py).</summary>
public class MakeGridTests
{
    // Deterministic values in [0, 1) without touching the global generator (other tests seed it).
    internal static Tensor Ramp(params long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        return arange(0.0, n, 1.0).div(n).reshape(shape);
    }

    [Theory]
    [MemberData(nameof(VisionFixtures.GridCases), MemberType = typeof(VisionFixtures))]
    public void MatchesTorchvision(string name)
    {
        var c = Fixtures.Case(VisionFixtures.File, name);
        var (tensor, list) = VisionFixtures.Input(c);
        var a = VisionFixtures.KwArgs(c);
        var before = tensor?.clone();
        var grid = tensor is not null
            ? torchvision.utils.make_grid(tensor, a.nrow, a.padding, a.normalize, a.value_range, a.scale_each, a.pad_value)
            : torchvision.utils.make_grid(list!, a.nrow, a.padding, a.normalize, a.value_range, a.scale_each, a.pad_value);
        // Layout and padding are copies (exact); normalisation is a clamp, a subtraction and one division in the input's dtype.
        Fixtures.AssertClose(c.GetProperty("grid"), grid, atol: a.normalize ? 1e-6 : 0, rtol: a.normalize ? 1e-6 : 0, what: name);
        if (before is not null) Fixtures.AssertClose(before.shape, before.ToArray<double>(), tensor!, 0, 0, $"{name}: input left unchanged");
    }

    [Fact]
    public void LayoutOfFiveImagesInRowsOfThree()
    {
        // 5 images 3×4×5, nrow 3, padding 2: 3 columns, 2 rows; each cell 6×7 plus the outer padding.
        var x = arange(5.0).reshape(5, 1, 1, 1).expand(5, 3, 4, 5).contiguous();
        var g = torchvision.utils.make_grid(x, nrow: 3, padding: 2, pad_value: -1);
        Assert.Equal(new long[] { 3, 2 * 6 + 2, 3 * 7 + 2 }, g.shape);
        Assert.Equal(4.0, g[0, 8 + 1, 7 + 2].item<float>());   // row 1, column 1 holds image 4
        Assert.Equal(-1.0, g[0, 8 + 1, 14 + 2].item<float>()); // row 1, column 2 is empty padding
        Assert.Equal(-1.0, g[2, 0, 0].item<float>());
    }

    [Fact]
    public void RunsWithoutRecordingAGraph()
    {
        var x = Ramp(4, 3, 2, 2).requires_grad_(true);
        var g = torchvision.utils.make_grid(x, nrow: 2, normalize: true);
        Assert.False(g.requires_grad);
        Assert.Null(g.grad_fn);
        Assert.True(is_grad_enabled());
    }

    [Fact]
    public void SingleImageComesBackWithoutPadding()
    {
        var x = Ramp(3, 5, 6);
        var g = torchvision.utils.make_grid(x, padding: 4);
        Assert.Equal(x.shape, g.shape);
        Assert.Equal(x.ToArray<float>(), g.ToArray<float>());
        var gray = torchvision.utils.make_grid(Ramp(5, 6));
        Assert.Equal(new long[] { 3, 5, 6 }, gray.shape);
    }

    [Fact]
    public void RejectsFiveDimensionalInput()
    {
        var e = Assert.Throws<ArgumentException>(() => torchvision.utils.make_grid(zeros(2, 2, 3, 4, 5)));
        Assert.Contains("make_grid", e.Message);
        Assert.Contains("got a 5-D tensor of shape [2, 2, 3, 4, 5]", e.Message);
        Assert.Equal("tensor", e.ParamName);
    }

    [Fact]
    public void RejectsOneDimensionalInput()
    {
        var e = Assert.Throws<ArgumentException>(() => torchvision.utils.make_grid(zeros(7)));
        Assert.Contains("got a 1-D tensor of shape [7]", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void RejectsNrowBelowOne(long nrow)
    {
        var e = Assert.Throws<ArgumentException>(() => torchvision.utils.make_grid(zeros(2, 3, 4, 4), nrow: nrow));
        Assert.Contains($"nrow (images per row) to be at least 1, got {nrow}", e.Message);
        Assert.Equal("nrow", e.ParamName);
    }

    [Fact]
    public void RejectsNegativePadding()
    {
        var e = Assert.Throws<ArgumentException>(() => torchvision.utils.make_grid(zeros(2, 3, 4, 4), padding: -1));
        Assert.Contains("padding to be non-negative, got -1", e.Message);
        Assert.Equal("padding", e.ParamName);
    }

    [Fact]
    public void RejectsEmptyBatchAndEmptyList()
    {
        var e = Assert.Throws<ArgumentException>(() => torchvision.utils.make_grid(zeros(0, 3, 4, 4)));
        Assert.Contains("at least one image", e.Message);
        Assert.Contains("[0, 3, 4, 4]", e.Message);
        var l = Assert.Throws<ArgumentException>(() => torchvision.utils.make_grid(new List<Tensor>()));
        Assert.Contains("non-empty list of images", l.Message);
    }

    [Fact]
    public void RejectsListOfDifferentShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => torchvision.utils.make_grid(new[] { zeros(3, 4, 4), zeros(3, 4, 5) }));
        Assert.Contains("[3, 4, 4]", e.Message);
        Assert.Contains("[3, 4, 5]", e.Message);
    }

    [Fact]
    public void RejectsNullInList()
    {
        var e = Assert.Throws<ArgumentNullException>(() => torchvision.utils.make_grid(new Tensor[] { zeros(3, 2, 2), null! }));
        Assert.Contains("tensors[1] is null", e.Message);
    }
}
