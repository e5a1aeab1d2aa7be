using System.Numerics.Tensors;

namespace Dendrite;

/// <summary>Hyperbolic tangent: y = tanh(x); dy/dx = 1 - y^2, which vanishes once |x| is a few units.</summary>
public sealed class Tanh : Activation, ISpecLayer<Tanh>
{
    /// <summary><c>tanh</c>.</summary>
    public static LayerSyntax Syntax { get; } = new("tanh", "tanh");

    /// <summary>Builds the layer from its spec item.</summary>
    public static Tanh FromSpec(LayerSpec s) => new();

    /// <summary>The ONNX operators computing it.</summary>
    public override string ToOnnx(OnnxBuilder onnx, string x) => onnx.Add("Tanh", [x]);

    /// <summary><c>tanh</c>.</summary>
    public override string Name => "tanh";

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> x, Span<float> y) => Kernels.VectorMath.Tanh(x, y);

    /// <inheritdoc/>
    public override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        TensorPrimitives.Multiply(y, y, dx);
        TensorPrimitives.Subtract(1f, dx, dx);
        TensorPrimitives.Multiply(dx, dy, dx);
    }
}
