namespace Dendrite;

/// <summary>
/// A loss over a batch: the mean over samples of a per-sample loss. <see cref="Compute"/> returns the
/// loss and, when asked, writes dL/dprediction (already divided by the batch size) into gradient.
/// </summary>
public abstract class Loss
{
    /// <summary>The name used on the command line and in metrics.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The mean loss over the batch; when <paramref name="gradient"/> is given, overwrites it with dL/dprediction,
    /// already divided by the batch size N.
    /// </summary>
    /// <param name="prediction">The network's output, [N, ...].</param>
    /// <param name="target">What it should have been, the same shape.</param>
    /// <param name="gradient">null for the loss alone; else a tensor with as many values as the prediction.</param>
    /// <exception cref="ShapeException">The target's shape, or the gradient's length, differs from the prediction's.</exception>
    public abstract double Compute(Tensor prediction, Tensor target, Tensor? gradient);

    /// <summary>
    /// How many of a network's layers run before this loss: all of them, unless the loss absorbs the last one
    /// (<see cref="SoftmaxCrossEntropy"/> takes logits, so a final <see cref="Softmax"/> is skipped in training).
    /// </summary>
    public virtual int LayersBefore(IReadOnlyList<Layer> layers) => layers.Count;

    /// <summary>Throws <see cref="ShapeException"/>, starting with <paramref name="name"/>, unless target has prediction's shape and gradient (when given) as many values.</summary>
    protected static void Check(Tensor prediction, Tensor target, Tensor? gradient, string name)
    {
        if (!prediction.SameShape(target))
            throw new ShapeException($"{name}: prediction {Tensor.Format(prediction.Shape)} and target {Tensor.Format(target.Shape)} differ");
        if (gradient is not null && gradient.Length != prediction.Length)
            throw new ShapeException($"{name}: gradient {Tensor.Format(gradient.Shape)} does not match prediction {Tensor.Format(prediction.Shape)}");
    }
}
