namespace Dendrite;

/// <summary>
/// Identity: y = x; dy/dx = 1. Stacking linear layers with it stays one linear map
/// (W2 (W1 x + b1) + b2 = W x + b), which is why a network needs a nonlinearity.
/// </summary>
public sealed class Linear : Activation, ISpecLayer<Linear>
{
    /// <summary><c>linear</c>.</summary>
    public static LayerSyntax Syntax { get; } = new("linear", "linear", 0, "identity");

    /// <summary>Builds the layer from its spec item.</summary>
    public static Linear FromSpec(LayerSpec s) => new();

    /// <summary>The ONNX operators computing it.</summary>
    public override string ToOnnx(OnnxBuilder onnx, string x) => onnx.Add("Identity", [x]);

    /// <summary><c>linear</c> (also written <c>identity</c>).</summary>
    public override string Name => "linear";

    /// <summary>Copies x into y.</summary>
    public override void Apply(ReadOnlySpan<float> x, Span<float> y) => x.CopyTo(y);

    /// <summary>Copies dy into dx.</summary>
    public override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => dy.CopyTo(dx);
}
