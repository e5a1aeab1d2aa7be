using System.Numerics.Tensors;
using Dendrite.Kernels;

namespace Dendrite;

/// <summary>Rectified linear: y = max(0, x); dy/dx = 1 if x > 0 else 0. Cheap; a unit stuck below zero stops learning ("dies").</summary>
public sealed class ReLU : Activation, ISpecLayer<ReLU>
{
    /// <summary><c>relu</c>.</summary>
    public static LayerSyntax Syntax { get; } = new("relu", "relu");

    /// <summary>Builds the layer from its spec item.</summary>
    public static ReLU FromSpec(LayerSpec s) => new();

    /// <summary>The ONNX operators computing it.</summary>
    public override string ToOnnx(OnnxBuilder onnx, string x) => onnx.Add("Relu", [x]);

    /// <summary><c>relu</c>.</summary>
    public override string Name => "relu";

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> x, Span<float> y) => VectorMath.Relu(x, y);

    /// <summary>dx = dy where x > 0, else 0 (the derivative at 0 is taken as 0).</summary>
    public override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) =>
        Elementwise.ScalePositive(x, dy, 0f, dx);
}
