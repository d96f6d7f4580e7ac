using System.Diagnostics;
using System.Globalization;
using System.Text;
using Torchlet;
using Torchlet.Tests.Fuzzing;
using Xunit;
using Xunit.Abstractions;

namespace Torchlet.Tests;

/// <summary>
/// Random public ops on random tensors must return, or raise an exception the engine throws on purpose
/// (see <see cref="FuzzClassifier"/> for the rule), and never hang (a case has <see cref="FuzzRunner.Timeout"/>
/// on a thread of its own). What a case does is in <see cref="FuzzRunner"/>, which ops in
/// <see cref="FuzzCatalog"/>, how arguments are made in <see cref="FuzzArgs"/>.
/// Each run draws a fresh seed unless TORCHLET_FUZZ_SEED is set, and prints it (also to stderr, so a crash
/// report of the test host has it); a failure names the run seed and the case, so
///   TORCHLET_FUZZ_SEED=&lt;seed&gt; dotnet test tests/Torchlet.Tests --filter Fuzz
/// replays the run, and TORCHLET_FUZZ_CASE=&lt;index&gt; with the seed replays one case (a case's seed comes
/// from the run seed and its index, so it does not depend on the cases before it). TORCHLET_FUZZ_CASES sets
/// how many cases a run has, TORCHLET_FUZZ_REPORT how many failures are shown in full, and
/// TORCHLET_FUZZ_TRACE=1 prints each case to stderr before it runs (to find one that crashes the process).
/// The cases draw from the default generator (reseeded per case), so the test runs in the global-state collection.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public class FuzzTests
{
    const int DefaultCases = 10000;   // about 5 to 10 s
    static readonly int MaxReported = (int)(EnvLong("TORCHLET_FUZZ_REPORT") ?? 25);

    readonly ITestOutputHelper _out;
    public FuzzTests(ITestOutputHelper output) { _out = output; }

    static long? EnvLong(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } s ? long.Parse(s, CultureInfo.InvariantCulture) : null;

    [Fact]
    public void Random_ops_on_random_tensors_return_or_raise_on_purpose()
    {
        long runSeed = EnvLong("TORCHLET_FUZZ_SEED") ?? (Random.Shared.NextInt64() & 0xFFFF_FFFFFFFF);
        long cases = EnvLong("TORCHLET_FUZZ_CASES") ?? DefaultCases;
        long? only = EnvLong("TORCHLET_FUZZ_CASE");
        bool trace = Environment.GetEnvironmentVariable("TORCHLET_FUZZ_TRACE") == "1";
        string replay = $"TORCHLET_FUZZ_SEED={runSeed} dotnet test tests/Torchlet.Tests --filter Fuzz";
        // stderr as well as the test output: if a case crashes the test host, the seed is in the crash report.
        string what = only is null ? $"{cases} cases" : $"case {only} only";
        Console.Error.WriteLine($"Torchlet fuzz: run seed {runSeed}, {what} over {FuzzCatalog.Ops.Count} ops (replay: {replay})");
        _out.WriteLine($"run seed {runSeed}; {what} over {FuzzCatalog.Ops.Count} ops; replay with {replay}");

        var failures = new Dictionary<string, (long index, FuzzResult r, int count)>();
        int returned = 0, raised = 0, failed = 0;
        var opsReturned = new HashSet<int>();
        var slowest = (time: TimeSpan.Zero, index: -1L, op: "");
        var sw = Stopwatch.StartNew();
        bool hung = false;
        for (long i = only ?? 0; i < (only is null ? cases : only + 1); i++)
        {
            long caseSeed = FuzzRunner.CaseSeed(runSeed, i);
            if (trace) Console.Error.WriteLine($"fuzz case {i} (case seed {caseSeed})");
            var r = FuzzRunner.Run(caseSeed);
            if (r.Time > slowest.time) slowest = (r.Time, i, r.Op);
            if (trace) Console.Error.WriteLine($"  {r.Outcome}: {r.Op} [{r.Mode}] {r.Error?.GetType().Name} {r.Error?.Message}");
            switch (r.Outcome)
            {
                case FuzzOutcome.Returned: returned++; opsReturned.Add(r.OpIndex); break;
                case FuzzOutcome.RaisedOnPurpose: raised++; break;
                default:
                    failed++;
                    var key = $"{r.Op} | {r.Error?.GetType().Name} | {(r.Error is null ? r.Why : FuzzClassifier.Site(r.Error))}";
                    failures[key] = failures.TryGetValue(key, out var f) ? (f.index, f.r, f.count + 1) : (i, r, 1);
                    if (r.Outcome == FuzzOutcome.Hung)
                    {
                        hung = true;
                        Console.Error.WriteLine($"Torchlet fuzz: case {i} (TORCHLET_FUZZ_SEED={runSeed} TORCHLET_FUZZ_CASE={i}) hung: {r.Op} [{r.Mode}] {r.Args}");
                    }
                    break;
            }
            if (hung) break; // the hung thread cannot be stopped and still runs: the rest of the run would compete with it
        }
        sw.Stop();
        _out.WriteLine($"{returned} returned, {raised} raised on purpose, {failed} failed in {sw.Elapsed.TotalSeconds:F1} s; " +
                       $"{opsReturned.Count} ops returned at least once; slowest case {slowest.index} ({slowest.op}) took {slowest.time.TotalMilliseconds:F0} ms");
        if (only is null)
        {
            var never = Enumerable.Range(0, FuzzCatalog.Ops.Count).Where(i => !opsReturned.Contains(i)).Select(i => FuzzCatalog.Describe(FuzzCatalog.Ops[i])).ToList();
            _out.WriteLine($"{never.Count} ops never returned (their arguments were always refused):");
            foreach (var o in never) _out.WriteLine("  " + o);
        }
        if (failures.Count == 0) return;

        var sb = new StringBuilder();
        sb.AppendLine($"{failed} of the fuzz cases failed ({failures.Count} distinct); run seed {runSeed}; replay the run with {replay}");
        foreach (var (key, (index, _, count)) in failures.OrderBy(f => f.Value.index))
            sb.AppendLine($"  {count,4}x  {key}  (first: case {index})");
        foreach (var (key, (index, r, count)) in failures.OrderBy(f => f.Value.index).Take(MaxReported))
        {
            sb.AppendLine();
            sb.AppendLine($"case {index} ({count}x like it; replay with TORCHLET_FUZZ_SEED={runSeed} TORCHLET_FUZZ_CASE={index}): {r.Op} [{r.Mode}]");
            sb.AppendLine($"  args: {r.Args}");
            sb.AppendLine($"  {r.Why}");
            if (r.Error is not null) sb.AppendLine("  " + (r.Error.StackTrace ?? "").Trim().Replace("\n", "\n  "));
        }
        Assert.Fail(sb.ToString());
    }

    // ---------------------------------------------------------------- the classifier's rule

    static Exception Catch(Action a)
    {
        try { a(); } catch (Exception e) { return e; }
        throw new InvalidOperationException("expected an exception");
    }

    [Fact]
    public void The_classifier_accepts_the_engines_own_errors()
    {
        Assert.Null(FuzzClassifier.Unintended(Catch(() => torch.zeros(2, 3).sum(5))));                // IndexError: dim out of range
        Assert.Null(FuzzClassifier.Unintended(Catch(() => torch.zeros(2, 3).add(torch.zeros(4)))));   // broadcast mismatch
    }

    [Fact]
    public void The_classifier_rejects_exceptions_leaking_from_the_runtime()
    {
        // The runtime's array-bound error (its stock message), a BCL throw helper (System.* throw site),
        // TensorPrimitives refusing an empty span, a null dereference.
        var arr = new int[1];
        int i = 1;
        Assert.NotNull(FuzzClassifier.Unintended(Catch(() => _ = arr[i])));
        Assert.NotNull(FuzzClassifier.Unintended(Catch(() => _ = new int[2].AsSpan().Slice(3))));
        Assert.NotNull(FuzzClassifier.Unintended(Catch(() => System.Numerics.Tensors.TensorPrimitives.Sigmoid(ReadOnlySpan<float>.Empty, Span<float>.Empty))));
        Assert.NotNull(FuzzClassifier.Unintended(Catch(() => throw new NullReferenceException())));
    }
}
