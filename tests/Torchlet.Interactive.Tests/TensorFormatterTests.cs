using System.Text.RegularExpressions;

namespace Torchlet.Interactive.Tests;

public sealed class TensorFormatterTests : IAsyncLifetime
{
    NotebookKernel _nb = null!;

    public async Task InitializeAsync() => _nb = await NotebookKernel.StartAsync();
    public Task DisposeAsync() { _nb.Dispose(); return Task.CompletedTask; }

    static int Count(string html, string pattern) => Regex.Matches(html, pattern).Count;

    [Fact]
    public async Task Matrix_shows_header_and_every_value_in_a_table()
    {
        var html = (await _nb.SubmitAsync("torch.arange(6.0).reshape(2, 3)")).Returned();
        Assert.Contains("Tensor [2, 3]", html);
        Assert.Contains("torch.float32", html);
        Assert.Contains("min 0 · max 5 · mean 2.5", html);
        Assert.Contains("<table>", html);
        foreach (var v in new[] { "0.", "1.", "2.", "3.", "4.", "5." })
            Assert.Contains($"<td>{v}</td>", html);
        Assert.Equal(6, Count(html, "<td>"));
    }

    [Fact]
    public async Task Plain_text_is_PyTorch_str()
    {
        var text = (await _nb.SubmitAsync("torch.arange(6.0).reshape(2, 3)")).Returned("text/plain");
        Assert.Equal("tensor([[0., 1., 2.],\n        [3., 4., 5.]])", text);
    }

    [Fact]
    public async Task Fractions_print_with_four_decimals_and_grad_fn_shows()
    {
        var html = (await _nb.SubmitAsync(
            "var a = torch.tensor(new double[] { 0.5, -1.25, 2.0 }, dtype: torch.float64, requires_grad: true); a * 2")).Returned();
        Assert.Contains("Tensor [3]", html);
        Assert.Contains("torch.float64", html);
        Assert.Contains("grad_fn=&lt;MulBackward0&gt;", html);
        Assert.Contains("<td>1.0000</td>", html);
        Assert.Contains("<td>-2.5000</td>", html);
        Assert.Contains("<td>4.0000</td>", html);
    }

    [Fact]
    public async Task Leaf_requiring_grad_and_integer_tensor()
    {
        var leaf = (await _nb.SubmitAsync("torch.ones(2, requires_grad: true)")).Returned();
        Assert.Contains("requires_grad=True", leaf);
        var ints = (await _nb.SubmitAsync("torch.arange(5L)")).Returned();
        Assert.Contains("torch.int64", ints);
        Assert.Contains("min 0 · max 4", ints);
        Assert.DoesNotContain("mean", ints);
        Assert.Contains("<td>4</td>", ints);
    }

    [Fact]
    public async Task Huge_tensor_renders_a_bounded_number_of_cells()
    {
        var html = (await _nb.SubmitAsync("torch.arange(1_000_000.0).reshape(1000, 1000)")).Returned();
        Assert.Contains("Tensor [1000, 1000]", html);
        // 20 shown rows × (20 values + 1 "…") + the "…" row of 21 cells.
        Assert.Equal(21 * 21, Count(html, "<td[ >]"));
        Assert.Contains("<th>999</th>", html);
        // PyTorch's formatter picks scientific notation for this range, as print() does.
        Assert.Contains("<td>0.0000e+00</td>", html);
        Assert.Contains("<td>9.9900e+05</td>", html);   // row 999, column 0
        Assert.Contains("<td>1.0000e+06</td>", html);   // 999999, bottom-right
        Assert.DoesNotContain("<th>500</th>", html);
        Assert.True(html.Length < 40_000, $"HTML of {html.Length} chars");
    }

    [Fact]
    public async Task Heatmap_colours_cells_diverging_around_zero()
    {
        var html = (await _nb.SubmitAsync("torch.tensor(new float[,] { { -1, 0 }, { 0.5f, 1 } }).AsHeatmap()")).Returned();
        Assert.Contains("background-color:rgb(33,102,172)", html);   // the minimum, full blue
        Assert.Contains("background-color:rgb(178,24,43)", html);    // the maximum, full red
        Assert.Contains("background-color:rgb(255,255,255)", html);  // zero, white
        Assert.Equal(4, Count(html, "background-color"));
    }

    [Fact]
    public async Task Higher_dimensional_tensor_shows_PyTorch_text()
    {
        var html = (await _nb.SubmitAsync("torch.zeros(2, 2, 2, dtype: torch.int32)")).Returned();
        Assert.Contains("Tensor [2, 2, 2]", html);
        Assert.Contains("<pre>tensor([[[0, 0],", html);
        Assert.Contains("dtype=torch.int32)</pre>", html);
    }

    [Fact]
    public void Wide_range_switches_to_scientific_notation_as_PyTorch_does()
    {
        Assert.Equal(["1.0000e-05", "1.0000e+00"], TensorHtml.FloatCells([1e-5, 1]));
        Assert.Equal(["0.1235", "-2.0000"], TensorHtml.FloatCells([0.12345, -2]));
        Assert.Equal(["nan", "inf", "1."], TensorHtml.FloatCells([double.NaN, double.PositiveInfinity, 1]));
    }

    [Fact]
    public void Summarised_dims_keep_ten_per_edge()
    {
        Assert.Equal(Enumerable.Range(0, 20), TensorHtml.ShownIndices(20));
        var idx = TensorHtml.ShownIndices(21);
        Assert.Equal(21, idx.Length);
        Assert.Equal(-1, idx[10]);
        Assert.Equal(20, idx[^1]);
    }

    [Fact]
    public async Task Bool_uint8_and_parameter_tensors()
    {
        var b = (await _nb.SubmitAsync("torch.tensor(new bool[] { true, false })")).Returned();
        Assert.Contains("torch.bool", b);
        Assert.Contains("<td>True</td><td>False</td>", b);
        Assert.DoesNotContain("min", b);
        var u = (await _nb.SubmitAsync("torch.tensor(new byte[] { 0, 7, 255 })")).Returned();
        Assert.Contains("torch.uint8", u);
        Assert.Contains("min 0 · max 255", u);
        Assert.Contains("<td>255</td>", u);
        var p = (await _nb.SubmitAsync("nn.Linear(3, 2).weight")).Returned();
        Assert.Contains("Parameter [2, 3]", p);
        Assert.Contains("requires_grad=True", p);
    }

    static byte[] InlinePng(string html)
    {
        var m = Regex.Match(html, "<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");
        Assert.True(m.Success, "no inline PNG in " + html[..Math.Min(html.Length, 300)]);
        return Convert.FromBase64String(m.Groups[1].Value);
    }

    [Fact]
    public async Task Image_shaped_tensors_show_as_inline_PNGs_that_decode_to_their_pixels()
    {
        // A 28×28 "digit" in [0, 1]: too big for a whole table, so the automatic view is a picture.
        var digit = (await _nb.SubmitAsync("torch.full(new long[] { 28, 28 }, 0.5)")).Returned();
        // The PNG at its true size, shown 4× by CSS with crisp (pixelated) pixels.
        Assert.Contains("width=\"28\" height=\"28\" style=\"width:112px;height:112px;max-width:none;image-rendering:pixelated\"", digit);
        Assert.DoesNotContain("<table>", digit);
        Assert.DoesNotContain("</img>", digit);
        var gray = torchvision.io.decode_image(InlinePng(digit));
        Assert.Equal([1L, 28, 28], gray.shape);
        Assert.All(gray.ToArray<byte>(), v => Assert.Equal(128, v));   // 0.5 · 255 + 0.5, truncated, as save_image

        var rgb = (await _nb.SubmitAsync("""
            var im = torch.zeros(new long[] { 3, 8, 10 }, dtype: torch.uint8);
            im[0].fill_(255); im[2].fill_(7);
            im
            """)).Returned();
        var decoded = torchvision.io.decode_image(InlinePng(rgb));
        Assert.Equal([3L, 8, 10], decoded.shape);
        Assert.Equal(new byte[] { 255, 0, 7 }, decoded[.., 3, 4].ToArray<byte>());
    }

    [Fact]
    public async Task Image_batches_show_as_a_make_grid_picture_of_at_most_64_images()
    {
        // 10 gray 28×28 images, image i filled with i/10: an 8-per-row grid of 2 rows, as torchvision lays it out.
        var html = (await _nb.SubmitAsync("""
            var batch = torch.zeros(10, 1, 28, 28);
            for (int i = 0; i < 10; i++) batch[i].fill_(i / 10.0);
            batch
            """)).Returned();
        Assert.Contains("Tensor [10, 1, 28, 28]", html);
        Assert.Contains("10 images · torchvision.utils.make_grid(nrow=8, padding=2)", html);
        var grid = torchvision.io.decode_image(InlinePng(html));
        Assert.Equal([3L, 2 + 2 * 30, 2 + 8 * 30], grid.shape);
        Assert.Equal(128, grid[0, 2 + 5, 2 + 5 * 30 + 5].item<byte>());   // image 5 (row 0, col 5) holds 0.5 → 128
        Assert.Equal(0, grid[0, 0, 0].item<byte>());                       // padding
        Assert.Equal(0, grid[0, 2 + 30 + 5, 2 + 5 * 30 + 5].item<byte>()); // row 1 has images 8 and 9 only: col 5 is empty

        var many = (await _nb.SubmitAsync("torch.rand(70, 3, 8, 8)")).Returned();
        Assert.Contains("70 images, the first 64 shown", many);
        Assert.Equal([3L, 2 + 8 * 10, 2 + 8 * 10], torchvision.io.decode_image(InlinePng(many)).shape);
    }

    [Fact]
    public async Task Small_probability_matrices_stay_tables_and_AsImage_forces_a_picture()
    {
        var small = (await _nb.SubmitAsync("torch.full(new long[] { 5, 5 }, 0.25)")).Returned();
        Assert.Contains("<table>", small);
        Assert.Contains("<td>0.2500</td>", small);
        var forced = (await _nb.SubmitAsync("torch.full(new long[] { 5, 5 }, 0.25).AsImage()")).Returned();
        Assert.Equal([1L, 5, 5], torchvision.io.decode_image(InlinePng(forced)).shape);
        var notImage = (await _nb.SubmitAsync("torch.full(new long[] { 2, 5, 5 }, 0.5).AsImage()")).Returned();
        Assert.Contains("not image-shaped", notImage);
        Assert.Contains("got shape [2, 5, 5]", notImage);
        var outOfRange = (await _nb.SubmitAsync("torch.full(new long[] { 28, 28 }, 1.5)")).Returned();
        Assert.Contains("<table>", outOfRange);
    }

    [Fact]
    public void Image_shaped_tensor_renders_an_inline_png_through_the_encoder_seam()
    {
        Tensor? seen = null;
        byte[] Encode(Tensor t) { seen = t; return [137, 80, 78, 71]; }
        var html = TensorHtml.Render(new TensorView(torch.full([3, 28, 14], 0.25)), Encode).ToString();
        Assert.Equal([3L, 28, 14], seen!.shape);
        Assert.Contains("<img src=\"data:image/png;base64,iVBORw==\" width=\"14\" height=\"28\" style=\"width:56px;height:112px;", html);   // ×4
        Assert.DoesNotContain("<table>", html);

        // Values outside [0, 1] are not an image: the table is kept.
        var table = TensorHtml.Render(new TensorView(torch.full([28, 28], 2.0)), Encode).ToString();
        Assert.Contains("<table>", table);
        Assert.True(ImageRendering.IsImageLike(torch.zeros([1, 4, 4], torch.uint8), TensorHtml.ComputeStats(torch.zeros([1, 4, 4], torch.uint8))));
        Assert.False(ImageRendering.IsImageLike(torch.zeros(2, 4, 4), TensorHtml.ComputeStats(torch.zeros(2, 4, 4))));
    }

    [Fact]
    public void One_signed_values_use_a_sequential_palette_with_readable_text()
    {
        var s = new TensorHtml.Stats(0, 10, 5);
        Assert.Equal("background-color:rgb(247,251,255);color:#000", TensorHtml.Heat(0, s));
        Assert.Equal("background-color:rgb(8,48,107);color:#fff", TensorHtml.Heat(10, s));
        Assert.Null(TensorHtml.Heat(double.NaN, s));
    }

    [Fact]
    public async Task Summarised_view_of_a_transposed_tensor_picks_the_right_elements()
    {
        // x[i, j] = 1000 + 40·j + i for the transposed [40, 50] view.
        var html = (await _nb.SubmitAsync("(torch.arange(2000.0) + 1000).reshape(50, 40).t()")).Returned();
        Assert.Contains("Tensor [40, 50]", html);
        var firstRow = Regex.Match(html, "<tr><th>0</th>(.*?)</tr>").Groups[1].Value;
        var lastRow = Regex.Match(html, "<tr><th>39</th>(.*?)</tr>").Groups[1].Value;
        Assert.StartsWith("<td>1000.</td><td>1040.</td>", firstRow);
        Assert.EndsWith("<td>…</td>" + string.Concat(Enumerable.Range(40, 10).Select(j => $"<td>{1000 + 40 * j}.</td>")), firstRow);
        Assert.StartsWith("<td>1039.</td>", lastRow);
        Assert.EndsWith("<td>2999.</td>", lastRow);
        Assert.Contains("<th>…</th>", html);
        Assert.Equal(21 * 21, Count(html, "<td[ >]"));
    }
}
