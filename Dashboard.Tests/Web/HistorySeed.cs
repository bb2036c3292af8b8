using System.Collections.Immutable;
using System.Globalization;
using Dashboard.Core.Ensemble;
using Dashboard.Core.History;

namespace Dashboard.Tests.Web;

/// <summary>
/// History for the History page's tests, written through the app's own recorder and writer: an election (node 1
/// down at +120 s, node 2 leader at +124 s), six polls of metrics, and optionally many more events to page through.
/// </summary>
internal static class HistorySeed
{
    public const string ClusterId = "hist";

    public static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddHours(-2);

    public static string Range => $"from={Uri.EscapeDataString(T0.AddMinutes(-1).ToString("O"))}&to={Uri.EscapeDataString(T0.AddMinutes(30).ToString("O"))}";

    public static EnsembleSnapshot Snapshot(string roles, DateTimeOffset at)
    {
        var nodes = roles.Select((c, i) => new NodeStatus("10.0.0." + (i + 1), 2181, c switch
        {
            'L' => NodeRole.Leader,
            'F' => NodeRole.Follower,
            _ => NodeRole.Down,
        })
        { Id = i + 1, IsVoter = true, LatencyAvgMs = i + 0.5, LatencyMaxMs = 9, Outstanding = 0, Connections = 2, ZnodeCount = 50, WatchCount = 1 }).ToImmutableArray();
        return new EnsembleSnapshot(ClusterId, at, TimeSpan.FromMilliseconds(5), nodes, QuorumAnalysis.Analyze(nodes), []);
    }

    public static async Task ElectionAsync(EnsembleHistoryRecorder recorder, HistoryWriter writer)
    {
        EnsembleSnapshot? previous = null;
        foreach (var (roles, seconds) in new[] { ("LFF", 0), ("LFF", 60), ("DFF", 120), ("DLF", 124), ("FLF", 300), ("FLF", 360) })
        {
            var snapshot = Snapshot(roles, T0.AddSeconds(seconds));
            recorder.Record(snapshot, EnsembleEvent.Between(previous, snapshot));
            previous = snapshot;
        }
        Assert.True(await writer.FlushAsync());
    }

    /// <summary><paramref name="count"/> role changes of node 3, one a second from +400 s ("flap 0" the oldest).</summary>
    public static async Task FlapsAsync(HistoryWriter writer, int count)
    {
        for (var i = 0; i < count; i++)
            writer.Enqueue(new EventWrite(new HistoryEvent(ClusterId, T0.AddSeconds(400 + i), "role-changed", "3", "flap " + i.ToString(CultureInfo.InvariantCulture))));
        Assert.True(await writer.FlushAsync());
    }
}
