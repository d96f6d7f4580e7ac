namespace Torchlet.Interactive;

/// <summary>
/// Where the course's notebooks find Fashion-MNIST: the full set where Debian's <c>dataset-fashion-mnist</c> installed it,
/// else the 10,000 + 2,000 image sample this package carries (the repository's <c>data/fashion-mnist-sample</c>), so a
/// notebook has real images on a machine with no network and no data packages, wherever it is opened.
/// </summary>
public static class CourseData
{
    /// <summary>Where Debian's dataset-fashion-mnist puts the full set (60,000 + 10,000 images).</summary>
    public const string FullFashionMnist = "/usr/share/datasets/fashion-mnist";

    const string Sample = "fashion-mnist-sample";

    /// <summary>The root to give <c>torchvision.datasets.FashionMNIST</c>: the full set when installed, else the sample.</summary>
    public static string FashionMnistRoot => HasFullFashionMnist ? FullFashionMnist : SampleFashionMnistRoot;

    /// <summary>True when the full Fashion-MNIST is installed.</summary>
    public static bool HasFullFashionMnist =>
        File.Exists(Path.Combine(FullFashionMnist, "train-images-idx3-ubyte.gz")) || File.Exists(Path.Combine(FullFashionMnist, "train-images-idx3-ubyte"));

    /// <summary>The shipped sample: beside this assembly in its package (<c>data/</c> at the package's root), in a build's
    /// output folder, or in the repository above the working directory.</summary>
    public static string SampleFashionMnistRoot
    {
        get
        {
            var here = Path.GetDirectoryName(typeof(CourseData).Assembly.Location) ?? "";
            var candidates = new List<string>
            {
                Path.Combine(here, "..", "..", "data", Sample),   // package: lib/net10.0/ → package root
                Path.Combine(here, "data", Sample),               // build output
            };
            for (var d = new DirectoryInfo(Environment.CurrentDirectory); d is not null; d = d.Parent)
                candidates.Add(Path.Combine(d.FullName, "data", Sample));
            foreach (var c in candidates)
                if (File.Exists(Path.Combine(c, "train-images-idx3-ubyte.gz"))) return Path.GetFullPath(c);
            throw new DirectoryNotFoundException(
                $"the Fashion-MNIST sample is not where the Torchlet.Interactive package puts it (looked in {string.Join(", ", candidates.Take(2).Select(Path.GetFullPath))} and above the working directory); " +
                $"install the full set (apt-get install dataset-fashion-mnist) or give FashionMNIST a root of your own");
        }
    }

    /// <summary>One line for a notebook: which Fashion-MNIST it uses.</summary>
    public static string Describe() => HasFullFashionMnist
        ? $"Fashion-MNIST: the full set (60,000 training and 10,000 test images) in {FullFashionMnist}"
        : $"Fashion-MNIST: the sample shipped with Torchlet (10,000 training and 2,000 test images) in {SampleFashionMnistRoot}; apt-get install dataset-fashion-mnist gives the full set";
}
