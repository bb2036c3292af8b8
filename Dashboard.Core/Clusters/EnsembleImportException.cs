namespace Dashboard.Core.Clusters;

/// <summary>Text that does not describe an ensemble; <see cref="LineNumber"/> (1-based) points at the bad line.</summary>
public sealed class EnsembleImportException : Exception
{
    public EnsembleImportException() { }
    public EnsembleImportException(string message) : base(message) { }
    public EnsembleImportException(string message, Exception inner) : base(message, inner) { }
    public EnsembleImportException(int? lineNumber, string message)
        : base(lineNumber is { } n ? $"line {n}: {message}" : message) => LineNumber = lineNumber;

    public int? LineNumber { get; }
}
