using System.Collections.Concurrent;
using System.Security.Claims;
using Dashboard.Access;
using Dashboard.Core.Access;
using Dashboard.Core.Clusters;
using Dashboard.Core.Maintenance;
using Dashboard.Maintenance;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Maintenance;

/// <summary>
/// What the maintenance page's circuit calls: every action and read per role, with the principal the circuit holds.
/// A viewer and an anonymous reader are refused (and learn nothing of runs); an operator acts, and is audited here.
/// </summary>
[Collection(SoloCollection.Name)]
public sealed class MaintenanceActionsTests(MaintenanceEnsemble ensemble) : IClassFixture<MaintenanceEnsemble>
{
    private sealed class TestAuditLog : IAuditLog
    {
        public ConcurrentQueue<AuditEntry> Entries { get; } = new();
        public void Record(AuditEntry entry) => Entries.Enqueue(entry);
    }

    private static readonly ClaimsPrincipal Operator = DashboardPrincipal.Create("oscar", DashboardRole.Operator, "password", "Cookies");
    private static readonly ClaimsPrincipal Admin = DashboardPrincipal.Create("alice", DashboardRole.Admin, "password", "Cookies");
    private static readonly ClaimsPrincipal Viewer = DashboardPrincipal.Create("vera", DashboardRole.Viewer, "password", "Cookies");
    private static readonly ClaimsPrincipal Anonymous = new(new ClaimsIdentity());

    private static ClaimsPrincipal Refused(string who) => who == "viewer" ? Viewer : Anonymous;

    private static MaintenanceActions Actions(TestMaintenance maintenance, IAuditLog audit) =>
        new(maintenance.Coordinator, new ClusterRegistry([maintenance.Cluster]), audit, TimeProvider.System);

    private static MaintenanceRequest RestartObserver => new(MaintenanceOperation.Restart, [4]);

    [Theory]
    [InlineData("viewer", "start")]
    [InlineData("viewer", "pause")]
    [InlineData("viewer", "resume")]
    [InlineData("viewer", "abort")]
    [InlineData("anonymous", "start")]
    [InlineData("anonymous", "pause")]
    [InlineData("anonymous", "resume")]
    [InlineData("anonymous", "abort")]
    public async Task Action_ByViewerOrAnonymous_RefusedByTheCoordinator_AuditedAndNothingStarts(string who, string action)
    {
        var audit = new TestAuditLog();
        await using var maintenance = new TestMaintenance(ensemble.Sandbox, audit: audit);
        var actions = Actions(maintenance, audit);
        var user = Refused(who);

        var outcome = action switch
        {
            "start" => await actions.StartAsync(user, "10.1.2.3", "sandbox", RestartObserver, "Sandbox"),
            "pause" => await actions.PauseAsync(user, "10.1.2.3", "sandbox", "run000000001"),
            "resume" => await actions.ResumeAsync(user, "10.1.2.3", "sandbox", "run000000001", ResumeMode.Default),
            _ => await actions.AbortAsync(user, "10.1.2.3", "sandbox", "run000000001"),
        };

        Assert.False(outcome.Succeeded);
        Assert.True(outcome.Forbidden);
        Assert.Contains("operator", outcome.Message, StringComparison.Ordinal);
        var entry = Assert.Single(audit.Entries);
        Assert.Equal(("maintenance-" + action, AuditOutcome.Failed, DashboardPrincipal.NameOf(user)), (entry.Action, entry.Outcome, entry.User));
        Assert.Null(maintenance.Coordinator.Active("sandbox"));
    }

    [Theory]
    [InlineData("viewer")]
    [InlineData("anonymous")]
    public async Task Reads_ByViewerOrAnonymous_ShowNoRunAndNoPlan(string who)
    {
        var audit = new TestAuditLog();
        await using var maintenance = new TestMaintenance(ensemble.Sandbox, audit: audit);
        var actions = Actions(maintenance, audit);
        var user = Refused(who);
        // A finished run exists (its log holds command lines): still nothing for this user.
        maintenance.Store.Create(new MaintenanceRun("run000000009", "sandbox", MaintenanceOperation.Restart, "oscar", DateTimeOffset.UtcNow) { State = RunState.Running });
        Assert.NotNull(actions.Active(Operator, "sandbox"));

        Assert.Null(actions.Active(user, "sandbox"));
        Assert.Null(actions.Shown(user, "sandbox", "run000000009"));
        Assert.Empty(actions.List(user, "sandbox", 20));
        var (plan, problem) = await actions.PlanAsync(user, "sandbox", MaintenanceRequest.RollingRestart);
        Assert.Null(plan);
        Assert.Contains("operator", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Actions_ByOperatorAndAdmin_StartPauseResumeAbort_EachAuditedWithTheUserAndAddress()
    {
        var audit = new TestAuditLog();
        await using var maintenance = new TestMaintenance(ensemble.Sandbox, settle: TimeSpan.FromSeconds(1), audit: audit);
        var actions = Actions(maintenance, audit);
        try
        {
            // A wrong typed name starts nothing.
            var wrong = await actions.StartAsync(Operator, "10.1.2.3", "sandbox", RestartObserver, "sandbox");
            Assert.False(wrong.Succeeded);
            Assert.Contains("to confirm", wrong.Message, StringComparison.Ordinal);
            Assert.Null(maintenance.Coordinator.Active("sandbox"));

            var (plan, _) = await actions.PlanAsync(Operator, "sandbox", RestartObserver);
            Assert.True(plan!.CanStart, string.Join("; ", plan.Refusals));
            var started = await actions.StartAsync(Operator, "10.1.2.3", "sandbox", RestartObserver, "Sandbox");
            Assert.True(started.Succeeded, started.Message);
            var id = started.Run!.Id;
            Assert.Equal(id, actions.Shown(Operator, "sandbox", null)!.Id);

            var paused = await actions.PauseAsync(Operator, null, "sandbox", id);
            Assert.True(paused.Succeeded, paused.Message);
            await maintenance.WaitUntilSettledAsync(id, TimeSpan.FromSeconds(60));
            Assert.Equal(RunState.Paused, maintenance.Coordinator.Get(id)!.State);

            var resumed = await actions.ResumeAsync(Admin, null, "sandbox", id, ResumeMode.Verify);
            Assert.True(resumed.Succeeded, resumed.Message);
            Assert.True(maintenance.Coordinator.Get(id)!.State is RunState.Running or RunState.Succeeded);

            var aborted = await actions.AbortAsync(Operator, null, "sandbox", id);
            // The run may have finished before the abort reached it: then the abort is refused as a conflict.
            Assert.True(aborted.Succeeded || maintenance.Coordinator.Get(id)!.State == RunState.Succeeded, aborted.Message);

            Assert.Contains(audit.Entries, e => e is { Action: "maintenance-start", Outcome: AuditOutcome.Succeeded, User: "oscar", Address: "10.1.2.3" });
            Assert.Contains(audit.Entries, e => e is { Action: "maintenance-pause", Outcome: AuditOutcome.Succeeded, User: "oscar", Address: MaintenanceActions.CircuitAddress });
            Assert.Contains(audit.Entries, e => e is { Action: "maintenance-resume", Outcome: AuditOutcome.Succeeded, User: "alice" });
            Assert.Contains(audit.Entries, e => e.Action == "maintenance-abort" && e.User == "oscar");
            Assert.DoesNotContain(audit.Entries, e => e.Action.StartsWith("maintenance-", StringComparison.Ordinal) && e.Detail?.Contains("refused: role", StringComparison.Ordinal) == true);
        }
        finally
        {
            if (maintenance.Coordinator.Active("sandbox") is { } left) await maintenance.Coordinator.AbortAsync(left.Id, TestMaintenance.Tester);
            await maintenance.WaitUntilWholeAsync();
        }
    }

    [Fact]
    public async Task Subscribe_CalledOnEveryChangeOfThatClusterOnly_UntilDisposed()
    {
        await using var maintenance = new TestMaintenance(ensemble.Sandbox);
        var calls = 0;
        var subscription = maintenance.Coordinator.Subscribe("sandbox", () => Interlocked.Increment(ref calls));
        using var other = maintenance.Coordinator.Subscribe("elsewhere", () => throw new InvalidOperationException("another cluster's subscriber was called"));
        maintenance.Store.Create(new MaintenanceRun("run000000007", "sandbox", MaintenanceOperation.Restart, "oscar", DateTimeOffset.UtcNow) { State = RunState.Running });

        // After a restart a running run is paused: a change of the run the subscribers hear of.
        Assert.Equal(1, maintenance.Coordinator.RecoverInterrupted());
        Assert.Equal(1, calls);
        subscription.Dispose();
        await maintenance.Coordinator.AbortAsync("run000000007", TestMaintenance.Tester);
        Assert.Equal(1, calls);
    }
}
