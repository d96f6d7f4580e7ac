namespace Torchlet.Interactive.Tests;

/// <summary>
/// <c>x.dtype</c> and <c>x.size()</c> as a cell's value: PyTorch's <c>torch.float32</c> and <c>torch.Size([2, 3])</c>,
/// not the C# enum name or a list of dims; and the comparison operators and <c>null</c> indices compile in a notebook
/// as they do in a project.
/// </summary>
public sealed class DTypeAndSizeFormatterTests : IAsyncLifetime
{
    NotebookKernel _nb = null!;

    public async Task InitializeAsync() => _nb = await NotebookKernel.StartAsync();
    public Task DisposeAsync() { _nb.Dispose(); return Task.CompletedTask; }

    [Theory]
    [InlineData("torch.zeros(2)", "torch.float32")]
    [InlineData("torch.zeros(2, dtype: torch.float64)", "torch.float64")]
    [InlineData("torch.arange(3)", "torch.int64")]
    [InlineData("torch.zeros(2, dtype: torch.int32)", "torch.int32")]
    [InlineData("torch.zeros(2, dtype: torch.uint8)", "torch.uint8")]
    [InlineData("torch.zeros(2) > 0", "torch.bool")]
    public async Task A_dtype_shows_as_PyTorch_prints_it(string tensor, string expected)
    {
        var cell = await _nb.SubmitAsync($"({tensor}).dtype");
        Assert.Equal(expected, cell.Returned("text/plain"));
        Assert.Equal($"<code>{expected}</code>", cell.Returned("text/html"));
    }

    [Fact]
    public void A_dtype_formats_the_same_outside_a_cell()
    {
        // The formatters were registered when the extension loaded (InitializeAsync); any display of a dtype uses them.
        Assert.Equal("torch.float32", CellResult.Plain(ScalarType.Float32));
        Assert.Equal("torch.bool", CellResult.Plain(ScalarType.Bool));
    }

    [Fact]
    public async Task A_size_shows_as_torch_Size_not_as_a_list()
    {
        var cell = await _nb.SubmitAsync("torch.zeros(1, 3, 4).size()");
        Assert.Equal("torch.Size([1, 3, 4])", cell.Returned("text/plain"));
        Assert.Equal("<code>torch.Size([1, 3, 4])</code>", cell.Returned("text/html"));
        Assert.Equal("torch.Size([])", (await _nb.SubmitAsync("torch.tensor(1.0).size()")).Returned("text/plain"));
    }

    [Fact]
    public async Task Comparison_operators_and_null_indices_compile_in_a_notebook()
    {
        var text = (await _nb.SubmitAsync("""
            var x = torch.tensor(new[] { -1.0, 0.0, 2.0 });
            var m = (x > 0) | (0.5 > x) & ~(x >= 0);
            $"{m} {x[null].size()} {x[.., null].size()} {x[null, .., null].size()}"
            """)).Returned("text/plain");
        Assert.Equal("tensor([ True, False,  True]) torch.Size([1, 3]) torch.Size([3, 1]) torch.Size([1, 3, 1])", text);
    }
}
