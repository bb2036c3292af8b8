using Dashboard.Core.History;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Membership;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Maintenance;

/// <summary>
/// The per-cluster lock that maintenance runs and membership changes share, through separate stores (as separate
/// dashboards or replicas hold them) on one database, once per provider: <see cref="SqliteRunLockTests"/> and
/// <see cref="PostgresRunLockTests"/>.
/// </summary>
public abstract class RunLockTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private HistoryOptions _where = null!;

    protected abstract Task<HistoryOptions> NewPlaceAsync();

    public async Task InitializeAsync() => _where = await NewPlaceAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private HistoryDatabase NewDatabase() => new(_where with { BusyTimeout = TimeSpan.FromSeconds(20) });

    [Fact]
    public void MaintenanceRunHoldsCluster_MembershipChangeRefused_AndTheOtherWayRound()
    {
        var maintenance = new MaintenanceStore(NewDatabase());
        var membership = new MembershipStore(NewDatabase());

        var restart = maintenance.Create(Restart("m1"));
        var refused = Assert.Throws<MaintenanceRefusedException>(() => membership.Create(Change("g1")));
        Assert.True(refused.IsConflict);
        Assert.Contains(refused.Refusals, r => r.Rule == MembershipRules.OneChangeInFlight && r.Detail == "run m1 holds this cluster");
        Assert.Equal("m1", membership.LockHolder("c"));
        Assert.Null(membership.Get("g1"));

        maintenance.Save(restart with { State = RunState.Succeeded, FinishedAt = T0.AddMinutes(3) });
        Assert.Null(membership.LockHolder("c"));
        var change = membership.Create(Change("g1"));
        refused = Assert.Throws<MaintenanceRefusedException>(() => maintenance.Create(Restart("m2")));
        Assert.True(refused.IsConflict);
        Assert.Contains(refused.Refusals, r => r.Rule == MaintenanceRules.OneRunPerCluster && r.Detail == "membership change g1 holds this cluster (the maintenance lock is shared)");
        Assert.Null(maintenance.Active("c")); // the holder is no maintenance run: the maintenance page shows none

        membership.Save(change with { State = RunState.Aborted, FinishedAt = T0.AddMinutes(4) });
        Assert.Equal("m2", maintenance.Create(Restart("m2")).Id);
        Assert.Equal("m2", maintenance.Active("c")?.Id);
    }

    [Fact]
    public async Task StoresRaceForOneCluster_ExactlyOneRunTakesIt_TheOthersAreRefusedCleanly()
    {
        const int racers = 8;
        // The schema first, so the race is for the lock and not for the migration.
        NewDatabase().Migrate();
        // Several rounds, each for a cluster of its own: a lost update needs the racers to meet in a narrow window.
        for (var round = 0; round < 5; round++)
        {
            var cluster = $"c{round}";
            // Each racer its own store and connections, as replicas have; half of them maintenance, half membership.
            var creates = Enumerable.Range(0, racers).Select(i => i % 2 == 0
                ? CreateOn(new MaintenanceStore(NewDatabase()), Restart($"m{round}-{i}", cluster))
                : CreateOn(new MembershipStore(NewDatabase()), Change($"g{round}-{i}", cluster))).ToList();
            using var start = new Barrier(racers);
            var outcomes = await Task.WhenAll(creates.Select(create => Task.Factory.StartNew(() =>
            {
                start.SignalAndWait(TimeSpan.FromSeconds(30));
                try
                {
                    return create();
                }
                catch (MaintenanceRefusedException e) when (e.IsConflict)
                {
                    return null;
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));

            var winner = Assert.Single(outcomes, o => o is not null);
            Assert.Equal(winner, new MembershipStore(NewDatabase()).LockHolder(cluster));
        }
    }

    [Fact]
    public void MembershipLog_KeptInOrder_ALongLineCut()
    {
        var store = new MembershipStore(NewDatabase());
        store.Create(Change("g1"));
        store.AppendLog("g1", new RunLogLine(T0, RunLogLine.Info, "first"));
        store.AppendLog("g1", new RunLogLine(T0.AddSeconds(1), RunLogLine.Warning, new string('x', MaintenanceStore.MaxLogMessage + 500)));

        var log = store.Get("g1")!.Log;

        Assert.Equal(["first", new string('x', MaintenanceStore.MaxLogMessage) + "..."], log.Select(l => l.Message));
        Assert.Equal([T0, T0.AddSeconds(1)], log.Select(l => l.At));
        Assert.Empty(store.Get("g1", withLog: false)!.Log);
    }

    private static Func<string?> CreateOn(MaintenanceStore store, MaintenanceRun run) => () => store.Create(run).Id;

    private static Func<string?> CreateOn(MembershipStore store, MembershipRun run) => () => store.Create(run).Id;

    private static MaintenanceRun Restart(string id, string cluster = "c") =>
        new(id, cluster, MaintenanceOperation.Restart, "alice", T0)
        {
            State = RunState.Running,
            Steps = [new MaintenanceStep(0, NodeAction.Restart, 1, "n1:2181", false, "script")],
        };

    private static MembershipRun Change(string id, string cluster = "c") =>
        new(id, cluster, MembershipChange.Remove(5), "alice", T0)
        {
            State = RunState.Running,
            Steps = [new MembershipRunStep(0, MembershipChangeKind.Remove, [5], null, "5", [1, 2, 3, 4, 5], [1, 2, 3, 4])],
        };
}

public sealed class SqliteRunLockTests : RunLockTests
{
    private readonly string _folder = Directory.CreateTempSubdirectory("run-lock-").FullName;

    protected override Task<HistoryOptions> NewPlaceAsync() => Task.FromResult(new HistoryOptions { DatabasePath = Path.Combine(_folder, "history.db") });

    public override Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class PostgresRunLockTests(PostgresServer server) : RunLockTests, IClassFixture<PostgresServer>
{
    protected override async Task<HistoryOptions> NewPlaceAsync() =>
        new() { Provider = HistoryProvider.PostgresName, ConnectionString = await server.CreateDatabaseAsync() };
}
