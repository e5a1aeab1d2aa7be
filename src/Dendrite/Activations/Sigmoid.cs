using System.Numerics.Tensors;

namespace Dendrite;

/// <summary>Logistic: y = 1 / (1 + e^-x); dy/dx = y (1 - y), at most 1/4, so deep stacks of it vanish gradients.</summary>
public sealed class Sigmoid : Activation, ISpecLayer<Sigmoid>
{
    /// <summary><c>sigmoid</c>.</summary>
    public static LayerSyntax Syntax { get; } = new("sigmoid", "sigmoid");

    /// <summary>Builds the layer from its spec item.</summary>
    public static Sigmoid FromSpec(LayerSpec s) => new();

    /// <summary>The ONNX operators computing it.</summary>
    public override string ToOnnx(OnnxBuilder onnx, string x) => onnx.Add("Sigmoid", [x]);

    /// <summary><c>sigmoid</c>.</summary>
    public override string Name => "sigmoid";

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sigmoid(x, y);

    // From the saved output: no second exp.
    /// <inheritdoc/>
    public override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        TensorPrimitives.Multiply(y, y, dx);
        TensorPrimitives.Subtract(y, dx, dx);
        TensorPrimitives.Multiply(dx, dy, dx);
    }
}
