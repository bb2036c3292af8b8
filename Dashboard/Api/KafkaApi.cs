using System.Text.Json;
using System.Text.Json.Serialization;
using Dashboard.Core.Clusters;
using Dashboard.Core.Kafka;

namespace Dashboard.Api;

/// <summary>
/// Kafka as JSON: <c>/api/clusters/{id}/kafka</c> (brokers, controller and its history, topic summaries),
/// <c>.../kafka/brokers</c>, <c>.../kafka/controller</c>, <c>.../kafka/controller-history</c>,
/// <c>.../kafka/topics/{topic}</c> and <c>.../kafka/partitions</c> (the ISR table's filters and pages).
/// Our own DTOs; 404 for an unknown cluster, topic or a cluster without Kafka, 400 for bad filters.
/// </summary>
internal static class KafkaApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static IEndpointRouteBuilder MapKafkaApi(this IEndpointRouteBuilder app)
    {
        var kafka = app.MapGroup("/api/clusters/{id}/kafka");
        kafka.MapGet("", (string id, ClusterRegistry registry, KafkaStore store) => With(id, registry, store, s => Results.Json(new
        {
            clusterId = id,
            chroot = s.Snapshot.Chroot.Length == 0 ? "/" : s.Snapshot.Chroot,
            kafkaClusterId = s.Snapshot.ClusterId,
            readAt = s.Snapshot.ReadAt,
            problem = s.Problem,
            underReplicated = s.Analysis.UnderReplicatedCount,
            offline = s.Analysis.OfflineCount,
            underMinIsr = s.Analysis.UnderMinIsrCount,
            reassigning = s.Analysis.ReassigningCount,
            offPreferredLeader = s.Analysis.OffPreferredCount,
            migration = Migration(s.Snapshot),
            brokers = Brokers(s),
            controller = Controller(s),
            controllerHistory = History(s),
            topics = s.Analysis.Topics.Select(TopicDto),
            pendingPreferredElection = s.Snapshot.Admin.PreferredElection?.Select(p => new { topic = p.Topic, partition = p.Partition }),
            pendingReassignment = s.Snapshot.Admin.Reassignment?.Select(r => new { topic = r.Partition.Topic, partition = r.Partition.Partition, replicas = r.Replicas }),
            unreadable = s.Snapshot.Unreadable.Select(UnreadableDto),
        }, Json)));
        kafka.MapGet("/brokers", (string id, ClusterRegistry registry, KafkaStore store) => With(id, registry, store, s => Results.Json(Brokers(s), Json)));
        kafka.MapGet("/controller", (string id, ClusterRegistry registry, KafkaStore store) => With(id, registry, store, s => Results.Json(new { current = Controller(s), history = History(s) }, Json)));
        kafka.MapGet("/controller-history", (string id, ClusterRegistry registry, KafkaStore store) => With(id, registry, store, s => Results.Json(History(s), Json)));

        kafka.MapGet("/topics/{topic}", (string id, string topic, HttpRequest request, ClusterRegistry registry, KafkaStore store) => With(id, registry, store, s =>
        {
            if (!s.Snapshot.Topics.TryGetValue(topic, out var t)) return Error(404, $"cluster '{id}' has no Kafka topic '{topic}'");
            if (!TryQuery(request, out var query, out var error)) return Error(400, error!);
            var health = s.Analysis.Topics.First(h => h.Name == topic);
            var page = (query with { Topic = topic, PageSize = request.Query.ContainsKey("pageSize") ? query.PageSize : PartitionQuery.MaxPageSize }).Run(s.Analysis);
            return Results.Json(new
            {
                clusterId = id,
                topic = TopicDto(health),
                topicId = t.Assignment?.TopicId,
                minInsyncReplicas = s.Snapshot.MinInsyncReplicas(t),
                config = t.Config.Values,
                unreadable = t.Unreadable is { } u ? UnreadableDto(u) : null,
                total = page.Total, page = page.Page, pages = page.Pages, pageSize = page.PageSize,
                partitions = page.Rows.Select(PartitionDto),
            }, Json);
        }));

        kafka.MapGet("/partitions", (string id, HttpRequest request, ClusterRegistry registry, KafkaStore store) => With(id, registry, store, s =>
        {
            if (!TryQuery(request, out var query, out var error)) return Error(400, error!);
            var page = query.Run(s.Analysis);
            return Results.Json(new { clusterId = id, total = page.Total, page = page.Page, pages = page.Pages, pageSize = page.PageSize, partitions = page.Rows.Select(PartitionDto) }, Json);
        }));
        return app;
    }

    private static IResult With(string id, ClusterRegistry registry, KafkaStore store, Func<ClusterKafkaState, IResult> answer)
    {
        if (registry.Find(id) is null) return Error(404, $"no cluster has the id '{id}'");
        return store.Get(id) is { } state ? answer(state) : Error(404, $"no Kafka is known in cluster '{id}' (no /brokers/ids found, or not read yet)");
    }

    private static IResult Error(int status, string message) => Results.Json(new { error = message }, Json, statusCode: status);

    /// <summary>The ISR filters from the query string; any malformed value is a 400 naming it.</summary>
    internal static bool TryQuery(HttpRequest request, out PartitionQuery query, out string? error)
    {
        query = new PartitionQuery();
        string? problem = null;
        var q = request.Query;
        bool? Flag(string name)
        {
            if (!q.TryGetValue(name, out var v)) return null;
            if (bool.TryParse(v, out var b)) return b;
            problem ??= $"'{name}' must be true or false (got '{v}')";
            return null;
        }
        int? Number(string name)
        {
            if (!q.TryGetValue(name, out var v)) return null;
            if (int.TryParse(v, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n)) return n;
            problem ??= $"'{name}' must be a whole number (got '{v}')";
            return null;
        }
        var sort = PartitionSort.Partition;
        if (q.TryGetValue("sort", out var sortText) && !Enum.TryParse(sortText, ignoreCase: true, out sort))
            problem ??= $"'sort' must be one of {string.Join(", ", Enum.GetNames<PartitionSort>().Select(n => n.ToLowerInvariant()))}";
        query = new PartitionQuery
        {
            Topic = q.TryGetValue("topic", out var topic) ? topic.ToString() : null,
            TopicPattern = q.TryGetValue("topicPattern", out var pattern) ? pattern.ToString() : null,
            Broker = Number("broker"),
            ProblemsOnly = Flag("problems") ?? false,
            UnderReplicated = Flag("underReplicated"),
            Offline = Flag("offline"),
            UnderMinIsr = Flag("underMinIsr"),
            Reassigning = Flag("reassigning"),
            Sort = sort,
            Page = Number("page") ?? 1,
            PageSize = Number("pageSize") ?? PartitionQuery.DefaultPageSize,
        };
        error = problem ?? query.Validate();
        return error is null;
    }

    private static IEnumerable<object> Brokers(ClusterKafkaState s) => s.Analysis.Brokers.Select(b => new
    {
        id = b.Id,
        status = b.Status,
        controller = b.IsController,
        epoch = b.Broker?.Epoch,
        rack = b.Broker?.Registration?.Rack,
        host = b.Broker?.Registration?.Host,
        port = b.Broker?.Registration?.Port,
        endpoints = b.Broker?.Registration?.Endpoints,
        jmxPort = b.Broker?.Registration?.JmxPort,
        registrationVersion = b.Broker?.Registration?.Version,
        partitionsLed = b.PartitionsLed,
        replicasHeld = b.ReplicasHeld,
        underReplicated = b.UnderReplicatedLed,
        underReplicatedReplicas = b.UnderReplicatedReplicas,
        unreadable = b.Broker?.Unreadable is { } u ? UnreadableDto(u) : null,
    });

    private static object? Controller(ClusterKafkaState s) => s.Snapshot.Controller is { } c
        ? new
        {
            brokerId = c.BrokerId, epoch = c.Epoch, since = c.Created, czxid = c.Czxid,
            znodeVersion = c.Registration?.Version, kraftControllerEpoch = c.Registration?.KraftControllerEpoch, kraft = c.IsKraft, persistent = c.Persistent,
            unreadable = c.Unreadable is { } u ? UnreadableDto(u) : null,
        }
        : null;

    private static object Migration(KafkaClusterSnapshot snapshot)
    {
        var m = snapshot.MigrationStatus;
        return new
        {
            phase = m.Phase, kraftControllerId = m.KraftControllerId, kraftControllerEpoch = m.KraftControllerEpoch, summary = m.Summary, nextCheck = m.NextCheck,
            record = m.Record is { } r ? new { version = r.Version, kraftControllerId = r.KraftControllerId, kraftControllerEpoch = r.KraftControllerEpoch, kraftMetadataOffset = r.KraftMetadataOffset, kraftMetadataEpoch = r.KraftMetadataEpoch, zkVersion = r.ZkVersion } : null,
        };
    }

    private static IEnumerable<object> History(ClusterKafkaState s) => s.ControllerHistory.Reverse().Select(c => new
    {
        brokerId = c.BrokerId,
        epoch = c.Epoch,
        started = c.Started,
        ended = c.Ended,
        gapBeforeMs = c.GapBefore?.TotalMilliseconds,
        missedElectionsBefore = c.MissedElectionsBefore,
    });

    private static object TopicDto(TopicHealth t) => new
    {
        name = t.Name,
        partitions = t.Partitions,
        replicationFactor = t.ReplicationFactor,
        underReplicated = t.UnderReplicated,
        offline = t.Offline,
        underMinIsr = t.UnderMinIsr,
        preferredLeaderShare = t.PreferredLeaderShare is { } share ? Math.Round(share, 4) : (double?)null,
        reassignmentInProgress = t.ReassignmentInProgress,
        reassigningPartitions = t.Reassigning,
        markedForDeletion = t.MarkedForDeletion,
        unreadable = t.Unreadable,
    };

    private static object PartitionDto(PartitionHealth h) => new
    {
        topic = h.Partition.Id.Topic,
        partition = h.Partition.Id.Partition,
        leader = h.Partition.State?.Leader,
        replicas = h.Partition.Replicas,
        replicationFactor = h.ReplicationFactor,
        addingReplicas = h.AddingReplicas,
        removingReplicas = h.RemovingReplicas,
        isr = h.Partition.State?.Isr,
        leaderRecoveryState = h.Partition.State?.RecoveryState,
        queuedForDeletion = h.QueuedForDeletion,
        preferredLeader = h.Partition.PreferredLeader,
        leaderEpoch = h.Partition.State?.LeaderEpoch,
        controllerEpoch = h.Partition.State?.ControllerEpoch,
        zkVersion = h.Partition.State?.ZkVersion,
        underReplicated = h.UnderReplicated,
        offline = h.Offline,
        underMinIsr = h.UnderMinIsr,
        onPreferredLeader = h.OnPreferredLeader,
        outOfSync = h.OutOfSyncReplicas,
        unreadable = h.Partition.Unreadable is { } u ? UnreadableDto(u) : null,
    };

    private static object UnreadableDto(UnreadableZNode u) => new { path = u.Path, raw = u.Raw, reason = u.Reason };
}
