namespace Dendrite;

/// <summary>
/// A loss over a batch: the mean over samples of a per-sample loss. <see cref="Compute"/> returns the
/// loss and, when asked, writes dL/dprediction (already divided by the batch size) into gradient.
/// </summary>
public abstract class Loss
{
    /// <summary>The name used on the command line and in metrics.</summary>
    public abstract string Name { get; }

    public abstract double Compute(Tensor prediction, Tensor target, Tensor? gradient);

    /// <summary>
    /// How many of a network's layers run before this loss: all of them, unless the loss absorbs the last one
    /// (<see cref="SoftmaxCrossEntropy"/> takes logits, so a final <see cref="Softmax"/> is skipped in training).
    /// </summary>
    public virtual int LayersBefore(IReadOnlyList<Layer> layers) => layers.Count;

    protected static void Check(Tensor prediction, Tensor target, Tensor? gradient, string name)
    {
        if (!prediction.SameShape(target))
            throw new ShapeException($"{name}: prediction {Tensor.Format(prediction.Shape)} and target {Tensor.Format(target.Shape)} differ");
        if (gradient is not null && gradient.Length != prediction.Length)
            throw new ShapeException($"{name}: gradient {Tensor.Format(gradient.Shape)} does not match prediction {Tensor.Format(prediction.Shape)}");
    }
}
