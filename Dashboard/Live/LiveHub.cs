using Dashboard.Access;
using Dashboard.Core.Access;
using Microsoft.AspNetCore.SignalR;

namespace Dashboard.Live;

/// <summary>Pages join one group per live part they show; the server pushes re-rendered HTML to that group.</summary>
internal sealed class LiveHub(LiveConnections connections) : Hub
{
    private const int MaxTopicsPerPage = 64;

    public override Task OnConnectedAsync()
    {
        connections.Add(Context);
        return base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Remove(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    public async Task Subscribe(string[] topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        foreach (var topic in topics.Where(LiveTopics.IsValid).Distinct(StringComparer.Ordinal).Take(MaxTopicsPerPage))
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, topic).ConfigureAwait(false);
        }
    }
}
