using System.Numerics;
using System.Numerics.Tensors;
using Torchlet.Kernels;

namespace Torchlet
{
    /// <summary>The recurrence a layer runs (PyTorch's RNN modes).</summary>
    internal enum RnnMode { RnnTanh, RnnRelu, Lstm, Gru }

    /// <summary>
    /// Recurrent layers as PyTorch computes them, one direction of one layer at a time: ONE GEMM
    /// projects the input of every time step (x·W_ihᵀ + biases as a [T·B, G·H] product), then each
    /// step does one [B, P]·[P, G·H] GEMM for the recurrence and a fused gate kernel
    /// (<see cref="RecurrentKernels"/>). Each direction of each layer records ONE autograd node whose
    /// backward runs back-propagation through time with the same kernels: per step the fused gate
    /// backward and one GEMM for the gradient of h_prev, then one GEMM each for dX, dW_ih and dW_hh
    /// over all steps. Multi-layer stacking, bidirectional concatenation (CatBackward0), dropout
    /// between layers and the final h_n/c_n (StackBackward0) are ordinary differentiable ops.
    /// </summary>
    internal static class RecurrentImpl
    {
        internal static int Gates(RnnMode m) => m switch { RnnMode.Lstm => 4, RnnMode.Gru => 3, _ => 1 };

        static string NodeName(RnnMode m) => m switch
        {
            RnnMode.Lstm => "LstmLayerBackward0",
            RnnMode.Gru => "GruLayerBackward0",
            RnnMode.RnnTanh => "RnnTanhLayerBackward0",
            _ => "RnnReluLayerBackward0",
        };

        /// <summary>
        /// One direction of one layer. x [T, B, I]; h0 [B, P]; c0 [B, H] (LSTM only); whr [P, H] (LSTM
        /// with projections). Returns the per-step outputs y [T, B, P] (or <paramref name="yShape"/>,
        /// for the cells: [B, P] with T = 1), the final h [B, P] and, for LSTM, the final c [B, H].
        /// Shapes and dtypes are validated by the callers.
        /// </summary>
        internal static (Tensor y, Tensor hN, Tensor? cN) Layer(RnnMode mode, Tensor x, Tensor wih, Tensor whh, Tensor? bih, Tensor? bhh,
            Tensor? whr, Tensor h0, Tensor? c0, bool reverse, int[]? yShape = null)
        {
            var inputs = new List<Tensor>(8) { x, wih, whh };
            if (bih is not null) inputs.Add(bih);
            if (bhh is not null) inputs.Add(bhh);
            if (whr is not null) inputs.Add(whr);
            inputs.Add(h0);
            if (c0 is not null) inputs.Add(c0);
            bool grad = false;
            foreach (var t in inputs) grad |= t._requiresGrad;
            grad &= GradMode.Enabled;

            int T = x._shape[0], B = x._shape[1], P = h0._shape[1];
            yShape ??= [T, B, P];
            Tensor result;
            Func<Tensor, Tensor?[]>? backward = null;
            if (x.dtype == ScalarType.Float32)
            {
                var run = new LayerRun<float>(mode, x, wih, whh, bih, bhh, whr, h0, c0, reverse);
                result = run.Forward(yShape);
                if (grad) backward = Backward(run, inputs);
            }
            else
            {
                var run = new LayerRun<double>(mode, x, wih, whh, bih, bhh, whr, h0, c0, reverse);
                result = run.Forward(yShape);
                if (grad) backward = Backward(run, inputs);
            }
            if (backward is not null) Tensor.Record(result, NodeName(mode), backward, true, inputs.ToArray());

            Tensor y = result; Tensor? cN = null;
            if (mode == RnnMode.Lstm)
            {
                // The node's result packs [y, c_n] (one node, two outputs); the user sees views of it.
                int ny = T * B * P;
                y = result.narrow(0, 0, ny).view(Shape.ToLong(yShape));
                cN = result.narrow(0, ny, result._shape[0] - ny).view(B, c0!._shape[1]);
            }
            var hN = yShape.Length == 3 ? y.select(0, reverse ? 0 : T - 1) : y;
            return (y, hN, cN);
        }

        static Func<Tensor, Tensor?[]> Backward<E>(LayerRun<E> run, List<Tensor> inputs) where E : unmanaged, IFloatingPointIeee754<E>
        {
            var saved = inputs.Select(t => new SavedTensor(t)).ToArray();
            var needs = inputs.Select(t => t._requiresGrad).ToArray();
            return g =>
            {
                foreach (var s in saved) s.Get();   // PyTorch's error if an input was changed in place since forward
                // The fused backward computes raw gradients; a graph of them (create_graph=True) would
                // silently miss the second-order terms, so refuse instead.
                if (GradMode.Enabled)
                    throw new InvalidOperationException($"{Engine.Current?.name()}: double backward (create_graph=True) through a recurrent layer is not supported: its fused backward records no graph of the gradients");
                return run.Backward(g, needs);
            };
        }

        /// <summary>
        /// PyTorch's multi-layer RNN over a batched 3-D input (time-major unless batch_first).
        /// <paramref name="weights"/> are the flat weights in PyTorch's order: per layer, per direction,
        /// w_ih, w_hh, [b_ih, b_hh], [w_hr]. h0 [L·D, B, P] and c0 [L·D, B, H] may be null (zeros).
        /// </summary>
        internal static (Tensor output, Tensor hN, Tensor? cN) Run(RnnMode mode, Tensor input, Tensor? h0, Tensor? c0, IReadOnlyList<Tensor> weights,
            bool hasBiases, bool hasProj, int numLayers, double dropout, bool train, bool bidirectional, bool batchFirst)
        {
            int D = bidirectional ? 2 : 1, perDir = 2 + (hasBiases ? 2 : 0) + (hasProj ? 1 : 0);
            var x = batchFirst ? input.transpose(0, 1) : input;

            int B = x._shape[1];
            int H = weights[1]._shape[0] / Gates(mode);
            int P = hasProj ? weights[perDir - 1]._shape[0] : H;
            Tensor? zh = null, zc = null;
            var hs = new List<Tensor>(numLayers * D);
            var cs = new List<Tensor>(numLayers * D);
            var layerInput = x;
            for (int l = 0; l < numLayers; l++)
            {
                var ys = new Tensor[D];
                for (int d = 0; d < D; d++)
                {
                    int idx = l * D + d, w = idx * perDir;
                    var hi = h0 is null ? zh ??= torch.zeros([B, P], dtype: x.dtype) : h0.select(0, idx);
                    Tensor? ci = null;
                    if (mode == RnnMode.Lstm) ci = c0 is null ? zc ??= torch.zeros([B, H], dtype: x.dtype) : c0.select(0, idx);
                    var (y, hn, cn) = Layer(mode, layerInput, weights[w], weights[w + 1],
                        hasBiases ? weights[w + 2] : null, hasBiases ? weights[w + 3] : null,
                        hasProj ? weights[w + perDir - 1] : null, hi, ci, reverse: d == 1);
                    ys[d] = y; hs.Add(hn);
                    if (cn is not null) cs.Add(cn);
                }
                var layerOutput = D == 1 ? ys[0] : torch.cat(ys, 2);
                if (dropout != 0 && train && l < numLayers - 1) layerOutput = Dropout(layerOutput, dropout);
                layerInput = layerOutput;
            }
            var output = batchFirst ? layerInput.transpose(0, 1) : layerInput;
            return (output, torch.stack(hs, 0), mode == RnnMode.Lstm ? torch.stack(cs, 0) : null);
        }

        /// <summary>One step of a cell over a 2-D input [B, I] and state [B, H]: the layer with T = 1.</summary>
        internal static (Tensor h, Tensor? c) Cell(RnnMode mode, Tensor input, Tensor hx, Tensor? cx, Tensor wih, Tensor whh, Tensor? bih, Tensor? bhh)
        {
            var (y, _, c) = Layer(mode, input.unsqueeze(0), wih, whh, bih, bhh, null, hx, cx, reverse: false, yShape: [input._shape[0], hx._shape[1]]);
            return (y, c);
        }

        /// <summary>The checks of PyTorch's cell ops (input and hidden sizes, batch sizes, dtypes), prefixed with <paramref name="who"/>.</summary>
        internal static void CheckCell(RnnMode mode, Func<string> who, Tensor input, Tensor hx, Tensor? cx, Tensor wih, Tensor whh, Tensor? bih, Tensor? bhh)
        {
            int G = Gates(mode);
            if (input.dim() != 2) throw new ArgumentException($"{who()}: expected input of shape [batch, input_size], got {input.dim()}-D input of shape {Shape.Str(input._shape)}");
            if (wih.dim() != 2 || whh.dim() != 2 || wih._shape[0] % G != 0 || whh._shape[0] != wih._shape[0] || whh._shape[1] * G != whh._shape[0])
                throw new ArgumentException($"{who()}: expected w_ih of shape [{G}*hidden_size, input_size] and w_hh of shape [{G}*hidden_size, hidden_size], got {Shape.Str(wih._shape)} and {Shape.Str(whh._shape)}");
            int H = whh._shape[1], I = wih._shape[1];
            foreach (var (b, name) in new[] { (bih, "b_ih"), (bhh, "b_hh") })
                if (b is not null && (b.dim() != 1 || b._shape[0] != G * H))
                    throw new ArgumentException($"{who()}: expected {name} of shape [{G * H}], got {Shape.Str(b._shape)}");
            if (input._shape[1] != I) throw new ArgumentException($"{who()}: input has inconsistent input_size: got {input._shape[1]} expected {I}");
            for (int k = 0; k < (cx is null ? 1 : 2); k++)
            {
                var h = k == 0 ? hx : cx!;
                if (h.dim() != 2) throw new ArgumentException($"{who()}: expected hidden{k} of shape [batch, hidden_size] = {Shape.Str([input._shape[0], H])}, got {h.dim()}-D tensor of shape {Shape.Str(h._shape)}");
                if (h._shape[0] != input._shape[0]) throw new ArgumentException($"{who()}: Input batch size {input._shape[0]} doesn't match hidden{k} batch size {h._shape[0]}");
                if (h._shape[1] != H) throw new ArgumentException($"{who()}: hidden{k} has inconsistent hidden_size: got {h._shape[1]}, expected {H}");
            }
            CheckDTypes(who, input, [hx, cx, wih, whh, bih, bhh]);
        }

        /// <summary>Floating input, and every other tensor of the same dtype (PyTorch: "input must have the type ...").</summary>
        internal static void CheckDTypes(Func<string> who, Tensor input, Tensor?[] others)
        {
            foreach (var t in others)
                if (t is not null && t.dtype != input.dtype)
                    throw new ArgumentException($"{who()}: input must have the type {t.dtype.TorchName()}, got type {input.dtype.TorchName()} (the input, states and weights must share one dtype)");
            if (input.dtype is not (ScalarType.Float32 or ScalarType.Float64))
                throw new ArgumentException($"{who()}: expected a float32 or float64 input, got {input.dtype.TorchName()}");
        }

        /// <summary>The checks of the multi-layer ops: input rank and size, state shapes, weight count and shapes, dtypes.</summary>
        internal static void CheckLayers(RnnMode mode, Func<string> who, Tensor input, Tensor hx, Tensor? cx, IReadOnlyList<Tensor> ps,
            bool hasBiases, bool proj, long numLayersArg, bool bidirectional, bool batchFirst)
        {
            int D = bidirectional ? 2 : 1, perDir = 2 + (hasBiases ? 2 : 0) + (proj ? 1 : 0), G = Gates(mode);
            if (numLayersArg < 1) throw new ArgumentException($"{who()}: num_layers must be at least 1, got {numLayersArg}");
            // A long: cast to int first, 2^32 + 1 layers passed as 1.
            if (numLayersArg > ps.Count)
                throw new ArgumentException($"{who()}: expected {numLayersArg} layer(s) × {D} direction(s) × {perDir} weight tensors, got {ps.Count}");
            int numLayers = (int)numLayersArg;
            if (ps.Count != numLayers * D * perDir)
                throw new ArgumentException($"{who()}: expected {numLayers * D * perDir} weight tensors ({numLayers} layer(s) × {D} direction(s) × {perDir}), got {ps.Count}");
            if (input.dim() != 3) throw new ArgumentException($"{who()}: input must have 3 dimensions, got {input.dim()} (shape {Shape.Str(input._shape)})");
            // The sizes come from layer 0's matrices, so those are checked first (a 0-dim w_hh was indexed).
            if (ps[0].dim() != 2 || ps[1].dim() != 2 || proj && ps[perDir - 1].dim() != 2)
                throw new ArgumentException($"{who()}: expected w_ih, w_hh{(proj ? " and w_hr" : "")} of layer 0 to be 2-D, got shapes {Shape.Str(ps[0]._shape)}, {Shape.Str(ps[1]._shape)}{(proj ? ", " + Shape.Str(ps[perDir - 1]._shape) : "")}");
            int I = ps[0]._shape[1], H = ps[1]._shape[0] / G, P = proj ? ps[perDir - 1]._shape[0] : H;
            if (input._shape[2] != I) throw new ArgumentException($"{who()}: input.size(-1) must be equal to input_size. Expected {I}, got {input._shape[2]}");
            if (input._shape[batchFirst ? 1 : 0] == 0)
                throw new ArgumentException($"{who()}: Expected sequence length to be larger than 0 in RNN, got input of shape {Shape.Str(input._shape)}");
            int B = input._shape[batchFirst ? 0 : 1];
            CheckHidden(who, hx, [numLayers * D, B, P], mode == RnnMode.Lstm ? "Expected hidden[0] size {0}, got {1}" : "Expected hidden size {0}, got {1}");
            if (cx is not null) CheckHidden(who, cx, [numLayers * D, B, H], "Expected hidden[1] size {0}, got {1}");
            for (int l = 0; l < numLayers; l++)
                for (int d = 0; d < D; d++)
                {
                    int w = (l * D + d) * perDir, inl = l == 0 ? I : P * D;
                    Expect(who, ps[w], [G * H, inl], $"w_ih of layer {l}{(d == 1 ? " (reverse)" : "")}");
                    Expect(who, ps[w + 1], [G * H, P], $"w_hh of layer {l}{(d == 1 ? " (reverse)" : "")}");
                    if (hasBiases)
                    {
                        Expect(who, ps[w + 2], [G * H], $"b_ih of layer {l}{(d == 1 ? " (reverse)" : "")}");
                        Expect(who, ps[w + 3], [G * H], $"b_hh of layer {l}{(d == 1 ? " (reverse)" : "")}");
                    }
                    if (proj) Expect(who, ps[w + perDir - 1], [P, H], $"w_hr of layer {l}{(d == 1 ? " (reverse)" : "")}");
                }
            CheckDTypes(who, input, [.. ps, hx, cx]);
        }

        /// <summary>PyTorch's check_hidden_size: the expected size as a Python tuple, the given one as a list.</summary>
        internal static void CheckHidden(Func<string> who, Tensor h, int[] expected, string format)
        {
            if (!Shape.SameShape(h._shape, expected))
                throw new ArgumentException($"{who()}: " + string.Format(format, "(" + string.Join(", ", expected) + ")", Shape.Str(h._shape)));
        }

        static void Expect(Func<string> who, Tensor t, int[] shape, string what)
        {
            if (!Shape.SameShape(t._shape, shape))
                throw new ArgumentException($"{who()}: expected {what} of shape {Shape.Str(shape)}, got {Shape.Str(t._shape)}");
        }

        /// <summary>
        /// at::dropout on CPU as PyTorch 1.13 runs it between RNN layers: a bernoulli_(1 − p) noise
        /// tensor divided by 1 − p, multiplied in (MulBackward0), so the same seed drops the same units.
        /// </summary>
        internal static Tensor Dropout(Tensor x, double p)
        {
            if (x.Numel == 0) return x;
            if (p == 1) return x.mul(torch.zeros([], dtype: x.dtype));
            var noise = Tensor.Empty(x._shape, x.dtype);
            noise.bernoulli_(1 - p);
            noise.div_(1 - p);
            return x.mul(noise);
        }
    }

    /// <summary>
    /// The forward and backward of one direction of one recurrent layer over raw buffers. Keeps what
    /// backward needs: the activated gates (LSTM, GRU), the pre-activations (RNN), c and tanh(c)
    /// (LSTM), h·W_hhᵀ + b_hh (GRU), the un-projected h (LSTM with proj_size) and a private copy
    /// of every step's h (so in-place changes to the returned output cannot corrupt the gradients).
    /// </summary>
    internal sealed unsafe class LayerRun<E> where E : unmanaged, IFloatingPointIeee754<E>
    {
        readonly RnnMode _mode;
        readonly int _T, _B, _I, _H, _P, _G;
        readonly bool _reverse;
        readonly Tensor _x, _wih, _whh, _h0;
        readonly Tensor? _bih, _bhh, _whr, _c0;
        readonly E[] _gates;     // [T, B, G·H]
        readonly E[] _hs;        // [T, B, P]
        readonly E[]? _hg;       // GRU: [T, B, 3H]
        readonly E[]? _c, _tc;   // LSTM: [T, B, H]
        readonly E[]? _hfull;    // LSTM with projections: [T, B, H]

        public LayerRun(RnnMode mode, Tensor x, Tensor wih, Tensor whh, Tensor? bih, Tensor? bhh, Tensor? whr, Tensor h0, Tensor? c0, bool reverse)
        {
            _mode = mode; _reverse = reverse;
            _x = x.contiguous_nograd(); _wih = wih.contiguous_nograd(); _whh = whh.contiguous_nograd();
            _bih = bih?.contiguous_nograd(); _bhh = bhh?.contiguous_nograd(); _whr = whr?.contiguous_nograd();
            _h0 = h0.contiguous_nograd(); _c0 = c0?.contiguous_nograd();
            _T = x._shape[0]; _B = x._shape[1]; _I = x._shape[2];
            _G = RecurrentImpl.Gates(mode);
            _H = wih._shape[0] / _G; _P = h0._shape[1];
            int tb = _T * _B;
            _gates = new E[tb * _G * _H];
            _hs = new E[tb * _P];
            if (mode == RnnMode.Gru) _hg = new E[tb * 3 * _H];
            if (mode == RnnMode.Lstm) { _c = new E[tb * _H]; _tc = new E[tb * _H]; }
            if (whr is not null) _hfull = new E[tb * _H];
        }

        /// <summary>Time index of step s, and of the step before it.</summary>
        int Time(int s) => _reverse ? _T - 1 - s : s;
        int Prev(int t) => _reverse ? t + 1 : t - 1;

        /// <summary>Runs the recurrence; returns the result tensor ([y, c_n] packed flat for LSTM, else y shaped <paramref name="yShape"/>).</summary>
        public Tensor Forward(int[] yShape)
        {
            int T = _T, B = _B, I = _I, H = _H, P = _P, G = _G, GH = G * H, tb = T * B;
            var result = _mode == RnnMode.Lstm
                ? new Tensor(new Storage<E>(new E[tb * P + B * H]), [tb * P + B * H])
                : new Tensor(new Storage<E>(new E[tb * P]), yShape);
            fixed (E* x0 = _x.Buffer<E>(), wih0 = _wih.Buffer<E>(), whh0 = _whh.Buffer<E>(), h00 = _h0.Buffer<E>())
            fixed (E* bih0 = _bih is null ? null : _bih.Buffer<E>(), bhh0 = _bhh is null ? null : _bhh.Buffer<E>())
            fixed (E* whr0 = _whr is null ? null : _whr.Buffer<E>(), c00 = _c0 is null ? null : _c0.Buffer<E>())
            fixed (E* gates = _gates, hs = _hs, hg = _hg, c = _c, tc = _tc, hfull = _hfull)
            {
                E* x = x0 + _x._offset, wih = wih0 + _wih._offset, whh = whh0 + _whh._offset, h0 = h00 + _h0._offset;
                E* bih = bih0 is null ? null : bih0 + _bih!._offset, bhh = bhh0 is null ? null : bhh0 + _bhh!._offset;
                E* whr = whr0 is null ? null : whr0 + _whr!._offset, c0 = c00 is null ? null : c00 + _c0!._offset;

                // Input projection for every step at once; LSTM and RNN fold both biases in here,
                // GRU only b_ih (b_hn sits inside r·(W_hn·h + b_hn)).
                E beta = E.Zero;
                // Not with an empty batch: the gate buffer is then empty and `gates` null, the bias copy wrote through it.
                if (bih is not null && tb > 0)
                {
                    var bias = new Span<E>(gates, GH);
                    new ReadOnlySpan<E>(bih, GH).CopyTo(bias);
                    if (_mode != RnnMode.Gru) TensorPrimitives.Add<E>(bias, new ReadOnlySpan<E>(bhh, GH), bias);
                    for (int r = 1; r < tb; r++) bias.CopyTo(new Span<E>(gates + (long)r * GH, GH));
                    beta = E.One;
                }
                Gemm.Run(tb, GH, I, E.One, x, I, 1, wih, 1, I, beta, gates, GH);

                for (int s = 0; s < T; s++)
                {
                    int t = Time(s);
                    E* hPrev = s == 0 ? h0 : hs + (long)Prev(t) * B * P;
                    E* g = gates + (long)t * B * GH;
                    E* hOut = hs + (long)t * B * P;
                    switch (_mode)
                    {
                        case RnnMode.Lstm:
                        {
                            Gemm.Run(B, GH, P, E.One, hPrev, P, 1, whh, 1, P, E.One, g, GH);
                            E* cPrev = s == 0 ? c0 : c + (long)Prev(t) * B * H;
                            E* hCell = whr is null ? hOut : hfull + (long)t * B * H;
                            RecurrentKernels.LstmForwardRows(B, H, g, cPrev, c + (long)t * B * H, tc + (long)t * B * H, hCell);
                            if (whr is not null) Gemm.Run(B, P, H, E.One, hCell, H, 1, whr, 1, H, E.Zero, hOut, P);
                            break;
                        }
                        case RnnMode.Gru:
                        {
                            E* hgt = hg + (long)t * B * GH;
                            E hb = E.Zero;
                            if (bhh is not null)
                            {
                                for (int r = 0; r < B; r++) new ReadOnlySpan<E>(bhh, GH).CopyTo(new Span<E>(hgt + (long)r * GH, GH));
                                hb = E.One;
                            }
                            Gemm.Run(B, GH, P, E.One, hPrev, P, 1, whh, 1, P, hb, hgt, GH);
                            RecurrentKernels.GruForwardRows(B, H, g, hgt, hPrev, hOut);
                            break;
                        }
                        default:
                            Gemm.Run(B, H, P, E.One, hPrev, P, 1, whh, 1, P, E.One, g, H);
                            RecurrentKernels.RnnForwardRows(_mode == RnnMode.RnnRelu, B, H, g, hOut);
                            break;
                    }
                }
            }
            var dst = result.Buffer<E>();
            _hs.AsSpan().CopyTo(dst);
            if (_mode == RnnMode.Lstm) _c.AsSpan(Time(T - 1) * B * H, B * H).CopyTo(dst.AsSpan(tb * P));
            return result;
        }

        /// <summary>
        /// Back-propagation through time from the gradient of the result. Returns the gradients of
        /// x, w_ih, w_hh, [b_ih, b_hh], [w_hr], h0, [c0] in that order (null where not needed).
        /// </summary>
        public Tensor?[] Backward(Tensor gResult, bool[] needs)
        {
            int T = _T, B = _B, I = _I, H = _H, P = _P, G = _G, GH = G * H, tb = T * B;
            var gz = gResult.dtype == _x.dtype ? gResult.contiguous_nograd() : gResult.to_nograd(_x.dtype, false).contiguous_nograd();
            var dG = new E[tb * GH];
            var dGhArr = _mode == RnnMode.Gru ? new E[tb * GH] : dG;
            var dhA = new E[B * P];
            var dhB = new E[B * P];
            var dc = _mode == RnnMode.Lstm ? new E[B * H] : null;
            var dhf = _whr is not null ? new E[B * H] : null;
            var dHs = _whr is not null ? new E[tb * P] : null;
            if (dc is not null) gz.Buffer<E>().AsSpan(gz._offset + tb * P, B * H).CopyTo(dc);

            int k = 0;
            var grads = new Tensor?[needs.Length];
            bool nx = needs[k++], nwih = needs[k++], nwhh = needs[k++];
            bool nbih = _bih is not null && needs[k++], nbhh = _bhh is not null && needs[k++];
            bool nwhr = _whr is not null && needs[k++];

            fixed (E* gz0 = gz.Buffer<E>(), x0 = _x.Buffer<E>(), wih0 = _wih.Buffer<E>(), whh0 = _whh.Buffer<E>(), h00 = _h0.Buffer<E>())
            fixed (E* whr0 = _whr is null ? null : _whr.Buffer<E>(), c00 = _c0 is null ? null : _c0.Buffer<E>())
            fixed (E* gates = _gates, hs = _hs, hg = _hg, c = _c, tc = _tc, hfull = _hfull)
            fixed (E* dGp = dG, dGh = dGhArr, pa = dhA, pb = dhB, dcp = dc, dhfp = dhf, dHsp = dHs)
            {
                E* dY = gz0 + gz._offset, x = x0 + _x._offset, wih = wih0 + _wih._offset, whh = whh0 + _whh._offset, h0 = h00 + _h0._offset;
                E* whr = whr0 is null ? null : whr0 + _whr!._offset, c0 = c00 is null ? null : c00 + _c0!._offset;
                E* dh = pa, dhNext = pb;   // dh: gradient w.r.t. the current step's h (accumulated)
                for (int s = T - 1; s >= 0; s--)
                {
                    int t = Time(s);
                    E* hPrev = s == 0 ? h0 : hs + (long)Prev(t) * B * P;
                    var dhSpan = new Span<E>(dh, B * P);
                    TensorPrimitives.Add<E>(dhSpan, new ReadOnlySpan<E>(dY + (long)t * B * P, B * P), dhSpan);
                    E* g = gates + (long)t * B * GH, dGt = dGp + (long)t * B * GH;
                    switch (_mode)
                    {
                        case RnnMode.Lstm:
                        {
                            E* cPrev = s == 0 ? c0 : c + (long)Prev(t) * B * H;
                            E* dhCell = dh;
                            if (whr is not null)
                            {
                                dhSpan.CopyTo(new Span<E>(dHsp + (long)t * B * P, B * P));
                                Gemm.Run(B, H, P, E.One, dh, P, 1, whr, H, 1, E.Zero, dhfp, H);
                                dhCell = dhfp;
                            }
                            RecurrentKernels.LstmBackwardRows(B, H, g, cPrev, tc + (long)t * B * H, dhCell, dcp, dGt);
                            Gemm.Run(B, P, GH, E.One, dGt, GH, 1, whh, P, 1, E.Zero, dh, P);
                            break;
                        }
                        case RnnMode.Gru:
                        {
                            E* dGht = dGh + (long)t * B * GH;
                            RecurrentKernels.GruBackwardRows(B, H, g, hg + (long)t * B * GH, hPrev, dh, dhNext, dGt, dGht);
                            Gemm.Run(B, H, GH, E.One, dGht, GH, 1, whh, H, 1, E.One, dhNext, H);
                            var swap = dh; dh = dhNext; dhNext = swap;
                            break;
                        }
                        default:
                            RecurrentKernels.RnnBackwardRows(_mode == RnnMode.RnnRelu, B, H, hs + (long)t * B * P, dh, dGt);
                            Gemm.Run(B, H, H, E.One, dGt, H, 1, whh, H, 1, E.Zero, dh, H);
                            break;
                    }
                }

                if (nx)
                {
                    var dx = new E[tb * I];
                    fixed (E* p = dx) Gemm.Run(tb, I, GH, E.One, dGp, GH, 1, wih, I, 1, E.Zero, p, I);
                    grads[0] = new Tensor(new Storage<E>(dx), _x._shape);
                }
                if (nwih)
                {
                    var dw = new E[GH * I];
                    fixed (E* p = dw) Gemm.Run(GH, I, tb, E.One, dGp, 1, GH, x, I, 1, E.Zero, p, I);
                    grads[1] = new Tensor(new Storage<E>(dw), _wih._shape);
                }
                if (nwhh)
                {
                    // Step t's h_prev is h0 for the first step and the previous step's output otherwise:
                    // two GEMMs over contiguous row blocks instead of one per step.
                    var dw = new E[GH * P];
                    fixed (E* p = dw)
                    {
                        Gemm.Run(GH, P, B, E.One, dGh + (long)Time(0) * B * GH, 1, GH, h0, P, 1, E.Zero, p, P);
                        if (T > 1)
                        {
                            E* dRows = _reverse ? dGh : dGh + (long)B * GH;
                            E* hRows = _reverse ? hs + (long)B * P : hs;
                            Gemm.Run(GH, P, (T - 1) * B, E.One, dRows, 1, GH, hRows, P, 1, E.One, p, P);
                        }
                    }
                    grads[2] = new Tensor(new Storage<E>(dw), _whh._shape);
                }
                k = 3;
                if (_bih is not null)
                {
                    if (nbih) grads[k] = ColumnSums(dGp, tb, GH);
                    k++;
                }
                if (_bhh is not null)
                {
                    if (nbhh) grads[k] = ColumnSums(dGh, tb, GH);
                    k++;
                }
                if (_whr is not null)
                {
                    if (nwhr)
                    {
                        var dw = new E[P * H];
                        fixed (E* p = dw) Gemm.Run(P, H, tb, E.One, dHsp, 1, P, hfull, H, 1, E.Zero, p, H);
                        grads[k] = new Tensor(new Storage<E>(dw), _whr._shape);
                    }
                    k++;
                }
                if (needs[k]) grads[k] = new Tensor(new Storage<E>(new ReadOnlySpan<E>(dh, B * P).ToArray()), [B, P]);
                k++;
                if (_c0 is not null && needs[k]) grads[k] = new Tensor(new Storage<E>(dc!), [B, H]);
            }
            return grads;
        }

        static Tensor ColumnSums(E* m, int rows, int n)
        {
            var acc = new E[n];
            RecurrentKernels.AddColumnSums(new ReadOnlySpan<E>(m, rows * n), rows, n, acc);
            return new Tensor(new Storage<E>(acc), [n]);
        }
    }

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
    public class LSTM : RNNBase<(Tensor, Tensor)?, (Tensor, Tensor, Tensor)>
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
    public class GRU : RNNBase<Tensor?, (Tensor, Tensor)>
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
    public class RNN : RNNBase<Tensor?, (Tensor, Tensor)>
    {
        public RNN(long input_size, long hidden_size, long num_layers = 1, string nonlinearity = "tanh", bool bias = true, bool batch_first = false,
            double dropout = 0.0, bool bidirectional = false, ScalarType? dtype = null)
            : base(nameof(RNN), Mode(nonlinearity), input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, 0, dtype)
        {
            this.nonlinearity = nonlinearity;
        }

        static RnnMode Mode(string nonlinearity) => nonlinearity switch
        {
            "tanh" => RnnMode.RnnTanh,
            "relu" => RnnMode.RnnRelu,
            _ => throw new ArgumentException($"RNN: Unknown nonlinearity '{nonlinearity}' (expected 'tanh' or 'relu')"),
        };

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
    public class LSTMCell : RNNCellBase<(Tensor, Tensor)?, (Tensor, Tensor)>
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
    public class GRUCell : RNNCellBase<Tensor?, Tensor>
    {
        public GRUCell(long input_size, long hidden_size, bool bias = true, ScalarType? dtype = null)
            : base(nameof(GRUCell), RnnMode.Gru, input_size, hidden_size, bias, dtype) { }

        protected override Tensor Forward(Tensor input, Tensor? hx) => Step(input, hx, null, hx is not null).h;

        public Tensor forward(Tensor input) => forward(input, null);

        public Tensor call(Tensor input) => call(input, null);
    }

    /// <summary>PyTorch's <c>nn.RNNCell</c>: one Elman step with tanh or relu; forward(input, h?) returns h'.</summary>
    public class RNNCell : RNNCellBase<Tensor?, Tensor>
    {
        public RNNCell(long input_size, long hidden_size, bool bias = true, string nonlinearity = "tanh", ScalarType? dtype = null)
            : base(nameof(RNNCell), Mode(nonlinearity), input_size, hidden_size, bias, dtype)
        {
            this.nonlinearity = nonlinearity;
        }

        static RnnMode Mode(string nonlinearity) => nonlinearity switch
        {
            "tanh" => RnnMode.RnnTanh,
            "relu" => RnnMode.RnnRelu,
            _ => throw new ArgumentException($"RNNCell: Unknown nonlinearity: {nonlinearity} (expected 'tanh' or 'relu')"),
        };

        public string nonlinearity { get; }

        protected override Tensor Forward(Tensor input, Tensor? hx) => Step(input, hx, null, hx is not null).h;

        public Tensor forward(Tensor input) => forward(input, null);

        public Tensor call(Tensor input) => call(input, null);
    }
}
