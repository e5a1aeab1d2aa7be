namespace Dendrite.Visualization;

/// <summary>A wrongly classified sample: its index, true label, the predicted class and the probability given to it.</summary>
public sealed record Mistake(int Index, int Label, int Predicted, float Confidence);
