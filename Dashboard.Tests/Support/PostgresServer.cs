using Dashboard.Support;

namespace Dashboard.Tests.Support;

/// <summary>
/// Debian's PostgreSQL for the tests (<see cref="LoopbackPostgres"/>, fsync off), as an xunit fixture. Each test
/// asks for a database of its own.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    // A password in every connection string, so tests can check it is never shown or logged.
    public const string Password = "pg-secret-4f1c9a";

    private LoopbackPostgres? _server;

    public int Port => Server.Port;

    private LoopbackPostgres Server => _server ?? throw new InvalidOperationException("The PostgreSQL fixture was not initialized.");

    public async Task InitializeAsync() => _server = await LoopbackPostgres.StartAsync(Password);

    /// <summary>Starts the server again after <see cref="StopAsync"/>.</summary>
    public Task StartAsync() => Server.StartAgainAsync();

    /// <summary>Stops the server at once (as a crash or a network cut looks to its clients).</summary>
    public Task StopAsync() => Server.StopAsync();

    public string ConnectionString(string database) => Server.ConnectionString(database);

    /// <summary>A new, empty database; returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync() => Server.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
