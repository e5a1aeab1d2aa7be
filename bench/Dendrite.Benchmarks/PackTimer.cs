using System.Diagnostics;
using Dendrite.Kernels;

/// <summary>Times the two transposing packers (quick mode `pack`): nanoseconds per packed element.</summary>
internal static unsafe class PackTimer
{
    public static string Measure(int rows, int k)
    {
        float[] src = new float[rows * k], dst = new float[(rows + 64) * k];
        for (int i = 0; i < src.Length; i++) src[i] = i;
        double bestA = double.MaxValue, bestB = double.MaxValue;
        fixed (float* s = src, d = dst)
            for (int round = 0; round < 200; round++)
            {
                long t0 = Stopwatch.GetTimestamp();
                GemmPacking.PackA(6, false, s, k, 0, rows, 0, k, d);
                long t1 = Stopwatch.GetTimestamp();
                GemmPacking.PackB(64, true, s, k, 0, k, 0, rows, d);
                long t2 = Stopwatch.GetTimestamp();
                bestA = Math.Min(bestA, (t1 - t0) * 1e9 / Stopwatch.Frequency / src.Length);
                bestB = Math.Min(bestB, (t2 - t1) * 1e9 / Stopwatch.Frequency / src.Length);
            }
        return $"pack A {bestA:F3} ns/elt, pack B^T {bestB:F3} ns/elt (vectorized={GemmPacking.Vectorized})";
    }
}
