using System.Text.RegularExpressions;

namespace Torchlet.Interactive.Tests;

/// <summary><c>Images.Grid(images, captions)</c>: a batch of pictures with a caption under each (misclassified images with their labels).</summary>
public sealed class CaptionedImagesTests : IAsyncLifetime
{
    NotebookKernel _nb = null!;

    public async Task InitializeAsync() => _nb = await NotebookKernel.StartAsync();

    public Task DisposeAsync() { _nb.Dispose(); return Task.CompletedTask; }

    [Fact]
    public async Task Each_image_gets_its_caption_in_rows_of_nrow()
    {
        var cell = await _nb.SubmitAsync("""
            var images = torch.linspace(0, 1, 5 * 28 * 28).reshape(5, 1, 28, 28);
            Images.Grid(images, new[] { "true T-shirt → Shirt", "true Bag → Sandal", "c", "d", "e<f" }, nrow: 3)
            """);
        var html = cell.Returned();
        Assert.Equal(5, Regex.Matches(html, "<img ").Count);
        Assert.Contains("<figcaption", html);
        Assert.Contains("true T-shirt → Shirt", html);
        Assert.Contains("e&lt;f", html);                               // captions are text, not markup
        Assert.Contains("repeat(3, max-content)", html);
        Assert.Contains("width=\"56\"", html);                         // scale 2 by default
        Assert.Contains("5 images of [1, 28, 28]", html);
        Assert.DoesNotContain("black to white", html);                 // values already in [0, 1]
        var text = cell.Returned("text/plain");
        Assert.Equal("5 images of [1, 28, 28]: true T-shirt → Shirt · true Bag → Sandal · c · d · e<f", text);
    }

    [Fact]
    public async Task A_normalised_batch_is_scaled_from_its_range_and_says_so()
    {
        var html = (await _nb.SubmitAsync("""
            Images.Grid(torch.randn(2, 28, 28), new[] { "a", "b" }, scale: 1)
            """)).Returned();
        Assert.Equal(2, Regex.Matches(html, "<img ").Count);
        Assert.Contains("shown as black to white", html);
        Assert.Contains("width=\"28\"", html);
        Assert.Contains("2 images of [28, 28]", html);
    }

    [Fact]
    public async Task A_big_batch_shows_its_first_64()
    {
        var cell = await _nb.SubmitAsync("Images.Grid(torch.zeros(70, 3, 8, 8, dtype: uint8), Enumerable.Range(0, 70).Select(i => i.ToString()))");
        var html = cell.Returned();
        Assert.Equal(64, Regex.Matches(html, "<img ").Count);
        Assert.Contains("70 images of [3, 8, 8], the first 64 shown", html);
        Assert.EndsWith("· 63 · … (6 more)", cell.Returned("text/plain"));
    }

    [Fact]
    public async Task Without_captions_the_images_are_enlarged_and_nothing_is_written_under_them()
    {
        var cell = await _nb.SubmitAsync("Images.Grid(torch.rand(16, 1, 32, 32), nrow: 8, scale: 3)");
        var html = cell.Returned();
        Assert.Equal(16, Regex.Matches(html, "<img ").Count);
        Assert.DoesNotContain("<figcaption", html);
        Assert.Contains("width=\"96\"", html);
        Assert.Equal("16 images of [1, 32, 32]", cell.Returned("text/plain"));
        // Empty captions beside others are left out of the text too.
        var mixed = (await _nb.SubmitAsync("Images.Grid(torch.rand(3, 8, 8), new[] { \"step 0\", \"\", \"\" })")).Returned("text/plain");
        Assert.Equal("3 images of [8, 8]: step 0", mixed);
    }

    [Theory]
    [InlineData("Images.Grid(torch.zeros(3, 1, 8, 8), new[] { \"a\", \"b\" })", "3 images but 2 captions: give one caption per image")]
    [InlineData("Images.Grid(torch.zeros(3, 2, 8, 8), new[] { \"a\", \"b\", \"c\" })", "expected a batch of images N×C×H×W (C = 1 or 3) or N×H×W, got shape [3, 2, 8, 8]")]
    [InlineData("Images.Grid(torch.zeros(1, 8, 8), new[] { \"a\" }, nrow: 0)", "expected at least one image per row")]
    public async Task Misuse_says_what_was_expected(string code, string message)
    {
        var failure = await ExerciseHarness.Fails(_nb, code);
        Assert.Contains(message, failure);
    }
}
