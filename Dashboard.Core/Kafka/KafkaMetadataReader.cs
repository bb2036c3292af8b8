using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Kafka;

/// <summary>No Kafka metadata (<c>/brokers/ids</c>) at the configured chroot, or at the root or one level down.</summary>
public sealed class KafkaClusterNotFoundException(string message) : Exception(message);

/// <summary>A list the whole snapshot depends on (<c>/brokers/ids</c>, <c>/brokers/topics</c>) could not be read: no snapshot rather than a wrong one.</summary>
public sealed class KafkaMetadataUnreadableException(string message) : Exception(message);

/// <summary>
/// Reads a whole Kafka cluster's metadata from ZooKeeper into a <see cref="KafkaClusterSnapshot"/>: the top level,
/// then brokers, configs and topics in multiRead batches all in flight at once, each topic batch requesting its
/// partition states as soon as it arrives. 100,000 partitions cost about a thousand round trips, not 100,000.
/// </summary>
public sealed class KafkaMetadataReader(ZooKeeperClient client, string? chroot = null, TimeProvider? time = null)
{
    /// <summary>Reads per multiRead: big enough to amortise round trips, small enough to stay far below the frame limit.</summary>
    public int BatchSize { get; init; } = 200;

    /// <summary>
    /// Topic batches are cut so their replies stay under this many bytes (estimated from the topics of the previous
    /// read): 200 topics of 480 partitions are over a megabyte, past the frame limit. The client still falls back to
    /// single reads when an estimate is wrong.
    /// </summary>
    public int MaxBatchBytes { get; init; } = 256 * 1024;

    private double _bytesPerTopic = 64;

    // Kept across reads: the next read's replica and ISR lists are mostly the arrays this one left in the old generation.
    private readonly ReplicaListPool _lists = new();

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private string? _chroot = chroot is null ? null : KafkaPaths.NormalizeChroot(chroot);

    /// <summary>The chroot in use: configured, or detected by the first read.</summary>
    public string? Chroot => _chroot;

    /// <summary>A <c>/brokers/ids</c> at the root, else under one top-level znode (first in name order).</summary>
    public async Task<string?> DetectChrootAsync(CancellationToken cancellationToken = default)
    {
        if (await client.ExistsAsync("/brokers/ids", null, cancellationToken).ConfigureAwait(false) is not null) return "";
        var top = (await client.GetChildrenAsync("/", null, cancellationToken).ConfigureAwait(false)).Names
            .Where(n => n != "zookeeper").Order(StringComparer.Ordinal).ToList();
        var found = await Task.WhenAll(top.Select(n => client.ExistsAsync($"/{n}/brokers/ids", null, cancellationToken))).ConfigureAwait(false);
        var index = Array.FindIndex(found, s => s is not null);
        return index < 0 ? null : "/" + top[index];
    }

    public async Task<KafkaClusterSnapshot> ReadAsync(CancellationToken cancellationToken = default)
    {
        _chroot ??= await DetectChrootAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new KafkaClusterNotFoundException("no /brokers/ids at the root or one level down");
        var paths = new KafkaPaths(_chroot);
        var unreadable = new List<UnreadableZNode>();

        var top = await ReadAllAsync(
        [
            ReadOperation.GetChildren(paths.BrokerIds),
            ReadOperation.GetChildren(paths.Topics),
            ReadOperation.GetData(paths.Controller),
            ReadOperation.GetData(paths.ControllerEpoch),
            ReadOperation.GetData(paths.ClusterId),
            ReadOperation.GetChildren(paths.TopicConfigs),
            ReadOperation.GetChildren(paths.BrokerConfigs),
            ReadOperation.GetData(paths.PreferredReplicaElection),
            ReadOperation.GetData(paths.ReassignPartitions),
            ReadOperation.GetChildren(paths.DeleteTopics),
            ReadOperation.GetData(paths.Migration),
        ], cancellationToken).ConfigureAwait(false);
        if (top[0] is ErrorResult { Code: ErrorCode.NoNode })
            throw new KafkaClusterNotFoundException($"no {paths.BrokerIds}");
        foreach (var (result, path) in new[] { (top[0], paths.BrokerIds), (top[1], paths.Topics) })
            if (result is ErrorResult { Code: not ErrorCode.NoNode } error)
                throw new KafkaMetadataUnreadableException($"{path} could not be read: {error.Detail ?? error.Code.ToString()}");

        var brokerIds = Children(top[0]).Select(n => (Name: n, Id: ParseId(n))).ToList();
        var topicNames = Children(top[1]).Order(StringComparer.Ordinal).ToList();
        var topicConfigNames = Children(top[5]).ToHashSet(StringComparer.Ordinal);
        var brokerConfigNames = Children(top[6]).ToList();
        foreach (var (name, _) in brokerIds.Where(b => b.Id is null))
            unreadable.Add(new UnreadableZNode(paths.BrokerIds + "/" + name, "", "broker id is not an integer"));

        // Wave 2: broker registrations and configs; alongside, topics in batches, each batch requesting its partition
        // states as soon as its assignments arrive (wave 3), so parsing overlaps the wire instead of following it.
        var liveIds = brokerIds.Where(b => b.Id is not null).Select(b => b.Id!.Value).ToList();
        var topicConfigs = topicNames.Where(topicConfigNames.Contains).ToList();
        var topicBatches = new List<Task<TopicBatch>>();
        var topicsPerBatch = (int)Math.Clamp(MaxBatchBytes / Math.Max(1, _bytesPerTopic), 1, BatchSize);
        for (var start = 0; start < topicNames.Count; start += topicsPerBatch)
            topicBatches.Add(ReadTopicBatchAsync(paths, topicNames.GetRange(start, Math.Min(topicsPerBatch, topicNames.Count - start)), cancellationToken));
        var wave2 = liveIds.Select(id => ReadOperation.GetData(paths.Broker(id)))
            .Concat(topicConfigs.Select(t => ReadOperation.GetData(paths.TopicConfig(t))))
            .Concat(brokerConfigNames.Select(b => ReadOperation.GetData(paths.BrokerConfig(b))))
            .ToList();
        var second = await ReadAllAsync(wave2, cancellationToken).ConfigureAwait(false);
        var offset = 0;

        var brokers = new Dictionary<int, KafkaBroker>();
        foreach (var id in liveIds)
        {
            // A broker that vanished between the waves is simply not alive any more; one that could not be read still is.
            if (Failed(second[offset], paths.Broker(id), unreadable) is { } failed) brokers[id] = new KafkaBroker(id, 0, null, failed);
            if (second[offset++] is not DataReadResult data) continue;
            var parsed = KafkaZNodeParser.BrokerRegistration(id, data.Data, data.Stat.CreatedZxid);
            brokers[id] = new KafkaBroker(id, data.Stat.CreatedZxid, parsed.Value, Unreadable(paths.Broker(id), data.Data, parsed, unreadable));
        }
        var configByTopic = new Dictionary<string, EntityConfig>(StringComparer.Ordinal);
        foreach (var topic in topicConfigs)
            if (ReadConfig(second[offset++], paths.TopicConfig(topic), unreadable) is { } config) configByTopic[topic] = config;
        var brokerConfigs = new Dictionary<string, EntityConfig>(StringComparer.Ordinal);
        foreach (var key in brokerConfigNames)
            if (ReadConfig(second[offset++], paths.BrokerConfig(key), unreadable) is { } config) brokerConfigs[key] = config;

        var assignments = new List<(string Topic, TopicAssignment? Assignment, UnreadableZNode? Unreadable, IReadOnlyList<KafkaPartition> Partitions)>();
        long topicBytes = 0;
        foreach (var batch in await Task.WhenAll(topicBatches).ConfigureAwait(false))
        {
            assignments.AddRange(batch.Topics);
            unreadable.AddRange(batch.Unreadable);
            topicBytes += batch.Bytes;
        }
        // Twice the average: batches of the next read stay under the limit even when sizes vary.
        if (assignments.Count > 0) _bytesPerTopic = Math.Max(64, 2.0 * topicBytes / assignments.Count);

        var deletions = Children(top[9]).ToHashSet(StringComparer.Ordinal);
        var topics = assignments.ToDictionary(a => a.Topic, a => new KafkaTopic(a.Topic, a.Assignment,
            configByTopic.GetValueOrDefault(a.Topic) ?? EntityConfig.Empty,
            a.Partitions,
            deletions.Contains(a.Topic), a.Unreadable), StringComparer.Ordinal);

        foreach (var (result, path) in new[] { (top[2], paths.Controller), (top[3], paths.ControllerEpoch), (top[4], paths.ClusterId), (top[7], paths.PreferredReplicaElection), (top[8], paths.ReassignPartitions), (top[10], paths.Migration) })
            Failed(result, path, unreadable);
        var controllerEpoch = top[3] is DataReadResult epochData ? KafkaZNodeParser.ControllerEpoch(epochData.Data) : null;
        if (top[3] is DataReadResult badEpoch && controllerEpoch is null)
            unreadable.Add(new UnreadableZNode(paths.ControllerEpoch, KafkaZNodeParser.Raw(badEpoch.Data), "not an integer"));
        KafkaController? controller = null;
        if (top[2] is DataReadResult controllerData)
        {
            var parsed = KafkaZNodeParser.Controller(controllerData.Data);
            controller = new KafkaController(parsed.Value?.BrokerId ?? -1, controllerEpoch, controllerData.Stat.CreatedZxid,
                controllerData.Stat.Created, parsed.Value, Unreadable(paths.Controller, controllerData.Data, parsed, unreadable), !controllerData.Stat.IsEphemeral);
        }

        string? clusterId = null;
        if (top[4] is DataReadResult clusterData)
        {
            var parsed = KafkaZNodeParser.ClusterId(clusterData.Data);
            clusterId = parsed.Value;
            Unreadable(paths.ClusterId, clusterData.Data, parsed, unreadable);
        }

        // An unreadable request is still pending (the controller has not deleted it): an empty list, not null.
        var admin = new PendingAdminRequests(
            top[7] is DataReadResult election ? ParseOrRecord(KafkaZNodeParser.PreferredReplicaElection(election.Data), paths.PreferredReplicaElection, election.Data, unreadable) ?? [] : null,
            top[8] is DataReadResult reassign ? ParseOrRecord(KafkaZNodeParser.Reassignment(reassign.Data), paths.ReassignPartitions, reassign.Data, unreadable) ?? [] : null,
            deletions.Order(StringComparer.Ordinal).ToList());

        MigrationRecord? migration = null;
        if (top[10] is DataReadResult migrationData)
            migration = ParseOrRecord(KafkaZNodeParser.Migration(migrationData.Data, migrationData.Stat.Version), paths.Migration, migrationData.Data, unreadable);

        return new KafkaClusterSnapshot(_chroot, _time.GetUtcNow(), clusterId, controller, controllerEpoch, brokers, topics, brokerConfigs, admin, unreadable, migration);
    }

    private sealed record TopicBatch(
        List<(string Topic, TopicAssignment? Assignment, UnreadableZNode? Unreadable, IReadOnlyList<KafkaPartition> Partitions)> Topics,
        List<UnreadableZNode> Unreadable,
        long Bytes);

    /// <summary>Reads and parses a batch of topics, then their partition states (from the assignment, as Kafka's controller does).</summary>
    private async Task<TopicBatch> ReadTopicBatchAsync(KafkaPaths paths, List<string> names, CancellationToken cancellationToken)
    {
        var unreadable = new List<UnreadableZNode>();
        var topicReads = new ReadOperation[names.Count];
        for (var i = 0; i < names.Count; i++) topicReads[i] = ReadOperation.GetData(paths.Topic(names[i]));
        var results = await client.MultiReadAsync(topicReads, cancellationToken).ConfigureAwait(false);
        var assignments = new List<(string Topic, TopicAssignment? Assignment, UnreadableZNode? Unreadable, int States)>(names.Count);
        var states = new PartitionStateSink(paths, _lists);
        long bytes = 0;
        for (var i = 0; i < names.Count; i++)
        {
            if (Failed(results[i], topicReads[i].Path, unreadable) is { } failed)
            {
                assignments.Add((names[i], null, failed, -1));
                continue;
            }
            if (results[i] is not DataReadResult data) continue; // deleted since the listing
            bytes += data.Data.Length;
            var parsed = KafkaZNodeParser.TopicAssignment(names[i], data.Data, _lists);
            var bad = Unreadable(topicReads[i].Path, data.Data, parsed, unreadable);
            assignments.Add((names[i], parsed.Value, bad, parsed.Value is { } assignment ? states.AddTopic(names[i], assignment.Partitions) : -1));
        }

        await states.ReadAsync(client, BatchSize, cancellationToken).ConfigureAwait(false);
        unreadable.AddRange(states.Unreadable);
        var topics = new List<(string Topic, TopicAssignment? Assignment, UnreadableZNode? Unreadable, IReadOnlyList<KafkaPartition> Partitions)>(assignments.Count);
        foreach (var (topic, assignment, bad, index) in assignments)
            topics.Add((topic, assignment, bad, index < 0 ? [] : states.Partitions[index]));
        return new TopicBatch(topics, unreadable, bytes);
    }

    /// <summary>Issues every batch at once; the client's in-flight window paces them on the wire.</summary>
    private async Task<IReadOnlyList<OperationResult>> ReadAllAsync(IReadOnlyList<ReadOperation> operations, CancellationToken cancellationToken)
    {
        if (operations.Count <= BatchSize) return operations.Count == 0 ? [] : await client.MultiReadAsync(operations, cancellationToken).ConfigureAwait(false);
        var batches = new List<Task<IReadOnlyList<OperationResult>>>();
        for (var start = 0; start < operations.Count; start += BatchSize)
        {
            var batch = new ReadOperation[Math.Min(BatchSize, operations.Count - start)];
            for (var i = 0; i < batch.Length; i++) batch[i] = operations[start + i];
            batches.Add(client.MultiReadAsync(batch, cancellationToken));
        }
        var results = new List<OperationResult>(operations.Count);
        foreach (var batch in await Task.WhenAll(batches).ConfigureAwait(false)) results.AddRange(batch);
        return results;
    }

    private static IReadOnlyList<string> Children(OperationResult result) => result is ChildrenReadResult children ? children.Names : [];

    private static int? ParseId(string name) =>
        int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>
    /// A read that failed for another reason than the node being gone (too large for the frame limit, no access): the
    /// node is shown as unreadable with that reason instead of silently missing.
    /// </summary>
    private static UnreadableZNode? Failed(OperationResult result, string path, List<UnreadableZNode> all)
    {
        if (result is not ErrorResult { Code: not ErrorCode.NoNode } error) return null;
        var item = new UnreadableZNode(path, "", error.Detail ?? $"could not be read: {error.Code}");
        all.Add(item);
        return item;
    }

    private static EntityConfig? ReadConfig(OperationResult result, string path, List<UnreadableZNode> unreadable)
    {
        Failed(result, path, unreadable);
        if (result is not DataReadResult data) return null;
        var parsed = KafkaZNodeParser.Config(data.Data);
        Unreadable(path, data.Data, parsed, unreadable);
        return parsed.Value;
    }

    private static T? ParseOrRecord<T>(ParseResult<T> parsed, string path, byte[] data, List<UnreadableZNode> unreadable)
        where T : class
    {
        Unreadable(path, data, parsed, unreadable);
        return parsed.Value;
    }

    private static UnreadableZNode? Unreadable<T>(string path, byte[] data, ParseResult<T> parsed, List<UnreadableZNode> all)
        where T : class
    {
        if (parsed.IsReadable) return null;
        var item = new UnreadableZNode(path, KafkaZNodeParser.Raw(data), parsed.Error!);
        all.Add(item);
        return item;
    }
}
