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

    public float Slope { get; } = slope;
    public override string Name => Slope == 0.01f ? "leakyrelu" : FormattableString.Invariant($"leakyrelu({Slope})");
    public override void Apply(ReadOnlySpan<float> x, Span<float> y) => Elementwise.ScalePositive(x, x, Slope, y);
    public override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) =>
        Elementwise.ScalePositive(x, dy, Slope, dx);
}
