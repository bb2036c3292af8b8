using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text;
using Dashboard.Core.Access;
using Dashboard.Core.FourLetterWords;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Membership;
using Dashboard.Core.Sandbox;
using Dashboard.Core.ZooKeeper;
using Dashboard.Tests.Access;
using Dashboard.Tests.Support;
using Xunit.Abstractions;

namespace Dashboard.Tests.Membership;

/// <summary>
/// Membership changes on a real ensemble, chained from 3 voters + 1 observer + 1 spare to other shapes and back to
/// 3 + 1, under a continuous writer (every acknowledged write read back by kazoo) and a srvr watcher (a leader at
/// every sample), with the refusals in between.
/// </summary>
[Collection(SoloCollection.Name)]
public sealed partial class MembershipChangeTests(MembershipEnsemble ensemble, ITestOutputHelper output) : IClassFixture<MembershipEnsemble>
{
    private static readonly MaintenanceActor Admin = new("alice", DashboardRole.Admin);
    private const string Cluster = "sandbox";

    [Fact]
    public async Task ChainOfChanges_UnderContinuousWrites_NoWriteLostQuorumKeptAndUnsafeChangesRefused()
    {
        var sandbox = ensemble.Sandbox;
        using var stop = new CancellationTokenSource();
        var watcher = WatchQuorumAsync(sandbox, stop.Token);
        var writer = WriteContinuouslyAsync(sandbox.ConnectString, stop.Token);
        var spare = sandbox.Spares.Single();
        var observer = sandbox.Observers.Single();
        var timings = new List<string>();

        // The role is checked by the coordinator itself: an operator may restart nodes, not change the membership.
        await using (var coordinator = ensemble.Coordinator())
        {
            var refused = await Assert.ThrowsAsync<MaintenanceRefusedException>(() =>
                coordinator.StartAsync(Cluster, MembershipChange.Remove(observer.Id), new MaintenanceActor("bob", DashboardRole.Operator)));
            Assert.True(refused.IsForbidden);
            Assert.Contains(ensemble.Audit.Entries, e => e.User == "bob" && e.Action == "membership-start" && e.Outcome == AuditOutcome.Denied);
        }

        // 1. Add the spare as an observer, with the old observer frozen: the run cannot see every server report the
        //    new version, pauses, and is resumed by a new coordinator (as after a dashboard restart) once it answers.
        var addSpare = MembershipChange.Add(spare.Id, spare.Host, spare.QuorumPort, spare.ElectionPort, spare.ClientPort, asVoter: false);
        string firstRun;
        await using (var coordinator = ensemble.Coordinator(configWait: TimeSpan.FromSeconds(4)))
        {
            var plan = await coordinator.PlanAsync(Cluster, addSpare);
            Assert.True(plan.CanStart, string.Join("; ", plan.Refusals));
            Assert.Equal(MembershipChangeKind.AddObserver, Assert.Single(plan.Steps).Kind);
            await sandbox.FreezeNodeAsync(observer.Id);
            try
            {
                var run = await coordinator.StartAsync(plan, Admin);
                firstRun = run.Id;
                run = await coordinator.WaitAsync(run.Id, TimeSpan.FromSeconds(60));
                Assert.Equal(RunState.Paused, run.State);
                Assert.Contains("not every server reports config version", run.PauseReason, StringComparison.Ordinal);
                Assert.Contains($"server.{observer.Id}", run.PauseReason, StringComparison.Ordinal);
            }
            finally
            {
                await sandbox.UnfreezeNodeAsync(observer.Id);
            }
        }
        await using (var restarted = ensemble.Coordinator())
        {
            Assert.Equal(0, restarted.RecoverInterrupted()); // it was paused, not cut off
            var clock = Stopwatch.StartNew();
            await restarted.ResumeAsync(firstRun, Admin);
            var resumed = await restarted.WaitAsync(firstRun, TimeSpan.FromSeconds(90));
            Assert.True(resumed.State == RunState.Succeeded, $"{resumed.State}: {resumed.PauseReason}");
            timings.Add($"resume of add-observer server.{spare.Id}: {clock.ElapsedMilliseconds} ms");
            var saved = ensemble.Store.Get(firstRun)!;
            var step = Assert.Single(saved.Steps);
            Assert.NotNull(step.FromVersion);
            Assert.True(step.ToVersion > step.FromVersion);
            Assert.Contains(saved.Log, l => l.Message.Contains("Resumed by alice", StringComparison.Ordinal));
        }
        // The dashboard follows the membership; the settings lag, and the finding says which lines to write.
        Assert.Contains(ensemble.Cluster.Nodes, n => n.Id == spare.Id && n.IsObserver == true);
        var finding = Assert.Single(MembershipSettings.Findings(ensemble.Cluster));
        Assert.Contains($"server.{spare.Id} ({spare.ClientAddress}) is a member but not in the settings", finding.Message, StringComparison.Ordinal);
        Assert.Contains($"Dashboard:Clusters:0:Nodes:4:Address={spare.ClientAddress}", finding.Message, StringComparison.Ordinal);

        await using var membership = ensemble.Coordinator();

        // 2. Promote it: four voters is even, refused until acknowledged with the typed count.
        var promote = MembershipChange.Promote(spare.Id);
        var even = await membership.PlanAsync(Cluster, promote);
        var odd = Assert.Single(even.Refusals);
        Assert.Equal(MembershipRules.OddVoters, odd.Rule);
        Assert.Contains("type '4 voters'", odd.ToPass, StringComparison.Ordinal);
        timings.Add(await RunAsync(membership, promote with { Acknowledgement = "4 voters" }));
        Assert.True((await ReadAsync()).Members.Single(m => m.Id == spare.Id).IsVoter);

        // 3. Demote a follower that was a voter from the start (not the leader: that would force an election).
        var leader = (await sandbox.FindLeaderAsync())!.Id;
        var demoted = sandbox.Voters.First(v => v.Id != leader);
        timings.Add(await RunAsync(membership, MembershipChange.Demote(demoted.Id)));

        // 4. Remove the original observer.
        timings.Add(await RunAsync(membership, MembershipChange.Remove(observer.Id)));
        var view = await ReadAsync();
        Assert.Equal(3, view.Voters.Count());
        Assert.DoesNotContain(view.Members, m => m.Id == observer.Id);

        // Refused: removing two of the three voters in one change.
        var others = view.Voters.Select(m => m.Id).Where(id => id != leader).ToArray();
        var majority = await membership.PlanAsync(Cluster, MembershipChange.Remove(others) with { Acknowledgement = "1 voters" });
        Assert.Contains(majority.Refusals, r => r.Rule == MembershipRules.MajorityKept && r.Detail.Contains("only 1 of the 3 current voters", StringComparison.Ordinal));

        // Refused: a change made by someone else (kazoo) between the plan and the run. The servers answer
        // BadVersion; the run ends without overwriting it.
        var concurrent = await membership.PlanAsync(Cluster, MembershipChange.Promote(demoted.Id) with { Acknowledgement = "4 voters" });
        Assert.True(concurrent.CanStart, string.Join("; ", concurrent.Refusals));
        var bumped = await Kazoo.ReconfigAsync(sandbox.ConnectString, demoted.ServerLineAs(observer: true), null);
        var lost = await membership.WaitAsync((await membership.StartAsync(concurrent, Admin)).Id, TimeSpan.FromSeconds(60));
        Assert.Equal(RunState.Aborted, lost.State);
        Assert.Contains("BadVersion", lost.PauseReason, StringComparison.Ordinal);
        view = await ReadAsync();
        Assert.True(view.Members.Single(m => m.Id == demoted.Id).IsObserver);
        Assert.Contains($"version={view.ConfigVersion:x}", bumped, StringComparison.Ordinal);
        Assert.Null(ensemble.Store.LockHolder(Cluster));

        // Refused: a server that has not caught up (the removed observer, stopped) cannot become a voter.
        await sandbox.StopNodeAsync(observer.Id);
        var behind = await membership.PlanAsync(Cluster,
            MembershipChange.Add(observer.Id, observer.Host, observer.QuorumPort, observer.ElectionPort, observer.ClientPort, asVoter: true));
        Assert.Equal(2, behind.Steps.Length);
        Assert.NotNull(behind.Shape);
        Assert.Contains(behind.Refusals, r => r.Rule == MembershipRules.CaughtUp && r.Detail.Contains("has not synced", StringComparison.Ordinal));

        // 5 and 6. Back to 3 voters + 1 observer: the removed server rejoins as an observer, the demoted one leaves.
        await sandbox.PrepareToJoinAsync(observer.Id, [.. MembershipPlanner.ConfigAfter(view, [])]);
        timings.Add(await RunAsync(membership, MembershipChange.Add(observer.Id, observer.Host, observer.QuorumPort, observer.ElectionPort, observer.ClientPort, asVoter: false)));
        timings.Add(await RunAsync(membership, MembershipChange.Remove(demoted.Id)));
        view = await ReadAsync();
        Assert.Equal(3, view.Voters.Count());
        Assert.Equal(observer.Id, Assert.Single(view.Members, m => m.IsObserver).Id);

        await stop.CancelAsync();
        var (acknowledged, failed) = await writer;
        var (samples, leaderless) = await watcher;
        var stored = await Kazoo.ChildrenAsync(string.Join(',', view.Members.Select(m => $"{m.ClientAddressHost}:{m.ClientPort}")), "/writer");
        var missing = acknowledged.Except(stored).ToList();
        output.WriteLine(string.Join("\n", timings));
        output.WriteLine($"writes acknowledged {acknowledged.Count}, failed {failed}, lost {missing.Count}; srvr samples {samples}, without a leader {leaderless}");
        Assert.True(acknowledged.Count > 100, $"only {acknowledged.Count} writes were acknowledged");
        Assert.Empty(missing);
        Assert.Equal(0, leaderless);
        Assert.Contains(ensemble.Audit.Entries, e => e.Action == "membership-reconfig" && e.Outcome == AuditOutcome.Failed && e.Detail!.Contains("BadVersion", StringComparison.Ordinal));
        Assert.Contains(ensemble.Audit.Entries, e => e.Action == "membership-change" && e.Outcome == AuditOutcome.Succeeded);
    }

    [Fact]
    public async Task Api_AdminPlansAndStarts_OperatorRefused_StaleVersionEndsWithBadVersionAndAudit()
    {
        var view = await ReadAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Dashboard:Clusters:0:Name"] = "Local",
            ["Dashboard:Clusters:0:ConnectString"] = string.Join(',', view.Servers.Where(s => s.IsMember).Select(s => s.Address)),
        };
        await using var app = AccessTestApp.Create(settings);
        var admin = await AccessTestApp.SignedInAsync(app, AccessTestApp.AdminName);
        admin.DefaultRequestHeaders.Add("RequestVerificationToken", await AccessTestApp.AntiforgeryTokenAsync(admin, "/"));
        var operatorClient = await AccessTestApp.SignedInAsync(app, AccessTestApp.OperatorName);
        operatorClient.DefaultRequestHeaders.Add("RequestVerificationToken", await AccessTestApp.AntiforgeryTokenAsync(operatorClient, "/"));
        var observer = view.Members.First(m => m.IsObserver).Id;
        var body = new { kind = "remove", servers = new[] { observer }, confirm = "Local", fromConfigVersion = "0x1" };

        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PostAsJsonAsync(new Uri("/api/clusters/local/membership/plan", UriKind.Relative), body)).StatusCode);
        var planned = await admin.PostAsJsonAsync(new Uri("/api/clusters/local/membership/plan", UriKind.Relative), body);
        using var plan = JsonDocument.Parse(await planned.Content.ReadAsStringAsync());
        Assert.True(plan.RootElement.GetProperty("canStart").GetBoolean(), plan.RootElement.ToString());
        Assert.Equal(MembershipView.VersionText(view.ConfigVersion), plan.RootElement.GetProperty("fromConfigVersion").GetString());
        Assert.Contains(plan.RootElement.GetProperty("checks").EnumerateArray(), c => c.GetProperty("rule").GetString() == MembershipRules.MajorityKept);

        // The page shows the same plan to admins (with the version its start will name), and is closed to operators.
        // Its dialog and live run are MembershipPageTests' (bUnit on this ensemble).
        var page = await admin.GetStringAsync(new Uri($"/clusters/local/membership?kind=remove&servers={observer}", UriKind.Relative));
        Assert.Contains("data-can-start=\"true\"", page, StringComparison.Ordinal);
        Assert.Contains($"data-from-version=\"{MembershipView.VersionText(view.ConfigVersion)}\"", page, StringComparison.Ordinal);
        Assert.Contains("data-rule=\"majority-kept\" data-passed=\"true\"", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.GetAsync(new Uri("/clusters/local/membership", UriKind.Relative))).StatusCode);

        // Started from a version that is not the current one: the servers refuse the reconfig, nothing changes.
        var started = await admin.PostAsJsonAsync(new Uri("/api/clusters/local/membership/runs", UriKind.Relative), body);
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        JsonElement run = default;
        for (var i = 0; i < 200; i++)
        {
            run = JsonDocument.Parse(await admin.GetStringAsync(new Uri($"/api/clusters/local/membership/runs/{runId}", UriKind.Relative))).RootElement;
            if (run.GetProperty("state").GetString() != "running") break;
            await Task.Delay(100);
        }
        Assert.Equal("aborted", run.GetProperty("state").GetString());
        Assert.Contains("BadVersion", run.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains((await ReadAsync()).Members, m => m.Id == observer);
        // Audited by the coordinator (the failed reconfig) and by the endpoint (the start), in the history database's log.
        string reconfigs = "", starts = "";
        for (var i = 0; i < 100 && !(reconfigs.Contains("BadVersion", StringComparison.Ordinal) && starts.Contains(runId!, StringComparison.Ordinal)); i++)
        {
            await Task.Delay(100);
            reconfigs = await admin.GetStringAsync(new Uri("/admin/audit.csv?action=membership-reconfig", UriKind.Relative));
            starts = await admin.GetStringAsync(new Uri("/admin/audit.csv?action=membership-start", UriKind.Relative));
        }
        Assert.Contains("BadVersion", reconfigs, StringComparison.Ordinal);
        Assert.Contains(runId!, starts, StringComparison.Ordinal);
    }

    private async Task<string> RunAsync(MembershipCoordinator coordinator, MembershipChange change)
    {
        var clock = Stopwatch.StartNew();
        var plan = await coordinator.PlanAsync(Cluster, change);
        Assert.True(plan.CanStart, $"{change}: {string.Join("; ", plan.Refusals)}");
        var planned = clock.ElapsedMilliseconds;
        var run = await coordinator.WaitAsync((await coordinator.StartAsync(plan, Admin)).Id, TimeSpan.FromSeconds(90));
        Assert.True(run.State == RunState.Succeeded, $"{change}: {run.State}: {run.PauseReason}");
        return $"{change}: plan {planned} ms, plan+run {clock.ElapsedMilliseconds} ms ({run.Steps.Length} step(s))";
    }

    private async Task<MembershipView> ReadAsync()
    {
        await using var client = await MembershipReader.OpenAsync(ensemble.Cluster, CancellationToken.None);
        return await MembershipReader.ReadAsync(ensemble.Cluster, client, null, TimeProvider.System, CancellationToken.None);
    }

    /// <summary>Creates /writer/wNNNNNN as fast as a paced loop goes; only writes the server acknowledged are counted.</summary>
    private static async Task<(List<string> Acknowledged, int Failed)> WriteContinuouslyAsync(string connectString, CancellationToken stop)
    {
        await Task.Yield();
        var acknowledged = new List<string>();
        var failed = 0;
        await using var client = await ZooKeeperClient.ConnectAsync(connectString, new ZooKeeperClientOptions { RequestTimeout = TimeSpan.FromSeconds(10) });
        await client.CreateAsync("/writer", Array.Empty<byte>());
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var path = $"/writer/w{i.ToString("D6", CultureInfo.InvariantCulture)}";
            try
            {
                await client.CreateAsync(path, Encoding.UTF8.GetBytes(path));
                acknowledged.Add(path);
            }
            catch (ZooKeeperException)
            {
                failed++; // unknown outcome (connection lost) or refused: not counted as acknowledged
            }
            try { await Task.Delay(5, stop); } catch (OperationCanceledException) { }
        }
        return (acknowledged.Select(p => p["/writer/".Length..]).ToList(), failed);
    }

    /// <summary>srvr on every running node every 200 ms: counts the samples in which no node led.</summary>
    private static async Task<(int Samples, int Leaderless)> WatchQuorumAsync(ZooKeeperSandbox sandbox, CancellationToken stop)
    {
        await Task.Yield();
        int samples = 0, leaderless = 0;
        while (!stop.IsCancellationRequested)
        {
            var modes = await Task.WhenAll(sandbox.Nodes.Where(n => n.State == SandboxNodeState.Running).Select(async n =>
            {
                try { return (await sandbox.SrvrAsync(n.Id, TimeSpan.FromSeconds(1))).Mode; }
                catch (FourLetterWordException) { return ServerMode.Unknown; }
            }));
            samples++;
            if (!modes.Contains(ServerMode.Leader)) leaderless++;
            try { await Task.Delay(200, stop); } catch (OperationCanceledException) { }
        }
        return (samples, leaderless);
    }
}
