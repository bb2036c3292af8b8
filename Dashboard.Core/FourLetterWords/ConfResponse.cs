using System.Collections.Immutable;
using System.Globalization;
using Dashboard.Core.Ensemble;

namespace Dashboard.Core.FourLetterWords;

/// <summary>
/// A parsed <c>conf</c> answer: <c>key=value</c> settings, then <c>membership:</c> with <c>server.N=</c> lines and a
/// final <c>version=&lt;hex&gt;</c> (no newline). Servers without dynamic config (3.4) print no membership.
/// </summary>
public sealed record ConfResponse(
    bool IsServing,
    bool WhitelistRefused,
    ImmutableDictionary<string, string> Settings,
    ImmutableArray<EnsembleMember> Members,
    long? ConfigVersion)
{
    public static ConfResponse Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var empty = ImmutableDictionary<string, string>.Empty;
        if (FourLetterWordText.IsWhitelistRefusal(text)) return new(false, true, empty, [], null);
        if (FourLetterWordText.IsNotServing(text)) return new(false, false, empty, [], null);

        var settings = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var members = ImmutableArray.CreateBuilder<EnsembleMember>();
        long? version = null;
        var inMembership = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0) continue;
            if (line.StartsWith("membership:", StringComparison.Ordinal)) { inMembership = true; continue; }
            if (inMembership && ServerLineParser.IsServerLine(line))
            {
                // A line we cannot read is skipped rather than failing the whole answer; the rest still counts.
                if (ServerLineParser.TryParse(line, out var member, out _)) members.Add(member!);
                continue;
            }
            if (inMembership && line.StartsWith("version=", StringComparison.Ordinal))
            {
                if (long.TryParse(line.AsSpan(8), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v)) version = v;
                continue;
            }
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0) settings[line[..equals]] = line[(equals + 1)..];
        }
        return new(settings.Count > 0 || members.Count > 0, false, settings.ToImmutable(), members.ToImmutable(), version);
    }

    public int? ServerId =>
        Settings.TryGetValue("serverId", out var v) && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary><c>peerType</c>: 0 participant, 1 observer.</summary>
    public bool? IsObserver => Settings.TryGetValue("peerType", out var v) ? v == "1" : null;

    public int? ClientPort =>
        Settings.TryGetValue("clientPort", out var v) && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : null;
}
