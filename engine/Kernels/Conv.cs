using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Torchlet.Kernels;

/// <summary>
/// The shape of one convolution, always with three spatial dims (D, H, W): 1-d and 2-d convs get
/// leading sizes 1. Described from the underlying (non-transposed) convolution's side:
/// the "image" is the larger tensor [N, G·Cg, X] (a conv's input, a transposed conv's output) and
/// the "small" tensor is [N, G·R, Y] (a conv's output, a transposed conv's input), with
/// Y[o] = floor((X + padL + padR − dil·(k−1) − 1)/stride) + 1; image position = y·stride − padL + k·dil.
/// The weight, read as a matrix, is [G·R, Cg·K] (K = Kd·Kh·Kw): a conv weight [O, Cg, k...] and a
/// transposed conv weight [Cin, Cout/G, k...] both have that layout.
/// </summary>
internal sealed class ConvGeom
{
    public int N, G, Cg, R;
    public int Xd, Xh, Xw, Yd, Yh, Yw;
    public int Kd, Kh, Kw, Sd, Sh, Sw, Pd, Ph, Pw, Dd, Dh, Dw;

    public int K => Kd * Kh * Kw;
    public int X => Xd * Xh * Xw;
    public int Y => Yd * Yh * Yw;
    public int ColRows => Cg * K;

    /// <summary>A 1×1 kernel with stride 1 and no padding: the image itself is the column matrix.</summary>
    public bool Pointwise => K == 1 && Sd == 1 && Sh == 1 && Sw == 1 && Pd == 0 && Ph == 0 && Pw == 0 && X == Y;
}

/// <summary>
/// Convolution by im2col + the packed GEMM (<see cref="Gemm"/>): three products cover a conv's
/// forward and both gradients and a transposed conv's forward and both gradients:
/// <list type="bullet">
/// <item><see cref="Lower"/>: small[n, g] = Wg · im2col(image[n, g]) (+ bias) — conv forward, transposed grad-input.</item>
/// <item><see cref="Raise"/>: image[n, g] = col2im(Wgᵀ · small[n, g]) (+ bias) — transposed forward, conv grad-input.</item>
/// <item><see cref="WeightGrad"/>: gW[g] = Σn small[n, g] · im2col(image[n, g])ᵀ — both weight gradients.</item>
/// </list>
/// Layers with small outputs (a DCGAN's 4×4 and 1×1 maps) would make thin, inefficient GEMMs one
/// sample at a time, so the column matrices of several samples are laid side by side and multiplied
/// at once ([Cg·K, b·Y]), with the small side gathered/scattered through a [R, b·Y] buffer.
/// Sample groups are spread over threads (each GEMM single-threaded, buffers per thread); with
/// fewer groups than threads the GEMMs themselves run threaded. Every output element is summed in
/// an order that does not depend on the thread count. All tensors are contiguous; pointers are to
/// the first element.
/// </summary>
internal static unsafe class ConvKernels
{
    /// <summary>Columns one GEMM should have at least (samples are grouped until b·Y reaches it).</summary>
    const int TargetColumns = 384;
    /// <summary>Elements of column buffer per thread at most (grouping stops before it).</summary>
    const long ColumnBudget = 2L << 20;
    /// <summary>Weight-gradient partial sums kept at once (elements), bounding the per-chunk buffers.</summary>
    const long WeightGradBudget = 4L << 20;
    /// <summary>Threading.For cost of one sample group: always worth a thread, and n × cost cannot overflow.</summary>
    const long GroupCost = 1L << 32;

    /// <summary>Samples per GEMM from the shapes alone: b·Y ≥ TargetColumns when the budget allows.</summary>
    static int GroupSize(ConvGeom g)
    {
        long y = Math.Max(1, g.Y);
        long b = Math.Min(g.N, (TargetColumns + y - 1) / y);
        b = Math.Min(b, ColumnBudget / Math.Max(1, (long)Math.Max(g.ColRows, g.R) * y));
        return (int)Math.Max(1, b);
    }

    /// <summary>Sample groups for the forward-like products: as large as useful, but at least one per thread when the batch allows.</summary>
    static (int b, int groups, bool perGroup) Plan(ConvGeom g)
    {
        int b = GroupSize(g);
        int threads = Threading.NumThreads;
        if (g.N >= threads) b = Math.Min(b, (g.N + threads - 1) / threads);
        int groups = (g.N + b - 1) / b;
        return (b, groups, groups > 1 && groups >= threads);
    }

    // ---------------------------------------------------------------- products

    /// <summary>One chunk of samples, with this thread's scratch: col for im2col columns, tmp for gathering a sample group's rows.</summary>
    delegate void ChunkBody<T>(int c, T* col, T* tmp) where T : unmanaged;

    /// <summary>
    /// Runs chunks 0..<paramref name="count"/> in order, over the intra-op threads when <paramref name="threaded"/>; each
    /// range of chunks rents its own scratch (none for col when <paramref name="direct"/>, none for tmp when b = 1).
    /// </summary>
    static void ForChunks<T>(ConvGeom g, int b, bool direct, int count, bool threaded, ChunkBody<T> body) where T : unmanaged
    {
        int cols = g.ColRows, y = g.Y;
        void Run(int s, int e)
        {
            T[]? colBuf = direct ? null : ArrayPool<T>.Shared.Rent(cols * b * y);
            T[]? tmpBuf = b > 1 ? ArrayPool<T>.Shared.Rent(g.R * b * y) : null;
            try
            {
                fixed (T* col = colBuf, tmp = tmpBuf)
                    for (int c = s; c < e; c++) body(c, col, tmp);
            }
            finally
            {
                if (colBuf is not null) ArrayPool<T>.Shared.Return(colBuf);
                if (tmpBuf is not null) ArrayPool<T>.Shared.Return(tmpBuf);
            }
        }
        if (threaded) Threading.For(count, GroupCost, Run);
        else Run(0, count);
    }

    /// <summary>
    /// One conv group <c>Gi</c> of a sample chunk: <c>Nb</c> samples from <c>N0</c>, whose columns lie <c>Ld</c> = Nb·Y apart.
    /// <c>Direct</c>: a pointwise conv over single samples, whose GEMM works on the image itself (no col);
    /// <c>PerGroup</c>: the chunks already fill the threads, so each GEMM runs on one.
    /// </summary>
    readonly record struct GroupChunk(int N0, int Nb, int Ld, int Gi, bool Direct, bool PerGroup);

    delegate void GroupBody<T>(GroupChunk k, T* col, T* tmp) where T : unmanaged;

    /// <summary>The loop of the forward-like products: sample chunks as <see cref="Plan"/> sizes them, then every conv group.</summary>
    static void ForPlannedGroups<T>(ConvGeom g, GroupBody<T> body) where T : unmanaged
    {
        var (b, groups, perGroup) = Plan(g);
        bool direct = g.Pointwise && b == 1;
        ForChunks<T>(g, b, direct, groups, perGroup, (c, col, tmp) =>
        {
            int n0 = c * b, nb = Math.Min(b, g.N - n0);
            for (int gi = 0; gi < g.G; gi++) body(new GroupChunk(n0, nb, nb * g.Y, gi, direct, perGroup), col, tmp);
        });
    }

    // ---------------------------------------------------------------- entry points (dtype + buffers)

    /// <summary>Lower (small = W ⊛ image) or its adjoint Raise (image = Wᵀ ⊛ small), in any numeric dtype; no bias: default.</summary>
    public static void Product(ScalarType dtype, ConvGeom g, BufferAt image, BufferAt w, BufferAt bias, BufferAt small, bool raise)
    {
        var action = new ProductAction(g, image, w, bias, small, raise);
        Dispatch.Numeric(dtype, ref action, "convolution");
    }

    readonly struct ProductAction(ConvGeom g, BufferAt image, BufferAt w, BufferAt b, BufferAt small, bool raise) : INumericAction
    {
        public void Run<T>() where T : unmanaged, INumber<T>
        {
            fixed (T* pi = (T[])image.Data!, pw = (T[])w.Data!, pb = (T[]?)b.Data, ps = (T[])small.Data!)
            {
                T* bias = pb is null ? null : pb + b.Offset;
                if (raise) Raise(g, ps + small.Offset, pw + w.Offset, bias, pi + image.Offset);
                else Lower(g, pi + image.Offset, pw + w.Offset, bias, ps + small.Offset);
            }
        }
    }

    /// <summary>gw = small ⊛ imageᵀ summed over the batch, in float32 or float64.</summary>
    public static void WeightGrad(ScalarType dtype, ConvGeom g, BufferAt small, BufferAt image, BufferAt gw)
    {
        var action = new WeightGradAction(g, small, image, gw);
        Dispatch.Floating(dtype, ref action, "conv_weight_grad");
    }

    readonly struct WeightGradAction(ConvGeom g, BufferAt small, BufferAt image, BufferAt gw) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            fixed (T* pi = (T[])image.Data!, ps = (T[])small.Data!, pg = (T[])gw.Data!)
                WeightGrad(g, ps + small.Offset, pi + image.Offset, pg + gw.Offset);
        }
    }

    /// <summary>gb[c] = Σ over n and the spatial positions of t[n, c, …], in float32 or float64.</summary>
    public static void BiasGrad(ScalarType dtype, BufferAt t, int n, int c, int len, BufferAt gb)
    {
        var action = new BiasGradAction(t, n, c, len, gb);
        Dispatch.Floating(dtype, ref action, "conv_bias_grad");
    }

    readonly struct BiasGradAction(BufferAt t, int n, int c, int len, BufferAt gb) : IFloatingAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            fixed (T* pt = (T[])t.Data!, pb = (T[])gb.Data!) BiasGrad(pt + t.Offset, n, c, len, pb + gb.Offset);
        }
    }

    /// <summary>small = W ⊛ image (+ bias per small channel): a conv's forward.</summary>
    public static void Lower<T>(ConvGeom g, T* image, T* w, T* bias, T* small) where T : unmanaged, INumber<T>
    {
        int cols = g.ColRows, y = g.Y;
        nint pi = (nint)image, pw = (nint)w, pb = (nint)bias, ps = (nint)small;
        ForPlannedGroups<T>(g, (k, col, tmp) =>
        {
            var (n0, nb, ld, gi, direct, perGroup) = k;
            T* src = direct ? Image(g, (T*)pi, n0, gi) : col;
            if (!direct)
                for (int j = 0; j < nb; j++) Im2col(g, Image(g, (T*)pi, n0 + j, gi), col + j * y, ld);
            T* dst = nb == 1 ? Small(g, (T*)ps, n0, gi) : tmp;
            Gemm.Run(g.R, ld, cols, T.One, (T*)pw + (long)gi * g.R * cols, cols, 1, src, ld, 1, T.Zero, dst, ld, parallel: !perGroup);
            for (int j = 0; j < nb; j++)
            {
                T* out0 = Small(g, (T*)ps, n0 + j, gi);
                if (nb > 1) CopyRows(tmp + j * y, ld, out0, y, g.R, y);
                if (pb != 0) AddBias(out0, (T*)pb + gi * g.R, g.R, y);
            }
        });
    }

    /// <summary>image = Wᵀ ⊛ small, scattered back by col2im (+ bias per image channel): a transposed conv's forward.</summary>
    public static void Raise<T>(ConvGeom g, T* small, T* w, T* bias, T* image) where T : unmanaged, INumber<T>
    {
        int cols = g.ColRows, y = g.Y, x = g.X;
        nint pi = (nint)image, pw = (nint)w, pb = (nint)bias, ps = (nint)small;
        ForPlannedGroups<T>(g, (k, col, tmp) =>
        {
            var (n0, nb, ld, gi, direct, perGroup) = k;
            T* src = Small(g, (T*)ps, n0, gi);
            if (nb > 1)
            {
                for (int j = 0; j < nb; j++) CopyRows(Small(g, (T*)ps, n0 + j, gi), y, tmp + j * y, ld, g.R, y);
                src = tmp;
            }
            T* wg = (T*)pw + (long)gi * g.R * cols;
            T* dst = direct ? Image(g, (T*)pi, n0, gi) : col;
            Gemm.Run(cols, ld, g.R, T.One, wg, 1, cols, src, ld, 1, T.Zero, dst, ld, parallel: !perGroup);
            for (int j = 0; j < nb; j++)
            {
                T* img = Image(g, (T*)pi, n0 + j, gi);
                if (!direct)
                {
                    new Span<T>(img, g.Cg * x).Clear();
                    Col2im(g, col + j * y, ld, img);
                }
                if (pb != 0) AddBias(img, (T*)pb + gi * g.Cg, g.Cg, x);
            }
        });
    }

    /// <summary>
    /// gW = Σn small[n] · im2col(image[n])ᵀ, written (not accumulated) into <paramref name="gw"/> [G·R, Cg·K].
    /// The batch is cut into chunks that depend only on the shapes; each chunk sums its sample groups
    /// in order into its own buffer, and the chunks are added in order: the same result on any thread count.
    /// </summary>
    public static void WeightGrad<T>(ConvGeom g, T* small, T* image, T* gw) where T : unmanaged, INumber<T>
    {
        int cols = g.ColRows, y = g.Y;
        long wsize = (long)g.G * g.R * cols;
        if (g.N == 0) { new Span<T>(gw, (int)wsize).Clear(); return; }
        int b = GroupSize(g);
        int sampleGroups = (g.N + b - 1) / b;
        int chunks = (int)Math.Clamp(Math.Min(sampleGroups, WeightGradBudget / Math.Max(1, wsize)), 1, 16);
        int per = (sampleGroups + chunks - 1) / chunks;   // sample groups per chunk
        chunks = (sampleGroups + per - 1) / per;
        bool threaded = chunks > 1 && chunks >= Threading.NumThreads;
        bool direct = g.Pointwise && b == 1;
        var partial = chunks > 1 ? ArrayPool<T>.Shared.Rent((int)((chunks - 1) * wsize)) : null;
        nint pi = (nint)image, ps = (nint)small, pg = (nint)gw;
        try
        {
            fixed (T* part0 = partial)
            {
                nint pp = (nint)part0;
                ForChunks<T>(g, b, direct, chunks, threaded, (c, col, tmp) =>
                {
                    T* dst = c == 0 ? (T*)pg : (T*)pp + (c - 1) * wsize;
                    int q0 = c * per, q1 = Math.Min(sampleGroups, q0 + per);
                    for (int q = q0; q < q1; q++)
                    {
                        int n0 = q * b, nb = Math.Min(b, g.N - n0), ld = nb * y;
                        for (int gi = 0; gi < g.G; gi++)
                        {
                            T* bm = direct ? Image(g, (T*)pi, n0, gi) : col;
                            if (!direct)
                                for (int j = 0; j < nb; j++) Im2col(g, Image(g, (T*)pi, n0 + j, gi), col + j * y, ld);
                            T* am = Small(g, (T*)ps, n0, gi);
                            if (nb > 1)
                            {
                                for (int j = 0; j < nb; j++) CopyRows(Small(g, (T*)ps, n0 + j, gi), y, tmp + j * y, ld, g.R, y);
                                am = tmp;
                            }
                            Gemm.Run(g.R, cols, ld, T.One, am, ld, 1, bm, 1, ld, q == q0 ? T.Zero : T.One, dst + (long)gi * g.R * cols, cols, parallel: !threaded);
                        }
                    }
                });
                var total = new Span<T>(gw, (int)wsize);
                for (int c = 1; c < chunks; c++)
                    TensorPrimitives.Add(total, new ReadOnlySpan<T>((T*)pp + (c - 1) * wsize, (int)wsize), total);
            }
        }
        finally { if (partial is not null) ArrayPool<T>.Shared.Return(partial); }
    }

    /// <summary>gb[c] = Σ over batch and positions of t[n, c, :] (a conv's bias gradient).</summary>
    public static void BiasGrad<T>(T* t, int n, int c, int len, T* gb) where T : unmanaged, INumber<T>
    {
        nint pt = (nint)t, pb = (nint)gb;
        Threading.For(c, (long)n * len, (s, e) =>
        {
            for (int ch = s; ch < e; ch++)
            {
                T acc = T.Zero;
                for (int i = 0; i < n; i++)
                    acc += TensorPrimitives.Sum(new ReadOnlySpan<T>((T*)pt + ((long)i * c + ch) * len, len));
                ((T*)pb)[ch] = acc;
            }
        });
    }

    /// <summary>Group <paramref name="gi"/> of sample <paramref name="n"/> in the image tensor [N, G·Cg, X].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static T* Image<T>(ConvGeom g, T* image, int n, int gi) where T : unmanaged => image + ((long)n * g.G + gi) * g.Cg * g.X;

    /// <summary>Group <paramref name="gi"/> of sample <paramref name="n"/> in the small tensor [N, G·R, Y].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static T* Small<T>(ConvGeom g, T* small, int n, int gi) where T : unmanaged => small + ((long)n * g.G + gi) * g.R * g.Y;

    static void CopyRows<T>(T* src, int lds, T* dst, int ldd, int rows, int len) where T : unmanaged
    {
        for (int r = 0; r < rows; r++)
            new ReadOnlySpan<T>(src + (long)r * lds, len).CopyTo(new Span<T>(dst + (long)r * ldd, len));
    }

    static void AddBias<T>(T* rows, T* bias, int count, int len) where T : unmanaged, INumber<T>
    {
        for (int r = 0; r < count; r++)
        {
            var row = new Span<T>(rows + (long)r * len, len);
            TensorPrimitives.Add(row, bias[r], row);
        }
    }

    // ---------------------------------------------------------------- im2col / col2im

    /// <summary>
    /// The valid range [lo, hi) of output positions o whose image position o·s + off lies in [0, size):
    /// positions outside it read the zero padding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static (int lo, int hi) Valid(int off, int s, int size, int outSize)
    {
        int lo = off >= 0 ? 0 : (-off + s - 1) / s;
        int hi = size - 1 - off < 0 ? 0 : (size - 1 - off) / s + 1;
        return (Math.Min(lo, outSize), Math.Min(hi, outSize));
    }

    /// <summary>col[(c, kd, kh, kw), (od, oh, ow)] = image[c, od·sd − pd + kd·dd, ...] (0 outside); col rows are <paramref name="ld"/> apart.</summary>
    public static void Im2col<T>(ConvGeom g, T* img, T* col, int ld) where T : unmanaged, INumber<T> => WalkPatches<T, Im2colRow>(g, img, col, ld);

    /// <summary>
    /// Visits every (channel, kernel tap, od, oh) row of the column matrix in Im2col's order and hands it to
    /// <typeparamref name="TRow"/> with the image row it reads (null where that row lies in the padding).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void WalkPatches<T, TRow>(ConvGeom g, T* img, T* col, int ld) where T : unmanaged, INumber<T> where TRow : IPatchRow
    {
        int x = g.X, Yw = g.Yw, Sw = g.Sw;
        T* end = img + (long)g.Cg * x;
        for (int c = 0; c < g.Cg; c++)
        {
            T* im = img + (long)c * x;
            for (int kd = 0; kd < g.Kd; kd++)
                for (int kh = 0; kh < g.Kh; kh++)
                    for (int kw = 0; kw < g.Kw; kw++)
                    {
                        T* row = col + (long)(((c * g.Kd + kd) * g.Kh + kh) * g.Kw + kw) * ld;
                        int offW = kw * g.Dw - g.Pw;
                        var (lo, hi) = Valid(offW, Sw, g.Xw, Yw);
                        for (int od = 0; od < g.Yd; od++)
                        {
                            int id = od * g.Sd - g.Pd + kd * g.Dd;
                            for (int oh = 0; oh < g.Yh; oh++)
                            {
                                int ih = oh * g.Sh - g.Ph + kh * g.Dh;
                                bool inside = (uint)id < (uint)g.Xd && (uint)ih < (uint)g.Xh && lo < hi;
                                TRow.Row(row + (od * g.Yh + oh) * Yw, inside ? im + (id * g.Xh + ih) * g.Xw + offW : null, lo, hi, Sw, Yw, end);
                            }
                        }
                    }
        }
    }

    /// <summary>
    /// One column row against its image row <c>im</c> (null: all padding): outputs [lo, hi) meet image
    /// elements im[ow·Sw]; <c>end</c> is the end of the image block, which vector loads must not pass.
    /// </summary>
    interface IPatchRow
    {
        static abstract void Row<T>(T* colRow, T* im, int lo, int hi, int Sw, int Yw, T* end) where T : unmanaged, INumber<T>;
    }

    /// <summary>Im2col: copies the image row into the column row, zeros where it reads padding.</summary>
    struct Im2colRow : IPatchRow
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Row<T>(T* dst, T* src, int lo, int hi, int Sw, int Yw, T* end) where T : unmanaged, INumber<T>
        {
            if (src is null) { new Span<T>(dst, Yw).Clear(); return; }
            if (lo > 0) new Span<T>(dst, lo).Clear();
            if (hi < Yw) new Span<T>(dst + hi, Yw - hi).Clear();
            if (Sw == 1) new ReadOnlySpan<T>(src + lo, hi - lo).CopyTo(new Span<T>(dst + lo, hi - lo));
            else if (Sw == 2 && typeof(T) == typeof(float)) Gather2((float*)src, (float*)dst, lo, hi, (float*)end);
            else if (Sw == 2 && typeof(T) == typeof(double)) Gather2((double*)src, (double*)dst, lo, hi, (double*)end);
            else for (int ow = lo; ow < hi; ow++) dst[ow] = src[ow * Sw];
        }
    }

    /// <summary>Col2im: adds the column row into the image row; padding takes nothing.</summary>
    struct Col2imRow : IPatchRow
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Row<T>(T* src, T* dst, int lo, int hi, int Sw, int Yw, T* end) where T : unmanaged, INumber<T>
        {
            if (dst is null) return;
            if (Sw == 1)
            {
                var d = new Span<T>(dst + lo, hi - lo);
                TensorPrimitives.Add(d, new ReadOnlySpan<T>(src + lo, hi - lo), d);
            }
            else if (Sw == 2 && typeof(T) == typeof(float)) Scatter2((float*)src, (float*)dst, lo, hi, (float*)end);
            else if (Sw == 2 && typeof(T) == typeof(double)) Scatter2((double*)src, (double*)dst, lo, hi, (double*)end);
            else for (int ow = lo; ow < hi; ow++) dst[ow * Sw] += src[ow];
        }
    }

    /// <summary>
    /// dst[o] = src[2·o] for o in [lo, hi): the even elements of two vectors per step. The vectors may read
    /// past the row (never past <paramref name="end"/>, the end of the image block), so that the short
    /// rows of small feature maps (8 wide in a DCGAN discriminator) are vectorised too.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]   // a root for the JIT's inlining budget, as Pool.Max2x2Plane
    static void Gather2<T>(T* src, T* dst, int lo, int hi, T* end) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // A step at o reads src[2·o, 2·o + 2·Count) (the scalar one src[2·o + 1] too).
        int n = Pairs(src, end, hi) - lo, o = lo;
        if (n > 0)
        {
            var op = new Gather2Op<T>(ref src[2 * lo], ref dst[lo]);
            Simd.ForOverlapping<T, Gather2Op<T>>(n, ref op);
            o += n;
        }
        for (; o < hi; o++) dst[o] = src[2 * o];
    }

    /// <summary>The outputs below <paramref name="hi"/> whose pair p[2·o], p[2·o + 1] lies before <paramref name="end"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static int Pairs<T>(T* p, T* end, int hi) where T : unmanaged =>
        (int)Math.Min((nuint)hi, (nuint)((byte*)end - (byte*)p) / (nuint)(2 * sizeof(T)));

    /// <summary>Gather2's step at o: dst[o, o + Count) from src[2·o, 2·o + 2·Count).</summary>
    internal ref struct Gather2Op<T>(ref T src, ref T dst) : IVecLoop<T> where T : unmanaged
    {
        readonly ref T _src = ref src, _dst = ref dst;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step<TV>(nuint o) where TV : struct, ILanes<TV, T> =>
            TV.Store(TV.Even(TV.Load(ref _src, 2 * o), TV.Load(ref _src, 2 * o + (nuint)TV.Count)), ref _dst, o);
    }

    /// <summary>
    /// dst[2·o] += src[o] for o in [lo, hi): src interleaved with zeros and added to two vectors of dst
    /// per step (the odd elements get +0, so they keep their values); bounded by <paramref name="end"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]   // a root for the JIT's inlining budget, as Pool.Max2x2Plane
    static void Scatter2<T>(T* src, T* dst, int lo, int hi, T* end) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = Pairs(dst, end, hi) - lo, o = lo;
        if (n > 0)
        {
            // 256 bits at most: unaligned 64-byte read-modify-writes split a cache line every time (slower on long rows).
            var op = new Scatter2Op<T>(ref src[lo], ref dst[2 * lo]);
            o += Simd.ForNarrowing<T, Scatter2Op<T>>(n, ref op, widest: 256);
        }
        for (; o < hi; o++) dst[2 * o] += src[o];
    }

    /// <summary>Scatter2's step at o: src[o, o + Count) added to the even elements of dst[2·o, 2·o + 2·Count).</summary>
    internal ref struct Scatter2Op<T>(ref T src, ref T dst) : IVecLoop<T> where T : unmanaged
    {
        readonly ref T _src = ref src, _dst = ref dst;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step<TV>(nuint o) where TV : struct, ILanes<TV, T>
        {
            TV s = TV.Load(ref _src, o), z = TV.C(0);
            nuint d = 2 * o, w = (nuint)TV.Count;
            TV.Store(TV.Load(ref _dst, d) + TV.ZipLow(s, z), ref _dst, d);
            TV.Store(TV.Load(ref _dst, d + w) + TV.ZipHigh(s, z), ref _dst, d + w);
        }
    }

    /// <summary>The adjoint of <see cref="Im2col"/>: image[c, pos] += col[(c, k), o] for every (k, o) reading pos (col rows <paramref name="ld"/> apart). Image must be cleared first.</summary>
    public static void Col2im<T>(ConvGeom g, T* col, int ld, T* img) where T : unmanaged, INumber<T> => WalkPatches<T, Col2imRow>(g, img, col, ld);
}
