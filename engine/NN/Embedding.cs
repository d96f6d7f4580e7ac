using Torchlet.Modules;

namespace Torchlet
{
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
    public sealed class Embedding : nn.Layer<Tensor, Tensor>
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
