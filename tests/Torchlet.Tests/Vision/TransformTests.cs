using System.Text.Json;
using Torchlet;
using Torchlet.Vision;
using Xunit;
using Xunit.Abstractions;
using static Torchlet.torchvision;

namespace Torchlet.Tests.Vision;

/// <summary>
/// torchvision.transforms against torchvision 0.14 (fixtures/vision_transforms.json from
/// tests/fixtures/gen_vision_transforms.py): every case's transform is built from the same spec on both sides, run on
/// the same input (after the same torch.manual_seed for random ones, over several draws) and compared: bit for bit
/// where torchvision is exact, within 1/255 (1 in uint8 units) where Resize resamples, and tighter per float dtype.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public class TransformTests(ITestOutputHelper output)
{
    const string File = "vision_transforms";

    static IEnumerable<JsonElement> OfKind(string kind) => Fixtures.Load(File).Where(c => c.GetProperty("kind").GetString() == kind);

    public static IEnumerable<object[]> ApplyCases() => OfKind("apply").Select(c => new object[] { c.GetProperty("name").GetString()! });
    public static IEnumerable<object[]> ErrorCases() => OfKind("error").Select(c => new object[] { c.GetProperty("name").GetString()! });

    // ---------------------------------------------------------------- fixture plumbing

    /// <summary>A fixture tensor, with int64 data read as integers (values beyond 2^53 do not survive a double).</summary>
    static Tensor Load(JsonElement e)
    {
        var dt = Fixtures.DType(e.GetProperty("dtype").GetString()!);
        if (dt != ScalarType.Int64) return Fixtures.T(e);
        var data = e.GetProperty("data").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        return torch.tensor(data, Fixtures.ShapeOf(e), dtype: ScalarType.Int64);
    }

    static Tensor Input(string name) => Load(Fixtures.Case(File, name).GetProperty("input"));

    /// <summary>Same dtype, shape and values, compared exactly (integers as integers, floats bit for bit, NaN = NaN).</summary>
    static void AssertExact(JsonElement expected, Tensor actual, string what)
    {
        var e = Load(expected);
        Assert.True(e.dtype == actual.dtype, $"{what}: dtype {actual.dtype}, torchvision gives {e.dtype}");
        Assert.True(e.shape.SequenceEqual(actual.shape), $"{what}: shape {ImageOpsDims(actual.shape)}, torchvision gives {ImageOpsDims(e.shape)}");
        if (e.dtype.IsFloating())
        {
            var (x, y) = (e.ToArray<double>(), actual.ToArray<double>());
            for (int i = 0; i < x.Length; i++)
                Assert.True(x[i].Equals(y[i]), $"{what}: element {i} is {y[i]:R}, torchvision gives {x[i]:R}");
        }
        else
        {
            var (x, y) = (e.ToArray<long>(), actual.ToArray<long>());
            for (int i = 0; i < x.Length; i++)
                Assert.True(x[i] == y[i], $"{what}: element {i} is {y[i]}, torchvision gives {x[i]}");
        }
    }

    static string ImageOpsDims(long[] s) => "[" + string.Join(", ", s) + "]";

    /// <summary>The largest |difference|; throws on a dtype or shape mismatch.</summary>
    static double MaxDeviation(JsonElement expected, Tensor actual, string what)
    {
        var e = Load(expected);
        Assert.True(e.dtype == actual.dtype, $"{what}: dtype {actual.dtype}, torchvision gives {e.dtype}");
        Assert.True(e.shape.SequenceEqual(actual.shape), $"{what}: shape {ImageOpsDims(actual.shape)}, torchvision gives {ImageOpsDims(e.shape)}");
        var (x, y) = (e.ToArray<double>(), actual.ToArray<double>());
        double max = 0;
        for (int i = 0; i < x.Length; i++) max = Math.Max(max, Math.Abs(x[i] - y[i]));
        return max;
    }

    static int[] Ints(JsonElement v) => v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(x => x.GetInt32()).ToArray() : [v.GetInt32()];
    static double[] Doubles(JsonElement v) => v.EnumerateArray().Select(x => x.GetDouble()).ToArray();

    /// <summary>A JSON number as the Python int or float it was written from.</summary>
    static Scalar Number(JsonElement v) => v.GetRawText().IndexOfAny(['.', 'e', 'E']) >= 0 ? (Scalar)v.GetDouble() : (Scalar)v.GetInt64();

    static InterpolationMode Mode(string s) => s switch
    {
        "nearest" => InterpolationMode.Nearest,
        "bilinear" => InterpolationMode.Bilinear,
        "bicubic" => InterpolationMode.Bicubic,
        _ => throw new ArgumentException(s),
    };

    static readonly Dictionary<string, Func<Tensor, Tensor>> Lambdas = new()
    {
        ["mul2"] = x => x * 2,
        ["add1"] = x => x + 1,
    };

    /// <summary>The Torchlet transform of a fixture spec, through the public factories.</summary>
    static ITransform Build(JsonElement spec)
    {
        string type = spec.GetProperty("type").GetString()!;
        if (type == "Compose") return transforms.Compose(spec.GetProperty("transforms").EnumerateArray().Select(Build).ToList());
        var a = spec.GetProperty("args");
        JsonElement? Arg(string k) => a.TryGetProperty(k, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;
        var f = transforms.functional.crop;
        switch (type)
        {
            case "ToTensor": return transforms.ToTensor();
            case "Normalize": return transforms.Normalize(Doubles(a.GetProperty("mean")), Doubles(a.GetProperty("std")), Arg("inplace")?.GetBoolean() ?? false);
            case "Lambda": return transforms.Lambda(Lambdas[a.GetProperty("lambd").GetString()!]);
            case "ConvertImageDtype": return transforms.ConvertImageDtype(Fixtures.DType(a.GetProperty("dtype").GetString()!));
            case "Grayscale": return transforms.Grayscale(Arg("num_output_channels")?.GetInt32() ?? 1);
            case "RandomHorizontalFlip": return transforms.RandomHorizontalFlip(Arg("p")?.GetDouble() ?? 0.5);
            case "RandomVerticalFlip": return transforms.RandomVerticalFlip(Arg("p")?.GetDouble() ?? 0.5);
            case "Resize":
            {
                var size = a.GetProperty("size");
                var mode = Arg("interpolation") is { } m ? Mode(m.GetString()!) : InterpolationMode.Bilinear;
                int? maxSize = Arg("max_size")?.GetInt32();
                bool? aa = Arg("antialias")?.GetBoolean();
                return size.ValueKind == JsonValueKind.Array
                    ? transforms.Resize(Ints(size), mode, maxSize, aa)
                    : transforms.Resize(size.GetInt32(), mode, maxSize, aa);
            }
            case "CenterCrop":
            {
                var size = a.GetProperty("size");
                return size.ValueKind == JsonValueKind.Array ? transforms.CenterCrop(Ints(size)) : transforms.CenterCrop(size.GetInt32());
            }
            case "Pad":
            {
                var p = a.GetProperty("padding");
                Scalar? fill = Arg("fill") is { } v ? Number(v) : null;
                string mode = Arg("padding_mode")?.GetString() ?? "constant";
                return p.ValueKind == JsonValueKind.Array ? transforms.Pad(Ints(p), fill, mode) : transforms.Pad(p.GetInt32(), fill, mode);
            }
            case "RandomCrop":
            {
                var size = a.GetProperty("size");
                var p = Arg("padding");
                bool ifNeeded = Arg("pad_if_needed")?.GetBoolean() ?? false;
                Scalar? fill = Arg("fill") is { } v ? Number(v) : null;
                string mode = Arg("padding_mode")?.GetString() ?? "constant";
                bool sizeList = size.ValueKind == JsonValueKind.Array;
                if (p is { ValueKind: JsonValueKind.Number } pi)
                    return sizeList ? transforms.RandomCrop(Ints(size), pi.GetInt32(), ifNeeded, fill, mode)
                                    : transforms.RandomCrop(size.GetInt32(), pi.GetInt32(), ifNeeded, fill, mode);
                int[]? pl = p is { } pa ? Ints(pa) : null;
                return sizeList ? transforms.RandomCrop(Ints(size), pl, ifNeeded, fill, mode)
                                : transforms.RandomCrop(size.GetInt32(), pl, ifNeeded, fill, mode);
            }
            case "F.crop":
            {
                long top = a.GetProperty("top").GetInt64(), left = a.GetProperty("left").GetInt64();
                long height = a.GetProperty("height").GetInt64(), width = a.GetProperty("width").GetInt64();
                return transforms.Lambda(x => f(x, top, left, height, width));
            }
            default: throw new ArgumentException($"unknown transform spec {type}");
        }
    }

    /// <summary>Tolerances of resampled floats: torchvision's own float sums, in another order (matmul), per dtype.</summary>
    static double ResampleTolerance(ScalarType t) => t switch
    {
        ScalarType.Byte => 1,          // a float sum a few ulps off can round the other way
        ScalarType.Float32 => 5e-6,   // plain bilinear/bicubic (F.interpolate's kernel) differ by a few ulps
        _ => 1e-12,
    };

    // ---------------------------------------------------------------- the fixture cases

    [Theory]
    [MemberData(nameof(ApplyCases))]
    public void MatchesTorchvision(string name)
    {
        var c = Fixtures.Case(File, name);
        var tf = Build(c.GetProperty("spec"));
        if (c.GetProperty("repr").GetString() is { } repr) Assert.Equal(repr, tf.ToString());
        var x = Input(c.GetProperty("input").GetString()!);
        var before = x.clone();
        if (c.GetProperty("seed").ValueKind == JsonValueKind.Number) torch.manual_seed(c.GetProperty("seed").GetInt64());
        var outputs = c.GetProperty("outputs").EnumerateArray().ToArray();
        Assert.Equal(c.GetProperty("draws").GetInt32(), outputs.Length);
        bool resample = c.GetProperty("tol").GetString() == "resample";
        for (int k = 0; k < outputs.Length; k++)
        {
            var y = tf.forward(x);
            if (k == 0 && c.GetProperty("same").GetBoolean()) Assert.Same(x, y);
            if (resample)
            {
                double tol = ResampleTolerance(y.dtype), dev = MaxDeviation(outputs[k], y, name);
                Assert.True(dev <= tol, $"{name}: draw {k} deviates from torchvision by {dev:R} (tolerance {tol:R})");
            }
            else AssertExact(outputs[k], y, $"{name}, draw {k}");
        }
        // The transform drew exactly as many random numbers as torchvision's: the next one agrees.
        if (c.TryGetProperty("after", out var after)) AssertExact(after, torch.rand(1), $"{name}: torch.rand(1) after the draws");
        AssertExact(Fixtures.Case(File, c.GetProperty("input").GetString()!).GetProperty("input"), before, $"{name}: fixture input");
        Assert.True(before.ToArray<double>().SequenceEqual(x.ToArray<double>()), $"{name}: the transform changed its input");
    }

    /// <summary>What Torchlet's message says for each of torchvision's error cases: the transform, what was expected and what was given.</summary>
    static readonly Dictionary<string, string[]> ExpectedMessages = new()
    {
        ["to_tensor_4d"] = ["ToTensor: expected an image of shape H×W or C×H×W", "got a 4-D tensor of shape [2, 3, 4, 5]"],
        ["normalize_uint8"] = ["Normalize: expected a floating point tensor, got uint8 (apply ToTensor or ConvertImageDtype first)"],
        ["normalize_std_zero"] = ["Normalize: std evaluated to zero after conversion to float32 (std = [1.0, 0.0, 1.0])"],
        ["normalize_std_zero_in_float32"] = ["Normalize: std evaluated to zero after conversion to float32 (std = [1e-50])"],
        ["normalize_channels"] = ["Normalize: mean has 2 values but the image has 3 channels (shape [3, 5, 7]); expected 1 or 3 values"],
        ["normalize_2d"] = ["Normalize: expected a tensor image of shape (…, C, H, W), got shape [5, 6]"],
        ["resize_nearest_antialias"] = ["Resize: antialias is supported for Bilinear and Bicubic interpolation only, got Nearest"],
        ["resize_three_sizes"] = ["Resize: size must be an int or a sequence of 1 or 2 values (height, width), got 3 values [5, 4, 3]"],
        ["resize_max_size_with_two_sizes"] = ["Resize: max_size should only be passed if size specifies the length of the smaller edge", "got size [5, 4]"],
        ["resize_max_size_too_small"] = ["Resize: max_size = 8 must be strictly greater than the requested size for the smaller edge size = 8"],
        ["resize_2d"] = ["Resize: expected a C×H×W image or an N×C×H×W batch, got a 2-D tensor of shape [5, 6]"],
        ["resize_5d"] = ["Resize: expected a C×H×W image or an N×C×H×W batch, got a 5-D tensor of shape [2, 2, 3, 4, 5]"],
        ["center_crop_three_sizes"] = ["CenterCrop: size must be an int or a sequence of 1 or 2 values (height, width), got 3 values [1, 2, 3]"],
        ["random_crop_too_large"] = ["RandomCrop: required crop size (8, 8) is larger than the input image size (5, 7)", "pad_if_needed"],
        ["random_crop_bad_mode"] = ["RandomCrop: padding_mode should be either constant, edge, reflect or symmetric, got 'wrap'"],
        ["pad_bad_mode"] = ["Pad: padding_mode should be either constant, edge, reflect or symmetric, got 'wrap'"],
        ["pad_three_values"] = ["Pad: padding must be an int or a 1, 2, or 4 element sequence", "got 3 values [1, 2, 3]"],
        ["pad_reflect_too_large"] = ["Pad: reflect padding must be smaller than the image on each side, got padding (left 5, right 5, top 5, bottom 5) for an image of height 5 and width 7"],
        ["pad_symmetric_too_large"] = ["Pad: symmetric padding can repeat the image at most once on each side, got padding (left 8, right 8, top 0, bottom 0) for an image of height 5 and width 7"],
        ["pad_symmetric_5d"] = ["Pad: symmetric padding takes C×H×W or N×C×H×W images, got a 5-D tensor of shape [2, 2, 3, 4, 5]"],
        ["pad_symmetric_2d"] = ["Pad: symmetric padding takes C×H×W or N×C×H×W images, got a 2-D tensor of shape [5, 6]"],
        ["pad_edge_5d"] = ["Pad: edge padding takes H×W, C×H×W or N×C×H×W images, got a 5-D tensor of shape [2, 2, 3, 4, 5]"],
        ["grayscale_4_channels"] = ["Grayscale: expected an image with 1 or 3 channels (…×C×H×W), got 4 channels in shape [4, 2, 3]"],
        ["grayscale_2d"] = ["Grayscale: expected an image with at least 3 dimensions (…×C×H×W), got a 2-D tensor of shape [5, 6]"],
        ["grayscale_2_outputs"] = ["Grayscale: num_output_channels should be either 1 or 3, got 2"],
    };

    static string[] Expected(string name, JsonElement c)
    {
        if (ExpectedMessages.TryGetValue(name, out var m)) return m;
        if (c.GetProperty("spec").GetProperty("type").GetString() == "ConvertImageDtype")
        {
            var src = Input(c.GetProperty("input").GetString()!).dtype.TorchName().Replace("torch.", "");
            var dst = c.GetProperty("spec").GetProperty("args").GetProperty("dtype").GetString();
            return [$"ConvertImageDtype: the cast from {src} to {dst} cannot be performed safely"];
        }
        throw new KeyNotFoundException($"{name}: no expected Torchlet message for this torchvision error ({c.GetProperty("message").GetString()})");
    }

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void RaisesWhereTorchvisionRaises(string name)
    {
        var c = Fixtures.Case(File, name);
        var expected = Expected(name, c);
        var input = c.GetProperty("input").GetString() is { } inp ? Input(inp) : null;
        var ex = Assert.ThrowsAny<ArgumentException>(() =>
        {
            var tf = Build(c.GetProperty("spec"));
            if (input is not null) tf.forward(input);
        });
        foreach (var s in expected) Assert.Contains(s, ex.Message);
    }

    [Fact]
    public void FixtureCoversEveryTransform()
    {
        var types = OfKind("apply").Select(c => c.GetProperty("spec").GetProperty("type").GetString()).ToHashSet();
        foreach (var t in new[] { "ToTensor", "Normalize", "Compose", "Resize", "CenterCrop", "RandomCrop", "RandomHorizontalFlip",
                                  "RandomVerticalFlip", "Pad", "Grayscale", "ConvertImageDtype", "F.crop" })
            Assert.Contains(t, types);
        Assert.True(OfKind("apply").Count() >= 200, "expected at least 200 apply cases");
        Assert.True(OfKind("error").Count() >= 25, "expected at least 25 error cases");
        Assert.True(OfKind("apply").Count(c => c.GetProperty("tol").GetString() == "resample") >= 60, "expected at least 60 Resize cases");
    }

    /// <summary>Largest deviation from torchvision per Resize interpolation, antialias and dtype (shown in the test log).</summary>
    [Fact]
    public void ResizeDeviationPerMode()
    {
        var worst = new SortedDictionary<string, double>();
        int n = 0;
        foreach (var c in OfKind("apply").Where(c => c.GetProperty("tol").GetString() == "resample"))
        {
            var a = c.GetProperty("spec").GetProperty("args");
            string mode = a.TryGetProperty("interpolation", out var m) ? m.GetString()! : "bilinear";
            bool aa = a.TryGetProperty("antialias", out var v) && v.ValueKind == JsonValueKind.True;
            var y = Build(c.GetProperty("spec")).forward(Input(c.GetProperty("input").GetString()!));
            string key = $"{mode}{(aa ? " antialias" : "")} {y.dtype.TorchName().Replace("torch.", "")}";
            double dev = MaxDeviation(c.GetProperty("outputs")[0], y, c.GetProperty("name").GetString()!);
            worst[key] = Math.Max(worst.GetValueOrDefault(key), dev);
            n++;
        }
        Assert.True(n > 0, "no Resize cases ran");
        foreach (var (k, d) in worst) output.WriteLine($"Resize {k}: max deviation {d:R}");
        foreach (var (k, d) in worst)
            Assert.True(d <= (k.EndsWith("uint8") ? 1 : 1.0 / 255), $"Resize {k}: max deviation {d:R}");
    }

    // ---------------------------------------------------------------- behaviour beyond the fixtures

    [Fact]
    public void NotesPipelineReprAndValues()
    {
        var tf = transforms.Compose(transforms.ToTensor(), transforms.Normalize([0.2860], [0.3530]));
        Assert.Equal("Compose(\n    ToTensor()\n    Normalize(mean=[0.286], std=[0.353])\n)", tf.ToString());
        var img = torch.tensor(new byte[] { 0, 255, 72, 128 }, [1, 2, 2], dtype: ScalarType.Byte);
        var y = tf.forward(img);
        Assert.Equal(ScalarType.Float32, y.dtype);
        Assert.Equal(new long[] { 1, 2, 2 }, y.shape);
        Assert.Equal((float)((1.0f - 0.286f) / 0.353f), y[0, 0, 1].item<float>(), 6);
    }

    [Fact]
    public void FloatImagesPassThroughToTensorUnchanged()
    {
        var x = torch.rand(3, 4, 5);
        Assert.Same(x, transforms.ToTensor().forward(x));
        var hw = torch.rand(4, 5);
        Assert.Equal(new long[] { 1, 4, 5 }, transforms.ToTensor().forward(hw).shape);
    }

    [Fact]
    public void NormalizeInplaceChangesItsInputAndDefaultDoesNot()
    {
        var x = torch.ones(3, 2, 2);
        var y = transforms.Normalize([0.5, 0.25, 0.0], [0.5, 0.5, 2.0]).forward(x);
        Assert.Equal(1.0f, x[0, 0, 0].item<float>());
        Assert.Equal(new[] { 1.0f, 1.5f, 0.5f }, new[] { y[0, 0, 0].item<float>(), y[1, 1, 1].item<float>(), y[2, 0, 1].item<float>() });
        var z = transforms.Normalize([0.5, 0.25, 0.0], [0.5, 0.5, 2.0], inplace: true).forward(x);
        Assert.Same(x, z);
        Assert.Equal(1.5f, x[1, 0, 0].item<float>());
    }

    [Fact]
    public void RandomCropGetParamsFollowsTheSeed()
    {
        var img = torch.zeros(3, 10, 12);
        torch.manual_seed(3);
        var (i, j, h, w) = RandomCrop.get_params(img, (4, 5));
        torch.manual_seed(3);
        long ei = torch.randint(0, 7, [1]).item<long>(), ej = torch.randint(0, 8, [1]).item<long>();
        Assert.Equal((ei, ej, 4L, 5L), (i, j, h, w));
    }

    [Fact]
    public void TransformsComposeFromAList()
    {
        var list = new List<ITransform> { transforms.CenterCrop(2), transforms.Grayscale(3) };
        var tf = transforms.Compose(list);
        list.Clear();
        Assert.Equal(2, tf.transforms.Count);
        Assert.Equal("Compose(\n    CenterCrop(size=(2, 2))\n    Grayscale(num_output_channels=3)\n)", tf.ToString());
        Assert.Equal(new long[] { 3, 2, 2 }, tf.forward(torch.rand(3, 5, 5)).shape);
        Assert.Throws<ArgumentNullException>(() => transforms.Compose(transforms.ToTensor(), null!));
    }

    [Fact]
    public void FunctionalMatchesTheTransforms()
    {
        var x = torch.rand(3, 9, 7);
        Assert.Equal(transforms.Resize([4, 5], antialias: true).forward(x).ToArray<float>(),
                     transforms.functional.resize(x, [4, 5], antialias: true).ToArray<float>());
        Assert.Equal(transforms.Pad([1, 2], padding_mode: "symmetric").forward(x).ToArray<float>(),
                     transforms.functional.pad(x, [1, 2], padding_mode: "symmetric").ToArray<float>());
        Assert.Equal(new long[] { 3, 9, 7 }, transforms.functional.get_dimensions(x));
        Assert.Equal(x.flip(-1).ToArray<float>(), transforms.functional.hflip(x).ToArray<float>());
        var e = Assert.Throws<ArgumentException>(() => transforms.functional.normalize(x.to(ScalarType.Byte), [0.5], [0.5]));
        Assert.StartsWith("normalize: expected a floating point tensor, got uint8", e.Message);
    }

    [Fact]
    public void ResizeRejectsUnsupportedInterpolation()
    {
        var e = Assert.Throws<ArgumentException>(() => transforms.Resize(4, InterpolationMode.Trilinear));
        Assert.Contains("Resize: interpolation Trilinear is not supported for tensor images; expected Nearest, Bilinear or Bicubic", e.Message);
        Assert.Throws<ArgumentException>(() => transforms.Resize(0));
        Assert.Throws<ArgumentException>(() => transforms.CenterCrop([3, -1]));
    }

    // ---------------------------------------------------------------- gradients of Resize (built from matmul and interpolate)

    public static IEnumerable<object[]> GradCases() =>
    [
        [InterpolationMode.Bilinear, true, 3, 4],
        [InterpolationMode.Bilinear, true, 7, 8],
        [InterpolationMode.Bicubic, true, 3, 2],
        [InterpolationMode.Bicubic, true, 6, 9],
        [InterpolationMode.Bilinear, false, 3, 7],
        [InterpolationMode.Bicubic, false, 7, 3],
        [InterpolationMode.Nearest, false, 3, 8],
    ];

    [Theory]
    [MemberData(nameof(GradCases))]
    public void ResizeGradCheck(InterpolationMode mode, bool antialias, int oh, int ow)
    {
        var x = GradCheck.Input([2, 5, 6], seed: oh * 10 + ow);
        var tf = transforms.Resize([oh, ow], mode, antialias: antialias);
        GradCheck.Check(t => tf.forward(t[0]), [x], what: $"Resize {mode} antialias={antialias} to {oh}×{ow}");
    }

    [Fact]
    public void AntialiasWeightsAreNormalisedRows()
    {
        foreach (var (i, o) in new[] { (13, 5), (5, 13), (24, 7), (7, 7) })
            foreach (var cubic in new[] { false, true })
            {
                var w = Resample.Weights(i, o, cubic, ScalarType.Float64);
                Assert.Equal(new long[] { o, i }, w.shape);
                foreach (var s in w.sum(1).ToArray<double>()) Assert.Equal(1.0, s, 12);
            }
    }

    [Fact]
    public void Resize_refuses_an_output_size_beyond_an_array()
    {
        // Found by the fuzz test: a short side of 2^31 - 1 scales the long side past int; the antialiased path cast it.
        var img = torch.zeros(3, 4, 8);
        var e = Assert.Throws<ArgumentException>(() => transforms.functional.resize(img, int.MaxValue, antialias: true));
        Assert.Contains("is larger than the 2147483591 elements a .NET array can hold", e.Message);
    }
}
