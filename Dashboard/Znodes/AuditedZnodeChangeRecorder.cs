using Dashboard.Core.Access;
using Dashboard.Core.Znodes;

namespace Dashboard.Znodes;

/// <summary>
/// Every znode change attempt goes to the audit log (who, from where, path, versions, values and ACLs before and
/// after, outcome) and to the in-memory list of recent changes. A recursive delete or an import also writes one
/// row per path it touched, so every path is in the log whatever the subtree's size.
/// </summary>
internal sealed class AuditedZnodeChangeRecorder(InMemoryZnodeChangeRecorder recent, IAuditLog audit) : IZnodeChangeRecorder
{
    public async ValueTask RecordAsync(ZnodeChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        await recent.RecordAsync(change, cancellationToken).ConfigureAwait(false);
        var (user, address) = ZnodeWriteGate.SplitActor(change.Actor);
        var outcome = Outcome(change.Outcome);
        audit.Record(new AuditEntry(change.At, user, address, ActionName(change.Kind), $"{change.ClusterId}:{change.Path}", outcome)
        {
            Before = Join(Describe(change.VersionBefore, change.SizeBefore), change.ValueBefore, change.AclBefore),
            After = Join(Describe(change.VersionAfter, change.SizeAfter), change.ValueAfter, change.AclAfter),
            Detail = change.Paths is { Count: > 0 } paths ? $"{change.Detail} Paths ({paths.Count}): {string.Join(", ", paths.Take(50))}{(paths.Count > 50 ? ", ..." : "")}" : change.Detail,
        });
        // Per-path rows only for what was done (or refused) to a set of nodes; a single-node change is its own row.
        if (change.Paths is { } touched)
        {
            var what = change.Kind == ZnodeChangeKind.Import ? "import into" : "recursive delete of";
            var verb = change.Outcome == ZnodeChangeOutcome.Applied ? "done by" : $"not done ({change.Outcome.ToString().ToLowerInvariant()}) by";
            foreach (var path in touched)
                audit.Record(new AuditEntry(change.At, user, address, ActionName(change.Kind) + "-path", $"{change.ClusterId}:{path}", outcome) { Detail = $"{verb} the {what} {change.Path}" });
        }
    }

    private static string? Join(params string?[] parts) => parts.Any(p => p is not null) ? string.Join("; ", parts.Where(p => p is not null)) : null;

    public static string ActionName(ZnodeChangeKind kind) => kind switch
    {
        ZnodeChangeKind.Create => "znode-create",
        ZnodeChangeKind.SetData => "znode-set",
        ZnodeChangeKind.Delete => "znode-delete",
        ZnodeChangeKind.DeleteRecursive => "znode-delete-recursive",
        ZnodeChangeKind.SetAcl => "znode-set-acl",
        ZnodeChangeKind.Import => "znode-import",
        _ => "znode-change",
    };

    private static AuditOutcome Outcome(ZnodeChangeOutcome outcome) => outcome switch
    {
        ZnodeChangeOutcome.Applied => AuditOutcome.Succeeded,
        ZnodeChangeOutcome.Refused => AuditOutcome.Denied,
        ZnodeChangeOutcome.Unchanged => AuditOutcome.Succeeded,
        _ => AuditOutcome.Failed,
    };

    private static string? Describe(int? version, int? size) =>
        version is null && size is null ? null : $"version {version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}, {size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} bytes";
}
