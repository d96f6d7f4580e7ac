using BenchmarkDotNet.Attributes;
using Torchlet.Kernels;
using static Torchlet.torch;

namespace Torchlet.Benchmarks;

/// <summary>
/// C = A·B in float32 for N×N matrices with 2 threads: torch.mm (allocates C) and the raw
/// kernel into a preallocated C. Target ≥ 150 GFLOP/s at N = 1024.
/// </summary>
[SimpleJob(warmupCount: 3, iterationCount: 10)]
[Config(typeof(GflopsConfig))]
public class SgemmBenchmarks
{
    [Params(128, 512, 1024, 2048)]
    public int N;

    Tensor _a = null!, _b = null!;
    float[] _av = null!, _bv = null!, _cv = null!;

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(2);
        var rng = new Random(42);
        _av = new float[N * N]; _bv = new float[N * N]; _cv = new float[N * N];
        for (int i = 0; i < _av.Length; i++) { _av[i] = (float)rng.NextDouble() - 0.5f; _bv[i] = (float)rng.NextDouble() - 0.5f; }
        _a = from_array(_av, N, N);
        _b = from_array(_bv, N, N);
    }

    [Benchmark(Description = "torch.mm(A, B)")]
    public Tensor Mm() => mm(_a, _b);

    [Benchmark(Description = "Gemm.Sgemm into C")]
    public unsafe void Kernel()
    {
        fixed (float* a = _av, b = _bv, c = _cv)
            Gemm.Sgemm(N, N, N, 1f, a, N, 1, b, N, 1, 0f, c, N);
    }
}
