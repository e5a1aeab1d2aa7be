namespace Dendrite;

/// <summary>What one epoch of training measured. Test figures are NaN when there is no test set.</summary>
public sealed record EpochMetrics(
    int Epoch, float TrainLoss, float TestLoss, float TestAccuracy,
    double TrainSamplesPerSecond, double Seconds, float LearningRate);
