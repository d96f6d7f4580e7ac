using Torchlet.Kernels;

namespace Torchlet
{
    /// <summary>
    /// The normalization ops (batch, instance, layer, group norm): validation, the forward pass
    /// over the kernels in Kernels/Normalization.cs and, beside it, the closed-form backward
    /// (PyTorch's native_batch_norm / native_layer_norm / native_group_norm gradients).
    /// </summary>
    internal static class NormOps
    {
        // ---------------------------------------------------------------- dtype dispatch to the kernels

        // Inputs are checked to be float32 or float64 (KernelError) before any kernel runs.
        const string Op = "normalization";

        static void Moments(Tensor x, int N, int C, int S, double[] mean, double[] m2) =>
            NormDispatch.Moments(x.dtype, x._storage.RawArray, x._offset, N, C, S, mean, m2, Op);

        static void GradSums(Tensor g, Tensor x, int N, int C, int S, double[] mean, double[] sumG, double[] sumGX) =>
            NormDispatch.GradSums(x.dtype, g._storage.RawArray, g._offset, x._storage.RawArray, x._offset, N, C, S, mean, sumG, sumGX, Op);

        static void Affine(Tensor x, Tensor y, int N, int C, int S, double[] a, double[] b) =>
            NormDispatch.Affine(x.dtype, null, 0, x._storage.RawArray, x._offset, y._storage.RawArray, y._offset, N, C, S, a, b, null, Op);

        static void Affine2(Tensor g, Tensor x, Tensor y, int N, int C, int S, double[] a, double[] b, double[] c) =>
            NormDispatch.Affine(x.dtype, g._storage.RawArray, g._offset, x._storage.RawArray, x._offset, y._storage.RawArray, y._offset, N, C, S, a, b, c, Op);

        static Tensor FromDoubles(double[] v, Tensor like)
        {
            var t = Tensor.Empty(like._shape, like.dtype);
            NormDispatch.FromDoubles(like.dtype, v, t._storage.RawArray, Op);
            return t;
        }

        static double[]? Values(Tensor? t) => t?.ToArray<double>();

        /// <summary>Writes new running statistics in place (no graph), bumping the version as PyTorch's in-place update does.</summary>
        static void Store(Tensor t, double[] v)
        {
            t.CopyFrom(new Tensor(new Storage<double>(v), [v.Length]).reshape_nograd(t._shape));
            t.BumpVersion();
        }

        /// <summary>Which of input, weight and bias want a gradient.</summary>
        readonly record struct Needs(bool X, bool W, bool B);

        /// <summary>The gradients a norm's backward must produce, or null when nothing is recorded (grad mode off, or none requires grad).</summary>
        static Needs? GradNeeds(Tensor input, Tensor? weight, Tensor? bias)
        {
            var need = new Needs(input._requiresGrad, weight is { _requiresGrad: true }, bias is { _requiresGrad: true });
            return GradMode.Enabled && (need.X || need.W || need.B) ? need : null;
        }

        /// <summary>
        /// Records a norm's backward on <paramref name="y"/>, saving input and weight: when it runs, both are
        /// version-checked and <paramref name="backward"/> gets g and the saved weight.
        /// </summary>
        static void RecordNorm(Tensor y, string name, Tensor input, Tensor? weight, Tensor? bias, Func<Tensor, Tensor?, (Tensor?, Tensor?, Tensor?)> backward)
        {
            var sIn = new SavedTensor(input);
            SavedTensor? sW = weight is null ? null : new SavedTensor(weight);
            Tensor.RecordOptional(y, name, g => { sIn.Get(); return backward(g, sW?.Get()); }, true, input, weight, bias);
        }

        // ---------------------------------------------------------------- validation (messages shared by functional forms and modules)

        static string? ParamError(Tensor input, Tensor? t, string name, int count)
        {
            if (t is null) return null;
            if (t.Numel != count) return $"{name} should contain {count} elements not {t.Numel}";
            if (t.dtype != input.dtype)
                return $"mixed dtype: expected {name} to have the input's dtype {input.dtype.TorchName()}, got {t.dtype.TorchName()} (convert the module or tensor with .to(...))";
            return null;
        }

        static string? FloatError(Tensor input, string kernel) =>
            input.dtype.IsFloating() ? null : $"\"{kernel}\" not implemented for '{input.dtype.CName()}' (normalization needs a float32 or float64 input)";

        /// <summary>
        /// The checks batch_norm and instance_norm share: an [N, C, *] input of a float dtype (both run PyTorch's
        /// batch_norm kernel, hence its name in the dtype error) and per-channel parameters and running stats of C elements.
        /// </summary>
        static string? PerChannelError(Tensor input, string op, Tensor? running_mean, Tensor? running_var, Tensor? weight, Tensor? bias)
        {
            if (input.dim() < 2)
                return $"{op}: expected an input of shape [N, C, *] (at least 2 dimensions), got input of shape {Shape.Str(input._shape)}";
            if (FloatError(input, "batch_norm") is { } fe) return fe;
            int C = input._shape[1];
            return ParamError(input, weight, "weight", C) ?? ParamError(input, bias, "bias", C)
                ?? ParamError(input, running_mean, "running_mean", C) ?? ParamError(input, running_var, "running_var", C);
        }

        /// <summary>Why batch_norm would reject these arguments (PyTorch's checks and messages), or null.</summary>
        internal static string? BatchNormError(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight, Tensor? bias, bool training)
        {
            if (PerChannelError(input, "batch_norm", running_mean, running_var, weight, bias) is { } e) return e;
            if (!training && (running_mean is null || running_var is null))
                return "running_mean and running_var must be defined in evaluation mode (training=false)";
            if (training && (long)input._shape[0] * Shape.Numel(input._shape.AsSpan(2)) == 1)
                return $"Expected more than 1 value per channel when training, got input size {Shape.Str(input._shape)}";
            return null;
        }

        internal static string? InstanceNormError(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight, Tensor? bias, bool use_input_stats)
        {
            if (PerChannelError(input, "instance_norm", running_mean, running_var, weight, bias) is { } e) return e;
            if (!use_input_stats && (running_mean is null || running_var is null))
                return "Expected running_mean and running_var to be defined when use_input_stats is false";
            if (use_input_stats && Shape.Numel(input._shape.AsSpan(2)) == 1)
                return $"Expected more than 1 spatial element when training, got input size {Shape.Str(input._shape)}";
            return null;
        }

        internal static string? LayerNormError(Tensor input, long[] normalized_shape, Tensor? weight, Tensor? bias)
        {
            string ns = "[" + string.Join(", ", normalized_shape) + "]";
            if (normalized_shape.Length == 0)
                return "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = []";
            if (weight is not null && !weight.shape.SequenceEqual(normalized_shape))
                return $"Expected weight to be of same shape as normalized_shape, but got weight of shape {Shape.Str(weight._shape)} and normalized_shape = {ns}";
            if (bias is not null && !bias.shape.SequenceEqual(normalized_shape))
                return $"Expected bias to be of same shape as normalized_shape, but got bias of shape {Shape.Str(bias._shape)} and normalized_shape = {ns}";
            int k = normalized_shape.Length, d = input.dim();
            bool ok = d >= k;
            for (int i = 0; ok && i < k; i++) ok = input._shape[d - k + i] == normalized_shape[i];
            if (!ok)
                return $"Given normalized_shape={ns}, expected input with shape [*, {string.Join(", ", normalized_shape)}], but got input of size{Shape.Str(input._shape)}";
            if (FloatError(input, "LayerNormKernelImpl") is { } fe) return fe;
            if ((ParamError(input, weight, "weight", weight?.Numel ?? 0) ?? ParamError(input, bias, "bias", bias?.Numel ?? 0)) is { } pe) return pe;
            return null;
        }

        internal static string? GroupNormError(Tensor input, long num_groups, Tensor? weight, Tensor? bias)
        {
            if (input.dim() < 2)
                return $"group_norm: expected an input of shape [N, C, *] (at least 2 dimensions), got input of shape {Shape.Str(input._shape)}";
            int N = input._shape[0], C = input._shape[1];
            if (num_groups <= 0 || C % num_groups != 0)
                return $"Expected number of channels in input to be divisible by num_groups, but got input of shape {Shape.Str(input._shape)} and num_groups={num_groups}";
            foreach (var (t, name) in new[] { (weight, "weight"), (bias, "bias") })
                if (t is not null && (t.dim() != 1 || t.Numel != C))
                    return $"Expected {name} to be a vector of size equal to the number of channels in input, but got {name} of shape {Shape.Str(t._shape)} and input of shape {Shape.Str(input._shape)}";
            // F.group_norm's _verify_batch_size over [N·C/G, G, *spatial].
            if ((long)N * C / num_groups * Shape.Numel(input._shape.AsSpan(2)) == 1)
            {
                var sz = new List<long> { (long)N * C / num_groups, num_groups };
                for (int i = 2; i < input.dim(); i++) sz.Add(input._shape[i]);
                return $"Expected more than 1 value per channel when training, got input size [{string.Join(", ", sz)}]";
            }
            if (FloatError(input, "GroupNormKernelImpl") is { } fe) return fe;
            if ((ParamError(input, weight, "weight", C) ?? ParamError(input, bias, "bias", C)) is { } pe) return pe;
            return null;
        }

        // ---------------------------------------------------------------- batch / instance norm

        /// <summary>
        /// Batch norm (statistics per channel over N and the spatial dims) or, with
        /// <paramref name="instance"/>, instance norm (per sample and channel; running statistics
        /// then get the batch average of the per-instance ones, as PyTorch's repeat-and-mean does).
        /// Arguments are already validated.
        /// </summary>
        internal static Tensor ChannelNorm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, Tensor? running_var,
            bool useInputStats, double momentum, double eps, bool instance)
        {
            var x = input.contiguous_nograd();
            var shp = x._shape;
            int N = shp[0], C = shp[1], S = Shape.Numel(shp.AsSpan(2));
            int Nk = instance ? 1 : N, Ck = instance ? N * C : C;
            double count = (double)Nk * S;
            var mean = new double[Ck];
            var invstd = new double[Ck];
            if (useInputStats)
            {
                var m2 = new double[Ck];
                if (x.Numel > 0) Moments(x, Nk, Ck, S, mean, m2);
                for (int i = 0; i < Ck; i++) invstd[i] = 1 / Math.Sqrt(m2[i] / count + eps);
                if (running_mean is not null && running_var is not null && x.Numel > 0)
                {
                    var rm = Values(running_mean)!;
                    var rv = Values(running_var)!;
                    var bm = new double[C];
                    var bv = new double[C];
                    for (int i = 0; i < Ck; i++) { bm[i % C] += mean[i]; bv[i % C] += m2[i] / (count - 1); }
                    int per = instance ? N : 1;
                    for (int c = 0; c < C; c++)
                    {
                        rm[c] = momentum * (bm[c] / per) + (1 - momentum) * rm[c];
                        rv[c] = momentum * (bv[c] / per) + (1 - momentum) * rv[c];
                    }
                    Store(running_mean, rm);
                    Store(running_var, rv);
                }
            }
            else
            {
                var rm = Values(running_mean)!;
                var rv = Values(running_var)!;
                for (int i = 0; i < Ck; i++) { mean[i] = rm[i % C]; invstd[i] = 1 / Math.Sqrt(rv[i % C] + eps); }
            }

            double[]? wv = Values(weight), bv2 = Values(bias);
            var a = new double[Ck];
            var sh = new double[Ck];
            for (int i = 0; i < Ck; i++)
            {
                int c = i % C;
                a[i] = (wv is null ? 1 : wv[c]) * invstd[i];
                sh[i] = (bv2 is null ? 0 : bv2[c]) - mean[i] * a[i];
            }
            int[] yShape = instance ? [1, N * C, .. shp.AsSpan(2)] : shp;
            var y = Tensor.Empty(yShape, x.dtype);
            if (x.Numel > 0) Affine(x, y, Nk, Ck, S, a, sh);

            if (GradNeeds(input, weight, bias) is { } need)
            {
                RecordNorm(y, "NativeBatchNormBackward0", input, weight, bias, (g, wg) =>
                {
                    if (GradMode.Enabled)   // create_graph: the same gradient from ordinary ops, so it can be differentiated again
                        return ChannelNormGradGraph(g, input, wg, bias, need, useInputStats, mean, invstd, C, eps, instance);
                    var gc = g.contiguous_nograd();
                    var sumG = new double[Ck];
                    var sumGX = new double[Ck];
                    if (x.Numel > 0) GradSums(gc, x, Nk, Ck, S, mean, sumG, sumGX);
                    Tensor? dx = null, dw = null, db = null;
                    if (need.X)
                    {
                        var wgv = Values(wg);
                        double[] k1 = new double[Ck], k2 = new double[Ck], k3 = new double[Ck];
                        for (int i = 0; i < Ck; i++)
                        {
                            double wc = wgv is null ? 1 : wgv[i % C], r = invstd[i];
                            k1[i] = wc * r;
                            if (!useInputStats) continue;   // running statistics are constants
                            k2[i] = -wc * r * r * r * sumGX[i] / count;
                            k3[i] = -k1[i] * sumG[i] / count - k2[i] * mean[i];
                        }
                        var gx = Tensor.Empty(input._shape, x.dtype);
                        if (x.Numel > 0) Affine2(gc, x, gx, Nk, Ck, S, k1, k2, k3);
                        dx = gx;
                    }
                    // One invstd per row: G = C, D = 1.
                    if (need.W) dw = FromDoubles(NormKernels.ChannelFold(sumGX, Ck, C, invstd, C, 1), weight!);
                    if (need.B) db = FromDoubles(NormKernels.ChannelFold(sumG, Ck, C, null, C, 1), bias!);
                    return (dx, dw, db);
                });
            }
            return instance ? y.view(input.shape) : y;
        }

        // ---------------------------------------------------------------- gradients as graphs (create_graph)

        static long[] Dims(int from, int to, params long[] extra)
        {
            var d = new List<long>(extra);
            for (int i = from; i < to; i++) d.Add(i);
            return [.. d];
        }

        /// <summary>[1, C, 1, …] for broadcasting per-channel values over an input of <paramref name="rank"/> dims.</summary>
        static long[] ChannelShape(int C, int rank)
        {
            var s = new long[rank];
            Array.Fill(s, 1L);
            s[1] = C;
            return s;
        }

        /// <summary>
        /// dL/dx from dL/dx̂ = <paramref name="gy"/> when x̂ = (x − mean)·istd with statistics over <paramref name="dims"/>:
        /// istd·(gy − mean(gy) − x̂·mean(gy·x̂)).
        /// </summary>
        static Tensor NormalizedInputGrad(Tensor gy, Tensor xhat, Tensor istd, long[] dims) =>
            gy.sub(gy.mean(dims, keepdim: true)).sub(xhat.mul(gy.mul(xhat).mean(dims, keepdim: true))).mul(istd);

        static (Tensor xhat, Tensor istd) Standardize(Tensor x, long[] dims, double eps)
        {
            var centered = x.sub(x.mean(dims, keepdim: true));
            var istd = centered.mul(centered).mean(dims, keepdim: true).add(eps).rsqrt();
            return (centered.mul(istd), istd);
        }

        /// <summary><paramref name="t"/> as <paramref name="shape"/>, without a view node when it has that shape already.</summary>
        static Tensor As(Tensor t, long[] shape) => t.shape.SequenceEqual(shape) ? t : t.reshape(shape);

        /// <summary>
        /// A norm's backward from ordinary ops, for double backward. <paramref name="xhat"/> and <paramref name="istd"/> are in
        /// the statistics' layout <paramref name="statShape"/> (the input's, or group norm's [N, G, rest]); gx takes g·w (w
        /// broadcast as <paramref name="wShape"/>) through <see cref="NormalizedInputGrad"/> over <paramref name="statDims"/>, or
        /// just scales it by istd when they are null (running statistics are constants); gw = Σ g·x̂ and gb = Σ g over
        /// <paramref name="paramDims"/>.
        /// </summary>
        static (Tensor?, Tensor?, Tensor?) NormGradGraph(Tensor g, Tensor xhat, Tensor istd, long[] statShape, long[]? statDims,
            Tensor? w, long[]? wShape, Tensor? b, long[] paramDims, Needs need)
        {
            var shape = g.shape;
            Tensor? gx = null, gw = null, gb = null;
            if (need.X)
            {
                var gy = As(w is null ? g : g.mul(As(w, wShape!)), statShape);
                gx = As(statDims is null ? gy.mul(istd) : NormalizedInputGrad(gy, xhat, istd, statDims), shape);
            }
            // No paramDims (layer norm over the whole input): nothing to sum, and sum([]) would sum everything.
            if (need.W) { gw = g.mul(As(xhat, shape)); gw = As(paramDims.Length > 0 ? gw.sum(paramDims) : gw, w!.shape); }
            if (need.B) gb = As(paramDims.Length > 0 ? g.sum(paramDims) : g.mul(1.0), b!.shape);   // a copy, never g itself
            return (gx, gw, gb);
        }

        /// <summary>Batch/instance norm's backward from ordinary ops, for double backward.</summary>
        static (Tensor?, Tensor?, Tensor?) ChannelNormGradGraph(Tensor g, Tensor x, Tensor? w, Tensor? b, Needs need,
            bool useInputStats, double[] mean, double[] invstd, int C, double eps, bool instance)
        {
            int rank = x.dim();
            long[] paramDims = Dims(2, rank, 0);
            long[] statDims = instance ? Dims(2, rank) : paramDims;
            var bshape = ChannelShape(C, rank);
            Tensor xhat, istd;
            if (useInputStats) (xhat, istd) = Standardize(x, statDims, eps);
            else
            {
                var mu = torch.tensor(mean[..C], dtype: x.dtype).view(bshape);
                istd = torch.tensor(invstd[..C], dtype: x.dtype).view(bshape);
                xhat = x.sub(mu).mul(istd);
            }
            return NormGradGraph(g.reshape(x.shape), xhat, istd, x.shape, useInputStats ? statDims : null, w, bshape, b, paramDims, need);
        }

        // ---------------------------------------------------------------- layer norm

        internal static Tensor LayerNorm(Tensor input, long[] normalized_shape, Tensor? weight, Tensor? bias, double eps)
        {
            var x = input.contiguous_nograd();
            int K = 1;
            foreach (var s in normalized_shape) K *= (int)s;
            int M = K == 0 ? 0 : x.Numel / K;
            var mean = new double[M];
            var rstd = new double[M];
            var m2 = new double[M];
            if (x.Numel > 0) Moments(x, 1, M, K, mean, m2);
            for (int r = 0; r < M; r++) rstd[r] = 1 / Math.Sqrt(m2[r] / K + eps);
            var wc = weight?.contiguous_nograd();
            var bc = bias?.contiguous_nograd();
            var y = Tensor.Empty(x._shape, x.dtype);
            if (x.Numel > 0)
            {
                NormDispatch.LayerNormForward(x.dtype, x._storage.RawArray, x._offset, y._storage.RawArray, M, K, mean, rstd,
                    wc?._storage.RawArray, wc?._offset ?? 0, bc?._storage.RawArray, bc?._offset ?? 0, Op);
            }

            if (GradNeeds(input, weight, bias) is { } need)
            {
                RecordNorm(y, "NativeLayerNormBackward0", input, weight, bias, (g, w) =>
                {
                    if (GradMode.Enabled)
                    {
                        int rank = input.dim(), k = normalized_shape.Length;
                        long[] dims = Dims(rank - k, rank);
                        var (xhat, istd) = Standardize(input, dims, eps);
                        return NormGradGraph(g, xhat, istd, input.shape, dims, w, w?.shape, bias, Dims(0, rank - k), need);
                    }
                    var wg = w?.contiguous_nograd();
                    var gc = g.contiguous_nograd();
                    Tensor? gx = need.X ? Tensor.Empty(input._shape, x.dtype) : null;
                    Tensor? gw = need.W ? Tensor.Empty(weight!._shape, x.dtype, clear: true) : null;
                    Tensor? gb = need.B ? Tensor.Empty(bias!._shape, x.dtype, clear: true) : null;
                    if (x.Numel > 0)
                        NormDispatch.LayerNormBackward(x.dtype, gc._storage.RawArray, gc._offset, x._storage.RawArray, x._offset, M, K, mean, rstd,
                            wg?._storage.RawArray, wg?._offset ?? 0, gx?._storage.RawArray, gw?._storage.RawArray, gb?._storage.RawArray, Op);
                    return (gx, gw, gb);
                });
            }
            return y;
        }

        // ---------------------------------------------------------------- group norm

        internal static Tensor GroupNorm(Tensor input, int G, Tensor? weight, Tensor? bias, double eps)
        {
            var x = input.contiguous_nograd();
            var shp = x._shape;
            int N = shp[0], C = shp[1], S = Shape.Numel(shp.AsSpan(2)), D = C / G;
            int NG = N * G, NC = N * C;
            double count = (double)D * S;
            var mean = new double[NG];
            var rstd = new double[NG];
            var m2 = new double[NG];
            if (x.Numel > 0) Moments(x, 1, NG, D * S, mean, m2);
            for (int i = 0; i < NG; i++) rstd[i] = 1 / Math.Sqrt(m2[i] / count + eps);
            double[]? wv = Values(weight), bv = Values(bias);
            var a = new double[NC];
            var sh = new double[NC];
            var rowMean = new double[NC];
            for (int i = 0; i < NC; i++)
            {
                int c = i % C, grp = i / C * G + c / D;
                rowMean[i] = mean[grp];
                a[i] = rstd[grp] * (wv is null ? 1 : wv[c]);
                sh[i] = (bv is null ? 0 : bv[c]) - mean[grp] * a[i];
            }
            var y = Tensor.Empty(shp, x.dtype);
            if (x.Numel > 0) Affine(x, y, 1, NC, S, a, sh);

            if (GradNeeds(input, weight, bias) is { } need)
            {
                RecordNorm(y, "NativeGroupNormBackward0", input, weight, bias, (g, w) =>
                {
                    if (GradMode.Enabled)
                    {
                        long[] grouped = [N, G, input.numel() / Math.Max(1, (long)N * G)];
                        var (xhg, istd) = Standardize(input.reshape(grouped), [2], eps);
                        return NormGradGraph(g, xhg, istd, grouped, [2], w, ChannelShape(C, input.dim()), bias, Dims(2, input.dim(), 0), need);
                    }
                    var wgv = Values(w);
                    var gc = g.contiguous_nograd();
                    var sumG = new double[NC];
                    var sumGX = new double[NC];
                    if (x.Numel > 0) GradSums(gc, x, 1, NC, S, rowMean, sumG, sumGX);
                    Tensor? dx = null, dw = null, db = null;
                    if (need.X)
                    {
                        // With u = g·w: gx = rstd·u − rstd³·(x − mean)·Σu(x − mean)/M − rstd·Σu/M over the group.
                        var su = new double[NG];
                        var sux = new double[NG];
                        for (int i = 0; i < NC; i++)
                        {
                            int c = i % C, grp = i / C * G + c / D;
                            double wc = wgv is null ? 1 : wgv[c];
                            su[grp] += wc * sumG[i];
                            sux[grp] += wc * sumGX[i];
                        }
                        double[] k1 = new double[NC], k2 = new double[NC], k3 = new double[NC];
                        for (int i = 0; i < NC; i++)
                        {
                            int c = i % C, grp = i / C * G + c / D;
                            double r = rstd[grp];
                            k1[i] = r * (wgv is null ? 1 : wgv[c]);
                            k2[i] = -r * r * r * sux[grp] / count;
                            k3[i] = -r * su[grp] / count - k2[i] * mean[grp];
                        }
                        var gx = Tensor.Empty(input._shape, x.dtype);
                        if (x.Numel > 0) Affine2(gc, x, gx, 1, NC, S, k1, k2, k3);
                        dx = gx;
                    }
                    if (need.W) dw = FromDoubles(NormKernels.ChannelFold(sumGX, NC, C, rstd, G, D), weight!);
                    if (need.B) db = FromDoubles(NormKernels.ChannelFold(sumG, NC, C, null, G, D), bias!);
                    return (dx, dw, db);
                });
            }
            return y;
        }
    }
}
