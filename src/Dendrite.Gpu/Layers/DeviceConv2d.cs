using ILGPU.Runtime;

namespace Dendrite.Gpu;

/// <summary>
/// Convolution by im2col and GEMM over the whole batch (see <see cref="ConvolutionKernels"/>): Y' = W col,
/// dW += dY' colᵀ, db += row sums of dY', dcol = Wᵀ dY', dx = col2im(dcol).
/// </summary>
internal sealed class DeviceConv2d : DeviceLayer
{
    private readonly Conv2d _host;
    private readonly DeviceParameter _w;
    private readonly DeviceParameter? _b;
    private readonly DeviceArray<float> _col, _product, _y, _dcol, _dx, _noBias;
    private Window _g;

    public DeviceConv2d(Conv2d host, DeviceKernels k) : base(host, k)
    {
        _host = host;
        _w = Learn(host.Weight);
        _b = host.Bias is { } b ? Learn(b) : null;
        (_col, _product, _y, _dcol, _dx, _noBias) = (Array(), Array(), Array(), Array(), Array(), Array());
        if (_b is null) _noBias.Ensure(host.Filters).MemSetToZero();
    }

    public override IEnumerable<DeviceParameter> Parameters => _b is null ? [_w] : [_w, _b];

    public override DeviceTensor Forward(DeviceTensor x, bool training)
    {
        int n = x.N, f = _host.Filters;
        _g = Window.Of(_host.Window, n, _host.Channels);
        long cells = (long)_g.Rows * _g.Columns;
        var col = _col.Ensure(cells);
        K.Im2Col(col.IntLength, x.View, col, _g);
        var product = _product.Ensure((long)f * _g.Columns);
        K.Gemm(false, false, f, _g.Columns, _g.Rows, 1f, _w.Value, col, 0f, product);
        var y = Batch(_y, n, _host.OutputShape);
        K.ToImages(y.View.IntLength, product, _b?.Value ?? _noBias.Ensure(f), y.View, f, _g.OutPlane, n);
        return y;
    }

    public override DeviceTensor Backward(DeviceTensor dy)
    {
        int f = _host.Filters, n = _g.N;
        var rows = _product.Ensure((long)f * _g.Columns);
        K.ToRows(dy.View.IntLength, dy.View, rows, f, _g.OutPlane, n);
        var col = _col.Ensure((long)_g.Rows * _g.Columns);
        K.Gemm(false, true, f, _g.Rows, _g.Columns, 1f, rows, col, 1f, _w.Grad);
        if (_b is not null) K.SumRows(f, rows, _b.Grad, _g.Columns);
        if (!Host.NeedsInputGradient) return DeviceTensor.Empty;
        var dcol = _dcol.Ensure((long)_g.Rows * _g.Columns);
        K.Gemm(true, false, _g.Rows, _g.Columns, f, 1f, _w.Value, rows, 0f, dcol);
        var dx = Batch(_dx, n, _host.InputShape);
        K.Col2Im(dx.View.IntLength, dcol, dx.View, _g);
        return dx;
    }
}
