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

        // The same answer is over a default client's 1 MB limit: only that call fails, the session and connection stay.
        await using var strict = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString);
        await strict.SyncAsync(parent);
        var session = strict.SessionId;
        var error = await Assert.ThrowsAsync<ReplyTooLargeException>(() => strict.GetChildrenAsync(parent));
        Assert.Equal(parent, error.Path);
        Assert.Equal(ZooKeeperClientOptions.DefaultMaxFrameSize, error.MaxFrameSize);
        Assert.InRange(error.FrameSize, ZooKeeperClientOptions.DefaultMaxFrameSize + 1, WideLimitsEnsemble.MaxBuffer);
        Assert.Equal(count, (await strict.ExistsAsync(parent))!.ChildrenCount);
        Assert.Equal(0, strict.ProtocolErrors);
        Assert.Equal(1, strict.Connections);
        Assert.Equal(session, strict.SessionId);
    }

    [Fact]
    public async Task GetData_ValueOverFrameLimit_FailsOnlyThatRequestAndKeepsSession()
    {
        var root = $"/big-{Guid.NewGuid():N}";
        var large = new byte[900_000];
        Random.Shared.NextBytes(large);
        await using (var writer = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString,
            new ZooKeeperClientOptions { MaxFrameSize = WideLimitsEnsemble.MaxBuffer }))
        {
            await writer.CreateAsync(root, Array.Empty<byte>());
            await writer.CreateAsync($"{root}/large", large);
            await writer.CreateAsync($"{root}/small", "ok"u8.ToArray());
        }

        await using var client = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString,
            new ZooKeeperClientOptions { MaxFrameSize = 64 * 1024 });
        await client.SyncAsync(root);
        var session = client.SessionId;

        // Several calls in flight at once: the oversized reply fails its own call and the ones around it succeed.
        var before = client.GetDataAsync($"{root}/small");
        var tooLarge = client.GetDataAsync($"{root}/large");
        var after = client.GetDataAsync($"{root}/small");
        var error = await Assert.ThrowsAsync<ReplyTooLargeException>(() => tooLarge);
        Assert.Equal("ok", Encoding.UTF8.GetString((await before).Data));
        Assert.Equal("ok", Encoding.UTF8.GetString((await after).Data));
        Assert.Equal($"{root}/large", error.Path);
        Assert.Equal(64 * 1024, error.MaxFrameSize);
        Assert.True(error.FrameSize > large.Length, $"announced {error.FrameSize} bytes");
        Assert.Contains("frame limit", error.Message, StringComparison.Ordinal);

        // The stat is still readable; a multi read holding the value reads the rest and names the one too large.
        Assert.Equal(large.Length, (await client.ExistsAsync($"{root}/large"))!.DataLength);
        var batch = await client.MultiReadAsync(
            [ReadOperation.GetData($"{root}/small"), ReadOperation.GetData($"{root}/large"), ReadOperation.GetChildren(root)]);
        Assert.Equal("ok", Encoding.UTF8.GetString(Assert.IsType<DataReadResult>(batch[0]).Data));
        var skipped = Assert.IsType<ErrorResult>(batch[1]);
        Assert.Equal(ErrorCode.MarshallingError, skipped.Code);
        Assert.Contains("frame limit", skipped.Detail, StringComparison.Ordinal);
        Assert.Equal(["large", "small"], Assert.IsType<ChildrenReadResult>(batch[2]).Names.Order(StringComparer.Ordinal));
        // Falling back for one batch does not give up multiRead for the next (one round trip again).
        var replies = 0;
        client.FrameTap = _ => Interlocked.Increment(ref replies);
        var next = await client.MultiReadAsync([ReadOperation.GetData($"{root}/small"), ReadOperation.GetChildren(root)]);
        client.FrameTap = null;
        Assert.Equal(2, next.Count);
        Assert.Equal(1, replies);
        Assert.Equal("ok", Encoding.UTF8.GetString((await client.GetDataAsync($"{root}/small")).Data));
        Assert.Equal(0, client.ProtocolErrors);
        Assert.Equal(1, client.Connections);
        Assert.Equal(session, client.SessionId);
        Assert.Equal(SessionState.Connected, client.State);
    }

    [Fact]
    public async Task ReadData_ValuesToASink_TooLargeAndMissingReportedOnTheirOwn()
    {
        var root = $"/sink-{Guid.NewGuid():N}";
        var large = new byte[200_000];
        await using (var writer = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString,
            new ZooKeeperClientOptions { MaxFrameSize = WideLimitsEnsemble.MaxBuffer }))
        {
            await writer.CreateAsync(root, Array.Empty<byte>());
            await writer.CreateAsync($"{root}/a", "one"u8.ToArray());
            await writer.CreateAsync($"{root}/b", "two"u8.ToArray());
            await writer.SetDataAsync($"{root}/b", "two!"u8.ToArray());
            await writer.CreateAsync($"{root}/large", large);
        }
        await using var client = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString,
            new ZooKeeperClientOptions { MaxFrameSize = 64 * 1024 });
        await client.SyncAsync(root);
        var session = client.SessionId;

        // One round trip when the reply fits.
        var replies = 0;
        var sink = new RecordingSink();
        client.FrameTap = _ => Interlocked.Increment(ref replies);
        await client.ReadDataAsync([$"{root}/a", $"{root}/gone", $"{root}/b"], sink);
        client.FrameTap = null;
        Assert.Equal(1, replies);
        Assert.Equal(["0 one v0", "1 NoNode", "2 two! v1"], sink.Seen.Order(StringComparer.Ordinal));

        // Over the frame limit together: each read alone, and only the value too large on its own fails, saying why.
        var fallback = new RecordingSink();
        await client.ReadDataAsync([$"{root}/a", $"{root}/large"], fallback);
        Assert.Equal(["0 one v0", "1 MarshallingError frame limit"], fallback.Seen.Order(StringComparer.Ordinal));

        // A sink that throws fails that call with its exception; the connection and session stay.
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => client.ReadDataAsync([$"{root}/a", $"{root}/b"], new ThrowingSink()));
        Assert.Equal("sink refused", thrown.Message);
        Assert.Equal("one", Encoding.UTF8.GetString((await client.GetDataAsync($"{root}/a")).Data));
        Assert.Equal(0, client.ProtocolErrors);
        Assert.Equal(1, client.Connections);
        Assert.Equal(session, client.SessionId);
    }

    private sealed class RecordingSink : IDataReadSink
    {
        public System.Collections.Concurrent.ConcurrentBag<string> Seen { get; } = [];

        public void Read(int index, ReadOnlySpan<byte> data, int version) =>
            Seen.Add(string.Create(CultureInfo.InvariantCulture, $"{index} {Encoding.UTF8.GetString(data)} v{version}"));

        public void Failed(int index, ErrorCode code, string? detail) =>
            Seen.Add(string.Create(CultureInfo.InvariantCulture, $"{index} {code}{(detail is null ? "" : detail.Contains("frame limit", StringComparison.Ordinal) ? " frame limit" : " " + detail)}"));
    }

    private sealed class ThrowingSink : IDataReadSink
    {
        public void Read(int index, ReadOnlySpan<byte> data, int version) => throw new InvalidOperationException("sink refused");

        public void Failed(int index, ErrorCode code, string? detail) => throw new InvalidOperationException("sink refused");
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
