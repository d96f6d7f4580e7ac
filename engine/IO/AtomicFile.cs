namespace Torchlet;

/// <summary>
/// Writes a file whole or not at all: into a temporary sibling, flushed to disk, then moved over the target,
/// so an error or a crash mid-write never leaves a truncated file where a good one stood.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> by <paramref name="write"/>; <paramref name="op"/> names the caller in the missing-directory error.</summary>
    public static void Write(string path, string op, Action<FileStream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{op}: the directory '{dir}' does not exist");
        var tmp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw;
        }
    }
}
