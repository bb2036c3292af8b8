using System.Data.Common;

namespace Dashboard.Core.History;

/// <summary>
/// The history database as the stores see it, whichever provider holds it (<c>History:Provider</c>): opens
/// connections, brings the schema up to date, and answers the few dialect questions through <see cref="Provider"/>.
/// </summary>
public sealed class HistoryDatabase
{
    public HistoryDatabase(HistoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Provider = HistoryProvider.For(options);
    }

    public HistoryOptions Options { get; }

    public HistoryProvider Provider { get; }

    /// <summary>The SQLite file (meaningful for the SQLite provider only).</summary>
    public string Path => Options.DatabasePath;

    /// <summary>Where history is kept, without credentials: for status lines and logs.</summary>
    public string Location => Provider.Location;

    /// <summary>False while there is certainly nothing stored (no SQLite file yet).</summary>
    public bool MayHoldData => Provider.MayHoldData;

    public DbConnection Open(bool readOnly = false) => Provider.Open(readOnly);

    /// <summary>Creates or upgrades the schema; returns the version it is at.</summary>
    public int Migrate() => Provider.Migrate();

    public override string ToString() => $"history in {Location}";
}
