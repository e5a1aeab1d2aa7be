namespace Dendrite;

/// <summary>Mean loss and accuracy over a data set (accuracy is NaN for regression).</summary>
public sealed record Evaluation(float Loss, float Accuracy, int Samples);
