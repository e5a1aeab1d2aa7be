using System.Globalization;
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

    /// <summary>Whether inputs pass unchanged.</summary>
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

    /// <summary>
    /// The mean and standard deviation of every feature of <paramref name="data"/>: the values above for a set in memory;
    /// a streamed set is read twice, sample by sample, summing in the same order, so the figures are the same bits.
    /// </summary>
    public static Normalization Fit(Dataset data)
    {
        if (!data.IsStreamed) return Fit(data.Features);
        if (data.Count == 0) throw new ArgumentException("normalization: no values to fit");
        var x = new float[data.SampleSize];
        double sum = 0, squares = 0;
        for (int i = 0; i < data.Count; i++)
        {
            data.ReadSample(i, x);
            foreach (float v in x) sum += v;
        }
        double mean = sum / ((double)data.Count * x.Length);
        for (int i = 0; i < data.Count; i++)
        {
            data.ReadSample(i, x);
            foreach (float v in x) squares += (v - mean) * (v - mean);
        }
        double std = Math.Sqrt(squares / ((double)data.Count * x.Length));
        return new Normalization((float)mean, std > 0 ? (float)std : 1f);
    }

    /// <summary>
    /// Reads none, auto or MEAN,STD (e.g. 0.286,0.353); returns null for auto, which <see cref="Fit(Dataset)"/> resolves on the
    /// training data once it is loaded.
    /// </summary>
    /// <exception cref="FormatException">Anything else, a non-finite mean or a standard deviation that is not positive.</exception>
    public static Normalization? Parse(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        if (t == "none") return None;
        if (t == "auto") return null;
        var parts = t.Split(',');
        if (parts.Length != 2 || !float.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out float mean)
            || !float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out float std))
            throw new FormatException($"expected none, auto or MEAN,STD (e.g. 0.286,0.353), got '{text}'");
        if (!float.IsFinite(mean)) throw new FormatException($"the mean must be a finite number, got {parts[0]}");
        if (!(std > 0) || !float.IsFinite(std)) throw new FormatException($"the standard deviation must be positive, got {parts[1]}");
        return new Normalization(mean, std);
    }

    /// <summary>x' = (x - Mean) / Std in place; nothing for <see cref="None"/>.</summary>
    public void Apply(Span<float> values)
    {
        if (IsNone) return;
        TensorPrimitives.Subtract(values, Mean, values);
        TensorPrimitives.Divide(values, Std, values);
    }
}
