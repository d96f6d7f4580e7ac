using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Torchlet.Kernels;

/// <summary>
/// The per-time-step gate math of LSTM, GRU and the plain RNN, forward and backward, for one
/// [B, G·H] block of gate pre-activations (rows = batch, gate blocks in PyTorch's order: LSTM
/// i, f, g, o; GRU r, z, n). The matrix products around them (input projection for all steps,
/// the recurrent h·W_hhᵀ per step, the weight gradients) go through <see cref="Gemm"/>; these
/// kernels do the rest in one pass over each row so that a step touches its data once.
/// Forward activations use TensorPrimitives; the fused backward has no TensorPrimitives
/// equivalent, so it is an operator struct run by <see cref="Simd.For{T, TOp}"/> (Vector512/256/128, scalar tail).
/// </summary>
internal static class RecurrentKernels
{
    /// <summary>
    /// tanh for the gates and the cell state. TensorPrimitives' is used directly, not Tensor.tanh's
    /// AccurateMath (which re-evaluates |x| &lt; 0.5 with a series): its absolute error (≤ 1e-7 in
    /// float32) is what a recurrence feels, its larger relative error near 0 is not, and the series
    /// would cost more than the rest of a small step. In place is fine.
    /// </summary>
    static void Tanh<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) TensorPrimitives.Tanh(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(d));
        else TensorPrimitives.Tanh(MemoryMarshal.Cast<T, double>(x), MemoryMarshal.Cast<T, double>(d));
    }

    static void Sigmoid<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged
    {
        if (x.IsEmpty) return;   // TensorPrimitives.Sigmoid refuses empty spans (an empty batch has them)
        if (typeof(T) == typeof(float)) TensorPrimitives.Sigmoid(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(d));
        else TensorPrimitives.Sigmoid(MemoryMarshal.Cast<T, double>(x), MemoryMarshal.Cast<T, double>(d));
    }

    // ---------------------------------------------------------------- LSTM

    /// <summary>
    /// One LSTM step for B rows. <paramref name="gates"/> [B, 4H] holds the pre-activations and is
    /// overwritten with σ(i), σ(f), tanh(g), σ(o) (saved for backward); then c = f·c_prev + i·g,
    /// tc = tanh(c), h = o·tc.
    /// </summary>
    public static void LstmForward<T>(int B, int H, Span<T> gates, ReadOnlySpan<T> cPrev, Span<T> c, Span<T> tc, Span<T> h)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (H < SmallHidden) { LstmForwardSmall(B, H, gates, cPrev, c, tc, h); return; }
        for (int b = 0; b < B; b++)
        {
            var row = gates.Slice(b * 4 * H, 4 * H);
            Sigmoid<T>(row[..(2 * H)], row[..(2 * H)]);
            Tanh<T>(row.Slice(2 * H, H), row.Slice(2 * H, H));
            Sigmoid<T>(row.Slice(3 * H, H), row.Slice(3 * H, H));
            var cr = c.Slice(b * H, H);
            TensorPrimitives.Multiply<T>(row[..H], row.Slice(2 * H, H), cr);
            TensorPrimitives.MultiplyAdd<T>(row.Slice(H, H), cPrev.Slice(b * H, H), cr, cr);
            var tr = tc.Slice(b * H, H);
            Tanh<T>(cr, tr);
            TensorPrimitives.Multiply<T>(row.Slice(3 * H, H), tr, h.Slice(b * H, H));
        }
    }

    /// <summary>Below this hidden size, per-row activation calls cost more than activating whole blocks.</summary>
    const int SmallHidden = 32;

    /// <summary>
    /// LstmForward for small H (the notes' LSTM(1, 5)): a handful of calls per row would dominate,
    /// so σ and tanh run once each over the whole [B, 4H] block into scratch (tanh of the three σ
    /// gates is wasted work, cheap at this size), then one pass picks the gates and updates c, one
    /// tanh(c) call covers all rows, and a last pass forms h.
    /// </summary>
    static void LstmForwardSmall<T>(int B, int H, Span<T> gates, ReadOnlySpan<T> cPrev, Span<T> c, Span<T> tc, Span<T> h)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = B * 4 * H;
        var pool = System.Buffers.ArrayPool<T>.Shared;
        T[] sArr = pool.Rent(n), tArr = pool.Rent(n);
        var sg = sArr.AsSpan(0, n);
        var tg = tArr.AsSpan(0, n);
        Sigmoid<T>(gates, sg);
        Tanh<T>(gates, tg);
        for (int b = 0; b < B; b++)
        {
            int r = b * 4 * H, k = b * H;
            for (int j = 0; j < H; j++)
            {
                T i = sg[r + j], f = sg[r + H + j], g = tg[r + 2 * H + j];
                gates[r + j] = i; gates[r + H + j] = f; gates[r + 2 * H + j] = g; gates[r + 3 * H + j] = sg[r + 3 * H + j];
                c[k + j] = f * cPrev[k + j] + i * g;
            }
        }
        Tanh<T>(c[..(B * H)], tc[..(B * H)]);
        for (int b = 0; b < B; b++)
        {
            int r = b * 4 * H + 3 * H, k = b * H;
            for (int j = 0; j < H; j++) h[k + j] = gates[r + j] * tc[k + j];
        }
        pool.Return(sArr);
        pool.Return(tArr);
    }

    /// <summary>
    /// Backward of one LSTM step. In: the saved activated gates, c_prev, tanh(c), the gradient dh of
    /// h and dc of c (from later steps); out: dG [B, 4H], the gradient of the gate pre-activations,
    /// and dc overwritten with the gradient of c_prev.
    /// </summary>
    public static void LstmBackward<T>(int B, int H, ReadOnlySpan<T> gates, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> tc,
        ReadOnlySpan<T> dh, Span<T> dc, Span<T> dG) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < B; b++)
        {
            var step = new LstmGrad<T>(H, gates.Slice(b * 4 * H, 4 * H), cPrev.Slice(b * H, H), tc.Slice(b * H, H),
                dh.Slice(b * H, H), dc.Slice(b * H, H), dG.Slice(b * 4 * H, 4 * H));
            Simd.For<T, LstmGrad<T>>(H, ref step);
        }
    }

    /// <summary>One row of <see cref="LstmBackward{T}"/>: gate blocks i, f, g, o at offsets 0, H, 2H, 3H.</summary>
    ref struct LstmGrad<T>(int H, ReadOnlySpan<T> gates, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> tc, ReadOnlySpan<T> dh, Span<T> dc, Span<T> dG)
        : IVecLoop<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        readonly nuint _h = (nuint)H;
        readonly ref T _g = ref MemoryMarshal.GetReference(gates), _cp = ref MemoryMarshal.GetReference(cPrev), _t = ref MemoryMarshal.GetReference(tc);
        readonly ref T _dh = ref MemoryMarshal.GetReference(dh), _dc = ref MemoryMarshal.GetReference(dc), _d = ref MemoryMarshal.GetReference(dG);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step<TV>(nuint j) where TV : struct, ILanes<TV, T>
        {
            var one = TV.C(1);
            TV i = TV.Load(ref _g, j), f = TV.Load(ref _g, _h + j), gg = TV.Load(ref _g, 2 * _h + j), o = TV.Load(ref _g, 3 * _h + j);
            TV tv = TV.Load(ref _t, j), dhv = TV.Load(ref _dh, j);
            var dcv = TV.Load(ref _dc, j) + dhv * o * (one - tv * tv);
            TV.Store(dhv * tv * o * (one - o), ref _d, 3 * _h + j);
            TV.Store(dcv * gg * i * (one - i), ref _d, j);
            TV.Store(dcv * TV.Load(ref _cp, j) * f * (one - f), ref _d, _h + j);
            TV.Store(dcv * i * (one - gg * gg), ref _d, 2 * _h + j);
            TV.Store(dcv * f, ref _dc, j);
        }
    }

    // ---------------------------------------------------------------- GRU

    /// <summary>
    /// One GRU step. <paramref name="xg"/> [B, 3H] is x·W_ihᵀ + b_ih and is overwritten with r, z, n
    /// (saved for backward); <paramref name="hg"/> [B, 3H] is h_prev·W_hhᵀ + b_hh (its n block is
    /// saved too). r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r·h_n), h = n + z·(h_prev − n).
    /// </summary>
    public static void GruForward<T>(int B, int H, Span<T> xg, ReadOnlySpan<T> hg, ReadOnlySpan<T> hPrev, Span<T> h)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < B; b++)
        {
            var x = xg.Slice(b * 3 * H, 3 * H);
            var hr = hg.Slice(b * 3 * H, 3 * H);
            TensorPrimitives.Add<T>(x[..(2 * H)], hr[..(2 * H)], x[..(2 * H)]);
            Sigmoid<T>(x[..(2 * H)], x[..(2 * H)]);
            var n = x.Slice(2 * H, H);
            TensorPrimitives.MultiplyAdd<T>(x[..H], hr.Slice(2 * H, H), n, n);
            Tanh<T>(n, n);
            var o = h.Slice(b * H, H);
            TensorPrimitives.Subtract<T>(hPrev.Slice(b * H, H), n, o);
            TensorPrimitives.MultiplyAdd<T>(x.Slice(H, H), o, n, o);
        }
    }

    /// <summary>
    /// Backward of one GRU step: from dh (gradient of h) and the saved r, z, n, h_n, h_prev, writes
    /// the gradients of the input-side pre-activations dGi [B, 3H], of the hidden-side ones dGh
    /// [B, 3H] (they differ only in the n block: dGh_n = dn_pre·r), and dhPrev = dh·z, the direct
    /// path to h_prev (the caller adds dGh·W_hh).
    /// </summary>
    public static void GruBackward<T>(int B, int H, ReadOnlySpan<T> gates, ReadOnlySpan<T> hg, ReadOnlySpan<T> hPrev,
        ReadOnlySpan<T> dh, Span<T> dhPrev, Span<T> dGi, Span<T> dGh) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < B; b++)
        {
            var step = new GruGrad<T>(H, gates.Slice(b * 3 * H, 3 * H), hg.Slice(b * 3 * H + 2 * H, H), hPrev.Slice(b * H, H),
                dh.Slice(b * H, H), dhPrev.Slice(b * H, H), dGi.Slice(b * 3 * H, 3 * H), dGh.Slice(b * 3 * H, 3 * H));
            Simd.For<T, GruGrad<T>>(H, ref step);
        }
    }

    /// <summary>One row of <see cref="GruBackward{T}"/>: gate blocks r, z, n at offsets 0, H, 2H.</summary>
    ref struct GruGrad<T>(int H, ReadOnlySpan<T> gates, ReadOnlySpan<T> hn, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> dh,
        Span<T> dhPrev, Span<T> dGi, Span<T> dGh) : IVecLoop<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        readonly nuint _h = (nuint)H;
        readonly ref T _g = ref MemoryMarshal.GetReference(gates), _hn = ref MemoryMarshal.GetReference(hn), _hp = ref MemoryMarshal.GetReference(hPrev);
        readonly ref T _dh = ref MemoryMarshal.GetReference(dh), _dp = ref MemoryMarshal.GetReference(dhPrev);
        readonly ref T _di = ref MemoryMarshal.GetReference(dGi), _dgh = ref MemoryMarshal.GetReference(dGh);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step<TV>(nuint j) where TV : struct, ILanes<TV, T>
        {
            var one = TV.C(1);
            TV r = TV.Load(ref _g, j), z = TV.Load(ref _g, _h + j), n = TV.Load(ref _g, 2 * _h + j), dhv = TV.Load(ref _dh, j);
            var dn = dhv * (one - z) * (one - n * n);
            var dz = dhv * (TV.Load(ref _hp, j) - n) * z * (one - z);
            var dr = dn * TV.Load(ref _hn, j) * r * (one - r);
            TV.Store(dhv * z, ref _dp, j);
            TV.Store(dr, ref _di, j); TV.Store(dz, ref _di, _h + j); TV.Store(dn, ref _di, 2 * _h + j);
            TV.Store(dr, ref _dgh, j); TV.Store(dz, ref _dgh, _h + j); TV.Store(dn * r, ref _dgh, 2 * _h + j);
        }
    }

    // ---------------------------------------------------------------- plain RNN

    /// <summary>h = tanh(pre) or relu(pre), elementwise over one step's [B, H] block.</summary>
    public static void RnnForward<T>(bool relu, ReadOnlySpan<T> pre, Span<T> h) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (relu) TensorPrimitives.Max<T>(pre, T.Zero, h);
        else Tanh(pre, h);
    }

    /// <summary>dpre = dh·(1 − h²) for tanh, dh·[h &gt; 0] for relu (from the saved output h).</summary>
    public static void RnnBackward<T>(bool relu, ReadOnlySpan<T> h, ReadOnlySpan<T> dh, Span<T> dPre) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!relu)
        {
            // (1 − h²)·dh = dh − h·(h·dh)
            TensorPrimitives.Multiply<T>(h, dh, dPre);
            TensorPrimitives.Multiply<T>(h, dPre, dPre);
            TensorPrimitives.Subtract<T>(dh, dPre, dPre);
            return;
        }
        for (int i = 0; i < h.Length; i++) dPre[i] = h[i] > T.Zero ? dh[i] : T.Zero;
    }

    // ---------------------------------------------------------------- row-parallel entry points

    // A step's B rows are independent: large steps are split over the intra-op threads by rows
    // (Threading.For runs small ones inline). Pointers, not spans, so the row ranges can be captured.
    const long LstmRowCost = 48, GruRowCost = 40, RnnRowCost = 24;

    public static unsafe void LstmForwardRows<T>(int B, int H, T* gates, T* cPrev, T* c, T* tc, T* h) where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint g = (nint)gates, cp = (nint)cPrev, cc = (nint)c, t = (nint)tc, hh = (nint)h;
        Threading.For(B, LstmRowCost * H, (s, e) =>
        {
            int n = e - s, G = 4 * H;
            LstmForward(n, H, new Span<T>((T*)g + (long)s * G, n * G), new ReadOnlySpan<T>((T*)cp + (long)s * H, n * H),
                new Span<T>((T*)cc + (long)s * H, n * H), new Span<T>((T*)t + (long)s * H, n * H), new Span<T>((T*)hh + (long)s * H, n * H));
        });
    }

    public static unsafe void LstmBackwardRows<T>(int B, int H, T* gates, T* cPrev, T* tc, T* dh, T* dc, T* dG) where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint g = (nint)gates, cp = (nint)cPrev, t = (nint)tc, dhp = (nint)dh, dcp = (nint)dc, dg = (nint)dG;
        Threading.For(B, LstmRowCost * H, (s, e) =>
        {
            int n = e - s, G = 4 * H;
            LstmBackward(n, H, new ReadOnlySpan<T>((T*)g + (long)s * G, n * G), new ReadOnlySpan<T>((T*)cp + (long)s * H, n * H),
                new ReadOnlySpan<T>((T*)t + (long)s * H, n * H), new ReadOnlySpan<T>((T*)dhp + (long)s * H, n * H),
                new Span<T>((T*)dcp + (long)s * H, n * H), new Span<T>((T*)dg + (long)s * G, n * G));
        });
    }

    public static unsafe void GruForwardRows<T>(int B, int H, T* xg, T* hg, T* hPrev, T* h) where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint x = (nint)xg, hgp = (nint)hg, hp = (nint)hPrev, hh = (nint)h;
        Threading.For(B, GruRowCost * H, (s, e) =>
        {
            int n = e - s, G = 3 * H;
            GruForward(n, H, new Span<T>((T*)x + (long)s * G, n * G), new ReadOnlySpan<T>((T*)hgp + (long)s * G, n * G),
                new ReadOnlySpan<T>((T*)hp + (long)s * H, n * H), new Span<T>((T*)hh + (long)s * H, n * H));
        });
    }

    public static unsafe void GruBackwardRows<T>(int B, int H, T* gates, T* hg, T* hPrev, T* dh, T* dhPrev, T* dGi, T* dGh) where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint g = (nint)gates, hgp = (nint)hg, hp = (nint)hPrev, dhp = (nint)dh, dpp = (nint)dhPrev, di = (nint)dGi, dgh = (nint)dGh;
        Threading.For(B, GruRowCost * H, (s, e) =>
        {
            int n = e - s, G = 3 * H;
            GruBackward(n, H, new ReadOnlySpan<T>((T*)g + (long)s * G, n * G), new ReadOnlySpan<T>((T*)hgp + (long)s * G, n * G),
                new ReadOnlySpan<T>((T*)hp + (long)s * H, n * H), new ReadOnlySpan<T>((T*)dhp + (long)s * H, n * H),
                new Span<T>((T*)dpp + (long)s * H, n * H), new Span<T>((T*)di + (long)s * G, n * G), new Span<T>((T*)dgh + (long)s * G, n * G));
        });
    }

    public static unsafe void RnnForwardRows<T>(bool relu, int B, int H, T* pre, T* h) where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint p = (nint)pre, hh = (nint)h;
        Threading.For(B, RnnRowCost * H, (s, e) =>
            RnnForward(relu, new ReadOnlySpan<T>((T*)p + (long)s * H, (e - s) * H), new Span<T>((T*)hh + (long)s * H, (e - s) * H)));
    }

    public static unsafe void RnnBackwardRows<T>(bool relu, int B, int H, T* h, T* dh, T* dPre) where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint hh = (nint)h, d = (nint)dh, dp = (nint)dPre;
        Threading.For(B, RnnRowCost * H, (s, e) =>
            RnnBackward(relu, new ReadOnlySpan<T>((T*)hh + (long)s * H, (e - s) * H), new ReadOnlySpan<T>((T*)d + (long)s * H, (e - s) * H),
                new Span<T>((T*)dp + (long)s * H, (e - s) * H)));
    }

    /// <summary>acc[j] += Σ_rows m[row, j] for a contiguous [rows, n] block (bias gradients).</summary>
    public static void AddColumnSums<T>(ReadOnlySpan<T> m, int rows, int n, Span<T> acc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++) TensorPrimitives.Add<T>(acc, m.Slice(r * n, n), acc);
    }
}

/// <summary>
/// The sizes of one direction of one recurrent layer: <see cref="T"/> steps of <see cref="B"/> rows,
/// input size <see cref="I"/>, hidden size <see cref="H"/>, output size <see cref="P"/> (H, or the
/// projection size), <see cref="G"/> gate blocks per step; <see cref="Reverse"/> runs time backwards.
/// </summary>
internal readonly record struct RnnLayerGeom(RnnMode Mode, int T, int B, int I, int H, int P, int G, bool Reverse)
{
    /// <summary>Time index of step s, and of the step before it.</summary>
    public int Time(int s) => Reverse ? T - 1 - s : s;
    public int Prev(int t) => Reverse ? t + 1 : t - 1;
}

/// <summary>
/// The forward and backward of one direction of one recurrent layer over raw contiguous buffers
/// (the layer's inputs by role in <see cref="LayerSlots{T}"/>): see <see cref="RecurrentKernels"/>
/// for the gate math and the GEMMs around it. <see cref="Forward"/> picks the dtype through
/// <see cref="Dispatch"/>.Floating and returns the run, which the autograd node keeps for
/// <see cref="Backward"/> (in the same dtype).
/// </summary>
internal abstract class RecurrentLayerRun
{
    /// <summary>
    /// Runs the recurrence, writing the result ([y, c_n] packed flat for LSTM, else y: T·B·P
    /// elements) to <paramref name="result"/>; the returned run holds what backward needs.
    /// </summary>
    public static RecurrentLayerRun Forward(ScalarType dtype, string op, in RnnLayerGeom geom, in LayerSlots<BufferAt> inputs, BufferAt result)
    {
        var action = new ForwardAction(geom, inputs, result);
        Dispatch.Floating(dtype, ref action, op);
        return action.Made!;
    }

    /// <summary>
    /// Back-propagation through time from the gradient of the result (contiguous, the forward's
    /// dtype). Writes the gradient of each input whose slot in <paramref name="grads"/> has a
    /// buffer (zeroed, of the input's size); the others are skipped.
    /// </summary>
    public abstract void Backward(BufferAt gResult, in LayerSlots<BufferAt> grads);

    // Not readonly: Run<T> hands the typed run back through the field (Dispatch takes the action by ref).
    struct ForwardAction(RnnLayerGeom geom, LayerSlots<BufferAt> inputs, BufferAt result) : IFloatingAction
    {
        public RecurrentLayerRun? Made;

        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var run = new RecurrentLayerRun<T>(geom, inputs);
            run.Forward(result);
            Made = run;
        }
    }
}

/// <summary>
/// <see cref="RecurrentLayerRun"/> in element type E. Keeps what backward needs: the activated gates
/// (LSTM, GRU), the pre-activations (RNN), c and tanh(c) (LSTM), h·W_hhᵀ + b_hh (GRU), the
/// un-projected h (LSTM with proj_size) and a private copy of every step's h (so in-place changes
/// to the returned output cannot corrupt the gradients).
/// </summary>
internal sealed unsafe class RecurrentLayerRun<E> : RecurrentLayerRun where E : unmanaged, IFloatingPointIeee754<E>
{
    readonly RnnLayerGeom _g;
    readonly LayerSlots<BufferAt> _in;
    readonly E[] _gates;     // [T, B, G·H]
    readonly E[] _hs;        // [T, B, P]
    readonly E[]? _hg;       // GRU: [T, B, 3H]
    readonly E[]? _c, _tc;   // LSTM: [T, B, H]
    readonly E[]? _hfull;    // LSTM with projections: [T, B, H]

    public RecurrentLayerRun(in RnnLayerGeom geom, in LayerSlots<BufferAt> inputs)
    {
        _g = geom; _in = inputs;
        int tb = geom.T * geom.B, H = geom.H;
        _gates = new E[tb * geom.G * H];
        _hs = new E[tb * geom.P];
        if (geom.Mode == RnnMode.Gru) _hg = new E[tb * 3 * H];
        if (geom.Mode == RnnMode.Lstm) { _c = new E[tb * H]; _tc = new E[tb * H]; }
        if (inputs.Whr.Data is not null) _hfull = new E[tb * H];
    }

    static E[]? Arr(BufferAt b) => (E[]?)b.Data;

    /// <summary>The first element of <paramref name="b"/> given its pinned array (null when absent).</summary>
    static E* At(E* p, BufferAt b) => p is null ? null : p + b.Offset;

    public void Forward(BufferAt result)
    {
        int T = _g.T, B = _g.B, I = _g.I, H = _g.H, P = _g.P, G = _g.G, GH = G * H, tb = T * B;
        var mode = _g.Mode;
        fixed (E* x0 = Arr(_in.X), wih0 = Arr(_in.Wih), whh0 = Arr(_in.Whh), h00 = Arr(_in.H0))
        fixed (E* bih0 = Arr(_in.Bih), bhh0 = Arr(_in.Bhh), whr0 = Arr(_in.Whr), c00 = Arr(_in.C0))
        fixed (E* gates = _gates, hs = _hs, hg = _hg, c = _c, tc = _tc, hfull = _hfull)
        {
            E* x = At(x0, _in.X), wih = At(wih0, _in.Wih), whh = At(whh0, _in.Whh), h0 = At(h00, _in.H0);
            E* bih = At(bih0, _in.Bih), bhh = At(bhh0, _in.Bhh), whr = At(whr0, _in.Whr), c0 = At(c00, _in.C0);

            // Input projection for every step at once; LSTM and RNN fold both biases in here,
            // GRU only b_ih (b_hn sits inside r·(W_hn·h + b_hn)).
            E beta = E.Zero;
            // Not with an empty batch: the gate buffer is then empty and `gates` null, the bias copy wrote through it.
            if (bih is not null && tb > 0)
            {
                var bias = new Span<E>(gates, GH);
                new ReadOnlySpan<E>(bih, GH).CopyTo(bias);
                if (mode != RnnMode.Gru) RowUpdate.Add<E>(bias, new ReadOnlySpan<E>(bhh, GH));
                for (int r = 1; r < tb; r++) bias.CopyTo(new Span<E>(gates + (long)r * GH, GH));
                beta = E.One;
            }
            Gemm.Run(tb, GH, I, E.One, x, I, 1, wih, 1, I, beta, gates, GH);

            for (int s = 0; s < T; s++)
            {
                int t = _g.Time(s);
                E* hPrev = s == 0 ? h0 : hs + (long)_g.Prev(t) * B * P;
                E* g = gates + (long)t * B * GH;
                E* hOut = hs + (long)t * B * P;
                switch (mode)
                {
                    case RnnMode.Lstm:
                    {
                        Gemm.Run(B, GH, P, E.One, hPrev, P, 1, whh, 1, P, E.One, g, GH);
                        E* cPrev = s == 0 ? c0 : c + (long)_g.Prev(t) * B * H;
                        E* hCell = whr is null ? hOut : hfull + (long)t * B * H;
                        RecurrentKernels.LstmForwardRows(B, H, g, cPrev, c + (long)t * B * H, tc + (long)t * B * H, hCell);
                        if (whr is not null) Gemm.Run(B, P, H, E.One, hCell, H, 1, whr, 1, H, E.Zero, hOut, P);
                        break;
                    }
                    case RnnMode.Gru:
                    {
                        E* hgt = hg + (long)t * B * GH;
                        E hb = E.Zero;
                        if (bhh is not null)
                        {
                            for (int r = 0; r < B; r++) new ReadOnlySpan<E>(bhh, GH).CopyTo(new Span<E>(hgt + (long)r * GH, GH));
                            hb = E.One;
                        }
                        Gemm.Run(B, GH, P, E.One, hPrev, P, 1, whh, 1, P, hb, hgt, GH);
                        RecurrentKernels.GruForwardRows(B, H, g, hgt, hPrev, hOut);
                        break;
                    }
                    default:
                        Gemm.Run(B, H, P, E.One, hPrev, P, 1, whh, 1, P, E.One, g, H);
                        RecurrentKernels.RnnForwardRows(mode == RnnMode.RnnRelu, B, H, g, hOut);
                        break;
                }
            }
        }
        var dst = ((E[])result.Data!).AsSpan(result.Offset);
        _hs.AsSpan().CopyTo(dst);
        if (mode == RnnMode.Lstm) _c.AsSpan(_g.Time(T - 1) * B * H, B * H).CopyTo(dst[(tb * P)..]);
    }

    public override void Backward(BufferAt gResult, in LayerSlots<BufferAt> grads)
    {
        int T = _g.T, B = _g.B, I = _g.I, H = _g.H, P = _g.P, G = _g.G, GH = G * H, tb = T * B;
        var mode = _g.Mode;
        var dG = new E[tb * GH];
        var dGhArr = mode == RnnMode.Gru ? new E[tb * GH] : dG;
        var dhA = new E[B * P];
        var dhB = new E[B * P];
        var dc = mode == RnnMode.Lstm ? new E[B * H] : null;
        var dhf = _in.Whr.Data is not null ? new E[B * H] : null;
        var dHs = _in.Whr.Data is not null ? new E[tb * P] : null;
        if (dc is not null) Arr(gResult)!.AsSpan(gResult.Offset + tb * P, B * H).CopyTo(dc);

        fixed (E* gz0 = Arr(gResult), x0 = Arr(_in.X), wih0 = Arr(_in.Wih), whh0 = Arr(_in.Whh), h00 = Arr(_in.H0))
        fixed (E* whr0 = Arr(_in.Whr), c00 = Arr(_in.C0))
        fixed (E* gates = _gates, hs = _hs, hg = _hg, c = _c, tc = _tc, hfull = _hfull)
        fixed (E* dGp = dG, dGh = dGhArr, pa = dhA, pb = dhB, dcp = dc, dhfp = dhf, dHsp = dHs)
        {
            E* dY = At(gz0, gResult), x = At(x0, _in.X), wih = At(wih0, _in.Wih), whh = At(whh0, _in.Whh), h0 = At(h00, _in.H0);
            E* whr = At(whr0, _in.Whr), c0 = At(c00, _in.C0);
            E* dh = pa, dhNext = pb;   // dh: gradient w.r.t. the current step's h (accumulated)
            for (int s = T - 1; s >= 0; s--)
            {
                int t = _g.Time(s);
                E* hPrev = s == 0 ? h0 : hs + (long)_g.Prev(t) * B * P;
                var dhSpan = new Span<E>(dh, B * P);
                RowUpdate.Add<E>(dhSpan, new ReadOnlySpan<E>(dY + (long)t * B * P, B * P));
                E* g = gates + (long)t * B * GH, dGt = dGp + (long)t * B * GH;
                switch (mode)
                {
                    case RnnMode.Lstm:
                    {
                        E* cPrev = s == 0 ? c0 : c + (long)_g.Prev(t) * B * H;
                        E* dhCell = dh;
                        if (whr is not null)
                        {
                            dhSpan.CopyTo(new Span<E>(dHsp + (long)t * B * P, B * P));
                            Gemm.Run(B, H, P, E.One, dh, P, 1, whr, H, 1, E.Zero, dhfp, H);
                            dhCell = dhfp;
                        }
                        RecurrentKernels.LstmBackwardRows(B, H, g, cPrev, tc + (long)t * B * H, dhCell, dcp, dGt);
                        Gemm.Run(B, P, GH, E.One, dGt, GH, 1, whh, P, 1, E.Zero, dh, P);
                        break;
                    }
                    case RnnMode.Gru:
                    {
                        E* dGht = dGh + (long)t * B * GH;
                        RecurrentKernels.GruBackwardRows(B, H, g, hg + (long)t * B * GH, hPrev, dh, dhNext, dGt, dGht);
                        Gemm.Run(B, H, GH, E.One, dGht, GH, 1, whh, H, 1, E.One, dhNext, H);
                        var swap = dh; dh = dhNext; dhNext = swap;
                        break;
                    }
                    default:
                        RecurrentKernels.RnnBackwardRows(mode == RnnMode.RnnRelu, B, H, hs + (long)t * B * P, dh, dGt);
                        Gemm.Run(B, H, H, E.One, dGt, H, 1, whh, H, 1, E.Zero, dh, H);
                        break;
                }
            }

            if (Arr(grads.X) is { } gx)
                fixed (E* p = gx) Gemm.Run(tb, I, GH, E.One, dGp, GH, 1, wih, I, 1, E.Zero, p + grads.X.Offset, I);
            if (Arr(grads.Wih) is { } gwih)
                fixed (E* p = gwih) Gemm.Run(GH, I, tb, E.One, dGp, 1, GH, x, I, 1, E.Zero, p + grads.Wih.Offset, I);
            if (Arr(grads.Whh) is { } gwhh)
            {
                // Step t's h_prev is h0 for the first step and the previous step's output otherwise:
                // two GEMMs over contiguous row blocks instead of one per step.
                fixed (E* p0 = gwhh)
                {
                    E* p = p0 + grads.Whh.Offset;
                    Gemm.Run(GH, P, B, E.One, dGh + (long)_g.Time(0) * B * GH, 1, GH, h0, P, 1, E.Zero, p, P);
                    if (T > 1)
                    {
                        E* dRows = _g.Reverse ? dGh : dGh + (long)B * GH;
                        E* hRows = _g.Reverse ? hs + (long)B * P : hs;
                        Gemm.Run(GH, P, (T - 1) * B, E.One, dRows, 1, GH, hRows, P, 1, E.One, p, P);
                    }
                }
            }
            if (Arr(grads.Bih) is { } gbih) RecurrentKernels.AddColumnSums(new ReadOnlySpan<E>(dGp, tb * GH), tb, GH, gbih.AsSpan(grads.Bih.Offset, GH));
            if (Arr(grads.Bhh) is { } gbhh) RecurrentKernels.AddColumnSums(new ReadOnlySpan<E>(dGh, tb * GH), tb, GH, gbhh.AsSpan(grads.Bhh.Offset, GH));
            if (Arr(grads.Whr) is { } gwhr)
                fixed (E* p = gwhr) Gemm.Run(P, H, tb, E.One, dHsp, 1, P, hfull, H, 1, E.Zero, p + grads.Whr.Offset, H);
            if (Arr(grads.H0) is { } gh0) new ReadOnlySpan<E>(dh, B * P).CopyTo(gh0.AsSpan(grads.H0.Offset, B * P));
            if (Arr(grads.C0) is { } gc0) dc.AsSpan().CopyTo(gc0.AsSpan(grads.C0.Offset, B * H));
        }
    }
}
