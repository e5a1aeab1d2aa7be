using System.Diagnostics;
using Dendrite;

/// <summary>
/// Quick mode `layers <model> <threads> [batch] [calls]`: each layer's inference forward timed alone on its own
/// input (median and mean microseconds over the calls), then the whole of Sequential.Predict, which fuses each
/// convolution with the ReLU after it. Synthetic uniform [0, 1) images of 28x28, as `dendrite bench`.
/// </summary>
internal static class LayerTimes
{
    public static string Measure(string model, int threads, int batch, int calls)
    {
        var net = ModelSpec.Build(model, [1, 28, 28], 10, seed: 1, new Engine(threads));
        var x = new Tensor(batch, 1, 28, 28);
        new Rng(3).Uniform(x.Span, 0f, 1f);
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 3) net.Predict(x);
        var inputs = new Tensor[net.Layers.Count];
        var y = x;
        for (int i = 0; i < net.Layers.Count; i++)
        {
            inputs[i] = y.Clone();
            y = net.Layers[i].Forward(y, training: false);
        }
        var lines = new List<string>();
        var times = new double[calls];
        for (int i = 0; i < net.Layers.Count; i++)
        {
            for (int c = 0; c < calls; c++)
            {
                long t0 = Stopwatch.GetTimestamp();
                net.Layers[i].Forward(inputs[i], training: false);
                times[c] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            }
            lines.Add($"{net.Layers[i].Spec,-24} median {Median(times),9:F1} us  mean {times.Average(),9:F1} us");
        }
        for (int c = 0; c < calls; c++)
        {
            long t0 = Stopwatch.GetTimestamp();
            net.Predict(x);
            times[c] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
        }
        lines.Add($"{"Predict (plan)",-24} median {Median(times),9:F1} us  mean {times.Average(),9:F1} us");
        lines.AddRange(InferencePlan.Build(net).Steps.Select(s => "  step " + s));
        return string.Join(Environment.NewLine, lines);
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}
