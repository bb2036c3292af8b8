namespace Dashboard.Core.Access;

/// <summary>What a person or script may do. Each role includes the ones below it.</summary>
public enum DashboardRole
{
    /// <summary>Reads everything the dashboard shows.</summary>
    Viewer = 1,

    /// <summary>Also changes znodes, triggers preferred elections and runs maintenance.</summary>
    Operator = 2,

    /// <summary>Also manages ACLs, API tokens, settings, and reads the audit log.</summary>
    Admin = 3,
}

public static class DashboardRoles
{
    /// <summary>The names used in settings, claims and the API, lower case.</summary>
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";

    public static IReadOnlyList<DashboardRole> All { get; } = [DashboardRole.Viewer, DashboardRole.Operator, DashboardRole.Admin];

    public static string Name(this DashboardRole role) => role switch
    {
        DashboardRole.Viewer => Viewer,
        DashboardRole.Operator => Operator,
        DashboardRole.Admin => Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role."),
    };

    public static bool TryParse(string? name, out DashboardRole role)
    {
        role = name?.Trim().ToLowerInvariant() switch
        {
            Viewer => DashboardRole.Viewer,
            Operator => DashboardRole.Operator,
            Admin => DashboardRole.Admin,
            _ => 0,
        };
        return role != 0;
    }

    /// <summary>True when <paramref name="role"/> may do what <paramref name="required"/> may.</summary>
    public static bool Includes(this DashboardRole role, DashboardRole required) => role >= required;

    /// <summary>The role and every role it includes: a user carries one claim per name so role checks stay simple.</summary>
    public static IEnumerable<DashboardRole> WithIncluded(this DashboardRole role) => All.Where(r => role.Includes(r));
}
