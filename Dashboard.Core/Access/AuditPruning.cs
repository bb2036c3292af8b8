using System.Data.Common;
using System.Globalization;
using Dapper;
using Dashboard.Core.History;

namespace Dashboard.Core.Access;

/// <summary>
/// The audit log's size bound (<c>History:MaxAuditRows</c>): above it the oldest anonymous refusals go first, and
/// only when those are not enough the oldest other rows. Nothing goes silently: one <c>audit-pruned</c> row says
/// how many rows of which actions, from when to when, were dropped.
/// </summary>
internal static class AuditPruning
{
    public const string Action = "audit-pruned";

    public static void Apply(DbConnection connection, DbTransaction transaction, int maxRows, DateTimeOffset now)
    {
        var count = connection.ExecuteScalar<long>("SELECT COUNT(*) FROM audit_log", transaction: transaction);
        if (count <= maxRows) return;
        var excess = count - maxRows + 1; // room for the row that says what was dropped
        const string refusals = "SELECT id, at_ms, action FROM audit_log WHERE user_name = 'anonymous' AND outcome = 'denied' ORDER BY at_ms, id LIMIT @Limit";
        var droppedRefusals = Summary(connection, transaction, refusals, excess);
        connection.Execute($"DELETE FROM audit_log WHERE id IN (SELECT id FROM ({refusals}) AS dropped)", new { Limit = excess }, transaction);
        var rest = excess - droppedRefusals.Count;
        const string oldest = "SELECT id, at_ms, action FROM audit_log ORDER BY at_ms, id LIMIT @Limit";
        var droppedOthers = rest > 0 ? Summary(connection, transaction, oldest, rest) : Dropped.None;
        if (rest > 0) connection.Execute($"DELETE FROM audit_log WHERE id IN (SELECT id FROM ({oldest}) AS dropped)", new { Limit = rest }, transaction);

        var detail = $"the audit log keeps at most {maxRows.ToString(CultureInfo.InvariantCulture)} rows (History:MaxAuditRows): dropped "
            + (droppedRefusals.Count > 0 ? $"{droppedRefusals.Count} anonymous refusal(s) {droppedRefusals.Range}" : "no anonymous refusal")
            + (droppedOthers.Count > 0 ? $"; and, oldest first, {droppedOthers.Count} other row(s) {droppedOthers.Range}: {droppedOthers.Actions}" : "");
        connection.Execute(
            "INSERT INTO audit_log (at_ms, user_name, address, action, target, outcome, detail) VALUES (@At, 'dashboard', NULL, @Action, 'audit_log', 'succeeded', @Detail)",
            new { At = HistoryWrite.Ms(now), Action, Detail = detail }, transaction);
    }

    private static Dropped Summary(DbConnection connection, DbTransaction transaction, string rows, long limit)
    {
        var summary = connection.QuerySingle<(long Count, long? From, long? To)>($"SELECT COUNT(*), MIN(at_ms), MAX(at_ms) FROM ({rows}) AS dropped", new { Limit = limit }, transaction);
        if (summary.Count == 0) return Dropped.None;
        var actions = connection.Query<(string Action, long Count)>($"SELECT action, COUNT(*) FROM ({rows}) AS dropped GROUP BY action ORDER BY COUNT(*) DESC, action", new { Limit = limit }, transaction);
        return new Dropped((int)summary.Count, $"from {Time(summary.From)} to {Time(summary.To)}",
            string.Join(", ", actions.Select(a => $"{a.Action} {a.Count.ToString(CultureInfo.InvariantCulture)}")));
    }

    private static string Time(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v).ToString("u", CultureInfo.InvariantCulture) : "?";

    private sealed record Dropped(int Count, string Range, string Actions)
    {
        public static readonly Dropped None = new(0, "", "");
    }
}
