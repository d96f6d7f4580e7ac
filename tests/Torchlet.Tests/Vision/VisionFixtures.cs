using System.Text.Json;
using Torchlet;

namespace Torchlet.Tests.Vision;

/// <summary>Reads fixtures/vision.json (tests/fixtures/gen_vision.py, torchvision 0.14) and replays a case's make_grid call.</summary>
static class VisionFixtures
{
    public const string File = "vision";

    public static IEnumerable<object[]> GridCases() =>
        Fixtures.Load(File).Where(c => c.GetProperty("kind").GetString() == "grid").Select(c => new object[] { c.GetProperty("name").GetString()! });

    public static IEnumerable<object[]> PngCases() =>
        Fixtures.Load(File).Where(c => c.TryGetProperty("png_pixels", out _)).Select(c => new object[] { c.GetProperty("name").GetString()! });

    /// <summary>The case's input: one tensor, or the list of images torchvision got.</summary>
    public static (Tensor? tensor, List<Tensor>? list) Input(JsonElement c)
    {
        var input = c.GetProperty("input");
        if (c.GetProperty("list").GetBoolean()) return (null, input.EnumerateArray().Select(e => Fixtures.T(e)).ToList());
        if (input.TryGetProperty("ref", out var r)) return (Fixtures.T(Fixtures.Case(File, r.GetString()!).GetProperty("input")), null);
        return (Fixtures.T(input), null);
    }

    public record Args(long nrow, long padding, bool normalize, (double, double)? value_range, bool scale_each, double pad_value);

    public static Args KwArgs(JsonElement c)
    {
        var k = c.GetProperty("kwargs");
        long nrow = k.TryGetProperty("nrow", out var n) ? n.GetInt64() : 8;
        long padding = k.TryGetProperty("padding", out var p) ? p.GetInt64() : 2;
        bool normalize = k.TryGetProperty("normalize", out var z) && z.GetBoolean();
        (double, double)? range = k.TryGetProperty("value_range", out var r) ? (r[0].GetDouble(), r[1].GetDouble()) : null;
        bool scaleEach = k.TryGetProperty("scale_each", out var s) && s.GetBoolean();
        double padValue = k.TryGetProperty("pad_value", out var v) ? v.GetDouble() : 0;
        return new Args(nrow, padding, normalize, range, scaleEach, padValue);
    }
}

static class DecodeFixtures
{
    public static IEnumerable<object[]> Cases() =>
        Fixtures.Load(VisionFixtures.File).Where(c => c.GetProperty("kind").GetString() == "decode").Select(c => new object[] { c.GetProperty("name").GetString()! });
}
