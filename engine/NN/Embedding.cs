using Torchlet.Modules;

namespace Torchlet
{
    public partial class Tensor
    {
        /// <summary>
        /// Rows of <paramref name="weight"/> picked by integer <paramref name="indices"/>: output shape
        /// indices.shape + [embedding_dim]. EmbeddingBackward0 scatters the gradient rows back into a
        /// dense [num_embeddings, embedding_dim] gradient, skipping padding_idx and, with
        /// scale_grad_by_freq, dividing each row by how often its index occurs in the batch.
        /// </summary>
        internal static Tensor EmbeddingImpl(Tensor weight, Tensor indices, long padding_idx, bool scale_grad_by_freq)
        {
            CheckEmbeddingArgs(weight, indices);
            int num = weight._shape[0], dimE = weight._shape[1];
            var idx = ReadIndices(indices, num);
            var w = weight.contiguous_nograd();
            var outShape = new int[indices.dim() + 1];
            Array.Copy(indices._shape, outShape, indices.dim());
            outShape[^1] = dimE;
            var r = Empty(outShape, weight.dtype);
            switch (weight.dtype)
            {
                case ScalarType.Float32: GatherRows(w.Buffer<float>(), w._offset, idx, dimE, r.Buffer<float>()); break;
                case ScalarType.Float64: GatherRows(w.Buffer<double>(), w._offset, idx, dimE, r.Buffer<double>()); break;
                default: throw new ArgumentException($"embedding: expected a floating point weight, got {weight.dtype.TorchName()}");
            }
            if (!NeedsGrad(weight)) return r;
            // Out of [0, num) no row is padding (PyTorch compares in int64); the int cast could have picked a real row.
            int pad = padding_idx >= 0 && padding_idx < num ? (int)padding_idx : -1;
            var wShape = weight._shape;
            return Record(r, "EmbeddingBackward0", g =>
            {
                var gc = g.to_nograd(weight.dtype, false).contiguous_nograd();
                var gw = Empty(wShape, gc.dtype, clear: true);
                if (gc.dtype == ScalarType.Float32) ScatterRows(gc.Buffer<float>(), gc._offset, idx, dimE, gw.Buffer<float>(), pad, scale_grad_by_freq, num);
                else ScatterRows(gc.Buffer<double>(), gc._offset, idx, dimE, gw.Buffer<double>(), pad, scale_grad_by_freq, num);
                return [gw];
            }, false, weight);
        }

        internal static void CheckEmbeddingArgs(Tensor weight, Tensor indices)
        {
            if (indices.dtype != ScalarType.Int64 && indices.dtype != ScalarType.Int32)
                throw new ArgumentException($"Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got {indices.dtype.LegacyName()} instead (while checking arguments for embedding)");
            if (weight.dim() != 2)
                throw new ArgumentException($"'weight' must be 2-D (embedding: got weight of shape {Shape.Str(weight._shape)})");
        }

        static int[] ReadIndices(Tensor indices, int num)
        {
            var flat = indices.to_nograd(ScalarType.Int64, false).contiguous_nograd().Span<long>();
            var idx = new int[flat.Length];
            for (int i = 0; i < idx.Length; i++)
            {
                long v = flat[i];
                if (v < 0 || v >= num)
                    throw new ArgumentException($"index out of range in self (embedding: index {v} at position {i} is outside [0, {num}) for a table of {num} rows)");
                idx[i] = (int)v;
            }
            return idx;
        }

        static void GatherRows<T>(T[] w, int off, int[] idx, int dim, T[] dst) where T : unmanaged
        {
            for (int i = 0; i < idx.Length; i++)
                w.AsSpan(off + idx[i] * dim, dim).CopyTo(dst.AsSpan(i * dim, dim));
        }

        static void ScatterRows<T>(T[] g, int off, int[] idx, int dim, T[] gw, int pad, bool byFreq, int num)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            int[]? counts = null;
            if (byFreq)
            {
                counts = new int[num];
                foreach (var i in idx) counts[i]++;
            }
            for (int i = 0; i < idx.Length; i++)
            {
                int row = idx[i];
                if (row == pad) continue;
                var src = g.AsSpan(off + i * dim, dim);
                var dst = gw.AsSpan(row * dim, dim);
                if (counts is null) System.Numerics.Tensors.TensorPrimitives.Add(dst, src, dst);
                else System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(src, T.One / T.CreateTruncating(counts[row]), dst, dst);
            }
        }

        /// <summary>
        /// embedding_renorm_: each row of weight that indices refer to and whose norm_type-norm exceeds
        /// max_norm is scaled in place to norm max_norm (by max_norm / (norm + 1e-7)). No autograd record.
        /// </summary>
        internal static void EmbeddingRenorm(Tensor weight, Tensor indices, double max_norm, double norm_type)
        {
            CheckEmbeddingArgs(weight, indices);
            var idx = ReadIndices(indices, weight._shape[0]);
            using (torch.no_grad())
            {
                foreach (var row in idx.Distinct().OrderBy(i => i))
                {
                    var r = weight.select_nograd(0, row);
                    double norm = r.norm(norm_type).item<double>();
                    if (norm > max_norm) r.CopyFrom(r.mul(max_norm / (norm + 1e-7)));
                }
                weight.BumpVersion();
            }
        }
    }

    public static partial class torch
    {
        /// <summary>torch.embedding(weight, indices, padding_idx, scale_grad_by_freq, sparse): rows of weight.</summary>
        public static Tensor embedding(Tensor weight, Tensor indices, long padding_idx = -1, bool scale_grad_by_freq = false, bool sparse = false)
        {
            ArgumentNullException.ThrowIfNull(weight);
            ArgumentNullException.ThrowIfNull(indices);
            if (sparse) throw new ArgumentException("embedding: sparse gradients are not supported by Torchlet (it has no sparse tensors); use sparse: false");
            return Tensor.EmbeddingImpl(weight, indices, padding_idx, scale_grad_by_freq);
        }

        public static partial class nn
        {
            public static partial class functional
            {
                /// <summary>
                /// Looks up rows of <paramref name="weight"/> for integer <paramref name="input"/>. With max_norm,
                /// the referenced rows of weight are first renormalised in place (as PyTorch does).
                /// </summary>
                public static Tensor embedding(Tensor input, Tensor weight, long? padding_idx = null, double? max_norm = null, double norm_type = 2.0,
                                               bool scale_grad_by_freq = false, bool sparse = false)
                {
                    ArgumentNullException.ThrowIfNull(input);
                    ArgumentNullException.ThrowIfNull(weight);
                    // The dtype and 2-D checks first: padding_idx is checked against weight's first dim.
                    Tensor.CheckEmbeddingArgs(weight, input);
                    long pad = -1;
                    if (padding_idx is { } pi)
                    {
                        long n = weight.shape[0];
                        if (pi >= n || pi < -n)
                            throw new ArgumentException($"Padding_idx must be within num_embeddings (padding_idx={pi}, num_embeddings={n})");
                        pad = pi < 0 ? pi + n : pi;
                    }
                    if (sparse) throw new ArgumentException("embedding: sparse gradients are not supported by Torchlet (it has no sparse tensors); use sparse: false");
                    if (max_norm is { } mn) Tensor.EmbeddingRenorm(weight, input, mn, norm_type);
                    return Tensor.EmbeddingImpl(weight, input, pad, scale_grad_by_freq);
                }
            }

            public static Embedding Embedding(long num_embeddings, long embedding_dim, long? padding_idx = null, double? max_norm = null, double norm_type = 2.0,
                                              bool scale_grad_by_freq = false, bool sparse = false, Tensor? _weight = null, ScalarType? dtype = null) =>
                new(num_embeddings, embedding_dim, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, _weight, dtype);

            /// <summary>TorchSharp's spelling of <c>nn.Embedding.from_pretrained(embeddings, freeze, ...)</c>.</summary>
            public static Embedding Embedding_from_pretrained(Tensor embeddings, bool freeze = true, long? padding_idx = null, double? max_norm = null,
                                                              double norm_type = 2.0, bool scale_grad_by_freq = false, bool sparse = false) =>
                Modules.Embedding.from_pretrained(embeddings, freeze, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse);
        }
    }
}

namespace Torchlet.Modules
{
    using static Torchlet.torch;

    /// <summary>A lookup table of num_embeddings vectors of size embedding_dim, indexed by integer tensors.</summary>
    public class Embedding : nn.Layer<Tensor, Tensor>
    {
        public long num_embeddings { get; }
        public long embedding_dim { get; }
        public long? padding_idx { get; }
        public double? max_norm { get; }
        public double norm_type { get; }
        public bool scale_grad_by_freq { get; }
        public bool sparse { get; }
        public Parameter weight { get; set; }

        public Embedding(long num_embeddings, long embedding_dim, long? padding_idx = null, double? max_norm = null, double norm_type = 2.0,
                         bool scale_grad_by_freq = false, bool sparse = false, Tensor? _weight = null, ScalarType? dtype = null) : base(nameof(Embedding))
        {
            if (padding_idx is { } pi)
            {
                if (pi >= num_embeddings || pi < -num_embeddings)
                    throw new ArgumentException($"Embedding: Padding_idx must be within num_embeddings (padding_idx={pi}, num_embeddings={num_embeddings})");
                if (pi < 0) padding_idx = pi + num_embeddings;
            }
            if (sparse) throw new ArgumentException("Embedding: sparse gradients are not supported by Torchlet (it has no sparse tensors); use sparse: false");
            this.num_embeddings = num_embeddings;
            this.embedding_dim = embedding_dim;
            this.padding_idx = padding_idx;
            this.max_norm = max_norm;
            this.norm_type = norm_type;
            this.scale_grad_by_freq = scale_grad_by_freq;
            this.sparse = sparse;
            if (_weight is null)
            {
                weight = new Parameter(empty([num_embeddings, embedding_dim], dtype: dtype ?? float32));
                reset_parameters();
            }
            else
            {
                if (_weight.dim() != 2 || _weight.shape[0] != num_embeddings || _weight.shape[1] != embedding_dim)
                    throw new ArgumentException($"Embedding: Shape of weight does not match num_embeddings and embedding_dim (expected [{num_embeddings}, {embedding_dim}], got {Shape.Str(_weight._shape)})");
                weight = new Parameter(_weight);
            }
        }

        /// <summary>N(0, 1) rows, the padding row zeroed (PyTorch's initialisation).</summary>
        public void reset_parameters()
        {
            nn.init.normal_(weight);
            if (padding_idx is { } pi)
                using (no_grad()) weight[pi].fill_(0);
        }

        /// <summary>An Embedding holding <paramref name="embeddings"/> (shared, not copied); frozen unless freeze is false.</summary>
        public static Embedding from_pretrained(Tensor embeddings, bool freeze = true, long? padding_idx = null, double? max_norm = null, double norm_type = 2.0,
                                                bool scale_grad_by_freq = false, bool sparse = false)
        {
            ArgumentNullException.ThrowIfNull(embeddings);
            if (embeddings.dim() != 2)
                throw new ArgumentException($"Embeddings parameter is expected to be 2-dimensional (got shape {Shape.Str(embeddings._shape)})");
            var e = new Embedding(embeddings.shape[0], embeddings.shape[1], padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, _weight: embeddings);
            e.weight.requires_grad = !freeze;
            return e;
        }

        protected override Tensor Forward(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            if (input.dtype != ScalarType.Int64 && input.dtype != ScalarType.Int32)
                throw new ArgumentException($"{this}: expected an input of integer indices (int64 or int32), got {input.dtype.TorchName()} of shape {Shape.Str(input._shape)}");
            if (input.numel() > 0)
            {
                long min, max;
                using (no_grad()) { min = input.min().item<long>(); max = input.max().item<long>(); }
                if (min < 0 || max >= num_embeddings)
                    throw new ArgumentException($"{this}: index out of range: indices must be in [0, {num_embeddings}), got values from {min} to {max} in input of shape {Shape.Str(input._shape)}");
            }
            return nn.functional.embedding(input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse);
        }

        public override string extra_repr()
        {
            var s = $"{num_embeddings}, {embedding_dim}";
            if (padding_idx is { } pi) s += $", padding_idx={pi}";
            if (max_norm is { } mn) s += $", max_norm={Args.Py(mn)}";
            if (norm_type != 2) s += $", norm_type={Args.Py(norm_type)}";
            if (scale_grad_by_freq) s += ", scale_grad_by_freq=True";
            if (sparse) s += ", sparse=True";
            return s;
        }
    }
}
