namespace Torchlet.Interactive.Tests;

/// <summary>
/// Tests that seed or draw from the engine's default generator, or set its thread count, and rely on what follows:
/// they run one at a time, never beside each other (xunit runs other classes in parallel).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalStateCollection
{
    public const string Name = "engine's global state";
}
