using Dashboard.Core.Kafka.Sandbox;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Sandbox;

namespace Dashboard.Tests.Maintenance.Kafka;

/// <summary>
/// One ZooKeeper node with 3 sandbox brokers under /kafka and a topic of 6 partitions, RF 3, min ISR 2: every broker
/// holds a replica of every partition, so each restart is judged by Strimzi's rule. One per destructive test class.
/// </summary>
public sealed class KafkaMaintenanceCluster : IAsyncLifetime
{
    public const string Topic = "orders";

    /// <summary>A roll on this one-voter ensemble, with the typed acknowledgement that ZooKeeper cannot lose a voter.</summary>
    public static MaintenanceRequest Acknowledged(MaintenanceRequest request) => request with { ZooKeeperRiskAccepted = true };

    public ZooKeeperSandbox Sandbox { get; private set; } = null!;
    public SandboxKafkaCluster Kafka { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 1, Observers = 0 });
        Kafka = await SandboxKafkaCluster.StartAsync(Sandbox.ConnectString, new SandboxKafkaOptions { Brokers = 3, Chroot = "/kafka" });
        await Kafka.WaitForControllerAsync(TimeSpan.FromSeconds(30));
        await Kafka.CreateTopicAsync(Topic, 6, 3, new Dictionary<string, string> { ["min.insync.replicas"] = "2" });
        await WaitUntilWholeAsync();
    }

    /// <summary>Until all 3 brokers are registered and no partition is under-replicated.</summary>
    public async Task WaitUntilWholeAsync()
    {
        foreach (var id in new[] { 1, 2, 3 }.Except(Kafka.RunningBrokerIds)) await Kafka.StartBrokerAsync(id);
        await Kafka.WaitUntilAsync(s => s.Brokers.Count == 3 && s.Controller is not null && s.AllPartitions.All(p => p.State is { } st && st.Isr.Count == p.Replicas.Count),
            TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        if (Kafka is not null) await Kafka.DisposeAsync();
        if (Sandbox is not null) await Sandbox.DisposeAsync();
    }
}
