using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Dapper;
using Dashboard.Tests.Access;
using Dashboard.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace Dashboard.Tests.Replicas;

/// <summary>
/// Three dashboards as separate processes, one PostgreSQL history, the shared real ensemble: the lease holder of
/// the cluster is killed, another replica takes over within the lease, and the history it leaves has neither
/// duplicates (two writers) nor a gap longer than the takeover. Every replica shows the polls of the holder of the day.
/// </summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class ReplicaTakeoverTests(SharedEnsemble ensemble, PostgresServer server, ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Renew = TimeSpan.FromSeconds(1);

    /// <summary>The stated takeover bound: the lease runs out, then the next renewal round of a survivor takes it.</summary>
    private static readonly TimeSpan TakeoverBound = Lease + Renew * 2;

    [Fact]
    public async Task HolderKilled_AnotherReplicaTakesOverWithinTheLease_HistoryWithoutDuplicatesOrLongGaps_SessionsShared()
    {
        var connectionString = await server.CreateDatabaseAsync();
        var replicas = new List<DashboardProcess>();
        try
        {
            foreach (var name in new[] { "r1", "r2", "r3" }) replicas.Add(await DashboardProcess.StartAsync(Settings(connectionString, name)));
            await using var db = new NpgsqlConnection(connectionString);
            await db.OpenAsync();

            var (holder, epoch) = await WaitForAsync(db, async () => await db.QuerySingleOrDefaultAsync<(string Holder, long Epoch)?>(
                "SELECT holder, epoch FROM cluster_leases WHERE cluster_id = 'local' AND expires_ms > (extract(epoch from clock_timestamp()) * 1000)::bigint"), "no replica took the cluster's lease", replicas);
            await WaitForAsync(db, async () => await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM node_metrics WHERE cluster_id = 'local'") >= 10 ? true : (bool?)null, "the holder wrote no metrics", replicas);

            // Any replica serves any user: a cookie from one is honoured by another.
            var first = replicas.First(r => !Name(r).Equals(holder, StringComparison.Ordinal));
            var other = replicas.First(r => r != first);
            string cookie;
            using (var browser = first.Client())
            {
                cookie = await SessionTests.SessionCookieAsync(browser, AccessTestApp.AdminName);
                using var elsewhere = new HttpClient { BaseAddress = other.Address };
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/me", UriKind.Relative));
                request.Headers.Add("Cookie", cookie);
                using var me = await elsewhere.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, me.StatusCode);
                Assert.Equal(AccessTestApp.AdminName, JsonDocument.Parse(await me.Content.ReadAsStringAsync()).RootElement.GetProperty("name").GetString());
            }

            // Only the holder polls: every replica shows the holder's polls.
            foreach (var replica in replicas)
                await WaitForAsync(db, async () => await PolledByAsync(replica, cookie) == holder ? true : (bool?)null, $"replica {Name(replica)} does not show {holder}'s polls", replicas);

            var victim = replicas.Single(r => Name(r) == holder);
            var killedAtMs = await db.ExecuteScalarAsync<long>("SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint");
            await victim.KillAsync();
            replicas.Remove(victim);

            var (newHolder, newEpoch, acquiredMs) = await WaitForAsync(db, async () => await db.QuerySingleOrDefaultAsync<(string Holder, long Epoch, long AcquiredMs)?>(
                "SELECT holder, epoch, acquired_ms FROM cluster_leases WHERE cluster_id = 'local' AND holder <> @Holder", new { Holder = holder }), "no replica took over", replicas);
            var takeover = TimeSpan.FromMilliseconds(acquiredMs - killedAtMs);
            Assert.True(takeover <= TakeoverBound + TimeSpan.FromSeconds(1), $"taken over after {takeover.TotalSeconds:F1} s (bound {TakeoverBound.TotalSeconds} s)");
            Assert.Equal(epoch + 1, newEpoch);
            Assert.Contains(replicas, r => Name(r) == newHolder);

            // Let the new holder write a while, then read one node's samples around the takeover.
            await WaitForAsync(db, async () => await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM node_metrics WHERE cluster_id = 'local' AND at_ms > @At", new { At = acquiredMs }) >= 20 ? true : (bool?)null,
                "the new holder wrote no metrics", replicas);
            var node = await db.ExecuteScalarAsync<string>("SELECT node_id FROM node_metrics WHERE cluster_id = 'local' ORDER BY node_id LIMIT 1");
            var times = (await db.QueryAsync<long>("SELECT at_ms FROM node_metrics WHERE cluster_id = 'local' AND node_id = @Node ORDER BY at_ms", new { Node = node })).ToList();
            var gaps = times.Zip(times.Skip(1), (a, b) => TimeSpan.FromMilliseconds(b - a)).ToList();

            output.WriteLine($"takeover {takeover.TotalSeconds:F2} s after the kill; {times.Count} samples of node {node}, gaps {gaps.Min().TotalSeconds:F2} s to {gaps.Max().TotalSeconds:F2} s");
            Assert.True(gaps.Min() >= Poll / 2, $"two samples {gaps.Min().TotalMilliseconds} ms apart: two replicas wrote the cluster");
            Assert.True(gaps.Max() <= TakeoverBound + Poll * 2, $"a gap of {gaps.Max().TotalSeconds:F1} s, longer than the takeover ({TakeoverBound.TotalSeconds} s) and two polls");
            foreach (var survivor in replicas)
            {
                await WaitForAsync(db, async () => await PolledByAsync(survivor, cookie) == newHolder ? true : (bool?)null, $"replica {Name(survivor)} does not show {newHolder}'s polls", replicas);
                using var client = new HttpClient { BaseAddress = survivor.Address };
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
                var ready = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
                Assert.True(ready.StatusCode == HttpStatusCode.OK, await ready.Content.ReadAsStringAsync());
            }
            Assert.DoesNotContain(PostgresServer.Password, string.Join('\n', replicas.Select(r => r.Output)), StringComparison.Ordinal);
        }
        finally
        {
            foreach (var replica in replicas) await replica.DisposeAsync();
        }
    }

    private static async Task<string?> PolledByAsync(DashboardProcess replica, string cookie)
    {
        using var client = new HttpClient { BaseAddress = replica.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/clusters/local/ensemble", UriKind.Relative));
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.OK) return null;
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.TryGetProperty("polledBy", out var by) ? by.GetString() : null;
    }

    private static string Name(DashboardProcess replica) => JsonDocument.Parse(File.ReadAllText(replica.SettingsFile)).RootElement.GetProperty("Replicas:Name").GetString()!;

    private static async Task<T> WaitForAsync<T>(NpgsqlConnection db, Func<Task<T?>> probe, string failure, List<DashboardProcess> replicas) where T : struct
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } value) return value;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), $"{failure}:\n{string.Join("\n----\n", replicas.Select(r => r.Output))}");
            await Task.Delay(200);
        }
    }

    private string Settings(string connectionString, string name)
    {
        // Flat keys: the JSON provider reads "a:b" property names as the same paths as nested objects.
        var settings = SandboxClusterSettings.For(ensemble.Sandbox, pollInterval: "00:00:01", nodeTimeout: "00:00:00.800");
        settings["History:Provider"] = "postgres";
        settings["History:ConnectionString"] = connectionString;
        settings["Replicas:Name"] = name;
        settings["Replicas:LeaseDuration"] = Lease.ToString();
        settings["Replicas:RenewInterval"] = Renew.ToString();
        settings["Auth:Users:0:Name"] = AccessTestApp.AdminName;
        settings["Auth:Users:0:PasswordHash"] = AccessTestApp.AdminHash;
        settings["Auth:Users:0:Role"] = "admin";
        return JsonSerializer.Serialize(settings);
    }
}
