namespace Dendrite;

/// <summary>lr_e = min + (lr - min) (1 + cos(pi e / E)) / 2 over E epochs (SGDR without restarts).</summary>
public sealed class CosineDecay(int epochs, float minRate = 0f) : LearningRateSchedule
{
    /// <summary>E, the epochs the decay spans; from epoch E on the rate stays at <see cref="MinRate"/>. Must be positive (else <see cref="ArgumentOutOfRangeException"/>).</summary>
    public int Epochs { get; } = epochs > 0 ? epochs : throw new ArgumentOutOfRangeException(nameof(epochs), "epochs must be positive");
    /// <summary>min, the rate at epoch E and after; default 0.</summary>
    public float MinRate { get; } = minRate;

    /// <inheritdoc/>
    public override float Rate(int epoch, float baseRate) =>
        MinRate + (baseRate - MinRate) * 0.5f * (1f + MathF.Cos(MathF.PI * Math.Min(epoch, Epochs) / Epochs));
}
