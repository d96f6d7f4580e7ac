using System.Text.Json;
using Torchlet;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests;

/// <summary>
/// The autograd API against PyTorch 1.13 (fixtures/autograd.json from gen_autograd.py): error
/// messages, accumulation, graph structure, hooks, torch.autograd.grad and higher-order gradients.
/// </summary>
public class AutogradTests
{
    static string Msg(string key) => Fixtures.Case("autograd", "errors").GetProperty("messages").GetProperty(key).GetString()!;
    static JsonElement Case(string name) => Fixtures.Case("autograd", name);
    static Tensor Leaf(params double[] v) => tensor(v, requires_grad: true);
    static Tensor Leaf64(params double[] v) => tensor(v, dtype: float64, requires_grad: true);

    // ================================================================ error cases

    [Fact]
    public void Integer_tensors_cannot_require_grad()
    {
        var t = tensor(new[] { 1, 2 });
        var e = Assert.Throws<InvalidOperationException>(() => t.requires_grad_());
        Assert.Contains(Msg("int_requires_grad"), e.Message);
        Assert.Throws<InvalidOperationException>(() => t.requires_grad = true);
        Assert.Throws<InvalidOperationException>(() => tensor(new[] { 1, 2 }, requires_grad: true));
        Assert.False(t.requires_grad);
        t.requires_grad_(false);  // allowed, as in PyTorch
        Assert.Equal(new long[] { 1, 2 }, t.data<long>().ToArray());
    }

    [Fact]
    public void Backward_on_a_non_scalar_needs_a_gradient()
    {
        var x = Leaf(1, 2);
        var y = x * Leaf(3, 4);
        var e = Assert.Throws<InvalidOperationException>(() => y.backward());
        Assert.Contains(Msg("nonscalar_backward"), e.Message);
        Assert.Contains("[2]", e.Message);
        Assert.Null(x.grad);
        // Nothing was consumed: the same graph still runs with an explicit gradient.
        y.backward(tensor(new[] { 1.0, 10.0 }));
        Fixtures.AssertClose([2], [3, 40], x.grad!, what: "x.grad");
    }

    [Fact]
    public void Backward_on_a_tensor_that_does_not_require_grad()
    {
        var e = Assert.Throws<InvalidOperationException>(() => tensor(new[] { 1.0, 2.0 }).sum().backward());
        Assert.Equal(Msg("no_grad_backward"), e.Message);
        // PyTorch reports the missing grad before the non-scalar output.
        e = Assert.Throws<InvalidOperationException>(() => tensor(new[] { 1.0, 2.0 }).backward());
        Assert.Equal(Msg("no_grad_backward"), e.Message);
    }

    [Fact]
    public void Second_backward_through_a_freed_graph()
    {
        var x = Leaf(1, 2);
        var y = (x * x).sum();
        y.backward();
        var e = Assert.Throws<InvalidOperationException>(() => y.backward());
        Assert.Equal(Msg("second_backward"), e.Message);
        Fixtures.AssertClose([2], [2, 4], x.grad!, what: "x.grad is untouched by the failed backward");
        (x * x).sum().backward();  // a new graph over the same leaf works
        Fixtures.AssertClose([2], [4, 8], x.grad!, what: "x.grad");
    }

    [Fact]
    public void The_freed_graph_error_comes_before_any_gradient_is_accumulated()
    {
        var x = Leaf(1, 2);
        var w = Leaf(3, 4);
        var shared = x * x;                       // saves x: freed by the first backward
        var y = (shared + w).sum();
        (shared * 1).sum().backward();
        Assert.Null(w.grad);
        Assert.Throws<InvalidOperationException>(() => y.backward());
        Assert.Null(w.grad);                      // w's branch did not run before the error
    }

    static string UpToHint(string pytorch) => pytorch[..pytorch.IndexOf(" Hint:", StringComparison.Ordinal)];

    [Fact]
    public void Inplace_change_of_a_saved_tensor_names_its_current_producer()
    {
        var x = Leaf(1, 2);
        var a = x * Leaf(2, 2);
        var b = a * a;
        a.add_(ones(2));
        var e = Assert.Throws<InvalidOperationException>(() => b.sum().backward());
        Assert.StartsWith(UpToHint(Msg("inplace_saved")), e.Message);
        Assert.Contains("Hint:", e.Message);
        Assert.Null(x.grad);
        // Recomputing from the leaf works; x was never modified.
        Fixtures.AssertClose([2], [1, 2], x, what: "x");
        var c = x * Leaf(2, 2);
        (c * c).sum().backward();
        Fixtures.AssertClose([2], [8, 16], x.grad!, what: "x.grad");
    }

    [Fact]
    public void Inplace_change_of_a_saved_output_names_the_op_that_saved_it()
    {
        var x = Leaf(1, 2);
        var y = x.exp();
        y.add_(ones(2));
        var e = Assert.Throws<InvalidOperationException>(() => y.sum().backward());
        Assert.StartsWith(UpToHint(Msg("inplace_saved_output")), e.Message);
    }

    [Fact]
    public void Inplace_change_of_a_saved_leaf_under_no_grad()
    {
        var x = Leaf(1, 2);
        var a = x * x;
        using (no_grad()) x.add_(ones(2));
        var e = Assert.Throws<InvalidOperationException>(() => a.sum().backward());
        Assert.StartsWith(UpToHint(Msg("inplace_saved_leaf")), e.Message);
    }

    [Fact]
    public void Inplace_error_prints_dtype_and_shape_as_pytorch()
    {
        var x = tensor(new double[,] { { 1, 2 }, { 3, 4 } }, dtype: float64, requires_grad: true);
        var y = x * ones(2, 2, dtype: float64);
        var b = y * y;
        y.add_(ones(2, 2, dtype: float64));
        var e = Assert.Throws<InvalidOperationException>(() => b.sum().backward());
        Assert.StartsWith(UpToHint(Msg("inplace_saved_2d_double")), e.Message);
    }

    [Fact]
    public void Inplace_op_on_a_leaf_that_requires_grad()
    {
        var x = Leaf(1, 2);
        var e = Assert.Throws<InvalidOperationException>(() => x.add_(ones(2)));
        Assert.Contains(Msg("inplace_leaf").TrimEnd('.'), e.Message);
        Assert.Throws<InvalidOperationException>(() => x.mul_(2));
        Fixtures.AssertClose([2], [1, 2], x, what: "x is unchanged");
        Assert.True(x.is_leaf);
        using (no_grad()) x.add_(ones(2));  // the documented way
        Fixtures.AssertClose([2], [2, 3], x, what: "x after the no_grad update");
        (x * x).sum().backward();
        Fixtures.AssertClose([2], [4, 6], x.grad!, what: "x.grad");
    }

    [Fact]
    public void Requires_grad_false_on_a_non_leaf()
    {
        var y = Leaf(1, 2) * Leaf(3, 4);
        var e = Assert.Throws<InvalidOperationException>(() => y.requires_grad_(false));
        Assert.Equal(Msg("nonleaf_requires_grad_false"), e.Message);
        Assert.Throws<InvalidOperationException>(() => y.requires_grad = false);
        Assert.True(y.requires_grad);
        var w = Leaf(1, 2);
        w.requires_grad = false;   // fine on a leaf
        Assert.False(w.requires_grad);
    }

    [Fact]
    public void Autograd_grad_argument_errors()
    {
        var x = Leaf(1, 2);
        var y = Leaf(3);
        var e = Assert.Throws<InvalidOperationException>(() => autograd.grad((x * x).sum(), new[] { x, y }));
        Assert.Equal(Msg("unused"), e.Message);
        e = Assert.Throws<InvalidOperationException>(() => autograd.grad((x * x).sum(), ones(1)));
        Assert.Equal(Msg("input_no_grad"), e.Message);
        var a = Assert.Throws<ArgumentException>(() => autograd.grad(x * x, x, grad_outputs: ones(3)));
        Assert.StartsWith(Msg("shape_mismatch"), a.Message);
        a = Assert.Throws<ArgumentException>(() => autograd.grad(new[] { x.sum(), y.sum() }, x, new Tensor?[] { ones(Array.Empty<long>()) }));
        Assert.StartsWith(Msg("count_mismatch"), a.Message);
        a = Assert.Throws<ArgumentException>(() => autograd.grad(x.sum(), Array.Empty<Tensor>()));
        Assert.StartsWith(Msg("empty_inputs"), a.Message);
        a = Assert.Throws<ArgumentException>(() => x.sum().backward(inputs: Array.Empty<Tensor>()));
        Assert.StartsWith(Msg("backward_empty_inputs"), a.Message);
    }

    [Fact]
    public void Unused_input_error_leaves_the_graph_usable()
    {
        var x = Leaf(1, 2);
        var y = Leaf(3);
        var loss = (x * x).sum();
        Assert.Throws<InvalidOperationException>(() => autograd.grad(loss, new[] { x, y }));
        // The check runs before any node: the graph was not freed.
        var r = autograd.grad(loss, new[] { x, y }, allow_unused: true);
        Fixtures.AssertClose([2], [2, 4], r[0]!, what: "d loss/dx");
        Assert.Null(r[1]);
        Assert.Null(x.grad);
    }

    [Fact]
    public void Hook_and_retain_grad_need_requires_grad()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ones(2).register_hook(g => g));
        Assert.Equal(Msg("hook_no_grad"), e.Message);
        e = Assert.Throws<InvalidOperationException>(() => ones(2).retain_grad());
        Assert.Equal(Msg("retain_grad_no_grad"), e.Message);
    }

    [Fact]
    public void A_hook_may_not_change_the_shape()
    {
        var x = Leaf(1, 2);
        x.register_hook(g => g.sum());
        var e = Assert.Throws<InvalidOperationException>(() => (x * x).sum().backward());
        Assert.Contains("hook has changed the size of value", e.Message);
        Assert.Null(x.grad);
    }

    // ================================================================ behaviour vs PyTorch

    [Fact]
    public void Gradients_accumulate_across_backward_calls()
    {
        var c = Case("accumulate");
        var x = Fixtures.T(c.GetProperty("x"), requiresGrad: true);
        (x * x).sum().backward();
        Fixtures.AssertClose(c.GetProperty("first"), x.grad!, what: "after the first backward");
        x.sin().sum().backward();
        Fixtures.AssertClose(c.GetProperty("grad"), x.grad!, what: "after the second backward");
    }

    [Fact]
    public void Retain_graph_allows_a_second_backward()
    {
        var c = Case("retain_graph");
        var x = Fixtures.T(c.GetProperty("x"), requiresGrad: true);
        var y = (x * x * x).sum();
        y.backward(retain_graph: true);
        y.backward();
        Fixtures.AssertClose(c.GetProperty("grad"), x.grad!, what: "x.grad");
        Assert.Throws<InvalidOperationException>(() => y.backward());
    }

    [Fact]
    public void Diamond_graphs_accumulate_every_path()
    {
        var c = Case("diamond");
        var x = Fixtures.T(c.GetProperty("x"), requiresGrad: true);
        var a = x.exp();
        var b = a * x + a.sin();
        Fixtures.AssertClose(c.GetProperty("b"), b, what: "b");
        b.sum().backward();
        Fixtures.AssertClose(c.GetProperty("grad"), x.grad!, what: "x.grad");

        c = Case("used_twice");
        x = Fixtures.T(c.GetProperty("x"), requiresGrad: true);
        (x * x + x).sum().backward();
        Fixtures.AssertClose(c.GetProperty("grad"), x.grad!, what: "x.grad (x*x + x)");
    }

    [Fact]
    public void A_chain_of_ten_thousand_ops_does_not_overflow_the_stack()
    {
        var c = Case("long_chain");
        var x = Fixtures.T(c.GetProperty("x"), requiresGrad: true);
        var y = x;
        for (int i = 0; i < 10000; i++) y = y * 1.0001;
        Fixtures.AssertClose(c.GetProperty("y"), y, atol: 0, rtol: 1e-12, what: "y");
        y.sum().backward();
        Fixtures.AssertClose(c.GetProperty("grad"), x.grad!, atol: 0, rtol: 1e-12, what: "x.grad");

        // Nodes that save tensors too, and twice as deep.
        var z = Leaf64(0.3);
        var t = z;
        for (int i = 0; i < 20000; i++) t = i % 2 == 0 ? t.sin() : t * 1.5;
        t.backward();
        Assert.True(double.IsFinite(z.grad!.item<double>()));
    }

    [Fact]
    public void Leaves_and_grad_fn()
    {
        var x = Leaf(1, 2);
        var c = tensor(new[] { 3.0, 4.0 });
        Assert.True(x.is_leaf); Assert.Null(x.grad_fn); Assert.True(x.requires_grad);
        Assert.True(c.is_leaf); Assert.Null(c.grad_fn); Assert.False(c.requires_grad);
        var y = x * c;
        Assert.False(y.is_leaf); Assert.True(y.requires_grad);
        Assert.Equal("MulBackward0", y.grad_fn!.name());
        var k = c * c;
        Assert.True(k.is_leaf); Assert.False(k.requires_grad);
        using (no_grad())
        {
            var n = x * 2;
            Assert.True(n.is_leaf); Assert.False(n.requires_grad); Assert.Null(n.grad_fn);
        }
        var acc = Assert.IsType<AccumulateGrad>(y.grad_fn.next_functions[0]);
        Assert.Same(x, acc.variable);
        Assert.Same(acc, (x + 1).grad_fn!.next_functions[0]);  // one accumulator per leaf
    }

    /// <summary>[name, [children...]] as gen_autograd.py's tree() writes it; null where no gradient flows.</summary>
    static void AssertTree(JsonElement expected, Node? actual, string path)
    {
        if (expected.ValueKind == JsonValueKind.Null) { Assert.True(actual is null, $"{path}: expected None, got {actual?.name()}"); return; }
        Assert.True(actual is not null, $"{path}: expected {expected[0].GetString()}, got None");
        Assert.Equal(expected[0].GetString(), actual!.name());
        var kids = expected[1].EnumerateArray().ToArray();
        Assert.True(kids.Length == actual.next_functions.Count, $"{path}/{actual.name()}: {actual.next_functions.Count} next_functions, PyTorch has {kids.Length}");
        for (int i = 0; i < kids.Length; i++) AssertTree(kids[i], actual.next_functions[i], $"{path}/{actual.name()}[{i}]");
    }

    [Fact]
    public void Grad_fn_names_and_next_functions_match_pytorch()
    {
        var trees = Case("structure").GetProperty("trees");
        var x = Leaf(1, 2); var y = Leaf(3, 4); var z = Leaf(5, 6);
        AssertTree(trees.GetProperty("x*y+z sum"), (x * y + z).sum().grad_fn, "");
        var a = x.exp();
        AssertTree(trees.GetProperty("diamond"), (a * x + a.sin()).grad_fn, "");
        AssertTree(trees.GetProperty("chain"), ((x * y).exp() + x.sin() - z).pow(2).mean().grad_fn, "");
        var m = tensor(new double[,] { { 1, 2 }, { 3, 4 } }, requires_grad: true);
        var w = tensor(new[] { 2.0, 2.0 });
        AssertTree(trees.GetProperty("views"), (m.t().reshape(4).narrow(0, 1, 2).view(2, 1).squeeze(1).unsqueeze(0).transpose(0, 1).squeeze(1) / w).sum().grad_fn, "");
        AssertTree(trees.GetProperty("no_grad_input"), (x * ones(2)).sum().grad_fn, "");
    }

    [Fact]
    public void Detach_shares_storage_and_cuts_the_graph()
    {
        var x = Leaf(1, 2);
        var y = x * 3;
        var d = y.detach();
        Assert.False(d.requires_grad); Assert.True(d.is_leaf); Assert.Null(d.grad_fn);
        d.fill_(7);                                    // writes through to y
        Fixtures.AssertClose([2], [7, 7], y, what: "y after writing into its detached view");
        var e = Assert.Throws<InvalidOperationException>(() => (d * d).sum().backward());
        Assert.Contains("does not require grad", e.Message);
        // y saved nothing for its own backward (mul by a number), so x still gets its gradient.
        (y + d).sum().backward();
        Fixtures.AssertClose([2], [3, 3], x.grad!, what: "gradient stops at the detached tensor");

        var z = Leaf(1, 2);
        z.detach_();
        Assert.False(z.requires_grad);
    }

    [Fact]
    public void No_grad_scopes_nest_and_restore()
    {
        var x = Leaf(1, 2);
        Assert.True(is_grad_enabled());
        using (no_grad())
        {
            Assert.False(is_grad_enabled());
            Assert.False((x * 2).requires_grad);
            using (enable_grad())
            {
                Assert.True(is_grad_enabled());
                Assert.True((x * 2).requires_grad);
                using (no_grad()) Assert.False(is_grad_enabled());
                Assert.True(is_grad_enabled());
            }
            Assert.False(is_grad_enabled());
            // Grad mode is per thread, as in PyTorch.
            bool other = false;
            var thread = new Thread(() => other = is_grad_enabled());
            thread.Start();
            thread.Join();
            Assert.True(other);
        }
        Assert.True(is_grad_enabled());

        var scope = set_grad_enabled(false);  // takes effect at once, like torch.set_grad_enabled(False)
        Assert.False(is_grad_enabled());
        scope.Dispose();
        scope.Dispose();                       // disposing twice is harmless
        Assert.True(is_grad_enabled());
    }

    [Fact]
    public void Inference_mode_disables_recording()
    {
        var x = Leaf(1, 2);
        Assert.False(is_inference_mode_enabled());
        using (inference_mode())
        {
            Assert.True(is_inference_mode_enabled());
            Assert.False(is_grad_enabled());
            Assert.False((x * 2).requires_grad);
            using (inference_mode(false))
            {
                Assert.False(is_inference_mode_enabled());
                Assert.False(is_grad_enabled());
            }
        }
        Assert.False(is_inference_mode_enabled());
        Assert.True(is_grad_enabled());
    }

    [Fact]
    public void Requires_grad_underscore_and_property()
    {
        var x = zeros(2);
        Assert.Same(x, x.requires_grad_());
        Assert.True(x.requires_grad); Assert.True(x.is_leaf);
        var y = zeros(2);
        y.requires_grad = true;
        Assert.True(y.requires_grad);
        (x * y).sum().backward();
        Assert.NotNull(x.grad); Assert.NotNull(y.grad);
    }

    [Fact]
    public void Grad_is_null_until_backward_and_for_non_leaves_unless_retained()
    {
        var x = Leaf(1, 2);
        Assert.Null(x.grad);
        var a = x * 2;
        var b = x * 3;
        b.retain_grad();
        Assert.True(b.retains_grad); Assert.False(a.retains_grad);
        b.retain_grad();  // twice is a no-op
        (a * b).sum().backward();
        Assert.Null(a.grad);
        Fixtures.AssertClose([2], [2, 4], b.grad!, what: "b.grad = a");
        Fixtures.AssertClose([2], [12, 24], x.grad!, what: "x.grad");
        x.retain_grad();  // no-op on a leaf
        Assert.False(x.retains_grad);
    }

    [Fact]
    public void Grad_setter_checks_shape_and_dtype()
    {
        var x = Leaf(1, 2);
        var e = Assert.Throws<ArgumentException>(() => x.grad = ones(3));
        Assert.Contains("different size", e.Message);
        e = Assert.Throws<ArgumentException>(() => x.grad = ones(2, dtype: float64));
        Assert.Contains("different type", e.Message);
        Assert.Null(x.grad);
        x.grad = ones(2);
        Fixtures.AssertClose([2], [1, 1], x.grad!, what: "assigned grad");
    }

    // ================================================================ hooks and backward(inputs:)

    static JsonElement Hook(string name) => Case("hooks").GetProperty("results").GetProperty(name);

    [Fact]
    public void Leaf_hooks_run_in_order_and_may_replace_the_gradient()
    {
        var c = Hook("leaf_chain");
        var x = Leaf(1, 2);
        var seen = new List<Tensor>();
        x.register_hook(g => seen.Add(g.clone()));
        x.register_hook(g => g * 2);
        x.register_hook(g => seen.Add(g.clone()));
        (x * x).sum().backward();
        var expected = c.GetProperty("seen").EnumerateArray().ToArray();
        Assert.Equal(expected.Length, seen.Count);
        for (int i = 0; i < seen.Count; i++) Fixtures.AssertClose(expected[i], seen[i], what: $"hook {i} saw");
        Fixtures.AssertClose(c.GetProperty("grad"), x.grad!, what: "x.grad");
    }

    [Fact]
    public void Removed_hooks_no_longer_run()
    {
        var c = Hook("removed");
        var x = Leaf(1, 2);
        var h = x.register_hook(g => g * 10);
        (x * x).sum().backward();
        Fixtures.AssertClose(c.GetProperty("first"), x.grad!, what: "with the hook");
        h.remove();
        h.remove();  // idempotent
        x.grad = null;
        (x * x).sum().backward();
        Fixtures.AssertClose(c.GetProperty("grad"), x.grad!, what: "after remove()");
    }

    [Theory]
    [InlineData("hook_then_retain", true)]
    [InlineData("retain_then_hook", false)]
    public void Hooks_on_non_leaves_and_retain_grad_order(string name, bool hookFirst)
    {
        var c = Hook(name);
        var x = Leaf(1, 2);
        var a = x * Leaf(2, 2);
        if (hookFirst) { a.register_hook(g => g + 1); a.retain_grad(); }
        else { a.retain_grad(); a.register_hook(g => g + 1); }
        (a * a).sum().backward();
        Fixtures.AssertClose(c.GetProperty("x_grad"), x.grad!, what: "x.grad");
        Fixtures.AssertClose(c.GetProperty("a_grad"), a.grad!, what: "a.grad");
    }

    [Fact]
    public void Retain_grad_follows_an_inplace_change_but_hooks_stay()
    {
        var c = Hook("inplace_moves_retain_grad");
        var x = Leaf(1, 2);
        var y = x * Leaf(2, 2);
        y.retain_grad();
        var seen = new List<Tensor>();
        y.register_hook(g => seen.Add(g.clone()));
        y.mul_(tensor(new[] { 3.0, 3.0 }));
        (y * y).sum().backward();
        Fixtures.AssertClose(c.GetProperty("y_grad"), y.grad!, what: "y.grad (w.r.t. the new y)");
        Fixtures.AssertClose(c.GetProperty("x_grad"), x.grad!, what: "x.grad");
        Fixtures.AssertClose(c.GetProperty("hook_saw"), Assert.Single(seen), what: "the hook (w.r.t. the old y)");
    }

    [Fact]
    public void Autograd_grad_captures_before_hooks_and_fires_retain_grad()
    {
        var c = Hook("grad_captures_before_hooks");
        var x = Leaf(1, 2);
        var a = x * Leaf(2, 2);
        a.register_hook(g => g * 100);
        var r = autograd.grad((a * a).sum(), new[] { a, x });
        Fixtures.AssertClose(c.GetProperty("ga"), r[0]!, what: "d/da");
        Fixtures.AssertClose(c.GetProperty("gx"), r[1]!, what: "d/dx");
        Assert.Null(x.grad);

        c = Hook("retain_grad_in_autograd_grad");
        x = Leaf(1, 2);
        a = x * Leaf(2, 2);
        a.retain_grad();
        var gx = autograd.grad((a * a).sum(), x)[0]!;
        Fixtures.AssertClose(c.GetProperty("gx"), gx, what: "d/dx");
        Fixtures.AssertClose(c.GetProperty("a_grad"), a.grad!, what: "a.grad");
        Assert.Null(x.grad);
    }

    [Fact]
    public void Backward_with_inputs_fills_only_those()
    {
        var c = Hook("backward_inputs_leaf");
        var x = Leaf(1, 2); var y = Leaf(3, 4);
        var a = x * y;
        (a * a).sum().backward(inputs: new[] { x });
        Fixtures.AssertClose(c.GetProperty("x_grad"), x.grad!, what: "x.grad");
        Assert.Null(y.grad);

        c = Hook("backward_inputs_nonleaf");
        x = Leaf(1, 2); y = Leaf(3, 4);
        a = x * y;
        (a * a).sum().backward(inputs: new[] { a });
        Assert.Null(x.grad); Assert.Null(y.grad);
        Fixtures.AssertClose(c.GetProperty("a_grad"), a.grad!, what: "a.grad");
    }

    // ================================================================ torch.autograd.grad

    [Fact]
    public void Autograd_grad_wrt_leaves_and_intermediate_tensors()
    {
        var c = Case("grad_nonleaf");
        var x = Fixtures.T(c.GetProperty("x"), requiresGrad: true);
        var a = x * Leaf(3, 3);
        var o = a.sin().sum();
        var r = autograd.grad(o, new[] { a, x });
        Fixtures.AssertClose(c.GetProperty("ga"), r[0]!, what: "d/da");
        Fixtures.AssertClose(c.GetProperty("gx"), r[1]!, what: "d/dx");
        Assert.False(r[0]!.requires_grad);
        Assert.Null(x.grad);
        Assert.Throws<InvalidOperationException>(() => autograd.grad(o, x));  // the graph was freed

        // The output itself, and the same input twice.
        var x2 = Leaf(1, 2);
        var s = (x2 * x2).sum();
        Fixtures.AssertClose([], [1], autograd.grad(s, s, retain_graph: true)[0]!, what: "ds/ds");
        var twice = autograd.grad(s, new[] { x2, x2 });
        Fixtures.AssertClose([2], [2, 4], twice[0]!, what: "first"); Fixtures.AssertClose([2], [2, 4], twice[1]!, what: "second");
    }

    [Fact]
    public void Autograd_grad_with_grad_outputs_and_several_outputs()
    {
        var c = Case("grad_outputs");
        var x = Fixtures.T(c.GetProperty("x"), requiresGrad: true);
        var v = Fixtures.T(c.GetProperty("v"));
        var r = autograd.grad(new[] { x * x, x.sum() }, x, new Tensor?[] { v, null });
        Fixtures.AssertClose(c.GetProperty("grad"), r[0]!, what: "grad");
        // A gradient of another dtype is converted to the output's, as PyTorch does.
        var g = autograd.grad(x * x, x, grad_outputs: v.to(float64))[0]!;
        Assert.Equal(float32, g.dtype);
    }

    // ================================================================ higher-order gradients

    static readonly Dictionary<string, Func<Tensor, Tensor>> Single = new()
    {
        ["cube"] = x => x.pow(3),
        ["sin_exp"] = x => x.sin() * x.exp(),
        ["tanh"] = x => x.tanh(),
        ["sigmoid"] = x => x.sigmoid(),
        ["log_1p_sq"] = x => (x * x + 1).log(),
        ["sqrt_1p_sq"] = x => (x * x + 1).sqrt(),
        ["div"] = x => x / (x * x + 1),
        ["sum_squared"] = x => x.sum().pow(2),
        ["times_mean"] = x => x * x.mean(),
        ["view_chain"] = x => x.reshape(2, 2).t().sum(dim: 0).pow(2),
        ["narrow"] = x => x.narrow(0, 1, 2).pow(3),
        ["select"] = x => x.select(0, 2).pow(3),
        ["expand"] = x => x.unsqueeze(0).expand(3, 4).pow(2).sum(dim: 0) * x,
        ["relu_cube"] = x => x.relu().pow(3),
        ["cos_square"] = x => x.cos().pow(2),
    };

    public static IEnumerable<object[]> SingleNames() => Single.Keys.Select(k => new object[] { k });

    static JsonElement HigherOrder(string list, string name) =>
        Case("higher_order").GetProperty(list).EnumerateArray().First(e => e.GetProperty("name").GetString() == name);

    [Theory]
    [MemberData(nameof(SingleNames))]
    public void Second_derivatives_match_pytorch(string name)
    {
        var c = HigherOrder("single", name);
        var f = Single[name];
        var x = Fixtures.T(c.GetProperty("x"), requiresGrad: true);
        var g = autograd.grad(f(x).sum(), x, create_graph: true)[0]!;
        Fixtures.AssertClose(c.GetProperty("grad"), g, atol: 1e-12, rtol: 1e-10, what: $"{name}: first derivative");
        var hvp = autograd.grad(g.sum(), x, retain_graph: true)[0]!;
        Fixtures.AssertClose(c.GetProperty("hvp"), hvp, atol: 1e-12, rtol: 1e-10, what: $"{name}: d/dx sum(grad)");
        var rows = new List<Tensor>();
        for (int i = 0; i < 4; i++)
            rows.Add(autograd.grad(g.select(0, i), x, retain_graph: true, allow_unused: true)[0] ?? zeros(4, dtype: float64));
        var expected = c.GetProperty("hessian");
        var values = Fixtures.Values(expected);
        for (int i = 0; i < 4; i++)
            Fixtures.AssertClose([4], values.Skip(4 * i).Take(4).ToArray(), rows[i], atol: 1e-12, rtol: 1e-10, what: $"{name}: Hessian row {i}");
    }

    [Theory]
    [MemberData(nameof(SingleNames))]
    public void Gradients_of_gradients_pass_gradcheck(string name)
    {
        var f = Single[name];
        // Inputs away from 0, where relu's derivative jumps.
        var x = GradCheck.Input([4], seed: name.Length, lo: 0.2, hi: 1.2);
        GradCheck.Check(ts =>
        {
            using (enable_grad()) return autograd.grad(f(ts[0]).sum(), ts[0], create_graph: true)[0]!;
        }, [x], what: $"grad of {name}");
    }

    public static IEnumerable<object[]> MixedNames() => new[] { "mul_sin", "pow_tensor", "div_exp" }.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(MixedNames))]
    public void Mixed_second_derivatives_match_pytorch(string name)
    {
        Func<Tensor, Tensor, Tensor> f = name switch
        {
            "mul_sin" => (x, y) => (x * y).sin(),
            "pow_tensor" => (x, y) => x.pow(y),
            _ => (x, y) => x.exp() / (y * y + 1),
        };
        var c = HigherOrder("mixed", name);
        var xx = Fixtures.T(c.GetProperty("x"), requiresGrad: true);
        var yy = Fixtures.T(c.GetProperty("y"), requiresGrad: true);
        var g = autograd.grad(f(xx, yy).sum(), new[] { xx, yy }, create_graph: true);
        Fixtures.AssertClose(c.GetProperty("gx"), g[0]!, atol: 1e-12, rtol: 1e-10, what: $"{name}: gx");
        Fixtures.AssertClose(c.GetProperty("gy"), g[1]!, atol: 1e-12, rtol: 1e-10, what: $"{name}: gy");
        var hxy = autograd.grad(g[0]!.sum(), yy, retain_graph: true)[0]!;
        Fixtures.AssertClose(c.GetProperty("hxy"), hxy, atol: 1e-12, rtol: 1e-10, what: $"{name}: d/dy sum(gx)");
        var h = autograd.grad(g[1]!.sum(), new[] { xx, yy });
        Fixtures.AssertClose(c.GetProperty("hyx"), h[0]!, atol: 1e-12, rtol: 1e-10, what: $"{name}: d/dx sum(gy)");
        Fixtures.AssertClose(c.GetProperty("hyy"), h[1]!, atol: 1e-12, rtol: 1e-10, what: $"{name}: d/dy sum(gy)");
    }

    [Fact]
    public void Third_derivative()
    {
        var c = Case("higher_order").GetProperty("third");
        var x = Fixtures.T(c.GetProperty("x"), requiresGrad: true);
        var g1 = autograd.grad(x.pow(4).sum(), x, create_graph: true)[0]!;
        var g2 = autograd.grad(g1.sum(), x, create_graph: true)[0]!;
        var g3 = autograd.grad(g2.sum(), x)[0]!;
        Fixtures.AssertClose(c.GetProperty("g1"), g1, atol: 1e-12, rtol: 1e-10, what: "4x^3");
        Fixtures.AssertClose(c.GetProperty("g2"), g2, atol: 1e-12, rtol: 1e-10, what: "12x^2");
        Fixtures.AssertClose(c.GetProperty("g3"), g3, atol: 1e-12, rtol: 1e-10, what: "24x");
        Assert.True(g1.requires_grad); Assert.False(g3.requires_grad);
    }

    [Fact]
    public void Backward_with_create_graph_leaves_a_differentiable_grad()
    {
        var c = Case("higher_order").GetProperty("backward_create_graph");
        var x = Fixtures.T(c.GetProperty("x"), requiresGrad: true);
        x.pow(3).sum().backward(create_graph: true);
        var g = x.grad!;
        Assert.True(g.requires_grad);
        Fixtures.AssertClose(c.GetProperty("first"), g, atol: 1e-12, rtol: 1e-10, what: "3x^2");
        x.grad = null;
        g.sum().backward();
        Fixtures.AssertClose(c.GetProperty("second"), x.grad!, atol: 1e-12, rtol: 1e-10, what: "6x");
    }

    [Fact]
    public void Without_create_graph_gradients_are_constants_and_the_graph_is_freed()
    {
        var x = Leaf64(0.5, 1.5);
        var y = x.pow(3).sum();
        var g = autograd.grad(y, x)[0]!;
        Assert.False(g.requires_grad); Assert.Null(g.grad_fn);
        Assert.Throws<InvalidOperationException>(() => autograd.grad(y, x));

        // create_graph implies retain_graph.
        var y2 = x.pow(3).sum();
        autograd.grad(y2, x, create_graph: true);
        Fixtures.AssertClose([2], [0.75, 6.75], autograd.grad(y2, x)[0]!, what: "second call");
    }
}
