using Dashboard.Tests.Support;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using Dashboard.Access;
using Dashboard.Core.Access;
using Dashboard.Tests.Membership;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Access;

/// <summary>
/// What the tokens page's circuit calls, per action and role: no HTTP middleware sees these calls, so the service
/// itself refuses a viewer, an operator and an anonymous reader (read mode on), audits the refusal, and creates
/// nothing; an admin creates and revokes, audited with the user and the circuit's address.
/// </summary>
public sealed class ApiTokenAdminTests
{
    private static ClaimsPrincipal As(string who) => who switch
    {
        "viewer" => DashboardPrincipal.Create(AccessTestApp.ViewerName, DashboardRole.Viewer, "password", "Cookies"),
        "operator" => DashboardPrincipal.Create(AccessTestApp.OperatorName, DashboardRole.Operator, "password", "Cookies"),
        "admin" => ApiTokenTests.Admin,
        _ => new ClaimsPrincipal(new ClaimsIdentity()),
    };

    private static (ApiTokenAdmin Tokens, TestAuditLog Audit) Service(DashboardAppFactory app)
    {
        var audit = new TestAuditLog();
        return (new ApiTokenAdmin(app.Services.GetRequiredService<ApiTokenStore>(), audit, TimeProvider.System), audit);
    }

    [Theory]
    [InlineData("viewer", "create")]
    [InlineData("viewer", "revoke")]
    [InlineData("operator", "create")]
    [InlineData("operator", "revoke")]
    [InlineData("anonymous", "create")]
    [InlineData("anonymous", "revoke")]
    public async Task Action_ByNonAdmin_RefusedAuditedAndNothingChanges(string who, string action)
    {
        await using var app = AccessTestApp.Create(new() { ["Auth:AnonymousRead"] = "true" });
        var existing = await ApiTokenTests.CreateTokenAsync(app, "kept-bot", "viewer");
        var (tokens, audit) = Service(app);
        var user = As(who);

        var outcome = action == "create"
            ? await tokens.CreateAsync(user, null, "sneaky-bot", "admin")
            : await tokens.RevokeAsync(user, null, existing.Id);

        Assert.False(outcome.Succeeded);
        Assert.True(outcome.Forbidden);
        Assert.Null(outcome.Issued);
        Assert.Contains("Only an admin", outcome.Message, StringComparison.Ordinal);
        var entry = Assert.Single(audit.Entries);
        Assert.Equal((action == "create" ? AuditActions.TokenCreated : AuditActions.TokenRevoked, AuditOutcome.Denied, DashboardPrincipal.NameOf(user), "circuit"),
            (entry.Action, entry.Outcome, entry.User, entry.Address));
        Assert.Empty(await tokens.ListAsync(user));
        var all = await app.Services.GetRequiredService<ApiTokenStore>().ListAsync();
        Assert.Equal("kept-bot", Assert.Single(all).Name);
        Assert.False(all[0].IsRevoked);
    }

    [Fact]
    public async Task CreateAndRevoke_ByAdmin_TokenWorksThenIsRefused_EachAudited()
    {
        await using var app = AccessTestApp.Create();
        var (tokens, audit) = Service(app);
        using var script = AccessTestApp.Client(app);

        var created = await tokens.CreateAsync(ApiTokenTests.Admin, "10.0.0.9", "  ci-bot ", "operator");
        Assert.True(created.Succeeded, created.Message);
        var secret = created.Issued!.Secret;
        Assert.Equal(HttpStatusCode.OK, (await WhoAmIAsync(script, secret)).StatusCode);
        var listed = Assert.Single(await tokens.ListAsync(ApiTokenTests.Admin));
        Assert.Equal(("ci-bot", DashboardRole.Operator, AccessTestApp.AdminName), (listed.Name, listed.Role, listed.CreatedBy));

        var revoked = await tokens.RevokeAsync(ApiTokenTests.Admin, null, created.Issued.Token.Id);
        Assert.True(revoked.Succeeded, revoked.Message);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WhoAmIAsync(script, secret)).StatusCode);
        var again = await tokens.RevokeAsync(ApiTokenTests.Admin, null, created.Issued.Token.Id);
        Assert.False(again.Succeeded);
        Assert.False(again.Forbidden);

        var entries = audit.Entries.ToList();
        Assert.Equal(3, entries.Count);
        Assert.Equal((AuditActions.TokenCreated, AuditOutcome.Succeeded, "10.0.0.9", "name ci-bot, role operator"), (entries[0].Action, entries[0].Outcome, entries[0].Address, entries[0].After));
        Assert.Equal((AuditActions.TokenRevoked, AuditOutcome.Succeeded, "circuit", "revoked"), (entries[1].Action, entries[1].Outcome, entries[1].Address, entries[1].After));
        Assert.Equal((AuditActions.TokenRevoked, AuditOutcome.Failed, "no such active token"), (entries[2].Action, entries[2].Outcome, entries[2].Detail));
        Assert.All(entries, e => Assert.Equal(AccessTestApp.AdminName, e.User));
        Assert.All(entries, e => Assert.DoesNotContain(secret, e.ToString(), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "viewer")]
    [InlineData("   ", "viewer")]
    [InlineData("bot", "root")]
    public async Task Create_ByAdminWithoutNameOrWithUnknownRole_RefusedWithTheRule(string name, string role)
    {
        await using var app = AccessTestApp.Create();
        var (tokens, _) = Service(app);

        var outcome = await tokens.CreateAsync(ApiTokenTests.Admin, null, name, role);
        var tooLong = await tokens.CreateAsync(ApiTokenTests.Admin, null, new string('x', ApiTokenStore.MaxNameLength + 1), "viewer");

        Assert.False(outcome.Succeeded);
        Assert.False(outcome.Forbidden);
        Assert.Contains($"1 to {ApiTokenStore.MaxNameLength} characters", outcome.Message, StringComparison.Ordinal);
        Assert.False(tooLong.Succeeded);
        Assert.Empty(await tokens.ListAsync(ApiTokenTests.Admin));
    }

    private static async Task<HttpResponseMessage> WhoAmIAsync(HttpClient client, string secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/me", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return await client.SendAsync(request);
    }
}
