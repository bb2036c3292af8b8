using System.Security.Cryptography;
using System.Xml.Linq;
using Dapper;
using Dashboard.Core.History;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Dashboard.Access;

/// <summary>
/// The cookie and antiforgery keys in the shared history database (PostgreSQL), so a cookie one replica made is
/// read by every other. The keys are as secret there as in the <c>keys/</c> folder: whoever reads the database can
/// forge sessions, so the database is protected like the folder was.
/// </summary>
internal sealed class DatabaseKeyRepository(HistoryDatabase database) : IXmlRepository
{
    private int _migrated;

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        EnsureMigrated();
        using var connection = database.Open();
        return connection.Query<string>("SELECT xml FROM data_protection_keys ORDER BY created_ms, name").Select(x => XElement.Parse(x)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        EnsureMigrated();
        using var connection = database.Open();
        // Names are the key ids; two replicas making a key at the same moment each keep theirs (both are valid).
        connection.Execute(database.Provider.InsertIgnore("data_protection_keys", "name, xml, created_ms", "VALUES (@Name, @Xml, @At)"),
            new { Name = string.IsNullOrWhiteSpace(friendlyName) ? Guid.NewGuid().ToString("N") : friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting), At = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() });
    }

    /// <summary>This installation's id, made by whichever replica asks first and shared by all.</summary>
    public string InstallationId()
    {
        EnsureMigrated();
        using var connection = database.Open();
        connection.Execute(database.Provider.InsertIgnore("installation", "key, value", "VALUES ('id', @Id)"), new { Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) });
        return connection.ExecuteScalar<string>("SELECT value FROM installation WHERE key = 'id'")!;
    }

    private void EnsureMigrated()
    {
        if (Volatile.Read(ref _migrated) == 1) return;
        database.Migrate();
        Volatile.Write(ref _migrated, 1);
    }
}
