namespace Torchlet.Kernels;

/// <summary>The intra-op thread pool: how many threads kernels split work over (torch.set_num_threads).</summary>
internal static class Threading
{
    static int s_threads = Environment.ProcessorCount;
    static ParallelOptions s_options = new() { MaxDegreeOfParallelism = Environment.ProcessorCount };

    public static int NumThreads
    {
        get => s_threads;
        set
        {
            if (value < 1) throw new ArgumentException($"set_num_threads expects a positive number of threads, got {value}");
            s_threads = value;
            s_options = new ParallelOptions { MaxDegreeOfParallelism = value };
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/>(start, end) over [0, n) in at most NumThreads chunks, or inline
    /// when the work (n × costPerItem) is too small to pay for a thread hand-off.
    /// </summary>
    public static void For(int n, long costPerItem, Action<int, int> body)
    {
        const long MinWorkPerThread = 32_768;
        int threads = (int)Math.Min(s_threads, Math.Max(1, n * costPerItem / MinWorkPerThread));
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
