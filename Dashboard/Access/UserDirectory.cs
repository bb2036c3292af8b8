using Dashboard.Core.Access;
using Microsoft.AspNetCore.Identity;

namespace Dashboard.Access;

/// <summary>The built-in users: those in settings, plus the sandbox's admin for a <c>--sandbox</c> run.</summary>
internal sealed class UserDirectory
{
    private readonly Dictionary<string, UserSettings> _users = new(StringComparer.OrdinalIgnoreCase);
    private readonly PasswordHasher<UserSettings> _hasher = new();
    private readonly string _decoyHash;

    public UserDirectory(AccessSettings settings, SandboxAdmin? sandboxAdmin)
    {
        foreach (var user in settings.Users) _users[user.Name.Trim()] = user;
        if (sandboxAdmin is not null) _users.TryAdd(sandboxAdmin.User.Name, sandboxAdmin.User);
        // Unknown names are checked against a real hash too, so the time taken does not tell which names exist.
        _decoyHash = _hasher.HashPassword(new UserSettings(), Guid.NewGuid().ToString());
    }

    /// <summary>The user when the password matches; null for a wrong password or an unknown name.</summary>
    public UserSettings? Verify(string name, string password)
    {
        var found = _users.TryGetValue(name.Trim(), out var user);
        var result = _hasher.VerifyHashedPassword(user ?? new UserSettings(), found ? user!.PasswordHash : _decoyHash, password);
        return found && result != PasswordVerificationResult.Failed ? user : null;
    }
}
