namespace Dashboard.Access;

/// <summary>
/// Authentication schemes. <see cref="PerRequest"/> is the default and forwards each request to exactly one of
/// the others, so a request is never judged by two identities at once.
/// </summary>
internal static class AccessSchemes
{
    public const string PerRequest = "dashboard";
    public const string Cookie = "cookie";
    public const string ApiToken = "api-token";
    public const string TrustedProxy = "trusted-proxy";

    /// <summary>Claim naming how the person or script proved who they are: password, proxy, token.</summary>
    public const string ViaClaim = "dashboard:via";
}

internal static class AccessPolicies
{
    /// <summary>Reading: a viewer, or anyone when anonymous reading is on. Not bound to the HTTP method.</summary>
    public const string Read = "read";

    /// <summary>Changes to clusters: znode writes, preferred elections, maintenance; also state-changing hub methods.</summary>
    public const string Operator = "operator";

    /// <summary>Users, tokens, ACLs, settings, the audit log.</summary>
    public const string Admin = "admin";
}
