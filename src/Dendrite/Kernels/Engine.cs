namespace Dendrite;

/// <summary>Process-wide settings of the compute kernels.</summary>
public static class Engine
{
    private static int _threads = Math.Max(1, Environment.ProcessorCount);

    /// <summary>
    /// How many threads the kernels may use (default: all cores). Results are bit-identical for the
    /// same thread count; the work split never changes the order of a sum.
    /// </summary>
    public static int Threads
    {
        get => _threads;
        set => _threads = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), $"threads must be at least 1, got {value}");
    }
}
