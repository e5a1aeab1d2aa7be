using System.Diagnostics;

namespace Dendrite.Kernels;

/// <summary>
/// SGEMM throughput through the engine's GEMM, for `dendrite bench gemm --size N --threads T` and the
/// benchmarks: GFLOP/s = 2 m n k * calls / seconds on random matrices, after a warm-up that is not timed
/// (JIT, packing buffers, worker threads); the median of five timed rounds, as the machine may be shared.
/// </summary>
internal static class GemmBenchmark
{
    /// <summary>Square n x n x n product on <paramref name="engine"/>'s threads for about `seconds` (plus a short warm-up).</summary>
    public static double MeasureGflops(int n, Engine engine, double seconds)
        => MeasureGflops(n, n, n, false, false, engine, seconds, GemmPaths.Best);

    /// <summary>Any shape, flags and kernel path: the median of five timed rounds of about `seconds` / 5 each.</summary>
    internal static double MeasureGflops(int m, int n, int k, bool transA, bool transB, Engine engine, double seconds, GemmPath path)
    {
        if (m < 1 || n < 1 || k < 1) throw new ArgumentOutOfRangeException(nameof(n), $"gemm bench: sizes must be positive, got m={m} n={n} k={k}");
        if (!(seconds > 0)) throw new ArgumentOutOfRangeException(nameof(seconds), $"gemm bench: seconds must be positive, got {seconds}");
        var rng = new Random(12345);
        float[] a = Random(rng, m * k), b = Random(rng, k * n), c = new float[m * n];
        int lda = transA ? m : k, ldb = transB ? k : n;
        void Call() => Gemm.Multiply(engine, path, transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, c, n);

        // Warm-up: tier-1 JIT, packing buffers, worker threads; also sizes a round to ~seconds / 5.
        var sw = Stopwatch.StartNew();
        int calls = 0;
        while (calls < 3 || sw.Elapsed.TotalSeconds < Math.Min(0.3, seconds / 4)) { Call(); calls++; }
        int perRound = Math.Max(1, (int)(calls * (seconds / 5) / sw.Elapsed.TotalSeconds));
        const int rounds = 5;
        var rates = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            sw.Restart();
            for (int i = 0; i < perRound; i++) Call();
            rates[r] = 2.0 * m * n * k * perRound / sw.Elapsed.TotalSeconds / 1e9;
        }
        Array.Sort(rates);
        return rates[rounds / 2];
    }

    private static float[] Random(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
