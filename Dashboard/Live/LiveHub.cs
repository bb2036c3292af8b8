using Microsoft.AspNetCore.SignalR;

namespace Dashboard.Live;

/// <summary>Pages join one group per live part they show; the server pushes re-rendered HTML to that group.</summary>
internal sealed class LiveHub : Hub
{
    private const int MaxTopicsPerPage = 64;

    public async Task Subscribe(string[] topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        foreach (var topic in topics.Where(LiveTopics.IsValid).Distinct(StringComparer.Ordinal).Take(MaxTopicsPerPage))
            await Groups.AddToGroupAsync(Context.ConnectionId, topic).ConfigureAwait(false);
    }
}
