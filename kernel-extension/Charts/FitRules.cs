using System.Globalization;

namespace Torchlet.Interactive;

public enum Fit { Underfitting, Overfitting, GoodFit, NotConverged, Inconclusive }

/// <summary>Which row of the notes' table the curves match, from which epoch (overfitting), and why.</summary>
public sealed record FitVerdict(Fit Case, int? FromEpoch, string Text);

/// <summary>
/// The notes' table (训练集、验证集): underfitting = bias error, model too simple, the learning and validation
/// curves converge to a large error → increase model complexity; overfitting = variance error, model too
/// complex, a large gap between the two curves → reduce complexity or enlarge the training set.
/// Applied to a loss series and its <c>val_</c> series, deterministically, with these thresholds:
/// <list type="number">
/// <item>Overfitting from epoch k: validation loss ended at least <see cref="RiseTolerance"/> (10%) above its
/// minimum, reached at epoch k before the last, while training loss at the end is below its value at k.</item>
/// <item>Overfitting (gap): final validation loss at least <see cref="GapRatio"/> (2×) the final training loss.</item>
/// <item>Underfitting: the training loss is flat — changed by less than <see cref="FlatTolerance"/> (5%) of its
/// value over the last third of the epochs (at least 2) — and high: at least <see cref="HighFraction"/> (50%) of
/// the first epoch's loss, or at least <c>highLoss</c> when given.</item>
/// <item>Not converged: high but not flat (still falling): train longer before judging.</item>
/// <item>Good fit: otherwise (training loss low, validation close to it).</item>
/// </list>
/// Fewer than <see cref="MinEpochs"/> common epochs, or no validation series: inconclusive.
/// "Final" values are the mean over the last <see cref="Tail"/> epochs, so one noisy epoch does not decide.
/// </summary>
public static class FitRules
{
    public const double RiseTolerance = 0.10;
    public const double GapRatio = 2.0;
    public const double FlatTolerance = 0.05;
    public const double HighFraction = 0.5;
    public const int MinEpochs = 3;
    public const int Tail = 2;

    static string N(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>A fraction as a percentage: 0.6036 → "60.4 %", 0.5 → "50 %".</summary>
    internal static string Pct(double fraction) => (100 * fraction).ToString("0.#", CultureInfo.InvariantCulture) + " %";

    public static FitVerdict Judge(TrainingHistory history, string metric = "loss", double? highLoss = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        string valName = TrainingHistory.ValidationPrefix + metric;
        if (!history.Contains(metric))
            return new(Fit.Inconclusive, null, $"Inconclusive: no training series '{metric}' (recorded: {string.Join(", ", history.Names)}).");
        if (!history.Contains(valName))
            return new(Fit.Inconclusive, null, $"Inconclusive: no validation series '{valName}'; the notes judge under- and overfitting from the validation curve next to the learning curve.");

        var val = history.Series(valName).ToDictionary(p => p.Epoch, p => p.Value);
        var common = history.Series(metric).Where(p => val.ContainsKey(p.Epoch)).ToList();
        if (common.Count < MinEpochs)
            return new(Fit.Inconclusive, null, $"Inconclusive: {common.Count} epoch(s) with both '{metric}' and '{valName}'; at least {MinEpochs} are needed to see a trend.");

        int n = common.Count;
        int[] epochs = common.Select(p => p.Epoch).ToArray();
        double[] tr = common.Select(p => p.Value).ToArray();
        double[] va = epochs.Select(e => val[e]).ToArray();
        int tail = Math.Min(Tail, n);
        double trEnd = tr[^tail..].Average(), vaEnd = va[^tail..].Average();
        // The smoothed values are named as such wherever they are quoted.
        string mean = tail == 1 ? "last epoch" : $"mean of the last {tail} epochs";

        // 1. validation turned up while training kept falling.
        int k = 0;
        for (int i = 1; i < n; i++) if (va[i] < va[k]) k = i;
        if (k < n - 1 && va[n - 1] >= va[k] * (1 + RiseTolerance) && va[n - 1] > va[k] && tr[n - 1] < tr[k])
            return new(Fit.Overfitting, epochs[k],
                $"Overfitting from epoch {epochs[k]}: training {metric} kept falling ({N(tr[k])} → {N(tr[n - 1])}) while validation {metric} rose from its minimum {N(va[k])} at epoch {epochs[k]} to {N(va[n - 1])} at epoch {epochs[n - 1]} ({Pct(va[n - 1] / va[k] - 1)} above it, ≥ {Pct(RiseTolerance)}). " +
                "Notes: variance error, model too complex; the two curves drift apart → reduce model complexity or enlarge the training set (or stop at epoch " + epochs[k] + ").");

        // 2. a large gap between the curves.
        if (vaEnd >= GapRatio * trEnd && vaEnd > 0)
            return new(Fit.Overfitting, null,
                $"Overfitting: validation {metric} {N(vaEnd)} is {N(vaEnd / trEnd)}× the training {metric} {N(trEnd)} at the end ({mean} each; ≥ {GapRatio}×). " +
                "Notes: variance error, a large gap between the two curves → reduce model complexity or enlarge the training set.");

        // 3./4. converged to a large error, or still on its way down.
        int w = Math.Max(2, (n + 2) / 3);
        int span = Math.Min(w, n - 1);
        double before = tr[n - 1 - span];
        double change = Math.Abs(before - tr[n - 1]) / Math.Max(Math.Abs(before), 1e-12);
        bool flat = change < FlatTolerance;
        bool high = highLoss is { } h ? trEnd >= h : trEnd >= HighFraction * tr[0];
        string highWhy = highLoss is { } hl ? $"≥ the given high {metric} {N(hl)}" : $"still {Pct(trEnd / tr[0])} of the first epoch's {N(tr[0])}, ≥ {Pct(HighFraction)}";
        if (high && flat)
            return new(Fit.Underfitting, null,
                $"Underfitting: both curves converged to a high {metric}: training {N(trEnd)} ({mean}; {highWhy}), flat (changed {Pct(change)} < {Pct(FlatTolerance)} over the last {span} epochs), validation {N(vaEnd)} ({mean}) close to it. " +
                "Notes: bias error, model too simple → increase model complexity.");
        if (high)
            return new(Fit.NotConverged, null,
                $"Not converged yet: training {metric} {N(trEnd)} ({mean}) is still high ({highWhy}) but still falling ({Pct(change)} over the last {span} epochs, ≥ {Pct(FlatTolerance)}); train longer before judging.");

        return new(Fit.GoodFit, null,
            $"Good fit: training {metric} fell from {N(tr[0])} to {N(trEnd)} ({mean}) and validation {metric} {N(vaEnd)} ({mean}) stays close to it ({N(vaEnd / Math.Max(trEnd, 1e-12))}× < {GapRatio}×) without turning up." +
            (flat ? "" : $" Still falling ({Pct(change)} over the last {span} epochs): more epochs may help."));
    }
}
