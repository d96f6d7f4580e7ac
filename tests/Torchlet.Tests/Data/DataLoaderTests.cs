using System.Text.Json;
using Torchlet.Data;
using Xunit;
using static Torchlet.torch;
using static Torchlet.torch.utils.data;

namespace Torchlet.Tests.Data;

/// <summary>
/// DataLoader, samplers and random_split against PyTorch 1.13 (fixtures/data.json from gen_data.py): the same seed visits
/// the samples in the same order, epoch after epoch, and consumes exactly as many random numbers (each case ends with
/// three draws from the default generator).
/// </summary>
[Collection(GlobalStateCollection.Name)]   // seeds the default generator, reads its next draws, sets the thread count
public class DataLoaderTests
{
    /// <summary>Item i is the int64 scalar i, so a batch shows the indices visited.</summary>
    sealed class Indices(long n) : Dataset<Tensor>
    {
        public override long Count => n;
        public override Tensor this[long index] => tensor(index);
    }

    /// <summary>xunit rows: the fixture cases of one kind (a theory with no rows fails, so a kind missing from the fixture is caught).</summary>
    public static IEnumerable<object[]> Names(string kind) =>
        Fixtures.Load("data").Where(c => c.GetProperty("kind").GetString() == kind).Select(c => new object[] { c.GetProperty("name").GetString()! });

    static long[] Longs(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt64()).ToArray();
    static long[][] Batches(JsonElement e) => e.EnumerateArray().Select(Longs).ToArray();

    static void AssertAfter(JsonElement c, string what)
    {
        var expected = c.GetProperty("after").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var actual = rand(3).data<float>().ToArray().Select(v => (double)v).ToArray();
        Assert.True(expected.SequenceEqual(actual),
            $"{what}: the default generator is not where PyTorch's is afterwards (next draws [{string.Join(", ", actual)}], PyTorch [{string.Join(", ", expected)}]): a different number of random draws");
    }

    static long[][] Epoch<TB>(IEnumerable<TB> loader, Func<TB, long[]> indices) => loader.Select(indices).ToArray();

    [Theory]
    [MemberData(nameof(Names), "loader")]
    public void Loader_visits_the_samples_in_PyTorchs_order(string name)
    {
        var c = Fixtures.Case("data", name);
        manual_seed(c.GetProperty("seed").GetInt64());
        var loader = DataLoader(new Indices(c.GetProperty("n").GetInt64()), batch_size: c.GetProperty("batch_size").GetInt64(),
            shuffle: c.GetProperty("shuffle").GetBoolean(), drop_last: c.GetProperty("drop_last").GetBoolean());
        Assert.Equal(c.GetProperty("len").GetInt64(), loader.Count);
        var epochs = c.GetProperty("epochs").EnumerateArray().ToList();
        for (int e = 0; e < epochs.Count; e++)
        {
            var expected = Batches(epochs[e]);
            var actual = Epoch(loader, b => b.data<long>().ToArray());
            Assert.True(expected.Length == actual.Length, $"{name} epoch {e}: {actual.Length} batches, PyTorch {expected.Length}");
            for (int b = 0; b < expected.Length; b++)
                Assert.True(expected[b].SequenceEqual(actual[b]), $"{name} epoch {e} batch {b}: [{string.Join(", ", actual[b])}], PyTorch [{string.Join(", ", expected[b])}]");
            Assert.Equal(expected.Length, loader.Count);
        }
        AssertAfter(c, name);
    }

    [Theory]
    [MemberData(nameof(Names), "loader_generator")]
    public void A_given_generator_decides_the_order_and_leaves_the_default_one_alone(string name)
    {
        var c = Fixtures.Case("data", name);
        manual_seed(c.GetProperty("seed").GetInt64());
        var g = new Generator(c.GetProperty("generator_seed").GetInt64());
        var loader = DataLoader(new Indices(c.GetProperty("n").GetInt64()), batch_size: c.GetProperty("batch_size").GetInt64(), shuffle: true, generator: g);
        foreach (var (epoch, e) in c.GetProperty("epochs").EnumerateArray().Select((x, i) => (x, i)))
            Assert.Equal(Batches(epoch), Epoch(loader, b => b.data<long>().ToArray()));
        AssertAfter(c, name);
        var gAfter = c.GetProperty("generator_after").EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();
        Assert.Equal(gAfter, rand([3], generator: g).data<float>().ToArray());
    }

    [Fact]
    public void TensorDataset_batches_stack_inputs_and_make_int64_labels()
    {
        var c = Fixtures.Case("data", "tensordataset_shuffle_seed11");
        manual_seed(11);
        var x = randn(9, 2);
        Fixtures.AssertClose(c.GetProperty("x"), x, 0, 0, "x");
        var y = arange(9) % 4;
        var ds = TensorDataset(x, y);
        Assert.Equal(9, ds.Count);
        var loader = DataLoader(ds, batch_size: 4, shuffle: true);
        var batches = c.GetProperty("batches").EnumerateArray().ToList();
        int k = 0;
        foreach (var (bx, by) in loader)
        {
            Fixtures.AssertClose(batches[k].GetProperty("x"), bx, 0, 0, $"batch {k} x");
            Fixtures.AssertClose(batches[k].GetProperty("y"), by, 0, 0, $"batch {k} y");
            k++;
        }
        Assert.Equal(batches.Count, k);
        AssertAfter(c, "tensordataset");
    }

    [Fact]
    public void Integer_labels_collate_to_an_int64_tensor()
    {
        var items = new List<(Tensor, long)> { (zeros(1, 2, 2), 3), (ones(1, 2, 2), 7) };
        var (images, labels) = default_collate(items);
        Assert.Equal(new long[] { 2, 1, 2, 2 }, images.shape);
        Assert.Equal(ScalarType.Float32, images.dtype);
        Assert.Equal(ScalarType.Int64, labels.dtype);
        Assert.Equal(new long[] { 3, 7 }, labels.data<long>().ToArray());
    }

    [Fact]
    public void Collate_of_unequal_shapes_says_which_items_differ()
    {
        var e = Assert.Throws<ArgumentException>(() => default_collate(new[] { zeros(3, 4), zeros(3, 5) }));
        Assert.Contains("item 0", e.Message);
        Assert.Contains("[3, 5]", e.Message);
        Assert.Contains("collate_fn", e.Message);
    }

    [Theory]
    [MemberData(nameof(Names), "randomsampler")]
    public void RandomSampler_matches_PyTorch(string name)
    {
        var c = Fixtures.Case("data", name);
        manual_seed(c.GetProperty("seed").GetInt64());
        long? num = c.GetProperty("num_samples").ValueKind == JsonValueKind.Null ? null : c.GetProperty("num_samples").GetInt64();
        var s = RandomSampler(new Indices(c.GetProperty("n").GetInt64()), c.GetProperty("replacement").GetBoolean(), num);
        Assert.Equal(c.GetProperty("len").GetInt64(), s.Count);
        foreach (var epoch in c.GetProperty("epochs").EnumerateArray())
            Assert.Equal(Longs(epoch), s.ToArray());
        AssertAfter(c, name);
    }

    [Theory]
    [MemberData(nameof(Names), "weighted")]
    public void WeightedRandomSampler_matches_PyTorch(string name)
    {
        var c = Fixtures.Case("data", name);
        manual_seed(c.GetProperty("seed").GetInt64());
        var w = c.GetProperty("weights").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var s = WeightedRandomSampler(w, c.GetProperty("num_samples").GetInt64(), c.GetProperty("replacement").GetBoolean());
        Assert.Equal(c.GetProperty("num_samples").GetInt64(), s.Count);
        foreach (var epoch in c.GetProperty("epochs").EnumerateArray())
            Assert.Equal(Longs(epoch), s.ToArray());
        AssertAfter(c, name);
    }

    [Theory]
    [MemberData(nameof(Names), "subsetrandom")]
    public void SubsetRandomSampler_matches_PyTorch(string name)
    {
        var c = Fixtures.Case("data", name);
        manual_seed(c.GetProperty("seed").GetInt64());
        var s = SubsetRandomSampler(Longs(c.GetProperty("indices")));
        foreach (var epoch in c.GetProperty("epochs").EnumerateArray())
            Assert.Equal(Longs(epoch), s.ToArray());
        AssertAfter(c, name);
    }

    [Theory]
    [MemberData(nameof(Names), "batchsampler")]
    public void BatchSampler_matches_PyTorch(string name)
    {
        var c = Fixtures.Case("data", name);
        var s = BatchSampler(SequentialSampler(new Indices(c.GetProperty("n").GetInt64())), c.GetProperty("batch_size").GetInt64(), c.GetProperty("drop_last").GetBoolean());
        Assert.Equal(c.GetProperty("len").GetInt64(), s.Count);
        Assert.Equal(Batches(c.GetProperty("batches")), s.ToArray());
    }

    [Theory]
    [MemberData(nameof(Names), "random_split")]
    public void Random_split_picks_PyTorchs_indices(string name)
    {
        var c = Fixtures.Case("data", name);
        manual_seed(c.GetProperty("seed").GetInt64());
        var ds = new Indices(c.GetProperty("n").GetInt64());
        var parts = c.GetProperty("fractions").GetBoolean()
            ? random_split(ds, c.GetProperty("lengths").EnumerateArray().Select(x => x.GetDouble()).ToArray())
            : random_split(ds, Longs(c.GetProperty("lengths")));
        var expectedParts = c.GetProperty("parts").EnumerateArray().ToList();
        Assert.Equal(Longs(c.GetProperty("part_lengths")), parts.Select(p => p.Count).ToArray());
        for (int i = 0; i < parts.Length; i++)
        {
            var expected = Longs(expectedParts[i]);
            Assert.Equal(expected, parts[i].indices.Take(expected.Length).ToArray());
            // A subset's items are the dataset's items at its indices.
            for (int k = 0; k < Math.Min(5, parts[i].Count); k++) Assert.Equal(parts[i].indices[k], parts[i][k].item<long>());
        }
        // Together the parts are a permutation of the dataset.
        Assert.Equal(Enumerable.Range(0, (int)ds.Count).Select(i => (long)i), parts.SelectMany(p => p.indices).Order());
        AssertAfter(c, name);
    }

    [Fact]
    public void Random_split_with_a_generator_leaves_the_default_one_alone()
    {
        var c = Fixtures.Case("data", "random_split_generator42");
        manual_seed(0);
        var parts = random_split(new Indices(10), new long[] { 3, 7 }, generator: new Generator(42));
        var expected = c.GetProperty("parts").EnumerateArray().Select(Longs).ToArray();
        Assert.Equal(expected[0], parts[0].indices);
        Assert.Equal(expected[1], parts[1].indices);
        AssertAfter(c, "random_split_generator42");
    }

    [Fact]
    public void Random_split_errors_name_the_lengths()
    {
        var e = Assert.Throws<ArgumentException>(() => random_split(new Indices(10), new long[] { 3, 3 }));
        Assert.Contains("add up to 6", e.Message);
        Assert.Contains("10 items", e.Message);
        e = Assert.Throws<ArgumentException>(() => random_split(new Indices(10), new[] { 0.5, 0.6 }));
        Assert.Contains("add up to 1", e.Message);
    }

    [Theory]
    [MemberData(nameof(Names), "workers")]
    public void Workers_load_batch_i_on_worker_i_mod_n_with_PyTorchs_seeds(string name)
    {
        var c = Fixtures.Case("data", name);
        manual_seed(c.GetProperty("seed").GetInt64());
        var g = c.TryGetProperty("generator_seed", out var gs) && gs.ValueKind == JsonValueKind.Number ? new Generator(gs.GetInt64()) : null;
        var loader = DataLoader(new Draws(), batch_size: c.GetProperty("batch_size").GetInt64(), shuffle: c.GetProperty("shuffle").GetBoolean(),
            num_workers: c.GetProperty("num_workers").GetInt32(), drop_last: c.TryGetProperty("drop_last", out var dl) && dl.GetBoolean(), generator: g);
        foreach (var (epoch, e) in c.GetProperty("epochs").EnumerateArray().Select((x, i) => (x, i)))
        {
            var expected = epoch.EnumerateArray().ToList();
            int b = 0;
            foreach (var (info, draw) in loader)
            {
                Assert.True(b < expected.Count, $"{name} epoch {e}: more batches than PyTorch's {expected.Count}");
                Assert.Equal(Longs(expected[b].GetProperty("index")), info[.., 0].to(int64).data<long>().ToArray());
                Assert.Equal(Longs(expected[b].GetProperty("worker")), info[.., 1].to(int64).data<long>().ToArray());
                Fixtures.AssertClose(expected[b].GetProperty("draw"), draw.view(-1), 0, 0, $"{name} epoch {e} batch {b}: the worker's draws");
                b++;
            }
            Assert.Equal(expected.Count, b);
        }
        AssertAfter(c, name);
    }

    /// <summary>Item i is ([i, worker id], a draw from the default generator), as the fixture's dataset.</summary>
    sealed class Draws : Dataset<(Tensor, Tensor)>
    {
        public override long Count => 12;
        public override (Tensor, Tensor) this[long index]
        {
            get
            {
                var info = get_worker_info();
                return (tensor(new double[] { index, info?.id ?? -1 }), rand(1));
            }
        }
    }

    sealed class Probe(long n, Func<long, Tensor> get) : Dataset<Tensor>
    {
        public override long Count => n;
        public override Tensor this[long index] => get(index);
    }

    [Fact]
    public void Workers_run_their_ops_on_one_thread_and_know_who_they_are()
    {
        set_num_threads(2);
        var seen = new System.Collections.Concurrent.ConcurrentBag<(int threads, int id, int workers)>();
        var ds = new Probe(8, i =>
        {
            var info = get_worker_info()!;
            seen.Add((get_num_threads(), info.id, info.num_workers));
            return tensor(i);
        });
        var all = DataLoader(ds, batch_size: 2, num_workers: 2).SelectMany(b => b.data<long>().ToArray()).ToArray();
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), all);
        Assert.All(seen, s => Assert.Equal(1, s.threads));
        Assert.Equal(new[] { 0, 1 }, seen.Select(s => s.id).Distinct().Order());
        Assert.All(seen, s => Assert.Equal(2, s.workers));
        Assert.Null(get_worker_info());
        Assert.Equal(2, get_num_threads());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void A_run_repeats_for_the_same_seed_and_worker_count(int workers)
    {
        Tensor[] Run()
        {
            manual_seed(5);
            var ds = new Probe(20, i => rand(2).add(i));
            return DataLoader(ds, batch_size: 3, shuffle: true, num_workers: workers).ToArray();
        }
        var a = Run();
        var b = Run();
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++) Assert.True(a[i].equal(b[i]), $"batch {i} differs between two runs with {workers} workers");
    }

    [Fact]
    public void An_exception_in_a_worker_surfaces_in_the_loop_naming_the_sample_index()
    {
        var ds = new Probe(40, i => i == 13 ? throw new InvalidOperationException("bad image 13") : tensor(i));
        var loader = DataLoader(ds, batch_size: 4, num_workers: 2);
        int batches = 0;
        var e = Assert.Throws<DataLoaderWorkerException>(() => { foreach (var _ in loader) batches++; });
        Assert.Equal(3, batches);                       // batches 0..2 arrive; batch 3 holds index 13
        Assert.Equal(13, e.sample_index);
        Assert.Equal(1, e.worker_id);                   // batch 3 → worker 3 mod 2
        Assert.Contains("sample index 13", e.Message);
        Assert.Contains("InvalidOperationException", e.Message);
        Assert.Contains("bad image 13", e.Message);
        Assert.IsType<InvalidOperationException>(e.InnerException);
    }

    [Fact]
    public void An_exception_in_collate_names_the_batch()
    {
        var ds = new Probe(6, i => i == 4 ? zeros(2) : zeros(3));
        var e = Assert.Throws<DataLoaderWorkerException>(() => DataLoader(ds, batch_size: 3, num_workers: 2).ToList());
        Assert.Contains("collating the batch of sample indices [3, 4, 5]", e.Message);
        Assert.Null(e.sample_index);
    }

    [Fact]
    public void Without_workers_the_exception_is_the_datasets_own()
    {
        var ds = new Probe(10, i => i == 5 ? throw new ArgumentException("five") : tensor(i));
        var e = Assert.Throws<ArgumentException>(() => DataLoader(ds, batch_size: 2).ToList());
        Assert.Equal("five", e.Message);
    }

    [Fact]
    public void Leaving_a_loop_early_stops_the_workers()
    {
        var loaded = 0;
        var ds = new Probe(10_000, i => { Interlocked.Increment(ref loaded); return tensor(i); });
        var loader = DataLoader(ds, batch_size: 10, num_workers: 2);
        var it = (WorkerIterator<Tensor>)loader.GetEnumerator();
        Assert.True(it.MoveNext());
        Assert.True(it.MoveNext());
        var pool = it.Pool;
        it.Dispose();
        Assert.Equal(0, pool.LiveThreads);
        int after = loaded;
        Thread.Sleep(100);
        Assert.Equal(after, loaded);                     // nothing loads after the loop is left
        Assert.True(after <= 10 * (2 + 2 * 2 + 2), $"loaded {after} items for 2 batches taken: prefetch is bounded");
        Assert.False(it.MoveNext());
    }

    [Fact]
    public void Breaking_out_of_foreach_disposes_the_epoch()
    {
        var ds = new Probe(1000, i => tensor(i));
        var loader = DataLoader(ds, batch_size: 5, num_workers: 2);
        int seen = 0;
        foreach (var b in loader) { if (++seen == 3) break; }
        // A new epoch after an abandoned one starts over.
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, loader.First().data<long>().ToArray());
        Assert.Equal(200, loader.Count());
    }

    [Fact]
    public void An_epoch_dropped_without_Dispose_stops_its_workers_when_collected()
    {
        var pool = StartAndDrop();
        for (int i = 0; i < 50 && pool.LiveThreads > 0; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Thread.Sleep(20);
        }
        Assert.Equal(0, pool.LiveThreads);

        static WorkerPool<Tensor> StartAndDrop()
        {
            var it = (WorkerIterator<Tensor>)DataLoader(new Indices(1000), batch_size: 4, num_workers: 2).GetEnumerator();
            Assert.True(it.MoveNext());
            return it.Pool;   // the enumerator itself is no longer referenced
        }
    }

    sealed class FailingSampler(long failAt) : Sampler
    {
        public override long Count => 100;
        public override IEnumerator<long> GetEnumerator()
        {
            for (long i = 0; i < 100; i++)
                yield return i < failAt ? i : throw new InvalidOperationException($"sampler broke at {i}");
        }
    }

    [Fact]
    public void A_sampler_that_throws_with_workers_running_stops_them_and_surfaces_its_exception()
    {
        var loader = DataLoader(new Indices(100), batch_size: 2, sampler: new FailingSampler(9), num_workers: 2);
        var it = (WorkerIterator<Tensor>)loader.GetEnumerator();
        var pool = it.Pool;
        var e = Assert.Throws<InvalidOperationException>(() => { while (it.MoveNext()) { } });
        Assert.Equal("sampler broke at 9", e.Message);
        Assert.Equal(0, pool.LiveThreads);
        // The constructor's prefetch runs the sampler too: a sampler failing at once fails the loop's start, leaving no threads.
        Assert.Equal("sampler broke at 0", Assert.Throws<InvalidOperationException>(() =>
            DataLoader(new Indices(100), batch_size: 2, sampler: new FailingSampler(0), num_workers: 2).GetEnumerator()).Message);
    }

    [Fact]
    public void A_failing_worker_init_fn_is_reported_at_the_first_batch()
    {
        var loader = DataLoader(new Indices(8), batch_size: 2, num_workers: 2, worker_init_fn: id => { if (id == 0) throw new ArgumentException("no GPU here"); });
        var e = Assert.Throws<DataLoaderWorkerException>(() => loader.ToList());
        Assert.Contains("worker_init_fn", e.Message);
        Assert.Contains("no GPU here", e.Message);
        Assert.Equal(0, e.worker_id);
    }

    [Fact]
    public void Loader_arguments_that_would_overflow_or_mean_nothing_are_refused()
    {
        var ds = new Indices(10);
        Assert.Contains("prefetch_factor × num_workers", Assert.Throws<ArgumentException>(() => DataLoader(ds, num_workers: 4, prefetch_factor: 1 << 30)).Message);
        Assert.Contains("num_workers > 0", Assert.Throws<ArgumentException>(() => DataLoader(ds, prefetch_factor: 4)).Message);
        Assert.Contains("the dataset is empty", Assert.Throws<ArgumentException>(() => DataLoader(new Indices(0), shuffle: true)).Message);
        // len(loader) of a huge batch size: one (partial) batch, not an overflow.
        Assert.Equal(1, DataLoader(ds, batch_size: long.MaxValue).Count);
        Assert.Equal(0, DataLoader(ds, batch_size: long.MaxValue, drop_last: true).Count);
    }

    [Fact]
    public void A_slow_worker_times_out_when_a_timeout_is_set()
    {
        using var release = new ManualResetEventSlim(false);
        var ds = new Probe(4, i => { release.Wait(TimeSpan.FromSeconds(30)); return tensor(i); });
        var loader = DataLoader(ds, batch_size: 2, num_workers: 1, timeout: 0.3);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<TimeoutException>(() => loader.ToList());
        release.Set();
        Assert.Contains("0.3 seconds", e.Message);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");
    }

    [Fact]
    public void A_worker_init_fn_runs_once_per_worker_on_its_thread()
    {
        var inits = new System.Collections.Concurrent.ConcurrentBag<(int id, int? infoId)>();
        var loader = DataLoader(new Indices(6), batch_size: 1, num_workers: 3, worker_init_fn: id => inits.Add((id, get_worker_info()?.id)));
        Assert.Equal(6, loader.Count());
        Assert.Equal(new[] { 0, 1, 2 }, inits.Select(x => x.id).Order());
        Assert.All(inits, x => Assert.Equal(x.id, x.infoId));
    }

    /// <summary>0 … n−1, split between workers by get_worker_info() as PyTorch's documentation shows.</summary>
    sealed class Range(long n) : IterableDataset<Tensor>
    {
        public override long? Length => n;
        public override IEnumerator<Tensor> GetEnumerator()
        {
            var info = get_worker_info();
            long start = 0, end = n;
            if (info is not null)
            {
                long per = (n + info.num_workers - 1) / info.num_workers;
                start = info.id * per;
                end = Math.Min(n, start + per);
            }
            for (long i = start; i < end; i++) yield return tensor(i);
        }
    }

    // Each worker streams its share (split by get_worker_info()) and batches it; the loader takes the workers' batches in
    // turn and skips a worker whose stream has ended, as PyTorch does.
    [Theory]
    [MemberData(nameof(Names), "iterable")]
    public void Iterable_datasets_stream_through_the_loader_in_PyTorchs_order(string name)
    {
        var c = Fixtures.Case("data", name);
        var loader = DataLoader(new Range(c.GetProperty("n").GetInt64()), batch_size: c.GetProperty("batch_size").GetInt64(),
            num_workers: c.GetProperty("num_workers").GetInt32(), drop_last: c.GetProperty("drop_last").GetBoolean());
        Assert.Equal(c.GetProperty("len").GetInt64(), loader.Count);
        Assert.Equal(Batches(c.GetProperty("batches")), loader.Select(b => b.data<long>().ToArray()).ToArray());
    }

    [Fact]
    public void Arguments_are_checked_with_PyTorchs_messages()
    {
        var ds = new Indices(10);
        Assert.Contains("mutually exclusive with shuffle", Assert.Throws<ArgumentException>(() => DataLoader(ds, shuffle: true, sampler: SequentialSampler(ds))).Message);
        Assert.Contains("mutually exclusive with batch_size", Assert.Throws<ArgumentException>(() => DataLoader(ds, batch_size: 4, batch_sampler: BatchSampler(SequentialSampler(ds), 2, false))).Message);
        Assert.Contains("non-negative", Assert.Throws<ArgumentException>(() => DataLoader(ds, num_workers: -1)).Message);
        Assert.Contains("batch_size=0", Assert.Throws<ArgumentException>(() => DataLoader(ds, batch_size: 0)).Message);
        Assert.Contains("num_samples=0", Assert.Throws<ArgumentException>(() => RandomSampler(ds, num_samples: 0)).Message);
    }

    [Fact]
    public void A_batch_sampler_decides_the_batches()
    {
        var ds = new Indices(7);
        var loader = DataLoader(ds, batch_sampler: BatchSampler(SequentialSampler(ds), 3, drop_last: true));
        Assert.Equal(2, loader.Count);
        Assert.Null(loader.batch_size);
        Assert.Equal(new[] { new long[] { 0, 1, 2 }, new long[] { 3, 4, 5 } }, loader.Select(b => b.data<long>().ToArray()).ToArray());
    }

    [Fact]
    public void A_collate_fn_makes_batches_of_any_item_type()
    {
        var words = new StringItems(["a", "bb", "ccc", "dddd", "eeeee"]);
        var loader = DataLoader(words, collate_fn: items => string.Join("+", items), batch_size: 2);
        Assert.Equal(new[] { "a+bb", "ccc+dddd", "eeeee" }, loader.ToArray());
        Assert.Equal(new[] { "a+bb", "ccc+dddd", "eeeee" }, DataLoader(words, collate_fn: items => string.Join("+", items), batch_size: 2, num_workers: 2).ToArray());
    }

    sealed class StringItems(string[] items) : Dataset<string>
    {
        public override long Count => items.Length;
        public override string this[long index] => items[index];
    }

    [Fact]
    public void Subset_and_ConcatDataset_index_like_PyTorchs()
    {
        var a = new Indices(3);
        var b = new Indices(4);
        var cat = a + b;
        Assert.Equal(7, cat.Count);
        Assert.Equal(new long[] { 3, 7 }, cat.cumulative_sizes);
        Assert.Equal(new long[] { 0, 1, 2, 0, 1, 2, 3 }, cat.Select(t => t.item<long>()).ToArray());
        Assert.Equal(3, cat[-1].item<long>());
        Assert.Throws<IndexOutOfRangeException>(() => cat[7]);
        var sub = Subset(b, new long[] { 3, 1 });
        Assert.Equal(new long[] { 3, 1 }, sub.Select(t => t.item<long>()).ToArray());
        Assert.Equal(1, sub[-1].item<long>());             // Python's negative indices count from the end
        Assert.Throws<IndexOutOfRangeException>(() => sub[2]);
        Assert.Throws<IndexOutOfRangeException>(() => sub[-3]);
        var e = Assert.Throws<ArgumentException>(() => TensorDataset(zeros(3, 2), zeros(4)));
        Assert.Contains("tensor 0 has 3 and tensor 1 has 4", e.Message);
    }
}
