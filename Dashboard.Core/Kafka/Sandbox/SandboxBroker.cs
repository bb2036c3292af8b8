using System.Threading.Channels;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Kafka.Sandbox;

/// <summary>
/// One imitated Kafka broker (ZooKeeper mode; no Kafka runs): its own ZooKeeper session, an ephemeral v5
/// registration at <c>/brokers/ids/&lt;id&gt;</c>, and Kafka's controller election. Everything it does runs on one
/// event loop, fed by ZooKeeper watches, so handlers never race each other.
/// </summary>
public sealed class SandboxBroker : IAsyncDisposable
{
    private readonly string _connectString;
    private readonly KafkaPaths _paths;
    private readonly SandboxKafkaOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<Func<CancellationToken, Task>> _events = Channel.CreateUnbounded<Func<CancellationToken, Task>>(new() { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private ZooKeeperClient? _client;
    private Task _loop = Task.CompletedTask;
    private volatile SandboxController? _controller;

    internal SandboxBroker(int id, string connectString, KafkaPaths paths, SandboxKafkaOptions options, TimeProvider time)
    {
        Id = id;
        _connectString = connectString;
        _paths = paths;
        _options = options;
        _time = time;
    }

    public int Id { get; }

    /// <summary>The registration's czxid: Kafka's broker epoch.</summary>
    public long Epoch { get; private set; }

    public bool IsController => _controller is { Deposed: false };

    /// <summary>The last error an event handler hit (kept for diagnosis; the loop goes on).</summary>
    public Exception? LastError { get; private set; }

    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        _client = await ZooKeeperClient.ConnectAsync(_connectString, new ZooKeeperClientOptions { SessionTimeout = _options.SessionTimeout }, cancellationToken).ConfigureAwait(false);
        var registration = SandboxKafkaJson.BrokerRegistration(Id, 9092 + Id, _options.Racks.GetValueOrDefault(Id), _time.GetUtcNow());
        var created = await _client.CreateWithStatAsync(_paths.Broker(Id), registration, CreateMode.Ephemeral, null, cancellationToken).ConfigureAwait(false);
        Epoch = created.Stat.CreatedZxid;
        _loop = Task.Run(RunAsync, CancellationToken.None);
        Post(ElectAsync);
    }

    private void Post(Func<CancellationToken, Task> handler) => _events.Writer.TryWrite(handler);

    private async Task RunAsync()
    {
        try
        {
            await foreach (var handler in _events.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    await handler(_stopping.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is ZooKeeperException or TimeoutException or ObjectDisposedException)
                {
                    LastError = e;
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Kafka's election: create the ephemeral <c>/controller</c> and bump <c>/controller_epoch</c> in one transaction
    /// (conditional on the epoch's version); whoever loses watches <c>/controller</c> and races again when it goes.
    /// </summary>
    private async Task ElectAsync(CancellationToken cancellationToken)
    {
        var client = _client!;
        // The watch also covers our own /controller: deleted by an operator (Kafka's forced re-election), we resign and race again.
        var current = await client.ExistsAsync(_paths.Controller, _ => Post(ElectAsync), cancellationToken).ConfigureAwait(false);
        if (current is not null)
        {
            if (current.EphemeralOwner != client.SessionId) _controller = null;
            return;
        }
        _controller = null;
        NodeData epochNode;
        try
        {
            epochNode = await client.GetDataAsync(_paths.ControllerEpoch, null, cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            // Kafka creates the epoch at 0 when missing; the first controller then makes it 1.
            try { await client.CreateAsync(_paths.ControllerEpoch, SandboxKafkaJson.ControllerEpoch(0), CreateMode.Persistent, null, cancellationToken).ConfigureAwait(false); }
            catch (NodeExistsException) { }
            Post(ElectAsync);
            return;
        }
        var epoch = (KafkaZNodeParser.ControllerEpoch(epochNode.Data) ?? 0) + 1;
        IReadOnlyList<OperationResult> results;
        try
        {
            results = await client.MultiAsync(
            [
                TransactionOperation.Create(_paths.Controller, SandboxKafkaJson.Controller(Id, _time.GetUtcNow()), CreateMode.Ephemeral),
                TransactionOperation.SetData(_paths.ControllerEpoch, SandboxKafkaJson.ControllerEpoch(epoch), epochNode.Stat.Version),
            ], cancellationToken).ConfigureAwait(false);
        }
        catch (TransactionFailedException)
        {
            Post(ElectAsync); // lost the race: re-arm the watch on the winner's /controller
            return;
        }
        var epochZkVersion = ((SetDataResult)results[1]).Stat.Version;
        var controller = new SandboxController(client, _paths, Id, epoch, epochZkVersion, _options, Post);
        _controller = controller;
        await controller.OnElectedAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a controlled shutdown of <paramref name="brokerId"/> on this broker's loop, if it is the controller.</summary>
    internal Task<bool> RunControlledShutdownAsync(int brokerId)
    {
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(async cancellationToken =>
        {
            try
            {
                if (_controller is not { Deposed: false } controller)
                {
                    done.TrySetResult(false);
                    return;
                }
                await controller.ControlledShutdownAsync(brokerId, cancellationToken).ConfigureAwait(false);
                done.TrySetResult(true);
            }
            catch (Exception e)
            {
                done.TrySetException(e);
                throw;
            }
        });
        return done.Task;
    }

    /// <summary>Stops the loop and closes the session: the registration (and <c>/controller</c>, if held) vanish at once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        _events.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _controller = null;
        if (_client is not null) await _client.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
