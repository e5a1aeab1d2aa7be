namespace Dendrite;

/// <summary>Runs a network over a data set in evaluation mode and scores it.</summary>
public static class Evaluator
{
    /// <summary>
    /// A saved model's loss and accuracy on raw data, normalised first as the model was trained
    /// (<see cref="SavedModel.Evaluate"/>).
    /// </summary>
    public static Evaluation Evaluate(SavedModel model, Dataset data, int batchSize = 256) => model.Evaluate(data, batchSize);

    /// <summary>
    /// Mean loss and accuracy of <paramref name="model"/> over the first <paramref name="layers"/> layers (by default the
    /// layers before the loss). The data is used as it is: for a model loaded from a file, use the
    /// <see cref="SavedModel"/> overload, which applies the saved normalisation.
    /// </summary>
    public static Evaluation Evaluate(Sequential model, Loss loss, Dataset data, int batchSize = 256, int layers = -1)
    {
        if (layers < 0) layers = loss.LayersBefore(model.Layers);
        var loader = new DataLoader(data, batchSize);
        double lossSum = 0;
        long correct = 0;
        for (int b = 0; b < loader.BatchCount; b++)
        {
            var batch = loader.GetBatch(b);
            var output = model.Predict(batch.Inputs, layers);
            lossSum += loss.Compute(output, batch.Targets, null) * batch.Count;
            if (!data.IsClassification) continue;
            for (int i = 0; i < batch.Count; i++)
                if (Kernels.Elementwise.ArgMax(output.Sample(i)) == batch.Labels[i]) correct++;
        }
        float accuracy = data.IsClassification ? (float)correct / data.Count : float.NaN;
        return new Evaluation((float)(lossSum / data.Count), accuracy, data.Count);
    }

    /// <summary>
    /// Class probabilities for each sample of a softmax classifier: the network's output, with softmax applied when it
    /// does not end in one. The inputs are used as they are; <see cref="SavedModel.Predict"/> normalises raw inputs as
    /// training did. For a model trained with another loss, use <see cref="Predict(Sequential, ReadOnlySpan{float}, int, string)"/>.
    /// </summary>
    public static float[] Predict(Sequential model, ReadOnlySpan<float> inputs, int count)
    {
        var y = model.Predict(new Tensor(inputs.ToArray(), [count, .. model.InputShape]));
        var p = new float[y.Length];
        if (model.Layers[^1] is Softmax) y.Span.CopyTo(p);
        else Kernels.Elementwise.SoftmaxRows(y.Span, p, count);
        return p;
    }

    /// <summary>
    /// Class probabilities for each sample as the loss the model was trained with defines them: softmax for
    /// cross-entropy (see above); for binary cross-entropy the outputs themselves, each an independent probability, and
    /// for a single output p the two classes' [1 - p, p]. Rows of the returned array hold one sample's classes.
    /// </summary>
    /// <exception cref="InvalidOperationException">The loss is mse: a regression model has values, not classes.</exception>
    public static float[] Predict(Sequential model, ReadOnlySpan<float> inputs, int count, string loss)
    {
        if (loss is "mse") throw new InvalidOperationException("a regression model (trained with mse) gives values, not classes; its outputs come from Sequential.Predict");
        if (loss is not ("bce" or "binary-cross-entropy")) return Predict(model, inputs, count);
        var y = model.Predict(new Tensor(inputs.ToArray(), [count, .. model.InputShape]));
        if (y.Length != count) return y.Span.ToArray();
        var p = new float[2 * count];
        for (int i = 0; i < count; i++) (p[2 * i], p[2 * i + 1]) = (1f - y.Span[i], y.Span[i]);
        return p;
    }
}
