using Torchlet.Vision;

namespace Torchlet
{
    public static partial class torchvision
    {
        public static partial class datasets
        {
            /// <summary>
            /// torchvision.datasets.ImageFolder: images in one sub-folder per class (<c>root/dog/xxx.png</c>,
            /// <c>root/cat/123.jpg</c>); items (uint8 3×H×W RGB image, class index). Classes are the sorted sub-folder names.
            /// </summary>
            /// <param name="root">The folder holding one sub-folder per class; a leading <c>~</c> is the home folder.</param>
            /// <param name="transform">Applied to each image (e.g. <c>transforms.Compose(...)</c>); none by default.</param>
            /// <param name="target_transform">Applied to each class index; none by default.</param>
            /// <param name="loader">Reads the file at a path (default: <c>torchvision.io.read_image(path, ImageReadMode.RGB)</c>, as PIL's convert("RGB")).</param>
            /// <param name="is_valid_file">Which files to take (default: those with an image extension, <see cref="DatasetFolder.IMG_EXTENSIONS"/>).</param>
            public static ImageFolder ImageFolder(string root, ITransform? transform = null, Func<long, long>? target_transform = null,
                Func<string, Tensor>? loader = null, Func<string, bool>? is_valid_file = null) =>
                new(root, transform, target_transform, loader, is_valid_file);

            /// <summary>torchvision.datasets.DatasetFolder: samples in one sub-folder per class, read by <paramref name="loader"/>;
            /// give either <paramref name="extensions"/> or <paramref name="is_valid_file"/>.</summary>
            public static DatasetFolder DatasetFolder(string root, Func<string, Tensor> loader, IReadOnlyList<string>? extensions = null,
                ITransform? transform = null, Func<long, long>? target_transform = null, Func<string, bool>? is_valid_file = null) =>
                new(root, loader, extensions, transform, target_transform, is_valid_file);
        }
    }
}

namespace Torchlet.Vision
{
    /// <summary>
    /// torchvision.datasets.DatasetFolder: a folder per class under root, every file in it (recursively, following links)
    /// that passes the filter a sample of that class. The order is torchvision's: classes sorted by name, folders sorted by
    /// path, files sorted by name (ordinal order, as Python's sorted on str).
    /// </summary>
    public class DatasetFolder : VisionDataset
    {
        /// <summary>torchvision's IMG_EXTENSIONS (lower case; files match case-insensitively).</summary>
        public static IReadOnlyList<string> IMG_EXTENSIONS { get; } = [".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"];

        readonly string[] _classes;
        readonly (string path, long target)[] _samples;

        public DatasetFolder(string root, Func<string, Tensor> loader, IReadOnlyList<string>? extensions = null, ITransform? transform = null,
            Func<long, long>? target_transform = null, Func<string, bool>? is_valid_file = null)
            : base(root ?? throw new ArgumentNullException(nameof(root)), transform, target_transform)
        {
            ArgumentNullException.ThrowIfNull(loader);
            if ((extensions is null) == (is_valid_file is null))
                throw new ArgumentException("Both extensions and is_valid_file cannot be None or not None at the same time: pass exactly one of them", extensions is null ? nameof(extensions) : nameof(is_valid_file));
            this.loader = loader;
            this.extensions = extensions;
            _classes = find_classes(this.root!);
            _samples = make_dataset(this.root!, _classes, extensions, is_valid_file);
            targets = _samples.Select(s => s.target).ToArray();
        }

        /// <summary>Reads a sample's file.</summary>
        public Func<string, Tensor> loader { get; }

        /// <summary>The extensions that select files, or null when is_valid_file does.</summary>
        public IReadOnlyList<string>? extensions { get; }

        /// <summary>(file path, class index) of every sample, in order.</summary>
        public IReadOnlyList<(string path, long target)> samples => _samples;

        /// <summary>The class index of every sample.</summary>
        public IReadOnlyList<long> targets { get; }

        public override IReadOnlyList<string> classes => _classes;

        public override long Count => _samples.Length;

        protected override (Tensor image, long target) GetRaw(long index)
        {
            var (path, target) = _samples[index];
            return (loader(path), target);
        }

        /// <summary>torchvision's find_classes: the sorted names of the sub-folders of <paramref name="directory"/>.</summary>
        public static string[] find_classes(string directory)
        {
            if (!Directory.Exists(directory))
                throw new DirectoryNotFoundException($"No such directory: '{directory}' (the dataset root; it should hold one folder per class)");
            var classes = Directory.EnumerateDirectories(directory).Select(d => Path.GetFileName(d)!).ToArray();
            Array.Sort(classes, string.CompareOrdinal);
            if (classes.Length == 0)
                throw new FileNotFoundException($"Couldn't find any class folder in {directory}. Expected one folder per class: {directory}/dog/xxx.png, {directory}/cat/123.png, ...");
            return classes;
        }

        /// <summary>torchvision's make_dataset: every valid file of every class folder, with its class index.</summary>
        public static (string path, long target)[] make_dataset(string directory, IReadOnlyList<string> classes, IReadOnlyList<string>? extensions = null,
            Func<string, bool>? is_valid_file = null)
        {
            if ((extensions is null) == (is_valid_file is null))
                throw new ArgumentException("Both extensions and is_valid_file cannot be None or not None at the same time: pass exactly one of them");
            is_valid_file ??= path => extensions!.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));
            var sorted = classes.Select((c, i) => (name: c, index: (long)i)).OrderBy(c => c.name, StringComparer.Ordinal);
            var instances = new List<(string, long)>();
            var empty = new List<string>();
            foreach (var (name, index) in sorted)
            {
                var target = Path.Combine(directory, name);
                if (!Directory.Exists(target)) continue;
                int before = instances.Count;
                foreach (var (dir, files) in Walk(target))
                    foreach (var file in files)
                    {
                        var path = Path.Combine(dir, file);
                        if (is_valid_file(path)) instances.Add((path, index));
                    }
                if (instances.Count == before) empty.Add(name);
            }
            // As torchvision: classes without a folder count as empty too.
            empty.AddRange(classes.Where(c => !Directory.Exists(Path.Combine(directory, c))));
            if (empty.Count > 0)
            {
                empty.Sort(string.CompareOrdinal);
                throw new FileNotFoundException($"Found no valid file for the classes {string.Join(", ", empty)}. " +
                    (extensions is not null ? $"Supported extensions are: {string.Join(", ", extensions)}. " : "No file passed is_valid_file. ") +
                    $"Looked in {string.Join(", ", empty.Select(c => $"'{Path.Combine(directory, c)}'"))}.");
            }
            return instances.ToArray();
        }

        /// <summary>
        /// <c>sorted(os.walk(top, followlinks=True))</c>: every folder under <paramref name="top"/> (itself included) sorted by
        /// path, with its sorted file names. A folder reached twice through links is walked once (os.walk would loop).
        /// </summary>
        static IEnumerable<(string dir, string[] files)> Walk(string top)
        {
            var dirs = new List<string>();
            var seen = new HashSet<string>();
            var stack = new Stack<string>();
            stack.Push(top);
            while (stack.Count > 0)
            {
                var d = stack.Pop();
                var real = new DirectoryInfo(d).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(d);
                if (!seen.Add(real)) continue;
                dirs.Add(d);
                foreach (var sub in Directory.EnumerateDirectories(d)) stack.Push(sub);
            }
            dirs.Sort(string.CompareOrdinal);
            foreach (var d in dirs)
            {
                var files = Directory.EnumerateFiles(d).Select(f => Path.GetFileName(f)!).ToArray();
                Array.Sort(files, string.CompareOrdinal);
                yield return (d, files);
            }
        }
    }

    /// <summary>torchvision.datasets.ImageFolder: a <see cref="DatasetFolder"/> of image files, read as RGB unless a loader is given.</summary>
    public sealed class ImageFolder : DatasetFolder
    {
        public ImageFolder(string root, ITransform? transform = null, Func<long, long>? target_transform = null,
            Func<string, Tensor>? loader = null, Func<string, bool>? is_valid_file = null)
            : base(root, loader ?? default_loader, is_valid_file is null ? IMG_EXTENSIONS : null, transform, target_transform, is_valid_file) { }

        /// <summary>The same list as <see cref="DatasetFolder.samples"/> (torchvision's <c>imgs</c>).</summary>
        public IReadOnlyList<(string path, long target)> imgs => samples;

        /// <summary>torchvision's default_loader: the image as uint8 3×H×W RGB (PIL's <c>Image.open(f).convert("RGB")</c>).</summary>
        public static Tensor default_loader(string path) => torchvision.io.read_image(path, torchvision.io.ImageReadMode.RGB);
    }
}
