using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Dashboard.Tests.Support;

/// <summary>
/// Debian's PostgreSQL, started for the tests on a free loopback port: initdb into a temporary folder, pg_ctl to run
/// it, password (SCRAM) sign-in as the store will use it. PostgreSQL refuses to run as root, so under root (CI) the
/// folder is given to Debian's <c>postgres</c> user and its programs run as that user. Each test asks for a
/// database of its own.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string User = "dashboard";

    // A password in every connection string, so tests can check it is never shown or logged.
    public const string Password = "pg-secret-4f1c9a";

    private string _folder = "";
    private string _bin = "";

    public int Port { get; private set; }

    private string Data => Path.Combine(_folder, "data");

    public async Task InitializeAsync()
    {
        _bin = FindBin();
        _folder = Directory.CreateTempSubdirectory("zkd-pg-").FullName;
        Port = FreePort();
        var passwordFile = Path.Combine(_folder, "password");
        await File.WriteAllTextAsync(passwordFile, Password + "\n");
        if (IsRoot) await RunAsync("chown", ["-R", "postgres:postgres", _folder], asPostgres: false);
        await RunAsync(Path.Combine(_bin, "initdb"), ["-D", Data, "-U", User, "--pwfile", passwordFile, "-A", "scram-sha-256", "-E", "UTF8", "--no-sync", "--no-instructions"]);
        await StartAsync();
    }

    public async Task StartAsync() =>
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Data, "-l", Path.Combine(_folder, "server.log"), "-w", "-t", "60", "start",
            // fsync off: the tests' data need not survive the machine, only the server's own stops.
            "-o", $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"]);

    /// <summary>Stops the server at once (as a crash or a network cut looks to its clients).</summary>
    public async Task StopAsync() => await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Data, "-m", "immediate", "-w", "stop"]);

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = Port, Username = User, Password = Password, Database = database,
    }.ConnectionString;

    /// <summary>A new, empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        return ConnectionString(name);
    }

    public async Task DisposeAsync()
    {
        if (_folder.Length == 0) return;
        NpgsqlConnection.ClearAllPools();
        try { await StopAsync(); } catch (InvalidOperationException) { } // already stopped by a test
        Directory.Delete(_folder, recursive: true);
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static string FindBin()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).ToList()
            : [];
        Assert.True(candidates.Count > 0, "Debian's postgresql is not installed (apt-get install postgresql; scripts/test.sh does it)");
        return candidates[0];
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string program, string[] arguments, bool asPostgres = true)
    {
        var start = new ProcessStartInfo(asPostgres && IsRoot ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres && IsRoot) foreach (var a in new[] { "-u", "postgres", "--", program }) start.ArgumentList.Add(a);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
    }
}
