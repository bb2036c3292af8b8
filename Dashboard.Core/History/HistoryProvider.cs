using System.Data.Common;

namespace Dashboard.Core.History;

/// <summary>
/// The seam between the history store and the database that holds it: connections, schema, size, and how a
/// failure reads (the database's state, which a retry may cure, or a write's content, which it never will). The
/// stores above it (writer, readers, sessions, tokens, audit, maintenance) write one SQL for both, with the few
/// dialect differences asked of <see cref="HistoryProvider"/>.
/// </summary>
public abstract class HistoryProvider
{
    public const string SqliteName = "sqlite";
    public const string PostgresName = "postgres";

    public abstract string Name { get; }

    /// <summary>Where history is kept, fit for a log line or a page: a file path, or a server and database without credentials.</summary>
    public abstract string Location { get; }

    /// <summary>False while nothing was ever written (no SQLite file yet): readers answer empty without creating it.</summary>
    public abstract bool MayHoldData { get; }

    /// <summary>Whether another process may write the same database (replicas); SQLite is one dashboard's file.</summary>
    public abstract bool IsShared { get; }

    public abstract DbConnection Open(bool readOnly = false);

    /// <summary>Creates or upgrades the schema; returns the version it is at. Safe to call again and from several processes.</summary>
    public int Migrate() => MigrateTo(int.MaxValue);

    /// <summary>Applies the migrations up to <paramref name="upTo"/> only (tests start from an old schema with it).</summary>
    internal abstract int MigrateTo(int upTo);

    /// <summary>Bytes the history takes, compared with <c>History:MaxDatabaseBytes</c>.</summary>
    public abstract long UsedBytes(DbConnection connection, DbTransaction? transaction = null);

    /// <summary>After a prune: hand freed space back (SQLite's incremental vacuum; PostgreSQL's autovacuum does it itself).</summary>
    public virtual void AfterPrune(DbConnection connection) { }

    /// <summary>The database refused a write for what it holds (a constraint, a bad value): retrying would block the queue for ever.</summary>
    public abstract bool IsRefusedWrite(Exception exception);

    /// <summary>The database cannot be used now (down, full, locked, read-only): writes wait and are retried.</summary>
    public abstract bool IsUnavailable(Exception exception);

    /// <summary>A reader found the schema not yet made (the writer migrates at start): nothing stored yet.</summary>
    public abstract bool IsMissingTable(Exception exception);

    /// <summary>What the degraded banner says for an unavailable database.</summary>
    public abstract string Describe(Exception exception);

    /// <summary>Opening failed because the database is damaged: set it aside and start anew; returns the note to show, or null when not this case.</summary>
    public virtual string? RecoverFromCorruption(Exception exception, DateTimeOffset now) => null;

    /// <summary><c>INSERT</c> that replaces the row with the same key: <paramref name="source"/> is a <c>VALUES (...)</c> or a <c>SELECT</c>.</summary>
    public abstract string Upsert(string table, string columns, string key, string source);

    /// <summary><c>INSERT</c> that leaves an existing row with the same key alone.</summary>
    public abstract string InsertIgnore(string table, string columns, string source);

    /// <summary>The larger of two values (SQLite's two-argument <c>MAX</c>, PostgreSQL's <c>GREATEST</c>).</summary>
    public abstract string Greatest(string a, string b);

    /// <summary>A membership test against a list parameter (Dapper expands lists for SQLite and passes an array to PostgreSQL).</summary>
    public abstract string InList(string column, string parameter);

    /// <summary>
    /// Serializes a transaction with every other one that names the same key, across processes (PostgreSQL's
    /// transaction advisory lock). SQLite's write transactions are serialized already.
    /// </summary>
    public virtual void LockForTransaction(DbConnection connection, DbTransaction transaction, string key) { }

    /// <summary>As <see cref="LockForTransaction"/> without waiting: false when another transaction holds the key.</summary>
    public virtual bool TryLockForTransaction(DbConnection connection, DbTransaction transaction, string key) => true;

    public static HistoryProvider For(HistoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Provider.Trim().ToLowerInvariant() switch
        {
            SqliteName => new SqliteHistoryProvider(options),
            PostgresName or "postgresql" => new PostgresHistoryProvider(options),
            _ => throw new ArgumentException($"History:Provider '{options.Provider}' is unknown: use '{SqliteName}' or '{PostgresName}'."),
        };
    }
}
