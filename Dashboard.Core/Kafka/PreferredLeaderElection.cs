using System.Text.Json;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Kafka;

/// <summary>What became of a request for a preferred leader election.</summary>
public enum PreferredElectionOutcome
{
    /// <summary><c>/admin/preferred_replica_election</c> was written; the controller runs it and deletes the node.</summary>
    Requested,

    /// <summary>Refused: a request is still pending (Kafka refuses a second one too).</summary>
    AlreadyPending,

    /// <summary>Every chosen partition is already led by its preferred replica: nothing was written.</summary>
    NothingToElect,

    /// <summary>The named topic does not exist.</summary>
    UnknownTopic,

    /// <summary>
    /// Refused: a KRaft controller holds <c>/controller</c> (ZooKeeper -> KRaft migration). It never reads
    /// <c>/admin/preferred_replica_election</c>, so the request would wait forever; use the Admin API's election instead.
    /// </summary>
    KraftController,
}

/// <summary>The answer to a preferred election request: the outcome, the partitions asked for, and a sentence for people.</summary>
public sealed record PreferredElectionResult(PreferredElectionOutcome Outcome, IReadOnlyList<TopicPartition> Partitions, string Message)
{
    public bool Accepted => Outcome is PreferredElectionOutcome.Requested or PreferredElectionOutcome.NothingToElect;
}

/// <summary>
/// Requests a preferred leader election the way Kafka's tool does: one <c>/admin/preferred_replica_election</c> node
/// listing the partitions, refused while one exists. Only partitions not led by their preferred replica (the first in
/// the assignment) are listed, so a request is as small as the imbalance.
/// </summary>
public static class PreferredLeaderElection
{
    /// <summary>
    /// Partitions with a state not led by their preferred replica (Kafka's <c>hasPreferredLeader</c>: a preferred replica
    /// still being added does not count yet), in one topic or all; topics queued for deletion are left out, as Kafka does.
    /// </summary>
    public static IReadOnlyList<TopicPartition> OffPreferred(KafkaClusterSnapshot snapshot, string? topic)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var topics = topic is null ? snapshot.Topics.Values : snapshot.Topics.TryGetValue(topic, out var t) ? [t] : [];
        var off = new List<TopicPartition>();
        foreach (var candidate in topics.Where(t => !t.MarkedForDeletion))
            foreach (var p in candidate.Partitions)
            {
                if (p.State is not { } state || p.Replicas.Count == 0) continue;
                var adding = candidate.Assignment?.AddingReplicas.GetValueOrDefault(p.Id.Partition) ?? [];
                if (!KafkaClusterAnalysis.HasPreferredLeader(p.Replicas, adding, state)) off.Add(p.Id);
            }
        return [.. off.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition)];
    }

    /// <summary>Why nobody would process a request written now (a KRaft controller holds <c>/controller</c>); null when a ZooKeeper controller would (now or once elected).</summary>
    public static string? Unprocessable(KafkaClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return snapshot.Controller is { IsKraft: true } c
            ? $"a KRaft controller (node {c.BrokerId}, KRaft epoch {c.Registration?.KraftControllerEpoch}) holds {new KafkaPaths(snapshot.Chroot).Controller} during the ZooKeeper -> KRaft migration; it never reads {new KafkaPaths(snapshot.Chroot).PreferredReplicaElection}, so the request would never run: use kafka-leader-election.sh (the Admin API) against the cluster instead"
            : null;
    }

    public static async Task<PreferredElectionResult> RequestAsync(ZooKeeperClient client, KafkaClusterSnapshot snapshot, string? topic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(snapshot);
        var paths = new KafkaPaths(snapshot.Chroot);
        // Checked before "already pending": under a KRaft controller a pending node is never deleted, and must not be the reason given.
        if (Unprocessable(snapshot) is { } reason) return new(PreferredElectionOutcome.KraftController, [], $"refused: {reason}");
        if (snapshot.Admin.PreferredElection is { } pending) return Pending(paths, pending);
        if (topic is not null && !snapshot.Topics.ContainsKey(topic))
            return new(PreferredElectionOutcome.UnknownTopic, [], $"there is no topic '{topic}'");
        var partitions = OffPreferred(snapshot, topic);
        var scope = topic is null ? "every topic" : $"topic '{topic}'";
        if (partitions.Count == 0)
            return new(PreferredElectionOutcome.NothingToElect, [], $"every partition of {scope} is led by its preferred replica: nothing to elect");
        var data = JsonSerializer.SerializeToUtf8Bytes(new { version = 1, partitions = partitions.Select(p => new { topic = p.Topic, partition = p.Partition }) });
        try
        {
            await client.CreateAsync(paths.PreferredReplicaElection, data, CreateMode.Persistent, null, cancellationToken).ConfigureAwait(false);
            return new(PreferredElectionOutcome.Requested, partitions,
                $"requested a preferred leader election for {partitions.Count} partition(s) of {scope} not led by their preferred replica");
        }
        catch (NodeExistsException)
        {
            return Pending(paths, null); // written by someone else between our read and our create
        }
    }

    private static PreferredElectionResult Pending(KafkaPaths paths, IReadOnlyList<TopicPartition>? pending) =>
        new(PreferredElectionOutcome.AlreadyPending, pending ?? [],
            $"a preferred leader election is already pending ({paths.PreferredReplicaElection}"
            + (pending is null ? "" : $", {pending.Count} partition(s)")
            + "): wait until the controller has run it and deleted the node, then ask again");
}
