using System.Numerics.Tensors;

namespace Dendrite;

/// <summary>The lecture's rule: w &lt;- w - lr * dL/dw.</summary>
public sealed class GradientDescent(float learningRate = 0.01f, float weightDecay = 0f) : Optimizer(learningRate, weightDecay)
{
    /// <inheritdoc/>
    public override string Name => "sgd";

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, Span<float> s0, Span<float> s1, bool decays) =>
        TensorPrimitives.MultiplyAdd(g, -LearningRate, w, w);
}
