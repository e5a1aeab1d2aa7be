using System.Globalization;
using System.Numerics.Tensors;

namespace Dendrite;

/// <summary>
/// What a model's inputs go through after pixels are scaled to [0, 1]: x' = (x - mean) / std, with one mean and deviation
/// for all inputs, or one per channel of [C, H, W] images (torchvision's <c>Normalize(mean, std)</c>).
/// Saved with the model so eval, predict and the ONNX export feed it exactly what training did.
/// </summary>
public sealed class Normalization : IEquatable<Normalization>
{
    private readonly float[] _mean, _std;

    /// <summary>One mean and deviation for every input.</summary>
    public Normalization(float mean, float std) : this([mean], [std]) { }

    /// <summary>One mean and deviation per channel (a single one applies to every channel).</summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty, a mean is not finite, or a deviation is not positive.</exception>
    public Normalization(float[] mean, float[] std)
    {
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException($"normalization: {mean.Length} means and {std.Length} deviations; give one of each per channel");
        if (mean.Any(m => !float.IsFinite(m))) throw new ArgumentException("normalization: a mean is not a finite number");
        if (std.Any(s => !(s > 0) || !float.IsFinite(s))) throw new ArgumentException("normalization: a standard deviation is not positive");
        _mean = [.. mean];
        _std = [.. std];
    }

    /// <summary>Inputs used as they are (Dendrite's default: pixels in [0, 1]).</summary>
    public static readonly Normalization None = new(0f, 1f);

    /// <summary>Whether inputs pass unchanged.</summary>
    public bool IsNone => _mean.All(m => m == 0f) && _std.All(s => s == 1f);

    /// <summary>1 when one mean and deviation serve every input, else the channel count C of [C, H, W] inputs.</summary>
    public int Channels => _mean.Length;

    /// <summary>The means, one per channel (or one for all).</summary>
    public IReadOnlyList<float> Means => _mean;

    /// <summary>The standard deviations, one per channel (or one for all).</summary>
    public IReadOnlyList<float> Stds => _std;

    /// <summary>The mean of a normalisation with one for every input.</summary>
    /// <exception cref="InvalidOperationException">It has one mean per channel: read <see cref="Means"/>.</exception>
    public float Mean => Channels == 1 ? _mean[0] : throw new InvalidOperationException($"the normalization has {Channels} means, one per channel");

    /// <summary>The standard deviation of a normalisation with one for every input.</summary>
    /// <exception cref="InvalidOperationException">It has one per channel: read <see cref="Stds"/>.</exception>
    public float Std => Channels == 1 ? _std[0] : throw new InvalidOperationException($"the normalization has {Channels} deviations, one per channel");

    /// <summary>Channel <paramref name="c"/>'s mean.</summary>
    public float MeanOf(int c) => _mean[_mean.Length == 1 ? 0 : c];

    /// <summary>Channel <paramref name="c"/>'s standard deviation.</summary>
    public float StdOf(int c) => _std[_std.Length == 1 ? 0 : c];

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
    /// The mean and standard deviation of <paramref name="data"/>'s features, per channel for [C, H, W] images with C &gt; 1
    /// (one pair for grey images and table rows), summed in double sample by sample. A streamed set is read twice, in the
    /// same order as a loaded one is summed, so the figures are the same bits.
    /// </summary>
    public static Normalization Fit(Dataset data)
    {
        if (data.Count == 0) throw new ArgumentException("normalization: no values to fit");
        int channels = data.SampleShape.Length == 3 ? data.SampleShape[0] : 1;
        var (mean, std) = Moments(data.SampleShape, data.ReadSample, data.Count, channels);
        return new Normalization(mean, std);
    }

    // Per channel: the mean, then the mean squared deviation from it, each a double sum in sample and pixel order.
    private static (float[] Mean, float[] Std) Moments(int[] shape, ReadSampleInto read, int count, int channels)
    {
        var x = new float[Tensor.Volume(shape)];
        int plane = x.Length / channels;
        var sum = new double[channels];
        var squares = new double[channels];
        for (int i = 0; i < count; i++)
        {
            read(i, x);
            for (int c = 0; c < channels; c++)
                foreach (float v in x.AsSpan(c * plane, plane)) sum[c] += v;
        }
        var mean = new double[channels];
        for (int c = 0; c < channels; c++) mean[c] = sum[c] / ((double)count * plane);
        for (int i = 0; i < count; i++)
        {
            read(i, x);
            for (int c = 0; c < channels; c++)
                foreach (float v in x.AsSpan(c * plane, plane)) squares[c] += (v - mean[c]) * (v - mean[c]);
        }
        var std = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            double s = Math.Sqrt(squares[c] / ((double)count * plane));
            std[c] = s > 0 ? (float)s : 1f;
        }
        return ([.. mean.Select(m => (float)m)], std);
    }

    private delegate void ReadSampleInto(int index, Span<float> destination);

    /// <summary>
    /// Reads none, auto, MEAN,STD (e.g. 0.286,0.353) or per channel M1/M2/M3,S1/S2/S3 (e.g. 0.485/0.456/0.406,0.229/0.224/0.225);
    /// returns null for auto, which <see cref="Fit(Dataset)"/> resolves on the training data once it is loaded.
    /// </summary>
    /// <exception cref="FormatException">Anything else, a non-finite mean, a standard deviation that is not positive, or lists of different lengths.</exception>
    public static Normalization? Parse(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        if (t == "none") return None;
        if (t == "auto") return null;
        var parts = t.Split(',');
        if (parts.Length != 2 || Numbers(parts[0]) is not { } mean || Numbers(parts[1]) is not { } std)
            throw new FormatException($"expected none, auto, MEAN,STD (e.g. 0.286,0.353) or per channel M1/M2/M3,S1/S2/S3, got '{text}'");
        if (mean.Length != std.Length) throw new FormatException($"{mean.Length} means and {std.Length} standard deviations in '{text}'; give one of each per channel");
        if (mean.FirstOrDefault(m => !float.IsFinite(m)) is var m0 && !float.IsFinite(m0)) throw new FormatException($"the mean must be a finite number, got {parts[0]}");
        if (std.Any(s => !(s > 0) || !float.IsFinite(s))) throw new FormatException($"the standard deviation must be positive, got {parts[1]}");
        return new Normalization(mean, std);
    }

    private static float[]? Numbers(string list)
    {
        var items = list.Split('/');
        var values = new float[items.Length];
        for (int i = 0; i < items.Length; i++)
            if (!float.TryParse(items[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i])) return null;
        return values;
    }

    /// <summary>The text <see cref="Parse"/> reads back to the same values: MEAN,STD or M1/M2/M3,S1/S2/S3.</summary>
    public string Format() => $"{Join(_mean, "/")},{Join(_std, "/")}";

    /// <summary>The means as a model file stores them: one number, or one per channel joined by commas.</summary>
    public string FormatMeans() => Join(_mean, ",");

    /// <summary>The standard deviations as a model file stores them.</summary>
    public string FormatStds() => Join(_std, ",");

    private static string Join(float[] values, string separator) => string.Join(separator, values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    /// <summary>"(x - 0.2860) / 0.3530", or with one value per channel "(x - [0.49, 0.48, 0.45]) / [0.25, 0.24, 0.26]".</summary>
    public override string ToString()
    {
        static string Show(float[] v) => v.Length == 1 ? G4(v[0]) : $"[{string.Join(", ", v.Select(G4))}]";
        static string G4(float v) => v.ToString("G4", CultureInfo.InvariantCulture);
        return $"(x - {Show(_mean)}) / {Show(_std)}";
    }

    /// <summary>x' = (x - mean) / std in place, for a normalisation with one mean and deviation for every input.</summary>
    /// <exception cref="InvalidOperationException">It has one per channel: give the samples' shape.</exception>
    public void Apply(Span<float> values)
    {
        if (Channels > 1) throw new InvalidOperationException($"the normalization has {Channels} channels: Apply(values, sampleShape) says where they are");
        Apply(values, []);
    }

    /// <summary>
    /// x' = (x - mean) / std in place over whole samples of <paramref name="sampleShape"/> (one or many, one after another);
    /// nothing for <see cref="None"/>. Per-channel values need [C, H, W] samples with C = <see cref="Channels"/>.
    /// </summary>
    /// <exception cref="ShapeException">The normalisation has one value per channel and the samples have another channel count.</exception>
    public void Apply(Span<float> values, ReadOnlySpan<int> sampleShape)
    {
        if (IsNone) return;
        if (Channels == 1)
        {
            TensorPrimitives.Subtract(values, _mean[0], values);
            TensorPrimitives.Divide(values, _std[0], values);
            return;
        }
        if (sampleShape.Length != 3 || sampleShape[0] != Channels)
            throw new ShapeException($"normalization has {Channels} channels, samples are {Tensor.Format(sampleShape.ToArray())}");
        int plane = sampleShape[1] * sampleShape[2];
        for (int at = 0, c = 0; at + plane <= values.Length; at += plane, c = (c + 1) % Channels)
        {
            var p = values.Slice(at, plane);
            TensorPrimitives.Subtract(p, _mean[c], p);
            TensorPrimitives.Divide(p, _std[c], p);
        }
    }

    /// <summary>Whether every mean and deviation is the same.</summary>
    public bool Equals(Normalization? other) => other is not null && _mean.AsSpan().SequenceEqual(other._mean) && _std.AsSpan().SequenceEqual(other._std);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Normalization);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_mean.Length, _mean[0], _std[0]);
}
