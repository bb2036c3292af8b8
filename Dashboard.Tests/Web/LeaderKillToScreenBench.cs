using System.Diagnostics;
using System.Globalization;
using Dashboard.Core.FourLetterWords;
using Dashboard.Core.Sandbox;
using Dashboard.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Dashboard.Tests.Web;

/// <summary>
/// A benchmark, not a check of behaviour: how long from killing the leader until Chromium shows the new one, at a
/// 500 ms poll interval, over 3 kills. Split into the election (kill until a remaining voter's <c>srvr</c> says
/// <c>Mode: leader</c>, asked every 20 ms) and the dashboard's share (that moment until the page's topology names
/// the new leader). Times are wall-clock milliseconds of this machine on both sides (the page records
/// <c>Date.now()</c> in a MutationObserver). Only a generous bound is asserted; the figures go to the test output.
/// Run: <c>dotnet test Dashboard.Tests --filter FullyQualifiedName~LeaderKillToScreenBench --logger "console;verbosity=detailed"</c>.
/// </summary>
[Collection(SoloCollection.Name)]
public sealed class LeaderKillToScreenBench(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Kills = 3;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private readonly Browser _browser = new();
    private ZooKeeperSandbox _sandbox = null!;

    public async Task InitializeAsync()
    {
        await _browser.InitializeAsync();
        _sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 3, Observers = 1 });
    }

    public async Task DisposeAsync()
    {
        if (_sandbox is not null) await _sandbox.DisposeAsync();
        await _browser.DisposeAsync();
    }

    [Fact]
    public async Task LeaderKill_ThreeTimes_NewLeaderOnScreenWithinBound()
    {
        await using var app = new DashboardAppFactory(Settings());
        var (page, problems) = await _browser.NewPageAsync(app.StartRealServer());
        await page.GotoAsync("/clusters/local/ensemble");
        await Browser.WaitForCircuitAsync(page);
        var topology = page.Locator("#topology");
        await Assertions.Expect(topology.Locator("g[data-role=leader]")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        // Every change of the leader shown, with the browser's wall clock (a re-render may update or replace the figure).
        await page.EvaluateAsync("""
            () => {
              window.__leaders = [];
              let last = document.getElementById('topology')?.dataset.leaderId ?? '';
              new MutationObserver(() => {
                const now = document.getElementById('topology')?.dataset.leaderId ?? '';
                if (now !== last) { last = now; window.__leaders.push({ id: now, at: Date.now() }); }
              }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-leader-id'] });
            }
            """);

        var rows = new List<(int Old, int New, double ElectedMs, double ScreenMs)>();
        for (var kill = 0; kill < Kills; kill++)
        {
            var oldLeader = int.Parse((await topology.GetAttributeAsync("data-leader-id"))!, CultureInfo.InvariantCulture);
            var others = _sandbox.Voters.Where(v => v.Id != oldLeader).Select(v => v.Id).ToList();
            using var stopWatching = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var killedAt = DateTimeOffset.UtcNow;
            await _sandbox.KillNodeAsync(oldLeader);
            var elected = await WaitForElectionAsync(others, stopWatching.Token);

            await Assertions.Expect(topology.Locator("g[data-role=leader]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
            await Assertions.Expect(topology).Not.ToHaveAttributeAsync("data-leader-id", oldLeader.ToString(CultureInfo.InvariantCulture), new() { Timeout = 30_000 });
            var shown = (await page.EvaluateAsync<string[]>("() => window.__leaders.map(l => l.id + ' ' + l.at)"))
                .Select(s => s.Split(' ')).Select(p => (Id: p[0], At: long.Parse(p[1], CultureInfo.InvariantCulture))).ToList();
            var screen = shown.Last(s => s.Id.Length > 0 && s.Id != oldLeader.ToString(CultureInfo.InvariantCulture));
            var screenAt = DateTimeOffset.FromUnixTimeMilliseconds(screen.At);
            rows.Add((oldLeader, elected.Id, (elected.At - killedAt).TotalMilliseconds, (screenAt - killedAt).TotalMilliseconds));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"kill {kill + 1}: leader {oldLeader} killed; node {elected.Id} elected after {(elected.At - killedAt).TotalMilliseconds:0} ms; on screen after {(screenAt - killedAt).TotalMilliseconds:0} ms ({(screenAt - elected.At).TotalMilliseconds:0} ms after the election)"));

            // Back to 3 voters before the next kill, and the page shows it (the restarted node follows).
            await _sandbox.StartNodeAsync(oldLeader);
            await _sandbox.WaitForNodeServingAsync(oldLeader, TimeSpan.FromSeconds(60));
            await Assertions.Expect(topology.Locator($"g[data-node-id='{oldLeader}']")).ToHaveAttributeAsync("data-role", "follower", new() { Timeout = 30_000 });
        }

        Report("kill -> elected (ZooKeeper)", rows.Select(r => r.ElectedMs));
        Report("kill -> on screen", rows.Select(r => r.ScreenMs));
        Report("elected -> on screen (dashboard)", rows.Select(r => r.ScreenMs - r.ElectedMs));
        Assert.All(rows, r => Assert.True(r.ScreenMs < 20_000, $"leader {r.Old} -> {r.New}: {r.ScreenMs:0} ms to the screen"));
        Assert.Empty(problems);
    }

    /// <summary>The first moment a remaining voter answers <c>srvr</c> with <c>Mode: leader</c>.</summary>
    private async Task<(int Id, DateTimeOffset At)> WaitForElectionAsync(IReadOnlyList<int> voters, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var id in voters)
            {
                try
                {
                    var srvr = await _sandbox.SrvrAsync(id, TimeSpan.FromMilliseconds(200), cancellationToken);
                    if (srvr.Mode == ServerMode.Leader) return (id, DateTimeOffset.UtcNow);
                }
                catch (FourLetterWordException)
                {
                }
            }
            await Task.Delay(20, cancellationToken);
        }
    }

    private void Report(string what, IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: median {sorted[sorted.Count / 2]:0} ms, max {sorted[^1]:0} ms over {sorted.Count} kills (poll interval {PollInterval.TotalMilliseconds:0} ms)"));
    }

    private Dictionary<string, string?> Settings() => SandboxClusterSettings.For(_sandbox);
}
