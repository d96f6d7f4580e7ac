using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Torchlet.Vision;
using Xunit;

namespace Torchlet.Tests.Data;

/// <summary>
/// download: true against servers on loopback only: a closed port (as with no network: fails within seconds, says which
/// files to put where, leaves nothing behind), a server with good files (md5 checked, files renamed into place) and one
/// serving a corrupt file (md5 mismatch: a clear error and no partial file).
/// </summary>
public sealed class DatasetDownloadTests
{
    static string Md5(byte[] b) => Convert.ToHexStringLower(MD5.HashData(b));

    static string FlatGz(string file) => Path.Combine(DatasetFixtures.Root, "mnist-flat-gz", file);

    static MnistSource Mnist(string mirror, Func<string, string>? md5 = null) =>
        MNIST.Source with
        {
            mirrors = [mirror],
            resources = MNIST.Source.resources.Select(r => (r.file, md5?.Invoke(r.file) ?? r.md5)).ToList(),
        };

    [Fact]
    public void OfflineFailsFastNamesTheFilesAndLeavesNothing()
    {
        using var tmp = new TempDir();
        var root = tmp["data"];
        var source = FashionMNIST.Source with { mirrors = [$"http://127.0.0.1:{DatasetFixtures.ClosedPort()}/"] };
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<IOException>(() => new FashionMNIST(root, true, null, null, download: true, source));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        foreach (var (file, _) in FashionMNIST.Source.resources) Assert.Contains(file, e.Message);
        Assert.Contains($"'{Path.Combine(root, "FashionMNIST", "raw")}'", e.Message);
        Assert.Contains($"directly into '{root}'", e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains("127.0.0.1", e.Message);
        Assert.Empty(DatasetFixtures.Entries(tmp.Path));   // not even the folders it made
    }

    [Fact]
    public void OfflineCifarFailsFastAndLeavesNothing()
    {
        using var tmp = new TempDir();
        var source = CIFAR10.Source with { url = $"http://127.0.0.1:{DatasetFixtures.ClosedPort()}/cifar-10-python.tar.gz" };
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<IOException>(() => new CIFAR10(tmp.Path, true, null, null, download: true, source, check_md5: true));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Contains("cifar-10-python.tar.gz", e.Message);
        Assert.Contains($"'{tmp["cifar-10-python.tar.gz"]}'", e.Message);
        Assert.Contains($"'{tmp["cifar-10-batches-py"]}' holds data_batch_1", e.Message);
        Assert.Empty(DatasetFixtures.Entries(tmp.Path));
    }

    [Fact]
    public void DownloadsVerifiesAndExtracts()
    {
        var files = MNIST.Source.resources.ToDictionary(r => r.file, r => File.ReadAllBytes(FlatGz(r.file)));
        using var server = new LoopbackServer(files);
        using var tmp = new TempDir();
        var ds = new MNIST(tmp.Path, true, null, null, download: true, Mnist(server.Url, f => Md5(files[f])));
        var raw = tmp["MNIST/raw"];
        Assert.Equal(raw, ds.folder);
        var expected = MNIST.Source.resources.SelectMany(r => new[] { r.file, r.file[..^3] }).Select(f => Path.Combine("MNIST", "raw", f));
        Assert.Equal(expected.Append("MNIST").Append(Path.Combine("MNIST", "raw")).Order(StringComparer.Ordinal), DatasetFixtures.Entries(tmp.Path));
        DatasetFixtures.AssertMatches(DatasetFixtures.Case("mnist_train"), ds, ds.targets.ToArray<long>());
        Assert.Equal(4, server.Requests);

        // Files present: no request, even with download: true.
        var again = new MNIST(tmp.Path, false, null, null, download: true, Mnist(server.Url, f => Md5(files[f])));
        Assert.Equal(4, server.Requests);
        DatasetFixtures.AssertMatches(DatasetFixtures.Case("mnist_test"), again, again.targets.ToArray<long>());
    }

    [Fact]
    public void FilesInRootAlreadyCountAsDownloaded()
    {
        using var tmp = new TempDir();
        DatasetFixtures.CopyDir(Path.Combine(DatasetFixtures.Root, "mnist-flat-gz"), tmp.Path);
        var source = Mnist($"http://127.0.0.1:{DatasetFixtures.ClosedPort()}/");
        var ds = new MNIST(tmp.Path, true, null, null, download: true, source);
        Assert.Equal(tmp.Path, ds.folder);
    }

    [Fact]
    public void CorruptDownloadIsNotKept()
    {
        var files = MNIST.Source.resources.ToDictionary(r => r.file, r => File.ReadAllBytes(FlatGz(r.file)));
        using var server = new LoopbackServer(files);
        using var tmp = new TempDir();
        // The server's t10k labels are not what the md5 expects.
        var e = Assert.Throws<IOException>(() =>
            new MNIST(tmp.Path, true, null, null, download: true, Mnist(server.Url, f => f.StartsWith("t10k-labels") ? new string('0', 32) : Md5(files[f]))));
        Assert.Contains("t10k-labels-idx1-ubyte.gz", e.Message);
        Assert.Contains($"md5 is {Md5(files["t10k-labels-idx1-ubyte.gz"])}, expected {new string('0', 32)}", e.Message);
        Assert.Contains("not kept", e.Message);
        var left = DatasetFixtures.Entries(tmp.Path);
        Assert.DoesNotContain(left, f => f.Contains("t10k-labels"));
        Assert.DoesNotContain(left, f => f.EndsWith(".part"));
        Assert.Contains(Path.Combine("MNIST", "raw", "t10k-images-idx3-ubyte"), left);   // the files before it are whole and kept
    }

    [Fact]
    public void MissingOnServerFallsBackToTheNextMirror()
    {
        var files = MNIST.Source.resources.ToDictionary(r => r.file, r => File.ReadAllBytes(FlatGz(r.file)));
        using var empty = new LoopbackServer(new());
        using var server = new LoopbackServer(files);
        using var tmp = new TempDir();
        var source = Mnist(server.Url, f => Md5(files[f])) with { mirrors = [empty.Url, server.Url] };
        var ds = new MNIST(tmp.Path, false, null, null, download: true, source);
        Assert.Equal(4, ds.Count);
        Assert.Equal(4, empty.Requests);
    }

    static byte[] TarGz(string folder, string under, Action<TarWriter>? extra = null)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gz, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, under + "/"));
            foreach (var f in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
                tar.WriteEntry(f, under + "/" + Path.GetFileName(f));
            extra?.Invoke(tar);
        }
        return ms.ToArray();
    }

    [Fact]
    public void CifarArchiveIsDownloadedAndExtracted()
    {
        var tgz = TarGz(Path.Combine(DatasetFixtures.Root, "cifar-10-batches-py"), "cifar-10-batches-py");
        using var server = new LoopbackServer(new() { ["c10.tgz"] = tgz });
        using var tmp = new TempDir();
        var source = CIFAR10.Source with { url = server.Url + "c10.tgz", tgz_md5 = Md5(tgz) };
        var ds = new CIFAR10(tmp.Path, true, null, null, download: true, source, check_md5: false);
        DatasetFixtures.AssertMatches(DatasetFixtures.Case("cifar10_train"), ds, ds.targets.ToArray<long>());
        Assert.Equal(tgz, File.ReadAllBytes(tmp["cifar-10-python.tar.gz"]));   // kept, as torchvision keeps it
        Assert.Equal(9, DatasetFixtures.Entries(tmp.Path).Count);   // the archive, the folder and its 7 files: no staging left
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public void CifarArchiveEscapingItsFolderIsRefused()
    {
        var tgz = TarGz(Path.Combine(DatasetFixtures.Root, "cifar-10-batches-py"), "cifar-10-batches-py",
            tar => tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "../escaped") { DataStream = new MemoryStream([1, 2, 3]) }));
        using var server = new LoopbackServer(new() { ["c10.tgz"] = tgz });
        using var tmp = new TempDir();
        var root = tmp["root"];
        var source = CIFAR10.Source with { url = server.Url + "c10.tgz", tgz_md5 = Md5(tgz) };
        var e = Assert.Throws<InvalidDataException>(() => new CIFAR10(root, true, null, null, download: true, source, check_md5: false));
        Assert.Contains("'../escaped'", e.Message);
        Assert.False(File.Exists(tmp["escaped"]));
        Assert.Equal(["root", Path.Combine("root", "cifar-10-python.tar.gz")], DatasetFixtures.Entries(tmp.Path));   // nothing extracted
    }

    [Fact]
    public void CorruptCifarArchiveIsNotKept()
    {
        var tgz = TarGz(Path.Combine(DatasetFixtures.Root, "cifar-10-batches-py"), "cifar-10-batches-py");
        using var server = new LoopbackServer(new() { ["c10.tgz"] = tgz[..^10] });
        using var tmp = new TempDir();
        var source = CIFAR10.Source with { url = server.Url + "c10.tgz", tgz_md5 = Md5(tgz) };
        var e = Assert.Throws<IOException>(() => new CIFAR10(tmp.Path, true, null, null, download: true, source, check_md5: false));
        Assert.Contains("md5", e.Message);
        Assert.Empty(DatasetFixtures.Entries(tmp.Path));
    }
}
