namespace Dashboard.Live;

/// <summary>Names of the live parts a page can subscribe to (the <c>data-live-topic</c> attribute).</summary>
internal static class LiveTopics
{
    public static bool IsValid(string? topic) =>
        topic is { Length: > 0 and <= 200 } && topic.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or ':' or '.' or '/');
}
