using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dashboard.Core.Kafka;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Bench;

/// <summary>
/// One partition's ISR change to what the page shows: from the write of its state znode to the watcher's new snapshot,
/// and on to the store's Subscribe callback (what a page's component re-renders from) with the analysis the store
/// made, wired as the dashboard's monitor wires them; the periodic full read far out (so only the state watch can
/// explain it). Prints whether a full read was needed.
/// </summary>
internal static class IsrChangeBench
{
    public static async Task RunAsync(ZooKeeperClient client, int topics, int partitions, int changes)
    {
        await using var watcher = new KafkaClusterWatcher(client, new KafkaWatcherOptions { Chroot = "", FullReadInterval = TimeSpan.FromHours(1) });
        var store = new KafkaStore();
        using var recording = watcher.Subscribe(u => store.Record("bench", u, watcher.History.Changes));
        await watcher.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(5)); // the read that follows arming the state watches
        var reads = watcher.Reads;
        var topic = KafkaTree.TopicName(topics / 2);
        var path = $"{KafkaTree.TopicsPath}/{topic}/partitions/0/state";
        var times = new List<double>();
        var storeTimes = new List<double>();
        for (var i = 0; i < changes; i++)
        {
            var isr = i % 2 == 0 ? "1,2" : "1,2,3";
            var expected = i % 2 == 0 ? 2 : 3;
            var data = Encoding.UTF8.GetBytes($"{{\"controller_epoch\":7,\"leader\":1,\"version\":1,\"leader_epoch\":{13 + i},\"isr\":[{isr}]}}");
            var seen = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
            var shown = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
            var clock = new Stopwatch();
            using var subscription = watcher.Subscribe(u =>
            {
                if (u.Snapshot.Topics.TryGetValue(topic, out var t) && t.Partitions[0].State?.Isr.Count == expected) seen.TrySetResult(clock.Elapsed.TotalMilliseconds);
            });
            using var page = store.Subscribe("bench", () =>
            {
                // What the partitions grid reads: the store's analysis of the partition.
                if (store.Get("bench") is { } state && state.Analysis.Partitions.FirstOrDefault(p => p.Partition.Id == new TopicPartition(topic, 0)) is { Partition.State.Isr.Count: var count } && count == expected)
                    shown.TrySetResult(clock.Elapsed.TotalMilliseconds);
            });
            clock.Start();
            await client.SetDataAsync(path, data);
            times.Add(await seen.Task.WaitAsync(TimeSpan.FromSeconds(30)));
            storeTimes.Add(await shown.Task.WaitAsync(TimeSpan.FromSeconds(30)));
            await Task.Delay(500);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"isr change of 1 of {topics * partitions} partitions: to the watcher's snapshot median {ReadCost.Median(times):0} ms, max {times.Max():0} ms; to the store's Subscribe callback with its analysis median {ReadCost.Median(storeTimes):0} ms, max {storeTimes.Max():0} ms; over {changes}; full reads during the changes: {watcher.Reads - reads}, state-only refreshes: {watcher.StateRefreshes}"));
    }
}
