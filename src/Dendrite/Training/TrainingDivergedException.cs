namespace Dendrite;

/// <summary>The loss became NaN or infinite.</summary>
public sealed class TrainingDivergedException(int epoch, int step, float loss)
    : Exception($"loss became {loss} at epoch {epoch}, step {step}; try a smaller learning rate (--lr)")
{
    public int Epoch { get; } = epoch;
    public int Step { get; } = step;
}
