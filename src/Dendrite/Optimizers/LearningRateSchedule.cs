namespace Dendrite;

/// <summary>The learning rate for each epoch (0-based) given the base rate.</summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate for one epoch.</summary>
    /// <param name="epoch">0-based: <see cref="Trainer"/> passes its 1-based epoch less one.</param>
    /// <param name="baseRate">The unscheduled rate, lr in the formulas (<see cref="Trainer.BaseLearningRate"/>).</param>
    public abstract float Rate(int epoch, float baseRate);
}
