// What ./build.sh runs: the notes' §2.4 example exactly as README.md's first block shows it, from its first
// using on (ReadmeTests checks that), then the §2.7 and §2.8 networks.
using Torchlet.Modules;   // for the networks' classes at the end
using Torchlet;
using static Torchlet.torch;

// Notes §2.4: minimise f(x) = -(Σ cos² x)² by gradient descent.
var x = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
var optimizer = optim.SGD(new[] { x }, lr: 0.1, momentum: 0);
for (int step = 0; step < 11; step++)
{
    optimizer.zero_grad();
    var f = -x.cos().pow(2).sum().pow(2);
    Console.WriteLine($"step {step}: x = {x}, f(x) = {f}");
    f.backward();
    optimizer.step();
}

// The notes' §2.7 CNN, written as the notes write it, printed as PyTorch prints it.
Console.WriteLine();
var net = new Net();
Console.WriteLine(net);
Console.WriteLine($"{net.parameters().Sum(p => p.numel()):N0} parameters; output for a batch of 8 images: [{string.Join(", ", net.forward(zeros(8, 1, 28, 28)).shape)}]");

// The notes' §2.8 LSTM Net learning to continue a sine wave: predict x[t+1] from x[..t].
Console.WriteLine();
manual_seed(0);
var lstm = new LstmNet(input_size: 1, hidden_size: 5);
var adam = optim.Adam(lstm.parameters(), lr: 0.02);
var phase = rand(1, 16) * 2 * Math.PI;                        // 16 sequences, random phases
var wave = (arange(21.0).unsqueeze(1) * 0.3 + phase).sin();   // [time 21, batch 16]
var (inputs, targets) = (wave[..20], wave[1..]);
var mse = nn.MSELoss();
for (int epoch = 0; epoch <= 300; epoch++)
{
    adam.zero_grad();
    var loss = mse.forward(lstm.forward(inputs), targets);
    loss.backward();
    adam.step();
    if (epoch % 60 == 0) Console.WriteLine($"LSTM epoch {epoch,3}: mse {loss.item<float>():F5}");
}

class Net : nn.Module<Tensor, Tensor>
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
        x = relu3.forward(conv2.forward(relu1.forward(conv0.forward(x))));
        x = pool4.forward(x).view(-1, 128 * 14 * 14);
        return fc8.forward(drop7.forward(relu6.forward(fc5.forward(x))));
    }
}

class LstmNet : nn.Module<Tensor, Tensor>
{
    readonly LSTM rnn;
    readonly Linear fc;

    public LstmNet(long input_size, long hidden_size) : base("Net")
    {
        rnn = nn.LSTM(input_size, hidden_size);
        fc = nn.Linear(hidden_size, 1);
    }

    public override Tensor forward(Tensor x)
    {
        x = x[.., .., TensorIndex.None];
        (x, _, _) = rnn.forward(x);
        return fc.forward(x)[.., .., 0];
    }
}
