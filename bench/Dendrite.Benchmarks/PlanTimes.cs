using System.Diagnostics;
using Dendrite;

/// <summary>
/// Quick mode `plan <model> <threads> [batch] [calls]`: the layer-by-layer inference forward (each layer's
/// Forward(x, training: false)) and the network's <see cref="InferencePlan"/> on the same batch, call by call in
/// alternation so that a shared host's swings hit both alike; medians and their ratio, then the plan's steps.
/// </summary>
internal static class PlanTimes
{
    public static string Measure(string model, int threads, int batch, int calls)
    {
        var net = ModelSpec.Build(model, [1, 28, 28], 10, seed: 1, new Engine(threads));
        var x = new Tensor(batch, 1, 28, 28);
        new Rng(3).Uniform(x.Span, 0f, 1f);
        var plan = InferencePlan.Build(net);
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 3)
        {
            net.Forward(x, training: false);
            plan.Run(x);
        }
        double[] layered = new double[calls], planned = new double[calls];
        for (int c = 0; c < calls; c++)
        {
            long t0 = Stopwatch.GetTimestamp();
            net.Forward(x, training: false);
            layered[c] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            t0 = Stopwatch.GetTimestamp();
            plan.Run(x);
            planned[c] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
        }
        double l = Median(layered), p = Median(planned);
        var lines = new List<string>
        {
            $"{model}, batch {batch}, {threads} threads: layer by layer median {l:F1} us, plan median {p:F1} us, speed-up {l / p:F2}x, plan {batch * 1e6 / p:F0} samples/s",
        };
        lines.AddRange(plan.Steps.Select(s => "  step " + s));
        return string.Join(Environment.NewLine, lines);
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}

/// <summary>Quick mode `plan-alloc <model> <threads> <batch>`: bytes allocated (all threads) per 20 plan calls, round after round.</summary>
internal static class PlanAllocations
{
    public static string Measure(string model, int threads, int batch)
    {
        var net = ModelSpec.Build(model, [1, 28, 28], 10, seed: 1, new Engine(threads));
        var x = new Tensor(batch, 1, 28, 28);
        new Rng(3).Uniform(x.Span, 0f, 1f);
        var plan = InferencePlan.Build(net);
        var rounds = new List<long>();
        for (int r = 0; r < 30; r++)
        {
            long t0 = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 20; i++) plan.Run(x);
            rounds.Add(GC.GetTotalAllocatedBytes(precise: true) - t0);
        }
        return string.Join(" ", rounds);
    }
}
