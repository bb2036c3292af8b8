using System.Security.Cryptography;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Znodes;

/// <summary>
/// A value as the audit log keeps it: small values whole, large ones bounded to their length, a SHA-256 and a
/// prefix, so a before/after pair can be compared with what is in ZooKeeper without storing megabytes per entry.
/// </summary>
public static class ZnodeValueSummary
{
    /// <summary>Values up to this many bytes are recorded whole.</summary>
    public const int WholeBytes = 256;

    /// <summary>Bytes of a larger value shown as its prefix.</summary>
    public const int PrefixBytes = 64;

    public static string Describe(byte[]? data)
    {
        if (data is null) return "null";
        if (data.Length == 0) return "empty (0 bytes)";
        var hash = Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();
        var whole = data.Length <= WholeBytes;
        var shown = data.AsSpan(0, whole ? data.Length : PrefixBytes);
        var mode = ZnodeTextEditing.Decide(shown, false);
        var body = mode.AsText ? "text \"" + Visible.Text(ZnodeContent.TryDecodeUtf8(shown) ?? "") + "\"" : "base64 " + Convert.ToBase64String(shown);
        return $"{data.Length} bytes, sha256 {hash}, {(whole ? "" : $"first {PrefixBytes} bytes ")}{body}";
    }

    public static string DescribeAcl(IReadOnlyList<ZooKeeperAcl>? acl) =>
        acl is null ? "unknown" : string.Join(", ", acl.Select(a => $"{a.Scheme}:{Visible.Text(a.Id)}:{Letters(a.Permissions)}"));

    public static string Letters(Permissions p) =>
        string.Concat((p & Permissions.Create) != 0 ? "c" : "", (p & Permissions.Delete) != 0 ? "d" : "", (p & Permissions.Read) != 0 ? "r" : "",
            (p & Permissions.Write) != 0 ? "w" : "", (p & Permissions.Admin) != 0 ? "a" : "");
}
