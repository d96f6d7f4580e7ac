namespace Torchlet;

/// <summary>Reverse-mode autodiff: runs grad_fn nodes in dependency order from the roots.</summary>
internal static class Engine
{
    static int s_stamp;
    [ThreadStatic] static Node? t_current;

    /// <summary>The node whose backward function is running on this thread (for error messages).</summary>
    internal static Node? Current => t_current;

    /// <summary>
    /// Back-propagates <paramref name="grads"/> (already checked against the roots' shapes) from
    /// <paramref name="roots"/>. Without <paramref name="inputs"/> every leaf reached accumulates
    /// into <c>.grad</c> (<c>backward()</c>). With them, only the part of the graph that leads to
    /// those tensors runs: their gradients are returned and no <c>.grad</c> is touched
    /// (<c>autograd.grad</c>), or, with <paramref name="accumulate"/>, only their <c>.grad</c> is
    /// filled (<c>backward(inputs: ...)</c>; non-leaf inputs then retain their grad, as in PyTorch).
    /// Validation that can fail (graph already freed, unused inputs) happens before any node runs.
    /// </summary>
    public static Tensor?[]? Run(Tensor[] roots, Tensor[] grads, bool keepGraph, bool createGraph,
        Tensor[]? inputs = null, bool accumulate = true, bool allowUnused = true)
    {
        var rootNodes = new Node[roots.Length];
        for (int i = 0; i < roots.Length; i++)
        {
            var r = roots[i];
            if (!r._requiresGrad)
                throw new InvalidOperationException($"element {i} of tensors does not require grad and does not have a grad_fn");
            rootNodes[i] = r._gradFn ?? r.GradAccumulator();
        }
        Node[]? targets = null;
        if (inputs is not null)
        {
            targets = new Node[inputs.Length];
            for (int i = 0; i < inputs.Length; i++)
            {
                if (!inputs[i]._requiresGrad) throw new InvalidOperationException("One of the differentiated Tensors does not require grad");
                targets[i] = inputs[i]._gradFn ?? inputs[i].GradAccumulator();
            }
        }

        int stamp = Interlocked.Increment(ref s_stamp);
        var post = PostOrder(rootNodes, stamp);
        try
        {
            if (targets is not null)
                foreach (var t in targets)
                {
                    if (t.Stamp == stamp) t.Target = true;
                    else if (!allowUnused) throw new InvalidOperationException(UnusedMessage);
                }
            // Post-order lists children first, so one pass decides which nodes lead to a target.
            foreach (var n in post)
            {
                bool needed = targets is null || n.Target;
                if (!needed) foreach (var next in n.Next) if (next is not null && next.Needed) { needed = true; break; }
                n.Needed = needed;
            }
            foreach (var n in post)
                if (n.Needed && n.Released && Executes(n, targets is null))
                    throw new InvalidOperationException(
                        "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). " +
                        "Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). " +
                        "Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.");

            if (inputs is not null && accumulate)
                foreach (var t in inputs) if (t._gradFn is not null) t.retain_grad();

            for (int i = 0; i < roots.Length; i++) Accumulate(rootNodes[i], grads[i]);

            Tensor?[]? captured = inputs is not null && !accumulate ? new Tensor?[inputs.Length] : null;
            using (new GradModeScope(createGraph))
            {
                // Reverse post-order is a topological order: a node runs after every node feeding it.
                for (int k = post.Count - 1; k >= 0; k--)
                {
                    var node = post[k];
                    var g = node.Pending;
                    node.Pending = null;
                    if (g is null || !node.Needed) continue;
                    t_current = node;

                    // PyTorch 1.13 captures autograd.grad results before the tensor's hooks run.
                    if (captured is not null && node.Target)
                        for (int i = 0; i < targets!.Length; i++)
                            if (ReferenceEquals(targets[i], node)) captured[i] = g;
                    // Hooks belong to the node's run: a node that is only captured (autograd.grad) does not fire them.
                    bool fills = node.Target && accumulate;
                    bool runs = Executes(node, targets is null);
                    if (node is AccumulateGrad acc)
                    {
                        if (targets is not null && !fills) continue;
                        if (node.Hooks is { Count: > 0 }) g = RunHooks(node, g, createGraph);
                        acc.Variable.AccumulateIntoGrad(g, createGraph);
                        continue;
                    }
                    if ((runs || fills) && node.Hooks is { Count: > 0 }) g = RunHooks(node, g, createGraph);
                    if (!runs) continue;

                    var inGrads = node.Apply(g);
                    if (inGrads.Length != node.Next.Length)
                        throw new InvalidOperationException($"function {node.name()} returned an incorrect number of gradients (expected {node.Next.Length}, got {inGrads.Length})");
                    if (!keepGraph && node.SavesTensors) { node.Backward = null; node.Released = true; }

                    for (int i = 0; i < node.Next.Length; i++)
                        if (node.Next[i] is { Needed: true } next && inGrads[i] is { } ig) Accumulate(next, ig);
                }
            }
            if (captured is not null && !allowUnused)
                foreach (var c in captured) if (c is null) throw new InvalidOperationException(UnusedMessage);
            return captured;
        }
        finally
        {
            t_current = null;
            foreach (var n in post) { n.Pending = null; n.Target = false; }
        }
    }

    internal const string UnusedMessage =
        "One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.";

    /// <summary>Whether the node's backward function runs: always for a full backward, else only if it leads to a target.</summary>
    static bool Executes(Node n, bool all)
    {
        if (n is AccumulateGrad) return false;
        if (all) return true;
        foreach (var next in n.Next) if (next is { Needed: true }) return true;
        return false;
    }

    /// <summary>
    /// Every node reachable from the roots, children before parents; scratch state is reset on
    /// first visit. Iterative, so a graph of any depth (a 10 000-op chain) is fine.
    /// </summary>
    static List<Node> PostOrder(Node[] roots, int stamp)
    {
        var post = new List<Node>();
        var stack = new Stack<(Node node, int next)>();
        foreach (var r in roots)
        {
            if (r.Stamp == stamp) continue;
            Visit(r, stamp);
            stack.Push((r, 0));
            while (stack.Count > 0)
            {
                var (n, i) = stack.Pop();
                // Find the next unvisited child; the node is finished when none is left.
                while (i < n.Next.Length && (n.Next[i] is null || n.Next[i]!.Stamp == stamp)) i++;
                if (i == n.Next.Length) { post.Add(n); continue; }
                var child = n.Next[i]!;
                Visit(child, stamp);
                stack.Push((n, i + 1));
                stack.Push((child, 0));
            }
        }
        return post;
    }

    static void Visit(Node n, int stamp)
    {
        n.Stamp = stamp; n.Pending = null; n.Needed = false; n.Target = false;
        if (n.Hooks is { Count: > 0 }) MoveStaleRetains(n);
    }

    /// <summary>
    /// An in-place op gives a tensor a new grad_fn; PyTorch moves its retain_grad to the new node
    /// (user hooks stay with the old one). Done lazily here, before any node runs.
    /// </summary>
    static void MoveStaleRetains(Node n)
    {
        var hooks = n.Hooks!;
        for (int i = hooks.Count - 1; i >= 0; i--)
        {
            if (hooks[i].Retain is not { } t || ReferenceEquals(t._gradFn, n)) continue;
            var h = hooks[i];
            hooks.RemoveAt(i);
            if (t._gradFn is { } now) (now.Hooks ??= new List<TensorHook>()).Add(h);
        }
    }

    static void Accumulate(Node n, Tensor g)
    {
        n.Pending = n.Pending is null ? g : n.Pending + g;
    }

    /// <summary>Runs the tensor's hooks in registration order; a hook's non-null result replaces the gradient.</summary>
    static Tensor RunHooks(Node node, Tensor g, bool createGraph)
    {
        // A hook may remove itself (or others) while running: iterate over a snapshot.
        foreach (var h in node.Hooks!.ToArray())
        {
            if (h.Retain is { } t) { t.AccumulateIntoGrad(g, createGraph, retained: true); continue; }
            if (h.Fn!(g) is not { } r) continue;
            if (!Shape.SameShape(r._shape, g._shape))
                throw new InvalidOperationException($"hook has changed the size of value: a hook on a tensor of shape {Shape.Str(g._shape)} returned a gradient of shape {Shape.Str(r._shape)}");
            if (r.dtype != g.dtype)
                throw new InvalidOperationException($"hook has changed the type of value: expected {g.dtype.TorchName()}, the hook returned {r.dtype.TorchName()}");
            g = r;
        }
        return g;
    }
}
