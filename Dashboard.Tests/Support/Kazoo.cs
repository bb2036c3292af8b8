using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Dashboard.Tests.Support;

/// <summary>
/// A second ZooKeeper client (kazoo under Debian's /usr/bin/python3) that writes and reads values byte for byte,
/// so a test does not let our reader and our writer agree on the same mistake. Values travel as hex; null as null.
/// </summary>
internal static class Kazoo
{
    public const string Python = "/usr/bin/python3";

    private const string Script = """
        import sys, json, binascii
        from kazoo.client import KazooClient
        from kazoo.security import make_digest_acl, ACL, Id
        req = json.load(sys.stdin)
        zk = KazooClient(hosts=req["hosts"], timeout=30)
        zk.start(timeout=30)
        if req.get("digest"):
            zk.add_auth("digest", req["digest"])
        out = {}
        try:
            for op in req["ops"]:
                kind, path = op["op"], op["path"]
                val = None if op.get("hex") is None else binascii.unhexlify(op["hex"])
                acl = None
                if op.get("acl"):
                    acl = [ACL(a["perms"], Id(a["scheme"], a["id"])) for a in op["acl"]]
                if kind == "create":
                    zk.create(path, val, acl=acl, makepath=op.get("makepath", False))
                elif kind == "set":
                    zk.set(path, val)
                elif kind == "put":
                    if zk.exists(path):
                        zk.set(path, val)
                    else:
                        zk.create(path, val, makepath=True)
                elif kind == "get":
                    data, stat = zk.get(path)
                    out[path] = None if data is None else binascii.hexlify(data).decode()
                elif kind == "delete":
                    zk.delete(path, recursive=True)
                elif kind == "children":
                    out[path] = json.dumps(zk.get_children(path))
                elif kind == "reconfig":
                    data, stat = zk.reconfig(joining=op.get("joining"), leaving=op.get("leaving"), new_members=None, from_config=op.get("from_config", -1))
                    out[path] = data.decode()
        finally:
            zk.stop()
        json.dump(out, sys.stdout)
        """;

#pragma warning disable IDE1006, CA1707 // Field names as the kazoo script reads them.
    public sealed record Op(string op, string path, string? hex = null, bool makepath = false, object[]? acl = null,
        string? joining = null, string? leaving = null, long from_config = -1);
#pragma warning restore IDE1006, CA1707

    public static Task CreateAsync(string hosts, string path, byte[]? value, bool makepath = false) =>
        RunAsync(hosts, [new Op("create", path, Hex(value), makepath)]);

    public static Task SetAsync(string hosts, string path, byte[]? value) => RunAsync(hosts, [new Op("set", path, Hex(value))]);

    /// <summary>Creates (with parents) or overwrites a znode with this UTF-8 text.</summary>
    public static Task PutTextAsync(string hosts, string path, string text) => RunAsync(hosts, [new Op("put", path, Hex(Utf8(text)))]);

    /// <summary>The value as kazoo reads it; null for a null value.</summary>
    public static async Task<byte[]?> GetAsync(string hosts, string path)
    {
        var result = await RunAsync(hosts, [new Op("get", path)]);
        return result[path] is { } hex ? Convert.FromHexString(hex) : null;
    }

    /// <summary>The children's names as kazoo lists them.</summary>
    public static async Task<IReadOnlyList<string>> ChildrenAsync(string hosts, string path)
    {
        var result = await RunAsync(hosts, [new Op("children", path)]);
        return JsonSerializer.Deserialize<string[]>(result[path]!)!;
    }

    /// <summary>An incremental reconfig made by kazoo (a second administrator); returns the new configuration text.</summary>
    public static async Task<string> ReconfigAsync(string hosts, string? joining, string? leaving, long fromConfig = -1)
    {
        var result = await RunAsync(hosts, [new Op("reconfig", "/zookeeper/config", joining: joining, leaving: leaving, from_config: fromConfig)]);
        return result["/zookeeper/config"]!;
    }

    public static async Task<Dictionary<string, string?>> RunAsync(string hosts, IReadOnlyList<Op> ops, string? digest = null)
    {
        if (!File.Exists(Python)) throw new InvalidOperationException($"{Python} is missing: install python3-kazoo with apt-get.");
        var start = new ProcessStartInfo(Python, ["-c", Script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(JsonSerializer.Serialize(new { hosts, ops, digest }));
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"kazoo failed ({process.ExitCode}): {await stderr}");
        return JsonSerializer.Deserialize<Dictionary<string, string?>>(await stdout) ?? [];
    }

    private static string? Hex(byte[]? value) => value is null ? null : Convert.ToHexString(value);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
