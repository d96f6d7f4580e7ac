using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Torchlet.Vision;
using Xunit;

namespace Torchlet.Tests.Data;

/// <summary>
/// fixtures/vision_datasets.json (tests/fixtures/gen_vision_datasets.py, torchvision 0.14) and the small dataset files it
/// describes (fixtures/datasets/), plus helpers for temporary copies and a loopback file server.
/// </summary>
static class DatasetFixtures
{
    public const string File = "vision_datasets";

    /// <summary>fixtures/datasets in the test output.</summary>
    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures", "datasets");

    /// <summary>The repository root: the folder above the test output that holds Notebook.sln.</summary>
    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (System.IO.File.Exists(Path.Combine(d.FullName, "Notebook.sln"))) return d.FullName;
        throw new DirectoryNotFoundException($"no folder above {AppContext.BaseDirectory} holds Notebook.sln");
    }

    /// <summary>xunit MemberData: the names of the cases of one kind (a theory with no rows fails, so an empty kind cannot pass).</summary>
    public static IEnumerable<object[]> Cases(string kind) =>
        Fixtures.Load(File).Where(c => c.GetProperty("kind").GetString() == kind).Select(c => new object[] { c.GetProperty("name").GetString()! });

    public static JsonElement Case(string name) => Fixtures.Case(File, name);

    /// <summary>Asserts that <paramref name="ds"/> has torchvision's length, classes, repr, targets and items for case <paramref name="c"/>.</summary>
    public static void AssertMatches(JsonElement c, VisionDataset ds, IReadOnlyList<long>? targets = null)
    {
        string name = c.GetProperty("name").GetString()!;
        Assert.Equal(c.GetProperty("len").GetInt64(), ds.Count);
        Assert.Equal(c.GetProperty("classes").EnumerateArray().Select(e => e.GetString()!), ds.classes);
        Assert.Equal(c.GetProperty("repr").GetString()!.Replace("<ROOT>", ds.root), ds.ToString());
        if (c.GetProperty("targets").ValueKind == JsonValueKind.Array)
            Assert.Equal(c.GetProperty("targets").EnumerateArray().Select(e => e.GetInt64()), targets ?? throw new ArgumentNullException(nameof(targets)));
        var items = c.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        foreach (var item in items)
        {
            long index = item.GetProperty("index").GetInt64();
            var (image, target) = ds[index];
            Fixtures.AssertClose(item.GetProperty("image"), image, 0, 0, $"{name} item {index}");
            Assert.Equal(item.GetProperty("target").GetInt64(), target);
        }
    }

    /// <summary>Copies <paramref name="source"/> (a folder) into <paramref name="destination"/>, recursively.</summary>
    public static void CopyDir(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var f in Directory.EnumerateFiles(source)) System.IO.File.Copy(f, Path.Combine(destination, Path.GetFileName(f)));
        foreach (var d in Directory.EnumerateDirectories(source)) CopyDir(d, Path.Combine(destination, Path.GetFileName(d)));
    }

    /// <summary>Every file and folder under <paramref name="dir"/> (relative paths), for "nothing was left behind" checks.</summary>
    public static List<string> Entries(string dir) =>
        Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(dir, p)).Order(StringComparer.Ordinal).ToList();

    /// <summary>A TCP port on loopback that nothing listens on (bound, then released).</summary>
    public static int ClosedPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}

/// <summary>A temporary folder, deleted on dispose.</summary>
sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("torchlet-datasets-").FullName;
    public string this[string relative] => System.IO.Path.Combine(Path, relative);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}

/// <summary>An HTTP server on 127.0.0.1 serving fixed files by path, counting requests; stops on dispose.</summary>
sealed class LoopbackServer : IDisposable
{
    readonly HttpListener _listener = new();
    readonly Dictionary<string, byte[]> _files;
    readonly Task _loop;
    int _requests;

    public LoopbackServer(Dictionary<string, byte[]> files)
    {
        _files = files;
        Port = DatasetFixtures.ClosedPort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(Serve);
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/";
    public int Requests => Volatile.Read(ref _requests);

    async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            Interlocked.Increment(ref _requests);
            var path = ctx.Request.Url!.AbsolutePath.TrimStart('/');
            if (_files.TryGetValue(path, out var body))
            {
                ctx.Response.StatusCode = 200;
                ctx.Response.ContentLength64 = body.Length;
                await ctx.Response.OutputStream.WriteAsync(body);
            }
            else ctx.Response.StatusCode = 404;
            ctx.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
