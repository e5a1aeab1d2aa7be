using System.Collections.Concurrent;
using System.Diagnostics;
using Dendrite.Kernels;

namespace Dendrite.Inference;

/// <summary>
/// Picks each convolution's forward algorithm by timing every one that applies (im2col + GEMM, direct, Winograd) on
/// this machine, on a synthetic batch of the layer's own shape, instead of by rules written for a few shapes.
/// The timing runs on one thread and the choice is kept for the life of the process, keyed by the geometry, so every
/// plan for that geometry (on an engine of any thread count) computes it the same way: results stay bit-identical
/// across thread counts.
/// </summary>
internal static class ConvolutionCosts
{
    private static readonly ConcurrentDictionary<string, ConvolutionAlgorithm> Chosen = new();
    private static readonly Engine Serial = new(1);
    private static readonly object Gate = new();

    /// <summary>Timed rounds per algorithm (alternating, the best kept); the first call of each is a warm-up.</summary>
    private const int Rounds = 4;

    /// <summary>Multiply-adds in the timed batch: about 2 ms of work on one core at 100 GFLOP/s, enough to rise above timer noise.</summary>
    private const long WorkPerTiming = 100_000_000;

    /// <summary>The fastest algorithm measured for <paramref name="conv"/>'s geometry (measured now if this process has not yet).</summary>
    public static ConvolutionAlgorithm Choose(Conv2d conv)
    {
        var algorithms = conv.Algorithms;
        if (algorithms.Count == 1) return algorithms[0];
        string key = $"{Tensor.Format(conv.InputShape)} {conv.Spec}";
        if (Chosen.TryGetValue(key, out var known)) return known;
        lock (Gate) return Chosen.GetOrAdd(key, _ => Measure(conv, algorithms));
    }

    /// <summary>Each algorithm's best time in microseconds for a batch of <paramref name="images"/>, in the order of <see cref="Conv2d.Algorithms"/>.</summary>
    internal static double[] Time(Conv2d conv, int images, int rounds = Rounds)
    {
        var algorithms = conv.Algorithms;
        var x = new Tensor([images, .. conv.InputShape]);
        new Rng(7).Uniform(x.Span, -1f, 1f);
        var y = new Tensor([images, .. conv.OutputShape]);
        var best = new double[algorithms.Count];
        Array.Fill(best, double.MaxValue);
        ReadOnlySpan<float> w = conv.Weight.Value.Span, b = conv.Bias is { } bias ? bias.Value.Span : [];
        for (int round = 0; round <= rounds; round++)
            for (int a = 0; a < algorithms.Count; a++)
            {
                long t0 = Stopwatch.GetTimestamp();
                conv.Compute(Serial, algorithms[a], x, w, b, y, relu: false);
                double us = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
                if (round > 0) best[a] = Math.Min(best[a], us);
            }
        return best;
    }

    private static ConvolutionAlgorithm Measure(Conv2d conv, IReadOnlyList<ConvolutionAlgorithm> algorithms)
    {
        int images = (int)Math.Clamp(WorkPerTiming / Math.Max(1, conv.MultiplyAdds), 1, 16);
        var times = Time(conv, images);
        int fastest = 0;
        for (int a = 1; a < times.Length; a++)
            if (times[a] < times[fastest]) fastest = a;
        return algorithms[fastest];
    }
}
