namespace Dendrite.Cli.Commands;

/// <summary>
/// What --model names for filters, activations and explain: a model file written by <c>train --out</c> (trained
/// weights, its input shape, classes and input normalisation), or a preset or layer spec built with fresh weights.
/// </summary>
public sealed record ModelSource(Sequential Net, ModelMetadata Metadata, bool Trained, string Name)
{
    public static bool IsFile(string model) => File.Exists(model) || model.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase);

    /// <summary>Loads a model file, or builds a preset/spec for inputs of <paramref name="inputShape"/> with fresh weights.</summary>
    public static ModelSource Open(string model, int[] inputShape, int classes, ulong seed, Loss? loss = null, string[]? classNames = null)
    {
        if (IsFile(model))
        {
            var saved = ModelFile.Load(model);
            return new ModelSource(saved.Net, saved.Metadata, true, model);
        }
        var net = ModelSpec.Build(model, inputShape, classes, seed);
        return new ModelSource(net, ModelMetadata.Describe(net, loss ?? new SoftmaxCrossEntropy(), classNames), false, $"{model} (fresh weights, seed {seed})");
    }

    /// <summary>Test image <paramref name="index"/> of an IDX folder, checked against the model and normalised as in training.</summary>
    public (float[] Sample, int Label, string? ClassName) TestSample(string dir, int index)
    {
        if (index < 0) throw new UsageException($"--index: must be 0 or more, got {index}");
        var test = EvalCommand.TestSet(dir, index + 1, Metadata);
        if (index >= test.Count) throw new UsageException($"--index: {index} is outside the {test.Count} test images of {dir}");
        string? name = test.ClassNames is { } n ? n[test.Labels[index]] : Metadata.ClassNames?[test.Labels[index]];
        return (test.Sample(index).ToArray(), test.Labels[index], name);
    }

    /// <summary>An image file as the model's input, normalised as in training.</summary>
    public float[] Image(string path, bool invert)
    {
        var x = ImageInput.Load(path, Metadata.InputShape, invert);
        Metadata.Normalization.Apply(x, Metadata.InputShape);
        return x;
    }
}
