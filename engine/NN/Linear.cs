using Torchlet.Modules;

namespace Torchlet
{
    public static partial class torch
    {
        /// <summary>x₁ᵀ·A·x₂ + b per output feature (torch.bilinear).</summary>
        public static Tensor bilinear(Tensor input1, Tensor input2, Tensor weight, Tensor? bias = null) => nn.functional.bilinear(input1, input2, weight, bias);

        public static partial class nn
        {
            public static partial class functional
            {
                /// <summary>
                /// y = x·Wᵀ + b, built as PyTorch's at::linear builds it (same grad_fn chain): a 2-D input, or a
                /// contiguous 3-D one flattened to 2-D, is one addmm (one GEMM forward, two backward; Wᵀ is a
                /// strided view, never copied); other ranks go through matmul and an add.
                /// </summary>
                public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null)
                {
                    ArgumentNullException.ThrowIfNull(input);
                    ArgumentNullException.ThrowIfNull(weight);
                    if (weight.dim() != 2 && weight.dim() != 1)
                        throw new ArgumentException($"linear: expected weight to be 2-D [out_features, in_features] (or 1-D), got shape {Shape.Str(weight._shape)}");
                    if (input.dim() == 0)
                        throw new ArgumentException($"linear: expected an input with at least 1 dimension, got a 0-dim tensor");
                    if (weight.dim() == 2 && input._shape[^1] != weight._shape[1])
                        throw new ArgumentException($"mat1 and mat2 shapes cannot be multiplied ({Shape.Numel(input._shape[..^1])}x{input._shape[^1]} and {weight._shape[1]}x{weight._shape[0]}) " +
                                                    $"(linear: input of shape {Shape.Str(input._shape)}, weight of shape {Shape.Str(weight._shape)})");
                    if (bias is not null && weight.dim() == 2 && bias.Numel != weight._shape[0] && bias.Numel != 1)
                        throw new ArgumentException($"linear: expected bias of shape [{weight._shape[0]}] for weight of shape {Shape.Str(weight._shape)}, got {Shape.Str(bias._shape)}");
                    if (weight.dim() == 2 && (bias is null || bias.dim() == 1))
                    {
                        if (input.dim() == 2) return Tensor.LinearMm(input, weight, bias);
                        if (bias is not null && input.dim() == 3 && input.is_contiguous())
                        {
                            var s = input._shape;
                            var r = Tensor.LinearMm(input.view(s[0] * s[1], s[2]), weight, bias);
                            return r.view(s[0], s[1], r._shape[1]);
                        }
                        if (input.dim() >= 3)
                        {
                            // matmul's fold: batch dims into rows, one product, an unsafe view back, then the bias.
                            var flat = input.reshape(-1, input._shape[^1]);
                            var outShape = Shape.ToLong(input._shape[..^1]).Append(weight._shape[0]).ToArray();
                            var y = Tensor.LinearMm(flat, weight, null).UnsafeViewTo(outShape);
                            return bias is null ? y : y.add(bias);
                        }
                    }
                    var output = input.matmul(weight.t());
                    return bias is null ? output : output.add(bias);
                }

                /// <summary>
                /// y[..., o] = Σᵢⱼ x₁[..., i]·W[o, i, j]·x₂[..., j] + b[o]: one GEMM of x₁ against W laid out as
                /// [in1, out·in2], then a multiply-and-sum with x₂, all differentiable tensor ops.
                /// </summary>
                public static Tensor bilinear(Tensor input1, Tensor input2, Tensor weight, Tensor? bias = null)
                {
                    if (input1.dim() != input2.dim())
                        throw new ArgumentException($"bilinear(): input dimensions do not match: got {input1.dim()} and {input2.dim()} (shapes {Shape.Str(input1._shape)} and {Shape.Str(input2._shape)})");
                    if (input1.dim() == 0)
                        throw new ArgumentException("bilinear(): inputs must have at least 1 dimension, got 0-dim tensors");
                    for (int i = 0; i < input1.dim() - 1; i++)
                        if (input1._shape[i] != input2._shape[i])
                            throw new ArgumentException($"bilinear(): input batch dimensions do not match: got {Shape.Str(input1._shape)} and {Shape.Str(input2._shape)}");
                    if (weight.dim() != 3)
                        throw new ArgumentException($"bilinear(): weight must be 3-D [out_features, in1_features, in2_features], got shape {Shape.Str(weight._shape)}");
                    if (input1._shape[^1] != weight._shape[1])
                        throw new ArgumentException($"bilinear(): input1 size does not match weight size: got {input1._shape[^1]} but expected {weight._shape[1]}");
                    if (input2._shape[^1] != weight._shape[2])
                        throw new ArgumentException($"bilinear(): input2 size does not match weight size: got {input2._shape[^1]} but expected {weight._shape[2]}");
                    if (bias is not null && (bias.dim() != 1 || bias._shape[0] != weight._shape[0]))
                        throw new ArgumentException($"bilinear(): bias size does not match weight size: got {Shape.Str(bias._shape)} but expected [{weight._shape[0]}]");
                    long o = weight._shape[0], i1 = weight._shape[1], i2 = weight._shape[2];
                    var batch = input1.shape[..^1];
                    var x1 = input1.reshape(-1, i1);
                    var x2 = input2.reshape(-1, i2);
                    var w = weight.permute(1, 0, 2).reshape(i1, o * i2);
                    var t = x1.mm(w).view(-1, o, i2);
                    var y = t.mul(x2.unsqueeze(1)).sum(-1);
                    if (bias is not null) y = y.add(bias);
                    return y.reshape([.. batch, o]);
                }
            }

            public static Linear Linear(long in_features, long out_features, bool bias = true, ScalarType? dtype = null) => new(in_features, out_features, bias, dtype);

            public static Bilinear Bilinear(long in1_features, long in2_features, long out_features, bool bias = true, ScalarType? dtype = null) =>
                new(in1_features, in2_features, out_features, bias, dtype);

            /// <summary>Returns its input; the arguments are ignored, as PyTorch's <c>nn.Identity(*args, **kwargs)</c>.</summary>
            public static Identity Identity(params object[] args) => new();
        }
    }
}

namespace Torchlet.Modules
{
    using static Torchlet.torch;

    /// <summary>y = x·Wᵀ + b over the last dimension.</summary>
    public sealed class Linear : nn.Layer<Tensor, Tensor>
    {
        public long in_features { get; }
        public long out_features { get; }
        public Parameter weight { get; set; }
        public Parameter? bias { get; set; }

        public Linear(long in_features, long out_features, bool bias = true, ScalarType? dtype = null) : base(nameof(Linear))
        {
            if (in_features < 0 || out_features < 0)
                throw new ArgumentException($"Linear: in_features and out_features must be non-negative, got in_features={in_features}, out_features={out_features}");
            this.in_features = in_features;
            this.out_features = out_features;
            var dt = dtype ?? float32;
            weight = new Parameter(empty([out_features, in_features], dtype: dt));
            this.bias = bias ? new Parameter(empty([out_features], dtype: dt)) : null;
            reset_parameters();
        }

        /// <summary>PyTorch's initialisation: kaiming_uniform_(a = √5) for the weight, U(±1/√fan_in) for the bias.</summary>
        public void reset_parameters()
        {
            nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
            if (bias is not null)
            {
                var (fanIn, _) = nn.init._calculate_fan_in_and_fan_out(weight);
                double bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
                nn.init.uniform_(bias, -bound, bound);
            }
        }

        protected override Tensor Forward(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            if (input.dim() == 0 || input.shape[^1] != in_features)
                throw new ArgumentException($"{this}: expected the input's last dimension to be in_features={in_features}, got input of shape {Shape.Str(input._shape)}");
            if (input.dtype != weight.dtype)
                throw new ArgumentException($"{this}: expected input of dtype {weight.dtype.TorchName()} like the layer's weight, got {input.dtype.TorchName()} (convert the input with .to({weight.dtype.TorchName()}) or the layer with .to({input.dtype.TorchName()}))");
            return nn.functional.linear(input, weight, bias);
        }

        public override string extra_repr() => $"in_features={in_features}, out_features={out_features}, bias={Args.Py(bias is not null)}";
    }

    /// <summary>y = x₁ᵀ·A·x₂ + b: weight [out, in1, in2].</summary>
    public sealed class Bilinear : nn.Layer<Tensor, Tensor, Tensor>
    {
        public long in1_features { get; }
        public long in2_features { get; }
        public long out_features { get; }
        public Parameter weight { get; set; }
        public Parameter? bias { get; set; }

        public Bilinear(long in1_features, long in2_features, long out_features, bool bias = true, ScalarType? dtype = null) : base(nameof(Bilinear))
        {
            this.in1_features = in1_features;
            this.in2_features = in2_features;
            this.out_features = out_features;
            var dt = dtype ?? float32;
            weight = new Parameter(empty([out_features, in1_features, in2_features], dtype: dt));
            this.bias = bias ? new Parameter(empty([out_features], dtype: dt)) : null;
            reset_parameters();
        }

        /// <summary>PyTorch's initialisation: U(±1/√in1_features) for weight and bias.</summary>
        public void reset_parameters()
        {
            double bound = 1 / Math.Sqrt(weight.shape[1]);
            nn.init.uniform_(weight, -bound, bound);
            if (bias is not null) nn.init.uniform_(bias, -bound, bound);
        }

        protected override Tensor Forward(Tensor input1, Tensor input2)
        {
            ArgumentNullException.ThrowIfNull(input1);
            ArgumentNullException.ThrowIfNull(input2);
            if (input1.dim() == 0 || input1.shape[^1] != in1_features)
                throw new ArgumentException($"{this}: expected input1's last dimension to be in1_features={in1_features}, got input1 of shape {Shape.Str(input1._shape)}");
            if (input2.dim() == 0 || input2.shape[^1] != in2_features)
                throw new ArgumentException($"{this}: expected input2's last dimension to be in2_features={in2_features}, got input2 of shape {Shape.Str(input2._shape)}");
            if (input1.dim() != input2.dim() || !input1.shape[..^1].SequenceEqual(input2.shape[..^1]))
                throw new ArgumentException($"{this}: expected input1 and input2 to have the same batch dimensions, got shapes {Shape.Str(input1._shape)} and {Shape.Str(input2._shape)}");
            return nn.functional.bilinear(input1, input2, weight, bias);
        }

        public override string extra_repr() =>
            $"in1_features={in1_features}, in2_features={in2_features}, out_features={out_features}, bias={Args.Py(bias is not null)}";
    }

    /// <summary>A placeholder layer that returns its input unchanged.</summary>
    public sealed class Identity() : nn.Layer<Tensor, Tensor>(nameof(Identity))
    {
        protected override Tensor Forward(Tensor input) => input;
    }
}
