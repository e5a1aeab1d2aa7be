namespace Dendrite;

/// <summary>
/// What a layer makes of one input shape, stated before anything is allocated: its per-sample output shape and the
/// name and shape of each tensor it creates (parameters first, then buffers), as <see cref="Layer.Describe"/> returns it.
/// </summary>
public sealed class LayerShape(int[] output, params IReadOnlyList<NamedShape> tensors)
{
    /// <summary>Per-sample output shape, e.g. [32, 28, 28].</summary>
    public int[] Output { get; } = output;

    /// <summary>Every parameter, then every buffer, by name within the layer.</summary>
    public IReadOnlyList<NamedShape> Tensors { get; } = tensors;

    /// <summary>Floats in all the tensors, counted without overflow (a hostile spec can ask for more than 2^31).</summary>
    public long Floats => Tensors.Sum(t => t.Volume);
}

/// <summary>A tensor's name (<c>weight</c>, <c>body.0.bias</c>, <c>running_mean</c>) and shape.</summary>
public readonly record struct NamedShape(string Name, int[] Shape)
{
    /// <summary>Number of floats, as a long.</summary>
    public long Volume => Shape.Aggregate(1L, (v, d) => v * d);

    /// <summary>This tensor named inside a block: <c>prefix.name</c>.</summary>
    public NamedShape Under(string prefix) => this with { Name = $"{prefix}.{Name}" };

    /// <summary>"weight[10, 784]".</summary>
    public override string ToString() => $"{Name}{Tensor.Format(Shape)}";
}
