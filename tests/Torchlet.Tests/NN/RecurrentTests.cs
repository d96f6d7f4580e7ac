using System.Text.Json;
using Torchlet;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests;

/// <summary>
/// RNN/LSTM/GRU and their cells against PyTorch 1.13 (fixtures/nn_rnn.json from gen_nn_rnn.py):
/// outputs, final states, gradients of the input, the initial states and every parameter, default
/// init, repr, dropout between layers, errors; float64 gradchecks of every recurrence.
/// </summary>
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
}
