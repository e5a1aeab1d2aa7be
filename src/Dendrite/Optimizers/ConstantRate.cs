namespace Dendrite;

/// <summary>lr_e = lr.</summary>
public sealed class ConstantRate : LearningRateSchedule
{
    /// <inheritdoc/>
    public override float Rate(int epoch, float baseRate) => baseRate;
}
