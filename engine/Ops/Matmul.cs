using Torchlet.Kernels;

namespace Torchlet;

/// <summary>
/// Matrix products: matmul (with PyTorch's rank rules and batch broadcasting), mm, bmm, mv, dot,
/// outer, addmm, baddbmm. Each backward sits beside its forward. As in PyTorch, the operands of a
/// product must share one dtype (no promotion; outer is a broadcast multiply and promotes).
/// </summary>
public partial class Tensor
{
    // ---------------------------------------------------------------- matmul

    /// <summary>
    /// PyTorch's matmul: 1-D·1-D is a dot product (0-dim), 2-D·1-D a matrix-vector product,
    /// 1-D·2-D a vector-matrix product, 2-D·2-D a matrix product; with a ≥3-D operand the
    /// leading dims are batch dims and broadcast, and a 1-D operand gets a dim prepended
    /// (first) or appended (second) that is removed from the result.
    /// </summary>
    public Tensor matmul(Tensor other)
    {
        Tensor t1 = this, t2 = other;
        int d1 = t1.dim(), d2 = t2.dim();
        if (d1 == 0 || d2 == 0)
            throw new ArgumentException($"both arguments to matmul need to be at least 1D, but they are {d1}D and {d2}D (shapes {Shape.Str(t1._shape)} and {Shape.Str(t2._shape)})");
        if (d1 == 1 && d2 == 1) return t1.dot(t2);
        if (d1 == 2 && d2 == 1) return t1.mv(t2);
        if (d1 == 1 && d2 == 2)
        {
            // PyTorch: tensor1.unsqueeze(0).mm(tensor2).squeeze_(0).
            var mm = t1.unsqueeze(0).mm(t2);
            var r = mm.squeeze_nograd(0);
            if (NeedsGrad(mm)) { var orig = mm._shape; Record(r, "SqueezeBackward3", g => g.reshape_nograd(orig), false, mm); }
            return r;
        }
        if (d1 == 2 && d2 == 2) return t1.mm(t2);

        CheckContraction(t1, t2);
        if (ShouldFold(t1, d2) || ShouldFold(t2, d1))
        {
            // One side is ≥3-D and the other 1-D or 2-D: fold the batch dims of the larger
            // operand into its rows and use one mm/mv instead of a batch of small products.
            bool transpose = d2 > d1;
            var a = transpose ? t2.mT : t1;
            var b = !transpose ? t2 : d1 == 2 ? t1.t() : t1;
            int[] sizes = a._shape;
            var outShape = sizes[..^1].ToList();
            int folded = Shape.Numel(outShape.ToArray());
            bool bIsMatrix = b.dim() == 2;
            if (bIsMatrix) outShape.Add(b._shape[1]);
            var aFolded = a.reshape(folded, sizes[^1]);
            if (bIsMatrix)
            {
                var output = UnsafeView(aFolded.mm(b), outShape.ToArray());
                return transpose ? output.mT.contiguous() : output;
            }
            return UnsafeView(aFolded.mv(b), outShape.ToArray());
        }

        // Batched: broadcast the batch dims, flatten them, one bmm.
        int n = d1 > 1 ? t1._shape[^2] : 1, m1 = t1._shape[^1];
        int m2 = d2 > 1 ? t2._shape[^2] : t2._shape[0], p = d2 > 1 ? t2._shape[^1] : 1;
        var batch1 = t1._shape[..Math.Max(d1 - 2, 0)];
        var batch2 = t2._shape[..Math.Max(d2 - 2, 0)];
        var batch = BroadcastBatch(batch1, batch2, t1, t2);
        int batchProduct = Shape.Numel(batch);
        var e1 = ExpandTo(t1, [.. batch, n, m1]).reshape(batchProduct, n, m1);
        var e2 = ExpandTo(t2, [.. batch, m2, p]).reshape(batchProduct, m2, p);
        var shape = batch.ToList();
        if (d1 > 1) shape.Add(n);
        if (d2 > 1) shape.Add(p);
        return UnsafeView(e1.bmm(e2), shape.ToArray());
    }

    /// <summary>
    /// PyTorch 1.13's should_fold: a ≥3-D operand times a 1-D/2-D one folds into one mm/mv, except
    /// for a 3-D operand whose last two dims are transposed (folding would need a copy).
    /// </summary>
    static bool ShouldFold(Tensor t, int otherDim)
    {
        int d = t.dim();
        if (d < 3 || otherDim is not (1 or 2)) return false;
        if (d == 3 && otherDim == 2 && t._strides[^1] != 1 && t._strides[0] == t._shape[1] * t._shape[2]) return false;
        return true;
    }

    /// <summary>The contracted sizes of matmul's operands must agree: a clear error before any folding.</summary>
    static void CheckContraction(Tensor t1, Tensor t2)
    {
        int k1 = t1._shape[^1], k2 = t2.dim() > 1 ? t2._shape[^2] : t2._shape[0];
        if (k1 != k2)
            throw new ArgumentException(
                $"matmul: shapes {Shape.Str(t1._shape)} and {Shape.Str(t2._shape)} cannot be multiplied: the last dim of the first ({k1}) " +
                $"must equal the {(t2.dim() > 1 ? "second-to-last" : "only")} dim of the second ({k2})");
    }

    static int[] BroadcastBatch(int[] b1, int[] b2, Tensor t1, Tensor t2)
    {
        int nd = Math.Max(b1.Length, b2.Length);
        var r = new int[nd];
        for (int i = 0; i < nd; i++)
        {
            int i1 = i - (nd - b1.Length), i2 = i - (nd - b2.Length);
            int s1 = i1 >= 0 ? b1[i1] : 1, s2 = i2 >= 0 ? b2[i2] : 1;
            if (s1 != s2 && s1 != 1 && s2 != 1)
                throw new ArgumentException(
                    $"matmul: the batch dims of {Shape.Str(t1._shape)} and {Shape.Str(t2._shape)} cannot be broadcast: " +
                    $"The size of tensor a ({s1}) must match the size of tensor b ({s2}) at non-singleton dimension {i}");
            r[i] = s1 == 1 ? s2 : s1;
        }
        return r;
    }

    /// <summary>t.expand(shape), skipped when t already has that shape (nothing to broadcast, no node to record).</summary>
    static Tensor ExpandTo(Tensor t, int[] shape) => Shape.SameShape(t._shape, shape) ? t : t.expand(Shape.ToLong(shape));

    /// <summary>at::_unsafe_view: a fresh product reshaped without a copy (UnsafeViewBackward0).</summary>
    static Tensor UnsafeView(Tensor t, int[] shape)
    {
        var c = t.contiguous_nograd();
        var r = c.AsView(shape, Shape.ContiguousStrides(shape), c._offset);
        if (NeedsGrad(t)) { var orig = t._shape; Record(r, "UnsafeViewBackward0", g => g.reshape_nograd(orig), false, t); }
        return r;
    }

    // ---------------------------------------------------------------- mm / bmm / mv / dot

    /// <summary>Matrix product of two 2-D tensors: [n, k] · [k, m] → [n, m].</summary>
    public Tensor mm(Tensor mat2)
    {
        CheckRank(this, 2, "self", "mm", "a matrix");
        CheckRank(mat2, 2, "mat2", "mm", "a matrix");
        if (_shape[1] != mat2._shape[0])
            throw new ArgumentException($"mat1 and mat2 shapes cannot be multiplied ({_shape[0]}x{_shape[1]} and {mat2._shape[0]}x{mat2._shape[1]})");
        CheckMatmulTypes(this, mat2, "mm");
        var r = Empty([_shape[0], mat2._shape[1]], dtype);
        GemmInto(r, 1, this, mat2, 0, 0, beta: 0, alpha: 1);
        if (NeedsGrad(this, mat2)) RecordMm(r, "MmBackward0", this, mat2, 1);
        return r;
    }

    /// <summary>Batched matrix product: [b, n, k] · [b, k, m] → [b, n, m] (no broadcasting; see matmul).</summary>
    public Tensor bmm(Tensor mat2)
    {
        CheckRank(this, 3, "batch1", "bmm", "a 3D tensor");
        CheckRank(mat2, 3, "batch2", "bmm", "a 3D tensor");
        CheckBmmShapes(this, mat2);
        CheckMatmulTypes(this, mat2, "bmm");
        var r = Empty([_shape[0], _shape[1], mat2._shape[2]], dtype);
        GemmInto(r, _shape[0], this, mat2, _strides[0], mat2._strides[0], beta: 0, alpha: 1);
        if (NeedsGrad(this, mat2)) RecordBmm(r, "BmmBackward0", this, mat2, 1);
        return r;
    }

    /// <summary>Matrix-vector product: [n, m] · [m] → [n].</summary>
    public Tensor mv(Tensor vec)
    {
        if (dim() != 2 || vec.dim() != 1)
            throw new ArgumentException($"vector + matrix @ vector expected, got 1, {dim()}, {vec.dim()} (mv: self must be 2-D and vec 1-D; shapes are {Shape.Str(_shape)} and {Shape.Str(vec._shape)})");
        if (_shape[1] != vec._shape[0])
            throw new ArgumentException($"size mismatch, got input ({_shape[0]}), mat ({_shape[0]}x{_shape[1]}), vec ({vec._shape[0]})");
        CheckMatmulTypes(this, vec, "mv");
        var r = Empty([_shape[0]], dtype);
        // The vector as a [m, 1] matrix: the GEMM routes n == 1 to its matrix-vector path.
        GemmInto(r, 1, this, vec.AsView([vec._shape[0], 1], [vec._strides[0], 1], vec._offset), 0, 0, beta: 0, alpha: 1);
        if (NeedsGrad(this, vec))
        {
            Tensor a = this, v = vec;
            bool ga = a._requiresGrad, gv = v._requiresGrad;
            var sa = gv ? new SavedTensor(a) : default;
            var sv = ga ? new SavedTensor(v) : default;
            Record(r, "MvBackward0", g => (ga ? g.outer(sv.Get()) : null, gv ? sa.Get().t().mv(g) : null), true, a, v);
        }
        return r;
    }

    /// <summary>Dot product of two 1-D tensors with the same number of elements (a 0-dim result).</summary>
    public Tensor dot(Tensor other)
    {
        if (dim() != 1 || other.dim() != 1)
            throw new ArgumentException($"1D tensors expected, but got {dim()}D and {other.dim()}D tensors (dot: shapes {Shape.Str(_shape)} and {Shape.Str(other._shape)})");
        if (dtype != other.dtype)
            throw new ArgumentException($"dot : expected both vectors to have same dtype, but found {dtype.CName()} and {other.dtype.CName()}");
        if (dtype == ScalarType.Bool)
            throw new ArgumentException("\"dot\" not implemented for 'Bool': convert the operands with .to(torch.int64) or .to(torch.float32)");
        if (_shape[0] != other._shape[0])
            throw new ArgumentException($"inconsistent tensor size, expected tensor [{_shape[0]}] and src [{other._shape[0]}] to have the same number of elements, but got {_shape[0]} and {other._shape[0]} elements respectively");
        var r = Empty(Shape.Scalar, dtype);
        MatmulKernels.Dot(dtype, _shape[0], _storage.RawArray, _offset, _strides[0], other._storage.RawArray, other._offset, other._strides[0], r._storage.RawArray);
        if (NeedsGrad(this, other))
        {
            Tensor a = this, b = other;
            bool ga = a._requiresGrad, gb = b._requiresGrad;
            var sa = gb ? new SavedTensor(a) : default;
            var sb = ga ? new SavedTensor(b) : default;
            Record(r, "DotBackward0", g => (ga ? g.mul(sb.Get()) : null, gb ? g.mul(sa.Get()) : null), true, a, b);
        }
        return r;
    }

    /// <summary>Outer product of two 1-D tensors: [n] ⊗ [m] → [n, m]. PyTorch computes it as <c>self.reshape(-1, 1) * vec2</c>, so dtypes promote.</summary>
    public Tensor outer(Tensor vec2)
    {
        if (dim() != 1) throw new ArgumentException($"outer: Expected 1-D argument self, but got {dim()}-D (shape {Shape.Str(_shape)})");
        if (vec2.dim() != 1) throw new ArgumentException($"outer: Expected 1-D argument vec2, but got {vec2.dim()}-D (shape {Shape.Str(vec2._shape)})");
        return reshape(-1, 1).mul(vec2);
    }

    /// <summary>Alias of <see cref="outer"/>.</summary>
    public Tensor ger(Tensor vec2) => outer(vec2);

    // ---------------------------------------------------------------- addmm / baddbmm

    /// <summary>beta·self + alpha·(mat1 · mat2), self broadcast to the product's shape; with beta = 0 self is ignored (NaNs too).</summary>
    public Tensor addmm(Tensor mat1, Tensor mat2, Scalar? beta = null, Scalar? alpha = null)
    {
        CheckRank(mat1, 2, "mat1", "addmm", "a matrix");
        CheckRank(mat2, 2, "mat2", "addmm", "a matrix");
        CheckMatmulTypes(mat1, mat2, "addmm");
        if (dtype != mat1.dtype)
            throw new ArgumentException($"self and mat2 must have the same dtype (addmm: self is {dtype.TorchName()}, mat1 and mat2 are {mat1.dtype.TorchName()})");
        if (mat1._shape[1] != mat2._shape[0])
            throw new ArgumentException($"mat1 and mat2 shapes cannot be multiplied ({mat1._shape[0]}x{mat1._shape[1]} and {mat2._shape[0]}x{mat2._shape[1]})");
        int[] shape = [mat1._shape[0], mat2._shape[1]];
        CheckExpandable(this, shape, "addmm");
        Scalar b = beta ?? 1, a = alpha ?? 1;
        var r = Empty(shape, dtype);
        if (b.ToDouble() != 0) r.CopyFrom(this);
        GemmInto(r, 1, mat1, mat2, 0, 0, b, a);
        if (NeedsGrad(this) || NeedsGrad(mat1, mat2)) RecordAdd(r, "AddmmBackward0", this, mat1, mat2, b, a, batched: false);
        return r;
    }

    /// <summary>beta·self + alpha·(batch1 · batch2) per batch, self broadcast to [b, n, m].</summary>
    public Tensor baddbmm(Tensor batch1, Tensor batch2, Scalar? beta = null, Scalar? alpha = null)
    {
        CheckRank(batch1, 3, "batch1", "baddbmm", "a 3D tensor");
        CheckRank(batch2, 3, "batch2", "baddbmm", "a 3D tensor");
        CheckBmmShapes(batch1, batch2);
        CheckMatmulTypes(batch1, batch2, "baddbmm");
        int[] shape = [batch1._shape[0], batch1._shape[1], batch2._shape[2]];
        CheckExpandable(this, shape, "baddbmm");
        Scalar b = beta ?? 1, a = alpha ?? 1;
        var r = Empty(shape, batch1.dtype);
        if (b.ToDouble() != 0) r.CopyFrom(this);
        GemmInto(r, shape[0], batch1, batch2, batch1._strides[0], batch2._strides[0], b, a);
        if (NeedsGrad(this) || NeedsGrad(batch1, batch2)) RecordAdd(r, "BaddbmmBackward0", this, batch1, batch2, b, a, batched: true);
        return r;
    }

    // ---------------------------------------------------------------- backward rules

    /// <summary>d(a·b): grad·bᵀ for a, aᵀ·grad for b (times alpha); only the operand a gradient needs is saved.</summary>
    static void RecordMm(Tensor r, string name, Tensor a, Tensor b, Scalar alpha)
    {
        bool ga = a._requiresGrad, gb = b._requiresGrad;
        var sa = gb ? new SavedTensor(a) : default;
        var sb = ga ? new SavedTensor(b) : default;
        Record(r, name, g => (ga ? Scale(g.mm(sb.Get().t()), alpha) : null, gb ? Scale(sa.Get().t().mm(g), alpha) : null), true, a, b);
    }

    static void RecordBmm(Tensor r, string name, Tensor a, Tensor b, Scalar alpha)
    {
        bool ga = a._requiresGrad, gb = b._requiresGrad;
        var sa = gb ? new SavedTensor(a) : default;
        var sb = ga ? new SavedTensor(b) : default;
        Record(r, name, g => (ga ? Scale(g.bmm(sb.Get().transpose(1, 2)), alpha) : null, gb ? Scale(sa.Get().transpose(1, 2).bmm(g), alpha) : null), true, a, b);
    }

    /// <summary>AddmmBackward0 / BaddbmmBackward0: beta·grad (summed to self's shape) and the product's rules.</summary>
    static void RecordAdd(Tensor r, string name, Tensor self, Tensor m1, Tensor m2, Scalar beta, Scalar alpha, bool batched)
    {
        bool gs = self._requiresGrad, g1 = m1._requiresGrad, g2 = m2._requiresGrad;
        var s1 = g2 ? new SavedTensor(m1) : default;
        var s2 = g1 ? new SavedTensor(m2) : default;
        Record(r, name, g => (
            gs ? GradFor(Scale(g, beta), self) : null,
            g1 ? Scale(batched ? g.bmm(s2.Get().transpose(1, 2)) : g.mm(s2.Get().t()), alpha) : null,
            g2 ? Scale(batched ? s1.Get().transpose(1, 2).bmm(g) : s1.Get().t().mm(g), alpha) : null
        ), true, self, m1, m2);
    }

    /// <summary>PyTorch's maybe_multiply: skip the multiply when the factor is 1.</summary>
    static Tensor Scale(Tensor t, Scalar s) => s.ToDouble() == 1 && s.kind != Scalar.Kind.Bool ? t : t.mul(s);

    // ---------------------------------------------------------------- checks

    static void CheckRank(Tensor t, int rank, string arg, string op, string what)
    {
        if (t.dim() != rank)
            throw new ArgumentException($"{arg} must be {what}, got {t.dim()}-D tensor of shape {Shape.Str(t._shape)} ({op} expects a {rank}-D {arg})");
    }

    static void CheckMatmulTypes(Tensor a, Tensor b, string op)
    {
        if (a.dtype != b.dtype)
            throw new ArgumentException($"expected scalar type {a.dtype.CName()} but found {b.dtype.CName()} ({op}: the operands are {a.dtype.TorchName()} and {b.dtype.TorchName()}; matrix products need one dtype, convert with .to())");
        if (a.dtype == ScalarType.Bool)
            throw new ArgumentException($"\"{op}\" not implemented for 'Bool': convert the operands with .to(torch.int64) or .to(torch.float32)");
    }

    static void CheckBmmShapes(Tensor b1, Tensor b2)
    {
        if (b2._shape[0] != b1._shape[0] || b2._shape[1] != b1._shape[2])
            throw new ArgumentException(
                $"Expected size for first two dimensions of batch2 tensor to be: [{b1._shape[0]}, {b1._shape[2]}] but got: [{b2._shape[0]}, {b2._shape[1]}] " +
                $"(batch1 is {Shape.Str(b1._shape)}, batch2 is {Shape.Str(b2._shape)})");
    }

    static void CheckExpandable(Tensor input, int[] shape, string op)
    {
        bool ok = input.dim() <= shape.Length;
        for (int i = 0; ok && i < input.dim(); i++)
        {
            int s = input._shape[i], t = shape[shape.Length - input.dim() + i];
            ok = s == t || s == 1;
        }
        if (!ok)
            throw new ArgumentException($"{op}: self of shape {Shape.Str(input._shape)} cannot be broadcast to the product's shape {Shape.Str(shape)}");
    }

    // ---------------------------------------------------------------- GEMM

    /// <summary>
    /// c[i] = alpha·a[i]·b[i] + beta·c[i] for <paramref name="batch"/> products, c contiguous [batch, n, m]
    /// (or [n, m] / [n]); a and b are read through their strides, so transposed views are not copied.
    /// </summary>
    static void GemmInto(Tensor c, int batch, Tensor a, Tensor b, int aBatchStride, int bBatchStride, Scalar beta, Scalar alpha)
    {
        int nd = a.dim(), bd = b.dim();
        int m = a._shape[nd - 2], k = a._shape[nd - 1], n = b._shape[bd - 1];
        var ma = new StridedMatrix(a._storage.RawArray, a._offset, a._strides[nd - 2], a._strides[nd - 1], aBatchStride);
        var mb = new StridedMatrix(b._storage.RawArray, b._offset, b._strides[bd - 2], b._strides[bd - 1], bBatchStride);
        MatmulKernels.Batched(c.dtype, batch, m, n, k, alpha, ma, mb, beta, c._storage.RawArray, c._offset);
    }
}

public static partial class torch
{
    /// <summary>Matrix product with PyTorch's rank rules and batch broadcasting (Python's <c>a @ b</c>).</summary>
    public static Tensor matmul(Tensor input, Tensor other) => input.matmul(other);
    public static Tensor mm(Tensor input, Tensor mat2) => input.mm(mat2);
    public static Tensor bmm(Tensor input, Tensor mat2) => input.bmm(mat2);
    public static Tensor mv(Tensor input, Tensor vec) => input.mv(vec);
    public static Tensor dot(Tensor input, Tensor tensor) => input.dot(tensor);
    public static Tensor outer(Tensor input, Tensor vec2) => input.outer(vec2);
    public static Tensor ger(Tensor input, Tensor vec2) => input.outer(vec2);

    /// <summary>beta·input + alpha·(mat1 · mat2).</summary>
    public static Tensor addmm(Tensor input, Tensor mat1, Tensor mat2, Scalar? beta = null, Scalar? alpha = null) => input.addmm(mat1, mat2, beta, alpha);

    /// <summary>beta·input + alpha·(batch1 · batch2), batch by batch.</summary>
    public static Tensor baddbmm(Tensor input, Tensor batch1, Tensor batch2, Scalar? beta = null, Scalar? alpha = null) => input.baddbmm(batch1, batch2, beta, alpha);
}
