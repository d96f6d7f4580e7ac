using System.Buffers.Binary;
using System.Text;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests.NN;

/// <summary>torch.save / torch.load in the safetensors format: files written by Python read back, round trips, and damaged files rejected.</summary>
[Collection(GlobalStateCollection.Name)]   // draws from the default generator (manual_seed, randn, default init)
public sealed class SafeTensorsTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("torchlet-st-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

    public static IEnumerable<object[]> Names() => Fixtures.Names("nn_safetensors");

    [Theory]
    [MemberData(nameof(Names))]
    public void ReadsWhatPythonWrote(string name)
    {
        var loaded = load(FixturePath("st_all_dtypes.safetensors"));
        var expected = Fixtures.T(Fixtures.Case("nn_safetensors", name).GetProperty("t"));
        var t = loaded[name];
        Assert.Equal(expected.dtype, t.dtype);
        Assert.Equal(expected.shape, t.shape);
        Assert.True(equal(expected, t), $"{name}: {t} != {expected}");
    }

    [Fact]
    public void RoundTripsEveryDtypeAndLayout()
    {
        manual_seed(5);
        var src = new Dictionary<string, Tensor>
        {
            ["w"] = randn(4, 5),
            ["t"] = randn(3, 4).t(),                 // non-contiguous: saved in row-major order
            ["d"] = randn(2, 2, dtype: float64),
            ["i"] = arange(10).view(2, 5)[.., 1..3],
            ["n"] = tensor(new[] { 1, 2 }, dtype: int32),
            ["b"] = tensor(new[] { true, false }),
            ["u"] = tensor(new byte[] { 1, 200 }),
            ["s"] = tensor(3.0),
            ["e"] = zeros(0, 7),
        };
        var path = Path.Combine(_dir, "all.safetensors");
        save(src, path);
        var back = load(path);
        Assert.Equal(src.Keys.OrderBy(k => k), back.Keys.OrderBy(k => k));
        foreach (var (k, v) in src)
        {
            Assert.Equal(v.dtype, back[k].dtype);
            Assert.Equal(v.shape, back[k].shape);
            Assert.True(equal(v, back[k]), k);
        }
        // The data section starts 8-byte aligned and the header names the format, as the reference writer does.
        var bytes = File.ReadAllBytes(path);
        var n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, n % 8);
        Assert.Contains("\"format\":\"pt\"", Encoding.UTF8.GetString(bytes, 8, (int)n));
    }

    [Fact]
    public void SaveReplacesTheFileAtomicallyAndLeavesNoTemporaries()
    {
        var path = Path.Combine(_dir, "ckpt.safetensors");
        save(new Dictionary<string, Tensor> { ["a"] = ones(2) }, path);
        save(new Dictionary<string, Tensor> { ["a"] = full([3], 2.0) }, path);
        Assert.Equal([2f, 2f, 2f], load(path)["a"].data<float>().ToArray());
        Assert.Equal(["ckpt.safetensors"], Directory.GetFiles(_dir).Select(Path.GetFileName));

        // A save that fails (a null entry, found before anything is written) leaves the old checkpoint intact.
        var bad = new Dictionary<string, Tensor> { ["a"] = ones(1), ["b"] = null! };
        var e = Assert.Throws<ArgumentException>(() => save(bad, path));
        Assert.Contains("'b'", e.Message);
        Assert.Equal(3, load(path)["a"].numel());
        Assert.Single(Directory.GetFiles(_dir));

        Assert.Throws<DirectoryNotFoundException>(() => save(new Dictionary<string, Tensor> { ["a"] = ones(1) }, Path.Combine(_dir, "no", "x.safetensors")));
    }

    static byte[] File8(string header, byte[] data)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var b = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)h.Length);
        h.CopyTo(b, 8);
        data.CopyTo(b, 8 + h.Length);
        return b;
    }

    [Theory]
    [InlineData("short", "not a safetensors file")]
    [InlineData("hugeheader", "does not fit")]
    [InlineData("json", "not valid JSON")]
    [InlineData("dtype", "F16, which Torchlet does not support")]
    [InlineData("size", "needs 16 bytes, but its data_offsets span 12")]
    [InlineData("range", "outside the 16-byte data section")]
    [InlineData("gap", "expected 0 (ranges overlap or leave a gap)")]
    [InlineData("shape", "invalid shape")]
    [InlineData("bool", "holds the byte 2")]
    [InlineData("fields", "needs dtype, shape and data_offsets")]
    public void RejectsDamagedFilesWithAClearError(string kind, string message)
    {
        var data16 = new byte[16];
        byte[] file = kind switch
        {
            "short" => [1, 2, 3],
            "hugeheader" => File8("{}", []).Select((b, i) => i == 0 ? (byte)200 : b).ToArray(),
            "json" => File8("{\"a\": [", data16),
            "dtype" => File8("{\"a\":{\"dtype\":\"F16\",\"shape\":[8],\"data_offsets\":[0,16]}}", data16),
            "size" => File8("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,12]}}", data16),
            "range" => File8("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", data16),
            "gap" => File8("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", data16),
            "shape" => File8("{\"a\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", data16),
            "bool" => File8("{\"a\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[0,2]}}", [1, 2]),
            _ => File8("{\"a\":{\"dtype\":\"F32\"}}", data16),
        };
        var path = Path.Combine(_dir, kind + ".safetensors");
        File.WriteAllBytes(path, file);
        var e = Assert.Throws<InvalidDataException>(() => load(path));
        Assert.Contains(message, e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void RejectsReservedNamesAndUnsavableInput()
    {
        var e = Assert.Throws<ArgumentException>(() => save(new Dictionary<string, Tensor> { ["__metadata__"] = ones(1) }, Path.Combine(_dir, "m.safetensors")));
        Assert.Contains("reserved", e.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }
}
