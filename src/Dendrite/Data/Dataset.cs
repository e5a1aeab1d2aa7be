namespace Dendrite;

/// <summary>
/// Samples in memory: features [Count, ...SampleShape] as float32, and either class labels
/// (classification) or target values [Count, TargetSize] (regression).
/// </summary>
public sealed class Dataset
{
    public Dataset(float[] features, int[] sampleShape, int[] labels, int classes, string[]? classNames = null)
    {
        SampleShape = sampleShape;
        Count = labels.Length;
        CheckLength(features, Count * SampleSize, "features");
        foreach (int l in labels)
            if (l < 0 || l >= classes) throw new InvalidDataException($"label {l} is outside 0..{classes - 1}");
        Features = features;
        Labels = labels;
        Classes = classes;
        ClassNames = classNames;
    }

    public Dataset(float[] features, int[] sampleShape, float[] targets, int targetSize)
    {
        SampleShape = sampleShape;
        Count = targets.Length / targetSize;
        CheckLength(features, Count * SampleSize, "features");
        Features = features;
        Targets = targets;
        TargetSize = targetSize;
        Labels = [];
    }

    public float[] Features { get; }
    public int[] SampleShape { get; }
    public int SampleSize => Tensor.Volume(SampleShape);
    public int Count { get; }

    /// <summary>Class of each sample (empty for regression).</summary>
    public int[] Labels { get; }
    public int Classes { get; }
    public string[]? ClassNames { get; }

    /// <summary>Regression targets, [Count, TargetSize]; null for classification.</summary>
    public float[]? Targets { get; }
    private int TargetSize { get; }

    public bool IsClassification => Targets is null;

    /// <summary>Width of the network's output: the class count or the number of regression targets.</summary>
    public int OutputSize => IsClassification ? Classes : TargetSize;

    public ReadOnlySpan<float> Sample(int i) => Features.AsSpan(i * SampleSize, SampleSize);

    /// <summary>The first <paramref name="n"/> samples (a copy).</summary>
    public Dataset Take(int n)
    {
        n = Math.Min(n, Count);
        var f = Features.AsSpan(0, n * SampleSize).ToArray();
        return IsClassification
            ? new Dataset(f, SampleShape, Labels[..n], Classes, ClassNames)
            : new Dataset(f, SampleShape, Targets!.AsSpan(0, n * TargetSize).ToArray(), TargetSize);
    }

    /// <summary>Writes sample i's target: one-hot for a class, the values for regression.</summary>
    public void WriteTarget(int i, Span<float> target)
    {
        if (IsClassification)
        {
            target.Clear();
            target[Labels[i]] = 1f;
        }
        else Targets.AsSpan(i * TargetSize, TargetSize).CopyTo(target);
    }

    private static void CheckLength(float[] features, long needed, string what)
    {
        if (features.Length != needed) throw new InvalidDataException($"{what}: {features.Length} values, expected {needed}");
    }
}
