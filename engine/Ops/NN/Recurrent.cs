using Torchlet.Kernels;

namespace Torchlet
{
    /// <summary>The recurrence a layer runs (PyTorch's RNN modes).</summary>
    internal enum RnnMode { RnnTanh, RnnRelu, Lstm, Gru }

    internal static class RnnModes
    {
        /// <summary>The Elman mode of an RNN's or RNNCell's nonlinearity; null when unknown (each layer words its own error, as PyTorch does).</summary>
        public static RnnMode? Of(string nonlinearity) => nonlinearity switch
        {
            "tanh" => RnnMode.RnnTanh,
            "relu" => RnnMode.RnnRelu,
            _ => null,
        };
    }

    /// <summary>
    /// Recurrent layers as PyTorch computes them, one direction of one layer at a time: ONE GEMM
    /// projects the input of every time step (x·W_ihᵀ + biases as a [T·B, G·H] product), then each
    /// step does one [B, P]·[P, G·H] GEMM for the recurrence and a fused gate kernel
    /// (<see cref="RecurrentKernels"/>). Each direction of each layer records ONE autograd node whose
    /// backward runs back-propagation through time with the same kernels: per step the fused gate
    /// backward and one GEMM for the gradient of h_prev, then one GEMM each for dX, dW_ih and dW_hh
    /// over all steps. <see cref="RecurrentLayerRun"/> runs both over raw buffers; this class keeps the
    /// checks, the node and the tensors. Multi-layer stacking, bidirectional concatenation (CatBackward0), dropout
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
            var layer = new LayerSlots<Tensor?> { X = x, Wih = wih, Whh = whh, Bih = bih, Bhh = bhh, Whr = whr, H0 = h0, C0 = c0 };
            Tensor[] inputs = layer.InputOrder(layer)!;
            bool grad = false;
            foreach (var t in inputs) grad |= t._requiresGrad;
            grad &= GradMode.Enabled;

            int T = x._shape[0], B = x._shape[1], P = h0._shape[1], G = Gates(mode), H = wih._shape[0] / G;
            yShape ??= [T, B, P];
            // The kernel reads contiguous buffers; it keeps them (and its saved activations) for backward.
            var contiguous = new LayerSlots<Tensor?>
            {
                X = x.contiguous_nograd(), Wih = wih.contiguous_nograd(), Whh = whh.contiguous_nograd(), Bih = bih?.contiguous_nograd(),
                Bhh = bhh?.contiguous_nograd(), Whr = whr?.contiguous_nograd(), H0 = h0.contiguous_nograd(), C0 = c0?.contiguous_nograd(),
            };
            var result = Tensor.Empty(mode == RnnMode.Lstm ? [T * B * P + B * H] : yShape, x.dtype);
            var run = RecurrentLayerRun.Forward(x.dtype, NodeName(mode), new RnnLayerGeom(mode, T, B, x._shape[2], H, P, G, reverse),
                Buffers(contiguous), Buffer(result));
            var backward = grad ? Backward(run, layer, inputs) : null;
            if (backward is not null) Tensor.Record(result, NodeName(mode), backward, true, inputs);

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

        static Func<Tensor, Tensor?[]> Backward(RecurrentLayerRun run, LayerSlots<Tensor?> layer, Tensor[] inputs)
        {
            var saved = inputs.Select(t => new SavedTensor(t)).ToArray();
            var needs = new LayerSlots<bool>
            {
                X = Needs(layer.X), Wih = Needs(layer.Wih), Whh = Needs(layer.Whh), Bih = Needs(layer.Bih), Bhh = Needs(layer.Bhh),
                Whr = Needs(layer.Whr), H0 = Needs(layer.H0), C0 = Needs(layer.C0),
            };
            var dtype = layer.X!.dtype;
            return g =>
            {
                foreach (var s in saved) s.Get();   // PyTorch's error if an input was changed in place since forward
                // The fused backward computes raw gradients; a graph of them (create_graph=True) would
                // silently miss the second-order terms, so refuse instead.
                if (GradMode.Enabled)
                    throw new InvalidOperationException($"{Engine.Current?.name()}: double backward (create_graph=True) through a recurrent layer is not supported: its fused backward records no graph of the gradients");
                var gz = g.dtype == dtype ? g.contiguous_nograd() : g.to_nograd(dtype, false).contiguous_nograd();
                // Each gradient has its input's shape; zeroed, as the bias gradients accumulate into theirs.
                var grads = new LayerSlots<Tensor?>
                {
                    X = GradFor(needs.X, layer.X), Wih = GradFor(needs.Wih, layer.Wih), Whh = GradFor(needs.Whh, layer.Whh),
                    Bih = GradFor(needs.Bih, layer.Bih), Bhh = GradFor(needs.Bhh, layer.Bhh), Whr = GradFor(needs.Whr, layer.Whr),
                    H0 = GradFor(needs.H0, layer.H0), C0 = GradFor(needs.C0, layer.C0),
                };
                run.Backward(Buffer(gz), Buffers(grads));
                return grads.InputOrder(layer);
            };
        }

        static Tensor? GradFor(bool needed, Tensor? t) => needed ? Tensor.Empty(t!._shape, t.dtype, clear: true) : null;

        static BufferAt Buffer(Tensor? t) => t is null ? default : t.At();

        static LayerSlots<BufferAt> Buffers(in LayerSlots<Tensor?> t) => new()
        {
            X = Buffer(t.X), Wih = Buffer(t.Wih), Whh = Buffer(t.Whh), Bih = Buffer(t.Bih),
            Bhh = Buffer(t.Bhh), Whr = Buffer(t.Whr), H0 = Buffer(t.H0), C0 = Buffer(t.C0),
        };

        static bool Needs(Tensor? t) => t is { _requiresGrad: true };

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
    /// One value per input of a recurrent layer (the tensor, whether it needs a gradient, or its
    /// gradient), by role, so the fused backward fills gradients by name rather than by position.
    /// </summary>
    internal struct LayerSlots<T>
    {
        public T X, Wih, Whh, Bih, Bhh, Whr, H0, C0;

        /// <summary>
        /// The slots of the inputs <paramref name="layer"/> has, in the node's input order:
        /// x, w_ih, w_hh, [b_ih, b_hh], [w_hr], h0, [c0]. The only place that order is spelled out,
        /// so the node's inputs and the gradients it returns cannot drift apart.
        /// </summary>
        public readonly T[] InputOrder(in LayerSlots<Tensor?> layer)
        {
            int n = 4 + (layer.Bih is null ? 0 : 1) + (layer.Bhh is null ? 0 : 1) + (layer.Whr is null ? 0 : 1) + (layer.C0 is null ? 0 : 1);
            var r = new T[n];
            int k = 0;
            r[k++] = X; r[k++] = Wih; r[k++] = Whh;
            if (layer.Bih is not null) r[k++] = Bih;
            if (layer.Bhh is not null) r[k++] = Bhh;
            if (layer.Whr is not null) r[k++] = Whr;
            r[k++] = H0;
            if (layer.C0 is not null) r[k] = C0;
            return r;
        }
    }
}
