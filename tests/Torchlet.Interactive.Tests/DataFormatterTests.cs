namespace Torchlet.Interactive.Tests;

/// <summary>
/// Datasets, loaders, samplers and transforms as a cell's value: their description, never a walk through their items
/// (a dataset or a loader is enumerable, and the notebook's default view would print its first items or batches).
/// </summary>
[Collection(GlobalStateCollection.Name)]
public sealed class DataFormatterTests : IAsyncLifetime
{
    NotebookKernel _nb = null!;

    public async Task InitializeAsync()
    {
        _nb = await NotebookKernel.StartAsync();
        var root = Samples.SampleData.RepositoryRoot().Replace("\\", "/");
        (await _nb.SubmitAsync($$"""
            var tf = torchvision.transforms.Compose(torchvision.transforms.ToTensor(), torchvision.transforms.Normalize(new[] { 0.2860 }, new[] { 0.3530 }));
            var train = torchvision.datasets.FashionMNIST(root: "{{root}}/data/fashion-mnist-sample", train: true, transform: tf);
            var loader = torch.utils.data.DataLoader(train, batch_size: 64, shuffle: true);
            """)).AssertSucceeded();
    }

    public Task DisposeAsync() { _nb.Dispose(); return Task.CompletedTask; }

    [Fact]
    public async Task A_dataset_shows_torchvisions_description_not_its_items()
    {
        var html = (await _nb.SubmitAsync("train")).Returned();
        Assert.Contains("Dataset FashionMNIST", html);
        Assert.Contains("Number of datapoints: 10000", html);
        Assert.Contains("Normalize(mean=[0.286], std=[0.353])", html);
        Assert.DoesNotContain("tensor(", html);
        Assert.True(html.Length < 5_000, $"{html.Length} characters of HTML for a dataset");
        var text = (await _nb.SubmitAsync("train")).Returned("text/plain");
        Assert.StartsWith("Dataset FashionMNIST\n    Number of datapoints: 10000", text);
    }

    [Fact]
    public async Task A_loader_says_what_it_does_without_loading_a_batch()
    {
        var text = (await _nb.SubmitAsync("loader")).Returned("text/plain");
        Assert.StartsWith("DataLoader: 157 batches of 64, shuffled (RandomSampler), num_workers=0\n  Dataset FashionMNIST", text);
        var html = (await _nb.SubmitAsync("loader")).Returned();
        Assert.DoesNotContain("data:image/png", html);
        Assert.True(html.Length < 5_000, $"{html.Length} characters of HTML for a loader");
        var split = (await _nb.SubmitAsync("torch.utils.data.random_split(train, new long[] { 9000, 1000 })[1]")).Returned("text/plain");
        Assert.StartsWith("Subset: 1000 of the 10000 items of\n  Dataset FashionMNIST", split);
    }

    [Fact]
    public async Task A_transform_shows_torchvisions_repr_with_its_line_breaks()
    {
        var html = (await _nb.SubmitAsync("tf")).Returned();
        Assert.Contains("<pre>Compose(\n    ToTensor()\n    Normalize(mean=[0.286], std=[0.353])\n)</pre>", html);
    }

    [Fact]
    public async Task A_normalised_batch_still_shows_as_pictures_scaled_from_its_range()
    {
        var html = (await _nb.SubmitAsync("""
            var (images, labels) = loader.First();
            images
            """)).Returned();
        Assert.Contains("64 images · torchvision.utils.make_grid(nrow=8, padding=2, normalize=True)", html);
        Assert.Contains("shown as black to white", html);
        Assert.Contains("data:image/png;base64,", html);
    }
}
