using Microsoft.FSharp.Core;
using Plotly.NET;

namespace Torchlet.Interactive;

/// <summary>
/// Line and scatter charts for notebooks, in one call: <c>Plots.Lines(("SGD", steps, losses), ("Adam", steps, adamLosses))</c>.
/// The result is a Plotly.NET chart, shown as a cell's value (drawn offline, like every Torchlet chart).
/// </summary>
public static class Plots
{
    /// <summary>One line per series, x against y, in the palette's colours.</summary>
    public static GenericChart Lines(params (string name, double[] x, double[] y)[] series) => Lines(series, title: "");

    /// <summary>
    /// One line per series; <paramref name="markers"/> also marks each point (trajectories), <paramref name="logY"/>
    /// puts y on a log axis (losses), <paramref name="equalAxes"/> keeps one unit the same length on both axes (paths in a plane).
    /// </summary>
    public static GenericChart Lines(IEnumerable<(string name, double[] x, double[] y)> series, string title = "", string xTitle = "",
        string yTitle = "", bool markers = false, bool logY = false, bool equalAxes = false)
    {
        ArgumentNullException.ThrowIfNull(series);
        var traces = series.Select((s, i) =>
        {
            if (s.x is null || s.y is null || s.x.Length != s.y.Length)
                throw new ArgumentException($"Plots.Lines: series '{s.name}' needs x and y of one length, got {s.x?.Length ?? 0} and {s.y?.Length ?? 0} values");
            return Trace(s.name, s.x, s.y, markers ? "lines+markers" : "lines", Plot.Palette[i % Plot.Palette.Length]);
        }).ToList();
        return Layout(traces, title, xTitle, yTitle, logY, equalAxes);
    }

    /// <summary>Points, one colour per series (e.g. predictions against targets).</summary>
    public static GenericChart Scatter(IEnumerable<(string name, double[] x, double[] y)> series, string title = "", string xTitle = "", string yTitle = "")
    {
        ArgumentNullException.ThrowIfNull(series);
        var traces = series.Select((s, i) => Trace(s.name, s.x, s.y, "markers", Plot.Palette[i % Plot.Palette.Length])).ToList();
        return Layout(traces, title, xTitle, yTitle, logY: false, equalAxes: false);
    }

    /// <summary>The values of a 1-D tensor (or any tensor, flattened) as doubles, for a chart.</summary>
    public static double[] Values(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        using var _ = torch.no_grad();
        return t.detach().reshape(-1).to(torch.float64).data<double>().ToArray();
    }

    /// <summary>0, 1, …, n−1 as doubles: the x of a series recorded step by step.</summary>
    public static double[] Steps(int n) => Enumerable.Range(0, n).Select(i => (double)i).ToArray();

    static Trace Trace(string name, double[] x, double[] y, string mode, string color) =>
        Trace2D.initScatter(FuncConvert.FromFunc<Trace2D, Trace2D>(t =>
        {
            t.SetProperty("x", x.ToArray());
            t.SetProperty("y", y.ToArray());
            t.SetProperty("name", name);
            t.SetProperty("mode", mode);
            t.SetProperty(mode == "markers" ? "marker" : "line", new Dictionary<string, object> { ["color"] = color });
            return t;
        }));

    static GenericChart Layout(List<Trace> traces, string title, string xTitle, string yTitle, bool logY, bool equalAxes)
    {
        var y = Plot.Axis(yTitle);
        if (logY) y["type"] = "log";
        if (equalAxes) y["scaleanchor"] = "x";
        var layout = new Dictionary<string, object> { ["xaxis"] = Plot.Axis(xTitle), ["yaxis"] = y, ["height"] = 380 };
        if (title.Length > 0) layout["title"] = new Dictionary<string, object> { ["text"] = title };
        return Plot.Figure(traces, layout);
    }
}
