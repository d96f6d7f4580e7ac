namespace Torchlet;

/// <summary>Reverse-mode autodiff: runs grad_fn nodes in dependency order from the roots.</summary>
internal static class Engine
{
    static int s_stamp;

    /// <summary>
    /// Back-propagates <paramref name="grads"/> from <paramref name="roots"/>. With
    /// <paramref name="captureAt"/> set (torch.autograd.grad) the gradients arriving at those
    /// nodes are returned and no <c>.grad</c> is touched; otherwise leaves accumulate.
    /// </summary>
    public static Tensor?[]? Run(Tensor[] roots, Tensor[] grads, bool retainGraph, Node[]? captureAt = null)
    {
        var rootNodes = new Node[roots.Length];
        for (int i = 0; i < roots.Length; i++)
        {
            var r = roots[i];
            if (!r._requiresGrad)
                throw new InvalidOperationException($"element {i} of tensors does not require grad and does not have a grad_fn");
            rootNodes[i] = r._gradFn ?? r.GradAccumulator();
        }

        int stamp = Interlocked.Increment(ref s_stamp);
        // Count, for every reachable node, how many edges lead into it.
        var order = new List<Node>();
        var stack = new Stack<Node>();
        foreach (var n in rootNodes)
            if (n.Stamp != stamp) { n.Stamp = stamp; n.Dependencies = 0; n.Pending = null; stack.Push(n); }
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            order.Add(n);
            foreach (var next in n.Next)
            {
                if (next is null) continue;
                if (next.Stamp != stamp) { next.Stamp = stamp; next.Dependencies = 0; next.Pending = null; stack.Push(next); }
                next.Dependencies++;
            }
        }

        for (int i = 0; i < roots.Length; i++) Accumulate(rootNodes[i], grads[i]);

        Tensor?[]? captured = captureAt is null ? null : new Tensor?[captureAt.Length];
        var ready = new Stack<Node>();
        foreach (var n in rootNodes) if (n.Dependencies == 0 && !ready.Contains(n)) ready.Push(n);

        using (new GradModeScope(false))
        {
            while (ready.Count > 0)
            {
                var node = ready.Pop();
                var g = node.Pending;
                node.Pending = null;
                if (captureAt is not null)
                    for (int i = 0; i < captureAt.Length; i++)
                        if (ReferenceEquals(captureAt[i], node)) captured![i] = g;

                if (node is AccumulateGrad acc)
                {
                    if (captureAt is null && g is not null) acc.Variable.AccumulateIntoGrad(g);
                    continue;
                }
                if (node.RetainGrad is not null && g is not null && captureAt is null)
                    foreach (var t in node.RetainGrad) t.AccumulateIntoGrad(g);

                if (node.Released)
                    throw new InvalidOperationException(
                        "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). " +
                        "Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). " +
                        "Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.");

                Tensor?[] inGrads = g is null ? new Tensor?[node.Next.Length] : node.Backward!(g);
                if (!retainGraph && node.SavesTensors) { node.Backward = null; node.Released = true; }

                for (int i = 0; i < node.Next.Length; i++)
                {
                    var next = node.Next[i];
                    if (next is null) continue;
                    if (inGrads[i] is { } ig) Accumulate(next, ig);
                    if (--next.Dependencies == 0) ready.Push(next);
                }
            }
        }
        return captured;
    }

    static void Accumulate(Node n, Tensor g)
    {
        n.Pending = n.Pending is null ? g : n.Pending + g;
    }
}
