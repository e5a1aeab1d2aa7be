namespace Dendrite.Gpu;

/// <summary>
/// Batch norm per channel (see <see cref="NormalizationKernels"/>): batch statistics and running averages in
/// training, the running averages otherwise; the running averages live on the device and are saved as buffers.
/// </summary>
internal sealed class DeviceBatchNorm : DeviceLayer
{
    private readonly BatchNorm _host;
    private readonly DeviceParameter _gamma, _beta;
    private readonly DeviceArray<float> _runMean, _runVar, _mean, _invStd, _part, _coef, _xhat, _y, _dx;
    private readonly int _c, _s;
    private int _n;
    private bool _training;

    public DeviceBatchNorm(BatchNorm host, DeviceKernels k) : base(host, k)
    {
        _host = host;
        _gamma = Learn(host.Gamma);
        _beta = Learn(host.Beta);
        (_runMean, _runVar, _mean, _invStd, _part, _coef, _xhat, _y, _dx) = (Array(), Array(), Array(), Array(), Array(), Array(), Array(), Array(), Array());
        _c = host.Channels;
        _s = Tensor.Volume(host.InputShape) / _c;
        _runMean.Upload(host.RunningMean.Span);
        _runVar.Upload(host.RunningVar.Span);
    }

    public override IEnumerable<DeviceParameter> Parameters => [_gamma, _beta];

    public override IEnumerable<(Tensor Host, DeviceArray<float> Device)> Buffers => [(_host.RunningMean, _runMean), (_host.RunningVar, _runVar)];

    public override DeviceTensor Forward(DeviceTensor x, bool training)
    {
        _n = x.N;
        _training = training;
        int m = _n * _s;
        if (training && m < 2)
            throw new ShapeException($"{Host.Label}: training needs more than one value per channel, got input {Tensor.Format(x.Shape)}");
        var mean = _mean.Ensure(_c);
        var invStd = _invStd.Ensure(_c);
        var runMean = _runMean.Ensure(_c);
        var runVar = _runVar.Ensure(_c);
        if (training)
        {
            var part = _part.Ensure(2L * _c * _n);
            K.PlaneSums(_c * _n, x.View, mean, part, _n, _c, _s, 0);
            K.Mean(_c, part, mean, _n, m);
            K.PlaneSums(_c * _n, x.View, mean, part, _n, _c, _s, 1);
            K.Statistics(_c, part, mean, invStd, runMean, runVar, _n, m, _host.Momentum, _host.Epsilon);
        }
        else K.Running(_c, runMean, runVar, mean, invStd, _host.Epsilon);
        var y = Batch(_y, _n, _host.OutputShape);
        K.Normalize(y.View.IntLength, x.View, _xhat.Ensure(y.View.Length), y.View, mean, invStd, _gamma.Value, _beta.Value, _c, _s);
        return y;
    }

    public override DeviceTensor Backward(DeviceTensor dy)
    {
        var part = _part.Ensure(2L * _c * _n);
        var xhat = _xhat.Ensure(dy.View.Length);
        var coef = _coef.Ensure(3L * _c);
        K.GradientSums(_c * _n, dy.View, xhat, part, _n, _c, _s);
        K.GradientCoefficients(_c, part, _gamma.Value, _invStd.Ensure(_c), _gamma.Grad, _beta.Grad, coef, _n, _c, _n * _s, _training ? 1 : 0);
        var dx = Batch(_dx, _n, _host.InputShape);
        K.InputGradient(dx.View.IntLength, dy.View, xhat, coef, dx.View, _c, _s);
        return dx;
    }
}
