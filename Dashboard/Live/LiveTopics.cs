namespace Dashboard.Live;

/// <summary>Names of the live parts a page can subscribe to (the <c>data-live-topic</c> attribute).</summary>
internal static class LiveTopics
{
    public const string HistoryStatus = "history-status";

    /// <summary>The live part of a cluster's maintenance page: its current (or latest) run beside the topology.</summary>
    public static string Maintenance(string clusterId) => $"maintenance:{clusterId}";

    /// <summary>Topics whose pushes only operators may receive (maintenance runs: command lines and output).</summary>
    public static bool NeedsOperator(string topic) => topic.StartsWith("maintenance:", StringComparison.Ordinal);

    public static bool IsValid(string? topic) =>
        topic is { Length: > 0 and <= 200 } && topic.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or ':' or '.' or '/');
}
