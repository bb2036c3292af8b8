using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dapper;
using Dashboard.Core.History;

namespace Dashboard.Bench;

/// <summary>
/// A simulated week of history for one 5-node ensemble and a Kafka cluster of 100,000 partitions at 2 s polls,
/// written through the real store (writer queue, pruning, downsampling) with a simulated clock, to state and
/// check the size the database reaches. Churn is deliberately pessimistic: an election a day, a node restart a
/// day, 200 ISR changes an hour.
/// </summary>
internal static class HistoryWeek
{
    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var days = options.Int("days", 7);
        var nodes = options.Int("nodes", 5);
        var partitions = options.Int("partitions", 100_000);
        var poll = TimeSpan.FromSeconds(options.Int("poll-seconds", 2));
        var isrChangesPerHour = options.Int("isr-per-hour", 200);
        var path = options.GetValueOrDefault("db") ?? Path.Combine(Path.GetTempPath(), $"history-week-{Environment.ProcessId}.db");
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);

        var historyOptions = new HistoryOptions { DatabasePath = path };
        var database = new HistoryDatabase(historyOptions);
        database.Migrate();
        await using var writer = new HistoryWriter(database);
        writer.Start();
        var throttle = new SnapshotThrottle(historyOptions.SnapshotHeartbeat);
        var random = new Random(42);
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var pollsPerDay = (int)(TimeSpan.FromDays(1) / poll);
        var leader = 1;
        var clock = Stopwatch.StartNew();
        long polls = 0, snapshots = 0, events = 0;

        for (var day = 0; day < days; day++)
        {
            var electionAt = random.Next(pollsPerDay);
            var restartAt = random.Next(pollsPerDay);
            for (var i = 0; i < pollsPerDay; i++)
            {
                var at = start + poll * ((long)day * pollsPerDay + i);
                polls++;
                if (i == electionAt)
                {
                    leader = leader % nodes + 1;
                    writer.Enqueue(new EventWrite(new HistoryEvent("prod", at, "leader-changed", leader.ToString(CultureInfo.InvariantCulture), $"node {leader} leads", """{"noLeaderMs":412}""")));
                    events++;
                }
                var restarting = i >= restartAt && i < restartAt + 10;
                if (i == restartAt || i == restartAt + 10)
                {
                    writer.Enqueue(new EventWrite(new HistoryEvent("prod", at, restarting ? "node-down" : "node-up", "3", restarting ? "node 3 down" : "node 3 up")));
                    events++;
                }

                writer.Enqueue(new MetricsWrite(Enumerable.Range(1, nodes).Select(n => new NodeMetricSample("prod", n.ToString(CultureInfo.InvariantCulture), at,
                    random.NextDouble() * 3, random.Next(5, 80), random.Next(0, 4), 40 + random.Next(10), 1_200_000 + i % 1000, 350_000)).ToList()));

                var fingerprint = $"{leader}|{restarting}";
                if (throttle.ShouldStore("prod", fingerprint, at) is { } reason)
                {
                    writer.Enqueue(new SnapshotWrite(EnsembleSnapshot(at, reason, leader, nodes, restarting ? 3 : 0, partitions)));
                    snapshots++;
                }

                // ISR churn, spread over the hour.
                if (random.NextDouble() < isrChangesPerHour * poll.TotalHours)
                {
                    var p = random.Next(partitions);
                    writer.Enqueue(new EventWrite(new HistoryEvent("prod", at, "isr-shrunk", $"topic-{p / 10}-{p % 10}", $"broker {random.Next(1, 7)} left the ISR",
                        """{"before":[1,2,3],"after":[1,2]}""")));
                    events++;
                }

                if (i % (int)(historyOptions.PruneInterval / poll) == 0) writer.Enqueue(new PruneWrite(historyOptions, at));
                if (i % 5000 == 0) await writer.FlushAsync();
            }
            await writer.FlushAsync();
            Console.WriteLine($"day {day + 1}: {Size(path)} ({polls} polls, {snapshots} snapshots, {events} events so far; {clock.Elapsed.TotalSeconds:0} s)");
        }

        await writer.FlushAsync();
        using (var connection = database.Open())
        {
            foreach (var table in new[] { "node_metrics", "node_metrics_downsampled", "snapshots", "snapshot_nodes", "events" })
                Console.WriteLine($"  {table}: {connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM {table}")} rows");
            connection.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        Console.WriteLine($"status: {(writer.Status.IsHealthy ? "healthy" : writer.Status.Problem)}");
        Console.WriteLine($"days={days} nodes={nodes} partitions={partitions} polls={polls} bytes={new FileInfo(path).Length} ms={clock.ElapsedMilliseconds}");
        return 0;
    }

    private static string Size(string path)
    {
        long bytes = new FileInfo(path).Length + (File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0);
        return $"{bytes / (1024.0 * 1024):0.0} MB";
    }

    // A stored snapshot keeps the ensemble and, for Kafka, what an operator asks "as of" for: brokers, controller
    // and the problem partitions, not all 100,000 partition states (those changes are events).
    private static SnapshotRecord EnsembleSnapshot(DateTimeOffset at, string reason, int leader, int nodes, int downNode, int partitions)
    {
        var rows = Enumerable.Range(1, nodes).Select(n => new SnapshotNodeRow(n.ToString(CultureInfo.InvariantCulture), $"10.0.0.{n}:2181",
            n == downNode ? "down" : n == leader ? "leader" : "follower", n == downNode ? null : 0x5_0000_0000 + n, n == downNode ? "connection refused" : null)).ToList();
        var json = new StringBuilder("{\"nodes\":[");
        foreach (var row in rows)
            json.Append(CultureInfo.InvariantCulture, $"{{\"id\":{row.NodeId},\"address\":\"{row.Address}\",\"role\":\"{row.Role}\",\"zxid\":{row.Zxid ?? 0},\"latency\":[0,1.2,40],\"outstanding\":0,\"connections\":44,\"znodes\":1200000,\"watches\":350000,\"ephemerals\":12,\"dataSize\":98000000,\"fds\":[210,65536],\"version\":\"3.8.4\"}},");
        json.Length--;
        json.Append(CultureInfo.InvariantCulture, $"],\"kafka\":{{\"partitions\":{partitions},\"brokers\":[1,2,3,4,5,6],\"controller\":1,\"problemPartitions\":[]}}}}");
        return new SnapshotRecord("prod", at, reason, leader.ToString(CultureInfo.InvariantCulture), rows, json.ToString());
    }
}
