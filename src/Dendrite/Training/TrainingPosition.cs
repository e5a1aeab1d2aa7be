namespace Dendrite;

/// <summary>
/// Where a run stands: the next batch to train is <see cref="Batch"/> (0-based) of <see cref="Epoch"/> (1-based),
/// and <see cref="LossSum"/> is the sum of per-sample losses over the batches of that epoch already trained.
/// A checkpoint saves it; <see cref="Trainer.Resume"/> continues from it.
/// </summary>
public readonly record struct TrainingPosition(int Epoch, int Batch, double LossSum)
{
    /// <summary>Before the first batch of epoch 1.</summary>
    public static readonly TrainingPosition Start = new(1, 0, 0);
}
