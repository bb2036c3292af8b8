using Dashboard.Core.Access;

namespace Dashboard.Tests.Access;

/// <summary>The sign-in lockout attacked: evicted by failing many other names, and outrun by attempts sent at once.</summary>
public sealed class LockoutAttackTests
{
    private sealed class TestTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 21, 8, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void LockedName_FloodOfOtherFailingNamesPastTheBound_StaysLocked()
    {
        var time = new TestTime();
        var lockout = new SignInLockout(3, TimeSpan.FromMinutes(15), time);
        for (var i = 0; i < 3; i++) lockout.RecordFailure("alice");
        var until = lockout.LockedUntil("alice");
        Assert.NotNull(until);

        for (var i = 0; i < SignInLockout.MaxTrackedNames * 2; i++)
        {
            time.Now += TimeSpan.FromMilliseconds(1);
            lockout.RecordFailure("made-up-" + i);
        }

        Assert.Equal(until, lockout.LockedUntil("alice"));
        Assert.NotNull(lockout.Begin("alice"));
        Assert.True(lockout.TrackedNames <= SignInLockout.MaxTrackedNames + 1, $"{lockout.TrackedNames} names tracked");
    }

    [Fact]
    public async Task ConcurrentWrongPasswords_NoMoreCheckedThanTheLimit_ThenTheRightPasswordIsLockedOut()
    {
        await using var app = AccessTestApp.Create(new() { ["Auth:LockoutFailures"] = "5", ["Auth:SignInAttemptsPerMinute"] = "1000" });
        using var attacker = AccessTestApp.Client(app);
        var token = await AccessTestApp.AntiforgeryTokenAsync(attacker, "/sign-in");

        var attempts = Enumerable.Range(0, 24).Select(async i =>
        {
            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["name"] = AccessTestApp.AdminName, ["password"] = $"guess-{i}",
            });
            return (await attacker.PostAsync(new Uri("/auth/sign-in", UriKind.Relative), form)).Headers.Location?.ToString() ?? "";
        });
        var answers = await Task.WhenAll(attempts);

        var audit = await AccessTestApp.AuditAsync(app);
        var checkedPasswords = audit.Count(e => e.Action == AuditActions.SignIn && e.User == AccessTestApp.AdminName && e.Outcome == AuditOutcome.Failed);
        Assert.Equal(5, checkedPasswords);
        // Four wrong passwords answer "failed", the fifth starts the lockout; every other attempt is refused unchecked.
        Assert.Equal(4, answers.Count(a => a.Contains("error=failed", StringComparison.Ordinal)));
        Assert.Equal(20, answers.Count(a => a.Contains("error=locked", StringComparison.Ordinal)));
        var right = await AccessTestApp.SignInAsync(AccessTestApp.Client(app), AccessTestApp.AdminName, AccessTestApp.AdminPassword);
        Assert.Contains("error=locked", right.Headers.Location?.ToString() ?? "", StringComparison.Ordinal);
    }
}
