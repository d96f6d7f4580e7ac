using Torchlet;
using Xunit;
using static Torchlet.torch;
using static Torchlet.torchvision;

namespace Torchlet.Tests.Vision;

/// <summary>
/// torchvision.utils.save_image against torchvision 0.14: the PNG torchvision writes, decoded by PIL, is in
/// fixtures/vision.json; ours is decoded with SkiaSharp (torchvision.io.read_image) and must hold the same pixels.
/// </summary>
public sealed class SaveImageTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("torchlet-vision-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static Tensor Ramp(params long[] shape) => MakeGridTests.Ramp(shape);

    // PNG colour type: byte 25 of the file (IHDR). 0 gray, 2 RGB, 4 gray + alpha, 6 RGBA.
    static int ColourType(byte[] png) => png[25];

    [Theory]
    [MemberData(nameof(VisionFixtures.PngCases), MemberType = typeof(VisionFixtures))]
    public void PixelsMatchTorchvision(string name)
    {
        var c = Fixtures.Case(VisionFixtures.File, name);
        var (tensor, list) = VisionFixtures.Input(c);
        var a = VisionFixtures.KwArgs(c);
        var path = Path.Combine(_dir, name + ".png");
        if (tensor is not null) torchvision.utils.save_image(tensor, path, a.nrow, a.padding, a.normalize, a.value_range, a.scale_each, a.pad_value);
        else torchvision.utils.save_image(list!, path, a.nrow, a.padding, a.normalize, a.value_range, a.scale_each, a.pad_value);

        var mode = c.GetProperty("png_mode").GetString();
        var expected = c.GetProperty("png_pixels");   // H×W×bands as PIL decodes torchvision's file
        var shape = Fixtures.ShapeOf(expected);
        var want = Fixtures.Values(expected);
        var bytes = File.ReadAllBytes(path);
        var got = io.read_image(path);                  // C×H×W
        Assert.Equal(new long[] { shape[0], shape[1] }, got.shape[1..]);
        var px = got.permute(1, 2, 0).contiguous().ToArray<byte>();
        int cGot = (int)got.size(0), bands = (int)shape[2], n = (int)(shape[0] * shape[1]);
        switch (mode)
        {
            case "RGB":
            case "RGBA":
                Assert.Equal(mode == "RGB" ? 2 : 6, ColourType(bytes));
                Assert.Equal(bands, cGot);
                for (int i = 0; i < want.Length; i++) Assert.True(want[i] == px[i], $"{name}: byte {i} is {px[i]}, torchvision wrote {want[i]}");
                break;
            case "LA":
                // Skia has no gray + alpha PNG type: ours is RGBA with R = G = B = L (torchvision/PIL writes colour type 4).
                Assert.Equal(6, ColourType(bytes));
                Assert.Equal(4, cGot);
                for (int i = 0; i < n; i++)
                {
                    for (int k = 0; k < 3; k++) Assert.True(want[2 * i] == px[4 * i + k], $"{name}: pixel {i} band {k} is {px[4 * i + k]}, torchvision's L is {want[2 * i]}");
                    Assert.True(want[2 * i + 1] == px[4 * i + 3], $"{name}: pixel {i} alpha is {px[4 * i + 3]}, torchvision wrote {want[2 * i + 1]}");
                }
                break;
            default:
                throw new Xunit.Sdk.XunitException($"{name}: fixture mode {mode} not expected from save_image");
        }
    }

    [Fact]
    public void OverwritesAtomicallyAndLeavesNoTemporaryFiles()
    {
        var path = Path.Combine(_dir, "grid.png");
        File.WriteAllText(path, "old");
        torchvision.utils.save_image(Ramp(4, 3, 5, 5), path, nrow: 2);
        Assert.Equal(new long[] { 3, 2 * 7 + 2, 2 * 7 + 2 }, io.read_image(path).shape);
        Assert.Equal(new[] { "grid.png" }, Directory.GetFiles(_dir).Select(Path.GetFileName).ToArray());
    }

    [Fact]
    public void FailedSaveLeavesTheOldFileAndNoTemporaryFile()
    {
        var path = Path.Combine(_dir, "five.png");
        File.WriteAllText(path, "old");
        // 5 channels: PIL's Image.fromarray cannot hold it, so torchvision fails too ("Cannot handle this data type").
        var e = Assert.Throws<ArgumentException>(() => torchvision.utils.save_image(Ramp(2, 5, 2, 2), path));
        Assert.Contains("5 channels", e.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Uint8BatchFailsAsInTorchvision()
    {
        // torchvision: grid.mul(255).add_(0.5) on a uint8 grid -> "result type Float can't be cast to the desired output type Byte".
        var x = arange(0L, 24L, 1L).reshape(2, 3, 2, 2).to(uint8);
        var e = Assert.ThrowsAny<Exception>(() => torchvision.utils.save_image(x, Path.Combine(_dir, "u8.png")));
        Assert.Contains("Byte", e.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void RejectsUnknownFormatAndMissingDirectory()
    {
        var e = Assert.Throws<ArgumentException>(() => torchvision.utils.save_image(Ramp(3, 2, 2), Path.Combine(_dir, "x.tiff")));
        Assert.Contains("unknown image format 'tiff'", e.Message);
        Assert.Equal("fp", e.ParamName);
        var f = Assert.Throws<ArgumentException>(() => torchvision.utils.save_image(Ramp(3, 2, 2), Path.Combine(_dir, "x"), format: "gif"));
        Assert.Equal("format", f.ParamName);
        var n = Assert.Throws<ArgumentException>(() => torchvision.utils.save_image(Ramp(3, 2, 2), Path.Combine(_dir, "noext")));
        Assert.Contains("no extension", n.Message);
        var d = Assert.Throws<DirectoryNotFoundException>(() => torchvision.utils.save_image(Ramp(3, 2, 2), Path.Combine(_dir, "missing", "x.png")));
        Assert.Contains("does not exist", d.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void RejectsBadGridArgumentsBeforeWriting()
    {
        var e = Assert.Throws<ArgumentException>(() => torchvision.utils.save_image(zeros(1, 2, 3, 4, 5), Path.Combine(_dir, "x.png")));
        Assert.Contains("5-D tensor", e.Message);
        var n = Assert.Throws<ArgumentException>(() => torchvision.utils.save_image(zeros(2, 3, 4, 4), Path.Combine(_dir, "x.png"), nrow: 0));
        Assert.Equal("nrow", n.ParamName);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void JpegAndWebpByExtensionOrFormat()
    {
        var path = Path.Combine(_dir, "g.jpg");
        var x = full(new long[] { 2, 3, 8, 8 }, 0.5);
        torchvision.utils.save_image(x, path, padding: 0);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0xFF, 0xD8 }, bytes[..2]);
        var back = io.read_image(path);
        Assert.Equal(new long[] { 3, 8, 16 }, back.shape);
        Assert.All(back.ToArray<byte>(), v => Assert.InRange(v, 124, 131)); // 0.5 -> 128, lossy
        var e = Assert.Throws<ArgumentException>(() => torchvision.utils.save_image(Ramp(4, 2, 2), Path.Combine(_dir, "a.jpeg")));
        Assert.Contains("alpha channel", e.Message);

        var webp = Path.Combine(_dir, "g.dat");
        torchvision.utils.save_image(x, webp, padding: 0, format: "WEBP");
        Assert.Equal("WEBP"u8.ToArray(), File.ReadAllBytes(webp)[8..12]);
        Assert.Equal(new long[] { 3, 8, 16 }, io.read_image(webp).shape);
    }

    [Fact]
    public void ToPngGrayscaleRgbAndUint8()
    {
        // 1 channel -> a grayscale PNG; floats converted as save_image converts them.
        var gray = tensor(new double[] { 0, 0.25, 0.5, 1.0, 0.998, 0.001 }, new long[] { 1, 2, 3 });
        var png = torchvision.utils.to_png(gray);
        Assert.Equal(0, ColourType(png));
        var back = io.decode_image(png);
        Assert.Equal(new long[] { 1, 2, 3 }, back.shape);
        Assert.Equal(new byte[] { 0, 64, 128, 255, 254, 0 }, back.ToArray<byte>());
        Assert.Equal(back.ToArray<byte>(), io.decode_image(torchvision.utils.to_png(gray[0])).ToArray<byte>());

        var rgb = arange(0L, 18L, 1L).mul(14).reshape(3, 2, 3).to(uint8);
        var rgbPng = torchvision.utils.to_png(rgb);
        Assert.Equal(2, ColourType(rgbPng));
        Assert.Equal(rgb.ToArray<byte>(), io.decode_image(rgbPng).ToArray<byte>());

        var rgbRead = io.decode_image(png, io.ImageReadMode.RGB);
        Assert.Equal(new long[] { 3, 2, 3 }, rgbRead.shape);
        Assert.Equal(back.ToArray<byte>(), rgbRead[2].contiguous().ToArray<byte>());
        var rgba = io.decode_image(rgbPng, io.ImageReadMode.RGB_ALPHA);
        Assert.Equal(Enumerable.Repeat((byte)255, 6), rgba[3].contiguous().ToArray<byte>());
    }

    [Fact]
    public void ToPngRejectsBadImages()
    {
        var e = Assert.Throws<ArgumentException>(() => torchvision.utils.to_png(zeros(2, 5, 3, 3)));
        Assert.Contains("H×W or C×H×W", e.Message);
        Assert.Contains("[2, 5, 3, 3]", e.Message);
        var c = Assert.Throws<ArgumentException>(() => torchvision.utils.to_png(zeros(6, 3, 3)));
        Assert.Contains("1, 2, 3 or 4 channels", c.Message);
        var d = Assert.Throws<ArgumentException>(() => torchvision.utils.to_png(zeros(new long[] { 3, 3 }, dtype: int64)));
        Assert.Contains("int64", d.Message);
    }

    [Theory]
    [MemberData(nameof(DecodeFixtures.Cases), MemberType = typeof(DecodeFixtures))]
    public void DecodeMatchesTorchvision(string name)
    {
        // PNGs that PIL wrote in modes L, LA, RGB, RGBA, read by torchvision.io.decode_image in each read mode.
        var c = Fixtures.Case(VisionFixtures.File, name);
        var png = Convert.FromBase64String(c.GetProperty("png").GetString()!);
        var mode = Enum.Parse<io.ImageReadMode>(c.GetProperty("mode").GetString()!);
        Fixtures.AssertClose(c.GetProperty("image"), io.decode_image(png, mode), 0, 0, name);
        var path = Path.Combine(_dir, name + ".png");
        File.WriteAllBytes(path, png);
        Fixtures.AssertClose(c.GetProperty("image"), io.read_image(path, mode), 0, 0, name);
    }

    [Fact]
    public void ReadImageErrors()
    {
        Assert.Throws<FileNotFoundException>(() => io.read_image(Path.Combine(_dir, "none.png")));
        var path = Path.Combine(_dir, "text.png");
        File.WriteAllText(path, "not an image");
        var e = Assert.Throws<ArgumentException>(() => io.read_image(path));
        Assert.Contains("not an image", e.Message);
    }
}
