namespace Torchlet
{
    /// <summary>How values beyond the edges are made: F.pad's mode and a conv's padding_mode (TorchSharp's PaddingModes).</summary>
    public enum PaddingModes { Zeros = 0, Reflect = 1, Replicate = 2, Circular = 3, Constant = 4 }

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
