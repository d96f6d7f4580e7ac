using static Torchlet.Modules.PoolArg;
using static Torchlet.PoolOps;

namespace Torchlet
{
    public static partial class torch
    {
        public static Tensor max_pool1d(Tensor input, long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false) =>
            nn.functional.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode);
        public static (Tensor output, Tensor indices) max_pool1d_with_indices(Tensor input, long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false) =>
            nn.functional.max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode);
        public static Tensor max_pool2d(Tensor input, long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool ceil_mode = false) =>
            nn.functional.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode);
        public static Tensor max_pool2d(Tensor input, long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false) =>
            nn.functional.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode);
        public static Tensor max_pool3d(Tensor input, long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool ceil_mode = false) =>
            nn.functional.max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode);
        public static Tensor max_pool3d(Tensor input, long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false) =>
            nn.functional.max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode);
        public static Tensor avg_pool1d(Tensor input, long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true) =>
            nn.functional.avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad);
        public static Tensor adaptive_avg_pool1d(Tensor input, long output_size) => nn.functional.adaptive_avg_pool1d(input, output_size);
        public static (Tensor output, Tensor indices) adaptive_max_pool1d(Tensor input, long output_size) => nn.functional.adaptive_max_pool1d_with_indices(input, output_size);

        public static partial class nn
        {
            public static partial class functional
            {
                    static long[] L2((long, long) t) => [t.Item1, t.Item2];
                static long[]? L2((long, long)? t) => t is { } x ? [x.Item1, x.Item2] : null;
                static long[] L3((long, long, long) t) => [t.Item1, t.Item2, t.Item3];
                static long[]? L3((long, long, long)? t) => t is { } x ? [x.Item1, x.Item2, x.Item3] : null;

                // ---------------------------------------------------------- max pooling

                public static Tensor max_pool1d(Tensor input, long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false) =>
                    PoolOps.MaxPool(input, 1, [kernel_size], L(stride), [padding], [dilation], ceil_mode, indices: false).output;
                public static (Tensor output, Tensor indices) max_pool1d_with_indices(Tensor input, long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false) =>
                    PoolOps.MaxPool(input, 1, [kernel_size], L(stride), [padding], [dilation], ceil_mode);

                public static Tensor max_pool2d(Tensor input, long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool ceil_mode = false) =>
                    PoolOps.MaxPool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, indices: false).output;
                public static Tensor max_pool2d(Tensor input, long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false) =>
                    PoolOps.MaxPool(input, 2, [kernel_size], L(stride), [padding], [dilation], ceil_mode, indices: false).output;
                public static Tensor max_pool2d(Tensor input, (long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, (long, long)? dilation = null, bool ceil_mode = false) =>
                    PoolOps.MaxPool(input, 2, L2(kernel_size), L2(stride), L2(padding), L2(dilation), ceil_mode, indices: false).output;
                public static (Tensor output, Tensor indices) max_pool2d_with_indices(Tensor input, long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool ceil_mode = false) =>
                    PoolOps.MaxPool(input, 2, kernel_size, stride, padding, dilation, ceil_mode);
                public static (Tensor output, Tensor indices) max_pool2d_with_indices(Tensor input, long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false) =>
                    PoolOps.MaxPool(input, 2, [kernel_size], L(stride), [padding], [dilation], ceil_mode);

                public static Tensor max_pool3d(Tensor input, long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool ceil_mode = false) =>
                    PoolOps.MaxPool(input, 3, kernel_size, stride, padding, dilation, ceil_mode, indices: false).output;
                public static Tensor max_pool3d(Tensor input, long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false) =>
                    PoolOps.MaxPool(input, 3, [kernel_size], L(stride), [padding], [dilation], ceil_mode, indices: false).output;
                public static Tensor max_pool3d(Tensor input, (long, long, long) kernel_size, (long, long, long)? stride = null, (long, long, long)? padding = null, (long, long, long)? dilation = null, bool ceil_mode = false) =>
                    PoolOps.MaxPool(input, 3, L3(kernel_size), L3(stride), L3(padding), L3(dilation), ceil_mode, indices: false).output;
                public static (Tensor output, Tensor indices) max_pool3d_with_indices(Tensor input, long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool ceil_mode = false) =>
                    PoolOps.MaxPool(input, 3, kernel_size, stride, padding, dilation, ceil_mode);
                public static (Tensor output, Tensor indices) max_pool3d_with_indices(Tensor input, long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false) =>
                    PoolOps.MaxPool(input, 3, [kernel_size], L(stride), [padding], [dilation], ceil_mode);

                // ---------------------------------------------------------- average pooling

                public static Tensor avg_pool1d(Tensor input, long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true) =>
                    PoolOps.AvgPool(input, 1, [kernel_size], L(stride), [padding], ceil_mode, count_include_pad, null);

                public static Tensor avg_pool2d(Tensor input, long[] kernel_size, long[]? stride = null, long[]? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                    PoolOps.AvgPool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override);
                public static Tensor avg_pool2d(Tensor input, long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                    PoolOps.AvgPool(input, 2, [kernel_size], L(stride), [padding], ceil_mode, count_include_pad, divisor_override);
                public static Tensor avg_pool2d(Tensor input, (long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                    PoolOps.AvgPool(input, 2, L2(kernel_size), L2(stride), L2(padding), ceil_mode, count_include_pad, divisor_override);

                public static Tensor avg_pool3d(Tensor input, long[] kernel_size, long[]? stride = null, long[]? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                    PoolOps.AvgPool(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override);
                public static Tensor avg_pool3d(Tensor input, long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                    PoolOps.AvgPool(input, 3, [kernel_size], L(stride), [padding], ceil_mode, count_include_pad, divisor_override);
                public static Tensor avg_pool3d(Tensor input, (long, long, long) kernel_size, (long, long, long)? stride = null, (long, long, long)? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                    PoolOps.AvgPool(input, 3, L3(kernel_size), L3(stride), L3(padding), ceil_mode, count_include_pad, divisor_override);

                // ---------------------------------------------------------- power-average pooling

                public static Tensor lp_pool1d(Tensor input, double norm_type, long kernel_size, long? stride = null, bool ceil_mode = false) =>
                    PoolOps.LpPool(input, 1, norm_type, [kernel_size], L(stride), ceil_mode);
                public static Tensor lp_pool2d(Tensor input, double norm_type, long[] kernel_size, long[]? stride = null, bool ceil_mode = false) =>
                    PoolOps.LpPool(input, 2, norm_type, kernel_size, stride, ceil_mode);
                public static Tensor lp_pool2d(Tensor input, double norm_type, long kernel_size, long? stride = null, bool ceil_mode = false) =>
                    PoolOps.LpPool(input, 2, norm_type, [kernel_size], L(stride), ceil_mode);
                public static Tensor lp_pool2d(Tensor input, double norm_type, (long, long) kernel_size, (long, long)? stride = null, bool ceil_mode = false) =>
                    PoolOps.LpPool(input, 2, norm_type, L2(kernel_size), L2(stride), ceil_mode);

                // ---------------------------------------------------------- adaptive pooling

                public static Tensor adaptive_avg_pool1d(Tensor input, long output_size) => PoolOps.AdaptiveAvg(input, 1, [output_size]);
                public static Tensor adaptive_avg_pool2d(Tensor input, long output_size) => PoolOps.AdaptiveAvg(input, 2, [output_size]);
                public static Tensor adaptive_avg_pool2d(Tensor input, long[] output_size) => PoolOps.AdaptiveAvg(input, 2, output_size.Select(v => (long?)v).ToArray());
                public static Tensor adaptive_avg_pool2d(Tensor input, (long?, long?) output_size) => PoolOps.AdaptiveAvg(input, 2, [output_size.Item1, output_size.Item2]);
                public static Tensor adaptive_avg_pool3d(Tensor input, long output_size) => PoolOps.AdaptiveAvg(input, 3, [output_size]);
                public static Tensor adaptive_avg_pool3d(Tensor input, long[] output_size) => PoolOps.AdaptiveAvg(input, 3, output_size.Select(v => (long?)v).ToArray());
                public static Tensor adaptive_avg_pool3d(Tensor input, (long?, long?, long?) output_size) => PoolOps.AdaptiveAvg(input, 3, [output_size.Item1, output_size.Item2, output_size.Item3]);

                public static Tensor adaptive_max_pool1d(Tensor input, long output_size) => PoolOps.AdaptiveMax(input, 1, [output_size], indices: false).output;
                public static (Tensor output, Tensor indices) adaptive_max_pool1d_with_indices(Tensor input, long output_size) => PoolOps.AdaptiveMax(input, 1, [output_size]);
                public static Tensor adaptive_max_pool2d(Tensor input, long output_size) => PoolOps.AdaptiveMax(input, 2, [output_size], indices: false).output;
                public static Tensor adaptive_max_pool2d(Tensor input, long[] output_size) => PoolOps.AdaptiveMax(input, 2, output_size.Select(v => (long?)v).ToArray(), indices: false).output;
                public static Tensor adaptive_max_pool2d(Tensor input, (long?, long?) output_size) => PoolOps.AdaptiveMax(input, 2, [output_size.Item1, output_size.Item2], indices: false).output;
                public static (Tensor output, Tensor indices) adaptive_max_pool2d_with_indices(Tensor input, long[] output_size) => PoolOps.AdaptiveMax(input, 2, output_size.Select(v => (long?)v).ToArray());
                public static (Tensor output, Tensor indices) adaptive_max_pool2d_with_indices(Tensor input, long output_size) => PoolOps.AdaptiveMax(input, 2, [output_size]);
                public static (Tensor output, Tensor indices) adaptive_max_pool2d_with_indices(Tensor input, (long?, long?) output_size) => PoolOps.AdaptiveMax(input, 2, [output_size.Item1, output_size.Item2]);
                public static Tensor adaptive_max_pool3d(Tensor input, long output_size) => PoolOps.AdaptiveMax(input, 3, [output_size], indices: false).output;
                public static Tensor adaptive_max_pool3d(Tensor input, long[] output_size) => PoolOps.AdaptiveMax(input, 3, output_size.Select(v => (long?)v).ToArray(), indices: false).output;
                public static Tensor adaptive_max_pool3d(Tensor input, (long?, long?, long?) output_size) => PoolOps.AdaptiveMax(input, 3, [output_size.Item1, output_size.Item2, output_size.Item3], indices: false).output;
                public static (Tensor output, Tensor indices) adaptive_max_pool3d_with_indices(Tensor input, long[] output_size) => PoolOps.AdaptiveMax(input, 3, output_size.Select(v => (long?)v).ToArray());
                public static (Tensor output, Tensor indices) adaptive_max_pool3d_with_indices(Tensor input, long output_size) => PoolOps.AdaptiveMax(input, 3, [output_size]);
                public static (Tensor output, Tensor indices) adaptive_max_pool3d_with_indices(Tensor input, (long?, long?, long?) output_size) => PoolOps.AdaptiveMax(input, 3, [output_size.Item1, output_size.Item2, output_size.Item3]);

                // ---------------------------------------------------------- max unpooling

                public static Tensor max_unpool1d(Tensor input, Tensor indices, long kernel_size, long? stride = null, long padding = 0, long[]? output_size = null) =>
                    PoolOps.MaxUnpool(input, indices, 1, [kernel_size], L(stride), [padding], output_size);
                public static Tensor max_unpool2d(Tensor input, Tensor indices, long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? output_size = null) =>
                    PoolOps.MaxUnpool(input, indices, 2, kernel_size, stride, padding, output_size);
                public static Tensor max_unpool2d(Tensor input, Tensor indices, long kernel_size, long? stride = null, long padding = 0, long[]? output_size = null) =>
                    PoolOps.MaxUnpool(input, indices, 2, [kernel_size], L(stride), [padding], output_size);
                public static Tensor max_unpool3d(Tensor input, Tensor indices, long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? output_size = null) =>
                    PoolOps.MaxUnpool(input, indices, 3, kernel_size, stride, padding, output_size);
                public static Tensor max_unpool3d(Tensor input, Tensor indices, long kernel_size, long? stride = null, long padding = 0, long[]? output_size = null) =>
                    PoolOps.MaxUnpool(input, indices, 3, [kernel_size], L(stride), [padding], output_size);
            }
        }
    }
}

namespace Torchlet
{
    using Torchlet.Modules;

    public static partial class torch
    {
        public static partial class nn
        {
            // ---------------------------------------------------------- max pooling

            public static MaxPool1d MaxPool1d(long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool return_indices = false, bool ceil_mode = false) =>
                new(I(kernel_size), I(stride), I(padding), I(dilation), return_indices, ceil_mode);

            public static MaxPool2d MaxPool2d(long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool return_indices = false, bool ceil_mode = false) =>
                new(I(kernel_size), I(stride), I(padding), I(dilation), return_indices, ceil_mode);
            public static MaxPool2d MaxPool2d((long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, (long, long)? dilation = null, bool return_indices = false, bool ceil_mode = false) =>
                new(T2(kernel_size), T2(stride), T2(padding) ?? I(0), T2(dilation) ?? I(1), return_indices, ceil_mode);
            public static MaxPool2d MaxPool2d(long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool return_indices = false, bool ceil_mode = false) =>
                new(At(kernel_size), A(stride), A(padding) ?? I(0), A(dilation) ?? I(1), return_indices, ceil_mode);

            public static MaxPool3d MaxPool3d(long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool return_indices = false, bool ceil_mode = false) =>
                new(I(kernel_size), I(stride), I(padding), I(dilation), return_indices, ceil_mode);
            public static MaxPool3d MaxPool3d((long, long, long) kernel_size, (long, long, long)? stride = null, (long, long, long)? padding = null, (long, long, long)? dilation = null, bool return_indices = false, bool ceil_mode = false) =>
                new(T3(kernel_size), T3(stride), T3(padding) ?? I(0), T3(dilation) ?? I(1), return_indices, ceil_mode);
            public static MaxPool3d MaxPool3d(long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool return_indices = false, bool ceil_mode = false) =>
                new(At(kernel_size), A(stride), A(padding) ?? I(0), A(dilation) ?? I(1), return_indices, ceil_mode);

            // ---------------------------------------------------------- average pooling

            public static AvgPool1d AvgPool1d(long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true) =>
                new(I(kernel_size), I(stride), I(padding), ceil_mode, count_include_pad);

            public static AvgPool2d AvgPool2d(long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                new(I(kernel_size), I(stride), I(padding), ceil_mode, count_include_pad, divisor_override);
            public static AvgPool2d AvgPool2d((long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                new(T2(kernel_size), T2(stride), T2(padding) ?? I(0), ceil_mode, count_include_pad, divisor_override);
            public static AvgPool2d AvgPool2d(long[] kernel_size, long[]? stride = null, long[]? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                new(At(kernel_size), A(stride), A(padding) ?? I(0), ceil_mode, count_include_pad, divisor_override);

            public static AvgPool3d AvgPool3d(long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                new(I(kernel_size), I(stride), I(padding), ceil_mode, count_include_pad, divisor_override);
            public static AvgPool3d AvgPool3d((long, long, long) kernel_size, (long, long, long)? stride = null, (long, long, long)? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                new(T3(kernel_size), T3(stride), T3(padding) ?? I(0), ceil_mode, count_include_pad, divisor_override);
            public static AvgPool3d AvgPool3d(long[] kernel_size, long[]? stride = null, long[]? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                new(At(kernel_size), A(stride), A(padding) ?? I(0), ceil_mode, count_include_pad, divisor_override);

            // ---------------------------------------------------------- power-average pooling

            public static LPPool1d LPPool1d(double norm_type, long kernel_size, long? stride = null, bool ceil_mode = false) =>
                new(norm_type, false, I(kernel_size), I(stride), ceil_mode);
            public static LPPool2d LPPool2d(double norm_type, long kernel_size, long? stride = null, bool ceil_mode = false) =>
                new(norm_type, false, I(kernel_size), I(stride), ceil_mode);
            public static LPPool2d LPPool2d(double norm_type, (long, long) kernel_size, (long, long)? stride = null, bool ceil_mode = false) =>
                new(norm_type, false, T2(kernel_size), T2(stride), ceil_mode);
            public static LPPool2d LPPool2d(double norm_type, long[] kernel_size, long[]? stride = null, bool ceil_mode = false) =>
                new(norm_type, false, At(kernel_size), A(stride), ceil_mode);

            // An integer norm_type prints as one (norm_type=2), as in PyTorch.
            public static LPPool1d LPPool1d(long norm_type, long kernel_size, long? stride = null, bool ceil_mode = false) =>
                new(norm_type, true, I(kernel_size), I(stride), ceil_mode);
            public static LPPool2d LPPool2d(long norm_type, long kernel_size, long? stride = null, bool ceil_mode = false) =>
                new(norm_type, true, I(kernel_size), I(stride), ceil_mode);
            public static LPPool2d LPPool2d(long norm_type, (long, long) kernel_size, (long, long)? stride = null, bool ceil_mode = false) =>
                new(norm_type, true, T2(kernel_size), T2(stride), ceil_mode);
            public static LPPool2d LPPool2d(long norm_type, long[] kernel_size, long[]? stride = null, bool ceil_mode = false) =>
                new(norm_type, true, At(kernel_size), A(stride), ceil_mode);

            // ---------------------------------------------------------- max unpooling

            public static MaxUnpool1d MaxUnpool1d(long kernel_size, long? stride = null, long padding = 0) => new([kernel_size], L(stride), [padding]);
            public static MaxUnpool2d MaxUnpool2d(long kernel_size, long? stride = null, long padding = 0) => new([kernel_size], L(stride), [padding]);
            public static MaxUnpool2d MaxUnpool2d((long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null) =>
                new(T2(kernel_size).Values, T2(stride)?.Values, T2(padding)?.Values ?? [0]);
            public static MaxUnpool2d MaxUnpool2d(long[] kernel_size, long[]? stride = null, long[]? padding = null) => new(kernel_size, stride, padding ?? [0]);
            public static MaxUnpool3d MaxUnpool3d(long kernel_size, long? stride = null, long padding = 0) => new([kernel_size], L(stride), [padding]);
            public static MaxUnpool3d MaxUnpool3d((long, long, long) kernel_size, (long, long, long)? stride = null, (long, long, long)? padding = null) =>
                new(T3(kernel_size).Values, T3(stride)?.Values, T3(padding)?.Values ?? [0]);
            public static MaxUnpool3d MaxUnpool3d(long[] kernel_size, long[]? stride = null, long[]? padding = null) => new(kernel_size, stride, padding ?? [0]);

            // ---------------------------------------------------------- adaptive pooling (null entries keep the input's size)

            public static AdaptiveAvgPool1d AdaptiveAvgPool1d(long output_size) => new([output_size], false);
            public static AdaptiveAvgPool2d AdaptiveAvgPool2d(long output_size) => new([output_size], false);
            public static AdaptiveAvgPool2d AdaptiveAvgPool2d((long?, long?) output_size) => new([output_size.Item1, output_size.Item2], true);
            public static AdaptiveAvgPool2d AdaptiveAvgPool2d(long[] output_size) => new(output_size.Select(v => (long?)v).ToArray(), true);
            public static AdaptiveAvgPool3d AdaptiveAvgPool3d(long output_size) => new([output_size], false);
            public static AdaptiveAvgPool3d AdaptiveAvgPool3d((long?, long?, long?) output_size) => new([output_size.Item1, output_size.Item2, output_size.Item3], true);
            public static AdaptiveAvgPool3d AdaptiveAvgPool3d(long[] output_size) => new(output_size.Select(v => (long?)v).ToArray(), true);

            public static AdaptiveMaxPool1d AdaptiveMaxPool1d(long output_size, bool return_indices = false) => new([output_size], false, return_indices);
            public static AdaptiveMaxPool2d AdaptiveMaxPool2d(long output_size, bool return_indices = false) => new([output_size], false, return_indices);
            public static AdaptiveMaxPool2d AdaptiveMaxPool2d((long?, long?) output_size, bool return_indices = false) => new([output_size.Item1, output_size.Item2], true, return_indices);
            public static AdaptiveMaxPool2d AdaptiveMaxPool2d(long[] output_size, bool return_indices = false) => new(output_size.Select(v => (long?)v).ToArray(), true, return_indices);
            public static AdaptiveMaxPool3d AdaptiveMaxPool3d(long output_size, bool return_indices = false) => new([output_size], false, return_indices);
            public static AdaptiveMaxPool3d AdaptiveMaxPool3d((long?, long?, long?) output_size, bool return_indices = false) => new([output_size.Item1, output_size.Item2, output_size.Item3], true, return_indices);
            public static AdaptiveMaxPool3d AdaptiveMaxPool3d(long[] output_size, bool return_indices = false) => new(output_size.Select(v => (long?)v).ToArray(), true, return_indices);
        }
    }
}

namespace Torchlet.Modules
{
    /// <summary>An int-or-tuple constructor argument, kept as given so that extra_repr prints it as PyTorch does.</summary>
    public sealed record PoolArg(long[] Values, bool IsTuple)
    {
        public override string ToString() => IsTuple ? Args.Py(Values) : Args.Py(Values[0]);

        internal static PoolArg I(long v) => new([v], false);
        internal static PoolArg? I(long? v) => v is { } x ? new([x], false) : null;
        internal static PoolArg T2((long, long) v) => new([v.Item1, v.Item2], true);
        internal static PoolArg? T2((long, long)? v) => v is { } x ? T2(x) : null;
        internal static PoolArg T3((long, long, long) v) => new([v.Item1, v.Item2, v.Item3], true);
        internal static PoolArg? T3((long, long, long)? v) => v is { } x ? T3(x) : null;
        internal static PoolArg At(long[] v) => new((long[])v.Clone(), true);
        internal static PoolArg? A(long[]? v) => v is null ? null : At(v);
    }

    /// <summary>Shared by MaxPool1d/2d/3d: kernel_size, stride (default kernel_size), padding, dilation, return_indices, ceil_mode.</summary>
    public abstract class MaxPoolNd : torch.nn.Layer<Tensor, Tensor>
    {
        readonly int _nd;
        readonly PoolArg _k, _s, _p, _d;

        private protected MaxPoolNd(string name, int nd, PoolArg kernel_size, PoolArg? stride, PoolArg padding, PoolArg dilation, bool return_indices, bool ceil_mode) : base(name)
        {
            _nd = nd; _k = kernel_size; _s = stride ?? kernel_size; _p = padding; _d = dilation;
            this.return_indices = return_indices; this.ceil_mode = ceil_mode;
        }

        public long[] kernel_size => (long[])_k.Values.Clone();
        public long[] stride => (long[])_s.Values.Clone();
        public long[] padding => (long[])_p.Values.Clone();
        public long[] dilation => (long[])_d.Values.Clone();
        public bool return_indices { get; }
        public bool ceil_mode { get; }

        public override string extra_repr() => $"kernel_size={_k}, stride={_s}, padding={_p}, dilation={_d}, ceil_mode={Args.Py(ceil_mode)}";

        /// <summary>The pooled output (use <see cref="forward_with_indices"/> for the argmax indices too).</summary>
        protected override Tensor Forward(Tensor input) =>
            PoolOps.MaxPool(input, _nd, _k.Values, _s.Values, _p.Values, _d.Values, ceil_mode, this, indices: false).output;

        public (Tensor output, Tensor indices) forward_with_indices(Tensor input) =>
            PoolOps.MaxPool(input, _nd, _k.Values, _s.Values, _p.Values, _d.Values, ceil_mode, this);
    }

    public sealed class MaxPool1d : MaxPoolNd
    {
        internal MaxPool1d(PoolArg k, PoolArg? s, PoolArg p, PoolArg d, bool ri, bool ceil) : base(nameof(MaxPool1d), 1, k, s, p, d, ri, ceil) { }
    }

    public sealed class MaxPool2d : MaxPoolNd
    {
        internal MaxPool2d(PoolArg k, PoolArg? s, PoolArg p, PoolArg d, bool ri, bool ceil) : base(nameof(MaxPool2d), 2, k, s, p, d, ri, ceil) { }
    }

    public sealed class MaxPool3d : MaxPoolNd
    {
        internal MaxPool3d(PoolArg k, PoolArg? s, PoolArg p, PoolArg d, bool ri, bool ceil) : base(nameof(MaxPool3d), 3, k, s, p, d, ri, ceil) { }
    }

    /// <summary>Shared by AvgPool1d/2d/3d. AvgPool1d keeps its arguments as 1-tuples, as PyTorch's (_single) does.</summary>
    public abstract class AvgPoolNd : torch.nn.Layer<Tensor, Tensor>
    {
        readonly int _nd;
        readonly PoolArg _k, _s, _p;

        private protected AvgPoolNd(string name, int nd, PoolArg kernel_size, PoolArg? stride, PoolArg padding, bool ceil_mode, bool count_include_pad, long? divisor_override) : base(name)
        {
            _nd = nd;
            if (nd == 1)
            {
                kernel_size = new(kernel_size.Values, true); stride = stride is null ? null : new(stride.Values, true); padding = new(padding.Values, true);
            }
            _k = kernel_size; _s = stride ?? kernel_size; _p = padding;
            this.ceil_mode = ceil_mode; this.count_include_pad = count_include_pad; this.divisor_override = divisor_override;
        }

        public long[] kernel_size => (long[])_k.Values.Clone();
        public long[] stride => (long[])_s.Values.Clone();
        public long[] padding => (long[])_p.Values.Clone();
        public bool ceil_mode { get; }
        public bool count_include_pad { get; }
        public long? divisor_override { get; }

        public override string extra_repr() => $"kernel_size={_k}, stride={_s}, padding={_p}";

        protected override Tensor Forward(Tensor input) =>
            PoolOps.AvgPool(input, _nd, _k.Values, _s.Values, _p.Values, ceil_mode, count_include_pad, divisor_override, this);
    }

    public sealed class AvgPool1d : AvgPoolNd
    {
        internal AvgPool1d(PoolArg k, PoolArg? s, PoolArg p, bool ceil, bool cip) : base(nameof(AvgPool1d), 1, k, s, p, ceil, cip, null) { }
    }

    public sealed class AvgPool2d : AvgPoolNd
    {
        internal AvgPool2d(PoolArg k, PoolArg? s, PoolArg p, bool ceil, bool cip, long? div) : base(nameof(AvgPool2d), 2, k, s, p, ceil, cip, div) { }
    }

    public sealed class AvgPool3d : AvgPoolNd
    {
        internal AvgPool3d(PoolArg k, PoolArg? s, PoolArg p, bool ceil, bool cip, long? div) : base(nameof(AvgPool3d), 3, k, s, p, ceil, cip, div) { }
    }

    /// <summary>Shared by LPPool1d/2d: (Σ x^p over the window)^(1/p). stride prints None when not given, as PyTorch's.</summary>
    public abstract class LPPoolNd : torch.nn.Layer<Tensor, Tensor>
    {
        readonly int _nd;
        readonly PoolArg _k;
        readonly PoolArg? _s;

        readonly bool _intNorm;

        private protected LPPoolNd(string name, int nd, double norm_type, bool intNorm, PoolArg kernel_size, PoolArg? stride, bool ceil_mode) : base(name)
        {
            _nd = nd; _k = kernel_size; _s = stride; this.norm_type = norm_type; _intNorm = intNorm; this.ceil_mode = ceil_mode;
        }

        public double norm_type { get; }
        public long[] kernel_size => (long[])_k.Values.Clone();
        public long[]? stride => (long[]?)_s?.Values.Clone();
        public bool ceil_mode { get; }

        public override string extra_repr() =>
            $"norm_type={(_intNorm ? Args.Py((long)norm_type) : Args.Py(norm_type))}, kernel_size={_k}, stride={_s?.ToString() ?? "None"}, ceil_mode={Args.Py(ceil_mode)}";

        protected override Tensor Forward(Tensor input) => PoolOps.LpPool(input, _nd, norm_type, _k.Values, _s?.Values, ceil_mode, this);
    }

    public sealed class LPPool1d : LPPoolNd
    {
        internal LPPool1d(double p, bool intNorm, PoolArg k, PoolArg? s, bool ceil) : base(nameof(LPPool1d), 1, p, intNorm, k, s, ceil) { }
    }

    public sealed class LPPool2d : LPPoolNd
    {
        internal LPPool2d(double p, bool intNorm, PoolArg k, PoolArg? s, bool ceil) : base(nameof(LPPool2d), 2, p, intNorm, k, s, ceil) { }
    }

    /// <summary>
    /// Shared by MaxUnpool1d/2d/3d: forward(input, indices[, output_size]) places each value at its
    /// index in a zero output. Arguments are kept as nd-tuples (PyTorch's _single/_pair/_triple).
    /// </summary>
    public abstract class MaxUnpoolNd : torch.nn.Layer<Tensor, Tensor, Tensor>
    {
        readonly int _nd;

        private protected MaxUnpoolNd(string name, int nd, long[] kernel_size, long[]? stride, long[] padding) : base(name)
        {
            _nd = nd;
            kernel_size = Args.Expand(kernel_size, nd, "kernel_size", name);
            this.kernel_size = kernel_size;
            this.stride = stride is null ? kernel_size : Args.Expand(stride, nd, "stride", name);
            this.padding = Args.Expand(padding, nd, "padding", name);
        }

        public long[] kernel_size { get; }
        public long[] stride { get; }
        public long[] padding { get; }

        public override string extra_repr() => $"kernel_size={Args.Py(kernel_size)}, stride={Args.Py(stride)}, padding={Args.Py(padding)}";

        protected override Tensor Forward(Tensor input, Tensor indices) => forward(input, indices, null);

        /// <summary>With <paramref name="output_size"/> (spatial sizes, or the full shape) to resolve the ambiguity of a strided unpool.</summary>
        public Tensor forward(Tensor input, Tensor indices, long[]? output_size) =>
            PoolOps.MaxUnpool(input, indices, _nd, kernel_size, stride, padding, output_size, this);
    }

    public sealed class MaxUnpool1d : MaxUnpoolNd
    {
        internal MaxUnpool1d(long[] k, long[]? s, long[] p) : base(nameof(MaxUnpool1d), 1, k, s, p) { }
    }

    public sealed class MaxUnpool2d : MaxUnpoolNd
    {
        internal MaxUnpool2d(long[] k, long[]? s, long[] p) : base(nameof(MaxUnpool2d), 2, k, s, p) { }
    }

    public sealed class MaxUnpool3d : MaxUnpoolNd
    {
        internal MaxUnpool3d(long[] k, long[]? s, long[] p) : base(nameof(MaxUnpool3d), 3, k, s, p) { }
    }

    /// <summary>Prints an adaptive output size as given: <c>3</c> or <c>(None, 7)</c>.</summary>
    public abstract class AdaptivePoolNd : torch.nn.Layer<Tensor, Tensor>
    {
        private protected readonly int _nd;
        private protected readonly long?[] _size;
        readonly bool _tuple;

        private protected AdaptivePoolNd(string name, int nd, long?[] output_size, bool tuple) : base(name)
        {
            if (output_size.Length != 1 && output_size.Length != nd)
                throw new ArgumentException($"{name}: output_size must be an int or a tuple of {nd} ints (None keeps the input size), got {output_size.Length} values");
            _nd = nd; _size = (long?[])output_size.Clone(); _tuple = tuple;
        }

        /// <summary>The output size; a null entry keeps that dim of the input.</summary>
        public long?[] output_size => (long?[])_size.Clone();

        public override string extra_repr() =>
            "output_size=" + (!_tuple ? Args.Py(_size[0]!.Value)
                : "(" + string.Join(", ", _size.Select(v => v is { } x ? Args.Py(x) : "None")) + (_size.Length == 1 ? ",)" : ")"));
    }

    public abstract class AdaptiveAvgPoolNd : AdaptivePoolNd
    {
        private protected AdaptiveAvgPoolNd(string name, int nd, long?[] output_size, bool tuple) : base(name, nd, output_size, tuple) { }
        protected override Tensor Forward(Tensor input) => PoolOps.AdaptiveAvg(input, _nd, _size, this);
    }

    public sealed class AdaptiveAvgPool1d : AdaptiveAvgPoolNd
    {
        internal AdaptiveAvgPool1d(long?[] s, bool tuple) : base(nameof(AdaptiveAvgPool1d), 1, s, tuple) { }
    }

    public sealed class AdaptiveAvgPool2d : AdaptiveAvgPoolNd
    {
        internal AdaptiveAvgPool2d(long?[] s, bool tuple) : base(nameof(AdaptiveAvgPool2d), 2, s, tuple) { }
    }

    public sealed class AdaptiveAvgPool3d : AdaptiveAvgPoolNd
    {
        internal AdaptiveAvgPool3d(long?[] s, bool tuple) : base(nameof(AdaptiveAvgPool3d), 3, s, tuple) { }
    }

    public abstract class AdaptiveMaxPoolNd : AdaptivePoolNd
    {
        private protected AdaptiveMaxPoolNd(string name, int nd, long?[] output_size, bool tuple, bool return_indices) : base(name, nd, output_size, tuple)
        {
            this.return_indices = return_indices;
        }

        public bool return_indices { get; }

        /// <summary>The pooled output (use <see cref="forward_with_indices"/> for the argmax indices too).</summary>
        protected override Tensor Forward(Tensor input) => PoolOps.AdaptiveMax(input, _nd, _size, this, indices: false).output;

        public (Tensor output, Tensor indices) forward_with_indices(Tensor input) => PoolOps.AdaptiveMax(input, _nd, _size, this);
    }

    public sealed class AdaptiveMaxPool1d : AdaptiveMaxPoolNd
    {
        internal AdaptiveMaxPool1d(long?[] s, bool tuple, bool ri) : base(nameof(AdaptiveMaxPool1d), 1, s, tuple, ri) { }
    }

    public sealed class AdaptiveMaxPool2d : AdaptiveMaxPoolNd
    {
        internal AdaptiveMaxPool2d(long?[] s, bool tuple, bool ri) : base(nameof(AdaptiveMaxPool2d), 2, s, tuple, ri) { }
    }

    public sealed class AdaptiveMaxPool3d : AdaptiveMaxPoolNd
    {
        internal AdaptiveMaxPool3d(long?[] s, bool tuple, bool ri) : base(nameof(AdaptiveMaxPool3d), 3, s, tuple, ri) { }
    }
}
