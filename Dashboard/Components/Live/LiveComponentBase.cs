using Dashboard.Core.Live;
using Microsoft.AspNetCore.Components;

namespace Dashboard.Components.Live;

/// <summary>
/// The one way live data reaches a screen: once the component is interactive it subscribes to a store; each
/// change signals a coalescing throttle, which re-renders the component at most once per <see cref="MinimumGap"/>
/// with the store's newest snapshot; the subscription ends when the component is disposed. A prerendered
/// component never subscribes (it is thrown away when the circuit starts).
/// </summary>
public abstract class LiveComponentBase : ComponentBase, IDisposable
{
    /// <summary>Short enough that a leader change is on screen well within one 500 ms poll, long enough to absorb bursts.</summary>
    public static readonly TimeSpan MinimumGap = TimeSpan.FromMilliseconds(100);

    private CoalescingThrottle? _throttle;
    private IDisposable? _subscription;
    private object? _subscribedKey;
    private bool _subscribed;

    /// <summary>Subscribes to the store(s) this component shows; <paramref name="changed"/> only signals.</summary>
    protected abstract IDisposable SubscribeToChanges(Action changed);

    /// <summary>What the subscription depends on (e.g. the cluster id): a new value subscribes again.</summary>
    protected virtual object? SubscriptionKey => null;

    protected override void OnParametersSet()
    {
        if (!RendererInfo.IsInteractive) return;
        var key = SubscriptionKey;
        if (_subscribed && Equals(key, _subscribedKey)) return;
        _subscription?.Dispose();
        _throttle ??= new CoalescingThrottle(() => InvokeAsync(StateHasChanged), MinimumGap);
        _subscription = SubscribeToChanges(_throttle.Signal);
        _subscribedKey = key;
        _subscribed = true;
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing) return;
        _subscription?.Dispose();
        _throttle?.Dispose();
    }
}
