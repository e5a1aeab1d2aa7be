using ILGPU;
using ILGPU.Runtime;

namespace Dendrite.Gpu;

/// <summary>
/// A network on an ILGPU accelerator: the device twins of its layers (<see cref="DeviceLayer"/>), its parameters,
/// gradients, optimizer state and batch norm statistics in device buffers. A step uploads the batch (and targets),
/// runs forward, the fused softmax cross-entropy (another loss: the output comes down, the loss's gradient goes up),
/// backward and the optimizer's update, and downloads the N per-sample losses.
/// </summary>
internal sealed class IlgpuNetwork : DeviceNetwork
{
    private readonly DeviceKernels _k;
    private readonly DeviceSequential _net;
    private readonly DeviceParameter[] _parameters;
    private readonly (Tensor Host, DeviceArray<float> Device)[] _buffers;
    private readonly DeviceArray<float> _input, _target, _grad, _losses;
    private float[] _smoothed = [];
    private readonly Tensor _output = new(0, 0), _hostGrad = new(0, 0);
    private float[] _lossRows = [];
    private Optimizer? _optimizer;
    private int _rule;

    public IlgpuNetwork(Sequential network, DeviceKernels kernels, string device) : base(network)
    {
        _k = kernels;
        _net = new DeviceSequential(network, kernels, device);
        _parameters = [.. _net.Parameters];
        _buffers = [.. _net.Buffers];
        var a = kernels.Accelerator;
        (_input, _target, _grad, _losses) = (new(a), new(a), new(a), new(a));
    }

    /// <inheritdoc/>
    public override Tensor Predict(Tensor x, int layers)
    {
        var y = _net.Forward(Upload(_input, x), training: false, layers < 0 ? _net.Layers.Count : layers);
        return Download(y, _output);
    }

    /// <inheritdoc/>
    public override float TrainStep(Batch batch, Loss loss, Optimizer optimizer, int layers)
    {
        if (!ReferenceEquals(optimizer, _optimizer)) Adopt(optimizer);
        float value = Gradients(batch, loss, layers);
        optimizer.Steps++;
        var rule = Rule(optimizer);
        foreach (var p in _parameters)
            _k.Update(p.Value.IntLength, p.Value, p.Grad, p.State0, p.State1, rule with { Decays = p.Host.Decays ? 1 : 0 });
        return value;
    }

    /// <summary>Tests: the device's gradients (zeroed, then one forward and backward) copied into each host <see cref="Parameter.Grad"/>.</summary>
    internal float DownloadGradients(Batch batch, Loss loss, int layers)
    {
        float value = Gradients(batch, loss, layers);
        _k.Accelerator.Synchronize();
        foreach (var p in _parameters) p.Grad.CopyToCPU(p.Host.Grad.Span);
        return value;
    }

    // Zeroes the gradients, runs forward, the loss and backward; returns the mean loss.
    private float Gradients(Batch batch, Loss loss, int layers)
    {
        foreach (var p in _parameters) p.Grad.MemSetToZero();
        var y = _net.Forward(Upload(_input, batch.Inputs), training: true, layers);
        int n = y.N;
        if (batch.Targets.Length != y.View.Length)
            throw new ShapeException($"{loss.Name}: prediction {Tensor.Format(y.Shape)} and target {Tensor.Format(batch.Targets.Shape)} differ");
        double value;
        DeviceTensor dy;
        if (loss is SoftmaxCrossEntropy ce)
        {
            var targets = batch.Targets.Span;
            if (ce.LabelSmoothing > 0)
            {
                if (_smoothed.Length < targets.Length) _smoothed = new float[targets.Length];
                ce.Smooth(targets, targets.Length / n, _smoothed);
                targets = _smoothed.AsSpan(0, targets.Length);
            }
            var target = _target.Upload(targets);
            dy = new DeviceTensor(_grad.Ensure(y.View.Length), y.Shape);
            var rows = _losses.Ensure(n);
            _k.SoftmaxCrossEntropy(n, y.View, target, dy.View, rows, y.View.IntLength / n, 1f / n);
            if (_lossRows.Length < n) _lossRows = new float[n];
            _k.Accelerator.Synchronize();
            rows.CopyToCPU(_lossRows.AsSpan(0, n));
            double sum = 0;
            for (int i = 0; i < n; i++) sum += _lossRows[i];
            value = sum / n;
        }
        else
        {
            var output = Download(y, _output);
            _hostGrad.Resize(output.Shape);
            value = loss.Compute(output, batch.Targets, _hostGrad);
            dy = Upload(_grad, _hostGrad);
        }
        _net.Backward(dy, layers - 1);
        return (float)value;
    }

    /// <inheritdoc/>
    public override void CopyToHost(Optimizer? optimizer)
    {
        _k.Accelerator.Synchronize();
        foreach (var p in _parameters) p.Download(optimizer is not null && ReferenceEquals(optimizer, _optimizer) ? optimizer.StateOf(p.Host) : null);
        foreach (var (host, device) in _buffers) device.Ensure(host.Length).CopyToCPU(host.Span);
    }

    /// <inheritdoc/>
    public override void CopyFromHost()
    {
        foreach (var p in _parameters) p.Upload();
        foreach (var (host, device) in _buffers) device.Upload(host.Span);
        _optimizer = null;
    }

    // The optimizer's kind, checked once, and its state sent up from StateOf (zeros, or what a checkpoint restored).
    private void Adopt(Optimizer optimizer)
    {
        _rule = optimizer switch
        {
            AdamW => UpdateRule.AdamW,
            Adam => UpdateRule.Adam,
            GradientDescent => UpdateRule.Sgd,
            Momentum => UpdateRule.Momentum,
            Nesterov => UpdateRule.Nesterov,
            RmsProp => UpdateRule.RmsProp,
            _ => throw new NotSupportedException($"optimizer {optimizer.Name} ({optimizer.GetType().Name}) has no device update; train with --device cpu"),
        };
        foreach (var p in _parameters) p.UploadState(optimizer.StateOf(p.Host));
        _optimizer = optimizer;
    }

    private UpdateRule Rule(Optimizer o)
    {
        var (mu, b1, b2, eps, rho) = o switch
        {
            Momentum m => (m.Mu, 0f, 0f, 0f, 0f),
            Nesterov m => (m.Mu, 0f, 0f, 0f, 0f),
            Adam a => (0f, a.Beta1, a.Beta2, a.Epsilon, 0f),
            RmsProp r => (0f, 0f, 0f, r.Epsilon, r.Rho),
            _ => (0f, 0f, 0f, 0f, 0f),
        };
        float c1 = b1 > 0 ? 1f / (1f - MathF.Pow(b1, o.Steps)) : 0f, c2 = b2 > 0 ? 1f / (1f - MathF.Pow(b2, o.Steps)) : 0f;
        return new UpdateRule(_rule, o.LearningRate, o.WeightDecay, mu, b1, b2, eps, rho, c1, c2, 1);
    }

    private static DeviceTensor Upload(DeviceArray<float> array, Tensor x) => new(array.Upload(x.Span), array.Shape(x[0], x.Shape[1..]));

    private Tensor Download(DeviceTensor y, Tensor into)
    {
        into.Resize(y.Shape);
        _k.Accelerator.Synchronize();
        y.View.CopyToCPU(into.Span);
        return into;
    }
}
