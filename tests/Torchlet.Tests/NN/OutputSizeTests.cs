using Torchlet.Modules;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests.NN;

/// <summary>The shared output-size formulas agree with what the layers (checked against PyTorch elsewhere) produce.</summary>
public class OutputSizeTests
{
    public static IEnumerable<object[]> Grid()
    {
        foreach (var n in new long[] { 1, 5, 28 })
            foreach (var k in new long[] { 1, 2, 3, 5 })
                foreach (var s in new long[] { 1, 2, 3 })
                    foreach (var p in new long[] { 0, 1, 2 })
                        foreach (var d in new long[] { 1, 2 })
                            yield return [n, k, s, p, d];
    }

    [Theory]
    [MemberData(nameof(Grid))]
    public void Formulas_match_the_layers(long n, long k, long s, long p, long d)
    {
        var x = zeros(1, 1, n);
        long conv = OutputSize.Conv(n, k, s, p, d);
        if (conv >= 1) Assert.Equal(conv, nn.Conv1d(1, 1, k, stride: s, padding: p, dilation: d).forward(x).size(2));
        else Assert.Throws<ArgumentException>(() => nn.Conv1d(1, 1, k, stride: s, padding: p, dilation: d).forward(x));

        long convT = OutputSize.ConvTranspose(n, k, s, p, d, output_padding: s > 1 ? 1 : 0);
        if (convT >= 1) Assert.Equal(convT, nn.ConvTranspose1d(1, 1, k, stride: s, padding: p, dilation: d, output_padding: s > 1 ? 1 : 0).forward(x).size(2));

        if (2 * p <= k)   // pooling's own rule: padding at most half the kernel
            foreach (var ceil in new[] { false, true })
            {
                long pool = OutputSize.Pool(n, k, s, p, d, ceil);
                if (pool >= 1) Assert.Equal(pool, nn.MaxPool1d(k, stride: s, padding: p, dilation: d, ceil_mode: ceil).forward(x).size(2));
            }
    }

    [Fact]
    public void Notes_example_and_bad_arguments()
    {
        // §2.7: Conv2d(16, 33, (3, 5), stride (2, 1), padding (4, 2), dilation (3, 1)) on 50 × 100 gives 26 × 100.
        Assert.Equal(26, OutputSize.Conv(50, 3, 2, 4, 3));
        Assert.Equal(100, OutputSize.Conv(100, 5, 1, 2, 1));
        Assert.Equal(-2, OutputSize.Conv(2, 5));   // too small: ⌊(2 − 1·4 − 1)/1⌋ + 1
        Assert.Equal(-1, OutputSize.Conv(2, 5, stride: 2));   // floor, not truncation: ⌊−3/2⌋ + 1 = −2 + 1
        Assert.Contains("stride must be positive, got 0", Assert.Throws<ArgumentException>(() => OutputSize.Conv(5, 3, 0)).Message);
    }
}
