using System.Text;
using Dashboard.Core.ZooKeeper;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.ZooKeeper;

[Collection(SharedEnsembleCollection.Name)]
public sealed class ZooKeeperOperationTests(SharedEnsemble ensemble) : IAsyncLifetime
{
    private readonly string _root = $"/ops-{Guid.NewGuid():N}";
    private ZooKeeperClient _client = null!;

    public async Task InitializeAsync()
    {
        _client = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString);
        await _client.CreateAsync(_root, Array.Empty<byte>());
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Create_PersistentNode_ReadsBackDataAndStat()
    {
        var path = await _client.CreateAsync($"{_root}/a", Utf8("hello"));

        var node = await _client.GetDataAsync(path);
        Assert.Equal($"{_root}/a", path);
        Assert.Equal("hello", Encoding.UTF8.GetString(node.Data));
        Assert.Equal(0, node.Stat.Version);
        Assert.Equal(5, node.Stat.DataLength);
        Assert.False(node.Stat.IsEphemeral);
        Assert.InRange(node.Stat.Created, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Fact]
    public async Task CreateWithStat_NewNode_ReturnsStatOfCreation()
    {
        var created = await _client.CreateWithStatAsync($"{_root}/s", Utf8("xyz"));

        var exists = await _client.ExistsAsync(created.Path);
        Assert.Equal(created.Stat, exists);
        Assert.Equal(3, created.Stat.DataLength);
        Assert.Equal(created.Stat.CreatedZxid, created.Stat.ModifiedZxid);
    }

    [Fact]
    public async Task Create_Sequential_AppendsIncreasingCounter()
    {
        var first = await _client.CreateAsync($"{_root}/q-", Array.Empty<byte>(), CreateMode.PersistentSequential);
        var second = await _client.CreateAsync($"{_root}/q-", Array.Empty<byte>(), CreateMode.PersistentSequential);
        var third = await _client.CreateAsync($"{_root}/", Array.Empty<byte>(), CreateMode.EphemeralSequential);

        Assert.Matches(@"/q-\d{10}$", first);
        Assert.True(string.CompareOrdinal(first, second) < 0);
        Assert.Matches(@"/\d{10}$", third);
    }

    [Fact]
    public async Task Create_Ephemeral_IsOwnedBySessionAndGoesWithIt()
    {
        await using var other = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString);
        await other.CreateAsync($"{_root}/e", Array.Empty<byte>(), CreateMode.Ephemeral);

        await _client.SyncAsync(_root); // the two clients may sit on different servers
        var stat = await _client.ExistsAsync($"{_root}/e");
        Assert.Equal(other.SessionId, stat!.EphemeralOwner);
        await Assert.ThrowsAsync<NoChildrenForEphemeralsException>(() => other.CreateAsync($"{_root}/e/child", Array.Empty<byte>()));

        await other.DisposeAsync();
        await _client.SyncAsync(_root);
        Assert.Null(await _client.ExistsAsync($"{_root}/e"));
    }

    [Fact]
    public async Task Create_Container_CreatesNodeWithStat()
    {
        var created = await _client.CreateWithStatAsync($"{_root}/c", Array.Empty<byte>(), CreateMode.Container);
        await _client.CreateAsync($"{_root}/c/child", Array.Empty<byte>());

        Assert.Equal($"{_root}/c", created.Path);
        Assert.Equal(1, (await _client.ExistsAsync($"{_root}/c"))!.ChildrenCount);
    }

    [Fact]
    public async Task Create_ExistingNode_ThrowsNodeExistsWithPath()
    {
        await _client.CreateAsync($"{_root}/dup", Array.Empty<byte>());

        var error = await Assert.ThrowsAsync<NodeExistsException>(() => _client.CreateAsync($"{_root}/dup", Array.Empty<byte>()));
        Assert.Equal($"{_root}/dup", error.Path);
        Assert.Contains($"{_root}/dup", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_MissingParent_ThrowsNoNode()
    {
        var error = await Assert.ThrowsAsync<NoNodeException>(() => _client.CreateAsync($"{_root}/none/child", Array.Empty<byte>()));
        Assert.Equal(ErrorCode.NoNode, error.Code);
    }

    [Fact]
    public async Task GetData_MissingNode_ThrowsNoNodeWithPath()
    {
        var error = await Assert.ThrowsAsync<NoNodeException>(() => _client.GetDataAsync($"{_root}/missing"));
        Assert.Equal($"{_root}/missing", error.Path);
    }

    [Fact]
    public async Task Exists_MissingNode_ReturnsNull() => Assert.Null(await _client.ExistsAsync($"{_root}/missing"));

    [Fact]
    public async Task SetData_WithVersion_ChecksVersion()
    {
        await _client.CreateAsync($"{_root}/v", Utf8("1"));

        var stat = await _client.SetDataAsync($"{_root}/v", Utf8("2"), version: 0);
        await Assert.ThrowsAsync<BadVersionException>(() => _client.SetDataAsync($"{_root}/v", Utf8("3"), version: 0));
        var any = await _client.SetDataAsync($"{_root}/v", Utf8("4"));

        Assert.Equal(1, stat.Version);
        Assert.Equal(2, any.Version);
        Assert.Equal("4", Encoding.UTF8.GetString((await _client.GetDataAsync($"{_root}/v")).Data));
    }

    [Fact]
    public async Task Delete_WithVersionAndChildren_EnforcesBoth()
    {
        await _client.CreateAsync($"{_root}/d", Array.Empty<byte>());
        await _client.CreateAsync($"{_root}/d/kid", Array.Empty<byte>());

        await Assert.ThrowsAsync<NotEmptyException>(() => _client.DeleteAsync($"{_root}/d"));
        await Assert.ThrowsAsync<BadVersionException>(() => _client.DeleteAsync($"{_root}/d/kid", version: 5));
        await _client.DeleteAsync($"{_root}/d/kid", version: 0);
        await _client.DeleteAsync($"{_root}/d");

        Assert.Null(await _client.ExistsAsync($"{_root}/d"));
        await Assert.ThrowsAsync<NoNodeException>(() => _client.DeleteAsync($"{_root}/d"));
    }

    [Fact]
    public async Task GetChildren_ReturnsNamesAndParentStat()
    {
        await _client.CreateAsync($"{_root}/p", Array.Empty<byte>());
        foreach (var name in new[] { "x", "y", "z" }) await _client.CreateAsync($"{_root}/p/{name}", Array.Empty<byte>());

        var children = await _client.GetChildrenAsync($"{_root}/p");

        Assert.Equal(["x", "y", "z"], children.Names.Order(StringComparer.Ordinal));
        Assert.Equal(3, children.Stat.ChildrenCount);
        Assert.Equal(3, children.Stat.ChildrenVersion);
    }

    [Fact]
    public async Task SetAcl_ThenGetAcl_ReturnsNewAclAndVersion()
    {
        await _client.CreateAsync($"{_root}/acl", Array.Empty<byte>());
        var before = await _client.GetAclAsync($"{_root}/acl");

        var stat = await _client.SetAclAsync($"{_root}/acl", [new ZooKeeperAcl(Permissions.Read | Permissions.Admin, "world", "anyone")], aclVersion: 0);
        var after = await _client.GetAclAsync($"{_root}/acl");

        Assert.Equal(ZooKeeperAcl.OpenUnsafe, before.Acl);
        Assert.Equal(1, stat.AclVersion);
        Assert.Equal([new ZooKeeperAcl(Permissions.Read | Permissions.Admin, "world", "anyone")], after.Acl);
        await Assert.ThrowsAsync<NoAuthException>(() => _client.SetDataAsync($"{_root}/acl", Utf8("no write")));
        await Assert.ThrowsAsync<BadVersionException>(() => _client.SetAclAsync($"{_root}/acl", ZooKeeperAcl.OpenUnsafe, aclVersion: 0));
    }

    [Fact]
    public async Task DigestAuth_CreatorOnlyNode_DeniesOthersAllowsSameUser()
    {
        await _client.AddDigestAuthAsync("alice", "secret");
        await _client.CreateAsync($"{_root}/private", Utf8("mine"), acl: ZooKeeperAcl.CreatorAll);
        await using var stranger = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString);
        await using var impostor = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString);
        await impostor.AddDigestAuthAsync("alice", "guess");
        await using var alice = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString);
        await alice.AddDigestAuthAsync("alice", "secret");
        foreach (var reader in new[] { stranger, impostor, alice }) await reader.SyncAsync(_root);

        var denied = await Assert.ThrowsAsync<NoAuthException>(() => stranger.GetDataAsync($"{_root}/private"));
        await Assert.ThrowsAsync<NoAuthException>(() => impostor.GetDataAsync($"{_root}/private"));
        var read = await alice.GetDataAsync($"{_root}/private");

        Assert.Equal($"{_root}/private", denied.Path);
        Assert.Equal("mine", Encoding.UTF8.GetString(read.Data));
        var acl = (await _client.GetAclAsync($"{_root}/private")).Acl;
        Assert.Equal("digest", Assert.Single(acl).Scheme);
        Assert.StartsWith("alice:", acl[0].Id, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreatorAll_WithoutAuth_ThrowsInvalidAcl() =>
        await Assert.ThrowsAsync<InvalidAclException>(() => _client.CreateAsync($"{_root}/noauth", Array.Empty<byte>(), acl: ZooKeeperAcl.CreatorAll));

    [Fact]
    public async Task Sync_ExistingPath_ReturnsPath() => Assert.Equal(_root, await _client.SyncAsync(_root));

    [Fact]
    public async Task GetConfig_SandboxEnsemble_ListsEveryServerAndRole()
    {
        var config = Encoding.UTF8.GetString((await _client.GetConfigAsync()).Data);

        foreach (var node in ensemble.Sandbox.Nodes) Assert.Contains($"server.{node.Id}=", config, StringComparison.Ordinal);
        Assert.Contains(":observer", config, StringComparison.Ordinal);
        Assert.Contains("version=", config, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chroot_ConnectStringWithChroot_ConfinesPaths()
    {
        await using var rooted = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString + _root);
        await rooted.SyncAsync("/");

        var path = await rooted.CreateAsync("/inside", Utf8("r"));
        var sequential = await rooted.CreateAsync("/seq-", Array.Empty<byte>(), CreateMode.PersistentSequential);
        var children = await rooted.GetChildrenAsync("/");

        Assert.Equal("/inside", path);
        Assert.StartsWith("/seq-", sequential, StringComparison.Ordinal);
        Assert.Contains("inside", children.Names);
        await _client.SyncAsync(_root);
        Assert.Equal("r", Encoding.UTF8.GetString((await _client.GetDataAsync($"{_root}/inside")).Data));
        var missing = await Assert.ThrowsAsync<NoNodeException>(() => rooted.GetDataAsync("/nope"));
        Assert.Equal("/nope", missing.Path);
    }

    [Fact]
    public async Task Data_NearOneMegabyte_RoundTrips()
    {
        var data = new byte[1_000_000];
        new Random(7).NextBytes(data);

        await _client.CreateAsync($"{_root}/big", data);
        var read = await _client.GetDataAsync($"{_root}/big");

        Assert.Equal(data, read.Data);
    }

    [Fact]
    public async Task Data_OverFrameLimit_RefusedWithoutLosingConnection()
    {
        var error = await Assert.ThrowsAsync<RequestTooLargeException>(() => _client.CreateAsync($"{_root}/huge", new byte[1_100_000]));

        Assert.Equal(ErrorCode.MarshallingError, error.Code);
        Assert.Contains("frame limit", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _client.Connections);
        Assert.NotNull(await _client.ExistsAsync(_root));
    }

    [Fact]
    public async Task Pipelining_ManyConcurrentCalls_AllAnsweredInOrder()
    {
        await _client.CreateAsync($"{_root}/pipe", Array.Empty<byte>());
        var creates = Enumerable.Range(0, 2000).Select(i => _client.CreateAsync($"{_root}/pipe/n{i:D5}", Utf8(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))).ToList();
        await Task.WhenAll(creates);

        var reads = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => _client.GetDataAsync($"{_root}/pipe/n{i:D5}")));

        Assert.All(reads.Select((r, i) => (r, i)), x => Assert.Equal(x.i.ToString(System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetString(x.r.Data)));
        Assert.Equal(2000, (await _client.GetChildrenAsync($"{_root}/pipe")).Names.Count);
    }
}
