using System.Globalization;
using System.Text;

namespace Torchlet;

/// <summary>Prints tensors as PyTorch's <c>str(t)</c> does.</summary>
internal static class TensorFormatter
{
    public static string Format(Tensor t)
    {
        var sb = new StringBuilder("tensor(");
        var vals = t.to_nograd(ScalarType.Float64, false).contiguous_nograd().Span<double>().ToArray();
        if (t.dim() == 0) sb.Append(Fmt(vals[0], t.dtype));
        else Append(sb, vals, t._shape, 0, 0, t.dtype, 7);
        if (t.grad_fn is { } fn) sb.Append($", grad_fn=<{fn.name()}>");
        else if (t.requires_grad) sb.Append(", requires_grad=True");
        return sb.Append(')').ToString();
    }

    static int Append(StringBuilder sb, double[] v, int[] shape, int dim, int off, ScalarType dt, int indent)
    {
        sb.Append('[');
        int n = shape[dim];
        int stride = 1; for (int i = dim + 1; i < shape.Length; i++) stride *= shape[i];
        for (int i = 0; i < n; i++)
        {
            if (i > 0) sb.Append(dim == shape.Length - 1 ? ", " : ",\n" + new string(' ', indent + dim + 1));
            if (dim == shape.Length - 1) sb.Append(Fmt(v[off + i], dt));
            else Append(sb, v, shape, dim + 1, off + i * stride, dt, indent);
        }
        sb.Append(']');
        return 0;
    }

    static string Fmt(double v, ScalarType dt) => dt switch
    {
        ScalarType.Bool => v != 0 ? "True" : "False",
        ScalarType.Float32 or ScalarType.Float64 => v.ToString("0.0000", CultureInfo.InvariantCulture),
        _ => ((long)v).ToString(CultureInfo.InvariantCulture),
    };
}
