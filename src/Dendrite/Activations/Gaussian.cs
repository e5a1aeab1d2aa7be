using System.Numerics.Tensors;

namespace Dendrite;

/// <summary>Gaussian radial basis: y = exp(-x^2); dy/dx = -2x y. Peaks at 0, local like a receptive field.</summary>
public sealed class Gaussian : Activation, ISpecLayer<Gaussian>
{
    /// <summary><c>gaussian</c>.</summary>
    public static LayerSyntax Syntax { get; } = new("gaussian", "gaussian");

    /// <summary>Builds the layer from its spec item.</summary>
    public static Gaussian FromSpec(LayerSpec s) => new();

    /// <summary>The ONNX operators computing it.</summary>
    public override string ToOnnx(OnnxBuilder onnx, string x) => onnx.Add("Exp", [onnx.Add("Neg", [onnx.Add("Mul", [x, x])])]); // exp(-x^2);

    /// <summary><c>gaussian</c>.</summary>
    public override string Name => "gaussian";

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> x, Span<float> y)
    {
        TensorPrimitives.Multiply(x, x, y);
        TensorPrimitives.Negate(y, y);
        TensorPrimitives.Exp(y, y);
    }

    // Uses the saved output y, so backward needs no second exp.
    /// <inheritdoc/>
    public override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        TensorPrimitives.Multiply(x, y, dx);
        TensorPrimitives.Multiply(dx, dy, dx);
        TensorPrimitives.Multiply(dx, -2f, dx);
    }
}
