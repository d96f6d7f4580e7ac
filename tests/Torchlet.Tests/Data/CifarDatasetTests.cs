using Torchlet.Vision;
using Xunit;
using static Torchlet.torchvision;

namespace Torchlet.Tests.Data;

/// <summary>
/// torchvision.datasets.CIFAR10 / CIFAR100 against torchvision 0.14 on the same files: the python version (Python 2
/// pickles, read through Razorvine.Pickle with only numpy's globals allowed) and the binary version, plus damaged files.
/// The fixture files are small, so torchvision's md5s (of the real files) are bypassed except where a test checks them.
/// </summary>
public sealed class CifarDatasetTests
{
    public static IEnumerable<object[]> CifarCases() => DatasetFixtures.Cases("cifar");

    static CIFAR10 Load(string dataset, string root, bool train, bool check_md5 = false) => dataset switch
    {
        "CIFAR10" => new CIFAR10(root, train, null, null, false, CIFAR10.Source, check_md5),
        "CIFAR100" => new CIFAR100(root, train, null, null, false, CIFAR100.Source, check_md5),
        _ => throw new ArgumentException(dataset),
    };

    static (string dataset, bool train) Args(string name)
    {
        var c = DatasetFixtures.Case(name);
        return (c.GetProperty("dataset").GetString()!, c.GetProperty("train").GetBoolean());
    }

    static void AssertCifar(string name, CIFAR10 ds)
    {
        DatasetFixtures.AssertMatches(DatasetFixtures.Case(name), ds, ds.targets.ToArray<long>());
        Assert.Equal(new[] { ds.Count, 32L, 32L, 3L }, ds.data.shape);   // torchvision's channels-last layout
        Assert.Equal(ScalarType.Byte, ds.data.dtype);
        Assert.Equal(new[] { ds.Count }, ds.targets.shape);
        Assert.Equal(ScalarType.Int64, ds.targets.dtype);
        for (long i = 0; i < ds.Count; i++)
        {
            var (img, _) = ds[i];
            Assert.Same(ds.data._storage, img._storage);
            Assert.Equal(i * 3072, img.storage_offset());
            Assert.Equal(new long[] { 3, 32, 32 }, img.shape);
        }
    }

    [Theory]
    [MemberData(nameof(CifarCases))]
    public void PythonVersionMatchesTorchvision(string name)
    {
        var (dataset, train) = Args(name);
        var ds = Load(dataset, DatasetFixtures.Root, train);
        AssertCifar(name, ds);
        Assert.Equal(Path.Combine(DatasetFixtures.Root, ds.base_folder), ds.folder);   // preferred over the binary version beside it
        Assert.Equal(train, ds.train);
    }

    public static IEnumerable<object[]> Cifar10Cases() => CifarCases().Where(r => ((string)r[0]).StartsWith("cifar10_"));

    [Theory]
    [MemberData(nameof(Cifar10Cases))]
    public void PickleProtocolsZeroAndOneReadTheSame(string name)
    {
        // The same batches pickled with cPickle's protocol 0 (text: STRING, INT, PUT ...) and 1 (binary without PROTO).
        var (dataset, train) = Args(name);
        AssertCifar(name, Load(dataset, Path.Combine(DatasetFixtures.Root, "cifar-10-protocols"), train));
    }

    [Theory]
    [MemberData(nameof(CifarCases))]
    public void BinaryVersionMatchesTorchvision(string name)
    {
        var (dataset, train) = Args(name);
        using var tmp = new TempDir();
        var bin = dataset == "CIFAR10" ? "cifar-10-batches-bin" : "cifar-100-binary";
        DatasetFixtures.CopyDir(Path.Combine(DatasetFixtures.Root, bin), tmp[bin]);
        var ds = Load(dataset, tmp.Path, train, check_md5: true);   // no md5s exist for the binary version
        AssertCifar(name, ds);
        Assert.Equal(tmp[bin], ds.folder);
    }

    [Fact]
    public void FactoriesAndDataLayout()
    {
        using var tmp = new TempDir();
        DatasetFixtures.CopyDir(Path.Combine(DatasetFixtures.Root, "cifar-10-batches-bin"), tmp["cifar-10-batches-bin"]);
        var ds = datasets.CIFAR10(tmp.Path, train: false);
        Assert.Equal("airplane", ds.classes[0]);
        Assert.Equal(9, ds.class_to_idx["truck"]);
        // data is channels last, as torchvision's: image i's red channel is data[i, .., .., 0]; the generator paints the
        // top two rows red. Items are channels first.
        var red = ds.data[1, 0, .., 0];
        Assert.All(red.ToArray<byte>(), v => Assert.Equal(255, v));
        var (image, _) = ds[2];
        Assert.Equal(ds.data[2, 5, 7, 1].item<byte>(), image[1, 5, 7].item<byte>());
    }

    [Fact]
    public void Cifar100TakesFineLabelsAndNames()
    {
        var ds = Load("CIFAR100", DatasetFixtures.Root, train: true);
        Assert.Equal(100, ds.classes.Count);
        Assert.Equal("apple", ds.classes[0]);
        Assert.Equal("worm", ds.classes[99]);
        Assert.Equal(99, ds[0].Item2);   // the generator makes item 0's fine label 99
        Assert.IsType<CIFAR100>(ds);
        Assert.StartsWith("Dataset CIFAR100\n", ds.ToString());
    }

    [Fact]
    public void Md5OfTheRealFilesIsChecked()
    {
        var e = Assert.Throws<InvalidDataException>(() => datasets.CIFAR10(DatasetFixtures.Root));
        Assert.Contains(Path.Combine(DatasetFixtures.Root, "cifar-10-batches-py", "data_batch_1"), e.Message);
        Assert.Contains("md5", e.Message);
        Assert.Contains("c99cafc152244af753f735de768cd75f", e.Message);   // torchvision's checksum of the real data_batch_1
        var e100 = Assert.Throws<InvalidDataException>(() => datasets.CIFAR100(DatasetFixtures.Root, train: false));
        Assert.Contains("16019d7e3df5f24257cddd939b257f8d", e100.Message);   // train is checked first, as torchvision does
    }

    // ------------------------------------------------------------ damaged python files

    public static IEnumerable<object[]> DamagedPickles() =>
    [
        ["global_os_system", "data_batch_1", new[] { "the global 'os.system'", "was not unpickled" }],
        ["global_ordereddict", "data_batch_1", new[] { "the global 'collections.OrderedDict'" }],
        ["protocol4_stack_global", "data_batch_1", new[] { "STACK_GLOBAL" }],
        ["wrong_shape", "data_batch_1", new[] { "'data' has shape (2, 3071), expected (N, 3072)" }],
        ["wrong_dtype", "data_batch_1", new[] { "dtype 'f4', expected uint8" }],
        ["label_count", "data_batch_1", new[] { "2 images but 3 labels under 'labels'" }],
        ["label_range", "data_batch_1", new[] { "label 1 under 'labels' is 10, expected a class index below 10" }],
        ["not_a_dict", "data_batch_1", new[] { "expected a dict" }],
        ["meta_9_classes", "batches.meta", new[] { "'label_names' holds 9 class names, expected 10" }],
    ];

    static TempDir PythonCopy()
    {
        var tmp = new TempDir();
        DatasetFixtures.CopyDir(Path.Combine(DatasetFixtures.Root, "cifar-10-batches-py"), tmp["cifar-10-batches-py"]);
        return tmp;
    }

    [Theory]
    [MemberData(nameof(DamagedPickles))]
    public void DamagedPickleIsRefused(string damaged, string replaces, string[] expected)
    {
        using var tmp = PythonCopy();
        var path = tmp[Path.Combine("cifar-10-batches-py", replaces)];
        File.Copy(Path.Combine(DatasetFixtures.Root, "damaged", damaged), path, overwrite: true);
        var e = Assert.Throws<InvalidDataException>(() => Load("CIFAR10", tmp.Path, train: true));
        Assert.Contains($"'{path}'", e.Message);
        foreach (var s in expected) Assert.Contains(s, e.Message);
    }

    [Fact]
    public void EveryDamagedFixtureIsTested()
    {
        var tested = DamagedPickles().Select(r => (string)r[0]).Order().ToList();
        var files = Directory.EnumerateFiles(Path.Combine(DatasetFixtures.Root, "damaged")).Select(f => Path.GetFileName(f)!).Order().ToList();
        Assert.Equal(files, tested);
    }

    [Theory]
    [InlineData(100)]      // inside the first strings
    [InlineData(3000)]     // inside the array's raw data (BINSTRING)
    [InlineData(-1)]       // just the STOP opcode missing
    public void TruncatedPickle(int keep)
    {
        using var tmp = PythonCopy();
        var path = tmp["cifar-10-batches-py/data_batch_3"];
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(keep < 0 ? bytes.Length + keep : keep)]);
        var e = Assert.Throws<InvalidDataException>(() => Load("CIFAR10", tmp.Path, train: true));
        Assert.Contains($"'{path}'", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    // ------------------------------------------------------------ damaged binary files

    static TempDir BinaryCopy()
    {
        var tmp = new TempDir();
        DatasetFixtures.CopyDir(Path.Combine(DatasetFixtures.Root, "cifar-10-batches-bin"), tmp["cifar-10-batches-bin"]);
        DatasetFixtures.CopyDir(Path.Combine(DatasetFixtures.Root, "cifar-100-binary"), tmp["cifar-100-binary"]);
        return tmp;
    }

    [Fact]
    public void BinaryFileNotWholeRecords()
    {
        using var tmp = BinaryCopy();
        var path = tmp["cifar-10-batches-bin/data_batch_2.bin"];
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^7]);
        var e = Assert.Throws<InvalidDataException>(() => datasets.CIFAR10(tmp.Path));
        Assert.Contains($"'{path}'", e.Message);
        Assert.Contains("length 6139 is not a whole number of 3073-byte records", e.Message);
    }

    [Fact]
    public void BinaryLabelOutOfRange()
    {
        using var tmp = BinaryCopy();
        var path = tmp["cifar-10-batches-bin/test_batch.bin"];
        var bytes = File.ReadAllBytes(path);
        bytes[3073] = 12;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => datasets.CIFAR10(tmp.Path, train: false));
        Assert.Contains($"'{path}'", e.Message);
        Assert.Contains("record 1 has label 12, expected a class index below 10", e.Message);
    }

    [Fact]
    public void BinaryCoarseLabelOutOfRange()
    {
        using var tmp = BinaryCopy();
        var path = tmp["cifar-100-binary/test.bin"];
        var bytes = File.ReadAllBytes(path);
        bytes[0] = 20;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => datasets.CIFAR100(tmp.Path, train: false));
        Assert.Contains("record 0 has coarse label 20, expected a class index below 20", e.Message);
    }

    [Fact]
    public void BinaryMetaWithWrongClassCount()
    {
        using var tmp = BinaryCopy();
        var path = tmp["cifar-100-binary/fine_label_names.txt"];
        File.WriteAllLines(path, File.ReadAllLines(path).Take(99));
        var e = Assert.Throws<InvalidDataException>(() => datasets.CIFAR100(tmp.Path));
        Assert.Contains($"'{path}'", e.Message);
        Assert.Contains("names 99 classes (one per line), expected 100", e.Message);
    }

    [Fact]
    public void MissingFilesSayWhereItLookedAndHowToGetThem()
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => datasets.CIFAR10(tmp.Path));
        Assert.Contains($"'{tmp["cifar-10-batches-py"]}'", e.Message);
        Assert.Contains($"'{tmp["cifar-10-batches-bin"]}'", e.Message);
        Assert.Contains("data_batch_1, data_batch_2, data_batch_3, data_batch_4, data_batch_5, test_batch, batches.meta", e.Message);
        Assert.Contains("download: true", e.Message);
        Assert.Contains("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz", e.Message);
        Assert.Empty(DatasetFixtures.Entries(tmp.Path));

        // An incomplete python folder and no binary version: the missing files are named.
        using var part = PythonCopy();
        File.Delete(part["cifar-10-batches-py/test_batch"]);
        var p = Assert.Throws<FileNotFoundException>(() => Load("CIFAR10", part.Path, train: true));
        Assert.Contains("(missing: test_batch)", p.Message);
    }
}
