namespace Dashboard.Tests.Support;

/// <summary>
/// Tests that need the test process to themselves: CPU-time measurements, and sandboxes whose timing matters. xunit
/// runs a collection with parallelization disabled after the parallel ones, alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoloCollection
{
    public const string Name = "solo";
}
