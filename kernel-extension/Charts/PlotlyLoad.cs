using System.Reflection;
using System.Runtime.Loader;

namespace Torchlet.Interactive;

/// <summary>
/// Plotly.NET 6.0.0 is built against FSharp.Core 10.1.0.0, while dotnet-interactive 1.0.712001 ships and loads
/// 10.0.0.0, so the first chart call fails with FileNotFoundException for 10.1. FSharp.Core keeps its API
/// compatible within a major version, so the already-loaded copy is handed back for any FSharp.Core request the
/// default context cannot satisfy. Installed once, at extension load, before any Plotly code runs.
/// </summary>
internal static class PlotlyLoad
{
    static int _installed;

    public static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1) return;
        AssemblyLoadContext.Default.Resolving += ResolveFSharpCore;
    }

    internal static Assembly? ResolveFSharpCore(AssemblyLoadContext context, AssemblyName name)
    {
        if (!string.Equals(name.Name, "FSharp.Core", StringComparison.OrdinalIgnoreCase)) return null;
        return AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => string.Equals(a.GetName().Name, "FSharp.Core", StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(a => a.GetName().Version)
            .FirstOrDefault();
    }
}
