using System.Globalization;

namespace Torchlet.Modules;

/// <summary>
/// Argument plumbing shared by the layer families: expanding an int to a tuple (PyTorch's <c>_pair</c>) and
/// printing values the way Python's <c>repr</c> does, so that <c>extra_repr</c> matches PyTorch's text.
/// </summary>
public static class Args
{
    /// <summary>PyTorch's <c>_single/_pair/_triple</c>: one value repeated <paramref name="n"/> times.</summary>
    public static long[] Expand(long value, int n)
    {
        var r = new long[n];
        Array.Fill(r, value);
        return r;
    }

    public static long[] Expand((long, long) value) => [value.Item1, value.Item2];

    public static long[] Expand((long, long, long) value) => [value.Item1, value.Item2, value.Item3];

    /// <summary>Checks that <paramref name="values"/> has <paramref name="n"/> entries (or one, which is repeated).</summary>
    public static long[] Expand(long[] values, int n, string argument, string where)
    {
        ArgumentNullException.ThrowIfNull(values, argument);
        if (values.Length == n) return (long[])values.Clone();
        if (values.Length == 1) return Expand(values[0], n);
        throw new ArgumentException($"{where}: {argument} must be an int or a tuple of {n} ints, got {Py(values)}");
    }

    /// <summary>Python's <c>repr</c> of an int.</summary>
    public static string Py(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Python's <c>repr</c> of a bool.</summary>
    public static string Py(bool v) => v ? "True" : "False";

    /// <summary>Python's <c>repr</c> of a string (single quotes).</summary>
    public static string Py(string v) => "'" + v.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

    /// <summary>A tuple as Python prints it: <c>(3, 3)</c>, <c>(3,)</c>.</summary>
    public static string Py(long[] v) => v.Length == 1 ? $"({Py(v[0])},)" : "(" + string.Join(", ", v.Select(Py)) + ")";

    public static string Py(double[] v) => v.Length == 1 ? $"({Py(v[0])},)" : "(" + string.Join(", ", v.Select(Py)) + ")";

    /// <summary>
    /// Python's <c>repr</c> of a float: the shortest digits that round-trip, in fixed notation when
    /// 1e-4 ≤ |v| &lt; 1e16 (always with a decimal point: <c>1.0</c>), otherwise as <c>1e-05</c>, <c>2.5e+16</c>.
    /// </summary>
    public static string Py(double v)
    {
        if (double.IsNaN(v)) return "nan";
        if (double.IsPositiveInfinity(v)) return "inf";
        if (double.IsNegativeInfinity(v)) return "-inf";
        if (v == 0) return double.IsNegative(v) ? "-0.0" : "0.0";
        // "R" gives the shortest digits that round-trip; re-lay them out by Python's rules.
        var shortest = v.ToString("R", CultureInfo.InvariantCulture);
        // Shortest digits and decimal exponent from the round-trip text.
        string sign = v < 0 ? "-" : "";
        string s = shortest.TrimStart('-');
        string digits;
        int e = s.IndexOfAny(['E', 'e']);
        string mant = e >= 0 ? s[..e] : s;
        int expPart = e >= 0 ? int.Parse(s[(e + 1)..], CultureInfo.InvariantCulture) : 0;
        int dot = mant.IndexOf('.');
        string intPart = dot >= 0 ? mant[..dot] : mant, frac = dot >= 0 ? mant[(dot + 1)..] : "";
        digits = (intPart + frac).TrimStart('0');
        int leadingZeros = (intPart + frac).Length - (intPart + frac).TrimStart('0').Length;
        // value = 0.digits × 10^(pointPos), where pointPos counts digits before the decimal point
        int pointPos = intPart.Length - leadingZeros + expPart;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        int exp = pointPos - 1;   // exponent of d.ddd form
        if (exp >= -4 && exp < 16)
        {
            // fixed notation
            string body;
            if (pointPos <= 0) body = "0." + new string('0', -pointPos) + digits;
            else if (pointPos >= digits.Length) body = digits + new string('0', pointPos - digits.Length) + ".0";
            else body = digits[..pointPos] + "." + digits[pointPos..];
            return sign + body;
        }
        string m = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
        return sign + m + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
    }
}
