using System.Diagnostics;
using Dendrite;
using Dendrite.Kernels;

/// <summary>
/// Quick mode `wino <channels> <size> <filters> <batch> <threads> [rounds]`: one 3x3 pad-1 convolution's Winograd
/// forward, backward-data and weight gradient with the transforms along tile rows and over gathered tiles, then the
/// im2col training forward plus backward of the same layer, called in turn round after round so that the host's
/// moods fall on all of them alike. Prints each one's minimum and median microseconds.
/// </summary>
internal static class WinogradPhases
{
    public static string Measure(int channels, int size, int filters, int batch, int threads, int rounds)
    {
        var engine = new Engine(threads);
        var rng = new Rng(5);
        var x = TestArray(rng, batch * channels * size * size);
        var w = TestArray(rng, filters * channels * 9);
        var bias = TestArray(rng, filters);
        var dy = TestArray(rng, batch * filters * size * size);
        var y = new float[dy.Length];
        var dx = new float[x.Length];
        var dw = new float[w.Length];
        var kernels = new[] { false, true }.Select(g =>
            new WinogradConvolution(channels, size, size, filters, 3, 1, 1, size, size) { GatherTiles = g }).ToArray();
        var net = ModelSpec.Build($"conv({channels},1),conv({filters},3,pad=1),gap,dense(10)", [1, size, size], 10, seed: 1, engine);
        var conv = net.Walk().OfType<Conv2d>().Last();
        conv.UseWinograd = false;
        var input = new Tensor(batch, channels, size, size);
        x.CopyTo(input.Span);
        var gradient = conv.Forward(input, training: true).Clone();
        string[] names = ["rows forward", "rows backward-data", "rows weight gradient", "gathered forward", "gathered backward-data", "gathered weight gradient", "im2col forward+backward"];
        var times = names.Select(_ => new List<double>()).ToArray();
        void Time(int slot, Action run)
        {
            long t0 = Stopwatch.GetTimestamp();
            run();
            times[slot].Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
        }
        for (int round = -3; round < rounds; round++)
        {
            for (int k = 0; k < 2; k++)
            {
                var kernel = kernels[k];
                Time(3 * k, () => kernel.Forward(engine, x, batch, w, bias, y));
                Time(3 * k + 1, () => kernel.BackwardData(engine, dy, batch, w, dx));
                Time(3 * k + 2, () => kernel.WeightGradient(engine, x, dy, batch, dw));
            }
            Time(6, () => { conv.Forward(input, training: true); conv.Backward(gradient); });
            if (round < 0) foreach (var list in times) list.Clear(); // warm-up rounds
        }
        return string.Join(Environment.NewLine, names.Select((name, i) =>
        {
            var sorted = times[i].Order().ToArray();
            return $"[{batch}, {channels}, {size}, {size}] -> {filters}, {threads} threads: {name,-26} min {sorted[0],8:F0} us  median {sorted[sorted.Length / 2],8:F0} us";
        }));
    }

    private static float[] TestArray(Rng rng, int length)
    {
        var a = new float[length];
        rng.Uniform(a, -1f, 1f);
        return a;
    }
}
