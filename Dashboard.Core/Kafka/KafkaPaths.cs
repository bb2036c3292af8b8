using System.Globalization;

namespace Dashboard.Core.Kafka;

/// <summary>Kafka's znode paths under a chroot ("" for the root, else e.g. "/kafka").</summary>
public sealed record KafkaPaths(string Chroot)
{
    public string BrokerIds => Chroot + "/brokers/ids";
    public string Broker(int id) => BrokerIds + "/" + id.ToString(CultureInfo.InvariantCulture);
    public string Topics => Chroot + "/brokers/topics";
    public string Topic(string topic) => Topics + "/" + topic;
    public string Partitions(string topic) => Topic(topic) + "/partitions";
    public string Partition(string topic, int partition) => Partitions(topic) + "/" + partition.ToString(CultureInfo.InvariantCulture);
    // One allocation per path: the reader builds 100,000 of these per full read.
    public string PartitionState(string topic, int partition) =>
        string.Create(CultureInfo.InvariantCulture, $"{Chroot}/brokers/topics/{topic}/partitions/{partition}/state");
    public string Controller => Chroot + "/controller";
    public string ControllerEpoch => Chroot + "/controller_epoch";
    public string Migration => Chroot + "/migration";
    public string ClusterId => Chroot + "/cluster/id";
    public string TopicConfigs => Chroot + "/config/topics";
    public string TopicConfig(string topic) => TopicConfigs + "/" + topic;
    public string BrokerConfigs => Chroot + "/config/brokers";
    public string BrokerConfig(string key) => BrokerConfigs + "/" + key;
    public string ConfigChanges => Chroot + "/config/changes";
    public string PreferredReplicaElection => Chroot + "/admin/preferred_replica_election";
    public string ReassignPartitions => Chroot + "/admin/reassign_partitions";
    public string DeleteTopics => Chroot + "/admin/delete_topics";

    /// <summary>Normalises a configured chroot: "/" and "" mean the root; no trailing slash.</summary>
    public static string NormalizeChroot(string? chroot)
    {
        var trimmed = (chroot ?? "").Trim().TrimEnd('/');
        return trimmed.Length == 0 ? "" : trimmed.StartsWith('/') ? trimmed : "/" + trimmed;
    }
}
