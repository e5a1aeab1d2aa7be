using System.Diagnostics;
using Dendrite.Kernels;

namespace Dendrite.Benchmarks;

/// <summary>im2col of a batch on one thread: the row-copy path, the offset-table path, and a scalar loop over the same table (us, best of the calls).</summary>
internal static unsafe class Im2ColTimes
{
    public static string Measure(int channels, int size, int kernel, int stride, int pad, int images, int calls)
    {
        var g = Window2d.Create(size, size, kernel, kernel, stride, pad, pad, 1);
        int plane = g.OutPlane, ld = images * plane, inSize = channels * g.InPlane;
        var x = new float[images * inSize];
        new Rng(1).Uniform(x, -1f, 1f);
        var col = new float[channels * g.KernelArea * ld];
        var table = Im2Col.Offsets(g);
        double rows = Best(calls, () => { for (int n = 0; n < images; n++) Im2Col.Gather(x.AsSpan(n * inSize, inSize), channels, g, col, ld, n * plane); });
        double byTable = Best(calls, () => { for (int n = 0; n < images; n++) Im2Col.GatherByTable(x.AsSpan(n * inSize, inSize), channels, g, table, col, ld, n * plane); });
        double scalar = Best(calls, () => { for (int n = 0; n < images; n++) Scalar(x.AsSpan(n * inSize, inSize), channels, g, table, col, ld, n * plane); });
        long values = (long)images * channels * g.KernelArea * plane;
        return $"[{images}, {channels}, {size}, {size}] k{kernel} s{stride} p{pad} -> {g.OutH}x{g.OutW}: rows {rows:F0} us, table {byTable:F0} us, scalar table {scalar:F0} us ({values / 1e6:F2} M values)";
    }

    private static void Scalar(ReadOnlySpan<float> image, int channels, in Window2d g, int[] table, float[] col, int ld, int offset)
    {
        int plane = g.OutPlane, area = g.KernelArea;
        fixed (float* img = image, cols = col)
        fixed (int* t0 = table)
            for (int c = 0; c < channels; c++)
            {
                float* src = img + c * g.InPlane;
                for (int t = 0; t < area; t++)
                {
                    float* dst = cols + (nint)(c * area + t) * ld + offset;
                    int* o = t0 + t * plane;
                    for (int p = 0; p < plane; p++) { int k = o[p]; dst[p] = k >= 0 ? src[k] : 0f; }
                }
            }
    }

    private static double Best(int calls, Action run)
    {
        double best = double.MaxValue;
        for (int i = 0; i < calls; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            run();
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
        }
        return best;
    }
}
