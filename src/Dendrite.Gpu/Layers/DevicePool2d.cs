using ILGPU.Runtime;

namespace Dendrite.Gpu;

/// <summary>Max or average pooling (see <see cref="PoolingKernels"/>); backward clears dx and scatters dy into it.</summary>
internal sealed class DevicePool2d(Pool2d host, DeviceKernels k) : DeviceLayer(host, k)
{
    private readonly bool _max = host is MaxPool2d;
    private readonly Pool2d _pool = host;
    private readonly DeviceArray<float> _y = new(k.Accelerator), _dx = new(k.Accelerator);
    private readonly DeviceArray<int> _at = new(k.Accelerator);
    private Window _g;

    public override DeviceTensor Forward(DeviceTensor x, bool training)
    {
        _g = Window.Of(_pool.Window, x.N, Host.InputShape[0]);
        var y = Batch(_y, x.N, Host.OutputShape);
        if (_max) K.MaxPool(y.View.IntLength, x.View, y.View, _at.Ensure(y.View.Length), _g);
        else K.AvgPool(y.View.IntLength, x.View, y.View, _g);
        return y;
    }

    public override DeviceTensor Backward(DeviceTensor dy)
    {
        var dx = Batch(_dx, _g.N, Host.InputShape);
        dx.View.MemSetToZero();
        if (_max) K.MaxPoolBackward(dy.View.IntLength, dy.View, _at.Ensure(dy.View.Length), dx.View);
        else K.AvgPoolBackward(dy.View.IntLength, dy.View, dx.View, _g);
        return dx;
    }
}

/// <summary>y[n, c] = the mean of plane (n, c); dx = dy / (H W) over the plane.</summary>
internal sealed class DeviceGlobalAvgPool2d(Layer host, DeviceKernels k) : DeviceLayer(host, k)
{
    private readonly DeviceArray<float> _y = new(k.Accelerator), _dx = new(k.Accelerator);
    private readonly int _plane = host.InputShape[1] * host.InputShape[2];
    private int _n;

    public override DeviceTensor Forward(DeviceTensor x, bool training)
    {
        _n = x.N;
        var y = Batch(_y, x.N, Host.OutputShape);
        K.GlobalPool(y.View.IntLength, x.View, y.View, _plane);
        return y;
    }

    public override DeviceTensor Backward(DeviceTensor dy)
    {
        var dx = Batch(_dx, _n, Host.InputShape);
        K.GlobalPoolBackward(dx.View.IntLength, dy.View, dx.View, _plane);
        return dx;
    }
}
