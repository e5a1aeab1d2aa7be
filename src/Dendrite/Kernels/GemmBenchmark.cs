using System.Diagnostics;
using System.Runtime.Intrinsics;

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

    /// <summary>
    /// The FMA peak of one core in GFLOP/s, measured: 12 independent chains of vector fused multiply-adds (the widest
    /// vectors the runtime accelerates) on the calling thread, the best of five rounds of about `seconds` / 5. No data
    /// leaves the registers, so this is what the FMA units deliver (on Zen 4 a 512-bit FMA is two 256-bit halves).
    /// </summary>
    public static double MeasurePeakGflops(double seconds = 0.5)
    {
        double best = 0;
        for (int round = 0; round < 6; round++)
        {
            long iterations = 0;
            var sw = Stopwatch.StartNew();
            int lanes = 0;
            while (sw.Elapsed.TotalSeconds < seconds / 5)
            {
                lanes = FmaChains(100_000);
                iterations += 100_000;
            }
            double rate = 2.0 * 12 * lanes * iterations / sw.Elapsed.TotalSeconds / 1e9;
            if (round > 0) best = Math.Max(best, rate); // the first round also compiles
        }
        return best;
    }

    // 12 accumulators a = a * m + c, each an independent chain: enough to cover the FMA latency on two pipes.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining | System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int FmaChains(int iterations)
    {
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
        {
            var m = System.Runtime.Intrinsics.Vector512.Create(0.999999f);
            var c = System.Runtime.Intrinsics.Vector512.Create(1e-7f);
            System.Runtime.Intrinsics.Vector512<float> a0 = m, a1 = m, a2 = m, a3 = m, a4 = m, a5 = m, a6 = m, a7 = m, a8 = m, a9 = m, a10 = m, a11 = m;
            for (int i = 0; i < iterations; i++)
            {
                a0 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a0, m, c); a1 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a1, m, c);
                a2 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a2, m, c); a3 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a3, m, c);
                a4 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a4, m, c); a5 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a5, m, c);
                a6 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a6, m, c); a7 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a7, m, c);
                a8 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a8, m, c); a9 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a9, m, c);
                a10 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a10, m, c); a11 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a11, m, c);
            }
            Sink = (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).ToScalar();
            return 16;
        }
        var v = System.Runtime.Intrinsics.Vector256.Create(0.999999f);
        var d = System.Runtime.Intrinsics.Vector256.Create(1e-7f);
        System.Runtime.Intrinsics.Vector256<float> b0 = v, b1 = v, b2 = v, b3 = v, b4 = v, b5 = v, b6 = v, b7 = v, b8 = v, b9 = v, b10 = v, b11 = v;
        for (int i = 0; i < iterations; i++)
        {
            b0 = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(b0, v, d); b1 = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(b1, v, d);
            b2 = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(b2, v, d); b3 = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(b3, v, d);
            b4 = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(b4, v, d); b5 = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(b5, v, d);
            b6 = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(b6, v, d); b7 = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(b7, v, d);
            b8 = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(b8, v, d); b9 = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(b9, v, d);
            b10 = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(b10, v, d); b11 = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(b11, v, d);
        }
        Sink = (b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7 + b8 + b9 + b10 + b11).ToScalar();
        return 8;
    }

    private static float Sink;

    private static float[] Random(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
