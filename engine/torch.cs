using Torchlet.Kernels;

namespace Torchlet;

/// <summary>
/// The <c>torch</c> namespace of PyTorch as one static class: <c>using static Torchlet.torch;</c>
/// brings <c>tensor</c>, <c>zeros</c>, <c>nn</c>, <c>optim</c>, ... into scope.
/// </summary>
public static partial class torch
{
    public const ScalarType float32 = ScalarType.Float32;
    public const ScalarType @float = ScalarType.Float32;
    public const ScalarType float64 = ScalarType.Float64;
    public const ScalarType @double = ScalarType.Float64;
    public const ScalarType int64 = ScalarType.Int64;
    public const ScalarType @long = ScalarType.Int64;
    public const ScalarType int32 = ScalarType.Int32;
    public const ScalarType @int = ScalarType.Int32;
    public const ScalarType uint8 = ScalarType.Byte;
    public const ScalarType @bool = ScalarType.Bool;

    /// <summary>Disables graph recording until disposed: <c>using (torch.no_grad()) { ... }</c>.</summary>
    public static IDisposable no_grad() => new GradModeScope(false);
    public static IDisposable enable_grad() => new GradModeScope(true);
    public static IDisposable set_grad_enabled(bool enabled) => new GradModeScope(enabled);
    public static bool is_grad_enabled() => GradMode.Enabled;

    public static void set_num_threads(int n) => Threading.NumThreads = n;
    public static int get_num_threads() => Threading.NumThreads;

    /// <summary>requires_grad: true of a factory; PyTorch's factory message differs from requires_grad_'s.</summary>
    static void RequireGrad(Tensor t)
    {
        if (!t.dtype.IsFloating())
            throw new InvalidOperationException($"Only Tensors of floating point and complex dtype can require gradients (requires_grad: true was given for dtype {t.dtype.TorchName()})");
        t.requires_grad_(true);
    }

    // ---------------------------------------------------------------- tensor(...) from C# data

    static Tensor FromArray<T>(T[] data, int[] shape, ScalarType? dtype, bool requires_grad, bool copy = true) where T : unmanaged
    {
        var src = new Tensor(new Storage<T>(copy ? (T[])data.Clone() : data), shape);
        var t = dtype is { } d && d != src.dtype ? src.to_nograd(d, false) : src;
        if (requires_grad) RequireGrad(t);
        return t;
    }

    // C# doubles play Python floats: float32 unless a dtype is given.
    public static Tensor tensor(double value, ScalarType? dtype = null, bool requires_grad = false) => FromArray([value], Shape.Scalar, dtype ?? float32, requires_grad);
    public static Tensor tensor(float value, ScalarType? dtype = null, bool requires_grad = false) => FromArray([value], Shape.Scalar, dtype, requires_grad);
    public static Tensor tensor(long value, ScalarType? dtype = null, bool requires_grad = false) => FromArray([value], Shape.Scalar, dtype, requires_grad);
    public static Tensor tensor(int value, ScalarType? dtype = null, bool requires_grad = false) => FromArray([(long)value], Shape.Scalar, dtype, requires_grad);
    public static Tensor tensor(bool value, ScalarType? dtype = null, bool requires_grad = false) => FromArray([value], Shape.Scalar, dtype, requires_grad);

    public static Tensor tensor(double[] data, ScalarType? dtype = null, bool requires_grad = false) => FromArray(data, [data.Length], dtype ?? float32, requires_grad);
    public static Tensor tensor(float[] data, ScalarType? dtype = null, bool requires_grad = false) => FromArray(data, [data.Length], dtype, requires_grad);
    public static Tensor tensor(long[] data, ScalarType? dtype = null, bool requires_grad = false) => FromArray(data, [data.Length], dtype, requires_grad);
    public static Tensor tensor(int[] data, ScalarType? dtype = null, bool requires_grad = false) => FromArray(data, [data.Length], dtype ?? int64, requires_grad);
    public static Tensor tensor(byte[] data, ScalarType? dtype = null, bool requires_grad = false) => FromArray(data, [data.Length], dtype, requires_grad);
    public static Tensor tensor(bool[] data, ScalarType? dtype = null, bool requires_grad = false) => FromArray(data, [data.Length], dtype, requires_grad);

    public static Tensor tensor(double[,] data, ScalarType? dtype = null, bool requires_grad = false) => FromArray(Flatten2(data), Dims2(data), dtype ?? float32, requires_grad, copy: false);
    public static Tensor tensor(float[,] data, ScalarType? dtype = null, bool requires_grad = false) => FromArray(Flatten2(data), Dims2(data), dtype, requires_grad, copy: false);
    public static Tensor tensor(long[,] data, ScalarType? dtype = null, bool requires_grad = false) => FromArray(Flatten2(data), Dims2(data), dtype, requires_grad, copy: false);
    public static Tensor tensor(int[,] data, ScalarType? dtype = null, bool requires_grad = false) => FromArray(Flatten2(data), Dims2(data), dtype ?? int64, requires_grad, copy: false);
    public static Tensor tensor(bool[,] data, ScalarType? dtype = null, bool requires_grad = false) => FromArray(Flatten2(data), Dims2(data), dtype, requires_grad, copy: false);
    public static Tensor tensor(double[,,] data, ScalarType? dtype = null, bool requires_grad = false) =>
        FromArray(data.Cast<double>().ToArray(), [data.GetLength(0), data.GetLength(1), data.GetLength(2)], dtype ?? float32, requires_grad, copy: false);
    public static Tensor tensor(float[,,] data, ScalarType? dtype = null, bool requires_grad = false) =>
        FromArray(data.Cast<float>().ToArray(), [data.GetLength(0), data.GetLength(1), data.GetLength(2)], dtype, requires_grad, copy: false);
    public static Tensor tensor(long[,,] data, ScalarType? dtype = null, bool requires_grad = false) =>
        FromArray(data.Cast<long>().ToArray(), [data.GetLength(0), data.GetLength(1), data.GetLength(2)], dtype, requires_grad, copy: false);
    public static Tensor tensor(int[,,] data, ScalarType? dtype = null, bool requires_grad = false) =>
        FromArray(data.Cast<int>().ToArray(), [data.GetLength(0), data.GetLength(1), data.GetLength(2)], dtype ?? int64, requires_grad, copy: false);
    public static Tensor tensor(bool[,,] data, ScalarType? dtype = null, bool requires_grad = false) =>
        FromArray(data.Cast<bool>().ToArray(), [data.GetLength(0), data.GetLength(1), data.GetLength(2)], dtype, requires_grad, copy: false);
    public static Tensor tensor(byte[,] data, ScalarType? dtype = null, bool requires_grad = false) => FromArray(Flatten2(data), Dims2(data), dtype, requires_grad, copy: false);

    /// <summary>Nested (jagged) lists, as <c>torch.tensor([[1., 2.], [3., 4.]])</c>; rows must have equal length.</summary>
    public static Tensor tensor(double[][] data, ScalarType? dtype = null, bool requires_grad = false) => FromArray(FlattenJagged(data), [data.Length, data.Length == 0 ? 0 : data[0].Length], dtype ?? float32, requires_grad, copy: false);
    public static Tensor tensor(float[][] data, ScalarType? dtype = null, bool requires_grad = false) => FromArray(FlattenJagged(data), [data.Length, data.Length == 0 ? 0 : data[0].Length], dtype, requires_grad, copy: false);
    public static Tensor tensor(long[][] data, ScalarType? dtype = null, bool requires_grad = false) => FromArray(FlattenJagged(data), [data.Length, data.Length == 0 ? 0 : data[0].Length], dtype, requires_grad, copy: false);
    public static Tensor tensor(int[][] data, ScalarType? dtype = null, bool requires_grad = false) => FromArray(FlattenJagged(data), [data.Length, data.Length == 0 ? 0 : data[0].Length], dtype ?? int64, requires_grad, copy: false);
    public static Tensor tensor(bool[][] data, ScalarType? dtype = null, bool requires_grad = false) => FromArray(FlattenJagged(data), [data.Length, data.Length == 0 ? 0 : data[0].Length], dtype, requires_grad, copy: false);

    /// <summary>Flat data with an explicit shape (TorchSharp's <c>tensor(data, dimensions)</c>).</summary>
    public static Tensor tensor(double[] data, long[] dimensions, ScalarType? dtype = null, bool requires_grad = false) => FromArray(data, CheckDims(data.Length, dimensions), dtype ?? float32, requires_grad);
    public static Tensor tensor(float[] data, long[] dimensions, ScalarType? dtype = null, bool requires_grad = false) => FromArray(data, CheckDims(data.Length, dimensions), dtype, requires_grad);
    public static Tensor tensor(long[] data, long[] dimensions, ScalarType? dtype = null, bool requires_grad = false) => FromArray(data, CheckDims(data.Length, dimensions), dtype, requires_grad);
    public static Tensor tensor(int[] data, long[] dimensions, ScalarType? dtype = null, bool requires_grad = false) => FromArray(data, CheckDims(data.Length, dimensions), dtype ?? int64, requires_grad);
    public static Tensor tensor(byte[] data, long[] dimensions, ScalarType? dtype = null, bool requires_grad = false) => FromArray(data, CheckDims(data.Length, dimensions), dtype, requires_grad);
    public static Tensor tensor(bool[] data, long[] dimensions, ScalarType? dtype = null, bool requires_grad = false) => FromArray(data, CheckDims(data.Length, dimensions), dtype, requires_grad);

    /// <summary>Wraps an existing array without copying: writes to the tensor show in the array (torch.from_numpy).</summary>
    public static Tensor from_array<T>(T[] data, params long[] dimensions) where T : unmanaged =>
        FromArray(data, dimensions.Length == 0 ? [data.Length] : CheckDims(data.Length, dimensions), null, false, copy: false);

    /// <summary>Shares the array's memory when no conversion is needed, else converts (torch.as_tensor).</summary>
    public static Tensor as_tensor<T>(T[] data, ScalarType? dtype = null) where T : unmanaged =>
        FromArray(data, [data.Length], dtype, false, copy: false);

    public static Tensor as_tensor(Tensor t, ScalarType? dtype = null) => dtype is { } d ? t.to(d) : t;

    static int[] CheckDims(int length, long[] dims)
    {
        var shape = Shape.FromLong(dims);
        if (Shape.Numel(shape) != length)
            throw new ArgumentException($"tensor: shape [{string.Join(", ", dims)}] holds {Shape.Numel(shape)} elements but the data has {length}");
        return shape;
    }

    static T[] Flatten2<T>(T[,] a) where T : unmanaged
    {
        var r = new T[a.Length];
        int k = 0;
        foreach (var v in a) r[k++] = v;
        return r;
    }

    static int[] Dims2<T>(T[,] a) => [a.GetLength(0), a.GetLength(1)];

    static T[] FlattenJagged<T>(T[][] rows) where T : unmanaged
    {
        if (rows.Length == 0) return [];
        int w = rows[0].Length;
        var r = new T[rows.Length * w];
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i].Length != w)
                throw new ArgumentException($"tensor: expected sequence of length {w} at dim 1 (got {rows[i].Length}) in row {i}");
            rows[i].CopyTo(r, i * w);
        }
        return r;
    }

    // ---------------------------------------------------------------- filled tensors

    static Tensor Filled(long[] size, Scalar value, ScalarType dtype, bool requires_grad)
    {
        value.CheckFits(dtype);
        var t = Tensor.Empty(Shape.FromLong(size), dtype, clear: true);
        if (value.ToDouble() != 0) t.CopyFrom(Tensor.ScalarTensor(value, dtype));
        if (requires_grad) RequireGrad(t);
        return t;
    }

    public static Tensor zeros(params long[] size) => Filled(size, 0, float32, false);
    public static Tensor zeros(long[] size, ScalarType? dtype = null, bool requires_grad = false) => Filled(size, 0, dtype ?? float32, requires_grad);
    public static Tensor zeros(long d0, ScalarType? dtype = null, bool requires_grad = false) => zeros([d0], dtype, requires_grad);
    public static Tensor zeros(long d0, long d1, ScalarType? dtype = null, bool requires_grad = false) => zeros([d0, d1], dtype, requires_grad);
    public static Tensor zeros(long d0, long d1, long d2, ScalarType? dtype = null, bool requires_grad = false) => zeros([d0, d1, d2], dtype, requires_grad);
    public static Tensor zeros(long d0, long d1, long d2, long d3, ScalarType? dtype = null, bool requires_grad = false) => zeros([d0, d1, d2, d3], dtype, requires_grad);

    // int overloads: a literal 0 also converts to ScalarType, so zeros(2, 0) would otherwise be ambiguous.
    public static Tensor zeros(int d0, int d1, ScalarType? dtype = null, bool requires_grad = false) => zeros([d0, d1], dtype, requires_grad);
    public static Tensor zeros(int d0, int d1, int d2, ScalarType? dtype = null, bool requires_grad = false) => zeros([d0, d1, d2], dtype, requires_grad);
    public static Tensor zeros(int d0, int d1, int d2, int d3, ScalarType? dtype = null, bool requires_grad = false) => zeros([d0, d1, d2, d3], dtype, requires_grad);

    public static Tensor ones(params long[] size) => Filled(size, 1, float32, false);
    public static Tensor ones(long[] size, ScalarType? dtype = null, bool requires_grad = false) => Filled(size, 1, dtype ?? float32, requires_grad);
    public static Tensor ones(long d0, ScalarType? dtype = null, bool requires_grad = false) => ones([d0], dtype, requires_grad);
    public static Tensor ones(long d0, long d1, ScalarType? dtype = null, bool requires_grad = false) => ones([d0, d1], dtype, requires_grad);
    public static Tensor ones(long d0, long d1, long d2, ScalarType? dtype = null, bool requires_grad = false) => ones([d0, d1, d2], dtype, requires_grad);
    public static Tensor ones(long d0, long d1, long d2, long d3, ScalarType? dtype = null, bool requires_grad = false) => ones([d0, d1, d2, d3], dtype, requires_grad);
    public static Tensor ones(int d0, int d1, ScalarType? dtype = null, bool requires_grad = false) => ones([d0, d1], dtype, requires_grad);
    public static Tensor ones(int d0, int d1, int d2, ScalarType? dtype = null, bool requires_grad = false) => ones([d0, d1, d2], dtype, requires_grad);
    public static Tensor ones(int d0, int d1, int d2, int d3, ScalarType? dtype = null, bool requires_grad = false) => ones([d0, d1, d2, d3], dtype, requires_grad);

    /// <summary>Uninitialised memory in PyTorch; here it is zeroed, which is one valid "uninitialised" content.</summary>
    public static Tensor empty(params long[] size) => Filled(size, 0, float32, false);
    public static Tensor empty(long[] size, ScalarType? dtype = null, bool requires_grad = false) => Filled(size, 0, dtype ?? float32, requires_grad);

    /// <summary>A tensor filled with <paramref name="value"/>; its dtype follows the value (int → int64, double → float32) unless given.</summary>
    public static Tensor full(long[] size, Scalar value, ScalarType? dtype = null, bool requires_grad = false) => Filled(size, value, dtype ?? value.DefaultDType, requires_grad);

    public static Tensor zeros_like(Tensor t, ScalarType? dtype = null, bool requires_grad = false) => Filled(t.shape, 0, dtype ?? t.dtype, requires_grad);
    public static Tensor ones_like(Tensor t, ScalarType? dtype = null, bool requires_grad = false) => Filled(t.shape, 1, dtype ?? t.dtype, requires_grad);
    public static Tensor empty_like(Tensor t, ScalarType? dtype = null, bool requires_grad = false) => Filled(t.shape, 0, dtype ?? t.dtype, requires_grad);
    public static Tensor full_like(Tensor t, Scalar value, ScalarType? dtype = null, bool requires_grad = false) => Filled(t.shape, value, dtype ?? t.dtype, requires_grad);

    /// <summary>Identity matrix n × m (m = n by default).</summary>
    public static Tensor eye(long n, long m = -1, ScalarType? dtype = null, bool requires_grad = false)
    {
        if (n < 0) throw new ArgumentException($"n must be greater or equal to 0, got {n}");
        if (m == -1) m = n;
        else if (m < 0) throw new ArgumentException($"m must be greater or equal to 0, got {m}");
        var t = Filled([n, m], 0, dtype ?? float32, false);
        // The diagonal of a fresh contiguous n × m matrix: every (m + 1)-th element.
        var diag = new Tensor(t._storage, [(int)Math.Min(n, m)], [(int)m + 1], 0);
        diag.CopyFrom(Tensor.ScalarTensor(1, t.dtype));
        if (requires_grad) RequireGrad(t);
        return t;
    }

    // ---------------------------------------------------------------- ranges (filled as PyTorch 1.13 fills them: see RangeKernels)

    static void CheckRangeEnds(double s, double e)
    {
        static string C(double v) => double.IsNaN(v) ? "nan" : double.IsInfinity(v) ? (v > 0 ? "inf" : "-inf") : v.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!double.IsFinite(s) || !double.IsFinite(e))
            throw new ArgumentException($"unsupported range: {C(s)} -> {C(e)}");
    }

    /// <summary>[start, end) by step. Integer arguments give int64, any floating one gives float32, as in PyTorch.</summary>
    public static Tensor arange(Scalar start, Scalar end, Scalar step, ScalarType? dtype = null, bool requires_grad = false)
    {
        bool anyFloat = start.IsFloating || end.IsFloating || step.IsFloating;
        var dt = dtype ?? (anyFloat ? float32 : int64);
        if (dt == ScalarType.Bool) throw new ArgumentException("\"arange_cpu\" not implemented for 'Bool'");
        double s = start.ToDouble(), e = end.ToDouble(), st = step.ToDouble();
        // The checks run in the output's accumulate type: an integer dtype truncates a fractional step to 0.
        bool integral = !dt.IsFloating();
        double xs = integral ? start.ToInt64() : s, xe = integral ? end.ToInt64() : e, xst = integral ? step.ToInt64() : st;
        if (xst == 0) throw new ArgumentException("step must be nonzero");
        CheckRangeEnds(xs, xe);
        if ((xst > 0 && xe < xs) || (xst < 0 && xe > xs))
            throw new ArgumentException($"upper bound and larger bound inconsistent with step sign (start={start}, end={end}, step={step})");
        double size = Math.Ceiling((e - s) / st);
        if (!(size >= 0) || size > Array.MaxLength) throw new ArgumentException($"invalid size, possible overflow? (arange({start}, {end}, {step}) would have {size} elements)");
        int n = (int)size;
        Tensor t;
        if (integral)
        {
            // Integers are counted in int64, their accumulate type, then converted.
            var d = Tensor.Empty([n], ScalarType.Int64);
            RangeKernels.ArangeInt64(d.Span<long>(), start.ToInt64(), step.ToInt64());
            t = d.to_nograd(dt, false);
        }
        else
        {
            t = Tensor.Empty([n], dt);
            RangeKernels.Arange(dt, t._storage.RawArray, n, s, st);
        }
        if (requires_grad) RequireGrad(t);
        return t;
    }

    public static Tensor arange(Scalar end, ScalarType? dtype = null, bool requires_grad = false) => arange(end.IsFloating ? (Scalar)0.0 : (Scalar)0, end, 1, dtype, requires_grad);
    public static Tensor arange(Scalar start, Scalar end, ScalarType? dtype = null, bool requires_grad = false) => arange(start, end, 1, dtype, requires_grad);

    /// <summary>
    /// [start, end] inclusive, float32 by default. Deprecated in PyTorch in favour of arange;
    /// kept for the notes, with PyTorch's warning on stderr (once).
    /// </summary>
    [Obsolete("torch.range is deprecated and will be removed in a future release because its behavior is inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in [start, end).")]
    public static Tensor range(Scalar start, Scalar end, Scalar? step = null, ScalarType? dtype = null, bool requires_grad = false)
    {
        Warnings.Warn("torch.range is deprecated and will be removed in a future release because its behavior is inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in [start, end).");
        var dt = dtype ?? float32;
        if (dt == ScalarType.Bool) throw new ArgumentException("\"range_cpu\" not implemented for 'Bool'");
        bool integral = !dt.IsFloating();
        var stp = step ?? 1;
        double s = integral ? start.ToInt64() : start.ToDouble(), e = integral ? end.ToInt64() : end.ToDouble(), st = integral ? stp.ToInt64() : stp.ToDouble();
        if (st == 0) throw new ArgumentException("step must be nonzero");
        CheckRangeEnds(s, e);
        if (!((st > 0 && e >= s) || (st < 0 && e <= s)))
            throw new ArgumentException($"upper bound and lower bound inconsistent with step sign (start={start}, end={end}, step={stp})");
        int n = (int)((e - s) / st + 1);
        var t = Tensor.Empty([n], ScalarType.Float64);
        RangeKernels.Range(t.Span<double>(), s, st);
        var r = t.to_nograd(dt, false);
        if (requires_grad) RequireGrad(r);
        return r;
    }

    /// <summary><paramref name="steps"/> evenly spaced values from start to end inclusive, float32 unless a dtype is given.</summary>
    public static Tensor linspace(double start, double end, long steps, ScalarType? dtype = null, bool requires_grad = false)
    {
        if (steps < 0) throw new ArgumentException($"number of steps must be non-negative (got {steps})");
        var dt = dtype ?? float32;
        if (dt == ScalarType.Bool) throw new ArgumentException("\"linspace_cpu\" not implemented for 'Bool'");
        int n = Shape.FromLong([steps])[0];   // steps past int: the size error, not an OverflowException
        Tensor t;
        if (dt.IsFloating())
        {
            t = Tensor.Empty([n], dt);
            RangeKernels.Linspace(dt, t._storage.RawArray, n, start, end);
        }
        else
        {
            var l = Tensor.Empty([n], ScalarType.Int64);
            RangeKernels.LinspaceInt64(dt, l.Span<long>(), (long)start, (long)end);
            t = l.to_nograd(dt, false);
        }
        if (requires_grad) RequireGrad(t);
        return t;
    }

    /// <summary>base ** linspace(start, end, steps), the power taken in double as PyTorch does.</summary>
    public static Tensor logspace(double start, double end, long steps, double @base = 10.0, ScalarType? dtype = null, bool requires_grad = false)
    {
        if (steps < 0) throw new ArgumentException($"number of steps must be non-negative (got {steps})");
        var dt = dtype ?? float32;
        if (dt == ScalarType.Bool) throw new ArgumentException("\"logspace_cpu\" not implemented for 'Bool'");
        int n = Shape.FromLong([steps])[0];   // steps past int: the size error, not an OverflowException
        var t = Tensor.Empty([n], ScalarType.Float64);
        var d = t.Span<double>();
        if (n == 1) d[0] = Math.Pow(@base, start);
        else if (n > 1)
        {
            // start and end are first rounded to the output dtype; the step is then taken in double.
            double s = dt == ScalarType.Float32 ? (float)start : dt.IsFloating() ? start : (long)start;
            double e = dt == ScalarType.Float32 ? (float)end : dt.IsFloating() ? end : (long)end;
            double step = (dt == ScalarType.Float32 ? (float)e - (float)s : e - s) / (n - 1);
            RangeKernels.Logspace(d, @base, s, e, step);
        }
        var r = t.to_nograd(dt, false);
        if (requires_grad) RequireGrad(r);
        return r;
    }

    // ---------------------------------------------------------------- functional forms

    public static Tensor add(Tensor a, Tensor b, Scalar? alpha = null) => a.add(b, alpha);
    public static Tensor add(Tensor a, Scalar b, Scalar? alpha = null) => a.add(b, alpha);
    public static Tensor sub(Tensor a, Scalar b, Scalar? alpha = null) => a.sub(b, alpha);
    public static Tensor subtract(Tensor a, Tensor b, Scalar? alpha = null) => a.sub(b, alpha);
    public static Tensor rsub(Tensor a, Scalar b) => a.rsub(b);
    public static Tensor mul(Tensor a, Scalar b) => a.mul(b);
    public static Tensor multiply(Tensor a, Tensor b) => a.mul(b);
    public static Tensor div(Tensor a, Scalar b) => a.div(b);
    public static Tensor divide(Tensor a, Tensor b) => a.div(b);
    public static Tensor true_divide(Tensor a, Tensor b) => a.div(b);
    public static Tensor remainder(Tensor a, Scalar b) => a.remainder(b);
    public static Tensor log2(Tensor x) => x.log2();
    public static Tensor log10(Tensor x) => x.log10();
    public static Tensor expm1(Tensor x) => x.expm1();
    public static Tensor reciprocal(Tensor x) => x.reciprocal();
    public static Tensor sinh(Tensor x) => x.sinh();
    public static Tensor cosh(Tensor x) => x.cosh();
    public static Tensor trunc(Tensor x) => x.trunc();
    public static Tensor negative(Tensor x) => x.neg();
    public static Tensor absolute(Tensor x) => x.abs();
    public static Tensor clamp_min(Tensor x, Scalar min) => x.clamp_min(min);
    public static Tensor clamp_max(Tensor x, Scalar max) => x.clamp_max(max);
    public static Tensor eq(Tensor a, Scalar b) => a.eq(b);
    public static Tensor ne(Tensor a, Scalar b) => a.ne(b);
    public static Tensor lt(Tensor a, Scalar b) => a.lt(b);
    public static Tensor le(Tensor a, Scalar b) => a.le(b);
    public static Tensor gt(Tensor a, Scalar b) => a.gt(b);
    public static Tensor ge(Tensor a, Scalar b) => a.ge(b);
    public static Tensor logical_and(Tensor a, Tensor b) => a.logical_and(b);
    public static Tensor logical_or(Tensor a, Tensor b) => a.logical_or(b);
    public static Tensor logical_xor(Tensor a, Tensor b) => a.logical_xor(b);
    public static Tensor logical_not(Tensor x) => x.logical_not();
    public static Tensor bitwise_and(Tensor a, Tensor b) => a.bitwise_and(b);
    public static Tensor bitwise_or(Tensor a, Tensor b) => a.bitwise_or(b);
    public static Tensor bitwise_xor(Tensor a, Tensor b) => a.bitwise_xor(b);
    public static Tensor bitwise_not(Tensor x) => x.bitwise_not();
    public static Tensor view(Tensor x, params long[] shape) => x.view(shape);
    public static Tensor expand(Tensor x, params long[] size) => x.expand(size);
    public static Tensor select(Tensor x, long dim, long index) => x.select(dim, index);
    public static Tensor swapaxes(Tensor x, long a, long b) => x.transpose(a, b);
    public static Tensor unflatten(Tensor x, long dim, params long[] sizes) => x.unflatten(dim, sizes);
    public static Tensor sub(Tensor a, Tensor b, Scalar? alpha = null) => a.sub(b, alpha);
    public static Tensor mul(Tensor a, Tensor b) => a.mul(b);
    public static Tensor div(Tensor a, Tensor b) => a.div(b);
    public static Tensor pow(Tensor a, Scalar e) => a.pow(e);
    public static Tensor pow(Tensor a, Tensor e) => a.pow(e);
    public static Tensor pow(Scalar a, Tensor e) => Tensor.pow(a, e);
    public static Tensor remainder(Tensor a, Tensor b) => a.remainder(b);
    public static Tensor maximum(Tensor a, Tensor b) => a.maximum(b);
    public static Tensor minimum(Tensor a, Tensor b) => a.minimum(b);
    public static Tensor neg(Tensor x) => x.neg();
    public static Tensor exp(Tensor x) => x.exp();
    public static Tensor log(Tensor x) => x.log();
    public static Tensor log1p(Tensor x) => x.log1p();
    public static Tensor sqrt(Tensor x) => x.sqrt();
    public static Tensor rsqrt(Tensor x) => x.rsqrt();
    public static Tensor abs(Tensor x) => x.abs();
    public static Tensor sign(Tensor x) => x.sign();
    public static Tensor sin(Tensor x) => x.sin();
    public static Tensor cos(Tensor x) => x.cos();
    public static Tensor tan(Tensor x) => x.tan();
    public static Tensor tanh(Tensor x) => x.tanh();
    public static Tensor sigmoid(Tensor x) => x.sigmoid();
    public static Tensor relu(Tensor x) => x.relu();
    public static Tensor floor(Tensor x) => x.floor();
    public static Tensor ceil(Tensor x) => x.ceil();
    public static Tensor round(Tensor x) => x.round();
    public static Tensor square(Tensor x) => x.square();
    public static Tensor clamp(Tensor x, Scalar? min = null, Scalar? max = null) => x.clamp(min, max);
    public static Tensor clip(Tensor x, Scalar? min = null, Scalar? max = null) => x.clamp(min, max);
    public static Tensor eq(Tensor a, Tensor b) => a.eq(b);
    public static Tensor ne(Tensor a, Tensor b) => a.ne(b);
    public static Tensor lt(Tensor a, Tensor b) => a.lt(b);
    public static Tensor le(Tensor a, Tensor b) => a.le(b);
    public static Tensor gt(Tensor a, Tensor b) => a.gt(b);
    public static Tensor ge(Tensor a, Tensor b) => a.ge(b);
    public static bool equal(Tensor a, Tensor b) => a.equal(b);
    public static Tensor sum(Tensor x) => x.sum();
    public static Tensor sum(Tensor x, long dim, bool keepdim = false) => x.sum(dim, keepdim);
    public static Tensor mean(Tensor x) => x.mean();
    public static Tensor mean(Tensor x, long dim, bool keepdim = false) => x.mean(dim, keepdim);
    public static Tensor reshape(Tensor x, params long[] shape) => x.reshape(shape);
    public static Tensor flatten(Tensor x, long start_dim = 0, long end_dim = -1) => x.flatten(start_dim, end_dim);
    public static Tensor squeeze(Tensor x, long? dim = null) => x.squeeze(dim);
    public static Tensor unsqueeze(Tensor x, long dim) => x.unsqueeze(dim);
    public static Tensor permute(Tensor x, params long[] dims) => x.permute(dims);
    public static Tensor transpose(Tensor x, long dim0, long dim1) => x.transpose(dim0, dim1);
    public static Tensor t(Tensor x) => x.t();
    public static Tensor narrow(Tensor x, long dim, long start, long length) => x.narrow(dim, start, length);
    public static Tensor clone(Tensor x) => x.clone();
    public static Tensor detach(Tensor x) => x.detach();
    public static long numel(Tensor x) => x.numel();
    public static bool is_tensor(object o) => o is Tensor;
}

/// <summary>PyTorch-style warnings: printed once per message to stderr.</summary>
public static class Warnings
{
    static readonly HashSet<string> s_seen = new();
    public static void Warn(string message)
    {
        lock (s_seen) if (!s_seen.Add(message)) return;
        Console.Error.WriteLine("UserWarning: " + message);
    }
}
