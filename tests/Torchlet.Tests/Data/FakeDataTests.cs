using System.Security.Cryptography;
using Torchlet.Vision;
using Xunit;
using static Torchlet.torchvision;

namespace Torchlet.Tests.Data;

/// <summary>torchvision.datasets.FakeData: items byte for byte as torchvision 0.14 makes them (randn → mul(255).byte(), whose
/// out-of-range values wrap), from a private generator per item.</summary>
[Collection(GlobalStateCollection.Name)]   // one test checks that the default generator is left alone
public sealed class FakeDataTests
{
    public static IEnumerable<object[]> Cases() => DatasetFixtures.Cases("fakedata");

    [Theory]
    [MemberData(nameof(Cases))]
    public void ItemsMatchTorchvision(string name)
    {
        var c = DatasetFixtures.Case(name);
        var size = c.GetProperty("image_size").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var ds = datasets.FakeData(size: c.GetProperty("size").GetInt64(), image_size: (size[0], size[1], size[2]),
            num_classes: c.GetProperty("num_classes").GetInt64(), random_offset: c.GetProperty("random_offset").GetInt64());
        Assert.Equal(c.GetProperty("repr").GetString(), ds.ToString());
        var items = c.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        foreach (var item in items)
        {
            long i = item.GetProperty("index").GetInt64();
            var (img, target) = ds[i];
            Fixtures.AssertClose(item.GetProperty("image"), img, 0, 0, $"{name} item {i}");
            Assert.Equal(item.GetProperty("target").GetInt64(), target);
        }
    }

    [Fact]
    public void DefaultSizeMatchesTorchvision()
    {
        var c = DatasetFixtures.Case("fakedata_default");
        var ds = datasets.FakeData();
        Assert.Equal(1000, ds.Count);
        Assert.Equal((3L, 224L, 224L), ds.image_size);
        Assert.Equal(c.GetProperty("repr").GetString(), ds.ToString());
        var items = c.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        foreach (var item in items)
        {
            var (img, target) = ds[item.GetProperty("index").GetInt64()];
            var bytes = img.ToArray<byte>();
            Assert.Equal(item.GetProperty("head").EnumerateArray().Select(e => (byte)e.GetInt32()), bytes.Take(32));
            Assert.Equal(item.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
            Assert.Equal(item.GetProperty("target").GetInt64(), target);
        }
    }

    [Fact]
    public void GlobalGeneratorIsUntouched()
    {
        torch.manual_seed(5);
        var a = torch.rand(4).ToArray<float>();
        torch.manual_seed(5);
        _ = datasets.FakeData(size: 3, image_size: (1, 4, 4))[2];
        Assert.Equal(a, torch.rand(4).ToArray<float>());
    }

    [Fact]
    public void ConcurrentReadsGiveTheSameItems()
    {
        var ds = datasets.FakeData(size: 64, image_size: (3, 16, 16));
        var sequential = Enumerable.Range(0, 64).Select(i => ds[i].Item1.ToArray<byte>()).ToArray();
        var parallel = new byte[64][];
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = ds[i].Item1.ToArray<byte>());
        for (int i = 0; i < 64; i++) Assert.Equal(sequential[i], parallel[i]);
    }

    [Fact]
    public void ReprWithTransformsIsTorchvisions()
    {
        var c = DatasetFixtures.Case("fakedata_repr_transform");
        var ds = datasets.FakeData(size: 5, image_size: (1, 4, 4), transform: new Named(c.GetProperty("transform_repr").GetString()!));
        Assert.Equal(c.GetProperty("repr").GetString(), ds.ToString());
        var both = datasets.FakeData(size: 5, image_size: (1, 4, 4), transform: new Named("T()"), target_transform: Negate);
        Assert.Equal("Dataset FakeData\n    Number of datapoints: 5\n    StandardTransform\nTransform: T()\nTarget transform: <function Negate>", both.ToString());
    }

    static long Negate(long t) => -t;

    sealed class Named(string repr) : ITransform
    {
        public Tensor forward(Tensor input) => input;
        public override string ToString() => repr;
    }

    [Fact]
    public void ArgumentErrors()
    {
        Assert.Contains("1 to 4 channels", Assert.Throws<ArgumentException>(() => datasets.FakeData(image_size: (5, 2, 2))).Message);
        Assert.Contains("num_classes", Assert.Throws<ArgumentException>(() => datasets.FakeData(num_classes: 0)).Message);
        Assert.Contains("size", Assert.Throws<ArgumentException>(() => datasets.FakeData(size: -1)).Message);
        Assert.Throws<IndexOutOfRangeException>(() => datasets.FakeData(size: 2)[2]);
        Assert.Equal(["0", "1", "2"], datasets.FakeData(num_classes: 3).classes);
        Assert.Null(datasets.FakeData().root);
    }
}
