namespace Dendrite;

/// <summary>One mini-batch: inputs [B, ...], targets [B, outputs] and the class labels. Buffers are reused.</summary>
public sealed class Batch
{
    /// <summary>The samples, [B, ...SampleShape], one after another.</summary>
    public Tensor Inputs { get; } = new(0);
    /// <summary>[B, outputs]: a one-hot row per sample for classification, the target values for regression.</summary>
    public Tensor Targets { get; } = new(0, 0);
    /// <summary>
    /// Class of each sample for classification. The loader's array of length batch size: only the first
    /// <see cref="Count"/> entries belong to this batch, and it is not written for regression.
    /// </summary>
    public int[] Labels { get; internal set; } = [];
    /// <summary>B, the samples in this batch: the batch size, or fewer for the last batch of an epoch.</summary>
    public int Count => Inputs.Rank > 0 ? Inputs[0] : 0;
}
