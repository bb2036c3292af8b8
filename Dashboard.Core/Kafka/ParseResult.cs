namespace Dashboard.Core.Kafka;

/// <summary>Either a parsed value or why the znode's data is not Kafka's format (never an exception).</summary>
public sealed record ParseResult<T>(T? Value, string? Error)
    where T : class
{
    public bool IsReadable => Error is null;

    public static ParseResult<T> Ok(T value) => new(value, null);

    public static ParseResult<T> Fail(string error) => new(null, error);
}

/// <summary>Thrown inside the parsers only; <see cref="KafkaZNodeParser"/> turns it into a <see cref="ParseResult{T}"/>.</summary>
internal sealed class KafkaFormatException(string message) : Exception(message);
