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

        static void Moments(Tensor x, int N, int C, int S, double[] mean, double[] m2)
        {
            if (x.dtype == ScalarType.Float32) NormKernels.Moments(x.Buffer<float>(), x._offset, N, C, S, mean, m2);
            else NormKernels.Moments(x.Buffer<double>(), x._offset, N, C, S, mean, m2);
        }

        static void GradSums(Tensor g, Tensor x, int N, int C, int S, double[] mean, double[] sumG, double[] sumGX)
        {
            if (x.dtype == ScalarType.Float32) NormKernels.GradSums(g.Buffer<float>(), g._offset, x.Buffer<float>(), x._offset, N, C, S, mean, sumG, sumGX);
            else NormKernels.GradSums(g.Buffer<double>(), g._offset, x.Buffer<double>(), x._offset, N, C, S, mean, sumG, sumGX);
        }

        static void Affine(Tensor x, Tensor y, int N, int C, int S, double[] a, double[] b)
        {
            if (x.dtype == ScalarType.Float32) NormKernels.Affine(x.Buffer<float>(), x._offset, y.Buffer<float>(), y._offset, N, C, S, a, b);
            else NormKernels.Affine(x.Buffer<double>(), x._offset, y.Buffer<double>(), y._offset, N, C, S, a, b);
        }

        static void Affine2(Tensor g, Tensor x, Tensor y, int N, int C, int S, double[] a, double[] b, double[] c)
        {
            if (x.dtype == ScalarType.Float32) NormKernels.Affine2(g.Buffer<float>(), g._offset, x.Buffer<float>(), x._offset, y.Buffer<float>(), y._offset, N, C, S, a, b, c);
            else NormKernels.Affine2(g.Buffer<double>(), g._offset, x.Buffer<double>(), x._offset, y.Buffer<double>(), y._offset, N, C, S, a, b, c);
        }

        static Tensor FromDoubles(double[] v, Tensor like)
        {
            var t = Tensor.Empty(like._shape, like.dtype);
            if (like.dtype == ScalarType.Float32) { var s = t.Span<float>(); for (int i = 0; i < v.Length; i++) s[i] = (float)v[i]; }
            else v.AsSpan().CopyTo(t.Span<double>());
            return t;
        }

        static double[]? Values(Tensor? t) => t?.ToArray<double>();

        /// <summary>Writes new running statistics in place (no graph), bumping the version as PyTorch's in-place update does.</summary>
        static void Store(Tensor t, double[] v)
        {
            t.CopyFrom(new Tensor(new Storage<double>(v), [v.Length]).reshape_nograd(t._shape));
            t.BumpVersion();
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

        /// <summary>Why batch_norm would reject these arguments (PyTorch's checks and messages), or null.</summary>
        internal static string? BatchNormError(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight, Tensor? bias, bool training)
        {
            if (input.dim() < 2)
                return $"batch_norm: expected an input of shape [N, C, *] (at least 2 dimensions), got input of shape {Shape.Str(input._shape)}";
            if (FloatError(input, "batch_norm") is { } fe) return fe;
            int C = input._shape[1];
            if ((ParamError(input, weight, "weight", C) ?? ParamError(input, bias, "bias", C)
                ?? ParamError(input, running_mean, "running_mean", C) ?? ParamError(input, running_var, "running_var", C)) is { } pe) return pe;
            if (!training && (running_mean is null || running_var is null))
                return "running_mean and running_var must be defined in evaluation mode (training=false)";
            if (training && (long)input._shape[0] * Shape.Numel(input._shape.AsSpan(2)) == 1)
                return $"Expected more than 1 value per channel when training, got input size {Shape.Str(input._shape)}";
            return null;
        }

        internal static string? InstanceNormError(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight, Tensor? bias, bool use_input_stats)
        {
            if (input.dim() < 2)
                return $"instance_norm: expected an input of shape [N, C, *] (at least 2 dimensions), got input of shape {Shape.Str(input._shape)}";
            if (FloatError(input, "batch_norm") is { } fe) return fe;
            int C = input._shape[1];
            if ((ParamError(input, weight, "weight", C) ?? ParamError(input, bias, "bias", C)
                ?? ParamError(input, running_mean, "running_mean", C) ?? ParamError(input, running_var, "running_var", C)) is { } pe) return pe;
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

            bool needX = input._requiresGrad, needW = weight is { _requiresGrad: true }, needB = bias is { _requiresGrad: true };
            if (GradMode.Enabled && (needX || needW || needB))
            {
                var inputs = new List<Tensor> { input };
                if (weight is not null) inputs.Add(weight);
                if (bias is not null) inputs.Add(bias);
                var sIn = new SavedTensor(input);
                SavedTensor? sW = weight is null ? null : new SavedTensor(weight);
                Tensor? w0 = weight, b0 = bias;
                Tensor.Record(y, "NativeBatchNormBackward0", g =>
                {
                    sIn.Get();
                    var wg = sW?.Get();
                    if (GradMode.Enabled)   // create_graph: the same gradient from ordinary ops, so it can be differentiated again
                        return ChannelNormGradGraph(g, input, wg, b0, needX, needW, needB, useInputStats, mean, invstd, C, eps, instance);
                    var gc = g.contiguous_nograd();
                    var sumG = new double[Ck];
                    var sumGX = new double[Ck];
                    if (x.Numel > 0) GradSums(gc, x, Nk, Ck, S, mean, sumG, sumGX);
                    var grads = new Tensor?[inputs.Count];
                    if (needX)
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
                        grads[0] = gx;
                    }
                    if (needW)
                    {
                        var gw = new double[C];
                        for (int i = 0; i < Ck; i++) gw[i % C] += sumGX[i] * invstd[i];
                        grads[1] = FromDoubles(gw, w0!);
                    }
                    if (needB)
                    {
                        var gb = new double[C];
                        for (int i = 0; i < Ck; i++) gb[i % C] += sumG[i];
                        grads[w0 is null ? 1 : 2] = FromDoubles(gb, b0!);
                    }
                    return grads;
                }, true, inputs.ToArray());
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

        static Tensor?[] Pack(Tensor? w, Tensor? b, Tensor? gx, Tensor? gw, Tensor? gb)
        {
            var r = new List<Tensor?> { gx };
            if (w is not null) r.Add(gw);
            if (b is not null) r.Add(gb);
            return [.. r];
        }

        /// <summary>Batch/instance norm's backward from ordinary ops, for double backward.</summary>
        static Tensor?[] ChannelNormGradGraph(Tensor g, Tensor x, Tensor? w, Tensor? b, bool needX, bool needW, bool needB,
            bool useInputStats, double[] mean, double[] invstd, int C, double eps, bool instance)
        {
            int rank = x.dim();
            g = g.reshape(x.shape);
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
            Tensor? gx = null;
            if (needX)
            {
                var gy = w is null ? g : g.mul(w.reshape(bshape));
                gx = useInputStats ? NormalizedInputGrad(gy, xhat, istd, statDims) : gy.mul(istd);
            }
            var gw = needW ? g.mul(xhat).sum(paramDims).reshape(w!.shape) : null;
            var gb = needB ? g.sum(paramDims).reshape(b!.shape) : null;
            return Pack(w, b, gx, gw, gb);
        }

        static Tensor?[] LayerNormGradGraph(Tensor g, Tensor x, Tensor? w, Tensor? b, bool needX, bool needW, bool needB, int k, double eps)
        {
            int rank = x.dim();
            long[] dims = Dims(rank - k, rank), lead = Dims(0, rank - k);
            var (xhat, istd) = Standardize(x, dims, eps);
            Tensor? gx = needX ? NormalizedInputGrad(w is null ? g : g.mul(w), xhat, istd, dims) : null;
            Tensor? gw = null, gb = null;
            if (needW) { gw = g.mul(xhat); if (lead.Length > 0) gw = gw.sum(lead); }
            if (needB) gb = lead.Length > 0 ? g.sum(lead) : g.mul(1.0);
            return Pack(w, b, gx, gw, gb);
        }

        static Tensor?[] GroupNormGradGraph(Tensor g, Tensor x, Tensor? w, Tensor? b, bool needX, bool needW, bool needB, int G, double eps)
        {
            int rank = x.dim();
            long N = x.shape[0], C = x.shape[1];
            long[] grouped = [N, G, x.numel() / Math.Max(1, N * G)];
            var (xhg, istd) = Standardize(x.reshape(grouped), [2], eps);
            var xhat = xhg.reshape(x.shape);
            long[] paramDims = Dims(2, rank, 0);
            var bshape = ChannelShape((int)C, rank);
            Tensor? gx = null;
            if (needX)
            {
                var gy = w is null ? g : g.mul(w.reshape(bshape));
                gx = NormalizedInputGrad(gy.reshape(grouped), xhg, istd, [2]).reshape(x.shape);
            }
            var gw = needW ? g.mul(xhat).sum(paramDims).reshape(w!.shape) : null;
            var gb = needB ? g.sum(paramDims).reshape(b!.shape) : null;
            return Pack(w, b, gx, gw, gb);
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
                if (x.dtype == ScalarType.Float32)
                    NormKernels.LayerNormForward(x.Buffer<float>(), x._offset, y.Buffer<float>(), M, K, mean, rstd, wc?.Buffer<float>(), wc?._offset ?? 0, bc?.Buffer<float>(), bc?._offset ?? 0);
                else
                    NormKernels.LayerNormForward(x.Buffer<double>(), x._offset, y.Buffer<double>(), M, K, mean, rstd, wc?.Buffer<double>(), wc?._offset ?? 0, bc?.Buffer<double>(), bc?._offset ?? 0);
            }

            bool needX = input._requiresGrad, needW = weight is { _requiresGrad: true }, needB = bias is { _requiresGrad: true };
            if (GradMode.Enabled && (needX || needW || needB))
            {
                var inputs = new List<Tensor> { input };
                if (weight is not null) inputs.Add(weight);
                if (bias is not null) inputs.Add(bias);
                var sIn = new SavedTensor(input);
                SavedTensor? sW = weight is null ? null : new SavedTensor(weight);
                Tensor? w0 = weight, b0 = bias;
                Tensor.Record(y, "NativeLayerNormBackward0", g =>
                {
                    sIn.Get();
                    if (GradMode.Enabled)
                        return LayerNormGradGraph(g, input, sW?.Get(), b0, needX, needW, needB, normalized_shape.Length, eps);
                    var wg = sW?.Get().contiguous_nograd();
                    var gc = g.contiguous_nograd();
                    var grads = new Tensor?[inputs.Count];
                    Tensor? gx = needX ? Tensor.Empty(input._shape, x.dtype) : null;
                    Tensor? gw = needW ? Tensor.Empty(w0!._shape, x.dtype, clear: true) : null;
                    Tensor? gb = needB ? Tensor.Empty(b0!._shape, x.dtype, clear: true) : null;
                    if (x.Numel > 0)
                    {
                        if (x.dtype == ScalarType.Float32)
                        {
                            if (gx is not null) NormKernels.LayerNormInputGrad(gc.Buffer<float>(), gc._offset, x.Buffer<float>(), x._offset, gx.Buffer<float>(), M, K, mean, rstd, wg?.Buffer<float>(), wg?._offset ?? 0);
                            if (gw is not null || gb is not null) NormKernels.LayerNormParamGrads(gc.Buffer<float>(), gc._offset, x.Buffer<float>(), x._offset, M, K, mean, rstd, gw?.Buffer<float>(), gb?.Buffer<float>());
                        }
                        else
                        {
                            if (gx is not null) NormKernels.LayerNormInputGrad(gc.Buffer<double>(), gc._offset, x.Buffer<double>(), x._offset, gx.Buffer<double>(), M, K, mean, rstd, wg?.Buffer<double>(), wg?._offset ?? 0);
                            if (gw is not null || gb is not null) NormKernels.LayerNormParamGrads(gc.Buffer<double>(), gc._offset, x.Buffer<double>(), x._offset, M, K, mean, rstd, gw?.Buffer<double>(), gb?.Buffer<double>());
                        }
                    }
                    grads[0] = gx;
                    if (needW) grads[1] = gw;
                    if (needB) grads[w0 is null ? 1 : 2] = gb;
                    return grads;
                }, true, inputs.ToArray());
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

            bool needX = input._requiresGrad, needW = weight is { _requiresGrad: true }, needB = bias is { _requiresGrad: true };
            if (GradMode.Enabled && (needX || needW || needB))
            {
                var inputs = new List<Tensor> { input };
                if (weight is not null) inputs.Add(weight);
                if (bias is not null) inputs.Add(bias);
                var sIn = new SavedTensor(input);
                SavedTensor? sW = weight is null ? null : new SavedTensor(weight);
                Tensor? w0 = weight, b0 = bias;
                Tensor.Record(y, "NativeGroupNormBackward0", g =>
                {
                    sIn.Get();
                    if (GradMode.Enabled)
                        return GroupNormGradGraph(g, input, sW?.Get(), b0, needX, needW, needB, G, eps);
                    var wgv = Values(sW?.Get());
                    var gc = g.contiguous_nograd();
                    var sumG = new double[NC];
                    var sumGX = new double[NC];
                    if (x.Numel > 0) GradSums(gc, x, 1, NC, S, rowMean, sumG, sumGX);
                    var grads = new Tensor?[inputs.Count];
                    if (needX)
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
                        grads[0] = gx;
                    }
                    if (needW)
                    {
                        var gw = new double[C];
                        for (int i = 0; i < NC; i++) gw[i % C] += sumGX[i] * rstd[i / C * G + i % C / D];
                        grads[1] = FromDoubles(gw, w0!);
                    }
                    if (needB)
                    {
                        var gb = new double[C];
                        for (int i = 0; i < NC; i++) gb[i % C] += sumG[i];
                        grads[w0 is null ? 1 : 2] = FromDoubles(gb, b0!);
                    }
                    return grads;
                }, true, inputs.ToArray());
            }
            return y;
        }
    }

    public static partial class torch
    {
        /// <summary>torch.batch_norm (the ATen op behind F.batch_norm; argument order as PyTorch's).</summary>
        public static Tensor batch_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, Tensor? running_var,
            bool training, double momentum, double eps) =>
            nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps);

        /// <summary>torch.instance_norm (the ATen op behind F.instance_norm).</summary>
        public static Tensor instance_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, Tensor? running_var,
            bool use_input_stats, double momentum, double eps) =>
            nn.functional.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps);

        public static Tensor layer_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
            nn.functional.layer_norm(input, normalized_shape, weight, bias, eps);

        public static Tensor group_norm(Tensor input, long num_groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
            nn.functional.group_norm(input, num_groups, weight, bias, eps);

        public static partial class nn
        {
            public static partial class functional
            {
                /// <summary>
                /// Batch normalization over dim 1 (channels): batch statistics when <paramref name="training"/>
                /// (updating <paramref name="running_mean"/>/<paramref name="running_var"/> in place with the
                /// unbiased variance when given), the running statistics otherwise.
                /// </summary>
                public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null, Tensor? bias = null,
                    bool training = false, double momentum = 0.1, double eps = 1e-5)
                {
                    if (NormOps.BatchNormError(input, running_mean, running_var, weight, bias, training) is { } e) throw new ArgumentException(e);
                    return NormOps.ChannelNorm(input, weight, bias, running_mean, running_var, training, momentum, eps, instance: false);
                }

                /// <summary>Instance normalization: per sample and channel over the spatial dims.</summary>
                public static Tensor instance_norm(Tensor input, Tensor? running_mean = null, Tensor? running_var = null, Tensor? weight = null, Tensor? bias = null,
                    bool use_input_stats = true, double momentum = 0.1, double eps = 1e-5)
                {
                    if (NormOps.InstanceNormError(input, running_mean, running_var, weight, bias, use_input_stats) is { } e) throw new ArgumentException(e);
                    return NormOps.ChannelNorm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, instance: true);
                }

                /// <summary>Layer normalization over the last <c>normalized_shape.Length</c> dims.</summary>
                public static Tensor layer_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
                {
                    if (NormOps.LayerNormError(input, normalized_shape, weight, bias) is { } e) throw new ArgumentException(e);
                    return NormOps.LayerNorm(input, normalized_shape, weight, bias, eps);
                }

                /// <summary>Group normalization: channels split into <paramref name="num_groups"/> groups, statistics per sample and group.</summary>
                public static Tensor group_norm(Tensor input, long num_groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
                {
                    if (NormOps.GroupNormError(input, num_groups, weight, bias) is { } e) throw new ArgumentException(e);
                    return NormOps.GroupNorm(input, (int)num_groups, weight, bias, eps);
                }

                /// <summary>
                /// Local response normalization across channels: x / (k + alpha·mean of x² over <paramref name="size"/>
                /// neighbouring channels (zero-padded))^beta. Built from ordinary ops, as PyTorch's is.
                /// </summary>
                public static Tensor local_response_norm(Tensor input, long size, double alpha = 1e-4, double beta = 0.75, double k = 1.0)
                {
                    int dim = input.dim();
                    if (dim < 3) throw new ArgumentException($"local_response_norm: Expected 3D or higher dimensionality input (got {dim} dimensions, shape {Shape.Str(input._shape)})");
                    if (size < 1) throw new ArgumentException($"local_response_norm: size must be positive, got {size}");
                    if (input.numel() == 0) return input;
                    var sq = input.mul(input);
                    long C = input.shape[1];
                    long front = size / 2, back = (size - 1) / 2;
                    var parts = new List<Tensor>();
                    if (front > 0) { var s = (long[])input.shape.Clone(); s[1] = front; parts.Add(torch.zeros(s, dtype: input.dtype)); }
                    parts.Add(sq);
                    if (back > 0) { var s = (long[])input.shape.Clone(); s[1] = back; parts.Add(torch.zeros(s, dtype: input.dtype)); }
                    var padded = parts.Count == 1 ? sq : torch.cat(parts, 1);
                    // Window j covers padded channels [c, c + size): shift-and-add, as avg_pool over the channel dim.
                    var sum = padded.narrow(1, 0, C);
                    for (long j = 1; j < size; j++) sum = sum.add(padded.narrow(1, j, C));
                    var div = sum.div((double)size).mul(alpha).add(k).pow(beta);
                    return input.div(div);
                }
            }
        }
    }
}

namespace Torchlet.Modules
{
    using static Torchlet.torch;

    /// <summary>
    /// PyTorch's <c>_NormBase</c>: the state shared by batch and instance norm — affine weight and
    /// bias, and the running_mean / running_var / num_batches_tracked (int64) buffers when tracking.
    /// </summary>
    public abstract class NormBase : nn.Layer<Tensor, Tensor>
    {
        public long num_features { get; }
        public double eps { get; set; }
        /// <summary>The running-average factor; null (PyTorch's None) means a cumulative average over the batches seen.</summary>
        public double? momentum { get; set; }
        public bool affine { get; }
        public bool track_running_stats { get; }

        public Parameter? weight { get; set; }
        public Parameter? bias { get; set; }

        public Tensor? running_mean { get => get_buffer("running_mean"); set => register_buffer("running_mean", value); }
        public Tensor? running_var { get => get_buffer("running_var"); set => register_buffer("running_var", value); }
        public Tensor? num_batches_tracked { get => get_buffer("num_batches_tracked"); set => register_buffer("num_batches_tracked", value); }

        protected NormBase(string name, long num_features, double eps, double? momentum, bool affine, bool track_running_stats, ScalarType? dtype) : base(name)
        {
            if (num_features < 0) throw new ArgumentException($"{name}: num_features must be non-negative, got {num_features}");
            var dt = dtype ?? ScalarType.Float32;
            if (!dt.IsFloating()) throw new ArgumentException($"{name}: dtype must be a floating point type, got {dt.TorchName()}");
            this.num_features = num_features;
            this.eps = eps;
            this.momentum = momentum;
            this.affine = affine;
            this.track_running_stats = track_running_stats;
            if (affine)
            {
                weight = new Parameter(empty([num_features], dtype: dt));
                bias = new Parameter(empty([num_features], dtype: dt));
            }
            if (track_running_stats)
            {
                register_buffer("running_mean", zeros([num_features], dtype: dt));
                register_buffer("running_var", ones([num_features], dtype: dt));
                register_buffer("num_batches_tracked", tensor(0L));
            }
            else
            {
                register_buffer("running_mean", null);
                register_buffer("running_var", null);
                register_buffer("num_batches_tracked", null);
            }
            reset_parameters();
        }

        public void reset_running_stats()
        {
            if (!track_running_stats) return;
            using (no_grad())
            {
                running_mean?.zero_();
                running_var?.fill_(1);
                num_batches_tracked?.zero_();
            }
        }

        public void reset_parameters()
        {
            reset_running_stats();
            if (affine)
            {
                nn.init.ones_(weight!);
                nn.init.zeros_(bias!);
            }
        }

        public override string extra_repr() =>
            $"{num_features}, eps={Args.Py(eps)}, momentum={(momentum is { } m ? Args.Py(m) : "None")}, affine={Args.Py(affine)}, track_running_stats={Args.Py(track_running_stats)}";

        protected ArgumentException Error(string message) => new($"{this}: {message}");

        protected static string ShapeOf(Tensor t) => Shape.Str(t._shape);
    }

    /// <summary>PyTorch's <c>_BatchNorm</c>: batch statistics in training (updating the running ones), running statistics in eval.</summary>
    public abstract class BatchNorm : NormBase
    {
        protected BatchNorm(string name, long num_features, double eps, double? momentum, bool affine, bool track_running_stats, ScalarType? dtype)
            : base(name, num_features, eps, momentum, affine, track_running_stats, dtype) { }

        /// <summary>The input ranks this layer accepts and PyTorch's message for others.</summary>
        protected abstract void CheckInputDim(Tensor input);

        protected override Tensor Forward(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            CheckInputDim(input);
            if (input._shape[1] != num_features)
                throw Error($"expected input with {num_features} channels (dim 1), got input of shape {ShapeOf(input)}");
            bool useBatchStats = training || running_mean is null;
            var rm = !training || track_running_stats ? running_mean : null;
            var rv = !training || track_running_stats ? running_var : null;
            if (NormOps.BatchNormError(input, rm, rv, weight, bias, useBatchStats) is { } e) throw Error(e);
            // Everything is validated: only now count the batch (PyTorch counts it before checking).
            double factor = momentum ?? 0.0;
            if (training && track_running_stats && num_batches_tracked is { } nbt)
            {
                using (no_grad()) nbt.add_(1);
                if (momentum is null) factor = 1.0 / nbt.item<long>();
            }
            return NormOps.ChannelNorm(input, weight, bias, rm, rv, useBatchStats, factor, eps, instance: false);
        }
    }

    public class BatchNorm1d : BatchNorm
    {
        public BatchNorm1d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true, ScalarType? dtype = null)
            : base(nameof(BatchNorm1d), num_features, eps, momentum, affine, track_running_stats, dtype) { }

        protected override void CheckInputDim(Tensor input)
        {
            if (input.dim() != 2 && input.dim() != 3)
                throw Error($"expected 2D or 3D input (got {input.dim()}D input of shape {ShapeOf(input)})");
        }
    }

    public class BatchNorm2d : BatchNorm
    {
        public BatchNorm2d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true, ScalarType? dtype = null)
            : base(nameof(BatchNorm2d), num_features, eps, momentum, affine, track_running_stats, dtype) { }

        protected override void CheckInputDim(Tensor input)
        {
            if (input.dim() != 4)
                throw Error($"expected 4D input (got {input.dim()}D input of shape {ShapeOf(input)})");
        }
    }

    public class BatchNorm3d : BatchNorm
    {
        public BatchNorm3d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true, ScalarType? dtype = null)
            : base(nameof(BatchNorm3d), num_features, eps, momentum, affine, track_running_stats, dtype) { }

        protected override void CheckInputDim(Tensor input)
        {
            if (input.dim() != 5)
                throw Error($"expected 5D input (got {input.dim()}D input of shape {ShapeOf(input)})");
        }
    }

    /// <summary>
    /// PyTorch's <c>_InstanceNorm</c>: statistics per sample and channel; running statistics only
    /// with track_running_stats (then used in eval). Accepts unbatched input (no batch dim).
    /// </summary>
    public abstract class InstanceNorm : NormBase
    {
        readonly int _noBatchDim;

        protected InstanceNorm(string name, int noBatchDim, long num_features, double eps, double momentum, bool affine, bool track_running_stats, ScalarType? dtype)
            : base(name, num_features, eps, momentum, affine, track_running_stats, dtype)
        {
            _noBatchDim = noBatchDim;
        }

        protected override Tensor Forward(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            int d = input.dim();
            if (d != _noBatchDim && d != _noBatchDim + 1)
                throw Error($"expected {_noBatchDim}D or {_noBatchDim + 1}D input (got {d}D input of shape {ShapeOf(input)})");
            int featureDim = d - _noBatchDim;
            // PyTorch 1.13 ignores num_features when there is neither an affine transform nor running statistics.
            if ((affine || track_running_stats) && input._shape[featureDim] != num_features)
                throw Error($"expected input with {num_features} channels (dim {featureDim}), got input of shape {ShapeOf(input)}");
            bool unbatched = d == _noBatchDim;
            var x = unbatched ? input.unsqueeze(0) : input;
            bool useInputStats = training || !track_running_stats;
            if (NormOps.InstanceNormError(x, running_mean, running_var, weight, bias, useInputStats) is { } e) throw Error(e);
            var y = NormOps.ChannelNorm(x, weight, bias, running_mean, running_var, useInputStats, momentum ?? 0.1, eps, instance: true);
            return unbatched ? y.squeeze(0) : y;
        }
    }

    public class InstanceNorm1d : InstanceNorm
    {
        public InstanceNorm1d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = false, bool track_running_stats = false, ScalarType? dtype = null)
            : base(nameof(InstanceNorm1d), 2, num_features, eps, momentum, affine, track_running_stats, dtype) { }
    }

    public class InstanceNorm2d : InstanceNorm
    {
        public InstanceNorm2d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = false, bool track_running_stats = false, ScalarType? dtype = null)
            : base(nameof(InstanceNorm2d), 3, num_features, eps, momentum, affine, track_running_stats, dtype) { }
    }

    public class InstanceNorm3d : InstanceNorm
    {
        public InstanceNorm3d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = false, bool track_running_stats = false, ScalarType? dtype = null)
            : base(nameof(InstanceNorm3d), 4, num_features, eps, momentum, affine, track_running_stats, dtype) { }
    }

    /// <summary>Layer normalization over the trailing <c>normalized_shape</c> dims, with an elementwise affine transform.</summary>
    public class LayerNorm : nn.Layer<Tensor, Tensor>
    {
        public long[] normalized_shape { get; }
        public double eps { get; set; }
        public bool elementwise_affine { get; }
        public Parameter? weight { get; set; }
        public Parameter? bias { get; set; }

        public LayerNorm(long[] normalized_shape, double eps = 1e-5, bool elementwise_affine = true, ScalarType? dtype = null) : base(nameof(LayerNorm))
        {
            ArgumentNullException.ThrowIfNull(normalized_shape);
            if (normalized_shape.Any(s => s < 0))
                throw new ArgumentException($"LayerNorm: normalized_shape must be non-negative, got {Args.Py(normalized_shape)}");
            var dt = dtype ?? ScalarType.Float32;
            if (!dt.IsFloating()) throw new ArgumentException($"LayerNorm: dtype must be a floating point type, got {dt.TorchName()}");
            this.normalized_shape = (long[])normalized_shape.Clone();
            this.eps = eps;
            this.elementwise_affine = elementwise_affine;
            if (elementwise_affine)
            {
                weight = new Parameter(empty(this.normalized_shape, dtype: dt));
                bias = new Parameter(empty(this.normalized_shape, dtype: dt));
            }
            reset_parameters();
        }

        public void reset_parameters()
        {
            if (!elementwise_affine) return;
            nn.init.ones_(weight!);
            nn.init.zeros_(bias!);
        }

        public override string extra_repr() => $"{Args.Py(normalized_shape)}, eps={Args.Py(eps)}, elementwise_affine={Args.Py(elementwise_affine)}";

        protected override Tensor Forward(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            if (NormOps.LayerNormError(input, normalized_shape, weight, bias) is { } e) throw new ArgumentException($"{this}: {e}");
            return NormOps.LayerNorm(input, normalized_shape, weight, bias, eps);
        }
    }

    /// <summary>Group normalization: channels split into num_groups groups, statistics per sample and group.</summary>
    public class GroupNorm : nn.Layer<Tensor, Tensor>
    {
        public long num_groups { get; }
        public long num_channels { get; }
        public double eps { get; set; }
        public bool affine { get; }
        public Parameter? weight { get; set; }
        public Parameter? bias { get; set; }

        public GroupNorm(long num_groups, long num_channels, double eps = 1e-5, bool affine = true, ScalarType? dtype = null) : base(nameof(GroupNorm))
        {
            if (num_groups <= 0 || num_channels % num_groups != 0)
                throw new ArgumentException($"GroupNorm: num_channels must be divisible by num_groups (got num_groups={num_groups}, num_channels={num_channels})");
            var dt = dtype ?? ScalarType.Float32;
            if (!dt.IsFloating()) throw new ArgumentException($"GroupNorm: dtype must be a floating point type, got {dt.TorchName()}");
            this.num_groups = num_groups;
            this.num_channels = num_channels;
            this.eps = eps;
            this.affine = affine;
            if (affine)
            {
                weight = new Parameter(empty([num_channels], dtype: dt));
                bias = new Parameter(empty([num_channels], dtype: dt));
            }
            reset_parameters();
        }

        public void reset_parameters()
        {
            if (!affine) return;
            nn.init.ones_(weight!);
            nn.init.zeros_(bias!);
        }

        public override string extra_repr() => $"{num_groups}, {num_channels}, eps={Args.Py(eps)}, affine={Args.Py(affine)}";

        protected override Tensor Forward(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            if (input.dim() < 2 || input._shape[1] != num_channels)
                throw new ArgumentException($"{this}: expected input of shape [N, {num_channels}, *] ({num_channels} channels in dim 1), got input of shape {Shape.Str(input._shape)}");
            if (NormOps.GroupNormError(input, num_groups, weight, bias) is { } e) throw new ArgumentException($"{this}: {e}");
            return NormOps.GroupNorm(input, (int)num_groups, weight, bias, eps);
        }
    }

    /// <summary>Local response normalization across channels (AlexNet's LRN).</summary>
    public class LocalResponseNorm : nn.Layer<Tensor, Tensor>
    {
        public long size { get; }
        public double alpha { get; }
        public double beta { get; }
        public double k { get; }

        public LocalResponseNorm(long size, double alpha = 1e-4, double beta = 0.75, double k = 1.0) : base(nameof(LocalResponseNorm))
        {
            if (size < 1) throw new ArgumentException($"LocalResponseNorm: size must be positive, got {size}");
            this.size = size; this.alpha = alpha; this.beta = beta; this.k = k;
        }

        public override string extra_repr() => $"{size}, alpha={Args.Py(alpha)}, beta={Args.Py(beta)}, k={Args.Py(k)}";

        protected override Tensor Forward(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            if (input.dim() < 3)
                throw new ArgumentException($"{this}: Expected 3D or higher dimensionality input (got {input.dim()} dimensions, shape {Shape.Str(input._shape)})");
            return nn.functional.local_response_norm(input, size, alpha, beta, k);
        }
    }
}

namespace Torchlet
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static Modules.BatchNorm1d BatchNorm1d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true, ScalarType? dtype = null) =>
                new(num_features, eps, momentum, affine, track_running_stats, dtype);

            public static Modules.BatchNorm2d BatchNorm2d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true, ScalarType? dtype = null) =>
                new(num_features, eps, momentum, affine, track_running_stats, dtype);

            public static Modules.BatchNorm3d BatchNorm3d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true, ScalarType? dtype = null) =>
                new(num_features, eps, momentum, affine, track_running_stats, dtype);

            public static Modules.InstanceNorm1d InstanceNorm1d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = false, bool track_running_stats = false, ScalarType? dtype = null) =>
                new(num_features, eps, momentum, affine, track_running_stats, dtype);

            public static Modules.InstanceNorm2d InstanceNorm2d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = false, bool track_running_stats = false, ScalarType? dtype = null) =>
                new(num_features, eps, momentum, affine, track_running_stats, dtype);

            public static Modules.InstanceNorm3d InstanceNorm3d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = false, bool track_running_stats = false, ScalarType? dtype = null) =>
                new(num_features, eps, momentum, affine, track_running_stats, dtype);

            public static Modules.LayerNorm LayerNorm(long normalized_shape, double eps = 1e-5, bool elementwise_affine = true, ScalarType? dtype = null) =>
                new([normalized_shape], eps, elementwise_affine, dtype);

            public static Modules.LayerNorm LayerNorm(long[] normalized_shape, double eps = 1e-5, bool elementwise_affine = true, ScalarType? dtype = null) =>
                new(normalized_shape, eps, elementwise_affine, dtype);

            public static Modules.GroupNorm GroupNorm(long num_groups, long num_channels, double eps = 1e-5, bool affine = true, ScalarType? dtype = null) =>
                new(num_groups, num_channels, eps, affine, dtype);

            public static Modules.LocalResponseNorm LocalResponseNorm(long size, double alpha = 1e-4, double beta = 0.75, double k = 1.0) =>
                new(size, alpha, beta, k);
        }
    }
}
