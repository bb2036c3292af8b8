namespace Dashboard.Core.FourLetterWords;

/// <summary>A four-letter word that got no answer: the node is down, refusing, or frozen (<see cref="IsTimeout"/>).</summary>
public sealed class FourLetterWordException : Exception
{
    public FourLetterWordException() { }
    public FourLetterWordException(string message) : base(message) { }
    public FourLetterWordException(string message, Exception inner) : base(message, inner) { }
    public FourLetterWordException(string message, bool isTimeout, Exception? inner = null) : base(message, inner) => IsTimeout = isTimeout;

    public bool IsTimeout { get; }
}
