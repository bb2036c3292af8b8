using System.Globalization;
using System.Text;
using Dashboard.Core.Sandbox;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Tests.ZooKeeper;

/// <summary>
/// An ensemble whose servers accept 4 MB records (jute.maxbuffer) and skip ACL checks, which reconfig needs unless
/// the caller is the super user.
/// </summary>
public sealed class WideLimitsEnsemble : IAsyncLifetime
{
    public const int MaxBuffer = 4 * 1024 * 1024;

    public ZooKeeperSandbox Sandbox { get; private set; } = null!;

    public async Task InitializeAsync() => Sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions
    {
        Voters = 3,
        Observers = 1,
        JvmHeap = "256m",
        JvmProperties = new Dictionary<string, string>
        {
            ["jute.maxbuffer"] = MaxBuffer.ToString(CultureInfo.InvariantCulture),
            ["zookeeper.skipACL"] = "yes",
        },
    });

    public async Task DisposeAsync()
    {
        if (Sandbox is not null) await Sandbox.DisposeAsync();
    }
}

public sealed class LargeAndReconfigTests(WideLimitsEnsemble ensemble) : IClassFixture<WideLimitsEnsemble>
{
    [Fact]
    public async Task GetChildren_100000Children_ListedWithRaisedFrameLimitAndRefusedWithDefault()
    {
        const int count = 100_000;
        var parent = $"/wide-{Guid.NewGuid():N}";
        await using var client = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString,
            new ZooKeeperClientOptions { MaxFrameSize = WideLimitsEnsemble.MaxBuffer, RequestTimeout = TimeSpan.FromSeconds(60) });
        await client.CreateAsync(parent, Array.Empty<byte>());
        // 1,000 creates per transaction keeps each frame near 60 KB and the whole setup to a hundred round trips.
        var batches = Enumerable.Range(0, count / 1000).Select(b => client.MultiAsync(
            Enumerable.Range(b * 1000, 1000).Select(i => TransactionOperation.Create($"{parent}/c{i:D6}"))));
        await Task.WhenAll(batches);

        var children = await client.GetChildrenAsync(parent);

        Assert.Equal(count, children.Names.Count);
        Assert.Equal(count, children.Stat.ChildrenCount);
        Assert.Equal(count, children.Names.Distinct().Count());

        // The same answer is over a default client's 1 MB limit: a protocol error and a reconnect, not a crash.
        await using var strict = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString);
        await strict.SyncAsync(parent);
        var error = await Assert.ThrowsAsync<ConnectionLossException>(() => strict.GetChildrenAsync(parent));
        Assert.Contains("frame of", Assert.IsType<ZooKeeperProtocolException>(error.InnerException).Message, StringComparison.Ordinal);
        Assert.NotNull(await strict.ExistsAsync(parent));
        Assert.Equal(1, strict.ProtocolErrors);
    }

    [Fact]
    public async Task Reconfig_RemoveAndReAddObserver_ConfigFollows()
    {
        var observer = ensemble.Sandbox.Observers.First();
        await using var client = await ZooKeeperClient.ConnectAsync(
            string.Join(',', ensemble.Sandbox.Voters.Select(v => v.ClientAddress)));
        var before = await client.GetConfigAsync();
        Assert.Contains($"server.{observer.Id}=", Encoding.UTF8.GetString(before.Data), StringComparison.Ordinal);

        var removed = await client.ReconfigAsync(joining: null, leaving: observer.Id.ToString(CultureInfo.InvariantCulture));
        var removedText = Encoding.UTF8.GetString(removed.Data);
        var readBack = Encoding.UTF8.GetString((await client.GetConfigAsync()).Data);
        var added = await client.ReconfigAsync(joining: observer.ServerLine, leaving: null);

        Assert.DoesNotContain($"server.{observer.Id}=", removedText, StringComparison.Ordinal);
        Assert.DoesNotContain($"server.{observer.Id}=", readBack, StringComparison.Ordinal);
        Assert.Contains($"server.{observer.Id}=", Encoding.UTF8.GetString(added.Data), StringComparison.Ordinal);
        Assert.True(added.Stat.ModifiedZxid > removed.Stat.ModifiedZxid);
        var stale = await Assert.ThrowsAsync<BadVersionException>(() => client.ReconfigAsync(null, observer.Id.ToString(CultureInfo.InvariantCulture), fromConfigVersion: 1));
        Assert.Equal("/zookeeper/config", stale.Path);
    }
}
