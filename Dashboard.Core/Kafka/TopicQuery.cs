namespace Dashboard.Core.Kafka;

public enum TopicSort { Problems, Name, Partitions }

/// <summary>
/// Filters, sorting and one page of a cluster's topic list (10,000 topics make a page nobody reads). The default
/// order puts problems first (offline, unreadable, under min ISR, under-replicated), so they are always in view.
/// </summary>
public sealed record TopicQuery
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    /// <summary>Part of the topic name, any case.</summary>
    public string? NameContains { get; init; }
    public bool ProblemsOnly { get; init; }
    public TopicSort Sort { get; init; } = TopicSort.Problems;
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = DefaultPageSize;

    public string? Validate()
    {
        if (Page < 1) return "'page' must be 1 or more";
        if (PageSize is < 1 or > MaxPageSize) return $"'pageSize' must be between 1 and {MaxPageSize}";
        return null;
    }

    public TopicPage Run(KafkaClusterAnalysis analysis)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var matching = analysis.Topics.Where(t =>
            (NameContains is not { Length: > 0 } part || t.Name.Contains(part, StringComparison.OrdinalIgnoreCase)) && (!ProblemsOnly || IsProblem(t))).ToList();
        IEnumerable<TopicHealth> sorted = Sort switch
        {
            TopicSort.Name => matching.OrderBy(t => t.Name, StringComparer.Ordinal),
            TopicSort.Partitions => matching.OrderByDescending(t => t.Partitions).ThenBy(t => t.Name, StringComparer.Ordinal),
            _ => matching.OrderBy(Severity).ThenBy(t => t.Name, StringComparer.Ordinal),
        };
        var pages = Math.Max(1, (matching.Count + PageSize - 1) / PageSize);
        var page = Math.Min(Page, pages);
        return new TopicPage(sorted.Skip((page - 1) * PageSize).Take(PageSize).ToList(), matching.Count, page, pages);
    }

    public static bool IsProblem(TopicHealth t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return Severity(t) < 4;
    }

    private static int Severity(TopicHealth t) =>
        t.Offline > 0 ? 0 : t.Unreadable ? 1 : t.UnderMinIsr > 0 ? 2 : t.UnderReplicated > 0 ? 3 : 4;
}

public sealed record TopicPage(IReadOnlyList<TopicHealth> Rows, int Total, int Page, int Pages);
