using Torchlet.Kernels;

namespace Torchlet
{
    /// <summary>embedding: the row gather, its scatter-add backward (EmbeddingBackward0) and embedding_renorm_.</summary>
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
            if (!weight.dtype.IsFloating())
                throw new ArgumentException($"embedding: expected a floating point weight, got {weight.dtype.TorchName()}");
            GatherKernels.Rows(weight.dtype, w._storage.RawArray, w._offset, idx, dimE, r._storage.RawArray);
            if (!NeedsGrad(weight)) return r;
            // Out of [0, num) no row is padding (PyTorch compares in int64); the int cast could have picked a real row.
            int pad = padding_idx >= 0 && padding_idx < num ? (int)padding_idx : -1;
            var wShape = weight._shape;
            return Record(r, "EmbeddingBackward0", g =>
            {
                var gc = g.to_nograd(weight.dtype, false).contiguous_nograd();
                var gw = Empty(wShape, gc.dtype, clear: true);
                ScatterKernels.Rows(gc.dtype, gc._storage.RawArray, gc._offset, idx, dimE, gw._storage.RawArray, pad, scale_grad_by_freq, num, "embedding_backward");
                return gw;
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
}
