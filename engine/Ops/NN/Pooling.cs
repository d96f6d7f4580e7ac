using Torchlet.Kernels;

namespace Torchlet
{
    /// <summary>
    /// The pooling ops behind the modules and functional forms: argument checks with PyTorch's
    /// messages, output sizes, kernels (Kernels/Pool.cs), and backward rules beside the forwards.
    /// Spatial ops work on the trailing nd dims of any leading (N, C) / (C) layout, as planes.
    /// </summary>
    internal static class PoolOps
    {
        internal static long[]? L(long? v) => v is { } x ? [x] : null;
        internal static long[] L2((long, long) t) => [t.Item1, t.Item2];
        internal static long[]? L2((long, long)? t) => t is { } x ? [x.Item1, x.Item2] : null;
        internal static long[] L3((long, long, long) t) => [t.Item1, t.Item2, t.Item3];
        internal static long[]? L3((long, long, long)? t) => t is { } x ? [x.Item1, x.Item2, x.Item3] : null;

        /// <summary>Error message prefixed by the layer's repr when a module is calling.</summary>
        internal static string Msg(object? layer, string text) => layer is null ? text : $"{layer}: {text}";

        /// <summary>An int-or-tuple argument as nd ints (one value repeats); null gives <paramref name="dflt"/>.</summary>
        internal static int[] Arg(long[]? v, int nd, int[]? dflt, string error)
        {
            if (v is null || (v.Length == 0 && dflt is not null)) return dflt ?? throw new ArgumentException(error);
            if (v.Length != 1 && v.Length != nd) throw new ArgumentException(error);
            var r = new int[nd];
            for (int i = 0; i < nd; i++)
            {
                long x = v.Length == 1 ? v[0] : v[i];
                if (x > int.MaxValue || x < int.MinValue) throw new ArgumentException($"{error}; got {x}");
                r[i] = (int)x;
            }
            return r;
        }

        /// <summary>The 1-d kernel_size, stride (default: the kernel) and padding, with PyTorch's messages for <paramref name="fn"/>.</summary>
        static (int[] k, int[] s, int[] p) Args1d(long[] kernel_size, long[]? stride, long[]? padding, string fn)
        {
            var k = Arg(kernel_size, 1, null, $"{fn}: kernel_size must be a single int or a tuple of one int");
            var s = Arg(stride, 1, k, $"{fn}: stride must be a single int or a tuple of one int");
            return (k, s, Arg(padding, 1, [0], $"{fn}: padding must be a single int or a tuple of one int"));
        }

        static readonly string[] DimNames = ["D", "H", "W"];

        static string Formula(int nd, int[] inSp, int[] k, int[] s, int[] p, int[] d, bool ceil, int[] outSp)
        {
            var f = ceil ? "ceil" : "floor";
            var parts = new List<string>();
            for (int i = 0; i < nd; i++)
            {
                var n = nd == 1 ? "L" : DimNames[3 - nd + i];
                parts.Add($"{n}_out = {f}(({n}_in + 2*padding - dilation*(kernel_size-1) - 1)/stride) + 1 = {f}(({inSp[i]} + 2*{p[i]} - {d[i]}*({k[i]}-1) - 1)/{s[i]}) + 1 = {outSp[i]}");
            }
            return string.Join("; ", parts);
        }

        static string Sizes(ReadOnlySpan<int> s) => string.Join("x", s.ToArray());

        /// <summary>Input rank check for an nd-d op: nd+1 (unbatched) or nd+2 dims.</summary>
        static void CheckRank(Tensor x, int nd, object? layer, string text)
        {
            if (x.dim() != nd + 1 && x.dim() != nd + 2)
                throw new ArgumentException(Msg(layer, $"{text}; got input of shape {Shape.Str(x._shape)}"));
        }

        /// <summary>
        /// Checks kernel/stride/padding/dilation and computes the spatial output sizes, with PyTorch's
        /// messages (and, for an empty output, the output-size formula with the numbers filled in).
        /// </summary>
        static int[] Geometry(Tensor x, int nd, int[] k, int[] s, int[] p, int[] d, bool ceil, object? layer)
        {
            int nsp = x.dim() - nd;
            var inSp = x._shape.AsSpan(nsp).ToArray();
            for (int i = 0; i < nd; i++)
            {
                if (s[i] == 0) throw new ArgumentException(Msg(layer, "stride should not be zero"));
                if (k[i] <= 0) throw new ArgumentException(Msg(layer, $"kernel size should be greater than zero, but got kernel_size={Tuple(k)}"));
                if (s[i] < 0) throw new ArgumentException(Msg(layer, $"stride should be greater than zero, but got stride={Tuple(s)}"));
                if (d[i] <= 0) throw new ArgumentException(Msg(layer, $"dilation should be greater than zero, but got dilation={Tuple(d)}"));
                if (p[i] < 0) throw new ArgumentException(Msg(layer, $"pad must be non-negative, but got pad: {p[i]}"));
                if (p[i] > k[i] / 2) throw new ArgumentException(Msg(layer, $"pad should be at most half of kernel size, but got pad={p[i]} and kernel_size={k[i]}"));
            }
            for (int i = x.dim() - nd - (x.dim() == nd + 2 ? 1 : 0); i < x.dim(); i++)
                if (x._shape[i] == 0)
                    throw new ArgumentException(Msg(layer, $"Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with optional 0 dim batch size for input, but got:{Shape.Str(x._shape)}"));
            var outSp = new int[nd];
            bool empty = false;
            for (int i = 0; i < nd; i++)
            {
                // Clamped, not cast: a kernel of 2^31 − 1 gives about −2^31.5, which a cast wraps to a large positive size.
                outSp[i] = (int)Math.Clamp(Modules.OutputSize.Pool(inSp[i], k[i], s[i], p[i], d[i], ceil), int.MinValue, int.MaxValue);
                empty |= outSp[i] <= 0 || inSp[i] == 0;
            }
            if (empty)
            {
                int c = x.dim() == nd + 2 ? x._shape[1] : x._shape[0];
                throw new ArgumentException(Msg(layer,
                    $"Given input size: ({Sizes([c, .. inSp])}). Calculated output size: ({Sizes([c, .. outSp])}). Output size is too small " +
                    $"(input of shape {Shape.Str(x._shape)}: {Formula(nd, inSp, k, s, p, d, ceil, outSp)})"));
            }
            return outSp;
        }

        internal static string Tuple(int[] v) => v.Length == 1 ? $"({v[0]},)" : "(" + string.Join(", ", v) + ")";

        static int[] OutShape(Tensor x, int nd, int[] outSp)
        {
            var r = (int[])x._shape.Clone();
            for (int i = 0; i < nd; i++) r[r.Length - nd + i] = outSp[i];
            return r;
        }

        /// <summary>The three PoolDims (leading unit dims for 1-d/2-d ops).</summary>
        static (PoolDim, PoolDim, PoolDim) Dims3(PoolDim[] dims) => dims.Length switch
        {
            1 => (PoolDim.Unit, PoolDim.Unit, dims[0]),
            2 => (PoolDim.Unit, dims[0], dims[1]),
            _ => (dims[0], dims[1], dims[2]),
        };

        static int PlaneSize(int[] shape, int nd)
        {
            int n = 1;
            for (int i = shape.Length - nd; i < shape.Length; i++) n *= shape[i];
            return n;
        }

        static int Planes(int[] shape, int nd)
        {
            int n = 1;
            for (int i = 0; i < shape.Length - nd; i++) n *= shape[i];
            return n;
        }

        static Tensor Apply(Tensor x, int[] outShape, bool clear, PlaneOp k)
        {
            var xc = x.contiguous_nograd();
            var y = Tensor.Empty(outShape, x.dtype, clear);
            k.Run(xc, y);
            return y;
        }

        /// <summary>
        /// A linear op y = F(x) whose backward is its adjoint Fᵀ, itself recorded (named
        /// <paramref name="nameT"/>) so that double backward works as in PyTorch.
        /// </summary>
        static Tensor Linear(Tensor x, int[] outShape, PlaneOp f, bool fClear, int[] inShape, PlaneOp fT, bool tClear, string name, string nameT)
        {
            var y = Apply(x, outShape, fClear, f);
            if (Tensor.NeedsGrad(x))
            {
                var dt = x.dtype;
                Tensor.Record(y, name, g => Linear(As(g, dt), inShape, fT, tClear, outShape, f, fClear, nameT, name), false, x);
            }
            return y;
        }

        /// <summary>The kernels read the gradient with the output's element type.</summary>
        internal static Tensor As(Tensor g, ScalarType dt) => g.dtype == dt ? g : g.to(dt);

        /// <summary>Max over windows with indices; backward scatters the gradient to the argmax positions.</summary>
        /// <remarks>
        /// Without <paramref name="indices"/> and without a graph to record (inference), no indices are
        /// written (a third of the memory traffic of a 2×2 pool) and the returned indices are null.
        /// </remarks>
        static (Tensor, Tensor) MaxWindows(Tensor x, int nd, PoolDim[] dims, int[] outShape, string name, bool indices)
        {
            var xc = x.contiguous_nograd();
            var y = Tensor.Empty(outShape, x.dtype);
            var idx = indices || Tensor.NeedsGrad(x) ? Tensor.Empty(outShape, ScalarType.Int64) : null;
            var (pd, ph, pw) = Dims3(dims);
            int planes = Planes(x._shape, nd);
            Pool.MaxForward(x.dtype, xc._storage.RawArray, xc._offset, y._storage.RawArray, idx?._storage.RawArray, planes, pd, ph, pw, "max_pool");
            if (idx is null) return (y, null!);
            if (Tensor.NeedsGrad(x))
            {
                var saved = new SavedTensor(x);   // PyTorch saves self: an in-place change to it is reported
                int[] inShape = x._shape;
                var dt = x.dtype;
                var gather = new PlaneOp(PlaneKind.Gather, nd, idx);
                // Windows that tile the input (2×2, stride 2): every input gradient is written once, no zeroing pass.
                bool tiled = pd.Out == 1 && pd.In == 1 && ph.IsPlain2x2 && pw.IsPlain2x2;
                var scatter = tiled ? new PlaneOp(PlaneKind.Scatter2x2, 2, idx, null, ph, pw) : new PlaneOp(PlaneKind.ScatterAdd, nd, idx);
                Tensor.Record(y, name, g =>
                {
                    saved.Get();
                    return Linear(As(g, dt), inShape, scatter, !tiled, outShape, gather, false, name.Replace("Backward0", "BackwardBackward0"), name);
                }, true, x);
            }
            return (y, idx);
        }

        static void CheckFloat(Tensor x, string fn, object? layer)
        {
            if (!x.dtype.IsFloating())
                throw new ArgumentException(Msg(layer, $"\"{fn}\" not implemented for '{x.dtype.CName()}': expected a floating point input, got {x.dtype.TorchName()}"));
        }

        // ------------------------------------------------------------------ max / avg pooling

        /// <summary>max_pool{nd}d_with_indices (nd = 2, 3; 1-d goes through 2-d as PyTorch does).</summary>
        internal static (Tensor output, Tensor indices) MaxPool(Tensor x, int nd, long[] kernel_size, long[]? stride, long[]? padding, long[]? dilation, bool ceil_mode, object? layer = null, bool indices = true)
        {
            if (nd == 1)
            {
                if (x.dim() != 2 && x.dim() != 3)
                    throw new ArgumentException(Msg(layer, $"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:{Shape.Str(x._shape)}"));
                var (k1, s1, p1) = Args1d(kernel_size, stride, padding, "max_pool1d");
                var d1 = Arg(dilation, 1, [1], "max_pool1d: dilation must be a single int or a tuple of one int");
                var (o, i) = MaxPool(x.unsqueeze(-2), 2, [1, k1[0]], [1, s1[0]], [0, p1[0]], [1, d1[0]], ceil_mode, layer, indices);
                return (o.squeeze(-2), i?.squeeze(-2)!);
            }
            string fn = $"max_pool{nd}d", tupleOf = nd == 2 ? "two" : "three";
            var k = Arg(kernel_size, nd, null, $"{fn}: kernel_size must either be a single int, or a tuple of {tupleOf} ints");
            var s = Arg(stride, nd, k, $"{fn}: stride must either be omitted, a single int, or a tuple of {tupleOf} ints");
            var p = Arg(padding, nd, new int[nd], $"{fn}: padding must either be a single int, or a tuple of {tupleOf} ints");
            var d = Arg(dilation, nd, Enumerable.Repeat(1, nd).ToArray(), $"{fn}: dilation must be either a single int, or a tuple of {tupleOf} ints");
            CheckRank(x, nd, layer, nd == 2 ? "non-empty 3D or 4D (batch mode) tensor expected for input" : "non-empty 4D or 5D (batch mode) tensor expected for input");
            CheckFloat(x, fn, layer);
            var outSp = Geometry(x, nd, k, s, p, d, ceil_mode, layer);
            var dims = new PoolDim[nd];
            for (int i = 0; i < nd; i++) dims[i] = PoolDim.Regular(x._shape[x.dim() - nd + i], outSp[i], k[i], s[i], p[i], d[i], true);
            return MaxWindows(x, nd, dims, OutShape(x, nd, outSp), $"MaxPool{nd}DWithIndicesBackward0", indices);
        }

        /// <summary>avg_pool{nd}d (1-d through 2-d as PyTorch does).</summary>
        internal static Tensor AvgPool(Tensor x, int nd, long[] kernel_size, long[]? stride, long[]? padding, bool ceil_mode, bool count_include_pad, long? divisor_override, object? layer = null)
        {
            if (nd == 1)
            {
                if (x.dim() != 2 && x.dim() != 3)
                    throw new ArgumentException(Msg(layer, $"Expected 2 to 3 dimensions, but got {x.dim()}-dimensional tensor for argument #1 'self' (while checking arguments for avg_pool1d); input shape {Shape.Str(x._shape)}"));
                var (k1, s1, p1) = Args1d(kernel_size, stride, padding, "avg_pool1d");
                return AvgPool(x.unsqueeze(-2), 2, [1, k1[0]], [1, s1[0]], [0, p1[0]], ceil_mode, count_include_pad, null, layer).squeeze(-2);
            }
            string fn = $"avg_pool{nd}d", tupleOf = nd == 2 ? "two" : "three";
            var k = Arg(kernel_size, nd, null, $"{fn}: kernel_size must either be a single int, or a tuple of {tupleOf} ints");
            var s = Arg(stride, nd, k, $"{fn}: stride must either be omitted, a single int, or a tuple of {tupleOf} ints");
            var p = Arg(padding, nd, new int[nd], $"{fn}: padding must either be a single int, or a tuple of {tupleOf} ints");
            if (divisor_override is 0) throw new ArgumentException(Msg(layer, "divisor must be not zero"));
            if (divisor_override is < 0 or > int.MaxValue) throw new ArgumentException(Msg(layer, $"divisor_override must be a positive int, got {divisor_override}"));
            CheckRank(x, nd, layer, nd == 2 ? "non-empty 3D or 4D (batch mode) tensor expected for input" : "non-empty 4D or 5D (batch mode) tensor expected for input");
            CheckFloat(x, fn, layer);
            if (nd == 3)
            {
                // PyTorch's avg_pool3d (only) wants each input dim to hold a whole kernel, padding or not.
                var sp = x._shape.AsSpan(x.dim() - 3);
                if (sp[0] < k[0] || sp[1] < k[1] || sp[2] < k[2])
                    throw new ArgumentException(Msg(layer, $"input image (T: {sp[0]} H: {sp[1]} W: {sp[2]}) smaller than kernel size (kT: {k[0]} kH: {k[1]} kW: {k[2]})"));
            }
            var d = Enumerable.Repeat(1, nd).ToArray();
            var outSp = Geometry(x, nd, k, s, p, d, ceil_mode, layer);
            var dims = new PoolDim[nd];
            for (int i = 0; i < nd; i++) dims[i] = PoolDim.Regular(x._shape[x.dim() - nd + i], outSp[i], k[i], s[i], p[i], 1, count_include_pad);
            return AvgWindows(x, nd, dims, OutShape(x, nd, outSp), (int)(divisor_override ?? 0), $"AvgPool{nd}D");
        }

        static Tensor AvgWindows(Tensor x, int nd, PoolDim[] dims, int[] outShape, int divisor, string op)
        {
            var (pd, ph, pw) = Dims3(dims);
            // Values, not closures: an avg_pool without grad allocates no delegate.
            var f = new PlaneOp(PlaneKind.AvgForward, nd, null, pd, ph, pw, divisor);
            var fT = new PlaneOp(PlaneKind.AvgBackward, nd, null, pd, ph, pw, divisor);
            return Linear(x, outShape, f, false, x._shape, fT, true, $"{op}Backward0", $"{op}BackwardBackward0");
        }

        // ------------------------------------------------------------------ adaptive pooling

        static int[] AdaptiveOut(Tensor x, int nd, long?[] output_size, string fn, object? layer)
        {
            if (output_size.Length != 1 && output_size.Length != nd)
                throw new ArgumentException(Msg(layer, $"{fn}: output_size must be {nd}, got {output_size.Length} values"));
            var r = new int[nd];
            for (int i = 0; i < nd; i++)
            {
                long? v = output_size.Length == 1 ? output_size[0] : output_size[i];
                long o = v ?? x._shape[x.dim() - nd + i];
                if (o < 0 || o > int.MaxValue)
                    throw new ArgumentException(Msg(layer, $"{fn}: elements of output_size must be greater than or equal to 0 but received {{{string.Join(", ", output_size.Select(e => e?.ToString() ?? "None"))}}}"));
                // Before the per-position window tables are made: a size past what an array holds is an ArgumentException naming it.
                if (o > Array.MaxLength)
                    throw new ArgumentException(Msg(layer, $"{fn}: output_size {o} is larger than the {Array.MaxLength} elements a .NET array can hold"));
                r[i] = (int)o;
            }
            Shape.Numel(r);
            return r;
        }

        static void CheckAdaptiveInput(Tensor x, int nd, string fn, object? layer)
        {
            if (nd == 1)
            {
                if (x.dim() != 2 && x.dim() != 3)
                    throw new ArgumentException(Msg(layer, $"Expected 2 to 3 dimensions, but got {x.dim()}-dimensional tensor for argument #1 'self' (while checking arguments for {fn}); input shape {Shape.Str(x._shape)}"));
                return;
            }
            if (x.dim() != nd + 1 && x.dim() != nd + 2)
                throw new ArgumentException(Msg(layer, $"{fn}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {Shape.Str(x._shape)}"));
            for (int i = x.dim() - nd; i < x.dim(); i++)
                if (x._shape[i] == 0)
                    throw new ArgumentException(Msg(layer, $"{fn}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes {Shape.Str(x._shape)} with dimension {i} being empty"));
            CheckFloat(x, fn, layer);
        }

        internal static Tensor AdaptiveAvg(Tensor x, int nd, long?[] output_size, object? layer = null)
        {
            string fn = $"adaptive_avg_pool{nd}d";
            CheckAdaptiveInput(x, nd, fn, layer);
            if (nd == 1)
            {
                if (output_size.Length != 1) throw new ArgumentException(Msg(layer, $"{fn}: output_size must be 1, got {output_size.Length} values"));
                return AdaptiveAvg(x.unsqueeze(-2), 2, [1, output_size[0]], layer).squeeze(-2);
            }
            var outSp = AdaptiveOut(x, nd, output_size, fn, layer);
            // PyTorch computes a 1×1 (×1) adaptive average as a mean over the spatial dims.
            if (outSp.All(o => o == 1)) return x.mean(Enumerable.Range(1, nd).Select(i => (long)-i).ToArray(), keepdim: true);
            var dims = new PoolDim[nd];
            for (int i = 0; i < nd; i++) dims[i] = PoolDim.Adaptive(x._shape[x.dim() - nd + i], outSp[i]);
            return AvgWindows(x, nd, dims, OutShape(x, nd, outSp), 0, $"AdaptiveAvgPool{nd}D");
        }

        internal static (Tensor output, Tensor indices) AdaptiveMax(Tensor x, int nd, long?[] output_size, object? layer = null, bool indices = true)
        {
            string fn = $"adaptive_max_pool{nd}d";
            CheckAdaptiveInput(x, nd, fn, layer);
            if (nd == 1)
            {
                if (output_size.Length != 1) throw new ArgumentException(Msg(layer, $"{fn}: output_size must be 1, got {output_size.Length} values"));
                var (o, i) = AdaptiveMax(x.unsqueeze(-2), 2, [1, output_size[0]], layer, indices);
                return (o.squeeze(-2), i?.squeeze(-2)!);
            }
            var outSp = AdaptiveOut(x, nd, output_size, fn, layer);
            var dims = new PoolDim[nd];
            for (int i = 0; i < nd; i++) dims[i] = PoolDim.Adaptive(x._shape[x.dim() - nd + i], outSp[i]);
            return MaxWindows(x, nd, dims, OutShape(x, nd, outSp), $"AdaptiveMaxPool{nd}DBackward0", indices);
        }

        // ------------------------------------------------------------------ lp pooling

        /// <summary>PyTorch's composite: (sign(a)·relu(|a|)·prod(kernel))^(1/p) with a = avg_pool(x^p).</summary>
        internal static Tensor LpPool(Tensor x, int nd, double norm_type, long[] kernel_size, long[]? stride, bool ceil_mode, object? layer = null)
        {
            var k = Arg(kernel_size, nd, null, $"lp_pool{nd}d: kernel_size must be a single int or a tuple of {nd} ints");
            if (nd == 1 && x.dim() != 2 && x.dim() != 3)
                throw new ArgumentException(Msg(layer, $"Expected 2 to 3 dimensions, but got {x.dim()}-dimensional tensor for argument #1 'self' (while checking arguments for avg_pool1d); input shape {Shape.Str(x._shape)}"));
            if (nd == 2) CheckRank(x, 2, layer, "non-empty 3D or 4D (batch mode) tensor expected for input");
            CheckFloat(x, $"lp_pool{nd}d", layer);
            // Validate the geometry before any op runs, so the error names the layer and the sizes.
            var sk = stride is null ? k : Arg(stride, nd, k, $"lp_pool{nd}d: stride must be a single int or a tuple of {nd} ints");
            Geometry(x, nd, k, sk, new int[nd], Enumerable.Repeat(1, nd).ToArray(), ceil_mode, layer);
            var kl = k.Select(v => (long)v).ToArray();
            var a = AvgPool(x.pow(norm_type), nd, kl, stride, [0], ceil_mode, true, null, layer);
            long prod = 1; foreach (var v in k) prod *= v;
            return a.sign().mul(a.abs().relu()).mul(prod).pow(1.0 / norm_type);
        }

        // ------------------------------------------------------------------ max unpooling

        /// <summary>F.max_unpool{nd}d: default output size (in − 1)·s − 2p + k, a given one checked against [default − s, default + s).</summary>
        internal static Tensor MaxUnpool(Tensor x, Tensor indices, int nd, long[] kernel_size, long[]? stride, long[]? padding, long[]? output_size, object? layer = null)
        {
            string fn = $"max_unpool{nd}d";
            var k = Arg(kernel_size, nd, null, $"{fn}: kernel_size must be a single int or a tuple of {nd} ints");
            var s = Arg(stride, nd, k, $"{fn}: stride must be a single int or a tuple of {nd} ints");
            var p = Arg(padding, nd, new int[nd], $"{fn}: padding must be a single int or a tuple of {nd} ints");
            if (x.dim() < nd + 1)
                throw new ArgumentException(Msg(layer, $"Input to max_unpooling{nd}d should be a {nd + 1}d or {nd + 2}d Tensor, but got a tensor with {x.dim()} dimensions; input shape {Shape.Str(x._shape)}"));
            var def = new int[nd];
            for (int i = 0; i < nd; i++) def[i] = (x._shape[x.dim() - nd + i] - 1) * s[i] + k[i] - 2 * p[i];
            int[] outSp = def;
            if (output_size is not null)
            {
                long[] os = output_size;
                if (os.Length == nd + 2) os = os[2..];
                else if (os.Length != nd)
                    throw new ArgumentException(Msg(layer, $"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has a length of '{output_size.Length}'"));
                outSp = new int[nd];
                for (int i = 0; i < nd; i++)
                {
                    int min = def[i] - s[i], max = def[i] + s[i];
                    if (os[i] < min || os[i] > max)
                        throw new ArgumentException(Msg(layer, $"invalid output_size \"({string.Join(", ", os)}{(os.Length == 1 ? "," : "")})\" (dim {i} must be between {min} and {max})"));
                    outSp[i] = (int)os[i];
                }
            }
            if (nd == 1)
            {
                // PyTorch: max_unpool2d on (..., L, 1).
                return MaxUnpool(x.unsqueeze(-1), indices.unsqueeze(-1), 2, [k[0], 1], [s[0], 1], [p[0], 0], [outSp[0], 1], layer).squeeze(-1);
            }
            if (x.dim() != nd + 1 && x.dim() != nd + 2)
                throw new ArgumentException(Msg(layer, $"Input to max_unpooling{nd}d should be a {nd + 1}d or {nd + 2}d Tensor, but got a tensor with {x.dim()} dimensions; input shape {Shape.Str(x._shape)}"));
            if (indices.dtype != ScalarType.Int64)
                throw new ArgumentException(Msg(layer, $"elements in indices should be type int64 but got: {indices.dtype.CName()}"));
            if (!Shape.SameShape(indices._shape, x._shape))
                throw new ArgumentException(Msg(layer, $"Expected shape of indices to be same as that of the input tensor ({Shape.Str(x._shape)}) but got indices tensor with shape: {Shape.Str(indices._shape)}"));
            CheckFloat(x, fn, layer);
            var outShape = OutShape(x, nd, outSp);
            var idx = indices.contiguous_nograd();
            if (idx._offset != 0) idx = idx.clone_nograd();   // the kernels index the buffer from 0
            int planes = Planes(x._shape, nd), inPlane = PlaneSize(x._shape, nd), outPlane = PlaneSize(outShape, nd);
            var xc = x.contiguous_nograd();
            var y = Tensor.Empty(outShape, x.dtype, clear: true);
            long bad = Pool.Unpool(x.dtype, xc._storage.RawArray, xc._offset, idx._storage.RawArray, y._storage.RawArray, planes, inPlane, outPlane, "max_unpool");
            if (bad != long.MinValue)
                throw new ArgumentException(Msg(layer, $"Found an invalid max index: {bad} (output volumes are of size {Sizes(outSp)}"));
            if (Tensor.NeedsGrad(x))
            {
                var gather = new PlaneOp(PlaneKind.Gather, nd, idx); var scatter = new PlaneOp(PlaneKind.ScatterAdd, nd, idx);
                int[] inShape = x._shape;
                var dt = x.dtype;
                Tensor.Record(y, $"MaxUnpool{nd}DBackward0",
                    g => Linear(As(g, dt), inShape, gather, false, outShape, scatter, true, $"MaxUnpool{nd}DBackwardBackward0", $"MaxUnpool{nd}DBackward0"), false, x);
            }
            return y;
        }

        // ------------------------------------------------------------------ the linear plane maps as values

        enum PlaneKind { Gather, ScatterAdd, Scatter2x2, AvgForward, AvgBackward }

        /// <summary>
        /// One direction of a linear pooling map (src → a fresh dst) as a value, not a closure: the Pool
        /// kernel, the Int64 index tensor (max) or the windows and divisor (avg) it needs.
        /// </summary>
        readonly struct PlaneOp(PlaneKind kind, int nd, Tensor? idx, PoolDim? pd = null, PoolDim? ph = null, PoolDim? pw = null, int divisor = 0)
        {
            public void Run(Tensor src, Tensor dst)
            {
                Array s = src._storage.RawArray, d = dst._storage.RawArray;
                int planes = Planes(dst._shape, nd), srcPlane = PlaneSize(src._shape, nd), dstPlane = PlaneSize(dst._shape, nd);
                switch (kind)
                {
                    case PlaneKind.Gather:
                        Pool.Gather(src.dtype, s, src._offset, idx!._storage.RawArray, d, planes, srcPlane, dstPlane, "max_pool");
                        break;
                    case PlaneKind.ScatterAdd:
                        // src is the output gradient and dst the input's: dst's planes are the pool's input planes.
                        Pool.ScatterAdd(src.dtype, s, src._offset, idx!._storage.RawArray, d, planes, dstPlane, srcPlane, "max_pool_backward");
                        break;
                    case PlaneKind.Scatter2x2:
                        Pool.Scatter2x2(src.dtype, s, src._offset, idx!._storage.RawArray, d, planes, ph!, pw!, "max_pool_backward");
                        break;
                    case PlaneKind.AvgForward:
                        Pool.AvgForward(src.dtype, s, src._offset, d, planes, pd!, ph!, pw!, divisor, "avg_pool");
                        break;
                    default:
                        Pool.AvgBackward(src.dtype, s, src._offset, d, planes, pd!, ph!, pw!, divisor, "avg_pool_backward");
                        break;
                }
            }
        }
    }
}
