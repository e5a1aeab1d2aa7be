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

    /// <summary>The mean and standard deviation of <paramref name="values"/> (summed in double), e.g. of every training pixel.</summary>
    public static Normalization Fit(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) throw new ArgumentException("normalization: no values to fit");
        double sum = 0, squares = 0;
        foreach (float v in values) sum += v;
        double mean = sum / values.Length;
        foreach (float v in values) squares += (v - mean) * (v - mean);
        double std = Math.Sqrt(squares / values.Length);
        return new Normalization((float)mean, std > 0 ? (float)std : 1f);
    }

    public void Apply(Span<float> values)
    {
        if (IsNone) return;
        TensorPrimitives.Subtract(values, Mean, values);
        TensorPrimitives.Divide(values, Std, values);
    }
}
