using System.Collections.Concurrent;
using Dashboard.Core.Sandbox;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Tests.ZooKeeper;

/// <summary>An ensemble of its own for tests that kill and freeze nodes; each test leaves every node running.</summary>
public sealed class DisruptableEnsemble : IAsyncLifetime
{
    public ZooKeeperSandbox Sandbox { get; private set; } = null!;

    public async Task InitializeAsync() => Sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 3, Observers = 1 });

    public async Task DisposeAsync()
    {
        if (Sandbox is not null) await Sandbox.DisposeAsync();
    }
}

public sealed class SessionFailoverTests(DisruptableEnsemble ensemble) : IClassFixture<DisruptableEnsemble>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private ZooKeeperSandbox Sandbox => ensemble.Sandbox;

    /// <summary>A connect string that starts with a follower (killing the leader would also force an election).</summary>
    private async Task<(SandboxNode First, string ConnectString)> FollowerFirstAsync()
    {
        var leader = await Sandbox.FindLeaderAsync() ?? throw new InvalidOperationException("no leader");
        var follower = Sandbox.Voters.First(n => n.Id != leader.Id);
        var rest = Sandbox.Nodes.Where(n => n.Id != follower.Id).Select(n => n.ClientAddress);
        return (follower, string.Join(',', [follower.ClientAddress, .. rest]));
    }

    private string ConnectStringWithout(SandboxNode node) =>
        string.Join(',', Sandbox.Nodes.Where(n => n.Id != node.Id).Select(n => n.ClientAddress));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited {Patience.TotalSeconds} s for {what}.");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task ConnectedServerKilled_SessionResumesElsewhere_WatchAndEphemeralSurvive()
    {
        var (first, connect) = await FollowerFirstAsync();
        var root = $"/kill-{Guid.NewGuid():N}";
        await using var writer = await ZooKeeperClient.ConnectAsync(ConnectStringWithout(first));
        await writer.CreateAsync(root, Array.Empty<byte>());
        await writer.CreateAsync($"{root}/watched", Array.Empty<byte>());
        await using var client = await ZooKeeperClient.ConnectAsync(connect, new ZooKeeperClientOptions { ShuffleHosts = false, SessionTimeout = TimeSpan.FromSeconds(8) });
        var states = new ConcurrentQueue<SessionState>();
        client.StateChanged += (_, change) => { if (change.Previous != SessionState.Connecting) states.Enqueue(change.Current); };
        Assert.Equal(first.ClientAddress, client.ConnectedServer);
        var sessionId = client.SessionId;
        await client.SyncAsync(root);
        await client.CreateAsync($"{root}/mine", Array.Empty<byte>(), CreateMode.Ephemeral);
        var events = new EventLog();
        await client.GetDataAsync($"{root}/watched", events.Add);

        try
        {
            await Sandbox.KillNodeAsync(first.Id);
            await WaitUntilAsync(() => Task.FromResult(client.State == SessionState.Connected && client.ConnectedServer is not null && client.ConnectedServer != first.ClientAddress), "the client to reconnect to another server");

            Assert.Equal(sessionId, client.SessionId);
            await writer.SetDataAsync($"{root}/watched", "after the kill"u8.ToArray());
            Assert.Equal(new WatchedEvent(WatchEventType.NodeDataChanged, $"{root}/watched"), Assert.Single(await events.WaitForAsync(1)));
            await writer.SetDataAsync($"{root}/watched", "again"u8.ToArray());
            await writer.SyncAsync(root);
            Assert.Equal(sessionId, (await writer.ExistsAsync($"{root}/mine"))!.EphemeralOwner);
            await Task.Delay(300);
            Assert.Single(events.Snapshot());
            Assert.Equal([SessionState.Suspended, SessionState.Connected], states.ToArray());
        }
        finally
        {
            await Sandbox.StartNodeAsync(first.Id);
            await Sandbox.WaitForNodeServingAsync(first.Id, TimeSpan.FromSeconds(60));
        }
    }

    [Fact]
    public async Task ConnectedServerFrozen_ClientNoticesSilenceAndResumesSessionElsewhere()
    {
        var (first, connect) = await FollowerFirstAsync();
        await using var client = await ZooKeeperClient.ConnectAsync(connect, new ZooKeeperClientOptions { ShuffleHosts = false, SessionTimeout = TimeSpan.FromSeconds(6) });
        var sessionId = client.SessionId;
        var path = $"/freeze-{Guid.NewGuid():N}";
        await client.CreateAsync(path, Array.Empty<byte>(), CreateMode.Ephemeral);

        try
        {
            await Sandbox.FreezeNodeAsync(first.Id);
            var started = DateTime.UtcNow;
            // A call made while the server is frozen waits, fails with connection loss, and a retry succeeds elsewhere.
            await Assert.ThrowsAsync<ConnectionLossException>(() => client.ExistsAsync(path));
            await WaitUntilAsync(() => Task.FromResult(client.State == SessionState.Connected && client.ConnectedServer != first.ClientAddress), "the client to move off the frozen server");

            Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(20));
            Assert.Equal(sessionId, client.SessionId);
            Assert.Equal(sessionId, (await client.ExistsAsync(path))!.EphemeralOwner);
            Assert.IsType<TimeoutException>(client.LastConnectionError);
        }
        finally
        {
            await Sandbox.UnfreezeNodeAsync(first.Id);
            await Sandbox.WaitForNodeServingAsync(first.Id, TimeSpan.FromSeconds(60));
        }
    }

    [Fact]
    public async Task OnlyServerFrozenPastSessionTimeout_SessionExpires_EphemeralsGone()
    {
        var observer = Sandbox.Observers.First();
        var path = $"/expire-{Guid.NewGuid():N}";
        await using var witness = await ZooKeeperClient.ConnectAsync(ConnectStringWithout(observer));
        await using var client = await ZooKeeperClient.ConnectAsync(observer.ClientAddress, new ZooKeeperClientOptions { SessionTimeout = TimeSpan.FromSeconds(2), ConnectTimeout = TimeSpan.FromSeconds(1) });
        var states = new ConcurrentQueue<SessionState>();
        client.StateChanged += (_, change) => { if (change.Previous != SessionState.Connecting) states.Enqueue(change.Current); };
        await client.CreateAsync(path, Array.Empty<byte>(), CreateMode.Ephemeral);
        await witness.SyncAsync(path);
        Assert.NotNull(await witness.ExistsAsync(path));

        try
        {
            await Sandbox.FreezeNodeAsync(observer.Id);
            await WaitUntilAsync(async () => await witness.ExistsAsync(path) is null, "the ensemble to expire the session and delete its ephemeral node");
            await WaitUntilAsync(() => Task.FromResult(client.State == SessionState.Lost), "the client to report the session lost");
        }
        finally
        {
            await Sandbox.UnfreezeNodeAsync(observer.Id);
        }

        await WaitUntilAsync(() => Task.FromResult(client.State == SessionState.Expired), "the server to tell the client its session expired");
        var error = await Assert.ThrowsAsync<SessionExpiredException>(() => client.GetDataAsync("/"));
        Assert.Equal("/", error.Path);
        Assert.Equal([SessionState.Suspended, SessionState.Lost, SessionState.Expired], states.ToArray());
        await Sandbox.WaitForNodeServingAsync(observer.Id, TimeSpan.FromSeconds(60));
    }
}
