namespace Torchlet.Interactive;

/// <summary>
/// Per-epoch values of named series (engine-free). A validation series is named <c>val_</c> + the training
/// series' name (Keras' convention): <c>loss</c> / <c>val_loss</c>, <c>accuracy</c> / <c>val_accuracy</c>.
/// Recording a series twice for one epoch keeps the later value. As a cell's value it shows as Plotly line charts.
/// </summary>
public sealed class TrainingHistory
{
    public const string ValidationPrefix = "val_";

    readonly Dictionary<string, SortedDictionary<int, double>> _series = new(StringComparer.Ordinal);
    readonly List<string> _order = [];

    /// <summary>Records <paramref name="value"/> of series <paramref name="name"/> at <paramref name="epoch"/>.</summary>
    public TrainingHistory Record(int epoch, string name, double value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, $"TrainingHistory.Record: expected an epoch >= 0, got {epoch} for series '{name}'");
        if (!_series.TryGetValue(name, out var s))
        {
            _series[name] = s = new SortedDictionary<int, double>();
            _order.Add(name);
        }
        s[epoch] = value;
        return this;
    }

    /// <summary>Records a training value and, if given, its validation value (series <c>val_</c>+<paramref name="metric"/>).</summary>
    public TrainingHistory Add(int epoch, double train, double? validation = null, string metric = "loss")
    {
        Record(epoch, metric, train);
        if (validation is { } v) Record(epoch, ValidationPrefix + metric, v);
        return this;
    }

    /// <summary>Series names in first-recorded order.</summary>
    public IReadOnlyList<string> Names => _order;

    /// <summary>Metric names (series without the validation prefix), in first-recorded order.</summary>
    public IReadOnlyList<string> Metrics =>
        _order.Select(n => n.StartsWith(ValidationPrefix, StringComparison.Ordinal) ? n[ValidationPrefix.Length..] : n).Distinct().ToList();

    public bool Contains(string name) => _series.ContainsKey(name);

    /// <summary>The (epoch, value) points of a series in epoch order.</summary>
    public IReadOnlyList<(int Epoch, double Value)> Series(string name) =>
        _series.TryGetValue(name, out var s)
            ? s.Select(kv => (kv.Key, kv.Value)).ToList()
            : throw new KeyNotFoundException($"TrainingHistory: no series '{name}'; recorded: {(_order.Count == 0 ? "none" : string.Join(", ", _order))}");

    public int Count => _series.Values.Sum(s => s.Count);

    public override string ToString() =>
        "TrainingHistory(" + string.Join(", ", _order.Select(n =>
        {
            var s = _series[n];
            return $"{n}: {s.Count} epochs, last {s.Values.Last():G4}";
        })) + ")";
}
