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
        "conv(filters,kernel|kernel=KHxKW|kh=,kw=[,stride=1][,pad=0|P|PHxPW|same][,dilation=1][,bias=true|false][,init=he|xavier])",
        "maxpool(kernel[,stride=kernel][,pad=0])", "avgpool(kernel[,stride=kernel][,pad=0])", "gap",
        "dropout(p)", "batchnorm[(momentum=0.1,eps=1e-5)]",
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
            case "conv" or "conv2d": layer = Conv(s); positional = 6; break;
            case "maxpool" or "avgpool":
                int k = s.Int(0, "kernel"), stride = s.Int(1, "stride", k), pad = s.Int(2, "pad", 0, min: 0);
                if (pad > k / 2) throw s.Fail($"pad {pad} is more than half the kernel {k}");
                layer = s.Name == "maxpool" ? new MaxPool2d(k, stride, pad) : new AvgPool2d(k, stride, pad);
                positional = 3;
                break;
            case "gap": layer = new GlobalAvgPool2d(); positional = 0; break;
            case "dropout":
                float p = s.Float(0, "p", float.NaN);
                if (!(p >= 0 && p < 1)) throw s.Fail(float.IsNaN(p) ? "needs p, the probability of dropping a value" : $"p must be in [0, 1), got {p}");
                layer = new Dropout(p);
                positional = 1;
                break;
            case "batchnorm" or "bn":
                float momentum = s.Float(-1, "momentum", 0.1f), eps = s.Float(-1, "eps", 1e-5f);
                if (!(momentum > 0 && momentum <= 1)) throw s.Fail($"momentum must be in (0, 1], got {momentum}");
                if (!(eps > 0)) throw s.Fail($"eps must be positive, got {eps}");
                layer = new BatchNorm(momentum, eps);
                positional = 0;
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
    private static Conv2d Conv(LayerSpec s)
    {
        int filters = s.Int(0, "filters");
        string? kernel = s.Raw(1, "kernel"), kh = s.Raw(-1, "kh"), kw = s.Raw(-1, "kw");
        (int H, int W) k;
        if (kernel is not null)
        {
            if (kh is not null || kw is not null) throw s.Fail("give kernel or kh and kw, not both");
            k = Pair(s, "kernel", kernel, 1);
        }
        else if (kh is null && kw is null) throw s.Fail("needs kernel (e.g. 5 or 5x3)");
        else k = (s.Int(-1, "kh"), s.Int(-1, "kw"));
        int stride = s.Int(2, "stride", 1);
        string pad = s.Raw(3, "pad")?.ToLowerInvariant() ?? "0";
        bool same = pad == "same";
        var (padH, padW) = same || pad == "valid" ? (0, 0) : Pair(s, "pad", pad, 0);
        return new Conv2d(filters, k.H, k.W, stride, padH, padW, s.Int(4, "dilation", 1), s.Bool(5, "bias", true), same,
            s.Choice(-1, "init", Initializer.He));
    }

    /// <summary>"5" as (5, 5), "5x3" as (5, 3).</summary>
    private static (int H, int W) Pair(LayerSpec s, string key, string raw, int min)
    {
        var parts = raw.Split('x', 'X');
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (parts.Length > 2 || !int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out values[i]) || values[i] < min)
                throw s.Fail(key == "pad" ? $"pad '{raw}' is not a padding like 2, 2x1 or same" : $"{key} '{raw}' is not a size like 5 or 5x3");
        return parts.Length == 1 ? (values[0], values[0]) : (values[0], values[1]);
    }
}
