namespace Dendrite;

/// <summary>lr_e = lr * gamma^floor(e / stepSize).</summary>
public sealed class StepDecay(int stepSize, float gamma = 0.1f) : LearningRateSchedule
{
    public int StepSize { get; } = stepSize > 0 ? stepSize : throw new ArgumentOutOfRangeException(nameof(stepSize), "step size must be positive");
    public float Gamma { get; } = gamma;
    public override float Rate(int epoch, float baseRate) => baseRate * MathF.Pow(Gamma, epoch / StepSize);
}
