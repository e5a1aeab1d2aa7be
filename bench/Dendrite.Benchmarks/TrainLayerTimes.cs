using System.Diagnostics;
using Dendrite;

/// <summary>
/// Quick mode `train-layers <model> <threads> [batch] [calls]`: each leaf layer's training forward plus backward,
/// timed alone on the input it sees in the network (layers inside blocks included, by path), median microseconds;
/// then the whole training step for comparison. Synthetic uniform [0, 1) images of 28x28, as `dendrite bench`.
/// </summary>
internal static class TrainLayerTimes
{
    public static string Measure(string model, int threads, int batch, int calls)
    {
        var net = ModelSpec.Build(model, [1, 28, 28], 10, seed: 1, new Engine(threads));
        if (Environment.GetEnvironmentVariable("DENDRITE_WINOGRAD") is { } w)
            foreach (var conv in net.Walk().OfType<Conv2d>()) conv.UseWinograd = w == "1";
        var x = new Tensor(batch, 1, 28, 28);
        new Rng(3).Uniform(x.Span, 0f, 1f);
        var trainer = new Trainer(net, new SoftmaxCrossEntropy(), new Adam(1e-3f));
        var targets = new Tensor(batch, 10);
        for (int i = 0; i < batch; i++) targets.Span[i * 10 + i % 10] = 1f;
        var data = new Batch();
        data.Inputs.Resize(x.Shape);
        x.Span.CopyTo(data.Inputs.Span);
        data.Targets.Resize(targets.Shape);
        targets.Span.CopyTo(data.Targets.Span);
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 3) trainer.TrainStep(data);

        var leaves = new List<(Layer Layer, Tensor Input)>();
        void Collect(Layer layer, Tensor input)
        {
            var children = layer.ChildInputs(input);
            if (children.Count == 0) leaves.Add((layer, input));
            else foreach (var (child, childInput) in children) Collect(child, childInput);
        }
        Collect(net, x);
        var lines = new List<string>();
        var times = new double[calls];
        double total = 0;
        foreach (var (layer, input) in leaves)
        {
            var dy = layer.Forward(input, training: true).Clone();
            for (int c = 0; c < calls; c++)
            {
                long t0 = Stopwatch.GetTimestamp();
                layer.Forward(input, training: true);
                layer.Backward(dy);
                times[c] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            }
            double median = Median(times);
            total += median;
            lines.Add($"{layer.Label,-60} median {median,9:F1} us");
        }
        lines.Add($"{"sum of the layers",-60}        {total,9:F1} us");
        for (int c = 0; c < calls; c++)
        {
            long t0 = Stopwatch.GetTimestamp();
            trainer.TrainStep(data);
            times[c] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
        }
        lines.Add($"{"training step",-60} median {Median(times),9:F1} us");
        return string.Join(Environment.NewLine, lines);
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}
