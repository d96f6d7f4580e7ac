using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Torchlet;

public static partial class torch
{
    /// <summary>
    /// Saves named tensors (a <c>state_dict()</c>) in the safetensors format: an 8-byte little-endian header
    /// length, a JSON header of dtype/shape/byte ranges, then the raw data. Other frameworks read it, and
    /// reading it never runs code. The file is written beside <paramref name="path"/> and renamed over it,
    /// so a crash leaves either the old checkpoint or the new one, never half of one.
    /// </summary>
    public static void save(IDictionary<string, Tensor> tensors, string path, IDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentException.ThrowIfNullOrEmpty(path);
        SafeTensors.Write(tensors, path, metadata);
    }

    /// <summary>Reads a safetensors file into named tensors, checking every size, dtype and byte range first.</summary>
    public static Dictionary<string, Tensor> load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return SafeTensors.Read(path);
    }
}

/// <summary>The safetensors format (https://github.com/huggingface/safetensors), written and validated by hand: it is 30 lines of layout.</summary>
static class SafeTensors
{
    const long MaxHeader = 100_000_000;

    static string Code(ScalarType t) => t switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float64 => "F64",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new ArgumentException($"torch.save: dtype {t.TorchName()} can't be stored"),
    };

    static ScalarType? FromCode(string c) => c switch
    {
        "F32" => ScalarType.Float32,
        "F64" => ScalarType.Float64,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => null,
    };

    internal static void Write(IDictionary<string, Tensor> tensors, string path, IDictionary<string, string>? metadata)
    {
        var entries = new List<(string name, Tensor t)>();
        foreach (var (name, t) in tensors)
        {
            if (t is null) throw new ArgumentException($"torch.save: the value for '{name}' is null");
            if (name == "__metadata__") throw new ArgumentException("torch.save: '__metadata__' is reserved by the safetensors format and can't be a tensor name");
            Code(t.dtype);
            entries.Add((name, t.contiguous_nograd()));
        }

        using var header = new MemoryStream();
        using (var w = new Utf8JsonWriter(header))
        {
            w.WriteStartObject();
            w.WriteStartObject("__metadata__");
            w.WriteString("format", "pt");
            if (metadata is not null) foreach (var (k, v) in metadata) if (k != "format") w.WriteString(k, v);
            w.WriteEndObject();
            long offset = 0;
            foreach (var (name, t) in entries)
            {
                long bytes = (long)t.Numel * t.dtype.ElementSize();
                w.WriteStartObject(name);
                w.WriteString("dtype", Code(t.dtype));
                w.WriteStartArray("shape");
                foreach (var d in t._shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + bytes);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes;
            }
            w.WriteEndObject();
        }
        // The data starts 8-byte aligned: the header is padded with spaces, as the reference writer does.
        long headerLen = header.Length + (8 - header.Length % 8) % 8;

        AtomicFile.Write(path, "torch.save", fs =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)headerLen);
            fs.Write(len);
            header.Position = 0;
            header.CopyTo(fs);
            for (long i = header.Length; i < headerLen; i++) fs.WriteByte((byte)' ');
            foreach (var (_, t) in entries) fs.Write(Bytes(t));
        });
    }

    static ReadOnlySpan<byte> Bytes(Tensor t) => t.dtype switch
    {
        ScalarType.Float32 => MemoryMarshal.AsBytes(t.Span<float>()),
        ScalarType.Float64 => MemoryMarshal.AsBytes(t.Span<double>()),
        ScalarType.Int64 => MemoryMarshal.AsBytes(t.Span<long>()),
        ScalarType.Int32 => MemoryMarshal.AsBytes(t.Span<int>()),
        ScalarType.Byte => t.Span<byte>(),
        ScalarType.Bool => MemoryMarshal.AsBytes(t.Span<bool>()),
        _ => throw new InvalidOperationException(),
    };

    internal static Dictionary<string, Tensor> Read(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        string where = $"torch.load('{path}')";
        if (file.Length < 8) throw new InvalidDataException($"{where}: not a safetensors file (only {file.Length} bytes; the format starts with an 8-byte header length)");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (n > MaxHeader || (long)n > file.Length - 8)
            throw new InvalidDataException($"{where}: not a safetensors file (header length {n} does not fit in a file of {file.Length} bytes)");
        int dataStart = 8 + (int)n;
        long dataLen = file.Length - dataStart;

        JsonDocument doc;
        try { doc = JsonDocument.Parse(file.AsMemory(8, (int)n)); }
        catch (JsonException e) { throw new InvalidDataException($"{where}: the header is not valid JSON ({e.Message})", e); }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{where}: the header must be a JSON object");
            var specs = new List<(string name, ScalarType dt, int[] shape, long begin, long end)>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__") continue;
                specs.Add(Spec(p, where, dataLen));
            }
            // The byte ranges must tile the data exactly: no gaps, no overlaps (as the reference reader checks).
            long expected = 0;
            foreach (var s in specs.OrderBy(s => s.begin))
            {
                if (s.begin != expected)
                    throw new InvalidDataException($"{where}: tensor '{s.name}' starts at byte {s.begin} of the data, expected {expected} (ranges overlap or leave a gap)");
                expected = s.end;
            }
            if (expected != dataLen)
                throw new InvalidDataException($"{where}: the tensors cover {expected} bytes but the data section has {dataLen}");

            var result = new Dictionary<string, Tensor>();
            foreach (var (name, dt, shape, begin, end) in specs)
            {
                var t = Tensor.Empty(shape, dt);
                var src = file.AsSpan(dataStart + (int)begin, (int)(end - begin));
                switch (dt)
                {
                    case ScalarType.Float32: src.CopyTo(MemoryMarshal.AsBytes(t.Span<float>())); break;
                    case ScalarType.Float64: src.CopyTo(MemoryMarshal.AsBytes(t.Span<double>())); break;
                    case ScalarType.Int64: src.CopyTo(MemoryMarshal.AsBytes(t.Span<long>())); break;
                    case ScalarType.Int32: src.CopyTo(MemoryMarshal.AsBytes(t.Span<int>())); break;
                    case ScalarType.Byte: src.CopyTo(t.Span<byte>()); break;
                    case ScalarType.Bool:
                        var b = t.Span<bool>();
                        for (int i = 0; i < src.Length; i++)
                        {
                            if (src[i] > 1) throw new InvalidDataException($"{where}: tensor '{name}' is BOOL but holds the byte {src[i]}");
                            b[i] = src[i] != 0;
                        }
                        break;
                }
                result[name] = t;
            }
            return result;
        }
    }

    static (string, ScalarType, int[], long, long) Spec(JsonProperty p, string where, long dataLen)
    {
        var e = p.Value;
        string name = p.Name;
        if (e.ValueKind != JsonValueKind.Object
            || !e.TryGetProperty("dtype", out var dtE) || dtE.ValueKind != JsonValueKind.String
            || !e.TryGetProperty("shape", out var shE) || shE.ValueKind != JsonValueKind.Array
            || !e.TryGetProperty("data_offsets", out var offE) || offE.ValueKind != JsonValueKind.Array || offE.GetArrayLength() != 2)
            throw new InvalidDataException($"{where}: the entry for '{name}' needs dtype, shape and data_offsets [begin, end]");
        var dt = FromCode(dtE.GetString()!)
            ?? throw new InvalidDataException($"{where}: tensor '{name}' has dtype {dtE.GetString()}, which Torchlet does not support (it reads F32, F64, I64, I32, U8, BOOL)");
        var shape = new int[shE.GetArrayLength()];
        long numel = 1;
        int i = 0;
        foreach (var d in shE.EnumerateArray())
        {
            if (!d.TryGetInt64(out long v) || v < 0 || v > int.MaxValue)
                throw new InvalidDataException($"{where}: tensor '{name}' has an invalid shape {shE.GetRawText()}");
            shape[i++] = (int)v;
            numel *= v;
            if (numel > int.MaxValue) throw new InvalidDataException($"{where}: tensor '{name}' of shape {shE.GetRawText()} is too large");
        }
        var offs = offE.EnumerateArray().Select(x => x.TryGetInt64(out long v) ? v : -1).ToArray();
        long begin = offs[0], end = offs[1];
        if (begin < 0 || end < begin || end > dataLen)
            throw new InvalidDataException($"{where}: tensor '{name}' has data_offsets [{begin}, {end}] outside the {dataLen}-byte data section");
        if (end - begin != numel * dt.ElementSize())
            throw new InvalidDataException($"{where}: tensor '{name}' of dtype {dtE.GetString()} and shape {shE.GetRawText()} needs {numel * dt.ElementSize()} bytes, but its data_offsets span {end - begin}");
        return (name, dt, shape, begin, end);
    }
}
