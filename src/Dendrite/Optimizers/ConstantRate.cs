namespace Dendrite;

/// <summary>lr_e = lr.</summary>
public sealed class ConstantRate : LearningRateSchedule
{
    public override float Rate(int epoch, float baseRate) => baseRate;
}
