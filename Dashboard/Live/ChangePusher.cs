using System.Threading.Channels;
using Microsoft.AspNetCore.Components;

namespace Dashboard.Live;

/// <summary>
/// Pushes a component to a live topic whenever a piece of state changes. Only the newest state matters, so a burst
/// of changes collapses into one render and one push.
/// </summary>
internal abstract partial class ChangePusher<TState, TComponent>(LiveFragmentPublisher publisher, ILogger logger) : BackgroundService
    where TComponent : IComponent
{
    private readonly Channel<TState> _changes =
        Channel.CreateBounded<TState>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });

    protected abstract string Topic { get; }

    protected abstract void Subscribe(Action<TState> onChanged);

    protected abstract void Unsubscribe(Action<TState> onChanged);

    protected abstract IDictionary<string, object?> Parameters(TState state);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        void OnChanged(TState state) => _changes.Writer.TryWrite(state);
        Subscribe(OnChanged);
        try
        {
            await foreach (var state in _changes.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await publisher.PublishAsync<TComponent>(Topic, Parameters(state), stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogPushFailed(logger, Topic, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Unsubscribe(OnChanged);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not push the live topic {Topic} to open pages.")]
    private static partial void LogPushFailed(ILogger logger, string topic, Exception exception);
}
