using Dashboard.Core.Maintenance;
using Dashboard.Tests.Access;
using Dashboard.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Dashboard.Tests.Maintenance;

/// <summary>The whole flow in Chromium as a signed-in operator: plan, typed confirmation, live progress, finished.</summary>
[Collection(BrowserCollection.Name)]
public sealed class MaintenanceBrowserTests(Browser browser) : IAsyncLifetime
{
    private Core.Sandbox.ZooKeeperSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await Core.Sandbox.ZooKeeperSandbox.StartAsync(new Core.Sandbox.SandboxOptions { Voters = 3, Observers = 1 });

    public async Task DisposeAsync()
    {
        if (_sandbox is not null) await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task MaintenancePage_OperatorRestartsTwoNodes_SeesPlanConfirmsAndWatchesItFinishLive()
    {
        await using var app = MaintenanceWebApp.Create(_sandbox);
        var (page, problems) = await browser.NewPageAsync(app.StartRealServer());
        MaintenanceWebApp.RegisterSandbox(app, _sandbox);
        var cspViolations = new List<string>();
        await page.ExposeFunctionAsync("reportCsp", (string text) => cspViolations.Add(text));
        await page.AddInitScriptAsync("document.addEventListener('securitypolicyviolation', e => window.reportCsp(e.violatedDirective + ' ' + e.blockedURI))");

        await page.GotoAsync("/sign-in");
        await page.FillAsync("#name", AccessTestApp.OperatorName);
        await page.FillAsync("#password", AccessTestApp.OperatorPassword);
        await page.ClickAsync("#sign-in-form button[type=submit]");
        await Browser.WaitForCircuitAsync(page);
        // The drawer's sections per role are the shell's own tests; here the maintenance index leads on.
        await page.GotoAsync("/maintenance");
        await Browser.WaitForCircuitAsync(page);
        await page.ClickAsync("#maintenance-index a");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("maintenance");
        await Browser.WaitForCircuitAsync(page);

        // Plan: restart a follower and the observer; the observer goes first.
        var leader = (await _sandbox.FindLeaderAsync())!.Id;
        var follower = _sandbox.Voters.First(n => n.Id != leader).Id;
        await page.SelectOptionAsync("#operation", "restart");
        await page.CheckAsync($"#node-{follower}");
        await page.CheckAsync("#node-4");
        await page.ClickAsync("#show-plan");
        await Assertions.Expect(page.Locator("#plan")).ToHaveAttributeAsync("data-can-start", "true");
        await Assertions.Expect(page.Locator("#plan-steps > li")).ToHaveCountAsync(2);
        Assert.Equal("4", await page.Locator("#plan-steps > li").First.GetAttributeAsync("data-node-id"));
        await Assertions.Expect(page.Locator("#plan-checks li[data-passed=false]")).ToHaveCountAsync(0);

        // The typed confirmation is a dialog: a wrong name starts nothing.
        await page.ClickAsync("#open-start");
        await page.FillAsync("#confirm", "local");
        await page.ClickAsync("#start-run");
        await Assertions.Expect(page.Locator("#maintenance-message")).ToContainTextAsync("to confirm");
        Assert.Null(app.Services.GetRequiredService<MaintenanceCoordinator>().Active(MaintenanceWebApp.ClusterId));
        await page.EvaluateAsync("() => window.__marker = 'same page'");
        await page.FillAsync("#confirm", MaintenanceWebApp.ClusterName);
        await page.ClickAsync("#start-run");
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("started");

        var state = page.Locator("#maintenance-live #run-state");
        await Assertions.Expect(page.Locator("#maintenance-live #topology")).ToBeVisibleAsync();
        await Assertions.Expect(state).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = 90_000 });
        await Assertions.Expect(page.Locator("#run-progress")).ToHaveAttributeAsync("data-done", "2");
        await Assertions.Expect(page.Locator("#run-steps tr[data-state=succeeded]")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#run-log")).ToContainTextAsync("All 2 step(s) done.");
        Assert.Equal("same page", await page.EvaluateAsync<string>("() => window.__marker"));

        await page.ReloadAsync();
        await Browser.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#past-runs li")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#past-runs li")).ToContainTextAsync("succeeded");
        Assert.Empty(cspViolations);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task MaintenancePage_RunChangesWhileDisconnected_PageShowsItOnReconnect_ButtonsAndPastRunsFollowLive()
    {
        await using var app = MaintenanceWebApp.Create(_sandbox);
        var (page, problems) = await browser.NewPageAsync(app.StartRealServer());
        MaintenanceWebApp.RegisterSandbox(app, _sandbox);
        var runs = app.Services.GetRequiredService<MaintenanceCoordinator>();
        await page.GotoAsync("/sign-in");
        await page.FillAsync("#name", AccessTestApp.OperatorName);
        await page.FillAsync("#password", AccessTestApp.OperatorPassword);
        await page.ClickAsync("#sign-in-form button[type=submit]");
        await page.GotoAsync($"/clusters/{MaintenanceWebApp.ClusterId}/maintenance");
        await Browser.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#plan-form")).ToBeVisibleAsync();

        // Started elsewhere (the API, another operator): the buttons follow without a reload.
        var run = await runs.StartAsync(MaintenanceWebApp.ClusterId, MaintenanceRequest.RollingRestart, TestMaintenance.Tester);
        try
        {
            await Assertions.Expect(page.Locator("#pause-run")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("#plan-form")).ToHaveCountAsync(0);

            // The circuit's connection drops; meanwhile the run pauses on the server. Nothing reaches this page.
            await page.EvaluateAsync("() => Blazor._internal.forceCloseConnection()");
            await runs.PauseAsync(run.Id, TestMaintenance.Tester);
            Assert.Equal(RunState.Paused, runs.Get(run.Id)!.State);

            // Reconnected, the page shows what is true: paused, no Pause button, a Resume button.
            await Browser.WaitForCircuitAsync(page);
            await Assertions.Expect(page.Locator("#components-reconnect-modal.components-reconnect-show")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("#maintenance-live #run-state")).ToHaveAttributeAsync("data-state", "paused");
            await Assertions.Expect(page.Locator("#pause-run")).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("#resume-run, #resume-verify")).Not.ToHaveCountAsync(0);

            // Aborted elsewhere: past runs and the plan form come back live.
            await runs.AbortAsync(run.Id, TestMaintenance.Tester);
            await Assertions.Expect(page.Locator("#past-runs li")).ToContainTextAsync("aborted", new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("#plan-form")).ToBeVisibleAsync();
            Assert.Empty(problems);
        }
        finally
        {
            if (runs.Get(run.Id) is { IsActive: true }) await runs.AbortAsync(run.Id, TestMaintenance.Tester);
            await _sandbox.WaitUntilServingAsync(TimeSpan.FromSeconds(60));
        }
    }
}
