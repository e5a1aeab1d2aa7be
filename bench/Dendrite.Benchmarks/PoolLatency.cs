using System.Diagnostics;
using Dendrite.Kernels;

/// <summary>
/// Quick mode `pool <chunk-us> <chunks>`: wall time of WorkerPool calls whose chunks each busy-wait a fixed
/// time, on 2 threads; against the ideal chunks * chunk-us / 2 it shows how fast a spinning worker joins in.
/// </summary>
internal sealed class PoolLatency(double chunkMicros) : IParallelJob
{
    private readonly long _ticks = (long)(chunkMicros * Stopwatch.Frequency / 1e6);

    public void Execute(int chunk)
    {
        long end = Stopwatch.GetTimestamp() + _ticks;
        while (Stopwatch.GetTimestamp() < end) { }
    }

    public static string Measure(double chunkMicros, int chunks)
    {
        var job = new PoolLatency(chunkMicros);
        var pool = new WorkerPool();
        var times = new double[3000];
        for (int rep = 0; rep < 2; rep++)
            for (int i = 0; i < times.Length; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                pool.TryRun(job, chunks, 2);
                times[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            }
        Array.Sort(times);
        return $"chunks {chunks} x {chunkMicros} us on 2 threads (ideal {chunks * chunkMicros / 2:F1}): min {times[0]:F1} p50 {times[1500]:F1} p90 {times[2700]:F1} us";
    }
}
