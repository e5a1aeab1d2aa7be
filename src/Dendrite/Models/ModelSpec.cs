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
        // The reference CNN that benchmarks compare against: keep it exactly as it is.
        ["cnn"] = "conv(32,5,pad=2),relu,maxpool(2),conv(64,5,pad=2),relu,maxpool(2),flatten,dense(128),relu,dense(10),softmax",
        // LeCun et al. 1998 on 28x28: C1 padded to keep 28x28, S2/S4 as average pooling, tanh units with Xavier init.
        ["lenet5"] = "conv(6,5,pad=2,init=xavier),tanh,avgpool(2),conv(16,5,init=xavier),tanh,avgpool(2),flatten," +
                     "dense(120,init=xavier),tanh,dense(84,init=xavier),tanh,dense(10,init=xavier),softmax",
        // Fashion-MNIST in minutes: three conv-batchnorm-relu-pool blocks (28 -> 14 -> 7 -> 3), dropout before and after
        // the dense layer; 7.7M multiply-adds per image, fewer than cnn's 11M. `train --model fashion --epochs 12 --lr 0.002`
        // (Adam, cosine schedule) reached 93.36% test accuracy in 301 s on 2 cores (measured 26 Nov 2026).
        ["fashion"] = "conv(32,3,pad=1),batchnorm,relu,maxpool(2),conv(64,3,pad=1),batchnorm,relu,maxpool(2)," +
                      "conv(128,3,pad=1),batchnorm,relu,maxpool(2),dropout(0.2),flatten,dense(256),batchnorm,relu,dropout(0.3),dense(10),softmax",
        // A 7x7 stride-2 first layer, as AlexNet's 11x11 stride-4 one, trained with its own defaults (PresetDefaults: AdamW
        // lr 0.005, weight decay 2, normalised inputs) so that its 16 filters come out as edges and bars: 85.78% after 4 epochs.
        ["edges"] = "conv(16,7,stride=2,pad=3),relu,maxpool(2),flatten,dense(10),softmax",
        // A small ResNet (He et al. 2016) for any input size: a conv-batchnorm-relu stem and a 2x2 max pool, then three stages
        // of residual blocks (two 3x3 convolutions with batch norm each): one block of 32 filters, then two of 64 and two
        // of 128; the first block of stages 2 and 3 halves the map with stride 2 and projects the shortcut with a 1x1
        // convolution. Global average pooling and the classifier. On 28x28: 28 -> 14 -> 7 -> 4, 0.68M parameters,
        // 18.7M multiply-adds per image. Trains with its own defaults (PresetDefaults: AdamW lr 0.003 weight decay 0.05,
        // label smoothing 0.1, cosine, shift+flip augmentation, normalised inputs): 15 epochs gave 94.00% (one block in
        // stages 2 and 3, 0.31M parameters: 93.69%).
        ["resnet"] = "conv(32,3,pad=1),batchnorm,relu,maxpool(2)," +
                     "residual(conv(32,3,pad=1),batchnorm,relu,conv(32,3,pad=1),batchnorm),relu," +
                     "residual(conv(64,3,stride=2,pad=1),batchnorm,relu,conv(64,3,pad=1),batchnorm),relu," +
                     "residual(conv(64,3,pad=1),batchnorm,relu,conv(64,3,pad=1),batchnorm),relu," +
                     "residual(conv(128,3,stride=2,pad=1),batchnorm,relu,conv(128,3,pad=1),batchnorm),relu," +
                     "residual(conv(128,3,pad=1),batchnorm,relu,conv(128,3,pad=1),batchnorm),relu,gap,dense(10)",
    };

    /// <summary>The spec a preset stands for, or the text itself when it is not a preset.</summary>
    public static string Resolve(string model) => Presets.TryGetValue(model.Trim().ToLowerInvariant(), out var spec) ? spec : model;

    /// <summary>The unbuilt layers of a preset or spec (see <see cref="Resolve"/>), each created through <see cref="LayerCatalog"/>.</summary>
    /// <exception cref="SpecException">The spec is empty or malformed, names an unknown layer, or gives a layer arguments it does not take.</exception>
    public static List<Layer> Parse(string model) => [.. LayerSpec.ParseAll(Resolve(model)).Select(LayerCatalog.Create)];

    /// <summary>
    /// Builds a preset or spec for inputs of the given per-sample shape. A preset's last dense(10)
    /// is resized to the data set's class count. The network computes on <paramref name="engine"/>
    /// (<see cref="Engine.Default"/> when null). Before anything is allocated, its <see cref="MemoryEstimate"/> for
    /// inference on one sample must fit <paramref name="memoryLimit"/> (<see cref="MemoryEstimate.DefaultLimit"/> when null).
    /// </summary>
    /// <exception cref="MemoryLimitException">The network would not fit.</exception>
    public static Sequential Build(string model, int[] inputShape, int outputs, ulong seed, Engine? engine = null, long? memoryLimit = null)
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
            var estimate = MemoryEstimate.Of(net, inputShape);
            estimate.Require(memoryLimit ?? MemoryEstimate.DefaultLimit, 1, training: false);
            net.Build(inputShape, seed, engine);
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
