using System.Runtime.CompilerServices;

namespace Torchlet;

/// <summary>
/// A node of the autograd graph: the backward function of the op that produced a tensor
/// (<c>grad_fn</c>). <see cref="Backward"/> maps the gradient of the op's output to the
/// gradients of its inputs; <see cref="Next"/> holds the inputs' own nodes.
/// </summary>
public class Node
{
    readonly string _name;
    // The backward as recorded: Func<Tensor, Tensor?> for one input, Func<Tensor, (Tensor?, Tensor?)> or a triple
    // for two or three, Func<Tensor, Tensor?[]> for a count known only at run time (see Tensor.Record); kept as
    // given, so recording allocates no adapter closure.
    internal Delegate? Backward;
    readonly byte _arity;   // which of those Backward is (0 = the array form), set by the constructor that took it
    internal readonly Node?[] Next;
    internal bool Released;
    internal readonly bool SavesTensors;  // only nodes holding saved tensors refuse a second backward
    internal List<TensorHook>? Hooks;      // register_hook / retain_grad of the tensor this node produced, in registration order

    // Engine scratch state, valid during one backward pass (see Engine.Run).
    internal Tensor? Pending;
    internal int Stamp;
    internal bool Needed;
    internal bool Target;

    // One edge per gradient the backward returns, so the compiler checks that the two counts agree.
    internal Node(string name, Func<Tensor, Tensor?[]>? backward, Node?[] next, bool savesTensors = false)
        : this(name, backward, 0, next, savesTensors) { }
    internal Node(string name, Func<Tensor, Tensor?> backward, Node? next, bool savesTensors)
        : this(name, backward, 1, [next], savesTensors) { }
    internal Node(string name, Func<Tensor, (Tensor?, Tensor?)> backward, Node? next0, Node? next1, bool savesTensors)
        : this(name, backward, 2, [next0, next1], savesTensors) { }
    internal Node(string name, Func<Tensor, (Tensor?, Tensor?, Tensor?)> backward, Node? next0, Node? next1, Node? next2, bool savesTensors)
        : this(name, backward, 3, [next0, next1, next2], savesTensors) { }

    Node(string name, Delegate? backward, byte arity, Node?[] next, bool savesTensors)
    {
        _arity = arity;
        _name = name; Backward = backward; Next = next; SavesTensors = savesTensors;
    }

    /// <summary>The gradients of the inputs, one per entry of <see cref="Next"/>, from the gradient of the output.</summary>
    internal Tensor?[] Apply(Tensor g)
    {
        // The constructors fixed the delegate's type with _arity, so the casts need no type check.
        var backward = Backward ?? throw new InvalidOperationException($"{_name}: no backward function");
        switch (_arity)
        {
            case 1: return [Unsafe.As<Func<Tensor, Tensor?>>(backward)(g)];
            case 2: { var (a, b) = Unsafe.As<Func<Tensor, (Tensor?, Tensor?)>>(backward)(g); return [a, b]; }
            case 3: { var (a, b, c) = Unsafe.As<Func<Tensor, (Tensor?, Tensor?, Tensor?)>>(backward)(g); return [a, b, c]; }
            default: return Unsafe.As<Func<Tensor, Tensor?[]>>(backward)(g);
        }
    }

    /// <summary>PyTorch's class name of the backward function, e.g. <c>MulBackward0</c>.</summary>
    public virtual string name() => _name;

    /// <summary>The nodes this one passes gradients to (null where an input needs no gradient).</summary>
    public IReadOnlyList<Node?> next_functions => Next;

    public override string ToString() => $"<{_name}>";
}

/// <summary>The sink at a leaf tensor that requires grad: adds incoming gradients into <c>.grad</c>.</summary>
public sealed class AccumulateGrad : Node
{
    internal readonly Tensor Variable;
    internal AccumulateGrad(Tensor variable) : base("AccumulateGrad", null, []) { Variable = variable; }

    /// <summary>The C++ class name, as <c>x.grad_fn.next_functions[0][0].name()</c> prints in PyTorch.</summary>
    public override string name() => "torch::autograd::AccumulateGrad";

    /// <summary>The leaf tensor whose <c>.grad</c> this node fills (PyTorch's <c>.variable</c>).</summary>
    public Tensor variable => Variable;
}

/// <summary>
/// One entry of a tensor's hook list: a user hook (<c>register_hook</c>) or the marker that
/// stores the gradient in <c>.grad</c> (<c>retain_grad</c>). Order matters, as in PyTorch:
/// a hook registered before <c>retain_grad()</c> changes the retained value, one after does not.
/// </summary>
internal sealed class TensorHook
{
    public readonly Func<Tensor, Tensor?>? Fn;
    public readonly Tensor? Retain;
    public TensorHook(Func<Tensor, Tensor?> fn) { Fn = fn; }
    public TensorHook(Tensor retain) { Retain = retain; }
}

/// <summary>Handle returned by <c>register_hook</c>; <see cref="remove"/> unregisters the hook.</summary>
public sealed class RemovableHandle
{
    Action? _remove;
    internal RemovableHandle(Action remove) { _remove = remove; }

    public void remove()
    {
        _remove?.Invoke();
        _remove = null;
    }
}

/// <summary>
/// A tensor saved for backward together with its storage version at save time; unpacking it
/// after an in-place change raises PyTorch's error instead of computing a wrong gradient.
/// </summary>
internal readonly struct SavedTensor
{
    readonly Tensor _t;
    readonly int _version;
    readonly bool _fresh;  // no history and no requires_grad when saved: normally the op's own output, recorded right after
    public SavedTensor(Tensor t) { _t = t; _version = t._storage.Version; _fresh = t._gradFn is null && !t._requiresGrad; }

    public Tensor Get()
    {
        int now = _t._storage.Version;
        if (now != _version) throw new InvalidOperationException(Message(now));
        return _t;
    }

    /// <summary>
    /// PyTorch names the saved tensor's current grad_fn, or for an op's own saved output
    /// (exp, tanh, sigmoid, ...) the node that saved it, which is the one running now.
    /// </summary>
    string Message(int now)
    {
        string? producer = _fresh && _t._gradFn is not null ? Engine.Current?.name() ?? _t._gradFn.name() : _t._gradFn?.name();
        return "one of the variables needed for gradient computation has been modified by an inplace operation: " +
            $"[{_t.dtype.LegacyName()} {Shape.Str(_t._shape)}]" + (producer is null ? "" : $", which is output 0 of {producer},") +
            $" is at version {now}; expected version {_version} instead. " +
            "Hint: the tensor was changed in place (a method ending in '_', an assignment into it, or an optimizer step) after this op used it; " +
            "use the out-of-place op, or clone() the tensor before changing it.";
    }
}
