using Dendrite.Kernels;

namespace Dendrite.Visualization;

/// <summary>A network's class probabilities for every sample of a labelled data set, computed in batches.</summary>
public sealed class Predictions
{
    private Predictions(Dataset data, float[] probabilities)
    {
        Data = data;
        Probabilities = probabilities;
    }

    /// <summary>The data set the probabilities are for, sample i in row i.</summary>
    public Dataset Data { get; }

    /// <summary>Number of classes K, the width of each row.</summary>
    public int Classes => Data.Classes;

    /// <summary>[Count, Classes], each row summing to 1.</summary>
    public float[] Probabilities { get; }

    /// <summary>Sample <paramref name="i"/>'s class probabilities, a view into <see cref="Probabilities"/>.</summary>
    public ReadOnlySpan<float> Row(int i) => Probabilities.AsSpan(i * Classes, Classes);

    /// <summary>Sample <paramref name="i"/>'s most probable class (the first one on ties).</summary>
    public int Predicted(int i) => Elementwise.ArgMax(Row(i));

    /// <summary>
    /// Runs every sample of <paramref name="data"/>, in order, through <paramref name="net"/>'s inference forward;
    /// outputs are taken as probabilities when the last layer is <see cref="Softmax"/>, else passed through a softmax.
    /// </summary>
    /// <param name="net">A built classifier whose output is [N, K] with K the data's class count.</param>
    /// <param name="data">A labelled data set, fed as it is (normalise it first if the network expects that).</param>
    /// <param name="batchSize">Samples per forward pass.</param>
    /// <exception cref="InvalidDataException"><paramref name="data"/> is not a classification data set.</exception>
    /// <exception cref="ShapeException">The network's output does not have one value per class.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    public static Predictions Compute(Sequential net, Dataset data, int batchSize = 256)
    {
        if (!data.IsClassification) throw new InvalidDataException("predictions need a labelled (classification) data set");
        if (net.OutputShape.Length != 1 || net.OutputShape[0] != data.Classes)
            throw new ShapeException($"model output {Tensor.Format(net.OutputShape)} does not match the data's {data.Classes} classes");
        var p = new float[(long)data.Count * data.Classes];
        var loader = new DataLoader(data, batchSize);
        int done = 0;
        for (int b = 0; b < loader.BatchCount; b++)
        {
            var batch = loader.GetBatch(b);
            var y = net.Predict(batch.Inputs);
            var rows = p.AsSpan(done * data.Classes, batch.Count * data.Classes);
            if (net.Layers[^1] is Softmax) y.Span.CopyTo(rows);
            else Elementwise.SoftmaxRows(y.Span, rows, batch.Count);
            done += batch.Count;
        }
        return new Predictions(data, p);
    }
}
