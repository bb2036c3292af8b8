using System.Net;
using System.Text;
using Dashboard.Core.Znodes;
using Dashboard.Core.ZooKeeper;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Znodes;

/// <summary>Changing znodes through the endpoints the page's forms post to, against the real shared ensemble.</summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class ZnodeChangeTests(SharedEnsemble ensemble)
{
    private string Server => ensemble.Sandbox.Voters.First().ClientAddress;

    [Fact]
    public async Task Writes_Disabled_RefusedAndNodeUnchangedAndNoFormsShown()
    {
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var root = ZnodeFixture.UniqueRoot("off");
        await zk.CreateAsync(root, Encoding.UTF8.GetBytes("keep"));
        // An operator, but changes turned off for everyone by the setting.
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true, extra: new() { ["Znodes:AllowWrites"] = "false" });

        var (status, html) = await app.PostAsync("set-data", new() { ["path"] = root, ["version"] = "0", ["data"] = "changed" });
        var page = await app.PageAsync(root);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("Znodes:AllowWrites", html.QuerySelector("[data-znode-message]")?.TextContent, StringComparison.Ordinal);
        Assert.Equal("keep", Encoding.UTF8.GetString((await zk.GetDataAsync(root)).Data));
        Assert.Null(page.QuerySelector("#znode-edit-form"));
        Assert.NotNull(page.QuerySelector("#znode-writes-off"));
        // The refusal is itself recorded (the service audits every attempt; a circuit passes no HTTP middleware that would).
        Assert.Equal((ZnodeChangeOutcome.Refused, Dashboard.Znodes.ZnodeWriteGate.WritesOff), (Assert.Single(app.Changes.Changes).Outcome, app.Changes.Changes[0].Detail));
    }

    [Fact]
    public async Task Edit_WithVersionRead_SavesAndRecordsChange()
    {
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var root = ZnodeFixture.UniqueRoot("edit");
        await zk.CreateAsync(root, Encoding.UTF8.GetBytes("line1\nline2"));
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true);
        var form = (await app.PageAsync(root)).QuerySelector("#znode-edit-form")!;

        // Browsers send textarea line breaks as CRLF; the node had LF, so LF is kept.
        var fields = ZnodeTestApp.BrowserFields(form, root);
        fields["data"] = "line1\r\nchanged";
        var (status, html) = await app.PostAsync("set-data", fields);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("applied", html.QuerySelector("#znode-write-outcome")?.GetAttribute("data-outcome"));
        Assert.Equal("line1\nchanged", Encoding.UTF8.GetString((await zk.GetDataAsync(root)).Data));
        var change = Assert.Single(app.Changes.Changes);
        Assert.Equal((ZnodeChangeKind.SetData, root, 0, 1, 11, 13, ZnodeChangeOutcome.Applied), (change.Kind, change.Path, change.VersionBefore, change.VersionAfter, change.SizeBefore, change.SizeAfter, change.Outcome));
        Assert.Equal("zk", change.ClusterId);
        Assert.StartsWith(Access.AccessTestApp.OperatorName, change.Actor, StringComparison.Ordinal);
        var audited = Assert.Single(await Access.AccessTestApp.AuditAsync(app.Factory), e => e.Action == "znode-set");
        Assert.Equal((Access.AccessTestApp.OperatorName, $"zk:{root}"), (audited.User, audited.Target));
        Assert.StartsWith("version 0, 11 bytes; 11 bytes, sha256 ", audited.Before, StringComparison.Ordinal);
        Assert.EndsWith("text \"line1⟨U+000A⟩line2\"", audited.Before, StringComparison.Ordinal);
        Assert.StartsWith("version 1, 13 bytes; 13 bytes, sha256 ", audited.After, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edit_ConcurrentChange_ShowsConflictWithBothValuesAndDoesNotOverwrite()
    {
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var root = ZnodeFixture.UniqueRoot("conflict");
        await zk.CreateAsync(root, Encoding.UTF8.GetBytes("original"));
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true);
        var fields = ZnodeTestApp.BrowserFields((await app.PageAsync(root)).QuerySelector("#znode-edit-form")!, root);
        await zk.SetDataAsync(root, Encoding.UTF8.GetBytes("theirs"));
        fields["data"] = "mine";

        var (status, html) = await app.PostAsync("set-data", fields);

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("conflict", html.QuerySelector("#znode-write-outcome")?.GetAttribute("data-outcome"));
        Assert.Equal("mine", html.QuerySelector("#conflict-yours")?.TextContent);
        Assert.Equal("theirs", html.QuerySelector("#conflict-current")?.TextContent);
        Assert.Equal("theirs", Encoding.UTF8.GetString((await zk.GetDataAsync(root)).Data));
        // The explicit overwrite offered targets the version now there.
        Assert.Contains("Value now in ZooKeeper (version 1", html.QuerySelector("#znode-conflict")?.TextContent, StringComparison.Ordinal);
        Assert.Equal(ZnodeChangeOutcome.Conflict, Assert.Single(app.Changes.Changes).Outcome);
    }

    [Fact]
    public async Task RecursiveDelete_RequiresTypedPath_ShowsCountThenDeletesAll()
    {
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var root = ZnodeFixture.UniqueRoot("rdel");
        await zk.MultiAsync([TransactionOperation.Create(root), TransactionOperation.Create(root + "/a"), TransactionOperation.Create(root + "/a/b"), TransactionOperation.Create(root + "/c")]);
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true);

        var form = await app.RecursiveDeletePlanAsync(root);
        var fingerprint = form.Fingerprint;
        var (refusedStatus, refused) = await app.PostAsync("delete-recursive", new() { ["path"] = root, ["confirm"] = root + "/a", ["fingerprint"] = fingerprint });
        var stillThere = await zk.ExistsAsync(root + "/a/b");
        var (status, done) = await app.PostAsync("delete-recursive", new() { ["path"] = root, ["confirm"] = root, ["fingerprint"] = fingerprint });

        Assert.Equal(4, form.Count);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refusedStatus);
        Assert.Equal("refused", refused.QuerySelector("#znode-write-outcome")?.GetAttribute("data-outcome"));
        Assert.NotNull(stillThere);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("3 node(s) under it", done.QuerySelector("#znode-write-outcome")?.TextContent, StringComparison.Ordinal);
        Assert.Null(await zk.ExistsAsync(root));
        Assert.Equal([ZnodeChangeOutcome.Refused, ZnodeChangeOutcome.Applied], app.Changes.Changes.Select(c => c.Outcome));
    }

    [Fact]
    public async Task Create_SequentialAndDelete_WithVersionAndAcl()
    {
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var root = ZnodeFixture.UniqueRoot("create");
        await zk.CreateAsync(root, Array.Empty<byte>());
        // ACL changes need the admin role (who also has the operator's).
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true, user: Access.AccessTestApp.AdminName);

        var (createdStatus, _) = await app.PostAsync("create", new() { ["parent"] = root, ["name"] = "job-", ["mode"] = "sequential", ["data"] = "payload" });
        var (badStatus, bad) = await app.PostAsync("create", new() { ["parent"] = root, ["name"] = "..", ["mode"] = "persistent" });
        var child = Assert.Single((await zk.GetChildrenAsync(root)).Names);
        var (aclStatus, _) = await app.PostAsync("set-acl", new() { ["path"] = $"{root}/{child}", ["aclVersion"] = "0", ["acl"] = "world:anyone:rwcda\nip:127.0.0.1:r" });
        var acl = await zk.GetAclAsync($"{root}/{child}");
        var (deleteStatus, _) = await app.PostAsync("delete", new() { ["path"] = $"{root}/{child}", ["version"] = "0" });

        Assert.Equal(HttpStatusCode.OK, createdStatus);
        Assert.Matches("^job-[0-9]{10}$", child);
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.Contains("relative segment", bad.Body?.TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, aclStatus);
        Assert.Equal(2, acl.Acl.Count);
        Assert.Equal(HttpStatusCode.OK, deleteStatus);
        Assert.Empty((await zk.GetChildrenAsync(root)).Names);
        Assert.Equal([ZnodeChangeKind.Create, ZnodeChangeKind.SetAcl, ZnodeChangeKind.Delete], app.Changes.Changes.Select(c => c.Kind));
    }

    [Fact]
    public async Task ExportImport_RoundTrip_DryRunFirstThenRestoresBytesAndAcl()
    {
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var root = ZnodeFixture.UniqueRoot("export");
        byte[] binary = [0, 1, 2, 0xff];
        await zk.CreateAsync(root, Encoding.UTF8.GetBytes("top"));
        await zk.CreateAsync(root + "/bin", binary);
        await zk.CreateAsync(root + "/bin/deep", Encoding.UTF8.GetBytes("{\"a\":1}"), CreateMode.Persistent, [new ZooKeeperAcl(Permissions.All, "world", "anyone"), new ZooKeeperAcl(Permissions.Read, "ip", "10.0.0.1")]);
        // The export carries ACLs, so applying it needs the admin role.
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true, user: Access.AccessTestApp.AdminName);

        var export = await app.Http.GetByteArrayAsync(new Uri($"/clusters/zk/znodes/export?path={Uri.EscapeDataString(root)}", UriKind.Relative));
        Assert.Equal(3, SubtreeTransfer.Parse(Encoding.UTF8.GetString(export)).Nodes.Count);
        await zk.DeleteAsync(root + "/bin/deep");
        await zk.SetDataAsync(root, Encoding.UTF8.GetBytes("changed"));

        var (dryStatus, plan) = await app.PostFileAsync("import", "export.json", export, new() { ["target"] = root });
        var afterDryRun = await zk.ExistsAsync(root + "/bin/deep");
        var (applyStatus, applied) = await app.PostAsync("import", ApplyFields(plan, root, export));

        Assert.Equal(HttpStatusCode.OK, dryStatus);
        Assert.Equal(("1", "1", "1"), (plan.QuerySelector("#znode-import-plan")?.GetAttribute("data-creates"), plan.QuerySelector("#znode-import-plan")?.GetAttribute("data-updates"), plan.QuerySelector("#znode-import-plan")?.GetAttribute("data-unchanged")));
        Assert.Null(afterDryRun);
        Assert.Equal(HttpStatusCode.OK, applyStatus);
        Assert.Equal(2, applied.QuerySelectorAll("[data-outcome='applied']").Length);
        Assert.Equal("top", Encoding.UTF8.GetString((await zk.GetDataAsync(root)).Data));
        Assert.Equal(binary, (await zk.GetDataAsync(root + "/bin")).Data);
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString((await zk.GetDataAsync(root + "/bin/deep")).Data));
        Assert.Equal(2, (await zk.GetAclAsync(root + "/bin/deep")).Acl.Count);
        Assert.Equal(2, app.Changes.Changes.Count(c => c.Kind == ZnodeChangeKind.Import));
    }

    [Fact]
    public async Task Import_TreeChangedAfterDryRun_WritesNothingAndShowsNewDiff()
    {
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var root = ZnodeFixture.UniqueRoot("stale");
        await zk.CreateAsync(root, Encoding.UTF8.GetBytes("v1"));
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true);
        var export = await app.Http.GetByteArrayAsync(new Uri($"/clusters/zk/znodes/export?path={Uri.EscapeDataString(root)}", UriKind.Relative));
        await zk.SetDataAsync(root, Encoding.UTF8.GetBytes("v2"));
        var (_, plan) = await app.PostFileAsync("import", "export.json", export, new() { ["target"] = root });
        await zk.SetDataAsync(root, Encoding.UTF8.GetBytes("v3"));

        var fields = ApplyFields(plan, root, export);
        var (_, again) = await app.PostAsync("import", fields);

        Assert.Contains("changed since the dry run", again.Body?.TextContent, StringComparison.Ordinal);
        Assert.Equal("v3", Encoding.UTF8.GetString((await zk.GetDataAsync(root)).Data));
        Assert.Empty(app.Changes.Changes);
    }

    /// <summary>Applying over HTTP: the reviewed export, where to, and the digest of the dry run shown.</summary>
    private static Dictionary<string, string> ApplyFields(AngleSharp.Html.Dom.IHtmlDocument plan, string target, byte[] export) => new()
    {
        ["target"] = target,
        ["export"] = Encoding.UTF8.GetString(export),
        ["digest"] = plan.QuerySelector("#znode-import-plan")!.GetAttribute("data-digest")!,
    };
}
