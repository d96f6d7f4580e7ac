namespace Torchlet.Kernels;

/// <summary>A kernel's loop over items [start, end), kept in a struct with its arguments (see <see cref="Threading.For{TBody}"/>).</summary>
internal interface IRange
{
    void Run(int start, int end);
}

/// <summary>The intra-op thread pool: how many threads kernels split work over (torch.set_num_threads).</summary>
internal static class Threading
{
    static int s_threads = Environment.ProcessorCount;
    static ParallelOptions s_options = new() { MaxDegreeOfParallelism = Environment.ProcessorCount };

    // A thread's own count, when set (DataLoader workers run their ops on 1 thread, so that n workers and
    // the intra-op pool do not oversubscribe the cores); 0 = the process-wide count.
    [ThreadStatic] static int t_threads;

    public static int NumThreads
    {
        get => t_threads > 0 ? t_threads : s_threads;
        set
        {
            if (value < 1) throw new ArgumentException($"set_num_threads expects a positive number of threads, got {value}");
            if (t_threads > 0) { t_threads = value; return; }
            s_threads = value;
            s_options = new ParallelOptions { MaxDegreeOfParallelism = value };
        }
    }

    /// <summary>This thread's own thread count (0 = follow the process-wide one).</summary>
    internal static int ThreadOverride { get => t_threads; set => t_threads = value; }

    /// <summary>
    /// The one rule for going parallel: work of n items × costPerItem (≈ simple flops per item) is split
    /// into chunks of at least this much, so a thread hand-off (a few µs) never costs more than it saves.
    /// </summary>
    const long MinWorkPerThread = 32_768;

    static int Threads(long n, long costPerItem) => (int)Math.Min(Math.Min(NumThreads, Math.Max(1, n * costPerItem / MinWorkPerThread)), Math.Max(n, 1));

    /// <summary>Whether <see cref="For"/> would run this work on the calling thread alone (callers test it to skip allocating a closure).</summary>
    // The same answer as Threads(n, costPerItem) <= 1 (under two chunks' work, or one thread), without reading the
    // thread-static count for the small ops that make up most calls.
    public static bool Serial(long n, long costPerItem) => n * costPerItem < 2 * MinWorkPerThread || NumThreads <= 1 || n <= 1;

    /// <summary>
    /// <see cref="For(int, long, Action{int, int})"/> for a body held in a struct: run inline with no delegate when
    /// <see cref="Serial"/> (small ops allocate nothing), handed over as a delegate only when the work is split.
    /// </summary>
    public static void For<TBody>(int n, long costPerItem, TBody body) where TBody : struct, IRange
    {
        if (Serial(n, costPerItem)) body.Run(0, n);
        else For(n, costPerItem, body.Run);
    }

    /// <summary>Runs <paramref name="body"/>(start, end) over [0, n) in at most NumThreads chunks, or inline when <see cref="Serial"/>.</summary>
    public static void For(int n, long costPerItem, Action<int, int> body)
    {
        int threads = Threads(n, costPerItem);
        if (threads <= 1) { body(0, n); return; }
        int chunk = (n + threads - 1) / threads;
        Parallel.For(0, threads, s_options, t =>
        {
            int start = t * chunk, end = Math.Min(n, start + chunk);
            if (start < end) body(start, end);
        });
    }
}
