using Torchlet.Modules;
using static Torchlet.torch;

namespace Torchlet.Interactive.Exercises;

/// <summary>
/// Chapter 7 (notebook <c>07-recurrent</c>): the notes' §2.8 recurrent layers — an LSTM's sizes, the shapes of its
/// output, h_n and c_n in the sequence-first layout, and the notes' LSTM <c>Net</c> trained on a sine wave.
/// </summary>
internal static class Chapter7Recurrent
{
    const string Notebook = "07-recurrent";

    /// <summary>The notes' §2.8 LSTM network (given to 7.3 as the notebook defines it).</summary>
    const string NotesNet = """
        class Net : nn.Module<Tensor, Tensor>
        {
            readonly LSTM rnn;
            readonly Linear fc;

            public Net(long input_size, long hidden_size) : base(nameof(Net))
            {
                rnn = nn.LSTM(input_size, hidden_size);
                fc = nn.Linear(hidden_size, 1);
            }

            public override Tensor forward(Tensor x)
            {
                x = x[.., .., null];          // x[:, :, None]: [T, B] → [T, B, 1]
                (x, _, _) = rnn.forward(x);   // x, _ = self.rnn(x)
                x = fc.forward(x);
                x = x[.., .., 0];             // [T, B, 1] → [T, B]
                return x;
            }
        }
        """;

    const double Step = 0.3;          // radians between two samples of the wave
    const double TargetMse = 0.005;

    /// <summary>B sine waves of T + 1 samples, sequence first: sin(φ + 0.3·k) with random phases φ.</summary>
    static Tensor Waves(long T, long B, torch.Generator g) =>
        (arange(T + 1).unsqueeze(1) * Step + rand(new long[] { 1, B }, generator: g) * (2 * Math.PI)).sin();

    static long[]? Dims(object? value) => value switch
    {
        long[] a => a,
        int[] a => a.Select(v => (long)v).ToArray(),
        Size s => s.ToArray(),
        IEnumerable<long> e => e.ToArray(),
        _ => null,
    };

    public static IReadOnlyList<Exercise> Exercises { get; } =
    [
        new()
        {
            Id = "7.1",
            Title = "An LSTM for sequences of 3 features",
            Notebook = Notebook,
            Setup = "using Torchlet.Modules;",
            Statement = "Define `lstm`, an `LSTM` (one layer, one direction) that reads sequences laid out as the notes' §2.8 does — " +
                        "sequence first, [T, B, 3]: T time steps of a batch of B sequences with 3 features each — and keeps a hidden state of 16 numbers. " +
                        "The checker reads its sizes and runs it on a batch [5, 2, 3].",
            Hints =
            [
                "`nn.LSTM(input_size, hidden_size)`: the number of features per time step first, then the size of the hidden state.",
                "Sequence first is the default (`batch_first: false`); with `batch_first: true` the same input would be read as B = 5 sequences of T = 2 steps.",
            ],
            Solution = "var lstm = nn.LSTM(3, 16);",
            Check = c =>
            {
                var module = c.Module<nn.Module>("lstm");
                if (module is not LSTM lstm)
                    throw c.Stop($"`lstm` is {TypeNames.WithArticle(module.GetType())}, expected an LSTM: `nn.LSTM(…)` (a GRU or an RNN returns no `c_n`)");
                bool sizes = c.ExpectConfig(lstm, "lstm", ("input_size", 3L), ("hidden_size", 16L));
                if (!sizes && lstm.input_size == 16 && lstm.hidden_size == 3)
                    c.Note("the arguments are the other way round: `nn.LSTM(input_size, hidden_size)`, features per step first");
                bool layout = c.ExpectConfig(lstm, "lstm", ("num_layers", 1L), ("bidirectional", false), ("batch_first", false));
                if (!layout && lstm.batch_first)
                    c.Note("`batch_first: true` reads [B, T, features]; the notes' layout — and the default — is sequence first, [T, B, features]");
                if (!sizes) return;
                var x = randn(new long[] { 5, 2, 3 }, generator: c.Generator);
                var (output, h_n, c_n) = c.Call("lstm(x)", () => lstm.forward(x));
                long d = lstm.bidirectional ? 2 : 1;
                c.ExpectShape(output, "output", 5, 2, 16 * d);
                c.ExpectShape(h_n, "h_n", lstm.num_layers * d, 2, 16);
                c.ExpectShape(c_n, "c_n", lstm.num_layers * d, 2, 16);
            },
            WrongAnswers =
            [
                new("var lstm = nn.LSTM(16, 3);",
                    "`lstm.input_size` is 16, expected 3", "the other way round"),
                new("var lstm = nn.LSTM(3, 16, batch_first: true);",
                    "`lstm.batch_first` is true, expected false", "sequence first"),
                new("var lstm = nn.GRU(3, 16);",
                    "`lstm` is a GRU (an nn.Module), expected an LSTM"),
                new("var lstm = nn.LSTM(3, 16, num_layers: 2);",
                    "`lstm.num_layers` is 2, expected 1"),
            ],
        },
        new()
        {
            Id = "7.2",
            Title = "The shapes of output, h_n and c_n",
            Notebook = Notebook,
            Setup = "var lstm2 = nn.LSTM(10, 20, num_layers: 2, bidirectional: true);\nvar seq = randn(6, 3, 10);",
            Statement = "`lstm2` (the cell above) is `nn.LSTM(10, 20, num_layers: 2, bidirectional: true)` and `seq` a batch [6, 3, 10] " +
                        "in the sequence-first layout. Work out — before running it — the shapes of the three tensors `lstm2.forward(seq)` " +
                        "returns, and define them as `long[] output_shape`, `h_n_shape` and `c_n_shape` (e.g. `long[] output_shape = { 1, 2, 3 };`). " +
                        "Then run it to see whether you were right.",
            Hints =
            [
                "`output` holds the last layer's hidden state at every time step: [T, B, …]. A bidirectional LSTM puts the forward and the backward direction's states side by side.",
                "`h_n` and `c_n` hold the final state of every layer and every direction: [num_layers · directions, B, hidden_size].",
            ],
            Solution = """
                long[] output_shape = { 6, 3, 40 };   // T, B, 2 directions · 20
                long[] h_n_shape = { 4, 3, 20 };      // 2 layers · 2 directions, B, 20
                long[] c_n_shape = { 4, 3, 20 };
                """,
            Check = c =>
            {
                c.Given<LSTM>("lstm2");
                c.Given<Tensor>("seq");
                var expected = new (string name, long[] shape)[] { ("output_shape", [6, 3, 40]), ("h_n_shape", [4, 3, 20]), ("c_n_shape", [4, 3, 20]) };
                foreach (var (name, shape) in expected)
                {
                    var value = c.Value<object>(name);
                    var dims = Dims(value) ?? throw c.Stop($"`{name}` is {TypeNames.WithArticle(value.GetType())}, expected a long[] such as `new long[] {{ 1, 2, 3 }}`");
                    if (c.Expect(name, dims, shape)) continue;
                    if (name == "output_shape" && dims.SequenceEqual(new long[] { 6, 3, 20 }))
                        c.Note("a bidirectional LSTM puts both directions' states side by side at each step: 2 · 20 = 40 features");
                    else if (name == "output_shape" && dims.Length == 3 && dims[0] == 3 && dims[1] == 6)
                        c.Note("the layout is sequence first: `output` is [T, B, features], like the input");
                    else if (name != "output_shape" && dims.Length == 3 && dims[1] == 3 && dims[2] == 20)
                        c.Note($"`{name[..3]}` keeps the final state of each layer and each direction: 2 layers · 2 directions = 4");
                    else if (name != "output_shape" && dims.Length == 3 && dims[2] == 40)
                        c.Note($"`{name[..3]}` keeps each direction's state apart (its first dim counts layers · directions); only `output` joins them into 40 features");
                }
            },
            WrongAnswers =
            [
                new("long[] output_shape = { 6, 3, 20 }; long[] h_n_shape = { 4, 3, 20 }; long[] c_n_shape = { 4, 3, 20 };",
                    "`output_shape` is (6, 3, 20), expected (6, 3, 40)", "both directions' states side by side"),
                new("long[] output_shape = { 6, 3, 40 }; long[] h_n_shape = { 2, 3, 20 }; long[] c_n_shape = { 2, 3, 20 };",
                    "`h_n_shape` is (2, 3, 20), expected (4, 3, 20)", "2 layers · 2 directions = 4"),
                new("long[] output_shape = { 3, 6, 40 }; long[] h_n_shape = { 4, 3, 20 }; long[] c_n_shape = { 4, 3, 20 };",
                    "`output_shape` is (3, 6, 40), expected (6, 3, 40)", "sequence first"),
                new("long[] output_shape = { 6, 3, 40 }; long[] h_n_shape = { 2, 3, 40 }; long[] c_n_shape = { 4, 3, 20 };",
                    "`h_n_shape` is (2, 3, 40), expected (4, 3, 20)", "keeps each direction's state apart"),
                new("var output_shape = \"6, 3, 40\"; long[] h_n_shape = { 4, 3, 20 }; long[] c_n_shape = { 4, 3, 20 };",
                    "`output_shape` is a string, expected a long[]"),
            ],
        },
        new()
        {
            Id = "7.3",
            Title = "An LSTM that predicts a sine wave",
            Notebook = Notebook,
            TimeLimit = TimeSpan.FromSeconds(20),
            Setup = "using Torchlet.Modules;\n" + NotesNet + "\n" + """
                var phases = rand(new long[] { 1, 32 }, generator: new torch.Generator(7)) * (2 * Math.PI);
                var wave = (arange(61).unsqueeze(1) * 0.3 + phases).sin();   // [61, 32]: 32 waves, sequence first
                var wave_x = wave[..60];                                       // inputs:  steps 0 … 59
                var wave_y = wave[1..];                                        // targets: steps 1 … 60
                """,
            Statement = $"`wave_x` (the cell above) holds 32 sine waves of 60 steps in the sequence-first layout, [60, 32] — sin(φ + 0.3·k) with " +
                        $"random phases φ — and `wave_y` the same waves one step later. Train a `wave_net` that predicts each next value: the notes' " +
                        $"`Net(input_size: 1, hidden_size: 5)` (defined above) or any `nn.Module<Tensor, Tensor>` that maps [T, B] to [T, B]. " +
                        $"The checker runs it on 64 fresh waves (new phases, 60 steps): its mean squared error must be below {TargetMse}. " +
                        "(Repeating the current value as the prediction scores 0.045: the net has to learn where the wave is going.)",
            Hints =
            [
                "Train as in the notebook: `optim.Adam(wave_net.parameters(), lr: 0.02)`, `nn.MSELoss()` between `wave_net.forward(wave_x)` and `wave_y`, a few hundred steps.",
                "The first steps of each sequence are the hardest (the LSTM has not seen enough of the wave yet); the mean over all 60 steps is what counts.",
            ],
            Solution = """
                manual_seed(0);
                var wave_net = new Net(input_size: 1, hidden_size: 5);
                var optimizer = optim.Adam(wave_net.parameters(), lr: 0.02);
                var mse = nn.MSELoss();
                for (int step = 0; step < 300; step++)
                {
                    optimizer.zero_grad();
                    var loss = mse.forward(wave_net.forward(wave_x), wave_y);
                    loss.backward();
                    optimizer.step();
                }
                """,
            Check = c =>
            {
                c.Given<Tensor>("wave_x");
                var net = c.Module<nn.Module<Tensor, Tensor>>("wave_net");
                var wave = Waves(60, 64, c.Generator);
                var x = wave[..60];
                var y = wave[1..];
                var pred = c.Call("wave_net(x)", () => { using (no_grad()) return net.forward(x); });
                if (!c.ExpectShape(pred, "wave_net(x) for x of shape [60, 64]", 60, 64))
                {
                    if (pred.shape.SequenceEqual(new long[] { 60, 64, 1 }))
                        c.Note("one feature too many: end `forward` with `x[.., .., 0]` as the notes do (`x[:, :, 0]`)");
                    return;
                }
                double mse = (pred - y).pow(2).mean().item<float>();
                double copy = (x - y).pow(2).mean().item<float>();
                if (c.Expect(mse < TargetMse,
                        $"its mean squared error on 64 fresh waves is {ExerciseContext.Num(mse)} (below {TargetMse}; repeating the input scores {ExerciseContext.Num(copy)})",
                        $"its mean squared error on 64 fresh waves is {ExerciseContext.Num(mse)}, not yet below {TargetMse}"))
                    return;
                if (mse > 0.2)
                    c.Note("that is about what an untrained network scores: train it (a few hundred Adam steps on `wave_x` → `wave_y`)");
                else if (mse > 0.8 * copy)
                    c.Note($"about as good as repeating the current value ({ExerciseContext.Num(copy)}): train longer, or with a larger learning rate");
            },
            WrongAnswers =
            [
                new("var wave_net = new Net(input_size: 1, hidden_size: 5);",
                    "not yet below 0.005", "an untrained network"),
                new("var wave_net = nn.Sequential(nn.Identity());",
                    "not yet below 0.005", "about as good as repeating the current value"),
                new("var wave_net = nn.Sequential(nn.Linear(32, 32));",
                    "`wave_net(x)` threw"),
                new("var wave_net = nn.Sequential(nn.Unflatten(1, new long[] { 64, 1 }));",
                    "has shape [60, 64, 1], expected [60, 64]", "end `forward` with `x[.., .., 0]`"),
            ],
        },
    ];
}
