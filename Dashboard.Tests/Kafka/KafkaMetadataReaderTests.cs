using System.Diagnostics;
using System.Text;
using Dashboard.Core.Kafka;
using Dashboard.Core.ZooKeeper;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Kafka;

/// <summary>The reader on hand-written trees (each test under its own ZooKeeper chroot, so detection sees only its tree).</summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class KafkaMetadataReaderTests(SharedEnsemble ensemble) : IAsyncLifetime
{
    private ZooKeeperClient _client = null!;

    public async Task InitializeAsync()
    {
        var root = $"/reader-{Guid.NewGuid():N}";
        await using (var setup = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString))
            await setup.CreateAsync(root, Array.Empty<byte>());
        _client = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString + root,
            new ZooKeeperClientOptions { RequestTimeout = TimeSpan.FromSeconds(60) });
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    private async Task CreateAsync(string path, string data = "")
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 1; i < parts.Length; i++)
        {
            try { await _client.CreateAsync("/" + string.Join('/', parts[..i]), Array.Empty<byte>()); }
            catch (NodeExistsException) { }
        }
        await _client.CreateAsync(path, Encoding.UTF8.GetBytes(data));
    }

    [Fact]
    public async Task DetectChroot_BrokersOneLevelDown_FindsIt()
    {
        await CreateAsync("/apps/config");
        await CreateAsync("/kafka/brokers/ids");

        var reader = new KafkaMetadataReader(_client);
        var snapshot = await reader.ReadAsync();

        Assert.Equal("/kafka", reader.Chroot);
        Assert.Equal("/kafka", snapshot.Chroot);
        Assert.Empty(snapshot.Brokers);
        Assert.Null(snapshot.Controller);
    }

    [Fact]
    public async Task DetectChroot_BrokersAtRoot_EmptyChroot()
    {
        await CreateAsync("/brokers/ids/1", """{"version":5,"host":"h","port":9092,"endpoints":["PLAINTEXT://h:9092"],"jmx_port":-1,"timestamp":"1700000000000"}""");

        var snapshot = await new KafkaMetadataReader(_client).ReadAsync();

        Assert.Equal("", snapshot.Chroot);
        Assert.Equal("h", snapshot.Brokers[1].Registration!.Host);
    }

    [Fact]
    public async Task Read_NoKafkaAnywhere_ThrowsNotFound()
    {
        await CreateAsync("/apps/config");

        await Assert.ThrowsAsync<KafkaClusterNotFoundException>(() => new KafkaMetadataReader(_client).ReadAsync());
    }

    [Fact]
    public async Task Read_MalformedZNodes_MarkedUnreadableRestStillReads()
    {
        await CreateAsync("/k/brokers/ids/1", """{"version":5,"host":"h1","port":9092,"endpoints":["PLAINTEXT://h1:9092"],"jmx_port":-1,"timestamp":"1700000000000"}""");
        await CreateAsync("/k/brokers/ids/2", "garbage{");
        await CreateAsync("/k/brokers/ids/x", "");
        await CreateAsync("/k/brokers/topics/good", """{"version":3,"partitions":{"0":[1,2],"1":[2,1]},"topic_id":"AAAAAAAAAAAAAAAAAAAAAA"}""");
        await CreateAsync("/k/brokers/topics/good/partitions/0/state", """{"version":1,"leader":1,"leader_epoch":0,"controller_epoch":1,"isr":[1]}""");
        await CreateAsync("/k/brokers/topics/good/partitions/1/state", """{"version":9,"leader":2}""");
        await CreateAsync("/k/brokers/topics/bad", """{"version":3,"partitions":"all"}""");
        await CreateAsync("/k/config/topics/good", """{"version":1,"config":{"min.insync.replicas":2}}""");
        await CreateAsync("/k/controller", "not json");
        await CreateAsync("/k/controller_epoch", "seven");
        await CreateAsync("/k/admin/preferred_replica_election", "{}");

        var snapshot = await new KafkaMetadataReader(_client, "/k").ReadAsync();

        Assert.Equal(
            ["/k/admin/preferred_replica_election", "/k/brokers/ids/2", "/k/brokers/ids/x", "/k/brokers/topics/bad", "/k/brokers/topics/good/partitions/1/state",
             "/k/config/topics/good", "/k/controller", "/k/controller_epoch"],
            snapshot.Unreadable.Select(u => u.Path).Order(StringComparer.Ordinal));
        Assert.Equal("garbage{", snapshot.Unreadable.Single(u => u.Path == "/k/brokers/ids/2").Raw);
        Assert.Contains("unsupported version 9", snapshot.Unreadable.Single(u => u.Path.EndsWith("/state", StringComparison.Ordinal)).Reason, StringComparison.Ordinal);

        Assert.Equal("h1", snapshot.Brokers[1].Registration!.Host);
        Assert.Null(snapshot.Brokers[2].Registration); // registered (alive) but unreadable
        Assert.NotNull(snapshot.Brokers[2].Unreadable);
        var good = snapshot.Topics["good"];
        Assert.Equal([1], good.Partitions[0].State!.Isr);
        Assert.Null(good.Partitions[1].State);
        Assert.NotNull(good.Partitions[1].Unreadable);
        Assert.Null(snapshot.Topics["bad"].Assignment);
        Assert.Empty(snapshot.Topics["bad"].Partitions);
        Assert.Equal(-1, snapshot.Controller!.BrokerId);
        Assert.Null(snapshot.ControllerEpoch);
        Assert.Empty(snapshot.Admin.PreferredElection!); // pending even though unreadable

        var analysis = KafkaClusterAnalysis.Analyze(snapshot);
        var goodHealth = analysis.Topics.Single(t => t.Name == "good");
        Assert.Equal(1, goodHealth.UnderReplicated); // partition 0; partition 1 unknown, not guessed
        Assert.True(analysis.Topics.Single(t => t.Name == "bad").Unreadable);
    }

    [Fact]
    public async Task Read_FiveThousandPartitions_AllReadThroughBatchedMultiReads()
    {
        const int topics = 500, partitions = 10;
        await CreateAsync("/big/brokers/ids");
        var creates = new List<Task>();
        for (var t = 0; t < topics; t++)
        {
            var name = $"topic-{t:D4}";
            var assignment = string.Join(',', Enumerable.Range(0, partitions).Select(p => $"\"{p}\":[{p % 3 + 1},{(p + 1) % 3 + 1}]"));
            var ops = new List<TransactionOperation>
            {
                TransactionOperation.Create($"/big/brokers/topics/{name}", Encoding.UTF8.GetBytes($"{{\"version\":3,\"partitions\":{{{assignment}}}}}")),
                TransactionOperation.Create($"/big/brokers/topics/{name}/partitions"),
            };
            for (var p = 0; p < partitions; p++)
            {
                ops.Add(TransactionOperation.Create($"/big/brokers/topics/{name}/partitions/{p}"));
                ops.Add(TransactionOperation.Create($"/big/brokers/topics/{name}/partitions/{p}/state",
                    Encoding.UTF8.GetBytes($"{{\"version\":1,\"leader\":{p % 3 + 1},\"leader_epoch\":{t},\"controller_epoch\":1,\"isr\":[{p % 3 + 1}]}}")));
            }
            if (t == 0) await CreateAsync("/big/brokers/topics");
            creates.Add(_client.MultiAsync(ops));
        }
        await Task.WhenAll(creates);

        var reader = new KafkaMetadataReader(_client, "/big") { BatchSize = 200 };
        var watch = Stopwatch.StartNew();
        var snapshot = await reader.ReadAsync();
        watch.Stop();

        Assert.Equal(topics, snapshot.Topics.Count);
        Assert.Equal(topics * partitions, snapshot.AllPartitions.Count(p => p.State is not null));
        Assert.Equal(499, snapshot.Topics["topic-0499"].Partitions[9].State!.LeaderEpoch);
        Assert.Equal(topics * partitions, KafkaClusterAnalysis.Analyze(snapshot).UnderReplicatedCount);
        Assert.All(KafkaClusterAnalysis.Analyze(snapshot).Brokers, b => Assert.Equal(BrokerStatus.Missing, b.Status));
        // 5,500 reads in 30 multiReads, all in flight together: far below a second per thousand reads one by one.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"read took {watch.Elapsed}");
    }
}
