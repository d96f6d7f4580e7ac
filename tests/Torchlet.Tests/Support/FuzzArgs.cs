using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using Torchlet;

namespace Torchlet.Tests.Fuzzing;

/// <summary>
/// Random arguments for one fuzz case, by parameter type (and, for a better chance of reaching past the
/// argument checks, by parameter name: dims near the rank, index tensors of small int64 values, masks of
/// bools, a convolution's weight fitting its input). Tensors have every dtype, 0 to 5 dims of 0 to 4
/// elements (at most 64 elements), and come contiguous, permuted, strided (a step or an offset) or
/// expanded (stride 0); float ones sometimes require grad, as a leaf or as the output of a view. A case's
/// tensors mostly share a dtype and draw their sizes from a few values, so that they often fit together.
/// Integers are mostly small, sometimes out of range (negative, past the rank) and sometimes huge (int and
/// long extremes, 2^32 + 1, 2^40): sizes that large must be refused before anything is allocated, so a case
/// stays small either way. Doubles include 0, -0, NaN, ±inf and ±1e30; tensors hold such values now and then.
/// All choices come from the case's own <see cref="Random"/>, so a case seed replays a case.
/// </summary>
internal sealed class FuzzArgs
{
    public readonly Random R;
    readonly int[] _baseShape;
    // A case's shapes draw their sizes mostly from two or three values, so that independently made tensors
    // often fit each other (mm's inner sizes, a conv's channels, a loss's batch) and ops get past their checks.
    readonly int[] _sizes;
    // Most of a case's tensors share one dtype (as real calls do), the rest have any.
    readonly ScalarType _dtype;
    Tensor? _lastLeaf;
    string _op = "";
    readonly StringBuilder _desc = new();
    public Tensor? Primary;
    /// <summary>Leaves that require grad: after backward their grads must have their shape and dtype.</summary>
    public readonly List<Tensor> Leaves = [];

    static readonly NullabilityInfoContext s_nullability = new();

    public FuzzArgs(Random r)
    {
        R = r;
        _sizes = Enumerable.Range(0, R.Next(2, 4)).Select(_ => R.Next(100) < 8 ? 0 : R.Next(1, 5)).ToArray();
        _baseShape = RandomShape();
        _dtype = AnyDType();
    }

    public string Description => _desc.ToString();

    public static readonly ScalarType[] DTypes =
        [ScalarType.Float32, ScalarType.Float64, ScalarType.Int64, ScalarType.Int32, ScalarType.Byte, ScalarType.Bool];

    static readonly Type[] s_elementTypes = [typeof(float), typeof(double), typeof(long), typeof(int), typeof(byte), typeof(bool)];

    // Past what any array holds, or past int (2^32 + 1 is 1 when cast to int, 2^32 is 0: a size or dim that
    // is narrowed without a check passes as a small valid one).
    static readonly long[] s_hugeLongs =
        [int.MaxValue, int.MinValue, (long)int.MaxValue + 1, (1L << 32) + 1, 1L << 32, 1L << 40, -(1L << 40), long.MaxValue, long.MinValue];

    static readonly double[] s_doubles =
        [0, -0.0, 1, -1, 0.5, 2, -2.5, 1e-8, 3.7, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e30, -1e30];

    static readonly Dictionary<string, string[]> s_strings = new()
    {
        ["reduction"] = ["mean", "sum", "none", "batchmean", "avg"],
        ["mode"] = ["constant", "reflect", "replicate", "circular", "nearest", "linear", "bilinear", "bicubic", "trilinear", "area",
                    "nearest-exact", "fan_in", "fan_out", "zeros", "Nearest", ""],
        ["padding_mode"] = ["constant", "edge", "reflect", "symmetric", "zeros", "circular", "wrap"],
        ["approximate"] = ["none", "tanh", "erf"],
        ["nonlinearity"] = ["linear", "conv1d", "conv2d", "conv3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu", "gelu"],
        ["p"] = ["fro", "nuc", "inf", "2", ""],
    };

    static readonly string[] s_dimNames = ["dim", "dim0", "dim1", "start_dim", "end_dim", "a", "b", "dims"];
    static readonly string[] s_indexTensorNames = ["index", "indices", "target"];
    static readonly string[] s_maskNames = ["mask", "condition"];

    // ---------------------------------------------------------------- which types we can make

    public static bool Supports(Type t)
    {
        if (Nullable.GetUnderlyingType(t) is { } u) return Supports(u);
        if (t.IsGenericParameter) return true; // "where T : unmanaged", chosen per case
        if (t == typeof(Tensor) || t == typeof(Scalar) || t == typeof(long) || t == typeof(int) || t == typeof(double)
            || t == typeof(float) || t == typeof(bool) || t == typeof(byte) || t == typeof(string) || t == typeof(object)
            || t == typeof(TensorIndex) || t == typeof(torch.Generator) || t.IsEnum)
            return true;
        if (t.IsArray) return Supports(t.GetElementType()!);
        if (t.IsGenericType)
        {
            var def = t.GetGenericTypeDefinition();
            var args = t.GetGenericArguments();
            if (def == typeof(IList<>) || def == typeof(IEnumerable<>) || def == typeof(IReadOnlyList<>))
                return args[0] == typeof(Tensor);
            if (def.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal)) return args.All(Supports);
        }
        return false;
    }

    // ---------------------------------------------------------------- arguments

    /// <summary>Instantiates a generic method with a random element type (now and then one Torchlet has no dtype for).</summary>
    public MethodInfo Instantiate(MethodInfo m)
    {
        if (!m.IsGenericMethodDefinition) return m;
        var ts = m.GetGenericArguments().Select(_ => R.Next(20) == 0 ? typeof(short) : s_elementTypes[R.Next(s_elementTypes.Length)]).ToArray();
        return m.MakeGenericMethod(ts);
    }

    public object?[] ForMethod(MethodInfo m, out object? self)
    {
        _op = m.Name;
        self = null;
        if (!m.IsStatic)
        {
            self = MakeTensor("self");
            Note("self", self);
        }
        return ForParameters(m.GetParameters(), "");
    }

    public object?[] ForParameters(ParameterInfo[] ps, string prefix)
    {
        var args = new object?[ps.Length];
        for (int i = 0; i < ps.Length; i++)
        {
            var p = ps[i];
            if (p.HasDefaultValue && R.Next(4) == 0) args[i] = DefaultOf(p);
            else args[i] = Make(p.ParameterType, p.Name ?? "", AcceptsNull(p));
            Note(prefix + (p.Name ?? $"arg{i}"), args[i]);
        }
        return args;
    }

    static bool AcceptsNull(ParameterInfo p)
    {
        if (p.ParameterType.IsValueType) return Nullable.GetUnderlyingType(p.ParameterType) is not null;
        return s_nullability.Create(p).WriteState == NullabilityState.Nullable;
    }

    static object? DefaultOf(ParameterInfo p)
    {
        var t = p.ParameterType;
        var v = p.DefaultValue;
        var u = Nullable.GetUnderlyingType(t) ?? t;
        if (v is null || v is DBNull || v == Type.Missing)
            return t.IsValueType && Nullable.GetUnderlyingType(t) is null ? Activator.CreateInstance(t) : null;
        if (u.IsEnum && v.GetType() != u) return Enum.ToObject(u, v);
        return v;
    }

    object? Make(Type t, string name, bool nullable)
    {
        if (nullable && R.Next(5) == 0) return null;
        var u = Nullable.GetUnderlyingType(t) ?? t;
        if (u == typeof(Tensor)) return MakeTensor(name);
        if (u == typeof(Scalar)) return MakeScalar();
        if (u == typeof(long)) return MakeLong(name);
        if (u == typeof(int)) return MakeInt(name);
        if (u == typeof(double)) return MakeDouble(name);
        if (u == typeof(float)) return (float)MakeDouble(name);
        if (u == typeof(bool)) return R.Next(2) == 0;
        if (u == typeof(byte)) return (byte)R.Next(256);
        if (u == typeof(short)) return (short)R.Next(-5, 6);
        if (u == typeof(string)) return MakeString(name);
        if (u == typeof(object)) return R.Next(2) == 0 ? MakeTensor(name) : R.Next(3);
        if (u == typeof(TensorIndex)) return MakeIndex();
        if (u == typeof(torch.Generator)) return new torch.Generator(R.NextInt64());
        if (u.IsEnum) return MakeEnum(u);
        if (u.IsArray) return MakeArray(u, name);
        if (u.IsGenericType)
        {
            var def = u.GetGenericTypeDefinition();
            if (def == typeof(IList<>) || def == typeof(IEnumerable<>) || def == typeof(IReadOnlyList<>))
                return MakeTensorList(name, nullable: false);
            // ValueTuple<...>: each item from its own type, named like the parameter.
            var items = u.GetGenericArguments().Select(a => Make(a, name, Nullable.GetUnderlyingType(a) is not null)).ToArray();
            return Activator.CreateInstance(u, items);
        }
        throw new NotSupportedException($"fuzz: no generator for {u}");
    }

    int PrimaryRank => Primary?.dim() ?? _baseShape.Length;

    long MakeLong(string name)
    {
        int k = R.Next(100);
        if (k < 4) return s_hugeLongs[R.Next(s_hugeLongs.Length)];
        if (Array.IndexOf(s_dimNames, name) >= 0)
        {
            int n = Math.Max(PrimaryRank, 1);
            return k < 85 ? R.Next(-n - 1, n + 1) : R.Next(-6, 7);
        }
        if (name is "index" or "start" or "shifts" or "top" or "left" or "ignore_index" or "padding_idx" or "from" or "low")
            return R.Next(-5, 6);
        if (name is "seed") return R.NextInt64();
        if (k < 40) return _sizes[R.Next(_sizes.Length)];
        return k < 80 ? R.Next(0, 5) : k < 90 ? R.Next(-3, 0) : R.Next(5, 9);
    }

    int MakeInt(string name)
    {
        long v = MakeLong(name);
        return v > int.MaxValue ? int.MaxValue : v < int.MinValue ? int.MinValue : (int)v;
    }

    double MakeDouble(string name)
    {
        int k = R.Next(100);
        if (name is "p" or "dropout" or "sparsity" && k < 70) return R.Next(5) switch { 0 => 0, 1 => 1, _ => Math.Round(R.NextDouble(), 2) };
        if (name is "eps" && k < 70) return 1e-5;
        if (name is "steps") return R.Next(-2, 6);
        if (k < 70) return s_doubles[R.Next(s_doubles.Length)];
        return Math.Round(NextNormal() * 3, 3);
    }

    // Scalars can be arange's ends and step: no tiny steps and no ends around 2^31, which would ask for a
    // legitimately huge (and slow) result; the extremes are far past what any array holds.
    static readonly double[] s_scalarDoubles =
        [0, -0.0, 1, -1, 0.5, 2, -2.5, 3.7, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e30, -1e30];

    Scalar MakeScalar()
    {
        int k = R.Next(100);
        if (k < 40) return (long)R.Next(-3, 6);
        if (k < 70) return s_scalarDoubles[R.Next(s_scalarDoubles.Length)];
        if (k < 80) return Math.Round(NextNormal() * 3, 3);
        if (k < 90) return R.Next(2) == 0;
        return R.Next(4) switch { 0 => long.MaxValue, 1 => long.MinValue, 2 => 1e300, _ => (Scalar)(long)1e18 };
    }

    string MakeString(string name)
    {
        if (R.Next(10) == 0) return R.Next(2) == 0 ? "bogus" : "";
        return s_strings.TryGetValue(name, out var options) ? options[R.Next(options.Length)] : "mean";
    }

    object MakeEnum(Type t)
    {
        var values = Enum.GetValues(t);
        if (R.Next(30) == 0) return Enum.ToObject(t, 99);
        return values.GetValue(R.Next(values.Length))!;
    }

    TensorIndex? MakeIndex()
    {
        int k = R.Next(100);
        if (k < 30) return TensorIndex.Single(R.Next(-4, 5));
        if (k < 55)
        {
            long? Opt(int lo, int hi) => R.Next(3) == 0 ? null : R.Next(lo, hi);
            long? step = R.Next(10) switch { < 6 => null, 6 => 0, 7 => -1, _ => R.Next(1, 4) };
            return TensorIndex.Slice(Opt(-5, 6), Opt(-5, 6), step);
        }
        if (k < 65) return null; // None
        if (k < 73) return TensorIndex.Ellipsis;
        if (k < 78) return TensorIndex.Bool(R.Next(2) == 0);
        if (k < 93) return TensorIndex.Tensor(MakeTensor(R.Next(3) == 0 ? "mask" : "index"));
        return TensorIndex.Colon;
    }

    object MakeArray(Type t, string name)
    {
        var e = t.GetElementType()!;
        int rank = t.GetArrayRank();
        if (e == typeof(long) && rank == 1) return MakeLongs(name);
        if (e == typeof(int) && rank == 1) return MakeLongs(name).Select(v => v > int.MaxValue ? int.MaxValue : v < int.MinValue ? int.MinValue : (int)v).ToArray();
        if (e == typeof(double) && rank == 1 && name is "scale_factor" or "mean" or "std" or "lengths")
            return Enumerable.Range(0, R.Next(0, 4)).Select(_ => MakeDouble(name)).ToArray();
        if (e == typeof(Tensor)) return MakeTensorList(name, nullable: false).ToArray();
        if (e == typeof(TensorIndex)) return Enumerable.Range(0, R.Next(0, 5)).Select(_ => MakeIndex()).ToArray();
        if (e == typeof(object)) return Enumerable.Range(0, R.Next(0, 3)).Select(_ => Make(typeof(object), name, true)).ToArray();
        // Data arrays (torch.tensor, from_array, as_tensor): rectangular, now and then ragged or empty.
        if (e.IsArray)
        {
            var inner = e.GetElementType()!;
            int rows = R.Next(0, 4), cols = R.Next(0, 4);
            var jag = Array.CreateInstance(e, rows);
            for (int i = 0; i < rows; i++) jag.SetValue(Values(inner, R.Next(8) == 0 ? R.Next(0, 4) : cols), i);
            return jag;
        }
        if (rank == 1) return Values(e, R.Next(0, 9));
        var lengths = Enumerable.Range(0, rank).Select(_ => R.Next(0, 4)).ToArray();
        var a = Array.CreateInstance(e, lengths);
        var flat = Values(e, a.Length);
        int k = 0;
        var idx = new int[rank];
        for (int n = 0; n < a.Length; n++)
        {
            a.SetValue(flat.GetValue(k++), idx);
            for (int d = rank - 1; d >= 0; d--) { if (++idx[d] < lengths[d]) break; idx[d] = 0; }
        }
        return a;
    }

    Array Values(Type e, int n)
    {
        var a = Array.CreateInstance(e, n);
        for (int i = 0; i < n; i++)
        {
            object v = e == typeof(float) ? (float)ElementValue(ScalarType.Float32, "")
                : e == typeof(double) ? ElementValue(ScalarType.Float64, "")
                : e == typeof(long) ? (long)ElementValue(ScalarType.Int64, "")
                : e == typeof(int) ? (int)ElementValue(ScalarType.Int32, "")
                : e == typeof(byte) ? (byte)ElementValue(ScalarType.Byte, "")
                : e == typeof(bool) ? ElementValue(ScalarType.Bool, "") != 0
                : e == typeof(short) ? (short)R.Next(-5, 6)
                : throw new NotSupportedException($"fuzz: no values for {e}");
            a.SetValue(v, i);
        }
        return a;
    }

    long[] MakeLongs(string name)
    {
        int k = R.Next(100);
        var prim = Primary;
        if (name is "dims" or "dim" && prim is not null && k < 40)
        {
            // A permutation (or a subset) of the primary tensor's dims, some written negative.
            var perm = Enumerable.Range(0, prim.dim()).OrderBy(_ => R.Next()).Select(d => (long)(R.Next(3) == 0 ? d - prim.dim() : d)).ToArray();
            return R.Next(2) == 0 ? perm : perm.Take(R.Next(perm.Length + 1)).ToArray();
        }
        if (name is "size" or "shape" or "sizes" or "dimensions" or "unflattened_size" && prim is not null && k < 40)
        {
            // The primary tensor's element count, reshaped (maybe with a -1).
            var s = Factor(prim.numel());
            if (s.Length > 0 && R.Next(3) == 0) s[R.Next(s.Length)] = -1;
            return s;
        }
        if (name is "normalized_shape" && prim is not null && k < 60)
            return prim.shape.Skip(R.Next(prim.dim() + 1)).ToArray();
        int len = R.Next(10) switch { 0 => 0, < 4 => 1, < 7 => 2, < 9 => 3, _ => R.Next(4, 7) };
        var r = new long[len];
        for (int i = 0; i < len; i++) r[i] = MakeLong(name);
        return r;
    }

    long[] Factor(long numel)
    {
        if (numel == 0) return [0, R.Next(1, 4)];
        var f = new List<long>();
        long n = numel;
        for (long p = 2; p * p <= n; p++) while (n % p == 0) { f.Add(p); n /= p; }
        if (n > 1) f.Add(n);
        // Group the prime factors into 1 to 3 dims, shuffle, sometimes add a 1.
        int dims = R.Next(1, 4);
        var s = Enumerable.Repeat(1L, dims).ToArray();
        foreach (var p in f) s[R.Next(dims)] *= p;
        var list = s.ToList();
        if (R.Next(4) == 0) list.Insert(R.Next(list.Count + 1), 1);
        return list.ToArray();
    }

    List<Tensor> MakeTensorList(string name, bool nullable)
    {
        int n = R.Next(10) switch { 0 => 0, < 4 => 1, < 8 => 2, _ => 3 };
        var l = new List<Tensor>();
        for (int i = 0; i < n; i++) l.Add(MakeTensor(name));
        return l;
    }

    // ---------------------------------------------------------------- tensors

    int[] RandomShape()
    {
        int nd = R.Next(100) switch { < 10 => 0, < 33 => 1, < 60 => 2, < 80 => 3, < 93 => 4, _ => 5 };
        var s = new int[nd];
        for (int i = 0; i < nd; i++) s[i] = R.Next(100) < 80 ? _sizes[R.Next(_sizes.Length)] : R.Next(100) < 8 ? 0 : R.Next(1, 5);
        Cap(s);
        return s;
    }

    static void Cap(int[] s)
    {
        while (s.Aggregate(1L, (a, b) => a * b) > 64)
        {
            int m = 0;
            for (int i = 1; i < s.Length; i++) if (s[i] > s[m]) m = i;
            s[m]--;
        }
    }

    int[] ShapeFor()
    {
        int k = R.Next(100);
        if (k < 45) return (int[])_baseShape.Clone();
        if (k < 60)
        {
            // Broadcastable against the base: fewer leading dims, some dims of 1.
            var s = _baseShape.Skip(R.Next(_baseShape.Length + 1)).ToArray();
            for (int i = 0; i < s.Length; i++) if (R.Next(3) == 0) s[i] = 1;
            return s;
        }
        if (k < 70) return [];
        return RandomShape();
    }

    ScalarType DTypeFor(string name)
    {
        if (Array.IndexOf(s_indexTensorNames, name) >= 0 && R.Next(10) < 7) return R.Next(8) == 0 ? ScalarType.Int32 : ScalarType.Int64;
        if (Array.IndexOf(s_maskNames, name) >= 0 && R.Next(10) < 7) return ScalarType.Bool;
        return R.Next(100) < 60 ? _dtype : AnyDType();
    }

    ScalarType AnyDType()
    {
        return R.Next(100) switch
        {
            < 35 => ScalarType.Float32,
            < 50 => ScalarType.Float64,
            < 68 => ScalarType.Int64,
            < 78 => ScalarType.Int32,
            < 88 => ScalarType.Byte,
            _ => ScalarType.Bool,
        };
    }

    double ElementValue(ScalarType dt, string name)
    {
        bool indexLike = Array.IndexOf(s_indexTensorNames, name) >= 0;
        int k = R.Next(100);
        switch (dt)
        {
            case ScalarType.Float32:
            case ScalarType.Float64:
                if (k < 88) return Math.Round(NextNormal() * 2, 4);
                return s_doubles[R.Next(s_doubles.Length)];
            case ScalarType.Bool:
                return R.Next(2);
            case ScalarType.Byte:
                return k < 80 ? R.Next(0, 6) : R.Next(0, 256);
            default:
                if (indexLike) return k < 95 ? R.Next(-2, 5) : R.Next(-100, 100);
                if (k < 80) return R.Next(-3, 6);
                if (k < 95) return R.Next(-100, 100);
                return dt == ScalarType.Int32 ? (R.Next(2) == 0 ? int.MaxValue : int.MinValue) : double.NaN; // NaN: an int64 extreme, below
        }
    }

    double NextNormal() => Math.Sqrt(-2 * Math.Log(1 - R.NextDouble())) * Math.Cos(2 * Math.PI * R.NextDouble());

    /// <summary>A contiguous tensor of <paramref name="shape"/> with random values of <paramref name="dt"/>.</summary>
    Tensor Filled(ScalarType dt, int[] shape, string name)
    {
        var dims = shape.Select(d => (long)d).ToArray();
        int n = shape.Aggregate(1, (a, b) => a * b);
        switch (dt)
        {
            case ScalarType.Float32: return torch.tensor(Enumerable.Range(0, n).Select(_ => (float)ElementValue(dt, name)).ToArray(), dims);
            case ScalarType.Float64: return torch.tensor(Enumerable.Range(0, n).Select(_ => ElementValue(dt, name)).ToArray(), dims, dtype: ScalarType.Float64);
            case ScalarType.Int64:
                return torch.tensor(Enumerable.Range(0, n).Select(_ => ElementValue(dt, name) is var v && double.IsNaN(v)
                    ? (R.Next(2) == 0 ? long.MaxValue : long.MinValue) : (long)v).ToArray(), dims);
            case ScalarType.Int32: return torch.tensor(Enumerable.Range(0, n).Select(_ => (int)ElementValue(dt, name)).ToArray(), dims, dtype: ScalarType.Int32);
            case ScalarType.Byte: return torch.tensor(Enumerable.Range(0, n).Select(_ => (byte)ElementValue(dt, name)).ToArray(), dims);
            default: return torch.tensor(Enumerable.Range(0, n).Select(_ => ElementValue(dt, name) != 0).ToArray(), dims);
        }
    }

    public Tensor MakeTensor(string name)
    {
        // torch.autograd.grad / backward: outputs computed from a fresh leaf, and that leaf as the inputs.
        if (name is "outputs" or "tensors" && R.Next(10) < 7)
        {
            var leaf = Filled(R.Next(2) == 0 ? ScalarType.Float32 : ScalarType.Float64, ShapeFor(), "").requires_grad_(true);
            Leaves.Add(leaf);
            _lastLeaf = leaf;
            var y = R.Next(3) switch { 0 => leaf.mul(leaf), 1 => leaf.exp().sum(), _ => leaf.sin() };
            Primary ??= y;
            return y;
        }
        if (name is "inputs" && _lastLeaf is not null && R.Next(10) < 7) return _lastLeaf;
        // A convolution's weight (and bias) mostly fits its input: [out, in, k...] ([in, out, k...] transposed).
        if (_op.StartsWith("conv", StringComparison.Ordinal) && name is "weight" or "bias" && Primary is { } x && x.dim() >= 2 && R.Next(10) < 7)
        {
            int nsp = _op.EndsWith("1d", StringComparison.Ordinal) ? 1 : _op.EndsWith("2d", StringComparison.Ordinal) ? 2 : 3;
            int batched = x.dim() == nsp + 2 ? 1 : 0;
            int cin = (int)x.size(Math.Min(batched, x.dim() - 1)), cout = _sizes[R.Next(_sizes.Length)];
            var wdt = R.Next(10) < 9 ? x.dtype : AnyDType();
            if (name == "bias") return Filled(wdt, [_op.Contains("transpose") ? cin : cout], name);
            var w = new List<int> { _op.Contains("transpose") ? cin : cout, _op.Contains("transpose") ? cout : cin };
            for (int i = 0; i < nsp; i++) w.Add(R.Next(1, 4));
            var wt = Filled(wdt, w.ToArray(), name);
            if (wdt.IsFloating() && R.Next(3) == 0) { wt.requires_grad_(true); Leaves.Add(wt); }
            return wt;
        }
        var dt = DTypeFor(name);
        var shape = Array.IndexOf(s_maskNames, name) >= 0 && Primary is not null && R.Next(2) == 0
            ? Primary.shape.Select(d => (int)d).ToArray() : ShapeFor();
        int nd = shape.Length;
        bool floating = dt is ScalarType.Float32 or ScalarType.Float64;
        // requires_grad: 0 = no, 1 = a leaf (whatever its layout), 2 = the output of the view that makes its layout
        int grad = floating ? R.Next(100) switch { < 65 => 0, < 88 => 1, _ => 2 } : 0;
        Tensor t;
        int layout = R.Next(100);
        if (layout < 50 || nd == 0)
        {
            t = Filled(dt, shape, name);
            if (grad == 2) t = t.requires_grad_(true).mul(1);
        }
        else if (layout < 68 && nd >= 2)
        {
            // permuted: a contiguous tensor of the permuted shape, permuted back
            var perm = Enumerable.Range(0, nd).OrderBy(_ => R.Next()).ToArray();
            var src = Filled(dt, perm.Select(p => shape[p]).ToArray(), name);
            if (grad == 2) src.requires_grad_(true);
            var inv = new long[nd];
            for (int i = 0; i < nd; i++) inv[perm[i]] = i;
            t = src.permute(inv);
        }
        else if (layout < 84)
        {
            // strided: every second element of a dim, or an offset (narrow) into it
            int d = R.Next(nd);
            var big = (int[])shape.Clone();
            bool step = R.Next(2) == 0;
            big[d] = step ? shape[d] * 2 : shape[d] + 1;
            var src = Filled(dt, big, name);
            if (grad == 2) src.requires_grad_(true);
            if (step)
            {
                var idx = new TensorIndex?[d + 1];
                for (int i = 0; i < d; i++) idx[i] = TensorIndex.Colon;
                idx[d] = TensorIndex.Slice(R.Next(2), null, 2);
                t = src.index(idx);
                if (t.size(d) != shape[d]) t = t.narrow(d, 0, shape[d]);
            }
            else t = src.narrow(d, 1, shape[d]);
        }
        else
        {
            // expanded: stride 0 where the source has a 1 (or no dim at all)
            int lead = R.Next(nd + 1) / 2;
            var small = shape.Skip(lead).Select(s => R.Next(2) == 0 ? 1 : s).ToArray();
            var src = Filled(dt, small, name);
            if (grad == 2) src.requires_grad_(true);
            t = src.expand(shape.Select(s => (long)s).ToArray());
        }
        if (grad == 1) t.requires_grad_(true);
        if (t.requires_grad && t.is_leaf) Leaves.Add(t);
        else if (grad == 2 && t.grad_fn is not null) CollectLeaves(t);
        Primary ??= t;
        return t;
    }

    void CollectLeaves(Tensor t)
    {
        // The leaf behind a view made here is the one that was marked requires_grad above.
        var seen = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        void Walk(Node? n)
        {
            if (n is null || !seen.Add(n)) return;
            if (n is AccumulateGrad a) { if (!Leaves.Contains(a.variable)) Leaves.Add(a.variable); return; }
            foreach (var e in n.next_functions) Walk(e);
        }
        Walk(t.grad_fn);
    }

    // ---------------------------------------------------------------- description

    void Note(string name, object? v)
    {
        if (_desc.Length > 0) _desc.Append("; ");
        _desc.Append(name).Append(" = ").Append(Show(v));
    }

    public static string Show(object? v) => v switch
    {
        null => "null",
        Tensor t => ShowTensor(t),
        Scalar s => $"Scalar({s.kind} {s})",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture) + "f",
        string s => "\"" + s + "\"",
        TensorIndex i => ShowIndex(i),
        torch.Generator => "Generator",
        ITuple tup => "(" + string.Join(", ", Enumerable.Range(0, tup.Length).Select(i => Show(tup[i]))) + ")",
        Array a => $"{FuzzCatalog.TypeName(a.GetType())}{{{string.Join(", ", a.Cast<object?>().Take(16).Select(Show))}{(a.Length > 16 ? ", ..." : "")}}}",
        System.Collections.IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Take(8).Select(Show)) + "]",
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? v.GetType().Name,
    };

    static string ShowIndex(TensorIndex i) => i.kind switch
    {
        TensorIndex.Kind.Single => $"{i.index}",
        TensorIndex.Kind.Slice => $"{i.start}:{i.stop}:{i.step}",
        TensorIndex.Kind.Tensor => ShowTensor(i.tensor!),
        TensorIndex.Kind.Bool => i.index != 0 ? "True" : "False",
        var k => k.ToString(),
    };

    public static string ShowTensor(Tensor t)
    {
        var sb = new StringBuilder();
        sb.Append(t.dtype.TorchName()[6..]).Append('[').Append(string.Join(",", t.shape)).Append(']');
        if (!t.is_contiguous() || t.storage_offset() != 0)
            sb.Append(" strides(").Append(string.Join(",", t.stride())).Append(") offset ").Append(t.storage_offset());
        if (t.requires_grad) sb.Append(t.is_leaf ? " leaf requires_grad" : " requires_grad (view of a leaf)");
        try
        {
            var vals = t.detach().to(ScalarType.Float64).contiguous().ToArray<double>();
            sb.Append(" {").Append(string.Join(", ", vals.Take(12).Select(v => v.ToString("R", CultureInfo.InvariantCulture)))).Append(vals.Length > 12 ? ", ...}" : "}");
        }
        catch (Exception e) { sb.Append(" <values: ").Append(e.GetType().Name).Append('>'); }
        return sb.ToString();
    }
}
