using System.Globalization;

namespace Dendrite;

/// <summary>
/// Weights written by another framework, put into a network built from a spec: a safetensors file holding a PyTorch
/// <c>state_dict</c> (<c>0.weight</c>, <c>3.bias</c>, <c>1.running_mean</c>, <c>features.0.weight</c>) and no Dendrite
/// metadata. The file's tensors are grouped by module (the name up to its last dot), the groups ordered by name with
/// numbers compared as numbers (<c>2</c> before <c>10</c>), and matched by position to the spec's layers that own
/// tensors, in layer order; inside a group tensors match by their last name (<c>weight</c>, <c>bias</c>,
/// <c>running_mean</c>, <c>running_var</c>). PyTorch's <c>num_batches_tracked</c> counters (I64) are accepted and
/// ignored. Dendrite's layouts are PyTorch's (a dense weight is [out, in], a convolution's [out, in, kh, kw], flatten
/// reads [C, H, W] in that order), so values are copied as they are. Every group and shape is checked before the
/// network is built, as <see cref="ModelFile"/> checks its own files.
/// </summary>
public static class StateDict
{
    private const string Counter = "num_batches_tracked";

    /// <summary>
    /// Builds <paramref name="spec"/> (a preset or layer spec) for samples of <paramref name="inputShape"/> and fills it
    /// with the weights of the safetensors file at <paramref name="path"/>. The metadata describes the network with the
    /// cross-entropy loss, no class names and no input normalisation; change them with <c>with</c>.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// The file is damaged, or its tensors do not fit the spec: a different number of weight groups, a group with other
    /// tensors than its layer needs, or a shape that differs (the message names the file's tensor, the layer and both shapes).
    /// </exception>
    /// <exception cref="SpecException">The spec cannot be read.</exception>
    /// <exception cref="ShapeException">The spec cannot take inputs of <paramref name="inputShape"/>.</exception>
    public static SavedModel Load(string path, string spec, int[] inputShape, Engine? engine = null) =>
        Load(SafeTensorsFile.Read(path), spec, inputShape, engine);

    /// <summary>As <see cref="Load(string, string, int[], Engine?)"/>, from a file already read.</summary>
    public static SavedModel Load(SafeTensorsFile file, string spec, int[] inputShape, Engine? engine = null)
    {
        var net = new Sequential(ModelSpec.Parse(spec));
        var plan = net.Describe(inputShape);
        var map = Map(file, net, plan);
        net.Build(inputShape, engine: engine);
        foreach (var (name, value) in ModelFile.Tensors(net)) file.Floats(file.Find(map[name])!).CopyTo(value.Span);
        var loss = new SoftmaxCrossEntropy();
        return new SavedModel(net, ModelMetadata.Describe(net, loss), file);
    }

    /// <summary>
    /// For each tensor the unbuilt <paramref name="net"/> needs (<paramref name="plan"/>, from <see cref="Layer.Describe"/>),
    /// the name of the file's tensor that fills it; checks every group and shape.
    /// </summary>
    internal static Dictionary<string, string> Map(SafeTensorsFile file, Sequential net, LayerShape plan)
    {
        string path = file.Path;
        foreach (var e in file.Entries)
            if (e.DType != "F32" && !(Local(e.Name) == Counter && e.Count <= 1))
                throw new InvalidDataException($"{path}: tensor '{SafeTensorsFile.Clip(e.Name)}' is {e.DType}; weights must be F32 (only {Counter} counters may be integers)");
        var source = file.Entries.Where(e => Local(e.Name) != Counter)
            .GroupBy(e => Module(e.Name)).OrderBy(g => g.Key, NaturalOrder.Instance).ToList();
        var target = plan.Tensors.GroupBy(t => Module(t.Name)).ToList();
        if (source.Count != target.Count)
            throw new InvalidDataException($"{path}: holds the weights of {source.Count} modules ({Names(source.Select(g => g.Key))}), " +
                $"the spec has {target.Count} layers with weights ({string.Join(", ", target.Select(g => ModelFile.Owner(net, g.First().Name).Label))})");
        var map = new Dictionary<string, string>();
        for (int i = 0; i < source.Count; i++)
        {
            var layer = ModelFile.Owner(net, target[i].First().Name);
            var have = source[i].ToDictionary(e => Local(e.Name));
            var need = target[i].Select(t => Local(t.Name)).ToList();
            if (have.Count != need.Count || need.Any(n => !have.ContainsKey(n)))
                throw new InvalidDataException($"{path}: module '{SafeTensorsFile.Clip(source[i].Key)}' holds {string.Join(", ", have.Keys.Select(SafeTensorsFile.Clip))}; " +
                    $"{layer.Label}, the layer with weights number {i + 1}, needs {string.Join(", ", need)}");
            foreach (var t in target[i])
            {
                var e = have[Local(t.Name)];
                if (!e.Shape.SequenceEqual(t.Shape))
                    throw new InvalidDataException($"{path}: tensor '{SafeTensorsFile.Clip(e.Name)}' is {Tensor.Format(e.Shape)}, {layer.Label} needs {Tensor.Format(t.Shape)} for its {Local(t.Name)}");
                map[t.Name] = e.Name;
            }
        }
        return map;
    }

    private static string Module(string name) => name.LastIndexOf('.') is var dot and >= 0 ? name[..dot] : "";

    private static string Local(string name) => name[(name.LastIndexOf('.') + 1)..];

    private static string Names(IEnumerable<string> names)
    {
        var list = names.Select(n => n.Length == 0 ? "(top level)" : SafeTensorsFile.Clip(n)).ToList();
        return list.Count <= 12 ? string.Join(", ", list) : string.Join(", ", list.Take(12)) + $", ... {list.Count - 12} more";
    }

    // "2" before "10", "layer1.0" before "layer1.1": dotted names compared part by part, numbers as numbers.
    private sealed class NaturalOrder : IComparer<string>
    {
        public static readonly NaturalOrder Instance = new();

        public int Compare(string? a, string? b)
        {
            var x = a!.Split('.');
            var y = b!.Split('.');
            for (int i = 0; i < Math.Min(x.Length, y.Length); i++)
            {
                bool nx = long.TryParse(x[i], NumberStyles.None, CultureInfo.InvariantCulture, out long vx);
                bool ny = long.TryParse(y[i], NumberStyles.None, CultureInfo.InvariantCulture, out long vy);
                int c = nx && ny ? vx.CompareTo(vy) : nx != ny ? (nx ? -1 : 1) : string.CompareOrdinal(x[i], y[i]);
                if (c != 0) return c;
            }
            return x.Length.CompareTo(y.Length);
        }
    }
}
