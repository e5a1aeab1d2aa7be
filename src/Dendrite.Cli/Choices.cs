namespace Dendrite.Cli;

/// <summary>The command line's names for optimizers, schedules and losses.</summary>
public static class Choices
{
    public static Optimizer Optimizer(string name, float? lr, float momentum, float? weightDecay) => name switch
    {
        "sgd" => new GradientDescent(lr ?? 0.05f, weightDecay ?? 0f),
        "momentum" => new Momentum(lr ?? 0.01f, momentum, weightDecay ?? 0f),
        "nesterov" => new Nesterov(lr ?? 0.01f, momentum, weightDecay ?? 0f),
        "adam" => new Adam(lr ?? 0.001f, weightDecay: weightDecay ?? 0f),
        "adamw" => new AdamW(lr ?? 0.001f, weightDecay ?? 0.01f),
        "rmsprop" => new RmsProp(lr ?? 0.001f, weightDecay: weightDecay ?? 0f),
        _ => throw new UsageException($"--optimizer: '{name}' is not one of sgd, momentum, nesterov, adam, adamw, rmsprop"),
    };

    public static LearningRateSchedule Schedule(string name, int epochs) => name switch
    {
        "constant" => new ConstantRate(),
        "step" => new StepDecay(Math.Max(1, epochs / 3), 0.1f),
        "cosine" => new CosineDecay(epochs),
        _ => throw new UsageException($"--schedule: '{name}' is not one of constant, step, cosine"),
    };

    public static Loss Loss(string name) => name switch
    {
        "cross-entropy" or "ce" => new SoftmaxCrossEntropy(),
        "mse" => new MeanSquaredError(),
        "bce" => new BinaryCrossEntropy(),
        _ => throw new UsageException($"--loss: '{name}' is not one of cross-entropy, mse, bce"),
    };
}
