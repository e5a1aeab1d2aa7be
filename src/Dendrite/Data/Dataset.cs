namespace Dendrite;

/// <summary>
/// Samples: features [Count, ...SampleShape] as float32, and either class labels (classification) or target values
/// [Count, TargetSize] (regression). The features are in memory, or, for a streamed set (<see cref="IsStreamed"/>), read
/// from a <see cref="SampleSource"/> on disk as they are needed, so only the labels take memory.
/// </summary>
public sealed class Dataset
{
    /// <summary>A classification set of <c>labels.Length</c> samples.</summary>
    /// <param name="features">[Count, ...sampleShape], row-major; kept, not copied.</param>
    /// <param name="sampleShape">One sample's shape: [1, H, W] for an image, [D] for a table row.</param>
    /// <param name="labels">Each sample's class, in 0..classes-1.</param>
    /// <param name="classes">K, the number of classes; labels lie in 0..K-1.</param>
    /// <param name="classNames">Names in label order, or null.</param>
    /// <exception cref="InvalidDataException"><paramref name="features"/> has the wrong length, or a label is out of range.</exception>
    public Dataset(float[] features, int[] sampleShape, int[] labels, int classes, string[]? classNames = null)
    {
        SampleShape = sampleShape;
        Count = labels.Length;
        CheckLength(features, Count * SampleSize, "features");
        foreach (int l in labels)
            if (l < 0 || l >= classes) throw new InvalidDataException($"label {l} is outside 0..{classes - 1}");
        _features = features;
        Labels = labels;
        Classes = classes;
        ClassNames = classNames;
    }

    /// <summary>
    /// A streamed classification set: the first <c>labels.Length</c> samples of <paramref name="source"/>, read when a
    /// loader asks for them. The source is not disposed with the set (several sets may share one).
    /// </summary>
    /// <exception cref="InvalidDataException">There are more labels than samples, or a label is out of range.</exception>
    public Dataset(SampleSource source, int[] labels, int classes, string[]? classNames = null)
    {
        if (labels.Length > source.Count) throw new InvalidDataException($"{source.Name}: {labels.Length} labels for {source.Count} samples");
        foreach (int l in labels)
            if (l < 0 || l >= classes) throw new InvalidDataException($"label {l} is outside 0..{classes - 1}");
        Source = source;
        SampleShape = source.SampleShape;
        Count = labels.Length;
        _features = [];
        Labels = labels;
        Classes = classes;
        ClassNames = classNames;
    }

    /// <summary>A streamed regression set: the first <c>targets.Length / targetSize</c> samples of <paramref name="source"/>.</summary>
    /// <exception cref="InvalidDataException">There are more targets than samples.</exception>
    public Dataset(SampleSource source, float[] targets, int targetSize)
    {
        Count = targets.Length / targetSize;
        if (Count > source.Count) throw new InvalidDataException($"{source.Name}: {Count} targets for {source.Count} samples");
        Source = source;
        SampleShape = source.SampleShape;
        _features = [];
        Targets = targets;
        TargetSize = targetSize;
        Labels = [];
    }

    /// <summary>A regression set of <c>targets.Length / targetSize</c> samples, each with <paramref name="targetSize"/> target values.</summary>
    /// <param name="features">[Count, ...sampleShape], row-major; kept, not copied.</param>
    /// <param name="sampleShape">One sample's shape, e.g. [D] for a table row.</param>
    /// <param name="targets">[Count, targetSize], row-major; kept, not copied.</param>
    /// <param name="targetSize">Target values per sample.</param>
    /// <exception cref="InvalidDataException"><paramref name="features"/> has the wrong length.</exception>
    public Dataset(float[] features, int[] sampleShape, float[] targets, int targetSize)
    {
        SampleShape = sampleShape;
        Count = targets.Length / targetSize;
        CheckLength(features, Count * SampleSize, "features");
        _features = features;
        Targets = targets;
        TargetSize = targetSize;
        Labels = [];
    }

    private readonly float[] _features;
    // What a streamed set's samples go through as they are read (an in-memory set is normalised in place).
    private readonly List<Normalization> _normalizations = [];

    /// <summary>All samples, [Count, ...SampleShape], row-major; only for a set in memory.</summary>
    /// <exception cref="InvalidOperationException">The set is streamed: read samples with <see cref="ReadSample"/>.</exception>
    public float[] Features => IsStreamed
        ? throw new InvalidOperationException($"{Source!.Name}: the samples are streamed from disk, not in memory; read them with ReadSample")
        : _features;

    /// <summary>Where a streamed set's samples are read from; null for a set in memory.</summary>
    public SampleSource? Source { get; }

    /// <summary>Whether the samples are read from <see cref="Source"/> as needed rather than held in memory.</summary>
    public bool IsStreamed => Source is not null;
    /// <summary>One sample's shape: [1, H, W] for an IDX image, [D] for a table row.</summary>
    public int[] SampleShape { get; }
    /// <summary>Floats per sample: the product of <see cref="SampleShape"/>.</summary>
    public int SampleSize => Tensor.Volume(SampleShape);
    /// <summary>Number of samples.</summary>
    public int Count { get; }

    /// <summary>Class of each sample (empty for regression).</summary>
    public int[] Labels { get; }
    /// <summary>Number of classes; 0 for regression.</summary>
    public int Classes { get; }
    /// <summary>Class names in label order; null when unknown and for regression.</summary>
    public string[]? ClassNames { get; }

    /// <summary>Regression targets, [Count, TargetSize]; null for classification.</summary>
    public float[]? Targets { get; }
    private int TargetSize { get; }

    /// <summary>True when the set has <see cref="Labels"/>, false when it has regression <see cref="Targets"/>.</summary>
    public bool IsClassification => Targets is null;

    /// <summary>Width of the network's output: the class count or the number of regression targets.</summary>
    public int OutputSize => IsClassification ? Classes : TargetSize;

    /// <summary>Sample <paramref name="i"/>'s features, a view into <see cref="Features"/> (a set in memory only).</summary>
    public ReadOnlySpan<float> Sample(int i) => Features.AsSpan(i * SampleSize, SampleSize);

    /// <summary>
    /// Writes sample <paramref name="i"/>'s features into <paramref name="destination"/> (one sample long): copied from
    /// memory, or read from the <see cref="Source"/> and normalised as <see cref="Normalize"/> asked. Thread-safe.
    /// </summary>
    public void ReadSample(int i, Span<float> destination)
    {
        if (Source is null)
        {
            Sample(i).CopyTo(destination);
            return;
        }
        Source.Read(i, destination);
        foreach (var n in _normalizations) n.Apply(destination, SampleShape);
    }

    /// <summary>
    /// Normalises the features with <paramref name="normalization"/>: in place for a set in memory, as each sample is read
    /// for a streamed one (the same arithmetic, so the same values).
    /// </summary>
    public void Normalize(Normalization normalization)
    {
        if (normalization.IsNone) return;
        if (Source is null) normalization.Apply(_features, SampleShape);
        else _normalizations.Add(normalization);
    }

    /// <summary>
    /// The set normalised by <paramref name="normalization"/>, leaving this one as it is: a normalised copy of a set in
    /// memory, or a view of a streamed set that normalises as it reads.
    /// </summary>
    public Dataset Normalized(Normalization normalization)
    {
        var result = Take(Count);
        result.Normalize(normalization);
        return result;
    }

    /// <summary>
    /// The same samples and labels counted as <paramref name="classes"/> classes named <paramref name="classNames"/> (a model's
    /// classes, say): the features are shared, not copied, and a streamed set keeps its source and normalisation.
    /// </summary>
    /// <exception cref="InvalidDataException">A label is outside 0 to <paramref name="classes"/> - 1.</exception>
    public Dataset WithClasses(int classes, string[]? classNames)
    {
        if (Source is null) return new Dataset(_features, SampleShape, Labels, classes, classNames);
        var result = new Dataset(Source, Labels, classes, classNames);
        result._normalizations.AddRange(_normalizations);
        return result;
    }

    /// <summary>The first <paramref name="n"/> samples (a copy; a streamed set shares its source and normalisation).</summary>
    public Dataset Take(int n)
    {
        n = Math.Min(n, Count);
        if (Source is not null)
        {
            var part = IsClassification ? new Dataset(Source, Labels[..n], Classes, ClassNames) : new Dataset(Source, Targets![..(n * TargetSize)], TargetSize);
            part._normalizations.AddRange(_normalizations);
            return part;
        }
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
