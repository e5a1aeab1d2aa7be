namespace Dendrite;

/// <summary>A learnable tensor and the gradient that backward accumulates into it.</summary>
public sealed class Parameter(string name, Tensor value)
{
    /// <summary>PyTorch-style local name: "weight", "bias".</summary>
    public string Name { get; } = name;
    /// <summary>The weights themselves, updated in place by an optimizer.</summary>
    public Tensor Value { get; } = value;
    /// <summary>dL/dValue, the same shape as <see cref="Value"/>; backward adds to it, so clear it before each batch.</summary>
    public Tensor Grad { get; } = new(value.Shape.ToArray());
    /// <summary>False for tensors such as biases and normalisation scales that weight decay should skip.</summary>
    public bool Decays { get; init; } = true;

    /// <summary>Number of values in <see cref="Value"/>.</summary>
    public int Length => Value.Length;
    /// <summary>The name and shape, e.g. <c>weight[128, 784]</c>.</summary>
    public override string ToString() => $"{Name}{Tensor.Format(Value.Shape)}";
}
