using System.Numerics.Tensors;

namespace Dendrite;

/// <summary>
/// What a model's inputs go through after pixels are scaled to [0, 1]: x' = (x - Mean) / Std.
/// Saved with the model so eval, predict and the ONNX export feed it exactly what training did.
/// </summary>
public readonly record struct Normalization(float Mean, float Std)
{
    /// <summary>Inputs used as they are (Dendrite's default: pixels in [0, 1]).</summary>
    public static readonly Normalization None = new(0f, 1f);

    public bool IsNone => Mean == 0f && Std == 1f;

    public void Apply(Span<float> values)
    {
        if (IsNone) return;
        TensorPrimitives.Subtract(values, Mean, values);
        TensorPrimitives.Divide(values, Std, values);
    }
}
