using Dashboard.Core.ZooKeeper;

namespace Dashboard.Tests.ZooKeeper;

public class ZooKeeperPathTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/a")]
    [InlineData("/brokers/topics/t-1/partitions/0/state")]
    [InlineData("/a.b/..c/...")]
    [InlineData("/ünïcode/節点")]
    public void Validate_ValidPath_Accepts(string path) => ZooKeeperPath.Validate(path);

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a/b", "start with '/'")]
    [InlineData("/a/", "end with '/'")]
    [InlineData("//a", "empty segment")]
    [InlineData("/a//b", "empty segment")]
    [InlineData("/a/./b", "relative segment")]
    [InlineData("/a/..", "relative segment")]
    [InlineData("/a\u0000b", "null character")]
    [InlineData("/a\u0007b", "control character")]
    [InlineData("/a\u0085b", "control character")]
    [InlineData("/a\ud800b", "refuses")]
    [InlineData("/a\ufff5", "refuses")]
    public void Validate_InvalidPath_ThrowsNamingTheProblem(string path, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => ZooKeeperPath.Validate(path));
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SequentialPathEndingInSlash_Accepts()
    {
        ZooKeeperPath.Validate("/queue/", sequential: true);
        Assert.False(ZooKeeperPath.IsValid("/queue/"));
    }

    [Fact]
    public async Task Client_InvalidPath_ThrowsBeforeSending()
    {
        // The fake never answers requests: had the path been sent, the call would time out instead of failing at once.
        var error = await Assert.ThrowsAsync<ArgumentException>(() => ZooKeeperPathTestsHelper.GetDataWithoutServer("/bad//path"));
        Assert.Contains("empty segment", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("h1:2181,h2:2182,[::1]:2183/chroot/x", 3, "/chroot/x")]
    [InlineData("h1", 1, null)]
    [InlineData("h1:2181/", 1, null)]
    [InlineData("[fe80::1]", 1, null)]
    public void ConnectString_OperatorForms_Parse(string text, int hosts, string? chroot)
    {
        var parsed = ConnectString.Parse(text);
        Assert.Equal(hosts, parsed.Hosts.Count);
        Assert.Equal(chroot, parsed.Chroot);
    }

    [Fact]
    public void ConnectString_Ipv6InBrackets_KeepsHostAndPort()
    {
        var parsed = ConnectString.Parse("h1:2181,[::1]:2183");
        Assert.Equal(new ZooKeeperHost("h1", 2181), parsed.Hosts[0]);
        Assert.Equal(new ZooKeeperHost("::1", 2183), parsed.Hosts[1]);
        Assert.Equal("[::1]:2183", parsed.Hosts[1].ToString());
    }

    [Theory]
    [InlineData("::1:2181")]
    [InlineData("h1:99999")]
    [InlineData("h1:abc")]
    [InlineData("[::1")]
    [InlineData("h1/bad//chroot")]
    [InlineData(",,")]
    public void ConnectString_Malformed_Throws(string text) =>
        Assert.ThrowsAny<ArgumentException>(() => { try { ConnectString.Parse(text); } catch (FormatException e) { throw new ArgumentException(e.Message, e); } });
}

internal static class ZooKeeperPathTestsHelper
{
    public static async Task GetDataWithoutServer(string path)
    {
        // Validation happens in the call itself, so a client is needed; a fake that accepts the handshake suffices.
        await using var server = new FakeZooKeeperServer(FakeBehaviour.Silent);
        await using var client = await ZooKeeperClient.ConnectAsync(server.ConnectString);
        await client.GetDataAsync(path);
    }
}
