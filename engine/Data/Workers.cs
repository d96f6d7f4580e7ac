using System.Collections.Concurrent;
using System.Diagnostics;
using Torchlet.Kernels;

namespace Torchlet.Data;

/// <summary>
/// What a DataLoader worker knows about itself (<c>torch.utils.data.get_worker_info()</c>): its id (0 … n−1), the
/// number of workers, the seed of its default generator (base seed + id) and the dataset it loads from.
/// </summary>
/// <remarks>
/// Workers are threads of this process, not processes as in PyTorch: they share the one dataset object, so a dataset
/// used with workers must allow reads from several threads at once, and <see cref="dataset"/> must not be changed in
/// <c>worker_init_fn</c> (PyTorch's per-process copy makes that safe there; here it would change it for every worker).
/// To split a stream between workers, read <c>get_worker_info()</c> where the stream starts (in
/// <c>IterableDataset.GetEnumerator</c>) and keep the per-worker state in the enumerator.
/// </remarks>
public sealed class WorkerInfo
{
    internal WorkerInfo(int id, int num_workers, long seed, object dataset) =>
        (this.id, this.num_workers, this.seed, this.dataset) = (id, num_workers, seed, dataset);

    public int id { get; }
    public int num_workers { get; }
    public long seed { get; }
    public object dataset { get; }

    [ThreadStatic] static WorkerInfo? t_current;
    internal static WorkerInfo? Current { get => t_current; set => t_current = value; }

    public override string ToString() => $"WorkerInfo(id={id}, num_workers={num_workers}, seed={seed}, dataset={dataset.GetType().Name})";
}

/// <summary>
/// An exception raised while a DataLoader worker loaded or collated a batch, delivered to the training loop at that
/// batch's turn. The message names the worker, the sample index and the batch; <see cref="Exception.InnerException"/>
/// is the original exception.
/// </summary>
public sealed class DataLoaderWorkerException : Exception
{
    internal DataLoaderWorkerException(string message, Exception inner, int worker_id, long? sample_index) : base(message, inner) =>
        (this.worker_id, this.sample_index) = (worker_id, sample_index);

    public int worker_id { get; }
    /// <summary>The dataset index being loaded when it failed; null when it failed in collate or in a stream.</summary>
    public long? sample_index { get; }
}

/// <summary>One worker's result for one request: a batch, or the end of its stream (iterable datasets).</summary>
readonly struct WorkerTask<TBatch>
{
    public TBatch Value { get; }
    public bool IsExhausted { get; }

    WorkerTask(TBatch value, bool exhausted) => (Value, IsExhausted) = (value, exhausted);

    public static WorkerTask<TBatch> Batch(TBatch value) => new(value, false);
    public static WorkerTask<TBatch> Exhausted => new(default!, true);
}

/// <summary>A worker thread's own state across requests (an iterable dataset's enumerator, for instance).</summary>
sealed class WorkerContext(int id)
{
    public int Id { get; } = id;
    public object? State { get; set; }
    public bool Done { get; set; }
    public long ItemsSeen { get; set; }
}

/// <summary>Where a request ran, for the loader: what to send next and how to load it.</summary>
interface IWorkerFetcher<TBatch>
{
    /// <summary>True for a stream: every worker produces batches until it reports <see cref="WorkerTask{TBatch}.Exhausted"/>.</summary>
    bool IsIterable { get; }

    /// <summary>The next request (called on the loop's thread, in order), or null when the sampler is done.</summary>
    Func<WorkerContext, WorkerTask<TBatch>>? NextTask();
}

/// <summary>What went wrong inside a request, before it is dressed as a <see cref="DataLoaderWorkerException"/>.</summary>
sealed class WorkerFailure(string where, Exception inner, long? sampleIndex) : Exception(where, inner)
{
    public long? SampleIndex { get; } = sampleIndex;

    public static WorkerFailure Loading(Exception e, long index) => new($"while loading sample index {index}", e, index);
    public static WorkerFailure Collating(Exception e, long[]? indices) =>
        new(indices is null ? "while collating a batch" : $"while collating the batch of sample indices [{Preview(indices)}]", e, null);
    public static WorkerFailure Streaming(Exception e, long position) => new($"while reading item {position} of its stream", e, null);

    static string Preview(long[] indices) => indices.Length <= 8 ? string.Join(", ", indices) : string.Join(", ", indices.Take(8)) + $", … ({indices.Length} in all)";
}

/// <summary>
/// The enumerator of a DataLoader epoch with workers: n background threads, batch i sent to worker i mod n (workers
/// whose stream has ended are skipped), at most prefetch_factor × n batches in flight, results taken in order.
/// Disposing it (a <c>break</c> out of <c>foreach</c>, an exception in the loop) stops the workers; so does its
/// finalizer when an enumerator is dropped undisposed.
/// </summary>
sealed class WorkerIterator<TBatch> : IEnumerator<TBatch>
{
    readonly WorkerPool<TBatch> _pool;
    readonly IWorkerFetcher<TBatch> _fetcher;
    readonly Dictionary<long, int> _owner = new();
    readonly bool[] _active;
    int _next;          // the worker the next request goes to (round robin over active workers)
    long _sendIdx, _rcvdIdx;
    bool _finished;
    TBatch _current = default!;

    public WorkerIterator(IWorkerFetcher<TBatch> fetcher, int workers, long baseSeed, int prefetch, double timeout, Action<int>? init, object dataset)
    {
        _fetcher = fetcher;
        _active = Enumerable.Repeat(true, workers).ToArray();
        _pool = new WorkerPool<TBatch>(workers, baseSeed, timeout, init, dataset);
        try
        {
            for (int i = 0; i < prefetch * workers; i++) TryPut();
        }
        catch
        {
            _pool.Stop();
            throw;
        }
    }

    // An enumerator dropped without Dispose still stops its workers. (_pool is null only if the constructor threw.)
    ~WorkerIterator() => _pool?.Stop(join: false);

    internal WorkerPool<TBatch> Pool => _pool;

    void TryPut()
    {
        int n = _active.Length, w = -1;
        for (int k = 0; k < n; k++)
        {
            int c = (_next + k) % n;
            if (_active[c]) { w = c; break; }
        }
        if (w < 0) return;
        var job = _fetcher.NextTask();
        if (job is null) return;
        _next = (w + 1) % n;
        _owner[_sendIdx] = w;
        _pool.Send(w, _sendIdx, job);
        _sendIdx++;
    }

    public TBatch Current => _current;
    object? System.Collections.IEnumerator.Current => _current;

    public bool MoveNext()
    {
        if (_finished) return false;
        try { return Next(); }
        catch
        {
            // A worker's exception, a timeout, or the sampler failing while asked for the next batch: the epoch is over.
            Finish();
            throw;
        }
    }

    bool Next()
    {
        while (true)
        {
            // Requests still out to a worker whose stream has ended will never bring a batch.
            while (_rcvdIdx < _sendIdx && !_active[_owner[_rcvdIdx]])
            {
                _pool.Discard(_rcvdIdx);
                _owner.Remove(_rcvdIdx++);
            }
            if (_rcvdIdx >= _sendIdx)
            {
                Finish();
                return false;
            }
            int w = _owner[_rcvdIdx];
            var r = _pool.Wait(_rcvdIdx, w);
            _owner.Remove(_rcvdIdx++);
            if (r.Error is not null) throw r.Error;
            if (r.Task.IsExhausted)
            {
                _active[w] = false;
                TryPut();
                continue;
            }
            TryPut();
            _current = r.Task.Value;
            return true;
        }
    }

    void Finish()
    {
        _finished = true;
        _current = default!;
        _pool.Stop();
        GC.SuppressFinalize(this);
    }

    public void Reset() => throw new NotSupportedException("a DataLoader epoch cannot be rewound: enumerate the loader again for a new epoch");

    public void Dispose() { if (!_finished) Finish(); }
}

/// <summary>The worker threads and the results they deliver. Holds no reference to the enumerator, so a dropped one is finalized.</summary>
sealed class WorkerPool<TBatch>
{
    public readonly record struct Result(WorkerTask<TBatch> Task, Exception? Error);

    readonly object _lock = new();
    readonly Dictionary<long, Result> _results = new();
    readonly HashSet<long> _discarded = new();
    readonly BlockingCollection<(long, Func<WorkerContext, WorkerTask<TBatch>>)>[] _inbox;
    readonly Thread[] _threads;
    readonly CancellationTokenSource _cts = new();
    readonly double _timeout;
    int _stopped;

    public WorkerPool(int workers, long baseSeed, double timeout, Action<int>? init, object dataset)
    {
        _timeout = timeout;
        _inbox = new BlockingCollection<(long, Func<WorkerContext, WorkerTask<TBatch>>)>[workers];
        _threads = new Thread[workers];
        for (int k = 0; k < workers; k++)
        {
            _inbox[k] = new();
            int id = k;
            // Seeds wrap as PyTorch's int64 arithmetic does.
            long seed = unchecked(baseSeed + id);
            _threads[k] = new Thread(() => Run(id, workers, seed, init, dataset)) { IsBackground = true, Name = $"DataLoader worker {id}" };
        }
        int started = 0;
        try
        {
            for (; started < workers; started++) _threads[started].Start();
        }
        catch (Exception e) when (e is OutOfMemoryException or ThreadStartException)
        {
            Stop();
            throw new InvalidOperationException($"DataLoader: could not start worker thread {started} of {workers} ({e.Message}); use fewer workers", e);
        }
    }

    /// <summary>Worker threads that have not exited yet (for tests of shutdown).</summary>
    internal int LiveThreads => _threads.Count(t => t.IsAlive);

    public void Send(int worker, long index, Func<WorkerContext, WorkerTask<TBatch>> job) => _inbox[worker].Add((index, job));

    void Run(int id, int workers, long seed, Action<int>? init, object dataset)
    {
        torch.WorkerGenerator = new torch.Generator(seed);
        Threading.ThreadOverride = 1;
        WorkerInfo.Current = new WorkerInfo(id, workers, seed, dataset);
        var context = new WorkerContext(id);
        Exception? initError = null;
        try { init?.Invoke(id); }
        catch (Exception e) { initError = e; }
        try
        {
            foreach (var (index, job) in _inbox[id].GetConsumingEnumerable(_cts.Token))
            {
                Result r;
                if (initError is not null)
                    r = new(default, new DataLoaderWorkerException($"Caught {initError.GetType().Name} in DataLoader worker {id} in worker_init_fn: {initError.Message}", initError, id, null));
                else
                {
                    try { r = new(job(context), null); }
                    catch (Exception e) { r = new(default, Describe(e, id, index)); }
                }
                lock (_lock)
                {
                    if (!_discarded.Remove(index)) _results[index] = r;
                    Monitor.PulseAll(_lock);
                }
            }
        }
        catch (OperationCanceledException) { }
        finally
        {
            if (context.State is IDisposable d)
                try { d.Dispose(); } catch { /* the loop is over; a failing Dispose has no one to report to */ }
            lock (_lock) Monitor.PulseAll(_lock);
        }
    }

    static DataLoaderWorkerException Describe(Exception e, int worker, long batch)
    {
        var (where, inner, sample) = e is WorkerFailure f ? (f.Message, f.InnerException!, f.SampleIndex) : ("", e, (long?)null);
        var text = $"Caught {inner.GetType().Name} in DataLoader worker {worker}{(where.Length > 0 ? " " + where : "")} (batch {batch}): {inner.Message}";
        return new DataLoaderWorkerException(text, inner, worker, sample);
    }

    /// <summary>Waits for request <paramref name="index"/>, sent to <paramref name="worker"/>.</summary>
    public Result Wait(long index, int worker)
    {
        long start = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            while (true)
            {
                if (_results.Remove(index, out var r)) return r;
                if (!_threads[worker].IsAlive)
                    throw new InvalidOperationException($"DataLoader worker {worker} exited unexpectedly before delivering batch {index}");
                int waitMs = 1000;
                if (_timeout > 0)
                {
                    double left = _timeout - Stopwatch.GetElapsedTime(start).TotalSeconds;
                    if (left <= 0)
                        throw new TimeoutException($"DataLoader timed out after {_timeout} seconds waiting for batch {index} from worker {worker}");
                    waitMs = (int)Math.Clamp(left * 1000, 1, 1000);
                }
                Monitor.Wait(_lock, waitMs);
            }
        }
    }

    /// <summary>Forgets request <paramref name="index"/>: its result, now or when it comes, is dropped.</summary>
    public void Discard(long index)
    {
        lock (_lock)
            if (!_results.Remove(index)) _discarded.Add(index);
    }

    /// <summary>
    /// Stops the workers: no new requests are taken, a request in progress finishes (.NET cannot abort a thread), then
    /// the thread exits. Waits briefly for them unless <paramref name="join"/> is false (the finalizer's case).
    /// </summary>
    public void Stop(bool join = true)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        _cts.Cancel();
        foreach (var q in _inbox) q.CompleteAdding();
        lock (_lock) _results.Clear();
        if (!join) return;
        // A worker in the middle of a slow item finishes it first (at most one batch per worker); wait a little for
        // them, not for ever: they are background threads and end on their own.
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 2;
        bool allDone = true;
        foreach (var t in _threads)
        {
            if (t.ThreadState.HasFlag(System.Threading.ThreadState.Unstarted) || t == Thread.CurrentThread) continue;
            int left = (int)Math.Max(0, (deadline - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency);
            allDone &= t.Join(left);
        }
        if (allDone)
        {
            foreach (var q in _inbox) q.Dispose();
            _cts.Dispose();
        }
    }
}
