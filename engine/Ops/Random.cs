using Torchlet.Kernels;

namespace Torchlet;

/// <summary>
/// Random numbers as PyTorch's CPU backend makes them. The generator is PyTorch's mt19937 (same
/// seeding, same 32/64-bit draws, same cached Box–Muller sample) and every sampler consumes the
/// stream exactly as ATen's CPU kernels do, so <c>manual_seed(s)</c> gives PyTorch's numbers.
/// Draws are always sequential, so results never depend on <c>torch.set_num_threads</c>.
/// </summary>
public static partial class torch
{
    static readonly Generator s_defaultGenerator = new(Generator.NonDeterministicSeed());

    // A DataLoader worker thread has a default generator of its own (seeded base_seed + worker id), as each
    // of PyTorch's worker processes has: random transforms in a worker draw from it, not from the main one.
    [ThreadStatic] static Generator? t_workerGenerator;

    internal static Generator? WorkerGenerator { get => t_workerGenerator; set => t_workerGenerator = value; }

    /// <summary>
    /// The generator every random op uses unless given one (<c>torch.default_generator</c>); inside a
    /// DataLoader worker, that worker's own generator.
    /// </summary>
    public static Generator default_generator => t_workerGenerator ?? s_defaultGenerator;

    /// <summary>Seeds the default generator: the same seed gives the same numbers as PyTorch's CPU generator.</summary>
    public static Generator manual_seed(long seed) => default_generator.manual_seed(seed);

    /// <summary>Seeds the default generator non-deterministically and returns the seed.</summary>
    public static long seed() => default_generator.seed();

    /// <summary>The seed the default generator was last seeded with.</summary>
    public static long initial_seed() => default_generator.initial_seed();

    /// <summary>The default generator's state as PyTorch's 5056-byte uint8 tensor.</summary>
    public static Tensor get_rng_state() => default_generator.get_state();

    public static void set_rng_state(Tensor new_state) => default_generator.set_state(new_state);

    // ---------------------------------------------------------------- rand / randn

    static Tensor NewFloating(long[] size, ScalarType? dtype, string op)
    {
        var dt = dtype ?? float32;
        if (!dt.IsFloating())
            throw new ArgumentException($"{op}: expected a floating point dtype (torch.float32 or torch.float64), got {dt.TorchName()}");
        return Tensor.Empty(Shape.FromLong(size), dt);
    }

    static Tensor Leaf(Tensor t, bool requires_grad) => requires_grad ? t.requires_grad_(true) : t;

    /// <summary>Uniform samples on [0, 1), float32 unless a <c>dtype:</c> says otherwise.</summary>
    public static Tensor rand(params long[] size) => rand(size, null);
    public static Tensor rand(long[] size, ScalarType? dtype = null, bool requires_grad = false, Generator? generator = null) =>
        Leaf(NewFloating(size, dtype, "rand").UniformFill(0, 1, generator), requires_grad);
    public static Tensor rand(long d0, ScalarType? dtype = null, bool requires_grad = false, Generator? generator = null) => rand([d0], dtype, requires_grad, generator);
    public static Tensor rand(long d0, long d1, ScalarType? dtype = null, bool requires_grad = false, Generator? generator = null) => rand([d0, d1], dtype, requires_grad, generator);
    public static Tensor rand(long d0, long d1, long d2, ScalarType? dtype = null, bool requires_grad = false, Generator? generator = null) => rand([d0, d1, d2], dtype, requires_grad, generator);
    public static Tensor rand(long d0, long d1, long d2, long d3, ScalarType? dtype = null, bool requires_grad = false, Generator? generator = null) => rand([d0, d1, d2, d3], dtype, requires_grad, generator);

    /// <summary>Standard normal samples, float32 unless a <c>dtype:</c> says otherwise.</summary>
    public static Tensor randn(params long[] size) => randn(size, null);
    public static Tensor randn(long[] size, ScalarType? dtype = null, bool requires_grad = false, Generator? generator = null) =>
        Leaf(NewFloating(size, dtype, "randn").NormalFill(0, 1, generator), requires_grad);
    public static Tensor randn(long d0, ScalarType? dtype = null, bool requires_grad = false, Generator? generator = null) => randn([d0], dtype, requires_grad, generator);
    public static Tensor randn(long d0, long d1, ScalarType? dtype = null, bool requires_grad = false, Generator? generator = null) => randn([d0, d1], dtype, requires_grad, generator);
    public static Tensor randn(long d0, long d1, long d2, ScalarType? dtype = null, bool requires_grad = false, Generator? generator = null) => randn([d0, d1, d2], dtype, requires_grad, generator);
    public static Tensor randn(long d0, long d1, long d2, long d3, ScalarType? dtype = null, bool requires_grad = false, Generator? generator = null) => randn([d0, d1, d2, d3], dtype, requires_grad, generator);

    /// <summary>rand with <paramref name="input"/>'s shape (and dtype, unless given); a permuted dense layout is kept, as PyTorch does.</summary>
    public static Tensor rand_like(Tensor input, ScalarType? dtype = null, bool requires_grad = false, Generator? generator = null)
    {
        var dt = dtype ?? input.dtype;
        if (!dt.IsFloating()) throw new ArgumentException($"rand_like: expected a floating point dtype, got {dt.TorchName()}; pass dtype: torch.float32");
        return Leaf(Tensor.EmptyLike(input, dt).UniformFill(0, 1, generator), requires_grad);
    }

    public static Tensor randn_like(Tensor input, ScalarType? dtype = null, bool requires_grad = false, Generator? generator = null)
    {
        var dt = dtype ?? input.dtype;
        if (!dt.IsFloating()) throw new ArgumentException($"randn_like: expected a floating point dtype, got {dt.TorchName()}; pass dtype: torch.float32");
        return Leaf(Tensor.EmptyLike(input, dt).NormalFill(0, 1, generator), requires_grad);
    }

    // ---------------------------------------------------------------- normal

    /// <summary>Normal samples with the given mean and standard deviation.</summary>
    public static Tensor normal(double mean, double std, long[] size, ScalarType? dtype = null, bool requires_grad = false, Generator? generator = null)
    {
        var t = NewFloating(size, dtype, "normal");
        Tensor.CheckNormalStd(std);
        return Leaf(t.NormalFill(mean, std, generator), requires_grad);
    }

    /// <summary>One sample per element, N(mean[i], std[i]) with mean and std broadcast; the result has mean's dtype.</summary>
    public static Tensor normal(Tensor mean, Tensor std, Generator? generator = null)
    {
        var dt = Tensor.CheckFloat(mean, "normal");
        Tensor.CheckFloat(std, "normal");
        var shape = Shape.Broadcast(mean._shape, std._shape, "normal");
        Tensor.CheckNormalStd(std);
        Tensor r;
        using (no_grad())
        {
            r = Tensor.Empty(shape, dt).NormalFill(0, 1, generator);
            r.mul_(std).add_(mean);
        }
        return Tensor.NeedsGrad(mean, std) ? Tensor.RecordZeroGrad(r, "NormalBackward3", mean, std) : r;
    }

    /// <summary>N(mean[i], std) per element.</summary>
    public static Tensor normal(Tensor mean, double std = 1.0, Generator? generator = null)
    {
        var dt = Tensor.CheckFloat(mean, "normal");
        Tensor.CheckNormalStd(std);
        Tensor r;
        using (no_grad())
        {
            r = Tensor.Empty(mean._shape, dt).NormalFill(0, std, generator);
            r.add_(mean);
        }
        return Tensor.NeedsGrad(mean) ? Tensor.RecordZeroGrad(r, "NormalBackward1", mean) : r;
    }

    /// <summary>N(mean, std[i]) per element.</summary>
    public static Tensor normal(double mean, Tensor std, Generator? generator = null)
    {
        var dt = Tensor.CheckFloat(std, "normal");
        Tensor.CheckNormalStd(std);
        Tensor r;
        using (no_grad())
        {
            r = Tensor.Empty(std._shape, dt).NormalFill(0, 1, generator);
            r.mul_(std).add_(mean);
        }
        return Tensor.NeedsGrad(std) ? Tensor.RecordZeroGrad(r, "NormalBackward2", std) : r;
    }

    // ---------------------------------------------------------------- randint / randperm

    /// <summary>Integers uniform on [0, high), int64 unless <paramref name="dtype"/> says otherwise.</summary>
    public static Tensor randint(long high, long[] size, ScalarType? dtype = null, bool requires_grad = false, Generator? generator = null) =>
        randint(0, high, size, dtype, requires_grad, generator);

    /// <summary>Integers uniform on [low, high).</summary>
    public static Tensor randint(long low, long high, long[] size, ScalarType? dtype = null, bool requires_grad = false, Generator? generator = null)
    {
        var t = Tensor.Empty(Shape.FromLong(size), dtype ?? int64);
        if (requires_grad && !t.dtype.IsFloating())
            throw new ArgumentException($"Only Tensors of floating point dtype can require gradients; randint makes {t.dtype.TorchName()}: pass dtype: torch.float32 to use requires_grad");
        return Leaf(t.RandomFill(low, high, generator, "randint"), requires_grad);
    }

    public static Tensor randint_like(Tensor input, long high, ScalarType? dtype = null, bool requires_grad = false, Generator? generator = null) =>
        randint_like(input, 0, high, dtype, requires_grad, generator);

    public static Tensor randint_like(Tensor input, long low, long high, ScalarType? dtype = null, bool requires_grad = false, Generator? generator = null)
    {
        var t = Tensor.EmptyLike(input, dtype ?? input.dtype);
        if (requires_grad && !t.dtype.IsFloating())
            throw new ArgumentException($"Only Tensors of floating point dtype can require gradients; randint_like makes {t.dtype.TorchName()}");
        return Leaf(t.RandomFill(low, high, generator, "randint_like"), requires_grad);
    }

    /// <summary>A random permutation of 0..n-1 (int64 unless <paramref name="dtype"/> says otherwise), by PyTorch's CPU shuffle.</summary>
    public static Tensor randperm(long n, ScalarType? dtype = null, bool requires_grad = false, Generator? generator = null)
    {
        var dt = dtype ?? int64;
        var shape = Shape.FromLong([n]);
        switch (dt)
        {
            case ScalarType.Bool: throw new ArgumentException("\"randperm\" not implemented for 'Bool': use an integer or floating dtype");
            case ScalarType.Byte when n > 256: throw new ArgumentException($"randperm: n cannot be greater than 256 for torch.uint8 (values 0..n-1 must fit), got n={n}");
            case ScalarType.Float32 when n > (1 << 24) + 1: throw new ArgumentException($"n cannot be greater than 2^24+1 for Float type (float32 holds consecutive integers only up to 2^24), got n={n}");
        }
        if (requires_grad && !dt.IsFloating())
            throw new ArgumentException($"Only Tensors of floating point dtype can require gradients; randperm makes {dt.TorchName()}");
        var g = generator ?? default_generator;
        var r = new long[Shape.Numel(shape)];   // past an array's length: the size error (n = 2^31 - 1 ran out of memory)
        lock (g.Sync) RandomKernels.Randperm(r, g);
        var t = new Tensor(new Storage<long>(r), shape);
        return Leaf(dt == int64 ? t : t.to_nograd(dt, false), requires_grad);
    }

    // ---------------------------------------------------------------- bernoulli / multinomial

    /// <summary>0/1 samples with P(1) = input[i]; the result has input's dtype.</summary>
    public static Tensor bernoulli(Tensor input, Generator? generator = null) => input.bernoulli(generator);

    /// <summary>0/1 samples with P(1) = p, shaped like input.</summary>
    public static Tensor bernoulli(Tensor input, double p, Generator? generator = null) => input.bernoulli(p, generator);

    /// <summary>Category indices drawn from the rows of <paramref name="input"/> (unnormalised probabilities).</summary>
    public static Tensor multinomial(Tensor input, long num_samples, bool replacement = false, Generator? generator = null) =>
        input.multinomial(num_samples, replacement, generator);
}

public partial class Tensor
{
    static torch.Generator Gen(torch.Generator? g) => g ?? torch.default_generator;

    // ---------------------------------------------------------------- layout helpers

    /// <summary>empty_like with PyTorch's preserve format: a dense (permuted) layout keeps its strides, others become contiguous.</summary>
    internal static Tensor EmptyLike(Tensor t, ScalarType dtype)
    {
        if (t._contiguous || !IsNonOverlappingAndDense(t)) return Empty(t._shape, dtype);
        return Empty(t._shape, (int[])t._strides.Clone(), dtype);
    }

    static bool IsNonOverlappingAndDense(Tensor t)
    {
        var dims = Enumerable.Range(0, t._shape.Length).Where(d => t._shape[d] > 1).OrderBy(d => t._strides[d]).ToArray();
        long expected = 1;
        foreach (var d in dims)
        {
            if (t._strides[d] != expected) return false;
            expected *= t._shape[d];
        }
        return true;
    }

    /// <summary>
    /// The order PyTorch's TensorIterator visits an output in: dims by decreasing stride (ties keep
    /// their order), i.e. memory order. Iterating row-major over the permuted dims visits it so.
    /// </summary>
    int[] IterationPerm()
    {
        var perm = Enumerable.Range(0, _shape.Length).ToArray();
        for (int i = 1; i < perm.Length; i++)
            for (int j = i; j > 0 && _strides[perm[j - 1]] < _strides[perm[j]]; j--)
                (perm[j - 1], perm[j]) = (perm[j], perm[j - 1]);
        return perm;
    }

    static Tensor Permuted(Tensor t, int[] perm) =>
        new(t._storage, perm.Select(d => t._shape[d]).ToArray(), perm.Select(d => t._strides[d]).ToArray(), t._offset);

    void CheckNoInternalOverlap(string op)
    {
        for (int d = 0; d < _shape.Length; d++)
            if (_shape[d] > 1 && _strides[d] == 0)
                throw new InvalidOperationException($"{op}: unsupported operation: more than one element of the written-to tensor refers to a single memory location (this tensor of shape {Shape.Str(_shape)} is an expanded view). Please clone() the tensor before performing the operation.");
    }

    /// <summary>
    /// The contiguous buffer a sampler writes this tensor's Numel values into, in TensorIterator order: the tensor
    /// itself when it is contiguous of dtype <paramref name="t"/>, else a scratch <see cref="FillDone"/> stores back (converted).
    /// </summary>
    Tensor FillTarget(ScalarType t) => _contiguous && dtype == t ? this : Empty([Numel], t);

    void FillDone(Tensor filled)
    {
        if (ReferenceEquals(filled, this)) return;
        var dst = _contiguous ? this : Permuted(this, IterationPerm());
        dst.CopyFrom(filled.reshape_nograd(dst._shape));
    }

    /// <summary>Values of <paramref name="t"/> (broadcast to this tensor's shape) as doubles, in this tensor's iteration order.</summary>
    double[] GatherInIterationOrder(Tensor t)
    {
        var ex = t.expand_nograd(_shape);
        var view = _contiguous ? ex : Permuted(ex, IterationPerm());
        return view.to_nograd(ScalarType.Float64, false).contiguous_nograd().Span<double>().ToArray();
    }

    // ---------------------------------------------------------------- autograd for random ops

    /// <summary>Random outputs carry no gradient to their parameters: PyTorch records zeros.</summary>
    internal static Tensor RecordZeroGrad(Tensor r, string name, Tensor input) => Record(r, name, ZerosGrad(input.shape), false, input);

    internal static Tensor RecordZeroGrad(Tensor r, string name, Tensor a, Tensor b) => Record(r, name, ZerosGrad(a.shape, b.shape), false, a, b);

    static Func<Tensor, Tensor?> ZerosGrad(long[] shape) => g => torch.zeros(shape, dtype: g.dtype);

    static Func<Tensor, (Tensor?, Tensor?)> ZerosGrad(long[] a, long[] b) => g => (torch.zeros(a, dtype: g.dtype), torch.zeros(b, dtype: g.dtype));

    /// <summary>
    /// Finishes an in-place random op: bumps the version and, for a non-leaf that requires grad
    /// (leaves were rejected by CheckInplace), makes a zero-gradient node its history.
    /// </summary>
    Tensor RandomInplaceDone(string gradFn, Tensor? p = null)
    {
        BumpVersion();
        bool selfGrad = _requiresGrad, pGrad = p is not null && p._requiresGrad;
        if (GradMode.Enabled && (selfGrad || pGrad))
        {
            _gradFn = p is null ? new Node(gradFn, ZerosGrad(shape), GradEdge, false)
                : new Node(gradFn, ZerosGrad(shape, p.shape), GradEdge, p.GradEdge, false);
            _requiresGrad = true;
        }
        return this;
    }

    void CheckRandomInplace(string op, bool floatingOnly)
    {
        if (floatingOnly) CheckFloat(this, op);
        CheckInplace(dtype, op);
        CheckNoInternalOverlap(op);
    }

    internal static void CheckNormalStd(double std)
    {
        if (!(std >= 0.0)) throw new ArgumentException($"normal expects std >= 0.0, but found std {std}");
    }

    internal static void CheckNormalStd(Tensor std)
    {
        foreach (var v in std.to_nograd(ScalarType.Float64, false).contiguous_nograd().Span<double>())
            if (!(v >= 0.0)) throw new ArgumentException($"normal expects all elements of std >= 0.0, but found std {v}");
    }

    // ---------------------------------------------------------------- uniform_

    /// <summary>Fills with samples uniform on [from, to) (PyTorch's uniform_real_distribution, bit for bit).</summary>
    public Tensor uniform_(double from = 0, double to = 1, torch.Generator? generator = null)
    {
        CheckRandomInplace("uniform_", true);
        return UniformFill(from, to, generator).RandomInplaceDone("UniformBackward0");
    }

    internal Tensor UniformFill(double from, double to, torch.Generator? generator)
    {
        CheckFloat(this, "uniform_");
        if (!(from <= to)) throw new ArgumentException($"uniform_ expects to return a [from, to) range, but found from={from} > to={to}");
        var g = Gen(generator);
        var d = FillTarget(dtype);
        bool finite;
        lock (g.Sync) finite = RandomKernels.Uniform(dtype, d._storage.RawArray, d._offset, Numel, from, to, g);
        if (!finite)
            throw new ArgumentException($"uniform_ expects to-from <= std::numeric_limits<{dtype.CName()}>::max(), but found to={to} and from={from} which result in to-from to exceed the limit");
        FillDone(d);
        return this;
    }

    // ---------------------------------------------------------------- normal_

    /// <summary>Fills with N(mean, std²) samples, drawing exactly as PyTorch's CPU normal_ does.</summary>
    public Tensor normal_(double mean = 0, double std = 1, torch.Generator? generator = null)
    {
        CheckRandomInplace("normal_", true);
        CheckNormalStd(std);
        return NormalFill(mean, std, generator).RandomInplaceDone("NormalBackward0");
    }

    internal Tensor NormalFill(double mean, double std, torch.Generator? generator)
    {
        CheckFloat(this, "normal_");
        var g = Gen(generator);
        var d = FillTarget(dtype);
        // ATen takes normal_fill (Box–Muller in blocks of 16) for a contiguous output of 16 or more, else draws per element.
        lock (g.Sync) RandomKernels.Normal(dtype, d._storage.RawArray, d._offset, Numel, mean, std, Numel >= 16 && _contiguous, g);
        FillDone(d);
        return this;
    }

    // ---------------------------------------------------------------- exponential_

    /// <summary>Fills with Exp(lambd) samples: -log(1 - u) / lambd on 53-bit uniforms.</summary>
    public Tensor exponential_(double lambd = 1, torch.Generator? generator = null)
    {
        CheckRandomInplace("exponential_", true);
        if (!(lambd >= 0.0)) throw new ArgumentException($"exponential_ expects lambda >= 0.0, but found lambda={lambd}");
        return ExponentialFill(lambd, generator).RandomInplaceDone("ExponentialBackward0");
    }

    Tensor ExponentialFill(double lambd, torch.Generator? generator)
    {
        var g = Gen(generator);
        var d = FillTarget(dtype);
        lock (g.Sync) RandomKernels.Exponential(dtype, d._storage.RawArray, d._offset, Numel, lambd, g);
        FillDone(d);
        return this;
    }

    // ---------------------------------------------------------------- random_

    /// <summary>
    /// Fills with integers uniform over the dtype's natural range: [0, max] for integer dtypes,
    /// [0, 2^mantissa] for floating ones, {False, True} for bool.
    /// </summary>
    public Tensor random_(torch.Generator? generator = null)
    {
        CheckRandomInplace("random_", false);
        var g = Gen(generator);
        var d = FillTarget(dtype);
        lock (g.Sync) RandomKernels.FullRange(dtype, d._storage.RawArray, d._offset, Numel, g);
        FillDone(d);
        return RandomInplaceDone("RandomBackward2");
    }

    /// <summary>Fills with integers uniform on [0, to).</summary>
    public Tensor random_(long to, torch.Generator? generator = null)
    {
        CheckRandomInplace("random_", false);
        return RandomFill(0, to, generator, "random_").RandomInplaceDone("RandomBackward1");
    }

    /// <summary>Fills with integers uniform on [from, to); to = null means up to the dtype's largest value.</summary>
    public Tensor random_(long from, long? to, torch.Generator? generator = null)
    {
        CheckRandomInplace("random_", false);
        if (to is long hi) RandomFill(from, hi, generator, "random_");
        else RandomFillToMax(from, generator);
        return RandomInplaceDone("RandomBackward0");
    }

    internal Tensor RandomFill(long from, long to, torch.Generator? generator, string op)
    {
        if (from >= to)
            throw new ArgumentException($"random_ expects 'from' to be less than 'to', but got from={from} >= to={to}" + (op == "random_" ? "" : $" ({op}: low={from}, high={to})"));
        if (dtype.IsFloating())
        {
            from = UpdateFrom(from);
            to = UpdateTo(to);
            if (from >= to)
                throw new ArgumentException($"random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but got from={from} >= to={to}");
        }
        CheckFromToInRange(from, to - 1);
        RandomFromTo(unchecked((ulong)to - (ulong)from), from, generator);
        return this;
    }

    void RandomFillToMax(long from, torch.Generator? generator)
    {
        if (from == long.MinValue && dtype is ScalarType.Int64 or ScalarType.Float32 or ScalarType.Float64)
        {
            // The full 64-bit range: one 64-bit draw reinterpreted as signed.
            var g = Gen(generator);
            var d = FillTarget(ScalarType.Int64);
            lock (g.Sync) RandomKernels.Random64(d.Span<long>(), g);
            FillDone(d);
            return;
        }
        long toInc;
        if (dtype.IsFloating())
        {
            toInc = 1L << (dtype == ScalarType.Float32 ? 24 : 53);
            from = UpdateFrom(from);
            if (from >= toInc)
                throw new ArgumentException($"random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to dtype, but got from={from} > to_inc={toInc}");
        }
        else toInc = dtype switch { ScalarType.Bool => 1, ScalarType.Byte => byte.MaxValue, ScalarType.Int32 => int.MaxValue, _ => long.MaxValue };
        CheckFromToInRange(from, toInc);
        RandomFromTo(unchecked((ulong)toInc - (ulong)from + 1), from, generator);
    }

    // uniform_int_from_to_distribution: a 64-bit draw only when the range needs it (and the dtype can hold it).
    void RandomFromTo(ulong range, long from, torch.Generator? generator)
    {
        var g = Gen(generator);
        bool wide = range >= 1UL << 32 && dtype is ScalarType.Int64 or ScalarType.Float32 or ScalarType.Float64;
        var d = FillTarget(ScalarType.Int64);
        lock (g.Sync) g.IntsFromTo(d.Span<long>(), range, unchecked((ulong)from), wide);
        FillDone(d);
    }

    // ATen's update_from / update_to: move a bound that the float dtype cannot represent inside the range.
    long UpdateFrom(long from)
    {
        // Nothing lies above long.MaxValue (from + 1 wrapped, and Math.Abs of it threw; PyTorch 1.13 hangs):
        // it stays, and random_(from) refuses it as past 'to_inc'.
        if (from == long.MaxValue) return from;
        long fromPlus1 = CastThroughDtype(from + 1);
        if (fromPlus1 < from)
        {
            long f = Math.Abs(from + 1);
            int n = 0;
            while ((f >>= 1) != 0) ++n;
            from = fromPlus1 + (1L << (n - MantissaDigits + 1));
        }
        return from;
    }

    long UpdateTo(long to)
    {
        long toMinus1 = CastThroughDtype(to - 1);
        if (toMinus1 >= to)
        {
            long t = Math.Abs(to - 1);
            int n = 0;
            while ((t >>= 1) != 0) ++n;
            to = toMinus1 - (1L << (n - MantissaDigits + 1));
        }
        return to;
    }

    int MantissaDigits => dtype == ScalarType.Float32 ? 24 : 53;

    long CastThroughDtype(long v) => dtype == ScalarType.Float32 ? SaturatingToLong((float)v) : SaturatingToLong((double)v);

    static long SaturatingToLong(double v) => v >= 9.2233720368547758E18 ? long.MaxValue : (long)v;

    void CheckFromToInRange(long from, long toInc)
    {
        string cname = dtype.CDemangledName();
        if (dtype.IsFloating())
        {
            int digits = MantissaDigits;
            long lim = 1L << digits;
            foreach (var (v, name) in new[] { (from, "from"), (toInc, "to - 1") })
                if (v < -lim || v > lim)
                    Warnings.Warn($"{name} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision limitations {cname} can support discrete uniform distribution only within this range. This warning will become an error in version 1.7 release, please fix the code in advance");
            return;
        }
        var (min, max) = dtype switch
        {
            ScalarType.Byte => (0L, 255L), ScalarType.Int32 => (int.MinValue, int.MaxValue),
            ScalarType.Bool => (0L, 1L), _ => (long.MinValue, long.MaxValue),
        };
        if (from < min || from > max)
            throw new ArgumentException($"from is out of bounds for {cname}: {dtype.TorchName()} holds [{min}, {max}], got from={from}");
        if (toInc < min || toInc > max)
            throw new ArgumentException($"to - 1 is out of bounds for {cname}: {dtype.TorchName()} holds [{min}, {max}], got to - 1={toInc}");
    }

    // ---------------------------------------------------------------- bernoulli

    /// <summary>Fills with 1 with probability p, else 0 (53-bit uniforms compared with p).</summary>
    public Tensor bernoulli_(double p = 0.5, torch.Generator? generator = null)
    {
        CheckRandomInplace("bernoulli_", false);
        BernoulliFill(p, generator);
        return RandomInplaceDone("BernoulliBackward2");
    }

    void BernoulliFill(double p, torch.Generator? generator)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"bernoulli_ expects p to be in [0, 1], but got p={p}");
        var g = Gen(generator);
        var d = FillTarget(ScalarType.Float64);
        lock (g.Sync) RandomKernels.Bernoulli(d.Span<double>(), p, g);
        FillDone(d);
    }

    /// <summary>Fills element i with 1 with probability p[i] (p broadcast to this shape), else 0.</summary>
    public Tensor bernoulli_(Tensor p, torch.Generator? generator = null)
    {
        CheckRandomInplace("bernoulli_", false);
        BernoulliFill(p, generator);
        return RandomInplaceDone("BernoulliBackward1", p);
    }

    void BernoulliFill(Tensor p, torch.Generator? generator)
    {
        if (!p.dtype.IsFloating())
            throw new ArgumentException($"\"bernoulli_tensor_cpu_p_\" not implemented for '{p.dtype.CName()}': bernoulli needs floating point probabilities, got p of dtype {p.dtype.TorchName()}");
        if (p._shape.Length > _shape.Length)
            throw new ArgumentException($"bernoulli_: p of shape {Shape.Str(p._shape)} has more dimensions than the tensor of shape {Shape.Str(_shape)} it fills; p must broadcast to that shape");
        if (!Shape.SameShape(p._shape, _shape)) Shape.ExpandStrides(p._shape, p._strides, _shape);
        var probs = GatherInIterationOrder(p);
        for (int i = 0; i < probs.Length; i++)
            if (!(probs[i] >= 0 && probs[i] <= 1))
                throw new ArgumentException($"bernoulli: every probability must be in [0, 1] (Expected p_in >= 0 && p_in <= 1 to be true, but got false): found p={probs[i]}");
        var g = Gen(generator);
        var d = FillTarget(ScalarType.Float64);
        lock (g.Sync) RandomKernels.Bernoulli(p.dtype, d.Buffer<double>(), d._offset, Numel, probs, g);
        FillDone(d);
    }

    /// <summary>torch.bernoulli(self): 0/1 samples with P(1) = self[i], same dtype and shape.</summary>
    public Tensor bernoulli(torch.Generator? generator = null)
    {
        var r = Empty(_shape, dtype);
        r.BernoulliFill(this, generator);
        return NeedsGrad(this) ? RecordZeroGrad(r, "BernoulliBackward0", this) : r;
    }

    /// <summary>0/1 samples with P(1) = p, shaped like this tensor.</summary>
    public Tensor bernoulli(double p, torch.Generator? generator = null)
    {
        var r = Empty(_shape, dtype);
        r.BernoulliFill(p, generator);
        return r; // not differentiable in PyTorch either: the result does not depend on this tensor's values
    }

    // ---------------------------------------------------------------- multinomial

    /// <summary>
    /// Draws <paramref name="num_samples"/> category indices per row of this 1-D or 2-D tensor of
    /// non-negative weights. Without replacement it uses PyTorch's exponential race (the top k of
    /// p / Exp(1)); with replacement, a binary search in the normalised cumulative sums. Unlike
    /// PyTorch 1.13 (which then returns zero-probability categories), asking for more samples
    /// without replacement than a row has nonzero weights is an error.
    /// </summary>
    public Tensor multinomial(long num_samples, bool replacement = false, torch.Generator? generator = null)
    {
        if (_shape.Length is < 1 or > 2)
            throw new ArgumentException($"prob_dist must be 1 or 2 dim, got a tensor of shape {Shape.Str(_shape)}");
        if (!dtype.IsFloating())
            throw new ArgumentException($"multinomial only supports floating-point dtypes for input, got: {dtype.CName()} ({dtype.TorchName()})");
        if (num_samples <= 0) throw new ArgumentException($"cannot sample n_sample <= 0 samples (got num_samples={num_samples})");
        int nCat = _shape[^1], nDist = _shape.Length == 2 ? _shape[0] : 1;
        if (!replacement && num_samples > nCat)
            throw new ArgumentException($"cannot sample n_sample > prob_dist.size(-1) samples without replacement (num_samples={num_samples}, {nCat} categories)");
        if (nCat > 1 << 24) throw new ArgumentException($"number of categories cannot exceed 2^24, got {nCat}");
        int ns = Shape.FromLong([num_samples])[0];   // past int: the size error (it was cast, 2^40 samples became none)
        var result = Empty(_shape.Length == 1 ? [ns] : [nDist, ns], ScalarType.Int64);
        if (result.Numel == 0) return result;
        var p = to_nograd(ScalarType.Float64, false).contiguous_nograd().Span<double>().ToArray();
        var g = Gen(generator);

        if (!replacement)
        {
            foreach (var v in p)
                if (!(v >= 0 && v < double.PositiveInfinity))
                    throw new ArgumentException($"probability tensor contains either `inf`, `nan` or element < 0 (found {v})");
            for (int r = 0; r < nDist; r++)
            {
                int nonzero = 0;
                for (int j = 0; j < nCat; j++) if (p[r * nCat + j] != 0) nonzero++;
                if (nonzero == 0) throw new ArgumentException($"invalid multinomial distribution (sum of probabilities <= 0) in row {r}");
                if (nonzero < ns)
                    throw new ArgumentException($"invalid multinomial distribution (with replacement=False, not enough non-negative category to sample): row {r} has {nonzero} nonzero probabilities, {ns} samples requested");
            }
            // q ~ Exp(1) per entry (same layout rules as empty_like); the winners maximise p / q.
            var q = EmptyLike(this, dtype);
            q.ExponentialFill(1.0, generator);
            var qv = q.to_nograd(ScalarType.Float64, false).contiguous_nograd().Span<double>().ToArray();
            RandomKernels.MultinomialRace(dtype, p, qv, nDist, nCat, ns, result.Buffer<long>());
            return result;
        }

        for (int r = 0; r < nDist; r++)
            for (int j = 0; j < nCat; j++)
            {
                double v = p[r * nCat + j];
                if (!(v >= 0)) throw new ArgumentException($"invalid multinomial distribution (encountering probability entry < 0): found {v} in row {r}");
                if (double.IsInfinity(v)) throw new ArgumentException($"invalid multinomial distribution (encountering probability entry = infinity or NaN) in row {r}");
            }
        var sums = RandomKernels.MultinomialRowSums(dtype, p, nDist, nCat);
        for (int r = 0; r < nDist; r++)
            if (!(sums[r] > 0)) throw new ArgumentException($"invalid multinomial distribution (sum of probabilities <= 0) in row {r}");
        lock (g.Sync) RandomKernels.MultinomialSearch(dtype, p, sums, nDist, nCat, ns, g, result.Buffer<long>());
        return result;
    }
}
