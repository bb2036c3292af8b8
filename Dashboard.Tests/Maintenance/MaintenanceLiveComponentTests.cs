using Bunit;
using Dashboard.Components.Controls.MaintenanceView;
using Dashboard.Core.Maintenance;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Maintenance;

/// <summary>The run part of the maintenance page in bUnit: what a step waits for, and since when.</summary>
public sealed class MaintenanceLiveComponentTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 21, 0, 0, TimeSpan.Zero);
    private readonly ComponentContext _ui = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _ui.DisposeAsync();

    private static MaintenanceRun Run(MaintenanceStep step, StepWait? wait) =>
        new("run000000001", "prod", MaintenanceOperation.RollingRestart, "ops", T0) { State = RunState.Running, Steps = [step], Wait = wait };

    private IRenderedComponent<MaintenanceLive> Render(MaintenanceRun run) => _ui.Bunit.Render<MaintenanceLive>(p => p.Add(c => c.Run, run));

    [Fact]
    public void WaitingStep_SaysWhatItWaitsForSinceWhenAndWhenItPauses()
    {
        var step = new MaintenanceStep(0, NodeAction.Restart, 2, "node 2", false, "sandbox") { State = StepState.Waiting, ActionStartedAt = T0, ActionSucceeded = true };
        var wait = new StepWait(0, T0.AddSeconds(3), T0.AddMinutes(3), ["node 2 does not serve yet (connection refused)"], null);
        var cut = Render(Run(step, wait));

        var line = cut.Find("#step-wait");
        Assert.Contains("Waiting since 21:00:03 UTC for: node 2 does not serve yet (connection refused)", line.TextContent, StringComparison.Ordinal);
        Assert.Contains("pauses at 21:03:00 UTC", line.TextContent, StringComparison.Ordinal);
        Assert.Equal(T0.AddSeconds(3).ToString("O"), line.GetAttribute("data-since"));
        Assert.Equal("run000000001:running:0:False:False", cut.Find("#maintenance-live").GetAttribute("data-run-version"));
        Assert.Equal("running", cut.Find("#run-state").GetAttribute("data-state"));
        Assert.Equal("0", cut.Find("#run-progress").GetAttribute("data-done"));
    }

    [Fact]
    public void ActingStep_SaysTheActionIsUnderWaySinceItStarted()
    {
        var step = new MaintenanceStep(0, NodeAction.Restart, 2, "node 2", false, "command") { State = StepState.Acting, ActionStartedAt = T0.AddSeconds(7) };
        var cut = Render(Run(step, null));

        Assert.Contains("Action under way since 21:00:07 UTC", cut.Find("#step-wait").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void NodeNameAndLogWithHiddenCharacters_ShownAsMarks()
    {
        var step = new MaintenanceStep(0, NodeAction.Restart, 2, "zk\u202Egnp.2", false, "command") { State = StepState.Succeeded };
        var run = Run(step, null) with { State = RunState.Succeeded, Log = [new RunLogLine(T0, RunLogLine.Info, "restart zk\u200B2 done")] };
        var cut = Render(run);

        Assert.NotEmpty(cut.FindAll("#run-steps tr[data-step='1'] [data-hidden-char]"));
        Assert.NotEmpty(cut.FindAll("#run-log [data-hidden-char]"));
        Assert.DoesNotContain("\u202E", cut.Find("#run-steps").TextContent, StringComparison.Ordinal);
    }
}
