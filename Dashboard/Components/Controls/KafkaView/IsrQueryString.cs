using System.Globalization;
using Dashboard.Core.Kafka;

namespace Dashboard.Components.Controls.KafkaView;

/// <summary>
/// An ISR view's filters as they stand in the page's URL (the page reads them back with SupplyParameterFromQuery):
/// defaults are left out, so a plain link stays plain.
/// </summary>
internal static class IsrQueryString
{
    public static Dictionary<string, object?> Parameters(PartitionQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new()
        {
            ["topics"] = query.TopicPattern,
            ["problems"] = query.ProblemsOnly ? "true" : null,
            ["reassigning"] = query.Reassigning == true ? "true" : null,
            ["broker"] = query.Broker?.ToString(CultureInfo.InvariantCulture),
            ["sort"] = query.Sort == PartitionSort.Partition ? null : query.Sort.ToString().ToLowerInvariant(),
            ["page"] = query.Page > 1 ? query.Page.ToString(CultureInfo.InvariantCulture) : null,
        };
    }

    /// <summary>The query the URL asks for, or the reason it cannot be run (the page then shows all partitions and says why).</summary>
    public static (PartitionQuery Query, string? Error) From(string? topicPattern, bool? problems, bool? reassigning, int? broker, string? sort, int? page)
    {
        var parsedSort = PartitionSort.Partition;
        if (sort is { Length: > 0 } && !Enum.TryParse(sort, ignoreCase: true, out parsedSort))
            return (new PartitionQuery(), $"'sort' must be one of {string.Join(", ", Enum.GetNames<PartitionSort>()).ToLowerInvariant()}");
        var query = new PartitionQuery
        {
            TopicPattern = string.IsNullOrWhiteSpace(topicPattern) ? null : topicPattern,
            ProblemsOnly = problems ?? false,
            Reassigning = reassigning == true ? true : null,
            Broker = broker,
            Sort = parsedSort,
            Page = page ?? 1,
        };
        return query.Validate() is { } error ? (new PartitionQuery(), error) : (query, null);
    }
}
