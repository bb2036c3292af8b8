using Dashboard.Core.Access;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Primitives;

namespace Dashboard.Access;

/// <summary>
/// The built-in users: those in settings, plus the sandbox's admin for a <c>--sandbox</c> run. Follows the settings
/// when they are reloaded (an edited appsettings.json): every request checks its session's user against this list,
/// so a user removed or given another role loses that session at once.
/// </summary>
internal sealed class UserDirectory
{
    private readonly PasswordHasher<UserSettings> _hasher = new();
    private readonly string _decoyHash;
    private readonly SandboxAdmin? _sandboxAdmin;
    private readonly ILogger? _log;
    private volatile Dictionary<string, UserSettings> _users;

    public UserDirectory(AccessSettings settings, SandboxAdmin? sandboxAdmin)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _sandboxAdmin = sandboxAdmin;
        _users = Build(settings.Users);
        // Unknown names are checked against a real hash too, so the time taken does not tell which names exist.
        _decoyHash = _hasher.HashPassword(new UserSettings(), Guid.NewGuid().ToString());
    }

    /// <summary>Follows <c>Auth:Users</c> in <paramref name="configuration"/> as it is reloaded.</summary>
    public UserDirectory(AccessSettings settings, SandboxAdmin? sandboxAdmin, IConfiguration configuration, ILogger<UserDirectory> log)
        : this(settings, sandboxAdmin)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _log = log;
        ChangeToken.OnChange(configuration.GetReloadToken, () => Reload(configuration));
    }

    /// <summary>The user when the password matches; null for a wrong password or an unknown name.</summary>
    public UserSettings? Verify(string name, string password)
    {
        var found = _users.TryGetValue(name.Trim(), out var user);
        var result = _hasher.VerifyHashedPassword(user ?? new UserSettings(), found ? user!.PasswordHash : _decoyHash, password);
        return found && result != PasswordVerificationResult.Failed ? user : null;
    }

    /// <summary>The user's role in the settings as they are now, or null when there is no such user.</summary>
    public DashboardRole? RoleOf(string name) =>
        _users.TryGetValue(name.Trim(), out var user) && DashboardRoles.TryParse(user.Role, out var role) ? role : null;

    private void Reload(IConfiguration configuration)
    {
        var settings = configuration.GetSection(AccessSettings.Section).Get<AccessSettings>() ?? new AccessSettings();
        try
        {
            AccessSettingsValidation.Validate(settings);
        }
        catch (AccessConfigurationException e)
        {
            // A half-saved or mistyped file must not hand out access: only users that are still valid remain.
            _log?.LogError("The reloaded Auth settings are wrong ({Problem}); only the users that are still valid keep access.", e.Message);
            settings.Users = [.. settings.Users.Where(u => AccessSettingsValidation.IsValidUserName(u.Name) && DashboardRoles.TryParse(u.Role, out _) && u.PasswordHash.Length >= 60)
                .GroupBy(u => u.Name.Trim(), StringComparer.OrdinalIgnoreCase).Where(g => g.Count() == 1).Select(g => g.First())];
        }
        _users = Build(settings.Users);
    }

    private Dictionary<string, UserSettings> Build(IEnumerable<UserSettings> users)
    {
        var built = new Dictionary<string, UserSettings>(StringComparer.OrdinalIgnoreCase);
        foreach (var user in users) built[user.Name.Trim()] = user;
        if (_sandboxAdmin is not null) built.TryAdd(_sandboxAdmin.User.Name, _sandboxAdmin.User);
        return built;
    }
}
