namespace Dashboard.Core.Access;

public enum AuditOutcome
{
    Succeeded,
    Failed,

    /// <summary>Refused before anything was tried: not signed in, not allowed, locked out, bad antiforgery token.</summary>
    Denied,
}

/// <summary>
/// One attributable action: who (a user, <c>token:NAME</c>, or <c>anonymous</c>), from where, when, what was done
/// to what, how it ended, and what the target looked like before and after (versions, sizes; never secrets).
/// </summary>
public sealed record AuditEntry(DateTimeOffset At, string User, string? Address, string Action, string? Target, AuditOutcome Outcome)
{
    /// <summary>Bounds every free-text column so one entry cannot grow the database without limit.</summary>
    public const int MaxFieldLength = 4_000;

    public string? Before { get; init; }
    public string? After { get; init; }
    public string? Detail { get; init; }
    public long Id { get; init; }
}

/// <summary>Action names used in the audit log; other features add theirs (e.g. <c>znode-set</c>, <c>maintenance-restart</c>).</summary>
public static class AuditActions
{
    public const string SignIn = "sign-in";
    public const string SignOut = "sign-out";
    public const string AccessDenied = "access-denied";
    public const string AntiforgeryRejected = "antiforgery-rejected";
    public const string TokenCreated = "token-created";
    public const string TokenRevoked = "token-revoked";
    public const string SessionEnded = "session-ended";
}

/// <summary>Where features record what they did. Never blocks and never throws for a database problem.</summary>
public interface IAuditLog
{
    void Record(AuditEntry entry);
}
