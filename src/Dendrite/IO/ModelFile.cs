namespace Dendrite;

/// <summary>
/// Saves a network as a safetensors file and loads it back. Tensors are named PyTorch-style by their path through
/// the layers (<c>1.weight</c>, <c>1.bias</c>, buffers such as <c>3.running_mean</c>, <c>4.body.0.weight</c> inside a
/// block); the header's metadata holds a <see cref="ModelMetadata"/>. Loading checks the file (see
/// <see cref="SafeTensorsFile"/>), then that the rebuilt spec expects exactly the tensors the file has, shape for
/// shape (<see cref="Layer.Describe"/>, which allocates nothing), and only then allocates the network.
/// </summary>
public static class ModelFile
{
    /// <summary>Writes the file atomically (temporary file, flush to disk, rename).</summary>
    public static void Save(string path, Sequential net, ModelMetadata metadata)
    {
        var writer = Writer(net, metadata);
        AtomicFile.Write(path, writer.WriteTo);
    }

    /// <summary>A writer holding the network's tensors and metadata, for callers that add more (checkpoints).</summary>
    internal static SafeTensorsWriter Writer(Sequential net, ModelMetadata metadata)
    {
        if (metadata.Spec != net.Spec || !metadata.InputShape.SequenceEqual(net.InputShape))
            throw new ArgumentException($"metadata describes {metadata.Spec} on {Tensor.Format(metadata.InputShape)}, the network is {net.Spec} on {Tensor.Format(net.InputShape)}");
        var writer = new SafeTensorsWriter();
        metadata.WriteTo(writer.Metadata);
        foreach (var (name, value) in Tensors(net)) writer.Add(name, value.Shape, value.Span);
        return writer;
    }

    /// <summary>
    /// Loads a model file, or the model in a checkpoint file (its training state is ignored); the network computes on
    /// <paramref name="engine"/> (<see cref="Engine.Default"/> when null).
    /// </summary>
    public static SavedModel Load(string path, Engine? engine = null) => Load(SafeTensorsFile.Read(path), engine);

    /// <summary>Loads a model from a stream; <paramref name="path"/> names it in errors. As <see cref="Load(string, Engine?)"/>.</summary>
    public static SavedModel Load(Stream stream, string path, Engine? engine = null) => Load(SafeTensorsFile.Read(stream, path), engine);

    /// <summary>
    /// Loads weights written elsewhere (a PyTorch <c>state_dict</c> saved as safetensors, no Dendrite metadata) into
    /// <paramref name="spec"/> built for samples of <paramref name="inputShape"/>: see <see cref="StateDict"/>.
    /// </summary>
    public static SavedModel Load(string path, string spec, int[] inputShape, Engine? engine = null) => StateDict.Load(path, spec, inputShape, engine);

    private static SavedModel Load(SafeTensorsFile file, Engine? engine) =>
        Rebuild(file, engine, file.Metadata.ContainsKey(Checkpoint.StepsKey) ? Checkpoint.StatePrefixes : []);

    /// <summary>Every tensor a model file holds, by path name (<c>0.weight</c>, <c>3.body.1.running_mean</c>): parameters, then buffers.</summary>
    public static IEnumerable<(string Name, Tensor Value)> Tensors(Sequential net) =>
        net.NamedParameters.Select(p => (p.Name, p.Parameter.Value)).Concat(net.Buffers);

    /// <summary>
    /// Rebuilds the network a checked file describes. Tensors whose names start with one of
    /// <paramref name="otherPrefixes"/> are left to the caller (a checkpoint's optimizer state). The network computes on <paramref name="engine"/>.
    /// </summary>
    internal static SavedModel Rebuild(SafeTensorsFile file, Engine? engine, params string[] otherPrefixes)
    {
        string path = file.Path;
        var meta = ModelMetadata.Read(file.Metadata, path);
        Sequential net;
        LayerShape plan;
        try
        {
            net = new Sequential(ModelSpec.Parse(meta.Spec));
            // Describe states every tensor the spec creates without allocating one, so a hostile spec
            // (dense(2000000000)) is refused by the shape check below before any weight exists.
            plan = net.Describe(meta.InputShape);
        }
        catch (Exception e) when (e is SpecException or ShapeException)
        {
            throw new InvalidDataException($"{path}: {e.Message}");
        }
        var expected = new HashSet<string>();
        foreach (var t in plan.Tensors) Require(file, t, Owner(net, t.Name), expected);
        foreach (var e in file.Entries)
            if (!expected.Contains(e.Name) && !otherPrefixes.Any(e.Name.StartsWith))
                throw new InvalidDataException($"{path}: tensor '{SafeTensorsFile.Clip(e.Name)}' belongs to no layer of {meta.Spec}");
        if (plan.Output.Length != 1 || plan.Output[0] != meta.Outputs)
            throw new InvalidDataException($"{path}: {meta.Spec} outputs {Tensor.Format(plan.Output)}, the metadata says {meta.Outputs} classes");

        // Shapes are now known to match the file, so building allocates no more than the file holds.
        net.Build(meta.InputShape, engine: engine);
        foreach (var (name, value) in Tensors(net))
        {
            file.Floats(file.Find(name)!).CopyTo(value.Span);
            // Weights of a run that diverged compute nothing but NaN: refuse them here, naming the tensor.
            int bad = value.Span.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
            if (bad >= 0)
                throw new InvalidDataException($"{path}: tensor '{name}' holds {value.Span[bad]} at index {bad}; a model's values must be finite (the run that wrote it diverged)");
        }
        return new SavedModel(net, meta, file);
    }

    // The innermost layer a path name ("3.body.0.weight") belongs to, for messages.
    internal static Layer Owner(Layer layer, string name)
    {
        while (true)
        {
            var child = layer.Children.FirstOrDefault(c => name.StartsWith(c.LocalName + ".", StringComparison.Ordinal));
            if (child is null) return layer;
            name = name[(child.LocalName.Length + 1)..];
            layer = child;
        }
    }

    private static void Require(SafeTensorsFile file, NamedShape tensor, Layer layer, HashSet<string> names)
    {
        var (name, shape) = tensor;
        var e = file.Find(name) ?? throw new InvalidDataException($"{file.Path}: no tensor '{name}' for {layer.Spec}");
        if (e.DType != "F32") throw new InvalidDataException($"{file.Path}: tensor '{name}' is {e.DType}, expected F32");
        if (!e.Shape.SequenceEqual(shape))
            throw new InvalidDataException($"{file.Path}: tensor '{name}' is {Tensor.Format(e.Shape)}, {layer.Spec} needs {Tensor.Format(shape)}");
        names.Add(name);
    }
}
