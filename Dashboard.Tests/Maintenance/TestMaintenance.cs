using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;
using Dashboard.Core.History;
using Dashboard.Core.Kafka.Sandbox;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Maintenance.Kafka;
using Dashboard.Core.Sandbox;

namespace Dashboard.Tests.Maintenance;

/// <summary>A coordinator over a real sandbox and a history file of its own, with short waits for tests.</summary>
internal sealed class TestMaintenance : IMaintenanceTargets, IAsyncDisposable
{
    /// <summary>An operator, as the page and the API pass one in.</summary>
    public static readonly MaintenanceActor Tester = new("tester", Dashboard.Core.Access.DashboardRole.Operator);

    private readonly NodeControlFactory _controls = new();
    private readonly string _folder;

    public TestMaintenance(ZooKeeperSandbox sandbox, NodeControlSettings? control = null, TimeSpan? settle = null, TimeSpan? stepTimeout = null, string? folder = null,
        SandboxKafkaCluster? kafka = null, NodeControlSettings? brokerControl = null, Dashboard.Core.Access.IAuditLog? audit = null)
    {
        Kafka = kafka;
        Sandbox = sandbox;
        _folder = folder ?? Directory.CreateTempSubdirectory("maintenance-").FullName;
        OwnsFolder = folder is null;
        Cluster = SandboxCluster.Define(sandbox, "sandbox", "Sandbox", TimeSpan.FromMilliseconds(500)) with
        {
            NodeTimeout = TimeSpan.FromSeconds(1),
            Maintenance = new MaintenanceSettings
            {
                Enabled = true,
                Control = control ?? new NodeControlSettings(NodeControlKind.Sandbox),
                BrokerControl = kafka is null ? null : brokerControl ?? new NodeControlSettings(NodeControlKind.Sandbox),
                SettlePeriod = settle ?? TimeSpan.FromSeconds(2),
                StepTimeout = stepTimeout ?? TimeSpan.FromSeconds(90),
                PollInterval = TimeSpan.FromMilliseconds(250),
            },
        };
        _controls.RegisterSandbox(Cluster.Id, sandbox);
        if (kafka is not null) _controls.RegisterSandboxKafka(Cluster.Id, kafka);
        Database = new HistoryDatabase(new HistoryOptions { DatabasePath = Path.Combine(_folder, "history.db") });
        Store = new MaintenanceStore(Database);
        Coordinator = new MaintenanceCoordinator(Store, this, audit);
    }

    public ZooKeeperSandbox Sandbox { get; }
    public SandboxKafkaCluster? Kafka { get; }
    public ClusterDefinition Cluster { get; }
    public HistoryDatabase Database { get; }
    public MaintenanceStore Store { get; }
    public MaintenanceCoordinator Coordinator { get; }
    public string Folder => _folder;
    private bool OwnsFolder { get; }

    public MaintenanceTarget? Find(string clusterId) => clusterId == Cluster.Id
        ? new MaintenanceTarget(Cluster, new PollingEnsembleReader(Cluster, new EnsemblePoller(new NodeProbe(null))), (NodeDefinition node, out string? problem) => _controls.For(Cluster, node, out problem))
        {
            Kafka = Kafka is null ? null : new BrokerRollTarget(new KafkaBrokerRollChecks(Kafka.Admin, Kafka.Reader),
                (NodeDefinition broker, out string? problem) => _controls.ForBroker(Cluster, broker, out problem)),
        }
        : null;

    public Task<EnsembleSnapshot> PollAsync() => new EnsemblePoller(new NodeProbe(null)).PollAsync(Cluster);

    /// <summary>Waits until the run is no longer running (paused or ended) and returns it with its log.</summary>
    public async Task<MaintenanceRun> WaitUntilSettledAsync(string runId, TimeSpan timeout, Func<MaintenanceRun, bool>? until = null)
    {
        until ??= r => r.State != RunState.Running;
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var run = Coordinator.Get(runId)!;
            if (until(run)) return run;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Run {runId} still {run.State} at step {run.CurrentStep + 1} after {timeout.TotalSeconds} s. Log:\n{string.Join('\n', run.Log.Select(l => l.Message))}");
            await Task.Delay(200);
        }
    }

    /// <summary>Until every node of the sandbox serves again (tests that take nodes down leave it whole).</summary>
    public async Task WaitUntilWholeAsync()
    {
        foreach (var node in Sandbox.Nodes.Where(n => n.State == SandboxNodeState.Stopped)) await Sandbox.StartNodeAsync(node.Id);
        await Sandbox.WaitUntilServingAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        await Coordinator.DisposeAsync();
        _controls.Dispose();
        if (OwnsFolder && Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>A 3-voter + 1-observer sandbox for one destructive test class.</summary>
public sealed class MaintenanceEnsemble : IAsyncLifetime
{
    public ZooKeeperSandbox Sandbox { get; private set; } = null!;

    public async Task InitializeAsync() => Sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 3, Observers = 1 });

    public async Task DisposeAsync()
    {
        if (Sandbox is not null) await Sandbox.DisposeAsync();
    }
}
