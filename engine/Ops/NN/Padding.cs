using Torchlet.Kernels;

namespace Torchlet
{
    /// <summary>
    /// Padding ops: constant_pad_nd (any dims, negative pads crop) and the index-mapped modes
    /// reflect, replicate and circular over the last 1–3 dims, each with its backward beside it.
    /// Pads are in PyTorch's order: (left, right) of the last dim first, then of the one before.
    /// </summary>
    internal static class Pad
    {
        internal static string ModeName(PaddingModes m) => m switch
        {
            PaddingModes.Reflect => "reflect",
            PaddingModes.Replicate => "replicate",
            PaddingModes.Circular => "circular",
            PaddingModes.Zeros => "zeros",
            _ => "constant",
        };

        internal static PaddingModes ParseMode(string mode) => mode switch
        {
            "constant" => PaddingModes.Constant,
            "reflect" => PaddingModes.Reflect,
            "replicate" => PaddingModes.Replicate,
            "circular" => PaddingModes.Circular,
            _ => throw new ArgumentException($"Unrecognised padding mode {mode} (expected 'constant', 'reflect', 'replicate' or 'circular')"),
        };

        /// <summary>F.pad: PyTorch 1.13's _pad_enum dispatch and checks.</summary>
        internal static Tensor Apply(Tensor input, long[] pad, PaddingModes mode, Scalar? value)
        {
            int nd = input.dim();
            if (pad.Length % 2 != 0) throw new ArgumentException($"Padding length must be divisible by 2 (got {pad.Length} values: [{string.Join(", ", pad)}])");
            if (pad.Length > nd * 2) throw new ArgumentException($"Padding length too large: {pad.Length} values pad {pad.Length / 2} dims, but the input of shape {Shape.Str(input._shape)} has {nd}");
            var p = Ints(pad);
            if (mode is PaddingModes.Constant or PaddingModes.Zeros) return Constant(input, p, value ?? 0.0);
            if (value is { } v && v.ToDouble() != 0)
                throw new ArgumentException($"Padding mode \"{ModeName(mode)}\" doesn't take in value argument");
            int k = p.Length / 2;
            if (k is < 1 or > 3 || (nd != k + 1 && nd != k + 2))
                throw new ArgumentException($"Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now (mode \"{ModeName(mode)}\" with {p.Length} pad values needs a {k + 1}-D or {k + 2}-D input, got shape {Shape.Str(input._shape)})");
            return Mapped(input, p, mode);
        }

        /// <summary>The pads as ints; one past what a dim can hold is an ArgumentException naming it (it overflowed).</summary>
        internal static int[] Ints(long[] pad)
        {
            var p = new int[pad.Length];
            for (int i = 0; i < pad.Length; i++)
            {
                long v = pad[i];
                if (v > Array.MaxLength || v < -Array.MaxLength)
                    throw new ArgumentException($"padding value {v} (pad[{i}]) is out of range: a padded dimension holds at most {Array.MaxLength} elements, the most a .NET array can hold");
                p[i] = (int)v;
            }
            return p;
        }

        /// <summary>A dim's size after padding, computed in long so large pads do not wrap around.</summary>
        static int PaddedSize(int size, int l, int r, int dim, string mode)
        {
            long o = (long)size + l + r;
            if (o > Array.MaxLength)
                throw new ArgumentException($"{mode} padding: dimension {dim} of size {size} padded by ({l}, {r}) would hold {o} elements, more than the {Array.MaxLength} a .NET array can hold");
            return (int)Math.Max(o, int.MinValue);
        }

        // ---------------------------------------------------------------- constant

        /// <summary>
        /// constant_pad_nd: negative pads first narrow the input, positive ones add <paramref name="value"/>.
        /// Backward (ConstantPadNdBackward0) is the same op with the pads negated.
        /// </summary>
        internal static Tensor Constant(Tensor input, int[] pad, Scalar value)
        {
            if (pad.Length % 2 != 0) throw new ArgumentException($"Length of pad must be even but instead it equals {pad.Length}");
            int nd = input.dim(), lp = pad.Length / 2, diff = nd - lp;
            if (nd < lp)
                throw new ArgumentException($"Length of pad should be no more than twice the number of dimensions of the input. Pad length is {pad.Length} while the input has {nd} dimensions.");
            // Negative pads crop: narrow the input first (PyTorch's order, so its errors come first too).
            var src = input;
            bool grows = false;
            for (int i = diff; i < nd; i++)
            {
                int l = pad[2 * (nd - i - 1)], r = pad[2 * (nd - i - 1) + 1];
                if (l < 0) src = Narrow(src, i, -l, src._shape[i] + l);
                if (r < 0) src = Narrow(src, i, 0, src._shape[i] + r);
                grows |= l > 0 || r > 0;
            }
            Tensor result;
            if (!grows) result = src.clone_nograd();
            else
            {
                var shape = (int[])input._shape.Clone();
                for (int i = diff; i < nd; i++)
                {
                    int l = pad[2 * (nd - i - 1)], r = pad[2 * (nd - i - 1) + 1];
                    shape[i] = PaddedSize(input._shape[i], l, r, i, "constant");
                    if (shape[i] <= 0)
                        throw new ArgumentException($"The input size {input._shape[i]}, plus negative padding {l} and {r} resulted in a negative output size, which is invalid. Check dimension {i} of your input.");
                }
                result = Tensor.Empty(shape, input.dtype);
                result.CopyFrom(Tensor.ScalarTensor(value, input.dtype));
                var dst = result;
                for (int i = diff; i < nd; i++)
                {
                    int l = Math.Max(pad[2 * (nd - i - 1)], 0);
                    dst = dst.slice_nograd(i, l, l + src._shape[i], 1);
                }
                dst.CopyFrom(src);
            }
            if (Tensor.NeedsGrad(input))
            {
                var neg = pad.Select(v => -v).ToArray();
                Tensor.Record(result, "ConstantPadNdBackward0", g => Constant(g, neg, 0), false, input);
            }
            return result;
        }

        static Tensor Narrow(Tensor t, int dim, int start, int length)
        {
            int size = t._shape[dim];
            if (length < 0 || start > size - length)
                throw new ArgumentException($"start ({start}) + length ({length}) exceeds dimension size ({size}). (constant padding: the negative pads crop more than dimension {dim} holds)");
            return t.slice_nograd(dim, start, start + length, 1);
        }

        // ---------------------------------------------------------------- reflect / replicate / circular

        /// <summary>Reflection, replication or circular padding of the last pad.Length/2 dims (batched or not; circular needs a batch).</summary>
        internal static Tensor Mapped(Tensor input, int[] pad, PaddingModes mode)
        {
            int k = pad.Length / 2, nd = input.dim();
            var sizes = input._shape;
            var maps = new int[k][];
            if (mode == PaddingModes.Circular)
            {
                if (pad.Length + 4 != nd * 2)
                    throw new ArgumentException($"Invalid padding size, expected {(nd - 2) * 2} but got {pad.Length} (circular padding needs a batched [N, C, ...] input; shape is {Shape.Str(sizes)})");
                for (int i = 0; i < k; i++)
                {
                    int pl = pad[2 * (k - i - 1)], pr = pad[2 * (k - i - 1) + 1], size = sizes[nd - k + i];
                    if (pl > size || pr > size)
                        throw new ArgumentException($"Padding value causes wrapping around more than once. (padding ({pl}, {pr}) for dimension {nd - k + i} of size {size})");
                    if ((long)size + pl + pr < 0)
                        throw new ArgumentException($"Negative padding value is resulting in an empty dimension (padding ({pl}, {pr}) for dimension {nd - k + i} of size {size})");
                    // PyTorch 1.13 reads uninitialised memory here; the map below read outside itself.
                    if (size + Math.Min(pl, 0) + Math.Min(pr, 0) <= 0 && (pl > 0 || pr > 0))
                        throw new ArgumentException($"Padding value causes wrapping around more than once. (padding ({pl}, {pr}) for dimension {nd - k + i} of size {size}: the negative padding leaves no elements to wrap around)");
                }
            }
            else CheckReflectReplicate(input, pad, mode);
            // The output's size is checked before the index maps (one entry per output position) are made.
            var padded = (int[])sizes.Clone();
            for (int i = 0; i < k; i++) padded[nd - k + i] = Math.Max(PaddedSize(sizes[nd - k + i], pad[2 * (k - i - 1)], pad[2 * (k - i - 1) + 1], nd - k + i, ModeName(mode)), 0);
            Shape.Numel(padded);

            for (int i = 0; i < k; i++)
            {
                int pl = pad[2 * (k - i - 1)], pr = pad[2 * (k - i - 1) + 1];
                maps[i] = Map(sizes[nd - k + i], pl, pr, mode);
            }
            var outShape = (int[])sizes.Clone();
            for (int i = 0; i < k; i++) outShape[nd - k + i] = maps[i].Length;

            var x = input.contiguous_nograd();
            var result = Tensor.Empty(outShape, input.dtype);
            PadKernels.Gather(x.dtype, x._storage.RawArray, x._offset, x._shape, result._storage.RawArray, result._offset, k, maps);
            if (Tensor.NeedsGrad(input))
            {
                string name = BackwardName(mode, k, "Backward0");
                Tensor.Record(result, name, g => MappedBackward(g, sizes, k, maps, mode), false, input);
            }
            return result;
        }

        /// <summary>PyTorch's grad_fn name for a k-d reflection or replication pad (circular padding records as CopySlices).</summary>
        static string BackwardName(PaddingModes mode, int k, string suffix) => mode switch
        {
            PaddingModes.Reflect => $"ReflectionPad{k}D{suffix}",
            PaddingModes.Replicate => $"ReplicationPad{k}D{suffix}",
            _ => "torch::autograd::CopySlices",
        };

        /// <summary>The adjoint of the gather: each output gradient added to the input element it was read from.</summary>
        static Tensor MappedBackward(Tensor g, int[] inShape, int k, int[][] maps, PaddingModes mode)
        {
            var gc = g.contiguous_nograd();
            var r = Tensor.Empty(inShape, g.dtype, clear: true);
            PadKernels.ScatterAdd(g.dtype, gc._storage.RawArray, gc._offset, r._storage.RawArray, r._offset, inShape, k, maps, "pad_backward");
            if (Tensor.NeedsGrad(g))
            {
                string name = BackwardName(mode, k, "BackwardBackward0");
                var outShape = g._shape;
                Tensor.Record(r, name, gg =>
                {
                    var ggc = gg.contiguous_nograd();
                    var res = Tensor.Empty(outShape, gg.dtype);
                    PadKernels.Gather(ggc.dtype, ggc._storage.RawArray, ggc._offset, ggc._shape, res._storage.RawArray, res._offset, k, maps);
                    return res;
                }, false, g);
            }
            return r;
        }

        /// <summary>PyTorch's shape and dtype checks of reflection_padNd / replication_padNd, in its order.</summary>
        static void CheckReflectReplicate(Tensor input, int[] pad, PaddingModes mode)
        {
            int k = pad.Length / 2, nd = input.dim();
            var sizes = input._shape;
            bool reflect = mode == PaddingModes.Reflect;
            // Only the batch dim (of a batched input) may be empty.
            bool nonEmpty = true;
            for (int i = nd == k + 2 ? 1 : 0; i < nd; i++) if (sizes[i] == 0) nonEmpty = false;
            if (!nonEmpty)
            {
                if (reflect && k < 3)
                    throw new ArgumentException($"{k + 1}D or {k + 2}D (batch mode) tensor expected for input, but got: [ {input.dtype.LegacyName()}{{{string.Join(",", sizes)}}} ] (reflection padding needs non-empty channel and spatial dims)");
                throw new ArgumentException($"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: {Shape.Str(sizes)}");
            }
            string[] names = ["W", "H", "D"];
            if (reflect)
                for (int j = 0; j < k; j++)   // width (#4), then height (#6), then depth (#8)
                {
                    int dim = nd - 1 - j, l = pad[2 * j], r = pad[2 * j + 1], size = sizes[dim];
                    if (l >= size || r >= size)
                        throw new ArgumentException($"Argument #{4 + 2 * j}: Padding size should be less than the corresponding input dimension, but got: padding ({l}, {r}) at dimension {dim} of input {(k == 2 ? nd.ToString() : Shape.Str(sizes))}");
                }
            var outs = new long[k];
            bool any = false;
            for (int j = 0; j < k; j++) { outs[j] = (long)sizes[nd - 1 - j] + pad[2 * j] + pad[2 * j + 1]; any |= outs[j] >= 1; }
            if (!any)
            {
                var ins = string.Join(", ", Enumerable.Range(0, k).Reverse().Select(j => $"{names[j]}: {sizes[nd - 1 - j]}"));
                var o = string.Join(" ", Enumerable.Range(0, k).Reverse().Select(j => $"{names[j]}: {outs[j]}"));
                throw new ArgumentException($"input ({ins}) is too small. Calculated output {o}");
            }
            if (!input.dtype.IsFloating())
                throw new ArgumentException(reflect
                    ? $"\"reflection_pad{k}d{(k == 3 ? "_cpu" : "")}\" not implemented for '{input.dtype.CName()}' (reflection padding needs a floating point input; convert with .to(torch.float32))"
                    : $"\"replication_pad{k}d_cpu\" not implemented for '{input.dtype.CName()}' (replication padding needs a floating point input; convert with .to(torch.float32))");
        }

        /// <summary>For each output position along one dim, the input position it copies.</summary>
        static int[] Map(int size, int pl, int pr, PaddingModes mode)
        {
            int outSize = (int)Math.Max((long)size + pl + pr, 0);   // in long: two large negative pads must not wrap to a positive size
            var map = new int[outSize];
            if (mode == PaddingModes.Circular)
            {
                // PyTorch's _pad_circular: the (cropped) input in the middle, then the left pad copied
                // from the end of that middle part and the right pad from its start. As a modulus over the
                // m elements left after a crop, so a pad longer than them wraps again instead of reading
                // outside the map (Mapped refuses a crop that leaves none).
                int lo = Math.Max(pl, 0), s0 = Math.Max(-pl, 0), m = size + Math.Min(pl, 0) + Math.Min(pr, 0);
                if (m > 0)
                    for (int o = 0; o < outSize; o++) map[o] = s0 + ((o - lo) % m + m) % m;
                return map;
            }
            for (int o = 0; o < map.Length; o++)
            {
                int j = o - pl;
                map[o] = mode == PaddingModes.Reflect
                    ? (j < 0 ? -j : j >= size ? 2 * (size - 1) - j : j)
                    : Math.Clamp(j, 0, size - 1);
            }
            return map;
        }
    }
}
