namespace Dendrite;

/// <summary>
/// Saves a network as a safetensors file and loads it back. Tensors are named PyTorch-style by layer index
/// (<c>1.weight</c>, <c>1.bias</c>, and buffers such as <c>3.running_mean</c>); the header's metadata holds
/// a <see cref="ModelMetadata"/>. Loading checks the file (see <see cref="SafeTensorsFile"/>), then that the
/// rebuilt spec expects exactly the tensors the file has, shape for shape, and only then allocates the network.
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

    private static SavedModel Load(SafeTensorsFile file, Engine? engine) =>
        Rebuild(file, engine, file.Metadata.ContainsKey(Checkpoint.StepsKey) ? Checkpoint.StatePrefixes : []);

    /// <summary>Every tensor a model file holds, by name: parameters, then each layer's buffers.</summary>
    public static IEnumerable<(string Name, Tensor Value)> Tensors(Sequential net)
    {
        for (int i = 0; i < net.Layers.Count; i++)
        {
            foreach (var p in net.Layers[i].Parameters) yield return ($"{i}.{p.Name}", p.Value);
            foreach (var (name, value) in net.Layers[i].Buffers) yield return ($"{i}.{name}", value);
        }
    }

    /// <summary>
    /// Rebuilds the network a checked file describes. Tensors whose names start with one of
    /// <paramref name="otherPrefixes"/> are left to the caller (a checkpoint's optimizer state). The network computes on <paramref name="engine"/>.
    /// </summary>
    internal static SavedModel Rebuild(SafeTensorsFile file, Engine? engine, params string[] otherPrefixes)
    {
        string path = file.Path;
        var meta = ModelMetadata.Read(file.Metadata, path);
        List<Layer> layers;
        try
        {
            layers = ModelSpec.Parse(meta.Spec);
        }
        catch (SpecException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}");
        }
        if (meta.InputShape.Length > 1 && layers[0] is Dense) layers.Insert(0, new Flatten());

        var expected = DryRun(layers, meta, file);
        foreach (var e in file.Entries)
            if (!expected.Contains(e.Name) && !otherPrefixes.Any(e.Name.StartsWith))
                throw new InvalidDataException($"{path}: tensor '{SafeTensorsFile.Clip(e.Name)}' belongs to no layer of {meta.Spec}");

        // Shapes are now known to match the file, so building allocates no more than the file holds.
        var net = new Sequential(layers).Build(meta.InputShape, engine: engine);
        foreach (var (name, value) in Tensors(net)) file.Floats(file.Find(name)!).CopyTo(value.Span);
        return new SavedModel(net, meta, file);
    }

    /// <summary>
    /// Builds each layer on its own, in order, and checks that the file holds each tensor it creates with the
    /// same shape. A layer with parameters has a case in <see cref="ExpectedWeight"/> so a hostile spec
    /// (dense(2000000000)) is refused before its weights are allocated. Returns the expected tensor names.
    /// </summary>
    private static HashSet<string> DryRun(List<Layer> layers, ModelMetadata meta, SafeTensorsFile file)
    {
        string path = file.Path;
        var names = new HashSet<string>();
        var shape = meta.InputShape;
        var rng = new Rng(1);
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            if (ExpectedWeight(layer, shape) is { } weight) Require(file, $"{i}.weight", weight, layer);
            try
            {
                layer.Build(shape, rng);
            }
            catch (ShapeException e)
            {
                throw new InvalidDataException($"{path}: spec item {i + 1}: {e.Message}");
            }
            foreach (var p in layer.Parameters) Require(file, $"{i}.{p.Name}", p.Value.Shape.ToArray(), layer, names);
            foreach (var (name, value) in layer.Buffers) Require(file, $"{i}.{name}", value.Shape.ToArray(), layer, names);
            shape = layer.OutputShape;
        }
        if (shape.Length != 1 || shape[0] != meta.Outputs)
            throw new InvalidDataException($"{path}: {meta.Spec} outputs {Tensor.Format(shape)}, the metadata says {meta.Outputs} classes");
        return names;
    }

    /// <summary>The weight shape a layer will allocate for this input, for the layers that have weights.</summary>
    private static int[]? ExpectedWeight(Layer layer, int[] input) => layer switch
    {
        Dense d when input.Length == 1 => [d.Units, input[0]],
        Conv2d c when input.Length == 3 => [c.Filters, input[0], c.KernelH, c.KernelW],
        _ => null,
    };

    private static void Require(SafeTensorsFile file, string name, int[] shape, Layer layer, HashSet<string>? names = null)
    {
        var e = file.Find(name) ?? throw new InvalidDataException($"{file.Path}: no tensor '{name}' for {layer.Spec}");
        if (e.DType != "F32") throw new InvalidDataException($"{file.Path}: tensor '{name}' is {e.DType}, expected F32");
        if (!e.Shape.SequenceEqual(shape))
            throw new InvalidDataException($"{file.Path}: tensor '{name}' is {Tensor.Format(e.Shape)}, {layer.Spec} needs {Tensor.Format(shape)}");
        names?.Add(name);
    }
}
