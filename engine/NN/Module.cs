using System.Collections.Concurrent;
using System.Reflection;
using System.Text;

namespace Torchlet;

public static partial class torch
{
    /// <summary>torch.nn: modules (in <c>Torchlet.Modules</c>), their factories, <c>functional</c> and <c>init</c>.</summary>
    public static partial class nn
    {
        /// <summary>Wraps a tensor as a module parameter (<c>nn.Parameter(t)</c>).</summary>
        public static Parameter Parameter(Tensor data, bool requires_grad = true) => new(data, requires_grad);

        /// <summary>
        /// Base of every layer and model (PyTorch's <c>nn.Module</c>). Sub-modules and parameters held in
        /// instance fields (private ones and auto-property backing fields too) are found by reflection, in
        /// declaration order, named after the field — PyTorch finds them through <c>__setattr__</c>, which C#
        /// has no equivalent of. Fields are read on every call, so replacing <c>net.fc</c> is seen at once.
        /// Buffers, and names only known at run time (LSTM's <c>weight_ih_l0</c>), are registered explicitly.
        /// </summary>
        public abstract class Module
        {
            readonly string _name;
            readonly OrderedDictionary<string, Parameter?> _params = new();
            readonly OrderedDictionary<string, Module?> _modules = new();
            readonly OrderedDictionary<string, Tensor?> _buffers = new();
            readonly HashSet<string> _nonPersistent = new();

            protected Module(string name)
            {
                ArgumentException.ThrowIfNullOrEmpty(name);
                _name = name;
            }

            /// <summary>The class name PyTorch prints (<c>_get_name()</c>).</summary>
            public string GetName() => _name;

            /// <summary>Whether the module is in training mode (<c>train()</c>) or evaluation mode (<c>eval()</c>).</summary>
            public bool training { get; private set; } = true;

            /// <summary>The text inside this module's parentheses when printed (PyTorch's <c>extra_repr</c>).</summary>
            public virtual string extra_repr() => "";

            // ------------------------------------------------------------ registration

            public void register_parameter(string name, Parameter? param)
            {
                CheckName(name, "parameter");
                if (_modules.ContainsKey(name) || _buffers.ContainsKey(name) || FieldNamed(name) is not null)
                    throw new ArgumentException($"{_name}: attribute '{name}' already exists");
                _params[name] = param;
            }

            public void register_module(string name, Module? module)
            {
                CheckName(name, "module");
                if (_params.ContainsKey(name) || _buffers.ContainsKey(name) || FieldNamed(name) is not null)
                    throw new ArgumentException($"{_name}: attribute '{name}' already exists");
                _modules[name] = module;
            }

            /// <summary>A tensor that is state but not a parameter (BatchNorm's running_mean); saved in state_dict unless not persistent.</summary>
            public void register_buffer(string name, Tensor? tensor, bool persistent = true)
            {
                CheckName(name, "buffer");
                if (tensor is Parameter)
                    throw new ArgumentException($"{_name}: cannot register the Parameter '{name}' as a buffer; use register_parameter");
                if (_params.ContainsKey(name) || _modules.ContainsKey(name) || FieldNamed(name) is not null)
                    throw new ArgumentException($"{_name}: attribute '{name}' already exists");
                _buffers[name] = tensor;
                if (persistent) _nonPersistent.Remove(name); else _nonPersistent.Add(name);
            }

            static void CheckName(string name, string what)
            {
                if (string.IsNullOrEmpty(name)) throw new ArgumentException($"{what} name can't be empty string \"\"");
                if (name.Contains('.')) throw new ArgumentException($"{what} name can't contain \".\", got \"{name}\"");
            }

            /// <summary>This module's own buffer <paramref name="name"/>, or a dotted path (<c>"bn.running_mean"</c>) into a sub-module.</summary>
            public Tensor? get_buffer(string name)
            {
                var (owner, leaf) = Resolve(name);
                return owner._buffers.TryGetValue(leaf, out var b) ? b
                    : throw new ArgumentException($"{owner._name} has no buffer `{leaf}`; its buffers: {string.Join(", ", owner._buffers.Keys)}");
            }

            public Parameter? get_parameter(string name)
            {
                var (owner, leaf) = Resolve(name);
                foreach (var (n, p) in owner.OwnParameters(includeNull: true)) if (n == leaf) return p;
                throw new ArgumentException($"{owner._name} has no parameter `{leaf}`; its parameters: {string.Join(", ", owner.OwnParameters(true).Select(x => x.name))}");
            }

            public Module get_submodule(string target)
            {
                if (target == "") return this;
                var m = this;
                foreach (var part in target.Split('.'))
                {
                    Module? next = null;
                    foreach (var (n, c) in m.OwnModules()) if (n == part) { next = c; break; }
                    m = next ?? throw new ArgumentException($"{m._name} has no attribute `{part}` (looking for sub-module '{target}')");
                }
                return m;
            }

            (Module owner, string leaf) Resolve(string path)
            {
                int dot = path.LastIndexOf('.');
                return dot < 0 ? (this, path) : (get_submodule(path[..dot]), path[(dot + 1)..]);
            }

            // ------------------------------------------------------------ discovery

            /// <summary>Instance fields that can hold a module or a parameter, base classes first, in declaration order.</summary>
            static readonly ConcurrentDictionary<Type, FieldInfo[]> s_fields = new();

            static FieldInfo[] FieldsOf(Type t) => s_fields.GetOrAdd(t, static type =>
            {
                var chain = new List<Type>();
                for (var c = type; c is not null && !IsFrameworkBase(c); c = c.BaseType) chain.Add(c);
                chain.Reverse();
                var fields = new List<FieldInfo>();
                foreach (var c in chain)
                {
                    // Metadata order is declaration order; sort within each class, base classes first.
                    var own = c.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                        .Where(f => typeof(Module).IsAssignableFrom(f.FieldType) || typeof(Tensor).IsAssignableFrom(f.FieldType))
                        .OrderBy(f => f.MetadataToken);
                    fields.AddRange(own);
                }
                return [.. fields];
            });

            /// <summary>Module and Module&lt;...&gt; themselves hold no discoverable fields.</summary>
            static bool IsFrameworkBase(Type t) =>
                t == typeof(Module) || (t.IsGenericType && t.DeclaringType == typeof(nn) && t.Name.StartsWith("Module`", StringComparison.Ordinal));

            /// <summary>The PyTorch-visible name of a field: an auto-property's backing field is named after the property.</summary>
            static string FieldName(FieldInfo f)
            {
                var n = f.Name;
                if (n.Length > 0 && n[0] == '<')
                {
                    int end = n.IndexOf('>');
                    if (end > 1) return n[1..end];
                }
                return n;
            }

            FieldInfo? FieldNamed(string name)
            {
                foreach (var f in FieldsOf(GetType())) if (FieldName(f) == name) return f;
                return null;
            }

            internal IEnumerable<(string name, Parameter? param)> OwnParameters(bool includeNull = false)
            {
                foreach (var f in FieldsOf(GetType()))
                {
                    if (!typeof(Tensor).IsAssignableFrom(f.FieldType)) continue;
                    var v = f.GetValue(this);
                    if (v is Parameter p) yield return (FieldName(f), p);
                    else if (v is null && includeNull && typeof(Parameter).IsAssignableFrom(f.FieldType)) yield return (FieldName(f), null);
                }
                foreach (var (n, p) in _params)
                    if (p is not null || includeNull) yield return (n, p);
            }

            internal IEnumerable<(string name, Module module)> OwnModules()
            {
                foreach (var f in FieldsOf(GetType()))
                    if (typeof(Module).IsAssignableFrom(f.FieldType) && f.GetValue(this) is Module m && !ReferenceEquals(m, this))
                        yield return (FieldName(f), m);
                foreach (var (n, m) in _modules)
                    if (m is not null) yield return (n, m);
            }

            internal IEnumerable<(string name, Tensor buffer, bool persistent)> OwnBuffers()
            {
                foreach (var (n, b) in _buffers)
                    if (b is not null) yield return (n, b, !_nonPersistent.Contains(n));
            }

            /// <summary>Replaces a parameter in place of the old one (a field or a registration), keeping its name.</summary>
            internal void SetOwnParameter(string name, Parameter? p)
            {
                if (FieldNamed(name) is { } f && typeof(Tensor).IsAssignableFrom(f.FieldType)) { f.SetValue(this, p); return; }
                if (_params.ContainsKey(name)) { _params[name] = p; return; }
                throw new ArgumentException($"{_name} has no parameter `{name}`");
            }

            internal void SetOwnBuffer(string name, Tensor? t)
            {
                if (!_buffers.ContainsKey(name)) throw new ArgumentException($"{_name} has no buffer `{name}`");
                _buffers[name] = t;
            }

            // ------------------------------------------------------------ traversal

            public IEnumerable<(string name, Module module)> named_children()
            {
                var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
                foreach (var (n, m) in OwnModules())
                    if (seen.Add(m)) yield return (n, m);
            }

            public IEnumerable<Module> children() => named_children().Select(x => x.module);

            /// <summary>This module (named "") and every module below it, each once, depth first.</summary>
            public IEnumerable<(string name, Module module)> named_modules() => NamedModules(new HashSet<Module>(ReferenceEqualityComparer.Instance), "");

            IEnumerable<(string, Module)> NamedModules(HashSet<Module> memo, string prefix)
            {
                if (!memo.Add(this)) yield break;
                yield return (prefix, this);
                foreach (var (n, m) in OwnModules())
                    foreach (var x in m.NamedModules(memo, prefix.Length == 0 ? n : prefix + "." + n))
                        yield return x;
            }

            public IEnumerable<Module> modules() => named_modules().Select(x => x.module);

            /// <summary>Every parameter, each once even if shared, named by its path (<c>conv0.weight</c>).</summary>
            public IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true)
            {
                var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
                foreach (var (prefix, m) in recurse ? named_modules() : [("", this)])
                    foreach (var (n, p) in m.OwnParameters())
                        if (seen.Add(p!)) yield return (prefix.Length == 0 ? n : prefix + "." + n, p!);
            }

            public IEnumerable<Parameter> parameters(bool recurse = true) => named_parameters(recurse).Select(x => x.parameter);

            public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true)
            {
                var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
                foreach (var (prefix, m) in recurse ? named_modules() : [("", this)])
                    foreach (var (n, b, _) in m.OwnBuffers())
                        if (seen.Add(b)) yield return (prefix.Length == 0 ? n : prefix + "." + n, b);
            }

            public IEnumerable<Tensor> buffers(bool recurse = true) => named_buffers(recurse).Select(x => x.buffer);

            // ------------------------------------------------------------ state

            /// <summary>Sets training mode here and below (Dropout drops, BatchNorm uses batch statistics).</summary>
            public Module train(bool mode = true)
            {
                foreach (var m in modules()) m.training = mode;
                return this;
            }

            /// <summary>Evaluation mode (<c>train(false)</c>).</summary>
            public Module eval() => train(false);

            /// <summary>Calls <paramref name="fn"/> on every sub-module, then on this one (the notes' <c>net.apply(weights_init)</c>).</summary>
            public Module apply(Action<Module> fn) => Walk(ApplyWalk, () =>
            {
                foreach (var c in children()) c.apply(fn);
                fn(this);
                return this;
            });

            // The recursive walks (apply, state_dict, printing) follow the tree through fields; a module that
            // contains itself would overflow the stack and take the notebook kernel down, so it is refused.
            // Each kind of walk keeps its own path: apply's callback may print or save the module it is given.
            [ThreadStatic] static List<Module>[]? t_walks;
            const int ApplyWalk = 0, SaveWalk = 1, PrintWalk = 2;

            T Walk<T>(int kind, Func<T> step)
            {
                var path = (t_walks ??= [[], [], []])[kind];
                if (path.Any(m => ReferenceEquals(m, this)))
                    throw new InvalidOperationException(
                        $"{_name} contains itself as a sub-module ({string.Join(" -> ", path.Append(this).Select(m => m._name))}); a module tree can't have cycles");
                path.Add(this);
                try { return step(); }
                finally { path.RemoveAt(path.Count - 1); }
            }

            /// <summary>Clears the parameters' gradients (to null, as PyTorch 2 does by default, or to zeros).</summary>
            public void zero_grad(bool set_to_none = true)
            {
                foreach (var p in parameters())
                {
                    if (p.grad is null) continue;
                    if (set_to_none) p.grad = null;
                    else using (torch.no_grad()) p.grad.zero_();
                }
            }

            public Module requires_grad_(bool requires_grad = true)
            {
                foreach (var p in parameters()) p.requires_grad_(requires_grad);
                return this;
            }

            /// <summary>
            /// Parameters and persistent buffers by path, in PyTorch's order (each module's parameters, then its
            /// buffers, then its children). Values are detached tensors sharing the module's storage.
            /// </summary>
            public Dictionary<string, Tensor> state_dict()
            {
                var d = new Dictionary<string, Tensor>();
                SaveTo(d, "");
                return d;
            }

            void SaveTo(Dictionary<string, Tensor> d, string prefix) => Walk(SaveWalk, () =>
            {
                foreach (var (n, p) in OwnParameters()) d[prefix + n] = p!.detach();
                foreach (var (n, b, persistent) in OwnBuffers()) if (persistent) d[prefix + n] = b.detach();
                foreach (var (n, m) in OwnModules()) m.SaveTo(d, prefix + n + ".");
                return d;
            });

            /// <summary>
            /// Copies <paramref name="state_dict"/> into the parameters and buffers. Everything is checked first
            /// (missing and unexpected keys when <paramref name="strict"/>, shape mismatches always), so a failed
            /// load changes nothing. Returns the keys that were missing or unexpected.
            /// </summary>
            public (IList<string> missing_keys, IList<string> unexpected_keys) load_state_dict(IDictionary<string, Tensor> state_dict, bool strict = true)
            {
                ArgumentNullException.ThrowIfNull(state_dict);
                var own = this.state_dict();
                var missing = own.Keys.Where(k => !state_dict.ContainsKey(k)).ToList();
                var unexpected = state_dict.Keys.Where(k => !own.ContainsKey(k)).ToList();
                var errors = new List<string>();
                if (strict)
                {
                    if (missing.Count > 0) errors.Add($"Missing key(s) in state_dict: {string.Join(", ", missing.Select(k => $"\"{k}\""))}. ");
                    if (unexpected.Count > 0) errors.Add($"Unexpected key(s) in state_dict: {string.Join(", ", unexpected.Select(k => $"\"{k}\""))}. ");
                }
                foreach (var (k, mine) in own)
                {
                    if (!state_dict.TryGetValue(k, out var given)) continue;
                    if (given is null) errors.Add($"value for \"{k}\" is null.");
                    else if (!Shape.SameShape(given._shape, mine._shape))
                        errors.Add($"size mismatch for {k}: copying a param with shape {SizeStr(given)} from checkpoint, the shape in current model is {SizeStr(mine)}.");
                }
                if (errors.Count > 0)
                    throw new ArgumentException($"Error(s) in loading state_dict for {_name}:\n\t{string.Join("\n\t", errors)}");
                using (torch.no_grad())
                    foreach (var (k, mine) in own)
                        if (state_dict.TryGetValue(k, out var given))
                        {
                            mine.CopyFrom(given);
                            mine.BumpVersion();
                        }
                return (missing, unexpected);
            }

            static string SizeStr(Tensor t) => $"torch.Size([{string.Join(", ", t._shape)}])";

            /// <summary>Converts the floating-point parameters and buffers to <paramref name="dtype"/> (<c>net.to(torch.float64)</c>).</summary>
            public Module to(ScalarType dtype)
            {
                if (!dtype.IsFloating())
                    throw new ArgumentException($"nn.Module.to only accepts floating point dtypes, but got desired dtype={dtype.TorchName()}");
                foreach (var m in modules())
                {
                    foreach (var (n, p) in m.OwnParameters().ToList())
                    {
                        if (!p!.dtype.IsFloating() || p.dtype == dtype) continue;
                        Parameter np;
                        using (torch.no_grad()) np = new Parameter(p.to(dtype), p.requires_grad);
                        if (p.grad is { } g) using (torch.no_grad()) np.grad = g.to(dtype);
                        m.SetOwnParameter(n, np);
                    }
                    foreach (var (n, b, _) in m.OwnBuffers().ToList())
                        if (b.dtype.IsFloating() && b.dtype != dtype)
                            using (torch.no_grad()) m.SetOwnBuffer(n, b.to(dtype));
                }
                return this;
            }

            /// <summary>Float64 parameters and buffers (PyTorch's <c>double()</c>).</summary>
            public Module @double() => to(ScalarType.Float64);

            /// <summary>Float32 parameters and buffers (PyTorch's <c>float()</c>).</summary>
            public Module @float() => to(ScalarType.Float32);

            /// <summary>Saves <c>state_dict()</c> to a safetensors file (<c>torch.save(net.state_dict(), path)</c>).</summary>
            public Module save(string path)
            {
                torch.save(state_dict(), path);
                return this;
            }

            /// <summary>Loads a safetensors file written by <see cref="save"/> or PyTorch into this module.</summary>
            public Module load(string path, bool strict = true)
            {
                load_state_dict(torch.load(path), strict);
                return this;
            }

            // ------------------------------------------------------------ printing

            /// <summary>PyTorch's <c>print(net)</c>: the name, extra_repr, and each child indented by two spaces.</summary>
            public override string ToString() => Walk(PrintWalk, () =>
            {
                var extra = extra_repr();
                var extraLines = extra.Length == 0 ? [] : extra.Split('\n');
                var childLines = new List<string>();
                foreach (var (n, m) in OwnModules())
                    childLines.Add("(" + n + "): " + AddIndent(m.ToString(), 2));
                var sb = new StringBuilder(_name).Append('(');
                var lines = extraLines.Concat(childLines).ToList();
                if (lines.Count > 0)
                {
                    if (extraLines.Length == 1 && childLines.Count == 0) sb.Append(extraLines[0]);
                    else sb.Append("\n  ").Append(string.Join("\n  ", lines)).Append('\n');
                }
                return sb.Append(')').ToString();
            });

            static string AddIndent(string s, int spaces)
            {
                var lines = s.Split('\n');
                if (lines.Length == 1) return s;
                var pad = new string(' ', spaces);
                return lines[0] + "\n" + string.Join("\n", lines.Skip(1).Select(l => pad + l));
            }
        }

        /// <summary>A module with one input: override <c>forward</c>; <c>call</c> also runs the hooks.</summary>
        public abstract class Module<T, TResult> : Module
        {
            private protected List<Action<Module<T, TResult>, T>>? _pre;
            private protected List<Action<Module<T, TResult>, T, TResult>>? _post;

            protected Module(string name) : base(name) { }

            public abstract TResult forward(T input);

            /// <summary>Runs the forward pre-hooks, <c>forward</c>, then the forward hooks (PyTorch's <c>module(x)</c>).</summary>
            public TResult call(T input) => this is Layer<T, TResult> ? forward(input) : WithHooks(input, forward);

            private protected TResult WithHooks(T input, Func<T, TResult> run)
            {
                if (_pre is not null) foreach (var h in _pre.ToArray()) h(this, input);
                var result = run(input);
                if (_post is not null) foreach (var h in _post.ToArray()) h(this, input, result);
                return result;
            }

            /// <summary>Called with the input before each forward run through <c>call</c> (and every forward of a built-in layer).</summary>
            public RemovableHandle register_forward_pre_hook(Action<Module<T, TResult>, T> hook)
            {
                (_pre ??= []).Add(hook);
                return new RemovableHandle(() => _pre.Remove(hook));
            }

            /// <summary>Called with the input and output after each forward run through <c>call</c> (and every forward of a built-in layer).</summary>
            public RemovableHandle register_forward_hook(Action<Module<T, TResult>, T, TResult> hook)
            {
                (_post ??= []).Add(hook);
                return new RemovableHandle(() => _post.Remove(hook));
            }
        }

        /// <summary>
        /// A built-in layer (Linear, Conv2d, ...): its <c>forward</c> always runs the hooks, so they fire whether
        /// a user's model calls <c>layer.forward(x)</c> or <c>layer.call(x)</c>, as every <c>layer(x)</c> does in
        /// PyTorch (the notebook's module summary relies on it). Layers implement <c>Forward</c>.
        /// </summary>
        public abstract class Layer<T, TResult> : Module<T, TResult>
        {
            private protected Layer(string name) : base(name) { }

            public sealed override TResult forward(T input) => _pre is null && _post is null ? Forward(input) : WithHooks(input, Forward);

            /// <summary>The layer's computation.</summary>
            protected abstract TResult Forward(T input);
        }

        /// <summary>A module with two inputs (losses: input and target; Bilinear; recurrent layers with a state).</summary>
        public abstract class Module<T1, T2, TResult> : Module
        {
            private protected List<Action<Module<T1, T2, TResult>, T1, T2, TResult>>? _post;

            protected Module(string name) : base(name) { }

            public abstract TResult forward(T1 input1, T2 input2);

            public TResult call(T1 input1, T2 input2) => this is Layer<T1, T2, TResult> ? forward(input1, input2) : WithHooks(input1, input2, forward);

            private protected TResult WithHooks(T1 input1, T2 input2, Func<T1, T2, TResult> run)
            {
                var result = run(input1, input2);
                if (_post is not null) foreach (var h in _post.ToArray()) h(this, input1, input2, result);
                return result;
            }

            public RemovableHandle register_forward_hook(Action<Module<T1, T2, TResult>, T1, T2, TResult> hook)
            {
                (_post ??= []).Add(hook);
                return new RemovableHandle(() => _post.Remove(hook));
            }
        }

        /// <summary>A built-in two-input layer (losses, Bilinear, recurrent layers): hooks run on every forward.</summary>
        public abstract class Layer<T1, T2, TResult> : Module<T1, T2, TResult>
        {
            private protected Layer(string name) : base(name) { }

            public sealed override TResult forward(T1 input1, T2 input2) => _post is null ? Forward(input1, input2) : WithHooks(input1, input2, Forward);

            protected abstract TResult Forward(T1 input1, T2 input2);
        }

        /// <summary>A module with three inputs.</summary>
        public abstract class Module<T1, T2, T3, TResult> : Module
        {
            protected Module(string name) : base(name) { }

            public abstract TResult forward(T1 input1, T2 input2, T3 input3);

            public TResult call(T1 input1, T2 input2, T3 input3) => forward(input1, input2, input3);
        }
    }
}
