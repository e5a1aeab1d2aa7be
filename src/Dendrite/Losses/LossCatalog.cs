namespace Dendrite;

/// <summary>
/// The losses by name: cross-entropy (also ce; softmax fused in), mse, bce (also binary-cross-entropy, its
/// <see cref="Loss.Name"/> as a model file saves it).
/// </summary>
public static class LossCatalog
{
    /// <summary>The names <see cref="Create"/> lists in its error; it also takes the aliases ce and binary-cross-entropy.</summary>
    public static IReadOnlyList<string> Names { get; } = ["cross-entropy", "mse", "bce"];

    /// <summary>A new loss; <paramref name="labelSmoothing"/> is cross-entropy's <see cref="SoftmaxCrossEntropy.LabelSmoothing"/>.</summary>
    /// <exception cref="ArgumentException">The name is neither one of <see cref="Names"/> nor an alias, or label smoothing is asked of another loss.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is outside [0, 1).</exception>
    public static Loss Create(string name, float labelSmoothing = 0f)
    {
        Loss loss = name switch
        {
            "cross-entropy" or "ce" => new SoftmaxCrossEntropy { LabelSmoothing = labelSmoothing },
            "mse" => new MeanSquaredError(),
            "bce" or "binary-cross-entropy" => new BinaryCrossEntropy(),
            _ => throw new ArgumentException($"'{name}' is not one of {string.Join(", ", Names)}"),
        };
        if (labelSmoothing != 0 && loss is not SoftmaxCrossEntropy)
            throw new ArgumentException($"label smoothing applies to cross-entropy only, not to {loss.Name}");
        return loss;
    }
}
