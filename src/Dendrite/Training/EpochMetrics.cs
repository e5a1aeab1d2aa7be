namespace Dendrite;

/// <summary>
/// What one epoch of training measured. Test figures are NaN when there is no test set. <see cref="Extra"/> holds
/// further named figures, such as a regression's test_mse, test_mae and test_r2.
/// </summary>
public sealed record EpochMetrics(
    int Epoch, float TrainLoss, float TestLoss, float TestAccuracy,
    double TrainSamplesPerSecond, double Seconds, float LearningRate,
    IReadOnlyDictionary<string, double>? Extra = null);
