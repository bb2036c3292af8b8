using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using Dapper;
using Npgsql;

namespace Dashboard.Core.History;

/// <summary>
/// History in a PostgreSQL database that several dashboard replicas share. The connection string is a secret: it
/// is only handed to Npgsql; what the dashboard shows or logs is <see cref="Location"/> (server, port, database).
/// </summary>
internal sealed class PostgresHistoryProvider : HistoryProvider, IDisposable
{
    /// <summary>The session advisory lock that migrations run under, so the first replica to start applies them and the others wait.</summary>
    internal const long SchemaLockKey = 0x7A6B_6461_7368_0001; // "zkdash" + 1

    // Every table the store keeps, for the size bound's estimate.
    private static readonly string[] Tables =
    [
        "events", "snapshots", "snapshot_nodes", "node_metrics", "node_metrics_downsampled", "api_tokens", "audit_log",
        "maintenance_runs", "maintenance_steps", "maintenance_log", "maintenance_locks", "kafka_snapshots", "sessions",
        "cluster_leases", "data_protection_keys", "installation",
    ];

    private readonly NpgsqlDataSource _dataSource;

    public PostgresHistoryProvider(HistoryOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
            throw new ArgumentException("History:Provider is 'postgres' but History:ConnectionString is empty.");
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        }
        catch (ArgumentException)
        {
            // Npgsql's message quotes the string it could not parse; never repeat the secret.
            throw new ArgumentException("History:ConnectionString is not a valid PostgreSQL connection string.");
        }
        var given = options.ConnectionString;
        // A database that does not answer must degrade history within seconds, as a locked SQLite file does.
        if (!given.Contains("Timeout", StringComparison.OrdinalIgnoreCase)) builder.Timeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds));
        if (!given.Contains("Command Timeout", StringComparison.OrdinalIgnoreCase)) builder.CommandTimeout = 60;
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "zk-dashboard";
        Location = $"PostgreSQL {builder.Host}:{builder.Port.ToString(CultureInfo.InvariantCulture)}/{builder.Database}";
        _dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
    }

    public override string Name => PostgresName;
    public override string Location { get; }
    public override bool MayHoldData => true;
    public override bool IsShared => true;

    public override DbConnection Open(bool readOnly = false) => _dataSource.OpenConnection();

    internal override int MigrateTo(int upTo)
    {
        using var connection = _dataSource.OpenConnection();
        connection.Execute("SELECT pg_advisory_lock(@Key)", new { Key = SchemaLockKey });
        try
        {
            connection.Execute("CREATE TABLE IF NOT EXISTS history_schema (version INTEGER PRIMARY KEY, applied_ms BIGINT NOT NULL)");
            var version = connection.ExecuteScalar<int>("SELECT COALESCE(MAX(version), 0) FROM history_schema");
            foreach (var migration in PostgresSchema.Migrations.Where(m => m.Version > version && m.Version <= upTo).OrderBy(m => m.Version))
            {
                using var transaction = connection.BeginTransaction();
                connection.Execute(migration.Sql, transaction: transaction);
                connection.Execute("INSERT INTO history_schema (version, applied_ms) VALUES (@Version, @At)",
                    new { migration.Version, At = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }, transaction);
                transaction.Commit();
                version = migration.Version;
            }
            return version;
        }
        finally
        {
            // A broken connection has lost the lock with its session already; only a working one needs to let go.
            if (connection.State == System.Data.ConnectionState.Open) connection.Execute("SELECT pg_advisory_unlock(@Key)", new { Key = SchemaLockKey });
        }
    }

    /// <summary>
    /// An estimate of the live rows' bytes, not the files' size: PostgreSQL reuses the space of deleted rows
    /// (autovacuum) but does not hand it back, so the files stay at their high-water mark, and a bound on them would
    /// go on deleting for ever. Rows times their sampled width (plus the tuple header), times the share its
    /// indexes add; the counts see the prune's own deletes, so its rounds stop once under the bound.
    /// </summary>
    public override long UsedBytes(DbConnection connection, DbTransaction? transaction = null)
    {
        const int TupleOverhead = 28; // heap tuple header and line pointer
        double total = 0;
        foreach (var table in Tables)
        {
            // A row's sampled width already holds its TOASTed (large, compressed) values; the indexes come on top.
            var row = connection.QuerySingle<(long Rows, double? Width, long Table, long Indexes)>(
                $"""
                SELECT (SELECT COUNT(*) FROM {table}),
                       (SELECT AVG(pg_column_size(s.*))::float8 FROM (SELECT * FROM {table} LIMIT 1000) s),
                       pg_table_size('{table}'), pg_indexes_size('{table}')
                """, transaction: transaction);
            var overhead = row.Table > 0 ? Math.Clamp(1 + (double)row.Indexes / row.Table, 1, 3) : 1;
            total += row.Rows * ((row.Width ?? 0) + TupleOverhead) * overhead;
        }
        return (long)total;
    }

    public override bool IsRefusedWrite(Exception exception) =>
        exception is PostgresException e && e.SqlState is not PostgresErrorCodes.UndefinedTable && e.SqlState[..2] is "22" or "23" or "42";

    public override bool IsUnavailable(Exception exception) =>
        exception is NpgsqlException or TimeoutException or SocketException && !IsRefusedWrite(exception);

    public override bool IsMissingTable(Exception exception) => exception is PostgresException { SqlState: PostgresErrorCodes.UndefinedTable };

    public override string Describe(Exception exception) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.DiskFull } => $"The {Location} history database is out of disk space; history is kept in memory until space is freed.",
        PostgresException { SqlState: PostgresErrorCodes.ReadOnlySqlTransaction } => $"The {Location} history database is read-only (a standby?); history is kept in memory until it can be written.",
        PostgresException e when e.SqlState.StartsWith("28", StringComparison.Ordinal) => $"The {Location} history database refused the dashboard's credentials ({e.SqlState}); retrying.",
        PostgresException e => $"The {Location} history database cannot be written ({e.SqlState}: {e.MessageText}); history is kept in memory until it can be.",
        _ => $"The {Location} history database cannot be reached ({exception.Message}); history is kept in memory until it answers.",
    };

    public override string Upsert(string table, string columns, string key, string source)
    {
        var keys = key.Split(',', StringSplitOptions.TrimEntries);
        var updates = columns.Split(',', StringSplitOptions.TrimEntries).Where(c => !keys.Contains(c)).Select(c => $"{c} = EXCLUDED.{c}");
        return $"INSERT INTO {table} ({columns}) {source} ON CONFLICT ({key}) DO UPDATE SET {string.Join(", ", updates)}";
    }

    public override string InsertIgnore(string table, string columns, string source) => $"INSERT INTO {table} ({columns}) {source} ON CONFLICT DO NOTHING";

    public override string Greatest(string a, string b) => $"GREATEST({a}, {b})";

    public override string InList(string column, string parameter) => $"{column} = ANY({parameter})";

    public override void LockForTransaction(DbConnection connection, DbTransaction transaction, string key) =>
        connection.Execute("SELECT pg_advisory_xact_lock(hashtextextended(@Key, 0))", new { Key = key }, transaction);

    public override bool TryLockForTransaction(DbConnection connection, DbTransaction transaction, string key) =>
        connection.ExecuteScalar<bool>("SELECT pg_try_advisory_xact_lock(hashtextextended(@Key, 0))", new { Key = key }, transaction);

    public override string ToString() => Location;

    public void Dispose() => _dataSource.Dispose();
}
