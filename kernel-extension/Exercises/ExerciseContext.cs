using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using Module = Torchlet.torch.nn.Module;

namespace Torchlet.Interactive.Exercises;

/// <summary>
/// What a checker works with: the learner's variables (read from the C# kernel), a way to run the learner's
/// functions safely, and <c>Expect…</c> helpers that record what is right and what is wrong in precise words.
/// </summary>
/// <remarks>
/// Reading a variable (<see cref="Tensor"/>, <see cref="Value{T}"/>, <see cref="Function{TDelegate}"/>,
/// <see cref="Module{TModule}"/>, <see cref="Given{T}"/>) and running learner code (<see cref="Call{T}(string, Func{T})"/>)
/// end the check when they cannot go on (nothing of that name, a wrong type, an exception, a time-out): the
/// checker does not catch anything. The <c>Expect…</c> helpers never end it: they record a ✓ or ✗ line and
/// return whether the expectation held, so one check reports every problem it can see.
/// Names in messages are written as <c>`x`</c>, shown as code.
/// </remarks>
public sealed class ExerciseContext
{
    readonly IVariableSource _variables;
    readonly List<VerdictLine> _lines = [];
    int _found;

    internal ExerciseContext(Exercise exercise, IVariableSource variables, int seed = 20240607)
    {
        Exercise = exercise;
        _variables = variables;
        Generator = new torch.Generator(seed);
    }

    /// <summary>The exercise being checked.</summary>
    public Exercise Exercise { get; }

    /// <summary>
    /// A generator of its own for fresh inputs (<c>torch.randn(shape, generator: c.Generator)</c>): seeded the same
    /// on every check, so a verdict is reproducible, and the notebook's default generator is left alone.
    /// </summary>
    public torch.Generator Generator { get; }

    /// <summary>What the checker recorded so far (a copy: a checker that overran its time may still be adding lines).</summary>
    internal IReadOnlyList<VerdictLine> Lines { get { lock (_lines) return [.. _lines]; } }

    /// <summary>Whether any of the learner's variables was found (if none was, the verdict is "missing": not an attempt).</summary>
    internal bool FoundAny => _found > 0;

    // ------------------------------------------------------------------ reading the notebook

    /// <summary>Whether the notebook has a variable of that name (of any type). Does not end the check.</summary>
    public bool Has(string name) => _variables.TryGet(name, out _);

    /// <summary>The learner's tensor <paramref name="name"/>.</summary>
    public Tensor Tensor(string name) => Value<Tensor>(name);

    /// <summary>
    /// The learner's variable <paramref name="name"/> as a <typeparamref name="T"/>. Numbers widen as C# would
    /// (an <c>int</c> is accepted where a <c>double</c> or <c>long</c> is asked for, an <c>int[]</c> for a <c>long[]</c>).
    /// </summary>
    public T Value<T>(string name) => Read<T>(name, given: false, how: null);

    /// <summary>
    /// The learner's function <paramref name="name"/>, a variable of delegate type such as <c>Func&lt;Tensor, Tensor&gt;</c>
    /// (a method declared in a cell is not a variable: the message says so). Run it with <see cref="Call{T}(string, Func{T})"/>.
    /// </summary>
    public TDelegate Function<TDelegate>(string name) where TDelegate : Delegate
    {
        var f = Read<TDelegate>(name, given: false,
            how: $"define it as a variable, `{TypeNames.Of(typeof(TDelegate))} {name} = …;` (a method declared in a cell is not visible to the checker)");
        // A function that did not return last time is not started again: each start would keep one more thread busy.
        if (Hung.TryGetValue(f, out var expression))
            throw new CheckStopped($"`{name}` is still the function that did not return when `{expression}` was checked (it keeps running in the background): " +
                                   $"run the cell that defines `{name}` again after fixing it, then check again");
        _functionsRead.Add(f);
        return f;
    }

    // Functions whose call timed out, by identity; entries go when the learner's variable no longer holds them.
    static readonly ConditionalWeakTable<Delegate, string> Hung = new();
    readonly List<Delegate> _functionsRead = [];

    /// <summary>The learner's module <paramref name="name"/> (e.g. a <c>Conv2d</c>, or any <c>nn.Module</c>).</summary>
    public TModule Module<TModule>(string name) where TModule : Module => Read<TModule>(name, given: false, how: null);

    /// <summary>A variable that the exercise's <see cref="Exercise.Setup"/> cell defines (finding it does not count as an attempt).</summary>
    public T Given<T>(string name) => Read<T>(name, given: true, how: null);

    T Read<T>(string name, bool given, string? how)
    {
        if (!_variables.TryGet(name, out var value))
        {
            if (!given && _variables.IsMethod(name))
            {
                _found++;   // an attempt, in a form the checker cannot use
                throw new CheckStopped($"`{name}` is a method declared in a cell, which the checker cannot see or call: define it as a variable instead, " +
                                       $"`{TypeNames.Of(typeof(T))} {name} = …;`" + (typeof(Delegate).IsAssignableFrom(typeof(T)) ? " (a lambda)" : ""));
            }
            var message = given
                ? $"nothing named `{name}` yet — the exercise's setup cell defines it: run the cells above first"
                : $"nothing named `{name}` yet — " + (how ?? $"define `{name}` in your answer cell and run it");
            if (Similar(name) is { } near) message += $" (there is a `{near}`: names are case-sensitive)";
            throw new CheckStopped(message, missing: true);
        }
        if (!given) _found++;
        if (value is T t) return t;
        if (value is not null && Widen(value, out T widened)) return widened;
        throw new CheckStopped(value is null
            ? $"`{name}` is null, expected {TypeNames.WithArticle(typeof(T))} (if the cell that sets it stopped at an error, fix the error and run that cell again)"
            : $"`{name}` is {TypeNames.WithArticle(value.GetType())}, expected {TypeNames.WithArticle(typeof(T))}");
    }

    static bool Widen<T>(object value, out T widened)
    {
        object? r = (typeof(T), value) switch
        {
            (var t, int i) when t == typeof(long) => (long)i,
            (var t, int i) when t == typeof(double) => (double)i,
            (var t, long l) when t == typeof(double) => (double)l,
            (var t, float f) when t == typeof(double) => (double)f,
            (var t, int[] a) when t == typeof(long[]) => a.Select(x => (long)x).ToArray(),
            (var t, float[] a) when t == typeof(double[]) => a.Select(x => (double)x).ToArray(),
            _ => null,
        };
        if (r is T t2) { widened = t2; return true; }
        widened = default!;
        return false;
    }

    string? Similar(string name) =>
        _variables.Names().FirstOrDefault(n => n != name && string.Equals(n, name, StringComparison.OrdinalIgnoreCase));

    // ------------------------------------------------------------------ running the learner's code

    /// <summary>
    /// Runs the learner's code (e.g. <c>() =&gt; f(x)</c>) on a thread of its own and returns its result. An exception it
    /// throws, a null result or no result within the exercise's <see cref="Exercise.TimeLimit"/> ends the check with
    /// a "not yet" naming <paramref name="expression"/> (e.g. <c>f(x)</c>). .NET cannot stop a thread: code that never
    /// returns keeps running in the background, and the verdict says so.
    /// </summary>
    public T Call<T>(string expression, Func<T> call) => Run(expression, _ => call(), token: false);

    /// <summary>
    /// As <see cref="Call{T}(string, Func{T})"/>, for an exercise whose function takes a <see cref="CancellationToken"/>
    /// (e.g. <c>ct =&gt; train(model, ct)</c>): the token is cancelled when the time limit is reached.
    /// </summary>
    public T Call<T>(string expression, Func<CancellationToken, T> call) => Run(expression, call, token: true);

    /// <summary>Runs learner code that returns nothing (an <c>Action</c>), with the same protection.</summary>
    public void Call(string expression, Action call) => Run<object?>(expression, _ => { call(); return null; }, token: false, allowNull: true);

    T Run<T>(string expression, Func<CancellationToken, T> body, bool token, bool allowNull = false)
    {
        var limit = Exercise.TimeLimit;
        var cts = new CancellationTokenSource();
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        // A thread of its own (not the pool): a function that never returns keeps only this thread busy.
        var thread = new Thread(() =>
        {
            try { done.TrySetResult(body(cts.Token)); }
            catch (Exception e) { done.TrySetException(e); }
        }, 16 * 1024 * 1024) { IsBackground = true, Name = $"Torchlet exercise {Exercise.Id}: {expression}" };
        thread.Start();
        var finished = ((IAsyncResult)done.Task).AsyncWaitHandle.WaitOne(limit);
        if (!finished)
        {
            string what;
            bool stillRunning = true;
            if (token)
            {
                cts.Cancel();
                bool stopped = ((IAsyncResult)done.Task).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(1));
                stillRunning = !stopped;
                what = stopped
                    ? "its CancellationToken was cancelled and it stopped"
                    : "its CancellationToken was cancelled but it has not stopped: it keeps running in the background (check `token.IsCancellationRequested` in its loop, or pass the token on)";
            }
            else
            {
                what = "it keeps running in the background (.NET cannot stop it; a loop that never ends keeps one core busy until the kernel restarts)";
                // The source is dropped with the thread; it needs no disposal without a token.
            }
            // The learner's function that hung, when this check has read exactly one (a call may also run the checker's own code).
            if (stillRunning && _functionsRead.Count == 1) Hung.AddOrUpdate(_functionsRead[0], expression);
            throw new CheckStopped($"`{expression}` did not return within {Seconds(limit)}: {what}");
        }
        cts.Dispose();
        if (done.Task.IsFaulted)
        {
            var e = Unwrap(done.Task.Exception!);
            if (e is CheckStopped) throw e;
            throw new CheckStopped($"`{expression}` threw {e.GetType().Name}: {e.Message}");
        }
        var result = done.Task.Result;
        if (result is null && !allowNull && default(T) is null)
            throw new CheckStopped($"`{expression}` returned null, expected {TypeNames.WithArticle(typeof(T))}");
        return result;
    }

    /// <summary>
    /// Whether the autograd graph behind <paramref name="t"/> has a node named <paramref name="node"/>: how a checker
    /// tells that a learner's "by hand" function called the library's op (its own backward node shows up).
    /// </summary>
    internal static bool GraphHas(Tensor t, string node)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Node>();
        if (t.grad_fn is { } root) stack.Push(root);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!seen.Add(n)) continue;
            if (n.name() == node) return true;
            foreach (var next in n.next_functions) if (next is not null) stack.Push(next);
        }
        return false;
    }

    static Exception Unwrap(Exception e)
    {
        while (true)
        {
            if (e is AggregateException { InnerExceptions.Count: 1 } a) e = a.InnerExceptions[0];
            else if (e is TargetInvocationException { InnerException: { } inner }) e = inner;
            else return e;
        }
    }

    static string Seconds(TimeSpan t) =>
        t.TotalSeconds >= 1 ? t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s"
                            : t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";

    // ------------------------------------------------------------------ free-form lines

    /// <summary>Records something right (✓).</summary>
    public void Right(string message) => Add(VerdictLineKind.Right, message);

    /// <summary>Records something wrong (✗); returns false, so <c>return c.Wrong(…)</c> reads well in a helper.</summary>
    public bool Wrong(string message) { Add(VerdictLineKind.Wrong, message); return false; }

    /// <summary>A remark under the verdict (e.g. why a typical mistake gives this result).</summary>
    public void Note(string message) => Add(VerdictLineKind.Note, message);

    /// <summary>Ends the check with "not yet: <paramref name="message"/>": <c>throw c.Stop("…")</c>.</summary>
    public Exception Stop(string message) => new CheckStopped(message);

    /// <summary>Records <paramref name="right"/> when <paramref name="condition"/> holds, else <paramref name="wrong"/>.</summary>
    public bool Expect(bool condition, string right, string wrong)
    {
        if (condition) Right(right); else Wrong(wrong);
        return condition;
    }

    void Add(VerdictLineKind kind, string text)
    {
        // Helpers that check the same thing (a shape, before the values) say it once.
        lock (_lines)
            if (!_lines.Any(l => l.Kind == kind && l.Text == text)) _lines.Add(new(kind, text));
    }

    // ------------------------------------------------------------------ tensors

    /// <summary><c>`x` has shape [2, 3]</c>, or <c>`x` has shape [3, 2], expected [2, 3]</c>.</summary>
    public bool ExpectShape(Tensor t, string name, params long[] shape)
    {
        var actual = t.shape;
        return Expect(actual.SequenceEqual(shape),
            $"`{name}` has shape {Html.ShapeText(actual)}",
            $"`{name}` has shape {Html.ShapeText(actual)}, expected {Html.ShapeText(shape)}");
    }

    /// <summary><c>`x` has dtype torch.float64</c>, or what it has instead.</summary>
    public bool ExpectDtype(Tensor t, string name, ScalarType dtype) =>
        Expect(t.dtype == dtype,
            $"`{name}` has dtype {Html.DType(dtype)}",
            $"`{name}` has dtype {Html.DType(t.dtype)}, expected {Html.DType(dtype)}");

    /// <summary>
    /// Same shape and values within tolerance (by default: exact for integer and bool tensors, PyTorch's
    /// <c>torch.testing</c> tolerances for floating ones, by <paramref name="expected"/>'s dtype). When values differ,
    /// says how many and where the largest difference is: <c>`y[1, 2]` is 0.73, expected 0.5 (off by 0.23)</c>.
    /// The dtype is not compared: use <see cref="ExpectDtype"/> for that.
    /// </summary>
    public bool ExpectClose(Tensor actual, string name, Tensor expected, double? rtol = null, double? atol = null)
    {
        if (!actual.shape.SequenceEqual(expected.shape))
            return Wrong($"`{name}` has shape {Html.ShapeText(actual.shape)}, expected {Html.ShapeText(expected.shape)}");
        var (r, a) = Tolerances(expected.dtype);
        double rt = rtol ?? r, at = atol ?? a;
        double[] x = Values(actual), y = Values(expected);
        int bad = 0, worst = -1;
        double worstDiff = -1;
        for (int i = 0; i < x.Length; i++)
        {
            double d = Math.Abs(x[i] - y[i]);
            bool nanMismatch = double.IsNaN(x[i]) != double.IsNaN(y[i]);
            bool ok = !nanMismatch && (double.IsNaN(x[i]) || x[i] == y[i] || d <= at + rt * Math.Abs(y[i]));
            if (ok) continue;
            bad++;
            double rank = nanMismatch || double.IsNaN(d) ? double.PositiveInfinity : d;
            if (rank > worstDiff) { worstDiff = rank; worst = i; }
        }
        if (bad == 0)
        {
            Right(x.Length <= 8 ? $"`{name}` is {Nested(x, expected.shape)}" : $"`{name}` has the expected values");
            return true;
        }
        var where = expected.dim() == 0 ? $"`{name}`" : $"`{name}{Index(worst, expected.shape)}`";
        var diff = Math.Abs(x[worst] - y[worst]);
        var text = $"{where} is {Num(x[worst])}, expected {Num(y[worst])}" + (double.IsFinite(diff) ? $" (off by {Num(diff)})" : "");
        if (x.Length > 1)
            text += bad == x.Length ? $"; all {x.Length} values differ" : $"; {bad} of {x.Length} values differ";
        return Wrong(text);
    }

    /// <summary>Same shape and exactly the same values (<see cref="ExpectClose(Tensor, string, Tensor, double?, double?)"/> with no tolerance).</summary>
    public bool ExpectEqual(Tensor actual, string name, Tensor expected) => ExpectClose(actual, name, expected, 0, 0);

    /// <summary>A number within <paramref name="atol"/> of the expected one: <c>`lr` is 0.1, expected 0.01 (off by 0.09)</c>.</summary>
    public bool ExpectClose(double actual, string name, double expected, double atol = 1e-6) =>
        Expect(Math.Abs(actual - expected) <= atol,
            $"`{name}` is {Num(actual)}",
            $"`{name}` is {Num(actual)}, expected {Num(expected)} (off by {Num(Math.Abs(actual - expected))})");

    /// <summary><c>requires_grad</c> as expected, with how to set it.</summary>
    public bool ExpectRequiresGrad(Tensor t, string name, bool expected = true) =>
        Expect(t.requires_grad == expected,
            expected ? $"`{name}` requires grad" : $"`{name}` does not require grad",
            expected
                ? $"`{name}` does not require grad: create it with `requires_grad: true` (or call `{name}.requires_grad_()`)"
                : $"`{name}` requires grad, expected it not to (create it without `requires_grad`, or use `{name}.detach()`)");

    /// <summary>Whether <paramref name="view"/> shares <paramref name="of"/>'s storage (a view, not a copy).</summary>
    public bool ExpectSameStorage(Tensor view, string name, Tensor of, string ofName) =>
        Expect(ReferenceEquals(StorageOf(view), StorageOf(of)),
            $"`{name}` shares `{ofName}`'s storage (a view: writing to one changes the other)",
            $"`{name}` does not share `{ofName}`'s storage: it is a copy, so writing to `{name}` would not change `{ofName}`");

    /// <summary>Whether two tensors share one storage (views of each other or of a common base).</summary>
    public static bool SameStorage(Tensor a, Tensor b) => ReferenceEquals(StorageOf(a), StorageOf(b));

    // The engine does not expose a tensor's storage (PyTorch's untyped_storage()); its field is read here.
    static readonly FieldInfo? StorageField = typeof(Tensor).GetField("_storage", BindingFlags.Instance | BindingFlags.NonPublic);

    static object StorageOf(Tensor t) =>
        StorageField?.GetValue(t) ?? throw new InvalidOperationException("this version of the engine does not let the checker see a tensor's storage");

    // ------------------------------------------------------------------ modules and results

    /// <summary>
    /// A module's (or any object's) configuration: each property as expected, e.g.
    /// <c>c.ExpectConfig(conv, "conv", ("kernel_size", new long[] { 3, 3 }), ("stride", new long[] { 1, 1 }))</c>
    /// → <c>`conv.kernel_size` is (5, 5), expected (3, 3)</c>. Arrays compare element by element.
    /// </summary>
    public bool ExpectConfig(object module, string name, params (string property, object? expected)[] settings)
    {
        bool all = true;
        foreach (var (property, expected) in settings)
        {
            var type = module.GetType();
            var member = (MemberInfo?)type.GetProperty(property, BindingFlags.Instance | BindingFlags.Public)
                         ?? type.GetField(property, BindingFlags.Instance | BindingFlags.Public)
                         ?? throw new InvalidOperationException($"{TypeNames.Of(type)} has no public property '{property}' (exercise {Exercise.Id}'s checker asks for it)");
            var actual = member is PropertyInfo p ? p.GetValue(module) : ((FieldInfo)member).GetValue(module);
            all &= Expect($"{name}.{property}", actual, expected);
        }
        return all;
    }

    /// <summary>
    /// Equality of two values (numbers, strings, arrays element by element):
    /// <c>`what` is A</c>, or <c>`what` is A, expected B</c>.
    /// </summary>
    public bool Expect<T>(string what, T actual, T expected) =>
        Expect(Same(actual, expected), $"`{what}` is {Show(actual)}", $"`{what}` is {Show(actual)}, expected {Show(expected)}");

    /// <summary>An accuracy (a fraction in [0, 1]) reached: <c>`accuracy` is 82.5%, not yet 90% (7.5 points to go)</c>.</summary>
    public bool ExpectAccuracy(double accuracy, string what, double atLeast) =>
        Expect(accuracy >= atLeast,
            $"`{what}` is {Percent(accuracy)} (at least {Percent(atLeast)})",
            $"`{what}` is {Percent(accuracy)}, not yet {Percent(atLeast)} ({Num(Math.Round((atLeast - accuracy) * 100, 2))} points to go)");

    // ------------------------------------------------------------------ formatting

    /// <summary>A number as messages show it: integers without a point, others with 6 significant digits.</summary>
    public static string Num(double v) =>
        double.IsNaN(v) ? "nan"
        : double.IsPositiveInfinity(v) ? "inf"
        : double.IsNegativeInfinity(v) ? "-inf"
        : v == Math.Floor(v) && Math.Abs(v) < 1e15 ? ((long)v).ToString(CultureInfo.InvariantCulture)
        : v.ToString("G6", CultureInfo.InvariantCulture);

    static string Percent(double fraction) => Num(Math.Round(fraction * 100, 2)) + "%";

    static (double rtol, double atol) Tolerances(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => (1.3e-6, 1e-5),
        ScalarType.Float64 => (1e-7, 1e-7),
        _ => (0, 0),
    };

    static double[] Values(Tensor t)
    {
        using var _ = torch.no_grad();
        return t.detach().ToArray<double>();
    }

    /// <summary>Few values as PyTorch lists them: <c>3</c>, <c>[0, 2, 4]</c>, <c>[[1, 2], [3, 4]]</c>.</summary>
    static string Nested(double[] values, long[] shape)
    {
        if (shape.Length == 0) return Num(values[0]);
        int pos = 0;
        string Level(int d)
        {
            var items = new List<string>();
            for (long i = 0; i < shape[d]; i++)
                items.Add(d == shape.Length - 1 ? Num(values[pos++]) : Level(d + 1));
            return "[" + string.Join(", ", items) + "]";
        }
        return Level(0);
    }

    static string Index(int flat, long[] shape)
    {
        var idx = new long[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            idx[d] = flat % shape[d];
            flat = (int)(flat / shape[d]);
        }
        return "[" + string.Join(", ", idx) + "]";
    }

    static bool Same(object? a, object? b)
    {
        if (a is null || b is null) return a is null && b is null;
        if (a is System.Collections.IEnumerable ea && b is System.Collections.IEnumerable eb && a is not string)
        {
            var la = ea.Cast<object?>().ToList();
            var lb = eb.Cast<object?>().ToList();
            return la.Count == lb.Count && la.Zip(lb).All(p => Same(p.First, p.Second));
        }
        if (IsNumber(a) && IsNumber(b))
            return Convert.ToDouble(a, CultureInfo.InvariantCulture) == Convert.ToDouble(b, CultureInfo.InvariantCulture);
        return a.Equals(b);
    }

    static bool IsNumber(object o) => o is int or long or short or byte or float or double or decimal;

    /// <summary>A value as messages show it: numbers plainly, arrays as PyTorch's tuples <c>(3, 3)</c>, strings quoted.</summary>
    public static string Show(object? v) => v switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        bool b => b ? "true" : "false",
        double d => Num(d),
        float f => Num(f),
        Tensor t => $"a tensor of shape {Html.ShapeText(t.shape)}",
        System.Collections.IEnumerable e => "(" + string.Join(", ", e.Cast<object?>().Select(Show)) + ")",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}

/// <summary>Ends a check: "not yet" with the message, or "missing" when nothing of the learner's was found.</summary>
internal sealed class CheckStopped(string message, bool missing = false) : Exception(message)
{
    public bool Missing { get; } = missing;
}

/// <summary>Where checkers read the learner's variables from (the C# kernel; a dictionary in unit tests).</summary>
internal interface IVariableSource
{
    bool TryGet(string name, out object? value);
    IEnumerable<string> Names();
    /// <summary>Whether a method of that name was declared in a cell (checkers cannot call it, but can say so).</summary>
    bool IsMethod(string name) => false;
}

/// <summary>Type names as a learner writes them: <c>int</c>, <c>long[]</c>, <c>Func&lt;Tensor, Tensor&gt;</c>, <c>Conv2d</c>.</summary>
internal static class TypeNames
{
    public static string Of(Type t)
    {
        if (t.IsArray) return Of(t.GetElementType()!) + "[" + new string(',', t.GetArrayRank() - 1) + "]";
        if (Nullable.GetUnderlyingType(t) is { } u) return Of(u) + "?";
        var keyword = Type.GetTypeCode(t) switch
        {
            TypeCode.Int32 => "int", TypeCode.Int64 => "long", TypeCode.Double => "double", TypeCode.Single => "float",
            TypeCode.Boolean => "bool", TypeCode.String => "string", TypeCode.Byte => "byte", TypeCode.Int16 => "short",
            TypeCode.Decimal => "decimal", TypeCode.Char => "char",
            _ => null,
        };
        if (keyword is not null && !t.IsEnum) return keyword;
        if (t == typeof(object)) return "object";
        // Types nested in torch.nn (Module, Module<T, TResult>) are written nn.Module in a notebook.
        var scope = t.DeclaringType == typeof(torch.nn) ? "nn." : "";
        if (t.IsGenericType)
        {
            var name = t.Name[..t.Name.IndexOf('`')];
            return scope + name + "<" + string.Join(", ", t.GetGenericArguments().Select(Of)) + ">";
        }
        return scope + t.Name;
    }

    public static string WithArticle(Type t)
    {
        var name = Of(t);
        // "an SGD", "an LSTM", "a GRU": an acronym takes the article of its first letter's name.
        bool acronym = name.Length > 1 && char.IsUpper(name[0]) && char.IsUpper(name[1]);
        var article = (acronym ? "AEFHILMNORSX" : "aeiouAEIOU").Contains(name[0]) ? "an " : "a ";
        if (typeof(Module).IsAssignableFrom(t) && t != typeof(Module) && t.Name != "Module") return article + name + " (an nn.Module)";
        return article + name;
    }
}
