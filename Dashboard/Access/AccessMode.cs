using Dashboard.Core.Access;

namespace Dashboard.Access;

/// <summary>How this run lets people in, decided once from settings and <c>--sandbox</c>.</summary>
internal sealed class AccessMode(AccessSettings settings, SandboxAdmin? sandboxAdmin)
{
    public AccessSettings Settings { get; } = settings;

    /// <summary>Someone can sign in: built-in users, a sandbox admin, or people coming through a trusted proxy.</summary>
    public bool HasUsers => Settings.Users.Count > 0 || sandboxAdmin is not null || Settings.Proxy.IsEnabled;

    /// <summary>The sign-in form is of use: there are passwords to check.</summary>
    public bool HasPasswordSignIn => Settings.Users.Count > 0 || sandboxAdmin is not null;

    /// <summary>
    /// With nobody able to sign in, the dashboard is read-only for everyone rather than closed (and it never
    /// invents a default password); otherwise anonymous reading is a choice, off by default.
    /// </summary>
    public bool AnonymousRead => Settings.AnonymousRead || !HasUsers;

    public bool IsTrustedProxy(System.Net.IPAddress? address) =>
        Settings.Proxy.TrustedAddresses.Any(a => AddressRange.TryParse(a, out var range) && range.Contains(address));
}
