using System.Collections;

namespace Torchlet.Data;

/// <summary>
/// The order in which a DataLoader visits a dataset's indices (<c>torch.utils.data.Sampler</c>). Each
/// enumeration is one epoch; random samplers draw anew for each.
/// </summary>
public abstract class Sampler : IEnumerable<long>
{
    /// <summary>The number of indices one epoch yields (<c>len(sampler)</c>).</summary>
    public abstract long Count { get; }

    public abstract IEnumerator<long> GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private protected static List<long> ToList(Tensor indices) => [.. indices.data<long>().ToArray()];
}

/// <summary>0, 1, …, len − 1 in order (<c>SequentialSampler(data_source)</c>).</summary>
public sealed class SequentialSampler : Sampler
{
    public SequentialSampler(Dataset data_source)
    {
        ArgumentNullException.ThrowIfNull(data_source);
        this.data_source = data_source;
    }

    public Dataset data_source { get; }
    public override long Count => data_source.Count;

    public override IEnumerator<long> GetEnumerator()
    {
        for (long i = 0; i < data_source.Count; i++) yield return i;
    }

    public override string ToString() => $"SequentialSampler({Count} indices in order)";
}

/// <summary>
/// A random order (<c>RandomSampler</c>): a permutation per pass of the data set (or draws with replacement).
/// As PyTorch 1.13 does it: without a generator, each epoch seeds a fresh generator with one int64 drawn from
/// the default generator, then takes randperm from it; so <c>manual_seed(s)</c> gives PyTorch's order.
/// </summary>
public sealed class RandomSampler : Sampler
{
    readonly long? _num_samples;

    public RandomSampler(Dataset data_source, bool replacement = false, long? num_samples = null, torch.Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(data_source);
        // PyTorch checks the number of samples per epoch, so an empty dataset is refused here too.
        if ((num_samples ?? data_source.Count) is var n && n <= 0)
            throw new ArgumentException($"num_samples should be a positive integer value, but got num_samples={n}" +
                                        (num_samples is null ? " (the dataset is empty)" : ""), nameof(num_samples));
        this.data_source = data_source;
        this.replacement = replacement;
        this.generator = generator;
        _num_samples = num_samples;
    }

    public Dataset data_source { get; }
    public bool replacement { get; }
    public torch.Generator? generator { get; }

    /// <summary>Indices per epoch: the data set's size unless given.</summary>
    public long num_samples => _num_samples ?? data_source.Count;

    public override long Count => num_samples;

    public override IEnumerator<long> GetEnumerator()
    {
        long n = data_source.Count, total = num_samples;
        var g = generator ?? SeededFromDefault();
        if (replacement)
        {
            // Chunks of 32 draws, as PyTorch's sampler takes them (same draws, same order).
            for (long k = 0; k < total / 32; k++)
                foreach (var i in ToList(torch.randint(n, [32], generator: g))) yield return i;
            foreach (var i in ToList(torch.randint(n, [total % 32], generator: g))) yield return i;
        }
        else
        {
            if (n == 0) yield break;
            for (long k = 0; k < total / n; k++)
                foreach (var i in ToList(torch.randperm(n, generator: g))) yield return i;
            foreach (var i in ToList(torch.randperm(n, generator: g)).Take((int)(total % n))) yield return i;
        }
    }

    /// <summary>
    /// A generator seeded by one int64 from the default generator
    /// (<c>torch.empty((), dtype=torch.int64).random_().item()</c>).
    /// </summary>
    public override string ToString() => $"RandomSampler(num_samples={num_samples}, replacement={(replacement ? "True" : "False")})";

    internal static torch.Generator SeededFromDefault(torch.Generator? source = null) =>
        new(torch.empty(Array.Empty<long>(), dtype: torch.int64).random_(source).item<long>());
}

/// <summary>A random order of the given indices (<c>SubsetRandomSampler</c>): randperm from the generator, no seed drawn.</summary>
public sealed class SubsetRandomSampler : Sampler
{
    public SubsetRandomSampler(IReadOnlyList<long> indices, torch.Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(indices);
        this.indices = indices;
        this.generator = generator;
    }

    public IReadOnlyList<long> indices { get; }
    public torch.Generator? generator { get; }
    public override long Count => indices.Count;

    public override IEnumerator<long> GetEnumerator()
    {
        foreach (var i in ToList(torch.randperm(indices.Count, generator: generator))) yield return indices[(int)i];
    }

    public override string ToString() => $"SubsetRandomSampler({Count} indices)";
}

/// <summary>
/// Indices drawn with probabilities proportional to <see cref="weights"/> (<c>WeightedRandomSampler</c>): one
/// <c>torch.multinomial</c> of the float64 weights per epoch, with replacement unless told otherwise.
/// </summary>
public sealed class WeightedRandomSampler : Sampler
{
    public WeightedRandomSampler(IEnumerable<double> weights, long num_samples, bool replacement = true, torch.Generator? generator = null)
        : this(torch.tensor((weights ?? throw new ArgumentNullException(nameof(weights))).ToArray(), dtype: torch.float64), num_samples, replacement, generator) { }

    public WeightedRandomSampler(Tensor weights, long num_samples, bool replacement = true, torch.Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (num_samples <= 0)
            throw new ArgumentException($"num_samples should be a positive integer value, but got num_samples={num_samples}", nameof(num_samples));
        if (weights.dim() != 1)
            throw new ArgumentException($"weights should be a 1d sequence but given weights have shape ({string.Join(", ", weights.shape)})", nameof(weights));
        this.weights = weights.to(torch.float64);
        this.num_samples = num_samples;
        this.replacement = replacement;
        this.generator = generator;
    }

    public Tensor weights { get; }
    public long num_samples { get; }
    public bool replacement { get; }
    public torch.Generator? generator { get; }
    public override long Count => num_samples;

    public override IEnumerator<long> GetEnumerator()
    {
        foreach (var i in ToList(torch.multinomial(weights, num_samples, replacement, generator))) yield return i;
    }

    public override string ToString() => $"WeightedRandomSampler(num_samples={num_samples}, replacement={(replacement ? "True" : "False")}, {weights.shape[0]} weights)";
}

/// <summary>
/// Groups another sampler's indices into batches of <see cref="batch_size"/> (<c>BatchSampler</c>); the last,
/// shorter batch is dropped when <see cref="drop_last"/>.
/// </summary>
public sealed class BatchSampler : IEnumerable<long[]>
{
    public BatchSampler(Sampler sampler, long batch_size, bool drop_last)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        if (batch_size <= 0)
            throw new ArgumentException($"batch_size should be a positive integer value, but got batch_size={batch_size}", nameof(batch_size));
        this.sampler = sampler;
        this.batch_size = batch_size;
        this.drop_last = drop_last;
    }

    public Sampler sampler { get; }
    public long batch_size { get; }
    public bool drop_last { get; }

    /// <summary>Batches per epoch.</summary>
    public long Count => drop_last ? sampler.Count / batch_size : sampler.Count / batch_size + (sampler.Count % batch_size != 0 ? 1 : 0);

    public IEnumerator<long[]> GetEnumerator()
    {
        var batch = new List<long>((int)Math.Min(batch_size, 1 << 16));
        foreach (var i in sampler)
        {
            batch.Add(i);
            if (batch.Count == batch_size) { yield return batch.ToArray(); batch.Clear(); }
        }
        if (batch.Count > 0 && !drop_last) yield return batch.ToArray();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"BatchSampler(batch_size={batch_size}, drop_last={(drop_last ? "True" : "False")}, {Count} batches of {sampler})";
}
