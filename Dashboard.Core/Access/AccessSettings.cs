namespace Dashboard.Core.Access;

/// <summary>The <c>Auth</c> settings section: who may sign in, and how.</summary>
public sealed class AccessSettings
{
    public const string Section = "Auth";

    public List<UserSettings> Users { get; set; } = [];

    /// <summary>Lets people who are not signed in read (never change) everything a viewer reads.</summary>
    public bool AnonymousRead { get; set; }

    /// <summary>Failed sign-ins in a row, per user name, before that name is locked out.</summary>
    public int LockoutFailures { get; set; } = 5;

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Sign-in attempts per client address per minute; more are answered 429.</summary>
    public int SignInAttemptsPerMinute { get; set; } = 10;

    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Identical anonymous refusals from one address within this interval are counted into one audit row.</summary>
    public TimeSpan AuditRefusalInterval { get; set; } = TimeSpan.FromMinutes(1);

    public ProxySettings Proxy { get; set; } = new();
}

/// <summary>One built-in user, as written under <c>Auth:Users:N</c>.</summary>
public sealed class UserSettings
{
    public string Name { get; set; } = "";

    /// <summary>The output of <c>dotnet run --project Dashboard -- hash-password</c>; never the password itself.</summary>
    public string PasswordHash { get; set; } = "";

    public string Role { get; set; } = DashboardRoles.Viewer;
}

/// <summary>
/// A trusted reverse proxy (oauth2-proxy and the like) that has already authenticated the person. Its headers are
/// believed only on connections from <see cref="TrustedAddresses"/>; from anywhere else they are ignored.
/// </summary>
public sealed class ProxySettings
{
    /// <summary>IP addresses or CIDR ranges (<c>10.0.0.0/8</c>) of the proxy itself.</summary>
    public List<string> TrustedAddresses { get; set; } = [];

    public string UserHeader { get; set; } = "X-Forwarded-User";

    /// <summary>Comma-separated group names; the highest role any of them maps to wins.</summary>
    public string GroupsHeader { get; set; } = "X-Forwarded-Groups";

    /// <summary>Group name to role name, e.g. <c>zk-admins = admin</c>.</summary>
    public Dictionary<string, string> GroupRoles { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The role of a proxy user none of whose groups is mapped; empty means no access.</summary>
    public string DefaultRole { get; set; } = DashboardRoles.Viewer;

    public bool IsEnabled => TrustedAddresses.Count > 0;
}
