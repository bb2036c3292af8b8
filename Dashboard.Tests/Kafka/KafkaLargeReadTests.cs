using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dashboard.Core.Kafka;
using Dashboard.Core.ZooKeeper;
using Dashboard.Tests.Kafka.Fixtures;
using Dashboard.Tests.Support;
using static Dashboard.Tests.Kafka.Fixtures.KafkaFormats;

namespace Dashboard.Tests.Kafka;

/// <summary>
/// Reads whose replies pass the frame limit: they must neither drop the session nor loop. A 1 MB value and a cluster of
/// 170 topics x 480 partitions (200 such topics in one batch were over a megabyte and froze the view) are read whole;
/// a value too large for the client on its own is shown unreadable with why; a read that keeps failing is reported.
/// </summary>
[Collection(LargeReadEnsemble.Collection)]
public sealed class KafkaLargeReadTests(LargeReadEnsemble ensemble) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);
    private readonly string _root = $"/large-{Guid.NewGuid():N}";
    private KazooSession _kazoo = null!;

    public Task InitializeAsync()
    {
        _kazoo = KazooSession.Start(ensemble.Sandbox.ConnectString);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _kazoo.DisposeAsync();

    private static Task<ZooKeeperClient> ConnectAsync(string connectString, int maxFrameSize = ZooKeeperClientOptions.DefaultMaxFrameSize) =>
        ZooKeeperClient.ConnectAsync(connectString, new ZooKeeperClientOptions
        {
            // A loaded test machine can leave the server silent for seconds while it works through 400 batches.
            RequestTimeout = TimeSpan.FromSeconds(60), SessionTimeout = TimeSpan.FromSeconds(30), MaxFrameSize = maxFrameSize,
        });

    [Fact]
    public async Task OneMegabyteValue_AmongTopics_ReadWholeSessionKeptValueUnreadableWithReason()
    {
        await _kazoo.CreateAsync($"{_root}/brokers/ids/1", BrokerV5(1), ephemeral: true, client: "broker1");
        for (var t = 0; t < 5; t++)
        {
            await _kazoo.CreateAsync($"{_root}/brokers/topics/t{t}", TopicV3([[1]]));
            await _kazoo.CreateAsync($"{_root}/brokers/topics/t{t}/partitions/0/state", State(1, [1]));
        }
        await _kazoo.CreateSizedAsync($"{_root}/brokers/topics/blob", 1_000_000); // a megabyte that is not Kafka's JSON

        // A default client: the batch holding the megabyte is too large together, the values one by one are not.
        await using (var client = await ConnectAsync(ensemble.Sandbox.ConnectString))
        {
            var session = client.SessionId;
            var snapshot = await new KafkaMetadataReader(client, _root).ReadAsync().WaitAsync(Deadline);
            Assert.Equal(6, snapshot.Topics.Count);
            Assert.All(Enumerable.Range(0, 5), t => Assert.NotNull(snapshot.Topics[$"t{t}"].Partitions.Single().State));
            Assert.StartsWith("not JSON", snapshot.Topics["blob"].Unreadable!.Reason, StringComparison.Ordinal);
            Assert.Equal((session, 1, 0), (client.SessionId, client.Connections, client.ProtocolErrors));
        }

        // A client whose frame limit is below the value: only that topic is unreadable, and the page can say why.
        await using (var small = await ConnectAsync(ensemble.Sandbox.ConnectString, 512 * 1024))
        {
            var snapshot = await new KafkaMetadataReader(small, _root).ReadAsync().WaitAsync(Deadline);
            var blob = snapshot.Topics["blob"];
            Assert.Contains("frame limit", blob.Unreadable!.Reason, StringComparison.Ordinal);
            Assert.Null(KafkaClusterAnalysis.Analyze(snapshot).Topics.Single(t => t.Name == "blob").PreferredLeaderShare);
            Assert.Equal(5, snapshot.AllPartitions.Count(p => p.State is not null));
            Assert.Equal((1, 0), (small.Connections, small.ProtocolErrors));
        }
    }

    [Fact]
    public async Task HundredSeventyTopicsOf480Partitions_ReadWholeWithoutFreezing()
    {
        const int topics = 170, partitions = 480;
        foreach (var id in new[] { 1, 2, 3 }) await _kazoo.CreateAsync($"{_root}/brokers/ids/{id}", BrokerV5(id), ephemeral: true, client: $"broker{id}");
        var replicas = Enumerable.Range(0, partitions).Select(p => new[] { p % 3 + 1, (p + 1) % 3 + 1, (p + 2) % 3 + 1 }).ToArray();
        // The assignments (about 6 KB each, the values that made the batch too large) by kazoo; the 81,600 states in
        // bulk by our own client's transactions (their size is what matters here, and Kafka's format is the fixture's).
        for (var t = 0; t < topics; t++) await _kazoo.CreateAsync($"{_root}/brokers/topics/topic-{t:D3}", TopicV3(replicas));
        await using (var writer = await ConnectAsync(ensemble.Sandbox.ConnectString))
        {
            var writes = new List<Task>();
            for (var t = 0; t < topics; t++)
            {
                var topic = $"{_root}/brokers/topics/topic-{t:D3}";
                var ops = new List<TransactionOperation> { TransactionOperation.Create($"{topic}/partitions") };
                for (var p = 0; p < partitions; p++)
                {
                    ops.Add(TransactionOperation.Create(string.Create(CultureInfo.InvariantCulture, $"{topic}/partitions/{p}")));
                    ops.Add(TransactionOperation.Create(string.Create(CultureInfo.InvariantCulture, $"{topic}/partitions/{p}/state"), Encoding.UTF8.GetBytes(State(replicas[p][0], replicas[p]))));
                }
                writes.Add(writer.MultiAsync(ops));
                if (writes.Count >= 10) { await Task.WhenAll(writes); writes.Clear(); }
            }
            await Task.WhenAll(writes);
        }

        await using var client = await ConnectAsync(ensemble.Sandbox.ConnectString);
        var session = client.SessionId;
        var reader = new KafkaMetadataReader(client, _root);
        var clock = Stopwatch.StartNew();
        for (var round = 0; round < 2; round++) // the second read sizes its batches from the first
        {
            var snapshot = await reader.ReadAsync().WaitAsync(Deadline);
            Assert.Equal(topics, snapshot.Topics.Count);
            Assert.Equal(topics * partitions, snapshot.AllPartitions.Count(p => p.State is not null));
            Assert.Empty(snapshot.Unreadable);
            var analysis = KafkaClusterAnalysis.Analyze(snapshot);
            Assert.Equal((0, 0), (analysis.UnderReplicatedCount, analysis.OfflineCount));
        }
        Assert.Equal((session, 1, 0), (client.SessionId, client.Connections, client.ProtocolErrors));
        Console.WriteLine($"170 x 480: two full reads in {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task TopicListTooLargeForClient_ReadKeepsFailing_WatcherReportsItAndKeepsLastSnapshot()
    {
        await _kazoo.CreateAsync($"{_root}/brokers/ids/1", BrokerV5(1), ephemeral: true, client: "broker1");
        await _kazoo.CreateAsync($"{_root}/brokers/topics/first", TopicV3([[1]]));
        await using var client = await ConnectAsync(ensemble.Sandbox.ConnectString, 4 * 1024);
        await using var watcher = new KafkaClusterWatcher(client, new KafkaWatcherOptions { Chroot = _root, Debounce = TimeSpan.FromMilliseconds(50), WatchPartitionStates = false });
        var failures = 0;
        watcher.ReadFailed += _ => Interlocked.Increment(ref failures);
        await watcher.StartAsync();
        Assert.Single(watcher.Current!.Topics);

        // Long topic names until /brokers/topics lists more than the 4 KB this client accepts in one reply.
        for (var t = 0; t < 40; t++) await _kazoo.CreateAsync($"{_root}/brokers/topics/{new string('t', 150)}-{t}", TopicV3([[1]]));

        await FailuresAsync(() => Volatile.Read(ref failures), 1);
        var last = watcher.Current!;
        await FailuresAsync(() => Volatile.Read(ref failures), Volatile.Read(ref failures) + 2); // retried, not given up, not spinning on the spot
        Assert.Same(last, watcher.Current); // the last good snapshot stays
        Assert.True(last.Topics.Count < 41);
        Assert.IsType<KafkaMetadataUnreadableException>(watcher.LastError);
        Assert.Contains("frame limit", watcher.LastError!.Message, StringComparison.Ordinal);
        Assert.True(watcher.ConsecutiveFailures >= 2);
        Assert.NotNull(watcher.FirstFailureAt);
        Assert.Equal(SessionState.Connected, client.State);
    }

    private static async Task FailuresAsync(Func<int> failures, int atLeast)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (failures() < atLeast)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {atLeast} failed reads reported");
            await Task.Delay(50);
        }
    }
}

/// <summary>
/// A one-node ensemble of these tests' own: 81,600 znodes and megabyte replies in the shared ensemble's 192 MB heap
/// made the server pause in GC for longer than a 10 s session allows on a loaded machine (seen in a full run), and
/// the sandbox's 500 ms tick caps sessions at 10 s. Here the heap is larger and sessions may last 60 s.
/// </summary>
public sealed class LargeReadEnsemble : IAsyncLifetime
{
    public const string Collection = "large-read-ensemble";

    public Dashboard.Core.Sandbox.ZooKeeperSandbox Sandbox { get; private set; } = null!;

    public async Task InitializeAsync() => Sandbox = await Dashboard.Core.Sandbox.ZooKeeperSandbox.StartAsync(new Dashboard.Core.Sandbox.SandboxOptions
    {
        Voters = 1,
        Observers = 0,
        JvmHeap = "512m",
        ExtraConfig = new Dictionary<string, string> { ["maxSessionTimeout"] = "60000" },
    });

    public async Task DisposeAsync()
    {
        if (Sandbox is not null) await Sandbox.DisposeAsync();
    }
}

[CollectionDefinition(LargeReadEnsemble.Collection)]
public sealed class LargeReadEnsembleCollection : ICollectionFixture<LargeReadEnsemble>;
