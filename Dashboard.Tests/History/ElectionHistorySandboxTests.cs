using System.Diagnostics;
using System.Text.Json;
using Dashboard.Core.AdminServer;
using Dashboard.Core.Ensemble;
using Dashboard.Core.History;
using Dashboard.Core.Sandbox;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.History;

/// <summary>A real election recorded as history: poller, store and recorder as the dashboard runs them.</summary>
[Collection(SoloCollection.Name)]
public sealed class ElectionHistorySandboxTests : IAsyncLifetime
{
    private static readonly HttpClient Http = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("election-history-").FullName;
    private ZooKeeperSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 3, Observers = 1 });

    public async Task DisposeAsync()
    {
        if (_sandbox is not null) await _sandbox.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task KillLeader_ExactlyOneLeaderChangeEvent_WithPlausibleNoLeaderDuration()
    {
        var database = new HistoryDatabase(new HistoryOptions { DatabasePath = Path.Combine(_folder, "h.db") });
        await using var writer = new HistoryWriter(database);
        writer.Start();
        var recorder = new EnsembleHistoryRecorder(writer, database.Options);
        var store = new EnsembleStore();
        store.Updated += (state, events) => recorder.Record(state.Latest, events);
        var cluster = SandboxCluster.Define(_sandbox) with { NodeTimeout = TimeSpan.FromMilliseconds(800) };
        var poller = new EnsemblePoller(new NodeProbe(new AdminServerClient(Http)));
        var interval = TimeSpan.FromMilliseconds(250);

        var first = await poller.PollAsync(cluster);
        store.Record(first);
        var oldLeader = first.Leader!.Id!.Value;
        var started = DateTimeOffset.UtcNow;
        await _sandbox.KillNodeAsync(oldLeader);

        // Poll as the monitor does until a new leader has been seen for a few polls.
        var clock = Stopwatch.StartNew();
        var seenNew = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(40) && seenNew < 4)
        {
            var next = await poller.PollAsync(cluster);
            store.Record(next);
            if (next.Leader is { } l && l.Id != oldLeader) seenNew++;
            await Task.Delay(interval);
        }
        Assert.True(await writer.FlushAsync());

        var events = await new HistoryReader(database).EventsAsync(cluster.Id, started.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        var change = Assert.Single(events, e => e.Kind == "leader-changed");
        Assert.NotEqual(oldLeader.ToString(System.Globalization.CultureInfo.InvariantCulture), change.Subject);
        var noLeaderMs = JsonDocument.Parse(change.DataJson!).RootElement.GetProperty("noLeaderMs").GetDouble();
        // An election here takes a few hundred ms to a few seconds; the figure is bounded by what we waited.
        Assert.InRange(noLeaderMs, 1, (change.At - started).TotalMilliseconds + interval.TotalMilliseconds + 1000);
        Assert.Contains(events, e => e.Kind == "node-down" && e.Subject == oldLeader.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
