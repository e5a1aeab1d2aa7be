namespace Dendrite;

/// <summary>
/// The loss became NaN or infinite (a training batch's, or the test loss after an epoch), or a checkpoint was asked to
/// save weights that are.
/// </summary>
public sealed class TrainingDivergedException(int epoch, int step, float loss)
    : Exception($"loss became {loss} at epoch {epoch}, step {step}; try a smaller learning rate (--lr)")
{
    /// <summary>The 1-based epoch in which training diverged.</summary>
    public int Epoch { get; } = epoch;
    /// <summary>
/// The 1-based batch of that epoch after which it was found: the epoch's last when the test loss found it, the
/// batches finished so far when a checkpoint did.
/// </summary>
    public int Step { get; } = step;
}
