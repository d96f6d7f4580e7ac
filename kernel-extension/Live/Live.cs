using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;

namespace Torchlet.Interactive;

/// <summary>Live views for training loops.</summary>
public static class Live
{
    /// <summary>
    /// A live training view for series <paramref name="names"/> (e.g. "loss", "accuracy", "val_loss"):
    /// <c>live.Report(epoch, batch, values)</c> in the loop shows a progress line and a Plotly chart that
    /// update in place while the cell runs. Outside a notebook it only records <see cref="LiveTraining.History"/>.
    /// </summary>
    public static LiveTraining Training(params string[] names) => new(names);

    /// <summary>
    /// The clock a new view reads, in <see cref="Stopwatch"/> ticks. <see cref="Stopwatch.GetTimestamp"/> counts
    /// from an arbitrary origin (on Linux, the machine's boot): nothing may assume its value is large. Tests
    /// replace it with one that starts at 0, as on a freshly booted machine.
    /// </summary>
    internal static Func<long> Clock = Stopwatch.GetTimestamp;
}

/// <summary>One displayed state of a live view (HTML and a text line).</summary>
public sealed record LiveFrame(string Html, string Text);

/// <summary>
/// Records every report (cheap: a few array writes) and redraws at most once per <see cref="Interval"/> of
/// wall-clock time; the first report always draws. The final state, which the saved notebook keeps, is always drawn by <see cref="Complete"/> /
/// <see cref="Dispose"/>, and by the last report when <see cref="Epochs"/> and
/// <see cref="BatchesPerEpoch"/> are set.
/// </summary>
public sealed class LiveTraining : IDisposable
{
    /// <summary>At most this many points per series are drawn (evenly strided, last point always kept).</summary>
    public const int MaxDrawnPoints = 2000;

    readonly string[] _names;
    readonly List<double>[] _values;
    readonly double[] _epochSum;
    readonly int[] _epochCount;
    readonly TrainingHistory _history = new();
    int _epoch = -1, _batch = -1;
    long _steps;
    long? _lastDraw;                 // null until the first draw: the first report always draws
    readonly Func<long> _clock = Live.Clock;
    long _intervalTicks;
    bool _dirty, _completed;
    KernelInvocationContext? _context;
    DisplayedValue? _shown;

    internal LiveTraining(string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Length == 0) throw new ArgumentException("Live.Training: expected at least one series name, e.g. Live.Training(\"loss\", \"accuracy\")", nameof(names));
        var dup = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"Live.Training: series name '{dup.Key}' given twice", nameof(names));
        foreach (var n in names) ArgumentException.ThrowIfNullOrWhiteSpace(n, nameof(names));
        _names = names.ToArray();
        _values = names.Select(_ => new List<double>()).ToArray();
        _epochSum = new double[names.Length];
        _epochCount = new int[names.Length];
        Interval = TimeSpan.FromMilliseconds(250);
        _context = KernelInvocationContext.Current;
    }

    /// <summary>Minimum wall-clock time between two redraws (250 ms by default).</summary>
    public TimeSpan Interval
    {
        get => TimeSpan.FromSeconds(_intervalTicks / (double)Stopwatch.Frequency);
        set => _intervalTicks = (long)(value.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>Total epochs, for the progress bar (optional).</summary>
    public int? Epochs { get; set; }

    /// <summary>Batches per epoch, for the progress bar (optional).</summary>
    public int? BatchesPerEpoch { get; set; }

    public IReadOnlyList<string> Names => _names;

    /// <summary>Number of reports so far.</summary>
    public long Steps => _steps;

    /// <summary>Number of times the view was drawn (first display and updates).</summary>
    public int Draws { get; private set; }

    /// <summary>Per-epoch means of every series reported so far (the current epoch's mean so far included).</summary>
    public TrainingHistory History { get { Flush(); return _history; } }

    /// <summary>
    /// Reports the values of the series (in the order given to <see cref="Live.Training"/>) after a batch.
    /// Use <see cref="double.NaN"/> for a series with no value at this step (e.g. validation before the epoch ends).
    /// </summary>
    public void Report(int epoch, int batch, params double[] values)
    {
        if (values is null || values.Length != _names.Length)
            throw new ArgumentException(
                $"LiveTraining.Report: expected {_names.Length} value(s) for ({string.Join(", ", _names)}), got {values?.Length ?? 0}", nameof(values));
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "LiveTraining.Report: expected an epoch >= 0");
        if (epoch != _epoch) { Flush(); Array.Clear(_epochSum); Array.Clear(_epochCount); _epoch = epoch; }
        _batch = batch;
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i];
            _values[i].Add(v);
            if (!double.IsNaN(v)) { _epochSum[i] += v; _epochCount[i]++; }
        }
        _steps++;
        _dirty = true;
        if (_context is null) return;
        long now = _clock();
        if (_lastDraw is not { } last || now - last >= _intervalTicks || IsLastStep(epoch, batch)) Draw(now);
    }

    // With known totals the last batch of the last epoch always draws, so the final state is shown even
    // without Complete(). (A draw after the cell has finished would not reach the notebook.)
    bool IsLastStep(int epoch, int batch) =>
        Epochs is { } e && BatchesPerEpoch is { } b && epoch >= e - 1 && batch >= b - 1;

    /// <summary>Draws the final state (once more if anything changed since the last draw).</summary>
    public void Complete()
    {
        if (_completed) return;
        _completed = true;
        Flush();
        if (_context is not null && _dirty) Draw(_clock());
    }

    public void Dispose() => Complete();

    void Flush()
    {
        if (_epoch < 0) return;
        for (int i = 0; i < _names.Length; i++)
            if (_epochCount[i] > 0) _history.Record(_epoch, _names[i], _epochSum[i] / _epochCount[i]);
    }

    void Draw(long now)
    {
        _lastDraw = now;
        _dirty = false;
        var frame = Frame();
        try
        {
            if (_shown is null) _shown = _context!.Display(frame);
            else _shown.Update(frame);
            Draws++;
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            // The cell that created the view has finished: stop drawing, keep recording.
            _context = null;
        }
    }

    /// <summary>The current state as HTML (progress line + Plotly chart) and text.</summary>
    public LiveFrame Frame()
    {
        string progress = ProgressText();
        var traces = new List<Plotly.NET.Trace>();
        for (int i = 0; i < _names.Length; i++)
        {
            var (x, y) = Thin(_values[i]);
            if (x.Length == 0) continue;
            traces.Add(Plot.Line(x, y, _names[i], Plot.Palette[i % Plot.Palette.Length], dashed: _names[i].StartsWith(TrainingHistory.ValidationPrefix, StringComparison.Ordinal)));
        }
        // Losses only (all positive): a log axis, as in the curves, so the late epochs are not a flat line.
        bool log = Enumerable.Range(0, _names.Length).All(i => Charts.LogAxis(_names[i], _values[i]));
        var layout = new Dictionary<string, object>
        {
            ["xaxis"] = Plot.Axis("step (reports)"),
            ["height"] = 320,
            ["margin"] = new Dictionary<string, object> { ["t"] = 20 },
        };
        if (log) layout["yaxis"] = Plot.Axis("log scale", log: true);
        var sb = new StringBuilder();
        sb.Append("<div class=\"torchlet torchlet-live\" style=\"font-family:monospace;font-size:12px\">");
        if (Fraction() is { } f)
            sb.Append(CultureInfo.InvariantCulture, $"<progress value=\"{f:0.####}\" max=\"1\" style=\"width:240px\"></progress> ");
        sb.Append(Interactive.Html.Encode(progress)).Append("</div>");
        sb.Append(Plot.Html(Plot.Figure(traces, layout)));
        return new LiveFrame(sb.ToString(), progress);
    }

    double? Fraction()
    {
        if (Epochs is not { } e || e <= 0 || _epoch < 0) return null;
        double inEpoch = BatchesPerEpoch is { } b && b > 0 ? Math.Clamp((_batch + 1) / (double)b, 0, 1) : 1;
        return Math.Clamp((_epoch + inEpoch) / e, 0, 1);
    }

    /// <summary>
    /// The progress line. Epochs and batches are counted from 1, as Keras and tqdm count them ("epoch 1/10" is the
    /// report of epoch 0); the batch is left out when an epoch is one batch.
    /// </summary>
    string ProgressText()
    {
        if (_epoch < 0) return "waiting for the first report";
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"epoch {_epoch + 1}{(Epochs is { } e ? "/" + e : "")}");
        if (BatchesPerEpoch is not 1)
            sb.Append(CultureInfo.InvariantCulture, $" · batch {_batch + 1}{(BatchesPerEpoch is { } b ? "/" + b : "")}");
        sb.Append(CultureInfo.InvariantCulture, $" · {_steps} step{(_steps == 1 ? "" : "s")}");
        for (int i = 0; i < _names.Length; i++)
        {
            var last = _values[i].Count > 0 ? _values[i][^1] : double.NaN;
            if (!double.IsNaN(last)) sb.Append(CultureInfo.InvariantCulture, $" · {_names[i]} {last:G4}");
        }
        if (_completed) sb.Append(" · done");
        return sb.ToString();
    }

    /// <summary>
    /// The points of one series to draw: the steps it reported (a validation series reports once per epoch, the
    /// loss on every batch), every one of them while they are few, else every k-th and the last, so a long run
    /// draws at most about <see cref="MaxDrawnPoints"/> per series and a sparse series keeps all its points.
    /// </summary>
    static (double[] X, double[] Y) Thin(List<double> values)
    {
        var reported = new List<int>();
        for (int i = 0; i < values.Count; i++)
            if (!double.IsNaN(values[i])) reported.Add(i);
        int n = reported.Count;
        int stride = Math.Max(1, (n + MaxDrawnPoints - 1) / MaxDrawnPoints);
        var x = new List<double>(n / stride + 2);
        var y = new List<double>(n / stride + 2);
        for (int r = 0; r < n; r += stride) Add(reported[r]);
        if (n > 0 && (n - 1) % stride != 0) Add(reported[n - 1]);
        return (x.ToArray(), y.ToArray());

        void Add(int i)
        {
            x.Add(i + 1);
            y.Add(values[i]);
        }
    }
}
