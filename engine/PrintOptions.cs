namespace Torchlet;

/// <summary>
/// PyTorch's <c>torch._tensor_str.PRINT_OPTS</c>: how tensors print. Immutable snapshots are
/// swapped whole, so a <c>ToString()</c> running on another thread never sees half an update.
/// </summary>
internal sealed record PrintOptions(int Precision, double Threshold, int EdgeItems, int LineWidth, bool? SciMode)
{
    public static readonly PrintOptions Default = new(4, 1000, 3, 80, null);

    static volatile PrintOptions s_current = Default;

    public static PrintOptions Current
    {
        get => s_current;
        set => s_current = value;
    }
}

public static partial class torch
{
    /// <summary>
    /// Sets how tensors print, as <c>torch.set_printoptions</c>: <paramref name="precision"/> digits after
    /// the point (4), summarise with "..." past <paramref name="threshold"/> elements (1000) keeping
    /// <paramref name="edgeitems"/> per side (3), wrap at <paramref name="linewidth"/> (80).
    /// <paramref name="profile"/> "default", "short" or "full" resets the others first;
    /// <paramref name="sci_mode"/> forces scientific notation on/off (null = automatic; like PyTorch,
    /// every call sets it, so omitting it switches back to automatic).
    /// </summary>
    public static void set_printoptions(int? precision = null, double? threshold = null, int? edgeitems = null,
        int? linewidth = null, string? profile = null, bool? sci_mode = null)
    {
        if (precision < 0) throw new ArgumentException($"set_printoptions: precision must be >= 0, got {precision}");
        if (threshold is double t && (double.IsNaN(t) || t < 0)) throw new ArgumentException($"set_printoptions: threshold must be >= 0, got {t}");
        if (edgeitems < 0) throw new ArgumentException($"set_printoptions: edgeitems must be >= 0, got {edgeitems}");
        if (linewidth < 1) throw new ArgumentException($"set_printoptions: linewidth must be >= 1, got {linewidth}");
        var o = PrintOptions.Current;
        if (profile is not null)
            o = profile switch
            {
                "default" => o with { Precision = 4, Threshold = 1000, EdgeItems = 3, LineWidth = 80 },
                "short" => o with { Precision = 2, Threshold = 1000, EdgeItems = 2, LineWidth = 80 },
                "full" => o with { Precision = 4, Threshold = double.PositiveInfinity, EdgeItems = 3, LineWidth = 80 },
                _ => throw new ArgumentException($"set_printoptions: profile must be \"default\", \"short\" or \"full\", got \"{profile}\""),
            };
        o = o with
        {
            Precision = precision ?? o.Precision,
            Threshold = threshold ?? o.Threshold,
            EdgeItems = edgeitems ?? o.EdgeItems,
            LineWidth = linewidth ?? o.LineWidth,
            SciMode = sci_mode,
        };
        PrintOptions.Current = o;
    }
}
