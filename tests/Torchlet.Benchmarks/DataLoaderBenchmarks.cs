using BenchmarkDotNet.Attributes;
using static Torchlet.torch;
using static Torchlet.torch.utils.data;

namespace Torchlet.Benchmarks;

/// <summary>
/// An epoch of the shipped Fashion-MNIST training sample (10,000 images) through a DataLoader with ToTensor and
/// Normalize, batch 64, shuffled, on one thread: the loading side of a training step. Target: ≥ 50,000 images/s, so
/// that loading never dominates a step (the notes' CNN takes well over 1 ms per image to train).
/// </summary>
[Config(typeof(ImagesPerSecondConfig))]
public class DataLoaderBenchmarks
{
    const int Images = 10_000;
    Data.DataLoader<(Tensor, long), (Tensor, Tensor)> _loader = null!;

    [Params(0, 2)]
    public int Workers;

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(1);
        var root = Path.Combine(RepositoryRoot(), "data", "fashion-mnist-sample");
        var tf = torchvision.transforms.Compose(torchvision.transforms.ToTensor(), torchvision.transforms.Normalize([0.2860], [0.3530]));
        var train = torchvision.datasets.FashionMNIST(root: root, train: true, transform: tf);
        if (train.Count != Images) throw new InvalidOperationException($"expected the {Images}-image sample, found {train.Count} images in {root}");
        _loader = DataLoader(train, batch_size: 64, shuffle: true, num_workers: Workers);
    }

    [Benchmark(OperationsPerInvoke = Images)]
    public long Epoch()
    {
        long n = 0;
        foreach (var (images, labels) in _loader) n += labels.shape[0];
        return n;
    }

    static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Notebook.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("run the benchmarks from inside the Torchlet repository");
    }
}

/// <summary>Adds images/s = 1 / (median time per image), and in brackets 1 / (min time per image).</summary>
public class ImagesPerSecondConfig : SpreadConfig
{
    public ImagesPerSecondConfig()
    {
        AddColumn(new RateColumn("images/s", "images per second: 1 / median time per image (1 / min time per image)", "N0", _ => 1e9));
    }
}
