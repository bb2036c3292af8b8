namespace Dashboard.Core.History;

/// <summary>
/// Decides which polls become stored snapshots: one whose fingerprint (what matters of it) differs from the last
/// stored one, or one after a heartbeat interval without change. Polls every 2 s; rows only when needed.
/// </summary>
public sealed class SnapshotThrottle(TimeSpan heartbeat)
{
    private readonly Dictionary<string, (string Fingerprint, DateTimeOffset At)> _last = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Returns the reason to store (<c>change</c>, <c>heartbeat</c>) or null to skip this poll.</summary>
    public string? ShouldStore(string clusterId, string fingerprint, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (!_last.TryGetValue(clusterId, out var last)) { _last[clusterId] = (fingerprint, at); return "change"; }
            if (!string.Equals(last.Fingerprint, fingerprint, StringComparison.Ordinal)) { _last[clusterId] = (fingerprint, at); return "change"; }
            if (at - last.At >= heartbeat) { _last[clusterId] = (fingerprint, at); return "heartbeat"; }
            return null;
        }
    }

    /// <summary>Forgets a cluster (another replica writes it now), so its next recorded poll is stored in full.</summary>
    public void Forget(string clusterId)
    {
        lock (_gate) _last.Remove(clusterId);
    }
}
