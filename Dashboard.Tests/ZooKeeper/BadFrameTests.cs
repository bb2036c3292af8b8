using System.Text;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Tests.ZooKeeper;

public class BadFrameTests
{
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(FakeBehaviour.NegativeLength)]
    [InlineData(FakeBehaviour.HugeLength)]
    [InlineData(FakeBehaviour.TruncatedFrame)]
    [InlineData(FakeBehaviour.TruncatedRecord)]
    [InlineData(FakeBehaviour.Garbage)]
    [InlineData(FakeBehaviour.WrongXid)]
    public async Task BadFrame_DuringRequest_FailsWithConnectionLossAndReconnectsToSameSession(FakeBehaviour behaviour)
    {
        await using var server = new FakeZooKeeperServer(behaviour);
        await using var client = await ZooKeeperClient.ConnectAsync(server.ConnectString);

        var error = await Assert.ThrowsAsync<ConnectionLossException>(() => client.GetDataAsync("/x").WaitAsync(NoHang));
        var protocol = Assert.IsType<ZooKeeperProtocolException>(error.InnerException);
        Assert.Equal("/x", error.Path);
        Assert.Equal(behaviour == FakeBehaviour.TruncatedFrame, protocol.EndOfStream);

        // The next call goes out on a new connection that resumed the same session, and succeeds.
        var data = await client.GetDataAsync("/x").WaitAsync(NoHang);
        Assert.Equal("ok", Encoding.UTF8.GetString(data.Data));
        Assert.Equal(2, server.Connections);
        Assert.Equal([0, FakeZooKeeperServer.SessionId], server.SessionIdsAsked.ToArray());
        Assert.Equal(SessionState.Connected, client.State);
        Assert.Equal(behaviour == FakeBehaviour.TruncatedFrame ? 0 : 1, client.ProtocolErrors);
    }

    [Fact]
    public async Task SilentServer_RequestTimeout_FailsWithRequestTimeoutAndKeepsSession()
    {
        await using var server = new FakeZooKeeperServer(FakeBehaviour.Silent);
        await using var client = await ZooKeeperClient.ConnectAsync(server.ConnectString, new ZooKeeperClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(500) });

        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<RequestTimeoutException>(() => client.GetDataAsync("/slow").WaitAsync(NoHang));
        Assert.Equal("/slow", error.Path);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(3));
        Assert.Equal(SessionState.Connected, client.State);
    }

    [Fact]
    public async Task SilentServer_CancelledToken_CancelsCall()
    {
        await using var server = new FakeZooKeeperServer(FakeBehaviour.Silent);
        await using var client = await ZooKeeperClient.ConnectAsync(server.ConnectString);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ExistsAsync("/slow", cancellationToken: cancel.Token).WaitAsync(NoHang));
    }

    [Fact]
    public async Task Connect_NoServerListening_FailsWithConnectionLossNamingHosts()
    {
        var options = new ZooKeeperClientOptions { RequestTimeout = TimeSpan.FromSeconds(1), ConnectTimeout = TimeSpan.FromMilliseconds(300) };
        var error = await Assert.ThrowsAsync<ConnectionLossException>(() => ZooKeeperClient.ConnectAsync("127.0.0.1:1", options).WaitAsync(NoHang));
        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
    }
}
