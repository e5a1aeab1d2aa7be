using Dendrite.Kernels;

namespace Dendrite;

/// <summary>
/// Threshold (Heaviside) unit: y = 1 if x >= 0 else 0; dy/dx = 0 wherever it exists, so plain
/// backprop sends no signal through it. With <c>straightThrough</c> the backward pass instead uses
/// the clipped straight-through estimator dx = dy * 1{|x| &lt;= 1} (Hubara et al., 2016).
/// </summary>
public sealed class Step(bool straightThrough = false) : Activation
{
    public bool StraightThrough { get; } = straightThrough;
    public override string Name => StraightThrough ? "step(ste)" : "step";

    public override void Apply(ReadOnlySpan<float> x, Span<float> y) => Elementwise.Heaviside(x, y);

    public override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        if (StraightThrough) Elementwise.PassWhereAbsAtMost(x, 1f, dy, dx);
        else dx.Clear();
    }
}
