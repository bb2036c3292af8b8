using System.Text.Json;

namespace Dashboard.Core.AdminServer;

/// <summary>
/// One AdminServer answer. <see cref="Error"/> carries the server's own <c>error</c> field: unknown commands and
/// "not currently serving" arrive as HTTP 200 with it set, so it, not the status, says whether the data is good.
/// </summary>
public sealed record AdminCommandResult(string Command, JsonElement Body, string? Error)
{
    public bool IsOk => Error is null;
    public bool IsNotServing => Error is not null && FourLetterWords.FourLetterWordText.IsNotServing(Error);
}
