namespace Dendrite;

/// <summary>
/// The losses by name: cross-entropy (also ce; softmax fused in), mse, bce (also binary-cross-entropy, its
/// <see cref="Loss.Name"/> as a model file saves it).
/// </summary>
public static class LossCatalog
{
    /// <summary>The names <see cref="Create"/> lists in its error; it also takes the aliases ce and binary-cross-entropy.</summary>
    public static IReadOnlyList<string> Names { get; } = ["cross-entropy", "mse", "bce"];

    /// <summary>A new loss.</summary>
    /// <exception cref="ArgumentException">The name is neither one of <see cref="Names"/> nor an alias.</exception>
    public static Loss Create(string name) => name switch
    {
        "cross-entropy" or "ce" => new SoftmaxCrossEntropy(),
        "mse" => new MeanSquaredError(),
        "bce" or "binary-cross-entropy" => new BinaryCrossEntropy(),
        _ => throw new ArgumentException($"'{name}' is not one of {string.Join(", ", Names)}"),
    };
}
