using System.Numerics.Tensors;

namespace Dendrite;

/// <summary>Heavy ball, as PyTorch's SGD(momentum): v &lt;- mu v + g; w &lt;- w - lr v.</summary>
public sealed class Momentum(float learningRate = 0.01f, float momentum = 0.9f, float weightDecay = 0f) : Optimizer(learningRate, weightDecay)
{
    /// <summary>mu, in [0, 1); default 0.9. Outside that range the constructor throws <see cref="ArgumentOutOfRangeException"/>.</summary>
    public float Mu { get; } = momentum is >= 0 and < 1 ? momentum : throw new ArgumentOutOfRangeException(nameof(momentum), $"momentum must be in [0, 1), got {momentum}");
    /// <inheritdoc/>
    public override string Name => "momentum";
    /// <summary>One: the velocity v.</summary>
    protected override int StateSlots => 1;

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, Span<float> v, Span<float> unused, bool decays)
    {
        TensorPrimitives.MultiplyAdd(v, Mu, g, v);
        TensorPrimitives.MultiplyAdd(v, -LearningRate, w, w);
    }
}
