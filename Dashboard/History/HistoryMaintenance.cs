using Dashboard.Core.History;

namespace Dashboard.History;

/// <summary>
/// Starts the history writer with the app and prunes on a timer. The container disposes the writer at shutdown,
/// which writes what is still queued.
/// </summary>
internal sealed partial class HistoryMaintenance(HistoryWriter writer, HistoryOptions options, ILogger<HistoryMaintenance> logger, TimeProvider? time = null)
    : BackgroundService
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        writer.StatusChanged += OnStatusChanged;
        writer.Start();
        using var timer = new PeriodicTimer(options.PruneInterval, _time);
        try
        {
            do
            {
                writer.Enqueue(new PruneWrite(options, _time.GetUtcNow()));
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        writer.StatusChanged -= OnStatusChanged;
    }

    private void OnStatusChanged(HistoryStatus status)
    {
        if (status.IsHealthy) LogRecovered(logger, status.DatabasePath);
        else LogDegraded(logger, status.Problem ?? "unknown problem", status.PendingWrites);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "History is degraded: {Problem} ({Pending} write(s) waiting in memory).")]
    private static partial void LogDegraded(ILogger logger, string problem, int pending);

    [LoggerMessage(Level = LogLevel.Information, Message = "History is being written to {Path}.")]
    private static partial void LogRecovered(ILogger logger, string path);
}
