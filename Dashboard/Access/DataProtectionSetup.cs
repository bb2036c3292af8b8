using System.Security.Cryptography;
using Dashboard.Core.History;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace Dashboard.Access;

/// <summary>
/// The keys that sign and encrypt cookies and antiforgery tokens live next to the dashboard's own database (in
/// <c>keys/</c>), not in a home folder other programs share, under an application name unique to this installation
/// (a random id kept in <c>installation-id</c> beside them). A restart of the same installation keeps people signed
/// in; a cookie made by another installation is refused even if it was copied across. With a shared PostgreSQL
/// history, keys and id live in the database instead (<see cref="DatabaseKeyRepository"/>), so every replica reads
/// every other's cookies.
/// </summary>
internal static class DataProtectionSetup
{
    public const string KeysFolder = "keys";
    public const string InstallationIdFile = "installation-id";

    public static IServiceCollection AddDashboardDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("History").Get<HistoryOptions>() ?? new HistoryOptions();
        if (options.IsPostgres)
        {
            services.AddSingleton<DatabaseKeyRepository>();
            services.AddDataProtection();
            // Read when data protection is first used (the first request), not at start: a database that is down at
            // start must not stop monitoring from starting.
            services.AddOptions<KeyManagementOptions>().Configure<DatabaseKeyRepository>((o, keys) => o.XmlRepository = keys);
            services.AddOptions<DataProtectionOptions>().Configure<DatabaseKeyRepository>((o, keys) => o.ApplicationDiscriminator = "zk-dashboard-" + keys.InstallationId());
            return services;
        }
        var path = string.IsNullOrWhiteSpace(options.DatabasePath) ? new HistoryOptions().DatabasePath : options.DatabasePath;
        var folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var keys = Directory.CreateDirectory(Path.Combine(folder, KeysFolder));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keys.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        services.AddDataProtection()
            .PersistKeysToFileSystem(keys)
            .SetApplicationName("zk-dashboard-" + InstallationId(folder));
        return services;
    }

    /// <summary>This installation's id, made once (random) and kept beside the database.</summary>
    internal static string InstallationId(string folder)
    {
        var file = Path.Combine(folder, InstallationIdFile);
        if (File.Exists(file) && File.ReadAllText(file).Trim() is { Length: 32 } existing && existing.All(char.IsAsciiHexDigit)) return existing;
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        File.WriteAllText(file, id + "\n");
        return id;
    }
}
