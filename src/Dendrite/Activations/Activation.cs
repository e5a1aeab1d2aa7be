namespace Dendrite;

/// <summary>
/// An elementwise function used as a layer: y = f(x), dL/dx = f'(x) * dL/dy.
/// The base class owns the batch and the buffers; a subclass writes the two loops.
/// </summary>
public abstract class Activation : Layer
{
    private Tensor? _x, _y, _dx;

    /// <summary>The spec name: relu, sigmoid, ...</summary>
    public abstract string Name { get; }

    /// <summary>The spec is the <see cref="Name"/>: <c>relu</c>, <c>elu(0.5)</c>.</summary>
    public override string Spec => Name;

    /// <summary>y = f(x) for every element.</summary>
    public abstract void Apply(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>dx = f'(x) * dy, given the input x and the output y = f(x) of the same forward pass.</summary>
    public abstract void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx);

    /// <summary>Any shape, unchanged.</summary>
    public override LayerShape Describe(int[] inputShape) => new((int[])inputShape.Clone());

    /// <summary>
    /// y = f(x) for every element of [N, ...InputShape], into a buffer the next call reuses; <paramref name="training"/>
    /// is ignored. Keeps a reference to <paramref name="x"/> (not a copy) for <see cref="Backward"/>, so x must not change
    /// in between. Throws <see cref="ShapeException"/> when x is not [N, ...InputShape].
    /// </summary>
    public override Tensor Forward(Tensor x, bool training)
    {
        CheckInput(x);
        _x = x;
        var y = Tensor.Ensure(ref _y, x[0], OutputShape);
        Apply(x.Span, y.Span);
        return y;
    }

    /// <summary>
    /// dL/dx = f'(x) * dL/dy from the last forward's x and y. Always computed (an activation has no parameters, so
    /// <see cref="Layer.NeedsInputGradient"/> is not consulted); <paramref name="dy"/> must have the output's shape (not checked).
    /// Throws <see cref="InvalidOperationException"/> before any <see cref="Forward"/>.
    /// </summary>
    public override Tensor Backward(Tensor dy)
    {
        var x = _x ?? throw new InvalidOperationException($"{Label}: backward before forward");
        var dx = Tensor.Ensure(ref _dx, x[0], InputShape);
        Derive(x.Span, _y!.Span, dy.Span, dx.Span);
        return dx;
    }

    /// <summary>Every elementwise activation Dendrite has, by spec name, with its default settings.</summary>
    public static IReadOnlyList<Activation> All() =>
        [new Linear(), new Step(), new Sigmoid(), new Tanh(), new ReLU(), new LeakyReLU(), new Elu(), new Gaussian()];
}
