using System.Text.Json;
using Torchlet;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests;

/// <summary>
/// <c>x.size()</c> as PyTorch 1.13's torch.Size (fixtures/size.json, written by gen_size.py): its text, length,
/// numel, negative indexing, slicing and equality; and as C# uses it: conversions to and from <c>long[]</c>.
/// </summary>
public class SizeTests
{
    public static IEnumerable<object[]> Cases() => Fixtures.Names("size");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Size_matches_torch_Size(string name)
    {
        var c = Fixtures.Case("size", name);
        var shape = c.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var s = zeros(shape).size();
        Assert.Equal(c.GetProperty("str").GetString(), s.ToString());
        Assert.Equal(c.GetProperty("len").GetInt32(), s.Count);
        Assert.Equal(c.GetProperty("len").GetInt32(), s.Length);
        Assert.Equal(c.GetProperty("numel").GetInt64(), s.numel());
        var negative = c.GetProperty("negative").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        for (int i = 1; i <= negative.Length; i++)
        {
            Assert.Equal(negative[i - 1], s[-i]);
            Assert.Equal(negative[i - 1], s[^i]);
        }
        Assert.Equal(c.GetProperty("tail").GetString(), s[1..].ToString());
        Assert.Equal(c.GetProperty("equals_tuple").GetBoolean(), s == shape);
        Assert.Equal(c.GetProperty("equals_other_size").GetBoolean(), s == new Size(shape));
        Assert.Equal(c.GetProperty("equals_longer").GetBoolean(), s == new Size([.. shape, 1]));
        var error = c.GetProperty("index_error").GetString()!;
        Assert.Contains(error, Assert.Throws<IndexOutOfRangeException>(() => s[s.Count]).Message);
        Assert.Contains(error, Assert.Throws<IndexOutOfRangeException>(() => s[-s.Count - 1]).Message);
    }

    [Fact]
    public void Console_WriteLine_prints_torch_Size()
    {
        var w = new StringWriter();
        w.WriteLine(zeros(1, 3, 4).size());
        w.WriteLine(tensor(2.0).size());
        Assert.Equal("torch.Size([1, 3, 4])\ntorch.Size([])\n", w.ToString().ReplaceLineEndings("\n"));
        Assert.Equal("shape torch.Size([2, 3])", $"shape {ones(2, 3).size()}");
    }

    [Fact]
    public void Converts_to_and_from_long_arrays_without_sharing_them()
    {
        var x = zeros(2, 3, 4);
        long[] dims = x.size();
        Assert.Equal(x.shape, dims);
        dims[0] = 99;
        Assert.Equal(2, x.size()[0]);
        var arr = new long[] { 5, 6 };
        Size s = arr;
        arr[0] = 0;
        Assert.Equal("torch.Size([5, 6])", s.ToString());
        Assert.Equal(new long[] { 5, 6 }, s.ToArray());
        // A Size goes wherever a shape is taken.
        Assert.Equal(x.shape, zeros(x.size()).shape);
        Assert.Equal(new long[] { 6, 4 }, x.reshape(6, 4).reshape(x.size()).view(6, 4).shape);
        Assert.Equal(x.shape, ones(1, 3, 1).expand(x.size()).shape);
        Assert.Equal(x.shape, full(x.size(), 1.5).shape);
        // x.size(dim) stays a long; x.shape stays a long[].
        long last = x.size(-1);
        Assert.Equal(4L, last);
        Assert.IsType<long[]>(x.shape);
    }

    [Fact]
    public void Equality_with_sizes_and_arrays()
    {
        var s = zeros(2, 3).size();
        Assert.True(s == new long[] { 2, 3 });
        Assert.True(new long[] { 2, 3 } == s);
        Assert.True(s != new long[] { 3, 2 });
        Assert.True(new long[] { 2 } != s);
        Assert.False(s == (long[]?)null);
        Assert.True(s != (long[]?)null);
        Assert.True(s == ones(2, 3).size());
        Assert.True(s != ones(2, 3, 1).size());
        Assert.True(s.Equals(new long[] { 2, 3 }));
        Assert.True(s.Equals((object)ones(2, 3).size()));
        Assert.False(s.Equals((object)new long[] { 2, 3 }));   // Equals(object) stays symmetric: Size only
        Assert.Equal(s.GetHashCode(), new Size(2, 3).GetHashCode());
        Assert.Single(new HashSet<Size> { s, new Size(2, 3), ones(2, 3).size() });
        Assert.Equal(zeros(2, 3).size(), new Size(2, 3));
    }

    [Fact]
    public void Empty_size_of_a_scalar_and_the_default_size()
    {
        foreach (var s in new[] { tensor(3.0).size(), default(Size), new Size(), new Size(Array.Empty<long>()) })
        {
            Assert.Equal("torch.Size([])", s.ToString());
            Assert.Equal(0, s.Length);
            Assert.Equal(1L, s.numel());
            Assert.Empty(s);
            Assert.Empty(s.ToArray());
            Assert.True(s == Array.Empty<long>());
            Assert.True(s == default(Size));
            Assert.Equal("torch.Size([])", s[1..].ToString());
            Assert.Throws<IndexOutOfRangeException>(() => s[0]);
            Assert.Throws<IndexOutOfRangeException>(() => s[-1]);
        }
    }

    [Fact]
    public void Enumerates_and_slices_like_a_tuple()
    {
        var s = zeros(2, 3, 4).size();
        Assert.Equal(new long[] { 2, 3, 4 }, s);
        Assert.Equal(24L, s.Aggregate(1L, (a, b) => a * b));
        Assert.Equal("2x3x4", string.Join("x", s));
        Assert.Equal(new Size(3, 4), s[1..]);
        Assert.Equal(new Size(2, 3), s[..^1]);
        Assert.Equal(new Size(4), s[^1..]);
        Assert.Equal(new Size(), s[5..]);
        IReadOnlyList<long> list = s;
        Assert.Equal(3, list.Count);
        Assert.Equal(4L, list[2]);
    }
}
