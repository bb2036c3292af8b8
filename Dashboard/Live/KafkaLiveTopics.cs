using System.Globalization;
using Dashboard.Core.Kafka;

namespace Dashboard.Live;

/// <summary>Live topics of the Kafka pages. An ISR view's topic carries its filters, so each open view gets its own page of rows.</summary>
internal static class KafkaLiveTopics
{
    public static string Overview(string clusterId) => $"kafka:{clusterId}";

    public static string Isr(string clusterId, string topic, PartitionQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var broker = query.Broker?.ToString(CultureInfo.InvariantCulture) ?? "any";
        return string.Create(CultureInfo.InvariantCulture,
            $"kafka-isr:{clusterId}:{topic}:b{broker}:{(query.ProblemsOnly ? "problems" : "all")}{(query.Reassigning == true ? "-reassigning" : "")}:p{query.Page}:n{query.PageSize}");
    }
}
