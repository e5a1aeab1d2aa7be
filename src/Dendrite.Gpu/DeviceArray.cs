using ILGPU;
using ILGPU.Runtime;

namespace Dendrite.Gpu;

/// <summary>A device buffer that grows to the largest length asked of it and is reused after that (no allocation per step).</summary>
internal sealed class DeviceArray<T>(Accelerator accelerator) : IDisposable where T : unmanaged
{
    private MemoryBuffer1D<T, Stride1D.Dense>? _buffer;

    /// <summary>The first <paramref name="length"/> elements, reallocated (contents lost) when the buffer is shorter.</summary>
    public ArrayView<T> Ensure(long length)
    {
        if (_buffer is null || _buffer.Length < length)
        {
            _buffer?.Dispose();
            _buffer = accelerator.Allocate1D<T>(Math.Max(length, 1));
        }
        return ((ArrayView<T>)_buffer.View).SubView(0, length);
    }

    /// <summary>A buffer of exactly <paramref name="values"/>' length holding them.</summary>
    public ArrayView<T> Upload(ReadOnlySpan<T> values)
    {
        var view = Ensure(values.Length);
        if (values.Length > 0) view.CopyFromCPU(values);
        return view;
    }

    /// <summary>The shape of the batch this buffer holds (see <see cref="BatchShape"/>).</summary>
    public int[] Shape(int n, ReadOnlySpan<int> sample) => _shape.Of(n, sample);

    private readonly BatchShape _shape = new();

    public void Dispose() => _buffer?.Dispose();
}

/// <summary>[n, ...sample] as one array, made again only when n or the sample shape changes: a training step allocates no shape.</summary>
internal sealed class BatchShape
{
    private int[] _shape = [];

    public int[] Of(int n, ReadOnlySpan<int> sample)
    {
        if (_shape.Length != sample.Length + 1 || _shape[0] != n || !sample.SequenceEqual(_shape.AsSpan(1))) _shape = [n, .. sample];
        return _shape;
    }
}

/// <summary>A batch on the device: its values and its shape [N, ...].</summary>
internal readonly record struct DeviceTensor(ArrayView<float> View, int[] Shape)
{
    public int N => Shape[0];
    public bool IsEmpty => Shape is null;
    public static DeviceTensor Empty => default;
}

/// <summary>A parameter's value and gradient on the device, and its optimizer state once an optimizer has run.</summary>
internal sealed class DeviceParameter(Parameter host, Accelerator accelerator)
{
    private readonly DeviceArray<float> _value = new(accelerator), _grad = new(accelerator), _s0 = new(accelerator), _s1 = new(accelerator);

    public Parameter Host { get; } = host;
    public ArrayView<float> Value { get; private set; }
    public ArrayView<float> Grad { get; private set; }
    public ArrayView<float> State0 { get; private set; }
    public ArrayView<float> State1 { get; private set; }

    public void Upload()
    {
        Value = _value.Upload(Host.Value.Span);
        Grad = _grad.Ensure(Host.Length);
        Grad.MemSetToZero();
    }

    /// <summary>The optimizer's state vectors for this parameter (zeros when it has none).</summary>
    public void UploadState(float[][] state)
    {
        State0 = state.Length > 0 ? _s0.Upload(state[0]) : _s0.Ensure(1);
        State1 = state.Length > 1 ? _s1.Upload(state[1]) : _s1.Ensure(1);
    }

    public void Download(float[][]? state)
    {
        Value.CopyToCPU(Host.Value.Span);
        if (state is null) return;
        if (state.Length > 0) State0.CopyToCPU(state[0].AsSpan());
        if (state.Length > 1) State1.CopyToCPU(state[1].AsSpan());
    }
}
