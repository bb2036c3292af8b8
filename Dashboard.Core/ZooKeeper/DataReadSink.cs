namespace Dashboard.Core.ZooKeeper;

/// <summary>
/// Takes the values of a data-only multiRead as they are decoded, so a caller that parses them (100,000 partition
/// states) keeps no copy, Stat or result object of each. <see cref="Read"/> runs on the connection's receive loop
/// and the span is valid only during the call: parse, do not block. Each index is reported exactly once, by one of
/// the two methods, in any order and possibly from several threads (after a fallback to single reads).
/// </summary>
internal interface IDataReadSink
{
    /// <param name="index">Position of the path in the list read.</param>
    /// <param name="data">The value (empty for an empty or null value).</param>
    /// <param name="version">The node's data version (Stat.version).</param>
    void Read(int index, ReadOnlySpan<byte> data, int version);

    /// <summary>The read of one path failed on its own (<see cref="ErrorCode.NoNode"/> when it is gone).</summary>
    void Failed(int index, ErrorCode code, string? detail);
}
