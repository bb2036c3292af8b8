using System.Text.RegularExpressions;

namespace Dashboard.Core.Kafka;

public enum PartitionSort { Partition, Topic, Leader, Isr }

/// <summary>
/// Filters, sorting and one page of the ISR table, shared by the pages and the API. One pass over the analysed
/// partitions (already in topic/partition order), so a page of 100,000 stays a few milliseconds.
/// </summary>
public sealed record PartitionQuery
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1_000;

    public string? Topic { get; init; }

    /// <summary>Topic name pattern with <c>*</c> wildcards (e.g. <c>orders-*</c>), matched whole.</summary>
    public string? TopicPattern { get; init; }

    /// <summary>Only partitions with a replica on this broker.</summary>
    public int? Broker { get; init; }

    public bool ProblemsOnly { get; init; }
    public bool? UnderReplicated { get; init; }
    public bool? Offline { get; init; }
    public bool? UnderMinIsr { get; init; }

    /// <summary>Only partitions with a reassignment in progress (adding or removing replicas).</summary>
    public bool? Reassigning { get; init; }
    public PartitionSort Sort { get; init; } = PartitionSort.Partition;
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = DefaultPageSize;

    /// <summary>Null when valid; otherwise what is wrong, worded for a 400 answer or the page.</summary>
    public string? Validate()
    {
        if (Page < 1) return "'page' must be 1 or more";
        if (PageSize is < 1 or > MaxPageSize) return $"'pageSize' must be between 1 and {MaxPageSize}";
        if (TopicPattern is { Length: > 249 }) return "'topicPattern' is longer than a Kafka topic name can be";
        return null;
    }

    public PartitionPage Run(KafkaClusterAnalysis analysis)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var pattern = TopicPattern is { Length: > 0 } p ? Wildcard(p) : null;
        var matching = new List<PartitionHealth>();
        foreach (var h in analysis.Partitions)
        {
            var id = h.Partition.Id;
            if (Topic is not null && !string.Equals(id.Topic, Topic, StringComparison.Ordinal)) continue;
            if (pattern is not null && !pattern.IsMatch(id.Topic)) continue;
            if (Broker is { } b && !h.Partition.Replicas.Contains(b)) continue;
            if (ProblemsOnly && !IsProblem(h)) continue;
            if (UnderReplicated is { } u && h.UnderReplicated != u) continue;
            if (Offline is { } o && h.Offline != o) continue;
            if (UnderMinIsr is { } m && h.UnderMinIsr != m) continue;
            if (Reassigning is { } r && h.Reassigning != r) continue;
            matching.Add(h);
        }
        IEnumerable<PartitionHealth> sorted = Sort switch
        {
            PartitionSort.Leader => matching.OrderBy(h => h.Partition.State?.Leader ?? int.MaxValue),
            PartitionSort.Isr => matching.OrderBy(h => h.Partition.State?.Isr.Count ?? -1),
            // Problems first: offline, then under min ISR, then under-replicated; stable within each.
            _ when ProblemsFirst => BySeverity(matching),
            _ => matching,
        };
        var pages = Math.Max(1, (matching.Count + PageSize - 1) / PageSize);
        var page = Math.Min(Page, pages);
        return new PartitionPage(sorted.Skip((page - 1) * PageSize).Take(PageSize).ToList(), matching.Count, page, pages, PageSize);
    }

    /// <summary>The default order puts problem partitions first; an explicit sort by topic keeps plain order.</summary>
    private bool ProblemsFirst => Sort == PartitionSort.Partition;

    public static bool IsProblem(PartitionHealth h)
    {
        ArgumentNullException.ThrowIfNull(h);
        return h.UnderReplicated || h.Offline || h.UnderMinIsr || h.Partition.Unreadable is not null || h.Partition.State is null;
    }

    /// <summary>A stable bucket sort: five severities, one pass, no comparisons over 100,000 rows.</summary>
    private static List<PartitionHealth> BySeverity(List<PartitionHealth> rows)
    {
        var buckets = new List<PartitionHealth>[5];
        for (var i = 0; i < buckets.Length; i++) buckets[i] = [];
        foreach (var h in rows) buckets[Severity(h)].Add(h);
        var sorted = new List<PartitionHealth>(rows.Count);
        foreach (var bucket in buckets) sorted.AddRange(bucket);
        return sorted;
    }

    private static int Severity(PartitionHealth h) =>
        h.Offline ? 0 : h.Partition.Unreadable is not null || h.Partition.State is null ? 1 : h.UnderMinIsr ? 2 : h.UnderReplicated ? 3 : 4;

    private static Regex Wildcard(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
}

public sealed record PartitionPage(IReadOnlyList<PartitionHealth> Rows, int Total, int Page, int Pages, int PageSize);
