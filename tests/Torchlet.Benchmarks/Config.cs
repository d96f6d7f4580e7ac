using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Torchlet.Benchmarks;

/// <summary>Median, min and max beside BenchmarkDotNet's defaults, so the report shows the spread on a shared machine.</summary>
public class SpreadConfig : ManualConfig
{
    public SpreadConfig()
    {
        AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max);
    }
}

/// <summary>Adds GFLOP/s = 2·N³ / median time for benchmarks with an N parameter (an N×N×N matrix product).</summary>
public class GflopsConfig : SpreadConfig
{
    public GflopsConfig() { AddColumn(new GflopsColumn()); }
}

public sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);
    public string ColumnName => "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "2·N³ floating-point operations divided by the median time (and, in brackets, by the min time)";
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        var n = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "N")?.Value;
        if (stats is null || n is not int size) return "-";
        double flop = 2.0 * size * size * size;
        return $"{flop / stats.Median:F1} ({flop / stats.Min:F1})";  // ns → GFLOP/s
    }

    public override string ToString() => ColumnName;
}
