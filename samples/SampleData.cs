namespace Torchlet.Samples;

/// <summary>Where the samples find their data and write their results.</summary>
public static class SampleData
{
    /// <summary>Where Debian's dataset-fashion-mnist puts the full set (60,000 + 10,000 images).</summary>
    public const string FullFashionMnist = "/usr/share/datasets/fashion-mnist";

    /// <summary>The repository's own sample (10,000 + 2,000 images), relative to the repository root.</summary>
    public const string ShippedFashionMnist = "data/fashion-mnist-sample";

    /// <summary>The full Fashion-MNIST when it is installed, else the shipped sample; and which one it is.</summary>
    public static (string root, bool full) FashionMnist()
    {
        if (File.Exists(Path.Combine(FullFashionMnist, "train-images-idx3-ubyte.gz")) || File.Exists(Path.Combine(FullFashionMnist, "train-images-idx3-ubyte")))
            return (FullFashionMnist, true);
        return (Path.Combine(RepositoryRoot(), ShippedFashionMnist), false);
    }

    /// <summary>The folder holding Notebook.sln, found upwards from the working directory, then from this program.</summary>
    public static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Notebook.sln"))) return d.FullName;
        throw new DirectoryNotFoundException($"the samples run from inside the Torchlet repository (no Notebook.sln above {Directory.GetCurrentDirectory()})");
    }

    /// <summary>Peak resident memory of this process so far (VmHWM), in MB.</summary>
    public static double PeakMemoryMB()
    {
        foreach (var line in File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status") : [])
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line[6..].Trim().Split(' ')[0]) / 1024.0;
        return System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}
