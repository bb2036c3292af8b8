using System.Security.Claims;
using Dashboard.Access;
using Dashboard.Core.Access;
using Dashboard.Core.Clusters;
using Dashboard.Core.History;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Membership;
using Dashboard.Membership;

namespace Dashboard.Tests.Membership;

/// <summary>
/// What the membership page's circuit calls, per action and role, with the principal the circuit holds. Only an
/// admin plans, starts, resumes or aborts; a viewer, an operator and an anonymous reader are refused by the
/// coordinator before anything is read, audited, and learn nothing of runs. The cluster's address has nothing
/// listening, so a refusal that touched ZooKeeper would show as a connection error instead.
/// </summary>
public sealed class MembershipActionsTests : IAsyncLifetime
{
    private const string ClusterId = "lab";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"membership-actions-{Guid.NewGuid():N}");
    private readonly TestAuditLog _audit = new();
    private MembershipStore _store = null!;
    private MembershipCoordinator _coordinator = null!;
    private MembershipActions _actions = null!;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _store = new MembershipStore(new HistoryDatabase(new HistoryOptions { DatabasePath = Path.Combine(_folder, "history.db") }));
        var registry = new ClusterRegistry([new ClusterDefinition(ClusterId, "Lab", "127.0.0.1:1", ClusterOrigin.Settings)]);
        _coordinator = new MembershipCoordinator(_store, new RegistryMembershipTargets(registry), _audit);
        _actions = new MembershipActions(_coordinator, registry, _audit, TimeProvider.System);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _coordinator.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
    }

    private static ClaimsPrincipal As(string who) => who switch
    {
        "viewer" => DashboardPrincipal.Create("vera", DashboardRole.Viewer, "password", "Cookies"),
        "operator" => DashboardPrincipal.Create("oscar", DashboardRole.Operator, "password", "Cookies"),
        "admin" => DashboardPrincipal.Create("alice", DashboardRole.Admin, "password", "Cookies"),
        _ => new ClaimsPrincipal(new ClaimsIdentity()),
    };

    /// <summary>A run paused on its only step (remove server.4), as a dashboard restart leaves one.</summary>
    private MembershipRun PausedRun() => _store.Create(new MembershipRun("run0000000a1", ClusterId, MembershipChange.Remove(4), "alice", DateTimeOffset.UtcNow)
    {
        State = RunState.Paused, UpdatedAt = DateTimeOffset.UtcNow, PauseReason = "the dashboard restarted; resume to go on",
        Steps = [new MembershipRunStep(0, MembershipChangeKind.Remove, [4], null, "server.4", [1, 2, 3], [1, 2, 3])],
    });

    [Theory]
    [InlineData("viewer", "start")]
    [InlineData("viewer", "resume")]
    [InlineData("viewer", "abort")]
    [InlineData("operator", "start")]
    [InlineData("operator", "resume")]
    [InlineData("operator", "abort")]
    [InlineData("anonymous", "start")]
    [InlineData("anonymous", "resume")]
    [InlineData("anonymous", "abort")]
    public async Task Action_ByNonAdmin_RefusedByTheCoordinator_AuditedAndTheRunUntouched(string who, string action)
    {
        var run = PausedRun();
        var user = As(who);

        var outcome = action switch
        {
            "start" => await _actions.StartAsync(user, null, ClusterId, MembershipChange.Remove(4), 0x100000003, "Lab"),
            "resume" => await _actions.ResumeAsync(user, null, ClusterId, run.Id),
            _ => await _actions.AbortAsync(user, null, ClusterId, run.Id),
        };

        Assert.False(outcome.Succeeded);
        Assert.True(outcome.Forbidden);
        Assert.Contains("admin", outcome.Message, StringComparison.Ordinal);
        var entry = Assert.Single(_audit.Entries);
        Assert.Equal(("membership-" + action, AuditOutcome.Denied, DashboardPrincipal.NameOf(user)), (entry.Action, entry.Outcome, entry.User));
        Assert.Equal(RunState.Paused, _store.Get(run.Id)!.State);
        Assert.Single(_store.List(ClusterId));
    }

    [Theory]
    [InlineData("viewer")]
    [InlineData("operator")]
    [InlineData("anonymous")]
    public async Task Reads_ByNonAdmin_NoPlanNoRuns(string who)
    {
        var run = PausedRun();
        var user = As(who);

        var (plan, problem) = await _actions.PlanAsync(user, ClusterId, MembershipChange.Remove(4));

        Assert.Null(plan);
        Assert.Contains("admin role", problem, StringComparison.Ordinal);
        Assert.Empty(_actions.List(user, ClusterId));
        Assert.Null(_actions.Shown(user, ClusterId, run.Id));
        Assert.NotNull(_actions.Shown(As("admin"), ClusterId, run.Id));
    }

    [Fact]
    public async Task Abort_ByAdmin_EndsThePausedRun_AuditedByTheCoordinatorAndFromTheCircuit()
    {
        var run = PausedRun();

        var outcome = await _actions.AbortAsync(As("admin"), null, ClusterId, run.Id);

        Assert.True(outcome.Succeeded, outcome.Message);
        Assert.Equal(RunState.Aborted, _store.Get(run.Id)!.State);
        Assert.Contains(_audit.Entries, e => e is { Action: "membership-abort", Outcome: AuditOutcome.Succeeded, User: "alice", Address: null });
        Assert.Contains(_audit.Entries, e => e is { Action: "membership-abort", Outcome: AuditOutcome.Succeeded, User: "alice", Address: "circuit", Before: "paused", After: "aborted" });
    }

    [Fact]
    public async Task Resume_ByAdmin_Accepted_ThenPausesAgainSayingTheEnsembleCannotBeReached()
    {
        var run = PausedRun();

        var outcome = await _actions.ResumeAsync(As("admin"), null, ClusterId, run.Id);
        var after = await _coordinator.WaitAsync(run.Id, TimeSpan.FromSeconds(60));

        Assert.True(outcome.Succeeded, outcome.Message);
        Assert.Contains(_audit.Entries, e => e is { Action: "membership-resume", Outcome: AuditOutcome.Succeeded, Address: "circuit" });
        Assert.Equal(RunState.Paused, after.State);
        Assert.Contains("could not be reached", after.PauseReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ByAdmin_WrongTypedNameOrUnknownRun_NothingHappens()
    {
        var wrong = await _actions.StartAsync(As("admin"), null, ClusterId, MembershipChange.Remove(4), 0x100000003, "lab");
        var unknown = await _actions.AbortAsync(As("admin"), null, ClusterId, "no-such-run");

        Assert.False(wrong.Succeeded);
        Assert.Contains("Type the cluster's name, Lab, to confirm", wrong.Message, StringComparison.Ordinal);
        Assert.False(unknown.Succeeded);
        Assert.Contains("No membership run 'no-such-run'", unknown.Message, StringComparison.Ordinal);
        Assert.Empty(_store.List(ClusterId));
        Assert.Empty(_audit.Entries);
    }

    [Fact]
    public async Task Subscribe_CallsBackForThisClustersRunsOnly_UntilDisposed()
    {
        var calls = 0;
        var other = 0;
        var run = PausedRun();
        using (var subscription = _coordinator.Subscribe(ClusterId, () => Interlocked.Increment(ref calls)))
        using (_coordinator.Subscribe("elsewhere", () => Interlocked.Increment(ref other)))
        {
            await _coordinator.AbortAsync(run.Id, new MaintenanceActor("alice", DashboardRole.Admin));
            Assert.Equal(1, calls);
        }
        var second = _store.Create(run with { Id = "run0000000a2", State = RunState.Paused });
        await _coordinator.AbortAsync(second.Id, new MaintenanceActor("alice", DashboardRole.Admin));

        Assert.Equal(1, calls);
        Assert.Equal(0, other);
    }
}
