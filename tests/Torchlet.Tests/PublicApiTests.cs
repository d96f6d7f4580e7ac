using Torchlet.ApiCheck;
using Xunit;

namespace Torchlet.Tests;

/// <summary>
/// The engine's public API, as C# declarations, against the snapshot committed in tests/api/. A change to the API
/// shows in the diff of that file: run the tests with TORCHLET_UPDATE_API=1 to rewrite it, then review and commit it.
/// </summary>
public class PublicApiTests
{
    [Fact]
    public void Engine_api_matches_the_committed_snapshot() =>
        ApiSnapshot.Check(typeof(Tensor).Assembly, "Torchlet.api.txt");
}
