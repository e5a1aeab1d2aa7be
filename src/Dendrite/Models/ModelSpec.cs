namespace Dendrite;

/// <summary>Turns a preset name or a layer spec into layers.</summary>
public static class ModelSpec
{
    /// <summary>Preset names and their specs.</summary>
    public static readonly IReadOnlyDictionary<string, string> Presets = new Dictionary<string, string>
    {
        ["mlp"] = "dense(256),relu,dense(128),relu,dense(10),softmax",
        ["perceptron"] = "dense(10),softmax",
        // Logits for classification (the cross-entropy loss applies softmax), values for regression.
        ["rbf"] = "rbf(64),dense(10)",
    };

    /// <summary>The spec a preset stands for, or the text itself when it is not a preset.</summary>
    public static string Resolve(string model) => Presets.TryGetValue(model.Trim().ToLowerInvariant(), out var spec) ? spec : model;

    public static List<Layer> Parse(string model) => [.. LayerSpec.ParseAll(Resolve(model)).Select(LayerCatalog.Create)];

    /// <summary>
    /// Builds a preset or spec for inputs of the given per-sample shape. A preset's last dense(10)
    /// is resized to the data set's class count.
    /// </summary>
    public static Sequential Build(string model, int[] inputShape, int outputs, ulong seed)
    {
        var layers = Parse(model);
        bool preset = Presets.ContainsKey(model.Trim().ToLowerInvariant());
        if (preset && outputs != 10)
        {
            int last = layers.FindLastIndex(l => l is Dense);
            var d = (Dense)layers[last];
            layers[last] = new Dense(outputs, d.Init, d.HasBias);
        }
        var net = new Sequential(layers);
        try
        {
            net.Build(inputShape, seed);
        }
        catch (ShapeException e)
        {
            throw new SpecException(e.Message);
        }
        if (net.OutputShape.Length != 1 || net.OutputShape[0] != outputs)
            throw new SpecException($"model output {Tensor.Format(net.OutputShape)} does not match the data's {outputs} outputs; end the spec with dense({outputs})");
        return net;
    }
}
