namespace Dashboard.Core.History;

/// <summary>Where history is kept and for how long. Bound from the <c>History</c> settings section.</summary>
public sealed record HistoryOptions
{
    /// <summary><c>sqlite</c> (one dashboard, a file) or <c>postgres</c> (a database several replicas share).</summary>
    public string Provider { get; init; } = HistoryProvider.SqliteName;

    /// <summary>The PostgreSQL connection string (<c>postgres</c> only). A secret: never shown or logged, not even by <see cref="ToString"/>.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>The SQLite file; its folder is created when missing.</summary>
    public string DatabasePath { get; init; } = Path.Combine(DefaultDataFolder, "history.db");

    /// <summary>An unchanged ensemble is still written this often, so "as of" always finds a recent row.</summary>
    public TimeSpan SnapshotHeartbeat { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan RawMetricsRetention { get; init; } = TimeSpan.FromDays(1);
    public TimeSpan DownsampledMetricsRetention { get; init; } = TimeSpan.FromDays(30);
    public TimeSpan DownsampleBucket { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan EventRetention { get; init; } = TimeSpan.FromDays(90);
    public TimeSpan SnapshotRetention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>The audit log is kept longest (who changed what is asked long after); not pruned by the file's size bound.</summary>
    public TimeSpan AuditRetention { get; init; } = TimeSpan.FromDays(400);

    /// <summary>Rows the audit log keeps at most; above it the oldest anonymous refusals go first, and a row says what was dropped.</summary>
    public int MaxAuditRows { get; init; } = 1_000_000;

    /// <summary>Above this size the oldest snapshots and metrics go first, whatever their age.</summary>
    public long MaxDatabaseBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Writes kept in memory while the database cannot be written; beyond this the oldest are dropped and counted.</summary>
    public int MaxPendingWrites { get; init; } = 200_000;

    public TimeSpan PruneInterval { get; init; } = TimeSpan.FromMinutes(10);

    public static string DefaultDataFolder =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create) is { Length: > 0 } local
            ? local : Path.GetTempPath(), "zk-dashboard");

    public bool IsPostgres => string.Equals(Provider?.Trim(), HistoryProvider.PostgresName, StringComparison.OrdinalIgnoreCase)
        || string.Equals(Provider?.Trim(), "postgresql", StringComparison.OrdinalIgnoreCase);

    // A record prints every property; the connection string may carry a password.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"Provider = {Provider}, DatabasePath = {DatabasePath}, ConnectionString = {(ConnectionString is null ? "(none)" : "(hidden)")}");
        return true;
    }

    public void Validate()
    {
        if (!IsPostgres && !string.Equals(Provider?.Trim(), HistoryProvider.SqliteName, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"History:Provider '{Provider}' is unknown: use '{HistoryProvider.SqliteName}' or '{HistoryProvider.PostgresName}'.");
        if (IsPostgres && string.IsNullOrWhiteSpace(ConnectionString))
            throw new ArgumentException("History:Provider is 'postgres' but History:ConnectionString is empty.");
        if (!IsPostgres && string.IsNullOrWhiteSpace(DatabasePath)) throw new ArgumentException("History:DatabasePath is empty: give a file path for the SQLite history.");
        if (RawMetricsRetention <= TimeSpan.Zero || DownsampledMetricsRetention <= TimeSpan.Zero || EventRetention <= TimeSpan.Zero || SnapshotRetention <= TimeSpan.Zero || AuditRetention <= TimeSpan.Zero)
            throw new ArgumentException("History retention periods must be positive.");
        if (DownsampleBucket < TimeSpan.FromSeconds(10)) throw new ArgumentException("History:DownsampleBucket must be at least 10 seconds.");
        if (MaxAuditRows < 1_000) throw new ArgumentException("History:MaxAuditRows must be at least 1000.");
        if (MaxDatabaseBytes < 16L * 1024 * 1024) throw new ArgumentException("History:MaxDatabaseBytes must be at least 16 MB.");
    }
}
