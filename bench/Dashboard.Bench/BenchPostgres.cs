using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Dashboard.Bench;

/// <summary>
/// Debian's PostgreSQL on a free loopback port in a temporary folder (initdb, pg_ctl), as the replicas' shared
/// history; its defaults otherwise (fsync on), so the write rate is a real server's. Under root its programs run as
/// Debian's <c>postgres</c> user (PostgreSQL refuses root).
/// </summary>
internal sealed class BenchPostgres : IAsyncDisposable
{
    private const string User = "dashboard";
    private readonly string _folder = Directory.CreateTempSubdirectory("bench-pg-").FullName;
    private readonly string _bin;
    private readonly int _port;

    private BenchPostgres(string bin, int port) => (_bin, _port) = (bin, port);

    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = _port, Username = User, Password = "bench", Database = "postgres", MaxPoolSize = 20,
    }.ConnectionString;

    public static async Task<BenchPostgres> StartAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            ?? throw new InvalidOperationException("Debian's postgresql is not installed (scripts/prereqs.sh installs it)");
        using var free = new TcpListener(IPAddress.Loopback, 0);
        free.Start();
        var server = new BenchPostgres(bin, ((IPEndPoint)free.LocalEndpoint).Port);
        free.Stop();
        var password = Path.Combine(server._folder, "password");
        await File.WriteAllTextAsync(password, "bench\n");
        if (IsRoot) await RunAsync("chown", ["-R", "postgres:postgres", server._folder], asPostgres: false);
        var data = Path.Combine(server._folder, "data");
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", User, "--pwfile", password, "-A", "scram-sha-256", "-E", "UTF8", "--no-instructions"]);
        await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(server._folder, "server.log"), "-w", "-t", "60", "start",
            "-o", $"-p {server._port} -k {server._folder} -c listen_addresses=127.0.0.1 -c max_connections=200"]);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try { await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_folder, "data"), "-m", "fast", "-w", "stop"]); }
        catch (InvalidOperationException) { }
        Directory.Delete(_folder, recursive: true);
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static async Task RunAsync(string program, string[] arguments, bool asPostgres = true)
    {
        var start = new ProcessStartInfo(asPostgres && IsRoot ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres && IsRoot) foreach (var a in new[] { "-u", "postgres", "--", program }) start.ArgumentList.Add(a);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} exited with {process.ExitCode}: {await output}{await error}");
    }
}
