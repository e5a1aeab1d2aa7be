using Dendrite.Kernels;

namespace Dendrite;

/// <summary>
/// Where and how a network computes: the backend (<see cref="Device"/>), how many threads its kernels use, its
/// worker threads and its kernel settings. A network is built with one (<c>Sequential.Build(shape, seed, engine)</c>)
/// and every layer and optimizer of it computes on that engine; <see cref="Default"/> serves calls that name none.
/// Nothing here is process-wide and nothing changes after construction, so two networks on engines with different
/// thread counts can train at the same time in one process. Results are bit-identical for any thread count: the
/// work split never changes the order of a sum.
/// This is the seam for other backends: an engine made with a <see cref="DeviceBackend"/> (Dendrite.Gpu's ILGPU
/// backend for <c>--device cuda</c>) trains and predicts on that device; its threads still serve whatever runs on the
/// host (a gradient check, a direct <see cref="Layer.Forward"/>).
/// An engine keeps its worker threads (started on first use, asleep when idle) for the life of the process:
/// create one per configuration and reuse it.
/// </summary>
public sealed class Engine
{
    /// <summary>The engine of calls that name none: the CPU, all cores. Immutable, like every engine.</summary>
    public static Engine Default { get; } = new(Math.Max(1, Environment.ProcessorCount));

    /// <summary>A CPU engine whose kernels use up to <paramref name="threads"/> threads (the calling thread included).</summary>
    /// <exception cref="ArgumentOutOfRangeException">threads is less than 1.</exception>
    public Engine(int threads) : this(threads, KernelSettings.Measured) { }

    /// <summary>
    /// An engine whose networks train and predict on <paramref name="backend"/>; <paramref name="threads"/> serve what
    /// still runs on the host (all cores when 0).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">threads is negative.</exception>
    public Engine(DeviceBackend backend, int threads = 0)
        : this(threads == 0 ? Math.Max(1, Environment.ProcessorCount) : threads, KernelSettings.Measured) =>
        Backend = backend ?? throw new ArgumentNullException(nameof(backend));

    /// <summary>An engine with other kernel settings (tests and benchmarks).</summary>
    internal Engine(int threads, KernelSettings settings)
    {
        Threads = threads >= 1 ? threads : throw new ArgumentOutOfRangeException(nameof(threads), $"engine: threads must be at least 1, got {threads}");
        Settings = settings;
        Pool = new WorkerPool();
    }

    /// <summary>How many threads the kernels may use, the calling thread included.</summary>
    public int Threads { get; }

    /// <summary>
    /// The backend that runs the kernels: "cpu" (managed code, SIMD through System.Runtime.Intrinsics), or the
    /// <see cref="Backend"/>'s name ("cuda" or "ilgpu-cpu" through Dendrite.Gpu).
    /// </summary>
    public string Device => Backend?.Name ?? "cpu";

    /// <summary>The device networks train and predict on; null for the CPU.</summary>
    public DeviceBackend? Backend { get; }

    /// <summary>This engine's worker threads: its own, so engines never wait for one another.</summary>
    internal WorkerPool Pool { get; }

    /// <summary>Thresholds and block sizes the kernels choose by.</summary>
    internal KernelSettings Settings { get; }

    /// <summary>Runs job.Execute(c) for c in [0, chunks) on this engine's threads (on the calling thread alone when it has one thread, one chunk, or its pool is busy).</summary>
    internal void Run(IParallelJob job, int chunks)
    {
        if (Threads == 1 || chunks < 2 || !Pool.TryRun(job, chunks, Threads))
            for (int c = 0; c < chunks; c++) job.Execute(c);
    }

    /// <summary>"cpu, 2 threads", or the device's description.</summary>
    public override string ToString() => Backend is null ? $"{Device}, {Threads} thread{(Threads == 1 ? "" : "s")}" : $"{Device} ({Backend.Description})";
}
