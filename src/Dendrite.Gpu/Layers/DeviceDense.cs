namespace Dendrite.Gpu;

/// <summary>y = x Wᵀ + b; dW += dyᵀ x; db += column sums of dy; dx = dy W (skipped when not needed).</summary>
internal sealed class DeviceDense : DeviceLayer
{
    private readonly Dense _host;
    private readonly DeviceParameter _w;
    private readonly DeviceParameter? _b;
    private readonly DeviceArray<float> _y, _dx;
    private DeviceTensor _x;

    public DeviceDense(Dense host, DeviceKernels k) : base(host, k)
    {
        _host = host;
        _w = Learn(host.Weight);
        _b = host.Bias is { } b ? Learn(b) : null;
        _y = Array();
        _dx = Array();
    }

    public override IEnumerable<DeviceParameter> Parameters => _b is null ? [_w] : [_w, _b];

    public override DeviceTensor Forward(DeviceTensor x, bool training)
    {
        _x = x;
        int n = x.N, units = _host.Units, inputs = _host.Inputs;
        var y = Batch(_y, n, _host.OutputShape);
        K.Gemm(false, true, n, units, inputs, 1f, x.View, _w.Value, 0f, y.View);
        if (_b is not null) K.AddRowVector((int)y.View.Length, y.View, _b.Value, units);
        return y;
    }

    public override DeviceTensor Backward(DeviceTensor dy)
    {
        int n = _x.N, units = _host.Units, inputs = _host.Inputs;
        K.Gemm(true, false, units, inputs, n, 1f, dy.View, _x.View, 1f, _w.Grad);
        if (_b is not null) K.SumColumns(units, dy.View, _b.Grad, n, units);
        if (!Host.NeedsInputGradient) return DeviceTensor.Empty;
        var dx = Batch(_dx, n, _host.InputShape);
        K.Gemm(false, false, n, inputs, units, 1f, dy.View, _w.Value, 0f, dx.View);
        return dx;
    }
}
