using System.Collections.Concurrent;
using System.Net;
using Dashboard.Tests.Access;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dashboard.Tests.Security;

/// <summary>
/// The app watching a SASL ensemble with a right and a wrong password: the right one works in every part, the wrong
/// one is a clear error on its cluster, and neither password shows in a page, an API answer, /metrics or a log line.
/// </summary>
public sealed class SecuritySecretsTests(SaslEnsemble ensemble) : IClassFixture<SaslEnsemble>
{
    private const string WrongPassword = "wrong-Sasl-Password-99";

    [Fact]
    public async Task SaslPasswords_NeverInPagesApiMetricsOrLogs_AndAWrongOneIsAClearClusterError()
    {
        var sandbox = ensemble.Sandbox;
        await using var app = AccessTestApp.Create(new()
        {
            ["Logging:LogLevel:Default"] = "Debug",
            ["Dashboard:Clusters:0:Name"] = "Good",
            ["Dashboard:Clusters:0:ConnectString"] = sandbox.ConnectString,
            ["Dashboard:Clusters:0:Sasl:UserName"] = "bob",
            ["Dashboard:Clusters:0:Sasl:Password"] = SaslEnsemble.Users["bob"],
            ["Dashboard:Clusters:1:Name"] = "Bad",
            ["Dashboard:Clusters:1:ConnectString"] = sandbox.ConnectString,
            ["Dashboard:Clusters:1:Sasl:UserName"] = "alice",
            ["Dashboard:Clusters:1:Sasl:Password"] = WrongPassword,
        });
        var logs = new CapturingLoggerProvider();
        app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        using var admin = await AccessTestApp.SignedInAsync(app, AccessTestApp.AdminName);
        string[] secrets = [SaslEnsemble.Users["bob"], WrongPassword];

        // The znode browser: the good cluster reads over its SASL session, the bad one says why it cannot.
        var good = await admin.GetAsync(new Uri("/api/clusters/good/znodes?path=/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        var bad = await admin.GetAsync(new Uri("/api/clusters/bad/znodes?path=/", UriKind.Relative));
        var badText = await bad.Content.ReadAsStringAsync();
        Assert.Contains("wrong user name or password", badText, StringComparison.Ordinal);

        // Let the monitors (Kafka watcher, membership reader) run their sessions and log what they log.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var home = await admin.GetStringAsync(new Uri("/", UriKind.Relative));
        var links = System.Text.RegularExpressions.Regex.Matches(home, "href=\"(/[^\"#]*)\"").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))
            .Where(p => !p.StartsWith("/dist", StringComparison.Ordinal) && !p.Contains("sign-out", StringComparison.Ordinal));
        string[] fixedPaths =
        [
            "/", "/metrics", "/api/clusters", "/api/clusters/good/ensemble", "/api/clusters/bad/ensemble",
            "/api/clusters/good/znodes?path=/zookeeper", "/api/clusters/bad/znodes?path=/", "/api/clusters/good/kafka/brokers",
            "/clusters/good", "/clusters/bad", "/clusters/good/znodes", "/clusters/bad/znodes",
        ];
        var visited = 0;
        foreach (var path in fixedPaths.Concat(links).Distinct())
        {
            var response = await admin.GetAsync(new Uri(path, UriKind.Relative));
            var answer = response.Headers + "\n" + response.Content.Headers + "\n" + await response.Content.ReadAsStringAsync();
            foreach (var secret in secrets)
                Assert.False(answer.Contains(secret, StringComparison.Ordinal), $"{path} answered with a SASL password");
            visited++;
        }
        Assert.True(visited > fixedPaths.Length / 2);

        var lines = logs.Lines.ToArray();
        Assert.NotEmpty(lines);
        Assert.Contains(lines, l => l.Contains("'alice' was refused", StringComparison.Ordinal));
        foreach (var secret in secrets)
            Assert.DoesNotContain(lines, l => l.Contains(secret, StringComparison.Ordinal));
    }

    internal sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose() { }

        private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Lines.Enqueue($"{category} {logLevel}: {formatter(state, exception)} {exception}");
        }
    }
}
