namespace Torchlet;

/// <summary>Element types, numbered as libtorch (and TorchSharp) number them.</summary>
public enum ScalarType : sbyte
{
    Byte = 0,
    Int32 = 3,
    Int64 = 4,
    Float32 = 6,
    Float64 = 7,
    Bool = 11,
}

internal static class ScalarTypes
{
    public static bool IsFloating(this ScalarType t) => t is ScalarType.Float32 or ScalarType.Float64;
    public static bool IsIntegral(this ScalarType t, bool includeBool = false) =>
        t is ScalarType.Byte or ScalarType.Int32 or ScalarType.Int64 || (includeBool && t == ScalarType.Bool);

    /// <summary>The name PyTorch prints: torch.float32, torch.int64, ...</summary>
    public static string TorchName(this ScalarType t) => t switch
    {
        ScalarType.Byte => "torch.uint8",
        ScalarType.Int32 => "torch.int32",
        ScalarType.Int64 => "torch.int64",
        ScalarType.Float32 => "torch.float32",
        ScalarType.Float64 => "torch.float64",
        ScalarType.Bool => "torch.bool",
        _ => t.ToString(),
    };

    /// <summary>c10's short name, used in PyTorch's dtype errors: Float, Long, Bool, ...</summary>
    public static string CName(this ScalarType t) => t switch
    {
        ScalarType.Byte => "Byte",
        ScalarType.Int32 => "Int",
        ScalarType.Int64 => "Long",
        ScalarType.Float32 => "Float",
        ScalarType.Float64 => "Double",
        ScalarType.Bool => "Bool",
        _ => t.ToString(),
    };

    /// <summary>Legacy type name used in PyTorch's autograd errors: torch.FloatTensor, ... (c10's short name inside).</summary>
    public static string LegacyName(this ScalarType t) => Enum.IsDefined(t) ? $"torch.{t.CName()}Tensor" : t.ToString();

    /// <summary>
    /// The C++ type behind a dtype, as PyTorch's messages spell it: c10's fixed-width typedef (uint8_t, int64_t, for
    /// checked_convert's overflow error) or GCC's demangled name (unsigned char, long int, where a message prints typeid).
    /// </summary>
    static (string Typedef, string Demangled) CType(ScalarType t) => t switch
    {
        ScalarType.Byte => ("uint8_t", "unsigned char"),
        ScalarType.Int32 => ("int", "int"),
        ScalarType.Int64 => ("int64_t", "long int"),
        ScalarType.Float32 => ("float", "float"),
        ScalarType.Float64 => ("double", "double"),
        ScalarType.Bool => ("bool", "bool"),
        _ => (t.ToString(), t.ToString()),
    };

    public static string CTypedefName(this ScalarType t) => CType(t).Typedef;
    public static string CDemangledName(this ScalarType t) => CType(t).Demangled;

    public static int ElementSize(this ScalarType t) => t switch
    {
        ScalarType.Byte or ScalarType.Bool => 1,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        _ => 8,
    };

    static int Rank(ScalarType t) => t switch
    {
        ScalarType.Bool => 0,
        ScalarType.Byte => 1,
        ScalarType.Int32 => 2,
        ScalarType.Int64 => 3,
        ScalarType.Float32 => 4,
        ScalarType.Float64 => 5,
        _ => throw Unknown(t),
    };

    /// <summary>torch.promote_types for the dtypes Torchlet has (a total order here).</summary>
    public static ScalarType Promote(ScalarType a, ScalarType b) => Rank(a) >= Rank(b) ? a : b;

    /// <summary>0 = bool, 1 = integral, 2 = floating: PyTorch's promotion categories.</summary>
    public static int Category(this ScalarType t) => t == ScalarType.Bool ? 0 : t.IsFloating() ? 2 : 1;

    public static Type ClrType(this ScalarType t) => t switch
    {
        ScalarType.Byte => typeof(byte),
        ScalarType.Int32 => typeof(int),
        ScalarType.Int64 => typeof(long),
        ScalarType.Float32 => typeof(float),
        ScalarType.Float64 => typeof(double),
        ScalarType.Bool => typeof(bool),
        _ => throw Unknown(t),
    };

    /// <summary>The error for a ScalarType value that is none of the named ones (a cast from a bad number).</summary>
    public static ArgumentException Unknown(ScalarType t) =>
        new($"dtype {(int)t} is not one Torchlet has: expected torch.float32, torch.float64, torch.int64, torch.int32, torch.uint8 or torch.bool");

    public static ScalarType FromClr(Type t) =>
        t == typeof(float) ? ScalarType.Float32 :
        t == typeof(double) ? ScalarType.Float64 :
        t == typeof(long) ? ScalarType.Int64 :
        t == typeof(int) ? ScalarType.Int32 :
        t == typeof(byte) ? ScalarType.Byte :
        t == typeof(bool) ? ScalarType.Bool :
        throw new ArgumentException($"Torchlet has no dtype for the C# type {t.Name}; expected float, double, long, int, byte or bool.");
}
