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
    public GflopsConfig()
    {
        AddColumn(new RateColumn("GFLOP/s", "2·N³ floating-point operations divided by the median time (and, in brackets, by the min time)", "F1",
            c => c.Parameters.Items.FirstOrDefault(p => p.Name == "N")?.Value is int n ? 2.0 * n * n * n : null));   // per ns: GFLOP/s
    }
}

/// <summary>
/// A rate beside the times: an amount of work per operation (null when it does not apply) divided by the median time,
/// and in brackets by the min time, both in nanoseconds per operation.
/// </summary>
public sealed class RateColumn(string name, string legend, string format, Func<BenchmarkCase, double?> workPerOperation) : IColumn
{
    public string Id => nameof(RateColumn) + name;
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => legend;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (stats is null || workPerOperation(benchmarkCase) is not double work) return "-";
        return $"{(work / stats.Median).ToString(format)} ({(work / stats.Min).ToString(format)})";
    }

    public override string ToString() => ColumnName;
}
