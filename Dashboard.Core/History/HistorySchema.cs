namespace Dashboard.Core.History;

/// <summary>The schema as a list of numbered migrations. Append new ones; never edit an applied one.</summary>
internal static class HistorySchema
{
    public sealed record Migration(int Version, string Sql);

    public static int CurrentVersion => Migrations[^1].Version;

    public static readonly IReadOnlyList<Migration> Migrations =
    [
        new(1, """
            CREATE TABLE events (
                id INTEGER PRIMARY KEY,
                cluster_id TEXT NOT NULL,
                at_ms INTEGER NOT NULL,
                kind TEXT NOT NULL,
                subject TEXT,
                summary TEXT NOT NULL,
                data_json TEXT
            );
            CREATE INDEX events_by_cluster_time ON events (cluster_id, at_ms);
            CREATE INDEX events_by_kind ON events (cluster_id, kind, at_ms);

            CREATE TABLE snapshots (
                id INTEGER PRIMARY KEY,
                cluster_id TEXT NOT NULL,
                at_ms INTEGER NOT NULL,
                reason TEXT NOT NULL,
                leader_id TEXT,
                json TEXT NOT NULL
            );
            CREATE INDEX snapshots_by_cluster_time ON snapshots (cluster_id, at_ms);

            CREATE TABLE snapshot_nodes (
                snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
                node_id TEXT NOT NULL,
                address TEXT NOT NULL,
                role TEXT NOT NULL,
                zxid INTEGER,
                error TEXT,
                PRIMARY KEY (snapshot_id, node_id)
            ) WITHOUT ROWID;
            """),
        new(2, """
            CREATE TABLE node_metrics (
                cluster_id TEXT NOT NULL,
                node_id TEXT NOT NULL,
                at_ms INTEGER NOT NULL,
                latency_avg REAL, latency_max REAL,
                outstanding INTEGER, connections INTEGER, znodes INTEGER, watches INTEGER,
                PRIMARY KEY (cluster_id, node_id, at_ms)
            ) WITHOUT ROWID;

            -- Downsampled buckets: averages, except latency_max which keeps the worst of the bucket.
            CREATE TABLE node_metrics_downsampled (
                cluster_id TEXT NOT NULL,
                node_id TEXT NOT NULL,
                bucket_ms INTEGER NOT NULL,
                samples INTEGER NOT NULL,
                latency_avg REAL, latency_max REAL,
                outstanding REAL, connections REAL, znodes REAL, watches REAL,
                PRIMARY KEY (cluster_id, node_id, bucket_ms)
            ) WITHOUT ROWID;
            """),
        // API tokens: only the SHA-256 of a token is kept; the token itself is shown once when created.
        new(3, """
            CREATE TABLE api_tokens (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                sha256 TEXT NOT NULL UNIQUE,
                created_by TEXT NOT NULL,
                created_ms INTEGER NOT NULL,
                revoked_by TEXT,
                revoked_ms INTEGER
            );
            """),
        new(4, """
            CREATE TABLE audit_log (
                id INTEGER PRIMARY KEY,
                at_ms INTEGER NOT NULL,
                user_name TEXT NOT NULL,
                address TEXT,
                action TEXT NOT NULL,
                target TEXT,
                outcome TEXT NOT NULL,
                before_json TEXT,
                after_json TEXT,
                detail TEXT
            );
            CREATE INDEX audit_log_by_time ON audit_log (at_ms);
            CREATE INDEX audit_log_by_user ON audit_log (user_name, at_ms);
            CREATE INDEX audit_log_by_action ON audit_log (action, at_ms);
            """),
        // Maintenance runs: written synchronously (not through the write queue) because a step must be on disk
        // before it acts. The lock row is one active run per cluster; it survives a restart and goes when the run ends.
        new(5, """
            CREATE TABLE maintenance_runs (
                id TEXT PRIMARY KEY,
                cluster_id TEXT NOT NULL,
                operation TEXT NOT NULL,
                state TEXT NOT NULL,
                started_by TEXT NOT NULL,
                created_ms INTEGER NOT NULL,
                updated_ms INTEGER NOT NULL,
                finished_ms INTEGER,
                current_step INTEGER NOT NULL,
                pause_reason TEXT,
                held INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX maintenance_runs_by_cluster ON maintenance_runs (cluster_id, created_ms);
            CREATE TABLE maintenance_steps (
                run_id TEXT NOT NULL REFERENCES maintenance_runs (id) ON DELETE CASCADE,
                idx INTEGER NOT NULL,
                action TEXT NOT NULL,
                node_id INTEGER NOT NULL,
                node TEXT NOT NULL,
                observer INTEGER NOT NULL,
                control TEXT NOT NULL,
                state TEXT NOT NULL,
                action_started_ms INTEGER,
                action_finished_ms INTEGER,
                action_succeeded INTEGER,
                finished_ms INTEGER,
                zxid_before INTEGER,
                outcome TEXT,
                PRIMARY KEY (run_id, idx)
            ) WITHOUT ROWID;
            CREATE TABLE maintenance_log (
                id INTEGER PRIMARY KEY,
                run_id TEXT NOT NULL REFERENCES maintenance_runs (id) ON DELETE CASCADE,
                at_ms INTEGER NOT NULL,
                level TEXT NOT NULL,
                message TEXT NOT NULL
            );
            CREATE INDEX maintenance_log_by_run ON maintenance_log (run_id, id);
            CREATE TABLE maintenance_locks (
                cluster_id TEXT PRIMARY KEY,
                run_id TEXT NOT NULL,
                acquired_ms INTEGER NOT NULL
            );
            """),
        // Kafka summaries: brokers, controller and problem partitions only.
        new(6, """
            CREATE TABLE IF NOT EXISTS kafka_snapshots (
                id INTEGER PRIMARY KEY,
                cluster_id TEXT NOT NULL,
                at_ms INTEGER NOT NULL,
                reason TEXT NOT NULL,
                controller_id INTEGER,
                json TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS kafka_snapshots_by_cluster_time ON kafka_snapshots (cluster_id, at_ms);
            """),
        // Sign-in sessions known to the server: the cookie only carries the id, so signing out or a revocation
        // ends the session for every copy of the cookie. Ended rows stay for a while for the admin page.
        new(7, """
            CREATE TABLE IF NOT EXISTS sessions (
                id TEXT PRIMARY KEY,
                user_name TEXT NOT NULL,
                role TEXT NOT NULL,
                address TEXT,
                created_ms INTEGER NOT NULL,
                last_seen_ms INTEGER NOT NULL,
                ended_ms INTEGER,
                ended_by TEXT,
                end_reason TEXT
            );
            CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_name, created_ms);
            """),
        // Replicas sharing one database (PostgreSQL): which replica writes each cluster's history (a lease with an
        // expiry and an epoch that fences the writes of a holder that lost it), the cookie keys, this installation's id.
        new(8, """
            CREATE TABLE IF NOT EXISTS cluster_leases (
                cluster_id TEXT PRIMARY KEY,
                holder TEXT NOT NULL,
                epoch INTEGER NOT NULL,
                expires_ms INTEGER NOT NULL,
                acquired_ms INTEGER NOT NULL
            );
            CREATE TABLE IF NOT EXISTS data_protection_keys (
                name TEXT PRIMARY KEY,
                xml TEXT NOT NULL,
                created_ms INTEGER NOT NULL
            );
            CREATE TABLE IF NOT EXISTS installation (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            """),
        // Membership changes (reconfig runs): like maintenance runs, each step is saved as started before its reconfig,
        // with the config version it names and the one it produced, so a resume can tell whether it happened. The
        // cluster's lock is the maintenance lock (maintenance_locks): one change, restart or roll at a time.
        new(9, """
            CREATE TABLE IF NOT EXISTS membership_runs (
                id TEXT PRIMARY KEY,
                cluster_id TEXT NOT NULL,
                state TEXT NOT NULL,
                started_by TEXT NOT NULL,
                change_json TEXT NOT NULL,
                created_ms INTEGER NOT NULL,
                updated_ms INTEGER NOT NULL,
                finished_ms INTEGER,
                current_step INTEGER NOT NULL,
                pause_reason TEXT,
                settings_update TEXT
            );
            CREATE INDEX IF NOT EXISTS membership_runs_by_cluster ON membership_runs (cluster_id, created_ms);
            CREATE TABLE IF NOT EXISTS membership_steps (
                run_id TEXT NOT NULL REFERENCES membership_runs (id) ON DELETE CASCADE,
                idx INTEGER NOT NULL,
                kind TEXT NOT NULL,
                server_ids TEXT NOT NULL,
                joining TEXT,
                leaving TEXT,
                voters_before TEXT NOT NULL,
                voters_after TEXT NOT NULL,
                state TEXT NOT NULL,
                from_version INTEGER,
                to_version INTEGER,
                started_ms INTEGER,
                finished_ms INTEGER,
                outcome TEXT,
                PRIMARY KEY (run_id, idx)
            );
            CREATE TABLE IF NOT EXISTS membership_log (
                id INTEGER PRIMARY KEY,
                run_id TEXT NOT NULL REFERENCES membership_runs (id) ON DELETE CASCADE,
                at_ms INTEGER NOT NULL,
                level TEXT NOT NULL,
                message TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS membership_log_by_run ON membership_log (run_id, id);
            """),
        // Replicas' shared live state (PostgreSQL; see PostgresSchema). One dashboard on SQLite polls every cluster
        // itself and never fills it: the table is here so both dialects keep the same numbers and tables.
        new(10, """
            CREATE TABLE IF NOT EXISTS live_snapshots (
                cluster_id TEXT PRIMARY KEY,
                holder TEXT NOT NULL,
                epoch INTEGER NOT NULL,
                taken_ms INTEGER NOT NULL,
                version INTEGER NOT NULL,
                json TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS live_snapshots_by_version ON live_snapshots (version);
            """),
    ];
}
