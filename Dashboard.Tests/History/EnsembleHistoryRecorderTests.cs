using System.Collections.Immutable;
using Dashboard.Core.Ensemble;
using Dashboard.Core.History;

namespace Dashboard.Tests.History;

/// <summary>Diff-to-history rules on hand-made snapshot sequences, written through the real store.</summary>
public sealed class EnsembleHistoryRecorderTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 3, 12, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("recorder-").FullName;
    private HistoryDatabase _database = null!;
    private HistoryWriter _writer = null!;

    public Task InitializeAsync()
    {
        _database = new HistoryDatabase(new HistoryOptions { DatabasePath = Path.Combine(_folder, "h.db"), SnapshotHeartbeat = TimeSpan.FromMinutes(5) });
        _writer = new HistoryWriter(_database);
        _writer.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _writer.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    // "L" leader, "F" follower, "O" observer, "D" down, "N" not serving.
    private static EnsembleSnapshot Snapshot(string roles, DateTimeOffset at)
    {
        var nodes = roles.Select((c, i) => new NodeStatus("10.0.0." + (i + 1), 2181, c switch
        {
            'L' => NodeRole.Leader,
            'F' => NodeRole.Follower,
            'O' => NodeRole.Observer,
            'N' => NodeRole.NotServing,
            _ => NodeRole.Down,
        })
        {
            Id = i + 1,
            IsVoter = c != 'O',
            LatencyAvgMs = 0.5 + i,
            LatencyMaxMs = 10 + i,
            Outstanding = 0,
            Connections = 3,
            ZnodeCount = 100,
            WatchCount = 7,
            Zxid = c is 'D' or 'N' ? null : new Zxid(0x1_0000_0010),
            Error = c == 'D' ? "connection refused" : null,
        }).ToImmutableArray();
        return new EnsembleSnapshot("c", at, TimeSpan.FromMilliseconds(12), nodes, QuorumAnalysis.Analyze(nodes), []);
    }

    private async Task<(IReadOnlyList<HistoryEvent> Events, HistoryReader Reader)> RecordAsync(params (string Roles, int Seconds)[] polls)
    {
        var recorder = new EnsembleHistoryRecorder(_writer, _database.Options);
        EnsembleSnapshot? previous = null;
        foreach (var (roles, seconds) in polls)
        {
            var snapshot = Snapshot(roles, T0.AddSeconds(seconds));
            recorder.Record(snapshot, EnsembleEvent.Between(previous, snapshot));
            previous = snapshot;
        }
        Assert.True(await _writer.FlushAsync());
        var reader = new HistoryReader(_database);
        return (await reader.EventsAsync("c", T0.AddHours(-1), T0.AddHours(1)), reader);
    }

    [Fact]
    public async Task LeaderKilled_ElectionSeenOverPolls_OneLeaderChangeWithNoLeaderDuration()
    {
        var (events, _) = await RecordAsync(("LFFO", 0), ("LFFO", 2), ("DNNO", 4), ("DLFO", 6), ("DLFO", 8));

        var change = Assert.Single(events, e => e.Kind == "leader-changed");
        Assert.Equal("2", change.Subject);
        Assert.Equal(T0.AddSeconds(6), change.At);
        Assert.Contains("\"noLeaderMs\":4000", change.DataJson, StringComparison.Ordinal);
        Assert.Contains("\"previousLeader\":\"1\"", change.DataJson, StringComparison.Ordinal);
        Assert.Contains(events, e => e.Kind == "node-down" && e.Subject == "1");
        Assert.Contains(events, e => e.Kind == "quorum-lost");
        Assert.Contains(events, e => e.Kind == "quorum-restored");
    }

    [Fact]
    public async Task NewLeaderAnsweredLate_NoLeaderBoundCountsUntilItsAnswerArrived()
    {
        // Every node frozen: the poll that finds the new leader started at 30 s, but its answer came 1.2 s later.
        var recorder = new EnsembleHistoryRecorder(_writer, _database.Options);
        var before = Snapshot("LFFO", T0);
        var frozen = Snapshot("DDDD", T0.AddSeconds(2));
        var found = Snapshot("FLFO", T0.AddSeconds(30));
        found = found with { Nodes = found.Nodes.Select(n => n with { ResponseTime = n.Role == NodeRole.Leader ? TimeSpan.FromMilliseconds(1200) : TimeSpan.FromMilliseconds(900) }).ToImmutableArray() };
        recorder.Record(before, EnsembleEvent.Between(null, before));
        recorder.Record(frozen, EnsembleEvent.Between(before, frozen));
        recorder.Record(found, EnsembleEvent.Between(frozen, found));
        Assert.True(await _writer.FlushAsync());
        var events = await new HistoryReader(_database).EventsAsync("c", T0.AddHours(-1), T0.AddHours(1));

        var change = Assert.Single(events, e => e.Kind == "leader-changed");
        Assert.Contains("\"noLeaderMs\":31200", change.DataJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnchangedPolls_OneSnapshotThenHeartbeat_ChangeStoresAnother()
    {
        var (_, reader) = await RecordAsync(("LFFO", 0), ("LFFO", 2), ("LFFO", 100), ("LFFO", 301), ("LFDO", 303));

        var first = await reader.SnapshotAtAsync("c", T0.AddSeconds(250));
        var heartbeat = await reader.SnapshotAtAsync("c", T0.AddSeconds(302));
        var change = await reader.SnapshotAtAsync("c", T0.AddSeconds(400));

        Assert.Equal((T0, "change"), (first!.At, first.Reason));
        Assert.Equal((T0.AddSeconds(301), "heartbeat"), (heartbeat!.At, heartbeat.Reason));
        Assert.Equal((T0.AddSeconds(303), "change"), (change!.At, change.Reason));
        Assert.Equal("Down", change.Nodes.Single(n => n.NodeId == "3").Role);
        Assert.Equal("connection refused", change.Nodes.Single(n => n.NodeId == "3").Error);
    }

    [Fact]
    public async Task EveryPoll_WritesMetricsOfServingNodes()
    {
        var (_, reader) = await RecordAsync(("LFFO", 0), ("LFDO", 2), ("LFFO", 4));

        var node2 = await reader.MetricsAsync("c", "2", T0, T0.AddMinutes(1), T0.AddMinutes(1));
        var node3 = await reader.MetricsAsync("c", "3", T0, T0.AddMinutes(1), T0.AddMinutes(1));

        Assert.Equal(3, node2.Count);
        Assert.Equal(1.5, node2[0].LatencyAvg);
        Assert.Equal(2, node3.Count);
    }

    [Fact]
    public void StoredSnapshot_ReadsBackAsTheSameTopology()
    {
        var snapshot = Snapshot("LFDO", T0);

        var back = EnsembleHistoryRecorder.FromRecord(EnsembleHistoryRecorder.ToRecord(snapshot, "change"));

        Assert.NotNull(back);
        Assert.Equal(snapshot.Nodes.Select(n => (n.Id, n.Role, n.Address, n.Zxid, n.Error)), back.Nodes.Select(n => (n.Id, n.Role, n.Address, n.Zxid, n.Error)));
        Assert.Equal(snapshot.Analysis.VotersUp, back.Analysis.VotersUp);
        Assert.Equal(snapshot.Leader?.Id, back.Leader?.Id);
    }
}
