using System.Text.Json;
using Torchlet;
using Xunit;
using F = Torchlet.torch.nn.functional;
using static Torchlet.torch;

namespace Torchlet.Tests.NN;

/// <summary>
/// Normalization (batch, instance, layer, group, local response norm) against PyTorch 1.13
/// fixtures from tests/fixtures/gen_nn_norm.py, float64 gradchecks, errors and the kernels'
/// threaded and short-row paths against an ordinary-op reference.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public class NormalizationTests
{
    const string File = "nn_norm";
    public static IEnumerable<object[]> Cases => Fixtures.Names(File);

    static (double atol, double rtol) Tol(JsonElement c) =>
        c.GetProperty("dtype").GetString() == "float64" ? (1e-10, 1e-8) : (2e-5, 2e-4);

    static double Cfg(JsonElement c, string key) => c.GetProperty("config").GetProperty(key).GetDouble();
    static bool CfgBool(JsonElement c, string key) => c.GetProperty("config").GetProperty(key).GetBoolean();
    static double? Momentum(JsonElement c) =>
        c.GetProperty("config").GetProperty("momentum") is { ValueKind: JsonValueKind.Number } m ? m.GetDouble() : null;

    static Tensor? Param(JsonElement c, string name) =>
        c.GetProperty("params").TryGetProperty(name, out var p) ? Fixtures.T(p, requiresGrad: true) : null;

    static Tensor? Buffer(JsonElement c, string name) =>
        c.GetProperty("default").TryGetProperty(name, out var p) ? Fixtures.T(p) : null;

    // ---------------------------------------------------------------- functional forms vs PyTorch's modules

    /// <summary>
    /// Replays each fixture's train/eval steps through the functional forms, doing what PyTorch's
    /// module forward does around them (num_batches_tracked, momentum=None, which buffers are passed).
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Functional_matches_pytorch(string name)
    {
        var c = Fixtures.Case(File, name);
        var (atol, rtol) = Tol(c);
        string kind = c.GetProperty("kind").GetString()!;
        Tensor? w = Param(c, "weight"), b = Param(c, "bias");
        Tensor? rm = Buffer(c, "running_mean"), rv = Buffer(c, "running_var");
        long nbt = 0;
        int k = 0;
        foreach (var st in c.GetProperty("steps").EnumerateArray())
        {
            string what = $"{name} step {k++}";
            bool training = st.GetProperty("mode").GetString() == "train";
            var x = Fixtures.T(st.GetProperty("input"), requiresGrad: true);
            Tensor y;
            if (kind.StartsWith("BatchNorm"))
            {
                bool track = CfgBool(c, "track_running_stats");
                double factor = Momentum(c) ?? 0.0;
                if (training && track)
                {
                    nbt++;
                    if (Momentum(c) is null) factor = 1.0 / nbt;
                }
                bool bnTraining = training || rm is null;
                y = F.batch_norm(x, training && !track ? null : rm, training && !track ? null : rv, w, b, bnTraining, factor, Cfg(c, "eps"));
            }
            else if (kind.StartsWith("InstanceNorm"))
            {
                bool track = CfgBool(c, "track_running_stats");   // instance norm never counts batches
                int noBatch = kind[^2] - '0' + 1;
                bool unbatched = x.dim() == noBatch;
                var xi = unbatched ? x.unsqueeze(0) : x;
                y = F.instance_norm(xi, rm, rv, w, b, training || !track, Cfg(c, "momentum"), Cfg(c, "eps"));
                if (unbatched) y = y.squeeze(0);
            }
            else if (kind == "LayerNorm")
            {
                var ns = c.GetProperty("config").GetProperty("normalized_shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                y = F.layer_norm(x, ns, w, b, Cfg(c, "eps"));
            }
            else if (kind == "GroupNorm")
                y = F.group_norm(x, (long)Cfg(c, "num_groups"), w, b, Cfg(c, "eps"));
            else
                y = F.local_response_norm(x, (long)Cfg(c, "size"), Cfg(c, "alpha"), Cfg(c, "beta"), Cfg(c, "k"));

            Assert.Equal(st.GetProperty("grad_fn").GetString(), y.grad_fn!.name());
            Fixtures.AssertClose(st.GetProperty("output"), y, atol, rtol, what + " output");
            y.backward(Fixtures.T(st.GetProperty("grad")));
            Fixtures.AssertClose(st.GetProperty("input_grad"), x.grad!, atol, rtol, what + " input grad");
            if (st.GetProperty("weight_grad").ValueKind != JsonValueKind.Null)
                Fixtures.AssertClose(st.GetProperty("weight_grad"), w!.grad!, atol, rtol, what + " weight grad");
            if (st.GetProperty("bias_grad").ValueKind != JsonValueKind.Null)
                Fixtures.AssertClose(st.GetProperty("bias_grad"), b!.grad!, atol, rtol, what + " bias grad");
            var buffers = st.GetProperty("buffers");
            if (buffers.TryGetProperty("running_mean", out var erm)) Fixtures.AssertClose(erm, rm!, atol, rtol, what + " running_mean");
            if (buffers.TryGetProperty("running_var", out var erv)) Fixtures.AssertClose(erv, rv!, atol, rtol, what + " running_var");
            if (buffers.TryGetProperty("num_batches_tracked", out var en)) Assert.Equal((long)Fixtures.Values(en)[0], nbt);
            if (w is not null) w.grad = null;
            if (b is not null) b.grad = null;
        }
    }

    // ---------------------------------------------------------------- gradchecks (float64)

    static Tensor Affine(long c, int seed) => GradCheck.Input([c], seed, 0.5, 1.5);

    [Fact]
    public void Gradcheck_batch_norm_training()
    {
        var x = GradCheck.Input([3, 2, 4], 1);
        var w = Affine(2, 2);
        var b = GradCheck.Input([2], 3);
        GradCheck.Check(t => F.batch_norm(t[0], null, null, t[1], t[2], training: true), [x, w, b], what: "batch_norm train 3-D");
        var x2 = GradCheck.Input([5, 3], 4);
        GradCheck.Check(t => F.batch_norm(t[0], null, null, t[1], t[2], training: true), [x2, Affine(3, 5), GradCheck.Input([3], 6)], what: "batch_norm train 2-D");
        // 20 spatial elements: the vectorised row path.
        var x3 = GradCheck.Input([2, 2, 4, 5], 7);
        GradCheck.Check(t => F.batch_norm(t[0], null, null, t[1], t[2], training: true), [x3, Affine(2, 8), GradCheck.Input([2], 9)], what: "batch_norm train 4-D");
    }

    [Fact]
    public void Gradcheck_batch_norm_eval_and_no_affine()
    {
        var rm = torch.tensor(new[] { 0.3, -0.2 }, dtype: torch.float64);
        var rv = torch.tensor(new[] { 1.5, 0.7 }, dtype: torch.float64);
        var x = GradCheck.Input([3, 2, 3], 10);
        GradCheck.Check(t => F.batch_norm(t[0], rm, rv, t[1], t[2], training: false), [x, Affine(2, 11), GradCheck.Input([2], 12)], what: "batch_norm eval");
        GradCheck.Check(t => F.batch_norm(t[0], null, null, training: true), [GradCheck.Input([4, 3, 2], 13)], what: "batch_norm no affine");
        GradCheck.Check(t => F.batch_norm(t[0], null, null, t[1], null, training: true), [GradCheck.Input([4, 3], 14), Affine(3, 15)], what: "batch_norm weight only");
        GradCheck.Check(t => F.batch_norm(t[0], null, null, null, t[1], training: true), [GradCheck.Input([4, 3], 16), GradCheck.Input([3], 17)], what: "batch_norm bias only");
    }

    [Fact]
    public void Gradcheck_instance_norm()
    {
        var x = GradCheck.Input([2, 3, 4], 20);
        GradCheck.Check(t => F.instance_norm(t[0], weight: t[1], bias: t[2]), [x, Affine(3, 21), GradCheck.Input([3], 22)], what: "instance_norm");
        var rm = torch.zeros(2, dtype: torch.float64);
        var rv = torch.ones(2, dtype: torch.float64);
        GradCheck.Check(t => F.instance_norm(t[0], rm, rv, use_input_stats: false), [GradCheck.Input([2, 2, 3], 23)], what: "instance_norm running stats");
        GradCheck.Check(t => F.instance_norm(t[0]), [GradCheck.Input([2, 2, 17], 24)], what: "instance_norm long rows");
    }

    [Fact]
    public void Gradcheck_layer_norm()
    {
        GradCheck.Check(t => F.layer_norm(t[0], [4], t[1], t[2]), [GradCheck.Input([3, 4], 30), GradCheck.Input([4], 31, 0.5, 1.5), GradCheck.Input([4], 32)], what: "layer_norm");
        GradCheck.Check(t => F.layer_norm(t[0], [2, 3]), [GradCheck.Input([2, 2, 3], 33)], what: "layer_norm 2 dims, no affine");
        GradCheck.Check(t => F.layer_norm(t[0], [20], t[1], null), [GradCheck.Input([2, 20], 34), GradCheck.Input([20], 35, 0.5, 1.5)], what: "layer_norm wide, weight only");
        GradCheck.Check(t => F.layer_norm(t[0], [5], null, t[1]), [GradCheck.Input([2, 5], 36), GradCheck.Input([5], 37)], what: "layer_norm bias only");
    }

    [Fact]
    public void Gradcheck_group_norm()
    {
        GradCheck.Check(t => F.group_norm(t[0], 2, t[1], t[2]), [GradCheck.Input([2, 4, 3], 40), Affine(4, 41), GradCheck.Input([4], 42)], what: "group_norm");
        GradCheck.Check(t => F.group_norm(t[0], 3), [GradCheck.Input([2, 6, 2], 43)], what: "group_norm no affine");
        GradCheck.Check(t => F.group_norm(t[0], 1, t[1], t[2]), [GradCheck.Input([2, 2, 17], 44), Affine(2, 45), GradCheck.Input([2], 46)], what: "group_norm one group, long rows");
    }

    [Fact]
    public void Gradcheck_local_response_norm()
    {
        GradCheck.Check(t => F.local_response_norm(t[0], 3, alpha: 0.1, beta: 0.75, k: 1.0), [GradCheck.Input([2, 4, 3], 50)], what: "local_response_norm 3-D");
        GradCheck.Check(t => F.local_response_norm(t[0], 2, alpha: 0.2), [GradCheck.Input([1, 3, 2, 2], 51)], what: "local_response_norm 4-D");
    }

    /// <summary>
    /// Double backward (create_graph): the first-order gradients, as functions of the inputs, gradchecked
    /// again (PyTorch's gradgradcheck). Each f returns a weighted sum of all first-order gradients.
    /// </summary>
    static Func<Tensor[], Tensor> GradOf(Func<Tensor[], Tensor> f, long[] outShape, int seed)
    {
        var gOut = GradCheck.Input(outShape, seed).detach();
        return t =>
        {
            using var _ = enable_grad();   // GradCheck evaluates f under no_grad for finite differences
            var grads = autograd.grad([f(t)], t, [gOut], create_graph: true);
            Tensor acc = grads[0]!.mul(grads[0]!).sum();
            for (int i = 1; i < grads.Count; i++) acc = acc.add(grads[i]!.mul(1.0 + i).sum());
            return acc;
        };
    }

    [Fact]
    public void Double_backward_matches_finite_differences()
    {
        GradCheck.Check(GradOf(t => F.batch_norm(t[0], null, null, t[1], t[2], training: true), [3, 2, 2], 70),
            [GradCheck.Input([3, 2, 2], 71), Affine(2, 72), GradCheck.Input([2], 73)], what: "batch_norm train, double backward");
        var rm = torch.tensor(new[] { 0.3, -0.2 }, dtype: torch.float64);
        var rv = torch.tensor(new[] { 1.5, 0.7 }, dtype: torch.float64);
        GradCheck.Check(GradOf(t => F.batch_norm(t[0], rm, rv, t[1], t[2], training: false), [2, 2, 3], 74),
            [GradCheck.Input([2, 2, 3], 75), Affine(2, 76), GradCheck.Input([2], 77)], what: "batch_norm eval, double backward");
        GradCheck.Check(GradOf(t => F.instance_norm(t[0], weight: t[1]), [2, 2, 3], 78),
            [GradCheck.Input([2, 2, 3], 79), Affine(2, 80)], what: "instance_norm, double backward");
        GradCheck.Check(GradOf(t => F.layer_norm(t[0], [3], t[1], t[2]), [2, 3], 81),
            [GradCheck.Input([2, 3], 82), Affine(3, 83), GradCheck.Input([3], 84)], what: "layer_norm, double backward");
        GradCheck.Check(GradOf(t => F.group_norm(t[0], 2, t[1], t[2]), [2, 4, 2], 85),
            [GradCheck.Input([2, 4, 2], 86), Affine(4, 87), GradCheck.Input([4], 88)], what: "group_norm, double backward");
    }

    [Fact]
    public void Create_graph_gradients_equal_the_fused_ones()
    {
        torch.manual_seed(9);
        var x = torch.randn([4, 3, 5], dtype: torch.float64).requires_grad_(true);
        var w = torch.rand([3], dtype: torch.float64).requires_grad_(true);
        var b = torch.rand([3], dtype: torch.float64).requires_grad_(true);
        var g = torch.randn([4, 3, 5], dtype: torch.float64);
        foreach (var (what, f) in new (string, Func<Tensor>)[]
        {
            ("batch_norm", () => F.batch_norm(x, null, null, w, b, training: true)),
            ("instance_norm", () => F.instance_norm(x, null, null, w, b)),
            ("group_norm", () => F.group_norm(x, 3, w, b)),
        })
        {
            var fused = autograd.grad([f()], [x, w, b], [g]);
            var graph = autograd.grad([f()], [x, w, b], [g], create_graph: true);
            for (int i = 0; i < 3; i++) AssertNear(fused[i]!, graph[i]!.detach(), 1e-12, $"{what} gradient {i}");
            Assert.True(graph[0]!.requires_grad, $"{what}: create_graph gradient has no graph");
        }
    }

    // ---------------------------------------------------------------- kernels against an ordinary-op reference

    /// <summary>(x − mean)/sqrt(var + eps)·w + b with mean/var over <paramref name="dims"/>, from ordinary ops.</summary>
    static Tensor Reference(Tensor x, long[] dims, Tensor? w, Tensor? b, double eps)
    {
        var mean = x.mean(dims, keepdim: true);
        var v = x.var(dims, unbiased: false, keepdim: true);
        var y = x.sub(mean).div(v.add(eps).sqrt());
        if (w is not null) y = y.mul(w);
        if (b is not null) y = y.add(b);
        return y;
    }

    static void AssertNear(Tensor expected, Tensor actual, double tol, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        var e = expected.ToArray<double>();
        var a = actual.ToArray<double>();
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tol * (1 + Math.Abs(e[i])), $"{what}: element {i} is {a[i]}, reference {e[i]}");
    }

    [Theory]
    [InlineData(16, 32, 8, 8)]     // threaded over channels, vector rows
    [InlineData(64, 64, 4, 4)]     // DCGAN-sized: rows of exactly one 512-bit vector
    [InlineData(128, 200, 1, 1)]   // [N, C]: vectorised across channels
    [InlineData(8, 12, 3, 1)]      // short rows
    [InlineData(5, 6, 16, 12)]     // long rows: per-row statistics merged across the batch
    [InlineData(600, 3, 1, 1)]     // more samples than one float flush block
    public void Batch_norm_large_shapes_match_ordinary_ops(int n, int c, int h, int wd)
    {
        torch.manual_seed(3);
        var x = torch.randn([n, c, h, wd], dtype: torch.float64).requires_grad_(true);
        var w = torch.rand([c], dtype: torch.float64).add(0.5).requires_grad_(true);
        var b = torch.randn([c], dtype: torch.float64).requires_grad_(true);
        var g = torch.randn([n, c, h, wd], dtype: torch.float64);
        var rm = torch.zeros(c, dtype: torch.float64);
        var rv = torch.ones(c, dtype: torch.float64);
        var y = F.batch_norm(x, rm, rv, w, b, training: true, momentum: 0.1, eps: 1e-5);
        y.backward(g);
        var (gx, gw, gb) = (x.grad!, w.grad!, b.grad!);
        x.grad = null; w.grad = null; b.grad = null;
        long[] dims = [0, 2, 3];
        var yr = Reference(x, dims, w.view(1, c, 1, 1), b.view(1, c, 1, 1), 1e-5);
        yr.backward(g);
        AssertNear(yr, y, 1e-10, "output");
        AssertNear(x.grad!, gx, 1e-9, "input grad");
        AssertNear(w.grad!, gw, 1e-9, "weight grad");
        AssertNear(b.grad!, gb, 1e-9, "bias grad");
        using (torch.no_grad())
        {
            AssertNear(x.mean(dims).mul(0.1), rm, 1e-12, "running_mean");
            AssertNear(x.var(dims).mul(0.1).add(0.9), rv, 1e-12, "running_var (unbiased)");
        }

        // float32 stays close to the float64 result.
        var y32 = F.batch_norm(x.detach().@float(), null, null, w.detach().@float(), b.detach().@float(), training: true);
        AssertNear(yr.detach(), y32, 1e-5, "float32 output");
    }

    [Theory]
    [InlineData(300, 700)]   // LayerNorm: several column blocks, threaded rows
    [InlineData(1000, 3)]
    public void Layer_norm_large_shapes_match_ordinary_ops(int m, int k)
    {
        torch.manual_seed(4);
        var x = torch.randn([m, k], dtype: torch.float64).requires_grad_(true);
        var w = torch.rand([k], dtype: torch.float64).add(0.5).requires_grad_(true);
        var b = torch.randn([k], dtype: torch.float64).requires_grad_(true);
        var g = torch.randn([m, k], dtype: torch.float64);
        var y = F.layer_norm(x, [k], w, b);
        y.backward(g);
        var (gx, gw, gb) = (x.grad!, w.grad!, b.grad!);
        x.grad = null; w.grad = null; b.grad = null;
        var yr = Reference(x, [1], w, b, 1e-5);
        yr.backward(g);
        AssertNear(yr, y, 1e-10, "output");
        AssertNear(x.grad!, gx, 1e-9, "input grad");
        AssertNear(w.grad!, gw, 1e-9, "weight grad");
        AssertNear(b.grad!, gb, 1e-9, "bias grad");
    }

    [Fact]
    public void Group_norm_large_shape_matches_ordinary_ops()
    {
        torch.manual_seed(5);
        int n = 8, c = 32, s = 64, groups = 4;
        var x = torch.randn([n, c, s], dtype: torch.float64).requires_grad_(true);
        var w = torch.rand([c], dtype: torch.float64).add(0.5).requires_grad_(true);
        var b = torch.randn([c], dtype: torch.float64).requires_grad_(true);
        var g = torch.randn([n, c, s], dtype: torch.float64);
        var y = F.group_norm(x, groups, w, b);
        y.backward(g);
        var (gx, gw, gb) = (x.grad!, w.grad!, b.grad!);
        x.grad = null; w.grad = null; b.grad = null;
        var yr = Reference(x.view(n, groups, c / groups * s), [2], null, null, 1e-5).view(n, c, s).mul(w.view(1, c, 1)).add(b.view(1, c, 1));
        yr.backward(g);
        AssertNear(yr, y, 1e-10, "output");
        AssertNear(x.grad!, gx, 1e-9, "input grad");
        AssertNear(w.grad!, gw, 1e-9, "weight grad");
        AssertNear(b.grad!, gb, 1e-9, "bias grad");
    }

    /// <summary>Every sum has one owner whatever the split, so results are bit-identical for any thread count.</summary>
    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        torch.manual_seed(10);
        var x = torch.randn(64, 64, 4, 4).requires_grad_(true);
        var w = torch.rand(64).requires_grad_(true);
        var b = torch.rand(64).requires_grad_(true);
        var g = torch.randn(64, 64, 4, 4);
        float[][] Run()
        {
            var outs = new List<float[]>();
            foreach (var f in new Func<Tensor>[]
            {
                () => F.batch_norm(x, null, null, w, b, training: true),
                () => F.instance_norm(x, null, null, w, b),
                () => F.group_norm(x, 8, w, b),
                () => F.layer_norm(x.view(64, 1024), [1024]),
            })
            {
                var y = f();
                var grads = autograd.grad([y], [x, w, b], [g.view(y.shape)], allow_unused: true);
                outs.Add(y.detach().ToArray<float>());
                foreach (var gr in grads) if (gr is not null) outs.Add(gr.ToArray<float>());
            }
            return [.. outs];
        }
        int saved = get_num_threads();
        try
        {
            set_num_threads(1);
            var one = Run();
            set_num_threads(4);
            var four = Run();
            Assert.Equal(one.Length, four.Length);
            for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], four[i]);
        }
        finally { set_num_threads(saved); }
    }

    [Fact]
    public void Non_contiguous_input_gives_the_same_result()
    {
        torch.manual_seed(6);
        var xc = torch.randn(3, 4, 5, 2);
        var xt = xc.permute(0, 3, 2, 1).contiguous().permute(0, 3, 2, 1);   // same values, channels-last strides
        Assert.False(xt.is_contiguous());
        AssertNear(F.batch_norm(xc, null, null, training: true), F.batch_norm(xt, null, null, training: true), 1e-6, "batch_norm");
        AssertNear(F.layer_norm(xc, [5, 2]), F.layer_norm(xt, [5, 2]), 1e-6, "layer_norm");
        AssertNear(F.group_norm(xc, 2), F.group_norm(xt, 2), 1e-6, "group_norm");
        AssertNear(F.instance_norm(xc), F.instance_norm(xt), 1e-6, "instance_norm");
    }

    [Fact]
    public void Float32_statistics_stay_accurate_with_a_large_mean()
    {
        // |mean| ≫ std: a one-pass E[x²] − E[x]² in float32 would lose every digit here.
        torch.manual_seed(7);
        var x64 = torch.randn([4, 3, 40], dtype: torch.float64).mul(1e-2).add(1000);
        var y64 = F.batch_norm(x64, null, null, training: true, eps: 1e-8);
        var y32 = F.batch_norm(x64.@float(), null, null, training: true, eps: 1e-8);
        AssertNear(y64, y32, 2e-2, "batch_norm");   // float32 rounding of the input itself is 6e-5 / 1e-2 of a std
        var l32 = F.layer_norm(x64.@float(), [40], eps: 1e-8);
        AssertNear(F.layer_norm(x64, [40], eps: 1e-8), l32, 2e-2, "layer_norm");
    }

    [Fact]
    public void Running_statistics_are_updated_in_place_and_bump_the_version()
    {
        var rm = torch.zeros(2);
        var rv = torch.ones(2);
        var x = torch.tensor(new double[] { 1, 2, 3, 4, 5, 6, 7, 8 }).view(2, 2, 2);
        int version = rm._storage.Version;
        F.batch_norm(x, rm, rv, training: true, momentum: 0.5);
        Assert.Equal(version + 1, rm._storage.Version);
        // channel 0: [1, 2, 5, 6] mean 3.5, unbiased var 17/3; channel 1: [3, 4, 7, 8] mean 5.5.
        AssertNear(torch.tensor(new[] { 1.75, 2.75 }), rm, 1e-6, "running_mean");
        AssertNear(torch.tensor(new[] { 0.5 + 0.5 * 17 / 3.0, 0.5 + 0.5 * 17 / 3.0 }), rv, 1e-6, "running_var");
        // eval mode leaves them alone.
        F.batch_norm(x, rm, rv, training: false);
        AssertNear(torch.tensor(new[] { 1.75, 2.75 }), rm, 1e-6, "running_mean after eval");
    }

    [Fact]
    public void Saved_input_changed_in_place_fails_backward()
    {
        var x = torch.randn(3, 2).requires_grad_(true);
        var h = x.mul(2);
        var y = F.batch_norm(h, null, null, training: true);
        h.add_(1);
        var e = Assert.Throws<InvalidOperationException>(() => y.sum().backward());
        Assert.Contains("modified by an inplace operation", e.Message);
    }

    // ---------------------------------------------------------------- errors

    [Fact]
    public void Functional_errors_say_what_was_expected()
    {
        var x = torch.randn(2, 4, 2, 2);
        var e = Assert.Throws<ArgumentException>(() => F.batch_norm(x, torch.zeros(3), torch.ones(3)));
        Assert.Contains("running_mean should contain 4 elements not 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.batch_norm(x, null, null, torch.ones(3), training: true));
        Assert.Contains("weight should contain 4 elements not 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.batch_norm(x, null, null));
        Assert.Contains("running_mean and running_var must be defined in evaluation mode", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.batch_norm(torch.randn(1, 10), null, null, training: true));
        Assert.Contains("Expected more than 1 value per channel when training, got input size [1, 10]", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.batch_norm(torch.randn(4), null, null, training: true));
        Assert.Contains("got input of shape [4]", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.batch_norm(torch.ones([2, 3], dtype: torch.int64), null, null, training: true));
        Assert.Contains("\"batch_norm\" not implemented for 'Long'", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.batch_norm(x, null, null, torch.ones([4], dtype: torch.float64), training: true));
        Assert.Contains("mixed dtype", e.Message);
        Assert.Contains("float64", e.Message);

        e = Assert.Throws<ArgumentException>(() => F.instance_norm(torch.randn(2, 4, 1)));
        Assert.Contains("Expected more than 1 spatial element when training, got input size [2, 4, 1]", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.instance_norm(torch.randn(2, 4, 3), use_input_stats: false));
        Assert.Contains("Expected running_mean and running_var to be defined when use_input_stats is false", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.instance_norm(torch.randn(2, 4, 3), torch.zeros(3), torch.ones(3)));
        Assert.Contains("running_mean should contain 4 elements not 3", e.Message);

        e = Assert.Throws<ArgumentException>(() => F.layer_norm(x, [3]));
        Assert.Contains("Given normalized_shape=[3], expected input with shape [*, 3], but got input of size[2, 4, 2, 2]", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.layer_norm(torch.randn(2, 4), [4], torch.ones(3)));
        Assert.Contains("Expected weight to be of same shape as normalized_shape, but got weight of shape [3] and normalized_shape = [4]", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.layer_norm(torch.randn(2, 4), [4], null, torch.ones(3)));
        Assert.Contains("Expected bias to be of same shape as normalized_shape", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.layer_norm(torch.randn(2, 4), []));
        Assert.Contains("Expected normalized_shape to be at least 1-dimensional", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.layer_norm(torch.ones([2, 4], dtype: torch.int64), [4]));
        Assert.Contains("not implemented for 'Long'", e.Message);

        e = Assert.Throws<ArgumentException>(() => F.group_norm(x, 3));
        Assert.Contains("Expected number of channels in input to be divisible by num_groups, but got input of shape [2, 4, 2, 2] and num_groups=3", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.group_norm(x, 2, torch.ones(3)));
        Assert.Contains("Expected weight to be a vector of size equal to the number of channels in input, but got weight of shape [3] and input of shape [2, 4, 2, 2]", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.group_norm(torch.randn(1, 2, 1), 2));
        Assert.Contains("Expected more than 1 value per channel when training, got input size [1, 2, 1]", e.Message);

        e = Assert.Throws<ArgumentException>(() => F.local_response_norm(torch.randn(2, 4), 2));
        Assert.Contains("Expected 3D or higher dimensionality input (got 2 dimensions", e.Message);
    }

    [Fact]
    public void A_failing_call_leaves_running_statistics_alone()
    {
        var rm = torch.tensor(new[] { 0.5, -0.5 });
        var rv = torch.tensor(new[] { 2.0, 3.0 });
        Assert.Throws<ArgumentException>(() => F.batch_norm(torch.randn(1, 2), rm, rv, torch.ones(2), training: true));
        Assert.Throws<ArgumentException>(() => F.batch_norm(torch.randn(4, 2), rm, rv, torch.ones(3), training: true));
        Assert.Equal(new[] { 0.5f, -0.5f }, rm.data<float>().ToArray());
        Assert.Equal(new[] { 2f, 3f }, rv.data<float>().ToArray());
    }

    [Fact]
    public void Top_level_torch_forms()
    {
        torch.manual_seed(8);
        var x = torch.randn(3, 4, 5);
        var w = torch.rand(4);
        var b = torch.rand(4);
        AssertNear(F.batch_norm(x, null, null, w, b, true, 0.1, 1e-5), torch.batch_norm(x, w, b, null, null, true, 0.1, 1e-5), 0, "batch_norm");
        AssertNear(F.instance_norm(x, null, null, w, b), torch.instance_norm(x, w, b, null, null, true, 0.1, 1e-5), 0, "instance_norm");
        AssertNear(F.layer_norm(x, [5]), torch.layer_norm(x, [5]), 0, "layer_norm");
        AssertNear(F.group_norm(x, 2, w, b), torch.group_norm(x, 2, w, b), 0, "group_norm");
    }

    // ---------------------------------------------------------------- modules vs PyTorch

    static ScalarType DTypeOf(JsonElement c) => Fixtures.DType(c.GetProperty("dtype").GetString()!);

    static nn.Module<Tensor, Tensor> Build(JsonElement c)
    {
        var dt = DTypeOf(c);
        string kind = c.GetProperty("kind").GetString()!;
        long L(string k) => c.GetProperty("config").GetProperty(k).GetInt64();
        return kind switch
        {
            "BatchNorm1d" => nn.BatchNorm1d(L("num_features"), Cfg(c, "eps"), Momentum(c), CfgBool(c, "affine"), CfgBool(c, "track_running_stats"), dt),
            "BatchNorm2d" => nn.BatchNorm2d(L("num_features"), Cfg(c, "eps"), Momentum(c), CfgBool(c, "affine"), CfgBool(c, "track_running_stats"), dt),
            "BatchNorm3d" => nn.BatchNorm3d(L("num_features"), Cfg(c, "eps"), Momentum(c), CfgBool(c, "affine"), CfgBool(c, "track_running_stats"), dt),
            "InstanceNorm1d" => nn.InstanceNorm1d(L("num_features"), Cfg(c, "eps"), Cfg(c, "momentum"), CfgBool(c, "affine"), CfgBool(c, "track_running_stats"), dt),
            "InstanceNorm2d" => nn.InstanceNorm2d(L("num_features"), Cfg(c, "eps"), Cfg(c, "momentum"), CfgBool(c, "affine"), CfgBool(c, "track_running_stats"), dt),
            "InstanceNorm3d" => nn.InstanceNorm3d(L("num_features"), Cfg(c, "eps"), Cfg(c, "momentum"), CfgBool(c, "affine"), CfgBool(c, "track_running_stats"), dt),
            "LayerNorm" => nn.LayerNorm(c.GetProperty("config").GetProperty("normalized_shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
                Cfg(c, "eps"), CfgBool(c, "elementwise_affine"), dt),
            "GroupNorm" => nn.GroupNorm(L("num_groups"), L("num_channels"), Cfg(c, "eps"), CfgBool(c, "affine"), dt),
            "LocalResponseNorm" => nn.LocalResponseNorm(L("size"), Cfg(c, "alpha"), Cfg(c, "beta"), Cfg(c, "k")),
            _ => throw new ArgumentException(kind),
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Module_matches_pytorch(string name)
    {
        var c = Fixtures.Case(File, name);
        var (atol, rtol) = Tol(c);
        var m = Build(c);
        Assert.Equal(c.GetProperty("repr").GetString(), m.ToString());
        Assert.Equal(c.GetProperty("state_dict_keys").EnumerateArray().Select(e => e.GetString()), m.state_dict().Keys);
        Assert.Equal(c.GetProperty("parameter_names").EnumerateArray().Select(e => e.GetString()), m.named_parameters().Select(p => p.name));
        Assert.Equal(c.GetProperty("buffer_names").EnumerateArray().Select(e => e.GetString()), m.named_buffers().Select(p => p.name));
        // Default state: weight ones, bias zeros, running_mean zeros, running_var ones, num_batches_tracked int64 0.
        var sd = m.state_dict();
        foreach (var p in c.GetProperty("default").EnumerateObject())
            Fixtures.AssertClose(p.Value, sd[p.Name], 0, 0, $"{name} default {p.Name}");

        var load = new Dictionary<string, Tensor>();
        foreach (var p in c.GetProperty("params").EnumerateObject()) load[p.Name] = Fixtures.T(p.Value);
        var (missing, unexpected) = m.load_state_dict(load, strict: false);
        Assert.Empty(unexpected);
        int k = 0;
        foreach (var st in c.GetProperty("steps").EnumerateArray())
        {
            string what = $"{name} step {k++}";
            m.train(st.GetProperty("mode").GetString() == "train");
            var x = Fixtures.T(st.GetProperty("input"), requiresGrad: true);
            var y = m.forward(x);
            Assert.Equal(st.GetProperty("grad_fn").GetString(), y.grad_fn!.name());
            Fixtures.AssertClose(st.GetProperty("output"), y, atol, rtol, what + " output");
            y.backward(Fixtures.T(st.GetProperty("grad")));
            Fixtures.AssertClose(st.GetProperty("input_grad"), x.grad!, atol, rtol, what + " input grad");
            var pars = m.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            if (st.GetProperty("weight_grad").ValueKind != JsonValueKind.Null)
                Fixtures.AssertClose(st.GetProperty("weight_grad"), pars["weight"].grad!, atol, rtol, what + " weight grad");
            if (st.GetProperty("bias_grad").ValueKind != JsonValueKind.Null)
                Fixtures.AssertClose(st.GetProperty("bias_grad"), pars["bias"].grad!, atol, rtol, what + " bias grad");
            var bufs = m.named_buffers().ToDictionary(b => b.name, b => b.buffer);
            foreach (var b in st.GetProperty("buffers").EnumerateObject())
                Fixtures.AssertClose(b.Value, bufs[b.Name], atol, rtol, $"{what} {b.Name}");
            m.zero_grad();
        }
    }

    [Fact]
    public void Module_properties_and_buffers()
    {
        var bn = nn.BatchNorm2d(4, eps: 1e-3, momentum: null);
        Assert.Equal(4, bn.num_features);
        Assert.Null(bn.momentum);
        Assert.Equal("BatchNorm2d(4, eps=0.001, momentum=None, affine=True, track_running_stats=True)", bn.ToString());
        Assert.Equal(ScalarType.Int64, bn.num_batches_tracked!.dtype);
        Assert.Equal(0, bn.num_batches_tracked.dim());
        Assert.Equal(ScalarType.Float32, bn.running_mean!.dtype);
        Assert.Equal(new long[] { 4 }, bn.weight!.shape);

        // to(float64) converts parameters and running statistics, not the batch counter.
        bn.to(torch.float64);
        Assert.Equal(ScalarType.Float64, bn.running_mean!.dtype);
        Assert.Equal(ScalarType.Float64, bn.weight!.dtype);
        Assert.Equal(ScalarType.Int64, bn.num_batches_tracked!.dtype);
        var y = bn.forward(torch.randn([2, 4, 3, 3], dtype: torch.float64));
        Assert.Equal(ScalarType.Float64, y.dtype);
        Assert.Equal(1L, bn.num_batches_tracked.item<long>());

        var noStats = nn.BatchNorm1d(3, affine: false, track_running_stats: false);
        Assert.Null(noStats.running_mean);
        Assert.Null(noStats.weight);
        Assert.Empty(noStats.state_dict());

        var ln = nn.LayerNorm([2, 3], elementwise_affine: false);
        Assert.Equal("LayerNorm((2, 3), eps=1e-05, elementwise_affine=False)", ln.ToString());
        Assert.Equal("LayerNorm((10,), eps=1e-05, elementwise_affine=True)", nn.LayerNorm(10).ToString());
        Assert.Equal("GroupNorm(2, 6, eps=1e-05, affine=True)", nn.GroupNorm(2, 6).ToString());
        Assert.Equal("InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)", nn.InstanceNorm2d(3).ToString());
        Assert.Equal("LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)", nn.LocalResponseNorm(2).ToString());
    }

    [Fact]
    public void Reset_running_stats_and_parameters()
    {
        var bn = nn.BatchNorm1d(3);
        bn.forward(torch.randn(4, 3));
        bn.forward(torch.randn(4, 3));
        using (torch.no_grad()) bn.weight!.fill_(2);
        bn.reset_parameters();
        Assert.Equal(0L, bn.num_batches_tracked!.item<long>());
        Assert.Equal(new float[3], bn.running_mean!.data<float>().ToArray());
        Assert.Equal(new[] { 1f, 1f, 1f }, bn.running_var!.data<float>().ToArray());
        Assert.Equal(new[] { 1f, 1f, 1f }, bn.weight!.data<float>().ToArray());
    }

    [Fact]
    public void Module_gradchecks_in_float64()
    {
        var bn = nn.BatchNorm2d(2, dtype: torch.float64);
        using (torch.no_grad()) { bn.weight!.copy_(torch.tensor(new[] { 0.7, 1.3 }, dtype: torch.float64)); bn.bias!.copy_(torch.tensor(new[] { 0.1, -0.2 }, dtype: torch.float64)); }
        GradCheck.Check(t => bn.forward(t[0]), [GradCheck.Input([2, 2, 2, 3], 60), bn.weight!, bn.bias!], what: "BatchNorm2d train");
        bn.eval();
        GradCheck.Check(t => bn.forward(t[0]), [GradCheck.Input([2, 2, 2, 3], 61), bn.weight!, bn.bias!], what: "BatchNorm2d eval");
        var bn3 = nn.BatchNorm3d(2, dtype: torch.float64);
        GradCheck.Check(t => bn3.forward(t[0]), [GradCheck.Input([2, 2, 2, 2, 2], 62), bn3.weight!, bn3.bias!], what: "BatchNorm3d train");
        var inorm = nn.InstanceNorm1d(3, affine: true, dtype: torch.float64);
        GradCheck.Check(t => inorm.forward(t[0]), [GradCheck.Input([3, 4], 63), inorm.weight!, inorm.bias!], what: "InstanceNorm1d unbatched");
        var ln = nn.LayerNorm([3], dtype: torch.float64);
        GradCheck.Check(t => ln.forward(t[0]), [GradCheck.Input([2, 2, 3], 64), ln.weight!, ln.bias!], what: "LayerNorm");
        var gn = nn.GroupNorm(2, 4, dtype: torch.float64);
        GradCheck.Check(t => gn.forward(t[0]), [GradCheck.Input([2, 4, 3], 65), gn.weight!, gn.bias!], what: "GroupNorm");
        var lrn = nn.LocalResponseNorm(3, alpha: 0.5);
        GradCheck.Check(t => lrn.forward(t[0]), [GradCheck.Input([2, 4, 2], 66)], what: "LocalResponseNorm");
    }

    [Fact]
    public void Batch_norm_module_errors_name_the_layer_and_change_nothing()
    {
        var bn = nn.BatchNorm2d(128);
        var e = Assert.Throws<ArgumentException>(() => bn.forward(torch.randn(2, 64, 4, 4)));
        Assert.StartsWith("BatchNorm2d(128, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True): expected input with 128 channels (dim 1), got input of shape [2, 64, 4, 4]", e.Message);
        e = Assert.Throws<ArgumentException>(() => bn.forward(torch.randn(2, 128, 4)));
        Assert.StartsWith("BatchNorm2d(128, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True): expected 4D input (got 3D input", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.BatchNorm3d(2).forward(torch.randn(2, 2, 4, 4)));
        Assert.Contains("expected 5D input (got 4D input", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.BatchNorm1d(2).forward(torch.randn(2, 2, 4, 4)));
        Assert.Contains("expected 2D or 3D input (got 4D input", e.Message);
        e = Assert.Throws<ArgumentException>(() => bn.forward(torch.randn([2, 128, 2, 2], dtype: torch.float64)));
        Assert.Contains("mixed dtype", e.Message);
        Assert.Equal(0L, bn.num_batches_tracked!.item<long>());
        Assert.Equal(new float[128], bn.running_mean!.data<float>().ToArray());

        var bn1 = nn.BatchNorm1d(10);
        e = Assert.Throws<ArgumentException>(() => bn1.forward(torch.randn(1, 10)));
        Assert.Equal("BatchNorm1d(10, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True): Expected more than 1 value per channel when training, got input size [1, 10]", e.Message);
        // Nothing changed, and the module still works: eval accepts a single sample, training a real batch.
        Assert.Equal(0L, bn1.num_batches_tracked!.item<long>());
        Assert.Equal(new float[10], bn1.running_mean!.data<float>().ToArray());
        Assert.Equal(Enumerable.Repeat(1f, 10), bn1.running_var!.data<float>().ToArray());
        bn1.eval();
        Assert.Equal(new long[] { 1, 10 }, bn1.forward(torch.randn(1, 10)).shape);
        bn1.train();
        bn1.forward(torch.randn(3, 10));
        Assert.Equal(1L, bn1.num_batches_tracked.item<long>());
    }

    [Fact]
    public void Other_module_errors_name_the_layer()
    {
        var e = Assert.Throws<ArgumentException>(() => nn.InstanceNorm2d(3).forward(torch.randn(3, 4)));
        Assert.StartsWith("InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False): expected 3D or 4D input (got 2D input", e.Message);
        var inorm = nn.InstanceNorm2d(3, affine: true);
        e = Assert.Throws<ArgumentException>(() => inorm.forward(torch.randn(2, 4, 3, 3)));
        Assert.Contains("expected input with 3 channels (dim 1), got input of shape [2, 4, 3, 3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => inorm.forward(torch.randn(2, 3, 1, 1)));
        Assert.Contains("Expected more than 1 spatial element when training, got input size [2, 3, 1, 1]", e.Message);
        Assert.Equal(new long[] { 2, 3, 3, 3 }, inorm.forward(torch.randn(2, 3, 3, 3)).shape);

        var ln = nn.LayerNorm(10);
        e = Assert.Throws<ArgumentException>(() => ln.forward(torch.randn(3, 5)));
        Assert.Equal("LayerNorm((10,), eps=1e-05, elementwise_affine=True): Given normalized_shape=[10], expected input with shape [*, 10], but got input of size[3, 5]", e.Message);

        e = Assert.Throws<ArgumentException>(() => nn.GroupNorm(3, 4));
        Assert.Contains("num_channels must be divisible by num_groups", e.Message);
        var gn = nn.GroupNorm(2, 4);
        e = Assert.Throws<ArgumentException>(() => gn.forward(torch.randn(2, 6, 3)));
        Assert.StartsWith("GroupNorm(2, 4, eps=1e-05, affine=True): expected input of shape [N, 4, *]", e.Message);
        Assert.Contains("got input of shape [2, 6, 3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.LocalResponseNorm(2).forward(torch.randn(3, 4)));
        Assert.StartsWith("LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0): Expected 3D or higher dimensionality input (got 2 dimensions", e.Message);
    }

    [Fact]
    public void Momentum_none_is_a_cumulative_average()
    {
        var bn = nn.BatchNorm1d(1, momentum: null, affine: false);
        var batches = new[] { new[] { 1.0, 3.0 }, new[] { 5.0, 9.0 }, new[] { -2.0, 2.0 } };
        foreach (var b in batches) bn.forward(torch.tensor(b).view(2, 1));
        // mean of the batch means (2, 7, 0) and of the unbiased variances (2, 8, 8)
        Assert.Equal(3.0, bn.running_mean!.item<float>(), 5);
        Assert.Equal(6.0, bn.running_var!.item<float>(), 5);
        Assert.Equal(3L, bn.num_batches_tracked!.item<long>());
    }
}
