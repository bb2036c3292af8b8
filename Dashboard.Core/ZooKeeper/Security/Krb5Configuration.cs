using System.Runtime.InteropServices;

namespace Dashboard.Core.ZooKeeper.Security;

/// <summary>
/// Which krb5.conf the GSSAPI library reads. MIT krb5 takes it from the process environment (<c>KRB5_CONFIG</c>)
/// each time it makes a context, and .NET's Environment.SetEnvironmentVariable does not reach the native
/// environment on Linux, so it is set with libc's setenv. One value per process: the library has no per-credential
/// setting for it.
/// </summary>
internal static partial class Krb5Configuration
{
    private const string Variable = "KRB5_CONFIG";
    private static readonly Lock Gate = new();
    private static string? _applied;

    public static void Use(string path)
    {
        var full = Path.GetFullPath(path);
        lock (Gate)
        {
            if (_applied == full) return;
            if (_applied is not null)
                throw new ZooKeeperSecurityConfigurationException($"Sasl:Krb5Config '{full}' differs from '{_applied}' used by another cluster: one dashboard process reads one krb5.conf (list every realm in it).");
            if (!File.Exists(full)) throw new ZooKeeperSecurityConfigurationException($"Sasl:Krb5Config '{full}' does not exist.");
            if (SetEnv(Variable, full, 1) != 0) throw new ZooKeeperSecurityConfigurationException($"Could not set {Variable} to '{full}'.");
            _applied = full;
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
