using Torchlet.Data;

namespace Torchlet;

public static partial class torch
{
    /// <summary>torch.utils: data loading (<c>torch.utils.data</c>).</summary>
    public static partial class utils
    {
        /// <summary>
        /// torch.utils.data: datasets, samplers, <c>DataLoader</c>, <c>random_split</c>. The classes live in
        /// namespace <c>Torchlet.Data</c>; the factories here take PyTorch's argument names.
        /// </summary>
        public static partial class data
        {
            // ------------------------------------------------------------ DataLoader factories
            // One per item type the default collate knows (Tensor, (Tensor, Tensor), (Tensor, long)), for map-style and
            // iterable datasets; any other item type takes a collate_fn. An iterable dataset has no order to shuffle or
            // sample, so those overloads have no shuffle or sampler arguments (PyTorch raises at run time).

            public static DataLoader<Tensor, Tensor> DataLoader(Dataset<Tensor> dataset, long batch_size = 1, bool shuffle = false,
                Sampler? sampler = null, BatchSampler? batch_sampler = null, int num_workers = 0, bool drop_last = false,
                double timeout = 0, Action<int>? worker_init_fn = null, Generator? generator = null, int prefetch_factor = 2) =>
                new(dataset, default_collate, batch_size, shuffle, sampler, batch_sampler, num_workers, drop_last, timeout, worker_init_fn, generator, prefetch_factor);

            public static DataLoader<(Tensor, Tensor), (Tensor, Tensor)> DataLoader(Dataset<(Tensor, Tensor)> dataset, long batch_size = 1, bool shuffle = false,
                Sampler? sampler = null, BatchSampler? batch_sampler = null, int num_workers = 0, bool drop_last = false,
                double timeout = 0, Action<int>? worker_init_fn = null, Generator? generator = null, int prefetch_factor = 2) =>
                new(dataset, default_collate, batch_size, shuffle, sampler, batch_sampler, num_workers, drop_last, timeout, worker_init_fn, generator, prefetch_factor);

            public static DataLoader<(Tensor, long), (Tensor, Tensor)> DataLoader(Dataset<(Tensor, long)> dataset, long batch_size = 1, bool shuffle = false,
                Sampler? sampler = null, BatchSampler? batch_sampler = null, int num_workers = 0, bool drop_last = false,
                double timeout = 0, Action<int>? worker_init_fn = null, Generator? generator = null, int prefetch_factor = 2) =>
                new(dataset, default_collate, batch_size, shuffle, sampler, batch_sampler, num_workers, drop_last, timeout, worker_init_fn, generator, prefetch_factor);

            /// <summary>A loader whose batches <paramref name="collate_fn"/> makes from the list of a batch's items.</summary>
            public static DataLoader<T, TBatch> DataLoader<T, TBatch>(Dataset<T> dataset, Func<IReadOnlyList<T>, TBatch> collate_fn, long batch_size = 1, bool shuffle = false,
                Sampler? sampler = null, BatchSampler? batch_sampler = null, int num_workers = 0, bool drop_last = false,
                double timeout = 0, Action<int>? worker_init_fn = null, Generator? generator = null, int prefetch_factor = 2) =>
                new(dataset, collate_fn, batch_size, shuffle, sampler, batch_sampler, num_workers, drop_last, timeout, worker_init_fn, generator, prefetch_factor);

            public static DataLoader<Tensor, Tensor> DataLoader(IterableDataset<Tensor> dataset, long batch_size = 1, int num_workers = 0, bool drop_last = false,
                double timeout = 0, Action<int>? worker_init_fn = null, Generator? generator = null, int prefetch_factor = 2) =>
                new(dataset, default_collate, batch_size, num_workers, drop_last, timeout, worker_init_fn, generator, prefetch_factor);

            public static DataLoader<(Tensor, Tensor), (Tensor, Tensor)> DataLoader(IterableDataset<(Tensor, Tensor)> dataset, long batch_size = 1, int num_workers = 0, bool drop_last = false,
                double timeout = 0, Action<int>? worker_init_fn = null, Generator? generator = null, int prefetch_factor = 2) =>
                new(dataset, default_collate, batch_size, num_workers, drop_last, timeout, worker_init_fn, generator, prefetch_factor);

            public static DataLoader<(Tensor, long), (Tensor, Tensor)> DataLoader(IterableDataset<(Tensor, long)> dataset, long batch_size = 1, int num_workers = 0, bool drop_last = false,
                double timeout = 0, Action<int>? worker_init_fn = null, Generator? generator = null, int prefetch_factor = 2) =>
                new(dataset, default_collate, batch_size, num_workers, drop_last, timeout, worker_init_fn, generator, prefetch_factor);

            public static DataLoader<T, TBatch> DataLoader<T, TBatch>(IterableDataset<T> dataset, Func<IReadOnlyList<T>, TBatch> collate_fn, long batch_size = 1, int num_workers = 0,
                bool drop_last = false, double timeout = 0, Action<int>? worker_init_fn = null, Generator? generator = null, int prefetch_factor = 2) =>
                new(dataset, collate_fn, batch_size, num_workers, drop_last, timeout, worker_init_fn, generator, prefetch_factor);

            // ------------------------------------------------------------ collate

            /// <summary>Stacks the items along a new first dimension (PyTorch's default_collate of tensors).</summary>
            public static Tensor default_collate(IReadOnlyList<Tensor> batch) => StackItems(batch, i => batch[i], "");

            /// <summary>Stacks each element of the pairs: (inputs, targets).</summary>
            public static (Tensor, Tensor) default_collate(IReadOnlyList<(Tensor, Tensor)> batch) =>
                (StackItems(batch, i => batch[i].Item1, " (element 0 of the items)"), StackItems(batch, i => batch[i].Item2, " (element 1 of the items)"));

            /// <summary>Stacks the images and makes the integer labels one int64 tensor, as PyTorch's default_collate does.</summary>
            public static (Tensor, Tensor) default_collate(IReadOnlyList<(Tensor, long)> batch)
            {
                var labels = new long[batch.Count];
                for (int i = 0; i < labels.Length; i++) labels[i] = batch[i].Item2;
                return (StackItems(batch, i => batch[i].Item1, " (element 0 of the items)"), tensor(labels));
            }

            static Tensor StackItems<TItem>(IReadOnlyList<TItem> batch, Func<int, Tensor> get, string which)
            {
                ArgumentNullException.ThrowIfNull(batch);
                if (batch.Count == 0) throw new ArgumentException("default_collate: the batch is empty");
                var tensors = new Tensor[batch.Count];
                for (int i = 0; i < tensors.Length; i++)
                {
                    tensors[i] = get(i) ?? throw new ArgumentException($"default_collate: item {i} of the batch{which} is null");
                    if (!tensors[i].shape.AsSpan().SequenceEqual(tensors[0].shape))
                        throw new ArgumentException($"default_collate: stack expects each tensor to be equal size, but item 0{which} has shape [{string.Join(", ", tensors[0].shape)}] and item {i} has [{string.Join(", ", tensors[i].shape)}]; resize them to one shape (a transform) or pass a collate_fn");
                }
                return stack(tensors);
            }

            // ------------------------------------------------------------ datasets

            /// <summary>Item i is (a[i], b[i]).</summary>
            public static TensorDataset TensorDataset(Tensor a, Tensor b) => new(a, b);

            /// <summary>Item i is tensor[i].</summary>
            public static TensorDataset<Tensor> TensorDataset(Tensor tensor) => new([tensor], i => tensor[i]);

            /// <summary>Item i is (a[i], b[i], c[i]).</summary>
            public static TensorDataset<(Tensor, Tensor, Tensor)> TensorDataset(Tensor a, Tensor b, Tensor c) => new([a, b, c], i => (a[i], b[i], c[i]));

            public static Subset<T> Subset<T>(Dataset<T> dataset, IReadOnlyList<long> indices) => new(dataset, indices);

            public static ConcatDataset<T> ConcatDataset<T>(IEnumerable<Dataset<T>> datasets) => new(datasets);

            public static ConcatDataset<T> ConcatDataset<T>(params Dataset<T>[] datasets) => new(datasets);

            // ------------------------------------------------------------ samplers

            public static SequentialSampler SequentialSampler(Dataset data_source) => new(data_source);

            public static RandomSampler RandomSampler(Dataset data_source, bool replacement = false, long? num_samples = null, Generator? generator = null) =>
                new(data_source, replacement, num_samples, generator);

            public static SubsetRandomSampler SubsetRandomSampler(IReadOnlyList<long> indices, Generator? generator = null) => new(indices, generator);

            public static WeightedRandomSampler WeightedRandomSampler(IEnumerable<double> weights, long num_samples, bool replacement = true, Generator? generator = null) =>
                new(weights, num_samples, replacement, generator);

            public static BatchSampler BatchSampler(Sampler sampler, long batch_size, bool drop_last) => new(sampler, batch_size, drop_last);

            // ------------------------------------------------------------ random_split

            /// <summary>
            /// Splits <paramref name="dataset"/> into non-overlapping random subsets of the given sizes, which must add up to
            /// its size. The indices come from one <c>randperm</c> of the default generator (or <paramref name="generator"/>),
            /// so the same seed picks the same indices as PyTorch.
            /// </summary>
            public static Subset<T>[] random_split<T>(Dataset<T> dataset, long[] lengths, Generator? generator = null)
            {
                ArgumentNullException.ThrowIfNull(dataset);
                ArgumentNullException.ThrowIfNull(lengths);
                for (int i = 0; i < lengths.Length; i++)
                    if (lengths[i] < 0) throw new ArgumentException($"random_split: length at index {i} is negative ({lengths[i]})", nameof(lengths));
                long sum = lengths.Sum();
                if (sum != dataset.Count)
                    throw new ArgumentException($"Sum of input lengths does not equal the length of the input dataset! (lengths [{string.Join(", ", lengths)}] add up to {sum}, the dataset has {dataset.Count} items)", nameof(lengths));
                var indices = randperm(sum, generator: generator).data<long>().ToArray();
                var parts = new Subset<T>[lengths.Length];
                long offset = 0;
                for (int i = 0; i < lengths.Length; i++)
                {
                    parts[i] = new Subset<T>(dataset, indices.AsSpan((int)offset, (int)lengths[i]).ToArray());
                    offset += lengths[i];
                }
                return parts;
            }

            /// <summary>
            /// random_split by fractions that add up to 1: each part gets floor(n × fraction) items, and the remainder is
            /// handed out one by one from the first part on (PyTorch 1.13's rule).
            /// </summary>
            public static Subset<T>[] random_split<T>(Dataset<T> dataset, double[] lengths, Generator? generator = null)
            {
                ArgumentNullException.ThrowIfNull(dataset);
                ArgumentNullException.ThrowIfNull(lengths);
                double total = lengths.Sum();
                if (!(Math.Abs(total - 1) <= 1e-9 * Math.Max(1, Math.Abs(total))) || total > 1)
                    throw new ArgumentException($"random_split: fractions must add up to 1, got [{string.Join(", ", lengths.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)))}] (sum {total.ToString(System.Globalization.CultureInfo.InvariantCulture)}); for sizes, pass a long[]", nameof(lengths));
                long n = dataset.Count;
                var counts = new long[lengths.Length];
                for (int i = 0; i < lengths.Length; i++)
                {
                    if (lengths[i] < 0 || lengths[i] > 1) throw new ArgumentException($"Fraction at index {i} is not between 0 and 1 ({lengths[i]})", nameof(lengths));
                    counts[i] = (long)Math.Floor(n * lengths[i]);
                }
                long remainder = n - counts.Sum();
                for (long i = 0; i < remainder; i++) counts[i % counts.Length]++;
                for (int i = 0; i < counts.Length; i++)
                    if (counts[i] == 0) Warnings.Warn($"Length of split at index {i} is 0. This might result in an empty dataset.");
                return random_split(dataset, counts, generator);
            }

            // ------------------------------------------------------------ workers

            /// <summary>Inside a DataLoader worker, who it is (id, num_workers, seed, dataset); null elsewhere.</summary>
            public static WorkerInfo? get_worker_info() => WorkerInfo.Current;
        }
    }
}
