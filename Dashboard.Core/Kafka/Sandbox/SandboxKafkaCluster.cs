using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Kafka.Sandbox;

/// <summary>
/// A sandbox of a Kafka cluster in ZooKeeper mode: N <see cref="SandboxBroker"/>s on a real ZooKeeper (e.g. a
/// <see cref="Core.Sandbox.ZooKeeperSandbox"/>), writing Kafka's znodes in Kafka's formats. No Kafka process runs; it
/// exists so the dashboard can be tested and demonstrated against faithful metadata. Dispose it to close every session.
/// </summary>
public sealed class SandboxKafkaCluster : IAsyncDisposable
{
    private readonly Dictionary<int, SandboxBroker> _running = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Random _random;
    private readonly TimeProvider _time;

    private SandboxKafkaCluster(string connectString, ZooKeeperClient admin, SandboxKafkaOptions options, TimeProvider time)
    {
        ConnectString = connectString;
        Admin = admin;
        Options = options;
        Paths = new KafkaPaths(KafkaPaths.NormalizeChroot(options.Chroot));
        _random = options.AssignmentSeed is { } seed ? new Random(seed) : new Random();
        _time = time;
        Reader = new KafkaMetadataReader(admin, Paths.Chroot);
    }

    public string ConnectString { get; }
    public SandboxKafkaOptions Options { get; }
    public KafkaPaths Paths { get; }

    /// <summary>The session topic creation and admin requests go through (Kafka's admin tools write the same znodes).</summary>
    public ZooKeeperClient Admin { get; }

    /// <summary>A reader over this cluster, for tests and the --sandbox mode.</summary>
    public KafkaMetadataReader Reader { get; }

    public IReadOnlyCollection<int> RunningBrokerIds => _running.Keys.Order().ToList();

    public SandboxBroker Broker(int id) => _running.TryGetValue(id, out var broker) ? broker : throw new ArgumentException($"broker {id} is not running", nameof(id));

    public static async Task<SandboxKafkaCluster> StartAsync(string connectString, SandboxKafkaOptions? options = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        options ??= new SandboxKafkaOptions();
        var admin = await ZooKeeperClient.ConnectAsync(connectString, null, cancellationToken).ConfigureAwait(false);
        var cluster = new SandboxKafkaCluster(connectString, admin, options, time ?? TimeProvider.System);
        try
        {
            await cluster.CreatePersistentPathsAsync(cancellationToken).ConfigureAwait(false);
            foreach (var id in options.BrokerIds) await cluster.StartBrokerAsync(id, cancellationToken).ConfigureAwait(false);
            await cluster.WaitForControllerAsync(TimeSpan.FromSeconds(15), cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// What the dashboard's <c>--sandbox</c> mode shows: 3 brokers, two topics with replication factor 3 and min ISR 2,
    /// and one with replication factor 1 (goes offline with its broker).
    /// </summary>
    public static async Task<SandboxKafkaCluster> StartDemoAsync(string connectString, CancellationToken cancellationToken = default)
    {
        var cluster = await StartAsync(connectString, new SandboxKafkaOptions { Brokers = 3, Chroot = "/kafka" }, null, cancellationToken).ConfigureAwait(false);
        try
        {
            var minIsr2 = new Dictionary<string, string> { [EntityConfig.MinInsyncReplicasKey] = "2" };
            if (!(await cluster.Reader.ReadAsync(cancellationToken).ConfigureAwait(false)).Topics.ContainsKey("orders"))
            {
                await cluster.CreateTopicAsync("orders", 6, 3, minIsr2, cancellationToken).ConfigureAwait(false);
                await cluster.CreateTopicAsync("payments", 3, 3, minIsr2, cancellationToken).ConfigureAwait(false);
                await cluster.CreateTopicAsync("logs", 3, 1, null, cancellationToken).ConfigureAwait(false);
            }
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The persistent paths a Kafka broker creates at start (<c>KafkaZkClient.createTopLevelPaths</c>) and the cluster id.</summary>
    private async Task CreatePersistentPathsAsync(CancellationToken cancellationToken)
    {
        var chroot = Paths.Chroot;
        var parents = new List<string>();
        for (var i = chroot.IndexOf('/', 1); i > 0; i = chroot.IndexOf('/', i + 1)) parents.Add(chroot[..i]);
        if (chroot.Length > 0) parents.Add(chroot);
        string[] top = ["/brokers", "/brokers/ids", "/brokers/topics", "/brokers/seqid", "/config", "/config/topics", "/config/brokers",
            "/config/changes", "/admin", "/admin/delete_topics", "/isr_change_notification", "/log_dir_event_notification", "/cluster"];
        foreach (var path in parents.Concat(top.Select(t => chroot + t))) await EnsureAsync(path, [], cancellationToken).ConfigureAwait(false);
        await EnsureAsync(Paths.ClusterId, SandboxKafkaJson.ClusterId(Options.ClusterId), cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureAsync(string path, byte[] data, CancellationToken cancellationToken)
    {
        try
        {
            await Admin.CreateAsync(path, data, CreateMode.Persistent, null, cancellationToken).ConfigureAwait(false);
        }
        catch (NodeExistsException)
        {
        }
    }

    /// <summary>Starts (or restarts) a broker: a new session and a new registration, hence a new broker epoch.</summary>
    public async Task<SandboxBroker> StartBrokerAsync(int id, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_running.ContainsKey(id)) throw new InvalidOperationException($"broker {id} is already running");
            var broker = new SandboxBroker(id, ConnectString, Paths, Options, _time);
            try
            {
                await broker.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await broker.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            _running[id] = broker;
            return broker;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The broker dies: its session closes with no controlled shutdown, so its ephemerals vanish at once.</summary>
    public async Task KillBrokerAsync(int id)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_running.Remove(id, out var broker)) throw new InvalidOperationException($"broker {id} is not running");
            await broker.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Kafka's controlled shutdown (SIGTERM): the controller moves leadership off the broker and takes it out of
    /// ISRs, then the broker leaves. Returns false when no controller ran it (the broker then just leaves).
    /// </summary>
    public async Task<bool> StopBrokerAsync(int id, CancellationToken cancellationToken = default)
    {
        var ran = await RequestControlledShutdownAsync(id, cancellationToken).ConfigureAwait(false);
        await KillBrokerAsync(id).ConfigureAwait(false);
        return ran;
    }

    /// <summary>The first half of <see cref="StopBrokerAsync"/>: the controller moves everything off the broker, which stays registered.</summary>
    public async Task<bool> RequestControlledShutdownAsync(int id, CancellationToken cancellationToken = default)
    {
        var controllerId = await CurrentControllerAsync(cancellationToken).ConfigureAwait(false);
        return controllerId is { } c && _running.TryGetValue(c, out var controller)
            && await controller.RunControlledShutdownAsync(id).WaitAsync(TimeSpan.FromSeconds(15), cancellationToken).ConfigureAwait(false);
    }

    public async Task<int?> CurrentControllerAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var data = await Admin.GetDataAsync(Paths.Controller, null, cancellationToken).ConfigureAwait(false);
            return KafkaZNodeParser.Controller(data.Data).Value?.BrokerId;
        }
        catch (NoNodeException)
        {
            return null;
        }
    }

    public async Task<int> WaitForControllerAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = _time.GetUtcNow() + timeout;
        while (true)
        {
            if (await CurrentControllerAsync(cancellationToken).ConfigureAwait(false) is { } id && _running.ContainsKey(id)) return id;
            if (_time.GetUtcNow() > deadline) throw new TimeoutException("no sandbox broker became controller");
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Creates a topic as Kafka's admin tools do (config first, then the assignment; the controller then creates each
    /// partition's state), and waits until every partition has a state.
    /// </summary>
    public async Task<IReadOnlyDictionary<int, IReadOnlyList<int>>> CreateTopicAsync(string topic, int partitions, int replicationFactor,
        IReadOnlyDictionary<string, string>? config = null, CancellationToken cancellationToken = default)
    {
        var assignment = ReplicaAssignment.Assign(RunningBrokerIds, partitions, replicationFactor, _random);
        await Admin.CreateAsync(Paths.TopicConfig(topic), SandboxKafkaJson.Config(config ?? new Dictionary<string, string>()), CreateMode.Persistent, null, cancellationToken).ConfigureAwait(false);
        await Admin.CreateAsync(Paths.Topic(topic), SandboxKafkaJson.Topic(assignment, SandboxKafkaJson.NewTopicId()), CreateMode.Persistent, null, cancellationToken).ConfigureAwait(false);
        await WaitUntilAsync(s => s.Topics.TryGetValue(topic, out var t) && t.Partitions.Count == partitions && t.Partitions.All(p => p.State is not null),
            TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        return assignment;
    }

    /// <summary>Writes <c>/admin/preferred_replica_election</c>; throws <see cref="NodeExistsException"/> while one is pending, like Kafka's tool.</summary>
    public Task RequestPreferredElectionAsync(IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default) =>
        Admin.CreateAsync(Paths.PreferredReplicaElection, SandboxKafkaJson.PreferredReplicaElection(partitions), CreateMode.Persistent, null, cancellationToken);

    /// <summary>Reads snapshots until <paramref name="condition"/> holds; returns the snapshot that satisfied it.</summary>
    public async Task<KafkaClusterSnapshot> WaitUntilAsync(Func<KafkaClusterSnapshot, bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = _time.GetUtcNow() + timeout;
        while (true)
        {
            var snapshot = await Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (condition(snapshot)) return snapshot;
            if (_time.GetUtcNow() > deadline) throw new TimeoutException("the sandbox Kafka cluster did not reach the expected state");
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var broker in _running.Values) await broker.DisposeAsync().ConfigureAwait(false);
        _running.Clear();
        await Admin.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }
}
