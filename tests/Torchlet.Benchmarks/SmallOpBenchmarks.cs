using BenchmarkDotNet.Attributes;
using static Torchlet.torch;

namespace Torchlet.Benchmarks;

/// <summary>Per-op overhead: the cost of a tiny op is all dispatch, allocation and bookkeeping. Target ≤ 0.3 µs.</summary>
[SimpleJob(warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser]
[Config(typeof(SpreadConfig))]
public class SmallOpBenchmarks
{
    Tensor _a = null!, _b = null!;

    [GlobalSetup]
    public void Setup()
    {
        _a = tensor(new[] { 1.0, 2.0 });
        _b = tensor(new[] { 3.0, 4.0 });
    }

    [Benchmark(Description = "a + b (2 × float32)")]
    public Tensor Add() => _a + _b;
}
