namespace Dendrite;

/// <summary>
/// Binary cross-entropy on probabilities p (e.g. after a sigmoid): L = -sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)],
/// averaged over the batch; dL/dp = (p - y) / (p (1 - p)) / N. p is clamped to [1e-7, 1 - 1e-7] so log stays finite.
/// </summary>
public sealed class BinaryCrossEntropy : Loss
{
    private const float Eps = 1e-7f;

    /// <summary><c>binary-cross-entropy</c> (<see cref="LossCatalog"/> also takes <c>bce</c>).</summary>
    public override string Name => "binary-cross-entropy";

    /// <summary>
    /// The formula above on probabilities <paramref name="prediction"/> and labels <paramref name="target"/> in [0, 1], same shape;
    /// the gradient uses the clamped p too. Throws <see cref="ShapeException"/> as <see cref="Loss.Compute"/> does.
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
            float q = Math.Clamp(p[i], Eps, 1f - Eps);
            sum -= t[i] * Math.Log(q) + (1 - t[i]) * Math.Log(1 - q);
            if (gradient is not null) gradient.Span[i] = (q - t[i]) / (q * (1f - q)) / n;
        }
        return sum / n;
    }
}
