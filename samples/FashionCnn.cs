using System.Diagnostics;
using Torchlet.Modules;
using static Torchlet.torch;
using static Torchlet.torch.utils.data;

namespace Torchlet.Samples;

/// <summary>
/// The notes' §2.7 CNN, written as the notes write it, trained on Fashion-MNIST with Adam (lr 1e-3, batch 64) and
/// evaluated on the test set after each epoch.
/// </summary>
public static class FashionCnn
{
    public sealed class Net : nn.Module<Tensor, Tensor>
    {
        readonly Conv2d conv0 = nn.Conv2d(1, 64, kernel_size: 3, padding: 1);
        readonly ReLU relu1 = nn.ReLU();
        readonly Conv2d conv2 = nn.Conv2d(64, 128, kernel_size: 3, padding: 1);
        readonly ReLU relu3 = nn.ReLU();
        readonly MaxPool2d pool4 = nn.MaxPool2d(stride: 2, kernel_size: 2);
        readonly Linear fc5 = nn.Linear(128 * 14 * 14, 1024);
        readonly ReLU relu6 = nn.ReLU();
        readonly Dropout drop7 = nn.Dropout(p: 0.5);
        readonly Linear fc8 = nn.Linear(1024, 10);

        public Net() : base(nameof(Net)) { }

        public override Tensor forward(Tensor x)
        {
            x = conv0.forward(x);
            x = relu1.forward(x);
            x = conv2.forward(x);
            x = relu3.forward(x);
            x = pool4.forward(x);
            x = x.view(-1, 128 * 14 * 14);
            x = fc5.forward(x);
            x = relu6.forward(x);
            x = drop7.forward(x);
            x = fc8.forward(x);
            return x;
        }
    }

    public sealed record Result(int Epochs, long Steps, double TestAccuracy, double[] SecondsPerEpoch, double PeakMemoryMB, bool FullData);

    /// <param name="epochs">Passes over the training set.</param>
    /// <param name="maxSteps">Stop each epoch after this many batches (the main job's short form); null = whole epochs.</param>
    public static Result Run(int epochs, long? maxSteps, TextWriter log)
    {
        var (root, full) = SampleData.FashionMnist();
        log.WriteLine($"data: Fashion-MNIST from {root} ({(full ? "the full set" : "the shipped sample")})");
        manual_seed(0);

        // Mean and standard deviation of Fashion-MNIST's training pixels.
        var tf = torchvision.transforms.Compose(torchvision.transforms.ToTensor(), torchvision.transforms.Normalize([0.2860], [0.3530]));
        var train = torchvision.datasets.FashionMNIST(root: root, train: true, transform: tf);
        var test = torchvision.datasets.FashionMNIST(root: root, train: false, transform: tf);
        var loader = DataLoader(train, batch_size: 64, shuffle: true);
        var test_loader = DataLoader(test, batch_size: 256);
        log.WriteLine($"{train.Count} training and {test.Count} test images; {loader.Count} batches of 64 per epoch" +
                      (maxSteps is { } m ? $", {m} per epoch in this short run" : ""));

        var net = new Net();
        log.WriteLine(net);   // print(net): the same text as PyTorch's
        log.WriteLine($"{net.parameters().Sum(p => p.numel()):N0} parameters");
        var criterion = nn.CrossEntropyLoss();
        var optimizer = optim.Adam(net.parameters(), lr: 1e-3);
        var seconds = new List<double>();
        double accuracy = 0;
        long steps = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            net.train();
            double running = 0;
            int counted = 0;
            foreach (var (batch_idx, (images, labels)) in loader.Index())
            {
                if (maxSteps is { } max && batch_idx >= max) break;
                optimizer.zero_grad();
                var loss = criterion.forward(net.forward(images), labels);
                loss.backward();
                optimizer.step();
                running += loss.item<float>();
                counted++;
                steps++;
                if ((batch_idx + 1) % 100 == 0 || batch_idx + 1 == (maxSteps ?? loader.Count))
                {
                    log.WriteLine($"[{epoch}/{epochs}][{batch_idx + 1}/{maxSteps ?? loader.Count}] loss {running / counted:F4}  ({clock.Elapsed.TotalSeconds:F0} s)");
                    running = 0;
                    counted = 0;
                }
            }
            seconds.Add(clock.Elapsed.TotalSeconds);
            accuracy = Evaluate(net, test_loader);
            log.WriteLine($"epoch {epoch}: test accuracy {accuracy:P2}, {seconds[^1]:F1} s training, peak memory {SampleData.PeakMemoryMB():F0} MB");
        }
        return new Result(epochs, steps, accuracy, seconds.ToArray(), SampleData.PeakMemoryMB(), full);
    }

    /// <summary>The share of test images whose highest logit is the right class.</summary>
    public static double Evaluate(nn.Module<Tensor, Tensor> net, IEnumerable<(Tensor, Tensor)> test_loader)
    {
        net.eval();
        long correct = 0, total = 0;
        using (no_grad())
            foreach (var (images, labels) in test_loader)
            {
                var predicted = net.forward(images).argmax(1);
                correct += predicted.eq(labels).sum().item<long>();
                total += labels.shape[0];
            }
        return (double)correct / total;
    }
}
