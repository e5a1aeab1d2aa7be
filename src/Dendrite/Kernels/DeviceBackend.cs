namespace Dendrite;

/// <summary>
/// A device a network can compute on other than the CPU, e.g. an NVIDIA GPU through ILGPU (the Dendrite.Gpu package).
/// An <see cref="Engine"/> built with one (<c>new Engine(backend)</c>) names it in <see cref="Engine.Device"/>; a
/// network built with that engine keeps its layers, its parameters and every host-side API as on the CPU, while
/// <see cref="Trainer.TrainStep"/> and <see cref="Sequential.Predict(Tensor, int)"/> run on the device through the
/// <see cref="DeviceNetwork"/> the backend makes of it. The core holds no device code: a backend is a plug-in.
/// </summary>
public abstract class DeviceBackend
{
    /// <summary>The device's name as <c>--device</c> writes it: <c>cuda</c>, <c>ilgpu-cpu</c>.</summary>
    public abstract string Name { get; }

    /// <summary>What the device is, for logs: "NVIDIA H100 80GB HBM3, 79 GiB".</summary>
    public abstract string Description { get; }

    /// <summary>
    /// The device's copy of a built top-level network: checks that every layer can run on the device (throwing
    /// <see cref="NotSupportedException"/> naming the first that cannot), allocates its tensors there and copies the
    /// parameters and buffers up.
    /// </summary>
    public abstract DeviceNetwork Attach(Sequential network);
}
