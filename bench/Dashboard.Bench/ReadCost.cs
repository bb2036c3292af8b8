using System.Diagnostics;

namespace Dashboard.Bench;

/// <summary>One read's wall time, this process's CPU time (all threads), bytes allocated (all threads) and GC pauses.</summary>
internal readonly record struct ReadCost(double Ms, double CpuMs, double AllocatedMb, double GcPauseMs = 0, int Gen1 = 0, int Gen2 = 0)
{
    public static async Task<ReadCost> MeasureAsync(Func<Task> read)
    {
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var pauseBefore = GC.GetTotalPauseDuration();
        var (gen1, gen2) = (GC.CollectionCount(1), GC.CollectionCount(2));
        var clock = Stopwatch.StartNew();
        await read();
        var ms = clock.Elapsed.TotalMilliseconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        process.Refresh();
        return new ReadCost(ms, (process.TotalProcessorTime - cpuBefore).TotalMilliseconds, allocated / (1024.0 * 1024),
            (GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2);
    }

    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Ms:0} ms, cpu {CpuMs:0} ms, {AllocatedMb:0} MB, gc pauses {GcPauseMs:0} ms (gen1 {Gen1}, gen2 {Gen2})");

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0) return 0;
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
