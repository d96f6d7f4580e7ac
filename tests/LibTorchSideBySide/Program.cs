// The notes' §2.7 CNN trained on Fashion-MNIST under libtorch, exactly as samples/FashionCnn.cs trains it under Torchlet:
// the same network, Adam (lr 1e-3), batch 64, the same normalisation; reports test accuracy, seconds per epoch and
// peak memory. Usage: run.sh cnn [epochs] [data folder] [threads]
using System.Diagnostics;
using System.IO.Compression;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

var mode = args.Length > 0 ? args[0] : "cnn";
int epochs = args.Length > 1 ? int.Parse(args[1]) : 2;
var root = args.Length > 2 ? args[2] : "/usr/share/datasets/fashion-mnist";
int threads = args.Length > 3 ? int.Parse(args[3]) : Environment.ProcessorCount;
if (mode != "cnn") { Console.Error.WriteLine("usage: run.sh cnn [epochs] [data folder] [threads]"); return 2; }

torch.set_num_threads(threads);
torch.manual_seed(0);
var (trainX, trainY) = Load(root, "train");
var (testX, testY) = Load(root, "t10k");
Console.WriteLine($"libtorch {torch.__version__}, {torch.get_num_threads()} threads; {trainX.shape[0]} training, {testX.shape[0]} test images from {root}");

var net = new Net();
var criterion = nn.CrossEntropyLoss();
var optimizer = optim.Adam(net.parameters(), lr: 1e-3);
long n = trainX.shape[0];
for (int epoch = 0; epoch < epochs; epoch++)
{
    var clock = Stopwatch.StartNew();
    net.train();
    var order = torch.randperm(n);
    long batches = (n + 63) / 64;
    for (long b = 0; b < batches; b++)
    {
        using var scope = torch.NewDisposeScope();
        var idx = order[TensorIndex.Slice(b * 64, Math.Min(n, (b + 1) * 64))];
        var images = trainX.index_select(0, idx);
        var labels = trainY.index_select(0, idx);
        optimizer.zero_grad();
        var loss = criterion.forward(net.forward(images), labels);
        loss.backward();
        optimizer.step();
        if ((b + 1) % 100 == 0) Console.WriteLine($"[{epoch}/{epochs}][{b + 1}/{batches}] loss {loss.item<float>():F4} ({clock.Elapsed.TotalSeconds:F0} s)");
    }
    double seconds = clock.Elapsed.TotalSeconds;
    net.eval();
    long correct = 0;
    using (torch.no_grad())
        for (long s = 0; s < testX.shape[0]; s += 256)
        {
            using var scope = torch.NewDisposeScope();
            var x = testX[TensorIndex.Slice(s, Math.Min(testX.shape[0], s + 256))];
            var y = testY[TensorIndex.Slice(s, Math.Min(testX.shape[0], s + 256))];
            correct += net.forward(x).argmax(1).eq(y).sum().item<long>();
        }
    Console.WriteLine($"epoch {epoch}: test accuracy {(double)correct / testX.shape[0]:P2}, {seconds:F1} s training, peak memory {PeakMB():F0} MB");
}
return 0;

// IDX files (gzipped or not) → float images normalised as ToTensor + Normalize(0.2860, 0.3530) do, and int64 labels.
static (Tensor, Tensor) Load(string root, string split)
{
    byte[] Read(string name)
    {
        var p = Path.Combine(root, name);
        if (File.Exists(p)) return File.ReadAllBytes(p);
        using var gz = new GZipStream(File.OpenRead(p + ".gz"), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }
    var img = Read($"{split}-images-idx3-ubyte");
    var lab = Read($"{split}-labels-idx1-ubyte");
    int count = (img[4] << 24) | (img[5] << 16) | (img[6] << 8) | img[7];
    var x = torch.tensor(img[16..], new long[] { count, 1, 28, 28 }, dtype: ScalarType.Byte).to(ScalarType.Float32).div(255).sub(0.2860).div(0.3530);
    var y = torch.tensor(lab[8..], dtype: ScalarType.Byte).to(ScalarType.Int64);
    return (x, y);
}

static double PeakMB()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith("VmHWM:")) return long.Parse(line[6..].Trim().Split(' ')[0]) / 1024.0;
    return 0;
}

sealed class Net : nn.Module<Tensor, Tensor>
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

    public Net() : base(nameof(Net)) { RegisterComponents(); }

    public override Tensor forward(Tensor x)
    {
        x = relu3.forward(conv2.forward(relu1.forward(conv0.forward(x))));
        x = pool4.forward(x).view(-1, 128 * 14 * 14);
        return fc8.forward(drop7.forward(relu6.forward(fc5.forward(x))));
    }
}
