using System.Net;
using System.Text;
using Dashboard.Core.Znodes;
using Dashboard.Core.ZooKeeper;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Znodes;

/// <summary>Changes land only on the node that was read, exactly the subtree shown, and never lock the dashboard out unasked.</summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class ZnodeSafetyTests(SharedEnsemble ensemble)
{
    private string Server => ensemble.Sandbox.Voters.First().ClientAddress;

    [Fact]
    public async Task Save_NodeDeletedAndCreatedAgain_IsAConflictShowingBothValues()
    {
        var root = ZnodeFixture.UniqueRoot("recreate");
        await Kazoo.CreateAsync(Server, root, "first life"u8.ToArray());
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true);
        var fields = ZnodeTestApp.BrowserFields((await app.PageAsync(root)).QuerySelector("#znode-edit-form")!, root);
        // Another client deletes the node and creates it again: same version number (0), new identity.
        await Kazoo.RunAsync(Server, [new("delete", root), new("create", root, Convert.ToHexString("second life"u8))]);
        fields["data"] = "mine";

        var (status, html) = await app.PostAsync("set-data", fields);

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("true", html.QuerySelector("#znode-conflict")?.GetAttribute("data-recreated"));
        Assert.Contains("deleted and created again", html.QuerySelector("#znode-write-outcome")?.TextContent, StringComparison.Ordinal);
        Assert.Equal("mine", html.QuerySelector("#conflict-yours")?.TextContent);
        Assert.Equal("second life", html.QuerySelector("#conflict-current")?.TextContent);
        Assert.Equal("second life"u8.ToArray(), (await Kazoo.GetAsync(Server, root))!);
        var change = Assert.Single(app.Changes.Changes);
        Assert.Equal(ZnodeChangeOutcome.Conflict, change.Outcome);
        Assert.EndsWith("text \"second life\"", change.ValueBefore, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecursiveDelete_SubtreeGrewSinceShown_DeletesNothingAndAsksWithNewCount()
    {
        var root = ZnodeFixture.UniqueRoot("rdel-grew");
        await Kazoo.RunAsync(Server, [new("create", root, ""), new("create", root + "/a", ""), new("create", root + "/b", "")]);
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true);
        var form = await app.RecursiveDeletePlanAsync(root);
        var fingerprint = form.Fingerprint;
        await Kazoo.CreateAsync(Server, root + "/a/late", "x"u8.ToArray());

        var (status, html) = await app.PostAsync("delete-recursive", new() { ["path"] = root, ["confirm"] = root, ["fingerprint"] = fingerprint });
        var newForm = html.QuerySelector("#znode-write-outcome")!;
        var (againStatus, again) = await app.PostAsync("delete-recursive", new() { ["path"] = root, ["confirm"] = root, ["fingerprint"] = newForm.GetAttribute("data-replan-fingerprint")! });

        Assert.Equal(3, form.Count);
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("4", newForm.GetAttribute("data-replan-count"));
        Assert.Contains("now has 4 node(s)", html.QuerySelector("#znode-write-outcome")?.TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, againStatus);
        Assert.Equal("applied", again.QuerySelector("#znode-write-outcome")?.GetAttribute("data-outcome"));
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        Assert.Null(await zk.ExistsAsync(root));
        // Every path the delete touched is in the audit log, one row each.
        var audit = await Access.AccessTestApp.AuditAsync(app.Factory);
        Assert.Equal(4, audit.Count(e => e.Action == "znode-delete-recursive-path" && e.Outcome == Core.Access.AuditOutcome.Succeeded));
        Assert.Contains(audit, e => e.Action == "znode-delete-recursive-path" && e.Target == $"zk:{root}/a/late");
    }

    [Fact]
    public async Task SetAcl_LockingTheDashboardOut_RefusedUntilPathTyped_AndOperatorsMayNotChangeAcls()
    {
        var root = ZnodeFixture.UniqueRoot("lockout");
        await Kazoo.CreateAsync(Server, root, "v"u8.ToArray());
        await using var admin = ZnodeTestApp.Start(Server, allowWrites: true, user: Access.AccessTestApp.AdminName);
        await using var operatorApp = ZnodeTestApp.Start(Server, allowWrites: true);

        var operatorPage = await operatorApp.PageAsync(root);
        var (operatorStatus, _) = await operatorApp.PostAsync("set-acl", new() { ["path"] = root, ["aclVersion"] = "0", ["acl"] = "world:anyone:r" });
        var (refusedStatus, refused) = await admin.PostAsync("set-acl", new() { ["path"] = root, ["aclVersion"] = "0", ["acl"] = "world:anyone:" });
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var aclAfterRefusal = (await zk.GetAclAsync(root)).Acl;
        // The same change again with the path typed (the page asks for it in a dialog).
        var (confirmedStatus, _) = await admin.PostAsync("set-acl", new() { ["path"] = root, ["aclVersion"] = "0", ["acl"] = "world:anyone:", ["confirm"] = root });

        Assert.Null(operatorPage.QuerySelector("#znode-acl-form"));
        Assert.NotNull(operatorPage.QuerySelector("#znode-acl-admin-only"));
        Assert.Equal(HttpStatusCode.Forbidden, operatorStatus);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refusedStatus);
        Assert.Contains("admin permission", refused.QuerySelector("#znode-write-outcome")?.TextContent, StringComparison.Ordinal);
        Assert.Equal(ZooKeeperAcl.OpenUnsafe, aclAfterRefusal);
        Assert.Equal(HttpStatusCode.OK, confirmedStatus);
        // Locked out indeed: not even the ACL can be read now. The page still shows the stat ZooKeeper gives without permission.
        await Assert.ThrowsAsync<NoAuthException>(() => zk.GetAclAsync(root));
        var locked = await admin.PageAsync(root);
        Assert.NotNull(locked.QuerySelector("#znode-data-problem"));
        Assert.NotNull(locked.QuerySelector("#znode-acl-problem"));
        Assert.Contains("Not authorized", locked.QuerySelector("#znode-data-problem")?.TextContent, StringComparison.Ordinal);
        Assert.NotNull(locked.QuerySelector("#znode-stat"));
        var api = await admin.Http.GetAsync(new Uri($"/api/clusters/zk/znodes?path={Uri.EscapeDataString(root)}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        Assert.Contains("\"dataProblem\":\"Not authorized", await api.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Refused attempts are audited with the ACL before (from ZooKeeper) and the one asked for.
        var audit = await Access.AccessTestApp.AuditAsync(admin.Factory);
        var denied = Assert.Single(audit, e => e.Action == "znode-set-acl" && e.Outcome == Core.Access.AuditOutcome.Denied);
        Assert.Contains("world:anyone:cdrwa", denied.Before, StringComparison.Ordinal);
        Assert.Contains("world:anyone:", denied.After, StringComparison.Ordinal);
        var applied = Assert.Single(audit, e => e.Action == "znode-set-acl" && e.Outcome == Core.Access.AuditOutcome.Succeeded);
        Assert.Contains("world:anyone:cdrwa", applied.Before, StringComparison.Ordinal);
        Assert.Equal(ZnodeChangeOutcome.Refused, Assert.Single(operatorApp.Changes.Changes).Outcome);
    }

    [Fact]
    public async Task ImportDryRun_ShowsAclDifferencesDuplicatesAndMissingParents_AndApplyWritesNothing()
    {
        var root = ZnodeFixture.UniqueRoot("import-check");
        await Kazoo.RunAsync(Server, [new("create", root, Convert.ToHexString("top"u8))]);
        var export = new SubtreeExport(SubtreeExport.CurrentFormat, root, DateTimeOffset.UtcNow,
        [
            new ExportedNode(root, Convert.ToBase64String("top"u8), null, [new ExportedAcl(1, "world", "anyone"), new ExportedAcl(31, "ip", "127.0.0.1")]),
            new ExportedNode(root + "/dup", "", null, null),
            new ExportedNode(root + "/dup", Convert.ToBase64String("other"u8), null, null),
            new ExportedNode(root + "/missing/child", null, null, null),
        ]);
        var json = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(export, SubtreeTransfer.Json));
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true, user: Access.AccessTestApp.AdminName);

        var (status, plan) = await app.PostFileAsync("import", "export.json", json, new() { ["target"] = root });
        var view = plan.QuerySelector("#znode-import-plan")!;
        // Applying what the dry run refused (a hand-made request with the right digest) writes nothing either.
        await using var planner = await ZnodeFixture.ClientAsync(Server);
        var digest = Dashboard.Znodes.ZnodeImports.Digest(await SubtreeTransfer.PlanAsync(planner, SubtreeTransfer.Parse(Encoding.UTF8.GetString(json)), root));
        var (applyStatus, applied) = await app.PostAsync("import", new() { ["target"] = root, ["export"] = Encoding.UTF8.GetString(json), ["digest"] = digest });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("1", view.GetAttribute("data-acl-changes"));
        Assert.Equal("2", view.GetAttribute("data-problems"));
        var problems = plan.QuerySelector("#znode-import-problems")?.TextContent;
        Assert.Contains("appears 2 times", problems, StringComparison.Ordinal);
        Assert.Contains($"the parent {root}/missing does not exist", problems, StringComparison.Ordinal);
        Assert.Contains("world:anyone:cdrwa → world:anyone:r, ip:127.0.0.1:cdrwa", plan.QuerySelector("tr[data-acl-change='true']")?.TextContent, StringComparison.Ordinal);
        Assert.Null(plan.QuerySelector("#znode-import-apply"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, applyStatus);
        Assert.Equal("refused", applied.QuerySelector("[data-outcome]")?.GetAttribute("data-outcome"));
        Assert.Contains("nothing was written", applied.Body?.TextContent, StringComparison.Ordinal);
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        Assert.Null(await zk.ExistsAsync(root + "/dup"));
        Assert.Equal(ZooKeeperAcl.OpenUnsafe, (await zk.GetAclAsync(root)).Acl);
    }
}
