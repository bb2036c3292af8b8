using Dashboard.Core.ZooKeeper;

namespace Dashboard.Bench;

/// <summary>
/// Reads the tree as a Kafka metadata reader must: each topic's JSON and its partitions, then every partition's
/// state. With a batch above 1 the reads travel as multiRead requests; with 1 they are plain pipelined requests.
/// At most <c>window</c> requests are on the wire at once.
/// </summary>
internal sealed class KafkaTreeReader(ZooKeeperClient client, int window, int batch)
{
    private long _requests;
    private long _bytes;

    public long Requests => _requests;
    public long Bytes => _bytes;

    public async Task ReadAsync()
    {
        var topics = (await client.GetChildrenAsync(KafkaTree.TopicsPath)).Names;
        var partitionsByTopic = new IReadOnlyList<string>[topics.Count];
        using var slots = new SemaphoreSlim(window, window);

        // Phase 1: topic JSON and partition lists.
        var work = new List<Task>();
        for (var start = 0; start < topics.Count; start += Math.Max(1, batch / 2))
        {
            var first = start;
            var count = Math.Min(Math.Max(1, batch / 2), topics.Count - start);
            await slots.WaitAsync();
            work.Add(ReadTopicsAsync(topics, first, count, partitionsByTopic, slots));
        }
        await Task.WhenAll(work);
        work.Clear();

        // Phase 2: every partition's state.
        var states = new List<string>(topics.Count * 10);
        for (var t = 0; t < topics.Count; t++)
            foreach (var partition in partitionsByTopic[t]) states.Add($"{KafkaTree.TopicsPath}/{topics[t]}/partitions/{partition}/state");
        for (var start = 0; start < states.Count; start += batch)
        {
            var slice = states.GetRange(start, Math.Min(batch, states.Count - start));
            await slots.WaitAsync();
            work.Add(ReadStatesAsync(slice, slots));
        }
        await Task.WhenAll(work);
    }

    private async Task ReadTopicsAsync(IReadOnlyList<string> topics, int first, int count, IReadOnlyList<string>[] partitions, SemaphoreSlim slots)
    {
        try
        {
            if (batch == 1)
            {
                var path = $"{KafkaTree.TopicsPath}/{topics[first]}";
                var data = client.GetDataAsync(path);
                var children = client.GetChildrenAsync(path + "/partitions");
                Count((await data).Data.Length);
                partitions[first] = (await children).Names;
                Count(0);
                return;
            }
            var operations = new List<ReadOperation>(count * 2);
            for (var t = first; t < first + count; t++)
            {
                var path = $"{KafkaTree.TopicsPath}/{topics[t]}";
                operations.Add(ReadOperation.GetData(path));
                operations.Add(ReadOperation.GetChildren(path + "/partitions"));
            }
            var results = await client.MultiReadAsync(operations);
            for (var i = 0; i < results.Count; i++)
            {
                switch (results[i])
                {
                    case DataReadResult data: Count(data.Data.Length); break;
                    case ChildrenReadResult children: partitions[first + i / 2] = children.Names; Count(0); break;
                    case ErrorResult error: throw new InvalidOperationException($"{operations[i].Path}: {error.Code}");
                }
            }
        }
        finally { slots.Release(); }
    }

    private async Task ReadStatesAsync(List<string> paths, SemaphoreSlim slots)
    {
        try
        {
            if (batch == 1)
            {
                Count((await client.GetDataAsync(paths[0])).Data.Length);
                return;
            }
            var results = await client.MultiReadAsync(paths.Select(ReadOperation.GetData).ToList());
            foreach (var result in results)
            {
                if (result is DataReadResult data) Count(data.Data.Length);
                else throw new InvalidOperationException($"a state read failed: {result}");
            }
        }
        finally { slots.Release(); }
    }

    private void Count(int bytes)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytes, bytes);
    }
}
