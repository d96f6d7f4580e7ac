using BenchmarkDotNet.Attributes;
using Torchlet.Modules;
using static Torchlet.torch;

namespace Torchlet.Benchmarks;

/// <summary>
/// One step of the notes' §2.4 loop on a 2-element x: zero_grad, f = -x.cos().pow(2).sum().pow(2),
/// f.backward(), optimizer.step() with SGD lr 0.1. Target ≤ 10 µs.
/// </summary>
[SimpleJob(warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser]
[Config(typeof(SpreadConfig))]
public class NotesStepBenchmarks
{
    Tensor _x = null!;
    SGD _optimizer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _x = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
        _optimizer = optim.SGD(new[] { _x }, lr: 0.1, momentum: 0);
    }

    [Benchmark(Description = "§2.4 step (2 elements)")]
    public Tensor Step()
    {
        _optimizer.zero_grad();
        var f = -_x.cos().pow(2).sum().pow(2);
        f.backward();
        _optimizer.step();
        return f;
    }
}
