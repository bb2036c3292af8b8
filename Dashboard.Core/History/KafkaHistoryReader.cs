using System.Text.Json;
using Dapper;

namespace Dashboard.Core.History;

/// <summary>Kafka's part of the history: the stored summary at a past time, and the stored controller terms.</summary>
public sealed class KafkaHistoryReader(HistoryDatabase database)
{
    /// <summary>The last Kafka summary stored at or before <paramref name="at"/>; null when none (or unreadable).</summary>
    public async Task<KafkaSummary?> SummaryAtAsync(string clusterId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        if (!database.MayHoldData) return null;
        using var connection = database.Open(readOnly: true);
        try
        {
            var json = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
                "SELECT json FROM kafka_snapshots WHERE cluster_id = @clusterId AND at_ms <= @at ORDER BY at_ms DESC, id DESC LIMIT 1",
                new { clusterId, at = HistoryWrite.Ms(at) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return json is null ? null : JsonSerializer.Deserialize<KafkaSummary>(json, EnsembleHistoryRecorder.SnapshotJson);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (Exception e) when (database.Provider.IsMissingTable(e))
        {
            // A database not yet migrated to the Kafka table (the writer migrates at start): nothing stored yet.
            return null;
        }
    }

    /// <summary>The czxid of the newest stored controller term, so a restarted dashboard does not store it twice.</summary>
    public async Task<long?> LastControllerCzxidAsync(string clusterId, CancellationToken cancellationToken = default)
    {
        if (!database.MayHoldData) return null;
        using var connection = database.Open(readOnly: true);
        var data = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT data_json FROM events WHERE cluster_id = @clusterId AND kind = 'controller-changed' ORDER BY at_ms DESC, id DESC LIMIT 1",
            new { clusterId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (data is null) return null;
        try
        {
            using var doc = JsonDocument.Parse(data);
            return doc.RootElement.TryGetProperty("czxid", out var czxid) && czxid.TryGetInt64(out var value) ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
