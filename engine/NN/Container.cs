using System.Collections;
using Torchlet.Modules;

namespace Torchlet
{
    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>An empty Sequential (its forward returns the input); add layers with <c>append</c>.</summary>
            public static Sequential Sequential() => new(Array.Empty<Module<Tensor, Tensor>>());

            /// <summary>Modules run one after another, named "0", "1", ... (<c>nn.Sequential(nn.Linear(4, 16), nn.ReLU())</c>).</summary>
            public static Sequential Sequential(params Module<Tensor, Tensor>[] modules) => new(modules);

            /// <summary>Modules run one after another, with the given names (PyTorch's <c>Sequential(OrderedDict(...))</c>).</summary>
            public static Sequential Sequential(params (string name, Module<Tensor, Tensor> module)[] modules) => new(modules);

            /// <summary>A list of modules whose parameters are registered (<c>nn.ModuleList([...])</c>).</summary>
            public static ModuleList<Module> ModuleList(params Module[] modules) => new(modules);

            public static ModuleList<T> ModuleList<T>(params T[] modules) where T : Module => new(modules);

            /// <summary>Modules by name, in insertion order (<c>nn.ModuleDict({...})</c>).</summary>
            public static ModuleDict<Module> ModuleDict(params (string name, Module module)[] modules) => new(modules);

            public static ModuleDict<T> ModuleDict<T>(params (string name, T module)[] modules) where T : Module => new(modules);
        }
    }
}

namespace Torchlet.Modules
{
    using static Torchlet.torch;

    /// <summary>PyTorch's <c>nn.Sequential</c>: forward passes the input through each module in order.</summary>
    public class Sequential : nn.Layer<Tensor, Tensor>, IEnumerable<nn.Module<Tensor, Tensor>>
    {
        readonly List<nn.Module<Tensor, Tensor>> _items = [];

        public Sequential(params nn.Module<Tensor, Tensor>[] modules) : base(nameof(Sequential))
        {
            foreach (var m in modules) append(m);
        }

        public Sequential(params (string name, nn.Module<Tensor, Tensor> module)[] modules) : base(nameof(Sequential))
        {
            foreach (var (n, m) in modules) append(n, m);
        }

        protected override Tensor Forward(Tensor input)
        {
            var x = input;
            foreach (var m in _items) x = m.call(x);
            return x;
        }

        public Sequential append(nn.Module<Tensor, Tensor> module) => append(_items.Count.ToString(), module);

        public Sequential append(string name, nn.Module<Tensor, Tensor> module)
        {
            ArgumentNullException.ThrowIfNull(module);
            register_module(name, module);
            _items.Add(module);
            return this;
        }

        public int Count => _items.Count;

        /// <summary>The i-th module; negative indices count from the end, as in Python.</summary>
        public nn.Module<Tensor, Tensor> this[int index] => _items[Index(index)];

        /// <summary>A new Sequential of a slice (<c>net[0..2]</c>), keeping the original names.</summary>
        public Sequential this[Range range]
        {
            get
            {
                var (start, length) = range.GetOffsetAndLength(_items.Count);
                var names = named_children().Select(x => x.name).ToArray();
                return new Sequential(Enumerable.Range(start, length).Select(i => (names[i], _items[i])).ToArray());
            }
        }

        int Index(int i)
        {
            int n = _items.Count;
            if (i < -n || i >= n) throw new IndexOutOfRangeException($"index {i} is out of range for Sequential of length {n}");
            return i < 0 ? i + n : i;
        }

        public IEnumerator<nn.Module<Tensor, Tensor>> GetEnumerator() => _items.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>PyTorch's <c>nn.ModuleList</c>: holds sub-modules (named "0", "1", ...) so that they are registered; no forward.</summary>
    public class ModuleList<T> : nn.Module, IEnumerable<T> where T : nn.Module
    {
        readonly List<T> _items = [];

        public ModuleList(params T[] modules) : base("ModuleList")
        {
            foreach (var m in modules) append(m);
        }

        public ModuleList<T> append(T module)
        {
            ArgumentNullException.ThrowIfNull(module);
            register_module(_items.Count.ToString(), module);
            _items.Add(module);
            return this;
        }

        public ModuleList<T> extend(IEnumerable<T> modules)
        {
            foreach (var m in modules) append(m);
            return this;
        }

        public int Count => _items.Count;

        public T this[int index]
        {
            get
            {
                int n = _items.Count;
                if (index < -n || index >= n) throw new IndexOutOfRangeException($"index {index} is out of range for ModuleList of length {n}");
                return _items[index < 0 ? index + n : index];
            }
        }

        public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>PyTorch's <c>nn.ModuleDict</c>: sub-modules by name, in insertion order; no forward.</summary>
    public class ModuleDict<T> : nn.Module, IEnumerable<(string name, T module)> where T : nn.Module
    {
        readonly List<(string name, T module)> _items = [];

        public ModuleDict(params (string name, T module)[] modules) : base("ModuleDict")
        {
            foreach (var (n, m) in modules) Add(n, m);
        }

        public void Add(string name, T module)
        {
            ArgumentNullException.ThrowIfNull(module);
            if (ContainsKey(name)) throw new ArgumentException($"ModuleDict already has a module named '{name}'");
            register_module(name, module);
            _items.Add((name, module));
        }

        public bool ContainsKey(string name) => _items.Any(x => x.name == name);

        public T this[string name] => _items.FirstOrDefault(x => x.name == name).module
            ?? throw new KeyNotFoundException($"ModuleDict has no module named '{name}'; it has: {string.Join(", ", keys())}");

        public IEnumerable<string> keys() => _items.Select(x => x.name);
        public IEnumerable<T> values() => _items.Select(x => x.module);
        public IEnumerable<(string name, T module)> items() => _items;
        public int Count => _items.Count;

        public IEnumerator<(string name, T module)> GetEnumerator() => _items.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
