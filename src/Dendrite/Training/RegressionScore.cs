namespace Dendrite;

/// <summary>
/// How well a network predicts regression targets, over all samples and outputs: mean squared error, mean absolute
/// error, and R^2 = 1 - SS_res / SS_tot (SS_tot about the data's own mean, per output; 1 is perfect, 0 is no better
/// than predicting the mean). The MSE here is the plain mean over samples and outputs; the training loss
/// <see cref="MeanSquaredError"/> sums over the O outputs before averaging, so it is O/2 times this (half for one output).
/// </summary>
public sealed record RegressionScore(double Mse, double Mae, double R2)
{
    /// <summary>The scores of <paramref name="model"/> (in inference mode) over <paramref name="data"/>'s regression targets.</summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> holds classes, not regression targets.</exception>
    public static RegressionScore Evaluate(Sequential model, Dataset data, int batchSize = 256)
    {
        if (data.IsClassification) throw new ArgumentException("regression scores need regression targets, not classes");
        int o = data.OutputSize, n = data.Count;
        var targets = data.Targets!;
        var mean = new double[o];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < o; c++) mean[c] += targets[i * o + c];
        for (int c = 0; c < o; c++) mean[c] /= n;
        double squared = 0, absolute = 0, total = 0;
        var loader = new DataLoader(data, batchSize);
        for (int b = 0; b < loader.BatchCount; b++)
        {
            var batch = loader.GetBatch(b);
            var p = model.Forward(batch.Inputs).Span;
            var t = batch.Targets.Span;
            for (int i = 0; i < p.Length; i++)
            {
                double e = (double)p[i] - t[i], dev = t[i] - mean[i % o];
                squared += e * e;
                absolute += Math.Abs(e);
                total += dev * dev;
            }
        }
        long count = (long)n * o;
        return new RegressionScore(squared / count, absolute / count, total > 0 ? 1 - squared / total : double.NaN);
    }
}
