using Torchlet.Modules;

namespace Torchlet
{
    public static partial class torch
    {
        public static partial class optim
        {
            /// <summary>torch.optim.lr_scheduler: learning-rate schedules that write each group's "lr".</summary>
            public static class lr_scheduler
            {
                /// <summary>lr·γ every <paramref name="step_size"/> epochs.</summary>
                public static Modules.StepLR StepLR(Optimizer optimizer, int step_size, double gamma = 0.1, int last_epoch = -1) =>
                    new(optimizer, step_size, gamma, last_epoch);

                /// <summary>lr·γ at each milestone epoch (a milestone listed k times multiplies by γ^k).</summary>
                public static Modules.MultiStepLR MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1, int last_epoch = -1) =>
                    new(optimizer, milestones, gamma, last_epoch);

                /// <summary>lr·γ every epoch.</summary>
                public static Modules.ExponentialLR ExponentialLR(Optimizer optimizer, double gamma, int last_epoch = -1) =>
                    new(optimizer, gamma, last_epoch);

                /// <summary>Cosine annealing from the initial lr to <paramref name="eta_min"/> over <paramref name="T_max"/> epochs (PyTorch's recursive form).</summary>
                public static Modules.CosineAnnealingLR CosineAnnealingLR(Optimizer optimizer, int T_max, double eta_min = 0, int last_epoch = -1) =>
                    new(optimizer, T_max, eta_min, last_epoch);

                /// <summary>lr = initial_lr · lr_lambda(epoch), one function for every group.</summary>
                public static Modules.LambdaLR LambdaLR(Optimizer optimizer, Func<int, double> lr_lambda, int last_epoch = -1) =>
                    new(optimizer, [lr_lambda], last_epoch);

                /// <summary>lr = initial_lr · lr_lambda[i](epoch), one function per group.</summary>
                public static Modules.LambdaLR LambdaLR(Optimizer optimizer, IList<Func<int, double>> lr_lambda, int last_epoch = -1) =>
                    new(optimizer, lr_lambda, last_epoch);

                /// <summary>Multiplies the lr by <paramref name="factor"/> when a metric has stopped improving for <paramref name="patience"/> epochs.</summary>
                public static Modules.ReduceLROnPlateau ReduceLROnPlateau(Optimizer optimizer, string mode = "min", double factor = 0.1, int patience = 10,
                    double threshold = 1e-4, string threshold_mode = "rel", int cooldown = 0, double min_lr = 0, double eps = 1e-8) =>
                    new(optimizer, mode, factor, patience, threshold, threshold_mode, cooldown, [min_lr], eps);

                /// <summary>ReduceLROnPlateau with one minimum lr per parameter group.</summary>
                public static Modules.ReduceLROnPlateau ReduceLROnPlateau(Optimizer optimizer, IList<double> min_lr, string mode = "min", double factor = 0.1, int patience = 10,
                    double threshold = 1e-4, string threshold_mode = "rel", int cooldown = 0, double eps = 1e-8) =>
                    new(optimizer, mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps);
            }
        }
    }
}

namespace Torchlet.Modules
{
    /// <summary>
    /// PyTorch 1.13's <c>_LRScheduler</c>: remembers each group's "initial_lr" (base_lrs), and each
    /// <see cref="step"/> advances <see cref="last_epoch"/> and writes <see cref="get_lr"/> into the
    /// groups. The constructor takes the first step, so epoch 0's lr is set right away.
    /// </summary>
    public abstract class LRScheduler
    {
        protected readonly Optimizer _optimizer;
        protected readonly string _name;
        protected int _stepCount;
        double[] _lastLr = [];

        /// <summary>The epoch of the most recent step (−1 before the constructor's step).</summary>
        public int last_epoch { get; protected set; }

        /// <summary>Each group's initial learning rate.</summary>
        public IReadOnlyList<double> base_lrs { get; private set; }

        public Optimizer optimizer => _optimizer;

        protected LRScheduler(string name, Optimizer optimizer, int last_epoch)
        {
            ArgumentNullException.ThrowIfNull(optimizer);
            _name = name; _optimizer = optimizer;
            var groups = optimizer.param_groups;
            if (last_epoch == -1)
            {
                foreach (var g in groups) g.Options.TryAdd("initial_lr", g.lr);
            }
            else
            {
                for (int i = 0; i < groups.Count; i++)
                    if (!groups[i].Options.ContainsKey("initial_lr"))
                        throw new ArgumentException($"{name}: param 'initial_lr' is not specified in param_groups[{i}] when resuming an optimizer (last_epoch={last_epoch} means resuming: give last_epoch=-1 to start a new schedule)");
            }
            base_lrs = groups.Select(g => g.Number("initial_lr", name)).ToArray();
            this.last_epoch = last_epoch;
        }

        /// <summary>PyTorch's <c>_initial_step</c>: derived constructors call it once their fields are set.</summary>
        protected void InitialStep()
        {
            _stepCount = 0;
            step();
        }

        /// <summary>The learning rates for the current <see cref="last_epoch"/>, computed from the groups' current lrs (PyTorch's chainable form).</summary>
        protected abstract double[] get_lr();

        /// <summary>Advances one epoch and writes the new learning rates into the optimizer's groups.</summary>
        public virtual void step()
        {
            _stepCount++;
            last_epoch++;
            var lrs = get_lr();
            var groups = _optimizer.param_groups;
            for (int i = 0; i < groups.Count; i++) groups[i].lr = lrs[i];
            _lastLr = groups.Select(g => g.lr).ToArray();
        }

        /// <summary>The learning rates the last step set, one per group.</summary>
        public IReadOnlyList<double> get_last_lr() => _lastLr;

        protected double[] CurrentLrs() => _optimizer.param_groups.Select(g => g.lr).ToArray();

        /// <summary>
        /// The schedule's progress, as PyTorch's <c>scheduler.state_dict()</c> keeps it ("last_epoch",
        /// "base_lrs", "_step_count", "_last_lr"), to save beside the optimizer's state dict.
        /// </summary>
        public Dictionary<string, object> state_dict() => new()
        {
            ["last_epoch"] = last_epoch,
            ["base_lrs"] = base_lrs.ToArray(),
            ["_step_count"] = _stepCount,
            ["_last_lr"] = _lastLr.ToArray(),
        };

        /// <summary>Restores <see cref="state_dict"/>'s entries (checked first; nothing changes on error).</summary>
        public void load_state_dict(Dictionary<string, object> state_dict)
        {
            ArgumentNullException.ThrowIfNull(state_dict);
            int groups = _optimizer.param_groups.Count;
            int epoch = Get<int>("last_epoch"), count = Get<int>("_step_count");
            double[] bases = Get<double[]>("base_lrs"), last = Get<double[]>("_last_lr");
            if (bases.Length != groups || last.Length != groups)
                throw new ArgumentException($"{_name}.load_state_dict: the state has {bases.Length} base_lrs and {last.Length} last lrs, but the optimizer has {groups} parameter groups");
            last_epoch = epoch; _stepCount = count; _lastLr = last;
            base_lrs = bases;

            T Get<T>(string key) => state_dict.TryGetValue(key, out var v) && v is T t ? t
                : throw new ArgumentException($"{_name}.load_state_dict: entry '{key}' is missing or is not a {typeof(T).Name} (got {(v is null ? "nothing" : v.GetType().Name)})");
        }

        internal static string Py(double v) => Args.Py(v);
    }

    /// <summary>torch.optim.lr_scheduler.StepLR: lr·γ at every multiple of step_size.</summary>
    public sealed class StepLR : LRScheduler
    {
        public int step_size { get; }
        public double gamma { get; }

        public StepLR(Optimizer optimizer, int step_size, double gamma = 0.1, int last_epoch = -1) : base("StepLR", optimizer, last_epoch)
        {
            if (step_size <= 0) throw new ArgumentException($"StepLR: step_size must be a positive number of epochs, got {step_size}");
            this.step_size = step_size; this.gamma = gamma;
            InitialStep();
        }

        protected override double[] get_lr()
        {
            var lrs = CurrentLrs();
            if (last_epoch == 0 || last_epoch % step_size != 0) return lrs;
            return lrs.Select(lr => lr * gamma).ToArray();
        }
    }

    /// <summary>torch.optim.lr_scheduler.MultiStepLR: lr·γ^k at a milestone listed k times.</summary>
    public sealed class MultiStepLR : LRScheduler
    {
        readonly Dictionary<int, int> _milestones = new();
        public IReadOnlyList<int> milestones { get; }
        public double gamma { get; }

        public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1, int last_epoch = -1) : base("MultiStepLR", optimizer, last_epoch)
        {
            ArgumentNullException.ThrowIfNull(milestones);
            this.milestones = milestones.Order().ToArray();
            foreach (var m in this.milestones) _milestones[m] = _milestones.GetValueOrDefault(m) + 1;
            this.gamma = gamma;
            InitialStep();
        }

        protected override double[] get_lr()
        {
            var lrs = CurrentLrs();
            if (!_milestones.TryGetValue(last_epoch, out int k)) return lrs;
            double f = Math.Pow(gamma, k);
            return lrs.Select(lr => lr * f).ToArray();
        }
    }

    /// <summary>torch.optim.lr_scheduler.ExponentialLR: lr·γ every epoch.</summary>
    public sealed class ExponentialLR : LRScheduler
    {
        public double gamma { get; }

        public ExponentialLR(Optimizer optimizer, double gamma, int last_epoch = -1) : base("ExponentialLR", optimizer, last_epoch)
        {
            this.gamma = gamma;
            InitialStep();
        }

        protected override double[] get_lr()
        {
            var lrs = CurrentLrs();
            return last_epoch == 0 ? lrs : lrs.Select(lr => lr * gamma).ToArray();
        }
    }

    /// <summary>
    /// torch.optim.lr_scheduler.CosineAnnealingLR in PyTorch's recursive form: each step rescales the
    /// current lr, so changes made to the lr between steps carry on; past T_max it rises again (a period of 2·T_max).
    /// </summary>
    public sealed class CosineAnnealingLR : LRScheduler
    {
        public int T_max { get; }
        public double eta_min { get; }

        public CosineAnnealingLR(Optimizer optimizer, int T_max, double eta_min = 0, int last_epoch = -1) : base("CosineAnnealingLR", optimizer, last_epoch)
        {
            if (T_max <= 0) throw new ArgumentException($"CosineAnnealingLR: T_max must be a positive number of epochs, got {T_max}");
            this.T_max = T_max; this.eta_min = eta_min;
            InitialStep();
        }

        protected override double[] get_lr()
        {
            var lrs = CurrentLrs();
            if (last_epoch == 0) return lrs;
            var r = new double[lrs.Length];
            if (_stepCount == 1 && last_epoch > 0)
            {
                for (int i = 0; i < r.Length; i++) r[i] = eta_min + (base_lrs[i] - eta_min) * (1 + Math.Cos(last_epoch * Math.PI / T_max)) / 2;
                return r;
            }
            long period = 2L * T_max, k = ((long)last_epoch - 1 - T_max) % period;   // Python's %: never negative
            if (k < 0) k += period;
            if (k == 0)
            {
                for (int i = 0; i < r.Length; i++) r[i] = lrs[i] + (base_lrs[i] - eta_min) * (1 - Math.Cos(Math.PI / T_max)) / 2;
                return r;
            }
            for (int i = 0; i < r.Length; i++)
                r[i] = (1 + Math.Cos(Math.PI * last_epoch / T_max)) / (1 + Math.Cos(Math.PI * (last_epoch - 1) / T_max)) * (lrs[i] - eta_min) + eta_min;
            return r;
        }
    }

    /// <summary>torch.optim.lr_scheduler.LambdaLR: lr = initial_lr · λ(epoch).</summary>
    public sealed class LambdaLR : LRScheduler
    {
        readonly Func<int, double>[] _lambdas;

        public LambdaLR(Optimizer optimizer, IList<Func<int, double>> lr_lambda, int last_epoch = -1) : base("LambdaLR", optimizer, last_epoch)
        {
            ArgumentNullException.ThrowIfNull(lr_lambda);
            int groups = optimizer.param_groups.Count;
            if (lr_lambda.Count == 1) _lambdas = Enumerable.Repeat(lr_lambda[0], groups).ToArray();
            else if (lr_lambda.Count != groups) throw new ArgumentException($"LambdaLR: Expected {groups} lr_lambdas, but got {lr_lambda.Count}");
            else _lambdas = lr_lambda.ToArray();
            foreach (var f in _lambdas) ArgumentNullException.ThrowIfNull(f, nameof(lr_lambda));
            InitialStep();
        }

        public LambdaLR(Optimizer optimizer, Func<int, double> lr_lambda, int last_epoch = -1) : this(optimizer, [lr_lambda], last_epoch) { }

        protected override double[] get_lr() => base_lrs.Select((b, i) => b * _lambdas[i](last_epoch)).ToArray();
    }

    /// <summary>
    /// torch.optim.lr_scheduler.ReduceLROnPlateau: after more than <c>patience</c> epochs without
    /// improvement of the metric given to <see cref="step(double)"/> (by <c>threshold</c>, relative or
    /// absolute), each group's lr becomes max(lr·factor, min_lr), then <c>cooldown</c> epochs pass
    /// before bad epochs count again. Changes smaller than <c>eps</c> are skipped.
    /// </summary>
    public sealed class ReduceLROnPlateau
    {
        readonly Optimizer _optimizer;
        readonly double[] _minLrs;
        readonly bool _max, _rel;
        double[]? _lastLr;

        public string mode { get; }
        public double factor { get; }
        public int patience { get; }
        public double threshold { get; }
        public string threshold_mode { get; }
        public int cooldown { get; }
        public IReadOnlyList<double> min_lrs => _minLrs;
        public double eps { get; }
        public double best { get; private set; }
        public int num_bad_epochs { get; private set; }
        public int cooldown_counter { get; private set; }
        public int last_epoch { get; private set; }
        public bool in_cooldown => cooldown_counter > 0;
        public Optimizer optimizer => _optimizer;

        public ReduceLROnPlateau(Optimizer optimizer, string mode = "min", double factor = 0.1, int patience = 10, double threshold = 1e-4,
            string threshold_mode = "rel", int cooldown = 0, IList<double>? min_lr = null, double eps = 1e-8)
        {
            ArgumentNullException.ThrowIfNull(optimizer);
            if (factor >= 1.0) throw new ArgumentException($"ReduceLROnPlateau: Factor should be < 1.0. (got factor={LRScheduler.Py(factor)})");
            int groups = optimizer.param_groups.Count;
            min_lr ??= [0.0];
            if (min_lr.Count == 1) _minLrs = Enumerable.Repeat(min_lr[0], groups).ToArray();
            else if (min_lr.Count != groups) throw new ArgumentException($"ReduceLROnPlateau: expected {groups} min_lrs, got {min_lr.Count}");
            else _minLrs = min_lr.ToArray();
            if (mode is not ("min" or "max")) throw new ArgumentException($"ReduceLROnPlateau: mode {mode} is unknown! (expected 'min' or 'max')");
            if (threshold_mode is not ("rel" or "abs")) throw new ArgumentException($"ReduceLROnPlateau: threshold mode {threshold_mode} is unknown! (expected 'rel' or 'abs')");
            _optimizer = optimizer;
            this.mode = mode; this.factor = factor; this.patience = patience; this.threshold = threshold;
            this.threshold_mode = threshold_mode; this.cooldown = cooldown; this.eps = eps;
            _max = mode == "max"; _rel = threshold_mode == "rel";
            last_epoch = 0;
            Reset();
        }

        void Reset()
        {
            best = _max ? double.NegativeInfinity : double.PositiveInfinity;
            cooldown_counter = 0;
            num_bad_epochs = 0;
        }

        bool IsBetter(double a, double b) => (_max, _rel) switch
        {
            (false, true) => a < b * (1 - threshold),
            (false, false) => a < b - threshold,
            (true, true) => a > b * (threshold + 1),
            _ => a > b + threshold,
        };

        /// <summary>Records one epoch's <paramref name="metrics"/> (e.g. the validation loss).</summary>
        public void step(double metrics)
        {
            double current = metrics;
            last_epoch++;
            if (IsBetter(current, best)) { best = current; num_bad_epochs = 0; }
            else num_bad_epochs++;
            if (in_cooldown) { cooldown_counter--; num_bad_epochs = 0; }
            if (num_bad_epochs > patience)
            {
                ReduceLr();
                cooldown_counter = cooldown;
                num_bad_epochs = 0;
            }
            _lastLr = _optimizer.param_groups.Select(g => g.lr).ToArray();
        }

        /// <summary>The metric as a one-element tensor (e.g. the loss): <c>scheduler.step(val_loss)</c>.</summary>
        public void step(Tensor metrics)
        {
            ArgumentNullException.ThrowIfNull(metrics);
            step(metrics.item<double>());
        }

        void ReduceLr()
        {
            var groups = _optimizer.param_groups;
            for (int i = 0; i < groups.Count; i++)
            {
                double old = groups[i].lr, nw = Math.Max(old * factor, _minLrs[i]);
                if (old - nw > eps) groups[i].lr = nw;
            }
        }

        /// <summary>The learning rates after the last step (the groups' current ones before any step).</summary>
        public IReadOnlyList<double> get_last_lr() => _lastLr ?? _optimizer.param_groups.Select(g => g.lr).ToArray();
    }
}
