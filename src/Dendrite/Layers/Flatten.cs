namespace Dendrite;

/// <summary>[N, C, H, W] -> [N, C*H*W]: the same values under a new shape, no copy.</summary>
public sealed class Flatten : Layer
{
    private Tensor? _y, _dx;

    public override string Spec => "flatten";

    protected override int[] OnBuild(int[] inputShape, Rng rng) => [Tensor.Volume(inputShape)];

    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        return Tensor.Alias(ref _y, x, x[0], OutputShape);
    }

    public override Tensor Backward(Tensor dy) => Tensor.Alias(ref _dx, dy, dy[0], InputShape);
}
