namespace Dendrite;

/// <summary>
/// One optimizer step's record in a metrics log (<c>train --metrics-every N</c>): the step number over the whole run,
/// the epoch and the batch in it (1-based) out of <paramref name="Batches"/>, the batch's mean loss and the rate used.
/// </summary>
public sealed record StepMetrics(long Step, int Epoch, int Batch, int Batches, float TrainLoss, float LearningRate)
{
    /// <summary>Where the step lies in epochs: epoch - 1 + batch / batches (1.0 is the end of the first epoch).</summary>
    public double EpochPosition => Epoch - 1 + (double)Batch / Batches;
}
