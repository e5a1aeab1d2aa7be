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

    public Dataset Data { get; }
    public int Classes => Data.Classes;

    /// <summary>[Count, Classes], each row summing to 1.</summary>
    public float[] Probabilities { get; }

    public ReadOnlySpan<float> Row(int i) => Probabilities.AsSpan(i * Classes, Classes);
    public int Predicted(int i) => Elementwise.ArgMax(Row(i));

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
