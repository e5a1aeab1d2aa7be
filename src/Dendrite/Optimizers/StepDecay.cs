namespace Dendrite;

/// <summary>lr_e = lr * gamma^floor(e / stepSize).</summary>
public sealed class StepDecay(int stepSize, float gamma = 0.1f) : LearningRateSchedule
{
    /// <summary>Epochs between two decays; must be positive (else <see cref="ArgumentOutOfRangeException"/>).</summary>
    public int StepSize { get; } = stepSize > 0 ? stepSize : throw new ArgumentOutOfRangeException(nameof(stepSize), "step size must be positive");
    /// <summary>gamma, the factor applied every <see cref="StepSize"/> epochs; default 0.1.</summary>
    public float Gamma { get; } = gamma;
    /// <inheritdoc/>
    public override float Rate(int epoch, float baseRate) => baseRate * MathF.Pow(Gamma, epoch / StepSize);
}
