namespace Dashboard.Core.Znodes;

public enum ZnodeChangeKind { Create, SetData, Delete, DeleteRecursive, SetAcl, Import }

/// <summary>Unchanged: the submitted value equals the value in ZooKeeper, so nothing was written.</summary>
public enum ZnodeChangeOutcome { Applied, Conflict, Failed, Refused, Unchanged }

/// <summary>
/// One attempted change to a znode, whatever its outcome: who, when, where, versions and sizes before and after.
/// Immutable, so the audit log can keep it as given. The value and ACL summaries (<see cref="ZnodeValueSummary"/>)
/// of "before" are read from ZooKeeper, never taken from the submitted form.
/// </summary>
public sealed record ZnodeChange(
    string ClusterId,
    string Actor,
    DateTimeOffset At,
    ZnodeChangeKind Kind,
    string Path,
    int? VersionBefore,
    int? VersionAfter,
    int? SizeBefore,
    int? SizeAfter,
    ZnodeChangeOutcome Outcome,
    string? Detail = null)
{
    public string? ValueBefore { get; init; }
    public string? ValueAfter { get; init; }
    public string? AclBefore { get; init; }
    public string? AclAfter { get; init; }

    /// <summary>Every path a recursive delete or an import touched (or would have), in order.</summary>
    public IReadOnlyList<string>? Paths { get; init; }
}

/// <summary>Where every znode change goes; the audit log will implement it.</summary>
public interface IZnodeChangeRecorder
{
    ValueTask RecordAsync(ZnodeChange change, CancellationToken cancellationToken = default);
}

/// <summary>Keeps the latest changes in memory until the audit log takes over (bounded: the oldest fall off).</summary>
public sealed class InMemoryZnodeChangeRecorder : IZnodeChangeRecorder
{
    public const int Capacity = 1_000;
    private readonly Queue<ZnodeChange> _changes = new();
    private readonly Lock _gate = new();

    public ValueTask RecordAsync(ZnodeChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_gate)
        {
            _changes.Enqueue(change);
            while (_changes.Count > Capacity) _changes.Dequeue();
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>The recorded changes, oldest first.</summary>
    public IReadOnlyList<ZnodeChange> Changes
    {
        get
        {
            lock (_gate) return _changes.ToList();
        }
    }
}
