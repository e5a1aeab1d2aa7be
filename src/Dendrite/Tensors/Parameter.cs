namespace Dendrite;

/// <summary>A learnable tensor and the gradient that backward accumulates into it.</summary>
public sealed class Parameter(string name, Tensor value)
{
    /// <summary>PyTorch-style local name: "weight", "bias".</summary>
    public string Name { get; } = name;
    public Tensor Value { get; } = value;
    public Tensor Grad { get; } = new(value.Shape.ToArray());
    /// <summary>False for tensors such as biases and normalisation scales that weight decay should skip.</summary>
    public bool Decays { get; init; } = true;

    public int Length => Value.Length;
    public override string ToString() => $"{Name}{Tensor.Format(Value.Shape)}";
}
