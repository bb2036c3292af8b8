using System.Collections.Immutable;
using Dashboard.Core.Clusters;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Maintenance.Kafka;

/// <summary>
/// Broker roll checks over a ZooKeeper session of their own, opened on first use and reopened after a failure:
/// targets are found synchronously, and a roll must not depend on the monitor's session (or its lag).
/// </summary>
public sealed class ConnectingBrokerRollChecks(string connectString, string? chroot, ZooKeeperClientOptions? options = null) : IBrokerRollChecks, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ZooKeeperClient? _client;
    private KafkaBrokerRollChecks? _checks;

    public Task<ImmutableArray<int>> RollOrderAsync(string clusterId, CancellationToken cancellationToken) =>
        WithAsync(c => c.RollOrderAsync(clusterId, cancellationToken), cancellationToken);

    public Task<ImmutableArray<MaintenanceCheck>> BeforeRestartAsync(string clusterId, int brokerId, CancellationToken cancellationToken) =>
        WithAsync(c => c.BeforeRestartAsync(clusterId, brokerId, cancellationToken), cancellationToken);

    public Task<ImmutableArray<MaintenanceCheck>> ClusterChecksAsync(string clusterId, CancellationToken cancellationToken) =>
        WithAsync(c => c.ClusterChecksAsync(clusterId, cancellationToken), cancellationToken);

    public Task<NodeDefinition?> BrokerNodeAsync(string clusterId, int brokerId, CancellationToken cancellationToken) =>
        WithAsync(c => c.BrokerNodeAsync(clusterId, brokerId, cancellationToken), cancellationToken);

    public Task<long?> BrokerEpochAsync(string clusterId, int brokerId, CancellationToken cancellationToken) =>
        WithAsync(c => c.BrokerEpochAsync(clusterId, brokerId, cancellationToken), cancellationToken);

    public Task<ImmutableArray<string>> UnmetAfterRestartAsync(string clusterId, int brokerId, long? epochBefore, CancellationToken cancellationToken) =>
        WithAsync(c => c.UnmetAfterRestartAsync(clusterId, brokerId, epochBefore, cancellationToken), cancellationToken);

    public Task<Dashboard.Core.Kafka.PreferredElectionResult> RequestPreferredLeaderElectionAsync(string clusterId, string? topic, CancellationToken cancellationToken) =>
        WithAsync(c => c.RequestPreferredLeaderElectionAsync(clusterId, topic, cancellationToken), cancellationToken);

    public Task<bool> PreferredElectionPendingAsync(string clusterId, CancellationToken cancellationToken) =>
        WithAsync(c => c.PreferredElectionPendingAsync(clusterId, cancellationToken), cancellationToken);

    private async Task<T> WithAsync<T>(Func<KafkaBrokerRollChecks, Task<T>> call, CancellationToken cancellationToken)
    {
        var checks = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await call(checks).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ZooKeeperException or TimeoutException or IOException)
        {
            await DropAsync().ConfigureAwait(false); // the next call opens a new session
            throw;
        }
    }

    private async Task<KafkaBrokerRollChecks> ConnectAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_checks is { } ready) return ready;
            _client = await ZooKeeperClient.ConnectAsync(connectString, options, cancellationToken).ConfigureAwait(false);
            return _checks = new KafkaBrokerRollChecks(_client, new Dashboard.Core.Kafka.KafkaMetadataReader(_client, chroot));
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task DropAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_client is { } client) await client.DisposeAsync().ConfigureAwait(false);
            (_client, _checks) = (null, null);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DropAsync().ConfigureAwait(false);
        _gate.Dispose();
    }
}
