using Torchlet.Vision;
using Xunit;
using static Torchlet.torchvision;

namespace Torchlet.Tests.Data;

/// <summary>torchvision.datasets.ImageFolder against torchvision 0.14 on a tree of PNG, JPEG and BMP files, and its errors.</summary>
public sealed class ImageFolderTests
{
    static string FolderRoot => Path.Combine(DatasetFixtures.Root, "imagefolder");

    [Fact]
    public void MatchesTorchvision()
    {
        var c = DatasetFixtures.Case("imagefolder");
        var ds = datasets.ImageFolder(FolderRoot);
        DatasetFixtures.AssertMatches(c, ds, ds.targets);
        var expected = c.GetProperty("samples").EnumerateArray().Select(s => (s[0].GetString()!, s[1].GetInt64())).ToList();
        Assert.Equal(expected, ds.samples.Select(s => (Path.GetRelativePath(FolderRoot, s.path), s.target)).ToList());
        Assert.Equal(ds.samples, ds.imgs);
        Assert.Equal(new[] { "bird", "cat", "dog" }, ds.classes);
        // Ordinal order as Python's sorted: "B.png" before "a.png"; upper-case extensions count; notes.txt does not.
        Assert.Equal(["bird/z.bmp", "cat/B.png", "cat/a.png", "cat/sub/c.png", "cat/sub-2/d.PNG", "dog/x.jpg", "dog/y.png"],
            ds.samples.Select(s => Path.GetRelativePath(FolderRoot, s.path)).ToArray());
    }

    [Fact]
    public void EveryItemIsRgb()
    {
        var ds = datasets.ImageFolder(FolderRoot);
        Assert.True(ds.Count > 0);
        foreach (var (img, _) in ds)
        {
            Assert.Equal(3, img.size(0));
            Assert.Equal(ScalarType.Byte, img.dtype);
        }
    }

    [Fact]
    public void LoaderIsValidFileAndTransforms()
    {
        var loaded = new List<string>();
        var ds = datasets.ImageFolder(FolderRoot,
            transform: new Half(), target_transform: t => -t,
            loader: p => { loaded.Add(p); return torch.zeros([1, 2, 2], dtype: ScalarType.Byte); },
            is_valid_file: p => p.EndsWith(".png", StringComparison.Ordinal) || p.EndsWith(".bmp", StringComparison.Ordinal));
        Assert.Equal(["bird/z.bmp", "cat/B.png", "cat/a.png", "cat/sub/c.png", "dog/y.png"], ds.samples.Select(s => Path.GetRelativePath(FolderRoot, s.path)).ToArray());
        Assert.Null(ds.extensions);
        var (img, target) = ds[4];
        Assert.Equal([ds.samples[4].path], loaded);
        Assert.Equal(new long[] { 1, 1, 2 }, img.shape);
        Assert.Equal(-2, target);
    }

    sealed class Half : ITransform
    {
        public Tensor forward(Tensor input) => input.narrow(1, 0, 1);
    }

    [Fact]
    public void NoClassFolder()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp["loose.png"], "");
        var e = Assert.Throws<FileNotFoundException>(() => datasets.ImageFolder(tmp.Path));
        Assert.StartsWith($"Couldn't find any class folder in {tmp.Path}.", e.Message);
    }

    [Fact]
    public void ClassWithoutValidFiles()
    {
        using var tmp = new TempDir();
        DatasetFixtures.CopyDir(FolderRoot, tmp.Path);
        Directory.CreateDirectory(tmp["empty"]);
        File.WriteAllText(tmp["empty/readme.txt"], "");
        Directory.CreateDirectory(tmp["alsoempty/deeper"]);
        var e = Assert.Throws<FileNotFoundException>(() => datasets.ImageFolder(tmp.Path));
        Assert.StartsWith("Found no valid file for the classes alsoempty, empty. Supported extensions are: .jpg, .jpeg, .png, .ppm, .bmp, .pgm, .tif, .tiff, .webp.", e.Message);
        Assert.Contains($"'{tmp["empty"]}'", e.Message);
    }

    [Fact]
    public void MissingRoot()
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<DirectoryNotFoundException>(() => datasets.ImageFolder(tmp["nope"]));
        Assert.Contains(tmp["nope"], e.Message);
    }

    [Fact]
    public void DatasetFolderNeedsExactlyOneFilter()
    {
        Func<string, Tensor> load = _ => torch.zeros(1);
        Assert.Throws<ArgumentException>(() => datasets.DatasetFolder(FolderRoot, load));
        Assert.Throws<ArgumentException>(() => datasets.DatasetFolder(FolderRoot, load, extensions: [".png"], is_valid_file: _ => true));
        var ds = datasets.DatasetFolder(FolderRoot, load, extensions: [".jpg", ".bmp", ".png"]);
        Assert.Equal(7, ds.Count);
        var e = Assert.Throws<FileNotFoundException>(() => datasets.DatasetFolder(FolderRoot, load, extensions: [".jpg"]));
        Assert.StartsWith("Found no valid file for the classes bird, cat. Supported extensions are: .jpg.", e.Message);
    }

    [Fact]
    public void ImagesWrittenByTheTest()
    {
        // A tree written here, through save_image, read back: classes, order and pixels (PNG is lossless).
        using var tmp = new TempDir();
        var a = torch.arange(0, 48).reshape(3, 4, 4).to(ScalarType.Float32).div(47);
        Directory.CreateDirectory(tmp["b_class"]);
        Directory.CreateDirectory(tmp["a_class/nested"]);
        utils.save_image(a, tmp["b_class/one.png"]);
        utils.save_image(a.flip(2), tmp["a_class/nested/two.png"]);
        var ds = datasets.ImageFolder(tmp.Path);
        Assert.Equal(["a_class", "b_class"], ds.classes);
        Assert.Equal([0L, 1L], ds.targets);
        var expected = a.mul(255).add(0.5).clamp(0, 255).to(ScalarType.Byte);
        Assert.Equal(expected.ToArray<byte>(), ds[1].Item1.ToArray<byte>());
        Assert.Equal(expected.flip(2).ToArray<byte>(), ds[0].Item1.ToArray<byte>());
        Assert.Equal($"Dataset ImageFolder\n    Number of datapoints: 2\n    Root location: {tmp.Path}", ds.ToString());
    }
}
