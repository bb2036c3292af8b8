namespace Dashboard.Access;

/// <summary>
/// Marks a POST that changes nothing (starting a search, say), so readers may use it where the default for
/// POST is the operator role. It still needs an antiforgery token. The write-endpoint tests skip only these.
/// </summary>
internal sealed class ReadOnlyOperation
{
}

internal static class ReadOnlyOperationExtensions
{
    public static TBuilder ReadsOnly<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ReadOnlyOperation()).RequireAuthorization(AccessPolicies.Read);
}
