namespace Dendrite;

/// <summary>
/// AdamW (Loshchilov and Hutter): Adam with decoupled weight decay, w &lt;- w - lr wd w applied
/// directly to the weights rather than added to the gradient.
/// </summary>
public sealed class AdamW(float learningRate = 0.001f, float weightDecay = 0.01f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
    : Adam(learningRate, beta1, beta2, epsilon, weightDecay)
{
    public override string Name => "adamw";
    protected override bool AddsDecayToGradient => false;

    protected override void Update(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, bool decays)
    {
        if (decays && WeightDecay > 0)
            System.Numerics.Tensors.TensorPrimitives.Multiply(w, 1f - LearningRate * WeightDecay, w);
        AdamUpdate(w, g, m, v, LearningRate);
    }
}
