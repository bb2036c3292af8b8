using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Dashboard.Tests.Access;
using Dashboard.Tests.Maintenance;
using Dashboard.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace Dashboard.Tests.Replicas;

/// <summary>
/// Two dashboards as separate processes on one PostgreSQL history and a real 3+1 ensemble whose nodes a slow
/// script stops and starts (so the ensemble outlives a dashboard). The replica running a rolling restart is killed
/// (SIGKILL, its script with it) between step 2's stop and its start: the other replica shows the run paused with
/// the step interrupted, refuses a second run beside it, and resumes it; every node is stopped and started exactly
/// once (the script's log, the nodes' process ids, the step records and the audit agree).
/// </summary>
[Collection(SoloCollection.Name)]
public sealed class ReplicaMaintenanceTests(DashboardStopTests.Ensemble ensemble, PostgresServer server, ITestOutputHelper output)
    : IClassFixture<DashboardStopTests.Ensemble>, IClassFixture<PostgresServer>
{
    private const string Runs = "/api/clusters/local/maintenance/runs";
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task ReplicaKilledMidRollingRestart_RunPausedOnTheOther_ResumedThere_NoNodeRestartedTwice()
    {
        var script = ensemble.Script;
        script.Reset();
        var sandbox = ensemble.Sandbox;
        var pidsBefore = sandbox.Nodes.ToDictionary(n => n.Id, n => PidOf(n.Directory));
        var connectionString = await server.CreateDatabaseAsync();
        var replicas = new List<DashboardProcess>();
        try
        {
            foreach (var name in new[] { "m1", "m2" }) replicas.Add(await DashboardProcess.StartAsync(Settings(connectionString, name, script)));
            var (first, second) = (replicas[0], replicas[1]);
            using var a = await OperatorAsync(first);
            using var b = await OperatorAsync(second);
            await WaitForAsync(a, "/api/clusters/local/maintenance/plan?operation=rolling-restart", p => p.GetProperty("canStart").GetBoolean(), "the ensemble never became fit for a rolling restart", replicas);

            script.Close();
            var started = await a.PostAsJsonAsync(new Uri(Runs, UriKind.Relative), new { operation = "rolling-restart", confirm = "Local" });
            Assert.True(started.StatusCode == HttpStatusCode.Created, await started.Content.ReadAsStringAsync());
            var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

            // Step 1 goes through; its run is visible, live, on the other replica.
            var one = await NextStopAsync(script, [], replicas);
            script.Let("stop", one);
            script.Let("start", one);
            await WaitForAsync(b, $"{Runs}/{runId}", r => r.GetProperty("stepsDone").GetInt32() == 1, "step 1 never finished", replicas);

            // Step 2: its node is stopped, and its start waits at the gate when the replica running the run dies.
            var two = await NextStopAsync(script, [one], replicas);
            script.Let("stop", two);
            await script.WaitForAsync($"start-begin {two}", TimeSpan.FromSeconds(60));
            await first.KillAsync();
            script.Open();

            var paused = await WaitForAsync(b, $"{Runs}/{runId}", r => r.GetProperty("state").GetString() == "paused", "the other replica never paused the orphaned run", replicas);
            output.WriteLine($"paused on the other replica: {paused.GetProperty("pauseReason").GetString()}");
            Assert.Contains("the dashboard executing it stopped during step 2", paused.GetProperty("pauseReason").GetString(), StringComparison.Ordinal);
            var step2 = paused.GetProperty("steps")[1];
            Assert.Equal("interrupted", step2.GetProperty("state").GetString());
            Assert.Equal(two, step2.GetProperty("nodeId").GetInt32());
            Assert.True(paused.GetProperty("needsResumeChoice").GetBoolean());
            var beside = await b.PostAsJsonAsync(new Uri(Runs, UriKind.Relative), new { operation = "rolling-restart", confirm = "Local" });
            Assert.Equal(HttpStatusCode.UnprocessableEntity, beside.StatusCode); // one run per cluster, across replicas

            // The node the dead replica left down is started (only started), then the last two steps run here.
            var resumed = await b.PostAsync(new Uri($"{Runs}/{runId}/resume", UriKind.Relative), null);
            Assert.True(resumed.StatusCode == HttpStatusCode.OK, await resumed.Content.ReadAsStringAsync());
            var done = await WaitForAsync(b, $"{Runs}/{runId}", r => r.GetProperty("state").GetString() is "succeeded" or "paused" or "aborted", "the resumed run never ended", replicas,
                TimeSpan.FromMinutes(4));
            Assert.True(done.GetProperty("state").GetString() == "succeeded", done.ToString());
            Assert.Contains(done.GetProperty("log").EnumerateArray(), l => l.GetProperty("message").GetString()!.Contains("starting it (the run took it down itself)", StringComparison.Ordinal));

            output.WriteLine($"actions: {string.Join(", ", script.Actions)}");
            foreach (var node in sandbox.Nodes)
            {
                Assert.Equal(1, script.Count($"stop-done {node.Id}"));
                Assert.Equal(1, script.Count($"start-done {node.Id}"));
                Assert.NotEqual(pidsBefore[node.Id], PidOf(node.Directory));
            }
            await using var db = new NpgsqlConnection(connectionString);
            var steps = (await db.QueryAsync<(int NodeId, string State)>("SELECT node_id, state FROM maintenance_steps WHERE run_id = @Id ORDER BY idx", new { Id = runId })).ToList();
            Assert.Equal(sandbox.Nodes.Select(n => n.Id).Order(), steps.Select(s => s.NodeId).Order());
            Assert.All(steps, s => Assert.Equal("succeeded", s.State));
            // One node action audited per node: the dead replica's stop of node 2 never reported (it died first), the
            // start that brought the node back did; no node shows two.
            var audited = await WaitForAuditAsync(db, sandbox.Nodes.Count);
            Assert.Equal(sandbox.Nodes.Select(n => $"local/node {n.Id}").Order(), audited.Order());
            Assert.Null(await db.ExecuteScalarAsync<string?>("SELECT run_id FROM maintenance_locks WHERE cluster_id = 'local'"));
        }
        finally
        {
            script.Open();
            // The nodes now run as the script started them (the sandbox's own processes are gone); the fixture's
            // script kills them by their pid files at the end.
            foreach (var replica in replicas) await replica.DisposeAsync();
        }
    }

    private static int? PidOf(string nodeDirectory) =>
        int.TryParse(File.ReadAllText(Path.Combine(nodeDirectory, "pid")).Trim(), out var pid) ? pid : null;

    /// <summary>The node whose stop the script is asked for next, beyond <paramref name="seen"/>.</summary>
    private static async Task<int> NextStopAsync(SlowControlScript script, int[] seen, List<DashboardProcess> replicas)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var next = script.Actions.Where(a => a.StartsWith("stop-begin ", StringComparison.Ordinal)).Select(a => int.Parse(a[11..], System.Globalization.CultureInfo.InvariantCulture))
                .Where(id => !seen.Contains(id)).ToList();
            if (next.Count > 0) return next[0];
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"no next stop; the script logged {string.Join(", ", script.Actions)}:\n{string.Join("\n----\n", replicas.Select(r => r.Output))}");
            await Task.Delay(200);
        }
    }

    private static async Task<List<string>> WaitForAuditAsync(NpgsqlConnection db, int count)
    {
        // Audit entries go through the history's write queue: give the survivor's queue a moment.
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var targets = (await db.QueryAsync<string>("SELECT target FROM audit_log WHERE action = 'maintenance-step' AND outcome = 'succeeded'")).ToList();
            if (targets.Count >= count || clock.Elapsed > TimeSpan.FromSeconds(30)) return targets;
            await Task.Delay(300);
        }
    }

    private static async Task<HttpClient> OperatorAsync(DashboardProcess replica)
    {
        var client = replica.Client();
        var response = await AccessTestApp.SignInAsync(client, AccessTestApp.OperatorName, AccessTestApp.OperatorPassword);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        client.DefaultRequestHeaders.Add("RequestVerificationToken", await AccessTestApp.AntiforgeryTokenAsync(client, "/"));
        return client;
    }

    private static async Task<JsonElement> WaitForAsync(HttpClient client, string path, Func<JsonElement, bool> condition, string failure, List<DashboardProcess> replicas, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (true)
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            last = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode && JsonDocument.Parse(last).RootElement is var element && condition(element)) return element.Clone();
            Assert.True(clock.Elapsed < (timeout ?? TimeSpan.FromSeconds(90)), $"{failure}; last answer {last}:\n{string.Join("\n----\n", replicas.Select(r => r.Output))}");
            await Task.Delay(300);
        }
    }

    private string Settings(string connectionString, string name, SlowControlScript script)
    {
        var settings = SandboxClusterSettings.For(ensemble.Sandbox, pollInterval: "00:00:01", nodeTimeout: "00:00:00.800");
        settings["Dashboard:Clusters:0:KafkaChroot"] = "none";
        settings["Dashboard:Clusters:0:Maintenance:Enabled"] = "true";
        settings["Dashboard:Clusters:0:Maintenance:SettlePeriod"] = "00:00:01";
        settings["Dashboard:Clusters:0:Maintenance:StepTimeout"] = "00:02:00";
        settings["Dashboard:Clusters:0:Maintenance:Control:Kind"] = "command";
        settings["Dashboard:Clusters:0:Maintenance:Control:ActionTimeout"] = "00:01:00";
        foreach (var action in new[] { "stop", "start" })
        {
            var key = $"Dashboard:Clusters:0:Maintenance:Control:{char.ToUpperInvariant(action[0])}{action[1..]}";
            string[] arguments = ["sh", script.ScriptPath, action, "{id}"];
            for (var i = 0; i < arguments.Length; i++) settings[$"{key}:{i}"] = arguments[i];
        }
        settings["History:Provider"] = "postgres";
        settings["History:ConnectionString"] = connectionString;
        settings["Replicas:Name"] = name;
        settings["Replicas:LeaseDuration"] = Lease.ToString();
        settings["Replicas:RenewInterval"] = (Lease / 3).ToString();
        settings["Auth:Users:0:Name"] = AccessTestApp.OperatorName;
        settings["Auth:Users:0:PasswordHash"] = AccessTestApp.OperatorHash;
        settings["Auth:Users:0:Role"] = "operator";
        return JsonSerializer.Serialize(settings);
    }
}
