using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive;

namespace Torchlet.Interactive;

/// <summary>
/// Charts that draw with no network. Plotly.NET's chart HTML only calls <c>Plotly.newPlot</c>; nothing on the page
/// defines <c>Plotly</c> unless plotly.js is loaded. So, as plotly.py's offline mode does, plotly.js is embedded
/// once per notebook from Plotly.NET's own copy (a resource of Plotly.NET.dll), as a display output of its own
/// (<see cref="LoaderHtml"/>, shown when the extension loads), and every chart waits for it (<see cref="ChartHtml"/>).
/// <para>
/// The script (about 3.6 MB) travels gzip-compressed and base64-encoded (about 1.46 MB) and is unpacked in the page
/// with the browser's <c>DecompressionStream</c>. Unpacking is asynchronous, so the loader and every chart share one
/// promise on <c>window.__torchletPlotly</c>, created by whichever runs first: a chart drawn before the loader (a
/// page where the loader's output comes later, after cells were re-run out of order) draws when the loader has run;
/// a chart re-rendered by a live update draws at once. A second loader on the page does nothing.
/// plotly.js is evaluated with <c>define</c>, <c>module</c>, <c>exports</c> and <c>require</c> hidden, so that on a
/// page with require.js (classic Jupyter, nbconvert's HTML) it still defines <c>window.Plotly</c> instead of
/// registering an AMD module. Nothing refers to a CDN.
/// </para>
/// </summary>
public static class PlotlyEmbed
{
    /// <summary>The embedded plotly.js version (from the name of Plotly.NET's resource, e.g. 2.28.0).</summary>
    public static string Version => Script.Value.Version;

    /// <summary>Size of plotly.js as Plotly.NET carries it, in bytes.</summary>
    public static int ScriptBytes => Script.Value.Source.Length;

    /// <summary>Size of the gzip-compressed, base64-encoded script inside <see cref="LoaderHtml"/>, in characters.</summary>
    public static int EmbeddedChars => Script.Value.GzipBase64.Length;

    /// <summary>The name of the page-wide state the loader and the charts share.</summary>
    internal const string StateName = "__torchletPlotly";

    /// <summary>Milliseconds a chart waits for plotly.js before it says that the loader is missing.</summary>
    internal const int MissingNoteAfterMs = 20000;

    sealed record PlotlyScript(string Version, byte[] Source, string GzipBase64);

    static readonly Lazy<PlotlyScript> Script = new(LoadScript);

    static PlotlyScript LoadScript()
    {
        var asm = typeof(Plotly.NET.GenericChart).Assembly;
        var name = asm.GetManifestResourceNames()
                       .FirstOrDefault(n => Regex.IsMatch(n, @"plotly-[0-9.]+\.min\.js$"))
                   ?? throw new InvalidOperationException(
                       $"Plotly.NET {asm.GetName().Version} carries no plotly-<version>.min.js resource; resources: {string.Join(", ", asm.GetManifestResourceNames())}");
        var version = Regex.Match(name, @"plotly-([0-9.]+)\.min\.js$").Groups[1].Value;
        byte[] source;
        using (var stream = asm.GetManifestResourceStream(name)!)
        using (var ms = new MemoryStream())
        {
            stream.CopyTo(ms);
            source = ms.ToArray();
        }
        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.SmallestSize, leaveOpen: true)) gzip.Write(source);
        return new PlotlyScript(version, source, Convert.ToBase64String(packed.GetBuffer(), 0, (int)packed.Length));
    }

    /// <summary>plotly.js exactly as Plotly.NET carries it.</summary>
    internal static byte[] Source() => Script.Value.Source;

    // The page-wide state, in every chart and in the loader: the first one to run creates it; it resolves as soon
    // as window.Plotly can draw (Plotly.react: plotly.js 1.34 and later).
    const string StateJs =
        "var w = window, s = w." + StateName + ";\n" +
        "if (!s) { s = w." + StateName + " = {}; s.ready = new Promise(function (r) { s.resolve = r; }); }\n" +
        "if (w.Plotly && typeof w.Plotly.react === 'function') s.resolve(w.Plotly);\n";

    /// <summary>
    /// The output that embeds plotly.js: a one-line note (filled in by the script with the outcome) and the script
    /// that unpacks plotly.js, runs it and resolves the shared promise. Display it once per notebook;
    /// <see cref="TorchletExtension"/> does when it loads.
    /// </summary>
    public static string LoaderHtml()
    {
        var p = Script.Value;
        var id = "torchlet-plotly-" + Guid.NewGuid().ToString("N");
        var sb = new StringBuilder(p.GzipBase64.Length + 4096);
        sb.Append("<div id=\"").Append(id).Append("\" class=\"torchlet-plotly-loader\" style=\"font-family:monospace;font-size:11px;color:#777\">")
          .Append("plotly.js ").Append(p.Version).Append(" (embedded for offline charts, ")
          .Append((p.GzipBase64.Length / 1e6).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture))
          .Append(" MB packed): <span>not run yet (scripts disabled, or the notebook is not trusted)</span></div>\n");
        sb.Append("<script type=\"text/javascript\">\n(function () {\n");
        sb.Append(StateJs);
        sb.Append("var note = document.getElementById('").Append(id).Append("');\n");
        sb.Append("function say(t) { var e = note && note.querySelector('span'); if (e) e.textContent = t; }\n");
        sb.Append("if (w.Plotly && typeof w.Plotly.react === 'function') { say('ready (plotly.js ' + (w.Plotly.version || '?') + ' was already on this page)'); return; }\n");
        sb.Append("if (s.started) { say('waiting for the copy earlier on this page'); s.ready.then(function () { say('ready (the copy earlier on this page loaded it)'); }); return; }\n");
        sb.Append("if (typeof DecompressionStream === 'undefined') { say('this browser cannot unpack it (no DecompressionStream): charts stay blank'); return; }\n");
        sb.Append("s.started = true;\n");
        sb.Append("var b64 = \"").Append(p.GzipBase64).Append("\";\n");
        sb.Append("""
            var bin = atob(b64), bytes = new Uint8Array(bin.length);
            for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
            say('unpacking');
            new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text().then(function (code) {
              w.PlotlyConfig = w.PlotlyConfig || { MathJaxConfig: 'local' };
              var el = document.createElement('script');
              el.type = 'text/javascript';
              // define/module/exports/require hidden: plotly.js's UMD header then sets window.Plotly, also where require.js is loaded.
              el.text = '(function (define, module, exports, require) {\n' + code + '\n}).call(window);';
              (document.head || document.documentElement).appendChild(el);
              if (w.Plotly && typeof w.Plotly.react === 'function') { s.resolve(w.Plotly); say('ready'); }
              else { s.started = false; say('failed: plotly.js ran but did not define Plotly'); }
            }).catch(function (e) { s.started = false; say('failed: ' + e); });

            """);
        sb.Append("})();\n</script>");
        return sb.ToString();
    }

    static readonly Regex PlotlyNetChart = new(
        @"^\s*<div><div id=""(?<id>[^""]+)""><!-- Plotly chart will be drawn inside this DIV --></div><script type=""text/javascript"">(?<body>.*)\brenderPlotly_(?<fn>[0-9a-fA-F]+)\(\);\s*</script></div>\s*$",
        RegexOptions.Singleline | RegexOptions.CultureInvariant);

    /// <summary>
    /// A chart's HTML: Plotly.NET's own (a div and a script defining <c>renderPlotly_…</c>), with the immediate call
    /// replaced by one that waits for plotly.js, draws only if the div is still on the page (a live update may have
    /// replaced it), and after <see cref="MissingNoteAfterMs"/> without plotly.js says what is missing.
    /// </summary>
    public static string ChartHtml(Plotly.NET.GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var html = Plotly.NET.GenericChart.toChartHTML(chart);
        var m = PlotlyNetChart.Match(html);
        if (!m.Success)
            throw new InvalidOperationException("Plotly.NET's chart HTML no longer has the expected form (a div and a script calling renderPlotly_…()); " +
                                                "PlotlyEmbed.ChartHtml must be adapted to it. It begins: " + html[..Math.Min(200, html.Length)]);
        string id = m.Groups["id"].Value, fn = "renderPlotly_" + m.Groups["fn"].Value;
        var sb = new StringBuilder(html.Length + 1200);
        sb.Append("<div><div id=\"").Append(id).Append("\"><!-- Plotly chart will be drawn inside this DIV --></div>");
        sb.Append("<script type=\"text/javascript\">").Append(m.Groups["body"].Value);
        sb.Append("(function () {\n").Append(StateJs);
        sb.Append("var id = '").Append(id).Append("';\n");
        sb.Append("s.ready.then(function () { var el = document.getElementById(id); if (!el) return; ")
          .Append("var n = el.parentNode && el.parentNode.querySelector('.torchlet-plotly-missing'); if (n) n.remove(); ")
          .Append(fn).Append("(); });\n");
        sb.Append("setTimeout(function () { var el = document.getElementById(id); ")
          .Append("if (!el || (w.Plotly && typeof w.Plotly.react === 'function') || el.parentNode.querySelector('.torchlet-plotly-missing')) return; ")
          .Append("var n = document.createElement('div'); n.className = 'torchlet-plotly-missing'; n.style.cssText = 'font-family:monospace;font-size:11px;color:#a33'; ")
          .Append("n.textContent = 'This chart waits for plotly.js, which Torchlet.Interactive embeds in the output of the cell that loads it; that output is not on this page (run that cell again, or Torchlet.Interactive.PlotlyEmbed.Loader() in a cell).'; ")
          .Append("el.parentNode.insertBefore(n, el); }, ").Append(MissingNoteAfterMs).Append(");\n");
        sb.Append("})();\n</script></div>");
        return sb.ToString();
    }

    /// <summary>The loader as a value: as a cell's result it embeds plotly.js again (after its output was cleared).</summary>
    public static PlotlyLoader Loader() => new();

    static readonly ConditionalWeakTable<Kernel, object> Embedded = new();

    /// <summary>
    /// Shows the loader in the current cell unless this kernel has already shown it (an extension loaded twice in one
    /// notebook embeds plotly.js once). Returns whether it was shown. Outside a cell (an extension loaded by a host
    /// before any cell runs) there is nothing to show it in: nothing is shown, and a later call inside a cell shows it.
    /// </summary>
    internal static bool DisplayOnce(Kernel kernel)
    {
        if (KernelInvocationContext.Current is not { } context) return false;
        var root = kernel.RootKernel;
        lock (Embedded)
        {
            if (Embedded.TryGetValue(root, out _)) return false;
            Embedded.Add(root, new object());
        }
        context.DisplayAs(LoaderHtml(), "text/html");
        return true;
    }
}

/// <summary>A cell value that embeds plotly.js (see <see cref="PlotlyEmbed.Loader"/>).</summary>
public sealed class PlotlyLoader
{
    public override string ToString() => $"plotly.js {PlotlyEmbed.Version}, embedded for offline charts";
}
