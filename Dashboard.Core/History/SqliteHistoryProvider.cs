using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Dashboard.Core.History;

/// <summary>
/// One dashboard's history in a SQLite file, opened with the settings every connection needs (WAL, busy timeout,
/// foreign keys). Migrations are numbered, run in one transaction each, and skipped once applied.
/// </summary>
internal sealed class SqliteHistoryProvider(HistoryOptions options) : HistoryProvider
{
    // The writer and synchronous stores (maintenance) may both migrate at start; one at a time, or both would apply
    // the same migration.
    private static readonly Lock MigrationGate = new();

    public override string Name => SqliteName;
    public override string Location => options.DatabasePath;
    public override bool MayHoldData => File.Exists(options.DatabasePath);
    public override bool IsShared => false;

    public override DbConnection Open(bool readOnly = false)
    {
        var path = options.DatabasePath;
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder) && !readOnly) Directory.CreateDirectory(folder);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
            // Microsoft.Data.Sqlite retries a busy database itself until this command timeout (30 s by default),
            // on top of SQLite's busy_timeout; bound it so a locked file degrades history within seconds.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            connection.Execute($"PRAGMA busy_timeout = {(int)options.BusyTimeout.TotalMilliseconds}; PRAGMA foreign_keys = ON;");
            if (!readOnly) connection.Execute("PRAGMA synchronous = NORMAL;");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    internal override int MigrateTo(int upTo)
    {
        lock (MigrationGate)
        {
            using var connection = Open();
            // WAL lets the UI read while the writer writes; it survives a kill -9 (the log is replayed on open).
            connection.ExecuteScalar<string>("PRAGMA journal_mode = WAL;");
            var version = connection.ExecuteScalar<int>("PRAGMA user_version;");
            if (version == 0) connection.Execute("PRAGMA auto_vacuum = INCREMENTAL; VACUUM;");
            foreach (var migration in HistorySchema.Migrations.Where(m => m.Version > version && m.Version <= upTo).OrderBy(m => m.Version))
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

    /// <summary>Bytes held by live pages: the file size less its free pages, which deletes create and a vacuum returns.</summary>
    public override long UsedBytes(DbConnection connection, DbTransaction? transaction = null)
    {
        var pageSize = connection.ExecuteScalar<long>("PRAGMA page_size", transaction: transaction);
        var pages = connection.ExecuteScalar<long>("PRAGMA page_count", transaction: transaction);
        var free = connection.ExecuteScalar<long>("PRAGMA freelist_count", transaction: transaction);
        return (pages - free) * pageSize;
    }

    public override void AfterPrune(DbConnection connection) => connection.Execute("PRAGMA incremental_vacuum;");

    public override bool IsRefusedWrite(Exception exception) => exception is SqliteException e && !IsRetryable(e);

    public override bool IsUnavailable(Exception exception) =>
        exception is SqliteException e ? IsRetryable(e) : exception is IOException or UnauthorizedAccessException;

    public override bool IsMissingTable(Exception exception) => exception is SqliteException { SqliteErrorCode: SqliteCodes.Error };

    public override string Describe(Exception e) => e is SqliteException { SqliteErrorCode: SqliteCodes.ReadOnly } || IsFileReadOnly()
        ? $"The history database {Location} is read-only; history is kept in memory until it can be written."
        : e switch
        {
            SqliteException { SqliteErrorCode: SqliteCodes.Full } => $"The disk holding {Location} is full; history is kept in memory until space is freed.",
            SqliteException { SqliteErrorCode: SqliteCodes.Busy or SqliteCodes.Locked } => $"The history database {Location} is locked by another process; retrying.",
            SqliteException { SqliteErrorCode: SqliteCodes.CantOpen or SqliteCodes.Permission } => $"The history database {Location} cannot be opened ({e.Message}); retrying.",
            SqliteException { SqliteErrorCode: SqliteCodes.Corrupt or SqliteCodes.NotADatabase } => $"The history database {Location} is corrupt ({e.Message}).",
            _ => $"History cannot be written to {Location}: {e.Message}",
        };

    public override string? RecoverFromCorruption(Exception exception, DateTimeOffset now)
    {
        if (exception is not SqliteException { SqliteErrorCode: SqliteCodes.Corrupt or SqliteCodes.NotADatabase }) return null;
        var path = options.DatabasePath;
        var aside = $"{path}.corrupt-{now:yyyyMMddHHmmss}";
        File.Move(path, aside, overwrite: true);
        foreach (var suffix in new[] { "-wal", "-shm" })
            if (File.Exists(path + suffix)) File.Move(path + suffix, aside + suffix, overwrite: true);
        return $"The history database was corrupt; it was moved to {aside} and a new one was started.";
    }

    public override string Upsert(string table, string columns, string key, string source) => $"INSERT OR REPLACE INTO {table} ({columns}) {source}";

    public override string InsertIgnore(string table, string columns, string source) => $"INSERT OR IGNORE INTO {table} ({columns}) {source}";

    public override string Greatest(string a, string b) => $"MAX({a}, {b})";

    public override string InList(string column, string parameter) => $"{column} IN {parameter}";

    private static bool IsRetryable(SqliteException e) => e.SqliteErrorCode is SqliteCodes.Busy or SqliteCodes.Locked or SqliteCodes.ReadOnly
        or SqliteCodes.IoError or SqliteCodes.Corrupt or SqliteCodes.Full or SqliteCodes.CantOpen or SqliteCodes.NotADatabase
        or SqliteCodes.Permission or SqliteCodes.Protocol;

    // SQLite reports a file that became unwritable under an open connection as a generic I/O error; ask the file itself.
    private bool IsFileReadOnly()
    {
        try
        {
            if (!File.Exists(options.DatabasePath)) return false;
            using var probe = new FileStream(options.DatabasePath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            return false;
        }
        catch (UnauthorizedAccessException) { return true; }
        catch (IOException) { return true; }
    }
}

/// <summary>SQLite's primary result codes that the store tells apart.</summary>
internal static class SqliteCodes
{
    public const int Error = 1;
    public const int Permission = 3;
    public const int Busy = 5;
    public const int Locked = 6;
    public const int ReadOnly = 8;
    public const int IoError = 10;
    public const int Corrupt = 11;
    public const int Full = 13;
    public const int CantOpen = 14;
    public const int Protocol = 15;
    public const int NotADatabase = 26;
}
