using System.Diagnostics;

namespace Dendrite.Kernels;

/// <summary>Times square SGEMMs through <see cref="Gemm.Multiply"/> (the figure `dendrite bench gemm` prints).</summary>
public static class GemmBenchmark
{
    /// <summary>GFLOP/s (2 n^3 per product) over about <paramref name="seconds"/>, after one warm-up product.</summary>
    public static double MeasureGflops(int n, int threads, double seconds)
    {
        int saved = Engine.Threads;
        Engine.Threads = threads;
        try
        {
            var rng = new Rng(1);
            var a = new float[n * n];
            var b = new float[n * n];
            var c = new float[n * n];
            rng.Uniform(a, -1f, 1f);
            rng.Uniform(b, -1f, 1f);
            Gemm.Multiply(false, false, n, n, n, 1f, a, n, b, n, 0f, c, n);
            int reps = 0;
            var clock = Stopwatch.StartNew();
            do
            {
                Gemm.Multiply(false, false, n, n, n, 1f, a, n, b, n, 0f, c, n);
                reps++;
            }
            while (clock.Elapsed.TotalSeconds < seconds);
            return 2.0 * n * n * n * reps / clock.Elapsed.TotalSeconds / 1e9;
        }
        finally
        {
            Engine.Threads = saved;
        }
    }
}
