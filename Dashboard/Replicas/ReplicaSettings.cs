using System.Security.Cryptography;

namespace Dashboard.Replicas;

/// <summary>The <c>Replicas</c> settings: how this dashboard shares clusters with others on the same PostgreSQL history.</summary>
internal sealed record ReplicaSettings
{
    /// <summary>This replica's name in lease rows; by default the host name, process id and a random tag (unique per start).</summary>
    public string? Name { get; init; }

    /// <summary>A lease not renewed for this long is taken over by another replica.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>How often leases are renewed and free ones taken; a third of the duration leaves two tries before expiry.</summary>
    public TimeSpan RenewInterval { get; init; } = TimeSpan.FromSeconds(2);

    public string ResolvedName => string.IsNullOrWhiteSpace(Name)
        ? $"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}"
        : Name.Trim();

    public void Validate()
    {
        if (RenewInterval < TimeSpan.FromMilliseconds(200)) throw new ArgumentException("Replicas:RenewInterval must be at least 200 ms.");
        if (LeaseDuration < RenewInterval * 2) throw new ArgumentException("Replicas:LeaseDuration must be at least twice Replicas:RenewInterval (a renewal may fail once).");
    }
}
