using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Dapper;
using Dashboard.Support;
using Npgsql;

namespace Dashboard.Bench;

/// <summary>
/// N ensembles (replayed, <see cref="ReplayedEnsembles"/>) watched by R dashboard processes sharing one PostgreSQL
/// history, every cluster polled at the given interval by its lease holder only, which writes its history and
/// publishes its live snapshot; the other replicas show it from the shared store. After a warm-up, over a measured
/// window: CPU per replica (process CPU time / wall), the database's write rate (rows inserted/updated/deleted per
/// second from pg_stat_user_tables, WAL bytes per second) and its growth
/// (pg_database_size delta, extrapolated to a day). Then the replica holding most leases is killed (SIGKILL) and
/// the time until every one of its clusters has a live lease elsewhere is taken.
/// Last line: "cpu_pct=a/b/c rows_per_s=... wal_bytes_per_s=... db_mb_per_day=... takeover_s=...".
/// </summary>
internal static class ReplicaBench
{
    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var ensembles = options.Int("ensembles", 300);
        var replicaCount = options.Int("replicas", 3);
        var poll = TimeSpan.FromSeconds(options.Int("poll-seconds", 2));
        var warmup = TimeSpan.FromSeconds(options.Int("warmup", 30));
        var window = TimeSpan.FromSeconds(options.Int("seconds", 90));
        var dll = options.GetValueOrDefault("dashboard") ?? DefaultDashboard();
        Console.WriteLine($"dashboard: {dll}");

        await using var replay = await ReplayedEnsembles.StartAsync(ensembles, Console.Out);
        // fsync on: the write rate is a real server's.
        await using var postgres = await LoopbackPostgres.StartAsync("bench", durable: true);
        var history = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync("history")) { MaxPoolSize = 20 }.ConnectionString;
        var settings = Settings(replay.Ports, poll, history);
        var replicas = new List<Replica>();
        try
        {
            for (var i = 1; i <= replicaCount; i++) replicas.Add(Replica.Start(dll, $"r{i}", settings));
            await using var db = new NpgsqlConnection(history);
            await db.OpenAsync();
            var clock = Stopwatch.StartNew();
            while (await LiveLeasesAsync(db, null) < ensembles)
            {
                foreach (var r in replicas) if (r.Process.HasExited) throw new InvalidOperationException($"replica {r.Name} exited:\n{r.Tail}");
                if (clock.Elapsed > TimeSpan.FromMinutes(3)) throw new TimeoutException($"only {await LiveLeasesAsync(db, null)} of {ensembles} clusters have a lease");
                await Task.Delay(1000);
            }
            Console.WriteLine($"every cluster has a lease after {clock.Elapsed.TotalSeconds:0.0} s");
            // Spread: no replica above its fair share (the cluster count over the replicas, rounded up).
            var fairShare = (ensembles + replicaCount - 1) / replicaCount;
            while (await MostHeldAsync(db) > fairShare || await LiveLeasesAsync(db, null) < ensembles)
            {
                if (clock.Elapsed > TimeSpan.FromMinutes(3)) throw new TimeoutException($"leases never spread: one replica holds {await MostHeldAsync(db)} (fair share {fairShare})");
                await Task.Delay(250);
            }
            Console.WriteLine($"leases spread (at most {fairShare} per replica) {clock.Elapsed.TotalSeconds:0.0} s after start; warming up {warmup.TotalSeconds:0} s");
            foreach (var r in replicas)
                lock (r.LeaseLines) foreach (var line in r.LeaseLines.Where(l => !l.Contains("cluster leases last", StringComparison.Ordinal))) Console.WriteLine($"  {r.Name}: {line}");
            await Task.Delay(warmup);

            var before = await DatabaseAsync(db);
            var cpuBefore = replicas.Select(r => r.Cpu).ToList();
            var answeredBefore = replay.Answered;
            var benchCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            await Task.Delay(window);
            var seconds = wall.Elapsed.TotalSeconds;
            var after = await DatabaseAsync(db);
            var cpu = replicas.Select((r, i) => (r.Cpu - cpuBefore[i]).TotalSeconds / seconds * 100).ToList();
            var benchCpu = (Process.GetCurrentProcess().TotalProcessorTime - benchCpuBefore).TotalSeconds / seconds * 100;
            var rows = (after.Rows - before.Rows) / seconds;
            var wal = (after.WalBytes - before.WalBytes) / seconds;
            var grown = (after.Size - before.Size) / seconds;
            var leases = (await db.QueryAsync<(string Holder, long Count)>($"SELECT holder, count(*) FROM cluster_leases WHERE {ClusterRows} AND expires_ms > (extract(epoch from clock_timestamp()) * 1000)::bigint GROUP BY holder ORDER BY holder")).ToList();
            Console.WriteLine($"window {seconds:0} s: answers {(replay.Answered - answeredBefore) / seconds:0}/s (the replay listeners' CPU {benchCpu:0} % of a core)");
            foreach (var (r, c) in replicas.Zip(cpu)) Console.WriteLine($"  {r.Name}: CPU {c:0.0} % of a core, leases {leases.FirstOrDefault(l => l.Holder == r.Name).Count}, RSS {r.RssMb:0} MB");
            foreach (var (table, ins, upd, del) in after.Tables.Select(t => (t.Key, t.Value.Ins - before.Tables.GetValueOrDefault(t.Key).Ins, t.Value.Upd - before.Tables.GetValueOrDefault(t.Key).Upd, t.Value.Del - before.Tables.GetValueOrDefault(t.Key).Del))
                         .Where(t => t.Item2 + t.Item3 + t.Item4 > 0).OrderByDescending(t => t.Item2 + t.Item3))
                Console.WriteLine($"  {table}: {ins / seconds:0.0} inserts/s, {upd / seconds:0.0} updates/s, {del / seconds:0.0} deletes/s");
            // Only serving nodes get a metrics row: fewer than one per node and poll means polls timed out (an overloaded machine).
            var samples = (after.Tables.GetValueOrDefault("node_metrics").Ins - before.Tables.GetValueOrDefault("node_metrics").Ins) / seconds;
            Console.WriteLine($"  node samples written {samples:0}/s of {replay.Ports.Sum(p => p.Length) / poll.TotalSeconds:0}/s if every poll of every node answered in time");
            Console.WriteLine($"  database {after.Size / 1e6:0.0} MB, grew {grown / 1e3:0.0} kB/s = {grown * 86400 / 1e9:0.00} GB/day before retention; WAL {wal / 1e3:0.0} kB/s");
            foreach (var (table, bytes) in after.Bytes.OrderByDescending(b => b.Value).Take(6))
                Console.WriteLine($"    {table}: {bytes / 1e6:0.0} MB, grew {(bytes - before.Bytes.GetValueOrDefault(table)) / seconds / 1e3:0.0} kB/s");

            var summary = string.Create(CultureInfo.InvariantCulture,
                $"cpu_pct={string.Join('/', cpu.Select(c => c.ToString("0.0", CultureInfo.InvariantCulture)))} rows_per_s={rows:0} wal_bytes_per_s={wal:0} db_bytes_per_s={grown:0} db_mb_per_day={grown * 86400 / 1e6:0}");
            if (replicas.Count < 2)
            {
                Console.WriteLine(summary + " takeover_s=NaN"); // no one to take over
                return 0;
            }
            // Takeover: the replica holding most leases dies; the others take its clusters once the leases expire.
            var victimName = leases.OrderByDescending(l => l.Count).First().Holder;
            var victim = replicas.Single(r => r.Name == victimName);
            var held = leases.First(l => l.Holder == victimName).Count;
            var victimsClusters = (await db.QueryAsync<string>($"SELECT cluster_id FROM cluster_leases WHERE holder = @Victim AND {ClusterRows}", new { Victim = victimName })).ToArray();
            var killedMs = await db.ExecuteScalarAsync<long>("SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint");
            victim.Process.Kill(entireProcessTree: true);
            clock.Restart();
            while (await LiveLeasesAsync(db, victimName) < ensembles)
            {
                if (clock.Elapsed > TimeSpan.FromMinutes(1)) throw new TimeoutException($"only {await LiveLeasesAsync(db, victimName)} clusters were taken over");
                await Task.Delay(100);
            }
            // From the kill until the last of the victim's clusters has a live lease elsewhere (leases that lapsed
            // before the kill, on a starved machine, are counted as taken when they are held again).
            var takeover = clock.Elapsed.TotalSeconds;
            // Of the victim's clusters, those another replica had already taken before the kill (its lease lapsed on a starved machine).
            var lapsed = await db.ExecuteScalarAsync<long>("SELECT count(*) FROM cluster_leases WHERE acquired_ms < @Killed AND holder <> @Victim AND cluster_id = ANY(@Clusters)",
                new { Killed = killedMs, Victim = victimName, Clusters = victimsClusters });
            var split = (await db.QueryAsync<(string Holder, long Count)>("SELECT holder, count(*) FROM cluster_leases WHERE cluster_id = ANY(@Clusters) GROUP BY holder ORDER BY holder", new { Clusters = victimsClusters }))
                .Select(h => $"{h.Holder} {h.Count}");
            Console.WriteLine($"killed {victimName} (held {held} leases): all {ensembles} clusters held by the others {takeover:0.0} s later ({lapsed} of its clusters had lapsed before the kill; its clusters went to {string.Join(", ", split)}); bound: LeaseDuration 6 s + 2 x RenewInterval 2 s");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{summary} takeover_s={takeover:0.0}"));
            return 0;
        }
        finally
        {
            foreach (var r in replicas) r.Dispose();
        }
    }

    // Lease rows of clusters: not a maintenance run's or membership change's, not a replica's own row saying it is alive.
    private const string ClusterRows = "cluster_id NOT LIKE 'maintenance-run:%' AND cluster_id NOT LIKE 'membership-run:%' AND cluster_id NOT LIKE 'replica:%'";

    /// <summary>The largest number of live cluster leases any one replica holds (0 before migration).</summary>
    private static async Task<long> MostHeldAsync(NpgsqlConnection db)
    {
        try
        {
            return await db.ExecuteScalarAsync<long?>(
                $"SELECT max(n) FROM (SELECT count(*) AS n FROM cluster_leases WHERE {ClusterRows} AND expires_ms > (extract(epoch from clock_timestamp()) * 1000)::bigint GROUP BY holder) AS h") ?? 0;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0;
        }
    }

    private static async Task<long> LiveLeasesAsync(NpgsqlConnection db, string? notHeldBy)
    {
        try
        {
            return await db.ExecuteScalarAsync<long>(
                $"SELECT count(*) FROM cluster_leases WHERE {ClusterRows} AND expires_ms > (extract(epoch from clock_timestamp()) * 1000)::bigint AND holder IS DISTINCT FROM @NotHeldBy",
                new { NotHeldBy = notHeldBy });
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0; // not migrated yet
        }
    }

    private sealed record DatabaseState(long Size, long WalBytes, long Rows, Dictionary<string, (long Ins, long Upd, long Del)> Tables, Dictionary<string, long> Bytes);

    private static async Task<DatabaseState> DatabaseAsync(NpgsqlConnection db)
    {
        // Statistics reach the views within a second of a transaction (PostgreSQL 15+ flushes them when idle).
        await Task.Delay(1500);
        await db.ExecuteAsync("SELECT pg_stat_clear_snapshot()");
        var tables = (await db.QueryAsync<(string Name, long Ins, long Upd, long Del)>("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables"))
            .ToDictionary(t => t.Name, t => (t.Ins, t.Upd, t.Del), StringComparer.Ordinal);
        var size = await db.ExecuteScalarAsync<long>("SELECT pg_database_size(current_database())");
        var wal = await db.ExecuteScalarAsync<decimal>("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')");
        // Each table with its indexes and TOAST: what grows with history, apart from what is rewritten in place.
        var bytes = (await db.QueryAsync<(string Name, long Bytes)>("SELECT relname, pg_total_relation_size(relid) FROM pg_stat_user_tables"))
            .ToDictionary(t => t.Name, t => t.Bytes, StringComparer.Ordinal);
        return new DatabaseState(size, (long)wal, tables.Values.Sum(t => t.Ins + t.Upd + t.Del), tables, bytes);
    }

    private static string DefaultDashboard()
    {
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var release = Path.Combine(root, "Dashboard", "bin", "Release", "net10.0", "Dashboard.dll");
        return File.Exists(release) ? release : throw new FileNotFoundException($"{release} is not built: dotnet build Dashboard -c Release (or pass --dashboard PATH)");
    }

    private static string Settings(int[][] ports, TimeSpan poll, string history)
    {
        var settings = new Dictionary<string, string>
        {
            ["History:Provider"] = "postgres",
            ["History:ConnectionString"] = history,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Dashboard.Replicas.LeaseRenewal"] = "Information", // leases taken and let go: the spread's story
            ["Logging:Console:FormatterName"] = "simple",
            ["Logging:Console:FormatterOptions:SingleLine"] = "true",
            ["Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss.fff ",
        };
        for (var e = 0; e < ports.Length; e++)
        {
            var prefix = $"Dashboard:Clusters:{e}";
            settings[$"{prefix}:Name"] = $"e{e:D3}";
            settings[$"{prefix}:PollInterval"] = poll.ToString();
            settings[$"{prefix}:KafkaChroot"] = "none";
            for (var j = 0; j < ports[e].Length; j++)
            {
                settings[$"{prefix}:Nodes:{j}:Address"] = $"127.0.0.1:{ports[e][j]}";
                settings[$"{prefix}:Nodes:{j}:Id"] = (j + 1).ToString(CultureInfo.InvariantCulture);
            }
        }
        return JsonSerializer.Serialize(settings);
    }

    /// <summary>One dashboard process with its own folder (the content root holding its appsettings.json).</summary>
    private sealed class Replica : IDisposable
    {
        private readonly Queue<string> _tail = new();
        private readonly string _folder;

        private Replica(string name, Process process, string folder) => (Name, Process, _folder) = (name, process, folder);

        public string Name { get; }
        public Process Process { get; }

        public TimeSpan Cpu
        {
            get { Process.Refresh(); return Process.TotalProcessorTime; }
        }

        public double RssMb
        {
            get { Process.Refresh(); return Process.WorkingSet64 / 1e6; }
        }

        public string Tail
        {
            get { lock (_tail) return string.Join('\n', _tail); }
        }

        public static Replica Start(string dll, string name, string settings)
        {
            var folder = Directory.CreateTempSubdirectory("bench-replica-").FullName;
            File.WriteAllText(Path.Combine(folder, "appsettings.json"), settings);
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { dll, "--urls", $"http://127.0.0.1:{FreePort()}", "--Replicas:Name", name, "--History:DatabasePath", Path.Combine(folder, "history.db") })
                start.ArgumentList.Add(a);
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            var replica = new Replica(name, Process.Start(start)!, folder);
            replica.Process.OutputDataReceived += (_, e) => replica.Keep(e.Data);
            replica.Process.ErrorDataReceived += (_, e) => replica.Keep(e.Data);
            replica.Process.BeginOutputReadLine();
            replica.Process.BeginErrorReadLine();
            return replica;
        }

        /// <summary>What the replica said of its leases (taken, let go, beyond the share), with times.</summary>
        public List<string> LeaseLines { get; } = [];

        private void Keep(string? line)
        {
            if (line is null) return;
            if (line.Contains("LeaseRenewal", StringComparison.Ordinal)) lock (LeaseLines) LeaseLines.Add(line);
            lock (_tail)
            {
                _tail.Enqueue(line);
                if (_tail.Count > 40) _tail.Dequeue();
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(30_000);
            }
            Process.Dispose();
            try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        }
    }
}
