using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Dashboard.Support;

/// <summary>
/// Debian's PostgreSQL on a free loopback port, in a temporary folder of its own: initdb, pg_ctl to run it, password
/// (SCRAM) sign-in as the dashboard's store uses it. PostgreSQL refuses to run as root, so under root (CI) the folder
/// is given to Debian's <c>postgres</c> user and its programs run as that user. One source for the tests and the
/// benchmarks (compiled into both projects, which share no project of their own).
/// </summary>
internal sealed class LoopbackPostgres : IAsyncDisposable
{
    public const string User = "dashboard";

    private readonly string _bin;
    private readonly string _folder;
    private readonly bool _durable;

    private LoopbackPostgres(string bin, string folder, int port, string password, bool durable) =>
        (_bin, _folder, Port, Password, _durable) = (bin, folder, port, password, durable);

    public int Port { get; }

    public string Password { get; }

    private string Data => Path.Combine(_folder, "data");

    /// <summary>
    /// Creates and starts a server. <paramref name="durable"/> keeps PostgreSQL's fsync (a benchmark's write rate is
    /// then a real server's); without it nothing is synced, as tests' data need survive only the server's own stops.
    /// </summary>
    public static async Task<LoopbackPostgres> StartAsync(string password, bool durable = false)
    {
        var server = new LoopbackPostgres(FindBin(), Directory.CreateTempSubdirectory("zkd-pg-").FullName, FreePort(), password, durable);
        try
        {
            var passwordFile = Path.Combine(server._folder, "password");
            await File.WriteAllTextAsync(passwordFile, password + "\n");
            if (IsRoot) await RunAsync("chown", ["-R", "postgres:postgres", server._folder], asPostgres: false);
            string[] sync = durable ? [] : ["--no-sync"];
            await RunAsync(Path.Combine(server._bin, "initdb"),
                ["-D", server.Data, "-U", User, "--pwfile", passwordFile, "-A", "scram-sha-256", "-E", "UTF8", "--no-instructions", .. sync]);
            await server.StartAgainAsync();
            return server;
        }
        catch
        {
            Directory.Delete(server._folder, recursive: true);
            throw;
        }
    }

    /// <summary>Starts the server again after <see cref="StopAsync"/>, on the same port and data.</summary>
    public async Task StartAgainAsync() =>
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Data, "-l", Path.Combine(_folder, "server.log"), "-w", "-t", "60", "start",
            "-o", $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c max_connections=200" + (_durable ? "" : " -c fsync=off")]);

    /// <summary>Stops the server at once (as a crash or a network cut looks to its clients).</summary>
    public async Task StopAsync() => await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Data, "-m", "immediate", "-w", "stop"]);

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = Port, Username = User, Password = Password, Database = database,
    }.ConnectionString;

    /// <summary>A new, empty database (a fresh name when none is given); returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= "t_" + Guid.NewGuid().ToString("N")[..16];
        // Unpooled: a pooled admin connection would be dead after a test stopped and started the server.
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false"))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        return ConnectionString(name);
    }

    /// <summary>Stops the server (unless a caller did) and removes its folder: nothing of it outlives the run.</summary>
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try { await StopAsync(); } catch (InvalidOperationException) { } // already stopped
        Directory.Delete(_folder, recursive: true);
    }

    private static bool IsRoot => Environment.UserName == "root";

    // The newest PostgreSQL Debian installed (a machine may hold two during an upgrade).
    private static string FindBin() =>
        (Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [])
            .Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
            .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
            .FirstOrDefault()
        ?? throw new InvalidOperationException("Debian's postgresql is not installed (apt-get install postgresql; scripts/prereqs.sh does it)");

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
