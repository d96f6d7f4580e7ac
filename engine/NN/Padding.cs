using System.Numerics;
using Torchlet.Kernels;

namespace Torchlet
{
    /// <summary>How values beyond the edges are made: F.pad's mode and a conv's padding_mode (TorchSharp's PaddingModes).</summary>
    public enum PaddingModes { Zeros = 0, Reflect = 1, Replicate = 2, Circular = 3, Constant = 4 }

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
                Tensor.Record(result, "ConstantPadNdBackward0", g => [Constant(g, neg, 0)], false, input);
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
            Gather(x, result, k, maps);
            if (Tensor.NeedsGrad(input))
            {
                string name = mode switch
                {
                    PaddingModes.Reflect => $"ReflectionPad{k}DBackward0",
                    PaddingModes.Replicate => $"ReplicationPad{k}DBackward0",
                    _ => "torch::autograd::CopySlices",
                };
                Tensor.Record(result, name, g => [MappedBackward(g, sizes, k, maps, mode)], false, input);
            }
            return result;
        }

        /// <summary>The adjoint of the gather: each output gradient added to the input element it was read from.</summary>
        static Tensor MappedBackward(Tensor g, int[] inShape, int k, int[][] maps, PaddingModes mode)
        {
            var gc = g.contiguous_nograd();
            var r = Tensor.Empty(inShape, g.dtype, clear: true);
            Scatter(gc, r, k, maps);
            if (Tensor.NeedsGrad(g))
            {
                string name = mode switch
                {
                    PaddingModes.Reflect => $"ReflectionPad{k}DBackwardBackward0",
                    PaddingModes.Replicate => $"ReplicationPad{k}DBackwardBackward0",
                    _ => "torch::autograd::CopySlices",
                };
                var outShape = g._shape;
                Tensor.Record(r, name, gg =>
                {
                    var res = Tensor.Empty(outShape, gg.dtype);
                    Gather(gg.contiguous_nograd(), res, k, maps);
                    return [res];
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

        // ---------------------------------------------------------------- kernels

        /// <summary>dst[plane, o…] = src[plane, map(o)…] over the last k dims; planes split over threads.</summary>
        static void Gather(Tensor src, Tensor dst, int k, int[][] maps)
        {
            switch (src.dtype)
            {
                case ScalarType.Float32: Walk<float>(src, dst, k, maps, false); break;
                case ScalarType.Float64: Walk<double>(src, dst, k, maps, false); break;
                case ScalarType.Int64: Walk<long>(src, dst, k, maps, false); break;
                case ScalarType.Int32: Walk<int>(src, dst, k, maps, false); break;
                case ScalarType.Byte: Walk<byte>(src, dst, k, maps, false); break;
                case ScalarType.Bool: WalkCopy<bool>(src, dst, k, maps); break;
            }
        }

        /// <summary>src is the padded gradient, dst the (cleared) input gradient: dst[map(o)] += src[o].</summary>
        static void Scatter(Tensor src, Tensor dst, int k, int[][] maps)
        {
            if (src.dtype == ScalarType.Float32) Walk<float>(dst, src, k, maps, true);
            else Walk<double>(dst, src, k, maps, true);
        }

        static void WalkCopy<T>(Tensor small, Tensor big, int k, int[][] maps) where T : unmanaged
        {
            // bool has no arithmetic: a plain gather.
            var (planes, inPlane, outPlane, mD, mH, mW, xh, xw) = Layout(small, big, k, maps);
            var s = small.Buffer<T>(); var d = big.Buffer<T>(); int so = small._offset;
            for (int p = 0; p < planes; p++)
                for (int a = 0, o = p * outPlane; a < mD.Length; a++)
                    for (int b = 0; b < mH.Length; b++)
                    {
                        int row = so + p * inPlane + (mD[a] * xh + mH[b]) * xw;
                        for (int c = 0; c < mW.Length; c++) d[o++] = s[row + mW[c]];
                    }
        }

        static (int planes, int inPlane, int outPlane, int[] mD, int[] mH, int[] mW, int xh, int xw) Layout(Tensor small, Tensor big, int k, int[][] maps)
        {
            int nd = small.dim();
            int[] one = [0];
            var mD = k >= 3 ? maps[k - 3] : one;
            var mH = k >= 2 ? maps[k - 2] : one;
            var mW = maps[k - 1];
            int xw = small._shape[nd - 1], xh = k >= 2 ? small._shape[nd - 2] : 1, xd = k >= 3 ? small._shape[nd - 3] : 1;
            int inPlane = xd * xh * xw, outPlane = mD.Length * mH.Length * mW.Length;
            int planes = 1;
            for (int i = 0; i < nd - k; i++) planes *= small._shape[i];
            return (planes, inPlane, outPlane, mD, mH, mW, xh, xw);
        }

        /// <summary>
        /// The one loop for both directions: small is the unpadded tensor, big the padded one (both contiguous).
        /// Forward copies small[map] into big; backward adds big into small[map] (a plane's rows are
        /// walked in order, so the sums do not depend on threads).
        /// </summary>
        static void Walk<T>(Tensor small, Tensor big, int k, int[][] maps, bool backward) where T : unmanaged, INumber<T>
        {
            var (planes, inPlane, outPlane, mD, mH, mW, xh, xw) = Layout(small, big, k, maps);
            var s = small.Buffer<T>(); var d = big.Buffer<T>();
            int so = small._offset, bo = big._offset;
            Threading.For(planes, outPlane, (p0, p1) =>
            {
                for (int p = p0; p < p1; p++)
                {
                    int o = bo + p * outPlane;
                    for (int a = 0; a < mD.Length; a++)
                        for (int b = 0; b < mH.Length; b++)
                        {
                            int row = so + p * inPlane + (mD[a] * xh + mH[b]) * xw;
                            if (backward) for (int c = 0; c < mW.Length; c++) s[row + mW[c]] += d[o++];
                            else for (int c = 0; c < mW.Length; c++) d[o++] = s[row + mW[c]];
                        }
                }
            });
        }
    }

    public static partial class torch
    {
        public static partial class nn
        {
            public static partial class functional
            {
                /// <summary>
                /// Pads the last pad.Length/2 dims: pad = (left, right) of the last dim, then (top, bottom) of the
                /// one before, ... Mode constant fills with <paramref name="value"/> (negative pads crop);
                /// reflect, replicate and circular pad 1–3 dims of a batched (or, except circular, unbatched) input.
                /// </summary>
                public static Tensor pad(Tensor input, long[] pad, PaddingModes mode = PaddingModes.Constant, double? value = null) =>
                    Pad.Apply(input, pad, mode, value is { } v ? v : null);

                /// <summary>F.pad with PyTorch's mode string: "constant", "reflect", "replicate" or "circular".</summary>
                public static Tensor pad(Tensor input, long[] pad, string mode, double? value = null) =>
                    Pad.Apply(input, pad, Pad.ParseMode(mode), value is { } v ? v : null);
            }
        }

        /// <summary>torch.constant_pad_nd: constant padding of the trailing dims (negative pads crop).</summary>
        public static Tensor constant_pad_nd(Tensor input, long[] pad, double value = 0) =>
            Pad.Constant(input, Pad.Ints(pad), value);
    }
}

namespace Torchlet.Modules
{
    /// <summary>The padding modules' shared part: the pads (PyTorch's order, last dim first) and the forward through F.pad.</summary>
    public abstract class PadNd : torch.nn.Layer<Tensor, Tensor>
    {
        /// <summary>(left, right) of the last dim, then of the one before, ...</summary>
        public long[] padding { get; }
        private protected readonly int _k;

        private protected PadNd(string name, int k, long[] padding) : base(name)
        {
            if (padding.Length != 2 * k)
                throw new ArgumentException($"{name}: padding must be an int or a tuple of {2 * k} ints, got {Args.Py(padding)}");
            _k = k;
            this.padding = padding;
        }

        /// <summary>Runs the padding; an error gets this layer's repr in front (nothing to undo: padding has no state).</summary>
        private protected Tensor Run(Func<Tensor> pad)
        {
            try { return pad(); }
            catch (ArgumentException e) { throw new ArgumentException($"{this}: {e.Message}", e); }
        }

        public override string extra_repr() => Args.Py(padding);
    }

    /// <summary>ConstantPad1d/2d/3d: pads with a constant value (negative pads crop).</summary>
    public class ConstantPadNd : PadNd
    {
        public Scalar value { get; }

        internal ConstantPadNd(string name, int k, long[] padding, Scalar value) : base(name, k, padding) { this.value = value; }

        protected override Tensor Forward(Tensor input) => Run(() => Pad.Apply(input, padding, PaddingModes.Constant, value));

        public override string extra_repr() => $"padding={Args.Py(padding)}, value={PyScalar(value)}";

        /// <summary>The value as Python prints what was passed: -1 for an int, 3.5 or 0.0 for a float.</summary>
        static string PyScalar(Scalar v) => v.kind switch
        {
            Scalar.Kind.Float => Args.Py(v.ToDouble()),
            Scalar.Kind.Bool => Args.Py(v.ToDouble() != 0),
            _ => Args.Py(v.ToInt64()),
        };
    }

    /// <summary>ZeroPad1d/2d/3d: constant padding with 0 (printed with the pads only).</summary>
    public sealed class ZeroPadNd : ConstantPadNd
    {
        internal ZeroPadNd(string name, int k, long[] padding) : base(name, k, padding, 0.0) { }

        public override string extra_repr() => Args.Py(padding);
    }

    /// <summary>ReflectionPad1d/2d/3d: mirrors the input at each edge (without repeating the edge); floating point inputs.</summary>
    public sealed class ReflectionPadNd : PadNd
    {
        internal ReflectionPadNd(string name, int k, long[] padding) : base(name, k, padding) { }

        protected override Tensor Forward(Tensor input) => Run(() => Pad.Apply(input, padding, PaddingModes.Reflect, null));
    }

    /// <summary>ReplicationPad1d/2d/3d: repeats the edge values; floating point inputs.</summary>
    public sealed class ReplicationPadNd : PadNd
    {
        internal ReplicationPadNd(string name, int k, long[] padding) : base(name, k, padding) { }

        protected override Tensor Forward(Tensor input) => Run(() => Pad.Apply(input, padding, PaddingModes.Replicate, null));
    }

    /// <summary>
    /// CircularPad1d/2d/3d (added in PyTorch 2.1; F.pad's mode "circular"): wraps around, so the
    /// left pad comes from the right end. Takes batched or unbatched input, as later PyTorch does.
    /// </summary>
    public sealed class CircularPadNd : PadNd
    {
        internal CircularPadNd(string name, int k, long[] padding) : base(name, k, padding) { }

        protected override Tensor Forward(Tensor input)
        {
            int d = input.dim();
            if (d != _k + 1 && d != _k + 2)
                throw new ArgumentException($"{this}: expected {_k + 1}D or {_k + 2}D input (got {d}D input of shape {Shape.Str(input._shape)})");
            if (d == _k + 1) return Run(() => Pad.Apply(input.unsqueeze(0), padding, PaddingModes.Circular, null).squeeze(0));
            return Run(() => Pad.Apply(input, padding, PaddingModes.Circular, null));
        }
    }
}

namespace Torchlet
{
    using Torchlet.Modules;

    public static partial class torch
    {
        public static partial class nn
        {
            static long[] PadSize(long v, int k) => Args.Expand(v, 2 * k);
            static long[] PadSize(long[] v, int k, string where)
            {
                ArgumentNullException.ThrowIfNull(v, "padding");
                if (v.Length == 2 * k) return (long[])v.Clone();
                throw new ArgumentException($"{where}: padding must be an int or a tuple of {2 * k} ints, got {Args.Py(v)}");
            }

            /// <summary>Pads the last dim with <paramref name="value"/> on both sides (an int prints as -1, a double as 3.5).</summary>
            public static ConstantPadNd ConstantPad1d(long padding, Scalar value) => new(nameof(ConstantPad1d), 1, PadSize(padding, 1), value);
            /// <summary>Pads the last dim: (left, right).</summary>
            public static ConstantPadNd ConstantPad1d((long, long) padding, Scalar value) => new(nameof(ConstantPad1d), 1, Args.Expand(padding), value);
            public static ConstantPadNd ConstantPad1d(long[] padding, Scalar value) => new(nameof(ConstantPad1d), 1, PadSize(padding, 1, nameof(ConstantPad1d)), value);

            /// <summary>Pads the last two dims with <paramref name="value"/>: the notes' <c>nn.ConstantPad2d([1, 1, 1, 1], -1)</c>.</summary>
            public static ConstantPadNd ConstantPad2d(long padding, Scalar value) => new(nameof(ConstantPad2d), 2, PadSize(padding, 2), value);
            /// <summary>(left, right, top, bottom).</summary>
            public static ConstantPadNd ConstantPad2d((long, long, long, long) padding, Scalar value) =>
                new(nameof(ConstantPad2d), 2, [padding.Item1, padding.Item2, padding.Item3, padding.Item4], value);
            public static ConstantPadNd ConstantPad2d(long[] padding, Scalar value) => new(nameof(ConstantPad2d), 2, PadSize(padding, 2, nameof(ConstantPad2d)), value);

            public static ConstantPadNd ConstantPad3d(long padding, Scalar value) => new(nameof(ConstantPad3d), 3, PadSize(padding, 3), value);
            /// <summary>(left, right, top, bottom, front, back).</summary>
            public static ConstantPadNd ConstantPad3d((long, long, long, long, long, long) padding, Scalar value) =>
                new(nameof(ConstantPad3d), 3, [padding.Item1, padding.Item2, padding.Item3, padding.Item4, padding.Item5, padding.Item6], value);
            public static ConstantPadNd ConstantPad3d(long[] padding, Scalar value) => new(nameof(ConstantPad3d), 3, PadSize(padding, 3, nameof(ConstantPad3d)), value);

            public static ZeroPadNd ZeroPad1d(long padding) => new(nameof(ZeroPad1d), 1, PadSize(padding, 1));
            public static ZeroPadNd ZeroPad1d((long, long) padding) => new(nameof(ZeroPad1d), 1, Args.Expand(padding));
            public static ZeroPadNd ZeroPad1d(long[] padding) => new(nameof(ZeroPad1d), 1, PadSize(padding, 1, nameof(ZeroPad1d)));
            public static ZeroPadNd ZeroPad2d(long padding) => new(nameof(ZeroPad2d), 2, PadSize(padding, 2));
            public static ZeroPadNd ZeroPad2d((long, long, long, long) padding) => new(nameof(ZeroPad2d), 2, [padding.Item1, padding.Item2, padding.Item3, padding.Item4]);
            public static ZeroPadNd ZeroPad2d(long[] padding) => new(nameof(ZeroPad2d), 2, PadSize(padding, 2, nameof(ZeroPad2d)));
            public static ZeroPadNd ZeroPad3d(long padding) => new(nameof(ZeroPad3d), 3, PadSize(padding, 3));
            public static ZeroPadNd ZeroPad3d((long, long, long, long, long, long) padding) =>
                new(nameof(ZeroPad3d), 3, [padding.Item1, padding.Item2, padding.Item3, padding.Item4, padding.Item5, padding.Item6]);
            public static ZeroPadNd ZeroPad3d(long[] padding) => new(nameof(ZeroPad3d), 3, PadSize(padding, 3, nameof(ZeroPad3d)));

            public static ReflectionPadNd ReflectionPad1d(long padding) => new(nameof(ReflectionPad1d), 1, PadSize(padding, 1));
            public static ReflectionPadNd ReflectionPad1d((long, long) padding) => new(nameof(ReflectionPad1d), 1, Args.Expand(padding));
            public static ReflectionPadNd ReflectionPad1d(long[] padding) => new(nameof(ReflectionPad1d), 1, PadSize(padding, 1, nameof(ReflectionPad1d)));
            public static ReflectionPadNd ReflectionPad2d(long padding) => new(nameof(ReflectionPad2d), 2, PadSize(padding, 2));
            public static ReflectionPadNd ReflectionPad2d((long, long, long, long) padding) => new(nameof(ReflectionPad2d), 2, [padding.Item1, padding.Item2, padding.Item3, padding.Item4]);
            public static ReflectionPadNd ReflectionPad2d(long[] padding) => new(nameof(ReflectionPad2d), 2, PadSize(padding, 2, nameof(ReflectionPad2d)));
            public static ReflectionPadNd ReflectionPad3d(long padding) => new(nameof(ReflectionPad3d), 3, PadSize(padding, 3));
            public static ReflectionPadNd ReflectionPad3d((long, long, long, long, long, long) padding) =>
                new(nameof(ReflectionPad3d), 3, [padding.Item1, padding.Item2, padding.Item3, padding.Item4, padding.Item5, padding.Item6]);
            public static ReflectionPadNd ReflectionPad3d(long[] padding) => new(nameof(ReflectionPad3d), 3, PadSize(padding, 3, nameof(ReflectionPad3d)));

            public static ReplicationPadNd ReplicationPad1d(long padding) => new(nameof(ReplicationPad1d), 1, PadSize(padding, 1));
            public static ReplicationPadNd ReplicationPad1d((long, long) padding) => new(nameof(ReplicationPad1d), 1, Args.Expand(padding));
            public static ReplicationPadNd ReplicationPad1d(long[] padding) => new(nameof(ReplicationPad1d), 1, PadSize(padding, 1, nameof(ReplicationPad1d)));
            public static ReplicationPadNd ReplicationPad2d(long padding) => new(nameof(ReplicationPad2d), 2, PadSize(padding, 2));
            public static ReplicationPadNd ReplicationPad2d((long, long, long, long) padding) => new(nameof(ReplicationPad2d), 2, [padding.Item1, padding.Item2, padding.Item3, padding.Item4]);
            public static ReplicationPadNd ReplicationPad2d(long[] padding) => new(nameof(ReplicationPad2d), 2, PadSize(padding, 2, nameof(ReplicationPad2d)));
            public static ReplicationPadNd ReplicationPad3d(long padding) => new(nameof(ReplicationPad3d), 3, PadSize(padding, 3));
            public static ReplicationPadNd ReplicationPad3d((long, long, long, long, long, long) padding) =>
                new(nameof(ReplicationPad3d), 3, [padding.Item1, padding.Item2, padding.Item3, padding.Item4, padding.Item5, padding.Item6]);
            public static ReplicationPadNd ReplicationPad3d(long[] padding) => new(nameof(ReplicationPad3d), 3, PadSize(padding, 3, nameof(ReplicationPad3d)));

            public static CircularPadNd CircularPad1d(long padding) => new(nameof(CircularPad1d), 1, PadSize(padding, 1));
            public static CircularPadNd CircularPad1d((long, long) padding) => new(nameof(CircularPad1d), 1, Args.Expand(padding));
            public static CircularPadNd CircularPad1d(long[] padding) => new(nameof(CircularPad1d), 1, PadSize(padding, 1, nameof(CircularPad1d)));
            public static CircularPadNd CircularPad2d(long padding) => new(nameof(CircularPad2d), 2, PadSize(padding, 2));
            public static CircularPadNd CircularPad2d((long, long, long, long) padding) => new(nameof(CircularPad2d), 2, [padding.Item1, padding.Item2, padding.Item3, padding.Item4]);
            public static CircularPadNd CircularPad2d(long[] padding) => new(nameof(CircularPad2d), 2, PadSize(padding, 2, nameof(CircularPad2d)));
            public static CircularPadNd CircularPad3d(long padding) => new(nameof(CircularPad3d), 3, PadSize(padding, 3));
            public static CircularPadNd CircularPad3d((long, long, long, long, long, long) padding) =>
                new(nameof(CircularPad3d), 3, [padding.Item1, padding.Item2, padding.Item3, padding.Item4, padding.Item5, padding.Item6]);
            public static CircularPadNd CircularPad3d(long[] padding) => new(nameof(CircularPad3d), 3, PadSize(padding, 3, nameof(CircularPad3d)));
        }
    }
}
