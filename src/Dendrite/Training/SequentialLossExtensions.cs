namespace Dendrite;

/// <summary>
/// The training step by hand, correct for a network that ends in <see cref="Softmax"/>: the loss may absorb the last
/// layer (<see cref="SoftmaxCrossEntropy"/> takes logits), so the forward pass must stop before it and the backward
/// pass start below it. <c>net.Forward</c> returns probabilities; feeding them to the cross-entropy as if they were
/// logits trains a different, worse model. The step <see cref="Trainer.TrainStep"/> runs is:
/// <code>
/// net.ZeroGrad();
/// var output = net.ForwardForLoss(batch.Inputs, loss);
/// var grad = new Tensor(output.Shape.ToArray());
/// loss.Compute(output, batch.Targets, grad);
/// net.BackwardFromLoss(grad, loss);
/// optimizer.Step(net.Parameters);
/// </code>
/// </summary>
public static class SequentialLossExtensions
{
    /// <summary>
    /// Runs the layers that come before <paramref name="loss"/> (<see cref="Loss.LayersBefore"/>): all of them, or all
    /// but a final softmax that a cross-entropy loss takes over. The result is what <see cref="Loss.Compute"/> expects.
    /// </summary>
    public static Tensor ForwardForLoss(this Sequential net, Tensor x, Loss loss, bool training = true) =>
        net.Forward(x, training, loss.LayersBefore(net.Layers));

    /// <summary>
    /// Backpropagates the gradient <see cref="Loss.Compute"/> wrote, from the last layer <see cref="ForwardForLoss"/>
    /// ran, accumulating every parameter's gradient; returns dL/dx as <see cref="Sequential.Backward(Tensor, int)"/> does.
    /// </summary>
    public static Tensor? BackwardFromLoss(this Sequential net, Tensor gradient, Loss loss) =>
        net.Backward(gradient, loss.LayersBefore(net.Layers) - 1);
}
