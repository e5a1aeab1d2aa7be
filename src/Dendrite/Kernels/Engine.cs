using Dendrite.Kernels;

namespace Dendrite;

/// <summary>
/// Where and how a network computes: the backend (<see cref="Device"/>), how many threads its kernels use, its
/// worker threads and its kernel settings. A network is built with one (<c>Sequential.Build(shape, seed, engine)</c>)
/// and every layer and optimizer of it computes on that engine; <see cref="Default"/> serves calls that name none.
/// Nothing here is process-wide and nothing changes after construction, so two networks on engines with different
/// thread counts can train at the same time in one process. Results are bit-identical for any thread count: the
/// work split never changes the order of a sum.
/// This is the seam for other backends: today every engine is the CPU one; a GPU engine (e.g. ILGPU, for
/// <c>--device cuda</c>) would name itself in <see cref="Device"/> and own its accelerator and buffers the same way.
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
    /// The backend that runs the kernels: "cpu" (managed code, SIMD through System.Runtime.Intrinsics). Other backends
    /// (e.g. "cuda" or "ilgpu-cpu" through ILGPU) would be other engines behind this same type.
    /// </summary>
    public string Device => "cpu";

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

    /// <summary>"cpu, 2 threads".</summary>
    public override string ToString() => $"{Device}, {Threads} thread{(Threads == 1 ? "" : "s")}";
}
