using Dashboard.Access;
using Dashboard.Core.Access;
using Dashboard.Core.History;
using Microsoft.Extensions.Hosting;

namespace Dashboard.Tests.Access;

public sealed class SandboxAdminTests
{
    [Fact]
    public async Task SandboxAdmin_PrintedOnceOnConsole_PasswordAndTokenWork()
    {
        var settings = new AccessSettings();
        var admin = SandboxAdmin.Create(settings);
        var folder = Path.Combine(Path.GetTempPath(), "zkd-tests", Guid.NewGuid().ToString("N"));
        var database = new HistoryDatabase(new HistoryOptions { DatabasePath = Path.Combine(folder, "history.db") });
        await using var writer = new HistoryWriter(database);
        var tokens = new ApiTokenStore(database, writer, TimeProvider.System);
        var lifetime = new TestLifetime();
        var output = new StringWriter();

        await new SandboxAdminAnnouncement(admin, tokens, lifetime) { Output = output }.StartAsync(CancellationToken.None);
        Assert.Equal("", output.ToString()); // printed only once the app has started
        lifetime.Started();

        var text = output.ToString();
        var password = SecretsAndAuditTests.Between(text, "password:", "\n");
        var secret = SecretsAndAuditTests.Between(text, "API token:", " ");
        Assert.Equal("admin", SecretsAndAuditTests.Between(text, "user:", "\n"));
        Assert.Equal(1, SecretsAndAuditTests.CountOf(text, password));
        Assert.NotNull(new UserDirectory(settings, admin).Verify("admin", password));
        Assert.Null(new UserDirectory(settings, admin).Verify("admin", password + "x"));
        var token = await tokens.FindActiveAsync(secret);
        Assert.Equal(DashboardRole.Admin, token?.Role);
        Assert.True(token!.ForThisRunOnly);
        Assert.False(File.Exists(database.Path)); // a token for this run only is never stored
    }

    [Fact]
    public void SandboxAdmin_ConfiguredUserNamedAdmin_TakesAnotherName()
    {
        var settings = new AccessSettings { Users = [new UserSettings { Name = "Admin", PasswordHash = "x", Role = "viewer" }] };

        Assert.Equal("sandbox-admin", SandboxAdmin.Create(settings).User.Name);
    }

    [Fact]
    public void SandboxAdmin_EachRun_GetsADifferentPassword() =>
        Assert.NotEqual(SandboxAdmin.Create(new AccessSettings()).Password, SandboxAdmin.Create(new AccessSettings()).Password);

    private sealed class TestLifetime : IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _started = new();
        public CancellationToken ApplicationStarted => _started.Token;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void Started() => _started.Cancel();
        public void StopApplication() { }
    }
}
