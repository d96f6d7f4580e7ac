// What ./build.sh runs: the notes' §2.4 example exactly as README.md's first block shows it, from its first
// using on (ReadmeTests checks that), then the §2.8 LSTM network. (The §2.7 CNN is the samples' cnn: samples/FashionCnn.cs.)
using Torchlet.Modules;   // for the LSTM network's class at the end
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
