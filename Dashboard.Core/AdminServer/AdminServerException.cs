namespace Dashboard.Core.AdminServer;

/// <summary>The AdminServer gave no usable answer: unreachable, timed out, or not JSON (e.g. a Jetty error page).</summary>
public sealed class AdminServerException : Exception
{
    public AdminServerException() { }
    public AdminServerException(string message) : base(message) { }
    public AdminServerException(string message, Exception inner) : base(message, inner) { }
    public AdminServerException(string message, bool isTimeout, Exception? inner = null) : base(message, inner) => IsTimeout = isTimeout;

    public bool IsTimeout { get; }
}
