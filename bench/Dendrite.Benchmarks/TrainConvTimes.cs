using System.Diagnostics;
using Dendrite;

/// <summary>
/// Quick mode `train-conv <channels> <size> <filters> <batch> <threads> [calls]`: one 3x3 pad-1 stride-1 convolution's
/// training forward plus backward (dL/dx and dL/dW) on [batch, channels, size, size], median microseconds, by im2col
/// and by Winograd, with the layer's own choice named.
/// </summary>
internal static class TrainConvTimes
{
    public static string Measure(int channels, int size, int filters, int batch, int threads, int calls)
    {
        var lines = new List<string>();
        foreach (bool? winograd in new bool?[] { false, true, null })
        {
            var net = ModelSpec.Build($"conv({channels},1),conv({filters},3,pad=1),gap,dense(10)", [1, size, size], 10, seed: 1, new Engine(threads));
            var conv = net.Walk().OfType<Conv2d>().Last();
            conv.UseWinograd = winograd;
            var x = new Tensor(batch, channels, size, size);
            new Rng(3).Uniform(x.Span, -1f, 1f);
            var dy = conv.Forward(x, training: true).Clone();
            var times = new double[calls];
            // Past tiered compilation's first tiers, as in a training run.
            for (var warm = Stopwatch.StartNew(); warm.Elapsed.TotalSeconds < 1.5;)
            {
                conv.Forward(x, training: true);
                conv.Backward(dy);
            }
            for (int c = 0; c < calls; c++)
            {
                long t0 = Stopwatch.GetTimestamp();
                conv.Forward(x, training: true);
                conv.Backward(dy);
                times[c] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            }
            Array.Sort(times);
            lines.Add($"[{batch}, {channels}, {size}, {size}] -> {filters}: {(winograd is null ? "own choice" : winograd.Value ? "winograd" : "im2col"),-10} median {times[calls / 2],9:F0} us");
        }
        return string.Join(Environment.NewLine, lines);
    }
}
