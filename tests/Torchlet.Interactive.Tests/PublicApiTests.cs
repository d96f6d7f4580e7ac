using Torchlet.ApiCheck;

namespace Torchlet.Interactive.Tests;

/// <summary>The extension's public API against tests/api/Torchlet.Interactive.api.txt (see the engine's PublicApiTests).</summary>
public class PublicApiTests
{
    [Fact]
    public void Extension_api_matches_the_committed_snapshot() =>
        ApiSnapshot.Check(typeof(TorchletFormatters).Assembly, "Torchlet.Interactive.api.txt");
}
