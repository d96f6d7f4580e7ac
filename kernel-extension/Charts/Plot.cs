using Microsoft.FSharp.Core;
using Plotly.NET;

namespace Torchlet.Interactive;

/// <summary>
/// The few Plotly.NET calls the charts need. Plotly.NET's Chart.* methods take some 30 FSharpOption arguments
/// that C# cannot omit, so traces and layouts are built as Plotly.NET's dynamic objects (the same objects
/// Chart.* build), with plotly.js's own property names.
/// </summary>
internal static class Plot
{
    public static Trace Line(IEnumerable<double> x, IEnumerable<double> y, string name, string? color = null,
        bool dashed = false, string? xaxis = null, string? yaxis = null, string? legendGroup = null, bool showLegend = true,
        double? width = null)
    {
        var xs = x.ToArray();
        var ys = y.ToArray();
        return Trace2D.initScatter(FuncConvert.FromFunc<Trace2D, Trace2D>(t =>
        {
            t.SetProperty("x", xs);
            t.SetProperty("y", ys);
            t.SetProperty("name", name);
            t.SetProperty("mode", "lines");
            var line = new Dictionary<string, object>();
            if (color is not null) line["color"] = color;
            if (dashed) line["dash"] = "dash";
            if (width is { } lw) line["width"] = lw;
            if (line.Count > 0) t.SetProperty("line", line);
            if (xaxis is not null) t.SetProperty("xaxis", xaxis);
            if (yaxis is not null) t.SetProperty("yaxis", yaxis);
            if (legendGroup is not null) t.SetProperty("legendgroup", legendGroup);
            if (!showLegend) t.SetProperty("showlegend", false);
            return t;
        }));
    }

    /// <summary>A figure of <paramref name="traces"/> with a layout given as plotly.js properties.</summary>
    public static GenericChart Figure(IEnumerable<Trace> traces, IReadOnlyDictionary<string, object> layout)
    {
        var chart = GenericChart.ofTraceObjects(false, traces.ToArray());
        var l = new Layout();
        foreach (var (k, v) in layout) l.SetProperty(k, v);
        return GenericChart.setLayout(l, chart);
    }

    public static Dictionary<string, object> Axis(string title, object? domain = null, string? anchor = null, bool log = false)
    {
        var a = new Dictionary<string, object> { ["title"] = new Dictionary<string, object> { ["text"] = title } };
        if (log) a["type"] = "log";
        if (domain is not null) a["domain"] = domain;
        if (anchor is not null) a["anchor"] = anchor;
        return a;
    }

    /// <summary>
    /// The chart as an HTML fragment: a div and the script that calls <c>Plotly.newPlot</c> once the plotly.js that
    /// the extension embeds is ready (see <see cref="PlotlyEmbed"/>).
    /// </summary>
    public static string Html(GenericChart chart) => PlotlyEmbed.ChartHtml(chart);

    /// <summary>A fixed palette so a function and its derivative (or a training and validation curve) share a colour.</summary>
    public static readonly string[] Palette =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
         "#393b79", "#637939", "#8c6d31"];
}
