using Dashboard.Core.Sandbox;
using Dashboard.Tests.Support;
using Microsoft.Playwright;

namespace Dashboard.Tests.Web;

/// <summary>The ensemble page in Chromium against a real sandbox of its own: killing the leader shows live.</summary>
[Collection(BrowserCollection.Name)]
public sealed class EnsembleBrowserTests(Browser browser) : IAsyncLifetime
{
    private ZooKeeperSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 3, Observers = 1 });

    public async Task DisposeAsync()
    {
        if (_sandbox is not null) await _sandbox.DisposeAsync();
    }

    private Dictionary<string, string?> Settings() => SandboxClusterSettings.For(_sandbox);

    [Fact]
    public async Task EnsemblePage_LeaderKilled_ShowsNewLeaderAndDownNodeWithoutReload()
    {
        await using var app = new DashboardAppFactory(Settings());
        var (page, problems) = await browser.NewPageAsync(app.StartRealServer());
        await page.GotoAsync("/clusters/local/ensemble");
        await Browser.WaitForCircuitAsync(page);
        // The first poll may land after the page was served: the circuit brings the topology in.
        var topology = page.Locator("#topology");
        await Assertions.Expect(topology.Locator("g[data-role=leader]")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await Assertions.Expect(topology.Locator("g[data-role=observer]")).ToHaveCountAsync(1);
        var oldLeader = await topology.GetAttributeAsync("data-leader-id");
        await page.EvaluateAsync("() => window.__marker = 'same page'");

        await _sandbox.KillNodeAsync(int.Parse(oldLeader!, System.Globalization.CultureInfo.InvariantCulture));

        await Assertions.Expect(topology.Locator($"g[data-node-id='{oldLeader}']")).ToHaveAttributeAsync("data-role", "down", new() { Timeout = 30_000 });
        await Assertions.Expect(topology.Locator("g[data-role=leader]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        Assert.NotEqual(oldLeader, await topology.GetAttributeAsync("data-leader-id"));
        await Assertions.Expect(page.Locator("#voters-up")).ToHaveTextAsync("2 / 3");
        Assert.Equal("same page", await page.EvaluateAsync<string>("() => window.__marker"));
        Assert.Empty(problems);
    }
}
