using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dashboard.Core.Sandbox;
using Dashboard.Core.ZooKeeper;
using Microsoft.Playwright;

namespace Dashboard.Bench;

/// <summary>
/// What open tabs cost the server: the dashboard runs as its own process (the published Release build, as deployed), watching a
/// 3+1 sandbox whose Kafka tree has topics x partitions (default 100,000 partitions) and three registered brokers, at
/// 500 ms polls. Chromium opens N tabs on the ensemble page, then N tabs on the cluster-wide ISR grid; each phase is
/// measured over the same window against the dashboard with no tab (for the grid: with the same ISR changes): the process's CPU (utime + stime from /proc) and its
/// resident memory (VmRSS, sampled every second). During the grid phase one partition's ISR changes every second,
/// so the grids have something to re-render. Last line: "rss_loaded_mb=... ensemble_cpu_per_tab=... ...".
/// </summary>
internal static class Circuits
{
    private const string ClusterId = "bench";
    private static readonly string LogPath = Path.Combine(Path.GetTempPath(), "bench-circuits-dashboard.log");

    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var tabs = options.Int("tabs", 10);
        var topics = options.Int("topics", 10_000);
        var partitions = options.Int("partitions", 10);
        var window = TimeSpan.FromSeconds(options.Int("window", 20));
        var dll = DashboardDll();
        if (dll is null)
        {
            Console.Error.WriteLine("Dashboard/bin/Release/net10.0/publish/Dashboard.dll is missing: run 'dotnet publish -c Release Dashboard' first.");
            return 2;
        }

        await using var sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 3, Observers = 1, JvmHeap = "512m" }, new Progress<string>(Console.WriteLine));
        // The brokers' registrations are ephemeral: this session holds them for the whole run.
        await using var kafka = await ZooKeeperClient.ConnectAsync(sandbox.ConnectString, new ZooKeeperClientOptions { RequestTimeout = TimeSpan.FromSeconds(120), SessionTimeout = TimeSpan.FromSeconds(30) });
        await KafkaTree.CreateAsync(kafka, topics, partitions, Console.Out);
        await RegisterBrokersAsync(kafka);

        var folder = Directory.CreateTempSubdirectory("bench-circuits-").FullName;
        using var dashboard = StartDashboard(dll, sandbox.ConnectString, folder, out var address);
        try
        {
            using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
            var loadClock = Stopwatch.StartNew();
            await WaitForPartitionsAsync(http, topics * partitions, dashboard, TimeSpan.FromMinutes(5));
            Console.WriteLine($"dashboard (pid {dashboard.Id}) has {topics * partitions} partitions after {loadClock.Elapsed.TotalSeconds:0.0} s");
            await Task.Delay(TimeSpan.FromSeconds(10)); // the first history writes and JIT settle

            var idle = await MeasureAsync(dashboard.Id, window);
            Measure changesIdle;
            Report("idle", idle, null, 0);

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = "/usr/bin/chromium",
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-background-timer-throttling", "--disable-renderer-backgrounding"],
            });
            var ensemble = await PhaseAsync(browser, address, $"/clusters/{ClusterId}/ensemble", "#topology g[data-role=leader]", tabs, dashboard.Id, window, null);
            Report($"ensemble page x{tabs}", ensemble, idle, tabs);
            await Task.Delay(TimeSpan.FromSeconds(5));
            // The grid phase's baseline: the same ISR changes with no tab open (the watcher's re-read, the analysis and
            // the history writes are the dashboard's work whether or not anyone looks).
            using (var stopChanges = new CancellationTokenSource())
            {
                var changing = ChangeIsrEverySecondAsync(kafka, topics, stopChanges.Token);
                await Task.Delay(TimeSpan.FromSeconds(3));
                changesIdle = await MeasureAsync(dashboard.Id, window);
                await stopChanges.CancelAsync();
                await changing;
            }
            Report("no tab, 1 ISR change/s", changesIdle, null, 0);
            var isr = await PhaseAsync(browser, address, $"/clusters/{ClusterId}/kafka/partitions", "#isr-table [data-partition]", tabs, dashboard.Id, window,
                ct => ChangeIsrEverySecondAsync(kafka, topics, ct));
            Report($"ISR grid x{tabs} (1 ISR change/s)", isr, changesIdle, tabs);
            await Task.Delay(TimeSpan.FromSeconds(10));
            var after = await MeasureAsync(dashboard.Id, TimeSpan.FromSeconds(5));
            Report("tabs closed", after, idle, 0);

            var failed = File.ReadLines(LogPath).Count(l => l.StartsWith("fail:", StringComparison.Ordinal));
            Console.WriteLine($"dashboard log: {LogPath} ({failed} 'fail:' entries)");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"failures={failed} rss_loaded_mb={idle.RssMaxMb:0} rss_max_mb={Math.Max(ensemble.RssMaxMb, isr.RssMaxMb):0} idle_cpu={idle.CpuShare:P1} " +
                $"ensemble_cpu_per_tab={(ensemble.CpuShare - idle.CpuShare) / tabs:P2} ensemble_mb_per_tab={(ensemble.RssMaxMb - idle.RssMaxMb) / tabs:0.0} " +
                $"isr_cpu_per_tab={(isr.CpuShare - changesIdle.CpuShare) / tabs:P2} isr_mb_per_tab={(isr.RssMaxMb - changesIdle.RssMaxMb) / tabs:0.0}"));
            return 0;
        }
        finally
        {
            if (!dashboard.HasExited) dashboard.Kill(entireProcessTree: true);
            await dashboard.WaitForExitAsync();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private sealed record Measure(double CpuShare, double RssMaxMb, double RssEndMb);

    private static void Report(string phase, Measure m, Measure? idle, int tabs)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{phase}: cpu {m.CpuShare:P1} of one core, rss max {m.RssMaxMb:0} MB, rss end {m.RssEndMb:0} MB");
        if (idle is not null && tabs > 0)
            line += string.Create(CultureInfo.InvariantCulture, $"; per tab: cpu +{(m.CpuShare - idle.CpuShare) / tabs:P2}, rss +{(m.RssMaxMb - idle.RssMaxMb) / tabs:0.0} MB");
        Console.WriteLine(line);
    }

    private static async Task<Measure> PhaseAsync(IBrowser browser, Uri address, string path, string shown, int tabs, int pid, TimeSpan window,
        Func<CancellationToken, Task>? load)
    {
        var context = await browser.NewContextAsync(new() { BaseURL = address.ToString() });
        try
        {
            for (var i = 0; i < tabs; i++)
            {
                var page = await context.NewPageAsync();
                // A page that fails to load says why here rather than as a timeout.
                page.Console += (_, message) => { if (message.Type == "error") Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {page.Url}: console: {message.Text}"); };
                page.Response += (_, response) => { if (response.Status >= 400) Console.Error.WriteLine($"{page.Url}: HTTP {response.Status} {response.Url}"); };
                await page.GotoAsync(path);
                await Assertions.Expect(page.Locator("#components-reconnect-modal")).ToHaveAttributeAsync("data-circuit", "interactive", new() { Timeout = 60_000 });
                await Assertions.Expect(page.Locator(shown).First).ToBeVisibleAsync(new() { Timeout = 60_000 });
            }
            await Task.Delay(TimeSpan.FromSeconds(5));
            using var stop = new CancellationTokenSource();
            var running = load?.Invoke(stop.Token) ?? Task.CompletedTask;
            var measure = await MeasureAsync(pid, window);
            await stop.CancelAsync();
            await running;
            return measure;
        }
        finally
        {
            Console.WriteLine($"closing the tabs of {path} at {DateTime.UtcNow:HH:mm:ss.fff}");
            await context.CloseAsync();
        }
    }

    /// <summary>CPU share of one core over the window, and resident memory sampled every second.</summary>
    private static async Task<Measure> MeasureAsync(int pid, TimeSpan window)
    {
        var cpuBefore = CpuTicks(pid);
        var clock = Stopwatch.StartNew();
        double rssMax = 0, rss = 0;
        while (clock.Elapsed < window)
        {
            await Task.Delay(1000);
            rss = RssMb(pid);
            rssMax = Math.Max(rssMax, rss);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        return new Measure((CpuTicks(pid) - cpuBefore) / 100.0 / seconds, rssMax, rss);
    }

    /// <summary>utime + stime of /proc/PID/stat, in clock ticks (100 per second on Linux).</summary>
    private static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After "pid (comm) ", field 3 (state) is index 0: utime is field 14, stime field 15.
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    private static double RssMb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        return 0;
    }

    private static async Task RegisterBrokersAsync(ZooKeeperClient client)
    {
        await client.CreateAsync("/brokers/ids", Array.Empty<byte>());
        for (var id = 1; id <= 3; id++)
        {
            var broker = $$"""{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://broker{{id}}:9092"],"jmx_port":-1,"host":"broker{{id}}","timestamp":"1700000000000","port":9092,"version":5}""";
            await client.CreateAsync($"/brokers/ids/{id}", Encoding.UTF8.GetBytes(broker), CreateMode.Ephemeral);
        }
        await client.CreateAsync("/controller_epoch", "1"u8.ToArray());
        await client.CreateAsync("/controller", """{"version":1,"brokerid":1,"timestamp":"1700000000000"}"""u8.ToArray(), CreateMode.Ephemeral);
    }

    /// <summary>Partition 0 of the middle topic loses and regains broker 3 from its ISR, once a second.</summary>
    private static async Task ChangeIsrEverySecondAsync(ZooKeeperClient client, int topics, CancellationToken cancellationToken)
    {
        var path = $"{KafkaTree.TopicsPath}/{KafkaTree.TopicName(topics / 2)}/partitions/0/state";
        for (var i = 0; !cancellationToken.IsCancellationRequested; i++)
        {
            var isr = i % 2 == 0 ? "1,2" : "1,2,3";
            await client.SetDataAsync(path, Encoding.UTF8.GetBytes($"{{\"controller_epoch\":7,\"leader\":1,\"version\":1,\"leader_epoch\":{20 + i},\"isr\":[{isr}]}}"), cancellationToken: CancellationToken.None);
            try { await Task.Delay(1000, cancellationToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    private static Process StartDashboard(string dll, string connectString, string folder, out Uri address)
    {
        address = new Uri($"http://127.0.0.1:{FreePort()}");
        var project = Path.GetDirectoryName(dll)!;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = project, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
                 {
                     dll, "--urls", address.ToString().TrimEnd('/'), "--contentRoot", project,
                     "--History:DatabasePath", Path.Combine(folder, "history.db"),
                     "--Auth:AnonymousRead", "true",
                     "--Dashboard:Clusters:0:Name", ClusterId, "--Dashboard:Clusters:0:ConnectString", connectString,
                     "--Dashboard:Clusters:0:PollInterval", "00:00:00.500",
                     // Why a circuit ends goes to the log (the default level leaves Blazor's circuit messages out).
                     "--Logging:LogLevel:Microsoft.AspNetCore.Components.Server", "Debug", "--DetailedErrors", "true",
                 })
            start.ArgumentList.Add(argument);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(start)!;
        // Its log goes to a file kept after the run (a circuit that fails logs why there); drained so a full pipe never blocks it.
        var log = new StreamWriter(LogPath, append: false) { AutoFlush = true };
        void Keep(string? line)
        {
            if (line is null) return;
            lock (log) log.WriteLine(line);
        }
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForPartitionsAsync(HttpClient http, int expected, Process dashboard, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (dashboard.HasExited) throw new InvalidOperationException($"the dashboard exited with {dashboard.ExitCode}");
            try
            {
                using var response = await http.GetAsync(new Uri($"/api/clusters/{ClusterId}/kafka/partitions?pageSize=1", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                    if (body.GetProperty("total").GetInt32() >= expected) return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the dashboard did not show {expected} partitions within {timeout.TotalSeconds} s");
            await Task.Delay(1000);
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The published Release build of the web app (as deployed: its static assets in wwwroot), found from this tool's own folder (bench/Dashboard.Bench/bin/...).</summary>
    private static string? DashboardDll()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (!File.Exists(Path.Combine(folder.FullName, "Dashboard.sln"))) continue;
            var dll = Path.Combine(folder.FullName, "Dashboard", "bin", "Release", "net10.0", "publish", "Dashboard.dll");
            return File.Exists(dll) ? dll : null;
        }
        return null;
    }
}
