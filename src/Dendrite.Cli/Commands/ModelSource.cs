namespace Dendrite.Cli.Commands;

/// <summary>What --model names for the picture commands: a preset or a layer spec, built with fresh weights.</summary>
public static class ModelSource
{
    public static Sequential Open(string model, int[] inputShape, int classes, ulong seed) =>
        ModelSpec.Build(model, inputShape, classes, seed);
}
