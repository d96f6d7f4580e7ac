using BenchmarkDotNet.Attributes;
using Torchlet.Modules;
using static Torchlet.torch;

namespace Torchlet.Benchmarks;

/// <summary>
/// One training step of the notes' networks on a batch of 64, as a user's loop runs it: zero_grad, forward,
/// loss, backward, optimizer step. §2.7 CNN on 1×28×28 (Fashion-MNIST size) with SGD; §2.9 DCGAN on 3×32×32
/// with Adam, one discriminator and one generator update. Same workloads in notes_nets_side_by_side.py.
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 8)]
[MemoryDiagnoser]
[Config(typeof(SpreadConfig))]
public class NotesTrainingBenchmarks
{
    Sequential _cnn = null!;
    SGD _cnnOpt = null!;
    Tensor _images = null!, _labels = null!;
    CrossEntropyLoss _ce = null!;

    Sequential _g = null!, _d = null!;
    Adam _gOpt = null!, _dOpt = null!;
    BCEWithLogitsLoss _bce = null!;
    Tensor _real = null!, _z = null!, _ones = null!, _zeros = null!;

    /// <summary>
    /// The default (concurrent) GC runs background collections on the same 2 cores as the kernels; batch mode
    /// (what a notebook extension could choose) blocks instead. Measured both ways.
    /// </summary>
    [Params(false, true)]
    public bool BatchGC { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        System.Runtime.GCSettings.LatencyMode = BatchGC ? System.Runtime.GCLatencyMode.Batch : System.Runtime.GCLatencyMode.Interactive;
        manual_seed(0);
        _cnn = nn.Sequential(
            nn.Conv2d(1, 64, kernel_size: 3, padding: 1), nn.ReLU(),
            nn.Conv2d(64, 128, kernel_size: 3, padding: 1), nn.ReLU(),
            nn.MaxPool2d(stride: 2, kernel_size: 2),
            nn.Flatten(),
            nn.Linear(128 * 14 * 14, 1024), nn.ReLU(), nn.Dropout(p: 0.5),
            nn.Linear(1024, 10));
        _cnnOpt = optim.SGD(_cnn.parameters(), lr: 0.01, momentum: 0.9);
        _images = randn(64, 1, 28, 28);
        _labels = randint(0, 10, [64]);
        _ce = nn.CrossEntropyLoss();

        _g = nn.Sequential(
            nn.ConvTranspose2d(64, 256, kernel_size: 4, bias: false), nn.BatchNorm2d(256), nn.ReLU(),
            nn.ConvTranspose2d(256, 128, kernel_size: 4, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(128), nn.ReLU(),
            nn.ConvTranspose2d(128, 64, kernel_size: 4, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(64), nn.ReLU(),
            nn.ConvTranspose2d(64, 3, kernel_size: 4, stride: 2, padding: 1), nn.Sigmoid());
        _d = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size: 4, stride: 2, padding: 1), nn.LeakyReLU(0.2),
            nn.Conv2d(64, 128, kernel_size: 4, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
            nn.Conv2d(128, 256, kernel_size: 4, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(256), nn.LeakyReLU(0.2),
            nn.Conv2d(256, 1, kernel_size: 4));
        _gOpt = optim.Adam(_g.parameters(), lr: 0.0002, beta1: 0.5, beta2: 0.999);
        _dOpt = optim.Adam(_d.parameters(), lr: 0.0002, beta1: 0.5, beta2: 0.999);
        _bce = nn.BCEWithLogitsLoss();
        _real = rand(64, 3, 32, 32);
        _z = randn(64, 64, 1, 1);
        _ones = ones(64);
        _zeros = zeros(64);
    }

    [Benchmark(Description = "§2.7 CNN SGD step, batch 64")]
    public Tensor CnnStep()
    {
        _cnnOpt.zero_grad();
        var loss = _ce.forward(_cnn.forward(_images), _labels);
        loss.backward();
        _cnnOpt.step();
        return loss;
    }

    [Benchmark(Description = "§2.9 DCGAN D+G Adam step, batch 64")]
    public Tensor DcganStep()
    {
        // Discriminator: real images labelled 1, generated ones 0.
        _dOpt.zero_grad();
        var fake = _g.forward(_z);
        var dLoss = _bce.forward(_d.forward(_real).reshape(-1), _ones) + _bce.forward(_d.forward(fake.detach()).reshape(-1), _zeros);
        dLoss.backward();
        _dOpt.step();
        // Generator: make the discriminator say 1.
        _gOpt.zero_grad();
        var gLoss = _bce.forward(_d.forward(fake).reshape(-1), _ones);
        gLoss.backward();
        _gOpt.step();
        return gLoss;
    }
}
