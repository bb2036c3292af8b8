using Dashboard.Core.Access;
using Dashboard.Hosting;
using System.Net;

namespace Dashboard.Tests.Access;

/// <summary>The access rules in Dashboard.Core, without a web host.</summary>
public sealed class AccessRulesTests
{
    private sealed class TestTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 21, 8, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Lockout_AfterMaxFailures_LocksUntilDurationPasses()
    {
        var time = new TestTime();
        var lockout = new SignInLockout(3, TimeSpan.FromMinutes(15), time);

        Assert.Null(lockout.RecordFailure("alice"));
        Assert.Null(lockout.RecordFailure("ALICE"));
        var until = lockout.RecordFailure("alice");
        var lockedNow = lockout.LockedUntil("alice");
        time.Now += TimeSpan.FromMinutes(16);

        Assert.Equal(time.Now - TimeSpan.FromMinutes(1), until);
        Assert.Equal(until, lockedNow);
        Assert.Null(lockout.LockedUntil("alice"));
        Assert.Null(lockout.RecordFailure("alice")); // a fresh count after the lockout ran out
    }

    [Fact]
    public void Lockout_SuccessBeforeLimit_ResetsCount()
    {
        var lockout = new SignInLockout(2, TimeSpan.FromMinutes(1), new TestTime());

        lockout.RecordFailure("bob");
        lockout.RecordSuccess("bob");

        Assert.Null(lockout.RecordFailure("bob"));
    }

    [Fact]
    public void Lockout_FloodOfMadeUpNames_StaysBounded()
    {
        var time = new TestTime();
        var lockout = new SignInLockout(5, TimeSpan.FromMinutes(1), time);
        lockout.RecordFailure("real");
        for (var i = 0; i < 3; i++) lockout.RecordFailure("real");

        for (var i = 0; i < SignInLockout.MaxTrackedNames + 10; i++)
        {
            time.Now += TimeSpan.FromMilliseconds(1);
            lockout.RecordFailure("made-up-" + i);
        }

        // "real" was the stalest entry and has been forgotten, so its next failure does not lock it.
        Assert.Null(lockout.RecordFailure("real"));
    }

    [Theory]
    [InlineData("Auth:Users:0:PasswordHash", "plain-password")]
    [InlineData("Auth:Users:0:Role", "root")]
    [InlineData("Auth:Users:0:Name", "")]
    [InlineData("Auth:Proxy:TrustedAddresses:0", "not-an-address")]
    public void Validation_BadSetting_NamesIt(string setting, string value)
    {
        var settings = new AccessSettings { Users = [new UserSettings { Name = "alice", PasswordHash = AccessTestApp.AdminHash, Role = "admin" }] };
        switch (setting)
        {
            case "Auth:Users:0:PasswordHash": settings.Users[0].PasswordHash = value; break;
            case "Auth:Users:0:Role": settings.Users[0].Role = value; break;
            case "Auth:Users:0:Name": settings.Users[0].Name = value; break;
            default: settings.Proxy.TrustedAddresses.Add(value); break;
        }

        var error = Assert.Throws<AccessConfigurationException>(() => AccessSettingsValidation.Validate(settings));

        Assert.Contains(setting.Replace(":PasswordHash", "", StringComparison.Ordinal).Replace(":Role", "", StringComparison.Ordinal).Replace(":Name", "", StringComparison.Ordinal),
            error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_StartupWithPlainPassword_FailsNamingTheSetting()
    {
        using var app = AccessTestApp.Create(new() { ["Auth:Users:0:PasswordHash"] = "hunter2" });

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("Auth:Users:0:PasswordHash", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.200.3.4", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("127.0.0.1", "::ffff:127.0.0.1", true)]
    [InlineData("::1", "::1", true)]
    [InlineData("::1", "127.0.0.1", false)]
    public void AddressRange_MatchesAddressesAndMappedIPv4(string range, string address, bool expected)
    {
        Assert.True(AddressRange.TryParse(range, out var parsed));
        Assert.Equal(expected, parsed.Contains(IPAddress.Parse(address)));
    }

    [Fact]
    public void Roles_EachIncludesThoseBelow()
    {
        Assert.Equal([DashboardRole.Viewer, DashboardRole.Operator], DashboardRole.Operator.WithIncluded());
        Assert.False(DashboardRole.Viewer.Includes(DashboardRole.Operator));
        Assert.True(DashboardRoles.TryParse(" Admin ", out var admin) && admin == DashboardRole.Admin);
    }

    [Fact]
    public async Task AuditCsv_QuotesSeparatorsAndDisarmsFormulas()
    {
        var entry = new AuditEntry(new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero), "=HYPERLINK(\"x\")", "10.0.0.1", "znode-set", "/a,b", AuditOutcome.Succeeded)
        {
            Before = "version 1, 10 bytes", After = "line1\nline2",
        };
        var output = new StringWriter();

        await AuditCsv.WriteAsync([entry], output);
        var line = output.ToString().Split("\r\n")[1];

        Assert.Equal("2026-11-21T08:00:00.000Z,\"'=HYPERLINK(\"\"x\"\")\",10.0.0.1,znode-set,\"/a,b\",succeeded,\"version 1, 10 bytes\",\"line1\nline2\",", line);
    }

    [Fact]
    public void HashPasswordCommand_ReadsStdinAndPrintsAVerifiableHash()
    {
        var output = new StringWriter();
        var errors = new StringWriter();

        var code = PasswordHashCommand.Run(new StringReader("a long enough password\n"), output, errors, interactive: false);
        var hash = output.ToString().Trim();

        Assert.Equal(0, code);
        Assert.DoesNotContain("a long enough password", output.ToString(), StringComparison.Ordinal);
        var settings = new AccessSettings { Users = [new UserSettings { Name = "eve", PasswordHash = hash, Role = "viewer" }] };
        AccessSettingsValidation.Validate(settings);
        Assert.NotNull(new Dashboard.Access.UserDirectory(settings, null).Verify("eve", "a long enough password"));
    }

    [Fact]
    public void HashPasswordCommand_ShortPassword_RefusedWithoutOutput()
    {
        var output = new StringWriter();

        var code = PasswordHashCommand.Run(new StringReader("short\n"), output, new StringWriter(), interactive: false);

        Assert.Equal(1, code);
        Assert.Equal("", output.ToString());
    }
}
