using System.Buffers.Binary;
using System.IO.Compression;
using Torchlet.Vision;

namespace Torchlet
{
    public static partial class torchvision
    {
        public static partial class datasets
        {
            /// <summary>
            /// torchvision.datasets.MNIST: 28×28 handwritten digits, items (uint8 1×28×28 image, label). Reads the IDX files
            /// from <c>root/MNIST/raw/</c> (torchvision's layout) or from <paramref name="root"/> itself, gzipped or not.
            /// </summary>
            public static MNIST MNIST(string root, bool train = true, ITransform? transform = null, Func<long, long>? target_transform = null, bool download = false) =>
                new(root, train, transform, target_transform, download);

            /// <summary>
            /// torchvision.datasets.FashionMNIST: 28×28 clothing images in 10 classes, items (uint8 1×28×28 image, label). Reads
            /// <c>root/FashionMNIST/raw/</c> or <paramref name="root"/> itself (e.g. <c>/usr/share/datasets/fashion-mnist</c> from
            /// Debian's dataset-fashion-mnist, or the repository's <c>data/fashion-mnist-sample</c>).
            /// </summary>
            public static FashionMNIST FashionMNIST(string root, bool train = true, ITransform? transform = null, Func<long, long>? target_transform = null, bool download = false) =>
                new(root, train, transform, target_transform, download);
        }
    }
}

namespace Torchlet.Vision
{
    /// <summary>Where an MNIST-style dataset comes from (torchvision's class attributes): its folder name, download mirrors,
    /// gzipped files with their md5s, class names, and a hint on getting the files without a download.</summary>
    internal sealed record MnistSource(string name, IReadOnlyList<string> mirrors, IReadOnlyList<(string file, string md5)> resources,
        IReadOnlyList<string> classes, string otherWays);

    /// <summary>
    /// torchvision.datasets.MNIST. The images of a split are held in one byte array (<see cref="data"/>, uint8 N×H×W) and
    /// items are views of it (uint8 1×H×W, no copy), so indexing costs no more than a tensor header.
    /// </summary>
    public class MNIST : VisionDataset
    {
        internal static readonly MnistSource Source = new("MNIST",
            ["http://yann.lecun.com/exdb/mnist/", "https://ossci-datasets.s3.amazonaws.com/mnist/"],
            [
                ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
                ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
                ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
                ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
            ],
            ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"],
            "");

        const int ImageMagic = 0x00000803, LabelMagic = 0x00000801; // IDX: unsigned byte (0x08), 3 or 1 dimensions

        readonly MnistSource _source;
        readonly long[] _targets;
        readonly int _height, _width;

        public MNIST(string root, bool train = true, ITransform? transform = null, Func<long, long>? target_transform = null, bool download = false)
            : this(root, train, transform, target_transform, download, Source) { }

        /// <summary>With another source: FashionMNIST's, or (tests) other mirrors and checksums.</summary>
        internal MNIST(string root, bool train, ITransform? transform, Func<long, long>? target_transform, bool download, MnistSource source)
            : base(root ?? throw new ArgumentNullException(nameof(root)), transform, target_transform)
        {
            _source = source;
            this.train = train;
            if (download) Download();

            var split = train ? "train" : "t10k";
            var (images, labels) = FindSplit(split);
            var (pixels, dims) = ReadIdx(images, ImageMagic, "image");
            var (labelBytes, labelDims) = ReadIdx(labels, LabelMagic, "label");
            int n = dims[0];
            if (labelDims[0] != n)
                throw new InvalidDataException($"{_source.name}: the {split} images and labels disagree: '{images}' holds {n} images but '{labels}' holds {labelDims[0]} labels");
            _targets = new long[n];
            for (int i = 0; i < n; i++)
            {
                if (labelBytes[i] >= classes.Count)
                    throw new InvalidDataException($"{_source.name}: '{labels}' is damaged: label {i} is {labelBytes[i]}, expected a class index below {classes.Count}");
                _targets[i] = labelBytes[i];
            }
            (_height, _width) = (dims[1], dims[2]);
            folder = Path.GetDirectoryName(images)!;
            data = torch.from_array(pixels, n, _height, _width);
            targets = torch.from_array(_targets);
        }

        /// <summary>True for the training split (train-*), false for the test split (t10k-*).</summary>
        public bool train { get; }

        /// <summary>All images of the split, uint8 N×H×W (items are views of it).</summary>
        public Tensor data { get; }

        /// <summary>The labels, int64 N.</summary>
        public Tensor targets { get; }

        /// <summary>torchvision's download folder, <c>root/MNIST/raw</c> (<c>root/FashionMNIST/raw</c>, ...).</summary>
        public string raw_folder => Path.Combine(root!, _source.name, "raw");

        /// <summary>The folder the files were read from: <see cref="raw_folder"/> or root.</summary>
        public string folder { get; }

        public override IReadOnlyList<string> classes => _source.classes;

        public override long Count => _targets.Length;

        protected override (Tensor image, long target) GetRaw(long index)
        {
            int plane = _height * _width;
            return (new Tensor(data, [1, _height, _width], [plane, _width, 1], checked((int)index * plane)), _targets[index]);
        }

        public override string extra_repr() => $"Split: {(train ? "Train" : "Test")}";

        // ------------------------------------------------------------ files

        string[] Folders => [raw_folder, root!];

        /// <summary>The split's image and label files, from the first folder that has both (each gzipped or not).</summary>
        (string images, string labels) FindSplit(string split)
        {
            string imageName = $"{split}-images-idx3-ubyte", labelName = $"{split}-labels-idx1-ubyte";
            foreach (var dir in Folders)
                if (Find(dir, imageName) is { } images && Find(dir, labelName) is { } labels)
                    return (images, labels);
            var found = Folders.SelectMany(d => new[] { Find(d, imageName), Find(d, labelName) }).OfType<string>().ToList();
            throw new FileNotFoundException(
                $"{_source.name}: dataset not found. Looked for {imageName} and {labelName} (each as is or gzipped, .gz) in '{raw_folder}' " +
                $"(torchvision's layout) and in '{root}' (the files directly in root)" +
                (found.Count > 0 ? $"; found only {string.Join(", ", found.Select(f => $"'{f}'"))}" : "") +
                $"{RelativeRootNote}. Get them with download: true{_source.otherWays}.");
        }

        /// <summary>The file <paramref name="name"/> in <paramref name="dir"/>, uncompressed or as .gz (uncompressed first: it reads faster).</summary>
        static string? Find(string dir, string name)
        {
            var plain = Path.Combine(dir, name);
            if (File.Exists(plain)) return plain;
            return File.Exists(plain + ".gz") ? plain + ".gz" : null;
        }

        bool AllPresent() =>
            Folders.Any(dir => _source.resources.All(r => Find(dir, r.file[..^3]) is not null));

        /// <summary>
        /// torchvision's download: every file from the first mirror that has it, md5-checked, then decompressed beside it in
        /// <see cref="raw_folder"/>. Nothing happens when either layout already holds all four files.
        /// </summary>
        void Download()
        {
            if (AllPresent()) return;
            var raw = raw_folder;
            var created = DatasetFiles.CreateDirectories(raw);
            try
            {
                foreach (var (file, md5) in _source.resources)
                {
                    var plain = Path.Combine(raw, file[..^3]);
                    if (File.Exists(plain)) continue;
                    var gz = Path.Combine(raw, file);
                    if (!File.Exists(gz) || DatasetFiles.Md5(gz) != md5)
                        DatasetFiles.Download(_source.mirrors.Select(m => m + file).ToList(), gz, md5, _source.name, ByHand());
                    DatasetFiles.ExtractGzip(gz, plain, _source.name);
                }
            }
            finally { DatasetFiles.RemoveIfEmpty(created); }
        }

        string ByHand() =>
            $"Without a network, put the files {string.Join(", ", _source.resources.Select(r => r.file))} (gzipped as downloaded, or not) " +
            $"into '{raw_folder}', or directly into '{root}'{_source.otherWays}.";

        /// <summary>Reads an IDX file of unsigned bytes (MNIST's format: a big-endian magic number 0x0000080D, D big-endian
        /// dimensions, then the bytes), checking that its size is exactly what its header announces.</summary>
        (byte[] data, int[] dims) ReadIdx(string path, int magic, string kind)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            bool gzipped = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
            using Stream s = gzipped ? new GZipStream(file, CompressionMode.Decompress) : file;
            Exception Damaged(string problem) => new InvalidDataException($"{_source.name}: '{path}' is not a valid IDX {kind} file: {problem}");

            Span<byte> head = stackalloc byte[4];
            if (Fill(s, head, path) < 4) throw Damaged("it is shorter than the 4-byte magic number");
            int m = BinaryPrimitives.ReadInt32BigEndian(head);
            if (m != magic)
                throw Damaged($"its magic number is 0x{m:X8}, expected 0x{magic:X8} (unsigned bytes, {magic & 0xFF} dimension{(magic % 256 == 1 ? "" : "s")})" +
                    (!gzipped && head[0] == 0x1F && head[1] == 0x8B ? $"; the file is gzip-compressed: name it '{Path.GetFileName(path)}.gz'" : ""));
            int nd = magic & 0xFF;
            var dimBytes = new byte[4 * nd];
            if (Fill(s, dimBytes, path) < dimBytes.Length) throw Damaged($"it ends inside its header (expected {nd} dimension sizes)");
            var dims = new int[nd];
            for (int d = 0; d < nd; d++)
            {
                dims[d] = BinaryPrimitives.ReadInt32BigEndian(dimBytes.AsSpan(4 * d));
                if (dims[d] < 0) throw Damaged($"dimension {d} has a negative size ({dims[d]})");
            }
            var shape = string.Join("×", dims);
            // The product in decimal, so that a crafted header cannot wrap it around to a small number.
            var announced = dims.Aggregate(System.Numerics.BigInteger.One, (a, d) => a * d);
            if (announced > Array.MaxLength) throw Damaged($"its header announces {shape} = {announced} bytes, more than one array can hold");
            int total = (int)announced;
            // Nothing is allocated beyond what the file really holds: a plain file's size is known; a gzip stream is
            // read into a buffer that grows with the data that actually comes.
            if (!gzipped && file.Length - 4 - 4 * nd < total)
                throw Damaged($"it is truncated: its header announces {shape} = {total} bytes of data but only {file.Length - 4 - 4 * nd} follow");
            byte[] data;
            int got;
            if (gzipped) (data, got) = ReadGrowing(s, total, path);
            else got = Fill(s, data = GC.AllocateUninitializedArray<byte>(total), path);
            if (got < total) throw Damaged($"it is truncated: its header announces {shape} = {total} bytes of data but only {got} follow");
            Span<byte> extra = stackalloc byte[1];
            if (Fill(s, extra, path) > 0) throw Damaged($"it holds more data than the {shape} = {total} bytes its header announces");
            return (data, dims);
        }

        /// <summary>Up to <paramref name="total"/> bytes of a stream whose length is unknown, in a buffer that doubles as data comes.</summary>
        (byte[] data, int got) ReadGrowing(Stream s, int total, string path)
        {
            var data = GC.AllocateUninitializedArray<byte>(Math.Min(total, 1 << 20));
            int got = 0;
            while (true)
            {
                got += Fill(s, data.AsSpan(got), path);
                if (got < data.Length || data.Length == total) return (data, got);
                Array.Resize(ref data, (int)Math.Min(total, 2L * data.Length));
            }
        }

        /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; a damaged gzip stream is reported with the file.</summary>
        int Fill(Stream s, Span<byte> buffer, string path)
        {
            try { return s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false); }
            catch (InvalidDataException e) { throw new InvalidDataException($"{_source.name}: '{path}' is not a valid gzip file: {e.Message}", e); }
        }
    }

    /// <summary>torchvision.datasets.FashionMNIST: MNIST's format and reader with Zalando's clothing images and classes.</summary>
    public sealed class FashionMNIST : MNIST
    {
        internal static new readonly MnistSource Source = new("FashionMNIST",
            ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
            [
                ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
                ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
                ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
            ],
            ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
            ", or apt-get install dataset-fashion-mnist and use root: \"/usr/share/datasets/fashion-mnist\", " +
            "or use the 10,000 + 2,000 image sample in Torchlet's repository: root: \"<repository>/data/fashion-mnist-sample\"");

        public FashionMNIST(string root, bool train = true, ITransform? transform = null, Func<long, long>? target_transform = null, bool download = false)
            : base(root, train, transform, target_transform, download, Source) { }

        internal FashionMNIST(string root, bool train, ITransform? transform, Func<long, long>? target_transform, bool download, MnistSource source)
            : base(root, train, transform, target_transform, download, source) { }
    }
}
