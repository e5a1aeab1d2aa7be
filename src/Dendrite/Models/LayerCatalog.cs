namespace Dendrite;

/// <summary>
/// The spec grammar's layer names and how each becomes a layer. Adding a layer to the grammar is one
/// case here plus a line in <see cref="Names"/> (the README's grammar table lists the same).
/// </summary>
public static class LayerCatalog
{
    public static readonly IReadOnlyList<string> Names =
    [
        "dense(units[,init=he|xavier][,bias=true|false])", "flatten", "softmax",
        "linear", "step[(ste)]", "sigmoid", "tanh", "relu", "leakyrelu[(slope)]", "elu[(alpha)]", "gaussian",
        "rbf(units[,kernel=gaussian|multiquadric|inverse][,scale=1])",
    ];

    public static Layer Create(LayerSpec s)
    {
        Layer layer;
        int positional;
        switch (s.Name)
        {
            case "dense":
                layer = new Dense(s.Int(0, "units"), s.Choice(1, "init", Initializer.He), s.Bool(2, "bias", true));
                positional = 3;
                break;
            case "flatten": layer = new Flatten(); positional = 0; break;
            case "softmax": layer = new Softmax(); positional = 0; break;
            case "linear" or "identity": layer = new Linear(); positional = 0; break;
            case "step" or "threshold":
                var mode = s.Raw(0, "mode");
                if (mode is not null && mode != "ste") throw s.Fail($"mode '{mode}' is not 'ste' (straight-through estimator)");
                layer = new Step(straightThrough: mode == "ste");
                positional = 1;
                break;
            case "sigmoid": layer = new Sigmoid(); positional = 0; break;
            case "tanh": layer = new Tanh(); positional = 0; break;
            case "relu": layer = new ReLU(); positional = 0; break;
            case "leakyrelu": layer = new LeakyReLU(s.Float(0, "slope", 0.01f)); positional = 1; break;
            case "elu": layer = new Elu(s.Float(0, "alpha", 1f)); positional = 1; break;
            case "gaussian": layer = new Gaussian(); positional = 0; break;
            case "rbf":
                float scale = s.Float(2, "scale", 1f);
                if (!(scale > 0)) throw s.Fail($"scale must be positive, got {scale}");
                layer = new Rbf(s.Int(0, "units"), RadialKernelName(s), scale);
                positional = 3;
                break;
            default:
                throw s.Fail($"unknown layer '{s.Name}'; known: {string.Join(", ", Names.Select(n => n.Split('(', '[')[0]))}");
        }
        s.RequireAllUsed(positional);
        return layer;
    }

    private static RadialKernel RadialKernelName(LayerSpec s) => s.Raw(1, "kernel")?.ToLowerInvariant() switch
    {
        null or "gaussian" => RadialKernel.Gaussian,
        "multiquadric" => RadialKernel.Multiquadric,
        "inverse" or "inverse-multiquadric" or "inversemultiquadric" => RadialKernel.InverseMultiquadric,
        var other => throw s.Fail($"kernel '{other}' is not one of gaussian, multiquadric, inverse"),
    };
}
