namespace Dendrite;

/// <summary>
/// "ReLU can die": counts the units of each <see cref="ReLU"/> layer, inside blocks too, that never fire (output 0 for every
/// sample of a data set). A unit is one feature of a vector, or one channel of maps (a filter is shared by every
/// position, so a channel is dead when it is 0 at every position of every sample). A dead unit passes no gradient
/// (relu'(x) = 0 for x &lt;= 0), so nothing below it learns from it again: typically the sign of too large a learning rate.
/// </summary>
public static class DeadUnits
{
    /// <summary>One ReLU layer's count.</summary>
    /// <param name="Layer">The ReLU layer.</param>
    /// <param name="Units">Its units: features, or channels of maps.</param>
    /// <param name="Dead">How many never fired on the samples seen.</param>
    /// <param name="Samples">How many samples were run.</param>
    public sealed record Count(Layer Layer, int Units, int Dead, int Samples)
    {
        /// <summary>Dead / Units.</summary>
        public double Fraction => Units == 0 ? 0 : (double)Dead / Units;

        /// <summary>"layer 2 relu: 140 of 256 units never fire (54.7%)".</summary>
        public override string ToString() => $"{Layer.Label}: {Dead:N0} of {Units:N0} units never fire ({Fraction * 100:F1}%) on {Samples:N0} samples";
    }

    /// <summary>
    /// Runs the first <paramref name="limit"/> samples of <paramref name="data"/> (already normalised as the network
    /// expects) through <paramref name="net"/> in evaluation mode and counts, for each ReLU layer in the order of
    /// <see cref="Layer.Walk"/> (a residual block's inner ReLUs included), the units whose output was never above 0.
    /// Empty when the network has no ReLU.
    /// </summary>
    /// <exception cref="ShapeException">The data's samples do not match the network's input.</exception>
    public static IReadOnlyList<Count> Measure(Sequential net, Dataset data, int limit = int.MaxValue, int batchSize = 256)
    {
        if (!data.SampleShape.AsSpan().SequenceEqual(net.InputShape))
            throw new ShapeException($"samples are {Tensor.Format(data.SampleShape)}, the model takes {Tensor.Format(net.InputShape)}");
        var relus = net.Walk().OfType<ReLU>().ToList();
        if (relus.Count == 0) return [];
        var fired = relus.ToDictionary(r => r, r => new bool[r.OutputShape[0]]);
        // Only as far as the last top-level layer that holds a ReLU.
        var layers = net.Layers;
        int last = Enumerable.Range(0, layers.Count).Last(i => layers[i].Walk().Any(l => l is ReLU));
        int count = Math.Min(limit, data.Count), size = data.SampleSize;
        for (int start = 0; start < count; start += batchSize)
        {
            int n = Math.Min(batchSize, count - start);
            var x = new Tensor([n, .. net.InputShape]);
            for (int i = 0; i < n; i++) data.ReadSample(start + i, x.Span.Slice(i * size, size));
            net.Forward(x, training: false, last + 1);
            // Each ReLU keeps its last output until it runs again: after the pass, every one holds this batch's.
            foreach (var relu in relus) Mark(relu.LastOutput!, fired[relu]);
        }
        return [.. relus.Select(r => new Count(r, fired[r].Length, fired[r].Count(f => !f), count))];
    }

    // fired[u] |= any value of unit u (a feature, or a whole channel) is above 0.
    private static void Mark(Tensor y, bool[] fired)
    {
        int n = y[0], units = fired.Length, plane = y.Length / n / units;
        var s = y.Span;
        for (int i = 0; i < n; i++)
            for (int u = 0; u < units; u++)
            {
                if (fired[u]) continue;
                var values = s.Slice((i * units + u) * plane, plane);
                if (System.Numerics.Tensors.TensorPrimitives.Max(values) > 0f) fired[u] = true;
            }
    }
}
