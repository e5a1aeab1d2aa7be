namespace Dendrite.Kernels;

/// <summary>
/// The CPU kernels' tuning knobs, owned by an <see cref="Engine"/> and fixed when it is made (init only), so no
/// kernel reads a setting another thread may change. <see cref="Measured"/> holds the values the measurements
/// below chose; tests and benchmarks make engines with others.
/// </summary>
internal sealed class KernelSettings
{
    /// <summary>The measured defaults.</summary>
    public static readonly KernelSettings Measured = new();

    /// <summary>
    /// GEMM: below this many multiply-adds (~5 us on one core) stay on the calling thread. Measured on an idle
    /// machine, median us 1 -> 2 threads: 16x64x128 1.7 -> 1.8, 32x64x128 3.0 -> 2.7, 64x64x128 5.2 -> 4.2,
    /// 32x784x25 7.4 -> 5.1, 64x128x128 9.7 -> 6.6. When the other core is busy the worker rarely joins and
    /// the median cost was +0.5 us (load 9).
    /// </summary>
    public long GemmParallelThreshold { get; init; } = 1L << 19;

    /// <summary>GEMM chunks per thread: enough for a late or preempted thread's share to be picked up by the others.</summary>
    public int GemmChunksPerThread { get; init; } = 4;

    /// <summary>
    /// GEMM: read row-major B in place instead of packing it when op(A) has at most this many rows. Measured, GFLOP
    /// per CPU-second packed -> direct: 32x50176x25 79 -> 129, 64x784x256 186 -> 209, 512^3 207 -> 217,
    /// 1024^3 190 -> 190, 2048^3 195 -> 182 (packing pays once B panels are reused by many row tiles).
    /// </summary>
    public int GemmDirectBMaxRows { get; init; } = 512;

    /// <summary>
    /// Winograd: most floats of V and M for one block of images (5.5 MB). Measured on the cnn's conv2 forward, 2 threads (64
    /// images, 8 blocks): 2.24-2.28 ms, as the phase-by-phase split (2.24-2.26 ms); 4 MB 2.4 ms, 8 MB 2.7 ms, 11 MB
    /// 3.4-3.6 ms. At times when the host made data handed between the two cores slow, the phase-by-phase split took
    /// 4.7 ms and this 2.4-2.7 ms.
    /// </summary>
    public int WinogradImageBudget { get; init; } = 11 << 17;
}
