namespace Dendrite;

/// <summary>
/// The optimizers by name (the names the command line and checkpoints use), with each one's default learning rate:
/// sgd 0.05; momentum and nesterov 0.01; adam, adamw and rmsprop 0.001. Weight decay is 0 except for adamw (0.01, decoupled).
/// </summary>
public static class OptimizerCatalog
{
    /// <summary>Every name <see cref="Create"/> takes, in the order the help lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop"];

    /// <summary>
    /// A new optimizer; a null <paramref name="learningRate"/> or <paramref name="weightDecay"/> takes the optimizer's
    /// default. <paramref name="momentum"/> is used by momentum and nesterov only.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static Optimizer Create(string name, float? learningRate = null, float momentum = 0.9f, float? weightDecay = null) => name switch
    {
        "sgd" => new GradientDescent(learningRate ?? 0.05f, weightDecay ?? 0f),
        "momentum" => new Momentum(learningRate ?? 0.01f, momentum, weightDecay ?? 0f),
        "nesterov" => new Nesterov(learningRate ?? 0.01f, momentum, weightDecay ?? 0f),
        "adam" => new Adam(learningRate ?? 0.001f, weightDecay: weightDecay ?? 0f),
        "adamw" => new AdamW(learningRate ?? 0.001f, weightDecay ?? 0.01f),
        "rmsprop" => new RmsProp(learningRate ?? 0.001f, weightDecay: weightDecay ?? 0f),
        _ => throw new ArgumentException($"'{name}' is not one of {string.Join(", ", Names)}"),
    };
}
