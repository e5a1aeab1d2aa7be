namespace Dendrite;

/// <summary>
/// The lecture's squared error: J = 1/2 sum_i (y_i - yhat_i)^2 per sample, averaged over the batch;
/// dJ/dyhat = (yhat - y) / N.
/// </summary>
public sealed class MeanSquaredError : Loss
{
    /// <summary><c>mse</c>.</summary>
    public override string Name => "mse";

    /// <summary>
    /// 0.5 sum (prediction - target)^2 / N, and (prediction - target) / N into <paramref name="gradient"/> when given.
    /// Throws <see cref="ShapeException"/> as <see cref="Loss.Compute"/> does.
    /// </summary>
    public override double Compute(Tensor prediction, Tensor target, Tensor? gradient)
    {
        Check(prediction, target, gradient, Name);
        int n = prediction[0];
        var p = prediction.Span;
        var t = target.Span;
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            float d = p[i] - t[i];
            sum += (double)d * d;
        }
        if (gradient is not null)
        {
            var g = gradient.Span;
            float scale = 1f / n;
            for (int i = 0; i < p.Length; i++) g[i] = (p[i] - t[i]) * scale;
        }
        return 0.5 * sum / n;
    }
}
