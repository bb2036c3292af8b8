namespace Dashboard.Core.Maintenance;

/// <summary>
/// The columns every kind of run has in its <c>{kind}_runs</c> table, as Dapper reads them; a kind's row adds its
/// own. Times are Unix milliseconds, as everywhere in the history database.
/// </summary>
internal class RunRow
{
    /// <summary>A log line longer than this is cut: a command's output must not grow the database without bound.</summary>
    public const int MaxLogMessage = 8_000;

    public const string Columns =
        "id AS Id, cluster_id AS ClusterId, state AS State, started_by AS StartedBy, created_ms AS CreatedMs, updated_ms AS UpdatedMs, finished_ms AS FinishedMs, current_step AS CurrentStep, pause_reason AS PauseReason";

    public string Id { get; set; } = "";
    public string ClusterId { get; set; } = "";
    public string State { get; set; } = "";
    public string StartedBy { get; set; } = "";
    public long CreatedMs { get; set; }
    public long UpdatedMs { get; set; }
    public long? FinishedMs { get; set; }
    public long CurrentStep { get; set; }
    public string? PauseReason { get; set; }

    public static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    public static long? Ms(DateTimeOffset? at) => at?.ToUnixTimeMilliseconds();

    public static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static DateTimeOffset? At(long? ms) => ms is { } m ? At(m) : null;
}
