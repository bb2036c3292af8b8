using Dashboard.Core.ZooKeeper.Session;

namespace Dashboard.Core.ZooKeeper.Wire;

/// <summary>
/// One call on its way through the connection: written by the send loop, answered (or failed) by the receive loop.
/// Each operation's request writing and response reading sit side by side in one subclass.
/// </summary>
internal abstract class Request(string? clientPath)
{
    /// <summary>The caller's path, for error messages.</summary>
    public string? ClientPath { get; } = clientPath;

    public int Xid { get; set; }

    /// <summary>1 while this request holds one of the connection's in-flight slots (released exactly once).</summary>
    public int HoldsSlot;

    /// <summary>Stopwatch timestamp after which the call fails with a timeout.</summary>
    public long Deadline { get; set; }

    public abstract OpCode OpCode { get; }

    public abstract bool IsCompleted { get; }

    public abstract void WriteBody(JuteWriter writer);

    /// <summary>
    /// Runs on the receive loop, so a watch is registered before any event that follows the reply is read.
    /// Throws <see cref="ZooKeeperProtocolException"/> when the body is malformed.
    /// </summary>
    public abstract void Complete(int error, ref JuteReader body, WatchRegistry watches);

    public abstract void Fail(Exception error);
}

internal abstract class Request<T>(string? clientPath) : Request(clientPath)
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _cancellation;

    public Task<T> Task => _completion.Task;

    public override bool IsCompleted => _completion.Task.IsCompleted;

    public void Observe(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((Request<T>)state!)._completion.TrySetCanceled(token), this);
    }

    public override void Complete(int error, ref JuteReader body, WatchRegistry watches)
    {
        if (error != 0 && !Accepts(error))
        {
            Fail(ZooKeeperException.Create((ErrorCode)error, ClientPath));
            return;
        }
        T value;
        try
        {
            value = Read(error, ref body, watches);
        }
        catch (ZooKeeperException e)
        {
            Fail(e);
            return;
        }
        _completion.TrySetResult(value);
        _cancellation.Unregister();
    }

    public override void Fail(Exception error)
    {
        _completion.TrySetException(error);
        _cancellation.Unregister();
    }

    /// <summary>Error codes that are an answer rather than a failure (exists: no node).</summary>
    protected virtual bool Accepts(int error) => false;

    protected abstract T Read(int error, ref JuteReader body, WatchRegistry watches);
}
