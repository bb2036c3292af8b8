namespace Dashboard.Core.History;

/// <summary>How a page of events is ordered.</summary>
public enum EventSort
{
    Newest,
    Oldest,
    Kind,
}

/// <summary>
/// One page of a cluster's events, filtered in the database (range, kind, text in the summary or subject) so a
/// screen never holds more than <see cref="PageSize"/> rows however many are stored.
/// </summary>
public sealed record EventQuery(DateTimeOffset From, DateTimeOffset To)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;
    public const int MaxTextLength = 200;

    public string? Kind { get; init; }

    /// <summary>Text the summary or the subject contains (case-insensitive for ASCII letters).</summary>
    public string? Text { get; init; }

    public EventSort Sort { get; init; } = EventSort.Newest;

    /// <summary>1-based; a page past the last shows the last.</summary>
    public int Page { get; init; } = 1;

    public int PageSize { get; init; } = DefaultPageSize;

    /// <summary>Why the query cannot be run, or null.</summary>
    public string? Validate() =>
        Page < 1 ? "'page' must be 1 or more"
        : PageSize is < 1 or > MaxPageSize ? $"the page size must be between 1 and {MaxPageSize}"
        : Text is { Length: > MaxTextLength } ? $"the search text is longer than {MaxTextLength} characters"
        : From > To ? "'from' is after 'to'"
        : null;
}

/// <summary>The rows of one page and where it stands among all that match.</summary>
public sealed record EventPage(IReadOnlyList<HistoryEvent> Rows, long Total, int Page, int PageSize)
{
    public int Pages => Total == 0 ? 1 : (int)((Total + PageSize - 1) / PageSize);
}
