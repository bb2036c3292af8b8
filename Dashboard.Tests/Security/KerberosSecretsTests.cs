using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Dashboard.Tests.Access;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dashboard.Tests.Security;

/// <summary>
/// The app watching a Kerberos ensemble from settings (principal, keytab, krb5.conf): the right keytab works in every
/// part, a keytab without the principal is a clear error on its cluster, and no key from either keytab shows in a
/// page, an API answer, /metrics or a log line.
/// </summary>
[Collection(KerberosEnsemble.Collection)]
public sealed partial class KerberosSecretsTests(KerberosEnsemble ensemble)
{
    [Fact]
    public async Task KeytabKeys_NeverInPagesApiMetricsOrLogs_AndAWrongKeytabIsAClearClusterError()
    {
        var kdc = ensemble.Kdc;
        await using var app = AccessTestApp.Create(new()
        {
            ["Logging:LogLevel:Default"] = "Debug",
            ["Dashboard:Clusters:0:Name"] = "Good",
            ["Dashboard:Clusters:0:ConnectString"] = ensemble.Sandbox.ConnectString,
            ["Dashboard:Clusters:0:Sasl:Mechanism"] = "GSSAPI",
            ["Dashboard:Clusters:0:Sasl:Principal"] = kdc.Principal("dashboard"),
            ["Dashboard:Clusters:0:Sasl:Keytab"] = kdc.Keytab("dashboard"),
            ["Dashboard:Clusters:0:Sasl:Krb5Config"] = kdc.Krb5Config,
            ["Dashboard:Clusters:1:Name"] = "Bad",
            ["Dashboard:Clusters:1:ConnectString"] = ensemble.Sandbox.ConnectString,
            ["Dashboard:Clusters:1:Sasl:Mechanism"] = "GSSAPI",
            ["Dashboard:Clusters:1:Sasl:Principal"] = kdc.Principal("alice"),
            ["Dashboard:Clusters:1:Sasl:Keytab"] = kdc.Keytab("writer"),
            ["Dashboard:Clusters:1:Sasl:Krb5Config"] = kdc.Krb5Config,
        });
        var logs = new SecuritySecretsTests.CapturingLoggerProvider();
        app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        using var admin = await AccessTestApp.SignedInAsync(app, AccessTestApp.AdminName);
        var secrets = KeysIn(kdc.Keytab("dashboard")).Concat(KeysIn(kdc.Keytab("writer"))).ToList();
        Assert.True(secrets.Count >= 4, $"klist showed {secrets.Count} keys");

        var good = await admin.GetAsync(new Uri("/api/clusters/good/znodes?path=/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        var badText = await (await admin.GetAsync(new Uri("/api/clusters/bad/znodes?path=/", UriKind.Relative))).Content.ReadAsStringAsync();
        Assert.True(badText.Contains("the keytab has no key for this principal", StringComparison.Ordinal), badText);

        // Let the monitors (Kafka watcher, membership reader) run their sessions and log what they log.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var home = await admin.GetStringAsync(new Uri("/", UriKind.Relative));
        var links = Link().Matches(home).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))
            .Where(p => !p.StartsWith("/dist", StringComparison.Ordinal) && !p.Contains("sign-out", StringComparison.Ordinal));
        string[] fixedPaths =
        [
            "/", "/metrics", "/api/clusters", "/api/clusters/good/ensemble", "/api/clusters/bad/ensemble",
            "/api/clusters/good/znodes?path=/zookeeper", "/api/clusters/bad/znodes?path=/", "/clusters/good", "/clusters/bad",
        ];
        var visited = 0;
        foreach (var path in fixedPaths.Concat(links).Distinct())
        {
            var response = await admin.GetAsync(new Uri(path, UriKind.Relative));
            var answer = (response.Headers + "\n" + response.Content.Headers + "\n" + await response.Content.ReadAsStringAsync()).ToLowerInvariant();
            foreach (var key in secrets)
                Assert.False(answer.Contains(key, StringComparison.Ordinal), $"{path} answered with a keytab key");
            visited++;
        }
        Assert.True(visited >= fixedPaths.Length);

        var lines = logs.Lines.ToArray();
        Assert.Contains(lines, l => l.Contains($"'{kdc.Principal("alice")}'", StringComparison.Ordinal));
        foreach (var key in secrets)
            Assert.DoesNotContain(lines, l => l.Contains(key, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The keys of a keytab in hex, as MIT's klist prints them (and in base64), so a leak in either form is seen.</summary>
    private static IEnumerable<string> KeysIn(string keytab)
    {
        var start = new ProcessStartInfo("/usr/bin/klist", ["-k", "-K", keytab]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        foreach (Match match in Key().Matches(text))
        {
            var hex = match.Groups[1].Value.ToLowerInvariant();
            yield return hex;
            yield return Convert.ToBase64String(Convert.FromHexString(hex)).ToLowerInvariant();
        }
    }

    [GeneratedRegex("href=\"(/[^\"#]*)\"")]
    private static partial Regex Link();

    [GeneratedRegex(@"\(0x([0-9a-fA-F]{32,})\)")]
    private static partial Regex Key();
}
