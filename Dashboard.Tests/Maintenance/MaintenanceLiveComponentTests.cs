using AngleSharp.Html.Parser;
using Dashboard.Components.Controls.MaintenanceView;
using Dashboard.Core.Maintenance;
using Dashboard.Live;
using Dashboard.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Maintenance;

/// <summary>The live part of the maintenance page, rendered as the push renders it: what a step waits for, and since when.</summary>
public sealed class MaintenanceLiveComponentTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 21, 0, 0, TimeSpan.Zero);
    private readonly DashboardAppFactory _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static MaintenanceRun Run(MaintenanceStep step, StepWait? wait) =>
        new("run000000001", "prod", MaintenanceOperation.RollingRestart, "ops", T0) { State = RunState.Running, Steps = [step], Wait = wait };

    private async Task<AngleSharp.Html.Dom.IHtmlDocument> RenderAsync(MaintenanceRun run)
    {
        var html = await _app.Services.GetRequiredService<LiveFragmentPublisher>().RenderAsync<MaintenanceLive>(MaintenanceLive.Parameters("prod", run, null));
        return await new HtmlParser().ParseDocumentAsync(html);
    }

    [Fact]
    public async Task WaitingStep_SaysWhatItWaitsForSinceWhenAndWhenItPauses()
    {
        var step = new MaintenanceStep(0, NodeAction.Restart, 2, "node 2", false, "sandbox") { State = StepState.Waiting, ActionStartedAt = T0, ActionSucceeded = true };
        var wait = new StepWait(0, T0.AddSeconds(3), T0.AddMinutes(3), ["node 2 does not serve yet (connection refused)"], null);
        var doc = await RenderAsync(Run(step, wait));

        var line = doc.QuerySelector("#step-wait")!;
        Assert.Contains("Waiting since 21:00:03 UTC for: node 2 does not serve yet (connection refused)", line.TextContent, StringComparison.Ordinal);
        Assert.Contains("pauses at 21:03:00 UTC", line.TextContent, StringComparison.Ordinal);
        Assert.Equal(T0.AddSeconds(3).ToString("O"), line.GetAttribute("data-since"));
        Assert.Equal("run000000001:running:0:False:False", doc.QuerySelector("#maintenance-live")!.GetAttribute("data-live-version"));
    }

    [Fact]
    public async Task ActingStep_SaysTheActionIsUnderWaySinceItStarted()
    {
        var step = new MaintenanceStep(0, NodeAction.Restart, 2, "node 2", false, "command") { State = StepState.Acting, ActionStartedAt = T0.AddSeconds(7) };
        var doc = await RenderAsync(Run(step, null));

        Assert.Contains("Action under way since 21:00:07 UTC", doc.QuerySelector("#step-wait")!.TextContent, StringComparison.Ordinal);
    }
}
