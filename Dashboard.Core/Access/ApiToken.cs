namespace Dashboard.Core.Access;

/// <summary>
/// An API token as the dashboard knows it: never the token itself, which exists only in the answer to its
/// creation. <see cref="Id"/> is a public handle for listing and revoking.
/// </summary>
public sealed record ApiToken(string Id, string Name, DashboardRole Role, string CreatedBy, DateTimeOffset CreatedAt)
{
    public string? RevokedBy { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Made by <c>--sandbox</c> for one run: kept in memory, never stored.</summary>
    public bool ForThisRunOnly { get; init; }

    public bool IsRevoked => RevokedAt is not null;
}

/// <summary>A token just created: <see cref="Secret"/> is shown once and then forgotten.</summary>
/// <param name="Saved">False when the history database could not be written yet; the token works and is saved once it can be.</param>
public sealed record IssuedApiToken(ApiToken Token, string Secret, bool Saved)
{
    // Records print every member; a token written to a log by accident must not carry its secret.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Token = ").Append(Token).Append(", Saved = ").Append(Saved);
        return true;
    }
}
