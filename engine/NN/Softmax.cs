using System.Numerics;
using System.Numerics.Tensors;
using Torchlet.Kernels;

namespace Torchlet
{
    /// <summary>
    /// softmax / log_softmax along one dim. The input is seen as [outer, K, inner] (K = the softmax
    /// dim): rows of the last dim are reduced with TensorPrimitives directly; other dims run the same
    /// TensorPrimitives calls over the inner dim, one K-slice at a time, so no transposed copy is made.
    /// Both subtract the max first (PyTorch's numerically stable form).
    /// </summary>
    public partial class Tensor
    {
        /// <summary>exp(x − max) / Σ exp(x − max) along <paramref name="dim"/>; <paramref name="dtype"/> converts the input first.</summary>
        public Tensor softmax(long dim, ScalarType? dtype = null) => SoftmaxOp(dim, dtype, log: false);

        /// <summary>x − max − log Σ exp(x − max) along <paramref name="dim"/>.</summary>
        public Tensor log_softmax(long dim, ScalarType? dtype = null) => SoftmaxOp(dim, dtype, log: true);

        internal Tensor SoftmaxOp(long dim, ScalarType? dtype, bool log)
        {
            var x = dtype is { } dt && dt != this.dtype ? to(dt) : this;
            int d = Shape.NormDim(dim, x._shape.Length, "dim");
            bool last = d >= x._shape.Length - 1;
            if (!x.dtype.IsFloating())
                throw new ArgumentException($"\"{(log ? "log_" : "")}softmax{(last ? "_lastdim" : "")}_kernel_impl\" not implemented for '{x.dtype.CName()}' ({(log ? "log_" : "")}softmax needs a floating point input: convert it, or pass dtype: float32)");
            var y = SoftmaxKernel(x, d, log);
            if (NeedsGrad(x))
            {
                var sy = new SavedTensor(y);
                Record(y, log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", g => [SoftmaxGrad(g, sy.Get(), d, log)], true, x);
            }
            return y;
        }

        static (int outer, int k, int inner) SoftmaxGeometry(int[] shape, int d)
        {
            if (shape.Length == 0) return (1, 1, 1);
            int outer = 1, inner = 1;
            for (int i = 0; i < d; i++) outer *= shape[i];
            for (int i = d + 1; i < shape.Length; i++) inner *= shape[i];
            return (outer, shape[d], inner);
        }

        static Tensor SoftmaxKernel(Tensor x, int d, bool log)
        {
            var xc = x.contiguous_nograd();
            var y = Empty(x._shape, x.dtype);
            if (y.Numel == 0) return y;
            var (outer, k, inner) = SoftmaxGeometry(x._shape, d);
            if (x.dtype == ScalarType.Float32) SoftmaxKernels.Forward(xc.Buffer<float>(), xc._offset, y.Buffer<float>(), outer, k, inner, log);
            else SoftmaxKernels.Forward(xc.Buffer<double>(), xc._offset, y.Buffer<double>(), outer, k, inner, log);
            return y;
        }

        /// <summary>
        /// softmax: y·(g − Σ g·y); log_softmax: g − exp(y)·Σ g. A fused kernel normally; ordinary
        /// tensor ops when the gradient is itself being differentiated (create_graph).
        /// </summary>
        static Tensor SoftmaxGrad(Tensor g, Tensor y, int d, bool log)
        {
            if (GradMode.Enabled && (g._requiresGrad || y._requiresGrad))
            {
                long dd = y._shape.Length == 0 ? 0 : d;
                return log ? g.sub(y.exp().mul(g.sum(dd, keepdim: true))) : y.mul(g.sub(g.mul(y).sum(dd, keepdim: true)));
            }
            if (g.dtype != y.dtype) g = g.to_nograd(y.dtype, false);
            var gc = g.contiguous_nograd();
            var r = Empty(y._shape, y.dtype);
            if (r.Numel == 0) return r;
            var (outer, k, inner) = SoftmaxGeometry(y._shape, d);
            if (y.dtype == ScalarType.Float32) SoftmaxKernels.Backward(gc.Buffer<float>(), gc._offset, y.Buffer<float>(), y._offset, r.Buffer<float>(), outer, k, inner, log);
            else SoftmaxKernels.Backward(gc.Buffer<double>(), gc._offset, y.Buffer<double>(), y._offset, r.Buffer<double>(), outer, k, inner, log);
            return r;
        }
    }

    public static partial class torch
    {
        public static Tensor softmax(Tensor input, long dim, ScalarType? dtype = null) => input.softmax(dim, dtype);
        public static Tensor log_softmax(Tensor input, long dim, ScalarType? dtype = null) => input.log_softmax(dim, dtype);

        public static partial class nn
        {
            public static partial class functional
            {
                /// <summary>softmax along <paramref name="dim"/> (PyTorch's implicit dim when null, with its warning).</summary>
                public static Tensor softmax(Tensor input, long? dim = null, ScalarType? dtype = null) =>
                    input.softmax(dim ?? ImplicitSoftmaxDim("softmax", input.dim()), dtype);

                /// <summary>softmax(−x): small inputs get the large weights.</summary>
                public static Tensor softmin(Tensor input, long? dim = null, ScalarType? dtype = null)
                {
                    long d = dim ?? ImplicitSoftmaxDim("softmin", input.dim());
                    // PyTorch negates after the conversion, so the dtype applies to the softmax input.
                    var x = dtype is { } dt && dt != input.dtype ? input.to(dt) : input;
                    return x.neg().softmax(d);
                }

                public static Tensor log_softmax(Tensor input, long? dim = null, ScalarType? dtype = null) =>
                    input.log_softmax(dim ?? ImplicitSoftmaxDim("log_softmax", input.dim()), dtype);

                /// <summary>PyTorch's legacy rule for <c>dim=None</c>: 0 for 0-, 1- and 3-D inputs, else 1.</summary>
                internal static long ImplicitSoftmaxDim(string name, int ndim)
                {
                    Warnings.Warn($"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as an argument.");
                    return ndim is 0 or 1 or 3 ? 0 : 1;
                }
            }
        }
    }
}

namespace Torchlet.Kernels
{
    /// <summary>Row kernels of softmax / log_softmax and their backward; see <see cref="Tensor.softmax"/>.</summary>
    internal static class SoftmaxKernels
    {
        const int InnerChunk = 2048;   // inner elements per task when the softmax dim is not last
        const int Block = 64;          // k-slices summed into a partial before it joins the total (bounds float error for long dims)

        /// <summary>part += v; every <see cref="Block"/> slices the partial sum is folded into the total.</summary>
        static void Accumulate<T>(Span<T> total, Span<T> part, ReadOnlySpan<T> v, int i, int k) where T : unmanaged, IFloatingPointIeee754<T>
        {
            TensorPrimitives.Add<T>(part, v, part);
            if ((i + 1) % Block == 0 || i == k - 1)
            {
                TensorPrimitives.Add<T>(total, part, total);
                part.Clear();
            }
        }

        public static void Forward<T>(T[] x, int xo, T[] y, int outer, int k, int inner, bool log)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (inner == 1)
            {
                Threading.For(outer, (long)k * 8, (r0, r1) =>
                {
                    for (int r = r0; r < r1; r++) ForwardRow(x.AsSpan(xo + r * k, k), y.AsSpan(r * k, k), log);
                });
                return;
            }
            int chunks = (inner + InnerChunk - 1) / InnerChunk;
            Threading.For(outer * chunks, (long)k * Math.Min(inner, InnerChunk) * 8, (t0, t1) =>
            {
                for (int t = t0; t < t1; t++)
                {
                    int o = t / chunks, j0 = t % chunks * InnerChunk, n = Math.Min(InnerChunk, inner - j0);
                    ForwardStrided(x, xo + o * k * inner + j0, y, o * k * inner + j0, k, inner, n, log);
                }
            });
        }

        // Rows shorter than this run a scalar loop: per-call overhead of the vector routines dominates
        // there (the notes' 10-class classifiers).
        const int ShortRow = 16;

        /// <summary>The max of a row; NaN if any element is NaN (as TensorPrimitives.Max and PyTorch).</summary>
        static T RowMax<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (x.Length >= ShortRow) return TensorPrimitives.Max(x);
            T m = x[0];
            for (int i = 1; i < x.Length && !T.IsNaN(m); i++)
                if (!(x[i] <= m)) m = x[i];
            return m;
        }

        /// <summary>max + log Σ exp(x − max) of one row; <paramref name="tmp"/> (row length) is scratch.</summary>
        internal static T LogSumExp<T>(ReadOnlySpan<T> x, Span<T> tmp) where T : unmanaged, IFloatingPointIeee754<T>
        {
            T max = RowMax(x);
            if (x.Length < ShortRow)
            {
                T s = T.Zero;
                for (int i = 0; i < x.Length; i++) s += T.Exp(x[i] - max);
                return max + T.Log(s);
            }
            TensorPrimitives.Subtract(x, max, tmp);
            TensorPrimitives.Exp<T>(tmp, tmp);
            return max + T.Log(RowMath.Sum<T>(tmp));
        }

        static void ForwardRow<T>(ReadOnlySpan<T> x, Span<T> y, bool log) where T : unmanaged, IFloatingPointIeee754<T>
        {
            T max = RowMax(x);
            if (x.Length < ShortRow)
            {
                T s = T.Zero;
                for (int i = 0; i < x.Length; i++) { T d = x[i] - max; T e = T.Exp(d); s += e; y[i] = log ? d : e; }
                if (log) { T ls = T.Log(s); for (int i = 0; i < y.Length; i++) y[i] -= ls; }
                else for (int i = 0; i < y.Length; i++) y[i] /= s;
                return;
            }
            TensorPrimitives.Subtract(x, max, y);
            if (!log)
            {
                TensorPrimitives.Exp(y, y);
                TensorPrimitives.Divide(y, RowMath.Sum<T>(y), y);
                return;
            }
            var tmp = ReduceScratch<T>.Get(x.Length).AsSpan(0, x.Length);
            TensorPrimitives.Exp<T>(y, tmp);
            TensorPrimitives.Subtract(y, T.Log(RowMath.Sum<T>(tmp)), y);
        }

        /// <summary>n columns of one [k, inner] block: SIMD across the columns, one pass per k-slice.</summary>
        static void ForwardStrided<T>(T[] x, int xb, T[] y, int yb, int k, int inner, int n, bool log) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var scratch = ReduceScratch<T>.Get(3 * n);
            var max = scratch.AsSpan(0, n);
            var sum = scratch.AsSpan(n, n);
            var part = scratch.AsSpan(2 * n, n);
            part.Clear();
            x.AsSpan(xb, n).CopyTo(max);
            for (int i = 1; i < k; i++) TensorPrimitives.Max<T>(max, x.AsSpan(xb + i * inner, n), max);
            sum.Clear();
            for (int i = 0; i < k; i++)
            {
                var yi = y.AsSpan(yb + i * inner, n);
                TensorPrimitives.Subtract<T>(x.AsSpan(xb + i * inner, n), max, yi);
                if (!log)
                {
                    TensorPrimitives.Exp<T>(yi, yi);
                    Accumulate<T>(sum, part, yi, i, k);
                }
            }
            if (!log)
            {
                for (int i = 0; i < k; i++) { var yi = y.AsSpan(yb + i * inner, n); TensorPrimitives.Divide<T>(yi, sum, yi); }
                return;
            }
            // Every slice is shifted now: the max buffer is free to hold exp of one slice at a time.
            for (int i = 0; i < k; i++)
            {
                TensorPrimitives.Exp<T>(y.AsSpan(yb + i * inner, n), max);
                Accumulate<T>(sum, part, max, i, k);
            }
            TensorPrimitives.Log<T>(sum, sum);
            for (int i = 0; i < k; i++) { var yi = y.AsSpan(yb + i * inner, n); TensorPrimitives.Subtract<T>(yi, sum, yi); }
        }

        public static void Backward<T>(T[] g, int go, T[] y, int yo, T[] r, int outer, int k, int inner, bool log)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (inner == 1)
            {
                Threading.For(outer, (long)k * 6, (r0, r1) =>
                {
                    for (int i = r0; i < r1; i++)
                    {
                        ReadOnlySpan<T> gi = g.AsSpan(go + i * k, k), yi = y.AsSpan(yo + i * k, k);
                        var ri = r.AsSpan(i * k, k);
                        if (log)
                        {
                            T s = RowMath.Sum(gi);
                            TensorPrimitives.Exp(yi, ri);
                            TensorPrimitives.MultiplyAdd(ri, -s, gi, ri);
                        }
                        else
                        {
                            T dot = TensorPrimitives.Dot(gi, yi);
                            TensorPrimitives.Subtract(gi, dot, ri);
                            TensorPrimitives.Multiply(ri, yi, ri);
                        }
                    }
                });
                return;
            }
            int chunks = (inner + InnerChunk - 1) / InnerChunk;
            Threading.For(outer * chunks, (long)k * Math.Min(inner, InnerChunk) * 6, (t0, t1) =>
            {
                for (int t = t0; t < t1; t++)
                {
                    int o = t / chunks, j0 = t % chunks * InnerChunk, n = Math.Min(InnerChunk, inner - j0);
                    int b = o * k * inner + j0;
                    var scratch = ReduceScratch<T>.Get(3 * n);
                    Span<T> acc = scratch.AsSpan(0, n), part = scratch.AsSpan(n, n), prod = scratch.AsSpan(2 * n, n);
                    acc.Clear(); part.Clear();
                    for (int i = 0; i < k; i++)
                    {
                        var gi = g.AsSpan(go + b + i * inner, n);
                        if (log) Accumulate<T>(acc, part, gi, i, k);
                        else
                        {
                            TensorPrimitives.Multiply<T>(gi, y.AsSpan(yo + b + i * inner, n), prod);
                            Accumulate<T>(acc, part, prod, i, k);
                        }
                    }
                    for (int i = 0; i < k; i++)
                    {
                        ReadOnlySpan<T> gi = g.AsSpan(go + b + i * inner, n), yi = y.AsSpan(yo + b + i * inner, n);
                        var ri = r.AsSpan(b + i * inner, n);
                        if (log)
                        {
                            TensorPrimitives.Exp(yi, ri);
                            TensorPrimitives.Multiply<T>(ri, acc, ri);
                            TensorPrimitives.Subtract(gi, ri, ri);
                        }
                        else
                        {
                            TensorPrimitives.Subtract<T>(gi, acc, ri);
                            TensorPrimitives.Multiply(ri, yi, ri);
                        }
                    }
                }
            });
        }
    }
}

namespace Torchlet
{
    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>softmax along <paramref name="dim"/> (PyTorch's implicit choice, with its warning, when null).</summary>
            public static Modules.Softmax Softmax(long? dim = null) => new(dim);
            /// <summary>softmax(−x) along <paramref name="dim"/>.</summary>
            public static Modules.Softmin Softmin(long? dim = null) => new(dim);
            /// <summary>log(softmax(x)) along <paramref name="dim"/>, computed stably.</summary>
            public static Modules.LogSoftmax LogSoftmax(long? dim = null) => new(dim);
            /// <summary>softmax over the channels of a [C, H, W] or [N, C, H, W] input.</summary>
            public static Modules.Softmax2d Softmax2d() => new();
        }
    }
}

namespace Torchlet.Modules
{
    /// <summary>torch.nn.Softmax: <c>Softmax(dim=1)</c>.</summary>
    public class Softmax : torch.nn.Layer<Tensor, Tensor>
    {
        public long? dim { get; set; }
        public Softmax(long? dim = null) : base(nameof(Softmax)) { this.dim = dim; }
        protected override Tensor Forward(Tensor input) => torch.nn.functional.softmax(input, dim);
        public override string extra_repr() => $"dim={(dim is { } d ? Args.Py(d) : "None")}";
    }

    /// <summary>torch.nn.Softmin: softmax(−x).</summary>
    public class Softmin : torch.nn.Layer<Tensor, Tensor>
    {
        public long? dim { get; set; }
        public Softmin(long? dim = null) : base(nameof(Softmin)) { this.dim = dim; }
        protected override Tensor Forward(Tensor input) => torch.nn.functional.softmin(input, dim);
        public override string extra_repr() => $"dim={(dim is { } d ? Args.Py(d) : "None")}";
    }

    /// <summary>torch.nn.LogSoftmax: <c>LogSoftmax(dim=1)</c>.</summary>
    public class LogSoftmax : torch.nn.Layer<Tensor, Tensor>
    {
        public long? dim { get; set; }
        public LogSoftmax(long? dim = null) : base(nameof(LogSoftmax)) { this.dim = dim; }
        protected override Tensor Forward(Tensor input) => torch.nn.functional.log_softmax(input, dim);
        public override string extra_repr() => $"dim={(dim is { } d ? Args.Py(d) : "None")}";
    }

    /// <summary>torch.nn.Softmax2d: softmax over dim −3 (the channels) of a 3-D or 4-D input.</summary>
    public class Softmax2d : torch.nn.Layer<Tensor, Tensor>
    {
        public Softmax2d() : base(nameof(Softmax2d)) { }

        protected override Tensor Forward(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            if (input.dim() is not (3 or 4))
                throw new ArgumentException($"{this}: Softmax2d requires a 3D or 4D tensor as input (expected [C, H, W] or [N, C, H, W], got a {input.dim()}-D tensor of shape {Shape.Str(input._shape)})");
            return input.softmax(-3);
        }
    }
}
