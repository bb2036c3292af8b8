using System.Net;
using Dapper;
using Dashboard.Core.Access;
using Dashboard.Core.History;

namespace Dashboard.Tests.Access;

/// <summary>The audit log attacked with a flood of anonymous refusals, and held to its size bound.</summary>
public sealed class AuditBoundTests
{
    [Fact]
    public async Task AnonymousRefusalFlood_CountedIntoOneRowPerInterval_SignInFailuresAllKept()
    {
        await using var app = AccessTestApp.Create(new() { ["Auth:AuditRefusalInterval"] = "00:00:02" });
        using var stranger = AccessTestApp.Client(app);
        for (var i = 0; i < 300; i++)
        {
            using var request = AccessTestApp.Request(HttpMethod.Get, "/api/clusters", "192.0.2.50");
            Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.SendAsync(request)).StatusCode);
        }
        using (var other = AccessTestApp.Request(HttpMethod.Get, "/api/clusters", "192.0.2.51"))
            await stranger.SendAsync(other);
        for (var i = 0; i < 3; i++) await AccessTestApp.SignInAsync(stranger, AccessTestApp.ViewerName, "wrong password");

        IReadOnlyList<AuditEntry> flood = [];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (flood.Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the flood's count was never written");
            await Task.Delay(500);
            flood = [.. (await AccessTestApp.AuditAsync(app)).Where(e => e.Address == "192.0.2.50")];
        }

        var audit = await AccessTestApp.AuditAsync(app);
        Assert.Equal(2, flood.Count);
        Assert.Contains(flood, e => e.Detail!.Contains("and 299 more identical refusal(s) from this address", StringComparison.Ordinal));
        Assert.Single(audit, e => e.Address == "192.0.2.51");
        Assert.Equal(3, audit.Count(e => e.Action == AuditActions.SignIn && e.Outcome == AuditOutcome.Failed));
    }

    [Fact]
    public async Task SizeBound_DropsOldestAnonymousRefusalsFirst_ThenOldestOthers_AndSaysWhat()
    {
        var folder = Directory.CreateTempSubdirectory("audit-bound-").FullName;
        try
        {
            var database = new HistoryDatabase(new HistoryOptions { DatabasePath = Path.Combine(folder, "history.db"), MaxAuditRows = 1_000 });
            await using var writer = new HistoryWriter(database, TimeProvider.System);
            writer.Start();
            var t0 = DateTimeOffset.UtcNow.AddDays(-1);
            var log = new HistoryAuditLog(writer);
            // Interleaved in time: sign-ins and znode changes among the refusals.
            for (var i = 0; i < 1_500; i++)
            {
                var at = t0.AddSeconds(i);
                log.Record(i % 5 == 0
                    ? new AuditEntry(at, "anonymous", "192.0.2.50", AuditActions.AccessDenied, "GET /api/clusters", AuditOutcome.Denied)
                    : new AuditEntry(at, "alice", "192.0.2.1", i % 2 == 0 ? AuditActions.SignIn : "znode-set", "/x", AuditOutcome.Succeeded));
            }
            writer.Enqueue(new PruneWrite(database.Options, DateTimeOffset.UtcNow));
            Assert.True(await writer.FlushAsync());

            using var connection = database.Open(readOnly: true);
            Assert.Equal(1_000, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log"));
            Assert.Equal(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE user_name = 'anonymous'"));
            var detail = connection.ExecuteScalar<string>("SELECT detail FROM audit_log WHERE action = 'audit-pruned'")!;
            Assert.Contains("dropped 300 anonymous refusal(s)", detail, StringComparison.Ordinal);
            Assert.Contains("201 other row(s)", detail, StringComparison.Ordinal);
            Assert.Matches(@"sign-in \d+", detail);
            Assert.Matches(@"znode-set \d+", detail);
            // The newest rows are the ones kept.
            Assert.Equal(t0.AddSeconds(1_499).ToUnixTimeMilliseconds(), connection.ExecuteScalar<long>("SELECT MAX(at_ms) FROM audit_log WHERE action <> 'audit-pruned'"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
