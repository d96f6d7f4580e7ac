using System.Globalization;
using System.Numerics;
using Torchlet.Kernels;

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
    /// One group of parameters sharing hyper-parameters (PyTorch's <c>param_groups[i]</c>):
    /// <c>new ParamGroup(net.fc.parameters(), lr: 0.01)</c>. Options the group does not set are
    /// taken from the optimizer's defaults when the group is added. Options are kept by their
    /// PyTorch names (<c>"lr"</c>, <c>"momentum"</c>, <c>"betas"</c>, ...) so that schedulers and
    /// state_dict can read and write them.
    /// </summary>
    public sealed class ParamGroup
    {
        internal readonly Tensor[] _params;
        internal readonly object?[] _state;  // the owning optimizer's per-parameter state, aligned with _params
        internal Optimizer? _owner;

        public ParamGroup(IEnumerable<Tensor> parameters, Dictionary<string, object>? options = null)
        {
            ArgumentNullException.ThrowIfNull(parameters);
            _params = parameters.ToArray();
            _state = new object?[_params.Length];
            Options = options is null ? new Dictionary<string, object>() : new Dictionary<string, object>(options);
        }

        public ParamGroup(IEnumerable<Tensor> parameters, double lr, Dictionary<string, object>? options = null) : this(parameters, options)
        {
            Options["lr"] = lr;
        }

        public IReadOnlyList<Tensor> Parameters => _params;
        public Dictionary<string, object> Options { get; }

        /// <summary>The group's learning rate (what schedulers change).</summary>
        public double lr { get => Number("lr", "ParamGroup"); set => Options["lr"] = value; }

        public object this[string key]
        {
            get => Options.TryGetValue(key, out var v) ? v
                : throw new KeyNotFoundException($"this parameter group has no option '{key}'; it has: {string.Join(", ", Options.Keys)}");
            set => Options[key] = value;
        }

        internal double Number(string key, string who) => Options.TryGetValue(key, out var v) ? v switch
        {
            double d => d,
            float f => f,
            int i => i,
            long l => l,
            _ => throw new ArgumentException($"{who}: option '{key}' must be a number, got {v.GetType().Name} ({v})"),
        } : throw new ArgumentException($"{who}: parameter group didn't specify a value of required optimization parameter {key}");

        internal bool Flag(string key, string who) => Options.TryGetValue(key, out var v)
            ? v as bool? ?? throw new ArgumentException($"{who}: option '{key}' must be true or false, got {v.GetType().Name} ({v})")
            : throw new ArgumentException($"{who}: parameter group didn't specify a value of required optimization parameter {key}");

        internal (double, double) Pair(string key, string who) => Options.TryGetValue(key, out var v) ? v switch
        {
            ValueTuple<double, double> t => t,
            ValueTuple<float, float> t => (t.Item1, t.Item2),
            double[] { Length: 2 } a => (a[0], a[1]),
            _ => throw new ArgumentException($"{who}: option '{key}' must be a pair of numbers such as (0.9, 0.999), got {v.GetType().Name} ({v})"),
        } : throw new ArgumentException($"{who}: parameter group didn't specify a value of required optimization parameter {key}");
    }

    /// <summary>
    /// Base class of the optimizers: parameter groups, zero_grad, step, state_dict. Per-parameter
    /// state lives in an array beside each group's parameters, so a step does no dictionary lookups
    /// per parameter.
    /// </summary>
    public abstract class Optimizer
    {
        readonly List<ParamGroup> _groups = new();
        readonly Dictionary<string, object> _defaults;
        protected readonly string _name;

        public IReadOnlyList<ParamGroup> param_groups => _groups;

        /// <summary>The options given to the constructor, used for groups that do not set their own.</summary>
        public IReadOnlyDictionary<string, object> defaults => _defaults;

        protected Optimizer(string name, IEnumerable<Tensor> parameters, Dictionary<string, object> defaults)
        {
            ArgumentNullException.ThrowIfNull(parameters);
            _name = name; _defaults = defaults;
            var group = new ParamGroup(parameters);
            if (group._params.Length == 0)
                throw new ArgumentException($"{name}: optimizer got an empty parameter list (pass the tensors to optimize, e.g. model.parameters())");
            add_param_group(group);
        }

        protected Optimizer(string name, IEnumerable<ParamGroup> groups, Dictionary<string, object> defaults)
        {
            ArgumentNullException.ThrowIfNull(groups);
            _name = name; _defaults = defaults;
            var list = groups.ToList();
            if (list.Count == 0) throw new ArgumentException($"{name}: optimizer got an empty parameter list (no parameter groups were given)");
            foreach (var g in list) add_param_group(g);
        }

        /// <summary>
        /// Adds a group (e.g. layers unfrozen during fine-tuning). Options it does not set are
        /// taken from the defaults; everything is checked before the group is added.
        /// </summary>
        public void add_param_group(ParamGroup group)
        {
            ArgumentNullException.ThrowIfNull(group);
            if (group._owner is not null)
                throw new ArgumentException($"{_name}: this ParamGroup already belongs to {(ReferenceEquals(group._owner, this) ? "this" : "another")} optimizer; create a new ParamGroup for each optimizer");
            var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < group._params.Length; i++)
            {
                var p = group._params[i];
                if (p is null) throw new ArgumentException($"{_name}: parameter {i} of the group is null");
                if (!p.is_leaf)
                    throw new ArgumentException($"{_name}: can't optimize a non-leaf Tensor (parameter {i} was computed by {p.grad_fn!.name()}); optimize the leaf it was computed from, or pass x.detach().requires_grad_()");
                if (!p.dtype.IsFloating())
                    throw new ArgumentException($"{_name}: parameter {i} has dtype {p.dtype.TorchName()}; only floating point tensors can be optimized");
                if (!seen.Add(p))
                    Warnings.Warn("optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more information");
                foreach (var g in _groups)
                    if (Array.IndexOf(g._params, p) >= 0)
                        throw new ArgumentException($"{_name}: some parameters appear in more than one parameter group (parameter {i} of the new group)");
            }
            var options = new Dictionary<string, object>(group.Options);
            foreach (var (k, v) in _defaults) options.TryAdd(k, v);
            var probe = new ParamGroup([], options);
            Validate(probe);
            foreach (var (k, v) in options) group.Options[k] = v;
            group._owner = this;
            _groups.Add(group);
        }

        /// <summary>
        /// Clears the gradients of all parameters: sets them to null (PyTorch's default
        /// <c>set_to_none=True</c>), or fills them with zeros.
        /// </summary>
        public void zero_grad(bool set_to_none = true)
        {
            foreach (var g in _groups)
                foreach (var p in g._params)
                {
                    if (p.grad is not { } grad) continue;
                    if (set_to_none) { p.grad = null; continue; }
                    if (grad.grad_fn is not null) grad.detach_();
                    else grad.requires_grad_(false);
                    using (torch.no_grad()) grad.zero_();
                }
        }

        /// <summary>One update of every parameter that has a gradient (parameters without one are skipped).</summary>
        public void step()
        {
            using var _ = torch.no_grad();
            StepGroups(_groups);
        }

        /// <summary>Calls <paramref name="closure"/> (which recomputes the loss, with grad mode on) then steps; returns the loss.</summary>
        public Tensor step(Func<Tensor> closure)
        {
            ArgumentNullException.ThrowIfNull(closure);
            Tensor loss;
            using (torch.enable_grad()) loss = closure();
            step();
            return loss;
        }

        /// <summary>Throws PyTorch's message for an invalid hyper-parameter of <paramref name="group"/>.</summary>
        protected abstract void Validate(ParamGroup group);

        /// <summary>
        /// Updates the parameters of all groups (under no_grad). Options may have changed since
        /// construction (schedulers, user code): implementations check every group before any
        /// parameter moves, so a bad value leaves all parameters untouched.
        /// </summary>
        protected abstract void StepGroups(IReadOnlyList<ParamGroup> groups);

        /// <summary>The state of one parameter as named tensors (PyTorch's <c>optimizer.state[p]</c>).</summary>
        protected abstract Dictionary<string, Tensor> SaveState(object state);

        /// <summary>
        /// Rebuilds a parameter's state from <paramref name="saved"/> (already converted to the
        /// parameter's dtype); throws if keys or shapes do not fit.
        /// </summary>
        protected abstract object LoadState(Dictionary<string, Tensor> saved, Tensor parameter, ParamGroup group, string where);

        /// <summary>
        /// PyTorch's layout: <c>state</c> keyed by the parameter's index counted across groups, and
        /// <c>param_groups</c> with their options and those indices. Tensors are copies, so training
        /// on does not change a saved state dict.
        /// </summary>
        public StateDict state_dict()
        {
            var sd = new StateDict();
            int index = 0;
            foreach (var g in _groups)
            {
                var ids = new List<int>();
                for (int i = 0; i < g._params.Length; i++)
                {
                    if (g._state[i] is { } s)
                        sd.state[index] = SaveState(s).ToDictionary(kv => kv.Key, kv => kv.Value.clone_nograd());
                    ids.Add(index++);
                }
                sd.param_groups.Add((new Dictionary<string, object>(g.Options), ids));
            }
            return sd;
        }

        /// <summary>
        /// Restores state saved by <see cref="state_dict"/> (of an optimizer of the same kind over
        /// parameters of the same shapes). Everything is checked before anything is changed.
        /// </summary>
        public void load_state_dict(StateDict state_dict)
        {
            ArgumentNullException.ThrowIfNull(state_dict);
            var sd = state_dict;
            string who = $"{_name}.load_state_dict";
            if (sd.param_groups.Count != _groups.Count)
                throw new ArgumentException($"{who}: loaded state dict has a different number of parameter groups ({sd.param_groups.Count}) than the optimizer ({_groups.Count})");
            var byId = new Dictionary<int, (ParamGroup group, int slot, Tensor p)>();
            var newOptions = new Dictionary<string, object>[_groups.Count];
            for (int gi = 0; gi < _groups.Count; gi++)
            {
                var (options, ids) = sd.param_groups[gi];
                var g = _groups[gi];
                if (ids.Count != g._params.Length)
                    throw new ArgumentException($"{who}: loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group {gi}: {ids.Count} parameters saved, {g._params.Length} in the optimizer)");
                for (int k = 0; k < ids.Count; k++)
                    if (!byId.TryAdd(ids[k], (g, k, g._params[k])))
                        throw new ArgumentException($"{who}: parameter index {ids[k]} appears twice in the loaded param_groups");
                try { Validate(new ParamGroup([], options)); }
                catch (ArgumentException e)
                {
                    throw new ArgumentException($"{who}: the options of saved parameter group {gi} do not fit {_name} ({e.Message}); was the state dict saved by a different kind of optimizer?", e);
                }
                newOptions[gi] = new Dictionary<string, object>(options);
            }
            var loaded = new List<(ParamGroup group, int slot, object state)>();
            foreach (var (id, saved) in sd.state)
            {
                if (!byId.TryGetValue(id, out var target))
                    throw new ArgumentException($"{who}: the loaded state has an entry for parameter {id}, but no parameter group lists that index");
                var (g, slot, p) = target;
                string where = $"{who}: state of parameter {id}";
                var converted = new Dictionary<string, Tensor>();
                foreach (var (k, v) in saved)
                {
                    if (v.dim() > 0 && !Shape.SameShape(v._shape, p._shape))
                        throw new ArgumentException($"{where}: '{k}' has shape {Shape.Str(v._shape)}, but the parameter has shape {Shape.Str(p._shape)}");
                    // As PyTorch does: floating state follows the parameter's dtype ('step' stays as saved).
                    converted[k] = (k != "step" && v.dtype.IsFloating() && v.dtype != p.dtype ? v.to_nograd(p.dtype, false) : v).clone_nograd();
                }
                var probe = new ParamGroup([], newOptions[_groups.IndexOf(g)]);
                loaded.Add((g, slot, LoadState(converted, p, probe, where)));
            }
            for (int gi = 0; gi < _groups.Count; gi++)
            {
                var g = _groups[gi];
                Array.Clear(g._state);
                g.Options.Clear();
                foreach (var (k, v) in newOptions[gi]) g.Options[k] = v;
            }
            foreach (var (g, slot, state) in loaded) g._state[slot] = state;
        }

        /// <summary>Reads the tensor data of a state entry, or explains which key is missing.</summary>
        internal static Tensor Require(Dictionary<string, Tensor> saved, string key, string where)
        {
            if (saved.TryGetValue(key, out var t)) return t;
            throw new ArgumentException($"{where}: '{key}' is missing (it has {(saved.Count == 0 ? "no entries" : string.Join(", ", saved.Keys.Select(k => $"'{k}'")))}); was the state dict saved by a different kind of optimizer?");
        }

        /// <summary>
        /// Refuses a negative (or NaN) option value, checked in order, with PyTorch's "Invalid ..." wording (its own
        /// words for lr and eps, "&lt;key&gt; value" for the rest). Takes the values as just parsed, in a span: every
        /// step checks them, so no array and no second lookup.
        /// </summary>
        private protected void NonNegative(params ReadOnlySpan<(string Key, double Value)> options)
        {
            foreach (var (key, value) in options)
            {
                if (value >= 0) continue;
                string what = key switch { "lr" => "learning rate", "eps" => "epsilon value", _ => $"{key} value" };
                throw new ArgumentException($"Invalid {what}: {Args.Py(value)} ({_name} expects {key} >= 0)");
            }
        }

        /// <summary>Refuses a saved entry outside <paramref name="keys"/>; <paramref name="keeps"/> says which entries this optimizer keeps.</summary>
        private protected void OnlyKeys(Dictionary<string, Tensor> saved, string where, string[] keys, string keeps)
        {
            foreach (var k in saved.Keys)
                if (Array.IndexOf(keys, k) < 0)
                    throw new ArgumentException($"{where}: unexpected entry '{k}' for {_name} (it keeps {keeps}); was the state dict saved by a different kind of optimizer?");
        }

        /// <summary>The saved step count (one number), read before the other entries are checked against <paramref name="keys"/>.</summary>
        private protected double LoadStep(Dictionary<string, Tensor> saved, string where, string[] keys, string keeps)
        {
            var step = Require(saved, "step", where);
            if (step.numel() != 1) throw new ArgumentException($"{where}: 'step' must hold one number, got shape {Shape.Str(step._shape)}");
            OnlyKeys(saved, where, keys, keeps);
            return step.item<double>();
        }

        /// <summary>A saved per-parameter buffer, which must have the parameter's shape.</summary>
        private protected static Tensor LoadBuffer(Dictionary<string, Tensor> saved, string key, Tensor parameter, string where)
        {
            var t = Require(saved, key, where);
            if (!Shape.SameShape(t._shape, parameter._shape))
                throw new ArgumentException($"{where}: '{key}' has shape {Shape.Str(t._shape)}, but the parameter has shape {Shape.Str(parameter._shape)}");
            return t;
        }
    }

    /// <summary>
    /// The built-in optimizers: each declares its options (parsed and checked from a group's dictionary into a
    /// <typeparamref name="TOptions"/>), its per-parameter state (<typeparamref name="TState"/>) and its kernel;
    /// this base runs the update loop: every group's options are checked before any parameter moves, parameters
    /// without a gradient are skipped, the kernel sees contiguous buffers of the parameter's dtype, and the
    /// parameter's version is bumped (autograd's check against in-place changes).
    /// </summary>
    public abstract class Optimizer<TOptions, TState> : Optimizer where TOptions : struct where TState : class
    {
        TOptions[] _parsed = [];

        private protected Optimizer(string name, IEnumerable<Tensor> parameters, Dictionary<string, object> defaults) : base(name, parameters, defaults) { }
        private protected Optimizer(string name, IEnumerable<ParamGroup> groups, Dictionary<string, object> defaults) : base(name, groups, defaults) { }

        /// <summary>Reads a group's options; throws PyTorch's message for an invalid one.</summary>
        private protected abstract TOptions Parse(ParamGroup group);

        /// <summary>
        /// The state of a parameter about to be updated: made on its first step (or extended when an option
        /// switched on since needs more); null when the optimizer keeps none for these options.
        /// </summary>
        private protected abstract TState? Prepare(Tensor parameter, TState? state, in TOptions options);

        /// <summary>One update of <paramref name="n"/> contiguous elements: the parameter at <paramref name="po"/>, its gradient at <paramref name="go"/>.</summary>
        private protected abstract void Update<T>(T[] p, int po, T[] g, int go, int n, TState? state, in TOptions options)
            where T : unmanaged, IFloatingPointIeee754<T>;

        /// <summary>Called for each group before its parameters are updated (Adagrad fills state for groups added later).</summary>
        private protected virtual void BeforeStep(ParamGroup group) { }

        private protected abstract Dictionary<string, Tensor> Save(TState state);
        private protected abstract TState Load(Dictionary<string, Tensor> saved, Tensor parameter, ParamGroup group, string where);

        protected sealed override void Validate(ParamGroup group) => Parse(group);
        protected sealed override Dictionary<string, Tensor> SaveState(object state) => Save((TState)state);
        protected sealed override object LoadState(Dictionary<string, Tensor> saved, Tensor parameter, ParamGroup group, string where) =>
            Load(saved, parameter, group, where);

        protected sealed override void StepGroups(IReadOnlyList<ParamGroup> groups)
        {
            if (_parsed.Length != groups.Count) _parsed = new TOptions[groups.Count];
            for (int g = 0; g < groups.Count; g++) _parsed[g] = Parse(groups[g]);
            for (int g = 0; g < groups.Count; g++)
            {
                var group = groups[g];
                BeforeStep(group);
                var ps = group._params;
                for (int i = 0; i < ps.Length; i++)
                {
                    var p = ps[i];
                    if (p.grad is not { } grad) continue;
                    var state = Prepare(p, group._state[i] as TState, _parsed[g]);
                    group._state[i] = state;
                    // Parameters and gradients are contiguous in practice; other layouts go through a contiguous copy.
                    var pc = p.contiguous_nograd();
                    var step = new Step { Optimizer = this, P = pc, Grad = grad.contiguous_nograd(), State = state, Options = _parsed[g] };
                    Dispatch.Floating(p.dtype, ref step, _name);
                    if (!ReferenceEquals(pc, p)) p.CopyFrom(pc);
                    p.BumpVersion();
                }
            }
        }

        struct Step : IFloatingAction
        {
            public Optimizer<TOptions, TState> Optimizer;
            public Tensor P, Grad;
            public TState? State;
            public TOptions Options;

            public readonly void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
                Optimizer.Update(P.Buffer<T>(), P._offset, Grad.Buffer<T>(), Grad._offset, P.Numel, State, Options);
        }
    }

    /// <summary>An optimizer's state: per-parameter tensors and the groups' options.</summary>
    public sealed class StateDict
    {
        public Dictionary<int, Dictionary<string, Tensor>> state { get; } = new();
        public List<(Dictionary<string, object> Options, List<int> Params)> param_groups { get; } = new();
    }
}
