namespace Torchlet;

/// <summary>
/// A node of the autograd graph: the backward function of the op that produced a tensor
/// (<c>grad_fn</c>). <see cref="Backward"/> maps the gradient of the op's output to the
/// gradients of its inputs; <see cref="Next"/> holds the inputs' own nodes.
/// </summary>
public class Node
{
    readonly string _name;
    internal Func<Tensor, Tensor?[]>? Backward;
    internal readonly Node?[] Next;
    internal bool Released;
    internal readonly bool SavesTensors;  // only nodes holding saved tensors refuse a second backward
    internal List<Tensor>? RetainGrad;     // non-leaf tensors that asked for .grad (retain_grad)

    // Engine scratch state, valid during one backward pass.
    internal Tensor? Pending;
    internal int Dependencies;
    internal int Stamp;

    internal Node(string name, Func<Tensor, Tensor?[]>? backward, Node?[] next, bool savesTensors = false)
    {
        _name = name; Backward = backward; Next = next; SavesTensors = savesTensors;
    }

    /// <summary>PyTorch's class name of the backward function, e.g. <c>MulBackward0</c>.</summary>
    public string name() => _name;

    /// <summary>The nodes this one passes gradients to (null where an input needs no gradient).</summary>
    public IReadOnlyList<Node?> next_functions => Next;

    public override string ToString() => $"<{_name}>";
}

/// <summary>The sink at a leaf tensor that requires grad: adds incoming gradients into <c>.grad</c>.</summary>
public sealed class AccumulateGrad : Node
{
    internal readonly Tensor Variable;
    internal AccumulateGrad(Tensor variable) : base("AccumulateGrad", null, []) { Variable = variable; }
}

/// <summary>
/// A tensor saved for backward together with its storage version at save time; unpacking it
/// after an in-place change raises PyTorch's error instead of computing a wrong gradient.
/// </summary>
internal readonly struct SavedTensor
{
    readonly Tensor _t;
    readonly int _version;
    readonly string? _producer;
    public SavedTensor(Tensor t) { _t = t; _version = t._storage.Version; _producer = t._gradFn?.name(); }

    public Tensor Get()
    {
        int now = _t._storage.Version;
        if (now != _version)
            throw new InvalidOperationException(
                "one of the variables needed for gradient computation has been modified by an inplace operation: " +
                $"[{_t.dtype.LegacyName()} {Shape.Str(_t._shape)}]" + (_producer is null ? "" : $", which is output 0 of {_producer},") +
                $" is at version {now}; expected version {_version} instead. Hint: make a copy (clone()) before the in-place change, or do the change out of place.");
        return _t;
    }
}
