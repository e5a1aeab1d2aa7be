namespace Dendrite;

/// <summary>One mini-batch: inputs [B, ...], targets [B, outputs] and the class labels. Buffers are reused.</summary>
public sealed class Batch
{
    public Tensor Inputs { get; } = new(0);
    public Tensor Targets { get; } = new(0, 0);
    public int[] Labels { get; internal set; } = [];
    public int Count => Inputs.Rank > 0 ? Inputs[0] : 0;
}
