using System.Security.Claims;
using System.Text;
using Dashboard.Access;
using Dashboard.Core.Access;
using Dashboard.Core.Znodes;
using Dashboard.Core.ZooKeeper;
using Dashboard.Tests.Support;
using Dashboard.Znodes;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Znodes;

/// <summary>
/// The role rule and the audit at the service the page's circuit calls (no HTTP middleware in between): one test
/// per action and role against the real ensemble. ACLs are admin-only; an import that only changes data is an
/// operator's; viewers and anonymous readers are refused and the refusal is recorded.
/// </summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class ZnodeWriteServiceTests(SharedEnsemble ensemble)
{
    private string Server => ensemble.Sandbox.Voters.First().ClientAddress;

    private static ZnodeActor As(DashboardRole? role) => role is null
        ? new ZnodeActor(new ClaimsPrincipal(new ClaimsIdentity()), null)
        : new ZnodeActor(DashboardPrincipal.Create(role.Value.Name() + "-user", role, "password", "test"), "circuit");

    public static TheoryData<string, string> ActionsAndRoles()
    {
        var data = new TheoryData<string, string>();
        foreach (var action in new[] { "create", "set-data", "delete", "delete-recursive", "set-acl", "import" })
            foreach (var role in new[] { "anonymous", "viewer", "operator", "admin" })
                data.Add(action, role);
        return data;
    }

    [Theory]
    [MemberData(nameof(ActionsAndRoles))]
    public async Task Action_ByRole_OperatorWritesAdminSetsAclsOthersRefusedAndAudited(string action, string roleName)
    {
        DashboardRole? role = roleName switch { "viewer" => DashboardRole.Viewer, "operator" => DashboardRole.Operator, "admin" => DashboardRole.Admin, _ => null };
        var root = ZnodeFixture.UniqueRoot("svc-" + action);
        await Kazoo.CreateAsync(Server, root, "before"u8.ToArray());
        await Kazoo.CreateAsync(Server, root + "/child", "c"u8.ToArray());
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true);
        var writes = app.Factory.Services.GetRequiredService<ZnodeWriteService>();
        var actor = As(role);
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var stat = (await zk.GetDataAsync(root)).Stat;

        var (outcome, status) = await RunAsync(action, writes, actor, root, stat, zk);

        var allowed = action is "set-acl" ? role is DashboardRole.Admin : role is DashboardRole.Operator or DashboardRole.Admin;
        Assert.True(allowed ? outcome == ZnodeChangeOutcome.Applied : outcome == ZnodeChangeOutcome.Refused, $"{action} as {roleName}: {outcome} ({status})");
        if (!allowed) Assert.Equal(403, status);
        var changed = action switch
        {
            "create" => await zk.ExistsAsync(root + "/new") is not null,
            "set-data" => Encoding.UTF8.GetString(await Kazoo.GetAsync(Server, root) ?? []) == "after",
            "delete" => await zk.ExistsAsync(root + "/child") is null,
            "delete-recursive" => await zk.ExistsAsync(root) is null,
            "set-acl" => (await zk.GetAclAsync(root)).Acl.Count == 2,
            _ => Encoding.UTF8.GetString(await Kazoo.GetAsync(Server, root + "/child") ?? []) == "imported",
        };
        Assert.Equal(allowed, changed);
        // Allowed or not, the attempt is in the record with who asked.
        Assert.Contains(app.Changes.Changes, c => c.Path.StartsWith(root, StringComparison.Ordinal) && c.Actor.StartsWith(DashboardPrincipal.NameOf(actor.User), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Writes_TurnedOff_RefuseEvenTheAdmin()
    {
        var root = ZnodeFixture.UniqueRoot("svc-off");
        await Kazoo.CreateAsync(Server, root, "before"u8.ToArray());
        await using var app = ZnodeTestApp.Start(Server, allowWrites: false);
        var writes = app.Factory.Services.GetRequiredService<ZnodeWriteService>();
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var stat = (await zk.GetDataAsync(root)).Stat;

        var answer = await writes.SetDataAsync(As(DashboardRole.Admin), ZnodeTestApp.ClusterId, root, "after"u8.ToArray(), stat.Version, stat.CreatedZxid, default);

        Assert.True(answer.GateRefused);
        Assert.Equal(ZnodeWriteGate.WritesOff, answer.Problem);
        Assert.Equal("before"u8.ToArray(), await Kazoo.GetAsync(Server, root));
    }

    private static async Task<(ZnodeChangeOutcome Outcome, int Status)> RunAsync(string action, ZnodeWriteService writes, ZnodeActor actor, string root, NodeStat stat, ZooKeeperClient zk)
    {
        const string id = ZnodeTestApp.ClusterId;
        switch (action)
        {
            case "create":
                return Of(await writes.CreateAsync(actor, id, root + "/new", "n"u8.ToArray(), CreateMode.Persistent, default));
            case "set-data":
                return Of(await writes.SetDataAsync(actor, id, root, "after"u8.ToArray(), stat.Version, stat.CreatedZxid, default));
            case "delete":
                return Of(await writes.DeleteAsync(actor, id, root + "/child", 0, default));
            case "delete-recursive":
                var plan = await ZnodeWriter.PlanRecursiveDeleteAsync(zk, root);
                return Of(await writes.DeleteRecursiveAsync(actor, id, root, root, plan.Fingerprint, default));
            case "set-acl":
                var acl = new[] { new ZooKeeperAcl(Permissions.All, "world", "anyone"), new ZooKeeperAcl(Permissions.Read, "ip", "10.0.0.1") };
                return Of(await writes.SetAclAsync(actor, id, root, acl, stat.AclVersion, null, default));
            default:
                var export = new MemoryStream();
                await SubtreeTransfer.ExportAsync(zk, root, DateTimeOffset.UtcNow, export);
                var json = Encoding.UTF8.GetString(export.ToArray()).Replace(Convert.ToBase64String("c"u8.ToArray()), Convert.ToBase64String("imported"u8.ToArray()), StringComparison.Ordinal);
                var importPlan = await SubtreeTransfer.PlanAsync(zk, SubtreeTransfer.Parse(json), root);
                var (results, refused) = await writes.ImportAsync(actor, id, importPlan, default);
                if (refused is not null) return (refused.Result!.Change.Outcome, refused.Status);
                return results.Any(r => r.Change.Outcome == ZnodeChangeOutcome.Refused)
                    ? (ZnodeChangeOutcome.Refused, 403)
                    : (results.All(r => r.Applied) && results.Count > 0 ? ZnodeChangeOutcome.Applied : ZnodeChangeOutcome.Failed, 200);
        }
    }

    private static (ZnodeChangeOutcome, int) Of(ZnodeWriteAnswer answer) =>
        answer.Result is { } result ? (result.Change.Outcome, answer.Status) : (ZnodeChangeOutcome.Failed, answer.Status);
}
