namespace Dendrite;

/// <summary>
/// The spec grammar's layer names and how each becomes a layer: one public registry. Every built-in layer type
/// registers itself here with one line; a user's layer type does the same with <see cref="Register{T}"/> and then
/// works everywhere a spec does (training, <c>summary</c>, model files, <c>gradcheck</c>, ONNX export).
/// </summary>
public static class LayerCatalog
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, (LayerSyntax Syntax, Func<LayerSpec, Layer> Create, object Owner)> ByName = [];
    private static readonly List<LayerSyntax> Registered = [];

    static LayerCatalog()
    {
        Register<Dense>();
        Register<Flatten>();
        Register<Softmax>();
        Register<Linear>();
        Register<Step>();
        Register<Sigmoid>();
        Register<Tanh>();
        Register<ReLU>();
        Register<LeakyReLU>();
        Register<Elu>();
        Register<Gaussian>();
        Register<Rbf>();
        Register<Conv2d>();
        Register<LocallyConnected2d>();
        Register<MaxPool2d>();
        Register<AvgPool2d>();
        Register<GlobalAvgPool2d>();
        Register<Dropout>();
        Register<BatchNorm>();
        Register<Sequential>();
        Register<Residual>();
        Register<Concat>();
    }

    /// <summary>Usage lines of every registered layer, in registration order (the README's grammar table lists the built-in ones).</summary>
    public static IReadOnlyList<string> Names
    {
        get
        {
            lock (Gate) return [.. Registered.Select(s => s.Usage)];
        }
    }

    /// <summary>The syntax of every registered layer type.</summary>
    public static IReadOnlyList<LayerSyntax> Syntaxes
    {
        get
        {
            lock (Gate) return [.. Registered];
        }
    }

    /// <summary>Registers a layer type under its <see cref="ISpecLayer{TSelf}.Syntax"/> name and aliases.</summary>
    public static void Register<T>() where T : Layer, ISpecLayer<T> => Register(T.Syntax, s => T.FromSpec(s), typeof(T));

    /// <summary>
    /// Registers a spec name (and aliases) with a factory. A name already taken by another registration is refused
    /// with <see cref="ArgumentException"/>; registering the same factory again is a no-op.
    /// </summary>
    public static void Register(LayerSyntax syntax, Func<LayerSpec, Layer> create) => Register(syntax, create, create);

    // owner: the layer type for Register<T>, else the factory; registering the same owner twice does nothing.
    private static void Register(LayerSyntax syntax, Func<LayerSpec, Layer> create, object owner)
    {
        ArgumentNullException.ThrowIfNull(syntax);
        ArgumentNullException.ThrowIfNull(create);
        string[] names = [syntax.Name, .. syntax.Aliases];
        foreach (var name in names)
            if (name.Length == 0 || !name.All(ch => char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch == '_'))
                throw new ArgumentException($"layer name '{name}' must be lower-case letters, digits or '_'", nameof(syntax));
        lock (Gate)
        {
            if (ByName.TryGetValue(syntax.Name, out var existing) && existing.Owner.Equals(owner)) return;
            foreach (var name in names)
                if (ByName.TryGetValue(name, out var taken))
                    throw new ArgumentException($"layer name '{name}' is already registered for {taken.Syntax.Usage}", nameof(syntax));
            foreach (var name in names) ByName[name] = (syntax, create, owner);
            Registered.Add(syntax);
        }
    }

    /// <summary>Whether a spec name (or alias) is registered.</summary>
    public static bool IsRegistered(string name)
    {
        lock (Gate) return ByName.ContainsKey(name.ToLowerInvariant());
    }

    /// <summary>Creates the layer a spec item names; refuses unknown names and arguments the layer did not read.</summary>
    public static Layer Create(LayerSpec spec)
    {
        (LayerSyntax Syntax, Func<LayerSpec, Layer> Create, object Owner) entry;
        lock (Gate)
            if (!ByName.TryGetValue(spec.Name, out entry))
                throw spec.Fail($"unknown layer '{spec.Name}'; known: {string.Join(", ", Registered.Select(s => s.Name))}");
        var layer = entry.Create(spec);
        spec.RequireAllUsed(entry.Syntax.Positional);
        return layer;
    }
}
