using System.Text.Json;
using Torchlet.Modules;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests.NN;

/// <summary>The module system against nn_module.json (gen_nn_module.py mirrors these classes in PyTorch).</summary>
public class ModuleTests
{
    /// <summary>The generator's Affine: y = x·Wᵀ + b, parameters as auto-properties.</summary>
    sealed class Affine : nn.Module<Tensor, Tensor>
    {
        readonly long _n, _m;
        public Parameter weight { get; set; }
        public Parameter? bias { get; set; }

        public Affine(long n, long m, bool bias = true) : base(nameof(Affine))
        {
            _n = n; _m = m;
            weight = new Parameter(zeros(m, n));
            this.bias = bias ? new Parameter(zeros(m)) : null;
        }

        public override string extra_repr() => $"in={_n}, out={_m}";

        public override Tensor forward(Tensor x)
        {
            var y = x.matmul(weight.t());
            return bias is null ? y : y + bias;
        }
    }

    /// <summary>The generator's Net: sub-modules in fields (one of them shared), buffers, containers.</summary>
    sealed class Net : nn.Module<Tensor, Tensor>
    {
        readonly Affine fc = new(3, 2);
        readonly Sequential body = nn.Sequential(new Affine(2, 2), nn.Sequential(), new Affine(2, 1, bias: false));
        readonly ModuleList<Affine> heads;
        readonly ModuleDict<nn.Module> named;
        readonly Affine shared;

        public Net() : base(nameof(Net))
        {
            register_buffer("steps", zeros(1));
            register_buffer("scratch", zeros(2), persistent: false);
            heads = nn.ModuleList(new Affine(1, 1), new Affine(1, 2));
            named = nn.ModuleDict(("a", (nn.Module)new Affine(2, 3)), ("b", nn.Sequential(("inner", (nn.Module<Tensor, Tensor>)new Affine(3, 3)))));
            shared = fc;
        }

        public override Tensor forward(Tensor x) => body.call(fc.call(x));
    }

    static JsonElement Case(string name) => Fixtures.Case("nn_module", name);
    static string[] Strings(JsonElement e) => e.EnumerateArray().Select(x => x.GetString()!).ToArray();

    [Fact]
    public void PrintMatchesPyTorch()
    {
        var c = Case("net");
        Assert.Equal(c.GetProperty("repr").GetString(), new Net().ToString());
        var e = Case("empty_seq");
        Assert.Equal(e.GetProperty("repr").GetString(), nn.Sequential().ToString());
        Assert.Equal(e.GetProperty("list").GetString(), nn.ModuleList().ToString());
        Assert.Equal(e.GetProperty("leaf").GetString(), new Affine(1, 1).ToString());
    }

    [Fact]
    public void NamesAndOrderMatchPyTorch()
    {
        var c = Case("net");
        var net = new Net();
        Assert.Equal(Strings(c.GetProperty("state_dict")), net.state_dict().Keys.ToArray());
        Assert.Equal(Strings(c.GetProperty("parameters")), net.named_parameters().Select(x => x.name).ToArray());
        Assert.Equal(Strings(c.GetProperty("buffers")), net.named_buffers().Select(x => x.name).ToArray());
        Assert.Equal(Strings(c.GetProperty("modules")), net.named_modules().Select(x => x.name).ToArray());
        Assert.Equal(Strings(c.GetProperty("children")), net.named_children().Select(x => x.name).ToArray());
        Assert.Equal(net.named_parameters().Count(), net.parameters().Count());
    }

    static Dictionary<string, Tensor> Without(Dictionary<string, Tensor> d, string key) => d.Where(kv => kv.Key != key).ToDictionary();

    [Theory]
    [InlineData("load_missing")]
    [InlineData("load_unexpected")]
    [InlineData("load_mismatch")]
    [InlineData("load_all")]
    public void LoadStateDictErrorsMatchPyTorchAndChangeNothing(string name)
    {
        var sd = new Net().state_dict();
        foreach (var t in sd.Values) t.fill_(7);
        var given = name switch
        {
            "load_missing" => Without(sd, "fc.bias"),
            "load_unexpected" => new Dictionary<string, Tensor>(sd) { ["fc.b"] = zeros(2) },
            "load_mismatch" => new Dictionary<string, Tensor>(sd) { ["fc.weight"] = zeros(3, 3) },
            _ => new Dictionary<string, Tensor>(Without(sd, "fc.bias")) { ["fc.b"] = zeros(2), ["fc.weight"] = zeros(3, 3) },
        };
        var net = new Net();
        var e = Assert.Throws<ArgumentException>(() => net.load_state_dict(given));
        Assert.Equal(Case(name).GetProperty("error").GetString(), e.Message);
        Assert.All(net.parameters(), p => Assert.Equal(0f, p.abs().sum().item<float>()));
    }

    [Fact]
    public void NonStrictLoadReportsKeysAndCopiesTheRest()
    {
        var src = new Net();
        var sd = src.state_dict();
        foreach (var (k, t) in sd) t.fill_(k.Length);
        var given = new Dictionary<string, Tensor>(Without(sd, "fc.bias")) { ["fc.b"] = zeros(2) };
        var net = new Net();
        var (missing, unexpected) = net.load_state_dict(given, strict: false);
        var c = Case("load_nonstrict");
        Assert.Equal(Strings(c.GetProperty("missing")), missing.ToArray());
        Assert.Equal(Strings(c.GetProperty("unexpected")), unexpected.ToArray());
        var loaded = net.state_dict();
        Assert.Equal((float)"body.0.weight".Length, loaded["body.0.weight"][0, 0].item<float>());
        // fc.bias was missing, but fc is also `shared`, whose bias was given: as in PyTorch, it is loaded through that name.
        Assert.Equal((float)"shared.bias".Length, loaded["fc.bias"][0].item<float>());
    }

    [Fact]
    public void LoadKeepsParameterIdentityAndBumpsVersion()
    {
        var net = new Net();
        var w = net.get_parameter("fc.weight")!;
        var y = (w * w).sum();
        var sd = net.state_dict();
        sd["fc.weight"] = ones(2, 3);
        net.load_state_dict(sd);
        Assert.Same(w, net.get_parameter("fc.weight"));
        Assert.Equal(6f, w.sum().item<float>());
        // w was saved for the backward of w*w: changing it in place must be caught, as in PyTorch.
        var e = Assert.Throws<InvalidOperationException>(() => y.backward());
        Assert.Contains("modified by an inplace operation", e.Message);
    }

    [Fact]
    public void FieldsAreDiscoveredWhenSetAfterBaseAndWhenReplaced()
    {
        var net = new Net();
        Assert.Equal(2, net.get_submodule("fc").parameters().Count());
        var a = new Affine(3, 2);
        var before = net.parameters().Count();
        // A new module in a field is seen at once, as PyTorch's __setattr__ would register it.
        typeof(Net).GetField("fc", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.SetValue(net, a);
        Assert.Same(a.weight, net.get_parameter("fc.weight"));
        Assert.Equal(before + 2, net.parameters().Count()); // fc and shared are now different modules
    }

    [Fact]
    public void TrainEvalApplyZeroGradRequiresGrad()
    {
        var net = new Net();
        Assert.All(net.modules(), m => Assert.True(m.training));
        net.eval();
        Assert.All(net.modules(), m => Assert.False(m.training));
        net.train();
        Assert.All(net.modules(), m => Assert.True(m.training));

        var order = new List<string>();
        nn.Sequential(("a", (nn.Module<Tensor, Tensor>)new Affine(1, 1)), ("b", nn.Sequential(new Affine(1, 2)))).apply(m => order.Add(m.ToString().Split('(')[0]));
        Assert.Equal(["Affine", "Affine", "Sequential", "Sequential"], order);   // children first, as PyTorch

        var x = ones(4, 3);
        net.forward(x).sum().backward();
        Assert.NotNull(net.get_parameter("fc.weight")!.grad);
        net.zero_grad(set_to_none: false);
        Assert.Equal(0f, net.get_parameter("fc.weight")!.grad!.abs().sum().item<float>());
        net.zero_grad();
        Assert.Null(net.get_parameter("fc.weight")!.grad);

        net.requires_grad_(false);
        Assert.All(net.parameters(), p => Assert.False(p.requires_grad));
    }

    [Fact]
    public void ToDtypeConvertsParametersAndBuffersInPlaceOfTheOldOnes()
    {
        var net = new Net();
        net.to(float64);
        Assert.All(net.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
        Assert.Equal(ScalarType.Float64, net.get_buffer("steps")!.dtype);
        Assert.Equal(ScalarType.Float64, net.forward(ones(2, 3, dtype: float64)).dtype);
        Assert.True(net.get_parameter("fc.weight")!.requires_grad);
        var e = Assert.Throws<ArgumentException>(() => net.to(int64));
        Assert.Contains("floating point", e.Message);
        net.@float();
        Assert.All(net.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
    }

    [Fact]
    public void HooksRunThroughCallAndCanBeRemoved()
    {
        var a = new Affine(3, 2);
        var seq = nn.Sequential(a, new Affine(2, 1));
        var seen = new List<long[]>();
        var h = a.register_forward_hook((m, input, output) => seen.Add(output.shape));
        var pre = a.register_forward_pre_hook((m, input) => seen.Add(input.shape));
        seq.forward(ones(5, 3));
        Assert.Equal([[5, 3], [5, 2]], seen);
        h.remove(); pre.remove();
        seq.forward(ones(5, 3));
        Assert.Equal(2, seen.Count);
    }

    sealed class TwoLayers : nn.Module<Tensor, Tensor>
    {
        public readonly Linear fc1 = nn.Linear(3, 4);
        public readonly ReLU act = nn.ReLU();
        public readonly Sequential tail = nn.Sequential(nn.Linear(4, 2));
        public TwoLayers() : base(nameof(TwoLayers)) { }
        public override Tensor forward(Tensor x) => tail.forward(act.forward(fc1.forward(x)));
    }

    [Fact]
    public void BuiltInLayersRunHooksOnEveryForwardOnce()
    {
        // A user's forward calls layer.forward(x), as TorchSharp code does: the hooks still fire (PyTorch's layer(x)).
        var net = new TwoLayers();
        var seen = new List<string>();
        net.fc1.register_forward_pre_hook((m, x) => seen.Add("pre fc1 " + string.Join("x", x.shape)));
        net.fc1.register_forward_hook((m, x, y) => seen.Add("fc1 " + string.Join("x", y.shape)));
        net.act.register_forward_hook((m, x, y) => seen.Add("act"));
        net.tail.register_forward_hook((m, x, y) => seen.Add("tail " + string.Join("x", y.shape)));
        ((Linear)net.tail[0]).register_forward_hook((m, x, y) => seen.Add("tail.0"));
        net.register_forward_hook((m, x, y) => seen.Add("net"));
        net.forward(ones(5, 3));
        Assert.Equal(["pre fc1 5x3", "fc1 5x4", "act", "tail.0", "tail 5x2"], seen);
        seen.Clear();
        net.call(ones(5, 3));   // a user's module runs its hooks through call, once each
        Assert.Equal(["pre fc1 5x3", "fc1 5x4", "act", "tail.0", "tail 5x2", "net"], seen);

        var lstm = nn.LSTM(2, 3);
        long[]? outShape = null;
        lstm.register_forward_hook((m, x, h, y) => outShape = y.Item1.shape);
        lstm.forward(ones(4, 1, 2));
        Assert.Equal([4, 1, 3], outShape!);
    }

    [Fact]
    public void ContainersIndexSliceAndReject()
    {
        var seq = nn.Sequential(new Affine(1, 2), new Affine(2, 3), new Affine(3, 4));
        Assert.Equal("Affine(in=3, out=4)", seq[-1].ToString());
        var head = seq[..2];
        Assert.Equal(2, head.Count);
        Assert.Equal(["0", "1"], head.named_children().Select(x => x.name));
        Assert.Equal([4, 4], seq.forward(ones(4, 1)).shape);
        Assert.Throws<IndexOutOfRangeException>(() => seq[3]);

        var dict = nn.ModuleDict(("x", (nn.Module)new Affine(1, 1)));
        var e = Assert.Throws<KeyNotFoundException>(() => dict["y"]);
        Assert.Contains("x", e.Message);
        Assert.Throws<ArgumentException>(() => dict.Add("x", new Affine(1, 1)));

        var net = new Net();
        Assert.Throws<ArgumentException>(() => net.register_buffer("fc", zeros(1)));
        Assert.Throws<ArgumentException>(() => net.register_parameter("a.b", null));
        var ex = Assert.Throws<ArgumentException>(() => net.get_submodule("fc.nope"));
        Assert.Contains("nope", ex.Message);
    }

    sealed class Loop : nn.Module<Tensor, Tensor>
    {
        public nn.Module? inner;
        public Loop() : base(nameof(Loop)) { }
        public override Tensor forward(Tensor x) => x;
    }

    [Fact]
    public void AModuleThatContainsItselfIsRefusedNotAStackOverflow()
    {
        var a = new Loop();
        var b = new Loop { inner = a };
        a.inner = nn.Sequential(b);
        foreach (var walk in new Action[] { () => a.ToString(), () => a.state_dict(), () => a.apply(_ => { }) })
        {
            var e = Assert.Throws<InvalidOperationException>(walk);
            Assert.Contains("Loop contains itself as a sub-module (Loop -> Sequential -> Loop -> Loop)", e.Message);
        }
        Assert.Equal(3, a.modules().Count());   // the traversals with a memo still work
        a.inner = null;
        Assert.Equal("Loop()", a.ToString());   // and the walk state is clean after the errors
    }

    [Fact]
    public void PythonFloatRepr()
    {
        var c = Case("float_repr");
        var values = c.GetProperty("values").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var reprs = Strings(c.GetProperty("repr"));
        values[^1] = -0.0;   // JSON drops the sign of -0.0
        for (int i = 0; i < values.Length; i++) Assert.Equal(reprs[i], Args.Py(values[i]));
    }
}
