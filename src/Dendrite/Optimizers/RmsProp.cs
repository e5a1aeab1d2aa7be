namespace Dendrite;

/// <summary>RMSProp (Hinton): s &lt;- rho s + (1 - rho) g^2; w &lt;- w - lr g / (sqrt(s) + eps).</summary>
public sealed class RmsProp(float learningRate = 0.001f, float rho = 0.9f, float epsilon = 1e-7f, float weightDecay = 0f)
    : Optimizer(learningRate, weightDecay)
{
    /// <summary>rho, the decay of the squared-gradient average s; default 0.9.</summary>
    public float Rho { get; } = rho;
    /// <summary>eps, added to sqrt(s) so the step stays finite; default 1e-7.</summary>
    public float Epsilon { get; } = epsilon;
    /// <inheritdoc/>
    public override string Name => "rmsprop";
    /// <summary>One: the squared-gradient average s.</summary>
    protected override int StateSlots => 1;

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, Span<float> s, Span<float> unused, bool decays)
    {
        float lr = LearningRate, rho = Rho, eps = Epsilon;
        for (int i = 0; i < w.Length; i++)
        {
            s[i] = rho * s[i] + (1 - rho) * g[i] * g[i];
            w[i] -= lr * g[i] / (MathF.Sqrt(s[i]) + eps);
        }
    }
}
