namespace Torchlet;

/// <summary>
/// A C# number used where PyTorch takes a Python number. It remembers whether it was
/// written as an integer, a floating value or a bool, because type promotion depends on it:
/// <c>arange(5) * 2</c> stays int64 while <c>arange(5) * 2.0</c> becomes float32.
/// </summary>
public readonly struct Scalar
{
    public enum Kind : byte { Bool, Int, Float }
    public readonly Kind kind;
    readonly double _d;
    readonly long _l;

    Scalar(Kind k, double d, long l) { kind = k; _d = d; _l = l; }

    public static implicit operator Scalar(double v) => new(Kind.Float, v, (long)v);
    public static implicit operator Scalar(float v) => new(Kind.Float, v, (long)v);
    public static implicit operator Scalar(long v) => new(Kind.Int, v, v);
    public static implicit operator Scalar(int v) => new(Kind.Int, v, v);
    public static implicit operator Scalar(bool v) => new(Kind.Bool, v ? 1 : 0, v ? 1 : 0);

    public double ToDouble() => kind == Kind.Float ? _d : _l;
    public long ToInt64() => kind == Kind.Float ? (long)_d : _l;
    public bool IsFloating => kind == Kind.Float;

    /// <summary>The dtype a lone Python number of this kind gets (default dtypes).</summary>
    internal ScalarType DefaultDType => kind switch
    {
        Kind.Bool => ScalarType.Bool,
        Kind.Int => ScalarType.Int64,
        _ => ScalarType.Float32,
    };

    internal T As<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return (T)(object)(float)ToDouble();
        if (typeof(T) == typeof(double)) return (T)(object)ToDouble();
        if (typeof(T) == typeof(long)) return (T)(object)ToInt64();
        if (typeof(T) == typeof(int)) return (T)(object)unchecked((int)ToInt64());
        if (typeof(T) == typeof(byte)) return (T)(object)unchecked((byte)ToInt64());
        if (typeof(T) == typeof(bool)) return (T)(object)(ToDouble() != 0);
        throw new NotSupportedException(typeof(T).Name);
    }

    /// <summary>
    /// c10's checked_convert: fill_, full and clamp refuse a number the dtype cannot hold
    /// (negative numbers wrap into uint8 down to -255, as in c10::overflows).
    /// </summary>
    internal void CheckFits(ScalarType t)
    {
        bool bad;
        if (kind == Kind.Float)
        {
            double d = _d;
            bad = t switch
            {
                ScalarType.Float32 => double.IsFinite(d) && Math.Abs(d) > float.MaxValue,
                ScalarType.Float64 or ScalarType.Bool => false,
                _ => !double.IsFinite(d) || d < MinOf(t) || d > MaxOf(t),
            };
        }
        else bad = t.IsIntegral() && (_l < MinOf(t) || _l > MaxOf(t));
        if (bad)
            throw new ArgumentException($"value cannot be converted to type {t.CTypedefName()} without overflow (value {this}, dtype {t.TorchName()})");
    }

    static long MinOf(ScalarType t) => t switch { ScalarType.Byte => -255, ScalarType.Int32 => int.MinValue, _ => long.MinValue };
    static long MaxOf(ScalarType t) => t switch { ScalarType.Byte => 255, ScalarType.Int32 => int.MaxValue, _ => long.MaxValue };

    public override string ToString() => kind switch
    {
        Kind.Bool => _l != 0 ? "True" : "False",
        Kind.Int => _l.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => _d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
    };
}
