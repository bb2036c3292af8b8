using Dashboard.Core.Sandbox;

namespace Dashboard.Tests.Support;

/// <summary>
/// A real 3-voter + 1-observer ensemble shared by every test class in the <see cref="SharedEnsembleCollection"/>.
/// Tests there must leave it as they found it (every node running, one leader). Tests that break an ensemble for
/// good start their own <see cref="ZooKeeperSandbox"/>.
/// </summary>
public sealed class SharedEnsemble : IAsyncLifetime
{
    public ZooKeeperSandbox Sandbox { get; private set; } = null!;

    public async Task InitializeAsync() => Sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 3, Observers = 1 });

    public async Task DisposeAsync()
    {
        if (Sandbox is not null) await Sandbox.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SharedEnsembleCollection : ICollectionFixture<SharedEnsemble>
{
    public const string Name = "shared ensemble";
}
