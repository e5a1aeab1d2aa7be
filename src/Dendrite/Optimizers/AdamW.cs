namespace Dendrite;

/// <summary>
/// AdamW (Loshchilov and Hutter): Adam with decoupled weight decay, w &lt;- w - lr wd w applied
/// directly to the weights rather than added to the gradient.
/// </summary>
public sealed class AdamW(float learningRate = 0.001f, float weightDecay = 0.01f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
    : Adam(learningRate, beta1, beta2, epsilon, weightDecay)
{
    /// <inheritdoc/>
    public override string Name => "adamw";
    /// <summary>False: the decay scales the weights, w &lt;- (1 - lr wd) w, before the Adam step.</summary>
    protected override bool AddsDecayToGradient => false;

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, bool decays)
    {
        if (decays && WeightDecay > 0)
            System.Numerics.Tensors.TensorPrimitives.Multiply(w, 1f - LearningRate * WeightDecay, w);
        AdamUpdate(w, g, m, v, LearningRate);
    }
}
