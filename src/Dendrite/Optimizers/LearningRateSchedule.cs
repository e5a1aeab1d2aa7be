namespace Dendrite;

/// <summary>The learning rate for each epoch (0-based) given the base rate.</summary>
public abstract class LearningRateSchedule
{
    public abstract float Rate(int epoch, float baseRate);
}
