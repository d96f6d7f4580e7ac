using System.Collections;

namespace Torchlet.Data;

/// <summary>
/// Batches of a dataset, one epoch per enumeration (<c>torch.utils.data.DataLoader</c>):
/// <c>foreach (var (images, labels) in loader)</c>. <see cref="Count"/> is <c>len(loader)</c>, the batches per epoch.
/// Made by the <c>torch.utils.data.DataLoader(...)</c> factories, which pick the default collate for the item type.
/// </summary>
/// <remarks>
/// As PyTorch 1.13: each epoch first draws a base seed (one int64 from <see cref="generator"/>, else the default
/// generator), then the sampler runs; with <c>shuffle: true</c> and no generator, the sampler seeds its own generator
/// from the default one. So after <c>manual_seed(s)</c> the epochs visit the samples in PyTorch's order. With
/// <see cref="num_workers"/> &gt; 0, batch i is loaded and collated on worker thread i mod n, whose default generator
/// is seeded base seed + worker id and whose ops run on one thread; batches arrive in order.
/// </remarks>
public sealed class DataLoader<T, TBatch> : IEnumerable<TBatch>
{
    readonly Dataset<T>? _map;
    readonly IterableDataset<T>? _iterable;

    /// <summary>A loader of a map-style dataset; see <c>torch.utils.data.DataLoader</c> for the arguments.</summary>
    public DataLoader(Dataset<T> dataset, Func<IReadOnlyList<T>, TBatch> collate_fn, long batch_size = 1, bool shuffle = false,
        Sampler? sampler = null, BatchSampler? batch_sampler = null, int num_workers = 0, bool drop_last = false,
        double timeout = 0, Action<int>? worker_init_fn = null, torch.Generator? generator = null, int prefetch_factor = 2)
        : this(dataset, collate_fn, num_workers, timeout, worker_init_fn, generator, prefetch_factor)
    {
        if (sampler is not null && shuffle)
            throw new ArgumentException("sampler option is mutually exclusive with shuffle (the sampler decides the order; pass shuffle: false, or use a RandomSampler)");
        if (batch_sampler is not null && (batch_size != 1 || shuffle || sampler is not null || drop_last))
            throw new ArgumentException("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last (the batch sampler already decides them)");
        if (batch_sampler is null && batch_size <= 0)
            throw new ArgumentException($"batch_size should be a positive integer value, but got batch_size={batch_size}", nameof(batch_size));
        _map = dataset;
        this.sampler = batch_sampler?.sampler ?? sampler ?? (shuffle ? new RandomSampler(dataset, generator: generator) : new SequentialSampler(dataset));
        this.batch_sampler = batch_sampler ?? new BatchSampler(this.sampler, batch_size, drop_last);
        this.batch_size = batch_sampler is null ? batch_size : null;
        this.drop_last = batch_sampler is null && drop_last;
    }

    /// <summary>A loader of an iterable-style dataset: items in the stream's order, batched as they come.</summary>
    public DataLoader(IterableDataset<T> dataset, Func<IReadOnlyList<T>, TBatch> collate_fn, long batch_size = 1, int num_workers = 0,
        bool drop_last = false, double timeout = 0, Action<int>? worker_init_fn = null, torch.Generator? generator = null, int prefetch_factor = 2)
        : this(dataset, collate_fn, num_workers, timeout, worker_init_fn, generator, prefetch_factor)
    {
        if (batch_size <= 0)
            throw new ArgumentException($"batch_size should be a positive integer value, but got batch_size={batch_size}", nameof(batch_size));
        _iterable = dataset;
        this.batch_size = batch_size;
        this.drop_last = drop_last;
    }

    /// <summary>The checks and settings both kinds of dataset share (run first, so the checks keep their order).</summary>
    DataLoader(object dataset, Func<IReadOnlyList<T>, TBatch> collate_fn, int num_workers, double timeout, Action<int>? worker_init_fn,
        torch.Generator? generator, int prefetch_factor)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(collate_fn);
        CheckCommon(num_workers, timeout, prefetch_factor);
        this.dataset = dataset;
        this.collate_fn = collate_fn;
        this.num_workers = num_workers;
        this.timeout = timeout;
        this.worker_init_fn = worker_init_fn;
        this.generator = generator;
        this.prefetch_factor = prefetch_factor;
    }

    static void CheckCommon(int num_workers, double timeout, int prefetch_factor)
    {
        if (num_workers < 0)
            throw new ArgumentException($"num_workers option should be non-negative; use num_workers=0 to disable multiprocessing (got {num_workers})", nameof(num_workers));
        if (timeout < 0 || double.IsNaN(timeout))
            throw new ArgumentException($"timeout option should be non-negative (got {timeout})", nameof(timeout));
        if (num_workers == 0 && prefetch_factor != 2)
            throw new ArgumentException($"prefetch_factor option could only be specified in multiprocessing: let num_workers > 0 to enable it (got prefetch_factor={prefetch_factor} with num_workers=0)", nameof(prefetch_factor));
        if (prefetch_factor < 1)
            throw new ArgumentException($"prefetch_factor option should be a positive integer (got {prefetch_factor})", nameof(prefetch_factor));
        // Batches in flight, each held in memory: prefetch_factor × num_workers of them.
        if ((long)prefetch_factor * num_workers > 1 << 16)
            throw new ArgumentException($"prefetch_factor × num_workers = {(long)prefetch_factor * num_workers} batches would be loaded ahead; keep it at most 65536 (got prefetch_factor={prefetch_factor}, num_workers={num_workers})", nameof(prefetch_factor));
        if (num_workers > Environment.ProcessorCount)
            Warnings.Warn($"This DataLoader will create {num_workers} worker threads in total. Our suggested max number of workers in the current system is {Environment.ProcessorCount}, which is smaller than what this DataLoader is going to create: excessive workers may slow loading down.");
    }

    /// <summary>The dataset: a <see cref="Dataset{T}"/> or an <see cref="IterableDataset{T}"/>.</summary>
    public object dataset { get; }
    public Func<IReadOnlyList<T>, TBatch> collate_fn { get; }
    /// <summary>Items per batch; null when a batch sampler decides.</summary>
    public long? batch_size { get; }
    public bool drop_last { get; }
    public int num_workers { get; }
    /// <summary>Seconds to wait for a worker's batch before giving up; 0 waits as long as it takes.</summary>
    public double timeout { get; }
    public Action<int>? worker_init_fn { get; }
    public torch.Generator? generator { get; }
    /// <summary>Batches loaded ahead per worker.</summary>
    public int prefetch_factor { get; }
    /// <summary>The index order of a map-style dataset (null for an iterable one).</summary>
    public Sampler? sampler { get; }
    public BatchSampler? batch_sampler { get; }

    /// <summary>Batches per epoch (<c>len(loader)</c>).</summary>
    public long Count
    {
        get
        {
            if (batch_sampler is not null) return batch_sampler.Count;
            long n = _iterable!.Length ?? throw new NotSupportedException(
                $"len(loader): the {_iterable.GetType().Name} does not know its length (override IterableDataset.Length to give one)");
            long bs = batch_size!.Value;
            return drop_last ? n / bs : n / bs + (n % bs != 0 ? 1 : 0);
        }
    }

    public IEnumerator<TBatch> GetEnumerator()
    {
        // Drawn first, on every epoch and for any number of workers, as PyTorch's iterator does.
        long baseSeed = torch.empty(Array.Empty<long>(), dtype: torch.int64).random_(generator).item<long>();
        if (num_workers == 0) return _map is not null ? MapBatches() : IterableBatches();
        var fetcher = _map is not null ? (IWorkerFetcher<TBatch>)new MapFetcher(this) : new IterableFetcher(this);
        return new WorkerIterator<TBatch>(fetcher, num_workers, baseSeed, prefetch_factor, timeout, worker_init_fn, dataset);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// What the loader does, then its dataset (PyTorch prints only an object address):
    /// <c>DataLoader: 157 batches of 64, shuffled (RandomSampler), num_workers=0</c>.
    /// </summary>
    public override string ToString()
    {
        string batches;
        try { batches = $"{Count} batches"; }
        catch (NotSupportedException) { batches = "batches"; }
        var size = batch_size is { } bs ? $" of {bs}" : $" from {batch_sampler!.GetType().Name}";
        var order = sampler switch
        {
            null => "in the stream's order",
            SequentialSampler => "in order",
            RandomSampler => "shuffled (RandomSampler)",
            var other => $"in the order of a {other.GetType().Name}",
        };
        var head = $"DataLoader: {batches}{size}{(drop_last ? " (the last, shorter one dropped)" : "")}, {order}, num_workers={num_workers}";
        return head + "\n" + string.Join("\n", (dataset.ToString() ?? "").Split('\n').Select(l => "  " + l));
    }

    IEnumerator<TBatch> MapBatches()
    {
        foreach (var indices in batch_sampler!) yield return collate_fn(Fetch(indices));
    }

    T[] Fetch(long[] indices)
    {
        var items = new T[indices.Length];
        for (int k = 0; k < items.Length; k++) items[k] = _map![indices[k]];
        return items;
    }

    IEnumerator<TBatch> IterableBatches()
    {
        var batch = new List<T>((int)Math.Min(batch_size!.Value, 1 << 16));
        foreach (var item in _iterable!)
        {
            batch.Add(item);
            if (batch.Count == batch_size) { yield return collate_fn(batch.ToArray()); batch.Clear(); }
        }
        if (batch.Count > 0 && !drop_last) yield return collate_fn(batch.ToArray());
    }

    // Map-style with workers: the main thread runs the batch sampler; a worker loads and collates the batch it is sent.
    sealed class MapFetcher(DataLoader<T, TBatch> loader) : IWorkerFetcher<TBatch>
    {
        readonly IEnumerator<long[]> _batches = loader.batch_sampler!.GetEnumerator();
        public bool IsIterable => false;

        public Func<WorkerContext, WorkerTask<TBatch>>? NextTask()
        {
            if (!_batches.MoveNext()) return null;
            var indices = _batches.Current;
            return _ =>
            {
                var items = new T[indices.Length];
                for (int k = 0; k < items.Length; k++)
                {
                    try { items[k] = loader._map![indices[k]]; }
                    catch (Exception e) { throw WorkerFailure.Loading(e, indices[k]); }
                }
                try { return WorkerTask<TBatch>.Batch(loader.collate_fn(items)); }
                catch (Exception e) { throw WorkerFailure.Collating(e, indices); }
            };
        }
    }

    // Iterable-style with workers: every worker enumerates the dataset itself (splitting it by get_worker_info()
    // is the dataset's job, as in PyTorch) and batches its own items; the main thread asks each in turn.
    sealed class IterableFetcher(DataLoader<T, TBatch> loader) : IWorkerFetcher<TBatch>
    {
        public bool IsIterable => true;

        public Func<WorkerContext, WorkerTask<TBatch>>? NextTask() => worker =>
        {
            if (worker.Done) return WorkerTask<TBatch>.Exhausted;
            long size = loader.batch_size!.Value;
            var batch = new List<T>((int)Math.Min(size, 1 << 16));
            var items = (IEnumerator<T>?)worker.State;
            try
            {
                worker.State = items ??= loader._iterable!.GetEnumerator();
                while (batch.Count < size && items.MoveNext()) batch.Add(items.Current);
            }
            catch (Exception e) { throw WorkerFailure.Streaming(e, worker.ItemsSeen + batch.Count); }
            worker.ItemsSeen += batch.Count;
            if (batch.Count < size)
            {
                worker.Done = true;
                items.Dispose();
                if (batch.Count == 0 || loader.drop_last) return WorkerTask<TBatch>.Exhausted;
            }
            try { return WorkerTask<TBatch>.Batch(loader.collate_fn(batch.ToArray())); }
            catch (Exception e) { throw WorkerFailure.Collating(e, null); }
        };
    }
}
