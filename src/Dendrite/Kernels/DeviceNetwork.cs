namespace Dendrite;

/// <summary>
/// A network's parameters, buffers, activations and gradients kept on a device across layers and steps: a training
/// step sends the batch up and brings the loss down, and inference brings the output down. The host network stays
/// the reference for model files, checkpoints and ONNX export: <see cref="CopyToHost"/> brings the device's values
/// back (<see cref="Trainer"/> does so after each epoch and before a checkpoint), and <see cref="CopyFromHost"/> sends
/// values changed on the host up again. Made by <see cref="DeviceBackend.Attach"/>; reach it through
/// <see cref="Sequential.Device"/>.
/// </summary>
public abstract class DeviceNetwork(Sequential network)
{
    /// <summary>The host network this is the device copy of.</summary>
    public Sequential Network { get; } = network;

    /// <summary>
    /// The first <paramref name="layers"/> layers (all when negative) in inference mode on a batch; the output is a
    /// host tensor owned by this object and reused by the next call.
    /// </summary>
    public abstract Tensor Predict(Tensor x, int layers);

    /// <summary>
    /// One step on the device: forward through the first <paramref name="layers"/> layers in training mode, the loss
    /// and its gradient, backward, and <paramref name="optimizer"/>'s update (which it counts in <see cref="Optimizer.Steps"/>).
    /// Returns the batch's mean loss. The optimizer's state is read from <see cref="Optimizer.StateOf"/> the first time
    /// an optimizer is seen and kept on the device after that.
    /// </summary>
    /// <exception cref="NotSupportedException">The optimizer has no device update.</exception>
    public abstract float TrainStep(Batch batch, Loss loss, Optimizer optimizer, int layers);

    /// <summary>Copies parameters, buffers (batch norm statistics) and <paramref name="optimizer"/>'s state (when given) down to the host.</summary>
    public abstract void CopyToHost(Optimizer? optimizer);

    /// <summary>Copies parameters and buffers from the host up to the device, and forgets any optimizer state held there.</summary>
    public abstract void CopyFromHost();
}
