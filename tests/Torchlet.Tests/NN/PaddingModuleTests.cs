using Torchlet;
using Torchlet.Modules;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests.NN;

/// <summary>The padding modules against PyTorch: the notes' int64 example, every module's values, gradients and repr, errors.</summary>
public partial class PaddingTests
{
    /// <summary>The modules as gen_nn_padding.py builds them (CircularPad/ZeroPad1d/3d: later PyTorch's, checked against F.pad).</summary>
    static readonly Dictionary<string, Func<PadNd>> Modules = new()
    {
        ["notes_constant"] = () => nn.ConstantPad2d([1, 1, 1, 1], -1),
        ["ConstantPad1d"] = () => nn.ConstantPad1d(2, 3.5),
        ["ConstantPad1d_tuple_unbatched"] = () => nn.ConstantPad1d((1, 2), -1),
        ["ConstantPad2d_mixed"] = () => nn.ConstantPad2d((1, 0, 2, -1), 0.5),
        ["ConstantPad3d"] = () => nn.ConstantPad3d(1, 2),
        ["ConstantPad3d_tuple"] = () => nn.ConstantPad3d((1, 0, 0, 1, 2, 0), 0.0),
        ["ZeroPad2d"] = () => nn.ZeroPad2d(2),
        ["ZeroPad2d_tuple"] = () => nn.ZeroPad2d((1, 2, 0, 1)),
        ["ReplicationPad1d"] = () => nn.ReplicationPad1d((3, 1)),
        ["ReplicationPad2d"] = () => nn.ReplicationPad2d(2),
        ["ReplicationPad3d"] = () => nn.ReplicationPad3d((1, 0, 2, 1, 0, 1)),
        ["ReflectionPad1d"] = () => nn.ReflectionPad1d(2),
        ["ReflectionPad2d"] = () => nn.ReflectionPad2d((1, 2, 2, 0)),
        ["ReflectionPad3d"] = () => nn.ReflectionPad3d(1),
        ["CircularPad1d"] = () => nn.CircularPad1d((1, 2)),
        ["CircularPad2d"] = () => nn.CircularPad2d(1),
        ["CircularPad2d_unbatched"] = () => nn.CircularPad2d((2, 0, 1, 1)),
        ["CircularPad3d"] = () => nn.CircularPad3d((1, 0, 2, 1, 0, 1)),
        ["ZeroPad1d"] = () => nn.ZeroPad1d((1, 2)),
        ["ZeroPad3d"] = () => nn.ZeroPad3d(1),
        ["repr_c2"] = () => nn.ConstantPad2d(1, -1),
        ["repr_c1"] = () => nn.ConstantPad1d((1, 2), 3.5),
        ["repr_c3"] = () => nn.ConstantPad3d(1, 0),
        ["repr_z2"] = () => nn.ZeroPad2d(2),
        ["repr_r3"] = () => nn.ReplicationPad3d(1),
        ["repr_f1"] = () => nn.ReflectionPad1d((1, 2)),
        ["repr_f3"] = () => nn.ReflectionPad3d(1),
        ["repr_c2_float"] = () => nn.ConstantPad2d(1, 1e-05),
        ["repr_c2_int_value"] = () => nn.ConstantPad2d(1, 2),
    };

    public static IEnumerable<object[]> ModuleCases() => Kind("module").Concat(Kind("repr"));

    [Theory]
    [MemberData(nameof(ModuleCases))]
    public void Module_matches_pytorch(string name)
    {
        var c = Fixtures.Case(File, name);
        var m = Modules[name]();
        Assert.Equal(c.GetProperty("repr").GetString(), m.ToString());
        if (c.GetProperty("kind").GetString() == "module") Check(c, x => m.call(x), name);
        Assert.Empty(m.parameters());
    }

    [Fact]
    public void Notes_example_int64()
    {
        // The notes: inputs = torch.arange(12).view(1, 1, 3, 4) — int64. Constant padding works,
        // reflection and replication refuse integers as PyTorch 1.13 does, naming the layer.
        var inputs = torch.arange(12).view(1, 1, 3, 4);
        var y = nn.ConstantPad2d([1, 1, 1, 1], -1).forward(inputs);
        Assert.Equal(ScalarType.Int64, y.dtype);
        Assert.Equal([1L, 1, 5, 6], y.shape);
        Assert.Equal(new long[] { -1, -1, -1, -1, -1, -1, -1, 0, 1, 2, 3, -1, -1, 4, 5, 6, 7, -1, -1, 8, 9, 10, 11, -1, -1, -1, -1, -1, -1, -1 }, y.ToArray<long>());
        var rep = nn.ReplicationPad2d(1);
        var e = Assert.Throws<ArgumentException>(() => rep.forward(inputs));
        Assert.StartsWith("ReplicationPad2d((1, 1, 1, 1)): ", e.Message);
        Assert.Contains(PyMessage("notes_replication_int64"), e.Message);
        var refl = nn.ReflectionPad2d(1);
        e = Assert.Throws<ArgumentException>(() => refl.forward(inputs));
        Assert.StartsWith("ReflectionPad2d((1, 1, 1, 1)): ", e.Message);
        Assert.Contains(PyMessage("notes_reflection_int64"), e.Message);
        // As floats they pad; the modules still work after the errors.
        Assert.Equal(new float[] { 5, 4, 5, 6, 7, 6 }, refl.forward(inputs.@float())[0, 0, 0].ToArray<float>());
        Assert.Equal(new float[] { 0, 0, 1, 2, 3, 3 }, rep.forward(inputs.@float())[0, 0, 0].ToArray<float>());
    }

    [Fact]
    public void Module_errors_name_the_layer()
    {
        var e = Assert.Throws<ArgumentException>(() => nn.ReflectionPad2d(4).forward(torch.randn(1, 1, 3, 4)));
        Assert.StartsWith("ReflectionPad2d((4, 4, 4, 4)): Argument #4: Padding size should be less than the corresponding input dimension", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.ReplicationPad2d(1).forward(torch.randn(4, 3)));
        Assert.StartsWith("ReplicationPad2d((1, 1, 1, 1)): Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.CircularPad2d(1).forward(torch.randn(4, 3)));
        Assert.StartsWith("CircularPad2d((1, 1, 1, 1)): expected 3D or 4D input (got 2D input", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.CircularPad1d(5).forward(torch.randn(1, 2, 3)));
        Assert.Contains("Padding value causes wrapping around more than once.", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.ConstantPad2d(1, 0).forward(torch.randn(3)));
        Assert.StartsWith("ConstantPad2d(padding=(1, 1, 1, 1), value=0): Padding length too large", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.ConstantPad2d([1, 1, 1], 0));
        Assert.Contains("padding must be an int or a tuple of 4 ints, got (1, 1, 1)", e.Message);
    }
}
