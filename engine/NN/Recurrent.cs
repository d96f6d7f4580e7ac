namespace Torchlet
{
    public static partial class torch
    {
        /// <summary>
        /// One LSTM step (PyTorch's <c>torch.lstm_cell</c>): input [B, I], hx = (h [B, H], c [B, H]),
        /// w_ih [4H, I], w_hh [4H, H]; returns (h', c').
        /// </summary>
        public static (Tensor, Tensor) lstm_cell(Tensor input, (Tensor, Tensor) hx, Tensor w_ih, Tensor w_hh, Tensor? b_ih = null, Tensor? b_hh = null)
        {
            RecurrentImpl.CheckCell(RnnMode.Lstm, static () => "lstm_cell", input, hx.Item1, hx.Item2, w_ih, w_hh, b_ih, b_hh);
            var (h, c) = RecurrentImpl.Cell(RnnMode.Lstm, input, hx.Item1, hx.Item2, w_ih, w_hh, b_ih, b_hh);
            return (h, c!);
        }

        /// <summary>One GRU step (<c>torch.gru_cell</c>): input [B, I], hx [B, H], w_ih [3H, I], w_hh [3H, H].</summary>
        public static Tensor gru_cell(Tensor input, Tensor hx, Tensor w_ih, Tensor w_hh, Tensor? b_ih = null, Tensor? b_hh = null)
        {
            RecurrentImpl.CheckCell(RnnMode.Gru, static () => "gru_cell", input, hx, null, w_ih, w_hh, b_ih, b_hh);
            return RecurrentImpl.Cell(RnnMode.Gru, input, hx, null, w_ih, w_hh, b_ih, b_hh).h;
        }

        /// <summary>One Elman step with tanh (<c>torch.rnn_tanh_cell</c>): tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh).</summary>
        public static Tensor rnn_tanh_cell(Tensor input, Tensor hx, Tensor w_ih, Tensor w_hh, Tensor? b_ih = null, Tensor? b_hh = null)
        {
            RecurrentImpl.CheckCell(RnnMode.RnnTanh, static () => "rnn_tanh_cell", input, hx, null, w_ih, w_hh, b_ih, b_hh);
            return RecurrentImpl.Cell(RnnMode.RnnTanh, input, hx, null, w_ih, w_hh, b_ih, b_hh).h;
        }

        /// <summary>One Elman step with relu (<c>torch.rnn_relu_cell</c>).</summary>
        public static Tensor rnn_relu_cell(Tensor input, Tensor hx, Tensor w_ih, Tensor w_hh, Tensor? b_ih = null, Tensor? b_hh = null)
        {
            RecurrentImpl.CheckCell(RnnMode.RnnRelu, static () => "rnn_relu_cell", input, hx, null, w_ih, w_hh, b_ih, b_hh);
            return RecurrentImpl.Cell(RnnMode.RnnRelu, input, hx, null, w_ih, w_hh, b_ih, b_hh).h;
        }

        /// <summary>
        /// The multi-layer LSTM (<c>torch.lstm</c>, what nn.LSTM runs): input [T, B, I] (or [B, T, I]
        /// with batch_first), hx = {h0 [L·D, B, P], c0 [L·D, B, H]}, params the flat weights in
        /// PyTorch's order (w_ih, w_hh, [b_ih, b_hh], [w_hr] per layer and direction). Projections are
        /// used when h0's last size differs from c0's, as in PyTorch. Returns (output, h_n, c_n).
        /// </summary>
        public static (Tensor, Tensor, Tensor) lstm(Tensor input, Tensor[] hx, Tensor[] @params, bool has_biases, long num_layers, double dropout, bool train, bool bidirectional, bool batch_first)
        {
            if (hx.Length != 2) throw new ArgumentException($"lstm: expected hx to hold two tensors (h0, c0), got {hx.Length}");
            bool proj = hx[0].dim() == 3 && hx[1].dim() == 3 && hx[0]._shape[2] != hx[1]._shape[2];
            RecurrentImpl.CheckLayers(RnnMode.Lstm, static () => "lstm", input, hx[0], hx[1], @params, has_biases, proj, num_layers, bidirectional, batch_first);
            var (o, h, c) = RecurrentImpl.Run(RnnMode.Lstm, input, hx[0], hx[1], @params, has_biases, proj, (int)num_layers, dropout, train, bidirectional, batch_first);
            return (o, h, c!);
        }

        /// <summary>The multi-layer GRU (<c>torch.gru</c>); returns (output, h_n).</summary>
        public static (Tensor, Tensor) gru(Tensor input, Tensor hx, Tensor[] @params, bool has_biases, long num_layers, double dropout, bool train, bool bidirectional, bool batch_first) =>
            Layers(RnnMode.Gru, "gru", input, hx, @params, has_biases, num_layers, dropout, train, bidirectional, batch_first);

        /// <summary>The multi-layer Elman RNN with tanh (<c>torch.rnn_tanh</c>); returns (output, h_n).</summary>
        public static (Tensor, Tensor) rnn_tanh(Tensor input, Tensor hx, Tensor[] @params, bool has_biases, long num_layers, double dropout, bool train, bool bidirectional, bool batch_first) =>
            Layers(RnnMode.RnnTanh, "rnn_tanh", input, hx, @params, has_biases, num_layers, dropout, train, bidirectional, batch_first);

        /// <summary>The multi-layer Elman RNN with relu (<c>torch.rnn_relu</c>); returns (output, h_n).</summary>
        public static (Tensor, Tensor) rnn_relu(Tensor input, Tensor hx, Tensor[] @params, bool has_biases, long num_layers, double dropout, bool train, bool bidirectional, bool batch_first) =>
            Layers(RnnMode.RnnRelu, "rnn_relu", input, hx, @params, has_biases, num_layers, dropout, train, bidirectional, batch_first);

        static (Tensor, Tensor) Layers(RnnMode mode, string op, Tensor input, Tensor hx, Tensor[] ps, bool hasBiases, long numLayers, double dropout, bool train, bool bidirectional, bool batchFirst)
        {
            RecurrentImpl.CheckLayers(mode, () => op, input, hx, null, ps, hasBiases, false, numLayers, bidirectional, batchFirst);
            var (o, h, _) = RecurrentImpl.Run(mode, input, hx, null, ps, hasBiases, false, (int)numLayers, dropout, train, bidirectional, batchFirst);
            return (o, h);
        }

        public static partial class nn
        {
            /// <summary>
            /// Multi-layer LSTM (<c>nn.LSTM(input_size, hidden_size, ...)</c>); forward(input, (h0, c0)?) returns
            /// (output, h_n, c_n). proj_size &gt; 0 adds the projection weight_hr_l[k] (h = W_hr·h_cell).
            /// </summary>
            public static Modules.LSTM LSTM(long input_size, long hidden_size, long num_layers = 1, bool bias = true, bool batch_first = false,
                double dropout = 0.0, bool bidirectional = false, long proj_size = 0, ScalarType? dtype = null) =>
                new(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, proj_size, dtype);

            /// <summary>Multi-layer GRU (<c>nn.GRU(input_size, hidden_size, ...)</c>); forward(input, h0?) returns (output, h_n).</summary>
            public static Modules.GRU GRU(long input_size, long hidden_size, long num_layers = 1, bool bias = true, bool batch_first = false,
                double dropout = 0.0, bool bidirectional = false, ScalarType? dtype = null) =>
                new(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, dtype);

            /// <summary>Multi-layer Elman RNN with tanh or relu (<c>nn.RNN(input_size, hidden_size, ...)</c>); forward(input, h0?) returns (output, h_n).</summary>
            public static Modules.RNN RNN(long input_size, long hidden_size, long num_layers = 1, string nonlinearity = "tanh", bool bias = true,
                bool batch_first = false, double dropout = 0.0, bool bidirectional = false, ScalarType? dtype = null) =>
                new(input_size, hidden_size, num_layers, nonlinearity, bias, batch_first, dropout, bidirectional, dtype);

            /// <summary>One LSTM step as a module (<c>nn.LSTMCell</c>); forward(input, (h, c)?) returns (h', c').</summary>
            public static Modules.LSTMCell LSTMCell(long input_size, long hidden_size, bool bias = true, ScalarType? dtype = null) =>
                new(input_size, hidden_size, bias, dtype);

            /// <summary>One GRU step as a module (<c>nn.GRUCell</c>); forward(input, h?) returns h'.</summary>
            public static Modules.GRUCell GRUCell(long input_size, long hidden_size, bool bias = true, ScalarType? dtype = null) =>
                new(input_size, hidden_size, bias, dtype);

            /// <summary>One Elman step as a module (<c>nn.RNNCell</c>, nonlinearity "tanh" or "relu"); forward(input, h?) returns h'.</summary>
            public static Modules.RNNCell RNNCell(long input_size, long hidden_size, bool bias = true, string nonlinearity = "tanh", ScalarType? dtype = null) =>
                new(input_size, hidden_size, bias, nonlinearity, dtype);
        }
    }
}

namespace Torchlet.Modules
{
    /// <summary>
    /// What RNN, LSTM and GRU share (PyTorch's <c>RNNBase</c>): the configuration, the flat weights
    /// registered under PyTorch's names (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0,
    /// weight_hr_l0, ..._reverse) in PyTorch's order, their default init, extra_repr, and the
    /// forward's argument handling (unbatched input, optional state, PyTorch's checks and messages).
    /// </summary>
    internal sealed class RnnCore
    {
        internal readonly RnnMode Mode;
        internal readonly int InputSize, HiddenSize, NumLayers, ProjSize;
        internal readonly bool Bias, BatchFirst, Bidirectional;
        internal readonly double Dropout;
        internal readonly string[] Names;

        internal RnnCore(torch.nn.Module owner, RnnMode mode, long inputSize, long hiddenSize, long numLayers, bool bias, bool batchFirst,
            double dropout, bool bidirectional, long projSize, ScalarType? dtype)
        {
            string kind = owner.GetName();
            if (!(dropout >= 0 && dropout <= 1))
                throw new ArgumentException($"{kind}: dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got {Args.Py(dropout)}");
            if (inputSize < 0) throw new ArgumentException($"{kind}: input_size must be non-negative, got {inputSize}");
            if (hiddenSize <= 0) throw new ArgumentException($"{kind}: hidden_size must be greater than zero, got {hiddenSize}");
            if (numLayers <= 0) throw new ArgumentException($"{kind}: num_layers must be greater than zero, got {numLayers}");
            if (projSize < 0) throw new ArgumentException($"{kind}: proj_size should be a positive integer or zero to disable projections, got {projSize}");
            if (projSize >= hiddenSize) throw new ArgumentException($"{kind}: proj_size has to be smaller than hidden_size (got proj_size={projSize}, hidden_size={hiddenSize})");
            // Sizes past int were cast (2^32 + 1 became 1); a layer count whose weights no list can hold ran for ever.
            if (inputSize > int.MaxValue || hiddenSize > int.MaxValue)
                throw new ArgumentException($"{kind}: input_size and hidden_size must be at most {int.MaxValue}, got {inputSize} and {hiddenSize}");
            long perLayer = (bidirectional ? 2 : 1) * (2 + (bias ? 2 : 0) + (projSize > 0 ? 1 : 0));
            if (numLayers > Array.MaxLength / perLayer)
                throw new ArgumentException($"{kind}: num_layers={numLayers} at {perLayer} weight tensors per layer needs more of them than the {Array.MaxLength} a .NET list can hold");
            if (dropout > 0 && numLayers == 1)
                Warnings.Warn($"dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects num_layers greater than 1, but got dropout={Args.Py(dropout)} and num_layers={numLayers}");
            Mode = mode; InputSize = (int)inputSize; HiddenSize = (int)hiddenSize; NumLayers = (int)numLayers; ProjSize = (int)projSize;
            Bias = bias; BatchFirst = batchFirst; Dropout = dropout; Bidirectional = bidirectional;

            long gate = (long)RecurrentImpl.Gates(mode) * HiddenSize;   // in long: 4 × a hidden size near 2^31 overflowed
            int D = bidirectional ? 2 : 1, real = ProjSize > 0 ? ProjSize : HiddenSize;
            var names = new List<string>();
            var dt = dtype ?? ScalarType.Float32;
            for (int l = 0; l < NumLayers; l++)
                for (int d = 0; d < D; d++)
                {
                    string sfx = $"_l{l}" + (d == 1 ? "_reverse" : "");
                    long inl = l == 0 ? InputSize : (long)real * D;
                    void Add(string n, long[] shape) { names.Add(n + sfx); owner.register_parameter(n + sfx, new Parameter(torch.empty(shape, dtype: dt))); }
                    Add("weight_ih", [gate, inl]);
                    Add("weight_hh", [gate, real]);
                    if (bias) { Add("bias_ih", [gate]); Add("bias_hh", [gate]); }
                    if (ProjSize > 0) Add("weight_hr", [ProjSize, HiddenSize]);
                }
            Names = [.. names];
            Reset(owner, HiddenSize);
        }

        /// <summary>PyTorch's reset_parameters: every parameter, in order, uniform_(-1/√hidden_size, 1/√hidden_size).</summary>
        internal static void Reset(torch.nn.Module owner, int hiddenSize)
        {
            double stdv = 1.0 / Math.Sqrt(hiddenSize);
            foreach (var p in owner.parameters()) torch.nn.init.uniform_(p, -stdv, stdv);
        }

        internal Tensor[] FlatWeights(torch.nn.Module owner) => Names.Select(n => (Tensor)owner.get_parameter(n)!).ToArray();

        /// <summary>PyTorch's RNNBase.extra_repr.</summary>
        internal string ExtraRepr()
        {
            var s = $"{InputSize}, {HiddenSize}";
            if (ProjSize != 0) s += $", proj_size={ProjSize}";
            if (NumLayers != 1) s += $", num_layers={NumLayers}";
            if (!Bias) s += ", bias=False";
            if (BatchFirst) s += ", batch_first=True";
            if (Dropout != 0) s += $", dropout={Args.Py(Dropout)}";
            if (Bidirectional) s += ", bidirectional=True";
            return s;
        }

        /// <summary>
        /// PyTorch's forward around the op: unbatched (2-D) input gets a batch dim, missing states are
        /// zeros, then check_forward_args's checks (messages prefixed with the module's repr).
        /// </summary>
        internal (Tensor output, Tensor hN, Tensor? cN) Forward(torch.nn.Module owner, Tensor input, Tensor? h0, Tensor? c0, bool stateGiven)
        {
            string Who() => owner.ToString();
            bool lstm = Mode == RnnMode.Lstm;
            if (input.dim() is not (2 or 3))
                throw new ArgumentException($"{Who()}: Expected input to be 2-D (unbatched) or 3-D (batched) but received {input.dim()}-D tensor of shape {Shape.Str(input._shape)}");
            bool batched = input.dim() == 3;
            int batchDim = BatchFirst ? 0 : 1;
            if (stateGiven)
            {
                int want = batched ? 3 : 2;
                if (h0!.dim() != want || (lstm && c0!.dim() != want))
                {
                    string kind = batched ? "batched 3-D" : "unbatched 2-D";
                    throw new ArgumentException(lstm
                        ? $"{Who()}: For {kind} input, hx and cx should also be {want}-D but got ({h0.dim()}-D, {c0!.dim()}-D) tensors"
                        : $"{Who()}: For {kind} input, hx should also be {want}-D but got {h0.dim()}-D tensor");
                }
            }
            var x = batched ? input : input.unsqueeze(batchDim);
            if (!batched && stateGiven) { h0 = h0!.unsqueeze(1); c0 = c0?.unsqueeze(1); }
            if (x._shape[2] != InputSize)
                throw new ArgumentException($"{Who()}: input.size(-1) must be equal to input_size. Expected {InputSize}, got {x._shape[2]}");
            if (x._shape[BatchFirst ? 1 : 0] == 0)
                throw new ArgumentException($"{Who()}: Expected sequence length to be larger than 0 in RNN, got input of shape {Shape.Str(input._shape)}");
            var weights = FlatWeights(owner);
            if (x.dtype != weights[0].dtype)
                throw new ArgumentException($"{Who()}: input must have the type {weights[0].dtype.TorchName()}, got type {x.dtype.TorchName()}");
            int D = Bidirectional ? 2 : 1, B = x._shape[batchDim], P = ProjSize > 0 ? ProjSize : HiddenSize;
            if (stateGiven)
            {
                RecurrentImpl.CheckHidden(Who, h0!, [NumLayers * D, B, P], lstm ? "Expected hidden[0] size {0}, got {1}" : "Expected hidden size {0}, got {1}");
                if (lstm) RecurrentImpl.CheckHidden(Who, c0!, [NumLayers * D, B, HiddenSize], "Expected hidden[1] size {0}, got {1}");
                RecurrentImpl.CheckDTypes(Who, x, [h0, c0]);
            }
            var (o, h, c) = RecurrentImpl.Run(Mode, x, stateGiven ? h0 : null, stateGiven ? c0 : null, weights, Bias, ProjSize > 0, NumLayers,
                Dropout, owner.training, Bidirectional, BatchFirst);
            if (!batched) { o = o.squeeze(batchDim); h = h.squeeze(1); c = c?.squeeze(1); }
            return (o, h, c);
        }

        /// <summary>PyTorch's <c>all_weights</c>: the parameters of each layer and direction, in order.</summary>
        internal IList<IList<Parameter>> AllWeights(torch.nn.Module owner)
        {
            int perDir = 2 + (Bias ? 2 : 0) + (ProjSize > 0 ? 1 : 0);
            return Names.Chunk(perDir).Select(g => (IList<Parameter>)g.Select(n => owner.get_parameter(n)!).ToList()).ToList();
        }
    }

    /// <summary>
    /// What RNN, LSTM and GRU share (PyTorch's <c>RNNBase</c>): the stacked, optionally bidirectional layers in
    /// <see cref="RnnCore"/>, their parameters by PyTorch's names, default init and extra_repr.
    /// </summary>
    public abstract class RNNBase<THidden, TResult> : torch.nn.Layer<Tensor, THidden, TResult>
    {
        private protected readonly RnnCore _core;

        private protected RNNBase(string name, RnnMode mode, long input_size, long hidden_size, long num_layers, bool bias, bool batch_first,
            double dropout, bool bidirectional, long proj_size, ScalarType? dtype) : base(name)
        {
            _core = new RnnCore(this, mode, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, proj_size, dtype);
        }

        public long input_size => _core.InputSize;
        public long hidden_size => _core.HiddenSize;
        public long num_layers => _core.NumLayers;
        public bool bias => _core.Bias;
        public bool batch_first => _core.BatchFirst;
        public double dropout => _core.Dropout;
        public bool bidirectional => _core.Bidirectional;

        /// <summary>The parameter registered as <paramref name="name"/> (<c>lstm["weight_ih_l0"]</c>, as PyTorch's <c>lstm.weight_ih_l0</c>).</summary>
        public Parameter this[string name] => get_parameter(name) ?? throw new ArgumentException($"{this} has no parameter `{name}`");

        /// <summary>The parameters of each layer and direction (PyTorch's <c>all_weights</c>).</summary>
        public IList<IList<Parameter>> all_weights => _core.AllWeights(this);

        public void reset_parameters() => RnnCore.Reset(this, _core.HiddenSize);

        public override string extra_repr() => _core.ExtraRepr();
    }

    /// <summary>
    /// PyTorch's <c>nn.LSTM</c>: i = σ(W_ii x + b_ii + W_hi h + b_hi), f, g (tanh), o likewise;
    /// c' = f·c + i·g; h' = o·tanh(c') (then h' = W_hr h' with proj_size). Parameters are registered
    /// under PyTorch's names (<c>weight_ih_l0</c>, ...; see <see cref="torch.nn.Module.get_parameter"/>).
    /// </summary>
    public sealed class LSTM : RNNBase<(Tensor, Tensor)?, (Tensor, Tensor, Tensor)>
    {
        public LSTM(long input_size, long hidden_size, long num_layers = 1, bool bias = true, bool batch_first = false,
            double dropout = 0.0, bool bidirectional = false, long proj_size = 0, ScalarType? dtype = null)
            : base(nameof(LSTM), RnnMode.Lstm, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, proj_size, dtype) { }

        public long proj_size => _core.ProjSize;
        public string mode => "LSTM";

        /// <summary>
        /// input [L, N, H_in] ([N, L, H_in] with batch_first, or unbatched [L, H_in]); h0_c0 = (h_0
        /// [D·num_layers, N, H_out], c_0 [D·num_layers, N, H_cell]), zeros when omitted. Returns
        /// (output [L, N, D·H_out], h_n, c_n).
        /// </summary>
        protected override (Tensor, Tensor, Tensor) Forward(Tensor input, (Tensor, Tensor)? h0_c0)
        {
            var (o, h, c) = _core.Forward(this, input, h0_c0?.Item1, h0_c0?.Item2, h0_c0 is not null);
            return (o, h, c!);
        }

        /// <summary>forward with zero initial states (<c>lstm(x)</c>).</summary>
        public (Tensor, Tensor, Tensor) forward(Tensor input) => forward(input, null);

        public (Tensor, Tensor, Tensor) call(Tensor input) => call(input, null);
    }

    /// <summary>
    /// PyTorch's <c>nn.GRU</c>: r = σ(W_ir x + b_ir + W_hr h + b_hr), z likewise,
    /// n = tanh(W_in x + b_in + r·(W_hn h + b_hn)), h' = (1 − z)·n + z·h.
    /// </summary>
    public sealed class GRU : RNNBase<Tensor?, (Tensor, Tensor)>
    {
        public GRU(long input_size, long hidden_size, long num_layers = 1, bool bias = true, bool batch_first = false,
            double dropout = 0.0, bool bidirectional = false, ScalarType? dtype = null)
            : base(nameof(GRU), RnnMode.Gru, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, 0, dtype) { }

        public string mode => "GRU";

        /// <summary>input [L, N, H_in] (batch_first: [N, L, H_in]; unbatched: [L, H_in]); h0 [D·num_layers, N, H] or zeros. Returns (output, h_n).</summary>
        protected override (Tensor, Tensor) Forward(Tensor input, Tensor? h0)
        {
            var (o, h, _) = _core.Forward(this, input, h0, null, h0 is not null);
            return (o, h);
        }

        public (Tensor, Tensor) forward(Tensor input) => forward(input, null);

        public (Tensor, Tensor) call(Tensor input) => call(input, null);
    }

    /// <summary>PyTorch's <c>nn.RNN</c> (Elman): h' = tanh(W_ih x + b_ih + W_hh h + b_hh), or relu.</summary>
    public sealed class RNN : RNNBase<Tensor?, (Tensor, Tensor)>
    {
        public RNN(long input_size, long hidden_size, long num_layers = 1, string nonlinearity = "tanh", bool bias = true, bool batch_first = false,
            double dropout = 0.0, bool bidirectional = false, ScalarType? dtype = null)
            : base(nameof(RNN), Mode(nonlinearity), input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, 0, dtype)
        {
            this.nonlinearity = nonlinearity;
        }

        static RnnMode Mode(string nonlinearity) => RnnModes.Of(nonlinearity)
            ?? throw new ArgumentException($"RNN: Unknown nonlinearity '{nonlinearity}' (expected 'tanh' or 'relu')");

        public string nonlinearity { get; }
        public string mode => _core.Mode == RnnMode.RnnRelu ? "RNN_RELU" : "RNN_TANH";

        /// <summary>input [L, N, H_in] (batch_first: [N, L, H_in]; unbatched: [L, H_in]); h0 [D·num_layers, N, H] or zeros. Returns (output, h_n).</summary>
        protected override (Tensor, Tensor) Forward(Tensor input, Tensor? h0)
        {
            var (o, h, _) = _core.Forward(this, input, h0, null, h0 is not null);
            return (o, h);
        }

        public (Tensor, Tensor) forward(Tensor input) => forward(input, null);

        public (Tensor, Tensor) call(Tensor input) => call(input, null);
    }

    /// <summary>
    /// What the cells share (PyTorch's <c>RNNCellBase</c>): weight_ih [G·H, I], weight_hh [G·H, H],
    /// bias_ih and bias_hh [G·H] (null without bias), default init, extra_repr and input handling.
    /// </summary>
    public abstract class RNNCellBase<THidden, TResult> : torch.nn.Layer<Tensor, THidden, TResult>
    {
        internal readonly RnnMode _mode;

        public Parameter weight_ih { get; set; }
        public Parameter weight_hh { get; set; }
        public Parameter? bias_ih { get; set; }
        public Parameter? bias_hh { get; set; }

        public long input_size { get; }
        public long hidden_size { get; }
        public bool bias { get; }

        private protected RNNCellBase(string name, RnnMode mode, long input_size, long hidden_size, bool bias, ScalarType? dtype) : base(name)
        {
            if (input_size < 0) throw new ArgumentException($"{name}: input_size must be non-negative, got {input_size}");
            if (hidden_size <= 0) throw new ArgumentException($"{name}: hidden_size must be greater than zero, got {hidden_size}");
            // Past int, gates × hidden_size wrapped (2^62 made an empty weight_ih) and reset_parameters cast it.
            if (input_size > int.MaxValue || hidden_size > int.MaxValue)
                throw new ArgumentException($"{name}: input_size and hidden_size must be at most {int.MaxValue}, got {input_size} and {hidden_size}");
            _mode = mode;
            this.input_size = input_size; this.hidden_size = hidden_size; this.bias = bias;
            long g = RecurrentImpl.Gates(mode) * hidden_size;
            var dt = dtype ?? ScalarType.Float32;
            weight_ih = new Parameter(torch.empty([g, input_size], dtype: dt));
            weight_hh = new Parameter(torch.empty([g, hidden_size], dtype: dt));
            if (bias)
            {
                bias_ih = new Parameter(torch.empty([g], dtype: dt));
                bias_hh = new Parameter(torch.empty([g], dtype: dt));
            }
            reset_parameters();
        }

        /// <summary>PyTorch's reset_parameters: every parameter uniform_(-1/√hidden_size, 1/√hidden_size), in order.</summary>
        public void reset_parameters() => RnnCore.Reset(this, (int)hidden_size);

        public override string extra_repr()
        {
            var s = $"{input_size}, {hidden_size}";
            if (!bias) s += ", bias=False";
            if (this is RNNCell { nonlinearity: not "tanh" } c) s += $", nonlinearity={c.nonlinearity}";
            return s;
        }

        /// <summary>
        /// PyTorch's cell forward: 1-D input (and states) get a batch dim, a missing state is zeros,
        /// then the cell op's checks (messages prefixed with the module's repr). Returns h' [and c'].
        /// </summary>
        private protected (Tensor h, Tensor? c) Step(Tensor input, Tensor? hx, Tensor? cx, bool stateGiven)
        {
            string Who() => ToString();
            if (input.dim() is not (1 or 2))
                throw new ArgumentException($"{Who()}: Expected input to be 1-D or 2-D but received {input.dim()}-D tensor of shape {Shape.Str(input._shape)}");
            bool batched = input.dim() == 2;
            if (stateGiven)
            {
                int want = batched ? 2 : 1;
                foreach (var (t, k) in new[] { (hx, 0), (cx, 1) })
                    if (t is not null && t.dim() != want)
                        throw new ArgumentException($"{Who()}: For {(batched ? "batched 2-D" : "unbatched 1-D")} input, hx{(cx is null ? "" : $"[{k}]")} should also be {want}-D but got {t.dim()}-D tensor of shape {Shape.Str(t._shape)}");
            }
            var x = batched ? input : input.unsqueeze(0);
            if (!stateGiven)
            {
                hx = torch.zeros([x._shape[0], hidden_size], dtype: x.dtype);
                if (_mode == RnnMode.Lstm) cx = hx;
            }
            else if (!batched) { hx = hx!.unsqueeze(0); cx = cx?.unsqueeze(0); }
            RecurrentImpl.CheckCell(_mode, Who, x, hx!, cx, weight_ih, weight_hh, bias_ih, bias_hh);
            var (h, c) = RecurrentImpl.Cell(_mode, x, hx!, cx, weight_ih, weight_hh, bias_ih, bias_hh);
            if (!batched) { h = h.squeeze(0); c = c?.squeeze(0); }
            return (h, c);
        }
    }

    /// <summary>PyTorch's <c>nn.LSTMCell</c>: one LSTM step; forward(input, (h, c)?) returns (h', c').</summary>
    public sealed class LSTMCell : RNNCellBase<(Tensor, Tensor)?, (Tensor, Tensor)>
    {
        public LSTMCell(long input_size, long hidden_size, bool bias = true, ScalarType? dtype = null)
            : base(nameof(LSTMCell), RnnMode.Lstm, input_size, hidden_size, bias, dtype) { }

        protected override (Tensor, Tensor) Forward(Tensor input, (Tensor, Tensor)? hx)
        {
            var (h, c) = Step(input, hx?.Item1, hx?.Item2, hx is not null);
            return (h, c!);
        }

        public (Tensor, Tensor) forward(Tensor input) => forward(input, null);

        public (Tensor, Tensor) call(Tensor input) => call(input, null);
    }

    /// <summary>PyTorch's <c>nn.GRUCell</c>: one GRU step; forward(input, h?) returns h'.</summary>
    public sealed class GRUCell : RNNCellBase<Tensor?, Tensor>
    {
        public GRUCell(long input_size, long hidden_size, bool bias = true, ScalarType? dtype = null)
            : base(nameof(GRUCell), RnnMode.Gru, input_size, hidden_size, bias, dtype) { }

        protected override Tensor Forward(Tensor input, Tensor? hx) => Step(input, hx, null, hx is not null).h;

        public Tensor forward(Tensor input) => forward(input, null);

        public Tensor call(Tensor input) => call(input, null);
    }

    /// <summary>PyTorch's <c>nn.RNNCell</c>: one Elman step with tanh or relu; forward(input, h?) returns h'.</summary>
    public sealed class RNNCell : RNNCellBase<Tensor?, Tensor>
    {
        public RNNCell(long input_size, long hidden_size, bool bias = true, string nonlinearity = "tanh", ScalarType? dtype = null)
            : base(nameof(RNNCell), Mode(nonlinearity), input_size, hidden_size, bias, dtype)
        {
            this.nonlinearity = nonlinearity;
        }

        static RnnMode Mode(string nonlinearity) => RnnModes.Of(nonlinearity)
            ?? throw new ArgumentException($"RNNCell: Unknown nonlinearity: {nonlinearity} (expected 'tanh' or 'relu')");

        public string nonlinearity { get; }

        protected override Tensor Forward(Tensor input, Tensor? hx) => Step(input, hx, null, hx is not null).h;

        public Tensor forward(Tensor input) => forward(input, null);

        public Tensor call(Tensor input) => call(input, null);
    }
}
