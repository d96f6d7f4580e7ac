using System.Collections;

namespace Torchlet.Data;

/// <summary>
/// What every map-style dataset has whatever its item type: a size. Samplers need no more than this
/// (as <c>nn.Module</c> is to <c>nn.Module&lt;TIn, TOut&gt;</c>).
/// </summary>
public abstract class Dataset
{
    /// <summary>The number of items (<c>len(dataset)</c>).</summary>
    public abstract long Count { get; }
}

/// <summary>
/// A map-style dataset (<c>torch.utils.data.Dataset</c>): <see cref="Dataset.Count"/> items reached by index, as
/// Python's <c>__len__</c> and <c>__getitem__</c>. Enumerating it yields the items in index order.
/// </summary>
public abstract class Dataset<T> : Dataset, IEnumerable<T>
{
    /// <summary>The item at <paramref name="index"/>, 0 ≤ index &lt; Count.</summary>
    public abstract T this[long index] { get; }

    /// <summary><c>dataset_a + dataset_b</c>: a <see cref="ConcatDataset{T}"/> of both.</summary>
    public static ConcatDataset<T> operator +(Dataset<T> a, Dataset<T> b) => new([a, b]);

    public IEnumerator<T> GetEnumerator()
    {
        for (long i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// The index in [0, count): a negative one counts from the end, as Python's does. Outside [−count, count) it
    /// throws with the range.
    /// </summary>
    protected static long CheckIndex(long index, long count, string what)
    {
        long i = index < 0 ? index + count : index;
        if (i < 0 || i >= count)
            throw new IndexOutOfRangeException($"{what}: index {index} is out of range for a dataset of {count} items (expected {-count} ≤ index < {count})");
        return i;
    }
}

/// <summary>
/// An iterable-style dataset (<c>torch.utils.data.IterableDataset</c>): a stream of items with no index. With
/// <c>num_workers</c> &gt; 0 every worker enumerates its own copy; use <see cref="torch.utils.data.get_worker_info"/>
/// inside <see cref="GetEnumerator"/> to split the stream between workers, as in PyTorch.
/// </summary>
public abstract class IterableDataset<T> : IEnumerable<T>
{
    public abstract IEnumerator<T> GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The number of items when the stream knows it (<c>__len__</c>); null when it does not.</summary>
    public virtual long? Length => null;
}

/// <summary>
/// Items taken from tensors along their first dimension (<c>torch.utils.data.TensorDataset(a, b)</c>):
/// item i is <c>(a[i], b[i])</c>.
/// </summary>
public sealed class TensorDataset : Dataset<(Tensor, Tensor)>
{
    public TensorDataset(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        TensorDatasets.CheckSizes([a, b]);
        tensors = [a, b];
    }

    /// <summary>The tensors, as given.</summary>
    public IReadOnlyList<Tensor> tensors { get; }

    public override long Count => tensors[0].shape[0];

    public override (Tensor, Tensor) this[long index]
    {
        get
        {
            index = CheckIndex(index, Count, "TensorDataset");
            return (tensors[0][index], tensors[1][index]);
        }
    }

    public override string ToString() => TensorDatasets.Describe(tensors);
}

/// <summary>A <c>TensorDataset</c> of one tensor, or of three or more: item i is the i-th slice of each.</summary>
public sealed class TensorDataset<TItem> : Dataset<TItem>
{
    readonly Func<long, TItem> _get;

    internal TensorDataset(Tensor[] tensors, Func<long, TItem> get)
    {
        TensorDatasets.CheckSizes(tensors);
        this.tensors = tensors;
        _get = get;
    }

    public IReadOnlyList<Tensor> tensors { get; }

    public override long Count => tensors[0].shape[0];

    public override TItem this[long index]
    {
        get
        {
            return _get(CheckIndex(index, Count, "TensorDataset"));
        }
    }

    public override string ToString() => TensorDatasets.Describe(tensors);
}

static class TensorDatasets
{
    internal static string Describe(IReadOnlyList<Tensor> tensors) =>
        $"TensorDataset: {tensors[0].shape[0]} items of {string.Join(", ", tensors.Select(t => $"{t.dtype.TorchName()} [{string.Join(", ", t.shape.Skip(1))}]"))}";

    internal static void CheckSizes(Tensor[] tensors)
    {
        if (tensors.Length == 0) throw new ArgumentException("TensorDataset: expected at least one tensor, got none");
        for (int i = 0; i < tensors.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(tensors[i], $"tensors[{i}]");
            if (tensors[i].dim() == 0)
                throw new ArgumentException($"TensorDataset: tensor {i} is a scalar (0-d); every tensor needs a first dimension to index items along");
            if (tensors[i].shape[0] != tensors[0].shape[0])
                throw new ArgumentException($"Size mismatch between tensors: TensorDataset expects every tensor to have the same first dimension, but tensor 0 has {tensors[0].shape[0]} and tensor {i} has {tensors[i].shape[0]}");
        }
    }
}

/// <summary>The items of <see cref="dataset"/> at <see cref="indices"/>, in that order (<c>torch.utils.data.Subset</c>).</summary>
public sealed class Subset<T> : Dataset<T>
{
    public Subset(Dataset<T> dataset, IReadOnlyList<long> indices)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(indices);
        this.dataset = dataset;
        this.indices = indices;
    }

    public Dataset<T> dataset { get; }
    public IReadOnlyList<long> indices { get; }

    public override long Count => indices.Count;

    public override T this[long index]
    {
        get
        {
            return dataset[indices[(int)CheckIndex(index, Count, "Subset")]];
        }
    }

    public override string ToString() =>
        $"Subset: {Count} of the {dataset.Count} items of\n" + string.Join("\n", (dataset.ToString() ?? "").Split('\n').Select(l => "  " + l));
}

/// <summary>Datasets one after another (<c>torch.utils.data.ConcatDataset</c>); negative indices count from the end.</summary>
public sealed class ConcatDataset<T> : Dataset<T>
{
    readonly long[] _cumulative;

    public ConcatDataset(IEnumerable<Dataset<T>> datasets)
    {
        ArgumentNullException.ThrowIfNull(datasets);
        this.datasets = datasets.ToArray();
        if (this.datasets.Count == 0) throw new ArgumentException("datasets should not be an empty iterable");
        _cumulative = new long[this.datasets.Count];
        long sum = 0;
        for (int i = 0; i < _cumulative.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(this.datasets[i], $"datasets[{i}]");
            _cumulative[i] = sum += this.datasets[i].Count;
        }
    }

    public IReadOnlyList<Dataset<T>> datasets { get; }

    /// <summary>Running totals of the datasets' sizes (PyTorch's <c>cumulative_sizes</c>).</summary>
    public IReadOnlyList<long> cumulative_sizes => _cumulative;

    public override long Count => _cumulative[^1];

    public override T this[long index]
    {
        get
        {
            index = CheckIndex(index, Count, "ConcatDataset");
            // The first dataset whose running total exceeds the index (bisect_right).
            int d = Array.BinarySearch(_cumulative, index);
            d = d >= 0 ? d + 1 : ~d;
            long start = d == 0 ? 0 : _cumulative[d - 1];
            return datasets[d][index - start];
        }
    }

    public override string ToString() =>
        $"ConcatDataset: {Count} items of {datasets.Count} datasets\n" +
        string.Join("\n", datasets.SelectMany(d => (d.ToString() ?? "").Split('\n')).Select(l => "  " + l));
}
