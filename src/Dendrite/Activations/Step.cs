using Dendrite.Kernels;

namespace Dendrite;

/// <summary>
/// Threshold (Heaviside) unit: y = 1 if x >= 0 else 0; dy/dx = 0 wherever it exists, so plain
/// backprop sends no signal through it. With <c>straightThrough</c> the backward pass instead uses
/// the clipped straight-through estimator dx = dy * 1{|x| &lt;= 1} (Hubara et al., 2016).
/// </summary>
public sealed class Step(bool straightThrough = false) : Activation, ISpecLayer<Step>
{
    /// <summary><c>step[(ste)]</c>, also called <c>threshold</c>.</summary>
    public static LayerSyntax Syntax { get; } = new("step", "step[(ste)]", 1, "threshold");

    /// <summary>Reads the optional mode <c>ste</c>.</summary>
    public static Step FromSpec(LayerSpec s)
    {
        var mode = s.Raw(0, "mode");
        if (mode is not null && mode != "ste") throw s.Fail($"mode '{mode}' is not 'ste' (straight-through estimator)");
        return new Step(straightThrough: mode == "ste");
    }

    /// <summary>Heaviside: Cast(x >= 0) to float.</summary>
    public override string ToOnnx(OnnxBuilder onnx, string x) =>
        onnx.Add("Cast", [onnx.Add("GreaterOrEqual", [x, onnx.Scalar("zero", 0f)])], OnnxAttribute.Int("to", 1)); // 1: FLOAT

    /// <summary>When true, backward passes dy where |x| &lt;= 1 and 0 elsewhere instead of 0 everywhere; default false.</summary>
    public bool StraightThrough { get; } = straightThrough;

    /// <summary><c>step</c>, or <c>step(ste)</c> with the straight-through estimator.</summary>
    public override string Name => StraightThrough ? "step(ste)" : "step";

    /// <summary>y = 1 where x >= 0, else 0.</summary>
    public override void Apply(ReadOnlySpan<float> x, Span<float> y) => Elementwise.Heaviside(x, y);

    /// <summary>dx = dy * 1{|x| &lt;= 1} with <see cref="StraightThrough"/>, else dx = 0.</summary>
    public override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        if (StraightThrough) Elementwise.PassWhereAbsAtMost(x, 1f, dy, dx);
        else dx.Clear();
    }
}
