using Dapper;
using Microsoft.Data.Sqlite;

namespace Dashboard.Core.History;

/// <summary>
/// Opens the SQLite history file with the settings every connection needs (WAL, busy timeout, foreign keys) and
/// brings its schema up to date. Migrations are numbered, run in one transaction each, and skipped once applied,
/// so running them again is harmless.
/// </summary>
public sealed class HistoryDatabase
{
    // The writer and synchronous stores (maintenance) may both migrate at start; one at a time, or both would apply
    // the same migration.
    private static readonly Lock MigrationGate = new();

    public HistoryDatabase(HistoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    public HistoryOptions Options { get; }

    public string Path => Options.DatabasePath;

    public SqliteConnection Open(bool readOnly = false)
    {
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        if (!string.IsNullOrEmpty(folder) && !readOnly) Directory.CreateDirectory(folder);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
            // Microsoft.Data.Sqlite retries a busy database itself until this command timeout (30 s by default),
            // on top of SQLite's busy_timeout; bound it so a locked file degrades history within seconds.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(Options.BusyTimeout.TotalSeconds)),
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            connection.Execute($"PRAGMA busy_timeout = {(int)Options.BusyTimeout.TotalMilliseconds}; PRAGMA foreign_keys = ON;");
            if (!readOnly) connection.Execute("PRAGMA synchronous = NORMAL;");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Creates or upgrades the schema; returns the version it is at.</summary>
    public int Migrate()
    {
        lock (MigrationGate) return MigrateCore();
    }

    private int MigrateCore()
    {
        using var connection = Open();
        // WAL lets the UI read while the writer writes; it survives a kill -9 (the log is replayed on open).
        connection.ExecuteScalar<string>("PRAGMA journal_mode = WAL;");
        var version = connection.ExecuteScalar<int>("PRAGMA user_version;");
        if (version == 0) connection.Execute("PRAGMA auto_vacuum = INCREMENTAL; VACUUM;");
        foreach (var migration in HistorySchema.Migrations.Where(m => m.Version > version).OrderBy(m => m.Version))
        {
            using var transaction = connection.BeginTransaction();
            connection.Execute(migration.Sql, transaction: transaction);
            connection.Execute($"PRAGMA user_version = {migration.Version};", transaction: transaction);
            transaction.Commit();
            version = migration.Version;
        }
        return version;
    }
}
