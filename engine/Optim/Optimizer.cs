namespace Torchlet
{
    public static partial class torch
    {
        /// <summary>torch.optim: optimizers over any <c>IEnumerable&lt;Tensor&gt;</c> of parameters.</summary>
        public static partial class optim
        {
        }
    }
}

namespace Torchlet.Modules
{
    /// <summary>
    /// One group of parameters sharing hyper-parameters (PyTorch's <c>param_groups[i]</c>).
    /// Options are kept by name so schedulers and state_dict can read and write them.
    /// </summary>
    public sealed class ParamGroup
    {
        public List<Tensor> Parameters { get; }
        public Dictionary<string, object> Options { get; }

        public ParamGroup(IEnumerable<Tensor> parameters, Dictionary<string, object>? options = null)
        {
            Parameters = parameters.ToList();
            Options = options ?? new Dictionary<string, object>();
        }

        public double lr { get => Convert.ToDouble(Options["lr"]); set => Options["lr"] = value; }
        public double this[string key] { get => Convert.ToDouble(Options[key]); set => Options[key] = value; }
    }

    /// <summary>Base class of the optimizers: parameter groups, zero_grad, per-parameter state, state_dict.</summary>
    public abstract class Optimizer
    {
        public List<ParamGroup> param_groups { get; } = new();
        protected readonly Dictionary<Tensor, Dictionary<string, Tensor>> _state = new(ReferenceEqualityComparer.Instance);
        readonly Dictionary<string, object> _defaults;
        protected readonly string _name;

        protected Optimizer(string name, IEnumerable<Tensor> parameters, Dictionary<string, object> defaults)
        {
            _name = name; _defaults = defaults;
            add_param_group(new ParamGroup(parameters));
        }

        protected Optimizer(string name, IEnumerable<ParamGroup> groups, Dictionary<string, object> defaults)
        {
            _name = name; _defaults = defaults;
            foreach (var g in groups) add_param_group(g);
            if (param_groups.Count == 0) throw new ArgumentException($"{name}: optimizer got an empty parameter list");
        }

        /// <summary>Adds a group; options it does not set are taken from the optimizer's defaults.</summary>
        public void add_param_group(ParamGroup group)
        {
            if (group.Parameters.Count == 0 && param_groups.Count == 0)
                throw new ArgumentException($"{_name}: optimizer got an empty parameter list");
            for (int i = 0; i < group.Parameters.Count; i++)
            {
                var p = group.Parameters[i];
                if (!p.is_leaf) throw new ArgumentException($"{_name}: can't optimize a non-leaf Tensor (parameter {i} has grad_fn={p.grad_fn})");
                if (!p.dtype.IsFloating()) throw new ArgumentException($"{_name}: parameter {i} has dtype {p.dtype.TorchName()}; only floating point tensors can be optimized");
                foreach (var g in param_groups)
                    if (g.Parameters.Any(q => ReferenceEquals(q, p)))
                        throw new ArgumentException($"{_name}: some parameters appear in more than one parameter group");
            }
            foreach (var (k, v) in _defaults) group.Options.TryAdd(k, v);
            param_groups.Add(group);
        }

        /// <summary>Clears gradients (sets them to null, PyTorch's default set_to_none=True).</summary>
        public void zero_grad(bool set_to_none = true)
        {
            foreach (var g in param_groups)
                foreach (var p in g.Parameters)
                {
                    if (p.grad is null) continue;
                    if (set_to_none) p.grad = null;
                    else using (torch.no_grad()) p.grad.zero_();
                }
        }

        /// <summary>One update of every parameter that has a gradient.</summary>
        public void step()
        {
            using var _ = torch.no_grad();
            foreach (var g in param_groups) Step(g);
        }

        /// <summary>Calls <paramref name="closure"/> (which recomputes the loss) then steps; returns the loss.</summary>
        public Tensor step(Func<Tensor> closure)
        {
            Tensor loss;
            using (torch.enable_grad()) loss = closure();
            step();
            return loss;
        }

        protected abstract void Step(ParamGroup group);

        protected Dictionary<string, Tensor> State(Tensor p)
        {
            if (!_state.TryGetValue(p, out var s)) _state[p] = s = new Dictionary<string, Tensor>();
            return s;
        }

        /// <summary>
        /// PyTorch's layout: <c>state</c> keyed by the parameter's index across groups, and
        /// <c>param_groups</c> with their options and parameter indices.
        /// </summary>
        public StateDict state_dict()
        {
            var sd = new StateDict();
            int index = 0;
            foreach (var g in param_groups)
            {
                var ids = new List<int>();
                foreach (var p in g.Parameters)
                {
                    if (_state.TryGetValue(p, out var s))
                        sd.state[index] = s.ToDictionary(kv => kv.Key, kv => kv.Value.clone_nograd());
                    ids.Add(index++);
                }
                sd.param_groups.Add((new Dictionary<string, object>(g.Options), ids));
            }
            return sd;
        }

        public void load_state_dict(StateDict sd)
        {
            if (sd.param_groups.Count != param_groups.Count)
                throw new ArgumentException($"{_name}.load_state_dict: loaded state dict has {sd.param_groups.Count} parameter groups, the optimizer has {param_groups.Count}");
            for (int i = 0; i < param_groups.Count; i++)
                if (sd.param_groups[i].Params.Count != param_groups[i].Parameters.Count)
                    throw new ArgumentException($"{_name}.load_state_dict: loaded state dict contains a parameter group ({i}) of {sd.param_groups[i].Params.Count} parameters that doesn't match the size of optimizer's group ({param_groups[i].Parameters.Count})");
            var all = param_groups.SelectMany(g => g.Parameters).ToList();
            foreach (var (idx, s) in sd.state)
            {
                if (idx < 0 || idx >= all.Count) throw new ArgumentException($"{_name}.load_state_dict: state for parameter {idx} but the optimizer has {all.Count} parameters");
                foreach (var (k, v) in s)
                    if (v.dim() > 0 && !Shape.SameShape(v._shape, all[idx]._shape))
                        throw new ArgumentException($"{_name}.load_state_dict: state '{k}' of parameter {idx} has shape {Shape.Str(v._shape)}, the parameter has {Shape.Str(all[idx]._shape)}");
            }
            _state.Clear();
            foreach (var (idx, s) in sd.state) _state[all[idx]] = s.ToDictionary(kv => kv.Key, kv => kv.Value.clone_nograd());
            for (int i = 0; i < param_groups.Count; i++)
                foreach (var (k, v) in sd.param_groups[i].Options) param_groups[i].Options[k] = v;
        }
    }

    /// <summary>An optimizer's state: per-parameter tensors and the groups' options.</summary>
    public sealed class StateDict
    {
        public Dictionary<int, Dictionary<string, Tensor>> state { get; } = new();
        public List<(Dictionary<string, object> Options, List<int> Params)> param_groups { get; } = new();
    }
}
