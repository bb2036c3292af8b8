namespace Dashboard.Core.Live;

/// <summary>A store subscription: disposing it stops the callbacks (and is safe to do twice).</summary>
public sealed class Subscription(Action unsubscribe) : IDisposable
{
    private Action? _unsubscribe = unsubscribe;

    /// <summary>One subscription for a screen that shows several stores.</summary>
    public static IDisposable All(params IDisposable[] subscriptions) =>
        new Subscription(() =>
        {
            foreach (var s in subscriptions) s.Dispose();
        });

    public void Dispose() => Interlocked.Exchange(ref _unsubscribe, null)?.Invoke();
}
