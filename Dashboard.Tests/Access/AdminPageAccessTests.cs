using Dashboard.Tests.Support;
using System.Net;

namespace Dashboard.Tests.Access;

/// <summary>
/// Who may open the admin pages (tokens, audit log, membership), as the server answers the first request of an
/// interactive page; an unknown cluster's membership page is a 404 page.
/// </summary>
public sealed class AdminPageAccessTests
{
    private static DashboardAppFactory App() => AccessTestApp.Create(new()
    {
        ["Dashboard:Clusters:0:Name"] = "Local",
        // Nothing listens there: these pages read no ZooKeeper until a plan is asked for.
        ["Dashboard:Clusters:0:ConnectString"] = "127.0.0.1:1",
    });

    [Theory]
    [InlineData(AccessTestApp.ViewerName, "/admin/tokens")]
    [InlineData(AccessTestApp.ViewerName, "/admin/audit")]
    [InlineData(AccessTestApp.ViewerName, "/membership")]
    [InlineData(AccessTestApp.ViewerName, "/clusters/local/membership")]
    [InlineData(AccessTestApp.OperatorName, "/admin/tokens")]
    [InlineData(AccessTestApp.OperatorName, "/admin/audit")]
    [InlineData(AccessTestApp.OperatorName, "/membership")]
    [InlineData(AccessTestApp.OperatorName, "/clusters/local/membership")]
    public async Task AdminPage_ViewerOrOperator_Gets403(string name, string path)
    {
        await using var app = App();
        using var client = await AccessTestApp.SignedInAsync(app, name);

        var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain("id=\"token-list\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/admin/tokens", "API tokens")]
    [InlineData("/admin/audit", "Audit log")]
    [InlineData("/membership", "Membership")]
    [InlineData("/clusters/local/membership", "membership")]
    public async Task AdminPage_Admin_Gets200(string path, string title)
    {
        await using var app = App();
        using var admin = await AccessTestApp.SignedInAsync(app, AccessTestApp.AdminName);

        var response = await admin.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(title, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MembershipPage_UnknownCluster_404()
    {
        await using var app = App();
        using var admin = await AccessTestApp.SignedInAsync(app, AccessTestApp.AdminName);

        var response = await admin.GetAsync(new Uri("/clusters/nope/membership", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task EnsemblePage_LinksToMembershipForAdminsOnly()
    {
        await using var app = App();
        using var admin = await AccessTestApp.SignedInAsync(app, AccessTestApp.AdminName);
        using var operatorClient = await AccessTestApp.SignedInAsync(app, AccessTestApp.OperatorName);

        var forAdmin = await admin.GetStringAsync(new Uri("/clusters/local/ensemble", UriKind.Relative));
        var forOperator = await operatorClient.GetStringAsync(new Uri("/clusters/local/ensemble", UriKind.Relative));

        Assert.Contains("href=\"/clusters/local/membership\"", forAdmin, StringComparison.Ordinal);
        Assert.DoesNotContain("/membership", forOperator, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MembershipFormPosts_AreGone()
    {
        await using var app = App();
        using var admin = await AccessTestApp.SignedInAsync(app, AccessTestApp.AdminName);
        using var request = AccessTestApp.Request(HttpMethod.Post, "/clusters/local/membership/start",
            headers: new() { ["RequestVerificationToken"] = await AccessTestApp.AntiforgeryTokenAsync(admin, "/") });

        var response = await admin.SendAsync(request);

        // The page acts through its circuit now; the JSON API stays for scripts.
        Assert.NotEqual(HttpStatusCode.Redirect, response.StatusCode);
        Assert.NotEqual(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.True((int)response.StatusCode is 404 or 405 or 400, $"answered {(int)response.StatusCode}");
    }
}
