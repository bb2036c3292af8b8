using System.Text;
using Dashboard.Core.ZooKeeper.Security;

namespace Dashboard.Tests.Security;

/// <summary>The DIGEST-MD5 computation against the worked example of RFC 2831 section 4 (numbers we did not produce).</summary>
public sealed class DigestMd5ClientTests
{
    private const string Challenge = "realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess,charset=utf-8";

    [Fact]
    public void Rfc2831Example_GivesTheRfcsResponse_AndAcceptsItsRspauth()
    {
        var client = new DigestMd5Client("chris", "secret", "imap", "elwood.innosoft.com");
        var response = Encoding.UTF8.GetString(client.Respond(Encoding.UTF8.GetBytes(Challenge), cnonce: "OA6MHXh6VqTrRk"));
        var fields = DigestMd5Client.Parse(response);
        Assert.Equal("d388dad90d4bbd760a152321f2143af7", fields["response"][0]);
        Assert.Equal("imap/elwood.innosoft.com", fields["digest-uri"][0]);
        Assert.Equal("00000001", fields["nc"][0]);
        Assert.DoesNotContain("secret", response, StringComparison.Ordinal);

        client.VerifyServerFinal("rspauth=ea40f60335c427b5527b84dbabcdfffd"u8);
        Assert.True(client.IsComplete);
    }

    [Fact]
    public void WrongRspauth_OrBrokenChallenge_IsAProtocolError()
    {
        var client = new DigestMd5Client("chris", "secret", "imap", "elwood.innosoft.com");
        client.Respond(Encoding.UTF8.GetBytes(Challenge), cnonce: "OA6MHXh6VqTrRk");
        Assert.Throws<SaslProtocolException>(() => client.VerifyServerFinal("rspauth=00000000000000000000000000000000"u8));
        Assert.Throws<SaslProtocolException>(() => new DigestMd5Client("a", "b", "zookeeper", "zk-sasl-md5").Respond("realm=\"x\",qop=\"auth\""u8));
        Assert.Throws<SaslProtocolException>(() => new DigestMd5Client("a", "b", "zookeeper", "zk-sasl-md5").Respond("nonce=\"n\",algorithm=md5-sess,qop=\"auth-conf\""u8));
        Assert.Throws<SaslProtocolException>(() => new DigestMd5Client("a", "b", "zookeeper", "zk-sasl-md5").Respond("nonce=\"unterminated"u8));
    }

    [Fact]
    public void Credentials_ToString_LeavesThePasswordOut()
    {
        var credentials = new SaslCredentials("bob", "hunter2-secret");
        Assert.DoesNotContain("hunter2", credentials.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", new Dashboard.Core.Clusters.ClusterSaslOptions { UserName = "bob", Password = "hunter2-secret" }.ToString(), StringComparison.Ordinal);
    }
}
