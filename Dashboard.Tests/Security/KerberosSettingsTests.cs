using Dashboard.Core.Clusters;
using Dashboard.Core.ZooKeeper.Security;

namespace Dashboard.Tests.Security;

/// <summary><c>Dashboard:Clusters:N:Sasl</c> with <c>Mechanism=GSSAPI</c>: what it becomes, and what a missing setting says.</summary>
public sealed class KerberosSettingsTests
{
    private static ClusterDefinition Define(ClusterSaslOptions sasl) =>
        ClusterDefinition.FromOptions(new ClusterOptions { Name = "Secure", ConnectString = "zk1:2181,zk2:2181", Sasl = sasl }, 3);

    [Fact]
    public void Gssapi_BecomesKerberosCredentials_WithDefaults()
    {
        var sasl = Define(new ClusterSaslOptions { Mechanism = "gssapi", Principal = " dashboard@EXAMPLE.COM ", Keytab = "/etc/zk/dashboard.keytab" }).Sasl!;
        Assert.Equal(SaslMechanism.Gssapi, sasl.Mechanism);
        Assert.Equal("dashboard@EXAMPLE.COM", sasl.UserName);
        Assert.Equal("/etc/zk/dashboard.keytab", sasl.Keytab);
        Assert.Equal(SaslCredentials.DefaultService, sasl.Service);
        Assert.Null(sasl.Krb5Config);
        Assert.Null(sasl.ServerHostName);
        Assert.Equal("SASL GSSAPI as 'dashboard@EXAMPLE.COM' (keytab /etc/zk/dashboard.keytab)", sasl.ToString());
    }

    [Fact]
    public void Gssapi_CarriesServiceHostAndKrb5Config()
    {
        var sasl = Define(new ClusterSaslOptions
        {
            Mechanism = "KERBEROS", Principal = "dash@R", Keytab = "k", Service = "zk", ServerHostName = "zk.example.com", Krb5Config = "/etc/zk/krb5.conf",
        }).Sasl!;
        Assert.Equal(("zk", "zk.example.com", "/etc/zk/krb5.conf"), (sasl.Service, sasl.ServerHostName, sasl.Krb5Config));
    }

    [Theory]
    [InlineData(null, "/k", "Dashboard:Clusters:3:Sasl:Principal is missing")]
    [InlineData("dash@R", null, "Dashboard:Clusters:3:Sasl:Keytab is missing")]
    public void Gssapi_WithoutPrincipalOrKeytab_SaysWhichSetting(string? principal, string? keytab, string expected)
    {
        var e = Assert.Throws<ClusterConfigurationException>(() => Define(new ClusterSaslOptions { Mechanism = "GSSAPI", Principal = principal, Keytab = keytab }));
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownMechanism_NamesBothSupported()
    {
        var e = Assert.Throws<ClusterConfigurationException>(() => Define(new ClusterSaslOptions { Mechanism = "PLAIN", UserName = "a", Password = "b" }));
        Assert.Contains("DIGEST-MD5 and GSSAPI", e.Message, StringComparison.Ordinal);
    }
}

/// <summary>
/// The GSSAPI library is bound at run time: a machine without it (which this one is not, so another name stands in
/// for it) gets a sentence naming the package, and one with an incomplete library names the missing call.
/// </summary>
public sealed class GssapiBindingTests
{
    [Fact]
    public void MissingLibrary_SaysWhatToInstall()
    {
        var missing = Gssapi.Probe("libgssapi_krb5_absent.so.9");
        Assert.NotNull(missing);
        Assert.Contains("libgssapi-krb5-2", missing, StringComparison.Ordinal);
        Assert.Contains("libgssapi_krb5_absent.so.9 is not installed here", missing, StringComparison.Ordinal);
    }

    [Fact]
    public void LibraryWithoutTheCalls_NamesTheFirstMissing()
    {
        // libc is there but has no GSSAPI.
        var wrong = Gssapi.Probe("libc.so.6");
        Assert.Contains("has no gss_import_name", wrong, StringComparison.Ordinal);
    }

    [Fact]
    public void SystemLibrary_Binds() => Assert.Null(Gssapi.Probe(Gssapi.LibraryName));
}
