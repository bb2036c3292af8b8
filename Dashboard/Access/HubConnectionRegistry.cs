using System.Collections.Concurrent;

namespace Dashboard.Access;

/// <summary>
/// Who negotiated each circuit connection token (see <see cref="HubConnectionOwners"/>). The hub is Blazor's, so
/// this never hears a connection end: a token is forgotten once unused for <see cref="Unused"/> (a long poll
/// comes back well within it; a WebSocket names its token once, when it opens), and the map is bounded.
/// </summary>
internal sealed class HubConnectionRegistry(TimeProvider time)
{
    public static readonly TimeSpan Unused = TimeSpan.FromHours(1);
    private const int MaxTokens = 100_000;

    private readonly ConcurrentDictionary<string, Owner> _owners = new(StringComparer.Ordinal);

    public void Negotiated(string token, string identity)
    {
        var now = time.GetUtcNow();
        if (_owners.Count >= MaxTokens) Forget(now);
        _owners[token] = new Owner(identity, now);
    }

    /// <summary>Who negotiated this token, or null when it is not (or no longer) known; a use keeps it known.</summary>
    public string? OwnerOf(string token)
    {
        if (!_owners.TryGetValue(token, out var owner)) return null;
        _owners[token] = owner with { LastUsed = time.GetUtcNow() };
        return owner.Identity;
    }

    private void Forget(DateTimeOffset now)
    {
        foreach (var stale in _owners.Where(o => now - o.Value.LastUsed > Unused).Select(o => o.Key).ToList()) _owners.TryRemove(stale, out _);
        // Still full (a flood of negotiations): the oldest half goes; their next poll is refused and they negotiate anew.
        if (_owners.Count >= MaxTokens)
            foreach (var old in _owners.OrderBy(o => o.Value.LastUsed).Take(MaxTokens / 2).Select(o => o.Key).ToList()) _owners.TryRemove(old, out _);
    }

    private sealed record Owner(string Identity, DateTimeOffset LastUsed);
}
