using System.Text.Json;
using Torchlet;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests;

/// <summary>
/// RNN/LSTM/GRU and their cells against PyTorch 1.13 (fixtures/nn_rnn.json from gen_nn_rnn.py):
/// outputs, final states, gradients of the input, the initial states and every parameter, default
/// init, repr, dropout between layers, errors; float64 gradchecks of every recurrence.
/// Default init and dropout draw from the global generator after manual_seed, so this class runs
/// in the global-state collection (not beside other classes that reseed or draw from it).
/// </summary>
[Collection(GlobalStateCollection.Name)]
public class RecurrentTests
{
    const string File = "nn_rnn";
    static JsonElement C(string name) => Fixtures.Case(File, name);

    public static IEnumerable<object[]> LayerCases() =>
        Fixtures.Load(File).Where(c => c.TryGetProperty("gparams", out _) && c.GetProperty("kind").GetString() is "RNN" or "LSTM" or "GRU")
            .Select(c => new object[] { c.GetProperty("name").GetString()! });

    public static IEnumerable<object[]> CellCases() =>
        Fixtures.Load(File).Where(c => c.TryGetProperty("gparams", out _) && c.GetProperty("kind").GetString()!.EndsWith("Cell"))
            .Select(c => new object[] { c.GetProperty("name").GetString()! });

    // ---------------------------------------------------------------- helpers

    static T Kw<T>(JsonElement c, string key, T dflt)
    {
        if (!c.GetProperty("kwargs").TryGetProperty(key, out var v)) return dflt;
        object r = typeof(T) == typeof(bool) ? v.GetBoolean() : typeof(T) == typeof(long) ? v.GetInt64() : typeof(T) == typeof(double) ? v.GetDouble() : v.GetString()!;
        return (T)r;
    }

    static long Arg(JsonElement c, int i) => c.GetProperty("args")[i].GetInt64();

    static Tensor? Opt(JsonElement c, string key, bool requiresGrad = false) =>
        c.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Object ? Fixtures.T(v, requiresGrad) : null;

    /// <summary>
    /// PyTorch's default init after manual_seed(seed): every parameter, in order, uniform_(-1/√H, 1/√H)
    /// on a float32 tensor (the float64 cases convert afterwards, as <c>.to(torch.float64)</c> does).
    /// </summary>
    static Tensor[] DefaultParams(JsonElement c, ScalarType dtype)
    {
        manual_seed(c.GetProperty("seed").GetInt64());
        double stdv = 1 / Math.Sqrt(Arg(c, 1));
        return c.GetProperty("params").EnumerateArray().Select(p =>
        {
            var shape = p[1].EnumerateArray().Select(x => x.GetInt64()).ToArray();
            var t = empty(shape).uniform_(-stdv, stdv);
            return (dtype == ScalarType.Float64 ? t.to(dtype) : t).requires_grad_(true);
        }).ToArray();
    }

    static void CheckGrads(JsonElement c, Tensor x, Tensor? h0, Tensor? c0, IReadOnlyList<(string name, Tensor p)> ps, double atol, double rtol)
    {
        Fixtures.AssertClose(c.GetProperty("gx"), x.grad!, atol, rtol, "input grad");
        if (h0 is not null) Fixtures.AssertClose(c.GetProperty("gh0"), h0.grad!, atol, rtol, "h0 grad");
        if (c0 is not null) Fixtures.AssertClose(c.GetProperty("gc0"), c0.grad!, atol, rtol, "c0 grad");
        var expected = c.GetProperty("gparams").EnumerateArray().ToArray();
        Assert.Equal(expected.Length, ps.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i][0].GetString(), ps[i].name);
            Fixtures.AssertClose(expected[i][1], ps[i].p.grad!, atol, rtol, ps[i].name + " grad");
        }
    }

    /// <summary>The generator's loss: Σ out·g_out + Σ h_n·g_h [+ Σ c_n·g_c] (cells: Σ h'·g_h [+ Σ c'·g_c]).</summary>
    static Tensor Loss(JsonElement c, Tensor output, Tensor? hn, Tensor? cn)
    {
        var loss = hn is null ? (output * Opt(c, "gh")!).sum() : (output * Opt(c, "gout")!).sum() + (hn * Opt(c, "gh")!).sum();
        if (cn is not null) loss = loss + (cn * Opt(c, "gc")!).sum();
        return loss;
    }

    // ---------------------------------------------------------------- functional forms (torch.lstm, torch.gru, ...)

    /// <summary>
    /// The multi-layer ops on the fixture's case, with the unbatched and missing-state handling
    /// nn.LSTM/GRU/RNN do in Python around them.
    /// </summary>
    [Theory]
    [MemberData(nameof(LayerCases))]
    public void Functional_layers_match_pytorch(string name)
    {
        var c = C(name);
        var kind = c.GetProperty("kind").GetString()!;
        var dt = Fixtures.DType(c.GetProperty("dtype").GetString()!);
        var ps = DefaultParams(c, dt);
        var x = Fixtures.T(c.GetProperty("x"), true);
        var h0 = Opt(c, "h0", true);
        var c0 = Opt(c, "c0", true);
        bool bf = Kw(c, "batch_first", false), bidir = Kw(c, "bidirectional", false), bias = Kw(c, "bias", true);
        long L = Kw(c, "num_layers", 1L), H = Arg(c, 1), proj = Kw(c, "proj_size", 0L);
        long D = bidir ? 2 : 1, P = proj > 0 ? proj : H;
        bool unbatched = x.dim() == 2;
        var xin = unbatched ? x.unsqueeze(bf ? 0 : 1) : x;
        long B = xin.size(bf ? 0 : 1);
        var hin = h0 is null ? zeros([L * D, B, P], dtype: dt) : unbatched ? h0.unsqueeze(1) : h0;
        var cin = c0 is null ? zeros([L * D, B, H], dtype: dt) : unbatched ? c0.unsqueeze(1) : c0;
        bool train = c.GetProperty("training").GetBoolean();
        double dropout = Kw(c, "dropout", 0.0);
        Tensor output, hn; Tensor? cn = null;
        if (kind == "LSTM") { Tensor cc; (output, hn, cc) = lstm(xin, [hin, cin], ps, bias, L, dropout, train, bidir, bf); cn = cc; }
        else if (kind == "GRU") (output, hn) = gru(xin, hin, ps, bias, L, dropout, train, bidir, bf);
        else if (Kw(c, "nonlinearity", "tanh") == "relu") (output, hn) = rnn_relu(xin, hin, ps, bias, L, dropout, train, bidir, bf);
        else (output, hn) = rnn_tanh(xin, hin, ps, bias, L, dropout, train, bidir, bf);
        if (unbatched) { output = output.squeeze(bf ? 0 : 1); hn = hn.squeeze(1); cn = cn?.squeeze(1); }

        double atol = dt == ScalarType.Float64 ? 1e-12 : 1e-5, rtol = dt == ScalarType.Float64 ? 1e-10 : 1e-4;
        Fixtures.AssertClose(c.GetProperty("out"), output, atol, rtol, "output");
        Fixtures.AssertClose(c.GetProperty("hn"), hn, atol, rtol, "h_n");
        if (cn is not null) Fixtures.AssertClose(c.GetProperty("cn"), cn, atol, rtol, "c_n");
        Loss(c, output, hn, cn).backward();
        var names = c.GetProperty("params").EnumerateArray().Select(p => p[0].GetString()!).ToArray();
        CheckGrads(c, x, h0, c0, names.Zip(ps).ToList(), atol, rtol);
    }

    [Theory]
    [MemberData(nameof(CellCases))]
    public void Functional_cells_match_pytorch(string name)
    {
        var c = C(name);
        var kind = c.GetProperty("kind").GetString()!;
        var ps = DefaultParams(c, ScalarType.Float32);
        var x = Fixtures.T(c.GetProperty("x"), true);
        var h0 = Opt(c, "h0", true);
        var c0 = Opt(c, "c0", true);
        bool unbatched = x.dim() == 1;
        var xin = unbatched ? x.unsqueeze(0) : x;
        long B = xin.size(0), H = Arg(c, 1);
        var hin = h0 is null ? zeros(B, H) : unbatched ? h0.unsqueeze(0) : h0;
        var cin = c0 is null ? zeros(B, H) : unbatched ? c0.unsqueeze(0) : c0;
        Tensor? bih = ps.Length == 4 ? ps[2] : null, bhh = ps.Length == 4 ? ps[3] : null;
        Tensor h; Tensor? cy = null;
        if (kind == "LSTMCell") { Tensor cc; (h, cc) = lstm_cell(xin, (hin, cin), ps[0], ps[1], bih, bhh); cy = cc; }
        else if (kind == "GRUCell") h = gru_cell(xin, hin, ps[0], ps[1], bih, bhh);
        else if (Kw(c, "nonlinearity", "tanh") == "relu") h = rnn_relu_cell(xin, hin, ps[0], ps[1], bih, bhh);
        else h = rnn_tanh_cell(xin, hin, ps[0], ps[1], bih, bhh);
        if (unbatched) { h = h.squeeze(0); cy = cy?.squeeze(0); }
        Fixtures.AssertClose(c.GetProperty("out"), h, 1e-5, 1e-4, "h'");
        if (cy is not null) Fixtures.AssertClose(c.GetProperty("cn"), cy, 1e-5, 1e-4, "c'");
        Loss(c, h, null, cy).backward();
        var names = c.GetProperty("params").EnumerateArray().Select(p => p[0].GetString()!).ToArray();
        CheckGrads(c, x, h0, c0, names.Zip(ps).ToList(), 1e-5, 1e-4);
    }

    // ---------------------------------------------------------------- gradchecks (float64)

    static Tensor[] GcParams(string kind, int inputSize, int hidden, int layers, bool bidir, bool bias, int proj, int seed)
    {
        int G = kind == "LSTM" ? 4 : kind == "GRU" ? 3 : 1, D = bidir ? 2 : 1, P = proj > 0 ? proj : hidden;
        var ps = new List<Tensor>();
        for (int l = 0; l < layers; l++)
            for (int d = 0; d < D; d++)
            {
                int inl = l == 0 ? inputSize : P * D;
                ps.Add(GradCheck.Input([G * hidden, inl], seed++));
                ps.Add(GradCheck.Input([G * hidden, P], seed++));
                if (bias) { ps.Add(GradCheck.Input([G * hidden], seed++)); ps.Add(GradCheck.Input([G * hidden], seed++)); }
                if (proj > 0) ps.Add(GradCheck.Input([P, hidden], seed++));
            }
        return ps.ToArray();
    }

    static Tensor Flat(params Tensor?[] ts) => cat(ts.Where(t => t is not null).Select(t => t!.reshape(-1)).ToList(), 0);

    [Theory]
    [InlineData("LSTM", 1, false, true, false, 0)]
    [InlineData("LSTM", 2, true, true, false, 0)]
    [InlineData("LSTM", 1, true, false, true, 0)]
    [InlineData("LSTM", 2, false, true, true, 2)]
    [InlineData("GRU", 1, false, true, false, 0)]
    [InlineData("GRU", 2, true, true, true, 0)]
    [InlineData("GRU", 1, false, false, false, 0)]
    [InlineData("RNN_TANH", 2, true, true, false, 0)]
    [InlineData("RNN_RELU", 1, true, true, true, 0)]
    public void Gradcheck_layers(string kind, int layers, bool bidir, bool bias, bool batchFirst, int proj)
    {
        int T = 3, B = 2, I = 2, H = 3, D = bidir ? 2 : 1, P = proj > 0 ? proj : H;
        var x = GradCheck.Input(batchFirst ? [B, T, I] : [T, B, I], 1);
        var h0 = GradCheck.Input([layers * D, B, P], 2);
        var c0 = GradCheck.Input([layers * D, B, H], 3);
        var ps = GcParams(kind == "LSTM" ? "LSTM" : kind == "GRU" ? "GRU" : "RNN", I, H, layers, bidir, bias, proj, 10);
        // ReLU's kink is not differentiable: keep the relu variant's pre-activations away from it with a positive input.
        if (kind == "RNN_RELU") using (no_grad()) { x.abs_(); foreach (var p in ps) p.abs_(); h0.abs_(); }
        Tensor F(Tensor[] a)
        {
            var w = a[3..];
            switch (kind)
            {
                case "LSTM": { var (o, h, c) = lstm(a[0], [a[1], a[2]], w, bias, layers, 0, false, bidir, batchFirst); return Flat(o, h, c); }
                case "GRU": { var (o, h) = gru(a[0], a[1], w, bias, layers, 0, false, bidir, batchFirst); return Flat(o, h); }
                case "RNN_TANH": { var (o, h) = rnn_tanh(a[0], a[1], w, bias, layers, 0, false, bidir, batchFirst); return Flat(o, h); }
                default: { var (o, h) = rnn_relu(a[0], a[1], w, bias, layers, 0, false, bidir, batchFirst); return Flat(o, h); }
            }
        }
        if (kind != "LSTM") c0.requires_grad_(false);
        GradCheck.Check(F, [x, h0, c0, .. ps], what: $"{kind} layers={layers} bidir={bidir} bias={bias} proj={proj}");
    }

    [Theory]
    [InlineData("LSTM", true)]
    [InlineData("LSTM", false)]
    [InlineData("GRU", true)]
    [InlineData("RNN_TANH", true)]
    [InlineData("RNN_RELU", false)]
    public void Gradcheck_cells(string kind, bool bias)
    {
        int B = 3, I = 2, H = 4;
        var x = GradCheck.Input([B, I], 1);
        var h0 = GradCheck.Input([B, H], 2);
        var c0 = GradCheck.Input([B, H], 3);
        var ps = GcParams(kind == "LSTM" ? "LSTM" : kind == "GRU" ? "GRU" : "RNN", I, H, 1, false, bias, 0, 20);
        if (kind == "RNN_RELU") using (no_grad()) { x.abs_(); foreach (var p in ps) p.abs_(); h0.abs_(); }
        Tensor? Bi(Tensor[] a) => bias ? a[5] : null;
        Tensor? Bh(Tensor[] a) => bias ? a[6] : null;
        Tensor F(Tensor[] a) => kind switch
        {
            "LSTM" => Flat(lstm_cell(a[0], (a[1], a[2]), a[3], a[4], Bi(a), Bh(a)).Item1, lstm_cell(a[0], (a[1], a[2]), a[3], a[4], Bi(a), Bh(a)).Item2),
            "GRU" => gru_cell(a[0], a[1], a[3], a[4], Bi(a), Bh(a)),
            "RNN_TANH" => rnn_tanh_cell(a[0], a[1], a[3], a[4], Bi(a), Bh(a)),
            _ => rnn_relu_cell(a[0], a[1], a[3], a[4], Bi(a), Bh(a)),
        };
        if (kind != "LSTM") c0.requires_grad_(false);
        GradCheck.Check(F, [x, h0, c0, .. ps], what: $"{kind} cell bias={bias}");
    }

    /// <summary>Gradcheck through the modules themselves (float64 layers), their parameters included.</summary>
    [Fact]
    public void Gradcheck_modules()
    {
        var lstmm = (Modules.LSTM)nn.LSTM(2, 3, num_layers: 2, batch_first: true, bidirectional: true, proj_size: 2, dtype: float64).eval();
        var x = GradCheck.Input([2, 3, 2], 1);
        var h0 = GradCheck.Input([4, 2, 2], 2);
        var c0 = GradCheck.Input([4, 2, 3], 3);
        GradCheck.Check(a => { var (o, h, c) = lstmm.forward(a[0], (a[1], a[2])); return Flat(o, h, c); },
            [x, h0, c0, .. lstmm.parameters()], what: "LSTM module");

        var g = nn.GRU(2, 3, dtype: float64);
        var xu = GradCheck.Input([3, 2], 4);   // unbatched
        GradCheck.Check(a => { var (o, h) = g.forward(a[0]); return Flat(o, h); }, [xu, .. g.parameters()], what: "GRU module, unbatched");

        var cell = nn.LSTMCell(2, 3, dtype: float64);
        var xc = GradCheck.Input([2, 2], 5);
        var hc = GradCheck.Input([2, 3], 6);
        var cc = GradCheck.Input([2, 3], 7);
        GradCheck.Check(a => { var (h, c) = cell.forward(a[0], (a[1], a[2])); return Flat(h, c); }, [xc, hc, cc, .. cell.parameters()], what: "LSTMCell module");
    }

    // ---------------------------------------------------------------- wide layers: vector paths, row threading

    /// <summary>The recurrences written op by op (PyTorch's definitions), as the reference for the fused kernels.</summary>
    static (Tensor o, Tensor h, Tensor? c) Reference(string kind, Tensor x, Tensor h, Tensor? c, Tensor wih, Tensor whh, Tensor bih, Tensor bhh)
    {
        var outs = new List<Tensor>();
        for (int t = 0; t < x.size(0); t++)
        {
            var gi = x[t].matmul(wih.t()) + bih;
            var gh = h.matmul(whh.t()) + bhh;
            if (kind == "LSTM")
            {
                var g = (gi + gh).chunk(4, 1);
                c = g[1].sigmoid() * c! + g[0].sigmoid() * g[2].tanh();
                h = g[3].sigmoid() * c.tanh();
            }
            else if (kind == "GRU")
            {
                var a = gi.chunk(3, 1); var b = gh.chunk(3, 1);
                var r = (a[0] + b[0]).sigmoid(); var z = (a[1] + b[1]).sigmoid();
                var n = (a[2] + r * b[2]).tanh();
                h = (1 - z) * n + z * h;
            }
            else h = (gi + gh).tanh();
            outs.Add(h);
        }
        return (stack(outs, 0), h, c);
    }

    /// <summary>
    /// Hidden sizes that use the 512-bit, 256-bit and scalar parts of the fused kernels, and steps big
    /// enough to be split over threads: the fused layer equals the op-by-op definition, and the result
    /// does not depend on the thread count.
    /// </summary>
    [Theory]
    [InlineData("LSTM")]
    [InlineData("GRU")]
    [InlineData("RNN")]
    public void Wide_layers_match_the_op_by_op_definition_for_any_thread_count(string kind)
    {
        int T = 3, B = 64, I = 5, H = 47, G = kind == "LSTM" ? 4 : kind == "GRU" ? 3 : 1;
        var x = GradCheck.Input([T, B, I], 1);
        var h0 = GradCheck.Input([1, B, H], 2);
        var c0 = GradCheck.Input([1, B, H], 3);
        var w = new[] { GradCheck.Input([G * H, I], 4), GradCheck.Input([G * H, H], 5), GradCheck.Input([G * H], 6), GradCheck.Input([G * H], 7) };
        var gout = GradCheck.Input([T, B, H], 8);
        double[] Run(int threads, bool reference)
        {
            int saved = get_num_threads();
            set_num_threads(threads);
            try
            {
                foreach (var t in w.Append(x).Append(h0).Append(c0)) t.grad = null;
                Tensor o, h; Tensor? c = null;
                if (reference) (o, h, c) = Reference(kind, x, h0[0], kind == "LSTM" ? c0[0] : null, w[0], w[1], w[2], w[3]);
                else if (kind == "LSTM") { Tensor cc; (o, h, cc) = lstm(x, [h0, c0], w, true, 1, 0, false, false, false); c = cc; }
                else if (kind == "GRU") (o, h) = gru(x, h0, w, true, 1, 0, false, false, false);
                else (o, h) = rnn_tanh(x, h0, w, true, 1, 0, false, false, false);
                var loss = (o * gout).sum() + h.sum() + (c?.sum() ?? zeros([], dtype: float64));
                loss.backward();
                var grads = w.Append(x).Append(h0).Select(t => t.grad!);
                if (kind == "LSTM") grads = grads.Append(c0.grad!);
                return [.. o.reshape(-1).ToArray<double>(), .. grads.SelectMany(g => g.reshape(-1).ToArray<double>())];
            }
            finally { set_num_threads(saved); }
        }
        var expected = Run(1, reference: true);
        var one = Run(1, reference: false);
        var four = Run(4, reference: false);
        Assert.Equal(one, four);
        Fixtures.AssertClose([expected.Length], expected, tensor(one, dtype: float64), 1e-12, 1e-10, kind);
    }

    // ---------------------------------------------------------------- modules

    /// <summary>The module of a fixture case, built as PyTorch built it: after manual_seed(seed), so with PyTorch's default init.</summary>
    static nn.Module Build(JsonElement c, bool seed = true)
    {
        if (seed) manual_seed(c.GetProperty("seed").GetInt64());
        long I = Arg(c, 0), H = Arg(c, 1);
        bool bias = Kw(c, "bias", true), bf = Kw(c, "batch_first", false), bidir = Kw(c, "bidirectional", false);
        long L = Kw(c, "num_layers", 1L);
        double dropout = Kw(c, "dropout", 0.0);
        return c.GetProperty("kind").GetString() switch
        {
            "LSTM" => nn.LSTM(I, H, L, bias, bf, dropout, bidir, proj_size: Kw(c, "proj_size", 0L)),
            "GRU" => nn.GRU(I, H, L, bias, bf, dropout, bidir),
            "RNN" => nn.RNN(I, H, L, Kw(c, "nonlinearity", "tanh"), bias, bf, dropout, bidir),
            "LSTMCell" => nn.LSTMCell(I, H, bias),
            "GRUCell" => nn.GRUCell(I, H, bias),
            _ => nn.RNNCell(I, H, bias, Kw(c, "nonlinearity", "tanh")),
        };
    }

    /// <summary>Runs a module on (input, optional states) whatever its kind: (output, h_n or null, c_n or null).</summary>
    static (Tensor o, Tensor? h, Tensor? c) Run(nn.Module m, Tensor x, Tensor? h0, Tensor? c0) => m switch
    {
        Modules.LSTM l => h0 is null ? l.forward(x) : l.forward(x, (h0, c0!)),
        Modules.GRU g => g.forward(x, h0) is var (o, h) ? (o, h, null) : default,
        Modules.RNN r => r.forward(x, h0) is var (o, h) ? (o, h, null) : default,
        Modules.LSTMCell l => (h0 is null ? l.forward(x) : l.forward(x, (h0, c0!))) is var (h, c) ? (h, null, c) : default,
        Modules.GRUCell g => (g.forward(x, h0), null, null),
        Modules.RNNCell r => (r.forward(x, h0), null, null),
        _ => throw new ArgumentException(m.GetType().Name),
    };

    [Theory]
    [MemberData(nameof(LayerCases))]
    [MemberData(nameof(CellCases))]
    public void Modules_match_pytorch(string name)
    {
        var c = C(name);
        var m = Build(c);
        var dt = Fixtures.DType(c.GetProperty("dtype").GetString()!);
        if (dt == ScalarType.Float64) m.to(dt);
        if (c.TryGetProperty("training", out var tr) && !tr.GetBoolean()) m.eval();
        Assert.Equal(c.GetProperty("repr").GetString(), m.ToString());
        var names = c.GetProperty("params").EnumerateArray().Select(p => p[0].GetString()!).ToArray();
        Assert.Equal(names, m.named_parameters().Select(p => p.name).ToArray());

        var x = Fixtures.T(c.GetProperty("x"), true);
        var h0 = Opt(c, "h0", true);
        var c0 = Opt(c, "c0", true);
        var (o, h, cn) = Run(m, x, h0, c0);
        double atol = dt == ScalarType.Float64 ? 1e-12 : 1e-5, rtol = dt == ScalarType.Float64 ? 1e-10 : 1e-4;
        Fixtures.AssertClose(c.GetProperty("out"), o, atol, rtol, "output");
        if (h is not null) Fixtures.AssertClose(c.GetProperty("hn"), h, atol, rtol, "h_n");
        if (cn is not null) Fixtures.AssertClose(c.GetProperty("cn"), cn, atol, rtol, "c_n");
        Loss(c, o, h, cn).backward();
        CheckGrads(c, x, h0, c0, m.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToList(), atol, rtol);

        // The graph PyTorch's non-fused CPU path shows where ours has the same structure: bidirectional
        // outputs are concatenated (CatBackward0), final states stacked over layers (StackBackward0).
        if (c.TryGetProperty("grad_fn", out var gf) && x.dim() == 3 && !Kw(c, "batch_first", false))
        {
            if (gf[0].GetString() == "CatBackward0") Assert.Equal("CatBackward0", o.grad_fn!.name());
            Assert.Equal(gf[1].GetString(), h!.grad_fn!.name());
        }
    }

    public static IEnumerable<object[]> InitCases() =>
        Fixtures.Load(File).Where(c => c.GetProperty("name").GetString()!.StartsWith("init:")).Select(c => new object[] { c.GetProperty("name").GetString()! });

    /// <summary>After manual_seed(5), every parameter equals PyTorch's bit for bit; repr is PyTorch's.</summary>
    [Theory]
    [MemberData(nameof(InitCases))]
    public void Default_init_and_repr_match_pytorch(string name)
    {
        var c = C(name);
        manual_seed(5);
        var m = Build(c, seed: false);
        Assert.Equal(c.GetProperty("repr").GetString(), m.ToString());
        var ps = m.named_parameters().ToArray();
        var expected = c.GetProperty("params").EnumerateArray().ToArray();
        Assert.Equal(expected.Select(e => e[0].GetString()).ToArray(), ps.Select(p => p.name).ToArray());
        for (int i = 0; i < ps.Length; i++)
        {
            var e = expected[i][1];
            var got = ps[i].parameter.ToArray<float>();
            Assert.True(ps[i].parameter.requires_grad);
            if (e.TryGetProperty("data", out _))
            {
                Assert.Equal(Fixtures.ShapeOf(e), ps[i].parameter.shape);
                Assert.Equal(Fixtures.Values(e).Select(v => (float)v).ToArray(), got);
            }
            else
            {
                Assert.Equal(e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray(), ps[i].parameter.shape);
                Assert.Equal(Fixtures.Values(e.GetProperty("head")).Select(v => (float)v).ToArray(), got[..6]);
                Assert.Equal(e.GetProperty("sum").GetDouble(), got.Sum(v => (double)v), 9);
                Assert.Equal(e.GetProperty("sumsq").GetDouble(), got.Sum(v => (double)v * v), 9);
            }
        }
    }

    /// <summary>
    /// Dropout between layers runs only in training mode and draws PyTorch's mask: with the same seed
    /// before the forward, the output equals PyTorch's; in eval mode no unit is dropped.
    /// </summary>
    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("rnn")]
    public void Dropout_between_layers_in_training_only(string kind)
    {
        var c = C("dropout_train_" + kind);
        manual_seed(31);
        nn.Module m = kind switch { "lstm" => nn.LSTM(3, 4, 3, dropout: 0.4), "gru" => nn.GRU(3, 4, 3, dropout: 0.4), _ => nn.RNN(3, 4, 3, dropout: 0.4) };
        var x = Fixtures.T(c.GetProperty("x"));
        m.eval();
        var (evalOut, _, _) = Run(m, x, null, null);
        Fixtures.AssertClose(c.GetProperty("out_eval"), evalOut, 1e-5, 1e-4, "eval output");
        var (again, _, _) = Run(m, x, null, null);
        Assert.Equal(evalOut.ToArray<float>(), again.ToArray<float>());
        m.train();
        manual_seed(77);
        var (trainOut, _, _) = Run(m, x, null, null);
        Fixtures.AssertClose(c.GetProperty("out_train"), trainOut, 1e-5, 1e-4, "train output");
        Assert.NotEqual(evalOut.ToArray<float>(), trainOut.ToArray<float>());
    }

    // ---------------------------------------------------------------- regressions found by the fuzz test

    [Fact]
    public void Recurrent_layers_on_an_empty_batch_return_empty_outputs()
    {
        // PyTorch returns [T, 0, H] outputs and zero gradients. GRU/RNN copied the bias through the null pointer
        // of an empty gate buffer (NullReferenceException); LSTM's small-hidden kernel handed TensorPrimitives.Sigmoid
        // an empty span.
        manual_seed(0);
        var gru = nn.GRU(1, 1, 4, dropout: 0.5);
        var (o, h) = gru.forward(zeros(2, 0, 1));
        Assert.Equal(new long[] { 2, 0, 1 }, o.shape);
        Assert.Equal(new long[] { 4, 0, 1 }, h.shape);
        o.sum().backward();
        Assert.All(gru.parameters().SelectMany(p => p.grad!.ToArray<float>()), v => Assert.Equal(0f, v));
        var lstm = nn.LSTM(1, 2, 2);
        var (lo, lh, lc) = lstm.forward(zeros(3, 0, 1));
        Assert.Equal(new long[] { 3, 0, 2 }, lo.shape);
        Assert.Equal(new long[] { 2, 0, 2 }, lc.shape);
        lo.sum().backward();
        Assert.Equal(new long[] { 0, 3 }, nn.LSTMCell(1, 3).forward(zeros(0, 1)).Item1.shape);
    }

    [Fact]
    public void Layer_counts_and_sizes_past_int_are_refused_not_wrapped()
    {
        manual_seed(0);
        var x = randn(2, 1, 3);
        Tensor[] ps = [randn(6, 3), randn(6, 2), randn(6), randn(6)];
        // num_layers was cast to int: 2^32 + 1 layers ran as one.
        Assert.Contains("expected 4294967297 layer(s)", Assert.Throws<ArgumentException>(() => gru(x, zeros(1, 1, 2), ps, true, (1L << 32) + 1, 0, false, false, false)).Message);
        // A 0-dim weight was indexed for its size (IndexOutOfRangeException).
        Assert.Contains("to be 2-D", Assert.Throws<ArgumentException>(() => rnn_relu(x, zeros(1, 1, 2), [tensor(1.0f), tensor(1.0f)], false, 1, 0, false, false, false)).Message);
        // nn.LSTM registered 2^31 - 1 layers of weights (it ran for ever); sizes past int were cast.
        Assert.Contains("num_layers=2147483647", Assert.Throws<ArgumentException>(() => nn.LSTM(3, 5, int.MaxValue)).Message);
        Assert.Contains("4294967297", Assert.Throws<ArgumentException>(() => nn.GRU(3, (1L << 32) + 1)).Message);
        Assert.Contains("4611686018427387904", Assert.Throws<ArgumentException>(() => nn.GRUCell(3, 1L << 62)).Message);
    }

    /// <summary>The notes' LSTM model: x = x[:, :, None]; x, _ = self.rnn(x) with LSTM(1, 5) on [seq, batch] input.</summary>
    sealed class NotesNet : nn.Module<Tensor, Tensor>
    {
        readonly Modules.LSTM rnn = nn.LSTM(1, 5);
        public NotesNet() : base("Net") { }
        public override Tensor forward(Tensor x)
        {
            x = x[TensorIndex.Slice(), TensorIndex.Slice(), TensorIndex.None];
            (x, _, _) = rnn.forward(x);
            return x;
        }
    }

    [Fact]
    public void Notes_lstm_net_matches_pytorch()
    {
        var c = C("lstm_notes");
        manual_seed(c.GetProperty("seed").GetInt64());
        var net = new NotesNet();
        Assert.Equal("Net(\n  (rnn): LSTM(1, 5)\n)", net.ToString());
        Assert.Equal(["rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0"], net.named_parameters().Select(p => p.name).ToArray());
        var x = Fixtures.T(c.GetProperty("x")).squeeze(2).requires_grad_(true);   // [seq, batch]
        var o = net.forward(x);
        Fixtures.AssertClose(c.GetProperty("out"), o, 1e-5, 1e-4, "output");
        (o * Opt(c, "gout")!).sum().backward();
        // Without the h_n term of the fixture's loss the gradients differ, so compare the output's own
        // contribution through a second run of the functional form with the same weights.
        var w = net.parameters().Select(p => (Tensor)p.detach().requires_grad_(true)).ToArray();
        var x2 = Fixtures.T(c.GetProperty("x"), true);
        var (o2, _, _) = lstm(x2, [zeros(1, 4, 5), zeros(1, 4, 5)], w, true, 1, 0, true, false, false);
        (o2 * Opt(c, "gout")!).sum().backward();
        Fixtures.AssertClose(ShapeOf(x), x2.grad!.squeeze(2).ToArray<double>(), x.grad!, 1e-6, 1e-5, "input grad");
        foreach (var (p, q) in net.parameters().Zip(w))
            Fixtures.AssertClose(p.shape, q.grad!.ToArray<double>(), p.grad!, 1e-6, 1e-5, "param grad");
    }

    static long[] ShapeOf(Tensor t) => t.shape;

    [Fact]
    public void Parameters_are_registered_under_pytorch_names_and_reachable()
    {
        var m = nn.LSTM(3, 4, num_layers: 2, bidirectional: true, proj_size: 2);
        string[] expected = [
            "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0",
            "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse", "weight_hr_l0_reverse",
            "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1", "weight_hr_l1",
            "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse", "weight_hr_l1_reverse"];
        Assert.Equal(expected, m.named_parameters().Select(p => p.name).ToArray());
        Assert.Equal(expected, m.state_dict().Keys.ToArray());
        Assert.Equal([16L, 4], m["weight_ih_l1"].shape);
        Assert.Equal([2L, 4], m.get_parameter("weight_hr_l0_reverse")!.shape);
        Assert.Same(m["bias_hh_l0"], m.all_weights[0][3]);
        Assert.Equal(4, m.all_weights.Count);
        var cell = nn.GRUCell(3, 4, bias: false);
        Assert.Equal(["weight_ih", "weight_hh"], cell.named_parameters().Select(p => p.name).ToArray());
        Assert.Null(cell.bias_ih);
        Assert.Equal([12L, 3], cell.weight_ih.shape);
    }

    /// <summary>Weights loaded with load_state_dict (or replaced through to(float64)) are the ones forward uses.</summary>
    [Fact]
    public void Forward_uses_loaded_and_converted_weights()
    {
        var a = nn.GRU(2, 3, num_layers: 2);
        var b = nn.GRU(2, 3, num_layers: 2);
        var x = randn(4, 2, 2);
        Assert.NotEqual(a.forward(x).Item1.ToArray<float>(), b.forward(x).Item1.ToArray<float>());
        b.load_state_dict(a.state_dict());
        Assert.Equal(a.forward(x).Item1.ToArray<float>(), b.forward(x).Item1.ToArray<float>());
        b.@double();
        var (o, h) = b.forward(x.to(float64));
        Assert.Equal(ScalarType.Float64, o.dtype);
        Fixtures.AssertClose(a.forward(x).Item2.shape, a.forward(x).Item2.ToArray<double>(), h, 1e-6, 1e-5, "float64 h_n");
    }

    [Fact]
    public void Gradients_survive_in_place_changes_of_the_outputs_and_catch_changed_weights()
    {
        var m = nn.LSTM(2, 3);
        var x = randn(4, 2, 2);
        var (o, h, c) = m.forward(x);
        var loss = o.sum() + h.sum() + c.sum();
        var reference = autograd.grad([loss], m.parameters().Cast<Tensor>().ToArray(), retain_graph: true);
        using (no_grad()) o.mul_(2);   // the output is the caller's to change: backward keeps its own copy
        loss.backward();
        foreach (var (p, r) in m.parameters().Zip(reference))
            Assert.Equal(r!.ToArray<float>(), p.grad!.ToArray<float>());

        var (o2, _, _) = m.forward(x);
        using (no_grad()) m["weight_hh_l0"].add_(1);
        var e = Assert.Throws<InvalidOperationException>(() => o2.sum().backward());
        Assert.Contains("modified by an inplace operation", e.Message);
    }

    /// <summary>The fused backward records no graph of its gradients: create_graph through it is refused, not silently wrong.</summary>
    [Fact]
    public void Double_backward_is_refused_clearly()
    {
        var m = nn.GRU(2, 3);
        var x = randn(3, 1, 2, requires_grad: true);
        var e = Assert.Throws<InvalidOperationException>(() => autograd.grad([m.forward(x).Item1.sum()], [x], create_graph: true));
        Assert.Contains("GruLayerBackward0: double backward (create_graph=True) through a recurrent layer is not supported", e.Message);
    }

    [Fact]
    public void No_graph_under_no_grad_and_one_argument_calls()
    {
        var lstmm = nn.LSTM(1, 5);
        var x = randn(6, 4, 1);
        using (no_grad())
        {
            var (o, h, c) = lstmm.forward(x);
            Assert.False(o.requires_grad);
            Assert.Null(h.grad_fn);
            Assert.Equal([6L, 4, 5], o.shape);
            Assert.Equal([1L, 4, 5], c.shape);
        }
        var (o1, _, _) = lstmm.call(x);
        Assert.True(o1.requires_grad);
        Assert.Equal([6L, 4, 5], nn.GRU(1, 5).call(x).Item1.shape);
        Assert.Equal([6L, 4, 5], nn.RNN(1, 5).forward(x).Item1.shape);
        Assert.Equal([4L, 5], nn.LSTMCell(1, 5).call(x[0]).Item2.shape);
        Assert.Equal([4L, 5], nn.GRUCell(1, 5).forward(x[0]).shape);
        Assert.Equal([4L, 5], nn.RNNCell(1, 5).call(x[0]).shape);
    }

    // ---------------------------------------------------------------- errors

    static string Py(string name) => C("error:" + name).GetProperty("message").GetString()!;

    static void Throws(nn.Module m, Action a, string pytorchMessage, string? prefix = null)
    {
        var e = Assert.ThrowsAny<ArgumentException>(a);
        Assert.StartsWith((prefix ?? m.ToString()) + ": ", e.Message);
        Assert.Contains(pytorchMessage, e.Message);
    }

    [Fact]
    public void Errors_name_the_layer_and_say_what_was_expected()
    {
        var l = nn.LSTM(1, 5);
        Throws(l, () => l.forward(randn(3, 4, 3)), Py("lstm_input_size"));
        Assert.Equal("LSTM(1, 5): input.size(-1) must be equal to input_size. Expected 1, got 3",
            Assert.Throws<ArgumentException>(() => l.forward(randn(3, 4, 3))).Message);
        Throws(l, () => l.forward(randn(3, 4, 1), (zeros(1, 3, 5), zeros(1, 4, 5))), Py("lstm_h0_shape"));
        Throws(l, () => l.forward(randn(3, 4, 1), (zeros(1, 4, 5), zeros(1, 4, 4))), Py("lstm_c0_shape"));
        Throws(l, () => l.forward(randn(3, 4, 1), (zeros(4, 5), zeros(1, 4, 5))), Py("lstm_batched_2d_state"));
        Throws(l, () => l.forward(randn(3, 1), (zeros(1, 4, 5), zeros(1, 4, 5))), Py("lstm_unbatched_3d_state"));
        Throws(l, () => l.forward(randn(3, 4, 1, 1)), "Expected input to be 2-D (unbatched) or 3-D (batched) but received 4-D tensor of shape [3, 4, 1, 1]");
        Throws(l, () => l.forward(randn(3, 4, 1, dtype: float64)), "input must have the type torch.float32, got type torch.float64");
        var g = nn.GRU(2, 3);
        Throws(g, () => g.forward(randn(3, 4, 2), zeros(1, 3, 3)), Py("gru_h0_shape"));
        Throws(g, () => g.forward(randn(3, 4, 2), zeros(3, 3)), Py("gru_batched_2d_state"));
        Throws(g, () => g.forward(randn(3, 2), zeros(1, 1, 3)), Py("gru_unbatched_3d_state"));

        Assert.Contains(Py("rnn_nonlinearity"), Assert.Throws<ArgumentException>(() => nn.RNN(2, 3, nonlinearity: "sigmoid")).Message);
        Assert.Contains(Py("lstm_proj_too_big"), Assert.Throws<ArgumentException>(() => nn.LSTM(2, 3, proj_size: 3)).Message);
        Assert.Contains(Py("lstm_proj_negative"), Assert.Throws<ArgumentException>(() => nn.LSTM(2, 3, proj_size: -1)).Message);
        Assert.Contains(Py("lstm_dropout_range"), Assert.Throws<ArgumentException>(() => nn.LSTM(2, 3, dropout: 1.5)).Message);
        Assert.Contains("Unknown nonlinearity: x", Assert.Throws<ArgumentException>(() => nn.RNNCell(2, 3, nonlinearity: "x")).Message);
        Assert.Contains("hidden_size must be greater than zero", Assert.Throws<ArgumentException>(() => nn.GRU(2, 0)).Message);
        Assert.Contains("num_layers must be greater than zero", Assert.Throws<ArgumentException>(() => nn.LSTM(2, 3, num_layers: 0)).Message);

        var cell = nn.LSTMCell(2, 3);
        Throws(cell, () => cell.forward(randn(4, 3)), Py("lstmcell_input_size"));
        Throws(cell, () => cell.forward(randn(4, 2), (zeros(3, 3), zeros(4, 3))), Py("lstmcell_batch"));
        Throws(cell, () => cell.forward(randn(4, 2), (zeros(4, 3), zeros(4, 2))), "hidden1 has inconsistent hidden_size: got 2, expected 3");
        Throws(cell, () => cell.forward(randn(4, 2, 1)), "Expected input to be 1-D or 2-D but received 3-D tensor");
        Throws(cell, () => cell.forward(randn(2), (zeros(1, 3), zeros(1, 3))), "For unbatched 1-D input, hx[0] should also be 1-D but got 2-D tensor");
        var gc = nn.GRUCell(2, 3);
        Throws(gc, () => gc.forward(randn(4, 2), zeros(4, 4)), Py("grucell_hidden_size"));

        Throws(l, () => l.forward(zeros(0, 4, 1)), "Expected sequence length to be larger than 0 in RNN");
        // Nothing was changed by the failed calls: the modules still run.
        Assert.Equal([3L, 4, 5], l.forward(randn(3, 4, 1)).Item1.shape);
        Assert.Equal([4L, 3], cell.forward(randn(4, 2)).Item1.shape);
        Assert.Equal([3L, 4, 3], g.forward(randn(3, 4, 2)).Item1.shape);
    }

    [Fact]
    public void Functional_forms_check_their_arguments()
    {
        var w = new[] { randn(8, 3), randn(8, 2) };
        var e = Assert.Throws<ArgumentException>(() => rnn_tanh(randn(2, 1, 3), zeros(2, 1, 2), [randn(2, 3), randn(2, 2), randn(2, 3), randn(2, 2)], false, 2, 0, false, false, false));
        Assert.Equal("rnn_tanh: expected w_ih of layer 1 of shape [2, 2], got [2, 3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => gru(randn(2, 1, 3), zeros(1, 1, 2), [randn(6, 3)], false, 1, 0, false, false, false));
        Assert.Contains("expected 2 weight tensors", e.Message);
        e = Assert.Throws<ArgumentException>(() => lstm_cell(randn(2, 4), (zeros(2, 2), zeros(2, 2)), w[0], w[1]));
        Assert.Equal("lstm_cell: input has inconsistent input_size: got 4 expected 3", e.Message);
    }
}
