namespace Dashboard.Core.Znodes;

public enum ZnodeChangeKind { Create, SetData, Delete, DeleteRecursive, SetAcl, Import }

public enum ZnodeChangeOutcome { Applied, Conflict, Failed, Refused }

/// <summary>
/// One attempted change to a znode, whatever its outcome: who, when, where, versions and sizes before and after.
/// Immutable, so the audit log can keep it as given.
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
    string? Detail = null);

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
