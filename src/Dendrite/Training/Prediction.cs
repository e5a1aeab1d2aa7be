namespace Dendrite;

/// <summary>
/// A model's answer for one sample: the likeliest class, its name (null when the model has no class names) and the
/// probability of every class.
/// </summary>
public sealed record Prediction(int ClassIndex, string? ClassName, float[] Probabilities)
{
    /// <summary>The probability of <see cref="ClassIndex"/>.</summary>
    public float Probability => Probabilities[ClassIndex];
}
