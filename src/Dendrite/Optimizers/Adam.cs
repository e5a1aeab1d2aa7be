namespace Dendrite;

/// <summary>
/// Adam (Kingma and Ba): m &lt;- b1 m + (1 - b1) g; v &lt;- b2 v + (1 - b2) g^2;
/// w &lt;- w - lr * m / (1 - b1^t) / (sqrt(v / (1 - b2^t)) + eps).
/// </summary>
public class Adam(float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0f)
    : Optimizer(learningRate, weightDecay)
{
    public float Beta1 { get; } = beta1;
    public float Beta2 { get; } = beta2;
    public float Epsilon { get; } = epsilon;
    public override string Name => "adam";
    protected override int StateSlots => 2;

    protected override void Update(Parameter p, Span<float> w, ReadOnlySpan<float> g, float[][] state) =>
        AdamUpdate(w, g, state[0], state[1], LearningRate);

    protected void AdamUpdate(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float lr)
    {
        float c1 = 1f / (1f - MathF.Pow(Beta1, Steps));
        float c2 = 1f / (1f - MathF.Pow(Beta2, Steps));
        float b1 = Beta1, b2 = Beta2, eps = Epsilon;
        for (int i = 0; i < w.Length; i++)
        {
            float gi = g[i];
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            w[i] -= lr * m[i] * c1 / (MathF.Sqrt(v[i] * c2) + eps);
        }
    }
}
