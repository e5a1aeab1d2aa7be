using System.Numerics.Tensors;

namespace Dendrite;

/// <summary>Hyperbolic tangent: y = tanh(x); dy/dx = 1 - y^2, which vanishes once |x| is a few units.</summary>
public sealed class Tanh : Activation
{
    public override string Name => "tanh";
    public override void Apply(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Tanh(x, y);

    public override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        TensorPrimitives.Multiply(y, y, dx);
        TensorPrimitives.Subtract(1f, dx, dx);
        TensorPrimitives.Multiply(dx, dy, dx);
    }
}
