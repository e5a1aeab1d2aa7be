namespace Dendrite;

/// <summary>
/// Identity: y = x; dy/dx = 1. Stacking linear layers with it stays one linear map
/// (W2 (W1 x + b1) + b2 = W x + b), which is why a network needs a nonlinearity.
/// </summary>
public sealed class Linear : Activation
{
    public override string Name => "linear";
    public override void Apply(ReadOnlySpan<float> x, Span<float> y) => x.CopyTo(y);
    public override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => dy.CopyTo(dx);
}
