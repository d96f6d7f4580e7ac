namespace Torchlet.Interactive.Tests;

/// <summary>The notebooks' Fashion-MNIST: the sample carried beside the extension, or the full set when installed.</summary>
public sealed class CourseDataTests
{
    [Fact]
    public void The_shipped_sample_is_found_beside_the_extension_and_reads_as_Fashion_MNIST()
    {
        var root = CourseData.SampleFashionMnistRoot;
        Assert.StartsWith(Path.GetDirectoryName(typeof(CourseData).Assembly.Location)!, root);
        var train = torchvision.datasets.FashionMNIST(root: root, train: true);
        var test = torchvision.datasets.FashionMNIST(root: root, train: false);
        Assert.Equal(10_000, train.Count);
        Assert.Equal(2_000, test.Count);
        Assert.Equal("T-shirt/top", train.classes[0]);
    }

    [Fact]
    public void The_root_is_the_full_set_exactly_when_it_is_installed()
    {
        bool full = File.Exists(Path.Combine(CourseData.FullFashionMnist, "train-images-idx3-ubyte.gz"));
        Assert.Equal(full, CourseData.HasFullFashionMnist);
        Assert.Equal(full ? CourseData.FullFashionMnist : CourseData.SampleFashionMnistRoot, CourseData.FashionMnistRoot);
        Assert.Contains(full ? "the full set" : "the sample shipped with Torchlet", CourseData.Describe());
    }
}
