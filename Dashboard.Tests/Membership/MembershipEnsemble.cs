using System.Collections.Concurrent;
using Dashboard.Core.Access;
using Dashboard.Core.Clusters;
using Dashboard.Core.History;
using Dashboard.Core.Membership;
using Dashboard.Core.Sandbox;

namespace Dashboard.Tests.Membership;

/// <summary>
/// 3 voters + 1 observer + 1 spare (running with the members' configuration plus itself, not a member), with
/// skipACL so reconfig is allowed without the superuser; a history database for the runs; the cluster in a registry.
/// </summary>
public sealed class MembershipEnsemble : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"membership-{Guid.NewGuid():N}");

    public ZooKeeperSandbox Sandbox { get; private set; } = null!;
    public ClusterRegistry Registry { get; private set; } = null!;
    public MembershipStore Store { get; private set; } = null!;
    public TestAuditLog Audit { get; } = new();

    public async Task InitializeAsync()
    {
        Sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions
        {
            Voters = 3, Observers = 1, Spares = 1,
            JvmProperties = new Dictionary<string, string> { ["zookeeper.skipACL"] = "yes" },
        });
        Registry = new ClusterRegistry([SandboxCluster.Define(Sandbox) with { SettingsIndex = 0 }]);
        Directory.CreateDirectory(_folder);
        Store = new MembershipStore(new HistoryDatabase(new HistoryOptions { DatabasePath = Path.Combine(_folder, "history.db") }));
    }

    public MembershipCoordinator Coordinator(TimeSpan? configWait = null) =>
        new(Store, new RegistryMembershipTargets(Registry), Audit, timings: new MembershipTimings { ConfigWait = configWait ?? TimeSpan.FromSeconds(60) });

    public ClusterDefinition Cluster => Registry.Find("sandbox")!.Definition;

    public async Task DisposeAsync()
    {
        if (Sandbox is not null) await Sandbox.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
    }
}

public sealed class TestAuditLog : IAuditLog
{
    public ConcurrentQueue<AuditEntry> Entries { get; } = new();
    public void Record(AuditEntry entry) => Entries.Enqueue(entry);
}
