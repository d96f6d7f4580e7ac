namespace Torchlet;

public static partial class torch
{
    /// <summary>
    /// Turns graph recording off like <c>no_grad()</c> (PyTorch's inference tensors carry extra
    /// restrictions for speed; here the mode only disables recording and is reported by
    /// <see cref="is_inference_mode_enabled"/>). <c>inference_mode(false)</c> leaves grad mode as it is.
    /// </summary>
    public static IDisposable inference_mode(bool mode = true) => GradModeScope.ForInference(mode);
    public static bool is_inference_mode_enabled() => GradMode.Inference;

    /// <summary>torch.autograd: gradients of outputs with respect to chosen inputs.</summary>
    public static partial class autograd
    {
        /// <summary>
        /// The gradients of <paramref name="outputs"/> (weighted by <paramref name="grad_outputs"/>,
        /// ones for scalar outputs) with respect to each of <paramref name="inputs"/> — leaves or
        /// intermediate tensors. No <c>.grad</c> is changed. With <paramref name="create_graph"/> the
        /// results carry a graph, so they can be differentiated again (higher-order gradients).
        /// <paramref name="retain_graph"/> defaults to <paramref name="create_graph"/>. An input the
        /// outputs do not depend on is an error unless <paramref name="allow_unused"/>, then its entry is null.
        /// </summary>
        public static IList<Tensor?> grad(IList<Tensor> outputs, IList<Tensor> inputs, IList<Tensor?>? grad_outputs = null,
            bool? retain_graph = null, bool create_graph = false, bool allow_unused = false)
        {
            if (inputs.Count == 0) throw new ArgumentException("grad requires non-empty inputs.", nameof(inputs));
            var grads = Tensor.MakeGrads(outputs, grad_outputs);
            return Engine.Run(outputs.ToArray(), grads, retain_graph ?? create_graph, create_graph,
                inputs.ToArray(), accumulate: false, allowUnused: allow_unused)!;
        }

        public static IList<Tensor?> grad(Tensor outputs, Tensor inputs, Tensor? grad_outputs = null,
            bool? retain_graph = null, bool create_graph = false, bool allow_unused = false) =>
            grad([outputs], [inputs], [grad_outputs], retain_graph, create_graph, allow_unused);

        public static IList<Tensor?> grad(Tensor outputs, IList<Tensor> inputs, Tensor? grad_outputs = null,
            bool? retain_graph = null, bool create_graph = false, bool allow_unused = false) =>
            grad([outputs], inputs, [grad_outputs], retain_graph, create_graph, allow_unused);

        public static IList<Tensor?> grad(IList<Tensor> outputs, Tensor inputs, IList<Tensor?>? grad_outputs = null,
            bool? retain_graph = null, bool create_graph = false, bool allow_unused = false) =>
            grad(outputs, [inputs], grad_outputs, retain_graph, create_graph, allow_unused);

        /// <summary>
        /// Accumulates the gradients of <paramref name="tensors"/> into the leaves' <c>.grad</c>
        /// (or only into <paramref name="inputs"/>' <c>.grad</c> when given).
        /// </summary>
        public static void backward(IList<Tensor> tensors, IList<Tensor?>? grad_tensors = null, bool? retain_graph = null,
            bool create_graph = false, IList<Tensor>? inputs = null)
        {
            if (inputs is { Count: 0 }) throw new ArgumentException("'inputs' argument to backward() cannot be empty.", nameof(inputs));
            var grads = Tensor.MakeGrads(tensors, grad_tensors);
            Engine.Run(tensors.ToArray(), grads, retain_graph ?? create_graph, create_graph, inputs?.ToArray(), accumulate: true);
        }

        public static void backward(Tensor tensors, Tensor? grad_tensors = null, bool? retain_graph = null,
            bool create_graph = false, IList<Tensor>? inputs = null) =>
            backward([tensors], [grad_tensors], retain_graph, create_graph, inputs);
    }
}

/// <summary>The autograd side of a tensor: requires_grad, grad, grad_fn, backward, hooks, detach.</summary>
public partial class Tensor
{
    bool _retainsGrad;

    /// <summary>Whether autograd records ops on this tensor. Settable on leaves only, as in PyTorch.</summary>
    public bool requires_grad
    {
        get => _requiresGrad;
        set => requires_grad_(value);
    }

    public Tensor requires_grad_(bool requires_grad = true)
    {
        if (requires_grad && !dtype.IsFloating())
            throw new InvalidOperationException($"only Tensors of floating point dtype can require gradients (this tensor is {dtype.TorchName()}); create it with dtype: torch.float32");
        if (!requires_grad && _gradFn is not null)
            throw new InvalidOperationException("you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
        _requiresGrad = requires_grad;
        return this;
    }

    /// <summary>
    /// The accumulated gradient; null until a backward pass reaches this tensor. Non-leaf
    /// tensors keep it only after <see cref="retain_grad"/> (reading it otherwise warns, as PyTorch does).
    /// </summary>
    public Tensor? grad
    {
        get
        {
            if (_grad is null && _gradFn is not null && !_retainsGrad)
                Warnings.Warn("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be populated during autograd.backward(). " +
                    "If you indeed want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. " +
                    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead.");
            return _grad;
        }
        set
        {
            if (value is not null && !Shape.SameShape(value._shape, _shape))
                throw new ArgumentException($"assigned grad has data of a different size: expected {Shape.Str(_shape)}, got {Shape.Str(value._shape)}");
            if (value is not null && value.dtype != dtype)
                throw new ArgumentException($"assigned grad has data of a different type: expected {dtype.TorchName()}, got {value.dtype.TorchName()}");
            _grad = value;
        }
    }

    /// <summary>The backward node of the op that made this tensor; null for leaves.</summary>
    public Node? grad_fn => _gradFn;

    /// <summary>True for tensors made by the user (and for every tensor that does not require grad).</summary>
    public bool is_leaf => _gradFn is null;

    /// <summary>Whether this non-leaf tensor keeps its gradient in <c>.grad</c> (see <see cref="retain_grad"/>).</summary>
    public bool retains_grad => _retainsGrad;

    /// <summary>Asks a non-leaf tensor to keep its gradient in <c>.grad</c> after backward (a no-op on leaves).</summary>
    public void retain_grad()
    {
        if (!_requiresGrad) throw new InvalidOperationException("can't retain_grad on Tensor that has requires_grad=False");
        if (_gradFn is null || _retainsGrad) return;
        _retainsGrad = true;
        (_gradFn.Hooks ??= new List<TensorHook>()).Add(new TensorHook(this));
    }

    /// <summary>
    /// Registers <paramref name="hook"/> to run each time the gradient with respect to this tensor
    /// is computed; a non-null result replaces that gradient (same shape and dtype). Hooks run in
    /// registration order. <c>remove()</c> on the returned handle unregisters it.
    /// </summary>
    public RemovableHandle register_hook(Func<Tensor, Tensor?> hook)
    {
        if (!_requiresGrad) throw new InvalidOperationException("cannot register a hook on a tensor that doesn't require gradient");
        var node = _gradFn ?? GradAccumulator();
        var entry = new TensorHook(hook);
        (node.Hooks ??= new List<TensorHook>()).Add(entry);
        return new RemovableHandle(() => node.Hooks?.Remove(entry));
    }

    /// <summary>A hook that only looks at the gradient (printing, logging).</summary>
    public RemovableHandle register_hook(Action<Tensor> hook) => register_hook(g => { hook(g); return null; });

    internal AccumulateGrad GradAccumulator() => _accumulator ??= new AccumulateGrad(this);

    /// <summary>The node an op's output links to for this input, or null when no gradient flows here.</summary>
    internal Node? GradEdge => !_requiresGrad ? null : _gradFn ?? GradAccumulator();

    /// <summary>
    /// Adds <paramref name="g"/> into <c>.grad</c>: in place normally; out of place and recorded
    /// with <paramref name="createGraph"/> (so the gradient itself can be differentiated).
    /// </summary>
    internal void AccumulateIntoGrad(Tensor g, bool createGraph = false, bool retained = false)
    {
        if (!Shape.SameShape(g._shape, _shape)) g = g.SumToShape(_shape);
        if (g.dtype != dtype) g = g.to(dtype);
        if (_grad is null) _grad = createGraph ? g.clone() : g.Owned();
        else if (createGraph || retained) _grad = _grad + g;
        else _grad.add_(g);
    }

    /// <summary>
    /// Computes the gradient of this tensor w.r.t. the graph leaves and adds it into their
    /// <c>.grad</c> (<c>loss.backward()</c>). A non-scalar tensor needs <paramref name="gradient"/>
    /// (the vector of the vector-Jacobian product). The graph is freed unless
    /// <paramref name="retain_graph"/> (default: <paramref name="create_graph"/>). With
    /// <paramref name="inputs"/>, only those tensors' <c>.grad</c> is filled.
    /// </summary>
    public void backward(Tensor? gradient = null, bool? retain_graph = null, bool create_graph = false, IList<Tensor>? inputs = null) =>
        torch.autograd.backward([this], [gradient], retain_graph, create_graph, inputs);

    /// <summary>Checks the gradients given for <paramref name="outputs"/> and fills in ones for scalar outputs.</summary>
    internal static Tensor[] MakeGrads(IList<Tensor> outputs, IList<Tensor?>? grads)
    {
        if (grads is not null && grads.Count != outputs.Count)
            throw new ArgumentException($"got {outputs.Count} tensors and {grads.Count} gradients");
        var r = new Tensor[outputs.Count];
        for (int i = 0; i < outputs.Count; i++)
        {
            var o = outputs[i];
            var g = grads?[i];
            if (g is null)
            {
                if (!o._requiresGrad)
                    throw new InvalidOperationException($"element {i} of tensors does not require grad and does not have a grad_fn");
                if (o.Numel != 1)
                    throw new InvalidOperationException($"grad can be implicitly created only for scalar outputs; output {i} has shape {Shape.Str(o._shape)}: pass a gradient of that shape");
                r[i] = torch.ones_like(o);
                continue;
            }
            if (!Shape.SameShape(g._shape, o._shape))
                throw new ArgumentException($"Mismatch in shape: grad_output[{i}] has a shape of {SizeStr(g._shape)} and output[{i}] has a shape of {SizeStr(o._shape)}.");
            r[i] = g.dtype == o.dtype ? g : g.to(o.dtype);
        }
        return r;
    }

    static string SizeStr(int[] shape) => $"torch.Size([{string.Join(", ", shape)}])";

    /// <summary>A new tensor sharing storage, cut from the graph (<c>requires_grad=False</c>).</summary>
    public Tensor detach() => new(_storage, _shape, _strides, _offset);

    public Tensor detach_()
    {
        _gradFn = null; _requiresGrad = false;
        return this;
    }

    // ---------------------------------------------------------------- double backward
    // Backward rules of views and reductions move the gradient with cheap no-grad views. When the
    // gradient itself carries a graph (create_graph), they must record instead, so that the
    // gradient can be differentiated again; these helpers pick the right one.

    internal Tensor GradReshape(int[] shape) => NeedsGrad(this) ? reshape(Shape.ToLong(shape)) : reshape_nograd(shape);
    internal Tensor GradExpand(int[] shape) => NeedsGrad(this) ? expand(Shape.ToLong(shape)) : expand_nograd(shape);
    internal Tensor GradSqueeze(int dim) => NeedsGrad(this) ? squeeze(dim) : squeeze_nograd(dim);
    internal Tensor GradTranspose(int a, int b) => NeedsGrad(this) ? transpose(a, b) : transpose_nograd(a, b);

    /// <summary>
    /// Zeros of <paramref name="shape"/> with <paramref name="g"/> written into the part that
    /// <paramref name="view"/> selects (the backward of slicing and select). Its own backward
    /// takes the same view of the incoming gradient (PyTorch's <c>SliceBackwardBackward0</c>, ...).
    /// </summary>
    internal static Tensor GradIntoZeros(Tensor g, int[] shape, ScalarType dtype, Func<Tensor, Tensor> view, string name)
    {
        var z = Empty(shape, dtype, clear: true);
        view(z).CopyFrom(g);
        if (NeedsGrad(g)) Record(z, name, gg => view(gg), false, g);
        return z;
    }
}
