using Dendrite.Kernels;

namespace Dendrite;

/// <summary>Leaky ReLU: y = x if x > 0 else a x; dy/dx = 1 or a. The small slope keeps units from dying.</summary>
public sealed class LeakyReLU(float slope = 0.01f) : Activation
{
    public float Slope { get; } = slope;
    public override string Name => Slope == 0.01f ? "leakyrelu" : FormattableString.Invariant($"leakyrelu({Slope})");
    public override void Apply(ReadOnlySpan<float> x, Span<float> y) => Elementwise.ScalePositive(x, x, Slope, y);
    public override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) =>
        Elementwise.ScalePositive(x, dy, Slope, dx);
}
