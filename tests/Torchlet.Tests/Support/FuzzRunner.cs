using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using Torchlet;

namespace Torchlet.Tests.Fuzzing;

/// <summary>How one fuzz case ended.</summary>
internal enum FuzzOutcome { Returned, RaisedOnPurpose, Failed, Hung }

internal sealed record FuzzResult(int OpIndex, FuzzOutcome Outcome, string Op, string Args, string Mode, Exception? Error, string? Why, TimeSpan Time);

/// <summary>
/// Runs fuzz cases: each picks an op from <see cref="FuzzCatalog"/>, makes its arguments with
/// <see cref="FuzzArgs"/>, calls it in one of three modes (grad enabled, no_grad, inference_mode) (a module
/// factory's module is then run forward on random inputs), then uses what it returned: reads every
/// returned tensor (checking its view stays inside its storage), sometimes prints it, and when a float
/// result records a graph runs backward and checks each leaf's grad has the leaf's shape and dtype.
/// Every step may raise, under the rule of <see cref="FuzzClassifier"/>. The case runs on a thread of its
/// own; one that does not finish within <see cref="Timeout"/> is reported as hung.
/// </summary>
internal static class FuzzRunner
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>The seed of case <paramref name="index"/> of a run: SplitMix64 of the run seed and the index.</summary>
    public static long CaseSeed(long runSeed, long index)
    {
        ulong z = unchecked((ulong)runSeed + 0x9E3779B97F4A7C15UL * (ulong)(index + 1));
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (long)((z ^ (z >> 31)) & long.MaxValue);
    }

    public static FuzzResult Run(long caseSeed)
    {
        FuzzResult? result = null;
        var thread = new Thread(() => result = RunHere(caseSeed)) { IsBackground = true, Name = $"fuzz case {caseSeed}" };
        var sw = Stopwatch.StartNew();
        thread.Start();
        if (!thread.Join(Timeout))
        {
            // The thread cannot be stopped; it is a background thread, so it does not keep the process alive.
            var (opIndex, op, args, mode) = Describe(caseSeed);
            return new FuzzResult(opIndex, FuzzOutcome.Hung, op, args, mode, null, $"did not finish within {Timeout.TotalSeconds} s", sw.Elapsed);
        }
        return result!;
    }

    /// <summary>The op, arguments and mode of a case, made again from its seed (for a hung case's report).</summary>
    static (int opIndex, string op, string args, string mode) Describe(long caseSeed)
    {
        try
        {
            var r = new Random(unchecked((int)caseSeed ^ (int)(caseSeed >> 32)));
            int opIndex = r.Next(FuzzCatalog.Ops.Count);
            var m = FuzzCatalog.Ops[opIndex];
            var mode = PickMode(r);
            var gen = new FuzzArgs(r);
            m = gen.Instantiate(m);
            gen.ForMethod(m, out _);
            return (opIndex, FuzzCatalog.Describe(m), gen.Description, mode);
        }
        catch (Exception e) { return (-1, "?", $"<could not describe: {e.Message}>", "?"); }
    }

    static string PickMode(Random r) => r.Next(100) switch { < 65 => "grad enabled", < 88 => "no_grad", _ => "inference_mode" };

    static FuzzResult RunHere(long caseSeed)
    {
        var sw = Stopwatch.StartNew();
        var r = new Random(unchecked((int)caseSeed ^ (int)(caseSeed >> 32)));
        int opIndex = r.Next(FuzzCatalog.Ops.Count);
        var method = FuzzCatalog.Ops[opIndex];
        var mode = PickMode(r);
        torch.manual_seed(caseSeed);
        var gen = new FuzzArgs(r);
        string op = FuzzCatalog.Describe(method);
        object?[] args;
        object? self;
        try
        {
            method = gen.Instantiate(method);
            op = FuzzCatalog.Describe(method);
            args = gen.ForMethod(method, out self);
        }
        catch (Exception e)
        {
            // Making the inputs only calls tensor(), permute, narrow, expand, index and requires_grad_ on valid arguments.
            return new FuzzResult(opIndex, FuzzOutcome.Failed, op, gen.Description, mode, e, "making the inputs failed: " + e.Message, sw.Elapsed);
        }

        string stage = "the op";
        try
        {
            using (mode == "no_grad" ? torch.no_grad() : mode == "inference_mode" ? torch.inference_mode() : null)
            {
                var ret = method.Invoke(self, BindingFlags.DoNotWrapExceptions, null, args, null);
                if (ret is torch.nn.Module module)
                {
                    // A module factory: print the module now and then, and run its forward on random inputs.
                    stage = "printing the module";
                    if (r.Next(5) == 0) _ = module.ToString();
                    var forwards = module.GetType().GetMethods(BindingFlags.Public | BindingFlags.Instance)
                        .Where(f => f.Name == "forward" && !f.IsAbstract && f.GetParameters().All(p => FuzzArgs.Supports(p.ParameterType)))
                        .OrderBy(f => f.GetParameters().Length).ToArray();
                    if (forwards.Length > 0)
                    {
                        var forward = forwards[r.Next(forwards.Length)];
                        if (r.Next(4) == 0) module.eval();
                        var fargs = gen.ForParameters(forward.GetParameters(), "forward.");
                        op += " then forward";
                        stage = "the module's forward";
                        ret = forward.Invoke(module, BindingFlags.DoNotWrapExceptions, null, fargs, null);
                    }
                }
                stage = "using the result";
                var problem = UseResult(ret, gen, r, ref stage);
                if (problem is not null)
                    return new FuzzResult(opIndex, FuzzOutcome.Failed, op, gen.Description, mode, null, problem, sw.Elapsed);
            }
            return new FuzzResult(opIndex, FuzzOutcome.Returned, op, gen.Description, mode, null, null, sw.Elapsed);
        }
        catch (Exception e)
        {
            var why = FuzzClassifier.Unintended(e);
            if (why is null) return new FuzzResult(opIndex, FuzzOutcome.RaisedOnPurpose, op, gen.Description, mode, e, null, sw.Elapsed);
            return new FuzzResult(opIndex, FuzzOutcome.Failed, op, gen.Description, mode, e, $"{stage} threw {why}", sw.Elapsed);
        }
    }

    /// <summary>Reads what the op returned; returns a description of a broken invariant, or null.</summary>
    static string? UseResult(object? ret, FuzzArgs gen, Random r, ref string stage)
    {
        var tensors = new List<Tensor>();
        Collect(ret, tensors, 0);
        foreach (var t in tensors)
        {
            if (CheckView(t) is { } bad) return "returned a broken tensor: " + bad;
            stage = "reading a returned tensor";
            var n = ReadAll(t);
            if (n != t.numel()) return $"a returned tensor of shape [{string.Join(", ", t.shape)}] read back {n} elements";
            if (r.Next(5) == 0) { stage = "printing a returned tensor"; _ = t.ToString(); }
        }
        // backward from the first result that records a graph
        var y = tensors.FirstOrDefault(t => t.requires_grad && t.grad_fn is not null && t.is_floating_point());
        if (y is null) return null;
        stage = "backward of a returned tensor";
        if (r.Next(2) == 0 || y.numel() == 0) y.sum().backward();
        else y.backward(torch.ones_like(y));
        foreach (var leaf in gen.Leaves)
        {
            var g = leaf.grad;
            if (g is null) continue;
            if (CheckView(g) is { } bad) return "backward left a broken grad: " + bad;
            if (!g.shape.SequenceEqual(leaf.shape))
                return $"backward gave a leaf of shape [{string.Join(", ", leaf.shape)}] a grad of shape [{string.Join(", ", g.shape)}]";
            if (g.dtype != leaf.dtype)
                return $"backward gave a {leaf.dtype.TorchName()} leaf a {g.dtype.TorchName()} grad";
            stage = "reading a grad";
            ReadAll(g);
        }
        return null;
    }

    static void Collect(object? v, List<Tensor> into, int depth)
    {
        if (v is null || depth > 3 || into.Count > 64) return;
        switch (v)
        {
            case Tensor t: into.Add(t); break;
            case string: break;
            case ITuple tup: for (int i = 0; i < tup.Length; i++) Collect(tup[i], into, depth + 1); break;
            case System.Collections.IEnumerable e:
                int k = 0;
                foreach (var x in e) { if (++k > 256) break; Collect(x, into, depth + 1); }
                break;
        }
    }

    static long ReadAll(Tensor t) => t.dtype switch
    {
        ScalarType.Float32 => t.ToArray<float>().Length,
        ScalarType.Float64 => t.ToArray<double>().Length,
        ScalarType.Int64 => t.ToArray<long>().Length,
        ScalarType.Int32 => t.ToArray<int>().Length,
        ScalarType.Byte => t.ToArray<byte>().Length,
        _ => t.ToArray<bool>().Length,
    };

    /// <summary>Every element of a non-empty view must lie inside its storage.</summary>
    static string? CheckView(Tensor t)
    {
        var shape = t._shape;
        var strides = t._strides;
        if (shape.Length != strides.Length) return $"{shape.Length} sizes but {strides.Length} strides";
        long lo = t._offset, hi = t._offset;
        foreach (var s in shape) if (s == 0) return null;
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] < 0) return $"negative size {shape[d]}";
            long reach = (long)(shape[d] - 1) * strides[d];
            if (reach < 0) lo += reach; else hi += reach;
        }
        if (lo < 0 || hi >= t._storage.Length)
            return $"shape [{string.Join(", ", shape)}], strides [{string.Join(", ", strides)}], offset {t._offset} reach elements {lo}..{hi} of a storage of {t._storage.Length}";
        return null;
    }
}

/// <summary>
/// Which exceptions count as raised on purpose. PyTorch raises ValueError, IndexError, RuntimeError,
/// NotImplementedError and ZeroDivisionError for bad arguments; Torchlet's twins are ArgumentException (and
/// its subclasses), IndexOutOfRangeException, InvalidOperationException, NotSupportedException and
/// DivideByZeroException. The type alone does not tell a deliberate throw from a leak: the runtime raises
/// IndexOutOfRangeException for a bad array index inside engine code, and a BCL method (Span.Slice,
/// TensorPrimitives, a cast) raises ArgumentException and kin. So an exception is on purpose only if
/// <list type="number">
/// <item>its type is one of those five (or derives from them),</item>
/// <item>its throw site (the top frame of its stack trace) is a method of the Torchlet assembly, not of
/// System.* or another library, and</item>
/// <item>its message is the engine's own, not one of the runtime's stock messages ("Index was outside
/// the bounds of the array.", "Specified argument was out of the range of valid values.", "Attempted to
/// divide by zero.", "Input span arguments must not be empty.", ...).</item>
/// </list>
/// Anything else (NullReferenceException, InvalidCastException, OverflowException, OutOfMemoryException,
/// KeyNotFoundException, AggregateException, TypeInitializationException, ...) is a leak.
/// </summary>
internal static class FuzzClassifier
{
    static readonly Type[] s_allowed =
    [
        typeof(ArgumentException), typeof(IndexOutOfRangeException), typeof(InvalidOperationException),
        typeof(NotSupportedException), typeof(DivideByZeroException),
    ];

    static readonly string[] s_stockMessages =
    [
        new IndexOutOfRangeException().Message,
        new ArgumentException().Message,
        new ArgumentOutOfRangeException().Message,
        new ArgumentNullException().Message,
        new InvalidOperationException().Message,
        new NotSupportedException().Message,
        new DivideByZeroException().Message,
        new OverflowException().Message,
        new NullReferenceException().Message,
        "Input span arguments must not be empty",
        "Destination is too short",
        "Arithmetic operation resulted in an overflow",
        "Collection was modified",
        "Sequence contains no elements",
        "Index was out of range",
        "Offset and length were out of bounds",
    ];

    static readonly Assembly s_engine = typeof(Tensor).Assembly;

    /// <summary>Null if <paramref name="e"/> was raised on purpose by the engine, else why not.</summary>
    public static string? Unintended(Exception e)
    {
        var type = e.GetType();
        string what = $"{type.FullName}: {e.Message}";
        if (!s_allowed.Any(a => a.IsAssignableFrom(type))) return $"{what} (not a type the engine raises on purpose)";
        var top = new StackTrace(e, false).GetFrame(0)?.GetMethod();
        if (top is null) return $"{what} (no throw site)";
        var declaring = top.DeclaringType;
        if (declaring?.Assembly != s_engine)
            return $"{what} (thrown by {declaring?.FullName ?? "?"}.{top.Name}, not by the engine)";
        foreach (var stock in s_stockMessages)
            if (e.Message.Contains(stock, StringComparison.Ordinal))
                return $"{what} (the runtime's message, raised in {declaring.FullName}.{top.Name})";
        return null;
    }

    /// <summary>The throw site, for grouping failures.</summary>
    public static string Site(Exception e)
    {
        var top = new StackTrace(e, false).GetFrame(0)?.GetMethod();
        return top is null ? "?" : $"{top.DeclaringType?.FullName}.{top.Name}";
    }
}
