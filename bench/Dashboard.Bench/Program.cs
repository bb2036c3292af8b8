using System.Diagnostics;
using System.Globalization;
using Dashboard.Bench;
using Dashboard.Core.Kafka;
using Dashboard.Core.Sandbox;
using Dashboard.Core.ZooKeeper;

// Usage:
//   zk-read   --connect HOST:PORT[,...] [--window 1000] [--batch 100] [--create] [--topics 10000] [--partitions 10] [--rounds 1]
//   zk-read   --sandbox [...]     starts its own 3+1 ensemble, creates the tree, reads it, stops the ensemble
//   zk-read   ... --kafka          also reads the tree with KafkaMetadataReader, rounds alternating with the raw read
//                                   (after --warmup 1 uncounted pair); last lines give medians and the ratio
//   zk-read   ... --kafka --isr-change   then times one partition's ISR change until the watcher's snapshot and its
//                                   analysis (what the page renders from) show it, without a full re-read
//   zk-create --connect HOST:PORT [--topics 10000] [--partitions 10]
//   sandbox   [--hold 1800]        starts a 3+1 ensemble with the tree and keeps it up (SIGTERM stops it), so
//                                   other clients (e.g. bench/java) can be measured against the same ensemble
//   zk-read-tls [--rounds 7] [--warmup 3] [--topics 10000] [--partitions 10] [--quick-jit]
//                                   one 3-voter TLS sandbox: the same read over the plain and the secure port of one
//                                   server, rounds interleaved; last line gives the TLS/plain ratio of the medians
//   history-week [--days 7] [--nodes 5] [--partitions 100000] [--poll-seconds 2] [--db PATH]
//                                   a simulated week of history through the real store; last line gives its size
//   maintenance-roll [--settle 2] [--no-second]
//                                   a rolling restart of a 3+1 sandbox under a writer, then a second one on the idle
//                                   ensemble; last line "duration_s=... lost=... gap_ms=... second_s=..."
//   circuits [--tabs 10] [--topics 10000] [--partitions 10] [--window 20]
//                                   the Release dashboard as its own process over a sandbox with that Kafka tree, 500 ms
//                                   polls; Chromium opens N tabs on the ensemble page, then on the ISR grid: CPU and RSS
//                                   of the dashboard per tab against idle; last line "rss_loaded_mb=... ..._per_tab=..."
//   replicas  [--ensembles 300] [--replicas 3] [--poll-seconds 2] [--warmup 30] [--seconds 90] [--dashboard DLL]
//                                   replayed ensembles watched by dashboard processes sharing PostgreSQL; CPU per
//                                   replica, database write rate and growth, then the takeover after a kill; last
//                                   line "cpu_pct=a/b/c rows_per_s=... wal_bytes_per_s=... db_mb_per_day=... takeover_s=..."

// The last line is "requests=N bytes=B ms=T" (N counts znode reads however they are batched on the wire).
var options = CommandLine.Parse(args);
var command = args.Length > 0 ? args[0] : "zk-read";
if (command == "history-week") return await HistoryWeek.RunAsync(options);
if (command == "maintenance-roll") return await MaintenanceRoll.RunAsync(options);
if (command == "zk-read-tls") return await TlsRead.RunAsync(options);
if (command == "circuits") return await Circuits.RunAsync(options);
if (command == "replicas") return await ReplicaBench.RunAsync(options);
ZooKeeperSandbox? sandbox = null;
try
{
    var connect = options.GetValueOrDefault("connect");
    if (options.ContainsKey("sandbox"))
    {
        sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 3, Observers = 1, JvmHeap = "512m" }, new Progress<string>(Console.WriteLine));
        connect = sandbox.ConnectString;
        options["create"] = "";
    }
    if (command == "sandbox")
    {
        sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 3, Observers = 1, JvmHeap = "512m" }, new Progress<string>(Console.WriteLine));
        await using (var creator = await ZooKeeperClient.ConnectAsync(sandbox.ConnectString, new ZooKeeperClientOptions { RequestTimeout = TimeSpan.FromSeconds(120) }))
            await KafkaTree.CreateAsync(creator, options.Int("topics", 10_000), options.Int("partitions", 10), Console.Out);
        Console.WriteLine($"connect={sandbox.ConnectString}");
        await Task.Delay(TimeSpan.FromSeconds(options.Int("hold", 1800)));
        return 0;
    }
    if (connect is null)
    {
        Console.Error.WriteLine("--connect HOST:PORT or --sandbox is required.");
        return 2;
    }

    var window = options.Int("window", 1000);
    var topics = options.Int("topics", 10_000);
    var partitions = options.Int("partitions", 10);
    var clientOptions = new ZooKeeperClientOptions { MaxInFlight = window, RequestTimeout = TimeSpan.FromSeconds(120), SessionTimeout = TimeSpan.FromSeconds(30) };
    await using var client = await ZooKeeperClient.ConnectAsync(connect, clientOptions);
    Console.WriteLine($"connected to {client.ConnectedServer}, session 0x{client.SessionId:x}");

    if (command == "zk-create" || options.ContainsKey("create"))
    {
        var exists = await client.ExistsAsync($"{KafkaTree.TopicsPath}/{KafkaTree.TopicName(0)}");
        if (exists is null) await KafkaTree.CreateAsync(client, topics, partitions, Console.Out);
        else Console.WriteLine("the tree already exists; not creating it again");
        if (command == "zk-create") return 0;
    }

    var batch = options.Int("batch", 100);
    var rounds = options.Int("rounds", 1);
    var kafka = options.ContainsKey("kafka");
    if (kafka)
    {
        // The dashboard's reader over the same tree (it needs /brokers/ids to recognise a Kafka cluster).
        try { await client.CreateAsync("/brokers/ids", Array.Empty<byte>()); }
        catch (NodeExistsException) { }
    }
    // Raw and Kafka rounds alternate, so a noisy neighbour slows both alike; the ratio is taken per pair and of the
    // medians. CPU is this process's (all threads): on a shared machine it is the steadier measure of our own work.
    KafkaTreeReader? last = null;
    var raw = new List<ReadCost>();
    var full = new List<ReadCost>();
    var analysis = new List<double>();
    // Warm-up rounds (JIT, pools, the server's caches) are read and not counted.
    var warmup = options.Int("warmup", kafka ? 1 : 0);
    for (var round = 1 - warmup; round <= rounds; round++)
    {
        if (round == 1)
        {
            raw.Clear();
            full.Clear();
            analysis.Clear();
        }
        var reader = new KafkaTreeReader(client, window, batch);
        // --no-raw: Kafka rounds only (for a profiler's trace of the Kafka read alone).
        var cost = options.ContainsKey("no-raw") && kafka ? new ReadCost(0, 0, 0) : await ReadCost.MeasureAsync(reader.ReadAsync);
        raw.Add(cost);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"round {round}: {reader.Requests} reads ({reader.Requests * 1000.0 / Math.Max(1, cost.Ms):0} reads/s), batch {batch}, window {window}: {cost}"));
        last = reader;
        if (!kafka) continue;
        var kafkaReader = new KafkaMetadataReader(client, "/") { BatchSize = batch };
        KafkaClusterSnapshot? snapshot = null;
        var kafkaCost = await ReadCost.MeasureAsync(async () => snapshot = await kafkaReader.ReadAsync());
        full.Add(kafkaCost);
        var clock = Stopwatch.StartNew();
        var analyzed = KafkaClusterAnalysis.Analyze(snapshot!);
        analysis.Add(clock.Elapsed.TotalMilliseconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"kafka round {round}: {snapshot!.Topics.Count} topics, {analyzed.Partitions.Count} partitions: {kafkaCost}; ratio to raw {kafkaCost.Ms / Math.Max(1, cost.Ms):0.00}; analysis {analysis[^1]:0} ms"));
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"GC gen0={GC.CollectionCount(0)} gen1={GC.CollectionCount(1)} gen2={GC.CollectionCount(2)}"));
    if (kafka)
    {
        var ratios = raw.Zip(full, (r, k) => k.Ms / Math.Max(1, r.Ms)).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"medians over {rounds}: raw {ReadCost.Median(raw.Select(c => c.Ms)):0} ms (cpu {ReadCost.Median(raw.Select(c => c.CpuMs)):0} ms, {ReadCost.Median(raw.Select(c => c.AllocatedMb)):0} MB, gc {ReadCost.Median(raw.Select(c => c.GcPauseMs)):0} ms), kafka {ReadCost.Median(full.Select(c => c.Ms)):0} ms (cpu {ReadCost.Median(full.Select(c => c.CpuMs)):0} ms, {ReadCost.Median(full.Select(c => c.AllocatedMb)):0} MB, gc {ReadCost.Median(full.Select(c => c.GcPauseMs)):0} ms), analysis {ReadCost.Median(analysis):0} ms; ratio of medians {ReadCost.Median(full.Select(c => c.Ms)) / Math.Max(1, ReadCost.Median(raw.Select(c => c.Ms))):0.00}, median of pair ratios {ReadCost.Median(ratios):0.00}"));
    }
    if (options.ContainsKey("kafka") && options.ContainsKey("isr-change")) await IsrChangeBench.RunAsync(client, topics, partitions, options.Int("changes", 5));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"requests={last!.Requests} bytes={last.Bytes} ms={raw[^1].Ms:0}"));
    return 0;
}
finally
{
    if (sandbox is not null) await sandbox.DisposeAsync();
}
