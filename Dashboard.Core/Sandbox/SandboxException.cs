namespace Dashboard.Core.Sandbox;

/// <summary>A sandbox that cannot start or be controlled, with a message an operator can act on.</summary>
public sealed class SandboxException : Exception
{
    public SandboxException() { }
    public SandboxException(string message) : base(message) { }
    public SandboxException(string message, Exception inner) : base(message, inner) { }
}
