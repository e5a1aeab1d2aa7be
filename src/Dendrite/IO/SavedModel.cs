namespace Dendrite;

/// <summary>
/// A network rebuilt from a model file, with what it was saved with. <see cref="Evaluate"/> and <see cref="Predict"/>
/// take raw inputs (pixels in [0, 1]) and apply the saved <see cref="ModelMetadata.Normalization"/> first, as
/// training did; running <see cref="Net"/> directly skips it.
/// </summary>
public sealed record SavedModel(Sequential Net, ModelMetadata Metadata, SafeTensorsFile File)
{
    /// <summary>
    /// The network as training started: the saved spec built with the saved <see cref="ModelMetadata.Seed"/>, the same
    /// draw as the run's first weights (RBF centres excepted: k-means places them after the build). With it,
    /// <c>Net</c>'s weights minus <c>Initial()</c>'s are what training changed.
    /// </summary>
    /// <exception cref="InvalidOperationException">The file has no seed (it was not written by a <see cref="TrainingRun"/>).</exception>
    public Sequential Initial()
    {
        if (Metadata.Seed is not { } seed)
            throw new InvalidOperationException($"{File.Path}: no seed in the model file, so its initial weights cannot be rebuilt (files from train --out keep one)");
        return new Sequential(ModelSpec.Parse(Metadata.Spec)).Build(Metadata.InputShape, seed, Net.Engine);
    }

    /// <summary>
    /// Mean loss (the saved loss) and accuracy over raw, unnormalised <paramref name="data"/>; the data set is not changed.
    /// </summary>
    /// <exception cref="ShapeException">The samples are not the shape the model takes.</exception>
    public Evaluation Evaluate(Dataset data, int batchSize = 256) => Evaluator.Evaluate(Net, Metadata.CreateLoss(), Normalised(data), batchSize);

    /// <summary>
    /// Raw <paramref name="data"/> as the model sees it, normalised as in training: a normalised copy of a set in memory, or
    /// a view of a streamed set that normalises as it reads; <paramref name="data"/> itself is not changed.
    /// </summary>
    /// <exception cref="ShapeException">The samples are not the shape the model takes.</exception>
    public Dataset Normalised(Dataset data)
    {
        CheckShape(data.SampleShape);
        return Metadata.Normalization.IsNone ? data : data.Normalized(Metadata.Normalization);
    }

    /// <summary>
    /// Class probabilities for <paramref name="count"/> raw samples laid end to end in <paramref name="rawInputs"/>
    /// (each of the model's input shape), normalised as in training; one <see cref="Prediction"/> per sample. The
    /// probabilities are those of the model's loss (<see cref="Evaluator.Predict(Sequential, ReadOnlySpan{float}, int, string)"/>).
    /// </summary>
    /// <exception cref="ShapeException">The input does not hold <paramref name="count"/> samples of the model's input shape.</exception>
    /// <exception cref="InvalidOperationException">The model is a regression (trained with mse): use <see cref="Outputs"/>.</exception>
    public IReadOnlyList<Prediction> Predict(ReadOnlySpan<float> rawInputs, int count = 1)
    {
        var p = Evaluator.Predict(Net, Normalised(rawInputs, count), count, Metadata.Loss);
        int classes = p.Length / count;
        var result = new Prediction[count];
        for (int i = 0; i < count; i++)
        {
            var probabilities = p.AsSpan(i * classes, classes).ToArray();
            int k = Kernels.Elementwise.ArgMax(probabilities);
            result[i] = new Prediction(k, Metadata.ClassNames?[k], probabilities);
        }
        return result;
    }

    /// <summary>
    /// The network's outputs for <paramref name="count"/> raw samples, normalised as in training: a regression model's
    /// values, or a classifier's outputs before any softmax it does not end in; <c>count x Outputs</c> values.
    /// </summary>
    /// <exception cref="ShapeException">The input does not hold <paramref name="count"/> samples of the model's input shape.</exception>
    public float[] Outputs(ReadOnlySpan<float> rawInputs, int count = 1) =>
        Net.Predict(new Tensor(Normalised(rawInputs, count), [count, .. Metadata.InputShape])).Span.ToArray();

    private float[] Normalised(ReadOnlySpan<float> rawInputs, int count)
    {
        int size = Tensor.Volume(Metadata.InputShape);
        if (count <= 0 || rawInputs.Length != (long)count * size)
            throw new ShapeException($"predict: {rawInputs.Length} values for {count} samples of {Tensor.Format(Metadata.InputShape)} ({size} values each)");
        var x = rawInputs.ToArray();
        Metadata.Normalization.Apply(x, Metadata.InputShape);
        return x;
    }

    private void CheckShape(int[] sampleShape)
    {
        if (!sampleShape.AsSpan().SequenceEqual(Metadata.InputShape))
            throw new ShapeException($"{File.Path}: samples are {Tensor.Format(sampleShape)}, the model takes {Tensor.Format(Metadata.InputShape)}");
    }
}
