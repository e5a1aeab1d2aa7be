using System.Globalization;

namespace Dendrite;

/// <summary>
/// What a network will take in memory, worked out from its layers' <see cref="Layer.Describe"/> before a single weight
/// is allocated, so that a spec asking for gigabytes is refused in milliseconds, naming the layer, instead of being
/// killed by the system minutes later. An estimate, on the high side: every parameter and buffer, its gradient and up to
/// two optimizer vectors (Adam's) for training; each layer's output per sample, kept for the backward pass and matched
/// by a gradient of the same size, times the batch.
/// </summary>
public sealed class MemoryEstimate
{
    private MemoryEstimate(IReadOnlyList<LayerMemory> layers) => Layers = layers;

    /// <summary>One layer's share: its label (<c>layer 1 dense(2500000)</c>), its parameter and buffer floats, its output floats per sample.</summary>
    public readonly record struct LayerMemory(string Label, long ParameterFloats, long OutputFloats);

    /// <summary>Each top-level layer's share, in order.</summary>
    public IReadOnlyList<LayerMemory> Layers { get; }

    /// <summary>The memory this process may use (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>: the machine's, or a container's limit).</summary>
    public static long DefaultLimit => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Describes the unbuilt (or built) <paramref name="net"/> for per-sample inputs of <paramref name="inputShape"/>.</summary>
    /// <exception cref="ShapeException">A layer does not accept its input shape.</exception>
    public static MemoryEstimate Of(Sequential net, int[] inputShape)
    {
        net.Describe(inputShape); // puts a flatten in front where Build would
        var layers = new List<LayerMemory>();
        var shape = inputShape;
        foreach (var layer in net.Layers)
        {
            var d = layer.Describe(shape);
            layers.Add(new LayerMemory(layer.Label, d.Floats, d.Output.Aggregate(1L, (v, x) => v * x)));
            shape = d.Output;
        }
        return new MemoryEstimate(layers);
    }

    /// <summary>Bytes to run the network on batches of <paramref name="batch"/>: weights, and each layer's output.</summary>
    public long InferenceBytes(int batch) => 4 * Layers.Sum(l => l.ParameterFloats + batch * l.OutputFloats);

    /// <summary>Bytes to train on batches of <paramref name="batch"/>: weights, gradients and two optimizer vectors each, outputs and their gradients.</summary>
    public long TrainingBytes(int batch) => 4 * Layers.Sum(l => 4 * l.ParameterFloats + 2 * batch * l.OutputFloats);

    /// <summary>
    /// Throws when <paramref name="bytes"/> (one of the figures above) is more than <paramref name="limit"/>, naming the
    /// layer that takes the most and what <paramref name="what"/> (e.g. "training with batch 64") would need.
    /// </summary>
    /// <exception cref="MemoryLimitException">The estimate is over the limit.</exception>
    public void Require(long bytes, long limit, string what)
    {
        if (bytes <= limit) return;
        var top = Layers.MaxBy(l => l.ParameterFloats)!;
        var act = Layers.MaxBy(l => l.OutputFloats)!;
        string culprit = top.ParameterFloats * 4 >= bytes / 2 || act.OutputFloats == 0
            ? $"{top.Label} holds {top.ParameterFloats:N0} weights ({Format(4 * top.ParameterFloats)})"
            : $"{act.Label} outputs {act.OutputFloats:N0} values per sample ({Format(4 * act.OutputFloats)})";
        throw new MemoryLimitException($"{culprit}; {what} needs about {Format(bytes)}, more than the {Format(limit)} allowed");
    }

    /// <summary>"7.8 GB", "512 MB", "300 bytes".</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.#", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.#", CultureInfo.InvariantCulture) + " MiB",
        _ => bytes.ToString("N0", CultureInfo.InvariantCulture) + " bytes",
    };
}
