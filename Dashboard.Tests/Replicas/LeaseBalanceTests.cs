using Dashboard.Core.AdminServer;
using Dashboard.Core.Clusters;
using Dashboard.Core.History;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Membership;
using Dashboard.Core.Replicas;
using Dashboard.Maintenance;
using Dashboard.Replicas;
using Dashboard.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dashboard.Tests.Replicas;

/// <summary>
/// The renewal loop's side of spreading clusters: clusters that only this replica would take (another replica is
/// alive but lists none) stay with it instead of bouncing between "shed" and "abandoned", until a replica that does
/// take them appears.
/// </summary>
public sealed class LeaseBalanceTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task ClustersNobodyElseTakes_KeptWithoutBouncing_ThenShedWhenAReplicaThatTakesThemJoins()
    {
        var database = new HistoryDatabase(new HistoryOptions { Provider = "postgres", ConnectionString = await server.CreateDatabaseAsync() });
        database.Migrate();
        var store = new ClusterLeaseStore(database);
        string[] ids = ["c1", "c2", "c3", "c4"];
        var registry = new ClusterRegistry(ids.Select((id, i) => ClusterDefinition.FromOptions(new ClusterOptions { Name = id, ConnectString = "127.0.0.1:1" }, i)));
        using var controls = new NodeControlFactory();
        using var http = new HttpClient();
        await using var coordinator = new MaintenanceCoordinator(new MaintenanceStore(database), new RegistryMaintenanceTargets(registry, controls, new AdminServerClient(http)));
        var leases = new ClusterLeases("a", shared: true);
        await using var membership = new MembershipCoordinator(new MembershipStore(database), new RegistryMembershipTargets(registry));
        var a = new LeaseRenewal(leases, store, registry, new ReplicaSettings { LeaseDuration = Lease, RenewInterval = Lease / 2 },
            coordinator, membership, TimeProvider.System, NullLogger<LeaseRenewal>.Instance);

        // "quiet" is alive but lists no cluster: a takes its fair share (2), then the other two once abandoned.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the clusters nobody took were never taken");
            store.Renew("quiet", [], Lease);
            a.RenewOnce();
            await Task.Delay(200);
        }
        while (leases.HeldClusters.Count < 4);

        // From here on a keeps all four: no round lets two go again (they would have nobody to go to).
        for (var round = 0; round < 15; round++)
        {
            store.Renew("quiet", [], Lease);
            a.RenewOnce();
            Assert.Equal(ids, leases.HeldClusters.Order());
            await Task.Delay(200);
        }
        var epochs = store.List().Where(l => ids.Contains(l.ClusterId)).ToDictionary(l => l.ClusterId, l => l.Epoch);

        // "b" joins and takes clusters: three replicas alive, a's fair share is 2, so a lets two go and b takes them.
        LeaseRound b;
        clock.Restart();
        do
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "a never let its excess go to b");
            store.Renew("quiet", [], Lease);
            a.RenewOnce();
            b = store.Renew("b", ids, Lease);
            await Task.Delay(200);
        }
        while (b.Held.Count < 2);
        Assert.Equal(2, leases.HeldClusters.Count);
        Assert.Empty(leases.HeldClusters.Intersect(b.Held.Keys));
        Assert.All(b.Held, h => Assert.Equal(epochs[h.Key] + 1, h.Value)); // handed over: the epoch went up, a's late writes are fenced
    }
}
