using System.Collections;
using Torchlet.Vision;

namespace Torchlet
{
    public static partial class torchvision
    {
        public static partial class datasets
        {
            /// <summary>
            /// torchvision.datasets.CIFAR10: 32×32 colour images in 10 classes, items (uint8 3×32×32 image, label). Reads
            /// torchvision's <c>root/cifar-10-batches-py/</c> (the python version, md5-checked) or else the binary version in
            /// <c>root/cifar-10-batches-bin/</c>.
            /// </summary>
            public static CIFAR10 CIFAR10(string root, bool train = true, ITransform? transform = null, Func<long, long>? target_transform = null, bool download = false) =>
                new(root, train, transform, target_transform, download);

            /// <summary>
            /// torchvision.datasets.CIFAR100: 32×32 colour images in 100 classes, items (uint8 3×32×32 image, fine label).
            /// Reads <c>root/cifar-100-python/</c> or else the binary version in <c>root/cifar-100-binary/</c>.
            /// </summary>
            public static CIFAR100 CIFAR100(string root, bool train = true, ITransform? transform = null, Func<long, long>? target_transform = null, bool download = false) =>
                new(root, train, transform, target_transform, download);
        }
    }
}

namespace Torchlet.Vision
{
    /// <summary>Where a CIFAR dataset comes from: torchvision 0.14's class attributes for the python version, and the layout
    /// of the binary version (which torchvision does not read: Torchlet reads it when the python version is absent).</summary>
    internal sealed record CifarSource(
        string name, string base_folder, string url, string filename, string tgz_md5,
        IReadOnlyList<(string file, string md5)> train_list, IReadOnlyList<(string file, string md5)> test_list,
        (string filename, string key, string md5) meta,
        string bin_folder, IReadOnlyList<string> bin_train, IReadOnlyList<string> bin_test, string bin_meta, int bin_label_bytes,
        int num_classes);

    /// <summary>
    /// torchvision.datasets.CIFAR10. The images of a split are held in one byte array, channels first (N×3×32×32), the order
    /// the files store them in and the one items have: items are views of it (uint8 3×32×32, no copy). <see cref="data"/> is
    /// torchvision's N×32×32×3 (channels last), a permuted view of the same array.
    /// </summary>
    public class CIFAR10 : VisionDataset
    {
        internal static readonly CifarSource Source = new("CIFAR10", "cifar-10-batches-py",
            "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz", "cifar-10-python.tar.gz", "c58f30108f718f92721af3b95e74349a",
            [
                ("data_batch_1", "c99cafc152244af753f735de768cd75f"),
                ("data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"),
                ("data_batch_3", "54ebc095f3ab1f0389bbae665268c751"),
                ("data_batch_4", "634d18415352ddfa80567beed471001a"),
                ("data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"),
            ],
            [("test_batch", "40351d587109b95175f43aff81a1287e")],
            ("batches.meta", "label_names", "5ff9c542aee3614f3951f8cda6e48888"),
            "cifar-10-batches-bin", ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"],
            ["test_batch.bin"], "batches.meta.txt", 1, 10);

        const int ImageBytes = 3 * 32 * 32;

        readonly CifarSource _source;
        readonly bool _checkMd5;
        readonly long[] _targets;
        readonly string[] _classes;

        public CIFAR10(string root, bool train = true, ITransform? transform = null, Func<long, long>? target_transform = null, bool download = false)
            : this(root, train, transform, target_transform, download, Source, check_md5: true) { }

        /// <summary>With another source (CIFAR-100's, or in tests other URLs and checksums); <paramref name="check_md5"/> false
        /// skips torchvision's checksums of the python files (tests use small files of the same format).</summary>
        internal CIFAR10(string root, bool train, ITransform? transform, Func<long, long>? target_transform, bool download, CifarSource source, bool check_md5)
            : base(root ?? throw new ArgumentNullException(nameof(root)), transform, target_transform)
        {
            _source = source;
            _checkMd5 = check_md5;
            this.train = train;
            bool verified = download && Download();

            byte[] pixels;
            if (Missing(PythonFiles).Count == 0)
            {
                if (_checkMd5 && !verified) CheckMd5s();
                folder = PythonFolder;
                (pixels, _targets, _classes) = ReadPython();
            }
            else if (Missing(BinaryFiles).Count == 0)
            {
                folder = BinaryFolder;
                (pixels, _targets, _classes) = ReadBinary();
            }
            else throw NotFound();
            _chw = torch.from_array(pixels, _targets.Length, 3, 32, 32);
            data = _chw.permute(0, 2, 3, 1);
            targets = torch.from_array(_targets);
        }

        /// <summary>True for the training batches, false for the test batch.</summary>
        public bool train { get; }

        readonly Tensor _chw;

        /// <summary>All images of the split, uint8 N×32×32×3 as torchvision's (channels last: a view of the N×3×32×32 array items come from).</summary>
        public Tensor data { get; }

        /// <summary>The labels (CIFAR-100: the fine labels), int64 N.</summary>
        public Tensor targets { get; }

        /// <summary>torchvision's folder of the python version, e.g. <c>cifar-10-batches-py</c>.</summary>
        public string base_folder => _source.base_folder;

        /// <summary>The folder the files were read from (the python version's, or the binary version's).</summary>
        public string folder { get; }

        public override IReadOnlyList<string> classes => _classes;

        public override long Count => _targets.Length;

        protected override (Tensor image, long target) GetRaw(long index) =>
            (new Tensor(_chw, [3, 32, 32], [1024, 32, 1], checked((int)index * ImageBytes)), _targets[index]);

        public override string extra_repr() => $"Split: {(train ? "Train" : "Test")}";

        // ------------------------------------------------------------ files

        string PythonFolder => Path.Combine(root!, _source.base_folder);
        string BinaryFolder => Path.Combine(root!, _source.bin_folder);

        IEnumerable<string> PythonFiles =>
            _source.train_list.Concat(_source.test_list).Select(f => f.file).Append(_source.meta.filename).Select(f => Path.Combine(PythonFolder, f));

        IEnumerable<string> BinaryFiles =>
            (train ? _source.bin_train : _source.bin_test).Append(_source.bin_meta).Select(f => Path.Combine(BinaryFolder, f));

        static List<string> Missing(IEnumerable<string> files) => files.Where(f => !File.Exists(f)).ToList();

        Exception NotFound()
        {
            var py = Missing(PythonFiles);
            var bin = Missing(BinaryFiles);
            string Names(IEnumerable<string> files) => string.Join(", ", files.Select(Path.GetFileName));
            return new FileNotFoundException(
                $"{_source.name}: dataset not found. Looked for the python version in '{PythonFolder}' (missing: {Names(py)}) " +
                $"and for the binary version in '{BinaryFolder}' (missing: {Names(bin)}){RelativeRootNote}. {ByHand()}");
        }

        string ByHand() =>
            $"Get it with download: true, or fetch {_source.url} (md5 {_source.tgz_md5}) and put it at '{Path.Combine(root!, _source.filename)}' " +
            $"(download: true then extracts it), or extract it into '{root}' so that '{PythonFolder}' holds " +
            $"{string.Join(", ", _source.train_list.Concat(_source.test_list).Select(f => f.file).Append(_source.meta.filename))}.";

        /// <summary>torchvision's integrity check: the md5 of every python file (both splits and the meta file), as torchvision 0.14 lists them.</summary>
        void CheckMd5s()
        {
            foreach (var (file, md5) in _source.train_list.Concat(_source.test_list).Append((_source.meta.filename, _source.meta.md5)))
            {
                var path = Path.Combine(PythonFolder, file);
                var got = DatasetFiles.Md5(path);
                if (got != md5)
                    throw new InvalidDataException($"{_source.name}: '{path}' is corrupted: its md5 is {got}, but torchvision's checksum for the original file is {md5}. " +
                        $"Download it again with download: true, or fetch {_source.url} and extract it into '{root}'.");
            }
        }

        bool PythonVerified() => Missing(PythonFiles).Count == 0 && (!_checkMd5 || _source.train_list.Concat(_source.test_list)
            .Append((_source.meta.filename, _source.meta.md5)).All(f => DatasetFiles.Md5(Path.Combine(PythonFolder, f.Item1)) == f.Item2));

        /// <summary>
        /// torchvision's download: the python version's .tar.gz (md5-checked, kept in root as torchvision keeps it), extracted
        /// into root. Nothing happens when the python files are there and verified, or when only the binary version is there.
        /// Returns whether the python files were found verified (so that they need no second check).
        /// </summary>
        bool Download()
        {
            if (PythonVerified()) return true;
            if (!Directory.Exists(PythonFolder) && Missing(BinaryFiles).Count == 0) return false;
            var archive = Path.Combine(root!, _source.filename);
            var created = DatasetFiles.CreateDirectories(root!);
            try
            {
                if (!File.Exists(archive) || DatasetFiles.Md5(archive) != _source.tgz_md5)
                    DatasetFiles.Download([_source.url], archive, _source.tgz_md5, _source.name,
                        $"Without a network, fetch {_source.url} elsewhere and put it at '{archive}', or extract it into '{root}' so that " +
                        $"'{PythonFolder}' holds {string.Join(", ", _source.train_list.Concat(_source.test_list).Select(f => f.file).Append(_source.meta.filename))}.");
                DatasetFiles.ExtractTarGz(archive, root!, _source.name);
            }
            finally { DatasetFiles.RemoveIfEmpty(created); }
            return false;
        }

        // ------------------------------------------------------------ the python version

        (byte[] pixels, long[] targets, string[] classes) ReadPython()
        {
            var classes = ReadPythonMeta();
            var batches = new List<(byte[] pixels, long[] labels)>();
            foreach (var (file, _) in train ? _source.train_list : _source.test_list)
            {
                var path = Path.Combine(PythonFolder, file);
                var entry = NumpyPickle.Load(path, _source.name) as Hashtable
                    ?? throw new InvalidDataException($"{_source.name}: '{path}' is damaged: expected a dict (data, labels, ...) at its top level");
                var arr = NumpyPickle.UInt8Array(entry["data"], "'data'", path, _source.name);
                if (arr.shape.Length != 2 || arr.shape[1] != ImageBytes)
                    throw new InvalidDataException($"{_source.name}: '{path}' is damaged: 'data' has shape ({string.Join(", ", arr.shape)}), expected (N, {ImageBytes}): one row of 3×32×32 bytes per image");
                int n = checked((int)arr.shape[0]);
                // torchvision's rule: "labels" (CIFAR-10), else "fine_labels" (CIFAR-100).
                var key = entry.ContainsKey("labels") ? "labels" : entry.ContainsKey("fine_labels") ? "fine_labels" : _source.num_classes == 10 ? "labels" : "fine_labels";
                var labels = Labels(entry[key], key, n, classes.Length, path);
                var px = GC.AllocateUninitializedArray<byte>(checked(n * ImageBytes));
                arr.CopyTo(px);
                batches.Add((px, labels));
            }
            return (Concat(batches.Select(b => b.pixels)), Concat(batches.Select(b => b.labels)), classes);
        }

        string[] ReadPythonMeta()
        {
            var path = Path.Combine(PythonFolder, _source.meta.filename);
            var meta = NumpyPickle.Load(path, _source.name) as Hashtable
                ?? throw new InvalidDataException($"{_source.name}: '{path}' is damaged: expected a dict at its top level");
            if (meta[_source.meta.key] is not ArrayList names || names.Cast<object>().Any(o => o is not string))
                throw new InvalidDataException($"{_source.name}: '{path}' is damaged: expected a list of class names under '{_source.meta.key}', got {NumpyPickle.Describe(meta[_source.meta.key])}");
            var classes = names.Cast<string>().ToArray();
            if (classes.Length != _source.num_classes)
                throw new InvalidDataException($"{_source.name}: '{path}' is damaged: '{_source.meta.key}' holds {classes.Length} class names, expected {_source.num_classes}");
            return classes;
        }

        long[] Labels(object? value, string key, int n, int numClasses, string path)
        {
            if (value is not ArrayList list)
                throw new InvalidDataException($"{_source.name}: '{path}' is damaged: expected a list of labels under '{key}', got {NumpyPickle.Describe(value)}");
            if (list.Count != n)
                throw new InvalidDataException($"{_source.name}: '{path}' is damaged: it holds {n} images but {list.Count} labels under '{key}'");
            var labels = new long[n];
            for (int i = 0; i < n; i++)
            {
                labels[i] = list[i] switch
                {
                    int v => v,
                    long v => v,
                    var v => throw new InvalidDataException($"{_source.name}: '{path}' is damaged: label {i} under '{key}' is {NumpyPickle.Describe(v)}, expected an integer"),
                };
                if ((ulong)labels[i] >= (ulong)numClasses)
                    throw new InvalidDataException($"{_source.name}: '{path}' is damaged: label {i} under '{key}' is {labels[i]}, expected a class index below {numClasses}");
            }
            return labels;
        }

        // ------------------------------------------------------------ the binary version

        /// <summary>
        /// The binary version: records of <c>bin_label_bytes</c> label bytes (CIFAR-100: coarse, then fine) and 3072 pixel
        /// bytes. torchvision publishes no md5s for it, so the checks are structural: each file's length is a whole number of
        /// records, every label is below its class count, and the meta file names exactly the expected number of classes.
        /// </summary>
        (byte[] pixels, long[] targets, string[] classes) ReadBinary()
        {
            var metaPath = Path.Combine(BinaryFolder, _source.bin_meta);
            var classes = File.ReadAllLines(metaPath).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
            if (classes.Length != _source.num_classes)
                throw new InvalidDataException($"{_source.name}: '{metaPath}' is damaged: it names {classes.Length} classes (one per line), expected {_source.num_classes}");
            int record = _source.bin_label_bytes + ImageBytes;
            var batches = new List<(byte[] pixels, long[] labels)>();
            foreach (var file in train ? _source.bin_train : _source.bin_test)
            {
                var path = Path.Combine(BinaryFolder, file);
                var bytes = File.ReadAllBytes(path);
                if (bytes.Length % record != 0)
                    throw new InvalidDataException($"{_source.name}: '{path}' is damaged: its length {bytes.Length} is not a whole number of {record}-byte records " +
                        $"({_source.bin_label_bytes} label byte{(_source.bin_label_bytes > 1 ? "s" : "")} + {ImageBytes} pixels); the file is truncated or not a CIFAR binary batch");
                int n = bytes.Length / record;
                var labels = new long[n];
                var px = GC.AllocateUninitializedArray<byte>(n * ImageBytes);
                for (int i = 0; i < n; i++)
                {
                    int at = i * record;
                    if (_source.bin_label_bytes == 2 && bytes[at] >= 20)
                        throw new InvalidDataException($"{_source.name}: '{path}' is damaged: record {i} has coarse label {bytes[at]}, expected a class index below 20");
                    labels[i] = bytes[at + _source.bin_label_bytes - 1];
                    if (labels[i] >= _source.num_classes)
                        throw new InvalidDataException($"{_source.name}: '{path}' is damaged: record {i} has label {labels[i]}, expected a class index below {_source.num_classes}");
                    bytes.AsSpan(at + _source.bin_label_bytes, ImageBytes).CopyTo(px.AsSpan(i * ImageBytes));
                }
                batches.Add((px, labels));
            }
            return (Concat(batches.Select(b => b.pixels)), Concat(batches.Select(b => b.labels)), classes);
        }

        static T[] Concat<T>(IEnumerable<T[]> parts)
        {
            var list = parts.ToList();
            if (list.Count == 1) return list[0];
            var all = GC.AllocateUninitializedArray<T>(checked(list.Sum(p => p.Length)));
            int at = 0;
            foreach (var p in list) { p.CopyTo(all, at); at += p.Length; }
            return all;
        }
    }

    /// <summary>torchvision.datasets.CIFAR100: CIFAR-10's reader with 100 classes; items carry the fine label, as torchvision's.</summary>
    public sealed class CIFAR100 : CIFAR10
    {
        internal static new readonly CifarSource Source = new("CIFAR100", "cifar-100-python",
            "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz", "cifar-100-python.tar.gz", "eb9058c3a382ffc7106e4002c42a8d85",
            [("train", "16019d7e3df5f24257cddd939b257f8d")],
            [("test", "f0ef6b0ae62326f3e7ffdfab6717acfc")],
            ("meta", "fine_label_names", "7973b15100ade9c7d40fb424638fde48"),
            "cifar-100-binary", ["train.bin"], ["test.bin"], "fine_label_names.txt", 2, 100);

        public CIFAR100(string root, bool train = true, ITransform? transform = null, Func<long, long>? target_transform = null, bool download = false)
            : base(root, train, transform, target_transform, download, Source, check_md5: true) { }

        internal CIFAR100(string root, bool train, ITransform? transform, Func<long, long>? target_transform, bool download, CifarSource source, bool check_md5)
            : base(root, train, transform, target_transform, download, source, check_md5) { }
    }
}
