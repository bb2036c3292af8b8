using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Dashboard.Core.Ensemble;
using Dashboard.Core.Replicas;
using Dashboard.Monitoring;
using Dashboard.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Dashboard.Tests.Replicas;

/// <summary>
/// Two replicas (hosts of the real app) on one PostgreSQL and the shared real ensemble: only the lease holder polls;
/// the other shows the holder's snapshots (the same ones, a node the ensemble lost included) in its store, API and
/// <c>/readyz</c> without polling once, and takes the polling over when the holder stops. One dashboard on SQLite
/// polls its clusters itself, as before.
/// </summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class LiveFollowTests(SharedEnsemble ensemble, PostgresServer server, ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    private const string Cluster = "local";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Follower_ShowsTheHoldersSnapshots_WithoutPolling_NodeDownToo_ThenPollsWhenTheHolderStops()
    {
        var connectionString = await server.CreateDatabaseAsync();
        var replicas = new List<DashboardAppFactory> { new(Settings(connectionString, "a")), new(Settings(connectionString, "b")) };
        try
        {
            foreach (var replica in replicas) _ = replica.Services; // starts the host
            var holder = await WaitForAsync(() => replicas.FirstOrDefault(r => Leases(r).Holds(Cluster)), "no replica took the cluster's lease");
            var follower = replicas.Single(r => r != holder);
            var holderName = Leases(holder).Holder;

            // A snapshot the holder polled reaches the follower's store as it is, within a publish and a read.
            await WaitForAsync(() => Store(follower).Get(Cluster), "the follower never showed the cluster");
            var earlier = await WaitForAsync(() => Store(holder).Get(Cluster)?.Latest, "the holder never polled");
            var polled = await WaitForAsync(() => Store(holder).Get(Cluster)?.Latest is { } l && l.TakenAt > earlier.TakenAt ? l : null, "the holder stopped polling");
            var clock = Stopwatch.StartNew(); // within a probe (50 ms) of the holder recording it
            var shown = await WaitForAsync(() => Store(follower).Get(Cluster)?.Latest is { } l && l.TakenAt >= polled.TakenAt ? l : null, "the follower's view stopped");
            var lag = clock.Elapsed;
            output.WriteLine($"holder {holderName}; the follower showed its poll of {polled.TakenAt:O} {lag.TotalMilliseconds:F0} ms after the holder recorded it");
            Assert.True(lag < TimeSpan.FromSeconds(3), $"the follower showed the holder's poll after {lag.TotalSeconds:F1} s");
            Assert.Contains(Store(holder).Get(Cluster)!.History, s => s.TakenAt == shown.TakenAt && s.Nodes.Length == shown.Nodes.Length);
            Assert.Equal(holderName, shown.PolledBy);
            Assert.Equal(0, Monitor(follower).PollsOf(Cluster));
            Assert.True(Monitor(holder).PollsOf(Cluster) > 0);

            // Its API and readiness read the same store.
            using (var client = follower.CreateClient())
            {
                var ensembleJson = JsonDocument.Parse(await client.GetStringAsync(new Uri($"/api/clusters/{Cluster}/ensemble", UriKind.Relative))).RootElement;
                Assert.Equal(holderName, ensembleJson.GetProperty("polledBy").GetString());
                var ready = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
                Assert.True(ready.StatusCode == HttpStatusCode.OK, await ready.Content.ReadAsStringAsync());
            }

            // A node the ensemble loses shows as down on the follower too, from the holder's polls alone.
            var observer = ensemble.Sandbox.Observers.First();
            await ensemble.Sandbox.StopNodeAsync(observer.Id);
            try
            {
                await WaitForAsync(() => Node(follower, observer.Id) is { IsServing: false } ? true : (bool?)null, $"the follower never showed node {observer.Id} down");
            }
            finally
            {
                await ensemble.Sandbox.StartNodeAsync(observer.Id);
                await ensemble.Sandbox.WaitForNodeServingAsync(observer.Id, Timeout);
            }
            await WaitForAsync(() => Node(follower, observer.Id) is { IsServing: true } ? true : (bool?)null, $"the follower never showed node {observer.Id} back");
            Assert.Equal(0, Monitor(follower).PollsOf(Cluster));

            // The holder stops (its leases go at once): the follower takes the lease and polls; its store goes on.
            var before = Store(follower).Get(Cluster)!.Latest.TakenAt;
            replicas.Remove(holder);
            await holder.DisposeAsync();
            await WaitForAsync(() => Monitor(follower).PollsOf(Cluster) >= 3 ? true : (bool?)null, "the follower never started polling");
            var own = Store(follower).Get(Cluster)!.Latest;
            Assert.True(own.TakenAt > before);
            Assert.Equal(Leases(follower).Holder, own.PolledBy);
            Assert.True(Leases(follower).Holds(Cluster));
        }
        finally
        {
            foreach (var replica in replicas) await replica.DisposeAsync();
        }
    }

    [Fact]
    public async Task DatabaseDown_TheFollowerPollsItselfAfterALease_AndFollowsAgainOnceItAnswers()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await using var a = new DashboardAppFactory(Settings(connectionString, "a"));
        await using var b = new DashboardAppFactory(Settings(connectionString, "b"));
        DashboardAppFactory[] replicas = [a, b];
        foreach (var replica in replicas) _ = replica.Services;
        var holder = await WaitForAsync(() => replicas.FirstOrDefault(r => Leases(r).Holds(Cluster)), "no replica took the cluster's lease");
        var follower = replicas.Single(r => r != holder);
        await WaitForAsync(() => Store(follower).Get(Cluster), "the follower never showed the cluster");
        Assert.Equal(0, Monitor(follower).PollsOf(Cluster));

        // The database crashes: nobody's snapshots reach the follower, so after a lease period it polls itself.
        var holderPolls = Monitor(holder).PollsOf(Cluster);
        var clock = Stopwatch.StartNew();
        await server.StopAsync();
        try
        {
            await WaitForAsync(() => Monitor(follower).PollsOf(Cluster) >= 2 ? true : (bool?)null, "the follower never polled while the database was down");
            output.WriteLine($"the follower polled itself {clock.Elapsed.TotalSeconds:F1} s after the database stopped (lease 6 s)");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the follower polled only after {clock.Elapsed.TotalSeconds:F1} s");
            Assert.Equal(Leases(follower).Holder, Store(follower).Get(Cluster)!.Latest.PolledBy);
            Assert.True(Monitor(holder).PollsOf(Cluster) > holderPolls, "the holder stopped polling with the database");
            Assert.InRange(holder.Services.GetRequiredService<LiveSnapshotOutbox>().Count, 0, 1); // unpublished: the newest only
        }
        finally
        {
            await server.StartAsync();
        }

        // Back (its unlogged live_snapshots emptied by the crash): one replica holds the lease again, the other
        // stops polling and shows the holder's snapshots.
        var newHolder = await WaitForAsync(() => replicas.FirstOrDefault(r => Leases(r).Holds(Cluster) && !Polling(replicas.Single(o => o != r)).CutOff), "no lease was renewed after the database came back");
        var newFollower = replicas.Single(r => r != newHolder);
        await WaitForAsync(() => Store(newFollower).Get(Cluster)?.Latest is { } l && l.PolledBy == Leases(newHolder).Holder ? l : null, "the follower never showed the holder's snapshots again");
        var polls = Monitor(newFollower).PollsOf(Cluster);
        var shown = Store(newFollower).Get(Cluster)!.Latest.TakenAt;
        await WaitForAsync(() => Store(newFollower).Get(Cluster)!.Latest.TakenAt > shown.AddSeconds(2) ? true : (bool?)null, "the follower's view stopped");
        Assert.Equal(polls, Monitor(newFollower).PollsOf(Cluster));
    }

    [Fact]
    public async Task HolderThatRenewsButNeverPublishes_TheFollowerPollsItselfWritingNoHistory_ThenFollowsOnceTheHolderPublishes()
    {
        // "old" holds the lease and publishes nothing: a stuck poller, or a replica of an older version mid-upgrade.
        var connectionString = await server.CreateDatabaseAsync();
        var database = new Dashboard.Core.History.HistoryDatabase(new Dashboard.Core.History.HistoryOptions { Provider = "postgres", ConnectionString = connectionString });
        database.Migrate();
        var leaseStore = new ClusterLeaseStore(database);
        var epoch = leaseStore.Renew("old", [Cluster], TimeSpan.FromSeconds(6)).Held[Cluster];
        using var renewing = new CancellationTokenSource();
        var publishing = false;
        var snapshots = new LiveSnapshotStore(database);
        EnsembleSnapshot? template = null;
        var old = Task.Run(async () =>
        {
            while (!renewing.IsCancellationRequested)
            {
                Assert.Equal(epoch, leaseStore.Renew("old", [Cluster], TimeSpan.FromSeconds(6)).Held[Cluster]);
                if (Volatile.Read(ref publishing) && template is { } t)
                {
                    var snapshot = t with { TakenAt = DateTimeOffset.UtcNow, PolledBy = "old" };
                    snapshots.Publish("old", [new LiveSnapshotPublish(Cluster, epoch, snapshot.TakenAt.ToUnixTimeMilliseconds(),
                        JsonSerializer.Serialize(snapshot, Dashboard.Core.History.EnsembleHistoryRecorder.SnapshotJson))]);
                }
                await Task.Delay(500);
            }
        });
        try
        {
            await using var b = new DashboardAppFactory(Settings(connectionString, "b"));
            _ = b.Services;
            var clock = Stopwatch.StartNew();
            await WaitForAsync(() => Monitor(b).PollsOf(Cluster) >= 2 ? true : (bool?)null, "the follower never polled a cluster whose holder is silent");
            output.WriteLine($"b polled the silent holder's cluster itself {clock.Elapsed.TotalSeconds:F1} s after it started (silent after {PollingDuty.SilentAfter(TimeSpan.FromSeconds(1)).TotalSeconds} s)");
            Assert.False(Leases(b).Holds(Cluster)); // still old's: b polls for its own pages only
            Assert.Equal("b", Store(b).Get(Cluster)!.Latest.PolledBy);
            using (var connection = database.Open())
                Assert.Equal(0, Dapper.SqlMapper.ExecuteScalar<long>(connection, "SELECT count(*) FROM node_metrics")); // never a second writer

            // The holder publishes again: b shows its snapshots and stops polling.
            template = Store(b).Get(Cluster)!.Latest;
            Volatile.Write(ref publishing, true);
            await WaitForAsync(() => Store(b).Get(Cluster)?.Latest is { PolledBy: "old" } ? true : (bool?)null, "b never showed the holder's snapshots");
            await Task.Delay(1500); // a poll under way when the news came may still finish
            var polls = Monitor(b).PollsOf(Cluster);
            await Task.Delay(3000);
            Assert.Equal(polls, Monitor(b).PollsOf(Cluster));
            Assert.Equal("old", Store(b).Get(Cluster)!.Latest.PolledBy);
        }
        finally
        {
            await renewing.CancelAsync();
            await old;
        }
    }

    [Fact]
    public async Task OneDashboardOnSqlite_PollsTheClusterItself_NamesNoReplica()
    {
        await using var app = new DashboardAppFactory(SandboxClusterSettings.For(ensemble.Sandbox));
        _ = app.Services;
        await WaitForAsync(() => Monitor(app).PollsOf(Cluster) >= 2 ? true : (bool?)null, "the dashboard never polled");
        Assert.Null(Store(app).Get(Cluster)!.Latest.PolledBy);
        using var client = app.CreateClient();
        var ensembleJson = JsonDocument.Parse(await client.GetStringAsync(new Uri($"/api/clusters/{Cluster}/ensemble", UriKind.Relative))).RootElement;
        Assert.False(ensembleJson.TryGetProperty("polledBy", out _));
    }

    private static ClusterLeases Leases(DashboardAppFactory app) => app.Services.GetRequiredService<ClusterLeases>();

    private static PollingDuty Polling(DashboardAppFactory app) => app.Services.GetRequiredService<PollingDuty>();

    private static EnsembleStore Store(DashboardAppFactory app) => app.Services.GetRequiredService<EnsembleStore>();

    private static EnsembleMonitor Monitor(DashboardAppFactory app) => app.Services.GetServices<IHostedService>().OfType<EnsembleMonitor>().Single();

    private static NodeStatus? Node(DashboardAppFactory app, int id) => Store(app).Get(Cluster)?.Latest.Nodes.FirstOrDefault(n => n.Id == id);

    private static async Task<T> WaitForAsync<T>(Func<T?> probe, string failure) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (probe() is { } value) return value;
            Assert.True(clock.Elapsed < Timeout, failure);
            await Task.Delay(50);
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe, string failure) where T : struct
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (probe() is { } value) return value;
            Assert.True(clock.Elapsed < Timeout, failure);
            await Task.Delay(50);
        }
    }

    private Dictionary<string, string?> Settings(string connectionString, string name)
    {
        var settings = SandboxClusterSettings.For(ensemble.Sandbox, pollInterval: "00:00:01", nodeTimeout: "00:00:00.800");
        settings["History:Provider"] = "postgres";
        settings["History:ConnectionString"] = connectionString;
        settings["Replicas:Name"] = name;
        // The default lease: a loaded machine may delay a round by seconds, and a replica that sees no round succeed
        // for a lease polls everything itself (the database-down test relies on it; the others must not see it).
        settings["Replicas:LeaseDuration"] = "00:00:06";
        settings["Replicas:RenewInterval"] = "00:00:01";
        return settings;
    }
}
