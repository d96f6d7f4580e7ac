using System.Text.Json;
using Torchlet.Modules;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests.NN;

/// <summary>
/// The notes' networks written as the notes write them (§2.7 CNN in both forms, §2.8 LSTM Net, §2.9 DCGAN),
/// loaded with PyTorch's weights from the safetensors files gen_notes_nets.py wrote, and checked against
/// PyTorch's outputs, gradients, running statistics and print(net) text.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public class NotesNetsTests
{
    // ------------------------------------------------------------ §2.7, class form

    sealed class Net : nn.Module<Tensor, Tensor>
    {
        public readonly Conv2d conv0 = nn.Conv2d(1, 64, kernel_size: 3, padding: 1);
        readonly ReLU relu1 = nn.ReLU();
        public readonly Conv2d conv2 = nn.Conv2d(64, 128, kernel_size: 3, padding: 1);
        readonly ReLU relu3 = nn.ReLU();
        readonly MaxPool2d pool4 = nn.MaxPool2d(stride: 2, kernel_size: 2);
        public readonly Linear fc5 = nn.Linear(128 * 14 * 14, 1024);
        readonly ReLU relu6 = nn.ReLU();
        readonly Dropout drop7 = nn.Dropout(p: 0.5);
        public readonly Linear fc8 = nn.Linear(1024, 10);

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

    // ------------------------------------------------------------ §2.7, Sequential form

    sealed class SeqNet : nn.Module<Tensor, Tensor>
    {
        readonly Sequential conv;
        readonly Sequential dense;

        public SeqNet() : base("Net")
        {
            conv = nn.Sequential(
                nn.Conv2d(1, 64, kernel_size: 3, padding: 1),
                nn.ReLU(),
                nn.Conv2d(64, 128, kernel_size: 3, padding: 1),
                nn.ReLU(),
                nn.MaxPool2d(stride: 2, kernel_size: 2));
            dense = nn.Sequential(
                nn.Linear(128 * 14 * 14, 1024),
                nn.ReLU(),
                nn.Dropout(p: 0.5),
                nn.Linear(1024, 10));
        }

        public override Tensor forward(Tensor x)
        {
            x = conv.forward(x);
            x = x.view(-1, 128 * 14 * 14);
            x = dense.forward(x);
            return x;
        }
    }

    // ------------------------------------------------------------ §2.8

    sealed class LstmNet : nn.Module<Tensor, Tensor>
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
            x = fc.forward(x);
            x = x[.., .., 0];
            return x;
        }
    }

    // ------------------------------------------------------------ §2.9

    const long latent_size = 64, n_channel = 3, n_g_feature = 64, n_d_feature = 64;

    static Sequential Gnet() => nn.Sequential(
        nn.ConvTranspose2d(latent_size, 4 * n_g_feature, kernel_size: 4, bias: false),
        nn.BatchNorm2d(4 * n_g_feature),
        nn.ReLU(),
        nn.ConvTranspose2d(4 * n_g_feature, 2 * n_g_feature, kernel_size: 4, stride: 2, padding: 1, bias: false),
        nn.BatchNorm2d(2 * n_g_feature),
        nn.ReLU(),
        nn.ConvTranspose2d(2 * n_g_feature, n_g_feature, kernel_size: 4, stride: 2, padding: 1, bias: false),
        nn.BatchNorm2d(n_g_feature),
        nn.ReLU(),
        nn.ConvTranspose2d(n_g_feature, n_channel, kernel_size: 4, stride: 2, padding: 1),
        nn.Sigmoid());

    static Sequential Dnet() => nn.Sequential(
        nn.Conv2d(n_channel, n_d_feature, kernel_size: 4, stride: 2, padding: 1),
        nn.LeakyReLU(0.2),
        nn.Conv2d(n_d_feature, 2 * n_d_feature, kernel_size: 4, stride: 2, padding: 1, bias: false),
        nn.BatchNorm2d(2 * n_d_feature),
        nn.LeakyReLU(0.2),
        nn.Conv2d(2 * n_d_feature, 4 * n_d_feature, kernel_size: 4, stride: 2, padding: 1, bias: false),
        nn.BatchNorm2d(4 * n_d_feature),
        nn.LeakyReLU(0.2),
        nn.Conv2d(4 * n_d_feature, 1, kernel_size: 4));

    static void weights_init(nn.Module m)
    {
        if (m is ConvTranspose2d ct) nn.init.xavier_normal_(ct.weight);
        else if (m is Conv2d c) nn.init.xavier_normal_(c.weight);
        else if (m is BatchNorm2d bn)
        {
            nn.init.normal_(bn.weight!, 1.0, 0.02);
            nn.init.constant_(bn.bias!, 0);
        }
    }

    // ------------------------------------------------------------ helpers

    static string Path_(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);
    static JsonElement Facts(string name) => Fixtures.Case("notes_nets", name);
    static string Str(JsonElement e, string key) => e.GetProperty(key).GetString()!;
    static string[] Strs(JsonElement e, string key) => e.GetProperty(key).EnumerateArray().Select(x => x.GetString()!).ToArray();

    static void Close(Tensor expected, Tensor actual, double atol, double rtol, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        Fixtures.AssertClose(expected.shape, expected.to(float64).data<double>().ToArray(), actual, atol, rtol, what);
    }

    /// <summary>The generator's fixed sample of positions (an LCG), for tensors too big to store whole.</summary>
    static Tensor SampleIndex(long numel)
    {
        var idx = new long[4096];
        long s = 12345;
        for (int i = 0; i < idx.Length; i++) { s = (s * 1103515245 + 12345) % (1L << 31); idx[i] = s % numel; }
        return tensor(idx);
    }

    static void CloseFingerprint(Dictionary<string, Tensor> exp, string prefix, Tensor actual, double atol, double rtol)
    {
        var flat = actual.detach().reshape(-1);
        Close(exp[prefix + ".sample"], flat[SampleIndex(flat.numel())], atol, rtol, prefix + " (sampled)");
        var d = flat.to(float64);
        Close(exp[prefix + ".sum"], d.sum().reshape(1), atol * Math.Sqrt(flat.numel()), 1e-4, prefix + ".sum");
        Close(exp[prefix + ".sumsq"], (d * d).sum().reshape(1), 0, 1e-5, prefix + ".sumsq");
    }

    // ------------------------------------------------------------ tests

    [Fact]
    public void CnnClassFormMatchesPyTorch()
    {
        var facts = Facts("cnn");
        manual_seed(0);
        var net = new Net();
        Assert.Equal(Str(facts, "repr"), net.ToString());
        Assert.Equal(Strs(facts, "state_dict"), net.state_dict().Keys.ToArray());
        var exp = load(Path_("notes_cnn_expected.safetensors"));
        // fc5.weight is not in the file (100 MB): PyTorch's default init after manual_seed(0) is reproduced exactly.
        CloseFingerprint(exp, "fc5.weight", net.fc5.weight, 0, 0);
        var (missing, unexpected) = net.load_state_dict(load(Path_("notes_cnn.safetensors")), strict: false);
        Assert.Equal(["fc5.weight"], missing);
        Assert.Empty(unexpected);

        net.eval();
        var x = exp["x"].clone().requires_grad_();
        var y = net.forward(x);
        Close(exp["y"], y, 1e-5, 1e-4, "y");
        y.backward(exp["g"]);
        Close(exp["x.grad"], x.grad!, 1e-6, 1e-3, "x.grad");
        foreach (var (n, p) in net.named_parameters())
            if (n == "fc5.weight") CloseFingerprint(exp, "grad.fc5.weight", p.grad!, 1e-6, 1e-3);
            else Close(exp["grad." + n], p.grad!, 1e-5, 1e-3, "grad " + n);
    }

    [Fact]
    public void CnnSequentialFormMatchesPyTorch()
    {
        var facts = Facts("cnn");
        manual_seed(0);
        var net = new SeqNet();
        Assert.Equal(Str(facts, "seq_repr"), net.ToString());
        Assert.Equal(Strs(facts, "seq_state_dict"), net.state_dict().Keys.ToArray());
        var exp = load(Path_("notes_cnn_expected.safetensors"));
        CloseFingerprint(exp, "fc5.weight", net.get_parameter("dense.0.weight")!, 0, 0);
        var rename = new Dictionary<string, string> { ["conv0"] = "conv.0", ["conv2"] = "conv.2", ["fc5"] = "dense.0", ["fc8"] = "dense.3" };
        var weights = load(Path_("notes_cnn.safetensors")).ToDictionary(kv => rename[kv.Key.Split('.')[0]] + "." + kv.Key.Split('.')[1], kv => kv.Value);
        net.load_state_dict(weights, strict: false);

        net.eval();
        var x = exp["x"].clone().requires_grad_();
        var y = net.forward(x);
        Close(exp["y"], y, 1e-5, 1e-4, "y");
        y.backward(exp["g"]);
        Close(exp["x.grad"], x.grad!, 1e-6, 1e-3, "x.grad");
        Close(exp["grad.conv0.weight"], net.get_parameter("conv.0.weight")!.grad!, 1e-5, 1e-3, "grad conv.0.weight");
        Close(exp["grad.fc8.weight"], net.get_parameter("dense.3.weight")!.grad!, 1e-5, 1e-3, "grad dense.3.weight");
    }

    [Fact]
    public void CnnTrainsAndDropoutIsActiveInTraining()
    {
        manual_seed(0);
        var net = new Net();
        var x = randn(2, 1, 28, 28);
        net.eval();
        var a = net.forward(x);
        Assert.True(equal(a, net.forward(x)));          // eval: deterministic
        net.train();
        Assert.False(equal(a, net.forward(x)));         // train: dropout active
    }

    [Fact]
    public void LstmNetMatchesPyTorch()
    {
        var facts = Facts("lstm");
        var net = new LstmNet(input_size: 1, hidden_size: 5);
        Assert.Equal(Str(facts, "repr"), net.ToString());
        Assert.Equal(Strs(facts, "state_dict"), net.state_dict().Keys.ToArray());
        net.load_state_dict(load(Path_("notes_lstm.safetensors")));
        var exp = load(Path_("notes_lstm_expected.safetensors"));
        var x = exp["x"].clone().requires_grad_();
        var y = net.forward(x);
        Close(exp["y"], y, 1e-6, 1e-4, "y");
        y.backward(exp["g"]);
        Close(exp["x.grad"], x.grad!, 1e-6, 1e-4, "x.grad");
        foreach (var (n, p) in net.named_parameters())
            Close(exp["grad." + n], p.grad!, 1e-6, 1e-4, "grad " + n);
    }

    [Fact]
    public void DcganMatchesPyTorch()
    {
        var facts = Facts("dcgan");
        var gnet = Gnet();
        var dnet = Dnet();
        Assert.Equal(Str(facts, "gnet_repr"), gnet.ToString());
        Assert.Equal(Str(facts, "dnet_repr"), dnet.ToString());
        gnet.apply(weights_init);
        dnet.apply(weights_init);
        var all = load(Path_("notes_dcgan.safetensors"));
        gnet.load_state_dict(all.Where(kv => kv.Key.StartsWith("gnet.")).ToDictionary(kv => kv.Key[5..], kv => kv.Value));
        dnet.load_state_dict(all.Where(kv => kv.Key.StartsWith("dnet.")).ToDictionary(kv => kv.Key[5..], kv => kv.Value));

        var exp = load(Path_("notes_dcgan_expected.safetensors"));
        var z = exp["z"].clone().requires_grad_();
        var fake = gnet.forward(z);
        Close(exp["fake"], fake, 1e-5, 1e-3, "fake");
        var logits = dnet.forward(fake);
        Close(exp["logits"], logits, 1e-4, 1e-3, "logits");
        logits.backward(exp["g"]);
        Close(exp["z.grad"], z.grad!, 1e-5, 1e-3, "z.grad");
        foreach (var (prefix, m) in new[] { ("gnet", gnet), ("dnet", dnet) })
        {
            foreach (var (n, p) in m.named_parameters())
                if (exp.ContainsKey($"grad.{prefix}.{n}")) Close(exp[$"grad.{prefix}.{n}"], p.grad!, 1e-5, 1e-3, $"grad {prefix}.{n}");
                else CloseFingerprint(exp, $"grad.{prefix}.{n}", p.grad!, 1e-5, 1e-3);
            foreach (var (n, b) in m.named_buffers())
                Close(exp[$"after.{prefix}.{n}"], b, 1e-5, 1e-4, $"{prefix}.{n} after one training forward");
        }
        gnet.eval();
        dnet.eval();
        using (no_grad()) Close(exp["eval.logits"], dnet.forward(gnet.forward(z)), 1e-4, 1e-3, "eval logits");
    }

    [Fact]
    public void AWrongSizeNamesTheLayerAndTheModelStaysUsable()
    {
        // The Sequential CNN without its pooling layer: Linear(in_features=25088) is given 128*28*28 = 100352 features.
        var net = nn.Sequential(
            nn.Conv2d(1, 64, kernel_size: 3, padding: 1), nn.ReLU(),
            nn.Conv2d(64, 128, kernel_size: 3, padding: 1), nn.ReLU(),
            nn.Flatten(),
            nn.Linear(128 * 14 * 14, 10));
        var e = Assert.Throws<ArgumentException>(() => net.forward(randn(1, 1, 28, 28)));
        Assert.Contains("Linear(in_features=25088", e.Message);
        Assert.Contains("100352", e.Message);
        Assert.Equal([1, 10], net.forward(randn(1, 1, 14, 14)).shape);

        var conv = nn.Conv2d(1, 64, kernel_size: 3, padding: 1);
        var e2 = Assert.Throws<ArgumentException>(() => conv.forward(randn(28, 28)));
        Assert.Contains("Conv2d(1, 64", e2.Message);
        Assert.Equal([1, 64, 28, 28], conv.forward(randn(1, 1, 28, 28)).shape);

        var bn = nn.BatchNorm2d(128);
        var e3 = Assert.Throws<ArgumentException>(() => bn.forward(randn(2, 64, 4, 4)));
        Assert.Contains("BatchNorm2d(128", e3.Message);
        Assert.Equal(0L, bn.get_buffer("num_batches_tracked")!.item<long>());
        bn.forward(randn(2, 128, 4, 4));
        Assert.Equal(1L, bn.get_buffer("num_batches_tracked")!.item<long>());
    }
}
