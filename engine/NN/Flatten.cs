using Torchlet.Modules;

namespace Torchlet
{
    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>Flattens dims start_dim..end_dim into one (the batch dim 0 is kept by default).</summary>
            public static Flatten Flatten(long start_dim = 1, long end_dim = -1) => new(start_dim, end_dim);

            /// <summary>Expands dim <paramref name="dim"/> into <paramref name="unflattened_size"/> (one entry may be -1).</summary>
            public static Unflatten Unflatten(long dim, long[] unflattened_size) => new(dim, unflattened_size);
        }
    }
}

namespace Torchlet.Modules
{
    using static Torchlet.torch;

    public sealed class Flatten(long start_dim = 1, long end_dim = -1) : nn.Layer<Tensor, Tensor>(nameof(Flatten))
    {
        public long start_dim { get; } = start_dim;
        public long end_dim { get; } = end_dim;

        protected override Tensor Forward(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            int n = Math.Max(input.dim(), 1);
            if (start_dim < -n || start_dim >= n || end_dim < -n || end_dim >= n)
                throw new ArgumentException($"{this}: Dimension out of range (expected to be in range of [{-n}, {n - 1}]) for input of shape {Shape.Str(input._shape)}");
            long s = start_dim < 0 ? start_dim + n : start_dim, e = end_dim < 0 ? end_dim + n : end_dim;
            if (s > e)
                throw new ArgumentException($"{this}: start_dim cannot come after end_dim (they are dims {s} and {e} of an input of shape {Shape.Str(input._shape)})");
            return input.flatten(start_dim, end_dim);
        }

        public override string extra_repr() => $"start_dim={start_dim}, end_dim={end_dim}";
    }

    public sealed class Unflatten : nn.Layer<Tensor, Tensor>
    {
        public long dim { get; }
        public long[] unflattened_size { get; }

        public Unflatten(long dim, long[] unflattened_size) : base(nameof(Unflatten))
        {
            ArgumentNullException.ThrowIfNull(unflattened_size);
            if (unflattened_size.Count(s => s == -1) > 1)
                throw new ArgumentException($"Unflatten: only one dimension can be inferred (-1), got unflattened_size={Args.Py(unflattened_size)}");
            foreach (var s in unflattened_size)
                if (s < -1) throw new ArgumentException($"Unflatten: unflattened_size entries must be non-negative or -1, got {Args.Py(unflattened_size)}");
            this.dim = dim;
            this.unflattened_size = (long[])unflattened_size.Clone();
        }

        protected override Tensor Forward(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            int n = input.dim();
            if (n == 0 || dim < -n || dim >= n)
                throw new ArgumentException($"{this}: Dimension out of range (expected to be in range of [{-Math.Max(n, 1)}, {Math.Max(n, 1) - 1}]) for input of shape {Shape.Str(input._shape)}");
            long size = input.shape[dim < 0 ? dim + n : dim], prod = 1;
            bool infer = false;
            foreach (var s in unflattened_size) if (s == -1) infer = true; else prod *= s;
            if (infer ? prod == 0 || size % prod != 0 : prod != size)
                throw new ArgumentException($"{this}: unflattened_size {Args.Py(unflattened_size)} does not multiply up to the size {size} of dim {dim} of the input of shape {Shape.Str(input._shape)}");
            return input.unflatten(dim, unflattened_size);
        }

        public override string extra_repr() => $"dim={dim}, unflattened_size={Args.Py(unflattened_size)}";
    }
}
