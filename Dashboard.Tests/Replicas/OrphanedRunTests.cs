using Dashboard.Core.AdminServer;
using Dashboard.Core.Clusters;
using Dashboard.Core.History;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Membership;
using Dashboard.Core.Replicas;
using Dashboard.Maintenance;
using Dashboard.Membership;
using Dashboard.Replicas;
using Dashboard.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dashboard.Tests.Replicas;

/// <summary>
/// A maintenance run left marked running on a shared PostgreSQL history: paused by another replica only once the
/// replica executing it stopped renewing the run's lease, never while it lives.
/// </summary>
public sealed class OrphanedRunTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task RunOfALiveReplica_LeftAlone_RunOfADeadOne_PausedWithItsStepInterrupted()
    {
        var database = new HistoryDatabase(new HistoryOptions { Provider = "postgres", ConnectionString = await server.CreateDatabaseAsync() });
        var store = new MaintenanceStore(database);
        var leaseStore = new ClusterLeaseStore(database);
        // Two runs that replica "a" was executing; its step on node 1 had started acting.
        var stale = DateTimeOffset.UtcNow.AddMinutes(-5);
        foreach (var (id, cluster) in new[] { ("alive", "c1"), ("orphan", "c2") })
            store.Create(new MaintenanceRun(id, cluster, MaintenanceOperation.Restart, "alice", stale)
            {
                State = RunState.Running,
                Steps = [new MaintenanceStep(0, NodeAction.Restart, 1, "n1:2181", false, "script") { State = StepState.Acting, ActionStartedAt = stale }],
            });
        // "a" still renews the lease of one of them.
        leaseStore.Renew("a", [], TimeSpan.FromMinutes(1), ownKeys: [LeaseRenewal.RunLeasePrefix + "alive"]);

        using var controls = new NodeControlFactory();
        using var http = new HttpClient();
        var registry = new ClusterRegistry([]);
        await using var coordinator = new MaintenanceCoordinator(store, new RegistryMaintenanceTargets(registry, controls, new AdminServerClient(http)));
        await using var membership = new MembershipCoordinator(new MembershipStore(database), new RegistryMembershipTargets(registry));
        var b = new LeaseRenewal(new ClusterLeases("b", shared: true), leaseStore, registry, new ReplicaSettings { LeaseDuration = Lease, RenewInterval = Lease / 2 },
            coordinator, membership, TimeProvider.System, NullLogger<LeaseRenewal>.Instance);

        b.RenewOnce();
        b.PauseOrphanedRunsOnce();

        Assert.Equal(RunState.Running, store.Get("alive")!.State);
        var orphan = store.Get("orphan")!;
        Assert.Equal(RunState.Paused, orphan.State);
        Assert.Equal(StepState.Interrupted, orphan.Steps[0].State);
        Assert.Contains("the dashboard executing it stopped during step 1", orphan.PauseReason, StringComparison.Ordinal);
        Assert.Equal("orphan", store.Active("c2")?.Id); // still holds its cluster: visible, resumable, never a second run beside it
    }

    [Fact]
    public async Task MembershipChangeOfALiveReplica_LeftAlone_OneOfADeadOne_PausedWithItsReconfigInterrupted_NotPausedByAReplicaStarting()
    {
        var database = new HistoryDatabase(new HistoryOptions { Provider = "postgres", ConnectionString = await server.CreateDatabaseAsync() });
        database.Migrate();
        var store = new MembershipStore(database);
        var leaseStore = new ClusterLeaseStore(database);
        // Two changes replica "a" was driving; each had sent its reconfig (the step is acting).
        var stale = DateTimeOffset.UtcNow.AddMinutes(-5);
        foreach (var (id, cluster) in new[] { ("alive", "c1"), ("orphan", "c2") })
            store.Create(new MembershipRun(id, cluster, MembershipChange.Remove(4), "alice", stale)
            {
                State = RunState.Running,
                Steps = [new MembershipRunStep(0, MembershipChangeKind.Remove, [4], null, "server.4", [1, 2, 3], [1, 2, 3]) { State = StepState.Acting, StartedAt = stale }],
            });
        leaseStore.Renew("a", [], TimeSpan.FromMinutes(1), ownKeys: [LeaseRenewal.MembershipRunLeasePrefix + "alive"]);

        var registry = new ClusterRegistry([]);
        await using var membership = new MembershipCoordinator(store, new RegistryMembershipTargets(registry));
        var leases = new ClusterLeases("b", shared: true);
        // Replica b starting: with a shared database it must not pause runs that may be driven elsewhere.
        await new MembershipLifetime(membership, leases, NullLogger<MembershipLifetime>.Instance).StartAsync(CancellationToken.None);
        Assert.Equal(RunState.Running, store.Get("orphan")!.State);

        using var controls = new NodeControlFactory();
        using var http = new HttpClient();
        await using var maintenance = new MaintenanceCoordinator(new MaintenanceStore(database), new RegistryMaintenanceTargets(registry, controls, new AdminServerClient(http)));
        var b = new LeaseRenewal(leases, leaseStore, registry, new ReplicaSettings { LeaseDuration = Lease, RenewInterval = Lease / 2 },
            maintenance, membership, TimeProvider.System, NullLogger<LeaseRenewal>.Instance);
        b.PauseOrphanedRunsOnce();

        Assert.Equal(RunState.Running, store.Get("alive")!.State);
        var orphan = store.Get("orphan")!;
        Assert.Equal(RunState.Paused, orphan.State);
        Assert.Equal(StepState.Interrupted, orphan.Steps[0].State);
        Assert.Equal("the dashboard driving it stopped; resume to go on", orphan.PauseReason);
    }
}
