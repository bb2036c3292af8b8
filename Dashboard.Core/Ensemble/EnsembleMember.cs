namespace Dashboard.Core.Ensemble;

/// <summary>
/// One <c>server.N=</c> line: a member of the ensemble as its configuration lists it. <see cref="ClientPort"/> is
/// null when the line had no <c>;client</c> part (the port then comes from <c>clientPort=</c> elsewhere).
/// </summary>
public sealed record EnsembleMember(
    int Id,
    string Host,
    int QuorumPort,
    int ElectionPort,
    bool IsObserver,
    string? ClientHost,
    int? ClientPort)
{
    /// <summary>Further addresses of a multi-address member (<c>a:1:2|b:1:2</c>), beyond <see cref="Host"/>.</summary>
    public IReadOnlyList<string> ExtraHosts { get; init; } = [];

    public bool IsVoter => !IsObserver;

    /// <summary>The address clients use: the client host when given, else the quorum host (wildcards mean the quorum host).</summary>
    public string ClientAddressHost => ClientHost is null or "0.0.0.0" or "::" or "[::]" ? Host : ClientHost;
}
