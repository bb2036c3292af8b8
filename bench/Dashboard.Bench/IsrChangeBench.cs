using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dashboard.Core.Kafka;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Bench;

/// <summary>
/// One partition's ISR change to what the page shows: from the write of its state znode to the watcher's new snapshot
/// and the analysis the page renders from, with the periodic full read far out (so only the state watch can explain
/// it). Prints whether a full read was needed.
/// </summary>
internal static class IsrChangeBench
{
    public static async Task RunAsync(ZooKeeperClient client, int topics, int partitions, int changes)
    {
        await using var watcher = new KafkaClusterWatcher(client, new KafkaWatcherOptions { Chroot = "", FullReadInterval = TimeSpan.FromHours(1) });
        await watcher.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(5)); // the read that follows arming the state watches
        var reads = watcher.Reads;
        var topic = KafkaTree.TopicName(topics / 2);
        var path = $"{KafkaTree.TopicsPath}/{topic}/partitions/0/state";
        var times = new List<double>();
        for (var i = 0; i < changes; i++)
        {
            var isr = i % 2 == 0 ? "1,2" : "1,2,3";
            var expected = i % 2 == 0 ? 2 : 3;
            var data = Encoding.UTF8.GetBytes($"{{\"controller_epoch\":7,\"leader\":1,\"version\":1,\"leader_epoch\":{13 + i},\"isr\":[{isr}]}}");
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var subscription = watcher.Subscribe(u =>
            {
                if (u.Snapshot.Topics.TryGetValue(topic, out var t) && t.Partitions[0].State?.Isr.Count == expected)
                {
                    KafkaClusterAnalysis.Analyze(u.Snapshot); // what the store computes before the page renders
                    seen.TrySetResult();
                }
            });
            var clock = Stopwatch.StartNew();
            await client.SetDataAsync(path, data);
            await seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
            times.Add(clock.Elapsed.TotalMilliseconds);
            await Task.Delay(500);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"isr change of 1 of {topics * partitions} partitions to snapshot + analysis: median {times.Order().ElementAt(times.Count / 2):0} ms, max {times.Max():0} ms over {changes}; full reads during the changes: {watcher.Reads - reads}, state-only refreshes: {watcher.StateRefreshes}"));
    }
}
