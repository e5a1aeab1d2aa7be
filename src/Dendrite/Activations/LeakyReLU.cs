using Dendrite.Kernels;

namespace Dendrite;

/// <summary>Leaky ReLU: y = x if x > 0 else a x; dy/dx = 1 or a. The small slope keeps units from dying.</summary>
public sealed class LeakyReLU(float slope = 0.01f) : Activation, ISpecLayer<LeakyReLU>
{
    /// <summary><c>leakyrelu[(slope)]</c>.</summary>
    public static LayerSyntax Syntax { get; } = new("leakyrelu", "leakyrelu[(slope)]", 1);

    /// <summary>Builds the layer from its spec item.</summary>
    public static LeakyReLU FromSpec(LayerSpec s) => new(s.Float(0, "slope", 0.01f));

    /// <summary>The ONNX operators computing it.</summary>
    public override string ToOnnx(OnnxBuilder onnx, string x) => onnx.Add("LeakyRelu", [x], OnnxAttribute.Float("alpha", Slope));

    /// <summary>a: the gradient for x &lt;= 0 (x = 0 included); default 0.01.</summary>
    public float Slope { get; } = slope;

    /// <summary><c>leakyrelu</c>, or <c>leakyrelu(slope)</c> when the slope is not 0.01.</summary>
    public override string Name => Slope == 0.01f ? "leakyrelu" : FormattableString.Invariant($"leakyrelu({Slope})");

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> x, Span<float> y) => Elementwise.ScalePositive(x, x, Slope, y);

    /// <inheritdoc/>
    public override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) =>
        Elementwise.ScalePositive(x, dy, Slope, dx);
}
