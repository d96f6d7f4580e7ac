using Torchlet.Kernels;
using Torchlet.Modules;

namespace Torchlet
{
    /// <summary>
    /// The loss functions behind torch.nn.functional and the loss modules. <c>who</c> starts every
    /// error message: the functional's name, or the module's repr (<c>CrossEntropyLoss()</c>).
    /// </summary>
    internal static class Losses
    {
        internal static LossReduction Parse(string reduction, string who, bool allowBatchMean = false) => reduction switch
        {
            "none" => LossReduction.None,
            "mean" => LossReduction.Mean,
            "sum" => LossReduction.Sum,
            "batchmean" when allowBatchMean => LossReduction.BatchMean,
            _ => throw new ArgumentException($"{who}: {reduction} is not a valid value for reduction (expected {(allowBatchMean ? "'none', 'batchmean', 'sum' or 'mean'" : "'none', 'mean' or 'sum'")})"),
        };

        static Tensor Reduce(Tensor loss, LossReduction r) => r switch
        {
            LossReduction.Mean => loss.mean(),
            LossReduction.Sum => loss.sum(),
            _ => loss,
        };

        static void NotNull(Tensor? t, string name, string who)
        {
            if (t is null) throw new ArgumentNullException(name, $"{who}: {name} is null");
        }

        /// <summary>
        /// Broadcast shape of input and target with PyTorch's warning when they differ (a [N, 1]
        /// prediction against a [N] target silently becomes [N, N]); an error when they cannot broadcast.
        /// </summary>
        static int[] BroadcastTarget(Tensor input, Tensor target, string who, bool warn = true)
        {
            if (Shape.SameShape(input._shape, target._shape)) return input._shape;
            if (warn)
                Warnings.Warn($"Using a target size ({SizeStr(target._shape)}) that is different to the input size ({SizeStr(input._shape)}). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.");
            try { return Shape.Broadcast(input._shape, target._shape); }
            catch (ArgumentException)
            {
                throw new ArgumentException($"{who}: the target's shape {Shape.Str(target._shape)} does not match the input's shape {Shape.Str(input._shape)} and cannot be broadcast to it (expected a target of shape {Shape.Str(input._shape)})");
            }
        }

        internal static string SizeStr(int[] s) => $"torch.Size([{string.Join(", ", s)}])";

        static ScalarType FloatType(Tensor input, Tensor target, string kernel, string who)
        {
            var ct = Tensor.ResultType(input, target);
            if (!ct.IsFloating())
                throw new ArgumentException($"{who}: \"{kernel}\" not implemented for '{ct.CName()}' (input is {input.dtype.TorchName()}, target is {target.dtype.TorchName()}; expected floating point tensors)");
            return ct;
        }

        // ---------------------------------------------------------------- mse / smooth_l1 / huber (fused)

        /// <summary>
        /// Elementwise loss of d = x − y, reduced in the same pass. The backward recomputes d from the
        /// saved inputs (no [N]-sized temporaries are kept alive) and gives both input and target a gradient.
        /// </summary>
        internal static Tensor Pointwise(Tensor input, Tensor target, LossReduction red, PointwiseLoss kind, double param, string who)
        {
            NotNull(input, "input", who); NotNull(target, "target", who);
            string kernel = kind switch { PointwiseLoss.Mse => "mse_cpu", PointwiseLoss.SmoothL1 => "smooth_l1_cpu", _ => "huber_cpu" };
            var ct = FloatType(input, target, kernel, who);
            var shape = BroadcastTarget(input, target, who);
            var x = input.to_nograd(ct, false).expand_nograd(shape).contiguous_nograd();
            var y = target.to_nograd(ct, false).expand_nograd(shape).contiguous_nograd();
            var r = Tensor.Empty(red == LossReduction.None ? shape : Shape.Scalar, ct);
            LossKernels.PointwiseForward(ct, x._storage.RawArray, x._offset, y._storage.RawArray, y._offset, r._storage.RawArray, x.Numel, red, kind, param, kernel);
            if (Tensor.NeedsGrad(input, target))
            {
                var sx = new SavedTensor(input); var st = new SavedTensor(target);
                string name = kind switch { PointwiseLoss.Mse => "MseLossBackward0", PointwiseLoss.SmoothL1 => "SmoothL1LossBackward0", _ => "HuberLossBackward0" };
                Tensor.Record(r, name, g =>
                {
                    Tensor xi = sx.Get(), ti = st.Get();
                    var d = xi.sub(ti);
                    Tensor gd = kind switch
                    {
                        PointwiseLoss.Mse => d.mul(2.0),
                        _ => PointwiseDerivative(d, kind, param),
                    };
                    if (red == LossReduction.Mean) gd = gd.div((double)Math.Max(Shape.Numel(shape), 0));
                    gd = gd.mul(g);
                    return (xi._requiresGrad ? Tensor.GradFor(gd, xi) : null, ti._requiresGrad ? Tensor.GradFor(gd.neg(), ti) : null);
                }, true, input, target);
            }
            return r;
        }

        /// <summary>d/dd of smooth_l1 (clamp(d/β, −1, 1)) or huber (clamp(d, −δ, δ)) as a no-grad tensor.</summary>
        static Tensor PointwiseDerivative(Tensor d, PointwiseLoss kind, double p)
        {
            var dc = d.detach().contiguous_nograd();
            var r = Tensor.Empty(dc._shape, dc.dtype);
            LossKernels.PointwiseDerivative(dc.dtype, dc._storage.RawArray, dc._offset, r._storage.RawArray, dc.Numel, kind, p, kind == PointwiseLoss.SmoothL1 ? "smooth_l1_backward" : "huber_backward");
            return r;
        }

        internal static Tensor L1(Tensor input, Tensor target, LossReduction red, string who)
        {
            NotNull(input, "input", who); NotNull(target, "target", who);
            FloatType(input, target, "abs_cpu", who);
            BroadcastTarget(input, target, who);
            // PyTorch 1.13 composes l1_loss from sub, abs and the reduction (grad_fn AbsBackward0 / MeanBackward0 / SumBackward0).
            return Reduce(input.sub(target).abs(), red);
        }

        internal static Tensor SmoothL1(Tensor input, Tensor target, LossReduction red, double beta, string who)
        {
            if (beta < 0) throw new ArgumentException($"{who}: smooth_l1_loss does not support negative values for beta. (got beta={Args.Py(beta)})");
            // beta = 0 is l1_loss; PyTorch still records SmoothL1LossBackward0 for it, as this does.
            return Pointwise(input, target, red, PointwiseLoss.SmoothL1, beta, who);
        }

        internal static Tensor Huber(Tensor input, Tensor target, LossReduction red, double delta, string who)
        {
            if (!(delta > 0)) throw new ArgumentException($"{who}: huber_loss does not support non-positive values for delta. (got delta={Args.Py(delta)})");
            return Pointwise(input, target, red, PointwiseLoss.Huber, delta, who);
        }

        // ---------------------------------------------------------------- binary cross entropy

        static Tensor? BroadcastWeight(Tensor? weight, int[] shape, string name, string who)
        {
            if (weight is null || Shape.SameShape(weight._shape, shape)) return weight;
            try { Shape.ExpandStrides(weight._shape, weight._strides, shape); }
            catch (ArgumentException)
            {
                throw new ArgumentException($"{who}: {name} of shape {Shape.Str(weight._shape)} cannot be broadcast to the target's shape {Shape.Str(shape)}");
            }
            return weight.expand(Shape.ToLong(shape));
        }

        internal static Tensor Bce(Tensor input, Tensor target, Tensor? weight, LossReduction red, string who)
        {
            NotNull(input, "input", who); NotNull(target, "target", who);
            if (!Shape.SameShape(input._shape, target._shape))
                throw new ArgumentException($"{who}: Using a target size ({SizeStr(target._shape)}) that is different to the input size ({SizeStr(input._shape)}) is deprecated. Please ensure they have the same size.");
            // PyTorch's kernel runs in the input's dtype: the target must match it; a weight is converted.
            var ct = FloatType(input, input, "binary_cross_entropy", who);
            if (target.dtype != ct)
                throw new ArgumentException($"{who}: Found dtype {target.dtype.CName()} but expected {ct.CName()} (the target must have the input's dtype {ct.TorchName()})");
            var w = BroadcastWeight(weight, input._shape, "weight", who);
            var x = input.to_nograd(ct, false).contiguous_nograd();
            var y = target.to_nograd(ct, false).contiguous_nograd();
            var r = Tensor.Empty(input._shape, ct);
            if (!LossKernels.BceForward(ct, x._storage.RawArray, x._offset, y._storage.RawArray, y._offset, r._storage.RawArray, r.Numel, "binary_cross_entropy"))
            {
                var bad = x.ToArray<double>().First(v => !(v >= 0 && v <= 1));
                throw new ArgumentException($"{who}: all elements of input should be between 0 and 1 (found {bad.ToString(System.Globalization.CultureInfo.InvariantCulture)}; apply sigmoid first, or use binary_cross_entropy_with_logits / BCEWithLogitsLoss on raw scores)");
            }
            var wd = w?.to_nograd(ct, false);
            if (wd is not null) r = r.mul(wd);
            var loss = ReduceNoGrad(r, red);
            RecordElementwiseLoss(loss, input, target, red, "BinaryCrossEntropyBackward0", (xi, ti, ge) =>
            {
                if (wd is not null) ge = ge.mul(wd);
                // PyTorch: g·(x − y) / max((1 − x)·x, 1e-12); the target's: g·(log(1 − x) − log x), unclamped (±inf at 0 and 1).
                Tensor? gx = null, gt = null;
                if (xi._requiresGrad) gx = Tensor.GradFor(ge.mul(xi.sub(ti)).div(xi.rsub(1).mul(xi).clamp_min(1e-12)), xi);
                if (ti._requiresGrad) gt = Tensor.GradFor(ge.mul(xi.neg().log1p().sub(xi.log())), ti);
                return (gx, gt);
            });
            return loss;
        }

        /// <summary>
        /// Records the single backward node of an elementwise loss over (input, target):
        /// <paramref name="grads"/> gets the saved input and target and the gradient spread back over the elements.
        /// </summary>
        static void RecordElementwiseLoss(Tensor loss, Tensor input, Tensor target, LossReduction red, string name,
            Func<Tensor, Tensor, Tensor, (Tensor?, Tensor?)> grads)
        {
            if (!Tensor.NeedsGrad(input, target)) return;
            var sx = new SavedTensor(input); var st = new SavedTensor(target); var shape = input._shape;
            Tensor.Record(loss, name, g => grads(sx.Get(), st.Get(), ExpandGrad(g, red, shape)), true, input, target);
        }

        /// <summary>The reduction of an elementwise loss whose single backward node is recorded by the caller.</summary>
        static Tensor ReduceNoGrad(Tensor elementwise, LossReduction red)
        {
            using var _ = torch.no_grad();
            return Reduce(elementwise, red);
        }

        /// <summary>The gradient of a reduced loss spread back over the elements.</summary>
        static Tensor ExpandGrad(Tensor g, LossReduction red, int[] shape) => red switch
        {
            LossReduction.None => g,
            LossReduction.Mean => g.div((double)Shape.Numel(shape)).GradExpand(shape),
            _ => g.GradExpand(shape),
        };

        internal static Tensor BceWithLogits(Tensor input, Tensor target, Tensor? weight, Tensor? posWeight, LossReduction red, string who)
        {
            NotNull(input, "input", who); NotNull(target, "target", who);
            if (!Shape.SameShape(input._shape, target._shape))
                throw new ArgumentException($"{who}: Target size ({SizeStr(target._shape)}) must be the same as input size ({SizeStr(input._shape)})");
            var ct = FloatType(input, target, "binary_cross_entropy_with_logits", who);
            var w = BroadcastWeight(weight, input._shape, "weight", who);
            var pw = BroadcastWeight(posWeight, input._shape, "pos_weight", who);
            // weight and pos_weight are applied in place in PyTorch, so they take the loss's dtype.
            Tensor Dense(Tensor t) => t.to_nograd(ct, false).contiguous_nograd();
            var loss = Tensor.Empty(input._shape, ct);
            Tensor x = Dense(input), y = Dense(target);
            Tensor? wd = w is null ? null : Dense(w), pwd = pw is null ? null : Dense(pw);
            LossKernels.BceLogitsForward(ct, x._storage.RawArray, x._offset, y._storage.RawArray, y._offset, wd?._storage.RawArray, wd?._offset ?? 0,
                pwd?._storage.RawArray, pwd?._offset ?? 0, loss._storage.RawArray, loss.Numel, "binary_cross_entropy_with_logits");
            var reduced = ReduceNoGrad(loss, red);
            RecordElementwiseLoss(reduced, input, target, red, "BinaryCrossEntropyWithLogitsBackward0", (xi, ti, ge) =>
            {
                if (w is not null) ge = ge.mul(w.detach());
                Tensor? gx = null, gt = null;
                if (xi._requiresGrad)
                {
                    var s = xi.sigmoid();
                    var d = pw is null ? s.sub(ti) : pw.mul(ti).add(1).sub(ti).mul(s).sub(pw.mul(ti));
                    gx = Tensor.GradFor(d.mul(ge), xi);
                }
                if (ti._requiresGrad)
                {
                    // d/dy of (1 − y)·x + (1 + (pw − 1)·y)·softplus(−x) = −x + (pw − 1)·softplus(−x).
                    Tensor d = xi.neg();
                    if (pw is not null) d = d.add(pw.sub(1).mul(xi.neg().clamp_min(0).add(xi.abs().neg().exp().log1p())));
                    gt = Tensor.GradFor(d.mul(ge), ti);
                }
                return (gx, gt);
            });
            return reduced;
        }

        // ---------------------------------------------------------------- nll_loss / cross_entropy

        /// <summary>Checks input/target/weight of nll_loss and cross_entropy; returns (N, C, S) with S = Π d_i.</summary>
        static (int n, int c, int s) ClassGeometry(Tensor input, Tensor target, Tensor? weight, string who)
        {
            int nd = input._shape.Length;
            if (nd < 1)
                throw new ArgumentException($"{who}: expected an input of shape [C], [N, C] or [N, C, d1, ...], got a 0-dim tensor");
            if (target.dtype != ScalarType.Int64)
                throw new ArgumentException($"{who}: expected scalar type Long but found {target.dtype.CName()} (class-index targets must be int64: use target.@long())");
            if (nd == 1)
            {
                if (target._shape.Length != 0)
                    throw new ArgumentException($"{who}: size mismatch (got input: {Shape.Str(input._shape)}, target: {Shape.Str(target._shape)}): an input of shape [C] takes a 0-dim target");
            }
            else
            {
                if (target._shape.Length == 0 || target._shape[0] != input._shape[0])
                    throw new ArgumentException($"{who}: Expected input batch_size ({input._shape[0]}) to match target batch_size ({(target._shape.Length == 0 ? 0 : target._shape[0])}). (input {Shape.Str(input._shape)}, target {Shape.Str(target._shape)})");
                if (nd == 2 && target._shape.Length > 1)
                    throw new ArgumentException($"{who}: 0D or 1D target tensor expected, multi-target not supported (input {Shape.Str(input._shape)}, target {Shape.Str(target._shape)})");
                if (nd > 2)
                {
                    var expected = new int[nd - 1];
                    expected[0] = input._shape[0];
                    for (int i = 2; i < nd; i++) expected[i - 1] = input._shape[i];
                    if (!Shape.SameShape(expected, target._shape))
                        throw new ArgumentException($"{who}: Expected target size {Shape.Str(expected)}, got {Shape.Str(target._shape)} (input {Shape.Str(input._shape)})");
                }
            }
            int c = nd == 1 ? input._shape[0] : input._shape[1];
            if (weight is not null)
            {
                if (weight._shape.Length != 1 || weight._shape[0] != c)
                    throw new ArgumentException($"{who}: weight tensor should be defined either for all {c} classes or no classes but got weight tensor of shape: {Shape.Str(weight._shape)}");
                if (weight.dtype != input.dtype)
                    throw new ArgumentException($"{who}: expected scalar type {input.dtype.CName()} but found {weight.dtype.CName()} (the weight must have the input's dtype {input.dtype.TorchName()})");
            }
            if (!input.dtype.IsFloating())
                throw new ArgumentException($"{who}: \"nll_loss\" not implemented for '{input.dtype.CName()}' (expected a floating point input)");
            int n = nd == 1 ? 1 : input._shape[0], s = 1;
            for (int i = 2; i < nd; i++) s *= input._shape[i];
            return (n, c, s);
        }

        /// <summary>Validates the targets (ignore_index or in [0, C)) before anything is computed.</summary>
        static void CheckTargets(ReadOnlySpan<long> t, int c, long ignoreIndex, string who)
        {
            for (int i = 0; i < t.Length; i++)
            {
                long v = t[i];
                if (v != ignoreIndex && (ulong)v >= (ulong)c)
                    throw new ArgumentException($"{who}: Target {v} is out of bounds. (class indices must be in [0, {c - 1}] for an input with {c} classes{(ignoreIndex is >= 0 or -100 ? $", or ignore_index={ignoreIndex}" : "")})");
            }
        }

        internal static Tensor Nll(Tensor input, Tensor target, Tensor? weight, long ignoreIndex, LossReduction red, string who)
        {
            NotNull(input, "input", who); NotNull(target, "target", who);
            var (n, c, s) = ClassGeometry(input, target, weight, who);
            var tc = target.contiguous_nograd();
            CheckTargets(tc.Span<long>(), c, ignoreIndex, who);
            var x = input.contiguous_nograd();
            var wc = weight?.contiguous_nograd();
            int[] outShape = red != LossReduction.None ? Shape.Scalar : target._shape;
            var r = Tensor.Empty(outShape, input.dtype);
            long[] tb = tc.Buffer<long>();
            double totalWeight = LossKernels.NllForward(input.dtype, x._storage.RawArray, x._offset, tb, tc._offset, wc?._storage.RawArray, wc?._offset ?? 0,
                r._storage.RawArray, n, c, s, ignoreIndex, red, "nll_loss");
            if (Tensor.NeedsGrad(input))
            {
                string name = input._shape.Length > 2 ? "NllLoss2DBackward0" : "NllLossBackward0";
                var shape = input._shape; var dt = input.dtype;
                // Target and weight are saved like PyTorch's SavedVariables: changing them in place before backward is an error.
                var st = new SavedTensor(target); SavedTensor? sw = weight is null ? null : new SavedTensor(weight);
                Tensor.Record(r, name, g =>
                {
                    st.Get(); sw?.Get();
                    var gi = Tensor.Empty(shape, dt, clear: true);
                    var gc = g.to_nograd(dt, false).contiguous_nograd();
                    LossKernels.NllBackward(dt, gc._storage.RawArray, gc._offset, tb, tc._offset, wc?._storage.RawArray, wc?._offset ?? 0,
                        gi._storage.RawArray, n, c, s, ignoreIndex, red, totalWeight, "nll_loss_backward");
                    return gi;
                }, false, input);
            }
            return r;
        }

        internal static Tensor CrossEntropy(Tensor input, Tensor target, Tensor? weight, long ignoreIndex, LossReduction red, double labelSmoothing, string who)
        {
            NotNull(input, "input", who); NotNull(target, "target", who);
            if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
                throw new ArgumentException($"{who}: label_smoothing must be between 0.0 and 1.0. Got: {Args.Py(labelSmoothing)}");
            if (input._shape.Length < 1)
                throw new ArgumentException($"{who}: expected an input of shape [C], [N, C] or [N, C, d1, ...], got a 0-dim tensor");
            if (!input.dtype.IsFloating())
                throw new ArgumentException($"{who}: expected a floating point input (scores), got {input.dtype.TorchName()}");
            int classDim = input._shape.Length == 1 ? 0 : 1;
            int c = input._shape[classDim];
            if (target.dtype.IsFloating()) return CrossEntropyProbs(input, target, weight, ignoreIndex, red, labelSmoothing, classDim, c, who);

            ClassGeometry(input, target, weight, who);
            CheckTargets(target.contiguous_nograd().Span<long>(), c, ignoreIndex, who);
            if (labelSmoothing == 0)
            {
                if (input._shape.Length <= 2) return CrossEntropyFused(input, target, weight, ignoreIndex, red);
                return Nll(input.log_softmax(classDim), target, weight, ignoreIndex, red, who);
            }
            // PyTorch 1.13's cross_entropy_loss_label_smoothing, op for op.
            var logp = input.log_softmax(classDim);
            var nll = Nll(logp, target, weight, ignoreIndex, red, who);
            var ignoreMask = target.eq(ignoreIndex);
            Tensor smooth = weight is null ? logp.sum(classDim).neg() : logp.mul(weight.view(ClassBroadcastShape(input._shape.Length, c))).sum(classDim).neg();
            smooth = smooth.masked_fill(ignoreMask, 0.0);
            Tensor ret = red switch
            {
                LossReduction.Mean when weight is not null => smooth.sum().div(weight.gather(0, target.masked_select(ignoreMask.logical_not()).flatten()).sum()),
                LossReduction.Mean => smooth.sum().div(ignoreMask.logical_not().sum()),
                LossReduction.Sum => smooth.sum(),
                _ => smooth,
            };
            return nll.mul(1 - labelSmoothing).add(ret.mul(labelSmoothing / c));
        }

        static long[] ClassBroadcastShape(int ndim, int c)
        {
            var s = new long[ndim];
            Array.Fill(s, 1L);
            s[ndim == 1 ? 0 : 1] = c;
            return s;
        }

        static Tensor CrossEntropyProbs(Tensor input, Tensor target, Tensor? weight, long ignoreIndex, LossReduction red, double ls, int classDim, int c, string who)
        {
            if (ignoreIndex != -100)
                throw new ArgumentException($"{who}: ignore_index is not supported for floating point target (got ignore_index={ignoreIndex} with a {target.dtype.TorchName()} target of class probabilities)");
            if (!Shape.SameShape(input._shape, target._shape))
                throw new ArgumentException($"{who}: Expected target size {Shape.Str(input._shape)}, got {Shape.Str(target._shape)} (class-probability targets have the input's shape; class-index targets must be int64)");
            if (weight is not null && (weight._shape.Length != 1 || weight._shape[0] != c))
                throw new ArgumentException($"{who}: cross_entropy: weight tensor should be defined either for all {c} classes or no classes but got weight tensor of shape: {Shape.Str(weight._shape)}");
            var logp = input.log_softmax(classDim);
            var t = ls > 0 ? target.mul(1 - ls).add(ls / c) : target;
            var prod = logp.mul(t);
            if (weight is not null) prod = prod.mul(weight.view(ClassBroadcastShape(input._shape.Length, c)));
            return red switch
            {
                LossReduction.Mean when input.Numel == 0 => prod.sum().neg().mul(double.NaN),
                LossReduction.Mean => prod.sum().neg().div((long)(input.Numel / c)),
                LossReduction.Sum => prod.sum().neg(),
                _ => prod.sum(classDim).neg(),
            };
        }

        /// <summary>
        /// cross_entropy for [N, C] (or [C]) scores and class indices in one pass per row: the loss
        /// is w[t]·(logsumexp(x) − x[t]), and the backward writes coef·(softmax(x) − onehot(t)) directly,
        /// recomputing softmax from the saved input and per-row logsumexp. The node keeps PyTorch's
        /// grad_fn name (NllLossBackward0), but links straight to the input (no LogSoftmaxBackward0 in between).
        /// </summary>
        static Tensor CrossEntropyFused(Tensor input, Tensor target, Tensor? weight, long ignoreIndex, LossReduction red)
        {
            int n = input._shape.Length == 1 ? 1 : input._shape[0], c = input._shape[^1];
            var x = input.contiguous_nograd();
            var t = target.contiguous_nograd();
            var w = weight?.contiguous_nograd();
            var r = Tensor.Empty(red == LossReduction.None ? target._shape : Shape.Scalar, input.dtype);
            var lse = new double[n];
            long[] tb = t.Buffer<long>();
            double total = LossKernels.CeForward(input.dtype, x._storage.RawArray, x._offset, tb, t._offset, w?._storage.RawArray, w?._offset ?? 0,
                r._storage.RawArray, lse, n, c, ignoreIndex, red, "cross_entropy");
            if (Tensor.NeedsGrad(input))
            {
                var sx = new SavedTensor(input); var st = new SavedTensor(target);
                SavedTensor? sw = weight is null ? null : new SavedTensor(weight);
                Tensor.Record(r, "NllLossBackward0", g =>
                {
                    st.Get(); sw?.Get();
                    var xi = sx.Get().contiguous_nograd();
                    var gi = Tensor.Empty(input._shape, input.dtype);
                    var gc = g.to_nograd(input.dtype, false).contiguous_nograd();
                    LossKernels.CeBackward(input.dtype, xi._storage.RawArray, xi._offset, tb, t._offset, w?._storage.RawArray, w?._offset ?? 0,
                        gc._storage.RawArray, gc._offset, gi._storage.RawArray, lse, n, c, ignoreIndex, red, total, "nll_loss_backward");
                    return gi;
                }, true, input);
            }
            return r;
        }

        // ---------------------------------------------------------------- kl_div

        internal static Tensor KlDiv(Tensor input, Tensor target, LossReduction red, bool logTarget, string who)
        {
            NotNull(input, "input", who); NotNull(target, "target", who);
            FloatType(input, target, "kl_div", who);
            BroadcastTarget(input, target, who, warn: false);
            if (red == LossReduction.Mean)
                Warnings.Warn("reduction: 'mean' divides the total loss by both the batch size and the support size.'batchmean' divides only by the batch size, and aligns with the KL div math definition.'mean' will be changed to behave the same as 'batchmean' in the next major release.");
            // PyTorch 1.13's composite: exp(y)·(y − x), or xlogy(y, y) − y·x (0 where y = 0).
            Tensor loss;
            if (logTarget) loss = target.exp().mul(target.sub(input));
            else
            {
                var ylogy = torch.where(target.eq(0), 0.0, target.mul(target.log()));
                loss = ylogy.sub(target.mul(input));
            }
            return red switch
            {
                LossReduction.BatchMean => input._shape.Length == 0 ? loss.sum() : loss.sum().div((long)input._shape[0]),
                _ => Reduce(loss, red),
            };
        }
    }
}
