using Dashboard.Core.Kafka.Sandbox;
using Dashboard.Core.Sandbox;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Kafka;

/// <summary>One real ensemble for the Kafka web tests; each test runs its own sandbox brokers under its own chroot.</summary>
public sealed class KafkaSandboxFixture : IAsyncLifetime
{
    public ZooKeeperSandbox Sandbox { get; private set; } = null!;

    public async Task InitializeAsync() => Sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 3, Observers = 0 });

    public async Task DisposeAsync()
    {
        if (Sandbox is not null) await Sandbox.DisposeAsync();
    }

    /// <summary>3 brokers, "orders" (6 x RF 3, min ISR 2) and "logs" (2 x RF 1), under a fresh chroot.</summary>
    public async Task<SandboxKafkaCluster> StartKafkaAsync()
    {
        var kafka = await SandboxKafkaCluster.StartAsync(Sandbox.ConnectString, new SandboxKafkaOptions { Chroot = $"/kafka-{Guid.NewGuid():N}", Racks = new Dictionary<int, string> { [1] = "a", [2] = "b", [3] = "c" } });
        await kafka.CreateTopicAsync("orders", 6, 3, new Dictionary<string, string> { ["min.insync.replicas"] = "2" });
        await kafka.CreateTopicAsync("logs", 2, 1);
        return kafka;
    }

    /// <summary>The dashboard watching this ensemble, with the Kafka chroot given (null: detected).</summary>
    public DashboardAppFactory App(string? kafkaChroot)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Dashboard:Clusters:0:Name"] = "Local",
            ["Dashboard:Clusters:0:ConnectString"] = Sandbox.ConnectString,
        };
        // An empty setting would mean the root; absent means detect.
        if (kafkaChroot is not null) settings["Dashboard:Clusters:0:KafkaChroot"] = kafkaChroot;
        return new DashboardAppFactory(settings);
    }

    public static async Task WaitForAsync(Func<bool> condition, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not reached");
            await Task.Delay(50);
        }
    }

    public static async Task<T> WaitForAsync<T>(Func<Task<T?>> read, Func<T, bool> condition, int seconds = 20)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            if (await read() is { } value && condition(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not reached");
            await Task.Delay(100);
        }
    }
}
