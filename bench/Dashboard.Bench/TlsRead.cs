using System.Diagnostics;
using System.Globalization;
using Dashboard.Core.Sandbox;
using Dashboard.Core.ZooKeeper;
using Dashboard.Core.ZooKeeper.Security;

namespace Dashboard.Bench;

/// <summary>
/// <c>zk-read-tls</c>: the bulk read of the Kafka-style tree over the secure client port against the plain port of
/// the same server, in one run and one ensemble, rounds interleaved (plain, TLS, plain, TLS...) so drift on a busy
/// machine hits both. The last line gives the ratio of the medians (TLS / plain).
/// </summary>
internal static class TlsRead
{
    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var window = options.Int("window", 1000);
        var batch = options.Int("batch", 100);
        var rounds = options.Int("rounds", 7);
        await using var sandbox = await ZooKeeperSandbox.StartAsync(
            new SandboxOptions { Voters = 3, Observers = 0, JvmHeap = "512m", Tls = new SandboxTlsOptions(), QuickStartJit = options.ContainsKey("quick-jit") }, new Progress<string>(Console.WriteLine));
        var node = sandbox.Nodes[0];
        var baseOptions = new ZooKeeperClientOptions { MaxInFlight = window, RequestTimeout = TimeSpan.FromSeconds(120), SessionTimeout = TimeSpan.FromSeconds(30) };
        var tls = ZooKeeperTls.Load(new ZooKeeperTlsOptions { CaBundle = sandbox.Tls!.CaCertificate });

        await using var plain = await ZooKeeperClient.ConnectAsync(node.ClientAddress, baseOptions);
        await using var secure = await ZooKeeperClient.ConnectAsync(node.SecureClientAddress, baseOptions with { Tls = tls });
        Console.WriteLine($"plain {plain.ConnectedServer}, TLS {secure.ConnectedServer} (same server)");
        await KafkaTree.CreateAsync(plain, options.Int("topics", 10_000), options.Int("partitions", 10), Console.Out);
        await plain.SyncAsync("/");
        await secure.SyncAsync("/");

        // Warm-up reads each (both JITs, the server's TLS code reaching C2, caches), then the measured rounds.
        for (var i = 0; i < options.Int("warmup", 3); i++)
        {
            await new KafkaTreeReader(plain, window, batch).ReadAsync();
            await new KafkaTreeReader(secure, window, batch).ReadAsync();
        }
        var plainMs = new List<long>();
        var tlsMs = new List<long>();
        long requests = 0;
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var (name, client, times) in new[] { ("plain", plain, plainMs), ("tls", secure, tlsMs) })
            {
                var reader = new KafkaTreeReader(client, window, batch);
                var clientCpu = Process.GetCurrentProcess().TotalProcessorTime;
                var serverCpu = ServerCpu(node);
                var clock = Stopwatch.StartNew();
                await reader.ReadAsync();
                times.Add(clock.ElapsedMilliseconds);
                requests = reader.Requests;
                // Where the time goes: this process (our client) and the server's JVM, CPU during the round.
                Console.WriteLine($"round {round} {name}: {reader.Requests} reads in {clock.ElapsedMilliseconds} ms, client cpu {(Process.GetCurrentProcess().TotalProcessorTime - clientCpu).TotalMilliseconds:0} ms, server cpu {(ServerCpu(node) - serverCpu).TotalMilliseconds:0} ms");
            }
        }
        var plainMedian = Median(plainMs);
        var tlsMedian = Median(tlsMs);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"requests={requests} plain_median_ms={plainMedian} tls_median_ms={tlsMedian} ratio={tlsMedian / (double)Math.Max(1, plainMedian):0.00}"));
        return 0;
    }

    /// <summary>User + system CPU of the node's JVM so far (from /proc; zero where there is none).</summary>
    private static TimeSpan ServerCpu(SandboxNode node)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{node.ProcessId}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromMilliseconds(ticks * 10); // USER_HZ is 100 on Linux
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }
    }

    private static long Median(List<long> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
