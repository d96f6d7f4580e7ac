using System.Globalization;
using System.Numerics;
using System.Text;

namespace Torchlet;

/// <summary>
/// Prints tensors exactly as PyTorch 1.13's <c>str(t)</c> (torch/_tensor_str.py): the same
/// _Formatter choice of int / fixed / scientific mode and column width, the same summarisation,
/// line wrapping and suffixes. Only the elements that will be shown are ever read, so printing a
/// huge tensor costs no more than printing its summary.
/// </summary>
internal static class TensorFormatter
{
    public static string Format(Tensor t)
    {
        var o = PrintOptions.Current;
        const string prefix = "tensor(";
        int indent = prefix.Length;
        var suffixes = new List<string>(3);
        string body;
        if (t.Numel == 0)
        {
            // The shape is shown unless it is (0,); the dtype always unless float32, as it can't be inferred.
            if (t.dim() != 1) suffixes.Add("size=" + PyTuple(t._shape));
            if (t.dtype != ScalarType.Float32) suffixes.Add("dtype=" + t.dtype.TorchName());
            body = "[]";
        }
        else
        {
            if (t.dtype is not (ScalarType.Float32 or ScalarType.Int64 or ScalarType.Bool))
                suffixes.Add("dtype=" + t.dtype.TorchName());
            body = new Printer(t, o).Body(indent);
        }
        if (t.grad_fn is { } fn) suffixes.Add($"grad_fn=<{fn.name()}>");
        else if (t.requires_grad) suffixes.Add("requires_grad=True");
        var s = AddSuffixes(prefix + body, suffixes, indent, o.LineWidth);
        return t is Parameter ? "Parameter containing:\n" + s : s;
    }

    static string PyTuple(int[] shape) =>
        shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";

    // _add_suffixes: a suffix goes on a new line when it would pass the line width.
    static string AddSuffixes(string tensorStr, List<string> suffixes, int indent, int lineWidth)
    {
        var sb = new StringBuilder(tensorStr);
        int lastLineLen = tensorStr.Length - tensorStr.LastIndexOf('\n') + 1;
        foreach (var suffix in suffixes)
        {
            if (lastLineLen + suffix.Length + 2 > lineWidth)
            {
                sb.Append(",\n").Append(' ', indent).Append(suffix);
                lastLineLen = indent + suffix.Length;
            }
            else
            {
                sb.Append(", ").Append(suffix);
                lastLineLen += suffix.Length + 2;
            }
        }
        return sb.Append(')').ToString();
    }

    /// <summary>One print: the shown elements (get_summarized_data), their strings, then the layout.</summary>
    sealed class Printer
    {
        readonly PrintOptions _o;
        readonly int _ndim;
        readonly bool[] _cut;       // per dim: summarised (edge items, "...", edge items)
        readonly int[] _count;      // per dim: how many indices are shown
        readonly string[] _strs;    // formatted shown elements, row-major over the shown indices
        readonly int _width;
        int _next;

        public Printer(Tensor t, PrintOptions o)
        {
            _o = o;
            _ndim = t.dim();
            bool summarize = t.Numel > o.Threshold;
            int e = o.EdgeItems;
            var idx = new int[_ndim][];
            _cut = new bool[_ndim];
            _count = new int[_ndim];
            for (int d = 0; d < _ndim; d++)
            {
                int n = t._shape[d];
                if (summarize && n > 2 * e)
                {
                    _cut[d] = true;
                    // Python's self[-0:] is the whole vector, so edgeitems=0 shows "..." then everything.
                    int tail = e == 0 && d == _ndim - 1 ? 0 : n - e;
                    idx[d] = Enumerable.Range(0, e).Concat(Enumerable.Range(tail, n - tail)).ToArray();
                }
                else idx[d] = Enumerable.Range(0, n).ToArray();
                _count[d] = idx[d].Length;
            }
            var pos = StoragePositions(t, idx);
            (_strs, _width) = FormatValues(t, pos, o);
        }

        public string Body(int indent)
        {
            _next = 0;
            return TensorStr(0, indent);
        }

        // Storage indices of the shown elements, in row-major order of the shown index lists.
        static int[] StoragePositions(Tensor t, int[][] idx)
        {
            int nd = idx.Length, total = 1;
            foreach (var ix in idx) total *= ix.Length;
            var pos = new int[total];
            if (total == 0) return pos;
            var odo = new int[nd];
            for (int k = 0; k < total; k++)
            {
                int p = t._offset;
                for (int d = 0; d < nd; d++) p += idx[d][odo[d]] * t._strides[d];
                pos[k] = p;
                for (int d = nd - 1; d >= 0; d--)
                {
                    if (++odo[d] < idx[d].Length) break;
                    odo[d] = 0;
                }
            }
            return pos;
        }

        // _tensor_str_with_formatter
        string TensorStr(int d, int indent)
        {
            int dimLeft = _ndim - d;
            if (dimLeft == 0) return _strs[_next++];
            if (dimLeft == 1) return VectorStr(d, indent);
            var slices = new List<string>(_count[d] + 1);
            for (int i = 0; i < _count[d]; i++)
            {
                if (_cut[d] && i == _o.EdgeItems) slices.Add("...");
                slices.Add(TensorStr(d + 1, indent + 1));
            }
            if (_cut[d] && _count[d] == _o.EdgeItems) slices.Add("...");
            return "[" + string.Join("," + new string('\n', dimLeft - 1) + new string(' ', indent + 1), slices) + "]";
        }

        // _vector_str: as many elements per line as fit in the line width.
        string VectorStr(int d, int indent)
        {
            int elementLength = _width + 2;
            int perLine = Math.Max(1, (int)Math.Floor((double)(_o.LineWidth - indent) / elementLength));
            var data = new List<string>(_count[d] + 1);
            for (int i = 0; i < _count[d]; i++)
            {
                if (_cut[d] && i == _o.EdgeItems) data.Add(" ...");
                data.Add(_strs[_next++]);
            }
            if (_cut[d] && _count[d] == _o.EdgeItems) data.Add(" ...");
            var sb = new StringBuilder("[");
            for (int i = 0; i < data.Count; i += perLine)
            {
                if (i > 0) sb.Append(",\n").Append(' ', indent + 1);
                sb.AppendJoin(", ", data.Skip(i).Take(perLine));
            }
            return sb.Append(']').ToString();
        }
    }

    // ---------------------------------------------------------------- _Formatter

    static (string[] strs, int width) FormatValues(Tensor t, int[] pos, PrintOptions o)
    {
        var strs = new string[pos.Length];
        int width = 1;
        switch (t._storage)
        {
            case Storage<float> s:
                return FormatFloats(pos.Select(p => (double)s.Data[p]).ToArray(), o);
            case Storage<double> s:
                return FormatFloats(pos.Select(p => s.Data[p]).ToArray(), o);
            case Storage<bool> s:
                for (int i = 0; i < pos.Length; i++) strs[i] = s.Data[pos[i]] ? "True" : "False";
                break;
            case Storage<long> s:
                for (int i = 0; i < pos.Length; i++) strs[i] = s.Data[pos[i]].ToString(CultureInfo.InvariantCulture);
                break;
            case Storage<int> s:
                for (int i = 0; i < pos.Length; i++) strs[i] = s.Data[pos[i]].ToString(CultureInfo.InvariantCulture);
                break;
            case Storage<byte> s:
                for (int i = 0; i < pos.Length; i++) strs[i] = s.Data[pos[i]].ToString(CultureInfo.InvariantCulture);
                break;
            default:
                throw new InvalidOperationException($"cannot print a tensor of dtype {t.dtype.TorchName()}");
        }
        foreach (var x in strs) width = Math.Max(width, x.Length);
        for (int i = 0; i < strs.Length; i++) strs[i] = Pad(strs[i], width);
        return (strs, width);
    }

    static (string[] strs, int width) FormatFloats(double[] v, PrintOptions o)
    {
        int prec = o.Precision;
        bool intMode = true, sciMode = false, any = false;
        double min = double.PositiveInfinity, max = 0;
        foreach (var x in v)
        {
            if (!double.IsFinite(x) || x == 0) continue;
            any = true;
            double a = Math.Abs(x);
            if (a < min) min = a;
            if (a > max) max = a;
            if (x != Math.Ceiling(x)) intMode = false;
        }
        if (any) sciMode = max / min > 1000.0 || max > 1.0e8 || (!intMode && min < 1.0e-4);

        // The width comes from the nonzero finite values in the mode chosen above; a forced
        // sci_mode (applied, as in PyTorch, only when such values exist) changes the output only.
        var strs = new string[v.Length];
        int width = 1;
        for (int i = 0; i < v.Length; i++)
        {
            strs[i] = FormatFloat(v[i], sciMode, intMode, prec);
            if (double.IsFinite(v[i]) && v[i] != 0)
                width = Math.Max(width, strs[i].Length);
        }
        if (any && o.SciMode is bool forced && forced != sciMode)
            for (int i = 0; i < v.Length; i++) strs[i] = FormatFloat(v[i], forced, intMode, prec);
        for (int i = 0; i < v.Length; i++) strs[i] = Pad(strs[i], width);
        return (strs, width);
    }

    // _Formatter.format without the padding. Int mode appends "." to finite values, which is
    // also the "+ 1" PyTorch adds to their width.
    static string FormatFloat(double x, bool sci, bool intMode, int prec)
    {
        if (sci) return Sci(x, prec);
        if (!intMode) return Fixed(x, prec);
        var r = Fixed(x, 0);
        return double.IsFinite(x) ? r + "." : r;
    }

    static string Pad(string s, int width) => s.Length >= width ? s : new string(' ', width - s.Length) + s;

    // ---------------------------------------------------------------- Python float formatting

    /// <summary>Python's <c>"{:.{prec}f}".format(x)</c>: exact value rounded half-to-even.</summary>
    internal static string Fixed(double x, int prec)
    {
        if (double.IsNaN(x)) return "nan";
        if (double.IsInfinity(x)) return x > 0 ? "inf" : "-inf";
        var digits = ScaledDigits(Math.Abs(x), prec);
        if (prec > 0)
        {
            digits = digits.PadLeft(prec + 1, '0');
            digits = digits[..^prec] + "." + digits[^prec..];
        }
        return double.IsNegative(x) ? "-" + digits : digits;
    }

    /// <summary>Python's <c>"{:.{prec}e}".format(x)</c>: d.ddddE±XX with at least two exponent digits.</summary>
    internal static string Sci(double x, int prec)
    {
        if (double.IsNaN(x)) return "nan";
        if (double.IsInfinity(x)) return x > 0 ? "inf" : "-inf";
        double a = Math.Abs(x);
        int e10 = 0;
        string digits = "0";
        if (a != 0)
        {
            // The estimate from log10 can be one off either way; the digit count settles it.
            e10 = (int)Math.Floor(Math.Log10(a));
            while (true)
            {
                digits = ScaledDigits(a, prec - e10);
                if (digits.Length > prec + 1) e10++;
                else if (digits.Length < prec + 1) e10--;
                else break;
            }
        }
        digits = digits.PadLeft(prec + 1, '0');
        var sb = new StringBuilder(prec + 8);
        if (double.IsNegative(x)) sb.Append('-');
        sb.Append(digits[0]);
        if (prec > 0) sb.Append('.').Append(digits, 1, prec);
        sb.Append('e').Append(e10 < 0 ? '-' : '+').Append(Math.Abs(e10).ToString("00", CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    /// <summary>The decimal digits of round_half_even(x · 10^k), x finite and ≥ 0, computed exactly.</summary>
    static string ScaledDigits(double x, int k)
    {
        long bits = BitConverter.DoubleToInt64Bits(x);
        int exp = (int)((bits >> 52) & 0x7FF);
        long man = bits & 0xF_FFFF_FFFF_FFFF;
        if (exp == 0) exp = 1; else man |= 1L << 52;
        int e2 = exp - 1075; // x = man · 2^e2
        int up = Math.Max(e2, 0), down = Math.Max(-e2, 0);
        // Usual magnitudes fit in 128 bits; the rest take the BigInteger path.
        if (53 + up + Pow10Bits(Math.Max(k, 0)) <= 126 && down + Pow10Bits(Math.Max(-k, 0)) <= 125)
        {
            UInt128 num = (UInt128)(ulong)man << up, den = UInt128.One << down;
            if (k > 0) num *= s_pow10[k]; else if (k < 0) den *= s_pow10[-k];
            UInt128 q = num / den, r = num - q * den;
            UInt128 twice = r << 1;
            if (twice > den || (twice == den && (q & 1) == 1)) q++;
            return q.ToString(CultureInfo.InvariantCulture);
        }
        BigInteger bnum = man, bden = BigInteger.One;
        bnum <<= up;
        bden <<= down;
        if (k > 0) bnum *= BigInteger.Pow(10, k); else if (k < 0) bden *= BigInteger.Pow(10, -k);
        var bq = BigInteger.DivRem(bnum, bden, out var br);
        int c = (br << 1).CompareTo(bden);
        if (c > 0 || (c == 0 && !bq.IsEven)) bq += 1;
        return bq.ToString(CultureInfo.InvariantCulture);
    }

    static readonly UInt128[] s_pow10 = Enumerable.Range(0, 39).Select(i =>
    {
        UInt128 p = 1;
        for (int j = 0; j < i; j++) p *= 10;
        return p;
    }).ToArray();

    // Bits needed for 10^k (an upper bound; 127 for k beyond the table, forcing the BigInteger path).
    static int Pow10Bits(int k) => k > 38 ? 127 : (int)(k * 3.3219280948873623) + 1;
}
