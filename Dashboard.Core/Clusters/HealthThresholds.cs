namespace Dashboard.Core.Clusters;

/// <summary>Where a metric becomes a finding. Defaults are conservative starting points, configurable per cluster.</summary>
public sealed record HealthThresholds
{
    public double AverageLatencyMs { get; init; } = 100;
    public long OutstandingRequests { get; init; } = 10;

    /// <summary>Open file descriptors as a share of the maximum.</summary>
    public double FileDescriptorRatio { get; init; } = 0.8;

    /// <summary>Most voters one datacenter should hold; more slow writes and elections (add observers instead).</summary>
    public int MaxVotersPerDatacenter { get; init; } = 5;
}
