using System.Globalization;
using System.Text;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Bench;

/// <summary>A Kafka-style metadata tree (ZooKeeper mode): topics, their partitions and each partition's state.</summary>
internal static class KafkaTree
{
    public const string TopicsPath = "/brokers/topics";

    public static string TopicName(int i) => $"topic-{i:D5}";

    public static byte[] TopicJson(int topic, int partitions)
    {
        var assignment = string.Join(',', Enumerable.Range(0, partitions).Select(p => $"\"{p}\":[{Replicas(topic, p)}]"));
        var id = Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return Encoding.UTF8.GetBytes($"{{\"version\":3,\"partitions\":{{{assignment}}},\"adding_replicas\":{{}},\"removing_replicas\":{{}},\"topic_id\":\"{id}\"}}");
    }

    public static byte[] StateJson(int topic, int partition) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $"{{\"controller_epoch\":7,\"leader\":{(topic + partition) % 3 + 1},\"version\":1,\"leader_epoch\":12,\"isr\":[{Replicas(topic, partition)}]}}"));

    private static string Replicas(int topic, int partition)
    {
        var first = (topic + partition) % 3 + 1;
        return string.Create(CultureInfo.InvariantCulture, $"{first},{first % 3 + 1},{(first + 1) % 3 + 1}");
    }

    /// <summary>Creates the tree with transactions of a few hundred creates each, pipelined.</summary>
    public static async Task CreateAsync(ZooKeeperClient client, int topics, int partitions, TextWriter log)
    {
        foreach (var path in new[] { "/brokers", TopicsPath })
        {
            try { await client.CreateAsync(path, Array.Empty<byte>()); }
            catch (NodeExistsException) { }
        }
        var batches = new List<Task>();
        const int topicsPerBatch = 20;
        for (var start = 0; start < topics; start += topicsPerBatch)
        {
            var operations = new List<TransactionOperation>();
            for (var t = start; t < Math.Min(topics, start + topicsPerBatch); t++)
            {
                var topicPath = $"{TopicsPath}/{TopicName(t)}";
                operations.Add(TransactionOperation.Create(topicPath, TopicJson(t, partitions)));
                operations.Add(TransactionOperation.Create($"{topicPath}/partitions"));
                for (var p = 0; p < partitions; p++)
                {
                    operations.Add(TransactionOperation.Create($"{topicPath}/partitions/{p}"));
                    operations.Add(TransactionOperation.Create($"{topicPath}/partitions/{p}/state", StateJson(t, p)));
                }
            }
            batches.Add(client.MultiAsync(operations));
            if (batches.Count >= 50)
            {
                await Task.WhenAll(batches);
                batches.Clear();
            }
        }
        await Task.WhenAll(batches);
        log.WriteLine($"created {topics} topics x {partitions} partitions under {TopicsPath}");
    }
}
