namespace Torchlet.Kernels;

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
    /// Runs <paramref name="body"/>(start, end) over [0, n) in at most NumThreads chunks, or inline
    /// when the work (n × costPerItem) is too small to pay for a thread hand-off.
    /// </summary>
    public static void For(int n, long costPerItem, Action<int, int> body)
    {
        const long MinWorkPerThread = 32_768;
        int threads = (int)Math.Min(NumThreads, Math.Max(1, n * costPerItem / MinWorkPerThread));
        threads = Math.Min(threads, n);
        if (threads <= 1) { body(0, n); return; }
        int chunk = (n + threads - 1) / threads;
        Parallel.For(0, threads, s_options, t =>
        {
            int start = t * chunk, end = Math.Min(n, start + chunk);
            if (start < end) body(start, end);
        });
    }
}
