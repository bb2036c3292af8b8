using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dashboard.Tests.Kafka.Fixtures;

/// <summary>
/// A second ZooKeeper client (kazoo under /usr/bin/python3, <c>TestData/kafka/kazoo_session.py</c>) that writes Kafka's
/// znodes, so our reader is never checked only against our own writer. Named sessions hold ephemerals, as each broker's
/// own session does; closing one makes its ephemerals vanish. Every command has a deadline.
/// </summary>
public sealed class KazooSession : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private KazooSession(Process process) => _process = process;

    public static KazooSession Start(string connectString)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "TestData", "kafka", "kazoo_session.py");
        var start = new ProcessStartInfo("/usr/bin/python3", [script, connectString])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        process.ErrorDataReceived += (_, _) => { }; // kazoo logs to stderr; drained so it never blocks
        process.BeginErrorReadLine();
        return new KazooSession(process);
    }

    public Task<JsonObject> CreateAsync(string path, string data, bool ephemeral = false, string? client = null) =>
        SendAsync(new JsonObject { ["op"] = "create", ["path"] = path, ["data"] = data, ["ephemeral"] = ephemeral, ["client"] = client });

    public Task<JsonObject> CreateSizedAsync(string path, int size) =>
        SendAsync(new JsonObject { ["op"] = "create", ["path"] = path, ["size"] = size });

    public Task<JsonObject> SetAsync(string path, string data, string? client = null) =>
        SendAsync(new JsonObject { ["op"] = "set", ["path"] = path, ["data"] = data, ["client"] = client });

    public Task<JsonObject> DeleteAsync(string path, bool recursive = false) =>
        SendAsync(new JsonObject { ["op"] = "delete", ["path"] = path, ["recursive"] = recursive });

    /// <summary>One ZooKeeper transaction (kazoo's <c>transaction()</c>): each op is (op, path, data, ephemeral).</summary>
    public Task<JsonObject> TransactionAsync(string? client, params (string Op, string Path, string? Data, bool Ephemeral)[] ops) =>
        SendAsync(new JsonObject
        {
            ["op"] = "txn", ["client"] = client,
            ["ops"] = new JsonArray([.. ops.Select(o => (JsonNode)new JsonObject { ["op"] = o.Op, ["path"] = o.Path, ["data"] = o.Data ?? "", ["ephemeral"] = o.Ephemeral })]),
        });

    public Task<JsonObject> OpenAsync(string client) => SendAsync(new JsonObject { ["op"] = "open", ["client"] = client });

    /// <summary>Ends a session: its ephemerals are deleted by the server (a broker's session expiring).</summary>
    public Task<JsonObject> CloseAsync(string client) => SendAsync(new JsonObject { ["op"] = "close", ["client"] = client });

    private async Task<JsonObject> SendAsync(JsonObject command)
    {
        await _gate.WaitAsync();
        try
        {
            using var timeout = new CancellationTokenSource(CommandTimeout);
            await _process.StandardInput.WriteLineAsync(command.ToJsonString().AsMemory(), timeout.Token);
            await _process.StandardInput.FlushAsync(timeout.Token);
            var line = await _process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException($"kazoo exited (code {(_process.HasExited ? _process.ExitCode : -1)}) on {command.ToJsonString()}");
            var answer = JsonNode.Parse(line)!.AsObject();
            if (answer["ok"]?.GetValue<bool>() != true)
                throw new InvalidOperationException($"kazoo failed on {command.ToJsonString()}: {answer["error"]}");
            return answer;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
        _gate.Dispose();
    }

    public static string Json(object value) => JsonSerializer.Serialize(value);
}
