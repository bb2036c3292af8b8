using System.Net;
using Dashboard.Core.Access;

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

    // The size bound (History:MaxAuditRows) is one of the store's tests, run on every provider: HistoryStoreTests.AuditBound_*.
}
