using System.Text.RegularExpressions;

namespace Dashboard.Core.Sandbox;

/// <summary>Where Java and ZooKeeper's jars are: <c>ZOOKEEPER_HOME</c> (a release tarball) or Debian's package layout.</summary>
public sealed partial record ZooKeeperInstallation(string JavaPath, string ClassPath, string Description)
{
    public const string HowToInstall =
        "install it with 'apt-get install zookeeper' (Debian), set ZOOKEEPER_HOME to an unpacked ZooKeeper release, or use 'docker compose up'";

    private const string DebianJars = "/usr/share/java";

    // Debian puts every Java library in one folder; the server needs only these. Taking them all would put several
    // SLF4J bindings and an incomplete JASPI jar on the class path.
    private static readonly string[] DebianServerJars =
    [
        "zookeeper.jar", "zookeeper-jute.jar", "slf4j-api.jar", "slf4j-simple.jar", "jackson-annotations.jar",
        "jackson-core.jar", "jackson-databind.jar", "metrics-core.jar", "servlet-api.jar", "commons-cli.jar",
        "snappy-java.jar",
    ];

    public static ZooKeeperInstallation Locate(string? zooKeeperHome = null)
    {
        var java = FindJava()
            ?? throw new SandboxException("Java was not found (no JAVA_HOME, no 'java' on PATH): install it with 'apt-get install default-jre-headless', or " + HowToInstall + ".");

        zooKeeperHome ??= Environment.GetEnvironmentVariable("ZOOKEEPER_HOME");
        if (!string.IsNullOrWhiteSpace(zooKeeperHome))
        {
            var lib = Path.Combine(zooKeeperHome, "lib");
            var jars = Directory.Exists(lib) ? Directory.GetFiles(lib, "*.jar") : [];
            if (!jars.Any(j => Path.GetFileName(j).StartsWith("zookeeper-", StringComparison.Ordinal)))
                throw new SandboxException($"ZOOKEEPER_HOME={zooKeeperHome} has no lib/zookeeper-*.jar: point it at an unpacked ZooKeeper release, or " + HowToInstall + ".");
            return new ZooKeeperInstallation(java, string.Join(':', jars.Order(StringComparer.Ordinal)), $"ZOOKEEPER_HOME={zooKeeperHome}");
        }

        if (File.Exists(Path.Combine(DebianJars, "zookeeper.jar")))
        {
            var jars = DebianServerJars.Select(j => Path.Combine(DebianJars, j)).Where(File.Exists)
                .Concat(Directory.GetFiles(DebianJars, "netty-*.jar").Where(IsUnversionedLink))
                .Concat(Directory.GetFiles(DebianJars, "jetty9-*.jar").Where(j => IsUnversionedLink(j) && !j.Contains("jaspi", StringComparison.Ordinal)));
            return new ZooKeeperInstallation(java, string.Join(':', jars), "Debian package (" + DebianJars + ")");
        }

        throw new SandboxException("ZooKeeper was not found: " + HowToInstall + ".");
    }

    // Debian ships each library twice, "netty-codec.jar" and "netty-codec-4.1.48.Final.jar"; take each once.
    private static bool IsUnversionedLink(string path) => !VersionSuffix().IsMatch(Path.GetFileName(path));

    [GeneratedRegex(@"-\d+(\.\d+)+")]
    private static partial Regex VersionSuffix();

    private static string? FindJava()
    {
        var javaHome = Environment.GetEnvironmentVariable("JAVA_HOME");
        if (!string.IsNullOrWhiteSpace(javaHome) && File.Exists(Path.Combine(javaHome, "bin", "java")))
            return Path.Combine(javaHome, "bin", "java");
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "java"))
            .FirstOrDefault(File.Exists);
    }
}
