using BenchmarkDotNet.Attributes;
using static Torchlet.torch;

namespace Torchlet.Benchmarks;

/// <summary>
/// The convolution layers of the notes' CNN (§2.7: Conv2d(1, 64, 3, padding=1) → Conv2d(64, 128, 3,
/// padding=1) on 28×28) and DCGAN (§2.9: ConvTranspose2d 64→256 k4; 256→128, 128→64, 64→3 k4 s2 p1;
/// Conv2d 3→64, 64→128, 128→256 k4 s2 p1; 256→1 k4), batch 64: the forward alone (no_grad) and
/// forward + backward (weight and bias gradients, and the input gradient except for first layers).
/// The same workloads in PyTorch: tests/Torchlet.Benchmarks/conv_side_by_side.py.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 5)]
[Config(typeof(SpreadConfig))]
public class ConvBenchmarks
{
    [Params("cnn1", "cnn2", "g1", "g2", "g3", "g4", "d1", "d2", "d3", "d4")]
    public string Layer { get; set; } = "cnn2";

    nn.Module<Tensor, Tensor> _m = null!;
    Tensor _x = null!, _g = null!;

    static (Func<nn.Module<Tensor, Tensor>> make, long[] shape, bool inputGrad) Spec(string layer) => layer switch
    {
        "cnn1" => (() => nn.Conv2d(1, 64, 3, padding: 1), [64, 1, 28, 28], false),
        "cnn2" => (() => nn.Conv2d(64, 128, 3, padding: 1), [64, 64, 28, 28], true),
        "g1" => (() => nn.ConvTranspose2d(64, 256, 4, bias: false), [64, 64, 1, 1], false),
        "g2" => (() => nn.ConvTranspose2d(256, 128, 4, 2, 1, bias: false), [64, 256, 4, 4], true),
        "g3" => (() => nn.ConvTranspose2d(128, 64, 4, 2, 1, bias: false), [64, 128, 8, 8], true),
        "g4" => (() => nn.ConvTranspose2d(64, 3, 4, 2, 1), [64, 64, 16, 16], true),
        "d1" => (() => nn.Conv2d(3, 64, 4, 2, 1), [64, 3, 32, 32], false),
        "d2" => (() => nn.Conv2d(64, 128, 4, 2, 1, bias: false), [64, 64, 16, 16], true),
        "d3" => (() => nn.Conv2d(128, 256, 4, 2, 1, bias: false), [64, 128, 8, 8], true),
        "d4" => (() => nn.Conv2d(256, 1, 4), [64, 256, 4, 4], true),
        _ => throw new ArgumentException(layer),
    };

    [GlobalSetup]
    public void Setup()
    {
        manual_seed(0);
        var (make, shape, inputGrad) = Spec(Layer);
        _m = make();
        _x = randn(shape, requires_grad: inputGrad);
        using (no_grad()) _g = randn(_m.forward(_x).shape);
    }

    [Benchmark(Description = "forward")]
    public Tensor Forward()
    {
        using (no_grad()) return _m.forward(_x);
    }

    [Benchmark(Description = "forward+backward")]
    public Tensor ForwardBackward()
    {
        _m.zero_grad();
        _x.grad = null;
        var y = _m.forward(_x);
        y.backward(_g);
        return y;
    }
}
