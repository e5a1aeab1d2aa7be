using ILGPU;
using ILGPU.Runtime;

namespace Dendrite.Gpu;

/// <summary>
/// A layer's device twin: the same batched forward and backward as its host <see cref="Layer"/>, on device buffers,
/// reading the host layer's settings and sharing its parameters through <see cref="DeviceParameter"/>. Outputs and
/// gradients belong to the device layer and are reused by the next call, as on the CPU.
/// </summary>
internal abstract class DeviceLayer(Layer host, DeviceKernels kernels)
{
    public Layer Host { get; } = host;
    protected DeviceKernels K { get; } = kernels;
    protected Accelerator Accelerator => K.Accelerator;

    public abstract DeviceTensor Forward(DeviceTensor x, bool training);

    /// <summary>dL/dx, or <see cref="DeviceTensor.Empty"/> when the host layer says it is not needed and can be skipped.</summary>
    public abstract DeviceTensor Backward(DeviceTensor dy);

    public virtual IEnumerable<DeviceParameter> Parameters => [];

    /// <summary>Saved, untrained tensors (batch norm statistics): the host tensor and its device copy.</summary>
    public virtual IEnumerable<(Tensor Host, DeviceArray<float> Device)> Buffers => [];

    protected DeviceArray<float> Array() => new(Accelerator);

    /// <summary>[n, ...shape] in <paramref name="array"/>.</summary>
    protected static DeviceTensor Batch(DeviceArray<float> array, int n, int[] shape) => new(array.Ensure((long)n * Tensor.Volume(shape)), array.Shape(n, shape));

    protected DeviceParameter Learn(Parameter p)
    {
        var d = new DeviceParameter(p, Accelerator);
        d.Upload();
        return d;
    }

    /// <summary>The device twin of a host layer; <see cref="NotSupportedException"/> naming the layer when it has none.</summary>
    public static DeviceLayer For(Layer layer, DeviceKernels k, string device) => layer switch
    {
        Sequential s => new DeviceSequential(s, k, device),
        Residual r => new DeviceResidual(r, k, device),
        Concat c => new DeviceConcat(c, k, device),
        Dense d => new DeviceDense(d, k),
        Conv2d c => new DeviceConv2d(c, k),
        MaxPool2d or AvgPool2d => new DevicePool2d((Pool2d)layer, k),
        GlobalAvgPool2d => new DeviceGlobalAvgPool2d(layer, k),
        BatchNorm b => new DeviceBatchNorm(b, k),
        Dropout d => new DeviceDropout(d, k),
        Flatten => new DeviceReshape(layer, k),
        Softmax => new DeviceSoftmax(layer, k),
        Activation a when DeviceActivation.KindOf(a) is { } kind => new DeviceActivation(a, kind, k),
        _ => throw new NotSupportedException($"{layer.Label}: {layer.GetType().Name} has no {device} kernels; train or run it with --device cpu"),
    };
}
