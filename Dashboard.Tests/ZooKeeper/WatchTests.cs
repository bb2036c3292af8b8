using System.Collections.Concurrent;
using Dashboard.Core.ZooKeeper;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.ZooKeeper;

[Collection(SharedEnsembleCollection.Name)]
public sealed class WatchTests(SharedEnsemble ensemble) : IAsyncLifetime
{
    private readonly string _root = $"/watch-{Guid.NewGuid():N}";
    private ZooKeeperClient _watcher = null!;
    private ZooKeeperClient _writer = null!;

    public async Task InitializeAsync()
    {
        _watcher = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString);
        _writer = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString);
        await _writer.CreateAsync(_root, Array.Empty<byte>());
    }

    public async Task DisposeAsync()
    {
        await _watcher.DisposeAsync();
        await _writer.DisposeAsync();
    }

    [Fact]
    public async Task DataWatch_TwoChanges_FiresOnce()
    {
        await _writer.CreateAsync($"{_root}/d", Array.Empty<byte>());
        await _watcher.SyncAsync(_root); // the two clients may sit on different servers
        var events = new EventLog();
        await _watcher.GetDataAsync($"{_root}/d", events.Add);

        await _writer.SetDataAsync($"{_root}/d", "1"u8.ToArray());
        await _writer.SetDataAsync($"{_root}/d", "2"u8.ToArray());

        var fired = await events.WaitForAsync(1);
        await _watcher.SyncAsync($"{_root}/d");
        await Task.Delay(300);
        Assert.Equal(new WatchedEvent(WatchEventType.NodeDataChanged, $"{_root}/d"), Assert.Single(events.Snapshot()));
        Assert.Single(fired);
    }

    [Fact]
    public async Task DataWatch_Rearmed_FiresForNextChangeAndDeletion()
    {
        await _writer.CreateAsync($"{_root}/r", Array.Empty<byte>());
        await _watcher.SyncAsync(_root); // the two clients may sit on different servers
        var events = new EventLog();
        await _watcher.GetDataAsync($"{_root}/r", events.Add);
        await _writer.SetDataAsync($"{_root}/r", "1"u8.ToArray());
        await events.WaitForAsync(1);

        await _watcher.ExistsAsync($"{_root}/r", events.Add);
        await _writer.DeleteAsync($"{_root}/r");

        var all = await events.WaitForAsync(2);
        Assert.Equal([WatchEventType.NodeDataChanged, WatchEventType.NodeDeleted], all.Select(e => e.Type));
    }

    [Fact]
    public async Task ChildWatch_ChildCreated_FiresNodeChildrenChanged()
    {
        await _writer.CreateAsync($"{_root}/p", Array.Empty<byte>());
        await _watcher.SyncAsync(_root); // the two clients may sit on different servers
        var events = new EventLog();
        await _watcher.GetChildrenAsync($"{_root}/p", events.Add);

        await _writer.CreateAsync($"{_root}/p/kid", Array.Empty<byte>());
        await _writer.CreateAsync($"{_root}/p/kid2", Array.Empty<byte>());

        var fired = await events.WaitForAsync(1);
        Assert.Equal(new WatchedEvent(WatchEventType.NodeChildrenChanged, $"{_root}/p"), Assert.Single(fired));
    }

    [Fact]
    public async Task ExistsWatch_MissingNodeCreated_FiresNodeCreated()
    {
        await _watcher.SyncAsync(_root);
        var events = new EventLog();
        Assert.Null(await _watcher.ExistsAsync($"{_root}/later", events.Add));

        await _writer.CreateAsync($"{_root}/later", Array.Empty<byte>());

        Assert.Equal(new WatchedEvent(WatchEventType.NodeCreated, $"{_root}/later"), Assert.Single(await events.WaitForAsync(1)));
    }

    [Fact]
    public async Task Watch_UnderChroot_ReportsCallerPath()
    {
        await using var rooted = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString + _root);
        await _writer.CreateAsync($"{_root}/c", Array.Empty<byte>());
        await rooted.SyncAsync("/");
        var events = new EventLog();
        await rooted.GetDataAsync("/c", events.Add);

        await _writer.SetDataAsync($"{_root}/c", "x"u8.ToArray());

        Assert.Equal("/c", Assert.Single(await events.WaitForAsync(1)).Path);
    }

    [Fact]
    public async Task Watcher_Throws_ReportedAndLaterWatchesStillFire()
    {
        await _writer.CreateAsync($"{_root}/t", Array.Empty<byte>());
        var failures = new ConcurrentQueue<Exception>();
        _watcher.CallbackFailed += (_, e) => failures.Enqueue(e);
        await _watcher.SyncAsync(_root); // the two clients may sit on different servers
        var events = new EventLog();
        await _watcher.GetDataAsync($"{_root}/t", _ => throw new InvalidOperationException("handler bug"));
        await _watcher.ExistsAsync($"{_root}/t2", events.Add);

        await _writer.SetDataAsync($"{_root}/t", "x"u8.ToArray());
        await _writer.CreateAsync($"{_root}/t2", Array.Empty<byte>());

        await events.WaitForAsync(1);
        Assert.Equal("handler bug", Assert.Single(failures).Message);
    }
}

/// <summary>Collects watch events and waits for a number of them.</summary>
internal sealed class EventLog
{
    private readonly ConcurrentQueue<WatchedEvent> _events = new();
    private readonly SemaphoreSlim _arrived = new(0);

    public void Add(WatchedEvent change)
    {
        _events.Enqueue(change);
        _arrived.Release();
    }

    public IReadOnlyList<WatchedEvent> Snapshot() => [.. _events];

    public async Task<IReadOnlyList<WatchedEvent>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        while (_events.Count < count)
            if (!await _arrived.WaitAsync(limit)) throw new TimeoutException($"Expected {count} watch events within {limit.TotalSeconds} s, got {_events.Count}.");
        return Snapshot();
    }
}
