using System.Collections.Concurrent;
using Dendrite.Kernels;

namespace Dendrite.Tests;

/// <summary>
/// Engines for tests, one per thread count and settings for the whole run: an engine keeps its worker threads
/// for the life of the process, so tests share them rather than start new ones each time.
/// </summary>
internal static class TestEngines
{
    private static readonly ConcurrentDictionary<int, Engine> Measured = new(), Parallel = new();

    /// <summary>An engine with <paramref name="threads"/> threads and the measured kernel settings.</summary>
    public static Engine Of(int threads) => Measured.GetOrAdd(threads, t => new Engine(t));

    /// <summary>
    /// An engine on which every GEMM, however small, is cut into chunks for the worker pool (GemmParallelThreshold = 0),
    /// so small test shapes exercise the threaded path.
    /// </summary>
    public static Engine AlwaysParallel(int threads) =>
        Parallel.GetOrAdd(threads, t => new Engine(t, new KernelSettings { GemmParallelThreshold = 0 }));
}
