using System.Net;

namespace Dashboard.Core.Access;

/// <summary>Thrown at start-up when the <c>Auth</c> section is wrong; the message names the setting.</summary>
public sealed class AccessConfigurationException(string message) : Exception(message);

/// <summary>Checks the <c>Auth</c> section before the dashboard starts, so a typo fails loudly instead of locking people out.</summary>
public static class AccessSettingsValidation
{
    public static void Validate(AccessSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < settings.Users.Count; i++)
        {
            var user = settings.Users[i];
            var where = $"Auth:Users:{i}";
            if (string.IsNullOrWhiteSpace(user.Name)) throw new AccessConfigurationException($"{where} has no Name.");
            if (!IsValidUserName(user.Name)) throw new AccessConfigurationException($"{where}:Name may hold letters, digits and . _ @ - only (at most 100).");
            if (!names.Add(user.Name.Trim())) throw new AccessConfigurationException($"{where}:Name '{user.Name}' is used twice.");
            // A hash from PasswordHasher is base64 of at least 49 bytes; anything shorter is most likely a plain password.
            if (string.IsNullOrWhiteSpace(user.PasswordHash) || user.PasswordHash.Length < 60 || !IsBase64(user.PasswordHash))
                throw new AccessConfigurationException($"{where}:PasswordHash ('{user.Name}') is not a password hash: produce one with 'dotnet run --project Dashboard -- hash-password'.");
            if (!DashboardRoles.TryParse(user.Role, out _))
                throw new AccessConfigurationException($"{where}:Role ('{user.Name}') is '{user.Role}': use viewer, operator or admin.");
        }
        if (settings.LockoutFailures < 1) throw new AccessConfigurationException("Auth:LockoutFailures must be at least 1.");
        if (settings.LockoutDuration <= TimeSpan.Zero) throw new AccessConfigurationException("Auth:LockoutDuration must be positive.");
        if (settings.SignInAttemptsPerMinute < 1) throw new AccessConfigurationException("Auth:SignInAttemptsPerMinute must be at least 1.");
        if (settings.SessionLifetime <= TimeSpan.Zero) throw new AccessConfigurationException("Auth:SessionLifetime must be positive.");
        if (settings.AuditRefusalInterval <= TimeSpan.Zero) throw new AccessConfigurationException("Auth:AuditRefusalInterval must be positive.");

        var proxy = settings.Proxy;
        for (var i = 0; i < proxy.TrustedAddresses.Count; i++)
            if (!AddressRange.TryParse(proxy.TrustedAddresses[i], out _))
                throw new AccessConfigurationException($"Auth:Proxy:TrustedAddresses:{i} is '{proxy.TrustedAddresses[i]}': give an IP address or a CIDR range.");
        if (proxy.IsEnabled && (string.IsNullOrWhiteSpace(proxy.UserHeader) || string.IsNullOrWhiteSpace(proxy.GroupsHeader)))
            throw new AccessConfigurationException("Auth:Proxy:UserHeader and Auth:Proxy:GroupsHeader must name headers.");
        foreach (var (group, role) in proxy.GroupRoles)
            if (!DashboardRoles.TryParse(role, out _))
                throw new AccessConfigurationException($"Auth:Proxy:GroupRoles:{group} is '{role}': use viewer, operator or admin.");
        if (!string.IsNullOrEmpty(proxy.DefaultRole) && !DashboardRoles.TryParse(proxy.DefaultRole, out _))
            throw new AccessConfigurationException($"Auth:Proxy:DefaultRole is '{proxy.DefaultRole}': use viewer, operator, admin or leave it empty.");
    }

    public static bool IsValidUserName(string? name) =>
        name is { Length: > 0 and <= 100 } && name.Trim().All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '@' or '-');

    private static bool IsBase64(string text) => Convert.TryFromBase64String(text, new byte[text.Length], out _);
}

/// <summary>An IP address or CIDR range from settings.</summary>
public sealed record AddressRange(IPNetwork Network)
{
    public static bool TryParse(string? text, out AddressRange range)
    {
        range = null!;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        if (IPNetwork.TryParse(text, out var network)) { range = new AddressRange(network); return true; }
        if (!IPAddress.TryParse(text, out var address)) return false;
        range = new AddressRange(new IPNetwork(address, address.GetAddressBytes().Length * 8));
        return true;
    }

    /// <summary>IPv4 clients reached over a dual-stack socket show up as <c>::ffff:a.b.c.d</c>; both forms match.</summary>
    public bool Contains(IPAddress? address) =>
        address is not null && (Network.Contains(address) || (address.IsIPv4MappedToIPv6 && Network.Contains(address.MapToIPv4())));
}
