using BenchmarkDotNet.Attributes;
using static Torchlet.torch;

namespace Torchlet.Benchmarks;

/// <summary>
/// The notes' CNN pooling layer: MaxPool2d(2, 2) on [64, 128, 28, 28] float32 (25.7 MB in,
/// 6.4 MB out + int64 indices), forward alone and forward + backward (scatter of the gradient).
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 8)]
[MemoryDiagnoser]
[Config(typeof(SpreadConfig))]
public class PoolBenchmarks
{
    Tensor _x = null!, _xg = null!, _g = null!;
    Torchlet.Modules.MaxPool2d _pool = null!;

    [GlobalSetup]
    public void Setup()
    {
        manual_seed(0);
        _x = randn(64, 128, 28, 28);
        _xg = _x.detach().requires_grad_(true);
        _g = randn(64, 128, 14, 14);
        _pool = nn.MaxPool2d(2, 2);
    }

    [Benchmark(Description = "MaxPool2d(2,2) forward [64,128,28,28]")]
    public Tensor Forward()
    {
        using (no_grad()) return _pool.forward(_x);
    }

    [Benchmark(Description = "MaxPool2d(2,2) forward+backward [64,128,28,28]")]
    public Tensor ForwardBackward()
    {
        _xg.grad = null;
        _pool.forward(_xg).backward(_g);
        return _xg.grad!;
    }
}
