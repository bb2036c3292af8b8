using Dashboard.Core.Access;
using Dashboard.Core.Znodes;

namespace Dashboard.Znodes;

/// <summary>
/// Every znode change attempt goes to the audit log (who, from where, path, versions and sizes before and after,
/// outcome) and to the in-memory list of recent changes.
/// </summary>
internal sealed class AuditedZnodeChangeRecorder(InMemoryZnodeChangeRecorder recent, IAuditLog audit) : IZnodeChangeRecorder
{
    public async ValueTask RecordAsync(ZnodeChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        await recent.RecordAsync(change, cancellationToken).ConfigureAwait(false);
        var (user, address) = ZnodeWriteGate.SplitActor(change.Actor);
        audit.Record(new AuditEntry(change.At, user, address, ActionName(change.Kind), $"{change.ClusterId}:{change.Path}", Outcome(change.Outcome))
        {
            Before = Describe(change.VersionBefore, change.SizeBefore),
            After = Describe(change.VersionAfter, change.SizeAfter),
            Detail = change.Detail,
        });
    }

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
        _ => AuditOutcome.Failed,
    };

    private static string? Describe(int? version, int? size) =>
        version is null && size is null ? null : $"version {version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}, {size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} bytes";
}
