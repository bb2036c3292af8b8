using System.Security.Cryptography;
using Dashboard.Core.Access;
using Microsoft.AspNetCore.Identity;

namespace Dashboard.Access;

/// <summary>
/// With <c>--sandbox</c>: an admin for this run only, with a generated password, so a newcomer can try
/// everything without configuring users. The password exists in memory and on the console, nowhere else.
/// </summary>
internal sealed class SandboxAdmin
{
    private SandboxAdmin(UserSettings user, string password) => (User, Password) = (user, password);

    public UserSettings User { get; }
    public string Password { get; }

    public static SandboxAdmin Create(AccessSettings settings)
    {
        var name = settings.Users.Any(u => string.Equals(u.Name.Trim(), "admin", StringComparison.OrdinalIgnoreCase)) ? "sandbox-admin" : "admin";
        // 18 random bytes: 24 URL-safe characters, easy to paste, far beyond guessing.
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
        var user = new UserSettings { Name = name, Role = DashboardRoles.Admin };
        user.PasswordHash = new PasswordHasher<UserSettings>().HashPassword(user, password);
        return new SandboxAdmin(user, password);
    }
}

/// <summary>Prints the sandbox admin's password and a token for scripts once, on the console (not the log, which may be shipped elsewhere).</summary>
internal sealed class SandboxAdminAnnouncement(SandboxAdmin admin, ApiTokenStore tokens, IHostApplicationLifetime lifetime) : IHostedService
{
    public TextWriter Output { get; init; } = Console.Out;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var token = tokens.CreateForThisRun("sandbox scripts", DashboardRole.Admin, admin.User.Name);
        // Once the app has started, so the credentials are not printed for a run that fails to start.
        lifetime.ApplicationStarted.Register(() => Output.WriteLine(
            $"""

            Sandbox admin for this run only (printed once):
              user:      {admin.User.Name}
              password:  {admin.Password}
              API token: {token.Secret}   (role admin; send as 'Authorization: Bearer <token>' to /api/...)

            """));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
