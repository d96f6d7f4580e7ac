using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Torchlet.Vision;

/// <summary>
/// torchvision.datasets.utils for Torchlet: md5 checks, downloads and archive extraction. Every file is written to a
/// temporary name beside its destination and renamed into place only once complete (and, for downloads, once its md5
/// matches), so a failure never leaves a partial file where a dataset would read it.
/// </summary>
internal static class DatasetFiles
{
    /// <summary>How long a connection may take before a mirror counts as unreachable: with no network a download fails in
    /// seconds rather than hanging (torchvision waits for the OS's TCP timeout).</summary>
    internal static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long a started download may go without receiving a byte.</summary>
    static readonly TimeSpan s_stallTimeout = TimeSpan.FromSeconds(60);

    internal static string Md5(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(MD5.HashData(fs));
    }

    /// <summary>
    /// Downloads to <paramref name="destination"/> from the first of <paramref name="urls"/> that serves a file with md5
    /// <paramref name="md5"/> (an unreachable mirror, an HTTP error or a wrong md5 moves on to the next). Throws an <see cref="IOException"/> listing every URL's failure and
    /// <paramref name="help"/> (where to put the files by hand) when none does.
    /// </summary>
    internal static void Download(IReadOnlyList<string> urls, string destination, string md5, string dataset, string help)
    {
        var failures = new List<string>();
        Exception? last = null;
        foreach (var url in urls)
        {
            try
            {
                Console.WriteLine($"Downloading {url} to {destination}");
                Task.Run(() => DownloadAsync(url, destination, md5)).GetAwaiter().GetResult();
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or TimeoutException)
            {
                failures.Add($"  {url}: {Reason(e)}");
                last = e;
            }
        }
        throw new IOException($"{dataset}: could not download {Path.GetFileName(destination)}:\n{string.Join("\n", failures)}\n{help}", last);
    }

    static string Reason(Exception e)
    {
        var parts = new List<string>();
        for (var x = e; x is not null; x = x.InnerException)
            if (!parts.Any(p => p.Contains(x.Message))) parts.Add(x.Message);
        return string.Join(" ", parts);
    }

    static async Task DownloadAsync(string url, string destination, string md5)
    {
        var tmp = TempName(destination);
        try
        {
            using var handler = new SocketsHttpHandler { ConnectTimeout = ConnectTimeout };
            using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
            client.DefaultRequestHeaders.UserAgent.ParseAdd("pytorch/vision"); // torchvision's USER_AGENT
            using var cts = new CancellationTokenSource(ConnectTimeout + s_stallTimeout);
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new HttpRequestException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            await using (var body = await response.Content.ReadAsStreamAsync(cts.Token).ConfigureAwait(false))
            await using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                while (true)
                {
                    cts.CancelAfter(s_stallTimeout);
                    int n = await body.ReadAsync(buffer, cts.Token).ConfigureAwait(false);
                    if (n == 0) break;
                    hash.AppendData(buffer, 0, n);
                    await fs.WriteAsync(buffer.AsMemory(0, n), cts.Token).ConfigureAwait(false);
                }
            }
            var got = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (!string.Equals(got, md5, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"md5 mismatch: the downloaded file's md5 is {got}, expected {md5}; the file was not kept");
            File.Move(tmp, destination, overwrite: true);
        }
        catch (OperationCanceledException e)
        {
            throw new TimeoutException($"no connection within {ConnectTimeout.TotalSeconds:0} s, or no data for {s_stallTimeout.TotalSeconds:0} s", e);
        }
        finally
        {
            TryDelete(tmp);
        }
    }

    /// <summary>Decompresses a .gz file to <paramref name="destination"/> (through a temporary file).</summary>
    internal static void ExtractGzip(string source, string destination, string dataset)
    {
        var tmp = TempName(destination);
        try
        {
            using (var input = File.OpenRead(source))
            using (var gz = new GZipStream(input, CompressionMode.Decompress))
            using (var output = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
                gz.CopyTo(output);
            File.Move(tmp, destination, overwrite: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{dataset}: '{source}' is not a valid gzip file: {e.Message}", e);
        }
        finally { TryDelete(tmp); }
    }

    /// <summary>
    /// Extracts a .tar.gz archive into <paramref name="root"/>: entries go to a staging folder inside root first and are
    /// moved into place only when the whole archive has been read. Only plain files and folders with relative paths inside
    /// root are accepted (no links, devices or "..").
    /// </summary>
    internal static void ExtractTarGz(string archive, string root, string dataset)
    {
        var staging = Path.Combine(root, "." + Path.GetFileName(archive) + "." + Guid.NewGuid().ToString("N")[..8] + ".extract");
        var files = new List<string>();
        string? refused = null;
        try
        {
            Directory.CreateDirectory(staging);
            using (var input = File.OpenRead(archive))
            using (var gz = new GZipStream(input, CompressionMode.Decompress))
            using (var tar = new TarReader(gz))
            {
                while (refused is null && tar.GetNextEntry() is { } entry)
                {
                    var name = entry.Name.Replace('\\', '/').TrimEnd('/');
                    while (name.StartsWith("./", StringComparison.Ordinal)) name = name[2..];
                    if (name is "" or ".") continue;
                    var target = Path.Combine(staging, name);
                    if (Path.IsPathRooted(name) || name.Split('/').Contains(".."))
                        refused = $"it holds an entry outside its folder ('{entry.Name}')";
                    else if (entry.EntryType is TarEntryType.Directory)
                        Directory.CreateDirectory(target);
                    else if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile)
                    {
                        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                        using (var fs = new FileStream(target, FileMode.CreateNew, FileAccess.Write))
                            entry.DataStream?.CopyTo(fs);
                        files.Add(name);
                    }
                    else if (entry.EntryType is not (TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes))
                        refused = $"it holds '{entry.Name}' of type {entry.EntryType}; only files and folders are expected";
                }
            }
            if (refused is null)
                foreach (var name in files)
                {
                    var target = Path.Combine(root, name);
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    File.Move(Path.Combine(staging, name), target, overwrite: true);
                }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new InvalidDataException($"{dataset}: could not extract '{archive}': {e.Message}", e);
        }
        finally
        {
            try { if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true); } catch (IOException) { }
        }
        if (refused is not null)
            throw new InvalidDataException($"{dataset}: did not extract '{archive}': {refused}; nothing was extracted");
    }

    internal static string TempName(string destination)
    {
        var full = Path.GetFullPath(destination);
        return Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".part");
    }

    internal static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Creates <paramref name="dir"/> and the missing folders above it, returning those it created (deepest first), so that a
    /// failed download can remove them again.</summary>
    internal static List<string> CreateDirectories(string dir)
    {
        var created = new List<string>();
        for (var d = Path.GetFullPath(dir); !Directory.Exists(d); d = Path.GetDirectoryName(d)!)
        {
            created.Add(d);
            if (Path.GetDirectoryName(d) is null) break;
        }
        Directory.CreateDirectory(dir);
        return created;
    }

    /// <summary>Removes the folders <see cref="CreateDirectories"/> made, if they are still empty.</summary>
    internal static void RemoveIfEmpty(List<string> created)
    {
        foreach (var d in created)
            try { if (Directory.Exists(d) && !Directory.EnumerateFileSystemEntries(d).Any()) Directory.Delete(d); }
            catch (IOException) { }
    }
}
