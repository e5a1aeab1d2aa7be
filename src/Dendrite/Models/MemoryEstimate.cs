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
    public long InferenceBytes(int batch) => Layers.Sum(l => Inference(l, batch));

    /// <summary>Bytes to train on batches of <paramref name="batch"/>: weights, gradients and two optimizer vectors each, outputs and their gradients.</summary>
    public long TrainingBytes(int batch) => Layers.Sum(l => Training(l, batch));

    private static long Inference(LayerMemory l, int batch) => 4 * (l.ParameterFloats + batch * l.OutputFloats);
    private static long Training(LayerMemory l, int batch) => 4 * (4 * l.ParameterFloats + 2 * batch * l.OutputFloats);

    /// <summary>
    /// Throws when running (or, with <paramref name="training"/>, training) on batches of <paramref name="batch"/> needs more
    /// than <paramref name="limit"/> bytes, naming the layer that takes the most.
    /// </summary>
    /// <exception cref="MemoryLimitException">The estimate is over the limit.</exception>
    public void Require(long limit, int batch, bool training)
    {
        long total = training ? TrainingBytes(batch) : InferenceBytes(batch);
        if (total <= limit) return;
        Func<LayerMemory, long> share = training ? l => Training(l, batch) : l => Inference(l, batch);
        var top = Layers.MaxBy(share);
        string what = training ? $"training with batch {batch}" : batch == 1 ? "building the model" : $"running it on batches of {batch}";
        throw new MemoryLimitException($"{top.Label} ({top.ParameterFloats:N0} weights, {top.OutputFloats:N0} outputs per sample) takes about " +
                                       $"{Format(share(top))} of the {Format(total)} that {what} needs, more than the {Format(limit)} allowed");
    }

    /// <summary>"7.8 GB", "512 MB", "300 bytes".</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.#", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.#", CultureInfo.InvariantCulture) + " MiB",
        _ => bytes.ToString("N0", CultureInfo.InvariantCulture) + " bytes",
    };
}
