using System.Security.Cryptography;
using System.Text;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Znodes;

/// <summary>The ZooKeeper identities the dashboard's session holds: always <c>world:anyone</c>, plus its digest credentials.</summary>
public sealed record DashboardIdentities(IReadOnlyList<string> DigestIds)
{
    public static DashboardIdentities Anonymous { get; } = new([]);

    /// <summary>From the cluster's <c>user:password</c> digest setting (null: none).</summary>
    public static DashboardIdentities FromDigest(string? userPassword)
    {
        var colon = userPassword?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (userPassword is null || colon < 1) return Anonymous;
        return new([DigestId(userPassword[..colon], userPassword[(colon + 1)..])]);
    }

    /// <summary>The id ZooKeeper's digest scheme gives <c>user:password</c>: <c>user:base64(sha1("user:password"))</c>.</summary>
    public static string DigestId(string user, string password)
    {
#pragma warning disable CA5350 // SHA-1 is what ZooKeeper's digest scheme is defined with; this only names the identity.
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes(user + ":" + password));
#pragma warning restore CA5350
        return user + ":" + Convert.ToBase64String(hash);
    }
}

/// <summary>
/// Whether an ACL would leave the dashboard unable to change it again: no entry gives the admin permission to an
/// identity the dashboard holds (<c>world:anyone</c>, its digest ids, or <c>auth</c> when it holds any). Identities
/// it cannot check (an <c>ip</c> as the server sees it, x509, sasl) do not count: the person must confirm.
/// </summary>
public static class AclLockout
{
    public static string? Problem(IReadOnlyList<ZooKeeperAcl> acl, DashboardIdentities held)
    {
        ArgumentNullException.ThrowIfNull(acl);
        ArgumentNullException.ThrowIfNull(held);
        foreach (var entry in acl.Where(a => (a.Permissions & Permissions.Admin) != 0))
        {
            if (entry.Scheme == "world" && entry.Id == "anyone") return null;
            if (entry.Scheme == "digest" && held.DigestIds.Contains(entry.Id, StringComparer.Ordinal)) return null;
            if (entry.Scheme == "auth" && held.DigestIds.Count > 0) return null;
        }
        return "No entry of this ACL gives the admin permission (a) to an identity the dashboard holds (world:anyone"
            + (held.DigestIds.Count > 0 ? ", " + string.Join(", ", held.DigestIds.Select(d => "digest:" + d)) : "")
            + "): once set, nobody could change this node's ACL from here again.";
    }
}
