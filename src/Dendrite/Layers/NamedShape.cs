namespace Dendrite;

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
