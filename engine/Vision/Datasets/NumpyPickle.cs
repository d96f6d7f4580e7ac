using System.Buffers.Binary;
using System.Collections;
using System.Text;
using Razorvine.Pickle;

namespace Torchlet.Vision;

/// <summary>
/// Reads the Python pickles CIFAR ships (dicts of strings, int lists and numpy arrays) with Razorvine.Pickle, allowing
/// nothing else. Before Razorvine sees a file, every opcode is walked: the only globals allowed are numpy's
/// <c>numpy.core.multiarray._reconstruct</c>, <c>numpy.ndarray</c> and <c>numpy.dtype</c>, and opcodes that fetch objects
/// from elsewhere (persistent ids, extension codes, out-of-band buffers, STACK_GLOBAL's computed names) are refused. Any
/// other global is an error naming it and the file, so a file can neither run code nor produce surprise objects (Razorvine
/// itself would build a dictionary for any unknown class).
/// </summary>
/// <remarks>
/// CIFAR's files were written by Python 2's cPickle: keys, strings and the arrays' raw bytes are Python 2 strings
/// (SHORT_BINSTRING/BINSTRING), which Razorvine returns as latin-1 strings (one char per byte). An array is
/// <c>_reconstruct(ndarray, (0,), 'b')</c> followed by BUILD with numpy's state
/// <c>(version, shape, dtype, is_fortran, raw data)</c>; a dtype is <c>dtype('u1', 0, 1)</c> followed by BUILD with its own state.
/// </remarks>
internal static class NumpyPickle
{
    const string Reconstruct = "numpy.core.multiarray._reconstruct", NdArray = "numpy.ndarray", Dtype = "numpy.dtype";
    static readonly HashSet<string> s_allowed = [Reconstruct, NdArray, Dtype];

    static NumpyPickle()
    {
        // Razorvine's registry is process-wide; these names map to classes that only hold what the file says.
        Unpickler.registerConstructor("numpy.core.multiarray", "_reconstruct", new ReconstructConstructor());
        Unpickler.registerConstructor("numpy", "ndarray", new NdArrayClass());
        Unpickler.registerConstructor("numpy", "dtype", new DtypeConstructor());
    }

    /// <summary>Unpickles <paramref name="path"/> after checking its opcodes and globals.</summary>
    internal static object? Load(string path, string dataset)
    {
        // CIFAR's largest file (CIFAR-100's train) is about 155 MB; a much larger one is not what it claims to be.
        const long MaxBytes = 1L << 30;
        long size = new FileInfo(path).Length;
        if (size > MaxBytes)
            throw new InvalidDataException($"{dataset}: '{path}' is {size} bytes, far larger than any of CIFAR's pickles (at most about 160 MB): not a CIFAR file");
        var bytes = File.ReadAllBytes(path);
        CheckOpcodes(bytes, path, dataset);
        try
        {
            using var unpickler = new Unpickler();
            return unpickler.loads(bytes);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Razorvine fails on malformed input with whatever it hits (casts, stack underflow, ...): all of it means a damaged file.
            var inner = e is PickleException { InnerException: System.Reflection.TargetInvocationException { InnerException: { } t } } ? t : e;
            throw new InvalidDataException($"{dataset}: '{path}' is not a valid pickle of numpy arrays: {inner.Message}", e);
        }
    }

    // ------------------------------------------------------------ the opcode walk

    enum Arg { None, Fixed, Length, Line, TwoLines, Refused }

    /// <summary>What follows each opcode of pickle protocols 0–5 (pickletools' table): nothing, fixed bytes, a little-endian
    /// length and that many bytes, or newline-terminated text. Opcodes not listed are invalid.</summary>
    static (Arg kind, int size, string name) Describe(byte op) => op switch
    {
        (byte)'(' => (Arg.None, 0, "MARK"), (byte)'0' => (Arg.None, 0, "POP"), (byte)'1' => (Arg.None, 0, "POP_MARK"),
        (byte)'2' => (Arg.None, 0, "DUP"), (byte)'N' => (Arg.None, 0, "NONE"), (byte)'R' => (Arg.None, 0, "REDUCE"),
        (byte)'a' => (Arg.None, 0, "APPEND"), (byte)'b' => (Arg.None, 0, "BUILD"), (byte)'d' => (Arg.None, 0, "DICT"),
        (byte)'}' => (Arg.None, 0, "EMPTY_DICT"), (byte)'e' => (Arg.None, 0, "APPENDS"), (byte)'l' => (Arg.None, 0, "LIST"),
        (byte)']' => (Arg.None, 0, "EMPTY_LIST"), (byte)'o' => (Arg.None, 0, "OBJ"), (byte)'s' => (Arg.None, 0, "SETITEM"),
        (byte)'t' => (Arg.None, 0, "TUPLE"), (byte)')' => (Arg.None, 0, "EMPTY_TUPLE"), (byte)'u' => (Arg.None, 0, "SETITEMS"),
        0x81 => (Arg.None, 0, "NEWOBJ"), 0x85 => (Arg.None, 0, "TUPLE1"), 0x86 => (Arg.None, 0, "TUPLE2"), 0x87 => (Arg.None, 0, "TUPLE3"),
        0x88 => (Arg.None, 0, "NEWTRUE"), 0x89 => (Arg.None, 0, "NEWFALSE"), 0x8f => (Arg.None, 0, "EMPTY_SET"),
        0x90 => (Arg.None, 0, "ADDITEMS"), 0x91 => (Arg.None, 0, "FROZENSET"), 0x92 => (Arg.None, 0, "NEWOBJ_EX"),
        0x94 => (Arg.None, 0, "MEMOIZE"), 0x98 => (Arg.None, 0, "READONLY_BUFFER"),
        (byte)'J' => (Arg.Fixed, 4, "BININT"), (byte)'K' => (Arg.Fixed, 1, "BININT1"), (byte)'M' => (Arg.Fixed, 2, "BININT2"),
        (byte)'h' => (Arg.Fixed, 1, "BINGET"), (byte)'j' => (Arg.Fixed, 4, "LONG_BINGET"), (byte)'q' => (Arg.Fixed, 1, "BINPUT"),
        (byte)'r' => (Arg.Fixed, 4, "LONG_BINPUT"), (byte)'G' => (Arg.Fixed, 8, "BINFLOAT"), 0x80 => (Arg.Fixed, 1, "PROTO"),
        0x95 => (Arg.Fixed, 8, "FRAME"),
        (byte)'U' => (Arg.Length, 1, "SHORT_BINSTRING"), (byte)'T' => (Arg.Length, 4, "BINSTRING"), (byte)'C' => (Arg.Length, 1, "SHORT_BINBYTES"),
        (byte)'B' => (Arg.Length, 4, "BINBYTES"), 0x8c => (Arg.Length, 1, "SHORT_BINUNICODE"), (byte)'X' => (Arg.Length, 4, "BINUNICODE"),
        0x8d => (Arg.Length, 8, "BINUNICODE8"), 0x8e => (Arg.Length, 8, "BINBYTES8"), 0x96 => (Arg.Length, 8, "BYTEARRAY8"),
        0x8a => (Arg.Length, 1, "LONG1"), 0x8b => (Arg.Length, 4, "LONG4"),
        (byte)'I' => (Arg.Line, 0, "INT"), (byte)'L' => (Arg.Line, 0, "LONG"), (byte)'F' => (Arg.Line, 0, "FLOAT"),
        (byte)'S' => (Arg.Line, 0, "STRING"), (byte)'V' => (Arg.Line, 0, "UNICODE"), (byte)'g' => (Arg.Line, 0, "GET"),
        (byte)'p' => (Arg.Line, 0, "PUT"),
        (byte)'c' => (Arg.TwoLines, 0, "GLOBAL"), (byte)'i' => (Arg.TwoLines, 0, "INST"),
        (byte)'P' => (Arg.Refused, 0, "PERSID"), (byte)'Q' => (Arg.Refused, 0, "BINPERSID"), 0x82 => (Arg.Refused, 0, "EXT1"),
        0x83 => (Arg.Refused, 0, "EXT2"), 0x84 => (Arg.Refused, 0, "EXT4"), 0x93 => (Arg.Refused, 0, "STACK_GLOBAL"),
        0x97 => (Arg.Refused, 0, "NEXT_BUFFER"),
        _ => (Arg.Refused, 0, ""),
    };

    static void CheckOpcodes(byte[] p, string path, string dataset)
    {
        Exception Bad(string problem) => new InvalidDataException($"{dataset}: '{path}' is not a valid pickle of numpy arrays: {problem}");
        long pos = 0;
        while (pos < p.Length)
        {
            long at = pos;
            byte op = p[pos++];
            if (op == (byte)'.') return; // STOP: the rest of the file is not read, as in Python
            var (kind, size, name) = Describe(op);
            switch (kind)
            {
                case Arg.None:
                    break;
                case Arg.Fixed:
                    pos += size;
                    break;
                case Arg.Length:
                {
                    if (pos + size > p.Length) throw Bad($"it ends inside {name} at byte {at} (the file is truncated)");
                    long n = size switch
                    {
                        1 => p[pos],
                        4 => BinaryPrimitives.ReadInt32LittleEndian(p.AsSpan((int)pos)),
                        _ => BinaryPrimitives.ReadInt64LittleEndian(p.AsSpan((int)pos)),
                    };
                    if (n < 0) throw Bad($"{name} at byte {at} has a negative length ({n})");
                    if (n > p.Length - (pos + size)) throw Bad($"it ends inside {name} at byte {at}, which announces {n} bytes (the file is truncated)");
                    pos += size + n;
                    break;
                }
                case Arg.Line:
                    pos = LineEnd(p, pos, name, at, Bad) + 1;
                    break;
                case Arg.TwoLines:
                {
                    long e1 = LineEnd(p, pos, name, at, Bad), e2 = LineEnd(p, e1 + 1, name, at, Bad);
                    var global = Encoding.UTF8.GetString(p, (int)pos, (int)(e1 - pos)) + "." + Encoding.UTF8.GetString(p, (int)e1 + 1, (int)(e2 - e1 - 1));
                    if (!s_allowed.Contains(global))
                        throw Bad($"it refers to the global '{global}' ({name} at byte {at}); a dataset file may only hold numpy arrays " +
                            $"({string.Join(", ", s_allowed)}), so it was not unpickled");
                    pos = e2 + 1;
                    break;
                }
                default:
                    throw Bad(name == ""
                        ? $"invalid opcode 0x{op:X2} at byte {at}"
                        : $"it uses {name} (at byte {at}), which loads objects from outside the file; CIFAR's pickles never do, so it was not unpickled");
            }
            if (pos > p.Length) throw Bad($"it ends inside {name} at byte {at} (the file is truncated)");
        }
        throw Bad("it ends without the STOP opcode (the file is truncated)");
    }

    static long LineEnd(byte[] p, long from, string name, long at, Func<string, Exception> bad)
    {
        int e = from >= p.Length ? -1 : Array.IndexOf(p, (byte)'\n', (int)from);
        if (e < 0) throw bad($"it ends inside {name} at byte {at} (the file is truncated)");
        return e;
    }

    // ------------------------------------------------------------ reading the objects back

    /// <summary>A uint8 numpy array from the file: its shape and raw bytes (checked against each other).</summary>
    internal readonly record struct ByteArray(long[] shape, object raw)
    {
        public long Length => raw is string s ? s.Length : ((byte[])raw).Length;

        /// <summary>Copies the raw bytes (a latin-1 string from a Python 2 pickle, or bytes) into <paramref name="dst"/>.</summary>
        public void CopyTo(Span<byte> dst)
        {
            if (raw is string s) Encoding.Latin1.GetBytes(s, dst);
            else ((byte[])raw).CopyTo(dst);
        }
    }

    /// <summary>The uint8 array <paramref name="value"/> (what the file holds under <paramref name="what"/>), or a clear error.</summary>
    internal static ByteArray UInt8Array(object? value, string what, string path, string dataset)
    {
        Exception Bad(string problem) => new InvalidDataException($"{dataset}: '{path}' is damaged: {what} {problem}");
        if (value is not NdArrayObject a) throw Bad($"should be a numpy array, got {Describe(value)}");
        var st = a.State ?? throw Bad("is a numpy array without data (no BUILD state)");
        // numpy's state: (version, shape, dtype, is_fortran, raw data); old pickles have no version.
        if (st.Length == 5) st = st[1..];
        if (st.Length != 4) throw Bad($"has a numpy state of {st.Length} fields, expected (version, shape, dtype, is_fortran, data)");
        if (st[0] is not object[] shapeItems) throw Bad($"has a shape that is not a tuple ({Describe(st[0])})");
        var shape = new long[shapeItems.Length];
        for (int i = 0; i < shape.Length; i++)
            shape[i] = shapeItems[i] is int or long && Convert.ToInt64(shapeItems[i]) >= 0 ? Convert.ToInt64(shapeItems[i]) : throw Bad($"has an invalid shape element {Describe(shapeItems[i])}");
        if (st[1] is not NpDtype dtype) throw Bad($"has no numpy dtype ({Describe(st[1])})");
        if (dtype.descr is not ("u1" or "|u1" or "uint8" or "B"))
            throw Bad($"has dtype '{dtype.descr}', expected uint8 ('u1')");
        bool fortran = st[2] switch { bool b => b, int i => i != 0, _ => throw Bad($"has an invalid is_fortran flag ({Describe(st[2])})") };
        if (fortran && shape.Length > 1) throw Bad("is stored in Fortran (column-major) order; CIFAR's arrays are in C order");
        if (st[3] is not (string or byte[])) throw Bad($"has raw data of type {Describe(st[3])}, expected a byte string");
        if (st[3] is string text && text.Any(c => c > '\u00FF'))
            throw Bad("has raw data as a unicode string with characters beyond one byte; a Python 2 pickle holds it as a byte string");
        var arr = new ByteArray(shape, st[3]);
        var count = shape.Aggregate(System.Numerics.BigInteger.One, (x, y) => x * y);   // no wrap-around for a crafted shape
        if (arr.Length != count)
            throw Bad($"has {arr.Length} bytes of data for shape ({string.Join(", ", shape)}) = {count} elements (the file is truncated or altered)");
        return arr;
    }

    internal static string Describe(object? v) => v switch
    {
        null => "None",
        string s => $"the string '{(s.Length > 40 ? s[..40] + "…" : s)}'",
        ArrayList l => $"a list of {l.Count} items",
        object[] t => $"a tuple of {t.Length} items",
        Hashtable h => $"a dict of {h.Count} items",
        _ => v.GetType().Name,
    };

    // ------------------------------------------------------------ the allowed globals

    /// <summary><c>numpy.ndarray</c>: only an argument of <c>_reconstruct</c>; calling it is not part of the format.</summary>
    sealed class NdArrayClass : IObjectConstructor
    {
        public object construct(object[] args) => throw new PickleException("numpy.ndarray(...) is called directly; CIFAR's arrays come through numpy.core.multiarray._reconstruct");
    }

    sealed class ReconstructConstructor : IObjectConstructor
    {
        public object construct(object[] args) =>
            args is [NdArrayClass, ..] ? new NdArrayObject()
                : throw new PickleException($"numpy.core.multiarray._reconstruct got ({string.Join(", ", args.Select(Describe))}); expected (numpy.ndarray, (0,), 'b')");
    }

    sealed class DtypeConstructor : IObjectConstructor
    {
        public object construct(object[] args) =>
            args is [string descr, ..] ? new NpDtype(descr) : throw new PickleException($"numpy.dtype got ({string.Join(", ", args.Select(Describe))}); expected a type string such as 'u1'");
    }

    /// <summary>An array as the file describes it; BUILD hands it numpy's state tuple (Razorvine calls <c>__setstate__</c>).</summary>
    internal sealed class NdArrayObject
    {
        internal object[]? State;
        public void __setstate__(object[] state) => State = state;
    }

    /// <summary>A dtype; only its type string matters for uint8 (its BUILD state holds the byte order, '|' for bytes).</summary>
    internal sealed class NpDtype(string descr)
    {
        internal string descr { get; } = descr;
        public void __setstate__(object[] state) { }
    }
}
