using System.Numerics.Tensors;

namespace Dendrite;

/// <summary>Nesterov momentum, PyTorch's form: v &lt;- mu v + g; w &lt;- w - lr (g + mu v).</summary>
public sealed class Nesterov(float learningRate = 0.01f, float momentum = 0.9f, float weightDecay = 0f) : Optimizer(learningRate, weightDecay)
{
    /// <summary>mu, in [0, 1); default 0.9. Outside that range the constructor throws <see cref="ArgumentOutOfRangeException"/>.</summary>
    public float Mu { get; } = momentum is >= 0 and < 1 ? momentum : throw new ArgumentOutOfRangeException(nameof(momentum), $"momentum must be in [0, 1), got {momentum}");
    /// <inheritdoc/>
    public override string Name => "nesterov";
    /// <summary>One: the velocity v.</summary>
    protected override int StateSlots => 1;

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, Span<float> v, Span<float> unused, bool decays)
    {
        TensorPrimitives.MultiplyAdd(v, Mu, g, v);
        TensorPrimitives.MultiplyAdd(g, -LearningRate, w, w);
        TensorPrimitives.MultiplyAdd(v, -LearningRate * Mu, w, w);
    }
}
